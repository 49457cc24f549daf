//! What a driver of a persisted Standard execution writes per event: one [`Transition`] (the
//! event, the history events it appended, the timers and tokens it set or cleared, the outcome),
//! committed through the engine's [`GroupCommitter`] before any command of the step is carried
//! out.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::DriverMsg;

use crate::execution::{Command, Event, Step, TaskId, TaskInvocation};
use crate::store::group::GroupCommitter;
use crate::store::{Closed, Store, StoreError, TimerChange, TokenChange, TokenRecord, Transition};

/// The size of the drivers' map below which ended drivers are not swept.
const MIN_SWEEP: usize = 64;

/// The engine's store: the committer that owns it, and the drivers writing to it.
pub(crate) struct StoreLink {
    pub(crate) committer: GroupCommitter<Box<dyn Store>>,
    /// Cleared by [`StoreLink::halt`]: nothing more is committed.
    open: AtomicBool,
    /// The drivers of persisted executions, by execution ARN: to stop one, or all at once.
    drivers: Mutex<HashMap<String, (AbortHandle, mpsc::UnboundedSender<DriverMsg>)>>,
    /// `drivers` is swept of ended drivers when it reaches this size (then set to twice what
    /// remains): a start costs O(1) on average, not a look at every driver.
    sweep_at: AtomicUsize,
    /// Parsed definitions by their text: executions that run an earlier definition of their
    /// state machine (see [`Store::execution_definition`]) share one parse.
    pub(crate) definitions: Mutex<HashMap<String, Arc<sfn_asl::StateMachine>>>,
    /// How long closed executions are kept, in ms.
    retention_ms: AtomicU64,
}

impl std::fmt::Debug for StoreLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreLink")
            .field("committer", &self.committer)
            .field("open", &self.open)
            .finish()
    }
}

impl StoreLink {
    pub(crate) fn new(store: Box<dyn Store>) -> Self {
        StoreLink {
            committer: GroupCommitter::start(store, 1024),
            open: AtomicBool::new(true),
            drivers: Mutex::new(HashMap::new()),
            sweep_at: AtomicUsize::new(MIN_SWEEP),
            definitions: Mutex::new(HashMap::new()),
            retention_ms: AtomicU64::new(duration_ms(super::redrive::DEFAULT_RETENTION)),
        }
    }

    pub(crate) fn set_retention(&self, retention: std::time::Duration) {
        self.retention_ms
            .store(duration_ms(retention), Ordering::SeqCst);
    }

    pub(crate) fn retention_ms(&self) -> u64 {
        self.retention_ms.load(Ordering::SeqCst)
    }

    pub(crate) fn is_open(&self) -> bool {
        self.open.load(Ordering::SeqCst)
    }

    fn drivers(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, (AbortHandle, mpsc::UnboundedSender<DriverMsg>)>>
    {
        self.drivers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps a driver's handle and channel, forgetting the ones that ended.
    pub(crate) fn track(
        &self,
        execution_arn: String,
        driver: AbortHandle,
        tx: mpsc::UnboundedSender<DriverMsg>,
    ) {
        let mut drivers = self.drivers();
        if drivers.len() >= self.sweep_at.load(Ordering::Relaxed) {
            drivers.retain(|_, (d, _)| !d.is_finished());
            self.sweep_at
                .store((2 * drivers.len()).max(MIN_SWEEP), Ordering::Relaxed);
        }
        drivers.insert(execution_arn, (driver, tx));
    }

    /// The channel of a running persisted execution's driver.
    pub(crate) fn driver(&self, execution_arn: &str) -> Option<mpsc::UnboundedSender<DriverMsg>> {
        let drivers = self.drivers();
        let (handle, tx) = drivers.get(execution_arn)?;
        (!handle.is_finished()).then(|| tx.clone())
    }

    /// Commits nothing more and stops every driver where it is, as a crash of the process
    /// would: what was committed stays, and a new engine on the store resumes from there.
    pub(crate) fn halt(&self) {
        self.open.store(false, Ordering::SeqCst);
        let drivers = std::mem::take(&mut *self.drivers());
        for (driver, _) in drivers.into_values() {
            driver.abort();
        }
    }
}

/// A persisted execution's place in the store: where its journal ends and which of its tasks
/// hold a token.
#[derive(Debug)]
pub(crate) struct Persisted {
    link: Arc<StoreLink>,
    execution_arn: String,
    /// Events stored so far (the next transition's `first_event`).
    position: u64,
    /// Outstanding tokens, by task.
    tokens: BTreeMap<TaskId, String>,
}

impl Persisted {
    /// An execution whose journal holds `position` events; `pending` are its commands still in
    /// effect (their tokens are outstanding).
    pub(crate) fn new(
        link: Arc<StoreLink>,
        execution_arn: String,
        position: u64,
        pending: &[Command],
    ) -> Self {
        let tokens = pending
            .iter()
            .filter_map(task_of)
            .filter_map(|t| t.token.clone().map(|token| (t.task_id, token)))
            .collect();
        Persisted {
            link,
            execution_arn,
            position,
            tokens,
        }
    }

    /// Persists `event` (its stored form: `event_text`) and what `step` did; returns once the
    /// transition is durable.
    pub(crate) async fn commit(
        &mut self,
        event_text: String,
        event: &Event,
        step: &Step,
    ) -> Result<(), StoreError> {
        if !self.link.is_open() {
            return Err(StoreError::Closed);
        }
        let transition = self.transition(event_text, event, step);
        self.link.committer.commit(transition).await?;
        if !self.link.is_open() {
            // Halted while the commit was in flight: carry out nothing more.
            return Err(StoreError::Closed);
        }
        self.position += 1;
        Ok(())
    }

    fn transition(&mut self, event_text: String, event: &Event, step: &Step) -> Transition {
        let now = event_now(event);
        let mut t = Transition {
            execution_arn: self.execution_arn.clone(),
            first_event: self.position,
            journal: vec![event_text],
            history: step
                .events
                .iter()
                .map(|e| (e.id, e.to_aws_json().to_string()))
                .collect(),
            ..Transition::default()
        };
        match event {
            Event::Redriven { now } => t.redriven = Some(*now),
            Event::TimerFired { timer_id, .. } => {
                t.timers.push(TimerChange::Clear { id: timer_id.0 })
            }
            Event::TaskSucceeded { task_id, .. }
            | Event::TaskFailed { task_id, .. }
            | Event::TaskTimedOut { task_id, .. }
            | Event::HeartbeatTimedOut { task_id, .. }
            | Event::ChildFinished { task_id, .. } => self.close_token(*task_id, &mut t),
            _ => {}
        }
        for command in &step.commands {
            self.command(command, now, &mut t);
        }
        t
    }

    fn command(&mut self, command: &Command, now: u64, t: &mut Transition) {
        match command {
            Command::StartTimer { timer_id, at } => t.timers.push(TimerChange::Set {
                id: timer_id.0,
                due_ms: *at,
            }),
            Command::CancelTimer { timer_id } => {
                t.timers.push(TimerChange::Clear { id: timer_id.0 });
            }
            Command::InvokeTask(_) | Command::StartExecution(_) => {
                if let Some(task) = task_of(command) {
                    self.issue(task, now, t);
                }
            }
            Command::CancelTask { task_id } => self.close_token(*task_id, t),
            Command::Finished(outcome) => {
                t.closed = Some(Closed {
                    status: outcome.status,
                    output: outcome.output.as_ref().map(|o| o.to_string()),
                    error: outcome.error.clone(),
                    cause: outcome.cause.clone(),
                    stopped_ms: now,
                });
            }
            Command::ReadItems(_) | Command::WriteResults(_) => {}
        }
    }

    fn issue(&mut self, task: &TaskInvocation, now: u64, t: &mut Transition) {
        let Some(token) = &task.token else { return };
        self.tokens.insert(task.task_id, token.clone());
        let activity = task.resource.is_activity();
        t.tokens.push(TokenChange::Issue(TokenRecord {
            token: token.clone(),
            execution_arn: self.execution_arn.clone(),
            task_id: task.task_id.0,
            activity_arn: activity.then(|| task.resource.to_string()),
            input: activity.then(|| task.input.to_string()),
            worker: None,
            created_ms: now,
        }));
    }

    fn close_token(&mut self, task_id: TaskId, t: &mut Transition) {
        if let Some(token) = self.tokens.remove(&task_id) {
            t.tokens.push(TokenChange::Close { token });
        }
    }
}

fn duration_ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The task a command runs, if it runs one.
fn task_of(command: &Command) -> Option<&TaskInvocation> {
    match command {
        Command::InvokeTask(task) => Some(task),
        Command::StartExecution(request) => Some(&request.task),
        _ => None,
    }
}

/// The time an event carries.
fn event_now(event: &Event) -> u64 {
    match event {
        Event::Started { now, .. }
        | Event::TaskSucceeded { now, .. }
        | Event::TaskFailed { now, .. }
        | Event::TaskTimedOut { now, .. }
        | Event::HeartbeatTimedOut { now, .. }
        | Event::TaskSubmitted { now, .. }
        | Event::TaskHeartbeat { now, .. }
        | Event::ChildStarted { now, .. }
        | Event::ChildFinished { now, .. }
        | Event::TimerFired { now, .. }
        | Event::ItemsRead { now, .. }
        | Event::ResultsWritten { now, .. }
        | Event::StopRequested { now, .. }
        | Event::Redriven { now } => *now,
    }
}
