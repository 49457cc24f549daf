//! `sfn run`: one execution of a definition on the native engine, its result as one JSON object.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};
use sfn_asl::iam::RolePolicy;
use sfn_asl::model::StateKind;
use sfn_asl::validate::LintOptions;
use sfn_asl::StateMachine;
use sfn_runtime::engine::express;
use sfn_runtime::mocks::{MockConfig, MockConfigError, MockTaskSource, MockTestCase};
use sfn_runtime::{Engine, ExecutionConfig, ExecutionResult, Resources, Status};

use crate::cli::{
    load_definition, print_json, runtime, BadInvocation, NoHandler, Outcome, FAILED, SUCCESS,
};
use crate::input::{one_stdin_reader, read_input, read_source, JsonArg, MOCK_CONFIG, ROLE_POLICY};

/// Run a definition once and print its result as one JSON object.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Runs the state machine once on the native engine and prints ONE JSON object \
on one line of stdout:\n  \
{\"status\":\"SUCCEEDED\",\"output\":...}\n  \
{\"status\":\"FAILED\",\"error\":\"...\",\"cause\":\"...\"}   (likewise TIMED_OUT, ABORTED)\n\
A key is absent when the execution has no value for it.",
    after_help = "Tasks: `sfn run` calls no real services. A Task state that the mock config \
does not answer fails with States.Runtime, naming its resource; answer it with \
--mock-config FILE --test-case NAME.\n\n\
Exit status: 0 succeeded; 1 failed, timed out or aborted; 2 bad invocation or invalid \
definition (the findings go to stderr, as `sfn validate` prints them)."
)]
pub(crate) struct Args {
    /// The definition: a file, or - for standard input.
    #[arg(value_name = "DEFINITION")]
    definition: String,
    /// The execution input: inline JSON, a JSON file (or file://PATH), or - for stdin
    /// [default: {}].
    #[arg(long, value_name = "JSON|FILE|-", value_parser = JsonArg::parse, allow_negative_numbers = true)]
    input: Option<JsonArg>,
    /// The state machine type. An EXPRESS run is synchronous, in memory, limited to five
    /// minutes, and refuses activities, .sync and .waitForTaskToken states before it starts.
    #[arg(long = "type", value_enum, ignore_case = true, default_value_t = MachineType::Standard)]
    machine_type: MachineType,
    /// Mocked task responses in the Step Functions Local format.
    #[arg(long, value_name = "FILE", requires = "test_case")]
    mock_config: Option<String>,
    /// The test case of the mock config to use.
    #[arg(long, value_name = "NAME", requires = "mock_config")]
    test_case: Option<String>,
    /// The state machine's name, and its entry in the mock config (default: the file name
    /// without .asl.json, or the mock config's only state machine when it has none of that
    /// name).
    #[arg(long, value_name = "NAME")]
    state_machine: Option<String>,
    /// Add "history": the events as GetExecutionHistory returns them.
    #[arg(long)]
    history: bool,
    /// Let Waits and retry back-offs take real time (default: a virtual clock, so a one-year
    /// Wait finishes at once).
    #[arg(long)]
    real_time: bool,
    /// Task states that no mock answers call AWS: DynamoDB, SQS, SNS, EventBridge and Lambda
    /// integrations and `aws-sdk:` calls, configured by the standard chain (AWS_REGION,
    /// credentials, AWS_PROFILE, AWS_ENDPOINT_URL[_<SERVICE>]). Implies --real-time.
    #[arg(long)]
    aws: bool,
    /// Run as an execution role with these IAM policies: every call a Task makes (mocked,
    /// or to AWS with --aws) must be allowed, or the state fails as AWS reports a missing
    /// permission. FILE is a policy document or a JSON array of them; `generated` is the
    /// least-privilege policy `sfn build` writes for the definition. Default: no check.
    #[arg(long, value_name = "FILE|generated")]
    role_policy: Option<String>,
}

/// `--type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MachineType {
    Standard,
    Express,
}

/// One execution; see [`Args`].
pub(crate) fn run(args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let express = args.machine_type == MachineType::Express;
    let path = args.definition.as_str();
    one_stdin_reader(&[
        ("the definition", path == "-"),
        ("--input", args.input == Some(JsonArg::Stdin)),
        ("--mock-config", args.mock_config.as_deref() == Some("-")),
        ("--role-policy", args.role_policy.as_deref() == Some("-")),
    ])?;
    let options = LintOptions { express };
    let machine = match load_definition(path, &options, err)? {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    let input = read_input(args.input.as_ref())?;
    let (name, mocks) = mocks(&args, path)?;
    let mut resources = Resources::new();
    if let Some(case) = mocks {
        let file = args.mock_config.as_deref().unwrap_or_default();
        warn_unknown_mocked_states(&machine, &case, file, err);
        resources.add_source(Arc::new(MockTaskSource::new(case)));
    }
    if args.aws {
        resources.set_aws(sfn_runtime::aws::AwsClients::from_env());
    } else {
        resources.add_source(Arc::new(NoHandler {
            command: "sfn run",
            fix: "--mock-config FILE --test-case NAME, or call AWS with --aws",
        }));
    }
    let mut engine = Engine::new(resources);
    if let Some(policy) = role_policy(args.role_policy.as_deref(), &machine, &name, err)? {
        engine = engine.with_role_policy(policy);
    }
    // Service calls take real time: a paused clock would fire task timeouts while they run.
    let rt = runtime(args.real_time || args.aws)?;
    let machine = Arc::new(machine);
    let result = if express {
        let mut config = express::config(&name, "run");
        config.record_history = args.history;
        check_input(&input, &config)?;
        rt.block_on(express::start_sync_execution(
            &engine, machine, input, config,
        ))
        // The definition passed the Express lint above; kept for a clear message anyway.
        .map_err(|e| BadInvocation(e.to_string()))?
    } else {
        let mut config = ExecutionConfig::new(&name, "run");
        config.record_history = args.history;
        check_input(&input, &config)?;
        rt.block_on(engine.start_sync_execution(machine, input, config))
    };
    write_result(out, &result, args.history);
    Ok(if result.outcome.status == Status::Succeeded {
        SUCCESS
    } else {
        FAILED
    })
}

/// `--role-policy`: the policy to enforce. As CreateStateMachine does, a machine whose `.sync`
/// integrations need managed EventBridge rules the policy does not allow is refused.
fn role_policy(
    arg: Option<&str>,
    machine: &StateMachine,
    name: &str,
    err: &mut dyn Write,
) -> Result<Option<RolePolicy>, BadInvocation> {
    let Some(arg) = arg else {
        return Ok(None);
    };
    let config = ExecutionConfig::new(name, "run");
    let policy = if arg == "generated" {
        RolePolicy::from_value(&sfn_asl::iam::policy(machine))
            .map_err(|e| format!("--role-policy generated: {e}"))?
    } else {
        RolePolicy::parse(&read_source(arg, &ROLE_POLICY)?)
            .map_err(|e| format!("--role-policy {arg}: {e}"))?
    };
    for what in policy.undecidable(&sfn_runtime::role::known_context(&config)) {
        let _ = writeln!(
            err,
            "--role-policy {arg}: warning: the engine cannot evaluate the {what}; statements \
             that use it never allow a call and always deny it"
        );
    }
    let caller = sfn_asl::iam::Caller {
        partition: "aws",
        region: &config.region,
        account: config.role_arn.split(':').nth(4).unwrap_or_default(),
        state_machine_arn: &config.state_machine_arn,
    };
    let mut context = sfn_runtime::role::known_context(&config);
    context.set("aws:ResourceAccount", caller.account);
    for rule in sfn_asl::iam::managed_rules(machine, &caller) {
        let allowed = policy
            .evaluate(&rule.action, &rule.resource, &context)
            .decision
            == sfn_asl::iam::Decision::Allow;
        if !allowed {
            return Err(BadInvocation(format!(
                "--role-policy {arg}: AccessDeniedException: '{}' is not authorized to create \
                 managed-rule. (the .sync integrations need {} on {}; `generated` grants it)",
                config.role_arn, rule.action, rule.resource
            )));
        }
    }
    Ok(Some(policy))
}

/// The state machine's name and the mock source of `--mock-config`/`--test-case`.
fn mocks(args: &Args, path: &str) -> Result<(String, Option<MockTestCase>), BadInvocation> {
    // clap makes each of the two flags require the other.
    let (Some(file), Some(case)) = (args.mock_config.as_deref(), args.test_case.as_deref()) else {
        let name = args
            .state_machine
            .clone()
            .unwrap_or_else(|| machine_name_from(path));
        return Ok((name, None));
    };
    let config = MockConfig::from_json(&read_source(file, &MOCK_CONFIG)?)
        .map_err(|e| format!("{file}: {e}"))?;
    // Default name: the file's, when the mock config has it, else the config's only machine.
    let stem = machine_name_from(path);
    let name = match &args.state_machine {
        Some(n) => n.clone(),
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
    let tasks: std::collections::HashSet<&str> = machine
        .scopes()
        .into_iter()
        .flat_map(|s| s.scope.states)
        .filter(|(_, state)| matches!(state.kind, StateKind::Task(_)))
        .map(|(name, _)| name.as_str())
        .collect();
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
pub(crate) fn machine_name_from(path: &str) -> String {
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

/// Refuses an input `StartExecution` would refuse (exit 2): the CLI bounds the text it reads,
/// but inline JSON, or numbers such as `1E9` that serialize longer, are measured as the engine
/// measures them.
fn check_input(input: &Value, config: &ExecutionConfig) -> Result<(), BadInvocation> {
    sfn_runtime::engine::check_input(input, config)
        .map_err(|e| BadInvocation(format!("--input: {e}")))
}

/// Prints [`result_json`] on one line, the history event by event: events share their payload
/// texts, which one JSON value of the whole history would copy once per event.
fn write_result(out: &mut dyn Write, result: &ExecutionResult, history: bool) {
    let head = result_json(result);
    if !history {
        print_json(out, &head);
        return;
    }
    let text = head.to_string();
    let open = text.strip_suffix('}').unwrap_or(&text);
    let mut out = std::io::BufWriter::new(out);
    let written = (|| -> std::io::Result<()> {
        write!(out, "{open},\"history\":[")?;
        for (i, event) in result.history.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut out, &event.to_aws_json())?;
        }
        writeln!(out, "]}}")?;
        out.flush()
    })();
    // As `print_json`: a closed stdout ends the output, not the run.
    let _ = written;
}

/// `{"status", "output" | "error", "cause"}`.
fn result_json(result: &ExecutionResult) -> Value {
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
    Value::Object(m)
}
