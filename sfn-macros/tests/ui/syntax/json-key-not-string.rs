use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: pass { result: { Key: 1 } } end;
    }
}

fn main() {}
