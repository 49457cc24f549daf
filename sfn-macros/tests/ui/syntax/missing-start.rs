use sfn::workflow;

workflow! {
    pub W {
        A: succeed;
    }
}

fn main() {}
