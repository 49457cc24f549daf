//! An execution's outcome as the service-integration tests read it.

use serde_json::Value;
use sfn_runtime::{ExecutionResult, Status};

/// The output of a succeeded execution, or its status, error and cause.
pub fn output(result: &ExecutionResult) -> Result<Value, String> {
    let o = &result.outcome;
    match o.status {
        Status::Succeeded => Ok(o.output.clone().unwrap_or(Value::Null)),
        s => Err(format!("{s:?}: {:?} {:?}", o.error, o.cause)),
    }
}

/// The error and cause of an execution that did not succeed (empty when absent).
pub fn failure(result: &ExecutionResult) -> (String, String) {
    let o = &result.outcome;
    (
        o.error.clone().unwrap_or_default(),
        o.cause.clone().unwrap_or_default(),
    )
}
