//! Durable Standard executions: an engine opened on a [`Store`] persists every transition of
//! the Standard executions it starts by name, before it carries out the transition's commands,
//! and an engine opened again on the same store resumes every execution still running. See
//! `docs/durability.md` for what an acknowledged transition survives.
//!
//! ```
//! # #[cfg(feature = "sqlite")]
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use sfn_runtime::store::Durability;
//! use sfn_runtime::{Engine, Resources, Status};
//! let dir = std::env::temp_dir().join(format!("sfn-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("store.db");
//! let (engine, resumed) = Engine::open_durable(&path, Resources::new(), Durability::Full).await.unwrap();
//! assert!(resumed.is_empty());
//! let arn = engine
//!     .create_state_machine("hello", r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
//!     .await
//!     .unwrap();
//! let started = engine.start_standard_execution(&arn, "run-1", serde_json::json!({"a": 1})).await.unwrap();
//! let result = started.handle.unwrap().result().await.unwrap();
//! assert_eq!(result.outcome.status, Status::Succeeded);
//! let stored = engine.describe_execution(&started.execution_arn).await.unwrap().unwrap();
//! assert_eq!(stored.status, Status::Succeeded);
//! # drop(engine); std::fs::remove_dir_all(&dir).ok();
//! # }
//! # #[cfg(not(feature = "sqlite"))] fn main() {}
//! ```

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

use super::persist::{Persisted, StoreLink};
use super::run::Driver;
use super::{system_ms, Engine, EngineError, ExecutionHandle};
use crate::execution::{Command, Event, Execution, ExecutionConfig, Status, TaskId};
use crate::store::{
    Created, ExecutionQuery, ExecutionRecord, HistoryQuery, Page, StateMachineRecord, Store,
    StoreError,
};

/// What [`Engine::start_standard_execution`] did.
#[derive(Debug)]
pub struct StartedExecution {
    /// The execution's ARN.
    pub execution_arn: String,
    /// When it started, ms since the Unix epoch.
    pub start_ms: u64,
    /// The new execution's handle; `None` when a running execution with that name and the
    /// same input already existed (Step Functions then returns that one).
    pub handle: Option<ExecutionHandle>,
}

/// Checks an execution name against Step Functions' rules: 1 to 80 characters, none of them
/// whitespace, `< > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /` or a control character.
///
/// ```
/// use sfn_runtime::engine::validate_execution_name;
/// assert!(validate_execution_name("order-42_retry.1").is_ok());
/// assert!(validate_execution_name("two words").is_err());
/// assert!(validate_execution_name("").is_err());
/// ```
pub fn validate_execution_name(name: &str) -> Result<(), EngineError> {
    let invalid = |reason: String| {
        Err(EngineError::InvalidName {
            name: name.to_owned(),
            reason,
        })
    };
    let len = name.chars().count();
    if len == 0 || len > 80 {
        return invalid(format!("a name has 1 to 80 characters, not {len}"));
    }
    let bad = name
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(*c));
    match bad {
        Some(c) => invalid(format!(
            "{c:?} is not allowed; use letters, digits, `-`, `_` or `.`"
        )),
        None => Ok(()),
    }
}

/// The state machine's name: the last part of its ARN.
fn machine_name(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

/// The configuration of execution `name` of the machine at `machine_arn`: the same on every
/// start and every recovery, so a replayed execution sees the ARNs and seed it had.
pub(super) fn config_for(machine_arn: &str, name: &str) -> ExecutionConfig {
    let mut config = ExecutionConfig::new(machine_name(machine_arn), name);
    if let Some((prefix, machine)) = machine_arn.split_once(":stateMachine:") {
        config.state_machine_arn = machine_arn.to_owned();
        config.execution_arn = format!("{prefix}:execution:{machine}:{name}");
        if let Some(region) = prefix.split(':').nth(3).filter(|r| !r.is_empty()) {
            config.region = region.to_owned();
        }
    }
    config
}

pub(super) fn store_error(e: StoreError) -> EngineError {
    EngineError::Store(e.to_string())
}

impl Engine {
    /// Persists the Standard executions this engine starts by name
    /// ([`Engine::start_standard_execution`]) in `store`, and registers state machines there.
    /// Call [`Engine::recover`] next to resume the executions the store holds.
    pub fn with_store(mut self, store: impl Store + 'static) -> Self {
        let link = StoreLink::new(Box::new(store));
        link.set_retention(self.retention);
        self.store = Some(Arc::new(link));
        self.spawn_purger();
        self
    }

    /// How many persisted executions are in memory now: the others wait in the store (see
    /// [`Engine::with_park_after`]).
    pub fn executions_in_memory(&self) -> usize {
        self.store.as_ref().map_or(0, |link| link.awake())
    }

    /// Opens (creating if needed) the SQLite store at `path` and resumes every execution it
    /// holds that is still running; their handles come back with the engine.
    #[cfg(feature = "sqlite")]
    pub async fn open_durable(
        path: impl AsRef<std::path::Path>,
        resources: crate::Resources,
        durability: crate::store::Durability,
    ) -> Result<(Engine, Vec<ExecutionHandle>), EngineError> {
        let store =
            crate::store::sqlite::SqliteStore::open(path, durability).map_err(store_error)?;
        let engine = Engine::new(resources).with_store(store);
        let resumed = engine.recover().await?;
        Ok((engine, resumed))
    }

    pub(super) fn link(&self) -> Result<&Arc<StoreLink>, EngineError> {
        self.store.as_ref().ok_or(EngineError::NoStore)
    }

    /// Whether the engine has a store.
    pub(crate) fn has_store(&self) -> bool {
        self.store.is_some()
    }

    /// Runs `f` on the store's thread.
    pub(crate) async fn with_stored<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Box<dyn Store>) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, EngineError> {
        let link = self.link()?;
        link.committer
            .call(f)
            .await
            .and_then(|r| r)
            .map_err(store_error)
    }

    /// `CreateStateMachine` (Standard): validates `definition`, stores it, and makes it
    /// available to [`Engine::start_standard_execution`] and `states:startExecution` tasks.
    /// Returns its ARN (account `123456789012`, region `us-east-1`); creating it again
    /// replaces the definition for executions started from then on.
    pub async fn create_state_machine(
        &self,
        name: &str,
        definition: &str,
    ) -> Result<String, EngineError> {
        let machine = sfn_asl::parse(definition)
            .map_err(|f| EngineError::InvalidDefinition(format!("{:?}", f.0)))?;
        let arn = ExecutionConfig::new(name, "x").state_machine_arn;
        let record = StateMachineRecord {
            arn: arn.clone(),
            name: name.to_owned(),
            kind: "STANDARD".into(),
            definition: definition.to_owned(),
            role_arn: None,
            created_ms: self.epoch_ms.unwrap_or_else(system_ms),
        };
        self.with_stored(move |s| s.put_state_machine(&record))
            .await?;
        self.link()?.hold_machine(&arn);
        let machine = Arc::new(machine);
        self.remember_definition(definition, &machine);
        self.register_state_machine(&arn, machine);
        Ok(arn)
    }

    /// `StartExecution` of a Standard execution, persisted: `name` follows Step Functions'
    /// rules; a running execution with the same name and input is returned as it is, any other
    /// one with that name is `ExecutionAlreadyExists`.
    pub async fn start_standard_execution(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: Value,
    ) -> Result<StartedExecution, EngineError> {
        validate_execution_name(name)?;
        let link = self.link()?.clone();
        let machine = self
            .state_machine(state_machine_arn)
            .ok_or_else(|| EngineError::StateMachineDoesNotExist(state_machine_arn.to_owned()))?;
        let config = config_for(state_machine_arn, name);
        super::check_input(&input, &config)?;
        let start_ms = self.clock_ms();
        let record = ExecutionRecord {
            arn: config.execution_arn.clone(),
            name: name.to_owned(),
            state_machine_arn: state_machine_arn.to_owned(),
            status: Status::Running,
            input: input.to_string(),
            output: None,
            error: None,
            cause: None,
            started_ms: start_ms,
            stopped_ms: None,
            redrive_count: 0,
            redrive_ms: None,
            parent: None,
            map_run_arn: None,
        };
        // Joins the store's next batch: concurrent starts share a transaction and a flush.
        let created = link.committer.create(record).await.map_err(store_error)?;
        if let Created::Existing(found) = created {
            let same_input = serde_json::from_str::<Value>(&found.input).ok() == Some(input);
            if found.status == Status::Running && same_input {
                return Ok(StartedExecution {
                    execution_arn: found.arn,
                    start_ms: found.started_ms,
                    handle: None,
                });
            }
            return Err(EngineError::ExecutionAlreadyExists(found.arn));
        }
        let execution_arn = config.execution_arn.clone();
        let exec = Execution::new(machine, config);
        let channel = mpsc::unbounded_channel();
        if !link.enter(&execution_arn, &channel.0) {
            return Err(EngineError::ExecutionAlreadyExists(execution_arn));
        }
        let handle = self.spawn_persisted(
            &link,
            exec,
            start_ms,
            Vec::new(),
            Start::Run(input),
            channel,
            None,
        );
        Ok(StartedExecution {
            execution_arn,
            start_ms,
            handle: Some(handle),
        })
    }

    /// Spawns the driver of a persisted execution whose journal holds `position` events, on
    /// the channel [`StoreLink::enter`] registered; `parent`: the task that started it.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn spawn_persisted(
        &self,
        link: &Arc<StoreLink>,
        exec: Execution,
        epoch_ms: u64,
        pending: Vec<Command>,
        start: Start,
        (tx, rx): Channel,
        parent: Option<crate::store::ParentLink>,
    ) -> ExecutionHandle {
        let arn = exec.config().execution_arn.clone();
        let position = match start {
            Start::Run(_) => 0,
            Start::Resume(position) | Start::Redriven(position) => position,
        };
        let persisted =
            Persisted::new(link.clone(), arn.clone(), position, &pending).with_parent(parent);
        let mut driver =
            Driver::new(self.clone(), exec, tx.clone(), rx, epoch_ms).persisted(persisted);
        let live = link.observer(&arn);
        let mut handle = match start {
            Start::Run(input) => self.spawn_observed(live, driver, tx, arn, |d| d.run(input)),
            Start::Resume(_) => {
                let pending = driver.await_submitted(pending);
                self.spawn_observed(live, driver, tx, arn, |d| d.resume(pending))
            }
            Start::Redriven(_) => {
                self.spawn_observed(live, driver, tx, arn, |d| d.carry_on(pending, false))
            }
        };
        link.spawned(&handle.execution_arn, handle.join.abort_handle());
        handle.persisted = Some(self.clone());
        handle
    }

    /// Resumes every execution the store holds that is still running: registers the stored
    /// state machines, rebuilds each execution by replaying its journal, and carries on with
    /// its pending commands (timers at their absolute deadlines, tasks run again, submitted
    /// tasks waiting for their tokens).
    pub async fn recover(&self) -> Result<Vec<ExecutionHandle>, EngineError> {
        let link = self.link()?.clone();
        let (machines, running, activities) = self
            .with_stored(|s| Ok((s.state_machines()?, s.active()?, s.activities(0, None)?)))
            .await?;
        self.activities().load(activities.items);
        for record in machines {
            let machine = sfn_asl::parse(&record.definition).map_err(|f| {
                EngineError::InvalidDefinition(format!("stored {}: {:?}", record.arn, f.0))
            })?;
            let machine = Arc::new(machine);
            self.remember_definition(&record.definition, &machine);
            self.register_state_machine(&record.arn, machine);
            if record.kind == "STANDARD" {
                link.hold_machine(&record.arn);
            }
        }
        let mut handles = Vec::with_capacity(running.len());
        for record in running {
            let channel = mpsc::unbounded_channel();
            if link.enter(&record.arn, &channel.0) {
                handles.push(self.resume_stored(&link, record, channel).await?);
            }
        }
        self.tell_parents().await?;
        self.schedule_timers(&link);
        Ok(handles)
    }

    /// Brings a parked execution back into memory (replaying its journal), with `msg` (if any)
    /// waiting in its driver's channel so the driver does not leave again before it; nothing
    /// (and `msg` back) when the execution is in memory already.
    async fn wake(
        &self,
        execution_arn: &str,
        msg: Option<super::DriverMsg>,
    ) -> Result<Option<super::DriverMsg>, EngineError> {
        let link = self.link()?.clone();
        let channel = mpsc::unbounded_channel();
        if !link.enter(execution_arn, &channel.0) {
            return Ok(msg);
        }
        if let Some(msg) = msg {
            // The receiver is in `channel`: this cannot fail.
            let _ = channel.0.send(msg);
        }
        let arn = execution_arn.to_owned();
        let woken = match self.with_stored(move |s| s.execution(&arn)).await {
            // Its parent runs it (see `Transition::map_children`).
            Ok(Some(record)) if record.map_run_arn.is_some() => Err(EngineError::InvalidArn {
                arn: record.arn,
                expected: "an execution that runs on its own: a Map Run's child execution is \
                           stopped or redriven through its parent"
                    .into(),
            }),
            Ok(Some(record)) if record.status == Status::Running => {
                self.resume_stored(&link, record, channel).await
            }
            Ok(Some(_)) => Err(EngineError::ExecutionNotRunning),
            Ok(None) => Err(EngineError::ExecutionDoesNotExist(execution_arn.to_owned())),
            Err(e) => Err(e),
        };
        if woken.is_err() {
            link.leave(execution_arn);
        }
        woken.map(|_| None)
    }

    /// Sends `msg` to a persisted execution's driver, bringing the execution back into memory
    /// when it waits in the store.
    pub(super) async fn deliver(
        &self,
        execution_arn: &str,
        msg: super::DriverMsg,
    ) -> Result<(), EngineError> {
        let link = self.link()?.clone();
        let mut msg = msg;
        // Between a failed send and the wake another task may bring the execution back (then
        // the send is tried again), or its driver may leave memory (then it is woken again).
        for _ in 0..8 {
            match link.send(execution_arn, msg) {
                Ok(()) => return Ok(()),
                Err(back) => msg = back,
            }
            match self.wake(execution_arn, Some(msg)).await? {
                None => return Ok(()),
                Some(back) => msg = back,
            }
        }
        Err(EngineError::DriverStopped(format!(
            "{execution_arn} kept leaving memory before a message reached it"
        )))
    }

    /// The execution and task of a token the store holds (an execution waiting out of memory,
    /// or one this process has not loaded).
    pub(super) async fn stored_token(&self, token: &str) -> Result<(String, TaskId), EngineError> {
        let missing = || EngineError::TaskDoesNotExist(token.to_owned());
        if self.store.is_none() {
            return Err(missing());
        }
        let key = token.to_owned();
        let record = self.with_stored(move |s| s.token(&key)).await?;
        let record = record.ok_or_else(missing)?;
        if record.closed {
            return Err(EngineError::TaskTimedOut(token.to_owned()));
        }
        Ok((record.execution_arn, TaskId(record.task_id)))
    }

    /// Starts, once, the task that wakes parked executions when their timers are due.
    fn schedule_timers(&self, link: &Arc<StoreLink>) {
        if link.scheduling.swap(true, Ordering::SeqCst) {
            return;
        }
        let engine = self.clone();
        tokio::spawn(async move { engine.wake_due().await });
    }

    /// The timer scheduler: wakes each parked execution whose timer is due, then sleeps until
    /// the next one (or until a driver parks with an earlier one).
    async fn wake_due(self) {
        const BATCH: usize = 256;
        const MAX_AWAKE: usize = 10_000;
        let Ok(link) = self.link().cloned() else {
            return;
        };
        while link.is_open() {
            // Until it sleeps again, every driver that parks with a timer signals it: a timer
            // committed after the queries below read the store is not missed.
            link.scheduled_ms.store(u64::MAX, Ordering::SeqCst);
            let now = self.clock_ms();
            let due = match self.with_stored(move |s| s.due_timers(now, BATCH)).await {
                Ok(due) => due,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the due timers; trying again in 1 s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            let full = due.len() == BATCH;
            // Held back (in memory already: its driver fires it; or too many in memory): look
            // again shortly. Failed to wake: look again later, without spinning on it.
            let mut min_wait_ms = 0;
            for timer in due {
                if link.is_awake(&timer.execution_arn) || link.awake() >= MAX_AWAKE {
                    min_wait_ms = min_wait_ms.max(20);
                } else if let Err(e) = self.wake(&timer.execution_arn, None).await {
                    tracing::warn!(execution = %timer.execution_arn, error = %e, "cannot wake the execution for its timer");
                    min_wait_ms = 1000;
                }
            }
            if full && min_wait_ms == 0 {
                tokio::task::yield_now().await;
                continue;
            }
            let next = self
                .with_stored(|s| s.next_timer())
                .await
                .unwrap_or_default();
            let now = self.clock_ms();
            let wait_ms = next
                .map_or(3_600_000, |t| t.due_ms.saturating_sub(now))
                .max(min_wait_ms);
            link.scheduled_ms
                .store(now.saturating_add(wait_ms), Ordering::SeqCst);
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(wait_ms)) => {}
                () = link.parked.notified() => {}
            }
        }
    }

    /// Rebuilds one stored execution from its journal and resumes it.
    async fn resume_stored(
        &self,
        link: &Arc<StoreLink>,
        record: ExecutionRecord,
        channel: Channel,
    ) -> Result<ExecutionHandle, EngineError> {
        let config = config_for(&record.state_machine_arn, &record.name);
        let arn = record.arn.clone();
        let parent = record.parent.clone();
        let (journal, definition) = self
            .with_stored(move |s| Ok((s.journal(&arn)?, s.execution_definition(&arn)?)))
            .await?;
        let machine = self.machine_of(&record, definition.as_deref())?;
        let mut exec = Execution::new(machine, config);
        let now = self.clock_ms();
        if journal.is_empty() {
            // Stopped before its start was committed: it starts now.
            let input = serde_json::from_str(&record.input).unwrap_or(Value::Null);
            let start = Start::Run(input);
            let pending = Vec::new();
            return Ok(self.spawn_persisted(link, exec, now, pending, start, channel, parent));
        }
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
        let pending: Vec<Command> = exec.pending(&issued).into_iter().cloned().collect();
        let position = journal.len() as u64;
        let start = Start::Resume(position);
        Ok(self.spawn_persisted(link, exec, now, pending, start, channel, parent))
    }

    /// A handle to a persisted execution, in memory or waiting in the store (a restarted
    /// engine's [`Engine::recover`] returns handles only for the executions it loaded): its
    /// `result()` returns when the execution ends, at once when it already has (with no
    /// history: the store has it, [`Engine::get_execution_history`]).
    pub async fn attach(&self, execution_arn: &str) -> Result<ExecutionHandle, EngineError> {
        let link = self.link()?.clone();
        // Observed first: an end committed from here on is published to this handle.
        let live = link.observer(execution_arn);
        let record = self
            .describe_execution(execution_arn)
            .await?
            .ok_or_else(|| EngineError::ExecutionDoesNotExist(execution_arn.to_owned()))?;
        if record.status != Status::Running {
            let outcome = crate::execution::Outcome {
                status: record.status,
                output: record.output.and_then(|o| serde_json::from_str(&o).ok()),
                error: record.error,
                cause: record.cause,
            };
            let history = Vec::new();
            super::persist::publish(&live, Ok(super::ExecutionResult { outcome, history }));
        }
        // No driver of its own: a stop goes through the engine, which wakes the execution.
        let (tx, _) = mpsc::unbounded_channel();
        let join = tokio::spawn(async { Err(EngineError::ExecutionNotRunning) });
        Ok(ExecutionHandle {
            join,
            tx,
            live,
            map_runs: self.map_runs.clone(),
            execution_arn: execution_arn.to_owned(),
            persisted: Some(self.clone()),
        })
    }

    /// `DescribeExecution` from the store.
    pub async fn describe_execution(
        &self,
        execution_arn: &str,
    ) -> Result<Option<ExecutionRecord>, EngineError> {
        let arn = execution_arn.to_owned();
        self.with_stored(move |s| s.execution(&arn)).await
    }

    /// `ListExecutions` from the store: newest first, filtered and paged by `query`.
    pub async fn list_executions(
        &self,
        query: ExecutionQuery,
    ) -> Result<Page<ExecutionRecord>, EngineError> {
        self.with_stored(move |s| s.executions(&query)).await
    }

    /// `GetExecutionHistory` from the store: a page of events as AWS returns them.
    pub async fn get_execution_history(
        &self,
        execution_arn: &str,
        query: HistoryQuery,
    ) -> Result<Page<Value>, EngineError> {
        let arn = execution_arn.to_owned();
        let page = self.with_stored(move |s| s.history(&arn, &query)).await?;
        let items = page
            .items
            .iter()
            .map(|(_, text)| serde_json::from_str(text).unwrap_or(Value::Null))
            .collect();
        Ok(Page {
            items,
            next: page.next,
        })
    }

    /// `StopExecution` of a persisted execution: it ends `ABORTED` (`ExecutionAborted` with
    /// `error` and `cause`) once its driver has committed the stop. An execution that already
    /// ended is `ExecutionNotRunning`; an unknown one `ExecutionDoesNotExist`.
    pub async fn stop_execution(
        &self,
        execution_arn: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<(), EngineError> {
        let stop = super::DriverMsg::Stop(Box::new((error, cause)));
        self.deliver(execution_arn, stop).await
    }

    /// Stops every persisted execution where it is and commits nothing more, as a crash of the
    /// process would; an engine opened on the store again resumes them. (Tests use it to crash
    /// an engine without ending the process.)
    pub fn halt(&self) {
        if let Some(link) = &self.store {
            link.halt();
        }
    }
}

/// A driver's channel.
type Channel = (
    mpsc::UnboundedSender<super::DriverMsg>,
    mpsc::UnboundedReceiver<super::DriverMsg>,
);

/// How a persisted driver begins.
pub(super) enum Start {
    /// A new execution, with its input.
    Run(Value),
    /// A rebuilt one whose journal holds this many events.
    Resume(u64),
    /// A redriven one whose journal holds this many events (its redrive the last).
    Redriven(u64),
}
