use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: pass { result: { "status": done } } end;
    }
}

fn main() {}
