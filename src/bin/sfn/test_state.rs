//! `sfn test-state`: one state of a definition on an input, like Step Functions' TestState API.

use std::io::Write;
use std::sync::Arc;

use serde_json::{json, Map, Value};
use sfn_asl::validate::LintOptions;
use sfn_runtime::test_state::{test_state, TestStateMock, TestStateOptions, TestStatus};

use crate::cli::{
    fail, parse_definition, print_json, read_input, read_source, runtime, Arg, Args, BadInvocation,
    NoHandler,
};

pub(super) const HELP: &str = "\
usage: sfn test-state DEFINITION.json --state NAME [--input FILE|-]
                      [--mock-result FILE | --mock-error ERROR [--mock-cause CAUSE]]
       sfn test-state STATE.json [--state NAME] [--input FILE|-] [...]

Runs the top-level state NAME of the definition once on the input, like the TestState API.
The file may also hold a single state ({\"Type\": ...}, as the TestState API takes it), run
under NAME (default: State). Prints the result as one JSON object on stdout:
  {\"status\":\"SUCCEEDED\",\"output\":...,\"nextState\":\"...\"}
  {\"status\":\"CAUGHT_ERROR\",\"output\":...,\"error\":\"...\",\"cause\":\"...\",\"nextState\":\"...\"}
  {\"status\":\"RETRIABLE\",\"error\":\"...\",\"cause\":\"...\"}
  {\"status\":\"FAILED\",\"error\":\"...\",\"cause\":\"...\"}
`nextState` is absent when the state ends the execution; `output` is a JSON value.

Options:
  --state NAME           the state to run (required unless the file holds one state)
  --input FILE|-         the state's input, a JSON file or - for stdin (default: {})
  --mock-result FILE     the task's result, a JSON file, in place of calling its resource
                         (Task states; for Map and Parallel, the whole state's result)
  --mock-error ERROR     the task fails with this error instead
  --mock-cause CAUSE     the cause of --mock-error

Without a mock, a Task state fails with States.Runtime naming its resource: `sfn test-state`
calls no real services.
Waits and retry back-offs take no real time.

Exit status: 0 the state ran (SUCCEEDED, CAUGHT_ERROR, RETRIABLE); 1 FAILED; 2 bad invocation,
invalid definition (findings on stderr, as `sfn validate` prints them) or unknown state.
";

const USAGE_LINE: &str = "usage: sfn test-state DEFINITION.json --state NAME [--input FILE|-] \
[--mock-result FILE | --mock-error ERROR [--mock-cause CAUSE]] (see `sfn test-state --help`)";

#[derive(Debug, Default)]
struct TestStateArgs<'a> {
    definition: Option<&'a str>,
    state: Option<&'a str>,
    input: Option<&'a str>,
    mock_result: Option<&'a str>,
    mock_error: Option<&'a str>,
    mock_cause: Option<&'a str>,
    help: bool,
}

fn parse_args(args: &[String]) -> Result<TestStateArgs<'_>, BadInvocation> {
    let mut parsed = TestStateArgs::default();
    let mut it = Args::new(args);
    while let Some(arg) = it.next_arg() {
        match arg {
            Arg::Flag("--help", _) => parsed.help = true,
            Arg::Flag(f @ "--state", v) => parsed.state = Some(it.value(f, v)?),
            Arg::Flag(f @ "--input", v) => parsed.input = Some(it.value(f, v)?),
            Arg::Flag(f @ "--mock-result", v) => parsed.mock_result = Some(it.value(f, v)?),
            Arg::Flag(f @ "--mock-error", v) => parsed.mock_error = Some(it.value(f, v)?),
            Arg::Flag(f @ "--mock-cause", v) => parsed.mock_cause = Some(it.value(f, v)?),
            Arg::Flag(flag, _) => return Err(format!("unknown option `{flag}`").into()),
            Arg::Positional(p) if parsed.definition.is_none() => parsed.definition = Some(p),
            Arg::Positional(p) => {
                return Err(format!("unexpected argument `{p}`: give one definition file").into())
            }
        }
    }
    Ok(parsed)
}

/// The mock of `--mock-result` / `--mock-error` / `--mock-cause`.
fn mock(args: &TestStateArgs<'_>) -> Result<Option<TestStateMock>, BadInvocation> {
    match (args.mock_result, args.mock_error, args.mock_cause) {
        (Some(_), Some(_), _) => {
            Err("give either `--mock-result` or `--mock-error`, not both".into())
        }
        (Some(_), None, Some(_)) | (None, None, Some(_)) => {
            Err("`--mock-cause` goes with `--mock-error ERROR`".into())
        }
        (Some(file), None, None) => {
            let text = read_source(file)?;
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| format!("{file}: the mocked result is not JSON: {e}"))?;
            Ok(Some(TestStateMock::Result(value)))
        }
        (None, Some(error), cause) => Ok(Some(TestStateMock::Error {
            error: error.to_owned(),
            cause: cause.map(str::to_owned),
        })),
        (None, None, None) => Ok(None),
    }
}

/// The name a single-state file's state runs under when `--state` gives none.
const SINGLE_STATE_NAME: &str = "State";

/// A file holding one state (`{"Type": ...}`, what the TestState API takes as its definition)
/// as a machine: that state, named `name`, and a placeholder `Succeed` state for every state it
/// names (`Next`, `Default`, `Choices[].Next`, `Catch[].Next`). `None` for anything else.
fn single_state_machine(doc: &Value, name: &str) -> Option<Value> {
    let state = doc.as_object()?;
    if !state.contains_key("Type") || state.contains_key("States") {
        return None;
    }
    let rules = |key: &str| {
        state
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("Next"))
    };
    let targets = [state.get("Next"), state.get("Default")]
        .into_iter()
        .flatten()
        .chain(rules("Choices"))
        .chain(rules("Catch"))
        .filter_map(Value::as_str);
    let mut states = Map::new();
    states.insert(name.to_owned(), doc.clone());
    for target in targets {
        states
            .entry(target.to_owned())
            .or_insert_with(|| json!({"Type": "Succeed"}));
    }
    Some(json!({"StartAt": name, "States": states}))
}

/// `sfn test-state`; see [`HELP`].
pub(super) fn main(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let args = match parse_args(args) {
        Ok(a) => a,
        Err(u) => return fail(err, BadInvocation(format!("{}\n{USAGE_LINE}", u.0))),
    };
    if args.help {
        let _ = write!(out, "{HELP}");
        return 0;
    }
    let Some(path) = args.definition else {
        return fail(
            err,
            BadInvocation(format!("missing a definition file\n{USAGE_LINE}")),
        );
    };
    let mock = match mock(&args) {
        Ok(m) => m,
        Err(u) => return fail(err, u),
    };
    let text = match read_source(path) {
        Ok(t) => t,
        Err(u) => return fail(err, u),
    };
    let single = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|doc| single_state_machine(&doc, args.state.unwrap_or(SINGLE_STATE_NAME)));
    let Some(state) = args.state.or(single.as_ref().map(|_| SINGLE_STATE_NAME)) else {
        return fail(
            err,
            BadInvocation(format!("missing `--state NAME`\n{USAGE_LINE}")),
        );
    };
    let text = single.map_or(text, |m| m.to_string());
    let machine = match parse_definition(path, &text, &LintOptions::default(), err) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let input = match read_input(args.input) {
        Ok(i) => i,
        Err(u) => return fail(err, u),
    };
    let rt = match runtime(false) {
        Ok(rt) => rt,
        Err(e) => return fail(err, BadInvocation(format!("cannot start the runtime: {e}"))),
    };
    let mut options = TestStateOptions::default();
    options.resources.add_source(Arc::new(NoHandler {
        command: "sfn test-state",
        fix: "--mock-result FILE or --mock-error ERROR",
    }));
    let run = test_state(&machine, state, input, mock, options);
    match rt.block_on(run) {
        Ok(result) => {
            print_json(out, &result.to_json());
            if result.status == TestStatus::Failed {
                1
            } else {
                0
            }
        }
        Err(e) => fail(err, BadInvocation(format!("{path}: {e}"))),
    }
}
