//! Task timeouts and heartbeats, `.waitForTaskToken`, execution timeout, StopExecution.

mod common;

use std::time::Duration;

use common::{engine, machine, run};
use serde_json::json;
use sfn_runtime::history::EventType;
use sfn_runtime::{ExecutionConfig, Resources, Status};
use tokio::sync::mpsc;

const SLOW: &str = "arn:aws:lambda:us-east-1:123456789012:function:slow";

fn slow(secs: u64) -> Resources {
    let mut r = Resources::new();
    r.register(SLOW, move |_| async move {
        tokio::time::sleep(Duration::from_secs(secs)).await;
        Ok(json!("done"))
    });
    r
}

#[tokio::test(start_paused = true)]
async fn task_timeout_is_states_timeout() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": SLOW, "TimeoutSeconds": 2,
              "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Caught"}], "End": true},
        "Caught": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({}), slow(10)).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"Error": "States.Timeout", "Cause": ""}))
    );
    let timed_out = result
        .history
        .iter()
        .find(|e| e.event_type == EventType::LambdaFunctionTimedOut)
        .expect("timed out");
    assert_eq!(timed_out.timestamp - common::START_MS, 2000);
}

#[tokio::test(start_paused = true)]
async fn timeout_seconds_path_is_read_from_the_input() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": SLOW, "TimeoutSecondsPath": "$.t", "End": true}}});
    let result = run(def, json!({"t": 1}), slow(5)).await;
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
    assert_eq!(result.outcome.cause, None);
}

#[tokio::test(start_paused = true)]
async fn a_task_within_its_timeout_succeeds() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": SLOW, "TimeoutSeconds": 20, "End": true}}});
    let result = run(def, json!({}), slow(5)).await;
    assert_eq!(result.outcome.output, Some(json!("done")));
}

/// A callback resource that hands its token to the test.
fn callback() -> (Resources, mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut r = Resources::new();
    r.register(
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        move |req| {
            let tx = tx.clone();
            async move {
                let token = req
                    .input
                    .get("token")
                    .and_then(|t| t.as_str())
                    .unwrap_or_default()
                    .to_owned();
                let _ = tx.send(token);
                Ok(json!({"MessageId": "m-1"}))
            }
        },
    );
    (r, rx)
}

fn callback_machine(heartbeat: Option<u64>) -> serde_json::Value {
    let mut task = json!({"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "token.$": "$$.Task.Token"}, "End": true});
    if let Some(h) = heartbeat {
        task["HeartbeatSeconds"] = json!(h);
        task["TimeoutSeconds"] = json!(600);
    }
    json!({"StartAt": "Wait", "States": {"Wait": task}})
}

#[tokio::test(start_paused = true)]
async fn wait_for_task_token_completes_through_send_task_success() {
    let (r, mut tokens) = callback();
    let engine = engine(r);
    let handle = engine.start_execution(
        machine(callback_machine(None)),
        json!({}),
        ExecutionConfig::new("m", "cb"),
    );
    let token = tokens.recv().await.expect("token");
    assert_eq!(token.len(), 36);
    tokio::time::sleep(Duration::from_secs(3600)).await;
    engine
        .send_task_success(&token, json!({"approved": true}))
        .await
        .expect("token known");
    let result = handle.result().await.expect("result");
    assert_eq!(result.outcome.output, Some(json!({"approved": true})));
    let types: Vec<EventType> = result.history.iter().map(|e| e.event_type).collect();
    assert!(types.contains(&EventType::TaskSubmitted));
    assert!(
        engine.send_task_success(&token, json!(1)).await.is_err(),
        "a used token is gone"
    );
}

#[tokio::test(start_paused = true)]
async fn send_task_failure_without_error_is_still_caught_by_all() {
    let (r, mut tokens) = callback();
    let engine = engine(r);
    let mut def = callback_machine(None);
    def["States"]["Wait"]["Catch"] = json!([{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]);
    def["States"]["Caught"] = json!({"Type": "Pass", "End": true});
    let handle = engine.start_execution(machine(def), json!({}), ExecutionConfig::new("m", "cb"));
    let token = tokens.recv().await.expect("token");
    engine
        .send_task_failure(&token, None, None)
        .await
        .expect("token known");
    let result = handle.result().await.expect("result");
    assert_eq!(
        result.outcome.output,
        Some(json!({"Error": null, "Cause": null}))
    );
}

#[tokio::test(start_paused = true)]
async fn missed_heartbeat_times_out() {
    let (r, mut tokens) = callback();
    let engine = engine(r);
    let handle = engine.start_execution(
        machine(callback_machine(Some(5))),
        json!({}),
        ExecutionConfig::new("m", "hb"),
    );
    let _token = tokens.recv().await.expect("token");
    let result = handle.result().await.expect("result");
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
    let timed_out = result
        .history
        .iter()
        .find(|e| e.event_type == EventType::TaskTimedOut)
        .expect("timed out");
    assert_eq!(timed_out.timestamp - common::START_MS, 5000);
}

#[tokio::test(start_paused = true)]
async fn heartbeats_keep_a_task_alive() {
    let (r, mut tokens) = callback();
    let engine = engine(r);
    let handle = engine.start_execution(
        machine(callback_machine(Some(5))),
        json!({}),
        ExecutionConfig::new("m", "hb"),
    );
    let token = tokens.recv().await.expect("token");
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_secs(3)).await;
        engine.send_task_heartbeat(&token).await.expect("alive");
    }
    engine
        .send_task_success(&token, json!("ok"))
        .await
        .expect("alive");
    let result = handle.result().await.expect("result");
    assert_eq!(result.outcome.output, Some(json!("ok")));
}

#[tokio::test(start_paused = true)]
async fn execution_timeout_ends_timed_out() {
    let def = json!({"TimeoutSeconds": 30, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(result.outcome.status, Status::TimedOut);
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
    assert_eq!(
        result.history.last().map(|e| e.event_type),
        Some(EventType::ExecutionTimedOut)
    );
}

#[tokio::test(start_paused = true)]
async fn stop_execution_aborts() {
    let def =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}});
    let engine = engine(Resources::new());
    let handle = engine.start_execution(machine(def), json!({}), ExecutionConfig::new("m", "stop"));
    tokio::time::sleep(Duration::from_secs(10)).await;
    // A running execution can be observed through its handle.
    assert_eq!(handle.status(), Status::Running);
    let so_far: Vec<EventType> = handle.history().iter().map(|e| e.event_type).collect();
    assert_eq!(
        so_far,
        vec![EventType::ExecutionStarted, EventType::WaitStateEntered]
    );
    handle.stop(Some("Stopped".into()), None).expect("running");
    let result = handle.result().await.expect("result");
    assert_eq!(result.outcome.status, Status::Aborted);
    let last = result.history.last().expect("events");
    assert_eq!(
        (last.event_type, last.previous_event_id),
        (EventType::ExecutionAborted, 0)
    );
}
