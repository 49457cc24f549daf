//! What a driver of a persisted Standard execution writes per event: one [`Transition`] (the
//! event, the history events it appended, the timers and tokens it set or cleared, the outcome),
//! committed through the engine's [`GroupCommitter`] before any command of the step is carried
//! out.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::{mpsc, Notify};
use tokio::task::AbortHandle;

use super::{lock, DriverMsg, EngineError, ExecutionResult, Live, LiveRef};

use crate::execution::{ChildEvent, Status};
use crate::execution::{Command, Event, Step, TaskId, TaskInvocation};
use crate::history::EventType;
use crate::store::group::GroupCommitter;
use crate::store::{
    Closed, ExecutionRecord, MapChildChange, ParentLink, Store, StoreError, TimerChange,
    TokenChange, TokenRecord, Transition,
};

/// A persisted execution's driver in memory: its channel, and its task once spawned.
struct Awake {
    tx: mpsc::UnboundedSender<DriverMsg>,
    task: Option<AbortHandle>,
}

/// The engine's store: the committer that owns it, the drivers of persisted executions in
/// memory, and what wakes the parked ones.
pub(crate) struct StoreLink {
    pub(crate) committer: GroupCommitter<Box<dyn Store>>,
    /// Cleared by [`StoreLink::halt`]: nothing more is committed.
    open: AtomicBool,
    /// The drivers of persisted executions in memory, by execution ARN. A message for an
    /// execution goes through this map ([`StoreLink::send`]), under its lock, so a driver that
    /// leaves memory ([`StoreLink::leave_if_idle`]) never drops one.
    drivers: Mutex<HashMap<String, Awake>>,
    /// What each execution's handles in this process observe, while one exists.
    observers: Mutex<HashMap<String, Weak<Mutex<Live>>>>,
    /// Wakes the timer scheduler when a driver parks with a deadline before the one it
    /// sleeps until.
    pub(crate) parked: Notify,
    /// The deadline (ms since the epoch) the scheduler sleeps until.
    pub(crate) scheduled_ms: AtomicU64,
    /// Set once the timer scheduler runs.
    pub(crate) scheduling: AtomicBool,
    /// Parsed definitions by their text: executions that run an earlier definition of their
    /// state machine (see [`Store::execution_definition`]) share one parse.
    pub(crate) definitions: Mutex<HashMap<String, Arc<sfn_asl::StateMachine>>>,
    /// How long closed executions are kept, in ms.
    retention_ms: AtomicU64,
    /// The Standard state machines the store holds: `states:startExecution` tasks of persisted
    /// executions start theirs as persisted executions.
    machines: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for StoreLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreLink")
            .field("committer", &self.committer)
            .field("open", &self.open)
            .finish()
    }
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl StoreLink {
    pub(crate) fn new(store: Box<dyn Store>) -> Self {
        StoreLink {
            committer: GroupCommitter::start(store, 1024),
            open: AtomicBool::new(true),
            drivers: Mutex::new(HashMap::new()),
            definitions: Mutex::new(HashMap::new()),
            retention_ms: AtomicU64::new(duration_ms(super::redrive::DEFAULT_RETENTION)),
            observers: Mutex::new(HashMap::new()),
            parked: Notify::new(),
            scheduled_ms: AtomicU64::new(u64::MAX),
            scheduling: AtomicBool::new(false),
            machines: Mutex::new(HashSet::new()),
        }
    }

    /// Notes that the store holds the Standard state machine `arn`.
    pub(crate) fn hold_machine(&self, arn: &str) {
        locked(&self.machines).insert(arn.to_owned());
    }

    /// Whether the store holds the Standard state machine `arn`.
    pub(crate) fn holds_machine(&self, arn: &str) -> bool {
        locked(&self.machines).contains(arn)
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

    /// Registers the channel of an execution about to be driven in memory; `false` (and
    /// nothing changes) when it already is.
    pub(crate) fn enter(&self, execution_arn: &str, tx: &mpsc::UnboundedSender<DriverMsg>) -> bool {
        let mut drivers = locked(&self.drivers);
        if drivers.contains_key(execution_arn) {
            return false;
        }
        let awake = Awake {
            tx: tx.clone(),
            task: None,
        };
        drivers.insert(execution_arn.to_owned(), awake);
        true
    }

    /// Keeps the task of a driver that [`StoreLink::enter`]ed, to stop it on a halt.
    pub(crate) fn spawned(&self, execution_arn: &str, task: AbortHandle) {
        if let Some(awake) = locked(&self.drivers).get_mut(execution_arn) {
            awake.task = Some(task);
        }
    }

    /// Forgets a driver that ended.
    pub(crate) fn leave(&self, execution_arn: &str) {
        locked(&self.drivers).remove(execution_arn);
        locked(&self.observers).remove(execution_arn);
    }

    /// Forgets a driver that waits with nothing to do, unless a message reached it meanwhile
    /// (checked under the lock every sender takes, so none is lost): `true` when it left.
    pub(crate) fn leave_if_idle(
        &self,
        execution_arn: &str,
        rx: &mpsc::UnboundedReceiver<DriverMsg>,
    ) -> bool {
        let mut drivers = locked(&self.drivers);
        if !rx.is_empty() {
            return false;
        }
        drivers.remove(execution_arn);
        true
    }

    /// Sends `msg` to the execution's driver when it is in memory; gives it back otherwise.
    pub(crate) fn send(&self, execution_arn: &str, msg: DriverMsg) -> Result<(), DriverMsg> {
        let mut drivers = locked(&self.drivers);
        let Some(awake) = drivers.get(execution_arn) else {
            return Err(msg);
        };
        match awake.tx.send(msg) {
            Ok(()) => Ok(()),
            Err(mpsc::error::SendError(msg)) => {
                drivers.remove(execution_arn);
                Err(msg)
            }
        }
    }

    /// Whether the execution's driver is in memory.
    pub(crate) fn is_awake(&self, execution_arn: &str) -> bool {
        locked(&self.drivers).contains_key(execution_arn)
    }

    /// How many persisted executions are in memory.
    pub(crate) fn awake(&self) -> usize {
        locked(&self.drivers).len()
    }

    /// What the handles of an execution observe: the one they share, or a new one.
    pub(crate) fn observer(&self, execution_arn: &str) -> LiveRef {
        let mut observers = locked(&self.observers);
        if let Some(live) = observers.get(execution_arn).and_then(Weak::upgrade) {
            return live;
        }
        let live = LiveRef::default();
        observers.insert(execution_arn.to_owned(), Arc::downgrade(&live));
        live
    }

    /// Forgets what an execution's handles observe once none is left.
    pub(crate) fn unobserved(&self, execution_arn: &str) {
        let mut observers = locked(&self.observers);
        if observers
            .get(execution_arn)
            .is_some_and(|w| w.strong_count() == 0)
        {
            observers.remove(execution_arn);
        }
    }

    /// Commits nothing more and stops every driver where it is, as a crash of the process
    /// would: what was committed stays, and a new engine on the store resumes from there.
    /// Handles waiting for an end get [`EngineError::Store`].
    pub(crate) fn halt(&self) {
        self.open.store(false, Ordering::SeqCst);
        self.parked.notify_one();
        let drivers = std::mem::take(&mut *locked(&self.drivers));
        for awake in drivers.into_values() {
            if let Some(task) = awake.task {
                task.abort();
            }
        }
        let observers = std::mem::take(&mut *locked(&self.observers));
        for live in observers.values().filter_map(Weak::upgrade) {
            let halted = EngineError::Store(StoreError::Closed.to_string());
            publish(&live, Err(halted));
        }
    }
}

/// Sets a persisted execution's end for the handles that wait for it.
pub(crate) fn publish(live: &LiveRef, result: Result<ExecutionResult, EngineError>) {
    let ended = {
        let mut live = lock(live);
        if live.result.is_some() {
            return;
        }
        live.result = Some(result);
        live.ended.clone()
    };
    ended.notify_waiters();
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
    /// Its `states:startExecution` tasks not ended yet: ending one settles its child.
    child_tasks: BTreeSet<TaskId>,
    /// The task that started it, when a `states:startExecution` task did.
    parent: Option<ParentLink>,
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
        let child_tasks = pending
            .iter()
            .filter_map(|c| match c {
                Command::StartExecution(r) => Some(r.task.task_id),
                _ => None,
            })
            .collect();
        Persisted {
            link,
            execution_arn,
            position,
            tokens,
            child_tasks,
            parent: None,
        }
    }

    /// Started by a `states:startExecution` task of `parent`.
    pub(crate) fn with_parent(mut self, parent: Option<ParentLink>) -> Self {
        self.parent = parent;
        self
    }

    /// The parent task waiting for this execution's end, if one does.
    pub(crate) fn waiting_parent(&self) -> Option<&ParentLink> {
        self.parent.as_ref().filter(|p| p.waits)
    }

    /// Persists `event` (its stored form: `event_text`) and what `step` did; returns once the
    /// transition is durable.
    /// `for_workers`: whether a task goes to its activity's workers (its token is stored as
    /// an activity task for them to take).
    pub(crate) async fn commit(
        &mut self,
        event_text: String,
        event: &Event,
        step: &Step,
        for_workers: &(dyn Fn(&TaskInvocation) -> bool + Sync),
    ) -> Result<(), StoreError> {
        if !self.link.is_open() {
            return Err(StoreError::Closed);
        }
        let transition = self.transition(event_text, event, step, for_workers);
        self.link.committer.commit(transition).await?;
        if !self.link.is_open() {
            // Halted while the commit was in flight: carry out nothing more.
            return Err(StoreError::Closed);
        }
        self.position += 1;
        Ok(())
    }

    /// Commits that the execution leaves memory until a timer or a token wakes it (see
    /// [`Transition::park`]).
    pub(crate) async fn park(&mut self) -> Result<(), StoreError> {
        if !self.link.is_open() {
            return Err(StoreError::Closed);
        }
        let transition = Transition {
            execution_arn: self.execution_arn.clone(),
            first_event: self.position,
            park: true,
            ..Transition::default()
        };
        self.link.committer.commit(transition).await?;
        if !self.link.is_open() {
            return Err(StoreError::Closed);
        }
        Ok(())
    }

    pub(crate) fn link(&self) -> &Arc<StoreLink> {
        &self.link
    }

    pub(crate) fn execution_arn(&self) -> &str {
        &self.execution_arn
    }

    fn transition(
        &mut self,
        event_text: String,
        event: &Event,
        step: &Step,
        for_workers: &dyn Fn(&TaskInvocation) -> bool,
    ) -> Transition {
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
            Event::ActivityStarted {
                task_id,
                worker_name,
                ..
            } => {
                if let Some(token) = self.tokens.get(task_id) {
                    t.tokens.push(TokenChange::Take {
                        token: token.clone(),
                        worker: worker_name.clone().unwrap_or_default(),
                    });
                }
            }
            Event::TimerFired { timer_id, .. } => {
                t.timers.push(TimerChange::Clear { id: timer_id.0 })
            }
            Event::TaskSucceeded { task_id, .. }
            | Event::TaskFailed { task_id, .. }
            | Event::TaskTimedOut { task_id, .. }
            | Event::HeartbeatTimedOut { task_id, .. }
            | Event::ChildFinished { task_id, .. } => self.close_task(*task_id, &mut t),
            _ => {}
        }
        for command in &step.commands {
            self.command(command, now, &mut t, for_workers);
        }
        for child in &step.child_events {
            map_child_changes(child, &mut t.map_children);
        }
        t
    }

    /// A task ended: its token is closed, the child it started settled.
    fn close_task(&mut self, task_id: TaskId, t: &mut Transition) {
        self.close_token(task_id, t);
        if self.child_tasks.remove(&task_id) {
            t.settled.push(task_id.0);
        }
    }

    fn command(
        &mut self,
        command: &Command,
        now: u64,
        t: &mut Transition,
        for_workers: &dyn Fn(&TaskInvocation) -> bool,
    ) {
        match command {
            Command::StartTimer { timer_id, at } => t.timers.push(TimerChange::Set {
                id: timer_id.0,
                due_ms: *at,
            }),
            Command::CancelTimer { timer_id } => {
                t.timers.push(TimerChange::Clear { id: timer_id.0 });
            }
            Command::InvokeTask(_) | Command::StartExecution(_) => {
                if let Command::StartExecution(r) = command {
                    self.child_tasks.insert(r.task.task_id);
                }
                if let Some(task) = task_of(command) {
                    self.issue(task, now, t, for_workers(task));
                }
            }
            Command::CancelTask { task_id } => self.close_task(*task_id, t),
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

    /// A token issued; `activity`: the task is one for its activity's workers to take.
    fn issue(&mut self, task: &TaskInvocation, now: u64, t: &mut Transition, activity: bool) {
        let Some(token) = &task.token else { return };
        self.tokens.insert(task.task_id, token.clone());
        t.tokens.push(TokenChange::Issue(TokenRecord {
            token: token.clone(),
            execution_arn: self.execution_arn.clone(),
            task_id: task.task_id.0,
            activity_arn: activity.then(|| task.resource.to_string()),
            input: activity.then(|| task.input.to_string()),
            worker: None,
            created_ms: now,
            closed: false,
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

/// What an event of a distributed Map's child execution changes in the store: its record
/// (started, ended, redriven) and its history.
fn map_child_changes(e: &ChildEvent, out: &mut Vec<MapChildChange>) {
    let aws = e.event.to_aws_json();
    let details = &aws[e.event.event_type.details_key()];
    let text = |key: &str| details[key].as_str().map(str::to_owned);
    let arn = &e.execution_arn;
    let at_ms = e.event.timestamp;
    if e.event.event_type == EventType::ExecutionStarted {
        out.push(MapChildChange::Started(ExecutionRecord {
            arn: arn.clone(),
            name: arn.rsplit(':').next().unwrap_or_default().to_owned(),
            state_machine_arn: map_child_machine(arn),
            status: Status::Running,
            input: text("input").unwrap_or_else(|| "{}".into()),
            output: None,
            error: None,
            cause: None,
            started_ms: at_ms,
            stopped_ms: None,
            redrive_count: 0,
            redrive_ms: None,
            parent: None,
            map_run_arn: Some(e.map_run_arn.clone()),
        }));
    }
    out.push(MapChildChange::Event {
        execution_arn: arn.clone(),
        id: e.event.id,
        event: aws.to_string(),
    });
    let status = match e.event.event_type {
        EventType::ExecutionSucceeded => Status::Succeeded,
        EventType::ExecutionFailed => Status::Failed,
        EventType::ExecutionAborted => Status::Aborted,
        EventType::ExecutionTimedOut => Status::TimedOut,
        EventType::ExecutionRedriven => {
            let execution_arn = arn.clone();
            return out.push(MapChildChange::Redriven {
                execution_arn,
                at_ms,
            });
        }
        _ => return,
    };
    let closed = Closed {
        status,
        output: text("output"),
        error: text("error"),
        cause: text("cause"),
        stopped_ms: at_ms,
    };
    out.push(MapChildChange::Closed {
        execution_arn: arn.clone(),
        closed,
    });
}

/// The state machine of a distributed Map's child: `…:stateMachine:<machine>/<label>` for
/// `…:execution:<machine>/<label>:<name>` (Standard) or
/// `…:express:<machine>/<label>:<run id>:<name>` (Express).
fn map_child_machine(execution_arn: &str) -> String {
    for kind in [":execution:", ":express:"] {
        if let Some((prefix, rest)) = execution_arn.split_once(kind) {
            let path = rest.split(':').next().unwrap_or_default();
            return format!("{prefix}:stateMachine:{path}");
        }
    }
    execution_arn.to_owned()
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
        | Event::ActivityStarted { now, .. }
        | Event::ChildStarted { now, .. }
        | Event::ChildFinished { now, .. }
        | Event::TimerFired { now, .. }
        | Event::ItemsRead { now, .. }
        | Event::ResultsWritten { now, .. }
        | Event::StopRequested { now, .. }
        | Event::Redriven { now } => *now,
    }
}
