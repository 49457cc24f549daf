use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: pass => Nowhere;
    }
}

fn main() {}
