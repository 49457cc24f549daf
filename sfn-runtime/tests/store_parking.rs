//! Waiting costs nothing: a persisted execution that only waits (a Wait, a retry back-off, a
//! `.waitForTaskToken` task) leaves memory, its timers and tokens stay in the store, and it
//! comes back when a timer is due, its token is answered or it is stopped, in this process or in
//! one opened on the file later. The clock is the real one (see `store_recovery.rs`); waits are
//! short and every poll has a bound.

#[path = "store_support/mod.rs"]
mod store_support;

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use sfn_runtime::store::{Durability, HistoryQuery};
use sfn_runtime::{Engine, EngineError, Resources, Status, TaskError};
use store_support::{temp_dir, until};
use tokio::sync::mpsc;

const FLAKY: &str = "arn:aws:lambda:us-east-1:123456789012:function:flaky";
const CALLBACK: &str = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";

/// A Wait, a task failing once and retried after a back-off, then a callback task.
fn definition(wait_seconds: u64) -> String {
    json!({"StartAt": "Wait", "States": {
        "Wait": {"Type": "Wait", "Seconds": wait_seconds, "Next": "Flaky"},
        "Flaky": {"Type": "Task", "Resource": FLAKY, "ResultPath": "$.flaky", "Next": "Ask",
            "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 2}]},
        "Ask": {"Type": "Task", "Resource": CALLBACK, "Parameters": {"token.$": "$$.Task.Token"},
            "TimeoutSeconds": 3600, "ResultPath": "$.answer", "End": true}}})
    .to_string()
}

/// `FLAKY` fails on the first attempt of each execution; `CALLBACK` hands its token (with the
/// execution's ARN) to the test.
fn resources(tokens: mpsc::UnboundedSender<(String, String)>) -> Resources {
    let mut r = Resources::new();
    let failed = Arc::new(Mutex::new(HashSet::new()));
    r.register(FLAKY, move |req| {
        let first = failed
            .lock()
            .expect("not poisoned")
            .insert(req.execution_arn.clone());
        async move {
            if first {
                return Err(TaskError::new("Flaky", "first attempt"));
            }
            Ok(json!("steady"))
        }
    });
    r.register(CALLBACK, move |req| {
        let arn = req.execution_arn.clone();
        let _ = tokens.send((arn, req.token.clone().unwrap_or_default()));
        async { Ok::<_, TaskError>(json!({"MessageId": "m-1"})) }
    });
    r
}

type Tokens = mpsc::UnboundedReceiver<(String, String)>;

async fn open(path: &Path, park_after: Option<Duration>) -> (Engine, Tokens, usize) {
    let (tx, rx) = mpsc::unbounded_channel();
    let store = sfn_runtime::store::sqlite::SqliteStore::open(path, Durability::Process)
        .expect("the store opens");
    let engine = Engine::new(resources(tx))
        .with_park_after(park_after)
        .with_store(store);
    let resumed = engine.recover().await.expect("recovers");
    (engine, rx, resumed.len())
}

/// `what` within 30 s.
async fn within<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(30), f).await {
        Ok(v) => v,
        Err(_) => panic!("not within 30 s: {what}"),
    }
}

async fn status(engine: &Engine, arn: &str) -> Status {
    let record = engine.describe_execution(arn).await.expect("readable");
    record.expect("stored").status
}

/// The stored history's event types.
async fn types(engine: &Engine, arn: &str) -> Vec<String> {
    let page = engine
        .get_execution_history(arn, HistoryQuery::default())
        .await
        .expect("readable");
    let ty = |e: &Value| e["type"].as_str().unwrap_or_default().to_owned();
    page.items.iter().map(ty).collect()
}

/// Starts `n` executions; returns their ARNs.
async fn start(engine: &Engine, machine: &str, n: usize) -> Vec<String> {
    let mut arns = Vec::with_capacity(n);
    for i in 0..n {
        let started = engine
            .start_standard_execution(machine, &format!("run-{i}"), json!({"i": i}))
            .await
            .expect("starts");
        arns.push(started.execution_arn);
    }
    arns
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_executions_leave_memory_and_come_back_for_timers_and_tokens() {
    let dir = temp_dir("parking", "wake");
    let path = dir.join("store.db");
    let (engine, mut tokens, _) = open(&path, Some(Duration::from_millis(200))).await;
    let machine = engine
        .create_state_machine("parked", &definition(2))
        .await
        .expect("valid");
    let arns = start(&engine, &machine, 20).await;
    // In the Wait: all of them leave memory.
    until("every execution parked in its Wait", async || {
        engine.executions_in_memory() == 0
    })
    .await;
    for arn in &arns {
        assert_eq!(status(&engine, arn).await, Status::Running);
    }
    // The scheduler wakes each for its Wait, then for its retry, then it parks on its token.
    let mut waiting = Vec::new();
    for _ in &arns {
        waiting.push(
            within("a token", tokens.recv())
                .await
                .expect("each reaches its callback task"),
        );
    }
    until("every execution parked on its token", async || {
        engine.executions_in_memory() == 0
    })
    .await;
    for (arn, token) in &waiting {
        engine
            .send_task_success(token, json!({"approved": true}))
            .await
            .unwrap_or_else(|e| panic!("{arn} takes its token: {e}"));
        // Answered: a second answer is told the task is over.
        assert!(matches!(
            engine.send_task_success(token, json!(1)).await,
            Err(EngineError::TaskTimedOut(_))
        ));
    }
    let reference = run_in_memory(&definition(2)).await;
    for arn in &arns {
        until("each execution ends", async || {
            status(&engine, arn).await != Status::Running
        })
        .await;
        assert_eq!(status(&engine, arn).await, Status::Succeeded);
        assert_eq!(types(&engine, arn).await, reference, "{arn}");
    }
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The history's event types of the same execution on an engine that never parks.
async fn run_in_memory(definition: &str) -> Vec<String> {
    let dir = temp_dir("parking", "reference");
    let (engine, mut tokens, _) = open(&dir.join("store.db"), None).await;
    let machine = engine
        .create_state_machine("parked", definition)
        .await
        .expect("valid");
    let arn = start(&engine, &machine, 1).await.remove(0);
    let (_, token) = within("a token", tokens.recv())
        .await
        .expect("the callback runs");
    // Answered once submitted, as the parked executions are.
    until("the reference's task is submitted", async || {
        types(&engine, &arn)
            .await
            .iter()
            .any(|t| t == "TaskSubmitted")
    })
    .await;
    assert_eq!(engine.executions_in_memory(), 1, "it never leaves memory");
    engine
        .send_task_success(&token, json!({"approved": true}))
        .await
        .expect("answered");
    until("the reference ends", async || {
        status(&engine, &arn).await != Status::Running
    })
    .await;
    let history = types(&engine, &arn).await;
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
    history
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_engine_loads_nothing_that_waits_and_wakes_it_when_needed() {
    let dir = temp_dir("parking", "restart");
    let path = dir.join("store.db");
    let (engine, mut tokens, _) = open(&path, Some(Duration::from_millis(200))).await;
    let machine = engine
        .create_state_machine("parked", &definition(0))
        .await
        .expect("valid");
    let arns = start(&engine, &machine, 10).await;
    let mut waiting = Vec::new();
    for _ in &arns {
        waiting.push(
            within("a token", tokens.recv())
                .await
                .expect("each reaches its callback task"),
        );
    }
    until("every execution parked on its token", async || {
        engine.executions_in_memory() == 0
    })
    .await;
    engine.halt();
    drop(engine);
    let (engine, _tokens, resumed) = open(&path, Some(Duration::from_millis(200))).await;
    assert_eq!(resumed, 0, "parked executions stay in the store");
    assert_eq!(engine.executions_in_memory(), 0);
    // Tokens issued before the restart reach their executions, which the engine brings back.
    let (first, rest) = waiting.split_first().expect("ten");
    engine
        .send_task_failure(&first.1, Some("Rejected".into()), Some("no".into()))
        .await
        .expect("the token works after the restart");
    until("the rejected execution ends", async || {
        status(&engine, &first.0).await != Status::Running
    })
    .await;
    assert_eq!(status(&engine, &first.0).await, Status::Failed);
    // A stop reaches a parked execution too.
    let (stopped, rest) = rest.split_first().expect("nine");
    engine
        .stop_execution(&stopped.0, Some("Stop".into()), Some("by the test".into()))
        .await
        .expect("stops");
    until("the stopped execution ends", async || {
        status(&engine, &stopped.0).await != Status::Running
    })
    .await;
    assert_eq!(status(&engine, &stopped.0).await, Status::Aborted);
    assert!(matches!(
        engine.send_task_success(&stopped.1, json!(1)).await,
        Err(EngineError::TaskTimedOut(_))
    ));
    for (arn, token) in rest {
        engine
            .send_task_success(token, json!({"approved": true}))
            .await
            .expect("answered");
        until("each execution ends", async || {
            status(&engine, arn).await != Status::Running
        })
        .await;
        assert_eq!(status(&engine, arn).await, Status::Succeeded);
    }
    assert_eq!(engine.executions_in_memory(), 0);
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handle_sees_the_end_of_an_execution_that_left_memory() {
    let dir = temp_dir("parking", "handle");
    let (engine, mut tokens, _) = open(&dir.join("store.db"), Some(Duration::ZERO)).await;
    let machine = engine
        .create_state_machine("parked", &definition(1))
        .await
        .expect("valid");
    let started = engine
        .start_standard_execution(&machine, "watched", json!({"i": 0}))
        .await
        .expect("starts");
    let handle = started.handle.expect("a new execution");
    let (_, token) = within("a token", tokens.recv())
        .await
        .expect("the callback runs");
    until("the execution parked on its token", async || {
        engine.executions_in_memory() == 0
    })
    .await;
    assert_eq!(handle.status(), Status::Running);
    engine
        .send_task_success(&token, json!({"approved": true}))
        .await
        .expect("answered");
    let result = within("the end", handle.result())
        .await
        .expect("the handle sees the end");
    assert_eq!(result.outcome.status, Status::Succeeded);
    assert_eq!(
        result.outcome.output.as_ref().map(|o| o["answer"].clone()),
        Some(json!({"approved": true}))
    );
    // Its history runs across every time it left memory and came back.
    let from_handle: Vec<String> = result
        .history
        .iter()
        .map(|e| {
            e.to_aws_json()["type"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(from_handle, types(&engine, &started.execution_arn).await);
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}
