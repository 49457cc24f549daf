use sfn::workflow;

workflow! {
    pub W {
        start A;
        /// Says hello.
        A: pass { comment: "hello" } end;
    }
}

fn main() {}
