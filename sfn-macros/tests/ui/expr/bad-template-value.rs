use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: task "arn:aws:lambda:us-east-1:123456789012:function:f" { parameters: { "id.$": "order.id" } } end;
    }
}

fn main() {}
