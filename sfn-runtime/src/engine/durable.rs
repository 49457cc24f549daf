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

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::mpsc;

use super::persist::{Persisted, StoreLink};
use super::run::Driver;
use super::{system_ms, Engine, EngineError, ExecutionHandle};
use crate::execution::{Command, Event, Execution, ExecutionConfig, Status};
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

    /// Runs `f` on the store's thread.
    pub(super) async fn with_stored<R: Send + 'static>(
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
        let start_ms = self.epoch_ms.unwrap_or_else(system_ms);
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
        let handle = self.spawn_persisted(&link, exec, start_ms, Vec::new(), Start::Run(input));
        Ok(StartedExecution {
            execution_arn,
            start_ms,
            handle: Some(handle),
        })
    }

    /// Spawns the driver of a persisted execution whose journal holds `position` events.
    pub(super) fn spawn_persisted(
        &self,
        link: &Arc<StoreLink>,
        exec: Execution,
        epoch_ms: u64,
        pending: Vec<Command>,
        start: Start,
    ) -> ExecutionHandle {
        let (tx, rx) = mpsc::unbounded_channel();
        let arn = exec.config().execution_arn.clone();
        let position = match start {
            Start::Run(_) => 0,
            Start::Resume(position) | Start::Redriven(position) => position,
        };
        let persisted = Persisted::new(link.clone(), arn.clone(), position, &pending);
        let mut driver =
            Driver::new(self.clone(), exec, tx.clone(), rx, epoch_ms).persisted(persisted);
        let handle = match start {
            Start::Run(input) => self.spawn(driver, tx, arn, |d| d.run(input)),
            Start::Resume(_) => {
                let pending = driver.await_submitted(pending);
                self.spawn(driver, tx, arn, |d| d.resume(pending))
            }
            Start::Redriven(_) => self.spawn(driver, tx, arn, |d| d.carry_on(pending, false)),
        };
        link.track(
            handle.execution_arn.clone(),
            handle.join.abort_handle(),
            handle.tx.clone(),
        );
        handle
    }

    /// Resumes every execution the store holds that is still running: registers the stored
    /// state machines, rebuilds each execution by replaying its journal, and carries on with
    /// its pending commands (timers at their absolute deadlines, tasks run again, submitted
    /// tasks waiting for their tokens).
    pub async fn recover(&self) -> Result<Vec<ExecutionHandle>, EngineError> {
        let link = self.link()?.clone();
        let (machines, running) = self
            .with_stored(|s| Ok((s.state_machines()?, s.active()?)))
            .await?;
        for record in machines {
            let machine = sfn_asl::parse(&record.definition).map_err(|f| {
                EngineError::InvalidDefinition(format!("stored {}: {:?}", record.arn, f.0))
            })?;
            let machine = Arc::new(machine);
            self.remember_definition(&record.definition, &machine);
            self.register_state_machine(&record.arn, machine);
        }
        let mut handles = Vec::with_capacity(running.len());
        for record in running {
            handles.push(self.resume_stored(&link, record).await?);
        }
        Ok(handles)
    }

    /// Rebuilds one stored execution from its journal and resumes it.
    async fn resume_stored(
        &self,
        link: &Arc<StoreLink>,
        record: ExecutionRecord,
    ) -> Result<ExecutionHandle, EngineError> {
        let config = config_for(&record.state_machine_arn, &record.name);
        let arn = record.arn.clone();
        let (journal, definition) = self
            .with_stored(move |s| Ok((s.journal(&arn)?, s.execution_definition(&arn)?)))
            .await?;
        let machine = self.machine_of(&record, definition.as_deref())?;
        let mut exec = Execution::new(machine, config);
        let now = self.epoch_ms.unwrap_or_else(system_ms);
        if journal.is_empty() {
            // Stopped before its start was committed: it starts now.
            let input = serde_json::from_str(&record.input).unwrap_or(Value::Null);
            return Ok(self.spawn_persisted(link, exec, now, Vec::new(), Start::Run(input)));
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
        Ok(self.spawn_persisted(link, exec, now, pending, Start::Resume(position)))
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
        let link = self.link()?;
        if let Some(tx) = link.driver(execution_arn) {
            if tx
                .send(super::DriverMsg::Stop(Box::new((error, cause))))
                .is_ok()
            {
                return Ok(());
            }
        }
        match self.describe_execution(execution_arn).await? {
            Some(_) => Err(EngineError::ExecutionNotRunning),
            None => Err(EngineError::ExecutionDoesNotExist(execution_arn.to_owned())),
        }
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

/// How a persisted driver begins.
pub(super) enum Start {
    /// A new execution, with its input.
    Run(Value),
    /// A rebuilt one whose journal holds this many events.
    Resume(u64),
    /// A redriven one whose journal holds this many events (its redrive the last).
    Redriven(u64),
}
