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
//! The core asks for the child with [`Command::StartExecution`](crate::execution::Command)
//! and hears of it through events (see `execution::nested`); here the driver starts it as an
//! execution of its own, which a store persists and resumes like any other.
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

use sfn_asl::error::STATES_RUNTIME;

use crate::engine::{Engine, ExecutionHandle};
use crate::execution::{ChildExecutionRequest, ExecutionConfig};
use crate::resources::TaskError;

/// Starts the child execution a [`ChildExecutionRequest`] describes, at `now` (ms), as an
/// execution of its own. A request without a `StateMachineArn` or naming a machine the engine
/// does not know is the task's failure.
pub(crate) fn start(
    engine: &Engine,
    request: &ChildExecutionRequest,
    now: u64,
) -> Result<ExecutionHandle, TaskError> {
    let Some(arn) = request.state_machine_arn.as_deref() else {
        return Err(TaskError::new(
            STATES_RUNTIME,
            "The field 'StateMachineArn' is required for states:startExecution.",
        ));
    };
    let Some(machine) = engine.state_machine(arn) else {
        return Err(TaskError::new(
            "StepFunctions.StateMachineDoesNotExistException",
            format!("State Machine Does Not Exist: '{arn}'"),
        ));
    };
    let mut config = ExecutionConfig::new(&request.state_machine_name, &request.name);
    config.state_machine_arn = arn.to_owned();
    config.execution_arn = request.execution_arn.clone();
    let engine = engine.clone().with_start_time(now);
    Ok(engine.start_execution(machine, request.input.clone(), config))
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
