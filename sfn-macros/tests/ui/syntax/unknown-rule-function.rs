use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: choice { is_there("$.x") => B, else => B };
        B: succeed;
    }
}

fn main() {}
