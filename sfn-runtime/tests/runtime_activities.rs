//! Activities: workers poll for tasks and answer by token.

mod common;

use std::time::Duration;

use common::{engine, machine, run};
use serde_json::json;
use sfn_runtime::history::EventType;
use sfn_runtime::{ExecutionConfig, Resources, Status};

const ARN: &str = "arn:aws:states:us-east-1:123456789012:activity:review";

fn activity_machine(extra: serde_json::Value) -> serde_json::Value {
    let mut task = json!({"Type": "Task", "Resource": ARN, "End": true});
    if let (Some(t), Some(e)) = (task.as_object_mut(), extra.as_object()) {
        t.extend(e.clone());
    }
    json!({"StartAt": "Review", "States": {"Review": task}})
}

#[tokio::test(start_paused = true)]
async fn a_worker_polls_and_answers() {
    let engine = engine(Resources::new());
    engine.create_activity(ARN);
    let handle = engine.start_execution(
        machine(activity_machine(json!({}))),
        json!({"doc": 1}),
        ExecutionConfig::new("m", "act"),
    );
    let task = engine
        .get_activity_task(ARN)
        .await
        .expect("a task within the long poll");
    assert_eq!(task.input, json!({"doc": 1}));
    engine
        .send_task_success(&task.token, json!({"ok": true}))
        .await
        .expect("known token");
    let result = handle.result().await.expect("result");
    assert_eq!(result.outcome.output, Some(json!({"ok": true})));
    let types: Vec<EventType> = result.history.iter().map(|e| e.event_type).collect();
    assert!(types.contains(&EventType::ActivityScheduled));
    assert!(types.contains(&EventType::ActivitySucceeded));
}

#[tokio::test(start_paused = true)]
async fn an_empty_poll_returns_nothing_after_a_minute() {
    let engine = engine(Resources::new());
    engine.create_activity(ARN);
    let start = tokio::time::Instant::now();
    assert!(engine.get_activity_task(ARN).await.is_none());
    assert_eq!(start.elapsed(), Duration::from_secs(60));
}

#[tokio::test(start_paused = true)]
async fn a_missing_activity_is_a_runtime_error() {
    let result = run(activity_machine(json!({})), json!({}), Resources::new()).await;
    assert_eq!(result.outcome.status, Status::Failed);
    assert_eq!(result.outcome.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        result.outcome.cause,
        Some(format!("The activity {ARN} does not exist."))
    );
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_activity_times_out_and_leaves_the_queue() {
    let engine = engine(Resources::new());
    engine.create_activity(ARN);
    let def = activity_machine(json!({"TimeoutSeconds": 30}));
    let result = engine
        .start_sync_execution(machine(def), json!({}), ExecutionConfig::new("m", "t"))
        .await;
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
    assert!(result
        .history
        .iter()
        .any(|e| e.event_type == EventType::ActivityTimedOut));
    assert!(
        engine.try_get_activity_task(ARN).is_none(),
        "the timed-out task was withdrawn"
    );
}

#[tokio::test(start_paused = true)]
async fn a_registered_handler_serves_an_activity_directly() {
    let mut r = Resources::new();
    r.register(ARN, |req| async move { Ok(json!({"echo": req.input})) });
    let result = run(activity_machine(json!({})), json!(5), r).await;
    assert_eq!(result.outcome.output, Some(json!({"echo": 5})));
}
