use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: task "arn:aws:lambda:us-east-1:123456789012:function:f" { catch: [ALL] result_path "$.error" } end;
    }
}

fn main() {}
