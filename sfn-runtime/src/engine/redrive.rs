//! `RedriveExecution`, `DescribeStateMachineForExecution`, `GetExecutionHistory` without
//! execution data, and the retention of closed executions, over the engine's store.
//!
//! A redrive is one transition of the execution: the core handles
//! [`Event::Redriven`](crate::execution::Event::Redriven) (its `ExecutionRedriven` event, the
//! states it enters again) and the store reopens the execution (`RUNNING`, one redrive more, its
//! `redriveDate`) in the same commit, before any of its commands run. A crash after that commit
//! resumes the redriven execution as any other running one.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::durable::{config_for, store_error, Start};
use super::persist::Persisted;
use super::{system_ms, Engine, EngineError};
use crate::execution::{Command, Event, Execution, Status};
use crate::store::{ExecutionRecord, HistoryQuery, Page, StateMachineRecord, StoreError};

/// How long after it stopped an execution can be redriven (AWS: 14 days).
pub const REDRIVABLE_PERIOD: Duration =
    Duration::from_secs(crate::limits::REDRIVABLE_PERIOD_SECONDS);
/// How long after its start an execution can be redriven (AWS: its maximum open time, a year).
pub const REDRIVE_MAX_OPEN: Duration = Duration::from_secs(365 * 24 * 3600);
/// The history length from which an execution cannot be redriven: the redrive needs room for
/// `ExecutionRedriven` and one more event under the 25,000-event limit.
pub const REDRIVE_MAX_EVENTS: u64 = 24_999;
/// How long closed executions are kept by default (AWS: 90 days).
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(90 * 24 * 3600);

/// `DescribeExecution`'s `redriveStatus`, with `redriveStatusReason` when it is not redrivable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedriveStatus {
    /// `REDRIVABLE`.
    Redrivable,
    /// `NOT_REDRIVABLE`, with AWS's reason (`Execution is SUCCEEDED and cannot be redriven`).
    NotRedrivable(String),
}

impl RedriveStatus {
    /// The AWS spelling (`REDRIVABLE`, `NOT_REDRIVABLE`).
    pub fn as_str(&self) -> &'static str {
        match self {
            RedriveStatus::Redrivable => "REDRIVABLE",
            RedriveStatus::NotRedrivable(_) => "NOT_REDRIVABLE",
        }
    }
}

/// Whether `execution` can be redriven at `now_ms` by what its record shows: its status, when
/// it stopped (14 days) and when it started (a year). [`Engine::redrive_execution`] also refuses
/// an execution whose history is at [`REDRIVE_MAX_EVENTS`] or that ended before entering a state.
///
/// ```
/// use sfn_runtime::engine::{redrive_status, RedriveStatus};
/// use sfn_runtime::store::ExecutionRecord;
/// use sfn_runtime::Status;
/// let day = 24 * 3600 * 1000;
/// let failed = ExecutionRecord {
///     arn: "arn:aws:states:us-east-1:123456789012:execution:m:run".into(),
///     name: "run".into(),
///     state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
///     status: Status::Failed, input: "{}".into(), output: None, error: None, cause: None,
///     started_ms: 0, stopped_ms: Some(day), redrive_count: 0, redrive_ms: None, parent: None,
///     map_run_arn: None,
/// };
/// assert_eq!(redrive_status(&failed, 2 * day), RedriveStatus::Redrivable);
/// assert_eq!(
///     redrive_status(&failed, 16 * day),
///     RedriveStatus::NotRedrivable("Execution redrivable period exceeded".into())
/// );
/// ```
pub fn redrive_status(execution: &ExecutionRecord, now_ms: u64) -> RedriveStatus {
    let not = |reason: &str| RedriveStatus::NotRedrivable(reason.to_owned());
    match execution.status {
        Status::Running => return not("Execution is RUNNING and cannot be redriven"),
        Status::Succeeded => return not("Execution is SUCCEEDED and cannot be redriven"),
        Status::Failed | Status::TimedOut | Status::Aborted => {}
    }
    if execution.map_run_arn.is_some() {
        // Its parent's journal runs it: the parent's redrive runs it again.
        return not("Execution is a child of a Map Run: redrive its parent execution");
    }
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    if now_ms.saturating_sub(execution.started_ms) >= ms(REDRIVE_MAX_OPEN) {
        return not("Execution has exceeded the max execution time");
    }
    let stopped = execution.stopped_ms.unwrap_or(execution.started_ms);
    if now_ms.saturating_sub(stopped) > ms(REDRIVABLE_PERIOD) {
        return not("Execution redrivable period exceeded");
    }
    RedriveStatus::Redrivable
}

/// Leaves out the execution data (`input`, `output` and their `…Details`) of a history event
/// in AWS's form, as `GetExecutionHistory` with `includeExecutionData: false` does.
fn without_data(mut event: Value) -> Value {
    if let Value::Object(members) = &mut event {
        for (key, details) in members.iter_mut() {
            if let (true, Value::Object(d)) = (key.ends_with("EventDetails"), details) {
                for field in ["input", "inputDetails", "output", "outputDetails"] {
                    d.remove(field);
                }
            }
        }
    }
    event
}

impl Engine {
    /// Keeps a parsed definition for the executions that run it.
    pub(super) fn remember_definition(&self, text: &str, machine: &Arc<sfn_asl::StateMachine>) {
        if let Some(link) = &self.store {
            let mut cache = link
                .definitions
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            cache.insert(text.to_owned(), machine.clone());
        }
    }

    /// The machine an execution runs: the definition stored with it (parsed once per text),
    /// else its state machine's current one.
    pub(super) fn machine_of(
        &self,
        record: &ExecutionRecord,
        definition: Option<&str>,
    ) -> Result<Arc<sfn_asl::StateMachine>, EngineError> {
        let Some(text) = definition else {
            return self
                .state_machine(&record.state_machine_arn)
                .ok_or_else(|| {
                    EngineError::StateMachineDoesNotExist(record.state_machine_arn.clone())
                });
        };
        let link = self.link()?;
        let cached = link
            .definitions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(text)
            .cloned();
        if let Some(machine) = cached {
            return Ok(machine);
        }
        let machine = sfn_asl::parse(text).map_err(|f| {
            EngineError::InvalidDefinition(format!("stored for {}: {:?}", record.arn, f.0))
        })?;
        let machine = Arc::new(machine);
        self.remember_definition(text, &machine);
        Ok(machine)
    }

    /// `DescribeStateMachineForExecution`: the state machine as the execution runs it, with
    /// the definition it started with (a later [`Engine::create_state_machine`] of the same
    /// name does not change it). An unknown execution is `ExecutionDoesNotExist`.
    pub async fn describe_state_machine_for_execution(
        &self,
        execution_arn: &str,
    ) -> Result<StateMachineRecord, EngineError> {
        let arn = execution_arn.to_owned();
        let found = self
            .with_stored(move |s| {
                let Some(execution) = s.execution(&arn)? else {
                    return Ok(None);
                };
                let machine = s.state_machine(&execution.state_machine_arn)?;
                Ok(Some((execution, machine, s.execution_definition(&arn)?)))
            })
            .await?;
        let Some((execution, machine, definition)) = found else {
            return Err(EngineError::ExecutionDoesNotExist(execution_arn.to_owned()));
        };
        let machine = machine.ok_or_else(|| {
            EngineError::StateMachineDoesNotExist(execution.state_machine_arn.clone())
        })?;
        Ok(StateMachineRecord {
            definition: definition.unwrap_or(machine.definition.clone()),
            ..machine
        })
    }

    /// `GetExecutionHistory` with `includeExecutionData`: when false, events come without
    /// their inputs and outputs (as [`Engine::get_execution_history`] gives them otherwise).
    pub async fn get_execution_history_with(
        &self,
        execution_arn: &str,
        query: HistoryQuery,
        include_execution_data: bool,
    ) -> Result<Page<Value>, EngineError> {
        let page = self.get_execution_history(execution_arn, query).await?;
        if include_execution_data {
            return Ok(page);
        }
        Ok(Page {
            items: page.items.into_iter().map(without_data).collect(),
            next: page.next,
        })
    }

    /// `RedriveExecution`: runs a FAILED, TIMED_OUT or ABORTED Standard execution again from
    /// the states that did not succeed, with the input each had (inside a Parallel or inline
    /// Map state, only the branches and iterations that failed or were aborted; a distributed
    /// Map state redrives the unsuccessful child executions of its Map Run), on the
    /// definition it started with. Its history goes on after an `ExecutionRedriven` event, its
    /// redrive count grows by one and its `TimeoutSeconds` counts from now. Returns the
    /// `redriveDate` (ms since the Unix epoch) once the redrive is committed; the execution
    /// then runs as any other (its driver resumes it after a restart).
    ///
    /// Refused with `ExecutionNotRedrivable` when it is running or succeeded, stopped more than
    /// 14 days ago, started a year ago or more, has [`REDRIVE_MAX_EVENTS`] history events, or
    /// ended before entering a state; `ExecutionDoesNotExist` when the store has no such
    /// execution.
    pub async fn redrive_execution(&self, execution_arn: &str) -> Result<u64, EngineError> {
        let link = self.link()?.clone();
        let now = self.epoch_ms.unwrap_or_else(system_ms);
        let arn = execution_arn.to_owned();
        let (record, journal, definition) = self
            .with_stored(move |s| {
                let Some(record) = s.execution(&arn)? else {
                    return Ok(None);
                };
                Ok(Some((
                    record,
                    s.journal(&arn)?,
                    s.execution_definition(&arn)?,
                )))
            })
            .await?
            .ok_or_else(|| EngineError::ExecutionDoesNotExist(execution_arn.to_owned()))?;
        let not_redrivable = |reason: &str| {
            Err(EngineError::ExecutionNotRedrivable {
                execution_arn: execution_arn.to_owned(),
                reason: reason.to_owned(),
            })
        };
        if !until_asleep(&link, execution_arn, record.status).await {
            return not_redrivable("Execution is RUNNING and cannot be redriven");
        }
        if let RedriveStatus::NotRedrivable(reason) = redrive_status(&record, now) {
            return not_redrivable(&reason);
        }
        let machine = self.machine_of(&record, definition.as_deref())?;
        let mut exec = Execution::new(machine, config_for(&record.state_machine_arn, &record.name));
        let mut issued = Vec::new();
        for (i, text) in journal.iter().enumerate() {
            let event: Event = serde_json::from_str(text).map_err(|e| {
                EngineError::Store(format!(
                    "event #{i} of {}'s journal does not read back ({e}): {text}",
                    record.arn
                ))
            })?;
            issued.extend(exec.handle(event).commands);
        }
        if exec.event_count() >= REDRIVE_MAX_EVENTS {
            return not_redrivable("Execution history event limit exceeded");
        }
        if !exec.redrivable() {
            return not_redrivable("Execution ended before it entered a state: nothing to redrive");
        }
        self.commit_redrive(&link, exec, issued, journal.len() as u64, now)
            .await?;
        Ok(now)
    }

    /// Commits the redrive of a rebuilt execution (whose journal holds `position` events),
    /// then spawns its driver with the commands in effect.
    async fn commit_redrive(
        &self,
        link: &Arc<super::persist::StoreLink>,
        mut exec: Execution,
        mut issued: Vec<Command>,
        position: u64,
        now: u64,
    ) -> Result<(), EngineError> {
        let arn = exec.config().execution_arn.clone();
        let event = Event::Redriven { now };
        let step = exec.handle(event.clone());
        let text = serde_json::to_string(&event)
            .map_err(|e| EngineError::Store(format!("the redrive does not serialize: {e}")))?;
        let running = |arn: String| EngineError::ExecutionNotRedrivable {
            execution_arn: arn,
            reason: "Execution is RUNNING and cannot be redriven".into(),
        };
        let channel = tokio::sync::mpsc::unbounded_channel();
        if !link.enter(&arn, &channel.0) {
            return Err(running(arn));
        }
        let mut persisted = Persisted::new(link.clone(), arn.clone(), position, &[]);
        let for_workers =
            |task: &crate::execution::TaskInvocation| self.resources.for_workers(self, task);
        if let Err(e) = persisted.commit(text, &event, &step, &for_workers).await {
            link.leave(&arn);
            return Err(match e {
                // Another redrive of the same execution was committed first.
                StoreError::JournalGap { .. } => running(arn),
                e => store_error(e),
            });
        }
        issued.extend(step.commands);
        let pending: Vec<Command> = exec.pending(&issued).into_iter().cloned().collect();
        let start = Start::Redriven(position + 1);
        let handle = self.spawn_persisted(link, exec, now, pending, start, channel, None);
        // The driver runs on its own; its handle is not needed to see the execution end.
        drop(handle);
        Ok(())
    }

    /// How long closed executions are kept ([`DEFAULT_RETENTION`] unless set): the durable
    /// engine removes older ones, with their histories, when it opens its store and every
    /// [`PURGE_INTERVAL`] after, and when asked ([`Engine::purge_expired`]).
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        if let Some(link) = &self.store {
            link.set_retention(retention);
        }
        self
    }

    /// Removes the closed executions that stopped longer ago than the retention; how many.
    pub async fn purge_expired(&self) -> Result<usize, EngineError> {
        let link = self.link()?.clone();
        let now = self.epoch_ms.unwrap_or_else(system_ms);
        purge(&link, now).await.map_err(store_error)
    }

    /// Purges expired executions now and every [`PURGE_INTERVAL`], as long as the store is
    /// open and the engine is not dropped.
    pub(super) fn spawn_purger(&self) {
        let (Ok(runtime), Some(link)) = (tokio::runtime::Handle::try_current(), &self.store) else {
            return;
        };
        let link = Arc::downgrade(link);
        let fixed_now = self.epoch_ms;
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(PURGE_INTERVAL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(link) = link.upgrade().filter(|l| l.is_open()) else {
                    break;
                };
                if purge(&link, fixed_now.unwrap_or_else(system_ms))
                    .await
                    .is_err()
                {
                    break;
                }
            }
        });
    }
}

/// Whether no driver of the execution is in memory, waiting a little for the driver of one
/// whose record shows it ended: that driver committed its last transition and leaves memory
/// right after, and a redrive must not be refused in between. Polled: the driver announces
/// its leaving to no one.
async fn until_asleep(
    link: &super::persist::StoreLink,
    execution_arn: &str,
    status: Status,
) -> bool {
    // At most a second: the driver has nothing left to wait for.
    let tries = if status == Status::Running { 0 } else { 1000 };
    for _ in 0..tries {
        if !link.is_awake(execution_arn) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    !link.is_awake(execution_arn)
}

/// How often a durable engine purges expired executions.
pub const PURGE_INTERVAL: Duration = Duration::from_secs(24 * 3600);

/// Removes the executions closed before `now_ms` minus the link's retention.
async fn purge(link: &super::persist::StoreLink, now_ms: u64) -> Result<usize, StoreError> {
    let before = now_ms.saturating_sub(link.retention_ms());
    link.committer
        .call(move |s| s.purge_closed(before))
        .await
        .and_then(|r| r)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 24 * 3600 * 1000;

    fn ended(status: Status, started_ms: u64, stopped_ms: u64) -> ExecutionRecord {
        ExecutionRecord {
            arn: "arn:aws:states:us-east-1:123456789012:execution:m:run".into(),
            name: "run".into(),
            state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
            status,
            input: "{}".into(),
            output: None,
            error: None,
            cause: None,
            started_ms,
            stopped_ms: Some(stopped_ms),
            redrive_count: 0,
            redrive_ms: None,
            parent: None,
            map_run_arn: None,
        }
    }

    #[test]
    fn redrive_status_follows_aws_rules() {
        let not = |r: &str| RedriveStatus::NotRedrivable(r.into());
        for status in [Status::Failed, Status::TimedOut, Status::Aborted] {
            assert_eq!(
                redrive_status(&ended(status, 0, DAY), 15 * DAY),
                RedriveStatus::Redrivable
            );
        }
        assert_eq!(
            redrive_status(&ended(Status::Failed, 0, DAY), 15 * DAY + 1),
            not("Execution redrivable period exceeded")
        );
        // Stopped 6 days ago, but started more than a year ago.
        assert_eq!(
            redrive_status(&ended(Status::Failed, 0, 360 * DAY), 366 * DAY),
            not("Execution has exceeded the max execution time")
        );
        let mut running = ended(Status::Running, 0, 0);
        running.stopped_ms = None;
        assert_eq!(
            redrive_status(&running, DAY),
            not("Execution is RUNNING and cannot be redriven")
        );
        assert_eq!(RedriveStatus::Redrivable.as_str(), "REDRIVABLE");
        assert_eq!(not("x").as_str(), "NOT_REDRIVABLE");
    }

    #[test]
    fn without_data_leaves_inputs_and_outputs_out() {
        let event = serde_json::json!({"id": 2, "type": "PassStateExited",
            "stateExitedEventDetails": {"name": "P", "output": "{}",
                "outputDetails": {"truncated": false}}});
        assert_eq!(
            without_data(event),
            serde_json::json!({"id": 2, "type": "PassStateExited",
                "stateExitedEventDetails": {"name": "P"}})
        );
    }
}
