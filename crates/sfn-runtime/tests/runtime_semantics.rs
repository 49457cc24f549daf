//! Engine semantics that no AWS recording covers, checked against the ASL checklist: retrier
//! counters and delays, heartbeats and timeouts, Parallel/Map failure and cancellation, tolerance
//! boundaries, variable scopes, null paths and the uncatchable `States.Runtime`.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{count, engine, machine, run, types, START_MS};
use serde_json::{json, Value};
use sfn_runtime::history::EventType;
use sfn_runtime::{ExecutionConfig, ExecutionResult, Resources, Status, TaskError};
use tokio::time::Instant;

const FN: &str = "arn:aws:lambda:us-east-1:123456789012:function:f";
const CALLBACK: &str = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";

/// A function whose n-th call fails with `errors[n]`, then answers `{"calls": n + 1}`; it also
/// echoes `$$.State.RetryCount` when the state passes it as `rc`.
fn scripted(errors: &[&str]) -> (Resources, Arc<AtomicUsize>) {
    let errors: Vec<String> = errors.iter().map(|e| (*e).to_owned()).collect();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let mut r = Resources::new();
    r.register(FN, move |req| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        let outcome = match errors.get(n) {
            Some(e) if !e.is_empty() => Err(TaskError::new(e.clone(), format!("call {n}"))),
            _ => Ok(json!({"calls": n + 1, "rc": req.input.get("rc").cloned()})),
        };
        async move { outcome }
    });
    (r, calls)
}

/// Milliseconds after the start at which each event of `ty` happened.
fn times_of(result: &ExecutionResult, ty: EventType) -> Vec<u64> {
    result
        .history
        .iter()
        .filter(|e| e.event_type == ty)
        .map(|e| e.timestamp - START_MS)
        .collect()
}

/// A Task state on [`FN`] with `extra` fields; `End` unless `extra` names a `Next`.
fn task(extra: Value) -> Value {
    state(json!({"Type": "Task", "Resource": FN}), extra)
}

fn state(mut base: Value, extra: Value) -> Value {
    if let (Some(t), Value::Object(extra)) = (base.as_object_mut(), extra) {
        if !extra.contains_key("Next") {
            t.insert("End".into(), json!(true));
        }
        t.extend(extra);
    }
    base
}

// ---- §7.2 Retrier -------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn checklist_example_errors_a_b_c_b_wait_1_2_5_then_catch() {
    let (r, calls) = scripted(&["ErrorA", "ErrorB", "ErrorC", "ErrorB"]);
    let def = json!({"StartAt": "T", "States": {
        "T": task(json!({"Retry": [
                {"ErrorEquals": ["ErrorA", "ErrorB"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 2},
                {"ErrorEquals": ["ErrorC"], "IntervalSeconds": 5}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]})),
        "Caught": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(
        times_of(&result, EventType::LambdaFunctionScheduled),
        vec![0, 1000, 3000, 8000]
    );
    assert_eq!(
        result.outcome.output,
        Some(json!({"Error": "ErrorB", "Cause": "call 3"}))
    );
    assert_eq!(count(&result, EventType::TaskStateEntered), 1);
}

#[tokio::test(start_paused = true)]
async fn backoff_rate_one_and_a_half_is_capped_by_max_delay() {
    let (r, calls) = scripted(&["Boom", "Boom", "Boom", "Boom"]);
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"Retry": [{"ErrorEquals": ["Boom"],
        "IntervalSeconds": 2, "BackoffRate": 1.5, "MaxAttempts": 4, "MaxDelaySeconds": 4}]}))}});
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 5);
    // Delays 2, 3, then 4.5 and 6.75 both capped to 4.
    assert_eq!(
        times_of(&result, EventType::LambdaFunctionScheduled),
        vec![0, 2000, 5000, 9000, 13000]
    );
    assert_eq!(result.outcome.output, Some(json!({"calls": 5, "rc": null})));
}

#[tokio::test(start_paused = true)]
async fn fractional_delays_keep_their_milliseconds() {
    let (r, _) = scripted(&["Boom", "Boom", "Boom"]);
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"Retry": [{"ErrorEquals": ["Boom"],
        "IntervalSeconds": 1, "BackoffRate": 1.5}]}))}});
    let result = run(def, json!({}), r).await;
    // 1 s, 1.5 s, 2.25 s.
    assert_eq!(
        times_of(&result, EventType::LambdaFunctionScheduled),
        vec![0, 1000, 2500, 4750]
    );
}

#[tokio::test(start_paused = true)]
async fn default_retrier_waits_1_2_4_and_gives_up_after_three_retries() {
    let (r, calls) = scripted(&["Boom"; 10]);
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"Retry": [{"ErrorEquals": ["Boom"]}]}))}});
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(
        times_of(&result, EventType::LambdaFunctionScheduled),
        vec![0, 1000, 3000, 7000]
    );
    assert_eq!(result.outcome.status, Status::Failed);
    assert_eq!(result.outcome.error.as_deref(), Some("Boom"));
    assert_eq!(result.outcome.cause.as_deref(), Some("call 3"));
}

#[tokio::test(start_paused = true)]
async fn an_exhausted_retrier_does_not_hand_over_to_a_later_match() {
    let (r, calls) = scripted(&["Boom"; 10]);
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"Retry": [
        {"ErrorEquals": ["Boom"], "MaxAttempts": 1},
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}]}))}});
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(result.outcome.error.as_deref(), Some("Boom"));
}

#[tokio::test(start_paused = true)]
async fn a_first_matching_retrier_with_zero_attempts_decides() {
    let (r, calls) = scripted(&["Boom"; 10]);
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"Retry": [
        {"ErrorEquals": ["Boom"], "MaxAttempts": 0},
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}]}))}});
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        types(&result),
        vec![
            EventType::ExecutionStarted,
            EventType::TaskStateEntered,
            EventType::LambdaFunctionScheduled,
            EventType::LambdaFunctionStarted,
            EventType::LambdaFunctionFailed,
            EventType::ExecutionFailed,
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn retry_counters_and_retry_count_restart_on_each_visit() {
    // Every visit fails once; a retrier allowing one retry must cover both visits.
    let (r, calls) = scripted(&["Boom", "", "Boom", ""]);
    let def = json!({"StartAt": "T", "States": {
        "T": task(json!({"Parameters": {"rc.$": "$$.State.RetryCount"},
            "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 1}], "Next": "Again?"})),
        "Again?": {"Type": "Choice", "Choices": [
            {"Variable": "$.calls", "NumericLessThan": 3, "Next": "T"}], "Default": "Done"},
        "Done": {"Type": "Succeed"}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(result.outcome.status, Status::Succeeded);
    assert_eq!(result.outcome.output, Some(json!({"calls": 4, "rc": 1})));
    assert_eq!(count(&result, EventType::TaskStateEntered), 2);
}

#[tokio::test(start_paused = true)]
async fn full_jitter_applies_to_the_capped_delay() {
    let (r, calls) = scripted(&["Boom"; 6]);
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"Retry": [{"ErrorEquals": ["Boom"],
        "IntervalSeconds": 10, "BackoffRate": 3, "MaxAttempts": 6, "MaxDelaySeconds": 15,
        "JitterStrategy": "FULL"}]}))}});
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 7);
    let t = times_of(&result, EventType::LambdaFunctionScheduled);
    let gaps: Vec<u64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(gaps.len(), 6);
    assert!(gaps.iter().all(|g| *g <= 15_000), "{gaps:?}");
    // Six draws from [0, 15 s] are not all the cap: jitter really applied.
    assert!(gaps.iter().any(|g| *g < 15_000), "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn a_timeout_is_retried_by_its_own_name_but_not_by_task_failed() {
    let mut r = Resources::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    r.register(FN, move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
        async {
            tokio::time::sleep(Duration::from_secs(100)).await;
            Ok(json!("late"))
        }
    });
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"TimeoutSeconds": 2, "Retry": [
        {"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 5},
        {"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 1}]}))}});
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(
        times_of(&result, EventType::LambdaFunctionTimedOut),
        vec![2000, 5000]
    );
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
    assert_eq!(result.outcome.cause, None);
}

// ---- §7.1/§7.3 States.Runtime and Catchers ------------------------------------------------

#[tokio::test(start_paused = true)]
async fn states_runtime_escapes_retriers_and_catchers_that_name_it() {
    let (r, calls) = scripted(&[]);
    let def = json!({"StartAt": "T", "States": {
        "T": task(json!({"OutputPath": "$.missing",
            "Retry": [{"ErrorEquals": ["States.Runtime"]}, {"ErrorEquals": ["States.ALL"]}],
            "Catch": [{"ErrorEquals": ["States.Runtime"], "Next": "C"},
                      {"ErrorEquals": ["States.ALL"], "Next": "C"}]})),
        "C": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(result.outcome.status, Status::Failed);
    assert_eq!(result.outcome.error.as_deref(), Some("States.Runtime"));
    let cause = result.outcome.cause.clone().unwrap_or_default();
    assert!(
        cause.starts_with(
            "An error occurred while executing the state 'T' (entered at the event id #2)."
        ),
        "{cause}"
    );
    assert_eq!(
        types(&result)[4..],
        [
            EventType::LambdaFunctionSucceeded,
            EventType::ExecutionFailed
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn catcher_result_path_null_passes_the_raw_input_on() {
    let (r, _) = scripted(&["Boom"]);
    let def = json!({"StartAt": "T", "States": {
        "T": task(json!({"InputPath": "$.inner", "ResultPath": "$.r",
            "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": null, "Next": "C"}]})),
        "C": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({"inner": {"a": 1}, "b": 2}), r).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"inner": {"a": 1}, "b": 2}))
    );
}

#[tokio::test(start_paused = true)]
async fn catchers_are_scanned_in_order_and_task_failed_skips_timeouts() {
    let mut r = Resources::new();
    r.register(FN, |_| async {
        tokio::time::sleep(Duration::from_secs(100)).await;
        Ok(json!("late"))
    });
    let def = json!({"StartAt": "T", "States": {
        "T": task(json!({"TimeoutSeconds": 3, "Catch": [
            {"ErrorEquals": ["States.TaskFailed"], "Next": "Failed"},
            {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.err", "Next": "TimedOut"},
            {"ErrorEquals": ["States.ALL"], "Next": "Failed"}]})),
        "Failed": {"Type": "Fail", "Error": "Wrong"},
        "TimedOut": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({"x": 1}), r).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"x": 1, "err": {"Error": "States.Timeout", "Cause": ""}}))
    );
}

// ---- §2.2 heartbeats and timeouts ----------------------------------------------------------

/// A callback task whose worker takes the token and never answers nor heartbeats.
fn silent_worker() -> Resources {
    let mut r = Resources::new();
    r.register(CALLBACK, |_| async { Ok(json!({"MessageId": "m-1"})) });
    r
}

fn callback_task(extra: Value) -> Value {
    let base = json!({"Type": "Task", "Resource": CALLBACK,
        "Parameters": {"QueueUrl": "q", "token.$": "$$.Task.Token"}});
    state(base, extra)
}

#[tokio::test(start_paused = true)]
async fn a_silent_worker_times_out_at_the_heartbeat_not_the_timeout() {
    let def = json!({"StartAt": "T", "States": {
        "T": callback_task(json!({"HeartbeatSeconds": 5, "TimeoutSeconds": 60, "Catch": [
            {"ErrorEquals": ["States.TaskFailed"], "Next": "Wrong"},
            {"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Heartbeat"}]})),
        "Wrong": {"Type": "Fail", "Error": "Wrong"},
        "Heartbeat": {"Type": "Pass", "Result": "missed", "End": true}}});
    let began = Instant::now();
    let result = run(def, json!({}), silent_worker()).await;
    assert_eq!(began.elapsed(), Duration::from_secs(5));
    assert_eq!(result.outcome.output, Some(json!("missed")));
    assert_eq!(times_of(&result, EventType::TaskTimedOut), vec![5000]);
    let timed_out = result
        .history
        .iter()
        .find(|e| e.event_type == EventType::TaskTimedOut)
        .map(|e| e.details.clone());
    assert_eq!(
        timed_out.and_then(|d| d.get("error").cloned()),
        Some(json!("States.Timeout"))
    );
}

#[tokio::test(start_paused = true)]
async fn a_states_timeout_catcher_also_catches_a_missed_heartbeat() {
    let def = json!({"StartAt": "T", "States": {
        "T": callback_task(json!({"HeartbeatSeconds": 2, "TimeoutSeconds": 10, "Catch": [
            {"ErrorEquals": ["States.Timeout"], "Next": "C"}]})),
        "C": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({}), silent_worker()).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    assert_eq!(times_of(&result, EventType::TaskTimedOut), vec![2000]);
}

#[tokio::test(start_paused = true)]
async fn a_heartbeat_timeout_retrier_ignores_a_plain_task_timeout() {
    let mut r = Resources::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    r.register(FN, move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
        async {
            tokio::time::sleep(Duration::from_secs(100)).await;
            Ok(json!("late"))
        }
    });
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"TimeoutSeconds": 2,
        "Retry": [{"ErrorEquals": ["States.HeartbeatTimeout"], "MaxAttempts": 3}]}))}});
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
}

/// Flags telling whether a handler future finished or was dropped unfinished.
#[derive(Clone, Default)]
struct Lifecycle {
    started: Arc<AtomicUsize>,
    finished: Arc<AtomicBool>,
    dropped: Arc<AtomicBool>,
}

struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Lifecycle {
    /// A resource sleeping `secs` seconds, tracked by these flags.
    fn register(&self, r: &mut Resources, resource: &str, secs: u64) {
        let me = self.clone();
        r.register(resource, move |_| {
            let me = me.clone();
            me.started.fetch_add(1, Ordering::SeqCst);
            let flag = DropFlag(me.dropped.clone());
            async move {
                let _flag = flag;
                tokio::time::sleep(Duration::from_secs(secs)).await;
                me.finished.store(true, Ordering::SeqCst);
                Ok(json!("slow"))
            }
        });
    }

    /// Whether the handler started and was cancelled before finishing.
    async fn was_cancelled(&self) -> bool {
        // Aborted tasks are dropped when the runtime next runs them.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        self.started.load(Ordering::SeqCst) == 1
            && self.dropped.load(Ordering::SeqCst)
            && !self.finished.load(Ordering::SeqCst)
    }
}

#[tokio::test(start_paused = true)]
async fn execution_timeout_during_a_wait_ends_at_the_timeout() {
    let def = json!({"TimeoutSeconds": 30, "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 3600, "Next": "After"},
        "After": {"Type": "Pass", "End": true}}});
    let began = Instant::now();
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(began.elapsed(), Duration::from_secs(30));
    assert_eq!(result.outcome.status, Status::TimedOut);
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
    assert_eq!(result.outcome.cause, None);
    assert_eq!(
        times_of(&result, EventType::ExecutionTimedOut),
        vec![30_000]
    );
    assert_eq!(count(&result, EventType::WaitStateExited), 0);
    assert_eq!(count(&result, EventType::PassStateEntered), 1);
}

#[tokio::test(start_paused = true)]
async fn execution_timeout_cancels_a_running_task() {
    let life = Lifecycle::default();
    let mut r = Resources::new();
    life.register(&mut r, FN, 3600);
    let def = json!({"TimeoutSeconds": 10, "StartAt": "T", "States": {"T": task(json!({}))}});
    let began = Instant::now();
    let result = run(def, json!({}), r).await;
    assert_eq!(began.elapsed(), Duration::from_secs(10));
    assert_eq!(result.outcome.status, Status::TimedOut);
    assert!(life.was_cancelled().await);
}

#[tokio::test(start_paused = true)]
async fn execution_timeout_during_a_retry_backoff() {
    let (r, calls) = scripted(&["Boom"; 10]);
    let def = json!({"TimeoutSeconds": 5, "StartAt": "T", "States": {"T": task(json!({"Retry": [
        {"ErrorEquals": ["Boom"], "IntervalSeconds": 4, "MaxAttempts": 5}]}))}});
    let result = run(def, json!({}), r).await;
    // Attempts at 0 and 4 s; the next one (at 12 s) never comes.
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(result.outcome.status, Status::TimedOut);
    assert_eq!(times_of(&result, EventType::ExecutionTimedOut), vec![5000]);
}

#[tokio::test(start_paused = true)]
async fn an_express_execution_is_cut_at_five_minutes() {
    let def =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": true}}});
    let engine = engine(Resources::new());
    let began = Instant::now();
    let result = sfn_runtime::express::start_sync_execution(
        &engine,
        machine(def),
        json!({}),
        sfn_runtime::express::config("m", "x"),
    )
    .await
    .expect("an express machine");
    assert_eq!(began.elapsed(), Duration::from_secs(300));
    assert_eq!(result.outcome.status, Status::TimedOut);
}

// ---- §2.8/§2.9 Parallel and Map failure, cancellation, concurrency -------------------------

#[tokio::test(start_paused = true)]
async fn a_failing_branch_aborts_a_waiting_sibling_before_its_task() {
    let life = Lifecycle::default();
    let mut r = Resources::new();
    life.register(&mut r, FN, 5);
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "Next": "T"}, "T": task(json!({}))}},
        {"StartAt": "W2", "States": {"W2": {"Type": "Wait", "Seconds": 1, "Next": "F"},
                                     "F": {"Type": "Fail", "Error": "Branch2", "Cause": "gave up"}}}
    ], "End": true}}});
    let began = Instant::now();
    let result = run(def, json!({}), r).await;
    assert_eq!(began.elapsed(), Duration::from_secs(1));
    assert_eq!(result.outcome.error.as_deref(), Some("Branch2"));
    assert_eq!(result.outcome.cause.as_deref(), Some("gave up"));
    assert_eq!(life.started.load(Ordering::SeqCst), 0);
    assert_eq!(count(&result, EventType::WaitStateExited), 1);
    assert_eq!(count(&result, EventType::ParallelStateFailed), 1);
    assert_eq!(
        result.history.last().map(|e| e.event_type),
        Some(EventType::ExecutionFailed)
    );
}

#[tokio::test(start_paused = true)]
async fn a_failing_branch_cancels_a_sibling_task_in_flight() {
    let life = Lifecycle::default();
    let mut r = Resources::new();
    life.register(&mut r, FN, 3600);
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [
            {"StartAt": "T", "States": {"T": task(json!({}))}},
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "Next": "F"},
                                        "F": {"Type": "Fail", "Error": "Late"}}}],
            "Catch": [{"ErrorEquals": ["Late"], "Next": "C"}], "End": true},
        "C": {"Type": "Pass", "End": true}}});
    let began = Instant::now();
    let result = run(def, json!({"in": 1}), r).await;
    assert_eq!(began.elapsed(), Duration::from_secs(2));
    assert_eq!(
        result.outcome.output,
        Some(json!({"Error": "Late", "Cause": null}))
    );
    assert!(life.was_cancelled().await);
    assert_eq!(count(&result, EventType::LambdaFunctionSucceeded), 0);
}

#[tokio::test(start_paused = true)]
async fn parallel_retry_restarts_every_branch_and_fails_once() {
    let (r, calls) = scripted(&["Boom"; 10]);
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
        {"StartAt": "T", "States": {"T": task(json!({}))}},
        {"StartAt": "S", "States": {"S": {"Type": "Pass", "End": true}}}],
        "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 2, "IntervalSeconds": 1}], "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(count(&result, EventType::ParallelStateStarted), 3);
    assert_eq!(count(&result, EventType::PassStateEntered), 3);
    assert_eq!(count(&result, EventType::ParallelStateFailed), 1);
    assert_eq!(count(&result, EventType::ParallelStateEntered), 1);
    // The branch's own error, not States.BranchFailed.
    assert_eq!(result.outcome.error.as_deref(), Some("Boom"));
    let tail: Vec<EventType> = types(&result).into_iter().rev().take(2).collect();
    assert_eq!(
        tail,
        vec![EventType::ExecutionFailed, EventType::ParallelStateFailed]
    );
}

#[tokio::test(start_paused = true)]
async fn map_retry_restarts_every_iteration_and_fails_once() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
        "ItemProcessor": {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Bad", "Cause": "item"}}},
        "Retry": [{"ErrorEquals": ["Bad"], "MaxAttempts": 1, "IntervalSeconds": 3}], "End": true}}});
    let began = Instant::now();
    let result = run(def, json!([1]), Resources::new()).await;
    assert_eq!(began.elapsed(), Duration::from_secs(3));
    assert_eq!(count(&result, EventType::MapStateStarted), 2);
    assert_eq!(count(&result, EventType::MapIterationFailed), 2);
    assert_eq!(count(&result, EventType::MapStateFailed), 1);
    assert_eq!(result.outcome.error.as_deref(), Some("Bad"));
    assert_eq!(result.outcome.cause.as_deref(), Some("item"));
}

/// A resource sleeping `input.secs`, counting concurrent calls and their peak.
fn in_flight() -> (Resources, Arc<AtomicUsize>) {
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (running2, peak2) = (running.clone(), peak.clone());
    let mut r = Resources::new();
    r.register(FN, move |req| {
        let (running, peak) = (running2.clone(), peak2.clone());
        async move {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            let secs = req.input.get("secs").and_then(Value::as_u64).unwrap_or(1);
            tokio::time::sleep(Duration::from_secs(secs)).await;
            running.fetch_sub(1, Ordering::SeqCst);
            if req.input.get("fail").is_some() {
                return Err(TaskError::new("ItemFailed", req.input.to_string()));
            }
            Ok(req.input.get("id").cloned().unwrap_or(Value::Null))
        }
    });
    (r, peak)
}

#[tokio::test(start_paused = true)]
async fn max_concurrency_two_refills_a_slot_as_soon_as_one_frees() {
    let (r, peak) = in_flight();
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 2,
        "ItemProcessor": {"StartAt": "T", "States": {"T": task(json!({}))}}, "End": true}}});
    let items = json!([{"id": 0, "secs": 3}, {"id": 1, "secs": 1}, {"id": 2, "secs": 1},
                       {"id": 3, "secs": 1}, {"id": 4, "secs": 1}]);
    let began = Instant::now();
    let result = run(def, items, r).await;
    // Item 0 holds one slot for 3 s while items 1-4 pass through the other one by one.
    assert_eq!(began.elapsed(), Duration::from_secs(4));
    assert_eq!(peak.load(Ordering::SeqCst), 2);
    assert_eq!(result.outcome.output, Some(json!([0, 1, 2, 3, 4])));
}

#[tokio::test(start_paused = true)]
async fn max_concurrency_one_runs_items_one_after_another_in_order() {
    let (r, peak) = in_flight();
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 1,
        "ItemProcessor": {"StartAt": "T", "States": {"T": task(json!({}))}}, "End": true}}});
    let items = json!([{"id": "a", "secs": 2}, {"id": "b", "secs": 1}, {"id": "c", "secs": 1}]);
    let result = run(def, items, r).await;
    assert_eq!(peak.load(Ordering::SeqCst), 1);
    let order: Vec<(EventType, Option<u64>)> = result
        .history
        .iter()
        .filter(|e| {
            matches!(
                e.event_type,
                EventType::MapIterationStarted | EventType::MapIterationSucceeded
            )
        })
        .map(|e| (e.event_type, e.details.get("index").and_then(Value::as_u64)))
        .collect();
    let (s, d) = (
        EventType::MapIterationStarted,
        EventType::MapIterationSucceeded,
    );
    assert_eq!(
        order,
        vec![
            (s, Some(0)),
            (d, Some(0)),
            (s, Some(1)),
            (d, Some(1)),
            (s, Some(2)),
            (d, Some(2))
        ]
    );
    assert_eq!(
        times_of(&result, EventType::MapIterationStarted),
        vec![0, 2000, 3000]
    );
}

async fn tolerance(field: &str, value: Value) -> ExecutionResult {
    let (r, _) = in_flight();
    let mut def = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "T", "States": {"T": task(json!({}))}}, "End": true}}});
    def["States"]["M"][field] = value;
    // Two of five items fail: 40 %.
    let items =
        json!([{"id": 0}, {"id": 1, "fail": true}, {"id": 2}, {"id": 3, "fail": true}, {"id": 4}]);
    run(def, items, r).await
}

#[tokio::test(start_paused = true)]
async fn tolerated_failure_count_boundary() {
    let at = tolerance("ToleratedFailureCount", json!(2)).await;
    assert_eq!(at.outcome.status, Status::Succeeded);
    let below = tolerance("ToleratedFailureCount", json!(1)).await;
    assert_eq!(
        below.outcome.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    assert_eq!(
        below.outcome.cause.as_deref(),
        Some("The specified tolerated failure threshold was exceeded")
    );
}

#[tokio::test(start_paused = true)]
async fn tolerated_failure_percentage_boundary() {
    let at = tolerance("ToleratedFailurePercentage", json!(40)).await;
    assert_eq!(at.outcome.status, Status::Succeeded);
    let below = tolerance("ToleratedFailurePercentage", json!(39.5)).await;
    assert_eq!(
        below.outcome.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
}

#[tokio::test(start_paused = true)]
async fn a_fail_state_in_an_iteration_surfaces_its_own_error_to_the_catcher() {
    let def = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemsPath": "$.xs", "ItemProcessor": {"StartAt": "C", "States": {
                "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "F"}], "Default": "Ok"},
                "Ok": {"Type": "Succeed"},
                "F": {"Type": "Fail", "Error": "Two", "Cause": "item two"}}},
              "Catch": [{"ErrorEquals": ["States.BranchFailed"], "Next": "Wrong"},
                        {"ErrorEquals": ["Two"], "ResultPath": "$.error", "Next": "Right"}],
              "ResultPath": "$.out", "End": true},
        "Wrong": {"Type": "Fail"},
        "Right": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({"xs": [1, 2, 3]}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"xs": [1, 2, 3], "error": {"Error": "Two", "Cause": "item two"}}))
    );
}

// ---- §8.4 variable scopes -------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn a_sibling_branch_never_sees_a_variable_assigned_in_another() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Parallel",
        "Branches": [
            {"StartAt": "Set", "States": {"Set": {"Type": "Pass", "Assign": {"x": 1}, "Next": "Hold"},
                                          "Hold": {"Type": "Wait", "Seconds": 5, "End": true}}},
            {"StartAt": "Later", "States": {"Later": {"Type": "Wait", "Seconds": 1, "Next": "Read"},
                                            "Read": {"Type": "Pass", "Output": "{% $x %}", "End": true}}}],
        "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.QueryEvaluationError")
    );
    let cause = result.outcome.cause.clone().unwrap_or_default();
    assert!(
        cause.contains("'Output'") && cause.contains("undefined"),
        "{cause}"
    );
}

#[tokio::test(start_paused = true)]
async fn branch_variables_vanish_but_the_parallel_assign_writes_the_outer_scope() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"inner": 1}, "Output": 7, "End": true}}}],
              "Assign": {"outer": "{% $states.result[0] %}"}, "Next": "Read"},
        "Read": {"Type": "Pass", "Output": {"outer": "{% $outer %}", "inner": "{% $exists($inner) %}"}, "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"outer": 7, "inner": false}))
    );
}

#[tokio::test(start_paused = true)]
async fn map_iterations_read_an_outer_variable_but_not_each_other() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"base": 100}, "Next": "M"},
        "M": {"Type": "Map", "MaxConcurrency": 1, "Items": "{% $states.input.xs %}",
              "ItemProcessor": {"StartAt": "Seen", "States": {
                "Seen": {"Type": "Pass", "Output": {"prev": "{% $exists($mine) %}", "item": "{% $states.input %}"},
                         "Assign": {"mine": "{% $states.input %}"}, "Next": "Sum"},
                "Sum": {"Type": "Pass", "Output": {"prev": "{% $states.input.prev %}", "v": "{% $base + $mine %}"}, "End": true}}},
              "End": true}}});
    let result = run(def, json!({"xs": [1, 2]}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!([{"prev": false, "v": 101}, {"prev": false, "v": 102}]))
    );
}

#[tokio::test(start_paused = true)]
async fn jsonpath_assign_swaps_on_entry_values() {
    let def = json!({"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Assign": {"a": 1, "b": 2}, "Next": "Swap"},
        "Swap": {"Type": "Pass", "Assign": {"a.$": "$b", "b.$": "$a"}, "Next": "Read"},
        "Read": {"Type": "Pass", "Parameters": {"a.$": "$a", "b.$": "$b"}, "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(result.outcome.output, Some(json!({"a": 2, "b": 1})));
}

#[tokio::test(start_paused = true)]
async fn a_state_output_sees_the_variables_as_they_were_on_entry() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Assign": {"x": 1}, "Next": "Bump"},
        "Bump": {"Type": "Pass", "Assign": {"x": "{% $x + 1 %}"}, "Output": {"seen": "{% $x %}"}, "Next": "Read"},
        "Read": {"Type": "Pass", "Output": {"before": "{% $states.input.seen %}", "after": "{% $x %}"}, "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"before": 1, "after": 2}))
    );
}

#[tokio::test(start_paused = true)]
async fn a_catcher_assign_replaces_the_state_assign() {
    let (r, _) = scripted(&["Boom"]);
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
        "T": task(json!({"Assign": {"from": "state"},
            "Catch": [{"ErrorEquals": ["Boom"], "Assign": {"err": "{% $states.errorOutput.Error %}"}, "Next": "Read"}]})),
        "Read": {"Type": "Pass", "Output": {"err": "{% $err %}", "state": "{% $exists($from) %}"}, "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"err": "Boom", "state": false}))
    );
}

// ---- §4.3 pipeline null meanings --------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn task_result_path_null_discards_the_result() {
    let (r, calls) = scripted(&[]);
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"InputPath": "$.sub", "ResultPath": null}))}});
    let result = run(def, json!({"sub": {"k": 1}, "other": true}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        result.outcome.output,
        Some(json!({"sub": {"k": 1}, "other": true}))
    );
}

#[tokio::test(start_paused = true)]
async fn task_output_path_null_gives_an_empty_object() {
    let (r, _) = scripted(&[]);
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"OutputPath": null}))}});
    let result = run(def, json!({"a": 1}), r).await;
    assert_eq!(result.outcome.output, Some(json!({})));
}

#[tokio::test(start_paused = true)]
async fn input_path_null_hands_the_task_an_empty_object() {
    let mut r = Resources::new();
    r.register(FN, |req| async move { Ok(json!({"got": req.input})) });
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"InputPath": null, "ResultPath": "$.r"}))}});
    let result = run(def, json!({"a": 1}), r).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"a": 1, "r": {"got": {}}}))
    );
}

#[tokio::test(start_paused = true)]
async fn result_path_creates_missing_objects_in_a_copy_of_the_raw_input() {
    let (r, _) = scripted(&[]);
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"InputPath": "$.a",
        "ResultSelector": {"n.$": "$.calls"}, "ResultPath": "$.x.y.z"}))}});
    let result = run(def, json!({"a": {"keep": 1}}), r).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"a": {"keep": 1}, "x": {"y": {"z": {"n": 1}}}}))
    );
}

// ---- §2.5 Wait --------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn zero_seconds_and_a_past_timestamp_continue_at_once() {
    let def = json!({"StartAt": "Zero", "States": {
        "Zero": {"Type": "Wait", "SecondsPath": "$.s", "Next": "Past"},
        "Past": {"Type": "Wait", "Timestamp": "2000-01-01T00:00:00Z", "End": true}}});
    let began = Instant::now();
    let result = run(def, json!({"s": 0}), Resources::new()).await;
    assert_eq!(began.elapsed(), Duration::ZERO);
    assert_eq!(result.outcome.output, Some(json!({"s": 0})));
}

#[tokio::test(start_paused = true)]
async fn bad_seconds_path_values_are_runtime_failures() {
    for (value, tail) in [
        (
            json!(-1),
            "The SecondsPath parameter references a negative value: $.s == -1",
        ),
        (
            json!(1.5),
            "The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5",
        ),
    ] {
        let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s",
            "End": true}}});
        let result = run(def, json!({"s": value}), Resources::new()).await;
        assert_eq!(result.outcome.error.as_deref(), Some("States.Runtime"));
        let cause = result.outcome.cause.clone().unwrap_or_default();
        assert!(cause.ends_with(tail), "{cause}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_wait_in_a_branch_delays_only_its_branch() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 3, "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 2, "Next": "B2"},
                                    "B2": {"Type": "Wait", "Seconds": 2, "End": true}}}],
        "End": true}}});
    let began = Instant::now();
    let result = run(def, json!("x"), Resources::new()).await;
    assert_eq!(began.elapsed(), Duration::from_secs(4));
    assert_eq!(result.outcome.output, Some(json!(["x", "x"])));
    assert_eq!(
        times_of(&result, EventType::ParallelStateSucceeded),
        vec![4000]
    );
}

/// The run started through a handle gives the same outcome as the synchronous call.
#[tokio::test(start_paused = true)]
async fn a_handle_and_the_sync_call_agree() {
    let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 7, "End": true}}});
    let handle = engine(Resources::new()).start_execution(
        machine(def.clone()),
        json!({"v": 1}),
        ExecutionConfig::new("m", "h"),
    );
    let via_handle = handle.result().await.expect("result");
    let sync = run(def, json!({"v": 1}), Resources::new()).await;
    assert_eq!(via_handle.outcome, sync.outcome);
    assert_eq!(types(&via_handle), types(&sync));
}
