use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: pass end
        B: succeed;
    }
}

fn main() {}
