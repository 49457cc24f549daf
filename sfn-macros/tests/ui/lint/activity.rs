use sfn::workflow;

workflow! {
    #[workflow(kind = Express)]
    pub W {
        start A;
        A: task "arn:aws:states:us-east-1:123456789012:activity:approve" end;
    }
}

fn main() {}
