//! The Step Functions API on a store file, named and flagged as the AWS CLI's
//! `aws stepfunctions` commands: `create-state-machine`, `start` (`start-execution`),
//! `describe` (`describe-execution`), `list` (`list-executions`), `history`
//! (`get-execution-history`), `stop` (`stop-execution`), `redrive` (`redrive-execution`) and
//! `send-task-success|failure|heartbeat`.
//! Each prints the API's response as the AWS CLI does (camelCase keys, ISO 8601 dates).

use std::io::Write;

use serde_json::{json, Map, Value};
use sfn_asl::validate::LintOptions;
use sfn_runtime::engine::{redrive_status, RedriveStatus};
use sfn_runtime::store::{ExecutionQuery, HistoryQuery, Store};
use sfn_runtime::{ExecutionConfig, Status};

use crate::cli::{parse_definition, print_json, BadInvocation, Outcome, SUCCESS};
use crate::input::{one_stdin_reader, read_input, read_source, JsonArg, DEFINITION};
use crate::stored::{date, execution_item, respond, ApiError, Request, StoreArg, TaskArgs};

/// Store a state machine (Standard) from a definition.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Prints {\"stateMachineArn\": ..., \"creationDate\": ...}. Creating a \
state machine again under the same name replaces its definition for the executions started \
from then on."
)]
pub(crate) struct CreateStateMachineArgs {
    /// The definition: a file (or file://FILE), inline JSON, or - for standard input.
    #[arg(long, value_name = "FILE|JSON|-", value_parser = JsonArg::parse)]
    definition: JsonArg,
    /// The state machine's name [default: the definition's file name without .asl.json].
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// The execution role (kept for the AWS CLI's sake; the engine does not assume it).
    #[arg(long, value_name = "ARN")]
    role_arn: Option<String>,
    /// The state machine type: a store keeps STANDARD executions only.
    #[arg(long = "type", value_name = "TYPE", default_value = "STANDARD")]
    machine_type: String,
    #[command(flatten)]
    store: StoreArg,
}

pub(crate) fn create_state_machine(
    args: CreateStateMachineArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    if !args.machine_type.eq_ignore_ascii_case("STANDARD") {
        return Err(BadInvocation(format!(
            "--type {}: a store keeps Standard executions only; run an Express workflow with \
             `sfn run --type express`",
            args.machine_type
        )));
    }
    let (source, text) = match &args.definition {
        JsonArg::Inline(text) => ("--definition".to_owned(), text.clone()),
        JsonArg::Stdin => ("-".to_owned(), read_source("-", &DEFINITION)?),
        JsonArg::File(path) => {
            let path = path.display().to_string();
            let text = read_source(&path, &DEFINITION)?;
            (path, text)
        }
    };
    if let Err(code) = parse_definition(&source, &text, &LintOptions::default(), err) {
        return Ok(code);
    }
    let name = match (&args.name, &args.definition) {
        (Some(name), _) => name.clone(),
        (None, JsonArg::File(path)) => crate::run::machine_name_from(&path.display().to_string()),
        (None, _) => {
            return Err(
                "name the state machine with --name NAME (its definition has no file \
                        name to take it from)"
                    .into(),
            )
        }
    };
    let request = Request::CreateStateMachine {
        name,
        definition: text,
    };
    respond(&args.store, &TaskArgs::default(), request, out, err)
}

/// Start an execution of a stored state machine (`start-execution`).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Prints {\"executionArn\": ..., \"startDate\": ...}, after driving the \
store's executions until each waits (for a task token, a timer or an activity worker); when \
an `sfn worker` drives the store, it starts the execution and the command returns at once."
)]
pub(crate) struct StartArgs {
    /// The state machine: its ARN, or its name.
    #[arg(long, value_name = "ARN|NAME")]
    state_machine_arn: String,
    /// The execution's name, unique among the state machine's executions [default: a UUID].
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// The execution input: inline JSON, a JSON file (or file://PATH), or - for stdin
    /// [default: {}].
    #[arg(long, value_name = "JSON|FILE|-", value_parser = JsonArg::parse, allow_negative_numbers = true)]
    input: Option<JsonArg>,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    tasks: TaskArgs,
}

pub(crate) fn start(args: StartArgs, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    one_stdin_reader(&[
        ("--input", args.input == Some(JsonArg::Stdin)),
        ("--mock-config", args.tasks.reads_stdin()),
    ])?;
    let input = read_input(args.input.as_ref())?;
    let request = Request::StartExecution {
        state_machine_arn: machine_arn(&args.state_machine_arn),
        name: args.name.unwrap_or_else(uuid),
        input,
    };
    respond(&args.store, &args.tasks, request, out, err)
}

/// An ARN as is, a bare name as the ARN the store gives it.
fn machine_arn(arg: &str) -> String {
    if arg.starts_with("arn:") {
        arg.to_owned()
    } else {
        ExecutionConfig::new(arg, "x").state_machine_arn
    }
}

/// A random version-4 UUID, as `StartExecution` names an unnamed execution.
fn uuid() -> String {
    use std::hash::{BuildHasher, Hasher};
    let random = |salt: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(salt ^ crate::stored::now_ms());
        h.finish()
    };
    let (a, b) = (random(1), random(2));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// Describe an execution (`describe-execution`).
#[derive(Debug, clap::Args)]
pub(crate) struct DescribeArgs {
    /// The execution's ARN.
    #[arg(long, value_name = "ARN")]
    execution_arn: String,
    #[command(flatten)]
    store: StoreArg,
}

pub(crate) fn describe(args: DescribeArgs, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let store = args.store.open_to_read()?;
    let record = match store.execution(&args.execution_arn) {
        Ok(Some(record)) => record,
        Ok(None) => {
            let e = ApiError::new(
                "ExecutionDoesNotExist",
                format!(
                    "execution `{}` does not exist; `sfn list` shows the store's executions",
                    args.execution_arn
                ),
            );
            return Ok(e.print("DescribeExecution", err));
        }
        Err(e) => return Err(BadInvocation(e.to_string())),
    };
    let mut m = execution_item(&record);
    m.insert("input".into(), record.input.clone().into());
    m.insert("inputDetails".into(), json!({"included": true}));
    if let Some(output) = &record.output {
        m.insert("output".into(), output.clone().into());
        m.insert("outputDetails".into(), json!({"included": true}));
    }
    if let Some(error) = &record.error {
        m.insert("error".into(), error.clone().into());
    }
    if let Some(cause) = &record.cause {
        m.insert("cause".into(), cause.clone().into());
    }
    m.insert("redriveCount".into(), record.redrive_count.into());
    if let Some(ms) = record.redrive_ms {
        m.insert("redriveDate".into(), date(ms));
    }
    let redrive = redrive_status(&record, crate::stored::now_ms());
    m.insert("redriveStatus".into(), redrive.as_str().into());
    if let RedriveStatus::NotRedrivable(reason) = redrive {
        m.insert("redriveStatusReason".into(), reason.into());
    }
    print_json(out, &Value::Object(m));
    Ok(SUCCESS)
}

/// `--status-filter`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
enum StatusFilter {
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

impl From<StatusFilter> for Status {
    fn from(s: StatusFilter) -> Status {
        match s {
            StatusFilter::Running => Status::Running,
            StatusFilter::Succeeded => Status::Succeeded,
            StatusFilter::Failed => Status::Failed,
            StatusFilter::TimedOut => Status::TimedOut,
            StatusFilter::Aborted => Status::Aborted,
        }
    }
}

/// List executions, newest first (`list-executions`).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Prints {\"executions\": [...], \"nextToken\": ...}; without \
--max-results, every execution (no nextToken)."
)]
pub(crate) struct ListArgs {
    /// Only this state machine's executions (its ARN or name) [default: every state machine's].
    #[arg(long, value_name = "ARN|NAME")]
    state_machine_arn: Option<String>,
    /// Only executions with this status.
    #[arg(long, value_enum, ignore_case = true)]
    status_filter: Option<StatusFilter>,
    /// Only the child executions of this distributed Map Run (the `mapRunArn` of the parent's
    /// `MapRunStarted` event) [default: no Map Run's children].
    #[arg(long, value_name = "ARN", conflicts_with = "state_machine_arn")]
    map_run_arn: Option<String>,
    /// At most this many (1 to 1000), with a nextToken when there are more.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    max_results: Option<u16>,
    /// The nextToken of the previous page.
    #[arg(long, value_name = "TOKEN")]
    next_token: Option<String>,
    #[command(flatten)]
    store: StoreArg,
}

pub(crate) fn list(args: ListArgs, out: &mut dyn Write, _err: &mut dyn Write) -> Outcome {
    let store = args.store.open_to_read()?;
    let query = ExecutionQuery {
        state_machine_arn: args.state_machine_arn.as_deref().map(machine_arn),
        status: args.status_filter.map(Status::from),
        map_run_arn: args.map_run_arn,
        limit: args.max_results.map_or(0, usize::from),
        after: args.next_token,
    };
    let page = store
        .executions(&query)
        .map_err(|e| BadInvocation(e.to_string()))?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|r| Value::Object(execution_item(r)))
        .collect();
    let mut m = Map::new();
    m.insert("executions".into(), items.into());
    if let Some(next) = page.next {
        m.insert("nextToken".into(), next.into());
    }
    print_json(out, &Value::Object(m));
    Ok(SUCCESS)
}

/// An execution's history events (`get-execution-history`).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Prints {\"events\": [...], \"nextToken\": ...}; without \
--max-results, every event (no nextToken). A `.waitForTaskToken` task's token is in its \
TaskScheduled event's parameters (where the state passes `$$.Task.Token`)."
)]
pub(crate) struct HistoryArgs {
    /// The execution's ARN.
    #[arg(long, value_name = "ARN")]
    execution_arn: String,
    /// At most this many (1 to 1000), with a nextToken when there are more.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    max_results: Option<u16>,
    /// The nextToken of the previous page.
    #[arg(long, value_name = "TOKEN")]
    next_token: Option<String>,
    /// Newest first.
    #[arg(long)]
    reverse_order: bool,
    /// Leave out the input and output of every event.
    #[arg(long)]
    no_include_execution_data: bool,
    /// Include the input and output of every event (the default).
    #[arg(long, conflicts_with = "no_include_execution_data")]
    include_execution_data: bool,
    #[command(flatten)]
    store: StoreArg,
}

pub(crate) fn history(args: HistoryArgs, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let store = args.store.open_to_read()?;
    let known = store
        .execution(&args.execution_arn)
        .map_err(|e| BadInvocation(e.to_string()))?;
    if known.is_none() {
        let e = ApiError::new(
            "ExecutionDoesNotExist",
            format!(
                "execution `{}` does not exist; `sfn list` shows the store's executions",
                args.execution_arn
            ),
        );
        return Ok(e.print("GetExecutionHistory", err));
    }
    let query = HistoryQuery {
        reverse: args.reverse_order,
        limit: args.max_results.map_or(0, usize::from),
        after: args.next_token,
    };
    let page = store
        .history(&args.execution_arn, &query)
        .map_err(|e| BadInvocation(e.to_string()))?;
    let events: Vec<Value> = page
        .items
        .iter()
        .map(|(_, text)| {
            let event = serde_json::from_str(text).unwrap_or(Value::Null);
            event_for_cli(event, !args.no_include_execution_data)
        })
        .collect();
    let mut m = Map::new();
    m.insert("events".into(), events.into());
    if let Some(next) = page.next {
        m.insert("nextToken".into(), next.into());
    }
    print_json(out, &Value::Object(m));
    Ok(SUCCESS)
}

/// A stored history event as the AWS CLI prints it: its timestamp a date; without execution
/// data, no `input` or `output` (nor their details) in its details, as
/// `Engine::get_execution_history_with` leaves them out.
fn event_for_cli(mut event: Value, with_data: bool) -> Value {
    let Some(m) = event.as_object_mut() else {
        return event;
    };
    if let Some(ms) = m.get("timestamp").and_then(Value::as_u64) {
        m.insert("timestamp".into(), date(ms));
    }
    if !with_data {
        for (key, details) in m.iter_mut() {
            if let (true, Some(d)) = (key.ends_with("EventDetails"), details.as_object_mut()) {
                for field in ["input", "inputDetails", "output", "outputDetails"] {
                    d.remove(field);
                }
            }
        }
    }
    event
}

/// Stop a running execution (`stop-execution`): it ends ABORTED.
#[derive(Debug, clap::Args)]
#[command(after_help = "Prints {\"stopDate\": ...}.")]
pub(crate) struct StopArgs {
    /// The execution's ARN.
    #[arg(long, value_name = "ARN")]
    execution_arn: String,
    /// The error of the abort.
    #[arg(long, value_name = "CODE")]
    error: Option<String>,
    /// Why it was stopped.
    #[arg(long, value_name = "TEXT")]
    cause: Option<String>,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    tasks: TaskArgs,
}

pub(crate) fn stop(args: StopArgs, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let request = Request::StopExecution {
        execution_arn: args.execution_arn,
        error: args.error,
        cause: args.cause,
    };
    respond(&args.store, &args.tasks, request, out, err)
}

/// Run a FAILED, TIMED_OUT or ABORTED execution again from the states that did not succeed
/// (`redrive-execution`).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Prints {\"redriveDate\": ...}, after driving the store's executions \
until each waits, as `sfn start` does. AWS's rules: within 14 days of its end, a year of its \
start, and under 25,000 history events; `sfn describe` shows its redriveStatus."
)]
pub(crate) struct RedriveArgs {
    /// The execution's ARN.
    #[arg(long, value_name = "ARN")]
    execution_arn: String,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    tasks: TaskArgs,
}

pub(crate) fn redrive(args: RedriveArgs, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let request = Request::RedriveExecution {
        execution_arn: args.execution_arn,
    };
    respond(&args.store, &args.tasks, request, out, err)
}

/// Answer a waiting task with its output (`SendTaskSuccess`).
#[derive(Debug, clap::Args)]
pub(crate) struct SendTaskSuccessArgs {
    /// The task's token.
    #[arg(long, value_name = "TOKEN")]
    task_token: String,
    /// The task's output: inline JSON, a JSON file (or file://PATH), or - for stdin.
    #[arg(long, value_name = "JSON|FILE|-", value_parser = JsonArg::parse, allow_negative_numbers = true)]
    output: JsonArg,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    tasks: TaskArgs,
}

pub(crate) fn send_task_success(
    args: SendTaskSuccessArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    one_stdin_reader(&[
        ("--output", args.output == JsonArg::Stdin),
        ("--mock-config", args.tasks.reads_stdin()),
    ])?;
    let output = read_input(Some(&args.output))?;
    let request = Request::SendTaskSuccess {
        task_token: args.task_token,
        output,
    };
    respond(&args.store, &args.tasks, request, out, err)
}

/// Fail a waiting task (`SendTaskFailure`).
#[derive(Debug, clap::Args)]
pub(crate) struct SendTaskFailureArgs {
    /// The task's token.
    #[arg(long, value_name = "TOKEN")]
    task_token: String,
    /// The error name.
    #[arg(long, value_name = "CODE")]
    error: Option<String>,
    /// The cause.
    #[arg(long, value_name = "TEXT")]
    cause: Option<String>,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    tasks: TaskArgs,
}

pub(crate) fn send_task_failure(
    args: SendTaskFailureArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let request = Request::SendTaskFailure {
        task_token: args.task_token,
        error: args.error,
        cause: args.cause,
    };
    respond(&args.store, &args.tasks, request, out, err)
}

/// Report that a waiting task's worker is alive (`SendTaskHeartbeat`).
#[derive(Debug, clap::Args)]
pub(crate) struct SendTaskHeartbeatArgs {
    /// The task's token.
    #[arg(long, value_name = "TOKEN")]
    task_token: String,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    tasks: TaskArgs,
}

pub(crate) fn send_task_heartbeat(
    args: SendTaskHeartbeatArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let request = Request::SendTaskHeartbeat {
        task_token: args.task_token,
    };
    respond(&args.store, &args.tasks, request, out, err)
}
