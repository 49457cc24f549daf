//! `sfn validate`: the real binary on corpus files and on the broken definitions of
//! `examples/asl/broken/` (one per kind of mistake), with exact output lines and exit codes.

mod support;

use std::path::Path;
use std::process::Command;

/// Runs `sfn validate ARGS` from the repository root; returns (exit code, stdout, stderr).
fn validate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sfn"))
        .arg("validate")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run sfn");
    let code = out.status.code().unwrap_or(-1);
    (
        code,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts the output of one broken file, line by line (`{file}` stands for its path).
fn broken(name: &str, expected: &[&str]) {
    let file = format!("examples/asl/broken/{name}.asl.json");
    let (code, out, err) = validate(&[&file]);
    let expected: Vec<String> = expected
        .iter()
        .map(|l| l.replace("{file}", &file))
        .collect();
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        expected,
        "stdout of {file}"
    );
    assert_eq!(
        (code, err.as_str()),
        (1, ""),
        "exit code and stderr of {file}"
    );
}

#[test]
fn corpus_files_are_ok() {
    let a = "../shared/corpus/real-world/activity-state-machine__activity_state.asl.json";
    let b = "../shared/corpus/real-world/account-vending-machine__statemachine.asl.json";
    let (code, out, err) = validate(&[a, b, "examples/asl/order-processing.asl.json"]);
    assert_eq!(
        out,
        format!("{a}: ok\n{b}: ok\nexamples/asl/order-processing.asl.json: ok\n")
    );
    assert_eq!((code, err.as_str()), (0, ""));
}

#[test]
fn invalid_corpus_file_exits_1() {
    let f = "../shared/corpus/real-world/shared-fallback-state-jsonata__statemachine.asl.json";
    let (code, out, _) = validate(&[f]);
    assert_eq!(code, 1);
    assert!(out.starts_with(&format!(
        "{f}: /States/QueryLanguage: SCHEMA_VALIDATION_FAILED: state `QueryLanguage`: Value must be an object\n"
    )));
}

#[test]
fn unreadable_file_exits_2_and_the_others_are_still_checked() {
    let (code, out, err) = validate(&[
        "no/such/file.asl.json",
        "examples/asl/broken/unreachable-state.asl.json",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("no/such/file.asl.json: cannot read: "),
        "{err}"
    );
    assert!(
        out.starts_with("examples/asl/broken/unreachable-state.asl.json: /States/Audit: "),
        "{out}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(validate(&[]).0, 2);
    let (code, _, err) = validate(&["--strict", "x.json"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: unexpected argument '--strict' found"),
        "{err}"
    );
}

#[test]
fn every_broken_example_is_covered() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/asl/broken");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("examples/asl/broken")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    let covered = [
        "bad-backoff-rate",
        "choice-two-operators",
        "duplicate-state-name",
        "express-wait-for-task-token",
        "heartbeat-not-below-timeout",
        "jsonata-syntax-error",
        "missing-next-target",
        "mixed-query-language",
        "no-terminal-state",
        "not-json",
        "states-all-not-last",
        "template-value-not-string",
        "unknown-field-typo",
        "unreachable-state",
    ];
    let expected: Vec<String> = covered.iter().map(|n| format!("{n}.asl.json")).collect();
    assert_eq!(
        names, expected,
        "add a test for every file in examples/asl/broken"
    );
}

#[test]
fn missing_next_target() {
    broken("missing-next-target", &[
        "{file}: /States/Validate/Next: MISSING_TRANSITION_TARGET: state `Validate`, field `Next`: Missing 'Next' target: Chrage",
        "{file}:   hint: did you mean `Charge`?",
    ]);
}

#[test]
fn unreachable_state() {
    broken("unreachable-state", &[
        "{file}: /States/Audit: MISSING_TRANSITION_TARGET: state `Audit`: State \"Audit\" is not reachable.",
        "{file}:   hint: point a `Next` at `Audit` or remove it",
    ]);
}

#[test]
fn bad_backoff_rate() {
    broken("bad-backoff-rate", &[
        "{file}: /States/Charge/Retry/0/BackoffRate: SCHEMA_VALIDATION_FAILED: state `Charge`, field `Retry[0].BackoffRate`: Minimum value is 1.0",
        "{file}:   hint: use 1.0 for a constant interval, more to back off",
    ]);
}

#[test]
fn unknown_field_typo() {
    broken("unknown-field-typo", &[
        "{file}: /States/Charge/Resouce: SCHEMA_VALIDATION_FAILED: state `Charge`, field `Resouce`: Field 'Resouce' is not supported",
        "{file}:   hint: did you mean `Resource`?",
        "{file}: /States/Charge: SCHEMA_VALIDATION_FAILED: state `Charge`: These fields are required: [Resource]",
        "{file}:   hint: add `Resource`",
    ]);
}

#[test]
fn no_terminal_state() {
    broken(
        "no-terminal-state",
        &[
            "{file}: /: MISSING_END_STATE: Workflow has no terminal state",
            "{file}:   hint: end one state with `\"End\": true`, or add a Succeed or Fail state",
        ],
    );
}

#[test]
fn duplicate_state_name() {
    broken("duplicate-state-name", &[
        "{file}: /States/Process/ItemProcessor/States/Process: DUPLICATE_STATE_NAME: state `Process`: Duplicate State name: Process",
        "{file}:   hint: rename one of them; the other is at /States/Process",
    ]);
}

#[test]
fn states_all_not_last() {
    broken("states-all-not-last", &[
        "{file}: /States/Charge/Catch/0/ErrorEquals: SCHEMA_VALIDATION_FAILED: state `Charge`, field `Catch[0].ErrorEquals`: States.ALL must appear only in the last Catcher",
        "{file}:   hint: move this entry to the end",
    ]);
}

#[test]
fn mixed_query_language() {
    broken("mixed-query-language", &[
        "{file}: /States/Charge/Arguments: SCHEMA_VALIDATION_FAILED: state `Charge`, field `Arguments`: The QueryLanguage is set to 'JSONPath', but field 'Arguments' is only supported for the 'JSONata' QueryLanguage",
        "{file}:   hint: remove `Arguments` or set `\"QueryLanguage\": \"JSONata\"` on the state",
    ]);
}

#[test]
fn template_value_not_string() {
    broken("template-value-not-string", &[
        "{file}: /States/Shape/Parameters/total.$: SCHEMA_VALIDATION_FAILED: state `Shape`, field `Parameters.total.$`: The value for the field 'total.$' must be a valid JSONPath or a valid intrinsic function call",
        "{file}:   hint: write a string such as `\"$.total\"`, or drop `.$` from the key",
    ]);
}

#[test]
fn jsonata_syntax_error_names_its_character() {
    broken("jsonata-syntax-error", &[
        "{file}: /States/Total/Output: SCHEMA_VALIDATION_FAILED: state `Total`, field `Output`: Invalid JSONata expression: S0211: The symbol \"}\" cannot be used as a unary operator (at character 25)",
        "{file}:   hint: fix the expression near character 25",
    ]);
}

#[test]
fn a_variable_read_before_any_assign_is_a_warning() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("totals.asl.json");
    let doc = r#"{"QueryLanguage": "JSONata", "StartAt": "Sum", "States": {
        "Sum": {"Type": "Pass", "Assign": {"total": 3}, "Next": "Report"},
        "Report": {"Type": "Pass", "Output": {"t": "{% $totl * 2 %}"}, "End": true}}}"#;
    std::fs::write(&file, doc).expect("write");
    let file = file.to_string_lossy().into_owned();
    let (code, out, err) = validate(&[&file]);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            format!("{file}: /States/Report/Output/t: WARNING: state `Report` reads the variable `$totl`, which no `Assign` before it sets"),
            format!("{file}:   hint: did you mean `$total`?"),
            format!("{file}: ok"),
        ]
    );
    // AWS creates the machine: a warning does not fail validation.
    assert_eq!((code, err.as_str()), (0, ""));
    let (code, out, _) = validate(&["--json", &file]);
    let response: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(response["result"], "OK");
    assert_eq!(response["diagnostics"][0]["severity"], "WARNING");
    assert_eq!(response["diagnostics"][0]["code"], "UNASSIGNED_VARIABLE");
    assert_eq!(
        response["diagnostics"][0]["location"],
        "/States/Report/Output/t"
    );
    assert_eq!(code, 0);
}

#[test]
fn choice_two_operators() {
    broken("choice-two-operators", &[
        "{file}: /States/Route/Choices/0: SCHEMA_VALIDATION_FAILED: state `Route`, field `Choices[0]`: Each Choice Rule can only have one comparison operator",
        "{file}:   hint: combine several tests with `And`/`Or`, one operator per nested rule",
    ]);
}

#[test]
fn heartbeat_not_below_timeout() {
    broken("heartbeat-not-below-timeout", &[
        "{file}: /States/Approve/HeartbeatSeconds: SCHEMA_VALIDATION_FAILED: state `Approve`, field `HeartbeatSeconds`: HeartbeatSeconds (300) must be smaller than TimeoutSeconds (300)",
        "{file}:   hint: lower `HeartbeatSeconds` or raise `TimeoutSeconds`",
    ]);
}

#[test]
fn not_json() {
    broken("not-json", &[
        "{file}: /: INVALID_JSON_DESCRIPTION: Invalid JSON: EOF while parsing an object at line 2 column 0",
        "{file}:   hint: fix the JSON syntax at the line and column given",
    ]);
}

#[test]
fn express_restrictions_only_with_the_flag() {
    let file = "examples/asl/broken/express-wait-for-task-token.asl.json";
    assert_eq!(
        validate(&[file]),
        (0, format!("{file}: ok\n"), String::new())
    );
    let (code, out, _) = validate(&["--express", file]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().collect::<Vec<_>>(), [
        format!("{file}: /States/Approve/Resource: SCHEMA_VALIDATION_FAILED: state `Approve`, field `Resource`: Express state machine does not support '.waitForTaskToken' service integration"),
        format!("{file}:   hint: use a STANDARD machine, or a request-response integration"),
    ]);
}

/// `sfn validate --json FILE...`: one line per file, in AWS's ValidateStateMachineDefinition
/// response shape.
fn validate_json(args: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let (code, out, err) = validate(&all);
    assert_eq!(err, "", "stderr");
    let lines = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    (code, lines)
}

#[test]
fn json_output_is_the_validate_state_machine_definition_response() {
    use serde_json::json;
    let (code, lines) = validate_json(&[
        "examples/asl/order-processing.asl.json",
        "examples/asl/broken/missing-next-target.asl.json",
        "examples/asl/broken/no-terminal-state.asl.json",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            json!({"result": "OK", "diagnostics": [], "truncated": false}),
            json!({"result": "FAIL", "diagnostics": [{
                "severity": "ERROR",
                "code": "MISSING_TRANSITION_TARGET",
                "message": "state `Validate`, field `Next`: Missing 'Next' target: Chrage",
                "location": "/States/Validate/Next"
            }], "truncated": false}),
            // A finding about the whole document has no location, as AWS leaves it out.
            json!({"result": "FAIL", "diagnostics": [{
                "severity": "ERROR",
                "code": "MISSING_END_STATE",
                "message": "Workflow has no terminal state"
            }], "truncated": false}),
        ]
    );
    let (code, lines) = validate_json(&["examples/asl/order-processing.asl.json"]);
    assert_eq!((code, lines.len()), (0, 1));
}

#[test]
fn json_max_results_truncates_as_aws_does() {
    let file = "examples/asl/broken/unknown-field-typo.asl.json";
    let (_, all) = validate_json(&[file]);
    assert_eq!(all[0]["diagnostics"].as_array().map(Vec::len), Some(2));
    let (code, lines) = validate_json(&["--max-results", "1", file]);
    assert_eq!(code, 1);
    assert_eq!(lines[0]["truncated"], true);
    assert_eq!(lines[0]["diagnostics"][0], all[0]["diagnostics"][0]);
    assert_eq!(lines[0]["diagnostics"].as_array().map(Vec::len), Some(1));
    // --max-results means nothing without --json.
    let (code, _, err) = validate(&["--max-results", "1", file]);
    assert_eq!(code, 2);
    assert!(err.contains("--json"), "{err}");
}

#[test]
fn a_definition_is_read_from_standard_input_with_a_dash() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/asl/broken/unreachable-state.asl.json"),
    )
    .expect("example");
    let run = support::sfn(&["validate", "-"], &text);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .starts_with("-: /States/Audit: MISSING_TRANSITION_TARGET"),
        "{}",
        run.stdout
    );
    let run = support::sfn(
        &["validate", "-"],
        "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Succeed\"}}}",
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, "-: ok\n"));
}
