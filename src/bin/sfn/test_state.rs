//! `sfn test-state`: one state of a definition on an input, like Step Functions' TestState API.

use std::io::Write;
use std::sync::Arc;

use serde_json::{json, Map, Value};
use sfn_asl::validate::LintOptions;
use sfn_runtime::test_state::{test_state, TestStateMock, TestStateOptions, TestStatus};

use crate::cli::{
    parse_definition, print_json, runtime, BadInvocation, NoHandler, Outcome, FAILED, SUCCESS,
};
use crate::input::{one_stdin_reader, read_input, read_source, JsonArg, DEFINITION, MOCK_RESULT};

/// Run one state of a definition, at any depth (like the TestState API).
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Runs one state of the definition once on the input, like the TestState API. \
The state may sit at any depth (in a Parallel branch, a Map's ItemProcessor): name it, or give \
its JSON pointer (/States/Outer/Branches/0/States/Inner, as `sfn validate` prints locations). \
The file may also hold a single state ({\"Type\": ...}, as the TestState API takes it), run \
under NAME (default: State). Prints the result as one JSON object on stdout:\n  \
{\"status\":\"SUCCEEDED\",\"output\":...,\"nextState\":\"...\"}\n  \
{\"status\":\"CAUGHT_ERROR\",\"output\":...,\"error\":\"...\",\"cause\":\"...\",\"nextState\":\"...\"}\n  \
{\"status\":\"RETRIABLE\",\"error\":\"...\",\"cause\":\"...\"}\n  \
{\"status\":\"FAILED\",\"error\":\"...\",\"cause\":\"...\"}\n\
`nextState` is absent when the state ends its scope; `output` is a JSON value.",
    after_help = "Without a mock, a Task state fails with States.Runtime naming its resource: \
`sfn test-state` calls no real services. Waits and retry back-offs take no real time.\n\n\
Exit status: 0 the state ran (SUCCEEDED, CAUGHT_ERROR, RETRIABLE); 1 FAILED; 2 bad invocation, \
invalid definition (findings on stderr, as `sfn validate` prints them) or unknown or ambiguous \
state."
)]
pub(crate) struct Args {
    /// The definition, or a single state: a file, or - for standard input.
    #[arg(value_name = "DEFINITION")]
    definition: String,
    /// The state to run: its name at any depth, or its JSON pointer (required unless the file
    /// holds one state).
    #[arg(long, value_name = "NAME")]
    state: Option<String>,
    /// The state's input: inline JSON, a JSON file (or file://PATH), or - for stdin
    /// [default: {}].
    #[arg(long, value_name = "JSON|FILE|-", value_parser = JsonArg::parse, allow_negative_numbers = true)]
    input: Option<JsonArg>,
    /// The task's result in place of calling its resource: inline JSON, a JSON file, or -
    /// (Task states; for Map and Parallel, the whole state's result).
    #[arg(long, value_name = "JSON|FILE|-", value_parser = JsonArg::parse, allow_negative_numbers = true,
          conflicts_with = "mock_error")]
    mock_result: Option<JsonArg>,
    /// The task fails with this error instead.
    #[arg(long, value_name = "ERROR")]
    mock_error: Option<String>,
    /// The cause of --mock-error.
    #[arg(long, value_name = "CAUSE", requires = "mock_error")]
    mock_cause: Option<String>,
    /// With --mock-error: the retries the matching Retrier has used already, to test a later
    /// attempt (TestState's retrierRetryCount).
    #[arg(long, value_name = "N", requires = "mock_error", default_value_t = 0)]
    retrier_retry_count: u64,
}

/// The mock of `--mock-result` / `--mock-error` / `--mock-cause` (clap rules out the
/// combinations that make no sense).
fn mock(args: &Args) -> Result<Option<TestStateMock>, BadInvocation> {
    if let Some(result) = &args.mock_result {
        return Ok(Some(TestStateMock::Result(result.read(&MOCK_RESULT)?)));
    }
    Ok(args.mock_error.as_ref().map(|error| TestStateMock::Error {
        error: error.clone(),
        cause: args.mock_cause.clone(),
    }))
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

/// Whether a state named `name` sits in a Parallel branch or Map processor of `state`, at any
/// depth (the JSON parser's recursion limit bounds the walk). It reads the raw JSON because it
/// decides how a single-state file becomes a machine, before there is a model to walk with
/// `StateMachine::scopes`.
fn nests(state: &Value, name: &str) -> bool {
    let branches = state.get("Branches").and_then(Value::as_array);
    let processors = ["ItemProcessor", "Iterator"].map(|k| state.get(k));
    branches
        .into_iter()
        .flatten()
        .chain(processors.into_iter().flatten())
        .filter_map(|scope| scope.get("States")?.as_object())
        .any(|states| states.iter().any(|(n, s)| n == name || nests(s, name)))
}

/// One state; see [`Args`].
pub(crate) fn run(args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let path = args.definition.as_str();
    one_stdin_reader(&[
        ("the definition", path == "-"),
        ("--input", args.input == Some(JsonArg::Stdin)),
        ("--mock-result", args.mock_result == Some(JsonArg::Stdin)),
    ])?;
    let mock = mock(&args)?;
    let text = read_source(path, &DEFINITION)?;
    let single = serde_json::from_str::<Value>(&text).ok().and_then(|doc| {
        // `--state` names the file's one state, unless it names a state nested in it (or is a
        // JSON pointer, which then starts at `/States/State`).
        let name = match args.state.as_deref() {
            Some(s) if !s.starts_with('/') && !nests(&doc, s) => s,
            _ => SINGLE_STATE_NAME,
        };
        single_state_machine(&doc, name)
    });
    let Some(state) = args
        .state
        .as_deref()
        .or(single.as_ref().map(|_| SINGLE_STATE_NAME))
    else {
        return Err("missing `--state NAME`: name the state to run".into());
    };
    let text = single.map_or(text, |m| m.to_string());
    let machine = match parse_definition(path, &text, &LintOptions::default(), err) {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    let input = read_input(args.input.as_ref())?;
    let rt = runtime(false)?;
    let mut options = TestStateOptions {
        retrier_retry_count: args.retrier_retry_count,
        ..TestStateOptions::default()
    };
    options.resources.add_source(Arc::new(NoHandler {
        command: "sfn test-state",
        fix: "--mock-result FILE or --mock-error ERROR",
    }));
    let result = rt
        .block_on(test_state(&machine, state, input, mock, options))
        .map_err(|e| BadInvocation(format!("{path}: {e}")))?;
    print_json(out, &result.to_json());
    Ok(if result.status == TestStatus::Failed {
        FAILED
    } else {
        SUCCESS
    })
}
