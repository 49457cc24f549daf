use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: choice { "$.a" == number_path("$.b") => B };
        B: succeed;
    }
}

fn main() {}
