use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: choice { "$.ok" > true => B };
        B: succeed;
    }
}

fn main() {}
