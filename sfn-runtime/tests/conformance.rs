//! Conformance: every execution recorded on AWS Step Functions (`../shared/conformance/cases`)
//! runs on a paused tokio clock and must give AWS's status and output, or error and cause.
//!
//! One generated test per case (see `build.rs`), so a failure names the case. Cases the engine
//! does not match yet are listed with their reason in `conformance/known-differences.txt`; a
//! listed case that starts passing fails its test, so the list only shrinks.
//! `conformance_summary` prints the pass count and how many histories match AWS's event types.

use std::sync::Arc;

use serde_json::Value;
use sfn_runtime::{Engine, ExecutionConfig, ExecutionResult, Resources, Status};

const CASES_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/conformance/cases"
);
const KNOWN_DIFFERENCES: &str = include_str!("conformance/known-differences.txt");

/// 2024-01-01T00:00:00Z: a fixed start so runs are reproducible.
const START_MS: u64 = 1_704_067_200_000;

/// What running one case gave.
struct Report {
    passed: bool,
    detail: String,
    /// Whether the event types match the recording (`None`: nothing recorded).
    events_match: Option<bool>,
    /// The first event (id, type) whose ids or details differ from the recording, if any.
    history_diff: Option<String>,
}

fn known_reason(name: &str) -> Option<&'static str> {
    KNOWN_DIFFERENCES.lines().find_map(|line| {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let (case, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        (case == name).then_some(reason.trim())
    })
}

fn status_name(s: Status) -> &'static str {
    s.as_str()
}

fn same_cause(expected: &Value, actual: Option<&str>, as_json: bool) -> bool {
    match (expected, actual) {
        (Value::String(e), Some(a)) if as_json => {
            match (
                serde_json::from_str::<Value>(e),
                serde_json::from_str::<Value>(a),
            ) {
                (Ok(x), Ok(y)) => x == y,
                _ => e == a,
            }
        }
        (Value::String(e), Some(a)) => e == a,
        _ => false,
    }
}

async fn run(case: &Value) -> Result<ExecutionResult, String> {
    let definition = case.get("definition").ok_or("no definition")?.to_string();
    let machine = sfn_asl::parse(&definition).map_err(|f| {
        let texts: Vec<String> = f.0.iter().map(ToString::to_string).collect();
        format!("definition rejected: {}", texts.join("; "))
    })?;
    let mut config = ExecutionConfig::new("ConformanceMachine", "conformance-run");
    config.role_arn = "snf_role_arn".into();
    config.express = case.get("state_machine_type").and_then(Value::as_str) == Some("EXPRESS");
    let input = case
        .get("input")
        .cloned()
        .unwrap_or_else(|| Value::Object(Default::default()));
    let engine = Engine::new(Resources::new()).with_start_time(START_MS);
    Ok(engine
        .start_sync_execution(Arc::new(machine), input, config)
        .await)
}

async fn run_case(name: &str) -> Report {
    let path = format!("{CASES_DIR}/{name}.json");
    let case: Value = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            return Report {
                passed: false,
                detail: format!("cannot read {path}: {e}"),
                events_match: None,
                history_diff: None,
            }
        }
    };
    let result = match run(&case).await {
        Ok(r) => r,
        Err(detail) => {
            return Report {
                passed: false,
                detail,
                events_match: None,
                history_diff: None,
            }
        }
    };
    let expected = &case["expected"];
    let outcome = &result.outcome;
    let mut problems = Vec::new();
    let want_status = expected["status"].as_str().unwrap_or_default();
    if status_name(outcome.status) != want_status {
        problems.push(format!(
            "status {} (expected {want_status})",
            status_name(outcome.status)
        ));
    }
    if want_status == "SUCCEEDED" {
        if outcome.output.as_ref() != expected.get("output") {
            problems.push(format!(
                "output {} (expected {})",
                outcome
                    .output
                    .as_ref()
                    .map_or("none".into(), Value::to_string),
                expected
                    .get("output")
                    .map_or("none".into(), Value::to_string)
            ));
        }
    } else {
        if expected.get("error").and_then(Value::as_str) != outcome.error.as_deref() {
            problems.push(format!(
                "error {:?} (expected {:?})",
                outcome.error,
                expected.get("error")
            ));
        }
        let as_json = expected
            .get("cause_is_json")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        match expected.get("cause") {
            Some(c) if !same_cause(c, outcome.cause.as_deref(), as_json) => {
                problems.push(format!("cause {:?} (expected {c})", outcome.cause));
            }
            None if outcome.cause.is_some() => {
                problems.push(format!("cause {:?} (expected none)", outcome.cause))
            }
            _ => {}
        }
    }
    let events_match = case
        .get("history")
        .and_then(Value::as_array)
        .map(|recorded| {
            let want: Vec<&str> = recorded.iter().filter_map(|e| e["type"].as_str()).collect();
            let got: Vec<&str> = result
                .history
                .iter()
                .map(|e| e.event_type.as_str())
                .collect();
            want == got
        });
    let history_diff = case
        .get("history")
        .and_then(Value::as_array)
        .and_then(|recorded| {
            for (i, want) in recorded.iter().enumerate() {
                let Some(got) = result.history.get(i) else {
                    return Some(format!("missing event #{}", i + 1));
                };
                let got = got.to_aws_json();
                let key = got["type"]
                    .as_str()
                    .and_then(sfn_runtime::history::EventType::from_name)
                    .map(|t| t.details_key());
                // Order-normalised recordings (`"id": [0]`) keep no real ids.
                let ids_kept = !want["id"].is_array();
                let mut same = want["type"] == got["type"]
                    && (!ids_kept
                        || (want["id"] == got["id"]
                            && want["previousEventId"] == got["previousEventId"]));
                if let Some(key) = key.filter(|k| !k.is_empty()) {
                    same &= matches_recorded(&want[key], &decoded(&got[key]));
                }
                if !same {
                    return Some(format!(
                        "event #{}: got {} expected {}",
                        i + 1,
                        decoded_event(&got),
                        want
                    ));
                }
            }
            None
        });
    Report {
        passed: problems.is_empty(),
        detail: problems.join("; "),
        events_match,
        history_diff,
    }
}

/// Recorded histories hide run-specific values behind placeholders (`<ArnPart_0idx>`,
/// `map_run_arn`, `timestamp`) and order-normalised ids (`[0]`); those match anything.
fn matches_recorded(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::String(w), _)
            if (w.contains('<') && w.contains('>')) || w == "map_run_arn" || w == "timestamp" =>
        {
            true
        }
        // Some recordings keep a JSON-text field (`assignedVariables`) decoded.
        (w, Value::String(g)) if !w.is_string() => {
            serde_json::from_str::<Value>(g).is_ok_and(|g| matches_recorded(w, &g))
        }
        (Value::Object(w), Value::Object(g)) => {
            w.len() == g.len()
                && w.iter()
                    .all(|(k, v)| g.get(k).is_some_and(|gv| matches_recorded(v, gv)))
        }
        (Value::Array(w), Value::Array(g)) => {
            w.len() == g.len() && w.iter().zip(g).all(|(a, b)| matches_recorded(a, b))
        }
        _ => want == got,
    }
}

/// Details as the corpus stores them: `input`/`output`/`parameters` decoded.
fn decoded(details: &Value) -> Value {
    let mut d = details.clone();
    if let Value::Object(m) = &mut d {
        for field in ["input", "output", "parameters"] {
            if let Some(Value::String(text)) = m.get(field) {
                if let Ok(v) = serde_json::from_str::<Value>(text) {
                    m.insert(field.into(), v);
                }
            }
        }
    }
    d
}

fn decoded_event(e: &Value) -> Value {
    let mut e = e.clone();
    if let Value::Object(m) = &mut e {
        m.remove("timestamp");
        for v in m.values_mut() {
            if v.is_object() {
                *v = decoded(v);
            }
        }
    }
    e
}

async fn check_case(name: &str) {
    let report = run_case(name).await;
    match (known_reason(name), report.passed) {
        (None, true) | (Some(_), false) => {}
        (None, false) => panic!("{name}: {}", report.detail),
        (Some(_), true) => panic!(
            "{name} is listed in known-differences.txt but now passes: remove it from the list"
        ),
    }
}

include!(concat!(env!("OUT_DIR"), "/conformance_cases.rs"));

#[tokio::test(start_paused = true)]
async fn conformance_summary() {
    let (mut passed, mut events, mut recorded, mut exact) = (0, 0, 0, 0);
    let verbose = std::env::var_os("SFN_CONFORMANCE_VERBOSE").is_some();
    for name in CASES {
        let report = run_case(name).await;
        if report.passed {
            passed += 1;
        } else if verbose {
            println!("FAIL {name}: {}", report.detail);
        }
        match &report.history_diff {
            None if report.events_match.is_some() => exact += 1,
            Some(diff) if verbose => println!("HISTORY {name}: {diff}"),
            _ => {}
        }
        if let Some(m) = report.events_match {
            recorded += 1;
            if m {
                events += 1;
            } else if verbose {
                println!("EVENTS {name}");
            }
        }
    }
    println!(
        "conformance: {passed}/{} cases pass; event types match the recording in {events}/{recorded}, ids and details in {exact}/{recorded}",
        CASES.len()
    );
    assert!(
        !CASES.is_empty(),
        "no conformance cases found under {CASES_DIR}"
    );
    let listed = KNOWN_DIFFERENCES
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .count();
    assert_eq!(
        passed + listed,
        CASES.len(),
        "every case either passes or is listed in known-differences.txt"
    );
}
