use sfn::workflow;

workflow! {
    pub W {
        start A;
        start A;
        A: succeed;
    }
}

fn main() {}
