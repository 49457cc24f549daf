use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: pass end;
        Orphan: succeed;
    }
}

fn main() {}
