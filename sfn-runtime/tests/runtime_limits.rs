//! AWS's service limits, enforced: execution duration, error and cause length, event caps,
//! far-future retries, variable sizes, the execution input, and the history's payload memory.
//! Each test sits right at its limit, on the paused clock.

mod common;

use std::sync::Arc;

use common::{count, engine, machine, run, START_MS};
use serde_json::json;
use sfn_runtime::engine::{self, express};
use sfn_runtime::history::EventType;
use sfn_runtime::limits::{
    MAX_ASSIGN_BYTES, MAX_CAUSE_CHARS, MAX_ERROR_CHARS, MAX_PAYLOAD_BYTES, MAX_VARIABLES_BYTES,
    MAX_VARIABLE_BYTES, STANDARD_MAX_SECONDS,
};
use sfn_runtime::workflow::{ExecutionErrorKind, Runner, Workflow, WorkflowKind, WorkflowState};
use sfn_runtime::{EngineError, ExecutionConfig, ExecutionResult, Resources, Status, TaskError};

const FN: &str = "arn:aws:lambda:us-east-1:123456789012:function:f";

fn wait(seconds: u64) -> serde_json::Value {
    json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": seconds, "End": true}}})
}

#[tokio::test(start_paused = true)]
async fn a_standard_execution_times_out_after_one_year() {
    let result = run(wait(STANDARD_MAX_SECONDS + 1), json!({}), Resources::new()).await;
    assert_eq!(result.outcome.status, Status::TimedOut);
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
    let last = result.history.last().expect("events");
    assert_eq!(last.event_type, EventType::ExecutionTimedOut);
    assert_eq!(last.timestamp, START_MS + STANDARD_MAX_SECONDS * 1000);
}

#[tokio::test(start_paused = true)]
async fn a_wait_just_under_one_year_succeeds() {
    let result = run(wait(STANDARD_MAX_SECONDS - 1), json!({}), Resources::new()).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
}

#[tokio::test(start_paused = true)]
async fn a_machine_timeout_over_a_year_is_capped_at_a_year() {
    let def = json!({"TimeoutSeconds": 99_999_999, "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 99_999_998, "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(result.outcome.status, Status::TimedOut);
    let last = result.history.last().expect("events");
    assert_eq!(last.timestamp, START_MS + STANDARD_MAX_SECONDS * 1000);
}

/// A retrier that would wait centuries between attempts ends with the execution's year.
#[tokio::test(start_paused = true)]
async fn retries_cannot_outlive_the_execution() {
    let mut r = Resources::new();
    r.register(FN, |_| async {
        Err::<serde_json::Value, _>(TaskError::new("Boom", "again"))
    });
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN,
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 99_999_999,
            "BackoffRate": 99_999_999, "MaxAttempts": 99_999_999}],
        "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(result.outcome.status, Status::TimedOut);
    // One attempt, then the retry's timer outlasts the year.
    assert_eq!(count(&result, EventType::LambdaFunctionFailed), 1);
}

/// Delays that overflow any integer (`BackoffRate` to the power of a large attempt count, full
/// jitter of an infinite delay) neither panic nor stall: each attempt waits its capped delay.
#[tokio::test(start_paused = true)]
async fn huge_backoff_with_max_delay_and_jitter_stays_bounded() {
    let mut r = Resources::new();
    r.register(FN, |_| async {
        Err::<serde_json::Value, _>(TaskError::new("Boom", "again"))
    });
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN,
        "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 99_999_999,
            "BackoffRate": 99_999_999, "MaxAttempts": 5, "MaxDelaySeconds": 1,
            "JitterStrategy": "FULL"}],
        "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(result.outcome.error.as_deref(), Some("Boom"));
    assert_eq!(count(&result, EventType::LambdaFunctionFailed), 6);
    let last = result.history.last().expect("events");
    assert!(last.timestamp <= START_MS + 5_000, "{}", last.timestamp);
}

fn fail_with(error_chars: usize, cause_chars: usize) -> serde_json::Value {
    json!({"StartAt": "F", "States": {"F": {"Type": "Fail",
        "Error": "E".repeat(error_chars), "Cause": "é".repeat(cause_chars)}}})
}

#[tokio::test(start_paused = true)]
async fn error_and_cause_at_their_limits_are_kept_whole() {
    let result = run(
        fail_with(MAX_ERROR_CHARS, MAX_CAUSE_CHARS),
        json!({}),
        Resources::new(),
    )
    .await;
    assert_eq!(result.outcome.error.map(|e| e.len()), Some(MAX_ERROR_CHARS));
    let cause = result.outcome.cause.expect("a cause");
    assert_eq!(cause.chars().count(), MAX_CAUSE_CHARS);
}

#[tokio::test(start_paused = true)]
async fn error_and_cause_over_their_limits_are_cut_to_them() {
    let result = run(
        fail_with(MAX_ERROR_CHARS + 1, 700_000),
        json!({}),
        Resources::new(),
    )
    .await;
    assert_eq!(result.outcome.status, Status::Failed);
    assert_eq!(result.outcome.error.map(|e| e.len()), Some(MAX_ERROR_CHARS));
    let cause = result.outcome.cause.expect("a cause");
    assert_eq!(cause.chars().count(), MAX_CAUSE_CHARS);
    let failed = result.history.last().expect("events");
    assert_eq!(failed.event_type, EventType::ExecutionFailed);
    let recorded = failed.details["cause"].as_str().map(|c| c.chars().count());
    assert_eq!(recorded, Some(MAX_CAUSE_CHARS));
}

#[tokio::test(start_paused = true)]
async fn a_handler_cause_over_the_limit_is_cut_in_its_event_too() {
    let mut r = Resources::new();
    r.register(FN, |_| async {
        Err::<serde_json::Value, _>(TaskError::new("Boom", "x".repeat(1_400_000)))
    });
    let def =
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN, "End": true}}});
    let result = run(def, json!({}), r).await;
    let failed = result
        .history
        .iter()
        .find(|e| e.event_type == EventType::LambdaFunctionFailed)
        .expect("the task failed");
    assert_eq!(
        failed.details["cause"].as_str().map(str::len),
        Some(MAX_CAUSE_CHARS)
    );
    assert_eq!(result.outcome.cause.map(|c| c.len()), Some(MAX_CAUSE_CHARS));
}

fn endless_loop() -> serde_json::Value {
    json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "D"}],
            "Default": "P"},
        "D": {"Type": "Succeed"}}})
}

#[tokio::test(start_paused = true)]
async fn a_standard_execution_fails_at_25000_events() {
    let result = run(endless_loop(), json!({}), Resources::new()).await;
    assert_eq!(result.outcome.error.as_deref(), Some("States.Runtime"));
    assert_eq!(result.history.len(), 25_000);
}

#[tokio::test(start_paused = true)]
async fn an_express_execution_has_no_25000_event_cap() {
    let mut config = express::config("loop", "run");
    config.record_history = false;
    let result = express::start_sync_execution(
        &engine(Resources::new()),
        machine(endless_loop()),
        json!({}),
        config,
    )
    .await
    .expect("an express machine");
    // It runs past 25,000 events until its time is up.
    assert_eq!(result.outcome.status, Status::TimedOut);
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
}

#[test]
fn express_configs_lift_the_event_cap_and_standard_ones_keep_it() {
    let standard = ExecutionConfig::new("m", "run");
    assert_eq!(standard.max_history_events, 25_000);
    assert_eq!(standard.max_timeout_seconds, Some(STANDARD_MAX_SECONDS));
    let express = express::config("m", "run");
    assert_eq!(express.max_history_events, express::EXPRESS_MAX_EVENTS);
    assert!(express.max_history_events > 25_000);
    assert_eq!(
        express.max_timeout_seconds,
        Some(express::EXPRESS_MAX_SECONDS)
    );
}

/// A Pass state assigning `vars` (JSONPath templates) and going to `next`.
fn assigning(vars: serde_json::Value, next: &str) -> serde_json::Value {
    json!({"Type": "Pass", "Assign": vars, "Next": next})
}

/// `{"a": <half>}`: `States.Format('{}{}', $.a, $.a)` is a string whose JSON text is `bytes`
/// long (bytes even), while the input itself stays under the payload limit.
fn halves(bytes: usize) -> serde_json::Value {
    json!({"a": "x".repeat((bytes - 2) / 2)})
}

const DOUBLE: &str = "States.Format('{}{}', $.a, $.a)";

async fn run_assign(assign: serde_json::Value, input: serde_json::Value) -> ExecutionResult {
    let def = json!({"StartAt": "A", "States": {
        "A": assigning(assign, "B"), "B": {"Type": "Pass", "End": true}}});
    run(def, input, Resources::new()).await
}

#[tokio::test(start_paused = true)]
async fn a_variable_of_256_kib_is_stored() {
    let result = run_assign(json!({"v.$": DOUBLE}), halves(MAX_VARIABLE_BYTES)).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
}

#[tokio::test(start_paused = true)]
async fn a_variable_over_256_kib_fails_the_execution() {
    let result = run_assign(json!({"v.$": DOUBLE}), halves(MAX_VARIABLE_BYTES + 2)).await;
    assert_eq!(result.outcome.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        result.outcome.cause.as_deref(),
        Some(
            "The variable 'v' assigned by the state 'A' is larger than 262144 bytes, the limit \
             for one variable."
        )
    );
    // The state does not exit: its variables are never stored.
    assert_eq!(count(&result, EventType::PassStateExited), 0);
}

#[tokio::test(start_paused = true)]
async fn one_assign_holds_at_most_256_kib() {
    let half = MAX_ASSIGN_BYTES / 2;
    let ok = run_assign(json!({"v.$": DOUBLE, "w.$": DOUBLE}), halves(half)).await;
    assert_eq!(ok.outcome.status, Status::Succeeded);
    let over = run_assign(json!({"v.$": DOUBLE, "w.$": DOUBLE, "z": 1}), halves(half)).await;
    assert_eq!(over.outcome.error.as_deref(), Some("States.Runtime"));
    let cause = over.outcome.cause.unwrap_or_default();
    assert!(
        cause.starts_with("The Assign of the state 'A' is larger than 262144 bytes"),
        "{cause}"
    );
}

/// 40 states store 256 KiB each: exactly 10 MiB. `extra` more bytes go over.
async fn fill_variables(extra: Option<serde_json::Value>) -> ExecutionResult {
    let mut states = serde_json::Map::new();
    let n = MAX_VARIABLES_BYTES / MAX_VARIABLE_BYTES;
    for i in 0..n {
        let assign = json!({format!("v{i}.$"): DOUBLE});
        states.insert(format!("S{i}"), assigning(assign, &format!("S{}", i + 1)));
    }
    let last = match extra {
        Some(assign) => json!({"Type": "Pass", "Assign": assign, "End": true}),
        None => json!({"Type": "Pass", "End": true}),
    };
    states.insert(format!("S{n}"), last);
    let def = json!({"StartAt": "S0", "States": states});
    run(def, halves(MAX_VARIABLE_BYTES), Resources::new()).await
}

#[tokio::test(start_paused = true)]
async fn all_variables_of_an_execution_hold_at_most_10_mib() {
    let full = fill_variables(None).await;
    assert_eq!(full.outcome.status, Status::Succeeded);
    let over = fill_variables(Some(json!({"one": 1}))).await;
    assert_eq!(over.outcome.error.as_deref(), Some("States.Runtime"));
    let cause = over.outcome.cause.unwrap_or_default();
    assert!(cause.contains("larger than 10485760 bytes"), "{cause}");
    // Replacing a variable frees its old size.
    let replaced = fill_variables(Some(json!({"v0": 1}))).await;
    assert_eq!(replaced.outcome.status, Status::Succeeded);
}

#[test]
fn start_execution_takes_an_input_of_256_kib_and_refuses_one_byte_more() {
    let config = ExecutionConfig::new("m", "run");
    // A JSON string's text is its characters and two quotes.
    let at_limit = json!("x".repeat(MAX_PAYLOAD_BYTES - 2));
    assert_eq!(engine::check_input(&at_limit, &config), Ok(()));
    let over = json!("x".repeat(MAX_PAYLOAD_BYTES - 1));
    assert_eq!(
        engine::check_input(&over, &config),
        Err(EngineError::InputTooLarge {
            limit: MAX_PAYLOAD_BYTES
        })
    );
}

struct Echo;
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum EchoState {
    Echo,
}
impl WorkflowState for EchoState {
    const ALL: &'static [Self] = &[EchoState::Echo];
    fn name(self) -> &'static str {
        "Echo"
    }
    fn from_name(name: &str) -> Option<Self> {
        (name == "Echo").then_some(EchoState::Echo)
    }
}
impl Workflow for Echo {
    type Input = serde_json::Value;
    type Output = serde_json::Value;
    type State = EchoState;
    const NAME: &'static str = "Echo";
    const ASL: &'static str = r#"{"StartAt":"Echo","States":{"Echo":{"Type":"Pass","End":true}}}"#;
    const KIND: WorkflowKind = WorkflowKind::Standard;
    fn definition() -> sfn_asl::StateMachine {
        sfn_asl::parse(Self::ASL).expect("valid ASL")
    }
}

#[tokio::test(start_paused = true)]
async fn a_workflow_refuses_an_input_over_the_limit_before_it_starts() {
    let runner = Runner::<Echo>::new(Resources::new());
    let at_limit = json!("x".repeat(MAX_PAYLOAD_BYTES - 2));
    assert_eq!(runner.run(at_limit.clone()).await, Ok(at_limit));
    let over = json!("x".repeat(MAX_PAYLOAD_BYTES - 1));
    let run = runner.run_with_history(over.clone()).await;
    let err = run.output.expect_err("refused");
    assert_eq!(err.kind, ExecutionErrorKind::InputTooLarge);
    assert_eq!(err.error, "ValidationException");
    assert!(err.cause.contains("262144 bytes"), "{}", err.cause);
    // Nothing ran.
    assert!(run.result.history.is_empty());
    let started = runner.start(over).map(|_| ()).expect_err("refused");
    assert_eq!(started.kind, ExecutionErrorKind::InputTooLarge);
}

fn pass_chain() -> serde_json::Value {
    json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "End": true}}})
}

#[tokio::test(start_paused = true)]
async fn events_share_one_text_of_an_unchanged_payload() {
    let input = json!({"data": "x".repeat(1000)});
    let result = run(pass_chain(), input.clone(), Resources::new()).await;
    let texts: Vec<_> = result
        .history
        .iter()
        .filter_map(|e| e.data.as_ref().map(|d| d.text.clone()))
        .collect();
    // ExecutionStarted, A entered/exited, B entered/exited, ExecutionSucceeded.
    assert_eq!(texts.len(), 6);
    assert!(texts.iter().all(|t| Arc::ptr_eq(t, &texts[0])));
    assert_eq!(result.history[1].data_value(), Some(input));
}

#[tokio::test(start_paused = true)]
async fn aws_json_puts_the_payload_text_back_in_its_place() {
    let result = run(pass_chain(), json!({"a": 1}), Resources::new()).await;
    let entered = result.history[1].to_aws_json();
    let details = &entered["stateEnteredEventDetails"];
    assert_eq!(details["input"], json!("{\"a\":1}"));
    assert_eq!(details["inputDetails"], json!({"truncated": false}));
    let keys: Vec<&String> = details
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["input", "inputDetails", "name"]);
}

#[tokio::test(start_paused = true)]
async fn payloads_past_the_history_budget_are_truncated_and_marked() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": {"big": "y".repeat(5000)}, "Next": "B"},
        "B": {"Type": "Pass", "End": true}}});
    let mut config = ExecutionConfig::new("m", "run");
    config.max_history_data_bytes = 100;
    let result = engine(Resources::new())
        .start_sync_execution(machine(def), json!({"small": 1}), config)
        .await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    // The small input is kept whole; the big output is cut and says so.
    let entered = result.history[1].to_aws_json();
    assert_eq!(
        entered["stateEnteredEventDetails"]["inputDetails"]["truncated"],
        false
    );
    let exited = result.history[2].to_aws_json();
    let details = &exited["stateExitedEventDetails"];
    assert_eq!(details["outputDetails"]["truncated"], true);
    assert_eq!(details["output"].as_str().map(str::len), Some(1024));
    // The outcome keeps the whole output.
    assert_eq!(
        result
            .outcome
            .output
            .map(|o| o["big"].as_str().map(str::len)),
        Some(Some(5000))
    );
}

#[tokio::test(start_paused = true)]
async fn the_history_budget_counts_each_event_carrying_a_payload() {
    let mut config = ExecutionConfig::new("m", "run");
    // `{"small":1}` is 11 bytes: the started event and A's entry fit, A's exit does not.
    config.max_history_data_bytes = 25;
    let result = engine(Resources::new())
        .start_sync_execution(machine(pass_chain()), json!({"small": 1}), config)
        .await;
    let flags: Vec<bool> = result
        .history
        .iter()
        .map(|e| {
            let aws = e.to_aws_json();
            let details = aws
                .as_object()
                .and_then(|m| m.values().next_back())
                .cloned();
            let details = details.unwrap_or_default();
            let flag = details.get("inputDetails").or(details.get("outputDetails"));
            flag.and_then(|f| f["truncated"].as_bool())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(flags, [false, false, true, true, true, true]);
    assert_eq!(result.outcome.output, Some(json!({"small": 1})));
}
