use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: pass {
            /// the result
            result: 1,
        } end;
    }
}

fn main() {}
