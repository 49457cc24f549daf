//! A mistyped `retry` whose value is the retry syntax, not JSON: the field is named, with the
//! field it most likely meant.
use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: task "arn:aws:lambda:us-east-1:123456789012:function:f" { retyr: [ALL] x 2 } end;
    }
}

fn main() {}
