//! Every Task state needs its method: leaving one out is a compile error.
use sfn::{workflow, TaskError};

workflow! {
    pub Orders(serde_json::Value) {
        start Validate;
        Validate: task "arn:aws:lambda:us-east-1:123456789012:function:validate" => Charge;
        Charge: task "arn:aws:lambda:us-east-1:123456789012:function:charge" end;
    }
}

#[derive(Clone)]
struct Tasks;

impl OrdersTasks for Tasks {
    async fn validate(&self, input: serde_json::Value) -> Result<serde_json::Value, TaskError> {
        Ok(input)
    }
}

fn main() {}
