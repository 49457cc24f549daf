use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: choice { "$.file" matches 5 => B };
        B: succeed;
    }
}

fn main() {}
