//! Typed runs of a workflow: the [`Workflow`] trait every `workflow!` implements (its name,
//! ASL, input/output types and typed states) and the [`Runner`] its generated `run`/`start`
//! use. The runner makes the workflow's typed task methods the engine's handlers and turns the
//! execution's JSON output into the workflow's output type.
//!
//! `workflow!` (through the `sfn` crate) writes the impls; by hand they look like this:
//!
//! ```
//! use sfn_asl::StateMachine;
//! use sfn_runtime::workflow::{Runner, Workflow, WorkflowKind, WorkflowState};
//! use sfn_runtime::Resources;
//!
//! struct Doubler;
//! #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
//! enum DoublerState { Double }
//! impl WorkflowState for DoublerState {
//!     const ALL: &'static [Self] = &[DoublerState::Double];
//!     fn name(self) -> &'static str { "Double" }
//!     fn from_name(name: &str) -> Option<Self> { (name == "Double").then_some(DoublerState::Double) }
//! }
//! impl Workflow for Doubler {
//!     type Input = serde_json::Value;
//!     type Output = serde_json::Value;
//!     type State = DoublerState;
//!     const NAME: &'static str = "Doubler";
//!     const ASL: &'static str = r#"{"StartAt":"Double","States":{"Double":{"Type":"Task",
//!         "Resource":"arn:aws:lambda:us-east-1:123456789012:function:double","End":true}}}"#;
//!     const KIND: WorkflowKind = WorkflowKind::Standard;
//!     fn definition() -> StateMachine { sfn_asl::parse(Self::ASL).expect("valid ASL") }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let mut resources = Resources::new();
//! resources.register("arn:aws:lambda:us-east-1:123456789012:function:double", |req| async move {
//!     Ok(serde_json::json!({ "n": req.input["n"].as_i64().unwrap_or(0) * 2 }))
//! });
//! let out = Runner::<Doubler>::new(resources).run(serde_json::json!({ "n": 21 })).await;
//! assert_eq!(out, Ok(serde_json::json!({ "n": 42 })));
//! # }
//! ```

use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use sfn_asl::error::STATES_RUNTIME;
use sfn_asl::StateMachine;

use crate::history::HistoryEvent;
use crate::mocks::{MockTaskSource, MockTestCase};
use crate::{
    Engine, EngineError, ExecutionConfig, ExecutionHandle, ExecutionResult, Outcome, Resources,
    Status, TaskError,
};

/// Standard (durable, exactly-once) or Express (in memory, at-least-once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkflowKind {
    /// `#[workflow(kind = Standard)]` (the default).
    Standard,
    /// `#[workflow(kind = Express)]`.
    Express,
}

/// A workflow defined with `workflow!`.
pub trait Workflow {
    /// The execution input type.
    type Input;
    /// The execution output type.
    type Output;
    /// The enum of the workflow's states.
    type State: WorkflowState;
    /// The workflow's name (the Rust type name).
    const NAME: &'static str;
    /// The ASL definition, emitted at compile time.
    const ASL: &'static str;
    /// Standard or Express.
    const KIND: WorkflowKind;
    /// The definition as a model.
    fn definition() -> StateMachine;
}

/// The generated enum of a workflow's states.
pub trait WorkflowState: Copy + Eq + std::hash::Hash + std::fmt::Debug + 'static {
    /// Every state, in definition order.
    const ALL: &'static [Self];
    /// The state's ASL name.
    fn name(self) -> &'static str;
    /// The state with this ASL name.
    fn from_name(name: &str) -> Option<Self>;
}

/// Why a typed run did not produce the workflow's output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {error}: {cause}")]
pub struct ExecutionError {
    /// What went wrong.
    pub kind: ExecutionErrorKind,
    /// The error name (`States.TaskFailed`, `OrderRejected`, `sfn.OutputMismatch`, ...).
    pub error: String,
    /// The cause text (empty when the execution gave none).
    pub cause: String,
}

/// The ways a typed run ends without an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExecutionErrorKind {
    /// The execution failed (a `fail` state, an uncaught task error, `States.Runtime`, ...).
    #[error("the execution failed")]
    Failed,
    /// The execution ran past its `TimeoutSeconds`.
    #[error("the execution timed out")]
    TimedOut,
    /// The execution was stopped.
    #[error("the execution was aborted")]
    Aborted,
    /// The input type did not serialize to JSON.
    #[error("the input does not serialize to JSON")]
    Input,
    /// The input's JSON text is over the 256 KiB payload limit: the execution did not start.
    #[error("the input is larger than the payload limit")]
    InputTooLarge,
    /// The execution succeeded, but its JSON output does not deserialize into the output type.
    #[error("the output does not match the workflow's output type")]
    Output,
    /// The engine stopped without a result (its task panicked or was cancelled).
    #[error("the engine stopped")]
    Engine,
    /// A durable execution did not start (`Runner::start_named`): its name, or the store.
    #[error("the execution did not start")]
    NotStarted,
}

impl ExecutionError {
    /// The error name given to an output that does not deserialize into the output type.
    pub const OUTPUT_MISMATCH: &'static str = "sfn.OutputMismatch";
    /// The error name given to an input that does not serialize to JSON.
    pub const INPUT_NOT_JSON: &'static str = "sfn.InputNotJson";
    /// The error name given to an input over the payload limit: AWS's `StartExecution`
    /// answers a parameter over its length constraint with a `ValidationException`.
    pub const INPUT_TOO_LARGE: &'static str = "ValidationException";

    fn new(kind: ExecutionErrorKind, error: impl Into<String>, cause: impl Into<String>) -> Self {
        ExecutionError {
            kind,
            error: error.into(),
            cause: cause.into(),
        }
    }
}

/// The end of a typed run: the typed output (or why there is none) and what the engine recorded.
#[derive(Debug, Clone)]
pub struct Run<O> {
    /// The output, or the execution's error.
    pub output: Result<O, ExecutionError>,
    /// The untyped outcome and the history.
    pub result: ExecutionResult,
}

impl<O> Run<O> {
    /// The execution's history events.
    pub fn history(&self) -> &[HistoryEvent] {
        &self.result.history
    }
}

/// Runs one workflow on an [`Engine`] whose handlers are the workflow's typed task methods.
pub struct Runner<W> {
    resources: Resources,
    engine: Engine,
    config: ExecutionConfig,
    /// The workflow's state machine in the store, when the engine has one.
    stored_arn: Option<String>,
    workflow: PhantomData<fn() -> W>,
}

impl<W> std::fmt::Debug for Runner<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("resources", &self.resources)
            .field("config", &self.config)
            .finish()
    }
}

impl<W: Workflow> Runner<W>
where
    W::Input: Serialize,
    W::Output: DeserializeOwned,
{
    /// A runner calling `resources` (the generated `OrderFlow::resources(&tasks)`, or any other).
    pub fn new(resources: Resources) -> Self {
        let mut config = ExecutionConfig::new(W::NAME, "run");
        if W::KIND == WorkflowKind::Express {
            use crate::engine::express;
            config.express = true;
            config.max_history_events = express::EXPRESS_MAX_EVENTS;
            config.max_timeout_seconds = Some(express::EXPRESS_MAX_SECONDS);
        }
        Runner {
            engine: Engine::new(resources.clone()),
            resources,
            config,
            stored_arn: None,
            workflow: PhantomData,
        }
    }

    /// Answers the states a mock test case names from it (service integrations, failures to
    /// rehearse); the task methods answer the others. Invocations are counted per runner.
    /// Call it before [`Runner::open_durable`]: it gives the runner a new in-memory engine.
    pub fn mocked(mut self, case: MockTestCase) -> Self {
        self.resources
            .add_source(Arc::new(MockTaskSource::new(case)));
        self.engine = Engine::new(self.resources.clone());
        self.stored_arn = None;
        self
    }

    /// Lets the Task states no method answers (`service` tasks of `workflow!`) call AWS through
    /// `clients` (the `aws` feature): `OrderFlow::runner(&tasks).aws(AwsClients::from_env())`.
    /// Like [`Runner::mocked`], call it before [`Runner::open_durable`]: it gives the runner a
    /// new in-memory engine.
    #[cfg(feature = "aws")]
    pub fn aws(mut self, clients: crate::aws::AwsClients) -> Self {
        self.resources.set_aws(clients);
        self.engine = Engine::new(self.resources.clone());
        self.stored_arn = None;
        self
    }

    /// Names and configures the executions (default: `ExecutionConfig::new(NAME, "run")`,
    /// Express semantics for Express workflows).
    pub fn config(mut self, config: ExecutionConfig) -> Self {
        self.config = config;
        self
    }

    /// The engine the executions run on: `send_task_success` and friends complete
    /// `.waitForTaskToken` tasks through it.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Runs an execution to its end and returns its typed output.
    pub async fn run(&self, input: W::Input) -> Result<W::Output, ExecutionError> {
        self.run_with_history(input).await.output
    }

    /// Runs an execution to its end and returns its typed output with the history.
    pub async fn run_with_history(&self, input: W::Input) -> Run<W::Output> {
        let value = match to_value(&input).and_then(|v| self.checked(v)) {
            Ok(v) => v,
            Err(e) => {
                return Run {
                    output: Err(e),
                    result: empty_result(),
                }
            }
        };
        let result = self
            .engine
            .start_sync_execution(Arc::new(W::definition()), value, self.config.clone())
            .await;
        Run {
            output: typed_output(&result.outcome),
            result,
        }
    }

    /// Starts an execution on a new tokio task.
    pub fn start(&self, input: W::Input) -> Result<Started<W>, ExecutionError> {
        let value = self.checked(to_value(&input)?)?;
        let handle =
            self.engine
                .start_execution(Arc::new(W::definition()), value, self.config.clone());
        Ok(Started {
            handle,
            workflow: PhantomData,
        })
    }
}

impl<W: Workflow> Runner<W>
where
    W::Input: Serialize,
    W::Output: DeserializeOwned,
{
    /// Moves the runner onto a durable engine on the store `store` (see
    /// [`Engine::with_store`]): the workflow is stored as the state machine named
    /// [`Workflow::NAME`], and [`Runner::start_named`] starts Standard executions of it that
    /// persist every transition before acting on it. Every execution the store holds that is
    /// still running resumes with this runner's handlers (the same task methods); the ones of
    /// this workflow come back as [`Started`], to wait for. An execution started before keeps
    /// the definition it started with; new ones run the workflow as compiled now.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")]
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # use sfn_asl::StateMachine;
    /// # use sfn_runtime::workflow::{Runner, Workflow, WorkflowKind, WorkflowState};
    /// # struct Hello;
    /// # #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)] enum S { P }
    /// # impl WorkflowState for S { const ALL: &'static [Self] = &[S::P];
    /// #   fn name(self) -> &'static str { "P" } fn from_name(_: &str) -> Option<Self> { Some(S::P) } }
    /// # impl Workflow for Hello { type Input = serde_json::Value; type Output = serde_json::Value;
    /// #   type State = S; const NAME: &'static str = "Hello"; const KIND: WorkflowKind = WorkflowKind::Standard;
    /// #   const ASL: &'static str = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#;
    /// #   fn definition() -> StateMachine { sfn_asl::parse(Self::ASL).unwrap() } }
    /// use sfn_runtime::store::{sqlite::SqliteStore, Durability};
    /// let dir = std::env::temp_dir().join(format!("sfn-runner-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let store = SqliteStore::open(dir.join("store.db"), Durability::Full).unwrap();
    /// let (runner, resumed) = Runner::<Hello>::new(sfn_runtime::Resources::new())
    ///     .open_durable(store)
    ///     .await
    ///     .unwrap();
    /// assert!(resumed.is_empty());
    /// let started = runner.start_named("first", serde_json::json!({"a": 1})).await.unwrap();
    /// let arn = started.execution_arn().to_owned();
    /// assert!(arn.ends_with(":execution:Hello:first"));
    /// assert_eq!(started.result().await.output, Ok(serde_json::json!({"a": 1})));
    /// // Later, or in a later run of the program: the typed output from the store.
    /// assert_eq!(runner.wait_for(&arn).await, Ok(serde_json::json!({"a": 1})));
    /// # drop(runner); std::fs::remove_dir_all(&dir).ok();
    /// # }
    /// # #[cfg(not(feature = "sqlite"))] fn main() {}
    /// ```
    pub async fn open_durable(
        mut self,
        store: impl crate::store::Store + 'static,
    ) -> Result<(Self, Vec<Started<W>>), EngineError> {
        let engine = Engine::new(self.resources.clone()).with_store(store);
        let mut resumed = engine.recover().await?;
        let arn = engine.create_state_machine(W::NAME, W::ASL).await?;
        // The executions waiting in the store (not loaded by the recovery) get handles too.
        let mut query = crate::store::ExecutionQuery {
            state_machine_arn: Some(arn.clone()),
            status: Some(crate::Status::Running),
            limit: 1000,
            ..crate::store::ExecutionQuery::default()
        };
        loop {
            let page = engine.list_executions(query.clone()).await?;
            for record in page.items {
                if !resumed.iter().any(|h| h.execution_arn() == record.arn) {
                    resumed.push(engine.attach(&record.arn).await?);
                }
            }
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        let resumed = resumed
            .into_iter()
            .filter(|h| execution_of(h.execution_arn(), &arn))
            .map(|handle| Started {
                handle,
                workflow: PhantomData,
            })
            .collect();
        self.engine = engine;
        self.stored_arn = Some(arn);
        Ok((self, resumed))
    }

    /// `StartExecution` of a durable Standard execution named `name` (unique among the
    /// workflow's executions, Step Functions' name rules) on the engine of
    /// [`Runner::open_durable`]. Errors have the kind [`ExecutionErrorKind::NotStarted`] and
    /// AWS's error name: `InvalidName`, `ExecutionAlreadyExists` (also when an execution with
    /// this name and input is already running: its [`Started`] came back from
    /// `open_durable`, or from the first `start_named`), or `sfn.NotDurable` on a runner that
    /// is not durable.
    pub async fn start_named(
        &self,
        name: &str,
        input: W::Input,
    ) -> Result<Started<W>, ExecutionError> {
        let value = self.checked(to_value(&input)?)?;
        let not_started = |error: &str, cause: String| {
            ExecutionError::new(ExecutionErrorKind::NotStarted, error, cause)
        };
        let Some(arn) = &self.stored_arn else {
            return Err(not_started(
                "sfn.NotDurable",
                "the runner has no store; open it on one with `open_durable` first".into(),
            ));
        };
        let started = self
            .engine
            .start_standard_execution(arn, name, value)
            .await
            .map_err(|e| not_started(engine_error_name(&e), e.to_string()))?;
        match started.handle {
            Some(handle) => Ok(Started {
                handle,
                workflow: PhantomData,
            }),
            None => Err(not_started(
                "ExecutionAlreadyExists",
                format!(
                    "execution `{}` is already running with this input; wait for the `Started` \
                     that `open_durable` or the first `start_named` returned",
                    started.execution_arn
                ),
            )),
        }
    }
}

impl<W: Workflow> Runner<W>
where
    W::Output: DeserializeOwned,
{
    /// Waits for the end of the durable execution `execution_arn` and returns its typed
    /// output: one this program started, or one an earlier run of it started, whether it runs
    /// in memory or waits in the store. It reads the execution's status from the store until
    /// it is no longer `RUNNING` (every 10 ms at first, then less often, at most every 500 ms).
    /// An execution the store does not hold is `ExecutionDoesNotExist`
    /// ([`ExecutionErrorKind::NotStarted`]).
    pub async fn wait_for(&self, execution_arn: &str) -> Result<W::Output, ExecutionError> {
        let mut pause = std::time::Duration::from_millis(10);
        loop {
            let record = self
                .engine
                .describe_execution(execution_arn)
                .await
                .map_err(|e| {
                    ExecutionError::new(
                        ExecutionErrorKind::Engine,
                        "sfn.StoreFailed",
                        e.to_string(),
                    )
                })?;
            let Some(record) = record else {
                return Err(ExecutionError::new(
                    ExecutionErrorKind::NotStarted,
                    "ExecutionDoesNotExist",
                    format!("execution `{execution_arn}` does not exist in the store"),
                ));
            };
            if record.status != Status::Running {
                let outcome = Outcome {
                    status: record.status,
                    output: record.output.and_then(|o| serde_json::from_str(&o).ok()),
                    error: record.error,
                    cause: record.cause,
                };
                return typed_output(&outcome);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(std::time::Duration::from_millis(500));
        }
    }
}

/// Whether `execution_arn` is an execution of the state machine `machine_arn`.
fn execution_of(execution_arn: &str, machine_arn: &str) -> bool {
    match machine_arn.split_once(":stateMachine:") {
        Some((prefix, name)) => execution_arn
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix(":execution:"))
            .and_then(|rest| rest.strip_prefix(name))
            .is_some_and(|rest| rest.starts_with(':')),
        None => false,
    }
}

/// AWS's name of an error `StartExecution` answers.
fn engine_error_name(e: &EngineError) -> &'static str {
    match e {
        EngineError::InvalidName { .. } => "InvalidName",
        EngineError::ExecutionAlreadyExists(_) => "ExecutionAlreadyExists",
        EngineError::StateMachineDoesNotExist(_) => "StateMachineDoesNotExist",
        EngineError::InputTooLarge { .. } => ExecutionError::INPUT_TOO_LARGE,
        _ => "sfn.StoreFailed",
    }
}

impl<W: Workflow> Runner<W> {
    /// The input, when `StartExecution` would take it.
    fn checked(&self, input: Value) -> Result<Value, ExecutionError> {
        crate::engine::check_input(&input, &self.config).map_err(|e| {
            ExecutionError::new(
                ExecutionErrorKind::InputTooLarge,
                ExecutionError::INPUT_TOO_LARGE,
                e.to_string(),
            )
        })?;
        Ok(input)
    }
}

/// An execution running in the background.
#[derive(Debug)]
pub struct Started<W> {
    handle: ExecutionHandle,
    workflow: PhantomData<fn() -> W>,
}

impl<W: Workflow> Started<W>
where
    W::Output: DeserializeOwned,
{
    /// The execution's ARN.
    pub fn execution_arn(&self) -> &str {
        self.handle.execution_arn()
    }

    /// `StopExecution`: the execution ends `ABORTED`.
    pub fn stop(&self, error: Option<String>, cause: Option<String>) -> Result<(), EngineError> {
        self.handle.stop(error, cause)
    }

    /// Waits for the end of the execution: its typed output and its history.
    pub async fn result(self) -> Run<W::Output> {
        match self.handle.result().await {
            Ok(result) => Run {
                output: typed_output(&result.outcome),
                result,
            },
            Err(e) => Run {
                output: Err(ExecutionError::new(
                    ExecutionErrorKind::Engine,
                    "sfn.EngineStopped",
                    e.to_string(),
                )),
                result: empty_result(),
            },
        }
    }
}

fn to_value<T: Serialize>(input: &T) -> Result<Value, ExecutionError> {
    serde_json::to_value(input).map_err(|e| {
        ExecutionError::new(
            ExecutionErrorKind::Input,
            ExecutionError::INPUT_NOT_JSON,
            e.to_string(),
        )
    })
}

fn empty_result() -> ExecutionResult {
    ExecutionResult {
        outcome: Outcome {
            status: Status::Failed,
            output: None,
            error: None,
            cause: None,
        },
        history: Vec::new(),
    }
}

/// The typed output of a finished execution.
fn typed_output<O: DeserializeOwned>(outcome: &Outcome) -> Result<O, ExecutionError> {
    let failed = |kind| {
        ExecutionError::new(
            kind,
            outcome.error.clone().unwrap_or_default(),
            outcome.cause.clone().unwrap_or_default(),
        )
    };
    match outcome.status {
        Status::Succeeded => {
            let output = outcome.output.clone().unwrap_or(Value::Null);
            serde_json::from_value(output.clone()).map_err(|e| {
                ExecutionError::new(
                    ExecutionErrorKind::Output,
                    ExecutionError::OUTPUT_MISMATCH,
                    format!(
                        "the output {output} does not deserialize into `{}`: {e}",
                        std::any::type_name::<O>()
                    ),
                )
            })
        }
        Status::TimedOut => Err(failed(ExecutionErrorKind::TimedOut)),
        Status::Aborted => Err(failed(ExecutionErrorKind::Aborted)),
        _ => Err(failed(ExecutionErrorKind::Failed)),
    }
}

/// The error name a task method's input gets when it does not deserialize into its type.
pub const TASK_INPUT_MISMATCH: &str = "sfn.TaskInputMismatch";
/// The error name a task method's result gets when it does not serialize to JSON.
pub const TASK_RESULT_NOT_JSON: &str = "sfn.TaskResultNotJson";

/// A task's JSON input as its method's input type (generated handlers call this).
pub fn task_input<T: DeserializeOwned>(state: &str, input: Value) -> Result<T, TaskError> {
    serde_json::from_value(input).map_err(|e| {
        TaskError::new(
            TASK_INPUT_MISMATCH,
            format!(
                "the input of state `{state}` does not deserialize into `{}`: {e}",
                std::any::type_name::<T>()
            ),
        )
    })
}

/// A task method's result as JSON (generated handlers call this).
pub fn task_result<T: Serialize>(
    state: &str,
    result: Result<T, TaskError>,
) -> Result<Value, TaskError> {
    let value = result?;
    serde_json::to_value(value).map_err(|e| {
        TaskError::new(
            TASK_RESULT_NOT_JSON,
            format!("the result of state `{state}` does not serialize to JSON: {e}"),
        )
    })
}

/// The error of a handler asked for a state it does not serve (a definition changed under it).
pub fn unknown_state(resource: &str, state: &str) -> TaskError {
    TaskError::new(
        STATES_RUNTIME,
        format!("the handler of `{resource}` serves no Task state named `{state}`; regenerate the workflow"),
    )
}

/// What generated code uses; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use super::{task_input, task_result, unknown_state};
    pub use crate::{Resources, TaskError, TaskRequest};
    pub use serde::de::DeserializeOwned;
    pub use serde::Serialize;
    pub use serde_json::Value;
    pub use sfn_asl::shape::{
        check_path, jsonata_segments, shape_at, Expect, FieldShape, JsonShape, ObjectShape,
        PathCheck, Seg, Shape,
    };
    pub use std::future::Future;
    pub use std::result::Result;
    pub use std::string::String;
    pub use std::sync::OnceLock;

    /// Writes a workflow's ASL to `asl_file` and its IAM policy beside it (`.iam.json`), for the
    /// generated `write_files()`: the program runs, so its crate compiled and every path check
    /// passed.
    pub fn write_files(
        asl_file: Option<&str>,
        asl: &str,
        iam: &str,
    ) -> std::io::Result<std::path::PathBuf> {
        let Some(asl_file) = asl_file else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no target folder was found when the workflow was compiled: set \
                 SFN_ASL_OUT_DIR, or write the ASL constant yourself",
            ));
        };
        let path = std::path::PathBuf::from(asl_file);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, asl)?;
        let iam_file = match asl_file.strip_suffix(".asl.json") {
            Some(stem) => format!("{stem}.iam.json"),
            None => format!("{asl_file}.iam.json"),
        };
        std::fs::write(iam_file, iam)?;
        Ok(path)
    }

    /// Parses ASL that `workflow!` generated and already validated.
    pub fn parse_generated(asl: &str) -> sfn_asl::StateMachine {
        match sfn_asl::parse(asl) {
            Ok(m) => m,
            // Only reachable through a bug in the macro or the parser, never through user input.
            Err(findings) => {
                panic!("the ASL generated by `workflow!` does not parse ({findings}): this is a bug in sfn")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(status: Status, output: Option<Value>) -> Outcome {
        Outcome {
            status,
            output,
            error: Some("E".into()),
            cause: Some("c".into()),
        }
    }

    #[test]
    fn output_of_the_wrong_type_is_a_clear_error() {
        let out: Result<u32, _> =
            typed_output(&outcome(Status::Succeeded, Some(serde_json::json!("x"))));
        let err = out.expect_err("a string is not a u32");
        assert_eq!(err.kind, ExecutionErrorKind::Output);
        assert_eq!(err.error, ExecutionError::OUTPUT_MISMATCH);
        assert!(
            err.cause.contains("\"x\"") && err.cause.contains("u32"),
            "{}",
            err.cause
        );
    }

    #[test]
    fn failures_keep_error_and_cause() {
        let out: Result<Value, _> = typed_output(&outcome(Status::TimedOut, None));
        assert_eq!(
            out,
            Err(ExecutionError::new(ExecutionErrorKind::TimedOut, "E", "c"))
        );
    }

    #[test]
    fn task_input_names_the_state_and_type() {
        let err =
            task_input::<u32>("Charge", serde_json::json!({})).expect_err("an object is not a u32");
        assert_eq!(err.error, TASK_INPUT_MISMATCH);
        assert!(
            err.cause
                .as_deref()
                .is_some_and(|c| c.contains("`Charge`") && c.contains("u32")),
            "{:?}",
            err.cause
        );
    }

    #[test]
    fn errors_are_send_and_sync() {
        fn check<T: Send + Sync + 'static>() {}
        check::<ExecutionError>();
        check::<ExecutionErrorKind>();
    }
}
