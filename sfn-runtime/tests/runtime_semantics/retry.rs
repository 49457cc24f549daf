//! Retriers (§7.2): per-retrier counters, delays, jitter; Catchers and `States.Runtime` (§7.1, §7.3).

use super::*;

// ---- §7.2 Retrier

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

// ---- §7.1/§7.3 States.Runtime and Catchers

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

#[tokio::test(start_paused = true)]
async fn a_result_path_match_failure_is_caught_by_the_state_itself() {
    let (r, _) = scripted(&[]);
    let def = json!({"StartAt": "T", "States": {
        "T": task(json!({"ResultPath": "$.r",
            "Catch": [{"ErrorEquals": ["States.ResultPathMatchFailure"], "Next": "C"}], "Next": "C"})),
        "C": {"Type": "Pass", "End": true}}});
    let result = run(def, json!("text"), r).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"Error": "States.ResultPathMatchFailure", "Cause":
            "An error occurred while executing the state 'T' (entered at the event id #2). \
             Unable to apply ReferencePath $.r to input \"text\""}))
    );
    assert_eq!(count(&result, EventType::LambdaFunctionSucceeded), 1);
}

#[tokio::test(start_paused = true)]
async fn an_intrinsic_failure_before_the_call_is_retried_and_caught_without_calling() {
    let (r, calls) = scripted(&[]);
    let def = json!({"StartAt": "T", "States": {
        "T": task(json!({"Parameters": {"x.$": "States.ArrayGetItem($.a, 5)"},
            "Retry": [{"ErrorEquals": ["States.IntrinsicFailure"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.IntrinsicFailure"], "Next": "C"}], "Next": "C"})),
        "C": {"Type": "Pass", "End": true}}});
    let began = Instant::now();
    let result = run(def, json!({"a": [1]}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    // Two retries at 1 s and 2 s, each failing again before any call.
    assert_eq!(began.elapsed(), Duration::from_secs(3));
    let error = result.outcome.output.as_ref().and_then(|o| o.get("Error"));
    assert_eq!(error, Some(&json!("States.IntrinsicFailure")));
    assert_eq!(count(&result, EventType::LambdaFunctionScheduled), 0);
}

#[tokio::test(start_paused = true)]
async fn entered_time_stays_and_retry_count_grows_across_retries() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let calls = AtomicUsize::new(0);
    let mut r = Resources::new();
    r.register(FN, move |req| {
        if let Ok(mut v) = log.lock() {
            v.push(req.input.clone());
        }
        let k = calls.fetch_add(1, Ordering::SeqCst);
        async move {
            if k < 2 {
                Err(TaskError::new("Boom", "again"))
            } else {
                Ok(json!("ok"))
            }
        }
    });
    let def = json!({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 1, "Next": "T"},
        "T": task(json!({"Parameters": {"t.$": "$$.State.EnteredTime", "rc.$": "$$.State.RetryCount"},
            "Retry": [{"ErrorEquals": ["Boom"]}]}))}});
    let result = run(def, json!({}), r).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    let seen = seen.lock().map(|v| v.clone()).unwrap_or_default();
    let t = "2024-01-01T00:00:01.000Z";
    assert_eq!(
        seen,
        vec![
            json!({"t": t, "rc": 0}),
            json!({"t": t, "rc": 1}),
            json!({"t": t, "rc": 2})
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_huge_backoff_without_a_cap_still_ends_at_the_execution_timeout() {
    let (r, calls) = scripted(&["Boom"; 10]);
    let def = json!({"TimeoutSeconds": 100000, "StartAt": "T", "States": {"T": task(json!({"Retry": [{
        "ErrorEquals": ["Boom"], "IntervalSeconds": 99999999, "BackoffRate": 99999999,
        "MaxAttempts": 99999999}]}))}});
    let began = Instant::now();
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(began.elapsed(), Duration::from_secs(100_000));
    assert_eq!(result.outcome.status, Status::TimedOut);
}

#[tokio::test(start_paused = true)]
async fn a_retry_reschedules_off_the_failure_event() {
    let (r, _) = scripted(&["Boom"]);
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"Retry": [{"ErrorEquals": ["Boom"]}]}))}});
    let result = run(def, json!({}), r).await;
    let chain: Vec<(u64, u64, EventType, u64)> = result
        .history
        .iter()
        .map(|e| {
            (
                e.id,
                e.previous_event_id,
                e.event_type,
                e.timestamp - START_MS,
            )
        })
        .collect();
    assert_eq!(
        chain,
        vec![
            (1, 0, EventType::ExecutionStarted, 0),
            (2, 0, EventType::TaskStateEntered, 0),
            (3, 2, EventType::LambdaFunctionScheduled, 0),
            (4, 3, EventType::LambdaFunctionStarted, 0),
            (5, 4, EventType::LambdaFunctionFailed, 0),
            (6, 5, EventType::LambdaFunctionScheduled, 1000),
            (7, 6, EventType::LambdaFunctionStarted, 1000),
            (8, 7, EventType::LambdaFunctionSucceeded, 1000),
            (9, 8, EventType::TaskStateExited, 1000),
            (10, 9, EventType::ExecutionSucceeded, 1000),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_catcher_output_over_the_payload_limit_fails_with_data_limit_exceeded() {
    // A 5 KB cause written into a 260 KB input passes the 256 KiB limit.
    let mut r = Resources::new();
    r.register(FN, |_| async {
        Err(TaskError::new("Boom", "c".repeat(5000)))
    });
    let def = json!({"StartAt": "T", "States": {
        "T": task(json!({"Retry": [{"ErrorEquals": ["States.DataLimitExceeded"]}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "C"}],
            "Next": "C"})),
        "C": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({"s": "y".repeat(260_000)}), r).await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.DataLimitExceeded")
    );
    assert_eq!(
        result.outcome.cause.as_deref(),
        Some("The state/task 'T' returned a result with a size exceeding the maximum number of bytes service limit.")
    );
    // Neither retried nor caught a second time.
    assert_eq!(
        types(&result)[2..],
        [
            EventType::LambdaFunctionScheduled,
            EventType::LambdaFunctionStarted,
            EventType::LambdaFunctionFailed,
            EventType::ExecutionFailed
        ]
    );
}
