use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: wait { seconds: -5 } end;
    }
}

fn main() {}
