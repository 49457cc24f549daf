use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: choice { "$.x" 100 => B };
        B: succeed;
    }
}

fn main() {}
