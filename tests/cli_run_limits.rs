//! `sfn run` against AWS's execution limits: the input measured as `StartExecution` measures it
//! (exit 2), the one-year Standard execution, Express executions without an event cap, causes
//! cut to 32,768 characters, and a history whose events share their payloads.

mod support;

use serde_json::json;
use support::sfn;

/// Writes `definition` to a file of the temp folder unique to this test process and `name`.
fn definition_file(name: &str, definition: &str) -> String {
    let path = std::env::temp_dir().join(format!(
        "sfn-cli-run-limits-{}-{name}.asl.json",
        std::process::id()
    ));
    std::fs::write(&path, definition).expect("write the definition");
    path.display().to_string()
}

/// `[1E9, 1E9, ...]`: under the 256 KiB limit as text, over it as the JSON the engine writes
/// (`1000000000.0`).
fn growing_numbers() -> String {
    let items = vec!["1E9"; 60_000];
    format!("[{}]", items.join(","))
}

#[test]
fn an_input_whose_json_grows_over_256_kib_is_refused_at_start() {
    let definition = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#;
    let input = growing_numbers();
    assert!(input.len() < 262_144);
    // Inputs this large go on stdin: one argument holds at most 128 KiB.
    let file = definition_file("grows", definition);
    let run = sfn(&["run", &file, "--input", "-"], &input);
    let _ = std::fs::remove_file(&file);
    assert_eq!(
        (run.code, run.stderr.lines().next().unwrap_or_default()),
        (
            2,
            "error: --input: the execution input is larger than 262144 bytes of JSON text, the \
             payload limit (256 KiB) of an execution input; pass a smaller input, or a \
             reference to the data"
        )
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn an_input_of_exactly_256_kib_runs() {
    let definition = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":1,"End":true}}}"#;
    let input = json!("x".repeat(262_142)).to_string();
    let file = definition_file("at-limit", definition);
    let run = sfn(&["run", &file, "--input", "-"], &input);
    let _ = std::fs::remove_file(&file);
    assert_eq!(
        (run.code, run.json()),
        (0, json!({"status": "SUCCEEDED", "output": 1}))
    );
}

#[test]
fn a_two_year_wait_times_out_at_one_year() {
    let definition =
        r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":63072000,"End":true}}}"#;
    let run = sfn(&["run", "-"], definition);
    assert_eq!(
        (run.code, run.json()),
        (1, json!({"status": "TIMED_OUT", "error": "States.Timeout"}))
    );
}

const LOOP: &str = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"C"},
"C":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,"Next":"D"}],"Default":"P"},
"D":{"Type":"Succeed"}}}"#;

#[test]
fn a_standard_loop_fails_at_25000_events_and_an_express_one_runs_to_its_time_limit() {
    let standard = sfn(&["run", "-"], LOOP);
    assert_eq!(standard.code, 1);
    assert_eq!(standard.json()["error"], "States.Runtime");
    let express = sfn(&["run", "-", "--type", "express"], LOOP);
    assert_eq!(
        (express.code, express.json()),
        (1, json!({"status": "TIMED_OUT", "error": "States.Timeout"}))
    );
}

#[test]
fn a_cause_over_32768_characters_is_cut() {
    let definition = json!({"StartAt": "F", "States": {"F": {"Type": "Fail",
        "Error": "E", "CausePath": "$.c"}}});
    let input = json!({"c": "z".repeat(200_000)}).to_string();
    let file = definition_file("cause", &definition.to_string());
    let run = sfn(&["run", &file, "--input", "-", "--history"], &input);
    let _ = std::fs::remove_file(&file);
    let out = run.json();
    assert_eq!(run.code, 1);
    assert_eq!(out["cause"].as_str().map(str::len), Some(32_768));
    let last = out["history"].as_array().and_then(|h| h.last()).cloned();
    let cause = last.map(|e| e["executionFailedEventDetails"]["cause"].clone());
    assert_eq!(cause.and_then(|c| c.as_str().map(str::len)), Some(32_768));
}

#[test]
fn the_history_prints_each_payload_as_json_text() {
    let definition = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
        "B":{"Type":"Pass","End":true}}}"#;
    let run = sfn(
        &["run", "-", "--input", r#"{"k":[1,2]}"#, "--history"],
        definition,
    );
    let out = run.json();
    assert_eq!(out["status"], "SUCCEEDED");
    let history = out["history"].as_array().cloned().unwrap_or_default();
    let types: Vec<&str> = history.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(
        history[3]["stateEnteredEventDetails"],
        json!({"input": "{\"k\":[1,2]}", "inputDetails": {"truncated": false}, "name": "B"})
    );
    assert_eq!(
        history[5]["executionSucceededEventDetails"]["output"],
        "{\"k\":[1,2]}"
    );
}
