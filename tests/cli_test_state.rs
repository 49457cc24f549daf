//! `sfn test-state`: the real binary runs one state of `examples/asl/order-processing.asl.json`
//! with and without mocks; statuses, next states, exit codes and bad invocations.

mod support;

use serde_json::{json, Value};

const ORDERS: &str = "examples/asl/order-processing.asl.json";

/// Runs `sfn test-state ORDERS ARGS` from the repository root with `stdin`; returns the exit
/// code, stdout as JSON (`Null` when empty) and stderr.
fn test_state(args: &[&str], stdin: &str) -> (i32, Value, String) {
    let mut all = vec!["test-state"];
    all.extend_from_slice(args);
    let run = support::sfn(&all, stdin);
    let json = if run.stdout.is_empty() {
        Value::Null
    } else {
        run.json()
    };
    (run.code, json, run.stderr)
}

#[test]
fn choice_reports_the_next_state() {
    let (code, v, err) = test_state(
        &[ORDERS, "--state", "Route", "--input", "-"],
        r#"{"validation": {"ok": true}, "total": 500}"#,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        v,
        json!({"status": "SUCCEEDED", "output": {"validation": {"ok": true}, "total": 500},
               "nextState": "Review"})
    );
    let (_, v, _) = test_state(
        &[ORDERS, "--state", "Route", "--input", "-"],
        r#"{"validation": {"ok": false}}"#,
    );
    assert_eq!(v["nextState"], "Rejected");
}

#[test]
fn mocked_result_goes_through_result_path() {
    let (code, v, err) = test_state(
        &[
            ORDERS,
            "--state",
            "Validate",
            "--input",
            "examples/asl/order-processing.input.json",
            "--mock-result",
            "-",
        ],
        r#"{"ok": true}"#,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        v,
        json!({"status": "SUCCEEDED",
               "output": {"id": "o-17", "total": 42, "validation": {"ok": true}},
               "nextState": "Route"})
    );
}

#[test]
fn mocked_error_is_retriable_when_a_retrier_matches() {
    let (code, v, err) = test_state(
        &[
            ORDERS,
            "--state",
            "Validate",
            "--mock-error",
            "Lambda.ServiceException",
            "--mock-cause",
            "busy",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        v,
        json!({"status": "RETRIABLE", "error": "Lambda.ServiceException", "cause": "busy"})
    );
}

#[test]
fn mocked_error_no_retrier_takes_is_caught() {
    // `States.TaskFailed` does not match `States.Timeout`; the `States.ALL` Catcher does.
    let (code, v, err) = test_state(
        &[
            ORDERS,
            "--state",
            "Validate",
            "--mock-error",
            "States.Timeout",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        v,
        json!({"status": "CAUGHT_ERROR", "error": "States.Timeout", "nextState": "Rejected",
               "output": {"error": {"Error": "States.Timeout", "Cause": ""}}})
    );
}

#[test]
fn fail_state_fails_with_exit_1() {
    let (code, v, _) = test_state(&[ORDERS, "--state", "Rejected"], "");
    assert_eq!(code, 1);
    assert_eq!(
        v,
        json!({"status": "FAILED", "error": "OrderRejected", "cause": "validation failed"})
    );
}

#[test]
fn an_hour_long_wait_and_an_end_state() {
    let (code, v, _) = test_state(&[ORDERS, "--state", "Review"], "");
    assert_eq!(code, 0);
    assert_eq!(
        v,
        json!({"status": "SUCCEEDED", "output": {}, "nextState": "Ship"})
    );
    let (code, v, _) = test_state(&[ORDERS, "--state", "Ship", "--input", "-"], r#"{"id": 3}"#);
    assert_eq!(code, 0);
    assert_eq!(
        v,
        json!({"status": "SUCCEEDED",
               "output": {"id": 3, "shipment": {"orderId": 3, "label": "ship-3"}}})
    );
}

#[test]
fn without_a_mock_a_task_fails_naming_its_resource() {
    let (code, v, _) = test_state(&[ORDERS, "--state", "Validate"], "");
    assert_eq!(code, 1);
    assert_eq!(v["status"], "FAILED");
    assert_eq!(v["error"], "States.Runtime");
    let cause = v["cause"].as_str().unwrap_or_default();
    assert!(cause.contains("function:validate"), "{cause}");
    assert!(
        cause.contains("--mock-result FILE or --mock-error ERROR"),
        "{cause}"
    );
}

#[test]
fn a_file_with_one_state_runs_it() {
    let file = "examples/asl/label.state.json";
    let (code, v, err) = test_state(&[file, "--input", "-"], r#"{"id": 4}"#);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        v,
        json!({"status": "SUCCEEDED", "output": {"state": "State", "label": "ship-4"},
               "nextState": "Ship"})
    );
    let (_, v, _) = test_state(&[file, "--state", "Label", "--input", "-"], r#"{"id": 4}"#);
    assert_eq!(v["output"]["state"], "Label");
    let (code, _, err) = test_state(&[file], "");
    assert_eq!(code, 1, "{err}");
}

#[test]
fn bad_invocations_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[ORDERS, "--state", "Nope"],
            "no state `Nope` (its states: Validate, Route, Review, Ship, Rejected)",
        ),
        (&[ORDERS], "missing `--state NAME`"),
        (
            &["--state", "Route"],
            "the following required arguments were not provided:\n  <DEFINITION>",
        ),
        (
            &[
                ORDERS,
                "--state",
                "Validate",
                "--mock-result",
                "x.json",
                "--mock-error",
                "E",
            ],
            "the argument '--mock-result <JSON|FILE|->' cannot be used with '--mock-error <ERROR>'",
        ),
        (
            &[ORDERS, "--state", "Validate", "--mock-cause", "c"],
            "the following required arguments were not provided:\n  --mock-error <ERROR>",
        ),
        (
            &[ORDERS, "--state", "Ship", "--mock-error", "E"],
            "state `Ship` is a Pass state; a mock applies only to Task, Map and Parallel states",
        ),
        (
            &[ORDERS, "--state", "Route", "--verbose"],
            "error: unexpected argument '--verbose' found",
        ),
        (
            &[
                "examples/asl/broken/missing-next-target.asl.json",
                "--state",
                "Validate",
            ],
            "/States/Validate/Next: ",
        ),
    ];
    for (args, message) in cases {
        let (code, v, err) = test_state(args, "");
        assert_eq!((code, &v), (2, &Value::Null), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
}

#[test]
fn help_lists_the_statuses_and_options() {
    let out = support::sfn(&["test-state", "--help"], "");
    assert_eq!(out.code, 0);
    let text = out.stdout.as_str();
    for needle in [
        "--state <NAME>",
        "--mock-result",
        "--mock-error",
        "CAUGHT_ERROR",
        "RETRIABLE",
    ] {
        assert!(text.contains(needle), "help lacks {needle}: {text}");
    }
}

/// Differential check: on the AWS-recorded executions of one-state machines
/// (`../shared/conformance/cases`, those that read no context object), testing that state
/// gives the execution's outcome: the same output, or the same error and cause.
#[tokio::test(start_paused = true)]
async fn test_state_agrees_with_recorded_one_state_executions() {
    use sfn::runtime::test_state::{test_state, TestStateOptions, TestStatus};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/cases");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("conformance cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    let mut checked = 0;
    for path in paths {
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("case")).expect("JSON");
        let definition = &case["definition"];
        let text = definition.to_string();
        let Some((name, _)) = definition["States"]
            .as_object()
            .filter(|s| s.len() == 1)
            .and_then(|s| s.iter().next())
        else {
            continue;
        };
        // The context object names the execution, which a test run does not share.
        if text.contains("$$") || text.contains("states.context") || text.contains("Execution") {
            continue;
        }
        let machine = sfn::asl::parse(&text).expect("recorded definitions are valid");
        let result = test_state(
            &machine,
            name,
            case["input"].clone(),
            None,
            TestStateOptions::default(),
        )
        .await
        .expect("testable");
        let expected = &case["expected"];
        let at = path.display();
        if expected["status"] == "SUCCEEDED" {
            assert_eq!(result.status, TestStatus::Succeeded, "{at}: {result:?}");
            assert_eq!(result.output.as_ref(), Some(&expected["output"]), "{at}");
            assert_eq!(result.next_state, None, "{at}");
        } else {
            assert_eq!(result.status, TestStatus::Failed, "{at}: {result:?}");
            assert_eq!(result.error.as_deref(), expected["error"].as_str(), "{at}");
            let cause = result.cause.as_deref();
            if case["cause_is_json"] == true {
                let parsed = cause.and_then(|c| serde_json::from_str::<Value>(c).ok());
                let wanted = expected["cause"]
                    .as_str()
                    .and_then(|c| serde_json::from_str::<Value>(c).ok());
                assert_eq!(parsed, wanted, "{at}");
            } else {
                assert_eq!(cause, expected["cause"].as_str(), "{at}");
            }
        }
        checked += 1;
    }
    assert!(checked > 200, "{checked} one-state cases checked");
}

/// Differential check on every AWS-recorded execution with a history that reads no context
/// object (277 of them): testing its `StartAt` state gives what the recorded history shows that
/// state did: its exit output and the state entered next, or the execution's failure when it
/// failed there.
#[tokio::test(start_paused = true)]
async fn test_state_agrees_with_recorded_first_states() {
    use sfn::runtime::test_state::{test_state, TestStateOptions, TestStatus};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/cases");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("conformance cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    let mut checked = 0;
    for path in paths {
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("case")).expect("JSON");
        let definition = &case["definition"];
        let text = definition.to_string();
        if text.contains("$$") || text.contains("states.context") || text.contains("Execution") {
            continue;
        }
        let Some(start) = definition["StartAt"].as_str() else {
            continue;
        };
        let Some(history) = case["history"].as_array() else {
            continue;
        };
        let exit = history
            .iter()
            .find(|e| e["stateExitedEventDetails"]["name"] == start);
        let machine = sfn::asl::parse(&text).expect("recorded definitions are valid");
        let result = test_state(
            &machine,
            start,
            case["input"].clone(),
            None,
            TestStateOptions::default(),
        )
        .await
        .expect("testable");
        let at = path.display();
        match exit {
            Some(exit) => {
                let next = history
                    .iter()
                    .find(|e| {
                        e["previousEventId"] == exit["id"]
                            && e["type"]
                                .as_str()
                                .is_some_and(|t| t.ends_with("StateEntered"))
                    })
                    .and_then(|e| e["stateEnteredEventDetails"]["name"].as_str());
                assert!(
                    matches!(
                        result.status,
                        TestStatus::Succeeded | TestStatus::CaughtError
                    ),
                    "{at}: {result:?}"
                );
                assert_eq!(
                    result.output.as_ref(),
                    Some(&exit["stateExitedEventDetails"]["output"]),
                    "{at}"
                );
                assert_eq!(result.next_state.as_deref(), next, "{at}");
            }
            None => {
                let expected = &case["expected"];
                assert_eq!(expected["status"], "FAILED", "{at}");
                assert_eq!(result.status, TestStatus::Failed, "{at}: {result:?}");
                assert_eq!(result.error.as_deref(), expected["error"].as_str(), "{at}");
            }
        }
        checked += 1;
    }
    assert!(checked > 250, "{checked} first states checked");
}

const FULFILMENT: &str = "examples/asl/fulfilment.asl.json";

#[test]
fn a_state_in_a_map_processor_is_tested_by_name() {
    let (code, v, err) = test_state(
        &[
            FULFILMENT,
            "--state",
            "Route parcel",
            "--input",
            r#"{"kg": 30}"#,
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        v,
        json!({"status": "SUCCEEDED", "output": {"kg": 30}, "nextState": "Freight"})
    );
    let (_, v, _) = test_state(
        &[FULFILMENT, "--state", "Post", "--input", r#"{"kg": 2}"#],
        "",
    );
    assert_eq!(
        v,
        json!({"status": "SUCCEEDED", "output": {"kg": 2, "carrier": "post"}})
    );
}

#[test]
fn a_task_in_a_parallel_branch_takes_mocks_and_its_retriers_and_catchers() {
    let (code, v, err) = test_state(
        &[
            FULFILMENT,
            "--state",
            "Pack",
            "--input",
            r#"{"id": "o-1"}"#,
            "--mock-result",
            r#"{"Payload": {"box": "B2"}}"#,
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        v,
        json!({"status": "SUCCEEDED", "output": {"id": "o-1", "packing": {"box": "B2"}},
               "nextState": "Packed"})
    );
    let busy = [
        FULFILMENT,
        "--state",
        "Pack",
        "--mock-error",
        "Lambda.ServiceException",
        "--mock-cause",
        "busy",
    ];
    let (_, v, _) = test_state(&busy, "");
    assert_eq!(v["status"], "RETRIABLE");
    // After the Retrier's two retries, the Catcher takes the error.
    let mut last = busy.to_vec();
    last.extend_from_slice(&["--retrier-retry-count", "2"]);
    let (code, v, _) = test_state(&last, "");
    assert_eq!(code, 0);
    assert_eq!(v["status"], "CAUGHT_ERROR");
    assert_eq!(v["nextState"], "Pack by hand");
}

#[test]
fn a_json_pointer_names_a_nested_state_as_validate_prints_it() {
    let pointer = "/States/Ship parcels/ItemProcessor/States/Route parcel";
    let (code, v, err) = test_state(
        &[FULFILMENT, "--state", pointer, "--input", r#"{"kg": 1}"#],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["nextState"], "Post");
    let (code, v, err) = test_state(
        &[
            FULFILMENT,
            "--state",
            "/States/Fulfil/Branches/2/States/Pack",
        ],
        "",
    );
    assert_eq!((code, v), (2, Value::Null));
    assert!(
        err.contains(
            "no state `/States/Fulfil/Branches/2/States/Pack` (its states: /States/Fulfil, \
             /States/Ship parcels, /States/Fulfil/Branches/0/States/Pack, "
        ),
        "{err}"
    );
    // An unknown name lists the names of every scope.
    let (code, _, err) = test_state(&[FULFILMENT, "--state", "Packer"], "");
    assert_eq!(code, 2);
    assert!(
        err.contains("(its states: Fulfil, Ship parcels, Pack, Pack by hand, Packed, Notify, "),
        "{err}"
    );
}

#[test]
fn a_single_state_file_s_nested_state_is_tested_by_name() {
    // A file holding one Parallel state, as the TestState API takes a definition.
    let parallel = r#"{"Type": "Parallel", "Next": "After", "Branches": [
        {"StartAt": "Inner", "States": {
            "Inner": {"Type": "Pass", "Result": 1, "ResultPath": "$.one", "Next": "Done"},
            "Done": {"Type": "Succeed"}}}]}"#;
    let (code, v, err) = test_state(&["-", "--state", "Inner"], parallel);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        v,
        json!({"status": "SUCCEEDED", "output": {"one": 1}, "nextState": "Done"})
    );
    // Any other name is the file's state itself.
    let (code, v, err) = test_state(&["-", "--state", "Both"], parallel);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        v,
        json!({"status": "SUCCEEDED", "output": [{"one": 1}], "nextState": "After"})
    );
    let (_, v, _) = test_state(
        &["-", "--state", "/States/State/Branches/0/States/Inner"],
        parallel,
    );
    assert_eq!(v["nextState"], "Done");
}
