//! Durable Standard executions on a SQLite file: every transition is persisted before its
//! commands take effect, and an engine opened again on the file resumes every running execution
//! from its journal. An engine "crashes" with [`Engine::halt`] (its drivers stop where they are,
//! nothing more is committed) and is dropped; a new engine on the same file carries on.
//!
//! The clock is the real one (the store commits on a thread of its own, and a paused tokio clock
//! would jump ahead while a driver waits for a commit), so histories are compared without their
//! `timestamp` fields.

#[path = "store_support/mod.rs"]
mod store_support;

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};
use sfn_runtime::store::{Durability, ExecutionQuery, HistoryQuery};
use sfn_runtime::{Engine, EngineError, Resources, Status, TaskError};
use store_support::temp_dir;
use tokio::sync::mpsc;

const OK: &str = "arn:aws:lambda:us-east-1:123456789012:function:ok";
const CALLBACK: &str = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";

/// A task, a 1 s Wait, a callback task and a last task.
fn definition() -> String {
    json!({"StartAt": "Ok", "States": {
        "Ok": {"Type": "Task", "Resource": OK, "ResultPath": "$.ok", "Next": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 1, "Next": "Ask"},
        "Ask": {"Type": "Task", "Resource": CALLBACK, "Parameters": {"token.$": "$$.Task.Token"},
            "TimeoutSeconds": 3600, "ResultPath": "$.answer", "Next": "Last"},
        "Last": {"Type": "Task", "Resource": OK, "End": true}}})
    .to_string()
}

/// Handlers: `OK` echoes its input; `CALLBACK` hands its token to the test.
fn resources(tokens: mpsc::UnboundedSender<String>) -> Resources {
    let mut r = Resources::new();
    r.register(OK, |req| async move {
        Ok::<_, TaskError>(json!({"echo": req.input}))
    });
    r.register(CALLBACK, move |req| {
        let _ = tokens.send(req.token.clone().unwrap_or_default());
        async { Ok::<_, TaskError>(json!({"MessageId": "m-1"})) }
    });
    r
}

async fn open(path: &Path) -> (Engine, mpsc::UnboundedReceiver<String>, usize) {
    let (tx, rx) = mpsc::unbounded_channel();
    let (engine, resumed) = Engine::open_durable(path, resources(tx), Durability::Full)
        .await
        .expect("the store opens");
    (engine, rx, resumed.len())
}

/// The stored history without timestamps, and the stored output.
async fn stored(engine: &Engine, arn: &str) -> (Status, Option<Value>, Vec<Value>) {
    let record = engine
        .describe_execution(arn)
        .await
        .expect("readable")
        .expect("stored");
    let page = engine
        .get_execution_history(arn, HistoryQuery::default())
        .await
        .expect("readable");
    let history = page
        .items
        .into_iter()
        .map(|mut e| {
            if let Value::Object(map) = &mut e {
                map.remove("timestamp");
            }
            e
        })
        .collect();
    let output = record
        .output
        .map(|o| serde_json::from_str(&o).expect("JSON"));
    (record.status, output, history)
}

/// Waits until the stored history has an event of type `ty`.
async fn until_stored(engine: &Engine, arn: &str, ty: &str) {
    for _ in 0..2000 {
        let page = engine
            .get_execution_history(arn, HistoryQuery::default())
            .await
            .expect("readable");
        if page.items.iter().any(|e| e["type"] == ty) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{arn} never recorded {ty}");
}

/// Runs the machine on a fresh file; with `crash_after`, halts the engine once that event is
/// stored and resumes on a new engine. Answers the callback with the token it was issued.
async fn run(tag: &str, crash_after: Option<&str>) -> (Status, Option<Value>, Vec<Value>) {
    let dir = temp_dir("recovery", tag);
    let path = dir.join("store.db");
    let (mut engine, mut tokens, resumed) = open(&path).await;
    assert_eq!(resumed, 0, "a new file holds nothing to resume");
    let arn = engine
        .create_state_machine("approval", &definition())
        .await
        .expect("a valid machine");
    let started = engine
        .start_standard_execution(&arn, "run-1", json!({"order": 7}))
        .await
        .expect("starts");
    let exec = started.execution_arn;
    let mut handle = started.handle;
    let mut answered = false;
    if let Some(ty) = crash_after {
        until_stored(&engine, &exec, ty).await;
        engine.halt();
        drop((engine, handle));
        let (new_engine, new_tokens, resumed) = open(&path).await;
        // Back in memory, or (waiting only for its token, if it had left memory before the
        // crash) left in the store until the token is answered.
        let may_wait_in_store = ty == "TaskSubmitted";
        assert!(
            resumed == 1 || (may_wait_in_store && resumed == 0),
            "{resumed} after {ty}"
        );
        assert_eq!(new_engine.executions_in_memory(), resumed);
        assert_eq!(status_of(&new_engine, &exec).await, Status::Running);
        // A token issued before the restart answers its task on the new engine.
        let mut old = std::mem::replace(&mut tokens, new_tokens);
        if let Ok(token) = old.try_recv() {
            answer(&new_engine, &token).await;
            answered = true;
        }
        engine = new_engine;
        handle = None;
    }
    if !answered {
        let token = tokens.recv().await.expect("the callback task runs");
        answer(&engine, &token).await;
    }
    if let Some(h) = handle {
        h.result().await.expect("ends");
    }
    until_done(&engine, &exec).await;
    let result = stored(&engine, &exec).await;
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn status_of(engine: &Engine, arn: &str) -> Status {
    let record = engine.describe_execution(arn).await.expect("readable");
    record.expect("stored").status
}

async fn answer(engine: &Engine, token: &str) {
    engine
        .send_task_success(token, json!("approved"))
        .await
        .unwrap_or_else(|e| panic!("the task waits for its token {token}: {e}"));
}

async fn until_done(engine: &Engine, arn: &str) {
    for _ in 0..2000 {
        let record = engine.describe_execution(arn).await.expect("readable");
        if record.is_some_and(|r| r.status != Status::Running) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{arn} never ended");
}

#[tokio::test]
async fn an_execution_resumed_after_a_crash_ends_as_an_uninterrupted_one() {
    let reference = run("reference", None).await;
    assert_eq!(reference.0, Status::Succeeded, "{reference:?}");
    let output = reference.1.clone().expect("an output");
    assert_eq!(output["echo"]["answer"], json!("approved"), "{output}");
    // Crash during the Wait, and while the callback task waits for its token.
    for ty in ["WaitStateEntered", "TaskSubmitted"] {
        let resumed = run(ty, Some(ty)).await;
        assert_eq!(resumed, reference, "crash after {ty}");
    }
}

/// `StartExecution`'s rules on the store: names, an existing name, an unknown machine; and
/// `SendTask*`'s errors for a malformed or unknown token.
#[tokio::test]
async fn start_execution_follows_step_functions_rules() {
    let dir = temp_dir("recovery", "rules");
    let (engine, mut tokens, _) = open(&dir.join("store.db")).await;
    let arn = engine
        .create_state_machine("approval", &definition())
        .await
        .expect("a valid machine");
    for bad in ["", "two words", "a*b", "tab\there", "a/b", &"x".repeat(81)] {
        let err = engine
            .start_standard_execution(&arn, bad, json!({}))
            .await
            .expect_err("an invalid name");
        assert!(
            matches!(err, EngineError::InvalidName { .. }),
            "{bad:?}: {err}"
        );
    }
    let first = engine
        .start_standard_execution(&arn, "order-1", json!({"n": 1}))
        .await
        .expect("starts");
    assert!(first.handle.is_some());
    // The same name and input while it runs: the same execution, not a second one.
    let again = engine
        .start_standard_execution(&arn, "order-1", json!({"n": 1}))
        .await
        .expect("the running execution");
    assert_eq!(again.execution_arn, first.execution_arn);
    assert!(again.handle.is_none(), "no second execution");
    let err = engine
        .start_standard_execution(&arn, "order-1", json!({"n": 2}))
        .await
        .expect_err("another input");
    assert_eq!(
        err,
        EngineError::ExecutionAlreadyExists(first.execution_arn.clone())
    );
    let err = engine
        .start_standard_execution(&format!("{arn}-missing"), "order-2", json!({}))
        .await
        .expect_err("no such machine");
    assert!(
        matches!(err, EngineError::StateMachineDoesNotExist(_)),
        "{err}"
    );
    assert!(matches!(
        engine.send_task_success("", json!(1)).await,
        Err(EngineError::InvalidToken(_))
    ));
    assert!(matches!(
        engine.send_task_success(&"t".repeat(1025), json!(1)).await,
        Err(EngineError::InvalidToken(_))
    ));
    assert!(matches!(
        engine.send_task_failure("no-such-token", None, None).await,
        Err(EngineError::InvalidToken(_))
    ));
    assert!(matches!(
        engine
            .send_task_failure("00000000-0000-4000-8000-000000000000", None, None)
            .await,
        Err(EngineError::TaskDoesNotExist(_))
    ));
    // Answered, the token is closed (AWS: TaskTimedOut, "Provided task does not exist
    // anymore"); once ended, the name is taken for good.
    let token = tokens.recv().await.expect("the callback runs");
    answer(&engine, &token).await;
    assert!(matches!(
        engine.send_task_heartbeat(&token).await,
        Err(EngineError::TaskTimedOut(_))
    ));
    until_done(&engine, &first.execution_arn).await;
    let err = engine
        .start_standard_execution(&arn, "order-1", json!({"n": 1}))
        .await
        .expect_err("ended");
    assert_eq!(
        err,
        EngineError::ExecutionAlreadyExists(first.execution_arn.clone())
    );
    let page = engine
        .list_executions(ExecutionQuery::default())
        .await
        .expect("readable");
    assert_eq!(page.items.len(), 1, "{page:?}");
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}

const SLOW: &str = "arn:aws:lambda:us-east-1:123456789012:function:slow";

/// A task in flight when the engine stops runs again on the engine that resumes it, which tells
/// its handler so (`redelivered`), with the execution's ARN.
#[tokio::test]
async fn a_task_in_flight_at_the_crash_runs_again_and_knows_it() {
    let dir = temp_dir("recovery", "redelivered");
    let path = dir.join("store.db");
    let definition = json!({"StartAt": "Slow", "States": {
        "Slow": {"Type": "Task", "Resource": SLOW, "End": true}}})
    .to_string();
    let open_slow = |release: bool| {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut r = Resources::new();
        r.register(SLOW, move |req| {
            let _ = tx.send((req.execution_arn.clone(), req.redelivered));
            async move {
                if !release {
                    std::future::pending::<()>().await;
                }
                Ok::<_, TaskError>(json!("done"))
            }
        });
        (r, rx)
    };
    let (r, mut calls) = open_slow(false);
    let (engine, _) = Engine::open_durable(&path, r, Durability::Full)
        .await
        .expect("opens");
    let arn = engine
        .create_state_machine("slow", &definition)
        .await
        .expect("valid");
    let started = engine
        .start_standard_execution(&arn, "once", json!({}))
        .await
        .expect("starts");
    let first = calls.recv().await.expect("the task runs");
    assert_eq!(first, (started.execution_arn.clone(), false));
    engine.halt();
    drop((engine, started.handle));
    let (r, mut calls) = open_slow(true);
    let (engine, resumed) = Engine::open_durable(&path, r, Durability::Full)
        .await
        .expect("reopens");
    assert_eq!(resumed.len(), 1);
    let again = calls.recv().await.expect("the task runs again");
    assert_eq!(again, (started.execution_arn.clone(), true));
    until_done(&engine, &started.execution_arn).await;
    let (status, output, _) = stored(&engine, &started.execution_arn).await;
    assert_eq!((status, output), (Status::Succeeded, Some(json!("done"))));
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `StopExecution` on the store: the execution ends `ABORTED` with the error and cause, for
/// good (a restart does not resume it); stopping it again or an unknown one is an error.
/// `ListExecutions` filters by status; `GetExecutionHistory` pages newest first.
#[tokio::test]
async fn a_stopped_execution_is_aborted_in_the_store() {
    let dir = temp_dir("recovery", "stop");
    let path = dir.join("store.db");
    let (engine, _tokens, _) = open(&path).await;
    let arn = engine
        .create_state_machine("approval", &definition())
        .await
        .expect("a valid machine");
    let started = engine
        .start_standard_execution(&arn, "to-stop", json!({}))
        .await
        .expect("starts");
    let exec = started.execution_arn;
    until_stored(&engine, &exec, "WaitStateEntered").await;
    engine
        .stop_execution(&exec, Some("Cancelled".into()), Some("by the test".into()))
        .await
        .expect("running");
    until_done(&engine, &exec).await;
    let record = engine
        .describe_execution(&exec)
        .await
        .expect("readable")
        .expect("stored");
    assert_eq!(record.status, Status::Aborted);
    assert_eq!(record.error.as_deref(), Some("Cancelled"));
    let (_, _, history) = stored(&engine, &exec).await;
    assert_eq!(
        history.last().map(|e| e["type"].clone()),
        Some(json!("ExecutionAborted")),
        "{history:?}"
    );
    let aborted = ExecutionQuery {
        status: Some(Status::Aborted),
        ..ExecutionQuery::default()
    };
    let page = engine.list_executions(aborted).await.expect("readable");
    assert_eq!(page.items.len(), 1, "{page:?}");
    // Newest first, two at a time: the page token carries on where the last page ended.
    let newest = HistoryQuery {
        reverse: true,
        limit: 2,
        after: None,
    };
    let first = engine
        .get_execution_history(&exec, newest.clone())
        .await
        .expect("readable");
    let ids: Vec<u64> = first
        .items
        .iter()
        .filter_map(|e| e["id"].as_u64())
        .collect();
    let last = history.len() as u64;
    assert_eq!(ids, vec![last, last - 1]);
    let second = HistoryQuery {
        after: first.next.clone(),
        ..newest
    };
    let second = engine
        .get_execution_history(&exec, second)
        .await
        .expect("readable");
    let ids: Vec<u64> = second
        .items
        .iter()
        .filter_map(|e| e["id"].as_u64())
        .collect();
    assert_eq!(ids, vec![last - 2, last - 3]);
    assert_eq!(
        engine.stop_execution(&exec, None, None).await,
        Err(EngineError::ExecutionNotRunning)
    );
    assert!(matches!(
        engine
            .stop_execution(&format!("{exec}-x"), None, None)
            .await,
        Err(EngineError::ExecutionDoesNotExist(_))
    ));
    drop(engine);
    let (_engine, _tokens, resumed) = open(&path).await;
    assert_eq!(resumed, 0, "an aborted execution is not resumed");
    let _ = std::fs::remove_dir_all(&dir);
}
