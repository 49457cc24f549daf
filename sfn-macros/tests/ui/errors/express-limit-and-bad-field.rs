use sfn::workflow;

// A rule of Express workflows (the linter's) next to a bad retry (the lowering's).
workflow! {
    #[workflow(kind = Express)]
    pub W {
        start Approve;
        Approve: task "arn:aws:states:::sqs:sendMessage.waitForTaskToken" {
            retry: [ALL] every 2s x 3 backoff 2.0 jitter SOMETIMES,
        } end;
    }
}

fn main() {}
