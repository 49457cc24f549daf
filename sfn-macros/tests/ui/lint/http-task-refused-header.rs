use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: task "arn:aws:states:::http:invoke" { parameters: { "ApiEndpoint": "https://api.example.com/orders", "Method": "GET", "Headers": { "Authorization": "Bearer t" }, "InvocationConfig": { "ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/api/1" } } } end;
    }
}

fn main() {}
