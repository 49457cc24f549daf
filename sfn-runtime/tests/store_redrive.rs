//! `RedriveExecution` over a SQLite store, with Step Functions' rules: a FAILED, TIMED_OUT or
//! ABORTED execution runs again from the states that did not succeed, with their inputs, on the
//! definition it started with; successful states, branches and iterations do not run again; the
//! history goes on after `ExecutionRedriven`; the redrive survives a crash. Also retention of
//! closed executions, `DescribeStateMachineForExecution`, `includeExecutionData` and paging.
//!
//! The clock is the real one (the store commits on a thread of its own).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use sfn_runtime::engine::{redrive_status, RedriveStatus};
use sfn_runtime::store::sqlite::SqliteStore;
use sfn_runtime::store::{Durability, ExecutionQuery, HistoryQuery};
use sfn_runtime::{Engine, EngineError, Resources, Status, TaskError};

const OK: &str = "arn:aws:lambda:us-east-1:123456789012:function:ok";
const FLAKY: &str = "arn:aws:lambda:us-east-1:123456789012:function:flaky";
const DAY: u64 = 24 * 3600 * 1000;
/// 2026-01-01T00:00:00Z.
const T0: u64 = 1_767_225_600_000;

/// What the handlers saw, and whether `FLAKY` fails.
#[derive(Clone, Default)]
struct World {
    calls: Arc<Mutex<Vec<(String, Value)>>>,
    broken: Arc<AtomicBool>,
}

impl World {
    fn broken() -> Self {
        let world = World::default();
        world.broken.store(true, Ordering::SeqCst);
        world
    }

    /// `OK` echoes its input; `FLAKY` fails while broken when its input has no `"fine": true`.
    fn resources(&self) -> Resources {
        let mut r = Resources::new();
        let calls = self.calls.clone();
        r.register(OK, move |req| {
            calls.lock().unwrap().push(("ok".into(), req.input.clone()));
            async move { Ok::<_, TaskError>(json!({"echo": req.input})) }
        });
        let (calls, broken) = (self.calls.clone(), self.broken.clone());
        r.register(FLAKY, move |req| {
            calls
                .lock()
                .unwrap()
                .push(("flaky".into(), req.input.clone()));
            let fails = broken.load(Ordering::SeqCst) && req.input["fine"] != json!(true);
            async move {
                if fails {
                    Err(TaskError::new("Flaky.Broken", "the service is down"))
                } else {
                    Ok(json!({"fixed": req.input}))
                }
            }
        });
        r
    }

    fn take_calls(&self) -> Vec<(String, Value)> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }

    fn repair(&self) {
        self.broken.store(false, Ordering::SeqCst);
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sfn-redrive-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

async fn open(path: &Path, world: &World) -> Engine {
    Engine::open_durable(path, world.resources(), Durability::Full)
        .await
        .expect("the store opens")
        .0
}

/// An engine whose clock starts at `at_ms` (set before the store: its purge of expired
/// executions at open reads that clock), resuming what the store holds.
async fn open_at(path: &Path, world: &World, at_ms: u64) -> Engine {
    let store = SqliteStore::open(path, Durability::Full).expect("the store opens");
    let engine = Engine::new(world.resources())
        .with_start_time(at_ms)
        .with_store(store);
    engine.recover().await.expect("resumes");
    engine
}

async fn until_done(engine: &Engine, arn: &str) -> Status {
    for _ in 0..2000 {
        let record = engine.describe_execution(arn).await.expect("readable");
        if let Some(r) = record.filter(|r| r.status != Status::Running) {
            return r.status;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{arn} never ended");
}

async fn until_stored(engine: &Engine, arn: &str, ty: &str, count: usize) {
    for _ in 0..2000 {
        if of_type(&history(engine, arn).await, ty) >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{arn} never recorded {ty} {count} times");
}

async fn history(engine: &Engine, arn: &str) -> Vec<Value> {
    engine
        .get_execution_history(arn, HistoryQuery::default())
        .await
        .expect("readable")
        .items
}

fn of_type(history: &[Value], ty: &str) -> usize {
    history.iter().filter(|e| e["type"] == ty).count()
}

/// Ids run 1, 2, 3... without a gap, and each event's `previousEventId` is an earlier event.
fn assert_chained(history: &[Value]) {
    for (i, e) in history.iter().enumerate() {
        assert_eq!(e["id"], json!(i as u64 + 1), "{history:#?}");
        let prev = e["previousEventId"].as_u64().unwrap_or(0);
        assert!(prev <= i as u64, "{e} points ahead");
    }
}

async fn start(engine: &Engine, name: &str, definition: &Value, input: Value) -> String {
    let machine = engine
        .create_state_machine(name, &definition.to_string())
        .await
        .expect("a valid machine");
    engine
        .start_standard_execution(&machine, "run-1", input)
        .await
        .expect("starts")
        .execution_arn
}

/// A Pass, a Task that fails while the service is broken, a Wait and a last Pass.
fn chain() -> Value {
    json!({"StartAt": "Prep", "States": {
        "Prep": {"Type": "Pass", "Result": "prepared", "ResultPath": "$.prep", "Next": "Work"},
        "Work": {"Type": "Task", "Resource": FLAKY, "ResultPath": "$.work", "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
        "Done": {"Type": "Pass", "End": true}}})
}

#[tokio::test]
async fn a_failed_execution_runs_again_from_the_state_that_failed() {
    let dir = temp_dir("chain");
    let world = World::broken();
    let engine = open(&dir.join("store.db"), &world).await;
    let arn = start(&engine, "chain", &chain(), json!({"order": 7})).await;
    assert_eq!(until_done(&engine, &arn).await, Status::Failed);
    let failed = history(&engine, &arn).await;
    let calls = world.take_calls();
    assert_eq!(
        calls,
        vec![("flaky".into(), json!({"order": 7, "prep": "prepared"}))]
    );

    world.repair();
    let redrive_ms = engine.redrive_execution(&arn).await.expect("redrivable");
    assert_eq!(until_done(&engine, &arn).await, Status::Succeeded);
    // The Task runs again with the input it had; the Pass before it does not run again.
    assert_eq!(world.take_calls(), calls);
    let events = history(&engine, &arn).await;
    assert_eq!(&events[..failed.len()], &failed[..], "the history goes on");
    assert_chained(&events);
    let redriven = &events[failed.len()];
    assert_eq!(redriven["type"], "ExecutionRedriven");
    assert_eq!(
        redriven["executionRedrivenEventDetails"],
        json!({"redriveCount": 1})
    );
    assert_eq!(redriven["previousEventId"], json!(failed.len()));
    assert_eq!(
        of_type(&events, "PassStateEntered"),
        2,
        "Prep once, Done once"
    );
    assert_eq!(of_type(&events, "TaskStateEntered"), 2);
    let work = events
        .iter()
        .rfind(|e| e["type"] == "TaskStateEntered")
        .expect("entered again");
    assert_eq!(work["previousEventId"], redriven["id"]);
    let record = engine.describe_execution(&arn).await.unwrap().unwrap();
    assert_eq!(record.redrive_count, 1);
    assert_eq!(record.redrive_ms, Some(redrive_ms));
    assert_eq!(
        record.error, None,
        "the failure of the first attempt is gone"
    );
    let output: Value = serde_json::from_str(record.output.as_deref().unwrap()).unwrap();
    assert_eq!(
        output["work"],
        json!({"fixed": {"order": 7, "prep": "prepared"}})
    );
    let now = redrive_ms + 1000;
    assert_eq!(
        redrive_status(&record, now),
        RedriveStatus::NotRedrivable("Execution is SUCCEEDED and cannot be redriven".into())
    );
    let again = engine.redrive_execution(&arn).await;
    assert!(
        matches!(&again, Err(EngineError::ExecutionNotRedrivable { reason, .. }) if reason.contains("SUCCEEDED")),
        "{again:?}"
    );
}

#[tokio::test]
async fn what_cannot_be_redriven_is_refused_with_aws_reasons() {
    let dir = temp_dir("refused");
    let path = dir.join("store.db");
    let world = World::broken();
    let engine = open_at(&path, &world, T0).await;
    let missing = engine
        .redrive_execution("arn:aws:states:us-east-1:123456789012:execution:m:none")
        .await;
    assert!(
        matches!(missing, Err(EngineError::ExecutionDoesNotExist(_))),
        "{missing:?}"
    );
    let waits =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}});
    let running = start(&engine, "waits", &waits, json!({})).await;
    let refused = engine.redrive_execution(&running).await;
    assert!(
        matches!(&refused, Err(EngineError::ExecutionNotRedrivable { reason, .. }) if reason.contains("RUNNING")),
        "{refused:?}"
    );
    let failing = start(&engine, "chain", &chain(), json!({})).await;
    assert_eq!(until_done(&engine, &failing).await, Status::Failed);
    engine.halt();
    drop(engine);
    // 15 days later: past the 14-day redrivable period.
    let late = open_at(&path, &world, T0 + 15 * DAY).await;
    let refused = late.redrive_execution(&failing).await;
    assert!(
        matches!(&refused, Err(EngineError::ExecutionNotRedrivable { reason, .. }) if reason == "Execution redrivable period exceeded"),
        "{refused:?}"
    );
    late.halt();
    drop(late);
    let in_time = open_at(&path, &world, T0 + 13 * DAY).await;
    let record = in_time.describe_execution(&failing).await.unwrap().unwrap();
    assert_eq!(
        redrive_status(&record, T0 + 13 * DAY),
        RedriveStatus::Redrivable
    );
    world.repair();
    assert_eq!(in_time.redrive_execution(&failing).await, Ok(T0 + 13 * DAY));
    assert_eq!(until_done(&in_time, &failing).await, Status::Succeeded);
}

#[tokio::test]
async fn inside_a_parallel_state_only_the_unsuccessful_branches_run_again() {
    let dir = temp_dir("parallel");
    let world = World::broken();
    let engine = open(&dir.join("store.db"), &world).await;
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
    "Branches": [
        {"StartAt": "A0", "States": {
            "A0": {"Type": "Task", "Resource": OK, "Parameters": {"branch": 0}, "End": true}}},
        {"StartAt": "W1", "States": {
            "W1": {"Type": "Wait", "Seconds": 1, "Next": "A1"},
            "A1": {"Type": "Task", "Resource": FLAKY, "Parameters": {"branch": 1}, "End": true}}},
        {"StartAt": "W2", "States": {
            "W2": {"Type": "Wait", "Seconds": 2, "Next": "A2"},
            "A2": {"Type": "Task", "Resource": OK, "Parameters": {"branch": 2}, "End": true}}}
    ]}}});
    let arn = start(&engine, "parallel", &definition, json!({})).await;
    assert_eq!(until_done(&engine, &arn).await, Status::Failed);
    let failed = history(&engine, &arn).await;
    let mut calls = world.take_calls();
    calls.sort_by_key(|(_, input)| input.to_string());
    assert_eq!(
        calls,
        vec![
            ("ok".into(), json!({"branch": 0})),
            ("flaky".into(), json!({"branch": 1}))
        ],
        "branch 2 was still waiting when branch 1 failed, after branch 0 succeeded"
    );
    assert_eq!(of_type(&failed, "WaitStateAborted"), 1, "{failed:#?}");

    world.repair();
    engine.redrive_execution(&arn).await.expect("redrivable");
    assert_eq!(until_done(&engine, &arn).await, Status::Succeeded);
    let mut calls = world.take_calls();
    calls.sort_by_key(|(_, input)| input.to_string());
    assert_eq!(
        calls,
        vec![
            ("flaky".into(), json!({"branch": 1})),
            ("ok".into(), json!({"branch": 2}))
        ],
        "branch 0 succeeded: it does not run again"
    );
    let record = engine.describe_execution(&arn).await.unwrap().unwrap();
    let output: Value = serde_json::from_str(record.output.as_deref().unwrap()).unwrap();
    assert_eq!(
        output,
        json!([{"echo": {"branch": 0}}, {"fixed": {"branch": 1}}, {"echo": {"branch": 2}}]),
        "the first attempt's result of branch 0 is kept"
    );
    let events = history(&engine, &arn).await;
    assert_chained(&events);
    assert_eq!(
        of_type(&events, "ParallelStateEntered"),
        1,
        "the Parallel state is not entered again"
    );
    assert_eq!(of_type(&events, "ParallelStateSucceeded"), 1);
    assert_eq!(
        of_type(&events, "WaitStateEntered"),
        3,
        "branch 1's Wait succeeded: once"
    );
}

#[tokio::test]
async fn inside_an_inline_map_only_unsuccessful_and_unstarted_iterations_run() {
    let dir = temp_dir("map");
    let world = World::broken();
    let engine = open(&dir.join("store.db"), &world).await;
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemsPath": "$.items", "MaxConcurrency": 1,
        "ItemSelector": {"item.$": "$$.Map.Item.Value", "fine.$": "$$.Map.Item.Value.fine"},
        "ItemProcessor": {"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": FLAKY, "End": true}}}}}});
    let items =
        json!({"items": [{"n": 1, "fine": true}, {"n": 2, "fine": false}, {"n": 3, "fine": true}]});
    let arn = start(&engine, "map", &definition, items).await;
    assert_eq!(until_done(&engine, &arn).await, Status::Failed);
    let seen: Vec<Value> = world
        .take_calls()
        .into_iter()
        .map(|(_, i)| i["item"]["n"].clone())
        .collect();
    assert_eq!(
        seen,
        vec![json!(1), json!(2)],
        "one at a time: item 3 never started"
    );

    world.repair();
    engine.redrive_execution(&arn).await.expect("redrivable");
    assert_eq!(until_done(&engine, &arn).await, Status::Succeeded);
    let seen: Vec<Value> = world
        .take_calls()
        .into_iter()
        .map(|(_, i)| i["item"]["n"].clone())
        .collect();
    assert_eq!(
        seen,
        vec![json!(2), json!(3)],
        "item 1 succeeded and is not run again"
    );
    let record = engine.describe_execution(&arn).await.unwrap().unwrap();
    let output: Value = serde_json::from_str(record.output.as_deref().unwrap()).unwrap();
    let ns: Vec<Value> = output
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fixed"]["item"]["n"].clone())
        .collect();
    assert_eq!(ns, vec![json!(1), json!(2), json!(3)], "{output}");
    let events = history(&engine, &arn).await;
    assert_chained(&events);
    assert_eq!(of_type(&events, "MapIterationSucceeded"), 3);
    assert_eq!(of_type(&events, "MapStateEntered"), 1);
}

#[tokio::test]
async fn a_redriven_execution_resumes_after_a_crash() {
    let dir = temp_dir("crash");
    let path = dir.join("store.db");
    let world = World::broken();
    let engine = open(&path, &world).await;
    let arn = start(&engine, "chain", &chain(), json!({"order": 8})).await;
    assert_eq!(until_done(&engine, &arn).await, Status::Failed);
    world.repair();
    engine.redrive_execution(&arn).await.expect("redrivable");
    // Crash while the redriven execution waits in `Pause`.
    until_stored(&engine, &arn, "WaitStateEntered", 1).await;
    engine.halt();
    drop(engine);
    let (engine, resumed) = Engine::open_durable(&path, world.resources(), Durability::Full)
        .await
        .expect("reopens");
    assert_eq!(resumed.len(), 1, "the redriven execution is running");
    assert_eq!(until_done(&engine, &arn).await, Status::Succeeded);
    let events = history(&engine, &arn).await;
    assert_chained(&events);
    assert_eq!(of_type(&events, "ExecutionRedriven"), 1);
    assert_eq!(of_type(&events, "ExecutionFailed"), 1);
    assert_eq!(of_type(&events, "ExecutionSucceeded"), 1);
    assert_eq!(of_type(&events, "WaitStateEntered"), 1);
    let work_calls = world.take_calls().len();
    assert_eq!(
        work_calls, 2,
        "the task ran once per attempt, not again after the crash"
    );
    let record = engine.describe_execution(&arn).await.unwrap().unwrap();
    assert_eq!(record.redrive_count, 1);
}

#[tokio::test]
async fn stopped_and_timed_out_executions_are_redriven_with_a_new_timeout() {
    let dir = temp_dir("stopped");
    let world = World::default();
    let engine = open(&dir.join("store.db"), &world).await;
    let waits = json!({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 1, "Next": "T"},
        "T": {"Type": "Task", "Resource": OK, "End": true}}});
    let arn = start(&engine, "stoppable", &waits, json!({"k": 1})).await;
    until_stored(&engine, &arn, "WaitStateEntered", 1).await;
    engine
        .stop_execution(&arn, Some("Paused".into()), None)
        .await
        .expect("running");
    assert_eq!(until_done(&engine, &arn).await, Status::Aborted);
    engine
        .redrive_execution(&arn)
        .await
        .expect("an aborted one is redrivable");
    assert_eq!(until_done(&engine, &arn).await, Status::Succeeded);
    assert_eq!(world.take_calls(), vec![("ok".into(), json!({"k": 1}))]);

    // TimeoutSeconds 1 over a 2 s Wait: it times out, and again 1 s after its redrive.
    let slow = json!({"TimeoutSeconds": 1, "StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 2, "End": true}}});
    let arn = start(&engine, "slow", &slow, json!({})).await;
    assert_eq!(until_done(&engine, &arn).await, Status::TimedOut);
    let redriven_at = engine.redrive_execution(&arn).await.expect("redrivable");
    assert_eq!(until_done(&engine, &arn).await, Status::TimedOut);
    let record = engine.describe_execution(&arn).await.unwrap().unwrap();
    let stopped = record.stopped_ms.expect("stopped");
    assert!(
        stopped >= redriven_at + 1000,
        "the timeout counts from the redrive"
    );
    let events = history(&engine, &arn).await;
    assert_eq!(of_type(&events, "ExecutionTimedOut"), 2);
    assert_eq!(of_type(&events, "WaitStateEntered"), 2);
}

#[tokio::test]
async fn an_execution_keeps_the_definition_it_started_with() {
    let dir = temp_dir("definition");
    let world = World::broken();
    let engine = open(&dir.join("store.db"), &world).await;
    let first = json!({"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": FLAKY, "End": true}}});
    let arn = start(&engine, "versioned", &first, json!({"v": 1})).await;
    assert_eq!(until_done(&engine, &arn).await, Status::Failed);
    let second = json!({"StartAt": "Other", "States": {"Other": {"Type": "Pass", "End": true}}});
    let machine = engine
        .create_state_machine("versioned", &second.to_string())
        .await
        .expect("updated");
    let described = engine
        .describe_state_machine_for_execution(&arn)
        .await
        .expect("known");
    assert_eq!(described.arn, machine);
    let described: Value = serde_json::from_str(&described.definition).unwrap();
    assert_eq!(described, first);
    world.repair();
    engine.redrive_execution(&arn).await.expect("redrivable");
    assert_eq!(until_done(&engine, &arn).await, Status::Succeeded);
    let events = history(&engine, &arn).await;
    assert_eq!(
        of_type(&events, "TaskStateEntered"),
        2,
        "it runs the first definition"
    );
    assert_eq!(of_type(&events, "PassStateEntered"), 0);
    let missing = engine
        .describe_state_machine_for_execution(&format!("{arn}-x"))
        .await;
    assert!(
        matches!(missing, Err(EngineError::ExecutionDoesNotExist(_))),
        "{missing:?}"
    );
}

#[tokio::test]
async fn history_without_execution_data_and_listings_page_by_status() {
    let dir = temp_dir("listing");
    let world = World::broken();
    let engine = open(&dir.join("store.db"), &world).await;
    let machine = engine
        .create_state_machine("chain", &chain().to_string())
        .await
        .expect("valid");
    let mut arns = Vec::new();
    for i in 0..5 {
        let started = engine
            .start_standard_execution(&machine, &format!("run-{i}"), json!({"i": i}))
            .await
            .expect("starts");
        arns.push(started.execution_arn);
    }
    for arn in &arns {
        assert_eq!(until_done(&engine, arn).await, Status::Failed);
    }
    let full = engine
        .get_execution_history_with(&arns[0], HistoryQuery::default(), true)
        .await
        .expect("readable");
    let bare = engine
        .get_execution_history_with(&arns[0], HistoryQuery::default(), false)
        .await
        .expect("readable");
    assert_eq!(full.items.len(), bare.items.len());
    assert!(full.items[0]["executionStartedEventDetails"]["input"].is_string());
    assert_eq!(
        bare.items[0]["executionStartedEventDetails"],
        json!({"roleArn": full.items[0]["executionStartedEventDetails"]["roleArn"]})
    );
    for e in &bare.items {
        let text = e.to_string();
        assert!(
            !text.contains("\"input\"") && !text.contains("\"output\""),
            "{e}"
        );
    }
    // Two redriven and succeeded, three still failed: filtered and paged two at a time.
    world.repair();
    for arn in &arns[..2] {
        engine.redrive_execution(arn).await.expect("redrivable");
        assert_eq!(until_done(&engine, arn).await, Status::Succeeded);
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let query = ExecutionQuery {
            state_machine_arn: Some(machine.clone()),
            status: Some(Status::Failed),
            limit: 2,
            after,
            map_run_arn: None,
        };
        let page = engine.list_executions(query).await.expect("readable");
        assert!(page.items.len() <= 2);
        assert!(page.items.iter().all(|e| e.status == Status::Failed));
        seen.extend(page.items.into_iter().map(|e| e.name));
        after = page.next;
        if after.is_none() {
            break;
        }
    }
    assert_eq!(seen, vec!["run-4", "run-3", "run-2"], "newest first");
    let succeeded = ExecutionQuery {
        status: Some(Status::Succeeded),
        ..ExecutionQuery::default()
    };
    let page = engine.list_executions(succeeded).await.expect("readable");
    let names: Vec<&str> = page.items.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, vec!["run-1", "run-0"]);
    assert!(page
        .items
        .iter()
        .all(|e| e.redrive_count == 1 && e.redrive_ms.is_some()));
}

#[tokio::test]
async fn closed_executions_are_kept_for_the_retention_then_purged() {
    let dir = temp_dir("retention");
    let path = dir.join("store.db");
    let world = World::default();
    let engine = open_at(&path, &world, T0).await;
    let pass = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    let done = start(&engine, "pass", &pass, json!({})).await;
    assert_eq!(until_done(&engine, &done).await, Status::Succeeded);
    let waits =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}});
    let running = start(&engine, "waits", &waits, json!({})).await;
    // 89 days later nothing closed is old enough.
    let later = Engine::new(world.resources())
        .with_start_time(T0 + 89 * DAY)
        .with_store(SqliteStore::open(&path, Durability::Full).unwrap());
    assert_eq!(later.purge_expired().await, Ok(0));
    // A 30-day retention: the succeeded execution goes with its history; the running one stays.
    let shorter = later.with_retention(Duration::from_secs(30 * 24 * 3600));
    assert_eq!(shorter.purge_expired().await, Ok(1));
    assert_eq!(shorter.describe_execution(&done).await, Ok(None));
    let gone = shorter
        .get_execution_history(&done, HistoryQuery::default())
        .await;
    assert!(gone.is_err(), "{gone:?}");
    assert!(shorter
        .describe_execution(&running)
        .await
        .unwrap()
        .is_some());
    engine.halt();
    drop(engine);
    // A durable engine purges by itself when it opens its store (and every day after).
    let other = start(&shorter, "pass-2", &pass, json!({})).await;
    assert_eq!(until_done(&shorter, &other).await, Status::Succeeded);
    shorter.halt();
    drop(shorter);
    let reopened = Engine::new(world.resources())
        .with_start_time(T0 + 200 * DAY)
        .with_store(SqliteStore::open(&path, Durability::Full).unwrap());
    for _ in 0..2000 {
        if reopened.describe_execution(&other).await.unwrap().is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        reopened.describe_execution(&other).await,
        Ok(None),
        "purged at open"
    );
    assert!(reopened
        .describe_execution(&running)
        .await
        .unwrap()
        .is_some());
}

/// A distributed Map of `kind` child executions over `$.items`, one at a time, one failure
/// tolerated.
fn distributed(kind: &str) -> Value {
    json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemsPath": "$.items", "MaxConcurrency": 1, "ToleratedFailureCount": 1,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": kind},
            "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FLAKY, "End": true}}}}}})
}

/// Items 2 and 4 fail while the service is broken; item 5 never starts.
fn distributed_items() -> Value {
    json!({"items": [{"n": 1, "fine": true}, {"n": 2}, {"n": 3, "fine": true}, {"n": 4},
        {"n": 5, "fine": true}]})
}

fn item_numbers(calls: Vec<(String, Value)>) -> Vec<Value> {
    calls.into_iter().map(|(_, i)| i["n"].clone()).collect()
}

/// A history without its timestamps (the clock is the real one).
fn timeless(history: Vec<Value>) -> Vec<Value> {
    history
        .into_iter()
        .map(|mut e| {
            if let Value::Object(m) = &mut e {
                m.remove("timestamp");
            }
            e
        })
        .collect()
}

/// The Map Run ARN in an execution's `MapRunStarted`.
async fn map_run_arn(engine: &Engine, arn: &str) -> String {
    history(engine, arn)
        .await
        .iter()
        .find(|e| e["type"] == "MapRunStarted")
        .and_then(|e| e["mapRunStartedEventDetails"]["mapRunArn"].as_str())
        .expect("a Map Run started")
        .to_owned()
}

/// A Map Run's stored child executions, by item number (`n` of their input).
async fn map_children(engine: &Engine, map_run: &str) -> Vec<sfn_runtime::store::ExecutionRecord> {
    let query = ExecutionQuery {
        map_run_arn: Some(map_run.to_owned()),
        ..ExecutionQuery::default()
    };
    let mut children = engine.list_executions(query).await.expect("listed").items;
    let n = |c: &sfn_runtime::store::ExecutionRecord| {
        serde_json::from_str::<Value>(&c.input).expect("JSON input")["n"]
            .as_u64()
            .expect("an item number")
    };
    children.sort_by_key(n);
    children
}

fn types_of(history: &[Value]) -> Vec<&str> {
    history
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect()
}

/// Runs the distributed Map until it fails, redrives it (on an engine reopened on the same
/// file when `reopen`), and returns the engine, the execution, the items run by the redrive,
/// and the history.
async fn redrive_a_map_run(
    tag: &str,
    kind: &str,
    reopen: bool,
) -> (Engine, String, Vec<Value>, Vec<Value>) {
    let dir = temp_dir(tag);
    let path = dir.join("store.db");
    let world = World::broken();
    let mut engine = open(&path, &world).await;
    let arn = start(
        &engine,
        "distributed",
        &distributed(kind),
        distributed_items(),
    )
    .await;
    assert_eq!(until_done(&engine, &arn).await, Status::Failed);
    assert_eq!(
        item_numbers(world.take_calls()),
        vec![json!(1), json!(2), json!(3), json!(4)]
    );
    if reopen {
        engine.halt();
        drop(engine);
        engine = open(&path, &world).await;
    }
    world.repair();
    engine.redrive_execution(&arn).await.expect("redrivable");
    assert_eq!(until_done(&engine, &arn).await, Status::Succeeded);
    let calls = item_numbers(world.take_calls());
    let events = history(&engine, &arn).await;
    (engine, arn, calls, events)
}

#[tokio::test]
async fn a_distributed_map_redrives_the_unsuccessful_children_of_its_map_run() {
    let (engine, arn, calls, events) = redrive_a_map_run("distributed", "STANDARD", false).await;
    assert_eq!(
        calls,
        vec![json!(2), json!(4), json!(5)],
        "items 1 and 3 succeeded: they do not run again"
    );
    assert_chained(&events);
    let types = types_of(&events);
    let at = types
        .iter()
        .position(|t| *t == "ExecutionRedriven")
        .unwrap();
    assert_eq!(
        types[at..],
        [
            "ExecutionRedriven",
            "MapRunRedriven",
            "MapRunSucceeded",
            "MapStateSucceeded",
            "MapStateExited",
            "ExecutionSucceeded"
        ]
    );
    let run_arn = map_run_arn(&engine, &arn).await;
    assert_eq!(
        events[at + 1]["mapRunRedrivenEventDetails"],
        json!({"mapRunArn": run_arn, "redriveCount": 1})
    );
    let record = engine.describe_execution(&arn).await.unwrap().unwrap();
    let output: Value = serde_json::from_str(record.output.as_deref().unwrap()).unwrap();
    let ns: Vec<Value> = output
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fixed"]["n"].clone())
        .collect();
    assert_eq!(ns, (1..=5).map(|n| json!(n)).collect::<Vec<_>>());
    // One stored child execution per item; the failed ones were redriven in their own history.
    let children = map_children(&engine, &run_arn).await;
    assert_eq!(children.len(), 5);
    for (i, child) in children.iter().enumerate() {
        let n = i + 1;
        let redriven = n == 2 || n == 4;
        assert_eq!(child.status, Status::Succeeded, "item {n}");
        assert_eq!(child.redrive_count, u32::from(redriven), "item {n}");
        assert_eq!(child.redrive_ms.is_some(), redriven, "item {n}");
        let h = history(&engine, &child.arn).await;
        assert_chained(&h);
        let expected: &[&str] = if redriven {
            &["ExecutionFailed", "ExecutionRedriven", "TaskStateEntered"]
        } else {
            &["TaskStateExited", "ExecutionSucceeded"]
        };
        let types = types_of(&h);
        assert!(
            types.windows(expected.len()).any(|w| w == expected),
            "item {n}: {types:?}"
        );
    }
}

#[tokio::test]
async fn a_map_run_redriven_after_the_store_reopens_behaves_identically() {
    let (same, same_arn, calls, events) =
        redrive_a_map_run("map-run-same", "STANDARD", false).await;
    let (reopened, arn, calls_reopened, events_reopened) =
        redrive_a_map_run("map-run-reopened", "STANDARD", true).await;
    assert_eq!(arn, same_arn);
    assert_eq!(calls_reopened, calls);
    assert_eq!(timeless(events_reopened), timeless(events));
    let run_arn = map_run_arn(&same, &arn).await;
    let (a, b) = (
        map_children(&same, &run_arn).await,
        map_children(&reopened, &run_arn).await,
    );
    assert_eq!(a.len(), 5);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            (&x.arn, x.status, x.redrive_count),
            (&y.arn, y.status, y.redrive_count)
        );
        assert_eq!(
            timeless(history(&reopened, &y.arn).await),
            timeless(history(&same, &x.arn).await),
            "the child history of {}",
            x.arn
        );
    }
}

#[tokio::test]
async fn express_children_of_a_redriven_map_run_start_again_under_the_same_arn() {
    let (engine, arn, calls, events) = redrive_a_map_run("express", "EXPRESS", false).await;
    assert_eq!(calls, vec![json!(2), json!(4), json!(5)]);
    assert_eq!(of_type(&events, "MapRunRedriven"), 1);
    let run_arn = map_run_arn(&engine, &arn).await;
    let children = map_children(&engine, &run_arn).await;
    assert_eq!(children.len(), 5);
    for (i, child) in children.iter().enumerate() {
        let n = i + 1;
        assert!(child.arn.contains(":express:"), "{}", child.arn);
        assert_eq!(child.status, Status::Succeeded, "item {n}");
        assert_eq!(
            child.redrive_count, 0,
            "an Express execution is not redriven"
        );
        // Started again, its history starts over: no trace of the failed attempt.
        let h = history(&engine, &child.arn).await;
        assert_chained(&h);
        assert_eq!(
            types_of(&h),
            [
                "ExecutionStarted",
                "TaskStateEntered",
                "LambdaFunctionScheduled",
                "LambdaFunctionStarted",
                "LambdaFunctionSucceeded",
                "TaskStateExited",
                "ExecutionSucceeded"
            ],
            "item {n}"
        );
    }
}

#[tokio::test]
async fn a_redriven_map_run_resumes_after_a_crash() {
    let dir = temp_dir("map-run-crash");
    let path = dir.join("store.db");
    let world = World::broken();
    let engine = open(&path, &world).await;
    // Each child does its Task, then waits a second.
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemsPath": "$.items", "MaxConcurrency": 1,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "T", "States": {
                "T": {"Type": "Task", "Resource": FLAKY, "Next": "W"},
                "W": {"Type": "Wait", "Seconds": 1, "End": true}}}}}});
    let items = json!({"items": [{"n": 1, "fine": true}, {"n": 2}]});
    let arn = start(&engine, "waiting", &definition, items).await;
    assert_eq!(until_done(&engine, &arn).await, Status::Failed);
    assert_eq!(item_numbers(world.take_calls()), vec![json!(1), json!(2)]);
    let run_arn = map_run_arn(&engine, &arn).await;
    let second = map_children(&engine, &run_arn).await[1].arn.clone();
    world.repair();
    engine.redrive_execution(&arn).await.expect("redrivable");
    // Crash while the redriven child waits (its Task's result is committed by then).
    until_stored(&engine, &second, "WaitStateEntered", 1).await;
    engine.halt();
    drop(engine);
    let (engine, resumed) = Engine::open_durable(&path, world.resources(), Durability::Full)
        .await
        .expect("reopens");
    assert_eq!(resumed.len(), 1, "the redriven execution is running");
    assert_eq!(until_done(&engine, &arn).await, Status::Succeeded);
    assert_eq!(
        item_numbers(world.take_calls()),
        vec![json!(2)],
        "item 2 ran once more, not again after the crash"
    );
    let events = history(&engine, &arn).await;
    assert_chained(&events);
    assert_eq!(of_type(&events, "MapRunRedriven"), 1);
    assert_eq!(of_type(&events, "MapRunStarted"), 1);
    let child = history(&engine, &second).await;
    assert_chained(&child);
    assert_eq!(of_type(&child, "ExecutionRedriven"), 1);
    assert_eq!(of_type(&child, "WaitStateEntered"), 1);
    assert_eq!(of_type(&child, "ExecutionSucceeded"), 1);
    let record = engine.describe_execution(&arn).await.unwrap().unwrap();
    let output: Value = serde_json::from_str(record.output.as_deref().unwrap()).unwrap();
    assert_eq!(
        output,
        json!([{"fixed": {"n": 1, "fine": true}}, {"fixed": {"n": 2}}])
    );
}

#[tokio::test]
async fn iterations_a_failed_map_had_tolerated_run_again_too() {
    let dir = temp_dir("tolerated");
    let world = World::broken();
    let engine = open(&dir.join("store.db"), &world).await;
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemsPath": "$.items", "MaxConcurrency": 1, "ToleratedFailureCount": 1,
        "ItemProcessor": {"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": FLAKY, "End": true}}}}}});
    let items = json!({"items": [{"n": 1}, {"n": 2, "fine": true}, {"n": 3}]});
    let arn = start(&engine, "tolerated", &definition, items).await;
    assert_eq!(until_done(&engine, &arn).await, Status::Failed);
    let seen: Vec<Value> = world
        .take_calls()
        .into_iter()
        .map(|(_, i)| i["n"].clone())
        .collect();
    assert_eq!(
        seen,
        vec![json!(1), json!(2), json!(3)],
        "the second failure breaks the tolerance"
    );

    world.repair();
    engine.redrive_execution(&arn).await.expect("redrivable");
    assert_eq!(until_done(&engine, &arn).await, Status::Succeeded);
    let seen: Vec<Value> = world
        .take_calls()
        .into_iter()
        .map(|(_, i)| i["n"].clone())
        .collect();
    assert_eq!(
        seen,
        vec![json!(1), json!(3)],
        "both failed iterations run again, not item 2"
    );
    let record = engine.describe_execution(&arn).await.unwrap().unwrap();
    let output: Value = serde_json::from_str(record.output.as_deref().unwrap()).unwrap();
    let ns: Vec<Value> = output
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fixed"]["n"].clone())
        .collect();
    assert_eq!(ns, vec![json!(1), json!(2), json!(3)], "{output}");
}

#[tokio::test]
async fn an_execution_at_the_history_limit_is_not_redriven() {
    let dir = temp_dir("limit");
    let world = World::default();
    let engine = open(&dir.join("store.db"), &world).await;
    // A loop of four events a turn, all in one transition, until the 25,000-event limit.
    let forever = json!({"StartAt": "Inc", "States": {
        "Inc": {"Type": "Pass", "Next": "Loop"},
        "Loop": {"Type": "Choice", "Choices": [
            {"Variable": "$.stop", "IsPresent": true, "Next": "End"}], "Default": "Inc"},
        "End": {"Type": "Succeed"}}});
    let arn = start(&engine, "forever", &forever, json!({})).await;
    assert_eq!(until_done(&engine, &arn).await, Status::Failed);
    let record = engine.describe_execution(&arn).await.unwrap().unwrap();
    assert_eq!(record.error.as_deref(), Some("States.Runtime"));
    let refused = engine.redrive_execution(&arn).await;
    assert!(
        matches!(&refused, Err(EngineError::ExecutionNotRedrivable { reason, .. }) if reason == "Execution history event limit exceeded"),
        "{refused:?}"
    );
}
