use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: pass { input_path: 5 } end;
    }
}

fn main() {}
