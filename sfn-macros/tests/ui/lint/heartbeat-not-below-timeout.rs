use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: task "arn:aws:lambda:us-east-1:123456789012:function:f" { timeout_seconds: 10, heartbeat_seconds: 30 } end;
    }
}

fn main() {}
