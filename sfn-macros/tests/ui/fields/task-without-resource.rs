use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: task { timeout_seconds: 5 } end;
    }
}

fn main() {}
