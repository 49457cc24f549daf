use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: task "arn:aws:lambda:us-east-1:123456789012:function:f" { input_pth: "$.a", timeout_seconds: 5, timeout_seconds: 6 } => Nowhere;
        B: pass { retry: [ALL] } end;
        C: wait end;
    }
}

fn main() {}
