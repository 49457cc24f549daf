use sfn::workflow;

workflow! {
    #[workflow(kind = Express)]
    pub W {
        start A;
        A: task "arn:aws:states:::sqs:sendMessage.waitForTaskToken" { parameters: { "QueueUrl": "q", "MessageBody.$": "$$.Task.Token" } } end;
    }
}

fn main() {}
