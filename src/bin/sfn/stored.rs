//! The commands on a store file: where the store is, which process drives it, the requests
//! that change it, and the JSON they print. `docs/cli.md` ("Executions on a store") describes
//! them.
//!
//! One process drives a store's executions at a time: the one holding the owner lock (`flock`
//! on `STORE.lock`). A command that changes the store takes the lock, opens the engine on the
//! store (which resumes every running execution), carries out its request, drives the
//! executions until each one waits (for a task token, a timer or an activity worker) and none
//! has moved for [`QUIET`], and ends. `sfn worker` keeps the lock until it is stopped and
//! listens on `STORE.sock`: a command that finds the lock held sends its request there, one
//! JSON line, and the worker carries it out on its own engine and answers one JSON line. So no
//! two engines ever drive the same executions, and nothing is written around the engine.
//! The reading commands (`describe`, `list`, `history`) read the file beside whoever drives it
//! (SQLite's write-ahead log lets readers in beside the writer).

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sfn_asl::resource::IntegrationPattern;
use sfn_runtime::engine::Journal;
use sfn_runtime::execution::{Command, Event, ExecutionData, Step};
use sfn_runtime::mocks::{MockConfig, MockTaskSource};
use sfn_runtime::resources::TaskFuture;
use sfn_runtime::store::sqlite::SqliteStore;
use sfn_runtime::store::{Durability, ExecutionRecord};
use sfn_runtime::{Engine, EngineError, ExecutionConfig, Resources, Tag, TaskRequest, TaskSource};

use crate::cli::{
    print_json, runtime, BadInvocation, NoHandler, Outcome, FAILED, INVALID, SUCCESS,
};
use crate::input::{read_source, MOCK_CONFIG};

/// How long the executions a command drives must stay still before it ends: longer than a
/// transition's commit and a mocked task's answer take, so a command does not end between a
/// task's answer and the transition it causes.
const QUIET: Duration = Duration::from_millis(200);

/// How long a command waits for the store when another command holds it.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// `--store`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct StoreArg {
    /// The store file (SQLite) [default: $SFN_STORE, else .sfn/store.db in the current
    /// directory].
    #[arg(long, value_name = "FILE")]
    store: Option<PathBuf>,
}

impl StoreArg {
    /// `--store`, else `$SFN_STORE`, else `.sfn/store.db`.
    pub(crate) fn path(&self) -> PathBuf {
        self.store
            .clone()
            .or_else(|| {
                std::env::var_os("SFN_STORE")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .unwrap_or_else(|| PathBuf::from(".sfn/store.db"))
    }

    /// Opens the store to read it; a store that does not exist yet is an error that says how
    /// to make one.
    pub(crate) fn open_to_read(&self) -> Result<SqliteStore, BadInvocation> {
        let path = self.path();
        if !path.is_file() {
            return Err(BadInvocation(format!(
                "{}: no store there; create a state machine in it first \
                 (`sfn create-state-machine --definition FILE --store {}`), or name another \
                 with --store FILE or $SFN_STORE",
                path.display(),
                path.display()
            )));
        }
        SqliteStore::open(&path, Durability::Full).map_err(|e| BadInvocation(e.to_string()))
    }
}

/// How the tasks of the executions a command drives are answered (as `sfn run` answers them).
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct TaskArgs {
    /// Mocked task responses in the Step Functions Local format: an execution of a state
    /// machine the config names is answered from that machine's test case --test-case.
    #[arg(long, value_name = "FILE", requires = "test_case")]
    mock_config: Option<String>,
    /// The test case of the mock config to use.
    #[arg(long, value_name = "NAME", requires = "mock_config")]
    test_case: Option<String>,
    /// Task states that no mock answers call AWS, configured by the standard chain
    /// (AWS_REGION, credentials, AWS_PROFILE, AWS_ENDPOINT_URL[_<SERVICE>]).
    #[arg(long)]
    aws: bool,
}

impl TaskArgs {
    fn given(&self) -> bool {
        self.mock_config.is_some() || self.aws
    }

    /// The mock config is read from standard input.
    pub(crate) fn reads_stdin(&self) -> bool {
        self.mock_config.as_deref() == Some("-")
    }

    /// The task resources: mocks, then AWS (`--aws`) or a failure naming the fix; a
    /// `.waitForTaskToken` task nothing answers waits for `sfn send-task-success`.
    fn resources(&self) -> Result<Resources, BadInvocation> {
        let mut resources = Resources::new();
        if let (Some(file), Some(case)) = (&self.mock_config, &self.test_case) {
            let config = MockConfig::from_json(&read_source(file, &MOCK_CONFIG)?)
                .map_err(|e| format!("{file}: {e}"))?;
            resources.add_source(Arc::new(MachineMocks {
                config,
                case: case.clone(),
                sources: Mutex::default(),
            }));
        }
        if self.aws {
            resources.set_aws(sfn_runtime::aws::AwsClients::from_env());
        } else {
            resources.add_source(Arc::new(CallbacksWait(NoHandler {
                command: "sfn",
                fix: "--mock-config FILE --test-case NAME, or call AWS with --aws",
            })));
        }
        resources.await_unanswered_callbacks();
        Ok(resources)
    }
}

/// The mock config's test case of each execution's state machine; the invocation counts of
/// the config's numbered responses are kept per execution, as Step Functions Local keeps them.
struct MachineMocks {
    config: MockConfig,
    case: String,
    sources: Mutex<HashMap<String, Arc<MockTaskSource>>>,
}

impl TaskSource for MachineMocks {
    fn invoke(&self, request: &TaskRequest) -> Option<TaskFuture> {
        let source = {
            let mut sources = self
                .sources
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match sources.get(&request.execution_arn) {
                Some(source) => source.clone(),
                None => {
                    let machine = machine_of_execution(&request.execution_arn);
                    let case = self.config.test_case(machine, &self.case).ok()?;
                    let source = Arc::new(MockTaskSource::new(case));
                    sources.insert(request.execution_arn.clone(), source.clone());
                    source
                }
            }
        };
        source.invoke(request)
    }
}

/// `arn:aws:states:R:A:execution:MACHINE:NAME` → `MACHINE`.
fn machine_of_execution(arn: &str) -> &str {
    arn.split(':').nth(6).unwrap_or_default()
}

/// [`NoHandler`], except that a `.waitForTaskToken` task passes on, to wait for its token,
/// and an activity task waits for a worker (`sfn get-activity-task`).
struct CallbacksWait(NoHandler);

impl TaskSource for CallbacksWait {
    fn invoke(&self, request: &TaskRequest) -> Option<TaskFuture> {
        let resource = sfn_asl::resource::Resource::parse(request.resource.clone());
        // An activity's task reaches here only when the activity does not exist: the engine
        // says so.
        if resource.pattern() == Some(IntegrationPattern::WaitForTaskToken)
            || resource.is_activity()
        {
            return None;
        }
        self.0.invoke(request)
    }

    fn answers_activity(&self, _resource: &str) -> bool {
        false
    }
}

/// An error as Step Functions returns it: its name and a message that says what to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ApiError {
    pub(crate) code: String,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(code: &str, message: impl Into<String>) -> Self {
        ApiError {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// Prints the error as the AWS CLI words it (`An error occurred (CODE) when calling the
    /// OPERATION operation: ...`), after `error:`; returns the exit code (1 when the store
    /// itself failed, 2 otherwise).
    pub(crate) fn print(&self, operation: &str, err: &mut dyn Write) -> i32 {
        let _ = writeln!(
            err,
            "error: An error occurred ({}) when calling the {operation} operation: {}",
            self.code, self.message
        );
        if self.code == INTERNAL {
            FAILED
        } else {
            INVALID
        }
    }
}

/// The error name of a failure of the store or the engine itself.
const INTERNAL: &str = "InternalFailure";

/// The Step Functions error of an engine error, with the fix.
pub(crate) fn api_error(e: EngineError) -> ApiError {
    let text = e.to_string();
    match e {
        EngineError::TaskDoesNotExist(_) => ApiError::new(
            "TaskDoesNotExist",
            format!("{text}; `sfn history` shows an execution's tasks"),
        ),
        EngineError::TaskTimedOut(_) => ApiError::new(
            "TaskTimedOut",
            format!("Task Timed Out: 'Provided task does not exist anymore' ({text})"),
        ),
        EngineError::InvalidToken(_) => ApiError::new("InvalidToken", text),
        EngineError::ActivityDoesNotExist(_) => ApiError::new(
            "ActivityDoesNotExist",
            format!("{text}; `sfn list-activities` shows the store's activities"),
        ),
        EngineError::InvalidArn { .. } => ApiError::new("InvalidArn", text),
        EngineError::InvalidName { .. } => ApiError::new("InvalidName", text),
        EngineError::ExecutionAlreadyExists(_) => ApiError::new("ExecutionAlreadyExists", text),
        EngineError::ExecutionDoesNotExist(_) => ApiError::new(
            "ExecutionDoesNotExist",
            format!("{text}; `sfn list` shows the store's executions"),
        ),
        EngineError::StateMachineDoesNotExist(_) => ApiError::new(
            "StateMachineDoesNotExist",
            format!("{text} (`sfn create-state-machine --name NAME --definition FILE`)"),
        ),
        EngineError::InvalidDefinition(_) => ApiError::new("InvalidDefinition", text),
        EngineError::InputTooLarge { .. } => ApiError::new("InvalidExecutionInput", text),
        EngineError::ExecutionNotRedrivable { .. } => ApiError::new(
            "ExecutionNotRedrivable",
            format!("{text}; `sfn describe` shows its redriveStatus"),
        ),
        EngineError::ExecutionNotRunning => ApiError::new(
            "ValidationException",
            "the execution is no longer running; `sfn describe` shows how it ended",
        ),
        EngineError::ResourceNotFound(_) => ApiError::new(
            "ResourceNotFound",
            format!(
                "{text} (`sfn list-activities` shows the store's activities; \
                 `sfn create-state-machine` stores a state machine)"
            ),
        ),
        EngineError::TooManyTags { .. } => ApiError::new("TooManyTags", text),
        EngineError::InvalidTag { .. } => ApiError::new("ValidationException", text),
        _ => ApiError::new(INTERNAL, text),
    }
}

/// A date as the AWS CLI (v2) prints one: ISO 8601 with microseconds, here in UTC.
pub(crate) fn date(ms: u64) -> Value {
    let ms = i64::try_from(ms).unwrap_or(i64::MAX);
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string().into(),
        None => Value::Null,
    }
}

/// An execution as `ListExecutions` lists it.
pub(crate) fn execution_item(r: &ExecutionRecord) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("executionArn".into(), r.arn.clone().into());
    m.insert("stateMachineArn".into(), r.state_machine_arn.clone().into());
    m.insert("name".into(), r.name.clone().into());
    m.insert("status".into(), r.status.as_str().into());
    m.insert("startDate".into(), date(r.started_ms));
    if let Some(stopped) = r.stopped_ms {
        m.insert("stopDate".into(), date(stopped));
    }
    if r.redrive_count > 0 {
        m.insert("redriveCount".into(), r.redrive_count.into());
    }
    if let Some(map_run) = &r.map_run_arn {
        m.insert("mapRunArn".into(), map_run.clone().into());
    }
    m
}

/// What a command asks of the engine that drives the store: carried out by the command itself
/// when it can take the store, or sent to the `sfn worker` that holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "camelCase")]
pub(crate) enum Request {
    #[serde(rename_all = "camelCase")]
    CreateStateMachine { name: String, definition: String },
    #[serde(rename_all = "camelCase")]
    StartExecution {
        state_machine_arn: String,
        name: String,
        input: Value,
    },
    #[serde(rename_all = "camelCase")]
    StopExecution {
        execution_arn: String,
        error: Option<String>,
        cause: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    RedriveExecution { execution_arn: String },
    #[serde(rename_all = "camelCase")]
    SendTaskSuccess { task_token: String, output: Value },
    #[serde(rename_all = "camelCase")]
    SendTaskFailure {
        task_token: String,
        error: Option<String>,
        cause: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    SendTaskHeartbeat { task_token: String },
    #[serde(rename_all = "camelCase")]
    CreateActivity {
        name: String,
        #[serde(default)]
        tags: Vec<Tag>,
    },
    #[serde(rename_all = "camelCase")]
    DeleteActivity { activity_arn: String },
    #[serde(rename_all = "camelCase")]
    GetActivityTask {
        activity_arn: String,
        worker_name: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    TagResource {
        resource_arn: String,
        tags: Vec<Tag>,
    },
    #[serde(rename_all = "camelCase")]
    UntagResource {
        resource_arn: String,
        tag_keys: Vec<String>,
    },
}

impl Request {
    /// The Step Functions operation, for error messages.
    pub(crate) fn operation(&self) -> &'static str {
        match self {
            Request::CreateStateMachine { .. } => "CreateStateMachine",
            Request::StartExecution { .. } => "StartExecution",
            Request::StopExecution { .. } => "StopExecution",
            Request::RedriveExecution { .. } => "RedriveExecution",
            Request::SendTaskSuccess { .. } => "SendTaskSuccess",
            Request::SendTaskFailure { .. } => "SendTaskFailure",
            Request::SendTaskHeartbeat { .. } => "SendTaskHeartbeat",
            Request::CreateActivity { .. } => "CreateActivity",
            Request::DeleteActivity { .. } => "DeleteActivity",
            Request::GetActivityTask { .. } => "GetActivityTask",
            Request::TagResource { .. } => "TagResource",
            Request::UntagResource { .. } => "UntagResource",
        }
    }

    /// Carries the request out on `engine`; the response as the API returns it.
    pub(crate) async fn execute(self, engine: &Engine) -> Result<Value, ApiError> {
        match self {
            Request::CreateStateMachine { name, definition } => {
                let arn = engine
                    .create_state_machine(&name, &definition)
                    .await
                    .map_err(api_error)?;
                Ok(json!({"stateMachineArn": arn, "creationDate": date(now_ms())}))
            }
            Request::StartExecution {
                state_machine_arn,
                name,
                input,
            } => {
                let started = engine
                    .start_standard_execution(&state_machine_arn, &name, input)
                    .await
                    .map_err(api_error)?;
                Ok(json!({
                    "executionArn": started.execution_arn,
                    "startDate": date(started.start_ms),
                }))
            }
            Request::StopExecution {
                execution_arn,
                error,
                cause,
            } => stop(engine, &execution_arn, error, cause).await,
            Request::RedriveExecution { execution_arn } => engine
                .redrive_execution(&execution_arn)
                .await
                .map(|ms| json!({"redriveDate": date(ms)}))
                .map_err(api_error),
            Request::SendTaskSuccess { task_token, output } => engine
                .send_task_success(&task_token, output)
                .await
                .map(|()| json!({}))
                .map_err(api_error),
            Request::SendTaskFailure {
                task_token,
                error,
                cause,
            } => engine
                .send_task_failure(&task_token, error, cause)
                .await
                .map(|()| json!({}))
                .map_err(api_error),
            Request::SendTaskHeartbeat { task_token } => engine
                .send_task_heartbeat(&task_token)
                .await
                .map(|()| json!({}))
                .map_err(api_error),
            Request::CreateActivity { name, tags } => engine
                .create_activity_with_tags(&name, &tags)
                .await
                .map(|a| json!({"activityArn": a.arn, "creationDate": date(a.created_ms)}))
                .map_err(api_error),
            Request::DeleteActivity { activity_arn } => engine
                .delete_activity(&activity_arn)
                .await
                .map(|()| json!({}))
                .map_err(api_error),
            Request::GetActivityTask {
                activity_arn,
                worker_name,
            } => engine
                .get_activity_task(&activity_arn, worker_name.as_deref())
                .await
                .map(crate::activities::task_response)
                .map_err(api_error),
            Request::TagResource { resource_arn, tags } => engine
                .tag_resource(&resource_arn, &tags)
                .await
                .map(|()| json!({}))
                .map_err(api_error),
            Request::UntagResource {
                resource_arn,
                tag_keys,
            } => engine
                .untag_resource(&resource_arn, &tag_keys)
                .await
                .map(|()| json!({}))
                .map_err(api_error),
        }
    }
}

/// `StopExecution`, answered once the stop is committed, with its date.
async fn stop(
    engine: &Engine,
    arn: &str,
    error: Option<String>,
    cause: Option<String>,
) -> Result<Value, ApiError> {
    engine
        .stop_execution(arn, error, cause)
        .await
        .map_err(api_error)?;
    // The driver commits the stop on its own task; 10 s covers a busy disk.
    for _ in 0..200 {
        let record = engine.describe_execution(arn).await.map_err(api_error)?;
        if let Some(stopped) = record.and_then(|r| r.stopped_ms) {
            return Ok(json!({"stopDate": date(stopped)}));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(ApiError::new(
        INTERNAL,
        format!(
            "{arn}: the stop was requested but is not committed yet; `sfn describe` shows \
             when it is"
        ),
    ))
}

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0))
}

/// Carries `request` out on the store of `store`: by this process when it can take the store
/// (then it drives the executions until they wait), else by the `sfn worker` holding it.
pub(crate) fn submit(
    store: &StoreArg,
    tasks: &TaskArgs,
    request: Request,
    err: &mut dyn Write,
) -> Result<Result<Value, ApiError>, BadInvocation> {
    let path = store.path();
    let rt = runtime(true)?;
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        if let Some(owner) = owner::try_lock(&path)? {
            return rt.block_on(drive_once(&path, owner, tasks, request));
        }
        if let Some(reply) = rt.block_on(owner::forward(&path, &request))? {
            if tasks.given() {
                let _ = writeln!(
                    err,
                    "warning: the `sfn worker` driving {} answers the tasks with its own \
                     options; --mock-config, --test-case and --aws apply to it, not here",
                    path.display()
                );
            }
            return Ok(reply);
        }
        if std::time::Instant::now() > deadline {
            return Err(BadInvocation(format!(
                "{}: process {} holds the store and takes no requests; wait for it to end, \
                 or stop it",
                path.display(),
                owner::holder(&path).unwrap_or_else(|| "?".into())
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Opens the engine on the store at `path` (resuming its executions), carries out `request`,
/// and drives the executions until they wait.
async fn drive_once(
    path: &Path,
    owner: owner::Owner,
    tasks: &TaskArgs,
    request: Request,
) -> Result<Result<Value, ApiError>, BadInvocation> {
    let quiet = Arc::new(Quiet::default());
    let engine = open_engine(path, tasks, Some(quiet.clone()))?;
    if let Err(e) = engine.recover().await {
        return Ok(Err(api_error(e)));
    }
    let reply = request.execute(&engine).await;
    quiet.settle().await;
    // The store's thread commits in order: once this read is answered, every transition
    // queued before it is written.
    let _ = engine.describe_execution("").await;
    engine.halt();
    drop(owner);
    Ok(reply)
}

/// The engine on the store at `path` (created when missing), its tasks answered as `tasks`
/// says; not yet recovered.
pub(crate) fn open_engine(
    path: &Path,
    tasks: &TaskArgs,
    journal: Option<Arc<dyn Journal>>,
) -> Result<Engine, BadInvocation> {
    let store = SqliteStore::open(path, Durability::Full).map_err(|e| e.to_string())?;
    let mut engine = Engine::new(tasks.resources()?);
    if let Some(journal) = journal {
        engine = engine.with_journal(journal);
    }
    Ok(engine.with_store(store))
}

/// Watches the executions a command drives: which tasks are running (not waiting for a token)
/// and how many events were fed, to tell when every execution waits.
#[derive(Debug, Default)]
struct Quiet {
    state: Mutex<QuietState>,
}

#[derive(Debug, Default)]
struct QuietState {
    events: u64,
    /// Running tasks by execution ARN.
    busy: HashMap<String, BTreeSet<u64>>,
}

impl Journal for Quiet {
    fn append(&self, config: &ExecutionConfig, event: &Event, step: &Step, _: &ExecutionData) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.events += 1;
        let busy = state.busy.entry(config.execution_arn.clone()).or_default();
        match event {
            Event::TaskSucceeded { task_id, .. }
            | Event::TaskFailed { task_id, .. }
            | Event::TaskTimedOut { task_id, .. }
            | Event::HeartbeatTimedOut { task_id, .. }
            | Event::TaskSubmitted { task_id, .. } => {
                busy.remove(&task_id.0);
            }
            _ => {}
        }
        for command in &step.commands {
            match command {
                // An activity task waits for a worker, a child execution is watched itself.
                Command::InvokeTask(task) if !task.resource.is_activity() => {
                    busy.insert(task.task_id.0);
                }
                Command::CancelTask { task_id } => {
                    busy.remove(&task_id.0);
                }
                Command::Finished(_) => busy.clear(),
                _ => {}
            }
        }
        if busy.is_empty() {
            state.busy.remove(&config.execution_arn);
        }
    }
}

impl Quiet {
    /// Returns once no task runs and no event was fed for [`QUIET`].
    async fn settle(&self) {
        let mut seen = u64::MAX;
        loop {
            tokio::time::sleep(QUIET).await;
            let state = self
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if state.busy.is_empty() && state.events == seen {
                return;
            }
            seen = state.events;
        }
    }
}

/// The owner lock and the worker's socket.
pub(crate) mod owner {
    use std::fs::{File, OpenOptions};
    use std::io::Write;
    use std::path::{Path, PathBuf};

    use serde_json::Value;
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

    use super::{ApiError, Request};
    use crate::cli::BadInvocation;

    /// The longest line a request or a reply may be: an input or output of 256 KiB, escaped.
    pub(crate) const MAX_LINE: u64 = 4 * 1024 * 1024;

    fn beside(store: &Path, suffix: &str) -> PathBuf {
        let mut name = store.file_name().unwrap_or_default().to_owned();
        name.push(suffix);
        store.with_file_name(name)
    }

    /// `STORE.lock`.
    pub(crate) fn lock_path(store: &Path) -> PathBuf {
        beside(store, ".lock")
    }

    /// `STORE.sock`.
    pub(crate) fn socket_path(store: &Path) -> PathBuf {
        beside(store, ".sock")
    }

    /// The store's owner lock, held until dropped (or the process ends).
    #[derive(Debug)]
    pub(crate) struct Owner {
        _file: File,
    }

    /// Takes the owner lock of `store`, creating its folder when needed; `None` when another
    /// process holds it.
    pub(crate) fn try_lock(store: &Path) -> Result<Option<Owner>, BadInvocation> {
        let name = store.display();
        if let Some(dir) = store.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| BadInvocation(format!("{name}: cannot create its folder: {e}")))?;
        }
        let path = lock_path(store);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| BadInvocation(format!("{}: cannot open: {e}", path.display())))?;
        if !flock(&file)? {
            return Ok(None);
        }
        // Who holds it, for the messages of the processes that wait.
        let _ = file.set_len(0);
        let _ = write!(file, "{}", std::process::id());
        Ok(Some(Owner { _file: file }))
    }

    /// The process id written in the lock file.
    pub(crate) fn holder(store: &Path) -> Option<String> {
        let text = std::fs::read_to_string(lock_path(store)).ok()?;
        Some(text.trim().to_owned()).filter(|t| !t.is_empty())
    }

    #[cfg(unix)]
    fn flock(file: &File) -> Result<bool, BadInvocation> {
        use std::os::unix::io::AsRawFd;
        // SAFETY: `flock` reads only the descriptor, which `file` keeps open for the call; the
        // lock goes with the descriptor when `file` is closed.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc == 0 {
            return Ok(true);
        }
        let e = std::io::Error::last_os_error();
        if e.kind() == std::io::ErrorKind::WouldBlock {
            Ok(false)
        } else {
            Err(BadInvocation(format!("cannot lock the store: {e}")))
        }
    }

    #[cfg(not(unix))]
    fn flock(_: &File) -> Result<bool, BadInvocation> {
        Err(BadInvocation(
            "the store commands need a Unix system (the store's lock and the worker's socket)"
                .into(),
        ))
    }

    /// Whether a worker listens beside `store`.
    pub(crate) fn worker_listens(store: &Path) -> bool {
        #[cfg(unix)]
        return std::os::unix::net::UnixStream::connect(socket_path(store)).is_ok();
        #[cfg(not(unix))]
        return false;
    }

    /// Sends `request` to the worker listening beside `store`; `None` when none listens.
    #[cfg(unix)]
    pub(crate) async fn forward(
        store: &Path,
        request: &Request,
    ) -> Result<Option<Result<Value, ApiError>>, BadInvocation> {
        let path = socket_path(store);
        let stream = match tokio::net::UnixStream::connect(&path).await {
            Ok(stream) => stream,
            Err(_) => return Ok(None),
        };
        let failed = |e: std::io::Error| {
            BadInvocation(format!(
                "{}: the worker did not answer: {e}; `sfn describe` shows whether the request \
                 took effect",
                path.display()
            ))
        };
        let (read, mut write) = stream.into_split();
        let mut line = serde_json::to_string(request).map_err(|e| e.to_string())?;
        line.push('\n');
        write.write_all(line.as_bytes()).await.map_err(failed)?;
        let mut reply = String::new();
        BufReader::new(read)
            .take(MAX_LINE)
            .read_line(&mut reply)
            .await
            .map_err(failed)?;
        let reply: Reply = serde_json::from_str(&reply).map_err(|e| {
            failed(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                e.to_string(),
            ))
        })?;
        Ok(Some(match reply {
            Reply::Ok(v) => Ok(v),
            Reply::Error(e) => Err(e),
        }))
    }

    #[cfg(not(unix))]
    pub(crate) async fn forward(
        _: &Path,
        _: &Request,
    ) -> Result<Option<Result<Value, ApiError>>, BadInvocation> {
        Ok(None)
    }

    /// A worker's answer to one request.
    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) enum Reply {
        Ok(Value),
        Error(ApiError),
    }
}

/// Carries out `request` and prints the response (nothing for an empty one, as the AWS CLI).
pub(crate) fn respond(
    store: &StoreArg,
    tasks: &TaskArgs,
    request: Request,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let operation = request.operation();
    match submit(store, tasks, request, err)? {
        Ok(value) => {
            if value.as_object().is_none_or(|m| !m.is_empty()) {
                print_json(out, &value);
            }
            Ok(SUCCESS)
        }
        Err(e) => Ok(e.print(operation, err)),
    }
}
