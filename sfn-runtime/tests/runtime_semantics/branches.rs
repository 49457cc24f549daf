//! Parallel and Map (§2.8, §2.9): failure, cancellation, retry, concurrency, tolerance.

use super::*;

// ---- §2.8/§2.9 Parallel and Map failure, cancellation, concurrency

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

#[tokio::test(start_paused = true)]
async fn a_failed_item_under_max_concurrency_one_leaves_later_items_unstarted() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 1,
        "ItemProcessor": {"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "F"}], "Default": "S"},
            "S": {"Type": "Succeed"}, "F": {"Type": "Fail", "Error": "One"}}}, "End": true}}});
    let result = run(def, json!([0, 1, 2, 3]), Resources::new()).await;
    assert_eq!(count(&result, EventType::MapIterationStarted), 2);
    assert_eq!(count(&result, EventType::MapIterationAborted), 0);
    assert_eq!(result.outcome.error.as_deref(), Some("One"));
    let tail: Vec<EventType> = types(&result).into_iter().rev().take(4).collect();
    assert_eq!(
        tail,
        vec![
            EventType::ExecutionFailed,
            EventType::MapStateFailed,
            EventType::MapIterationFailed,
            EventType::FailStateEntered
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_sibling_failure_cancels_a_branch_waiting_for_its_next_retry() {
    let (r, calls) = scripted(&["Boom"; 100]);
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
        {"StartAt": "T", "States": {"T": task(json!({"Retry": [{"ErrorEquals": ["Boom"],
            "IntervalSeconds": 2, "BackoffRate": 1, "MaxAttempts": 100}]}))}},
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "Next": "F"},
                                    "F": {"Type": "Fail", "Error": "Stop"}}}],
        "End": true}}});
    let began = Instant::now();
    let result = run(def, json!({}), r).await;
    assert_eq!(began.elapsed(), Duration::from_secs(5));
    assert_eq!(result.outcome.error.as_deref(), Some("Stop"));
    // Attempts at 0, 2 and 4 s; the one due at 6 s never happens.
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn items_path_not_an_array_escapes_the_map_catcher() {
    let def = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemsPath": "$.x",
              "ItemProcessor": {"StartAt": "S", "States": {"S": {"Type": "Succeed"}}},
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "End": true},
        "C": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({"x": {"a": 1}}), Resources::new()).await;
    assert_eq!(result.outcome.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        result.outcome.cause.as_deref(),
        Some(
            "An error occurred while executing the state 'M' (entered at the event id #2). \
              Reference path \"$.x\" must point to array."
        )
    );
    assert_eq!(
        types(&result),
        vec![
            EventType::ExecutionStarted,
            EventType::MapStateEntered,
            EventType::ExecutionFailed
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_jsonata_failure_in_parallel_arguments_is_caught_without_starting_branches() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Arguments": "{% $nope %}",
              "Branches": [{"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}],
              "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "C"}], "End": true},
        "C": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    assert_eq!(count(&result, EventType::ParallelStateStarted), 0);
    assert_eq!(count(&result, EventType::SucceedStateEntered), 0);
    assert_eq!(
        types(&result)[..5],
        [
            EventType::ExecutionStarted,
            EventType::ParallelStateEntered,
            EventType::EvaluationFailed,
            EventType::ParallelStateFailed,
            EventType::ParallelStateExited
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_failure_deep_in_nested_parallels_reaches_the_outer_catcher_at_once() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [
            {"StartAt": "Q", "States": {"Q": {"Type": "Parallel", "Branches": [
                {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Deep", "Cause": "c"}}}], "End": true}}},
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": true}}}],
            "Catch": [{"ErrorEquals": ["Deep"], "Next": "C"}], "End": true},
        "C": {"Type": "Pass", "End": true}}});
    let began = Instant::now();
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(began.elapsed(), Duration::ZERO);
    assert_eq!(
        result.outcome.output,
        Some(json!({"Error": "Deep", "Cause": "c"}))
    );
    assert_eq!(count(&result, EventType::ParallelStateFailed), 2);
    assert_eq!(count(&result, EventType::WaitStateExited), 0);
}

#[tokio::test(start_paused = true)]
async fn a_map_catcher_writes_into_the_raw_input() {
    let def = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "InputPath": "$.in", "ItemsPath": "$.xs",
              "ItemProcessor": {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}},
              "ResultSelector": {"never": true},
              "Catch": [{"ErrorEquals": ["E"], "ResultPath": "$.err", "Next": "C"}], "End": true},
        "C": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({"in": {"xs": [1]}, "keep": 1}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"in": {"xs": [1]}, "keep": 1, "err": {"Error": "E", "Cause": null}}))
    );
}

#[tokio::test(start_paused = true)]
async fn nested_maps_each_see_their_own_item_index() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
        "ItemSelector": {"outer.$": "$$.Map.Item.Index", "xs.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"StartAt": "N", "States": {"N": {"Type": "Map", "ItemsPath": "$.xs",
            "ItemSelector": {"o.$": "$.outer", "i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"},
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}},
        "End": true}}});
    let result = run(def, json!([["a", "b"], ["c"]]), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!([
            [{"o": 0, "i": 0, "v": "a"}, {"o": 0, "i": 1, "v": "b"}],
            [{"o": 1, "i": 0, "v": "c"}]
        ]))
    );
}

#[tokio::test(start_paused = true)]
async fn max_concurrency_path_bounds_the_iterations() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrencyPath": "$.mc",
        "ItemsPath": "$.xs",
        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}},
        "End": true}}});
    let began = Instant::now();
    let result = run(
        def,
        json!({"mc": 2, "xs": [1, 2, 3, 4, 5]}),
        Resources::new(),
    )
    .await;
    // Five one-second items, two at a time.
    assert_eq!(began.elapsed(), Duration::from_secs(3));
    assert_eq!(result.outcome.output, Some(json!([1, 2, 3, 4, 5])));
}

#[tokio::test(start_paused = true)]
async fn each_iteration_counts_its_own_retries() {
    let calls = AtomicUsize::new(0);
    let mut r = Resources::new();
    r.register(FN, move |req| {
        let k = calls.fetch_add(1, Ordering::SeqCst);
        async move {
            if k % 2 == 0 {
                Err(TaskError::new("Boom", "first try"))
            } else {
                Ok(req.input)
            }
        }
    });
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 1,
        "ItemProcessor": {"StartAt": "T", "States": {"T": task(json!({
            "Parameters": {"rc.$": "$$.State.RetryCount"},
            "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 1}]}))}},
        "End": true}}});
    let result = run(def, json!([1, 2, 3]), r).await;
    assert_eq!(
        result.outcome.output,
        Some(json!([{"rc": 1}, {"rc": 1}, {"rc": 1}]))
    );
}

#[tokio::test(start_paused = true)]
async fn a_parallel_result_selector_sees_the_branch_array() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel",
        "ResultSelector": {"first.$": "$[0]", "n.$": "States.ArrayLength($)"},
        "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": true}}},
                     {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": 2, "End": true}}}],
        "ResultPath": "$.r", "End": true}}});
    let result = run(def, json!({"k": 0}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"k": 0, "r": {"first": 1, "n": 2}}))
    );
}

#[tokio::test(start_paused = true)]
async fn map_results_over_the_payload_limit_fail_the_map() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass",
            "Parameters": {"a.$": "$", "b.$": "$"}, "End": true}}},
        "End": true}}});
    // 150 KB in, each iteration doubles its item: 300 KB out.
    let s = "x".repeat(50_000);
    let result = run(def, json!([s, s, s]), Resources::new()).await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.DataLimitExceeded")
    );
    assert_eq!(
        result.outcome.cause.as_deref(),
        Some("The state/task 'M' returned a result with a size exceeding the maximum number of bytes service limit.")
    );
    assert_eq!(count(&result, EventType::MapIterationSucceeded), 3);
}

/// A distributed Map whose items of 10 or more fail, with `extra` fields.
fn threshold_map(extra: Value) -> Value {
    let mut m = json!({"Type": "Map", "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "C", "States": {
            "C": {"Type": "Choice", "Default": "S",
                  "Choices": [{"Variable": "$", "NumericGreaterThanEquals": 10, "Next": "F"}]},
            "S": {"Type": "Succeed"}, "F": {"Type": "Fail", "Error": "Big"}}}, "End": true});
    if let (Some(m), Value::Object(extra)) = (m.as_object_mut(), extra) {
        m.extend(extra);
    }
    json!({"StartAt": "M", "States": {"M": m}})
}

#[tokio::test(start_paused = true)]
async fn tolerance_edges_zero_items_all_failing_and_both_limits() {
    let cases = [
        // No items: no division by zero.
        (json!({"ToleratedFailurePercentage": 0}), json!([]), None),
        (
            json!({"ToleratedFailurePercentage": 0}),
            json!([1, 2]),
            None,
        ),
        // Every item failing is within 100 %.
        (
            json!({"ToleratedFailurePercentage": 100}),
            json!([10, 11]),
            None,
        ),
        // Without tolerance fields a distributed Map tolerates nothing.
        (
            json!({}),
            json!([10, 1]),
            Some("States.ExceedToleratedFailureThreshold"),
        ),
        // Both limits given: breaching either one fails.
        (
            json!({"ToleratedFailurePercentage": 50, "ToleratedFailureCount": 0}),
            json!([10, 1]),
            Some("States.ExceedToleratedFailureThreshold"),
        ),
        (
            json!({"ToleratedFailurePercentage": 10, "ToleratedFailureCount": 5}),
            json!([10, 1]),
            Some("States.ExceedToleratedFailureThreshold"),
        ),
    ];
    for (extra, items, error) in cases {
        let result = run(
            threshold_map(extra.clone()),
            items.clone(),
            Resources::new(),
        )
        .await;
        assert_eq!(result.outcome.error.as_deref(), error, "{extra} on {items}");
    }
    let all_failed = run(
        threshold_map(json!({"ToleratedFailurePercentage": 100})),
        json!([10, 11]),
        Resources::new(),
    )
    .await;
    assert_eq!(
        all_failed.outcome.output,
        Some(json!([{"Error": "Big", "Cause": null}, {"Error": "Big", "Cause": null}]))
    );
}

#[tokio::test(start_paused = true)]
async fn a_map_catcher_assign_writes_the_branch_scope_only() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [{"StartAt": "M", "States": {
                "M": {"Type": "Map", "Items": [1],
                      "ItemProcessor": {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "cc"}}},
                      "Catch": [{"ErrorEquals": ["E"], "Next": "R",
                                 "Assign": {"caught": "{% $states.errorOutput.Cause %}"}}],
                      "End": true},
                "R": {"Type": "Pass", "Output": "{% $caught %}", "End": true}}}],
              "Next": "Out"},
        "Out": {"Type": "Pass", "End": true,
                "Output": {"r": "{% $states.input %}", "leak": "{% $exists($caught) %}"}}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"r": ["cc"], "leak": false}))
    );
}

#[tokio::test(start_paused = true)]
async fn a_choice_in_an_iteration_compares_with_an_outer_variable() {
    let def = json!({"StartAt": "S", "States": {
        "S": {"Type": "Pass", "Assign": {"lim": 2}, "Next": "M"},
        "M": {"Type": "Map", "ItemProcessor": {"StartAt": "C", "States": {
                "C": {"Type": "Choice", "Default": "Lo",
                      "Choices": [{"Variable": "$", "NumericGreaterThanPath": "$lim", "Next": "Hi"}]},
                "Hi": {"Type": "Pass", "Result": "hi", "End": true},
                "Lo": {"Type": "Pass", "Result": "lo", "End": true}}},
              "End": true}}});
    let result = run(def, json!([1, 2, 3]), Resources::new()).await;
    assert_eq!(result.outcome.output, Some(json!(["lo", "lo", "hi"])));
}

#[tokio::test(start_paused = true)]
async fn map_events_chain_to_the_iteration_that_finished_last() {
    // Item 0 finishes after item 1: the Map's closing events follow item 0's.
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$", "End": true}}},
        "End": true}}});
    let result = run(def, json!([3, 1]), Resources::new()).await;
    let find = |ty: EventType, index: Option<u64>| {
        result
            .history
            .iter()
            .filter(|e| e.event_type == ty)
            .find(|e| index.is_none() || e.details.get("index").and_then(Value::as_u64) == index)
            .map(|e| (e.id, e.previous_event_id))
    };
    let wait_exits: Vec<(u64, u64)> = result
        .history
        .iter()
        .filter(|e| e.event_type == EventType::WaitStateExited)
        .map(|e| (e.id, e.timestamp - START_MS))
        .collect();
    // Item 1's Wait exits at 1 s, item 0's at 3 s.
    let (late_exit, early_exit) = match wait_exits.as_slice() {
        [(a, 1000), (b, 3000)] => (*b, *a),
        other => panic!("unexpected Wait exits {other:?}"),
    };
    let (it1, it1_prev) = find(EventType::MapIterationSucceeded, Some(1)).expect("item 1");
    let (it0, it0_prev) = find(EventType::MapIterationSucceeded, Some(0)).expect("item 0");
    assert_eq!((it1_prev, it0_prev), (early_exit, late_exit));
    assert!(it0 > it1);
    assert_eq!(
        find(EventType::MapStateSucceeded, None).map(|e| e.1),
        Some(it0)
    );
    assert_eq!(
        find(EventType::MapStateExited, None).map(|e| e.1),
        Some(it0)
    );
}

#[tokio::test(start_paused = true)]
async fn a_parallel_retry_cancels_the_running_sibling_before_rerunning_it() {
    let life = Lifecycle::default();
    let mut r = Resources::new();
    life.register(&mut r, FN, 100);
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
            {"StartAt": "T", "States": {"T": task(json!({}))}},
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Next": "F"},
                                        "F": {"Type": "Fail", "Error": "Flaky"}}}],
        "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 1, "IntervalSeconds": 1}], "End": true}}});
    let began = Instant::now();
    let result = run(def, json!({}), r).await;
    // Fails at 1 s, reruns at 2 s, fails again at 3 s.
    assert_eq!(began.elapsed(), Duration::from_secs(3));
    assert_eq!(result.outcome.error.as_deref(), Some("Flaky"));
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(life.started.load(Ordering::SeqCst), 2);
    assert!(life.dropped.load(Ordering::SeqCst));
    assert!(!life.finished.load(Ordering::SeqCst));
    assert_eq!(count(&result, EventType::ParallelStateStarted), 2);
    assert_eq!(
        times_of(&result, EventType::LambdaFunctionScheduled),
        vec![0, 2000]
    );
}

#[tokio::test(start_paused = true)]
async fn an_inline_map_honours_its_tolerance_and_names_a_breach() {
    let inline = |extra: Value| {
        let mut def = threshold_map(extra);
        def["States"]["M"]["ItemProcessor"]
            .as_object_mut()
            .map(|p| p.remove("ProcessorConfig"));
        def
    };
    let cases = [
        // No tolerance fields: the iteration's own error fails the Map.
        (json!({}), Some("Big")),
        // Within the tolerance: the Map succeeds with the error output in the failed slot.
        (json!({"ToleratedFailureCount": 1}), None),
        // Beyond it: the threshold error, as in distributed mode.
        (
            json!({"ToleratedFailureCount": 0}),
            Some("States.ExceedToleratedFailureThreshold"),
        ),
        (
            json!({"ToleratedFailurePercentage": 10}),
            Some("States.ExceedToleratedFailureThreshold"),
        ),
    ];
    for (extra, error) in cases {
        let result = run(inline(extra.clone()), json!([10, 1]), Resources::new()).await;
        assert_eq!(result.outcome.error.as_deref(), error, "{extra}");
        if error.is_none() {
            assert_eq!(
                result.outcome.output,
                Some(json!([{"Error": "Big", "Cause": null}, 1]))
            );
        }
        assert_eq!(
            count(&result, EventType::MapRunFailed),
            0,
            "{extra}: inline has no Map Run"
        );
    }
}
