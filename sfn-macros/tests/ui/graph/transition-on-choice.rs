use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: choice { "$.x" == 1 => B } => B;
        B: succeed;
    }
}

fn main() {}
