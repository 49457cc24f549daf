use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: wait end;
    }
}

fn main() {}
