//! Map and Parallel: concurrency bounds, item inputs, result order, failure, tolerance.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{count, run};
use serde_json::{json, Value};
use sfn_runtime::history::EventType;
use sfn_runtime::{Resources, Status, TaskError};

const WORK: &str = "arn:aws:lambda:us-east-1:123456789012:function:work";

/// A function sleeping `input.secs`, tracking the highest number of concurrent calls.
fn tracked() -> (Resources, Arc<AtomicUsize>) {
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (r2, p2) = (running.clone(), peak.clone());
    let mut r = Resources::new();
    r.register(WORK, move |req| {
        let (running, peak) = (r2.clone(), p2.clone());
        async move {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            let secs = req.input.get("secs").and_then(Value::as_u64).unwrap_or(1);
            tokio::time::sleep(Duration::from_secs(secs)).await;
            running.fetch_sub(1, Ordering::SeqCst);
            if req.input.get("fail").is_some() {
                return Err(TaskError::new("ItemFailed", format!("item {}", req.input)));
            }
            Ok(json!(req.input.get("id").cloned().unwrap_or(Value::Null)))
        }
    });
    (r, peak)
}

fn map_machine(max_concurrency: u64) -> Value {
    json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": max_concurrency,
        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": WORK, "End": true}}},
        "End": true}}})
}

fn items(n: u64) -> Value {
    json!({"items": (0..n).map(|i| json!({"id": i, "secs": 5 - i % 5})).collect::<Vec<_>>()})
}

#[tokio::test(start_paused = true)]
async fn max_concurrency_bounds_running_iterations() {
    let (r, peak) = tracked();
    let result = run(map_machine(2), items(7), r).await;
    assert_eq!(result.outcome.output, Some(json!([0, 1, 2, 3, 4, 5, 6])));
    assert_eq!(peak.load(Ordering::SeqCst), 2);
    assert_eq!(count(&result, EventType::MapIterationSucceeded), 7);
}

#[tokio::test(start_paused = true)]
async fn unbounded_map_runs_every_item_at_once() {
    let (r, peak) = tracked();
    let result = run(map_machine(0), items(6), r).await;
    assert_eq!(result.outcome.output, Some(json!([0, 1, 2, 3, 4, 5])));
    assert_eq!(peak.load(Ordering::SeqCst), 6);
}

#[tokio::test(start_paused = true)]
async fn unbounded_inline_map_runs_at_most_forty_at_once() {
    let (r, peak) = tracked();
    let result = run(map_machine(0), items(50), r).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    assert_eq!(peak.load(Ordering::SeqCst), 40);
}

#[tokio::test(start_paused = true)]
async fn item_selector_sees_the_map_item_context() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.xs",
        "ItemSelector": {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value", "tag.$": "$.tag"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}});
    let result = run(def, json!({"xs": ["a", "b"], "tag": "t"}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(
            json!([{"index": 0, "value": "a", "tag": "t"}, {"index": 1, "value": "b", "tag": "t"}])
        )
    );
}

#[tokio::test(start_paused = true)]
async fn failing_iteration_fails_the_map_and_is_caught() {
    let (r, _) = tracked();
    let def = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1,
              "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": WORK, "End": true}}},
              "Catch": [{"ErrorEquals": ["ItemFailed"], "ResultPath": "$.error", "Next": "Done"}], "End": true},
        "Done": {"Type": "Pass", "End": true}}});
    let input = json!({"items": [{"id": 0}, {"id": 1, "fail": true}, {"id": 2}]});
    let result = run(def, input, r).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    assert_eq!(
        result
            .outcome
            .output
            .as_ref()
            .map(|o| o["error"]["Error"].clone()),
        Some(json!("ItemFailed"))
    );
    // Item 2 never started.
    assert_eq!(count(&result, EventType::MapIterationStarted), 2);
    assert_eq!(count(&result, EventType::MapStateFailed), 1);
}

#[tokio::test(start_paused = true)]
async fn tolerated_failures_let_the_map_succeed() {
    let (r, _) = tracked();
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "ToleratedFailureCount": 1,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "W", "States": {"W": {"Type": "Task", "Resource": WORK, "End": true}}},
        "End": true}}});
    let input = json!({"items": [{"id": 0}, {"id": 1, "fail": true}]});
    let result = run(def.clone(), input, r).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    let (r, _) = tracked();
    let input = json!({"items": [{"id": 0, "fail": true}, {"id": 1, "fail": true}]});
    let result = run(def, input, r).await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
}

#[tokio::test(start_paused = true)]
async fn parallel_results_follow_branch_order() {
    let (r, peak) = tracked();
    let branch = |id: u64, secs: u64| {
        let name = format!("W{id}");
        json!({"StartAt": name, "States": {name.clone(): {"Type": "Task", "Resource": WORK,
            "Parameters": {"id": id, "secs": secs}, "End": true}}})
    };
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel",
        "Branches": [branch(0, 9), branch(1, 1), branch(2, 5)], "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(result.outcome.output, Some(json!([0, 1, 2])));
    assert_eq!(peak.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn first_branch_failure_cancels_the_others() {
    let (r, _) = tracked();
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
        {"StartAt": "Slow", "States": {"Slow": {"Type": "Task", "Resource": WORK, "Parameters": {"secs": 100}, "End": true}}},
        {"StartAt": "Bad", "States": {"Bad": {"Type": "Task", "Resource": WORK, "Parameters": {"secs": 1, "fail": true}, "End": true}}}
    ], "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(result.outcome.error.as_deref(), Some("ItemFailed"));
    let failed_at = result
        .history
        .last()
        .map(|e| e.timestamp - common::START_MS);
    assert_eq!(failed_at, Some(1000), "the slow branch was not awaited");
    // The failed task and the cancelled one are both marked aborted.
    assert_eq!(count(&result, EventType::TaskStateAborted), 2);
    assert_eq!(count(&result, EventType::ParallelStateFailed), 1);
}

#[tokio::test(start_paused = true)]
async fn iterations_read_outer_variables_but_keep_their_own() {
    let def = json!({"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"factor": 10}, "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.xs", "ItemProcessor": {"StartAt": "Inner", "States": {
            "Inner": {"Type": "Pass", "Assign": {"mine.$": "$"}, "Next": "Use"},
            "Use": {"Type": "Pass", "Parameters": {"f.$": "$factor", "mine.$": "$mine"}, "End": true}}},
            "Next": "After"},
        "After": {"Type": "Pass", "Parameters": {"factor.$": "$factor", "out.$": "$"}, "End": true}}});
    let result = run(def, json!({"xs": [1, 2]}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"factor": 10, "out": [{"f": 10, "mine": 1}, {"f": 10, "mine": 2}]}))
    );
}

#[tokio::test(start_paused = true)]
async fn empty_map_returns_an_empty_array() {
    let result = run(map_machine(0), json!({"items": []}), Resources::new()).await;
    assert_eq!(result.outcome.output, Some(json!([])));
    assert_eq!(count(&result, EventType::MapStateSucceeded), 1);
}

#[tokio::test(start_paused = true)]
async fn item_batcher_groups_items_with_the_batch_input() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.xs",
        "ItemSelector": {"v.$": "$$.Map.Item.Value"},
        "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"tag.$": "$.tag"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true}}});
    let result = run(def, json!({"xs": [1, 2, 3], "tag": "t"}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!([
            {"Items": [{"v": 1}, {"v": 2}], "BatchInput": {"tag": "t"}},
            {"Items": [{"v": 3}], "BatchInput": {"tag": "t"}}
        ]))
    );
}

/// `$$.Map` exists only while an item's `ItemSelector` is evaluated: when one fails and the
/// Map's Catcher moves on, the next state's context object holds no `Map`.
#[tokio::test(start_paused = true)]
async fn a_caught_item_selector_failure_leaves_no_map_in_the_context() {
    let machine = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemsPath": "$.items",
            "ItemSelector": {"v.$": "States.StringToJson($$.Map.Item.Value)"},
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "After"}],
            "End": true},
        "After": {"Type": "Pass", "Parameters": {"ctx.$": "$$", "error.$": "$.error.Error"}, "End": true}
    }});
    let result = run(
        machine,
        json!({"items": ["1", "{not json"]}),
        Resources::new(),
    )
    .await;
    assert_eq!(
        result.outcome.status,
        Status::Succeeded,
        "{:?}",
        result.outcome
    );
    let out = result.outcome.output.expect("output");
    assert_eq!(out["error"], "States.IntrinsicFailure", "{out}");
    let ctx = out["ctx"].as_object().expect("the context object");
    assert!(!ctx.contains_key("Map"), "{out}");
    assert_eq!(out["ctx"]["State"]["Name"], "After", "{out}");
    assert!(
        ctx.contains_key("Execution") && ctx.contains_key("StateMachine"),
        "{out}"
    );
}

/// The same in a Catcher: its `Output` reads `$states.context` right after the failed
/// `ItemSelector`, and `Map` is gone from it already.
#[tokio::test(start_paused = true)]
async fn a_catcher_of_a_failed_item_selector_sees_no_map_in_the_context() {
    let machine = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {
        "M": {"Type": "Map", "Items": "{% $states.input.items %}",
            "ItemSelector": {"v": "{% $parse($states.context.Map.Item.Value) %}"},
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "Catch": [{"ErrorEquals": ["States.ALL"],
                "Output": {"ctx": "{% $states.context %}", "error": "{% $states.errorOutput.Error %}"},
                "Next": "After"}],
            "End": true},
        "After": {"Type": "Pass", "End": true}
    }});
    let result = run(
        machine,
        json!({"items": ["1", "{not json"]}),
        Resources::new(),
    )
    .await;
    assert_eq!(
        result.outcome.status,
        Status::Succeeded,
        "{:?}",
        result.outcome
    );
    let out = result.outcome.output.expect("output");
    let ctx = out["ctx"].as_object().expect("the context object");
    assert!(!ctx.contains_key("Map"), "{out}");
    assert_eq!(out["ctx"]["State"]["Name"], "M", "{out}");
}
