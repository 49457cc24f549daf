use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: task "arn:aws:lambda:us-east-1:123456789012:function:f" { timeout_seconds: 5, timeout_seconds_path: "$.t" } end;
    }
}

fn main() {}
