//! AWS's service limits, enforced: execution duration, error and cause length, event caps,
//! far-future retries. Each test sits right at its limit, on the paused clock.

mod common;

use common::{count, engine, machine, run, START_MS};
use serde_json::json;
use sfn_runtime::engine::express;
use sfn_runtime::history::EventType;
use sfn_runtime::limits::{MAX_CAUSE_CHARS, MAX_ERROR_CHARS, STANDARD_MAX_SECONDS};
use sfn_runtime::{ExecutionConfig, Resources, Status, TaskError};

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
