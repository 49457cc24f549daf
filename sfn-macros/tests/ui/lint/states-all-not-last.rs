use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: task "arn:aws:lambda:us-east-1:123456789012:function:f" {
            retry: [ALL] x 2,
            retry: [TaskFailed] x 1,
        } end;
    }
}

fn main() {}
