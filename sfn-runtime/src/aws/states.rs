//! `arn:aws:states:::states:startExecution` on AWS: the child state machine is not registered
//! with the engine, so Step Functions runs it, in every pattern.
//!
//! - request-response: the `StartExecution` answer as the Java SDK v1 object
//!   (`ExecutionArn`, `StartDate` in epoch milliseconds) with the `SdkHttpMetadata` and
//!   `SdkResponseMetadata` blocks;
//! - `.waitForTaskToken`: that answer is the submission, the result comes by token;
//! - `.sync` / `.sync:2`: that answer is the submission (`TaskSubmitted`); the child is
//!   described (`DescribeExecution`) until it ends, on the engine's clock, 1 s after the start
//!   and then twice as long each time up to every 10 s (AWS learns of the end through
//!   EventBridge and documents no interval). The result is the description, `Input` and
//!   `Output` as JSON text with `.sync` and as JSON values with `.sync:2`; a child that did not
//!   succeed fails the state with `States.TaskFailed` and the description as cause. Stopping the
//!   task first (a timeout, the parent's stop) stops the child (`StopExecution`). A parent
//!   resumed after a restart follows the child its submission names rather than start another.

use std::time::Duration;

use serde_json::{json, Map, Value};
use sfn_asl::error::STATES_TASK_FAILED;
use sfn_asl::resource::{Integration, IntegrationPattern};

use super::job_shapes::{epoch_ms, execution_description};
use super::sdk::{json_call, CallError};
use super::services::SFN;
use super::AwsClients;
use crate::resources::TaskError;

const FIRST_POLL: Duration = Duration::from_secs(1);
const LAST_POLL: Duration = Duration::from_secs(10);

/// Runs `states:startExecution` on AWS.
pub(crate) async fn call(
    clients: &AwsClients,
    call: &Integration,
    params: Value,
) -> Result<Value, TaskError> {
    let sync = matches!(
        call.pattern,
        IntegrationPattern::Sync | IntegrationPattern::Sync2
    );
    let submission = match crate::resources::resumed_submission().filter(|_| sync) {
        // Started before a restart: follow that child.
        Some(submission) => submission,
        None => {
            let submission = start(clients, params).await?;
            if !sync {
                return Ok(submission);
            }
            crate::resources::report_submission(&submission);
            submission
        }
    };
    let Some(execution_arn) = submission["ExecutionArn"].as_str().map(str::to_owned) else {
        return Err(TaskError::new(
            "States.Runtime",
            format!("the StartExecution answer names no execution: {submission}"),
        ));
    };
    let mut guard = StopOnDrop {
        clients: clients.clone(),
        execution_arn: Some(execution_arn.clone()),
    };
    let parsed = call.pattern == IntegrationPattern::Sync2;
    let result = wait_for_end(clients, &execution_arn, parsed).await;
    guard.execution_arn = None;
    result
}

/// `StartExecution`: `Input` as JSON text (a value given is written as its text, as Step
/// Functions sends it), then the answer with the metadata blocks.
async fn start(clients: &AwsClients, params: Value) -> Result<Value, TaskError> {
    let mut wire = Map::new();
    for (member, wire_name) in [
        ("StateMachineArn", "stateMachineArn"),
        ("Name", "name"),
        ("TraceHeader", "traceHeader"),
    ] {
        if let Some(v) = params.get(member).filter(|v| !v.is_null()) {
            wire.insert(wire_name.into(), v.clone());
        }
    }
    let input = match params.get("Input") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(v) => Some(v.to_string()),
    };
    if let Some(input) = input {
        wire.insert("input".into(), input.into());
    }
    let response = json_call(clients, &SFN, "StartExecution", &Value::Object(wire))
        .await
        .map_err(optimized_error)?;
    let body = response.json()?;
    let mut result = Map::new();
    result.insert("ExecutionArn".into(), body["executionArn"].clone());
    result.insert("StartDate".into(), epoch_ms(&body["startDate"]));
    response.add_metadata(&mut result);
    Ok(Value::Object(result))
}

/// Describes the child until it ends.
async fn wait_for_end(
    clients: &AwsClients,
    execution_arn: &str,
    parsed: bool,
) -> Result<Value, TaskError> {
    let mut delay = FIRST_POLL;
    loop {
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(LAST_POLL);
        let params = json!({"executionArn": execution_arn});
        let response = json_call(clients, &SFN, "DescribeExecution", &params)
            .await
            .map_err(optimized_error)?;
        let body = response.json()?;
        let status = body["status"].as_str().unwrap_or("RUNNING");
        if status == "RUNNING" || status == "PENDING_REDRIVE" {
            continue;
        }
        let description = execution_description(&body, parsed);
        return match status {
            "SUCCEEDED" => Ok(description),
            _ => Err(TaskError::new(STATES_TASK_FAILED, description.to_string())),
        };
    }
}

fn optimized_error(e: CallError) -> TaskError {
    match e {
        CallError::Service(e) => e.optimized(&SFN),
        CallError::Local(e) => e,
    }
}

/// Stops the child when the task waiting for it is dropped (the state ended first).
struct StopOnDrop {
    clients: AwsClients,
    execution_arn: Option<String>,
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let Some(arn) = self.execution_arn.take() else {
            return;
        };
        let clients = self.clients.clone();
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let params = json!({"executionArn": arn});
                if let Err(CallError::Service(e)) =
                    json_call(&clients, &SFN, "StopExecution", &params).await
                {
                    tracing::warn!(execution = %arn, error = %e.message, "the child of a stopped task could not be stopped");
                }
            });
        }
    }
}
