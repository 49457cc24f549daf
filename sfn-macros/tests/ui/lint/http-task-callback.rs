use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: task "arn:aws:states:::http:invoke.waitForTaskToken" { parameters: { "ApiEndpoint": "https://api.example.com/orders", "Method": "GET", "InvocationConfig": { "ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/api/1" } } } end;
    }
}

fn main() {}
