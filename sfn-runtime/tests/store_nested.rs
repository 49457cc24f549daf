//! Nested executions of persisted Standard executions: a `states:startExecution.sync:2` task
//! starts its child as a persisted execution of its own, which survives a restart, and whose end
//! reaches the waiting parent even when the process stopped in between. An engine "crashes"
//! with [`Engine::halt`]; the windows between the child's and the parent's commits are built in
//! the store directly, as a crash would leave them.

#[path = "store_support/mod.rs"]
mod store_support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use sfn_runtime::execution::Command;
use sfn_runtime::store::sqlite::SqliteStore;
use sfn_runtime::store::{
    Durability, ExecutionQuery, ExecutionRecord, HistoryQuery, ParentLink, StateMachineRecord,
    Store, Transition,
};
use sfn_runtime::{Engine, Event, Execution, ExecutionConfig, Resources, Status, TaskError};
use store_support::{temp_dir, until};
use tokio::sync::mpsc;

const CALLBACK: &str = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";
const ACCOUNT: &str = "arn:aws:states:us-east-1:123456789012";

/// The child waits for a token, then returns the answer.
fn child_definition() -> String {
    json!({"StartAt": "Ask", "States": {
        "Ask": {"Type": "Task", "Resource": CALLBACK,
            "Parameters": {"token.$": "$$.Task.Token", "input.$": "$"}, "End": true}}})
    .to_string()
}

/// The parent runs the child (`.sync:2`) and returns its output; `name`: the child's `Name`.
fn parent_definition(name: Option<&str>) -> String {
    let mut parameters = json!({"StateMachineArn": format!("{ACCOUNT}:stateMachine:child"),
        "Input.$": "$"});
    if let Some(name) = name {
        parameters["Name"] = json!(name);
    }
    json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": parameters, "OutputPath": "$.Output", "End": true}}})
    .to_string()
}

fn resources(tokens: mpsc::UnboundedSender<String>) -> Resources {
    let mut r = Resources::new();
    r.register(CALLBACK, move |req| {
        let _ = tokens.send(req.token.clone().unwrap_or_default());
        async { Ok::<_, TaskError>(json!({"MessageId": "m-1"})) }
    });
    r
}

/// The system clock, ms since the epoch (a stored execution a year old times out on its resume).
fn system_ms() -> u64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map_or(0, |d| d.as_millis() as u64)
}

type Tokens = mpsc::UnboundedReceiver<String>;

async fn open(path: &Path, park_after: Option<Duration>) -> (Engine, Tokens) {
    let (tx, rx) = mpsc::unbounded_channel();
    let store = SqliteStore::open(path, Durability::Process).expect("the store opens");
    let engine = Engine::new(resources(tx))
        .with_park_after(park_after)
        .with_store(store);
    engine.recover().await.expect("recovers");
    (engine, rx)
}

async fn record(engine: &Engine, arn: &str) -> ExecutionRecord {
    let record = engine.describe_execution(arn).await.expect("readable");
    record.expect("stored")
}

async fn types(engine: &Engine, arn: &str) -> Vec<String> {
    let page = engine
        .get_execution_history(arn, HistoryQuery::default())
        .await
        .expect("readable");
    let ty = |e: &Value| e["type"].as_str().unwrap_or_default().to_owned();
    page.items.iter().map(ty).collect()
}

/// The child machine's executions.
async fn children(engine: &Engine) -> Vec<ExecutionRecord> {
    let query = ExecutionQuery {
        state_machine_arn: Some(format!("{ACCOUNT}:stateMachine:child")),
        ..ExecutionQuery::default()
    };
    engine.list_executions(query).await.expect("listed").items
}

/// Waits until the parent ended; its record.
async fn ended(engine: &Engine, arn: &str) -> ExecutionRecord {
    until("the parent ends", async || {
        record(engine, arn).await.status != Status::Running
    })
    .await;
    record(engine, arn).await
}

async fn machines(engine: &Engine, child_name: Option<&str>) -> String {
    engine
        .create_state_machine("child", &child_definition())
        .await
        .expect("child machine");
    engine
        .create_state_machine("parent", &parent_definition(child_name))
        .await
        .expect("parent machine")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_child_survives_a_restart_and_its_end_completes_the_parent() {
    let dir = temp_dir("nested", "restart");
    let path = dir.join("store.db");
    let (engine, mut tokens) = open(&path, None).await;
    let parent = machines(&engine, None).await;
    let started = engine
        .start_standard_execution(&parent, "p-1", json!({"order": 7}))
        .await
        .expect("starts");
    let token = tokens.recv().await.expect("the child asks");
    let child = children(&engine).await.remove(0);
    until("the child's task is submitted", async || {
        types(&engine, &child.arn)
            .await
            .contains(&"TaskSubmitted".to_owned())
    })
    .await;
    let link = child.parent.clone().expect("the child knows its parent");
    assert_eq!(link.execution_arn, started.execution_arn);
    assert!(link.waits, "a .sync task waits for its child");
    engine.halt();
    drop(engine);

    let (engine, _tokens) = open(&path, None).await;
    engine
        .send_task_success(&token, json!({"approved": true}))
        .await
        .expect("the child's token is answered after the restart");
    let parent_record = ended(&engine, &started.execution_arn).await;
    assert_eq!(parent_record.status, Status::Succeeded);
    let output: Value = serde_json::from_str(parent_record.output.as_deref().unwrap_or("null"))
        .expect("JSON output");
    assert_eq!(output, json!({"approved": true}));
    let all = children(&engine).await;
    assert_eq!(
        all.len(),
        1,
        "one child, not a second one after the restart"
    );
    assert_eq!(all[0].status, Status::Succeeded);
    let history = types(&engine, &started.execution_arn).await;
    let count = |t: &str| history.iter().filter(|h| *h == t).count();
    assert_eq!(count("TaskSubmitted"), 1, "{history:?}");
    assert_eq!(count("TaskSucceeded"), 1, "{history:?}");
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parent_waiting_for_its_child_leaves_memory() {
    let dir = temp_dir("nested", "park");
    let path = dir.join("store.db");
    let (engine, mut tokens) = open(&path, Some(Duration::ZERO)).await;
    let parent = machines(&engine, None).await;
    let started = engine
        .start_standard_execution(&parent, "p-1", json!({"order": 8}))
        .await
        .expect("starts");
    let token = tokens.recv().await.expect("the child asks");
    until("parent and child wait in the store", async || {
        engine.executions_in_memory() == 0
    })
    .await;
    engine
        .send_task_success(&token, json!({"approved": false}))
        .await
        .expect("answered");
    let parent_record = ended(&engine, &started.execution_arn).await;
    assert_eq!(parent_record.status, Status::Succeeded);
    assert_eq!(
        parent_record.output.as_deref(),
        Some(r#"{"approved":false}"#)
    );
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_parent_stops_its_sync_child() {
    let dir = temp_dir("nested", "stop");
    let path = dir.join("store.db");
    let (engine, mut tokens) = open(&path, None).await;
    let parent = machines(&engine, None).await;
    let started = engine
        .start_standard_execution(&parent, "p-1", json!({}))
        .await
        .expect("starts");
    tokens.recv().await.expect("the child asks");
    let child = children(&engine).await.remove(0);
    engine
        .stop_execution(&started.execution_arn, Some("Halt".into()), None)
        .await
        .expect("stopped");
    until("the child is aborted", async || {
        record(&engine, &child.arn).await.status == Status::Aborted
    })
    .await;
    assert_eq!(
        record(&engine, &started.execution_arn).await.status,
        Status::Aborted
    );
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_name_taken_by_another_execution_fails_the_task() {
    let dir = temp_dir("nested", "taken");
    let path = dir.join("store.db");
    let (engine, _tokens) = open(&path, None).await;
    let parent = machines(&engine, Some("taken")).await;
    let child_machine = format!("{ACCOUNT}:stateMachine:child");
    engine
        .start_standard_execution(&child_machine, "taken", json!({"other": true}))
        .await
        .expect("the name is taken");
    let started = engine
        .start_standard_execution(&parent, "p-1", json!({}))
        .await
        .expect("starts");
    let parent_record = ended(&engine, &started.execution_arn).await;
    assert_eq!(parent_record.status, Status::Failed);
    assert_eq!(
        parent_record.error.as_deref(),
        Some("StepFunctions.ExecutionAlreadyExistsException")
    );
    assert_eq!(
        parent_record.cause.as_deref(),
        Some(format!("Execution Already Exists: '{ACCOUNT}:execution:child:taken'").as_str())
    );
    assert_eq!(children(&engine).await.len(), 1);
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A store as a crash leaves it: the parent's journal holds `events` (its start first), and
/// the child its task started is stored with `child_status` (and `child_output`), its own
/// journal empty. Returns the parent's ARN and the child's ARN.
fn crashed_store(
    path: &Path,
    events: impl Fn(u64) -> Vec<Event>,
    child_status: Status,
    child_output: Option<&str>,
) -> (String, String) {
    let mut store = SqliteStore::open(path, Durability::Full).expect("the store opens");
    for (name, definition) in [
        ("child", child_definition()),
        ("parent", parent_definition(None)),
    ] {
        store
            .put_state_machine(&StateMachineRecord {
                arn: format!("{ACCOUNT}:stateMachine:{name}"),
                name: name.into(),
                kind: "STANDARD".into(),
                definition,
                role_arn: None,
                created_ms: 1,
            })
            .expect("stored");
    }
    let machine = Arc::new(sfn_asl::parse(&parent_definition(None)).expect("parses"));
    let config = ExecutionConfig::new("parent", "p-1");
    let parent_arn = config.execution_arn.clone();
    let mut exec = Execution::new(machine, config);
    let now = system_ms();
    let start = Event::Started {
        input: json!({"order": 9}),
        now,
    };
    let step = exec.handle(start.clone());
    let request = step
        .commands
        .iter()
        .find_map(|c| match c {
            Command::StartExecution(r) => Some(r.clone()),
            _ => None,
        })
        .expect("the parent starts its child");
    let task_id = request.task.task_id;
    let mut journal = vec![start];
    journal.extend(events(task_id.0).into_iter().skip(1));
    let mut history = step.events.clone();
    for event in journal.iter().skip(1) {
        history.extend(exec.handle(event.clone()).events);
    }
    let base = ExecutionRecord {
        arn: parent_arn.clone(),
        name: "p-1".into(),
        state_machine_arn: format!("{ACCOUNT}:stateMachine:parent"),
        status: Status::Running,
        input: r#"{"order":9}"#.into(),
        output: None,
        error: None,
        cause: None,
        started_ms: now,
        stopped_ms: None,
        redrive_count: 0,
        redrive_ms: None,
        parent: None,
        map_run_arn: None,
    };
    store.create_execution(&base).expect("parent stored");
    store
        .commit(&[Transition {
            execution_arn: parent_arn.clone(),
            first_event: 0,
            journal: journal
                .iter()
                .map(|e| serde_json::to_string(e).expect("serializes"))
                .collect(),
            history: history
                .iter()
                .map(|e| (e.id, e.to_aws_json().to_string()))
                .collect(),
            ..Transition::default()
        }])
        .expect("parent's journal stored");
    let child = ExecutionRecord {
        arn: request.execution_arn.clone(),
        name: request.name.clone(),
        state_machine_arn: format!("{ACCOUNT}:stateMachine:child"),
        status: child_status,
        input: r#"{"order":9}"#.into(),
        output: child_output.map(str::to_owned),
        stopped_ms: (child_status != Status::Running).then_some(now + 5),
        parent: Some(ParentLink {
            execution_arn: parent_arn.clone(),
            task_id: task_id.0,
            waits: true,
        }),
        ..base
    };
    store.create_execution(&child).expect("child stored");
    (parent_arn, request.execution_arn)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parent_that_stored_its_child_but_not_its_start_finds_that_child() {
    let dir = temp_dir("nested", "window-start");
    let path = dir.join("store.db");
    let only_start = |_| {
        vec![Event::Started {
            input: Value::Null,
            now: 0,
        }]
    };
    let (parent, child) = crashed_store(&path, only_start, Status::Running, None);
    let (engine, mut tokens) = open(&path, None).await;
    let token = tokens.recv().await.expect("the stored child runs");
    engine
        .send_task_success(&token, json!({"found": 1}))
        .await
        .expect("answered");
    let parent_record = ended(&engine, &parent).await;
    assert_eq!(parent_record.status, Status::Succeeded);
    assert_eq!(parent_record.output.as_deref(), Some(r#"{"found":1}"#));
    let all = children(&engine).await;
    assert_eq!(
        all.len(),
        1,
        "the task found its child rather than start one"
    );
    assert_eq!(all[0].arn, child);
    let child_history = types(&engine, &child).await;
    assert_eq!(
        child_history
            .iter()
            .filter(|t| *t == "ExecutionStarted")
            .count(),
        1
    );
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_that_ended_before_its_parent_learned_of_its_start_completes_the_task() {
    let dir = temp_dir("nested", "window-ended");
    let path = dir.join("store.db");
    let only_start = |_| {
        vec![Event::Started {
            input: Value::Null,
            now: 0,
        }]
    };
    let (parent, _) = crashed_store(&path, only_start, Status::Succeeded, Some(r#"{"early":2}"#));
    let (engine, _tokens) = open(&path, None).await;
    let parent_record = ended(&engine, &parent).await;
    assert_eq!(parent_record.status, Status::Succeeded);
    assert_eq!(parent_record.output.as_deref(), Some(r#"{"early":2}"#));
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_end_not_told_before_a_crash_is_told_by_the_next_engine() {
    let dir = temp_dir("nested", "window-told");
    let path = dir.join("store.db");
    let started_child = |task_id| {
        vec![
            Event::Started {
                input: Value::Null,
                now: 0,
            },
            Event::ChildStarted {
                task_id: sfn_runtime::execution::TaskId(task_id),
                now: system_ms(),
            },
        ]
    };
    let (parent, _) = crashed_store(
        &path,
        started_child,
        Status::Succeeded,
        Some(r#"{"late":3}"#),
    );
    let (engine, _tokens) = open(&path, None).await;
    let parent_record = ended(&engine, &parent).await;
    assert_eq!(parent_record.status, Status::Succeeded);
    assert_eq!(parent_record.output.as_deref(), Some(r#"{"late":3}"#));
    let history = types(&engine, &parent).await;
    assert_eq!(
        history.iter().filter(|t| *t == "TaskSucceeded").count(),
        1,
        "{history:?}"
    );
    // Settled: the next engine has nobody to tell.
    let reader = SqliteStore::open(&path, Durability::Full).expect("a second connection");
    assert!(reader.unsettled_children().expect("readable").is_empty());
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A distributed Map whose Standard children each wait for a token.
fn map_definition() -> String {
    json!({"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Ask", "States": {"Ask": {"Type": "Task", "Resource": CALLBACK,
                "Parameters": {"token.$": "$$.Task.Token", "item.$": "$"}, "End": true}}},
        "End": true}}})
    .to_string()
}

/// The Map Run's ARN, from the parent's `MapRunStarted`.
async fn map_run_arn(engine: &Engine, arn: &str) -> String {
    let page = engine
        .get_execution_history(arn, HistoryQuery::default())
        .await
        .expect("readable");
    let started = page.items.iter().find(|e| e["type"] == "MapRunStarted");
    let started = started.expect("a Map Run started");
    started["mapRunStartedEventDetails"]["mapRunArn"]
        .as_str()
        .expect("an ARN")
        .to_owned()
}

async fn map_children(engine: &Engine, map_run: &str) -> Vec<ExecutionRecord> {
    let query = ExecutionQuery {
        map_run_arn: Some(map_run.to_owned()),
        ..ExecutionQuery::default()
    };
    engine.list_executions(query).await.expect("listed").items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_map_children_are_stored_with_their_histories_across_a_restart() {
    let dir = temp_dir("nested", "map");
    let path = dir.join("store.db");
    let (engine, mut tokens) = open(&path, None).await;
    let machine = engine
        .create_state_machine("fan", &map_definition())
        .await
        .expect("created");
    let started = engine
        .start_standard_execution(&machine, "f-1", json!({"items": [1, 2, 3]}))
        .await
        .expect("starts");
    for _ in 0..3 {
        tokens.recv().await.expect("each child asks");
    }
    let map_run = map_run_arn(&engine, &started.execution_arn).await;
    until("the children's tasks are submitted", async || {
        let children = map_children(&engine, &map_run).await;
        let mut submitted = 0;
        for c in &children {
            submitted += usize::from(
                types(&engine, &c.arn)
                    .await
                    .contains(&"TaskSubmitted".into()),
            );
        }
        submitted == 3
    })
    .await;
    engine.halt();
    drop(engine);

    let (engine, mut tokens) = open(&path, None).await;
    let children = map_children(&engine, &map_run).await;
    assert_eq!(children.len(), 3);
    for child in &children {
        assert_eq!(child.status, Status::Running, "{child:?}");
        assert_eq!(child.map_run_arn.as_deref(), Some(map_run.as_str()));
        assert!(
            child.state_machine_arn.ends_with(":stateMachine:fan/Each"),
            "{child:?}"
        );
        let stop = engine.stop_execution(&child.arn, None, None).await;
        assert!(
            matches!(stop, Err(sfn_runtime::EngineError::InvalidArn { .. })),
            "a child stops with its parent: {stop:?}"
        );
    }
    // The top-level listing leaves Map Run children out.
    let top = engine
        .list_executions(ExecutionQuery::default())
        .await
        .expect("listed");
    assert_eq!(top.items.len(), 1);
    // The children's tokens were issued before the restart; the handler ran once each.
    assert!(tokens.try_recv().is_err(), "no child task ran again");
    for child in &children {
        let page = engine
            .get_execution_history(&child.arn, HistoryQuery::default())
            .await
            .expect("readable");
        let token = page
            .items
            .iter()
            .find(|e| e["type"] == "TaskScheduled")
            .and_then(|e| e["taskScheduledEventDetails"]["parameters"].as_str())
            .and_then(|p| serde_json::from_str::<Value>(p).ok())
            .and_then(|p| p["token"].as_str().map(str::to_owned))
            .expect("the child's token is in its history");
        let item = serde_json::from_str::<Value>(&child.input).expect("JSON input");
        engine
            .send_task_success(&token, json!({"done": item}))
            .await
            .expect("answered");
    }
    let parent = ended(&engine, &started.execution_arn).await;
    assert_eq!(parent.status, Status::Succeeded);
    assert_eq!(
        parent.output.as_deref(),
        Some(r#"[{"done":1},{"done":2},{"done":3}]"#)
    );
    for child in map_children(&engine, &map_run).await {
        assert_eq!(child.status, Status::Succeeded);
        let output: Value =
            serde_json::from_str(child.output.as_deref().unwrap_or("null")).expect("JSON");
        let input: Value = serde_json::from_str(&child.input).expect("JSON");
        assert_eq!(output, json!({"done": input}));
        let page = engine
            .get_execution_history(&child.arn, HistoryQuery::default())
            .await
            .expect("readable");
        let ids: Vec<u64> = page.items.iter().filter_map(|e| e["id"].as_u64()).collect();
        assert_eq!(
            ids,
            (1..=ids.len() as u64).collect::<Vec<_>>(),
            "no gap, no repeat"
        );
        let history = types(&engine, &child.arn).await;
        assert_eq!(
            history.first().map(String::as_str),
            Some("ExecutionStarted")
        );
        assert_eq!(
            history.last().map(String::as_str),
            Some("ExecutionSucceeded")
        );
        assert_eq!(history.iter().filter(|t| *t == "TaskScheduled").count(), 1);
    }
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}
