//! The `sfn` command line: the parser (clap, derive) and the one list of subcommands.
//!
//! Each subcommand is one module with an `Args` struct (its flags, parsed by clap) and a
//! `run(args, out, err) -> exit code`; adding one is adding a module and a [`Command`] variant.
//!
//! Exit codes are shared, and outside tools depend on them: 0 success, 1 the definition or
//! execution failed, 2 bad invocation (clap's own usage errors included) or invalid definition.
//! `docs/cli.md` describes the commands.

use std::io::Write;

use clap::{ColorChoice, CommandFactory, FromArgMatches, Parser, Subcommand};
use serde_json::Value;
use sfn_asl::error::STATES_RUNTIME;
use sfn_runtime::resources::TaskFuture;
use sfn_runtime::{TaskError, TaskRequest, TaskSource};

use crate::{
    activities, build, completions, deploy, executions, import, input, run, tags, test_state,
    validate, worker,
};

/// Exit code: the command did what was asked and it went well.
pub(crate) const SUCCESS: i32 = 0;
/// Exit code: the definition is invalid (`validate`) or the execution or state failed.
pub(crate) const FAILED: i32 = 1;
/// Exit code: a bad invocation, or (for the commands that run one) an invalid definition.
pub(crate) const INVALID: i32 = 2;

/// Check and run Amazon States Language definitions on the native engine, with no AWS account.
#[derive(Debug, Parser)]
#[command(
    name = "sfn",
    version,
    propagate_version = true,
    arg_required_else_help = true,
    color = ColorChoice::Auto,
    after_help = "`sfn help <command>` or `sfn <command> --help` describes one command.\n\
                  Exit status: 0 success, 1 the definition or execution failed, 2 bad \
                  invocation or invalid definition."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands, one module each.
#[derive(Debug, Subcommand)]
enum Command {
    Validate(validate::Args),
    Run(run::Args),
    TestState(test_state::Args),
    Import(import::Args),
    Build(build::Args),
    Deploy(deploy::Args),
    Fetch(deploy::FetchArgs),
    Completions(completions::Args),
    CreateStateMachine(executions::CreateStateMachineArgs),
    #[command(visible_alias = "start-execution")]
    Start(executions::StartArgs),
    #[command(visible_alias = "describe-execution")]
    Describe(executions::DescribeArgs),
    #[command(visible_alias = "list-executions")]
    List(executions::ListArgs),
    #[command(visible_alias = "get-execution-history")]
    History(executions::HistoryArgs),
    #[command(visible_alias = "stop-execution")]
    Stop(executions::StopArgs),
    #[command(visible_alias = "redrive-execution")]
    Redrive(executions::RedriveArgs),
    SendTaskSuccess(executions::SendTaskSuccessArgs),
    SendTaskFailure(executions::SendTaskFailureArgs),
    SendTaskHeartbeat(executions::SendTaskHeartbeatArgs),
    CreateActivity(activities::CreateActivityArgs),
    DescribeActivity(activities::DescribeActivityArgs),
    ListActivities(activities::ListActivitiesArgs),
    DeleteActivity(activities::DeleteActivityArgs),
    GetActivityTask(activities::GetActivityTaskArgs),
    TagResource(tags::TagResourceArgs),
    UntagResource(tags::UntagResourceArgs),
    ListTagsForResource(tags::ListTagsForResourceArgs),
    Worker(worker::Args),
}

/// Parses the process arguments and runs the command; returns the exit code. `--help`,
/// `--version` and clap's usage errors end here (0, 0 and 2).
pub(crate) fn main() -> i32 {
    let parsed = command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (m, cli)));
    let (matches, cli) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            // clap's own `exit` ignores a failed write of `--help` to stdout.
            let code = e.exit_code();
            return match e.print() {
                Ok(()) => code,
                Err(e) => write_failed(&e),
            };
        }
    };
    // The subcommand's name as clap spells it, for its usage line in errors.
    let name = matches.subcommand_name().unwrap_or_default().to_owned();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = Watched {
        inner: stdout.lock(),
        failed: None,
    };
    let (out, err) = (&mut out, &mut stderr.lock());
    let code = run_command(cli.command, &name, out, err);
    let flushed = out.flush();
    match out.failed.take().map_or(flushed, Err) {
        Ok(()) => code,
        Err(e) => write_failed(&e),
    }
}

/// Runs one parsed command; returns its exit code.
fn run_command(command: Command, name: &str, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let outcome = match command {
        Command::Validate(a) => validate::run(a, out, err),
        Command::Run(a) => run::run(a, out, err),
        Command::TestState(a) => test_state::run(a, out, err),
        Command::Import(a) => import::run(a, out, err),
        Command::Build(a) => build::run(a, out, err),
        Command::Deploy(a) => deploy::deploy(a, out, err),
        Command::Fetch(a) => deploy::fetch(a, out, err),
        Command::Completions(a) => completions::run(a, out),
        Command::CreateStateMachine(a) => executions::create_state_machine(a, out, err),
        Command::Start(a) => executions::start(a, out, err),
        Command::Describe(a) => executions::describe(a, out, err),
        Command::List(a) => executions::list(a, out, err),
        Command::History(a) => executions::history(a, out, err),
        Command::Stop(a) => executions::stop(a, out, err),
        Command::Redrive(a) => executions::redrive(a, out, err),
        Command::SendTaskSuccess(a) => executions::send_task_success(a, out, err),
        Command::SendTaskFailure(a) => executions::send_task_failure(a, out, err),
        Command::SendTaskHeartbeat(a) => executions::send_task_heartbeat(a, out, err),
        Command::CreateActivity(a) => activities::create_activity(a, out, err),
        Command::DescribeActivity(a) => activities::describe_activity(a, out, err),
        Command::ListActivities(a) => activities::list_activities(a, out, err),
        Command::DeleteActivity(a) => activities::delete_activity(a, out, err),
        Command::GetActivityTask(a) => activities::get_activity_task(a, out, err),
        Command::TagResource(a) => tags::tag_resource(a, out, err),
        Command::UntagResource(a) => tags::untag_resource(a, out, err),
        Command::ListTagsForResource(a) => tags::list_tags_for_resource(a, out, err),
        Command::Worker(a) => worker::run(a, out, err),
    };
    match outcome {
        Ok(code) => code,
        Err(bad) => {
            let _ = out.flush();
            usage_error(name, &bad.0)
        }
    }
}

/// Standard output that keeps its first failed write: the commands write and go on, and the
/// exit code still says the output is incomplete.
struct Watched<W: Write> {
    inner: W,
    failed: Option<std::io::Error>,
}

impl<W: Write> Watched<W> {
    fn keep<T>(&mut self, result: std::io::Result<T>) -> std::io::Result<T> {
        result.map_err(|e| {
            let copy = std::io::Error::new(e.kind(), e.to_string());
            self.failed.get_or_insert(e);
            copy
        })
    }
}

impl<W: Write> Write for Watched<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.inner.write(buf);
        self.keep(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.inner.flush();
        self.keep(result)
    }
}

/// Standard output could not be written: exit code 2, with a message unless the reader closed
/// the pipe (`sfn ... | head -c1` asked for no more).
fn write_failed(e: &std::io::Error) -> i32 {
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        let _ = writeln!(
            std::io::stderr(),
            "error: cannot write to standard output: {e}"
        );
    }
    INVALID
}

/// Prints `message` the way clap prints its own usage errors (`error:` prefix, colour on a
/// terminal, the subcommand's usage line); returns exit code 2.
fn usage_error(subcommand: &str, message: &str) -> i32 {
    let mut cmd = command();
    cmd.build();
    let kind = clap::error::ErrorKind::ValueValidation;
    let error = match cmd.find_subcommand_mut(subcommand) {
        Some(sub) => sub.error(kind, message),
        None => cmd.error(kind, message),
    };
    let _ = error.print();
    INVALID
}

/// The clap command (for parsing and completions). `sfn run --version` prints `sfn 0.1.0`, as
/// `sfn --version` does, rather than clap's `sfn-run 0.1.0`.
pub(crate) fn command() -> clap::Command {
    let mut cmd = Cli::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |c| c.display_name("sfn"));
    }
    cmd
}

/// A bad invocation found after parsing (an unreadable file, input that is not JSON, a flag
/// combination clap cannot express): printed as a usage error, exit code 2.
#[derive(Debug)]
pub(crate) struct BadInvocation(pub(crate) String);

impl From<String> for BadInvocation {
    fn from(s: String) -> Self {
        BadInvocation(s)
    }
}

impl From<&str> for BadInvocation {
    fn from(s: &str) -> Self {
        BadInvocation(s.to_owned())
    }
}

/// What a command's `run` returns: its exit code, or a bad invocation to print.
pub(crate) type Outcome = Result<i32, BadInvocation>;

/// Reads and validates a definition; on findings, prints them as `sfn validate` does (to
/// stderr) and gives exit code 2.
pub(crate) fn load_definition(
    path: &str,
    options: &sfn_asl::validate::LintOptions,
    err: &mut dyn Write,
) -> Result<Result<sfn_asl::StateMachine, i32>, BadInvocation> {
    let text = input::read_source(path, &input::DEFINITION)?;
    Ok(parse_definition(path, &text, options, err))
}

/// Validates the definition `text` read from `path`, as [`load_definition`] does.
pub(crate) fn parse_definition(
    path: &str,
    text: &str,
    options: &sfn_asl::validate::LintOptions,
    err: &mut dyn Write,
) -> Result<sfn_asl::StateMachine, i32> {
    sfn_asl::validate::parse_with(text, options).map_err(|findings| {
        validate::write_findings(err, path, &findings.0);
        INVALID
    })
}

/// A runtime for one command: a paused clock (Waits and back-offs take no real time) unless
/// `real_time`.
pub(crate) fn runtime(real_time: bool) -> Result<tokio::runtime::Runtime, BadInvocation> {
    let mut builder = tokio::runtime::Builder::new_current_thread();
    // I/O too: `sfn run --aws` calls services.
    builder.enable_all();
    if !real_time {
        builder.start_paused(true);
    }
    builder
        .build()
        .map_err(|e| BadInvocation(format!("cannot start the runtime: {e}")))
}

/// Prints one JSON value on one line.
pub(crate) fn print_json(out: &mut dyn Write, value: &Value) {
    let _ = writeln!(out, "{value}");
}

/// The last task source of a command that calls no real services: a Task nothing mocks fails,
/// saying why and what to do. `States.Runtime`, because no Catcher or Retrier should hide a
/// missing mock.
pub(crate) struct NoHandler {
    /// `sfn run`.
    pub(crate) command: &'static str,
    /// The options that answer a Task.
    pub(crate) fix: &'static str,
}

impl TaskSource for NoHandler {
    fn invoke(&self, request: &TaskRequest) -> Option<TaskFuture> {
        let err = TaskError::new(
            STATES_RUNTIME,
            format!(
                "The state '{}' calls the resource '{}', and `{}` calls no real services; \
                 answer this state with {}.",
                request.state_name, request.resource, self.command, self.fix
            ),
        );
        Some(Box::pin(async move { Err(err) }))
    }
}
