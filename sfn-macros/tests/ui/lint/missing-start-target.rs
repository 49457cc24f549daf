use sfn::workflow;

workflow! {
    pub W {
        start Begin;
        A: succeed;
    }
}

fn main() {}
