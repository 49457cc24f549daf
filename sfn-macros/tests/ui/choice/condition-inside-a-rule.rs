use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: choice { "$.a" == 1 && true => B };
        B: succeed;
    }
}

fn main() {}
