//! `sfn run`: the real binary on the samples of `examples/asl/`: the JSON result, `--history`,
//! exit codes, the virtual clock, mock configs with retries, Express rules and bad invocations.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::Run;

const ORDERS: &str = "examples/asl/order-processing.asl.json";
const ORDERS_INPUT: &str = "examples/asl/order-processing.input.json";
const ORDERS_MOCKS: &str = "examples/asl/order-processing.mock.json";

/// Runs `sfn run ARGS` from the repository root, `stdin` on standard input.
fn sfn_run(args: &[&str], stdin: &str) -> Run {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    support::sfn(&all, stdin)
}

fn orders(case: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        ORDERS,
        "--input",
        ORDERS_INPUT,
        "--mock-config",
        ORDERS_MOCKS,
        "--test-case",
        case,
    ];
    args.extend_from_slice(extra);
    sfn_run(&args, "")
}

#[test]
fn success_prints_status_and_output_and_exits_0() {
    let run = orders("Approved", &[]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(
        run.json(),
        json!({"status": "SUCCEEDED", "output": {
            "id": "o-17", "total": 42, "validation": {"ok": true},
            "shipment": {"orderId": "o-17", "label": "ship-o-17"}}})
    );
}

#[test]
fn failure_prints_error_and_cause_and_exits_1() {
    // Four throws use up the three retries; the Catcher goes to the Fail state.
    let run = orders("AlwaysDown", &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.json(),
        json!({"status": "FAILED", "error": "OrderRejected", "cause": "validation failed"})
    );
}

#[test]
fn mocked_throw_then_return_is_retried() {
    let run = orders("FlakyThenApproved", &["--history"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    assert_eq!(v["status"], "SUCCEEDED");
    assert_eq!(v["output"]["validation"], json!({"ok": true}));
    let types: Vec<&str> = v["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .filter(|t| t.starts_with("LambdaFunction"))
        .collect();
    assert_eq!(
        types,
        [
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionFailed",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded"
        ]
    );
}

#[test]
fn history_has_the_get_execution_history_shape() {
    let run = orders("Approved", &["--history"]);
    let v = run.json();
    let events = v["history"].as_array().expect("history array");
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["id"], json!(i + 1), "ids count from 1: {e}");
        assert!(e["previousEventId"].is_u64(), "{e}");
        assert!(e["timestamp"].is_u64(), "{e}");
        assert!(e["type"].is_string(), "{e}");
    }
    let first = events.first().expect("events");
    assert_eq!(first["type"], "ExecutionStarted");
    assert_eq!(first["previousEventId"], 0);
    // Inputs and outputs are JSON text, as AWS sends them.
    let input = first["executionStartedEventDetails"]["input"]
        .as_str()
        .expect("input is text");
    assert_eq!(
        serde_json::from_str::<Value>(input).expect("JSON text"),
        json!({"id": "o-17", "total": 42})
    );
    let entered = events
        .iter()
        .find(|e| e["type"] == "TaskStateEntered")
        .expect("TaskStateEntered");
    assert_eq!(entered["stateEnteredEventDetails"]["name"], "Validate");
    let last = events.last().expect("events");
    assert_eq!(last["type"], "ExecutionSucceeded");
    assert!(last["executionSucceededEventDetails"]["output"].is_string());
    // Without --history there is no history key.
    assert!(orders("Approved", &[]).json().get("history").is_none());
}

#[test]
fn a_one_year_wait_finishes_at_once_on_the_virtual_clock() {
    // The year passes on the virtual clock (the timestamps below); the test harness's own
    // timeout catches a run that would wait for real.
    let run = sfn_run(&["examples/asl/wait-one-year.asl.json", "--history"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    let events = v["history"].as_array().expect("history");
    let first = events.first().and_then(|e| e["timestamp"].as_u64());
    let last = events.last().and_then(|e| e["timestamp"].as_u64());
    let year_ms = 31_536_000_000;
    assert_eq!(
        last.zip(first).map(|(l, f)| l - f),
        Some(year_ms),
        "a year passes in virtual time"
    );
    let out = &v["output"];
    assert_ne!(out["started"], out["finished"]);
}

#[test]
fn input_from_stdin() {
    let run = sfn_run(
        &[
            ORDERS,
            "--input",
            "-",
            "--mock-config",
            ORDERS_MOCKS,
            "--test-case",
            "Approved",
        ],
        r#"{"id": "o-9", "total": 5}"#,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["output"]["shipment"]["label"], "ship-o-9");
}

#[test]
fn default_input_is_an_empty_object() {
    let run = sfn_run(&["examples/asl/wait-one-year.asl.json", "--history"], "");
    let v = run.json();
    assert_eq!(
        v["history"][0]["executionStartedEventDetails"]["input"],
        "{}"
    );
}

#[test]
fn an_unmocked_task_fails_naming_the_resource_and_the_fix() {
    let run = sfn_run(&[ORDERS], "");
    assert_eq!(run.code, 1);
    let v = run.json();
    assert_eq!(v["status"], "FAILED");
    assert_eq!(v["error"], "States.Runtime");
    let cause = v["cause"].as_str().expect("cause");
    assert!(
        cause.contains("arn:aws:lambda:us-east-1:123456789012:function:validate"),
        "{cause}"
    );
    assert!(cause.contains("--mock-config"), "{cause}");
}

#[test]
fn express_rejects_callback_tasks_at_start_naming_the_state() {
    let file = "examples/asl/broken/express-wait-for-task-token.asl.json";
    let run = sfn_run(&[file, "--type", "express"], "");
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert_eq!(
        run.stderr.lines().next(),
        Some(
            format!(
                "{file}: /States/Approve/Resource: SCHEMA_VALIDATION_FAILED: state `Approve`, \
                 field `Resource`: Express state machine does not support '.waitForTaskToken' \
                 service integration"
            )
            .as_str()
        )
    );
    // The same definition starts as a STANDARD machine (and fails: nothing answers the task).
    assert_eq!(sfn_run(&[file], "").code, 1);
}

#[test]
fn express_runs_synchronously_and_stops_after_five_minutes() {
    let run = orders("Approved", &["--type", "express"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["status"], "SUCCEEDED");
    // A total over 100 waits an hour for review: past the Express limit.
    let run = sfn_run(
        &[
            ORDERS,
            "--input",
            "-",
            "--mock-config",
            ORDERS_MOCKS,
            "--test-case",
            "Approved",
            "--type",
            "express",
        ],
        r#"{"id": "big", "total": 500}"#,
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        run.json(),
        json!({"status": "TIMED_OUT", "error": "States.Timeout"})
    );
}

#[test]
fn invalid_definition_exits_2_with_validate_findings_on_stderr() {
    let file = "examples/asl/broken/missing-next-target.asl.json";
    let run = sfn_run(&[file], "");
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("{file}: /States/Validate/Next: ")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint: "), "{}", run.stderr);
}

#[test]
fn bad_invocations_exit_2_naming_the_problem() {
    let cases: &[(&[&str], &str)] = &[
        (&[ORDERS, "--bogus"], "error: unexpected argument '--bogus' found"),
        (&[ORDERS, "--type", "fast"], "invalid value 'fast' for '--type <MACHINE_TYPE>'\n  [possible values: standard, express]"),
        (&[ORDERS, "--input"], "a value is required for '--input <JSON|FILE|->' but none was supplied"),
        (&[ORDERS, "--history=yes"], "unexpected value 'yes' for '--history' found; no more were expected"),
        (&[ORDERS, "--mock-config", ORDERS_MOCKS], "the following required arguments were not provided:\n  --test-case <NAME>"),
        (&[ORDERS, "--test-case", "Approved"], "the following required arguments were not provided:\n  --mock-config <FILE>"),
        (
            &[ORDERS, "--mock-config", ORDERS_MOCKS, "--test-case", "Nope"],
            "no test case `Nope` for state machine `order-processing` (it has: AlwaysDown, Approved, FlakyThenApproved)",
        ),
        (
            &[ORDERS, "--mock-config", ORDERS_MOCKS, "--test-case", "Approved", "--state-machine", "other"],
            "no state machine `other`",
        ),
        (&[ORDERS, "--input", "examples/asl/missing.json"], "examples/asl/missing.json: cannot read"),
        (&[ORDERS, "--input", ORDERS_MOCKS, "extra.json"], "unexpected argument 'extra.json'"),
        (&[], "Usage: sfn run"),
    ];
    for (args, message) in cases {
        let run = sfn_run(args, "");
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
    let run = sfn_run(&[ORDERS, "--input", "-"], "not json");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("standard input: the input is not JSON"),
        "{}",
        run.stderr
    );
}

#[test]
fn help_describes_the_options_and_the_missing_handler_rule() {
    for args in [&["run", "--help"][..], &["help", "run"]] {
        let out = support::sfn(args, "");
        assert_eq!(out.code, 0, "{args:?}");
        let text = out.stdout.as_str();
        for needle in [
            "--mock-config",
            "--real-time",
            "--history",
            "calls no real services",
        ] {
            assert!(text.contains(needle), "{args:?} lacks {needle}: {text}");
        }
    }
    let out = support::sfn(&["help"], "");
    let text = out.stdout.as_str();
    assert_eq!(out.code, 0);
    for command in ["validate", "run", "test-state"] {
        assert!(text.contains(&format!("  {command} ")), "{text}");
    }
    let out = support::sfn(&["launch"], "");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("error: unrecognized subcommand 'launch'"),
        "{}",
        out.stderr
    );
}

const GREETINGS: &str = "examples/asl/greetings.asl.json";
const GREETINGS_MOCKS: &str = "examples/asl/greetings.mock.json";

#[test]
fn lambda_invoke_mocks_are_the_whole_result_counted_across_map_iterations() {
    // `$.Payload.text` in the ResultSelector reads the mocked `Return` as is: not wrapped in a
    // second Lambda envelope. Invocation 0 is the first iteration's, 1-2 the others'.
    let args = [
        GREETINGS,
        "--input",
        "-",
        "--mock-config",
        GREETINGS_MOCKS,
        "--test-case",
        "Friendly",
    ];
    let run = sfn_run(&args, r#"{"names": ["Ada", "Bo", "Cy"]}"#);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, ""),
        "a Task inside a Map is mocked"
    );
    assert_eq!(
        run.json()["output"],
        json!([
            {"text": "hello, first", "status": 200},
            {"text": "hi", "status": 200},
            {"text": "hi", "status": 200}
        ])
    );
    // A fourth invocation has no mocked answer: the execution fails saying so.
    let run = sfn_run(&args, r#"{"names": ["Ada", "Bo", "Cy", "Di"]}"#);
    assert_eq!(run.code, 1);
    let v = run.json();
    assert_eq!(v["error"], "States.Runtime");
    assert!(
        v["cause"]
            .as_str()
            .unwrap_or_default()
            .contains("'Greet' has no answer for invocation 3"),
        "{v}"
    );
}

#[test]
fn state_machine_picks_the_mock_config_entry() {
    let run = sfn_run(
        &[
            GREETINGS,
            "--input",
            "-",
            "--mock-config",
            GREETINGS_MOCKS,
            "--test-case",
            "Friendly",
            "--state-machine",
            "farewells",
        ],
        r#"{"names": ["Ada"]}"#,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json()["output"],
        json!([{"text": "bye", "status": 200}])
    );
    // The file name is not in this config, which holds two machines: name one.
    let run = sfn_run(
        &[
            ORDERS,
            "--mock-config",
            GREETINGS_MOCKS,
            "--test-case",
            "Friendly",
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("no state machine `order-processing` and more than one other"),
        "{}",
        run.stderr
    );
}

#[test]
fn real_time_makes_back_offs_take_real_time() {
    // FlakyThenApproved retries once after the Retrier's 2-second interval.
    let started = Instant::now();
    let run = orders("FlakyThenApproved", &["--real-time"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(started.elapsed() >= Duration::from_millis(1900));
    let started = Instant::now();
    assert_eq!(orders("FlakyThenApproved", &[]).code, 0);
    assert!(started.elapsed() < Duration::from_millis(1900));
}

/// The Express cases recorded on AWS (`../shared/conformance/cases`), run as `sfn run --type
/// express`: the printed object is AWS's answer (status, output or error and cause).
#[test]
fn express_conformance_cases() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/cases");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("conformance cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("express_"))
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "express cases in {}", dir.display());
    let tmp = std::env::temp_dir().join(format!("sfn-cli-run-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    for path in names {
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("case")).expect("JSON");
        assert_eq!(case["state_machine_type"], "EXPRESS", "{}", path.display());
        let definition = tmp.join("definition.asl.json");
        std::fs::write(&definition, case["definition"].to_string()).expect("write definition");
        let definition = definition.to_string_lossy().into_owned();
        let run = sfn_run(
            &[&definition, "--type", "express", "--input", "-"],
            &case["input"].to_string(),
        );
        let expected = &case["expected"];
        let code = if expected["status"] == "SUCCEEDED" {
            0
        } else {
            1
        };
        assert_eq!(run.code, code, "{}: {}", path.display(), run.stderr);
        assert_eq!(&run.json(), expected, "{}", path.display());
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn a_mocked_callback_task_returns_the_mocked_result() {
    // A `.waitForTaskToken` task answered by a mock needs no token: the mock is its result.
    let tmp = std::env::temp_dir().join(format!("sfn-cli-callback-{}.json", std::process::id()));
    let mocks = r#"{"StateMachines":{"approvals":{"TestCases":{"Yes":{"Approve":"Approved"}}}},
        "MockedResponses":{"Approved":{"0":{"Return":{"approved":true}}}}}"#;
    std::fs::write(&tmp, mocks).expect("write mock config");
    let mock_file = tmp.to_string_lossy().into_owned();
    let run = sfn_run(
        &[
            "examples/asl/broken/express-wait-for-task-token.asl.json",
            "--mock-config",
            &mock_file,
            "--test-case",
            "Yes",
        ],
        "",
    );
    let _ = std::fs::remove_file(&tmp);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json(),
        json!({"status": "SUCCEEDED", "output": {"approved": true}})
    );
}

#[test]
fn histories_are_reproducible_but_for_the_start_time() {
    let history = || {
        let v = orders("FlakyThenApproved", &["--history"]).json();
        let events = v["history"].as_array().cloned().unwrap_or_default();
        let start = events
            .first()
            .and_then(|e| e["timestamp"].as_u64())
            .unwrap_or(0);
        events
            .into_iter()
            .map(|mut e| {
                let at = e["timestamp"].as_u64().unwrap_or(0);
                e["timestamp"] = json!(at - start);
                e
            })
            .collect::<Vec<_>>()
    };
    let first = history();
    assert!(first.len() > 10);
    assert_eq!(first, history());
    // The retry waited the Retrier's 2 s of virtual time.
    assert_eq!(
        first.last().map(|e| e["timestamp"].clone()),
        Some(json!(2000))
    );
}

#[test]
fn mocks_of_states_the_definition_lacks_are_reported() {
    let run = sfn_run(
        &[
            ORDERS,
            "--mock-config",
            GREETINGS_MOCKS,
            "--test-case",
            "Friendly",
            "--state-machine",
            "greetings",
        ],
        "",
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr.trim_end(),
        format!(
            "{GREETINGS_MOCKS}: warning: the test case mocks state `Greet`, which is no Task \
             state of the definition; the mock is unused"
        )
    );
    assert_eq!(run.json()["status"], "FAILED");
}

#[test]
fn input_is_inline_json_a_file_or_a_file_url() {
    let mocked = ["--mock-config", ORDERS_MOCKS, "--test-case", "Approved"];
    let label = |input: &str| {
        let mut args = vec![ORDERS, "--input", input];
        args.extend_from_slice(&mocked);
        let run = sfn_run(&args, "");
        assert_eq!(run.code, 0, "{input}: {}", run.stderr);
        run.json()["output"]["shipment"]["label"].clone()
    };
    assert_eq!(label(r#"{"id": "o-5", "total": 5}"#), "ship-o-5");
    assert_eq!(label(r#"  {"id": "o-6", "total": 6}"#), "ship-o-6");
    assert_eq!(label(ORDERS_INPUT), "ship-o-17");
    assert_eq!(label(&format!("file://{ORDERS_INPUT}")), "ship-o-17");
    // A scalar is JSON too: the execution input of this definition may be anything.
    let run = sfn_run(
        &[
            "examples/asl/wait-one-year.asl.json",
            "--input",
            "-7",
            "--history",
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json()["history"][0]["executionStartedEventDetails"]["input"],
        "-7"
    );
}

#[test]
fn inline_input_that_is_not_json_says_how_to_name_a_file() {
    let run = sfn_run(&[ORDERS, "--input", "{oops"], "");
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(
        run.stderr.starts_with("error: the input is not JSON: "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("write `file://{oops`"),
        "{}",
        run.stderr
    );
    let run = sfn_run(&[ORDERS, "--input", "file://no/such.json"], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no/such.json: cannot read"),
        "{}",
        run.stderr
    );
}

#[test]
fn only_one_argument_reads_standard_input() {
    let run = sfn_run(&["-", "--input", "-"], "{}");
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(
        run.stderr
            .starts_with("error: the definition and --input all read standard input (`-`)"),
        "{}",
        run.stderr
    );
    // The definition alone from stdin is fine.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/asl/wait-one-year.asl.json"),
    )
    .expect("example");
    let run = sfn_run(&["-", "--input", r#"{"a": 1}"#], &text);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["status"], "SUCCEEDED");
}

#[test]
fn mocked_states_timeouts_take_the_timeout_paths() {
    // A mocked `Throw` of `States.Timeout` or `States.HeartbeatTimeout` is caught by the Catcher
    // that names it, so a timeout path can be tested from a mock config; a `Throw` without
    // `Cause` leaves `cause` out of the failure event.
    let dir = std::env::temp_dir().join(format!("sfn-cli-timeouts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let definition = dir.join("timeouts.asl.json");
    std::fs::write(
        &definition,
        json!({"StartAt": "Call", "States": {
            "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f"}, "HeartbeatSeconds": 5, "TimeoutSeconds": 60,
                "Catch": [
                    {"ErrorEquals": ["States.HeartbeatTimeout"], "ResultPath": "$.hb", "Next": "Heartbeat"},
                    {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.t", "Next": "Timeout"},
                    {"ErrorEquals": ["States.ALL"], "Next": "Other"}],
                "End": true},
            "Heartbeat": {"Type": "Pass", "End": true},
            "Timeout": {"Type": "Pass", "End": true},
            "Other": {"Type": "Pass", "Result": "other", "End": true}}})
        .to_string(),
    )
    .expect("write definition");
    let mocks = dir.join("timeouts.mock.json");
    std::fs::write(
        &mocks,
        json!({"StateMachines": {"timeouts": {"TestCases": {
                "Heartbeat": {"Call": "Heartbeat"}, "Timeout": {"Call": "Timeout"},
                "Plain": {"Call": "Plain"}}}},
            "MockedResponses": {
                "Heartbeat": {"0": {"Throw": {"Error": "States.HeartbeatTimeout"}}},
                "Timeout": {"0": {"Throw": {"Error": "States.Timeout"}}},
                "Plain": {"0": {"Throw": {"Error": "Oops"}}}}})
        .to_string(),
    )
    .expect("write mock config");
    let run = |case: &str| {
        let args = [
            definition.to_str().expect("utf-8 path"),
            "--mock-config",
            mocks.to_str().expect("utf-8 path"),
            "--test-case",
            case,
            "--history",
        ];
        let run = sfn_run(&args, "");
        assert_eq!(run.code, 0, "{case}: {}", run.stderr);
        run.json()
    };
    let heartbeat = run("Heartbeat");
    assert_eq!(
        heartbeat["output"]["hb"]["Error"], "States.HeartbeatTimeout",
        "{heartbeat}"
    );
    let timeout = run("Timeout");
    assert_eq!(
        timeout["output"]["t"],
        json!({"Error": "States.Timeout", "Cause": ""}),
        "{timeout}"
    );
    let timed_out: Vec<&Value> = timeout["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|e| e["type"] == "TaskTimedOut")
        .collect();
    assert_eq!(timed_out.len(), 1, "{timeout}");
    let plain = run("Plain");
    assert_eq!(plain["output"], "other", "{plain}");
    let failed = plain["history"]
        .as_array()
        .expect("history")
        .iter()
        .find(|e| e["type"] == "TaskFailed")
        .expect("a TaskFailed event")
        .clone();
    assert_eq!(
        failed["taskFailedEventDetails"]["error"], "Oops",
        "{failed}"
    );
    assert!(
        failed["taskFailedEventDetails"].get("cause").is_none(),
        "no Cause mocked, none recorded: {failed}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
