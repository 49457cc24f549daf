//! `states:startExecution` when the child state machine is not registered with the engine: the
//! child runs on Step Functions (here a local moto server, which `scripts/moto.sh` installs
//! from PyPI). moto keeps an execution `RUNNING` until it is stopped (it does not run the
//! definition), so the `.sync` poll loop is driven to its end by stopping the child through
//! moto's own `StopExecution`, and a task that times out is seen stopping its child.
#![cfg(feature = "aws")]

#[path = "moto/mod.rs"]
mod moto;
#[path = "outcome/mod.rs"]
mod outcome;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use sfn_runtime::aws::AwsClients;
use sfn_runtime::{Engine, ExecutionConfig, ExecutionResult, Resources};

use moto::{Moto, ACCOUNT};
use outcome::{failure, output};

fn engine(clients: &AwsClients) -> Engine {
    let mut resources = Resources::new();
    resources.set_aws(clients.clone());
    Engine::new(resources)
}

fn machine(definition: &Value) -> Arc<sfn_asl::StateMachine> {
    match sfn_asl::parse(&definition.to_string()) {
        Ok(m) => Arc::new(m),
        Err(e) => panic!("definition rejected: {e:?}"),
    }
}

async fn run(engine: &Engine, definition: &Value, input: Value) -> ExecutionResult {
    engine
        .start_sync_execution(machine(definition), input, ExecutionConfig::new("m", "run"))
        .await
}

/// One Task state: `resource` with `parameters`, and the state's extra `fields`.
fn task(resource: &str, parameters: Value, fields: Value) -> Value {
    let mut state = json!({"Type": "Task", "Resource": resource, "Parameters": parameters,
        "End": true});
    if let (Some(s), Some(extra)) = (state.as_object_mut(), fields.as_object()) {
        s.extend(extra.clone());
    }
    json!({"StartAt": "T", "States": {"T": state}})
}

fn sdk(action: &str) -> String {
    format!("arn:aws:states:::aws-sdk:sfn:{action}")
}

/// Runs `aws-sdk:sfn:<action>` with `parameters` on moto; its result.
async fn sfn(engine: &Engine, action: &str, parameters: Value) -> Value {
    let r = run(
        engine,
        &task(&sdk(action), parameters, json!({})),
        json!({}),
    )
    .await;
    output(&r).unwrap_or_else(|e| panic!("sfn:{action}: {e}"))
}

/// A moto server, clients for it, and the ARN of a child state machine created on it (one Pass
/// state: moto keeps its executions running until they are stopped).
async fn moto_with_child() -> (Moto, AwsClients, String) {
    let moto = match Moto::start() {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let clients = AwsClients::from_config(moto::sdk_config(&moto.endpoint));
    let child = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    let created = sfn(
        &engine(&clients),
        "createStateMachine",
        json!({"Name": "child", "Definition": child.to_string(),
            "RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/sfn")}),
    )
    .await;
    let child_arn = created["StateMachineArn"]
        .as_str()
        .expect("an ARN")
        .to_owned();
    (moto, clients, child_arn)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_execution_runs_the_child_on_step_functions() {
    let (moto, clients, child_arn) = moto_with_child().await;
    let engine = engine(&clients);

    // Request-response: StartExecution's answer with its metadata blocks.
    let r = run(
        &engine,
        &task(
            "arn:aws:states:::states:startExecution",
            json!({"StateMachineArn": child_arn, "Name": "rr", "Input": {"a": 1}}),
            json!({}),
        ),
        json!({}),
    )
    .await;
    let out = output(&r).unwrap_or_else(|e| panic!("request-response: {e}"));
    let rr_arn = format!("arn:aws:states:us-east-1:{ACCOUNT}:execution:child:rr");
    assert_eq!(out["ExecutionArn"], rr_arn.as_str());
    assert!(
        out["StartDate"]
            .as_i64()
            .is_some_and(|ms| ms > 1_600_000_000_000),
        "{out}"
    );
    assert_eq!(out["SdkHttpMetadata"]["HttpStatusCode"], 200);
    assert!(out["SdkResponseMetadata"]["RequestId"].is_string(), "{out}");
    // The input reached Step Functions as JSON text.
    let described = sfn(
        &engine,
        "describeExecution",
        json!({"ExecutionArn": rr_arn}),
    )
    .await;
    assert_eq!(described["Input"], r#"{"a":1}"#);

    // `.sync:2`: the submission, then the child described until it ends; stopped from outside,
    // it fails the task with its description.
    let parent = task(
        "arn:aws:states:::states:startExecution.sync:2",
        json!({"StateMachineArn": child_arn, "Name": "synced", "Input": {"b": 2}}),
        json!({}),
    );
    let handle =
        engine.start_execution(machine(&parent), json!({}), ExecutionConfig::new("m", "p"));
    let synced = format!("arn:aws:states:us-east-1:{ACCOUNT}:execution:child:synced");
    let mut running = false;
    for _ in 0..200 {
        let d = run(
            &engine,
            &task(
                &sdk("describeExecution"),
                json!({"ExecutionArn": synced}),
                json!({}),
            ),
            json!({}),
        )
        .await;
        if output(&d).is_ok_and(|o| o["Status"] == "RUNNING") {
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(running, "the .sync child started on Step Functions");
    sfn(
        &engine,
        "stopExecution",
        json!({"ExecutionArn": synced, "Error": "Halt", "Cause": "from outside"}),
    )
    .await;
    let r = handle.result().await.expect("the parent ends");
    let (error, cause) = failure(&r);
    assert_eq!(error, "States.TaskFailed");
    let description: Value = serde_json::from_str(&cause).expect("the description as cause");
    assert_eq!(description["Status"], "ABORTED");
    assert_eq!(description["ExecutionArn"], synced.as_str());
    assert_eq!(
        description["Input"],
        json!({"b": 2}),
        ".sync:2 parses the input"
    );
    assert!(description["StopDate"].as_i64().is_some(), "{description}");
    let types: Vec<&str> = r.history.iter().map(|e| e.event_type.as_str()).collect();
    let at = |t: &str| types.iter().position(|x| *x == t);
    assert!(
        at("TaskSubmitted").is_some_and(|s| Some(s) < at("TaskFailed")),
        "{types:?}"
    );

    // A `.sync` task that times out stops its child.
    let parent = task(
        "arn:aws:states:::states:startExecution.sync",
        json!({"StateMachineArn": child_arn, "Name": "late"}),
        json!({"TimeoutSeconds": 2}),
    );
    let r = run(&engine, &parent, json!({})).await;
    let (error, _) = failure(&r);
    assert_eq!(error, "States.Timeout");
    let late = format!("arn:aws:states:us-east-1:{ACCOUNT}:execution:child:late");
    let mut aborted = false;
    for _ in 0..200 {
        let d = sfn(&engine, "describeExecution", json!({"ExecutionArn": late})).await;
        if d["Status"] == "ABORTED" {
            aborted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(aborted, "the timed-out task stopped its child");

    // An unknown state machine: Step Functions' own error, as the optimized integration names it.
    let missing = format!("arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:nothing");
    let r = run(
        &engine,
        &task(
            "arn:aws:states:::states:startExecution",
            json!({"StateMachineArn": missing}),
            json!({}),
        ),
        json!({}),
    )
    .await;
    let (error, cause) = failure(&r);
    assert_eq!(
        error, "StepFunctions.StateMachineDoesNotExistException",
        "{cause}"
    );
    assert!(
        cause.contains("Service: AWSStepFunctions; Status Code: 400"),
        "{cause}"
    );
    drop(moto);
}

/// A persisted parent resumed after its engine stopped follows the child it started on Step
/// Functions (the child has no `Name`, so a second start would be a second execution).
#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_parent_follows_its_child_on_step_functions() {
    use sfn_runtime::store::{sqlite::SqliteStore, Durability, HistoryQuery};
    let (moto, clients, child_arn) = moto_with_child().await;
    let plain = engine(&clients);
    let dir = std::env::temp_dir().join(format!("sfn-aws-states-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let path = dir.join("store.db");
    let open = || {
        let store = SqliteStore::open(&path, Durability::Process).expect("the store opens");
        engine(&clients).with_store(store)
    };
    let first = open();
    first.recover().await.expect("recovers");
    let parent = task(
        "arn:aws:states:::states:startExecution.sync",
        json!({"StateMachineArn": child_arn}),
        json!({}),
    );
    let arn = first
        .create_state_machine("parent", &parent.to_string())
        .await
        .expect("created");
    let started = first
        .start_standard_execution(&arn, "p-1", json!({}))
        .await
        .expect("starts");
    let mut submitted = None;
    for _ in 0..400 {
        let page = first
            .get_execution_history(&started.execution_arn, HistoryQuery::default())
            .await
            .expect("readable");
        submitted = page
            .items
            .iter()
            .find(|e| e["type"] == "TaskSubmitted")
            .and_then(|e| e["taskSubmittedEventDetails"]["output"].as_str())
            .and_then(|o| serde_json::from_str::<Value>(o).ok());
        if submitted.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let submitted = submitted.expect("the child's start is recorded");
    let child_execution = submitted["ExecutionArn"]
        .as_str()
        .expect("an ARN")
        .to_owned();
    first.halt();
    drop(first);

    let second = open();
    let mut resumed = second.recover().await.expect("recovers");
    assert_eq!(resumed.len(), 1);
    sfn(
        &plain,
        "stopExecution",
        json!({"ExecutionArn": child_execution, "Error": "Halt"}),
    )
    .await;
    let ends = tokio::time::timeout(Duration::from_secs(60), resumed.remove(0).result());
    let r = ends
        .await
        .expect("the resumed task follows its child")
        .expect("ends");
    let (error, cause) = failure(&r);
    assert_eq!(error, "States.TaskFailed");
    let description: Value = serde_json::from_str(&cause).expect("the description");
    assert_eq!(description["ExecutionArn"], child_execution.as_str());
    assert_eq!(description["Status"], "ABORTED");
    let listed = sfn(
        &plain,
        "listExecutions",
        json!({"StateMachineArn": child_arn}),
    )
    .await;
    let count = listed["Executions"].as_array().map_or(0, Vec::len);
    assert_eq!(
        count, 1,
        "one child, not a second one after the restart: {listed}"
    );
    drop(second);
    let _ = std::fs::remove_dir_all(&dir);
    drop(moto);
}
