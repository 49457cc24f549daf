//! `sfn run`: one execution of a definition on the native engine, its result as one JSON object.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};
use sfn_asl::model::StateKind;
use sfn_asl::validate::LintOptions;
use sfn_asl::StateMachine;
use sfn_runtime::engine::express;
use sfn_runtime::mocks::{MockConfig, MockConfigError, MockTaskSource, MockTestCase};
use sfn_runtime::{Engine, ExecutionConfig, ExecutionResult, Resources, Status};

use crate::cli::{
    fail, load_definition, print_json, read_input, read_source, runtime, Arg, Args, BadInvocation,
    NoHandler,
};

pub(super) const HELP: &str = "\
usage: sfn run DEFINITION.json [--input FILE|-] [--type standard|express]
               [--mock-config FILE --test-case NAME] [--state-machine NAME]
               [--history] [--real-time]

Runs the state machine once on the native engine and prints ONE JSON object on stdout:
  {\"status\":\"SUCCEEDED\",\"output\":...}
  {\"status\":\"FAILED\",\"error\":\"...\",\"cause\":\"...\"}   (likewise TIMED_OUT, ABORTED)
A key is absent when the execution has no value for it.

Options:
  --input FILE|-         the execution input, a JSON file or - for stdin (default: {})
  --type standard|express
                         the state machine type (default: standard). An EXPRESS run is
                         synchronous, in memory, limited to five minutes, and refuses
                         activities, .sync and .waitForTaskToken states before it starts
  --mock-config FILE     mocked task responses in the Step Functions Local format
  --test-case NAME       the test case of the mock config to use (needs --mock-config)
  --state-machine NAME   the state machine's name, and its entry in the mock config
                         (default: the file name without .asl.json, or the mock config's
                         only state machine when it has none of that name)
  --history              add \"history\": the events as GetExecutionHistory returns them
  --real-time            let Waits and retry back-offs take real time (default: a virtual
                         clock, so a one-year Wait finishes at once)

Tasks: `sfn run` calls no real services. A Task state that the mock config does not answer
fails with States.Runtime, naming its resource; answer it with
--mock-config FILE --test-case NAME.

Exit status: 0 succeeded; 1 failed, timed out or aborted; 2 bad invocation or invalid
definition (the findings go to stderr, as `sfn validate` prints them).
";

/// The parsed `sfn run` arguments.
#[derive(Debug, Default)]
struct RunArgs<'a> {
    definition: Option<&'a str>,
    input: Option<&'a str>,
    express: bool,
    mock_config: Option<&'a str>,
    test_case: Option<&'a str>,
    state_machine: Option<&'a str>,
    history: bool,
    real_time: bool,
    help: bool,
}

fn parse_args(args: &[String]) -> Result<RunArgs<'_>, BadInvocation> {
    let mut parsed = RunArgs::default();
    let mut it = Args::new(args);
    while let Some(arg) = it.next_arg() {
        match arg {
            Arg::Flag("--help", _) => parsed.help = true,
            Arg::Flag(f @ "--input", v) => parsed.input = Some(it.value(f, v)?),
            Arg::Flag(f @ "--type", v) => {
                parsed.express = match it.value(f, v)? {
                    "standard" | "STANDARD" => false,
                    "express" | "EXPRESS" => true,
                    other => {
                        return Err(format!(
                            "option `--type` takes `standard` or `express`, not `{other}`"
                        )
                        .into())
                    }
                }
            }
            Arg::Flag(f @ "--mock-config", v) => parsed.mock_config = Some(it.value(f, v)?),
            Arg::Flag(f @ "--test-case", v) => parsed.test_case = Some(it.value(f, v)?),
            Arg::Flag(f @ "--state-machine", v) => parsed.state_machine = Some(it.value(f, v)?),
            Arg::Flag(f @ ("--history" | "--real-time"), Some(_)) => {
                return Err(format!("option `{f}` takes no value").into())
            }
            Arg::Flag("--history", None) => parsed.history = true,
            Arg::Flag("--real-time", None) => parsed.real_time = true,
            Arg::Flag(flag, _) => return Err(format!("unknown option `{flag}`").into()),
            Arg::Positional(p) if parsed.definition.is_none() => parsed.definition = Some(p),
            Arg::Positional(p) => {
                return Err(format!("unexpected argument `{p}`: give one definition file").into())
            }
        }
    }
    Ok(parsed)
}

const USAGE_LINE: &str =
    "usage: sfn run DEFINITION.json [--input FILE|-] [--type standard|express] \
[--mock-config FILE --test-case NAME] [--state-machine NAME] [--history] [--real-time] \
(see `sfn run --help`)";

/// `sfn run`; see [`HELP`].
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
        return fail(err, BadInvocation(USAGE_LINE.into()));
    };
    let options = LintOptions {
        express: args.express,
    };
    let machine = match load_definition(path, &options, err) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let input = match read_input(args.input) {
        Ok(i) => i,
        Err(u) => return fail(err, u),
    };
    let (name, mocks) = match mocks(&args, path) {
        Ok(m) => m,
        Err(u) => return fail(err, u),
    };
    let mut resources = Resources::new();
    if let Some(case) = mocks {
        warn_unknown_mocked_states(&machine, &case, args.mock_config.unwrap_or_default(), err);
        resources.add_source(Arc::new(MockTaskSource::new(case)));
    }
    resources.add_source(Arc::new(NoHandler {
        command: "sfn run",
        fix: "--mock-config FILE --test-case NAME",
    }));
    let engine = Engine::new(resources);
    let rt = match runtime(args.real_time) {
        Ok(rt) => rt,
        Err(e) => return fail(err, BadInvocation(format!("cannot start the runtime: {e}"))),
    };
    let machine = Arc::new(machine);
    let result = if args.express {
        let mut config = express::config(&name, "run");
        config.record_history = args.history;
        match rt.block_on(express::start_sync_execution(
            &engine, machine, input, config,
        )) {
            Ok(r) => r,
            // The definition passed the Express lint above; kept for a clear message anyway.
            Err(e) => return fail(err, BadInvocation(e.to_string())),
        }
    } else {
        let mut config = ExecutionConfig::new(&name, "run");
        config.record_history = args.history;
        rt.block_on(engine.start_sync_execution(machine, input, config))
    };
    print_json(out, &result_json(&result, args.history));
    if result.outcome.status == Status::Succeeded {
        0
    } else {
        1
    }
}

/// The state machine's name and the mock source of `--mock-config`/`--test-case`.
fn mocks(args: &RunArgs<'_>, path: &str) -> Result<(String, Option<MockTestCase>), BadInvocation> {
    let (file, case) = match (args.mock_config, args.test_case) {
        (None, None) => {
            let name = args
                .state_machine
                .map_or_else(|| machine_name_from(path), str::to_owned);
            return Ok((name, None));
        }
        (Some(file), Some(case)) => (file, case),
        (Some(_), None) => return Err("`--mock-config` needs `--test-case NAME`".into()),
        (None, Some(_)) => return Err("`--test-case` needs `--mock-config FILE`".into()),
    };
    let config = MockConfig::from_json(&read_source(file)?).map_err(|e| format!("{file}: {e}"))?;
    // Default name: the file's, when the mock config has it, else the config's only machine.
    let stem = machine_name_from(path);
    let name = match args.state_machine {
        Some(n) => n.to_owned(),
        None if !matches!(
            config.test_case(&stem, case),
            Err(MockConfigError::UnknownMachine { .. })
        ) =>
        {
            stem
        }
        None => config.only_machine().map(str::to_owned).ok_or_else(|| {
            format!(
                "{file}: the mock config has no state machine `{stem}` and more than one other; \
                 name one with `--state-machine NAME`"
            )
        })?,
    };
    let case = config
        .test_case(&name, case)
        .map_err(|e| format!("{file}: {e}"))?;
    Ok((name, Some(case)))
}

/// Warns (on stderr) about mocked states that are no Task state of the definition: a typo would
/// otherwise leave the real state unmocked and the mock unused.
fn warn_unknown_mocked_states(
    machine: &StateMachine,
    case: &MockTestCase,
    file: &str,
    err: &mut dyn Write,
) {
    let mut tasks = std::collections::HashSet::new();
    // Nested scopes are walked with a stack; the validator bounds their depth anyway.
    let mut scopes = vec![&machine.states];
    while let Some(states) = scopes.pop() {
        for (name, state) in states {
            match &state.kind {
                StateKind::Task(_) => {
                    tasks.insert(name.as_str());
                }
                StateKind::Parallel(p) => scopes.extend(p.branches.iter().map(|b| &b.states)),
                StateKind::Map(m) => scopes.push(&m.item_processor.states),
                _ => {}
            }
        }
    }
    for state in case.mocked_states() {
        if !tasks.contains(state) {
            let _ = writeln!(
                err,
                "{file}: warning: the test case mocks state `{state}`, which is no Task state of \
                 the definition; the mock is unused"
            );
        }
    }
}

/// `orders.asl.json` → `orders`.
fn machine_name_from(path: &str) -> String {
    let file = Path::new(path)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or("state-machine");
    let stem = file
        .strip_suffix(".asl.json")
        .or_else(|| file.strip_suffix(".json"))
        .unwrap_or(file);
    if stem.is_empty() {
        "state-machine".into()
    } else {
        stem.into()
    }
}

/// `{"status", "output" | "error", "cause", "history"?}`.
fn result_json(result: &ExecutionResult, history: bool) -> Value {
    let o = &result.outcome;
    let mut m = Map::new();
    m.insert("status".into(), o.status.as_str().into());
    if let Some(output) = &o.output {
        m.insert("output".into(), output.clone());
    }
    if let Some(e) = &o.error {
        m.insert("error".into(), e.clone().into());
    }
    if let Some(c) = &o.cause {
        m.insert("cause".into(), c.clone().into());
    }
    if history {
        let events = result.history.iter().map(|e| e.to_aws_json()).collect();
        m.insert("history".into(), Value::Array(events));
    }
    Value::Object(m)
}
