//! The engine: runs executions on tokio. Its driver carries out what an [`Execution`] asks
//! (tasks, timers, object reads) and feeds the results back as events.
//!
//! Time is `tokio::time`: under a paused clock (`#[tokio::test(start_paused = true)]`) a
//! one-year `Wait` completes at once, in virtual time.
//!
//! Durability rests on the core being deterministic: a [`Journal`] given to
//! [`Engine::with_journal`] receives every event fed to every execution before the commands of
//! its step are carried out; replaying those events into a fresh [`Execution`] rebuilds it
//! exactly, and [`Engine::resume_execution`] carries on with its pending commands
//! ([`Execution::pending`]). `sfn-runtime/tests/runtime_replay.rs` checks both.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use std::sync::Arc;
//! use sfn_runtime::{Engine, ExecutionConfig, Resources};
//! # let machine = sfn_asl::StateMachine { comment: None, version: None, timeout_seconds: None,
//! #   query_language: None, start_at: "A".into(), states: Default::default() };
//! let engine = Engine::new(Resources::new());
//! let result = engine
//!     .start_sync_execution(Arc::new(machine), serde_json::json!({}), ExecutionConfig::new("m", "run"))
//!     .await;
//! assert_eq!(result.outcome.status.as_str(), "FAILED");
//! # }
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use sfn_asl::StateMachine;
use tokio::sync::mpsc;

mod children;
mod durable;
pub mod express;
mod map_runs;
mod persist;
mod redrive;
mod run;

pub use durable::{validate_execution_name, StartedExecution};
pub use map_runs::ChildExecution;
use map_runs::MapRuns;
pub use redrive::{
    redrive_status, RedriveStatus, DEFAULT_RETENTION, PURGE_INTERVAL, REDRIVABLE_PERIOD,
    REDRIVE_MAX_EVENTS, REDRIVE_MAX_OPEN,
};
use run::Driver;

use crate::activities::Activities;
use crate::execution::{
    Command, Event, Execution, ExecutionConfig, ExecutionData, Outcome, Status, Step, TaskId,
};
use crate::history::HistoryEvent;
use crate::resources::Resources;

/// The system clock, in ms since the epoch (the driver's time origin).
fn system_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0))
}

/// Errors of the engine API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// No task ever had this token (`TaskDoesNotExist`).
    #[error("no task has the token `{0}`")]
    TaskDoesNotExist(String),
    /// The token's task ended (`TaskTimedOut`, AWS: "Provided task does not exist anymore"):
    /// it timed out, was answered already, or its execution ended.
    #[error("the task of the token `{0}` ended: it timed out, was answered already, or its execution ended")]
    TaskTimedOut(String),
    /// The token cannot be one (`InvalidToken`): a task token is the UUID that
    /// `$$.Task.Token` or `GetActivityTask` gave.
    #[error("`{0}` is not a task token: a token is the UUID that `$$.Task.Token` or GetActivityTask gave")]
    InvalidToken(String),
    /// No activity has this ARN (`ActivityDoesNotExist`).
    #[error("activity `{0}` does not exist; create it first (CreateActivity)")]
    ActivityDoesNotExist(String),
    /// Not an ARN of the kind the call takes (`InvalidArn`).
    #[error("invalid ARN `{arn}`: {expected}")]
    InvalidArn {
        /// The text given.
        arn: String,
        /// What it should look like.
        expected: String,
    },
    /// The execution name breaks Step Functions' rules (`InvalidName`).
    #[error("invalid execution name `{name}`: {reason}")]
    InvalidName {
        /// The name given.
        name: String,
        /// Which rule it breaks.
        reason: String,
    },
    /// The state machine has an execution of that name that is not the running one with the
    /// same input (`ExecutionAlreadyExists`).
    #[error("execution `{0}` already exists; start it under another name")]
    ExecutionAlreadyExists(String),
    /// No execution has this ARN (`ExecutionDoesNotExist`).
    #[error("execution `{0}` does not exist")]
    ExecutionDoesNotExist(String),
    /// No state machine has this ARN (`StateMachineDoesNotExist`).
    #[error("state machine `{0}` does not exist; create it first")]
    StateMachineDoesNotExist(String),
    /// A definition does not parse or validate (`InvalidDefinition`).
    #[error("invalid definition: {0}")]
    InvalidDefinition(String),
    /// The engine has no store: open it on one first (`Engine::with_store`).
    #[error("the engine has no store; open it on one with `Engine::with_store` or `Engine::open_durable`")]
    NoStore,
    /// The store failed; the execution stays where its last committed transition left it and
    /// resumes when an engine is opened on the store again.
    #[error("the store failed: {0}")]
    Store(String),
    /// The execution is no longer running.
    #[error("the execution is no longer running")]
    ExecutionNotRunning,
    /// The execution's driver stopped without a result (its task panicked or was cancelled).
    #[error("the execution's driver stopped: {0}")]
    DriverStopped(String),
    /// `RedriveExecution` refused (`ExecutionNotRedrivable`), with AWS's reason.
    #[error("execution `{execution_arn}` cannot be redriven: {reason}")]
    ExecutionNotRedrivable {
        /// The execution.
        execution_arn: String,
        /// Why (`Execution is SUCCEEDED and cannot be redriven`).
        reason: String,
    },
    /// The input's JSON text is over the payload limit: `StartExecution` refuses it.
    #[error(
        "the execution input is larger than {limit} bytes of JSON text, the payload limit \
         (256 KiB) of an execution input; pass a smaller input, or a reference to the data"
    )]
    InputTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// No activity or state machine the engine knows has this ARN (`ResourceNotFound`): only
    /// they take tags.
    #[error("resource `{0}` not found: tags go on an activity or a state machine that exists")]
    ResourceNotFound(String),
    /// The resource would have more tags than Step Functions allows (`TooManyTags`).
    #[error(
        "resource `{resource_arn}` would have {count} tags; a resource has at most {limit}: \
         remove some first (UntagResource)"
    )]
    TooManyTags {
        /// The resource.
        resource_arn: String,
        /// How many it would have.
        count: usize,
        /// The most it may have (50).
        limit: usize,
    },
    /// A tag breaks Step Functions' rules (AWS: `ValidationException`): the length of its key
    /// or value, their characters, or the `aws:` prefix reserved for AWS.
    #[error("invalid tag `{key}`: {reason}")]
    InvalidTag {
        /// The tag's key (its first 64 characters when longer).
        key: String,
        /// Which rule it breaks, and the fix.
        reason: String,
    },
}

/// `StartExecution`'s check of an input: its compact JSON text must fit in
/// `config.max_payload_bytes`. The engine's own start runs such an input into a
/// `States.DataLimitExceeded` failure instead, as a nested `startExecution` task sees it.
///
/// ```
/// use sfn_runtime::{engine::check_input, EngineError, ExecutionConfig};
/// let config = ExecutionConfig::new("m", "run");
/// assert!(check_input(&serde_json::json!({"a": 1}), &config).is_ok());
/// let big = serde_json::json!("x".repeat(262_143));
/// assert_eq!(check_input(&big, &config), Err(EngineError::InputTooLarge { limit: 262_144 }));
/// ```
pub fn check_input(input: &Value, config: &ExecutionConfig) -> Result<(), EngineError> {
    let limit = config.max_payload_bytes;
    match crate::limits::fits(input, None, limit) {
        Some(_) => Ok(()),
        None => Err(EngineError::InputTooLarge { limit }),
    }
}

/// The end of an execution: its outcome and history.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionResult {
    /// Status, output or error.
    pub outcome: Outcome,
    /// The history (empty when recording was off).
    pub history: Vec<HistoryEvent>,
}

/// A callback's answer: the output, or the error and cause it sent.
type CallbackResult = Result<Value, (Option<String>, Option<String>)>;

/// Payloads are boxed: every execution's channel allocates a block of 32 messages up front, so
/// the message size is paid 32 times per execution, even by one that never gets a message
/// (24 instead of 80 bytes: ~1.8 KB less per parked execution).
#[derive(Debug)]
enum DriverMsg {
    /// A worker takes an activity task (`GetActivityTask`); answered `Ok` once
    /// `ActivityStarted` is applied (and committed), `TaskDoesNotExist` when the task does
    /// not wait for a worker.
    ActivityStarted {
        task_id: TaskId,
        worker: Option<Box<str>>,
        ack: Option<Ack>,
    },
    TaskDone {
        task_id: TaskId,
        result: Box<CallbackResult>,
        /// Answered once the transition is committed (or the task is not running).
        ack: Option<Ack>,
    },
    Heartbeat {
        task_id: TaskId,
        ack: Option<Ack>,
    },
    /// A persisted child execution was stored (or not) for a `states:startExecution` task.
    ChildCreated {
        task_id: TaskId,
        result: Box<Result<children::ChildCreated, crate::resources::TaskError>>,
    },
    /// A running `.sync` service task started its job: `TaskSubmitted`.
    Submitted {
        task_id: TaskId,
        output: Value,
    },
    /// A `.sync` task's child execution ended.
    ChildDone {
        task_id: TaskId,
        outcome: Box<Outcome>,
    },
    /// Error and cause.
    Stop(Box<(Option<String>, Option<String>)>),
}

/// How a driver answers a `send_task_*`: `Ok` once what it caused is committed.
type Ack = tokio::sync::oneshot::Sender<Result<(), EngineError>>;

#[derive(Debug, Clone)]
pub(crate) struct TokenSlot {
    tx: mpsc::UnboundedSender<DriverMsg>,
    task_id: TaskId,
    /// The execution, when it is persisted (its driver may leave memory: see `park`).
    execution_arn: Option<Arc<str>>,
}

type Tokens = Arc<Mutex<HashMap<String, TokenSlot>>>;

/// Tokens whose task ended, so a late answer gets `TaskTimedOut` rather than
/// `TaskDoesNotExist`. Kept in memory for the executions that are not persisted (a store keeps
/// its own, closed rows), at most [`ClosedTokens::CAP`]: a long-running engine must not grow
/// without bound, and an answer that late is rare.
#[derive(Debug, Default)]
pub(crate) struct ClosedTokens {
    set: std::collections::HashSet<String>,
    order: std::collections::VecDeque<String>,
}

impl ClosedTokens {
    const CAP: usize = 100_000;

    pub(crate) fn insert(&mut self, token: String) {
        if self.set.insert(token.clone()) {
            self.order.push_back(token);
            if self.order.len() > Self::CAP {
                if let Some(old) = self.order.pop_front() {
                    self.set.remove(&old);
                }
            }
        }
    }

    fn contains(&self, token: &str) -> bool {
        self.set.contains(token)
    }
}

/// A persisted execution that is gone or ended: its task ended too.
fn ended_if_gone(e: EngineError, token: &str) -> EngineError {
    match e {
        EngineError::ExecutionNotRunning | EngineError::ExecutionDoesNotExist(_) => {
            EngineError::TaskTimedOut(token.to_owned())
        }
        e => e,
    }
}

/// Whether `token` has the shape of the tokens the engine issues (a UUID: 8-4-4-4-12 hex
/// digits).
fn token_shaped(token: &str) -> bool {
    let groups: Vec<&str> = token.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Where a driver writes down every event it feeds an execution, with what the execution
/// returned, before it carries out a single command of that step. The events alone rebuild the
/// execution ([`Execution::handle`] is deterministic): a store persists them to resume after a
/// crash, a replay test compares a rebuilt execution with `step` and `state`.
pub trait Journal: Send + Sync + std::fmt::Debug {
    /// `event` was fed to the execution `config` names; it returned `step` and is now `state`.
    fn append(&self, config: &ExecutionConfig, event: &Event, step: &Step, state: &ExecutionData);
}

/// Runs executions on tokio.
#[derive(Debug, Clone)]
pub struct Engine {
    resources: Arc<Resources>,
    tokens: Tokens,
    closed_tokens: Arc<Mutex<ClosedTokens>>,
    activities: Arc<Activities>,
    /// State machines `states:startExecution` tasks may start, by ARN.
    machines: Arc<Mutex<HashMap<String, Arc<StateMachine>>>>,
    epoch_ms: Option<u64>,
    /// Where distributed Maps read items and write results.
    object_store: Option<Arc<dyn crate::objects::ObjectStore>>,
    /// Child executions of distributed Maps.
    map_runs: Arc<MapRuns>,
    /// Where every execution's events are written down, when anywhere.
    journal: Option<Arc<dyn Journal>>,
    /// Where Standard executions started by name are persisted, when anywhere.
    store: Option<Arc<persist::StoreLink>>,
    /// How long the store keeps closed executions.
    retention: std::time::Duration,
    /// A persisted execution leaves memory when it waits for nothing sooner than this (`None`:
    /// never); see [`Engine::with_park_after`].
    park_after: Option<std::time::Duration>,
    /// When the engine was made: with a fixed start time, the engine's clock runs from there.
    origin: tokio::time::Instant,
    /// The execution role's policies, put to before every Task's call (see [`crate::role`]).
    role_policy: Option<Arc<sfn_asl::iam::RolePolicy>>,
    /// The tags of activities and state machines, when there is no store to keep them.
    pub(crate) tags: Arc<crate::tags::TagRegistry>,
}

/// A started execution.
#[derive(Debug)]
pub struct ExecutionHandle {
    join: tokio::task::JoinHandle<Result<ExecutionResult, EngineError>>,
    tx: mpsc::UnboundedSender<DriverMsg>,
    live: LiveRef,
    map_runs: Arc<MapRuns>,
    execution_arn: String,
    /// The engine of a persisted execution: its driver may leave memory while it waits and
    /// come back, so its end is published in `live`, and a stop goes through the engine.
    persisted: Option<Engine>,
}

/// What a started execution has done so far, shared with its handle (and, for a persisted
/// execution, with every driver that carries it on in this process).
#[derive(Debug, Default)]
pub(crate) struct Live {
    /// `None` while running.
    pub(crate) outcome: Option<Status>,
    pub(crate) events: Vec<HistoryEvent>,
    /// A persisted execution's end, once it ended (or its driver stopped for good).
    pub(crate) result: Option<Result<ExecutionResult, EngineError>>,
    /// Signalled when `result` is set.
    pub(crate) ended: Arc<tokio::sync::Notify>,
}

pub(crate) type LiveRef = Arc<Mutex<Live>>;

fn lock(live: &LiveRef) -> std::sync::MutexGuard<'_, Live> {
    live.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl ExecutionHandle {
    /// The execution's ARN.
    pub fn execution_arn(&self) -> &str {
        &self.execution_arn
    }

    /// Waits for the end of the execution. A persisted execution's history here holds the
    /// events recorded in this process; the store holds all of them
    /// ([`Engine::get_execution_history`]).
    pub async fn result(self) -> Result<ExecutionResult, EngineError> {
        if self.persisted.is_none() {
            return self
                .join
                .await
                .map_err(|e| EngineError::DriverStopped(e.to_string()))?;
        }
        loop {
            let ended = lock(&self.live).ended.clone();
            let notified = ended.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(result) = lock(&self.live).result.take() {
                return result;
            }
            notified.await;
        }
    }

    /// `DescribeExecution`'s status: `Running` until the execution ends.
    pub fn status(&self) -> Status {
        lock(&self.live).outcome.unwrap_or(Status::Running)
    }

    /// `GetExecutionHistory`: the events recorded so far.
    pub fn history(&self) -> Vec<HistoryEvent> {
        lock(&self.live).events.clone()
    }

    /// The child executions of one of this execution's distributed Map runs, so far (see
    /// [`Engine::map_run_executions`]).
    pub fn map_run_executions(&self, map_run_arn: &str) -> Vec<ChildExecution> {
        self.map_runs.executions(map_run_arn)
    }

    /// `StopExecution`: the execution ends `ABORTED`. A persisted execution waiting out of
    /// memory is brought back to stop ([`Engine::stop_execution`] reports the errors).
    pub fn stop(&self, error: Option<String>, cause: Option<String>) -> Result<(), EngineError> {
        let msg = DriverMsg::Stop(Box::new((error, cause)));
        match (self.tx.send(msg), &self.persisted) {
            (Ok(()), _) => Ok(()),
            (Err(mpsc::error::SendError(msg)), Some(engine)) => {
                let (engine, arn) = (engine.clone(), self.execution_arn.clone());
                tokio::spawn(async move { engine.deliver(&arn, msg).await });
                Ok(())
            }
            (Err(_), None) => Err(EngineError::ExecutionNotRunning),
        }
    }
}

impl Engine {
    /// An engine calling `resources` for Task states.
    pub fn new(resources: Resources) -> Self {
        Engine {
            resources: Arc::new(resources),
            tokens: Arc::default(),
            closed_tokens: Arc::default(),
            activities: Arc::default(),
            machines: Arc::default(),
            epoch_ms: None,
            object_store: None,
            map_runs: Arc::default(),
            journal: None,
            store: None,
            retention: redrive::DEFAULT_RETENTION,
            park_after: Some(std::time::Duration::from_secs(1)),
            origin: tokio::time::Instant::now(),
            role_policy: None,
            tags: Arc::default(),
        }
    }

    /// Runs every execution with `policy` as its role's policies: each call a Task state makes
    /// (Lambda, service integrations, nested executions; answered by AWS, a handler or a mock)
    /// must be allowed by it, or the state fails as AWS reports a missing permission (see
    /// [`crate::role`]). Off by default: without a policy every call is made.
    pub fn with_role_policy(mut self, policy: sfn_asl::iam::RolePolicy) -> Self {
        self.role_policy = Some(Arc::new(policy));
        self
    }

    /// The calls of a Task refused by the role's policies, as the task's failure.
    pub(crate) fn authorize(
        &self,
        config: &ExecutionConfig,
        task: &crate::execution::TaskInvocation,
    ) -> Result<(), crate::resources::TaskError> {
        match &self.role_policy {
            None => Ok(()),
            Some(policy) => crate::role::authorize(
                policy,
                config,
                &task.resource,
                &task.input,
                task.credentials.as_ref(),
                &task.state_name,
            ),
        }
    }

    /// A persisted execution that waits only for timers due `after` or later and for task
    /// tokens leaves memory (its driver ends; the store keeps it) and comes back when a timer is
    /// due, a token is answered or it is stopped. Default: 1 s; `None` keeps every execution in
    /// memory.
    pub fn with_park_after(mut self, after: Option<std::time::Duration>) -> Self {
        self.park_after = after;
        self
    }

    /// The engine's clock, ms since the epoch: the system clock, or the fixed start time
    /// ([`Engine::with_start_time`]) plus the time since the engine was made.
    pub(crate) fn clock_ms(&self) -> u64 {
        match self.epoch_ms {
            Some(epoch) => {
                let elapsed = self.origin.elapsed().as_millis();
                epoch.saturating_add(u64::try_from(elapsed).unwrap_or(u64::MAX))
            }
            None => system_ms(),
        }
    }

    /// Writes every event of every execution (nested ones included) to `journal` before its
    /// commands are carried out.
    pub fn with_journal(mut self, journal: Arc<dyn Journal>) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Sets the object store distributed Maps read (`ItemReader`) and write (`ResultWriter`)
    /// through; without one, such a Map fails with `States.ItemReaderFailed` /
    /// `States.ResultWriterFailed`.
    pub fn with_object_store(mut self, store: Arc<dyn crate::objects::ObjectStore>) -> Self {
        self.object_store = Some(store);
        self
    }

    /// The child executions of a distributed Map's run (`ListExecutions --map-run-arn`), in
    /// start order, each with its own history. The ARN is in the parent's `MapRunStarted`.
    /// These are the children of executions in memory; a persisted execution's children are
    /// in the store instead: [`Engine::list_executions`] with
    /// [`ExecutionQuery::map_run_arn`](crate::store::ExecutionQuery::map_run_arn), and
    /// [`Engine::get_execution_history`] for each.
    pub fn map_run_executions(&self, map_run_arn: &str) -> Vec<ChildExecution> {
        self.map_runs.executions(map_run_arn)
    }

    /// Drops the kept child executions of a Map Run (the engine keeps them until then).
    pub fn forget_map_run(&self, map_run_arn: &str) {
        self.map_runs.forget(map_run_arn);
    }

    /// Fixes the wall-clock time (ms since the epoch) at which executions start, instead of
    /// the system clock: with a paused tokio clock, histories are then fully reproducible.
    pub fn with_start_time(mut self, epoch_ms: u64) -> Self {
        self.epoch_ms = Some(epoch_ms);
        self
    }

    /// Starts an execution on a new tokio task.
    pub fn start_execution(
        &self,
        machine: Arc<StateMachine>,
        input: Value,
        config: ExecutionConfig,
    ) -> ExecutionHandle {
        let (tx, rx) = mpsc::unbounded_channel();
        let arn = config.execution_arn.clone();
        let driver = self.driver(machine, config, tx.clone(), rx);
        self.spawn(driver, tx, arn, |d| d.run(input))
    }

    /// Runs `driver` on a new tokio task, observed by the handle it returns.
    fn spawn<F>(
        &self,
        driver: Driver,
        tx: mpsc::UnboundedSender<DriverMsg>,
        execution_arn: String,
        go: impl FnOnce(Driver) -> F,
    ) -> ExecutionHandle
    where
        F: std::future::Future<Output = Result<ExecutionResult, EngineError>> + Send + 'static,
    {
        self.spawn_observed(LiveRef::default(), driver, tx, execution_arn, go)
    }

    /// [`Engine::spawn`], observed through `live`.
    fn spawn_observed<F>(
        &self,
        live: LiveRef,
        driver: Driver,
        tx: mpsc::UnboundedSender<DriverMsg>,
        execution_arn: String,
        go: impl FnOnce(Driver) -> F,
    ) -> ExecutionHandle
    where
        F: std::future::Future<Output = Result<ExecutionResult, EngineError>> + Send + 'static,
    {
        let join = tokio::spawn(go(driver.observed(live.clone())));
        ExecutionHandle {
            join,
            tx,
            live,
            map_runs: self.map_runs.clone(),
            execution_arn,
            persisted: None,
        }
    }

    /// Resumes, on a new tokio task, an execution rebuilt from its persisted events (replayed
    /// into [`Execution::new`], or restored with [`Execution::restore`]): `pending` are the
    /// commands still in effect ([`Execution::pending`] of the commands its steps issued).
    /// Timers fire at their absolute deadlines (at once when past), tasks run again (at least
    /// once), and a submitted task waits for its token. The handle's history holds the events
    /// from here on.
    pub fn resume_execution(&self, exec: Execution, pending: Vec<Command>) -> ExecutionHandle {
        let (tx, rx) = mpsc::unbounded_channel();
        let epoch_ms = self.epoch_ms.unwrap_or_else(system_ms);
        let arn = exec.config().execution_arn.clone();
        let mut driver = Driver::new(self.clone(), exec, tx.clone(), rx, epoch_ms);
        let pending = driver.await_submitted(pending);
        self.spawn(driver, tx, arn, |d| d.resume(pending))
    }

    /// Runs an execution to its end in the calling task (`StartSyncExecution`).
    pub async fn start_sync_execution(
        &self,
        machine: Arc<StateMachine>,
        input: Value,
        config: ExecutionConfig,
    ) -> ExecutionResult {
        let (tx, rx) = mpsc::unbounded_channel();
        // Not persisted: nothing can fail but the driver itself, which reports its failure.
        match self.driver(machine, config, tx, rx).run(input).await {
            Ok(result) => result,
            Err(e) => ExecutionResult {
                outcome: Outcome {
                    status: Status::Failed,
                    output: None,
                    error: Some(sfn_asl::error::STATES_RUNTIME.into()),
                    cause: Some(e.to_string()),
                },
                history: Vec::new(),
            },
        }
    }

    fn driver(
        &self,
        machine: Arc<StateMachine>,
        config: ExecutionConfig,
        tx: mpsc::UnboundedSender<DriverMsg>,
        rx: mpsc::UnboundedReceiver<DriverMsg>,
    ) -> Driver {
        let epoch_ms = self.epoch_ms.unwrap_or_else(system_ms);
        Driver::new(
            self.clone(),
            Execution::new(machine, config),
            tx,
            rx,
            epoch_ms,
        )
    }

    pub(crate) fn activities(&self) -> &Activities {
        &self.activities
    }

    pub(crate) fn machines(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<StateMachine>>> {
        self.machines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Delivers a `send_task_*` answer: `msg` builds the driver's message for the task, with
    /// an acknowledgement the driver sends once the answer is applied (and, for a persisted
    /// execution, committed). `remove`: the token is spent.
    async fn complete(
        &self,
        token: &str,
        msg: impl FnOnce(TaskId, Ack) -> DriverMsg,
        remove: bool,
    ) -> Result<(), EngineError> {
        if !token_shaped(token) {
            return Err(EngineError::InvalidToken(token.to_owned()));
        }
        let ended = || EngineError::TaskTimedOut(token.to_owned());
        let slot = {
            let mut tokens = self
                .tokens
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if remove {
                tokens.remove(token)
            } else {
                tokens.get(token).cloned()
            }
        };
        let (ack, acked) = tokio::sync::oneshot::channel();
        match slot {
            Some(TokenSlot {
                tx,
                task_id,
                execution_arn: None,
            }) => tx.send(msg(task_id, ack)).map_err(|_| ended())?,
            Some(TokenSlot {
                task_id,
                execution_arn: Some(arn),
                ..
            }) => self
                .deliver(&arn, msg(task_id, ack))
                .await
                .map_err(|e| ended_if_gone(e, token))?,
            None if self.closed_token(token) => return Err(ended()),
            None => {
                let (arn, task_id) = self.stored_token(token).await?;
                self.deliver(&arn, msg(task_id, ack))
                    .await
                    .map_err(|e| ended_if_gone(e, token))?;
            }
        }
        match acked.await {
            // The task ended between the look-up and the answer.
            Ok(Err(EngineError::TaskDoesNotExist(_))) | Err(_) => Err(ended()),
            Ok(answer) => answer,
        }
    }

    /// Delivers a worker's take of an activity task to its execution: `true` once
    /// `ActivityStarted` is applied (committed, when persisted); `false` when the task no longer
    /// waits for a worker.
    pub(crate) async fn start_activity_task(
        &self,
        token: &str,
        execution_arn: Option<&str>,
        task_id: Option<TaskId>,
        worker: Option<&str>,
    ) -> bool {
        let (ack, acked) = tokio::sync::oneshot::channel();
        let slot = self
            .tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(token)
            .cloned();
        let msg = |task_id, ack| DriverMsg::ActivityStarted {
            task_id,
            worker: worker.map(Box::from),
            ack: Some(ack),
        };
        let sent = match (slot, execution_arn, task_id) {
            (
                Some(TokenSlot {
                    tx,
                    task_id,
                    execution_arn: None,
                }),
                _,
                _,
            ) => tx.send(msg(task_id, ack)).is_ok(),
            (_, Some(arn), Some(task_id)) => self.deliver(arn, msg(task_id, ack)).await.is_ok(),
            _ => false,
        };
        sent && matches!(acked.await, Ok(Ok(())))
    }

    /// Whether the task of `token` ended (in this process, for an execution not persisted).
    fn closed_token(&self, token: &str) -> bool {
        self.closed_tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(token)
    }

    /// `SendTaskSuccess`: the waiting task's result is `output`. Returns once the task has it:
    /// on an engine with a store, once the transition it causes is committed (a crash after
    /// that loses nothing; before it, the task still waits and the same token works on the
    /// restarted engine). A persisted execution waiting out of memory is brought back.
    pub async fn send_task_success(&self, token: &str, output: Value) -> Result<(), EngineError> {
        self.complete(
            token,
            |task_id, ack| DriverMsg::TaskDone {
                task_id,
                result: Box::new(Ok(output)),
                ack: Some(ack),
            },
            true,
        )
        .await
    }

    /// `SendTaskFailure`: the waiting task fails (error and cause may be absent).
    pub async fn send_task_failure(
        &self,
        token: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<(), EngineError> {
        self.complete(
            token,
            |task_id, ack| DriverMsg::TaskDone {
                task_id,
                result: Box::new(Err((error, cause))),
                ack: Some(ack),
            },
            true,
        )
        .await
    }

    /// `SendTaskHeartbeat`: restarts the task's heartbeat clock.
    pub async fn send_task_heartbeat(&self, token: &str) -> Result<(), EngineError> {
        self.complete(
            token,
            |task_id, ack| DriverMsg::Heartbeat {
                task_id,
                ack: Some(ack),
            },
            false,
        )
        .await
    }
}
