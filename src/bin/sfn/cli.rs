//! The `sfn` command line: `validate`, `run`, `test-state`, `import`.
//!
//! Each subcommand is one module with a `main(args, out, err) -> exit code` and its help text,
//! listed once in the `COMMANDS` table; adding a subcommand is adding a module and a row.
//!
//! Exit codes are shared: 0 success, 1 the definition or execution failed, 2 bad invocation.
//! `docs/cli.md` describes the commands.
use crate::{import, run, test_state, validate};

use std::io::{Read, Write};

use serde_json::Value;
use sfn_runtime::resources::TaskFuture;
use sfn_runtime::{TaskError, TaskRequest, TaskSource};

/// One subcommand.
pub(crate) struct Command {
    name: &'static str,
    summary: &'static str,
    help: &'static str,
    main: fn(&[String], &mut dyn Write, &mut dyn Write) -> i32,
}

pub(crate) const COMMANDS: &[Command] = &[
    Command {
        name: "validate",
        summary: "check definitions and print every finding",
        help: validate::HELP,
        main: validate::main,
    },
    Command {
        name: "run",
        summary: "run a definition once and print its result as JSON",
        help: run::HELP,
        main: run::main,
    },
    Command {
        name: "test-state",
        summary: "run one state of a definition (like the TestState API)",
        help: test_state::HELP,
        main: test_state::main,
    },
    Command {
        name: "import",
        summary: "print the workflow! source of a definition",
        help: import::HELP,
        main: import::main,
    },
];

/// Runs the CLI with `args` (without the program name); returns the exit code.
pub fn main(args: &[String]) -> i32 {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run(args, &mut stdout.lock(), &mut stderr.lock())
}

/// Runs the CLI writing to the given streams; returns the exit code.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("help" | "--help" | "-h") => match rest.first() {
            None => {
                let _ = write!(out, "{}", usage());
                0
            }
            Some(name) => match COMMANDS.iter().find(|c| c.name == name) {
                Some(c) => {
                    let _ = write!(out, "{}", c.help);
                    0
                }
                None => unknown_command(name, err),
            },
        },
        Some(name) => match COMMANDS.iter().find(|c| c.name == name) {
            Some(c) => (c.main)(rest, out, err),
            None => unknown_command(name, err),
        },
        None => {
            let _ = write!(err, "{}", usage());
            2
        }
    }
}

pub(crate) fn unknown_command(name: &str, err: &mut dyn Write) -> i32 {
    let _ = write!(err, "unknown command `{name}`\n{}", usage());
    2
}

/// The overall usage: one line per subcommand.
pub(crate) fn usage() -> String {
    let mut s = String::from("usage: sfn <command> [options]\n\ncommands:\n");
    for c in COMMANDS {
        s.push_str(&format!("  {:<12}{}\n", c.name, c.summary));
    }
    s.push_str("\n`sfn help <command>` or `sfn <command> --help` describes one command.\n");
    s
}

/// A bad invocation: the message for stderr; the command exits 2.
#[derive(Debug)]
pub(crate) struct BadInvocation(pub(crate) String);

impl<T: Into<String>> From<T> for BadInvocation {
    fn from(s: T) -> Self {
        BadInvocation(s.into())
    }
}

/// Command-line arguments: flags (`--name value`, `--name=value`, `--switch`) and positionals.
pub(crate) struct Args<'a> {
    args: std::slice::Iter<'a, String>,
}

/// One argument read by [`Args::next_arg`].
pub(crate) enum Arg<'a> {
    /// `--name` (with its inline `=value`, if any).
    Flag(&'a str, Option<&'a str>),
    /// A positional argument (`-` included).
    Positional(&'a str),
}

impl<'a> Args<'a> {
    pub(crate) fn new(args: &'a [String]) -> Self {
        Args { args: args.iter() }
    }

    pub(crate) fn next_arg(&mut self) -> Option<Arg<'a>> {
        let a = self.args.next()?.as_str();
        if a == "-h" {
            return Some(Arg::Flag("--help", None));
        }
        match a.strip_prefix("--") {
            Some(_) => Some(match a.split_once('=') {
                Some((flag, value)) => Arg::Flag(flag, Some(value)),
                None => Arg::Flag(a, None),
            }),
            None => Some(Arg::Positional(a)),
        }
    }

    /// The value of `flag`: inline, or the next argument.
    pub(crate) fn value(
        &mut self,
        flag: &str,
        inline: Option<&'a str>,
    ) -> Result<&'a str, BadInvocation> {
        match inline {
            Some(v) => Ok(v),
            None => self
                .args
                .next()
                .map(String::as_str)
                .ok_or_else(|| BadInvocation(format!("option `{flag}` needs a value"))),
        }
    }
}

/// Reads a file, or standard input for `-`.
pub(crate) fn read_source(path: &str) -> Result<String, BadInvocation> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| BadInvocation(format!("{path}: cannot read: {e}")))
}

/// The execution input from `--input FILE|-`, `{}` when absent.
pub(crate) fn read_input(path: Option<&str>) -> Result<Value, BadInvocation> {
    let Some(path) = path else {
        return Ok(Value::Object(serde_json::Map::new()));
    };
    let text = read_source(path)?;
    let name = if path == "-" { "standard input" } else { path };
    serde_json::from_str(&text)
        .map_err(|e| BadInvocation(format!("{name}: the input is not JSON: {e}")))
}

/// Reads and validates a definition; on findings, prints them as `sfn validate` does (to
/// stderr) and returns exit code 2.
pub(crate) fn load_definition(
    path: &str,
    options: &sfn_asl::validate::LintOptions,
    err: &mut dyn Write,
) -> Result<sfn_asl::StateMachine, i32> {
    let text = read_source(path).map_err(|u| fail(err, u))?;
    parse_definition(path, &text, options, err)
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
        2
    })
}

/// Prints a bad invocation; returns 2.
pub(crate) fn fail(err: &mut dyn Write, usage: BadInvocation) -> i32 {
    let _ = writeln!(err, "{}", usage.0);
    2
}

/// A runtime for one command: a paused clock (Waits and back-offs take no real time) unless
/// `real_time`.
pub(crate) fn runtime(real_time: bool) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_current_thread();
    builder.enable_time();
    if !real_time {
        builder.start_paused(true);
    }
    builder.build()
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
            "States.Runtime",
            format!(
                "The state '{}' calls the resource '{}', and `{}` calls no real services; \
                 answer this state with {}.",
                request.state_name, request.resource, self.command, self.fix
            ),
        );
        Some(Box::pin(async move { Err(err) }))
    }
}
