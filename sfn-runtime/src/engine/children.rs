//! Child executions of persisted executions. A `states:startExecution` task of a Standard
//! execution on a store, whose child machine the store holds, starts the child as a persisted
//! execution of its own, linked to the task ([`ParentLink`]):
//!
//! - the start is idempotent: the task's child has a fixed name (`Name`, or the parent's name
//!   and the task id), so a parent that runs the task again after a restart (its
//!   `ChildStarted` was not committed) finds the child it started rather than a second one, and
//!   any other execution of that name is `StepFunctions.ExecutionAlreadyExistsException`;
//! - the store resumes the child after a restart like any execution;
//! - a `.sync` parent waits for the child as for a token: out of memory if it parks. The
//!   child's end reaches the parent once the child's last transition is committed
//!   ([`Engine::tell_parent`]). Until a transition of the parent settles the task, the store
//!   keeps that the parent is to be told, so an end the process did not get to tell before a
//!   crash is told by the engine that opens the store next ([`Engine::tell_parents`]);
//! - stopping the task (a timeout, the parent's stop or end) stops a `.sync` child.

use serde_json::Value;
use sfn_asl::error::STATES_RUNTIME;
use tokio::sync::mpsc;

use super::durable::{config_for, store_error, validate_execution_name, Start};
use super::{DriverMsg, Engine};
use crate::execution::{ChildExecutionRequest, Execution, Outcome, Status, TaskId};
use crate::resources::TaskError;
use crate::store::{Created, ExecutionRecord, ParentLink};

/// What a parent learns of the child its task started ([`DriverMsg::ChildCreated`]).
#[derive(Debug)]
pub(crate) enum ChildCreated {
    /// The child runs (started now, or before a restart).
    Running,
    /// The child, started before a restart, has ended.
    Ended(Box<Outcome>),
}

/// The outcome an ended execution's record holds.
pub(crate) fn outcome_of(record: &ExecutionRecord) -> Outcome {
    Outcome {
        status: record.status,
        output: record
            .output
            .as_deref()
            .map(|o| serde_json::from_str(o).unwrap_or_else(|_| Value::String(o.to_owned()))),
        error: record.error.clone(),
        cause: record.cause.clone(),
    }
}

impl Engine {
    /// The ARN of the persisted child a `states:startExecution` task starts, when it starts
    /// one: the engine has a store, the store holds the child's state machine, and the child
    /// is an execution of that machine (not of a version or alias).
    pub(crate) fn stored_child(&self, request: &ChildExecutionRequest) -> Option<String> {
        let machine = request.state_machine_arn.as_deref()?;
        let link = self.store.as_ref()?;
        if !link.holds_machine(machine) {
            return None;
        }
        let arn = config_for(machine, &request.name).execution_arn;
        (arn == request.execution_arn).then_some(arn)
    }

    /// Starts the persisted child of `request`'s task of `parent` (at `now`, ms) on a task of
    /// its own, and tells the parent's driver through `tx` what came of it
    /// ([`DriverMsg::ChildCreated`]) before the child's driver runs, so the child's end cannot
    /// reach the parent first.
    pub(super) fn start_stored_child(
        &self,
        request: ChildExecutionRequest,
        parent: &str,
        waits: bool,
        tx: mpsc::UnboundedSender<DriverMsg>,
        now: u64,
    ) -> tokio::task::AbortHandle {
        let engine = self.clone();
        let task_id = request.task.task_id;
        let link = ParentLink {
            execution_arn: parent.to_owned(),
            task_id: task_id.0,
            waits,
        };
        let task = tokio::spawn(async move {
            let created = engine.create_child(&request, link, now).await;
            let (result, start) = match created {
                Ok((created, start)) => (Ok(created), start),
                Err(e) => (Err(e), None),
            };
            let _ = tx.send(DriverMsg::ChildCreated {
                task_id,
                result: Box::new(result),
            });
            if let Some(start) = start {
                start();
            }
        });
        task.abort_handle()
    }

    /// Stores the child (unless the task stored it before a restart); what the parent is to
    /// learn, and what starts the new child's driver.
    async fn create_child(
        &self,
        request: &ChildExecutionRequest,
        parent: ParentLink,
        now: u64,
    ) -> Result<(ChildCreated, Option<Box<dyn FnOnce() + Send>>), TaskError> {
        let arn = request.state_machine_arn.as_deref().unwrap_or_default();
        let machine = self.state_machine(arn).ok_or_else(|| {
            TaskError::new(
                "StepFunctions.StateMachineDoesNotExistException",
                format!("State Machine Does Not Exist: '{arn}'"),
            )
        })?;
        validate_execution_name(&request.name)
            .map_err(|e| TaskError::new("StepFunctions.InvalidNameException", e.to_string()))?;
        let link = self.link().map_err(runtime)?.clone();
        let config = config_for(arn, &request.name);
        let record = ExecutionRecord {
            arn: config.execution_arn.clone(),
            name: request.name.clone(),
            state_machine_arn: arn.to_owned(),
            status: Status::Running,
            input: request.input.to_string(),
            output: None,
            error: None,
            cause: None,
            started_ms: now,
            stopped_ms: None,
            redrive_count: 0,
            redrive_ms: None,
            parent: Some(parent.clone()),
            map_run_arn: None,
        };
        let created = link.committer.create(record).await;
        match created.map_err(|e| runtime(store_error(e)))? {
            Created::New => {}
            Created::Existing(found) => {
                let ours = found.parent.as_ref().is_some_and(|p| {
                    p.execution_arn == parent.execution_arn && p.task_id == parent.task_id
                });
                if !ours {
                    return Err(TaskError::new(
                        "StepFunctions.ExecutionAlreadyExistsException",
                        format!("Execution Already Exists: '{}'", found.arn),
                    ));
                }
                // Started before a restart: the store resumes it (or has it parked).
                let learned = match found.status {
                    Status::Running => ChildCreated::Running,
                    _ => ChildCreated::Ended(Box::new(outcome_of(&found))),
                };
                return Ok((learned, None));
            }
        }
        let engine = self.clone();
        let input = request.input.clone();
        let start = move || {
            let channel = mpsc::unbounded_channel();
            let arn = config.execution_arn.clone();
            if !link.enter(&arn, &channel.0) {
                return;
            }
            let exec = Execution::new(machine, config);
            let child = Some(parent);
            let handle = engine.spawn_persisted(
                &link,
                exec,
                now,
                Vec::new(),
                Start::Run(input),
                channel,
                child,
            );
            // The child runs on its own; its end reaches the parent through the engine.
            drop(handle);
        };
        Ok((ChildCreated::Running, Some(Box::new(start))))
    }

    /// Tells the parent that waits for `parent`'s task that its child ended with `outcome`
    /// (waking the parent when it waits in the store). A parent that no longer waits ignores
    /// it; one that cannot be reached now is told by the next engine on the store.
    pub(crate) fn tell_parent(&self, parent: &ParentLink, outcome: Outcome) {
        let engine = self.clone();
        let arn = parent.execution_arn.clone();
        let msg = DriverMsg::ChildDone {
            task_id: TaskId(parent.task_id),
            outcome: Box::new(outcome),
        };
        tokio::spawn(async move {
            if let Err(e) = engine.deliver(&arn, msg).await {
                tracing::debug!(parent = %arn, error = %e, "a child's end did not reach its parent");
            }
        });
    }

    /// Tells the parents of the children that ended while their tasks waited, and whose ends
    /// the parents did not settle before the process stopped.
    pub(super) async fn tell_parents(&self) -> Result<(), crate::engine::EngineError> {
        let ended = self.with_stored(|s| s.unsettled_children()).await?;
        for child in ended {
            if let Some(parent) = &child.parent {
                self.tell_parent(parent, outcome_of(&child));
            }
        }
        Ok(())
    }

    /// Stops a persisted `.sync` child whose task ended first.
    pub(crate) fn stop_stored_child(&self, execution_arn: &str) {
        let engine = self.clone();
        let arn = execution_arn.to_owned();
        tokio::spawn(async move {
            // A child that has ended, or is gone, needs no stop.
            let _ = engine.stop_execution(&arn, None, None).await;
        });
    }
}

fn runtime(e: crate::engine::EngineError) -> TaskError {
    TaskError::new(STATES_RUNTIME, e.to_string())
}
