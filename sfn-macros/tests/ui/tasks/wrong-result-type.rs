//! A method returns the result type its state declares (`-> Validation`).
use sfn::{workflow, TaskError};

#[derive(serde::Serialize)]
pub struct Validation {
    ok: bool,
}

workflow! {
    pub Orders(serde_json::Value) {
        start Validate;
        Validate: task "arn:aws:lambda:us-east-1:123456789012:function:validate" -> Validation end;
    }
}

#[derive(Clone)]
struct Tasks;

impl OrdersTasks for Tasks {
    async fn validate(&self, _: serde_json::Value) -> Result<bool, TaskError> {
        Ok(true)
    }
}

fn main() {}
