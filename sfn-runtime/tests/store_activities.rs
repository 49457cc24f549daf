//! Activities over a store: activities are stored, and an activity task of a persisted
//! execution is a row, not a queue entry in memory. An execution waiting for a worker leaves
//! memory, its task survives a restart, a worker of the reopened engine takes it
//! (`ActivityStarted` with the worker's name, committed when taken), and its heartbeat deadline
//! holds across a restart. The clock is the real one (see `store_recovery.rs`), or fixed at a
//! start time where a deadline is checked.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use sfn_runtime::store::sqlite::SqliteStore;
use sfn_runtime::store::{Durability, HistoryQuery, Store};
use sfn_runtime::tags::list_stored;
use sfn_runtime::{Engine, EngineError, Resources, Status, Tag};

/// 2024-01-01T00:00:00Z.
const T0: u64 = 1_704_067_200_000;

fn definition(heartbeat: u64) -> String {
    json!({"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:work",
            "HeartbeatSeconds": heartbeat, "TimeoutSeconds": 86_400, "ResultPath": "$.done",
            "Next": "Last"},
        "Last": {"Type": "Pass", "End": true}}})
    .to_string()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sfn-activities-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

/// An engine on the file (its clock from `at_ms` when given), resumed.
async fn open(path: &Path, at_ms: Option<u64>) -> Engine {
    let store = SqliteStore::open(path, Durability::Process).expect("the store opens");
    let mut engine =
        Engine::new(Resources::new()).with_park_after(Some(Duration::from_millis(200)));
    if let Some(at) = at_ms {
        engine = engine.with_start_time(at);
    }
    let engine = engine.with_store(store);
    engine.recover().await.expect("recovers");
    engine
}

/// Polls `done` every 10 ms, at most 30 s.
async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..3000 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never: {what}");
}

async fn history(engine: &Engine, arn: &str) -> Vec<Value> {
    engine
        .get_execution_history(arn, HistoryQuery::default())
        .await
        .expect("readable")
        .items
}

fn of_type<'h>(history: &'h [Value], ty: &str) -> Option<&'h Value> {
    history.iter().find(|e| e["type"] == json!(ty))
}

async fn status(engine: &Engine, arn: &str) -> Status {
    let record = engine.describe_execution(arn).await.expect("readable");
    record.expect("stored").status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activity_task_survives_a_restart_and_a_worker_of_the_new_engine_takes_it() {
    let dir = temp_dir("restart");
    let path = dir.join("store.db");
    let engine = open(&path, None).await;
    let activity = engine.create_activity("work").await.expect("created");
    let machine = engine
        .create_state_machine("worked", &definition(3600))
        .await
        .expect("valid");
    let started = engine
        .start_standard_execution(&machine, "run-1", json!({"job": 7}))
        .await
        .expect("starts");
    let arn = started.execution_arn;
    until(
        "the execution waits for a worker out of memory",
        async || engine.executions_in_memory() == 0,
    )
    .await;
    let events = history(&engine, &arn).await;
    assert_eq!(
        events.last().map(|e| &e["type"]),
        Some(&json!("ActivityScheduled"))
    );
    engine.halt();
    drop(engine);

    let engine = open(&path, None).await;
    // Stored: the activity is there after the restart, the execution stays in the store.
    assert_eq!(
        engine.describe_activity(&activity.arn).await,
        Ok(activity.clone())
    );
    assert_eq!(engine.executions_in_memory(), 0);
    let before_take = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let (a, b) = tokio::join!(
        engine.try_get_activity_task(&activity.arn, Some("worker-a")),
        engine.try_get_activity_task(&activity.arn, Some("worker-b"))
    );
    let taken: Vec<_> = [a, b]
        .into_iter()
        .filter_map(|r| r.expect("exists"))
        .collect();
    assert_eq!(taken.len(), 1, "exactly one worker takes the task");
    let task = &taken[0];
    assert_eq!(task.input, json!({"job": 7}));
    let events = history(&engine, &arn).await;
    let started = of_type(&events, "ActivityStarted").expect("recorded when taken");
    let worker = started["activityStartedEventDetails"]["workerName"].as_str();
    assert!(matches!(worker, Some("worker-a" | "worker-b")), "{started}");
    let scheduled = of_type(&events, "ActivityScheduled").expect("scheduled");
    assert_eq!(started["previousEventId"], scheduled["id"]);
    // Its timestamp (ms since the epoch) is the take's, after the restart.
    let at = started["timestamp"].as_u64().unwrap_or(0);
    assert!(at >= before_take, "{at} vs {before_take}");
    // Taken, it waits for the answer out of memory again (the heartbeat is an hour away).
    until("the taken task waits out of memory", async || {
        engine.executions_in_memory() == 0
    })
    .await;
    assert_eq!(
        engine.try_get_activity_task(&activity.arn, None).await,
        Ok(None)
    );
    engine
        .send_task_success(&task.token, json!("ok"))
        .await
        .expect("answered");
    until("the execution ends", async || {
        status(&engine, &arn).await != Status::Running
    })
    .await;
    let record = engine.describe_execution(&arn).await.expect("readable");
    let record = record.expect("stored");
    assert_eq!(record.status, Status::Succeeded);
    let output: Value =
        serde_json::from_str(record.output.as_deref().unwrap_or("null")).expect("JSON output");
    assert_eq!(output, json!({"job": 7, "done": "ok"}));
    let ty: Vec<String> = history(&engine, &arn)
        .await
        .iter()
        .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    let at = |t: &str| ty.iter().position(|x| x == t).expect("present");
    assert!(at("ActivityScheduled") < at("ActivityStarted"));
    assert_eq!(at("ActivityStarted") + 1, at("ActivitySucceeded"));
    // Token errors over the store.
    assert!(matches!(
        engine.send_task_success(&task.token, json!(1)).await,
        Err(EngineError::TaskTimedOut(_))
    ));
    assert!(matches!(
        engine.send_task_heartbeat("not a token").await,
        Err(EngineError::InvalidToken(_))
    ));
    assert!(matches!(
        engine
            .send_task_heartbeat("00000000-0000-4000-8000-000000000000")
            .await,
        Err(EngineError::TaskDoesNotExist(_))
    ));
    // Listed and deleted.
    let page = engine.list_activities(0, None).await.expect("listed");
    assert_eq!(page.items, vec![activity.clone()]);
    engine
        .delete_activity(&activity.arn)
        .await
        .expect("deleted");
    assert!(matches!(
        engine.get_activity_task(&activity.arn, None).await,
        Err(EngineError::ActivityDoesNotExist(_))
    ));
    engine.halt();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_heartbeat_deadline_holds_across_a_restart() {
    let dir = temp_dir("heartbeat");
    let path = dir.join("store.db");
    let engine = open(&path, Some(T0)).await;
    let activity = engine.create_activity("work").await.expect("created");
    let machine = engine
        .create_state_machine("beating", &definition(60))
        .await
        .expect("valid");
    let arn = engine
        .start_standard_execution(&machine, "run-1", json!({}))
        .await
        .expect("starts")
        .execution_arn;
    let task = engine
        .get_activity_task(&activity.arn, Some("w"))
        .await
        .expect("exists")
        .expect("a task");
    let events = history(&engine, &arn).await;
    let taken_ms = of_type(&events, "ActivityStarted").expect("taken")["timestamp"]
        .as_u64()
        .unwrap_or(0);
    assert!(taken_ms >= T0, "{taken_ms}");
    engine.halt();
    drop(engine);

    // 57 s later by the engine's clock: the deadline is 3 s away, not due at once.
    let engine = open(&path, Some(T0 + 57_000)).await;
    assert_eq!(status(&engine, &arn).await, Status::Running);
    until("the heartbeat deadline fires", async || {
        status(&engine, &arn).await != Status::Running
    })
    .await;
    let events = history(&engine, &arn).await;
    let timed_out = of_type(&events, "ActivityTimedOut").expect("timed out");
    // At the deadline committed before the restart: 60 s after the take by the engine's clock.
    let fired_ms = timed_out["timestamp"].as_u64().unwrap_or(0);
    assert!(
        fired_ms >= taken_ms + 60_000,
        "fired at {fired_ms}, taken at {taken_ms}"
    );
    assert!(
        fired_ms < taken_ms + 62_000,
        "fired at {fired_ms}, taken at {taken_ms}"
    );
    assert_eq!(status(&engine, &arn).await, Status::Failed);
    // The expired token, after the restart.
    assert!(matches!(
        engine.send_task_success(&task.token, json!(1)).await,
        Err(EngineError::TaskTimedOut(_))
    ));
    engine.halt();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_are_stored_with_their_resource_and_go_with_a_deleted_activity() {
    let dir = temp_dir("tags");
    let path = dir.join("store.db");
    let tag = |k: &str, v: &str| Tag::new(k, v);
    let engine = open(&path, None).await;
    let review = engine
        .create_activity_with_tags("review", &[tag("team", "a"), tag("stage", "dev")])
        .await
        .expect("created");
    let machine = engine
        .create_state_machine("worked", &definition(60))
        .await
        .expect("created");
    engine
        .tag_resource(&machine, &[tag("owner", "ops"), tag("tier", "1")])
        .await
        .expect("tagged");
    engine
        .untag_resource(&machine, &["tier".into()])
        .await
        .expect("untagged");
    engine.halt();
    drop(engine);

    // Reopened: the tags are the store's.
    let engine = open(&path, None).await;
    assert_eq!(
        engine
            .list_tags_for_resource(&review.arn)
            .await
            .expect("listed"),
        [tag("team", "a"), tag("stage", "dev")]
    );
    assert_eq!(
        engine
            .list_tags_for_resource(&machine)
            .await
            .expect("listed"),
        [tag("owner", "ops")]
    );
    // Created again, the activity keeps its tags (AWS ignores a later request's).
    let again = engine
        .create_activity_with_tags("review", &[tag("team", "b")])
        .await
        .expect("the same activity");
    assert_eq!(again, review);
    engine
        .tag_resource(&review.arn, &[tag("team", "c")])
        .await
        .expect("tagged");
    let crowd: Vec<Tag> = (0..49).map(|i| tag(&format!("k{i}"), "v")).collect();
    let err = engine.tag_resource(&review.arn, &crowd).await;
    assert!(
        matches!(err, Err(EngineError::TooManyTags { count: 51, .. })),
        "{err:?}"
    );
    engine.delete_activity(&review.arn).await.expect("deleted");
    assert_eq!(
        engine.list_tags_for_resource(&review.arn).await,
        Err(EngineError::ResourceNotFound(review.arn.clone()))
    );
    engine.halt();
    drop(engine);

    // The file itself: the deleted activity's tags are gone, the machine's stay; read as a
    // process beside the engine reads them, with the engine's checks.
    let store = SqliteStore::open(&path, Durability::Process).expect("the store opens");
    assert_eq!(store.tags(&review.arn).expect("readable"), []);
    assert_eq!(
        list_stored(&store, &machine).expect("listed"),
        [tag("owner", "ops")]
    );
    assert_eq!(
        list_stored(&store, &review.arn),
        Err(EngineError::ResourceNotFound(review.arn.clone()))
    );
    let not_arn = list_stored(&store, "worked");
    assert!(
        matches!(not_arn, Err(EngineError::InvalidArn { .. })),
        "{not_arn:?}"
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
