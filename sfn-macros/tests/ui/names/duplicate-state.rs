use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: pass => B;
        B: pass end;
        B: succeed;
    }
}

fn main() {}
