//! `arn:aws:states:::states:startExecution`: nested executions of state machines registered
//! with the engine, in all four integration patterns.
//!
//! - request/response: the child starts; the result is `{ExecutionArn, StartDate}`;
//! - `.sync`: the result is the child's `DescribeExecution` with `Input`/`Output` as JSON text;
//! - `.sync:2`: the same with `Input`/`Output` as JSON values;
//! - `.waitForTaskToken`: the child starts and must answer with the token it was given.
//!
//! A failed, timed-out or aborted child fails the task with `States.TaskFailed` and the
//! child's `DescribeExecution` (with `Error`, `Cause`, `Status`) as the cause.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use std::sync::Arc;
//! use sfn_runtime::{Engine, ExecutionConfig, Resources};
//! let child = sfn_asl::parse(r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"hi","End":true}}}"#).unwrap();
//! let parent = sfn_asl::parse(r#"{"StartAt":"Call","States":{"Call":{"Type":"Task",
//!   "Resource":"arn:aws:states:::states:startExecution.sync:2",
//!   "Parameters":{"StateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:child"},
//!   "OutputPath":"$.Output","End":true}}}"#).unwrap();
//! let engine = Engine::new(Resources::new());
//! engine.register_state_machine("arn:aws:states:us-east-1:123456789012:stateMachine:child", Arc::new(child));
//! let result = engine.start_sync_execution(Arc::new(parent), serde_json::json!({}), ExecutionConfig::new("parent", "run")).await;
//! assert_eq!(result.outcome.output, Some(serde_json::json!("hi")));
//! # }
//! ```

use std::sync::Arc;

use serde_json::{json, Map, Value};
use sfn_asl::error::{STATES_RUNTIME, STATES_TASK_FAILED};
use sfn_asl::resource::{Arn, IntegrationPattern};

use crate::engine::{Engine, ExecutionResult};
use crate::execution::{ExecutionConfig, Status};
use crate::resources::{TaskError, TaskFuture};

fn failed(cause: impl Into<String>) -> TaskFuture {
    let err = TaskError::new(STATES_RUNTIME, cause);
    Box::pin(async move { Err(err) })
}

/// Starts the child execution the task's `Parameters` describe. Problems (no
/// `StateMachineArn`, an unknown machine) are task failures. `now` is the parent's current time
/// (ms), `name` the default execution name; `on_submit` receives the `StartExecution` response
/// of the `.sync` patterns before they wait for the child.
pub(crate) fn start(
    engine: &Engine,
    pattern: IntegrationPattern,
    input: &Value,
    now: u64,
    name: String,
    on_submit: impl FnOnce(Value) + Send + 'static,
) -> TaskFuture {
    let Some(arn) = input.get("StateMachineArn").and_then(Value::as_str) else {
        return failed("The field 'StateMachineArn' is required for states:startExecution.");
    };
    let Some(machine) = engine.state_machine(arn) else {
        return Box::pin({
            let cause = format!("State Machine Does Not Exist: '{arn}'");
            async move {
                Err(TaskError::new(
                    "StepFunctions.StateMachineDoesNotExistException",
                    cause,
                ))
            }
        });
    };
    let child_input = match input.get("Input") {
        // `Input` is JSON text with the plain patterns, a value with `.sync:2` and JSONata.
        Some(Value::String(text)) => {
            serde_json::from_str(text).unwrap_or(Value::String(text.clone()))
        }
        Some(v) => v.clone(),
        None => json!({}),
    };
    let name = input
        .get("Name")
        .and_then(Value::as_str)
        .map_or(name, str::to_owned);
    // A version or alias (`…:stateMachine:M:PROD`) runs machine `M`, whose executions are
    // `…:execution:M:<name>`. A key registered without a state machine ARN names itself.
    let parsed = Arn::parse(arn);
    let (machine_name, execution_arn) = match parsed.as_ref().and_then(|a| a.state_machine()) {
        Some(m) => (
            m.name.to_owned(),
            parsed.as_ref().and_then(|a| a.execution_arn(&name)),
        ),
        None => (arn.to_owned(), None),
    };
    let mut config = ExecutionConfig::new(&machine_name, &name);
    config.state_machine_arn = arn.to_owned();
    config.execution_arn = execution_arn.unwrap_or_else(|| format!("{arn}:{name}"));
    let engine = engine.clone().with_start_time(now);
    let arn = arn.to_owned();
    Box::pin(async move {
        let execution_arn = config.execution_arn.clone();
        match pattern {
            IntegrationPattern::RequestResponse | IntegrationPattern::WaitForTaskToken => {
                // Detached: the child runs on; the task only reports that it started.
                drop(engine.start_execution(machine, child_input, config));
                Ok(json!({"ExecutionArn": execution_arn, "StartDate": now}))
            }
            IntegrationPattern::Sync | IntegrationPattern::Sync2 => {
                // The StartExecution response is the submission (`TaskSubmitted`).
                on_submit(json!({"ExecutionArn": execution_arn, "StartDate": now}));
                let result = engine
                    .start_sync_execution(machine, child_input.clone(), config)
                    .await;
                let stop = now;
                let description = describe(
                    &result,
                    &arn,
                    &execution_arn,
                    &name,
                    &child_input,
                    now,
                    stop,
                    pattern == IntegrationPattern::Sync2,
                );
                match result.outcome.status {
                    Status::Succeeded => Ok(description),
                    _ => Err(TaskError::new(STATES_TASK_FAILED, description.to_string())),
                }
            }
        }
    })
}

/// The child's `DescribeExecution`, as `.sync` tasks return it.
#[allow(clippy::too_many_arguments)]
fn describe(
    result: &ExecutionResult,
    machine_arn: &str,
    execution_arn: &str,
    name: &str,
    input: &Value,
    start: u64,
    stop: u64,
    parsed: bool,
) -> Value {
    let as_field = |v: &Value| {
        if parsed {
            v.clone()
        } else {
            Value::String(v.to_string())
        }
    };
    let mut d = Map::new();
    d.insert("ExecutionArn".into(), execution_arn.into());
    d.insert("Input".into(), as_field(input));
    d.insert("InputDetails".into(), json!({"Included": true}));
    d.insert("Name".into(), name.into());
    if let Some(out) = &result.outcome.output {
        d.insert("Output".into(), as_field(out));
        d.insert("OutputDetails".into(), json!({"Included": true}));
    }
    if let Some(e) = &result.outcome.error {
        d.insert("Error".into(), e.clone().into());
    }
    if let Some(c) = &result.outcome.cause {
        d.insert("Cause".into(), c.clone().into());
    }
    d.insert("StartDate".into(), start.into());
    d.insert("StateMachineArn".into(), machine_arn.into());
    d.insert("Status".into(), result.outcome.status.as_str().into());
    d.insert("StopDate".into(), stop.into());
    Value::Object(d)
}

impl Engine {
    /// Makes `machine` available to `states:startExecution` tasks under `arn`.
    pub fn register_state_machine(&self, arn: &str, machine: Arc<sfn_asl::StateMachine>) {
        self.machines().insert(arn.to_owned(), machine);
    }

    pub(crate) fn state_machine(&self, arn: &str) -> Option<Arc<sfn_asl::StateMachine>> {
        self.machines().get(arn).cloned()
    }
}
