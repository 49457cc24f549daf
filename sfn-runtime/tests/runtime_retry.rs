//! Retry: attempts per retrier, back-off on virtual time, MaxDelaySeconds, jitter, RetryCount.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use common::{count, run, START_MS};
use serde_json::json;
use sfn_runtime::history::EventType;
use sfn_runtime::{Resources, Status, TaskError};

const FN: &str = "arn:aws:lambda:us-east-1:123456789012:function:flaky";

/// A function that fails with `Boom` `failures` times, then returns how often it was called.
fn flaky(failures: u64) -> (Resources, Arc<AtomicU64>) {
    let calls = Arc::new(AtomicU64::new(0));
    let seen = calls.clone();
    let mut r = Resources::new();
    r.register(FN, move |req| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        async move {
            if n < failures {
                Err(TaskError::new("Boom", format!("attempt {n}")))
            } else {
                Ok(json!({"calls": n + 1, "retryCount": req.input.get("retry").cloned()}))
            }
        }
    });
    (r, calls)
}

fn scheduled_times(result: &sfn_runtime::ExecutionResult) -> Vec<u64> {
    result
        .history
        .iter()
        .filter(|e| e.event_type == EventType::LambdaFunctionScheduled)
        .map(|e| (e.timestamp - START_MS) / 1000)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn backoff_grows_by_the_rate_on_virtual_time() {
    let (r, calls) = flaky(3);
    let def = json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": FN, "Parameters": {"retry.$": "$$.State.RetryCount"},
        "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3}],
        "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    // Waits of 2, 6 and 18 seconds between attempts.
    assert_eq!(scheduled_times(&result), vec![0, 2, 8, 26]);
    assert_eq!(
        result.outcome.output,
        Some(json!({"calls": 4, "retryCount": 3}))
    );
    assert_eq!(count(&result, EventType::TaskStateEntered), 1);
}

#[tokio::test(start_paused = true)]
async fn exhausted_retrier_falls_through_to_catch() {
    let (r, calls) = flaky(10);
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": FN,
              "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 2, "IntervalSeconds": 1}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
        "Caught": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(
        result.outcome.output,
        Some(json!({"Error": "Boom", "Cause": "attempt 2"}))
    );
}

#[tokio::test(start_paused = true)]
async fn max_attempts_zero_never_retries() {
    let (r, calls) = flaky(1);
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN,
        "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 0}], "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(result.outcome.status, Status::Failed);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn max_delay_caps_the_backoff() {
    let (r, _) = flaky(3);
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN,
        "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 5, "BackoffRate": 10, "MaxDelaySeconds": 7, "MaxAttempts": 5}],
        "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(scheduled_times(&result), vec![0, 5, 12, 19]);
}

#[tokio::test(start_paused = true)]
async fn full_jitter_stays_within_the_delay() {
    let (r, _) = flaky(3);
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN,
        "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 10, "MaxAttempts": 3, "JitterStrategy": "FULL"}],
        "End": true}}});
    let result = run(def, json!({}), r).await;
    let times: Vec<u64> = result
        .history
        .iter()
        .filter(|e| e.event_type == EventType::LambdaFunctionScheduled)
        .map(|e| e.timestamp - START_MS)
        .collect();
    let gaps: Vec<u64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(gaps.len(), 3);
    for (gap, max) in gaps.iter().zip([10_000, 20_000, 40_000]) {
        assert!(*gap <= max, "gap {gap} > {max}");
    }
    assert!(
        gaps != vec![10_000, 20_000, 40_000],
        "jitter changed nothing"
    );
}

#[tokio::test(start_paused = true)]
async fn each_retrier_counts_its_own_attempts() {
    // Errors A, B, A, B: the first retrier allows 2, the second 1, so the fourth failure is final.
    let calls = Arc::new(AtomicU64::new(0));
    let seen = calls.clone();
    let mut r = Resources::new();
    r.register(FN, move |_| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        async move {
            Err::<serde_json::Value, _>(TaskError::new(if n % 2 == 0 { "A" } else { "B" }, "x"))
        }
    });
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN,
        "Retry": [{"ErrorEquals": ["A"], "MaxAttempts": 2}, {"ErrorEquals": ["B"], "MaxAttempts": 1}],
        "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(result.outcome.error.as_deref(), Some("B"));
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}

#[tokio::test(start_paused = true)]
async fn parallel_retry_reruns_every_branch() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel",
        "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}],
        "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 2}], "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(result.outcome.error.as_deref(), Some("E"));
    assert_eq!(count(&result, EventType::ParallelStateStarted), 3);
    assert_eq!(count(&result, EventType::ParallelStateFailed), 1);
}
