use sfn::workflow;

// A field lowering rejects and a `Next` only the linter can judge: both are reported.
workflow! {
    pub W {
        start Validate;
        Validate: task "arn:aws:lambda:us-east-1:123456789012:function:validate" {
            timeout_secs: 30,
        } => Chrage;
        Charge: succeed;
    }
}

fn main() {}
