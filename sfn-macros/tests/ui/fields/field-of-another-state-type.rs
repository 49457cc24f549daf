use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: pass { retry: [ALL] x 2 } end;
    }
}

fn main() {}
