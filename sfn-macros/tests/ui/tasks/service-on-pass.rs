use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: pass service end;
    }
}

fn main() {}
