//! `states:startExecution`: nested executions on the engine itself.

mod common;

use common::{engine, machine};
use serde_json::{json, Value};
use sfn_runtime::history::EventType;
use sfn_runtime::{Engine, ExecutionConfig, Resources, Status};

const CHILD: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:child";

fn parent(resource: &str) -> Value {
    json!({"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": resource,
        "Parameters": {"StateMachineArn": CHILD, "Input.$": "$"}, "End": true}}})
}

fn with_child(child: Value) -> Engine {
    let engine = engine(Resources::new());
    engine.register_state_machine(CHILD, machine(child));
    engine
}

async fn run_parent(engine: &Engine, resource: &str, input: Value) -> sfn_runtime::ExecutionResult {
    engine
        .start_sync_execution(
            machine(parent(resource)),
            input,
            ExecutionConfig::new("parent", "p"),
        )
        .await
}

#[tokio::test(start_paused = true)]
async fn sync_returns_the_description_with_text_fields() {
    let engine = with_child(
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"got.$": "$.x"}, "End": true}}}),
    );
    let result = run_parent(
        &engine,
        "arn:aws:states:::states:startExecution.sync",
        json!({"x": 1}),
    )
    .await;
    let out = result.outcome.output.expect("output");
    assert_eq!(out["Status"], "SUCCEEDED");
    assert_eq!(out["Output"], "{\"got\":1}");
    assert_eq!(out["Input"], "{\"x\":1}");
    assert_eq!(out["StateMachineArn"], CHILD);
}

#[tokio::test(start_paused = true)]
async fn sync_records_the_submission_before_the_result() {
    let engine = with_child(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": true}}}),
    );
    let result = run_parent(
        &engine,
        "arn:aws:states:::states:startExecution.sync:2",
        json!({}),
    )
    .await;
    let types: Vec<EventType> = result.history.iter().map(|e| e.event_type).collect();
    assert_eq!(
        types,
        vec![
            EventType::ExecutionStarted,
            EventType::TaskStateEntered,
            EventType::TaskScheduled,
            EventType::TaskStarted,
            EventType::TaskSubmitted,
            EventType::TaskSucceeded,
            EventType::TaskStateExited,
            EventType::ExecutionSucceeded,
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn sync2_returns_parsed_fields() {
    let engine = with_child(
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": [1, 2], "End": true}}}),
    );
    let result = run_parent(
        &engine,
        "arn:aws:states:::states:startExecution.sync:2",
        json!({}),
    )
    .await;
    assert_eq!(
        result.outcome.output.map(|o| o["Output"].clone()),
        Some(json!([1, 2]))
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_child_fails_the_task_with_its_description() {
    let engine = with_child(
        json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "ChildError", "Cause": "bad"}}}),
    );
    let result = run_parent(
        &engine,
        "arn:aws:states:::states:startExecution.sync",
        json!({}),
    )
    .await;
    assert_eq!(result.outcome.status, Status::Failed);
    assert_eq!(result.outcome.error.as_deref(), Some("States.TaskFailed"));
    let cause: Value =
        serde_json::from_str(result.outcome.cause.as_deref().unwrap_or("")).expect("json cause");
    assert_eq!(cause["Status"], "FAILED");
    assert_eq!(cause["Error"], "ChildError");
    assert_eq!(cause["Cause"], "bad");
}

#[tokio::test(start_paused = true)]
async fn request_response_only_starts_the_child() {
    let engine = with_child(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": true}}}),
    );
    let result = run_parent(&engine, "arn:aws:states:::states:startExecution", json!({})).await;
    let out = result.outcome.output.expect("output");
    assert!(out["ExecutionArn"]
        .as_str()
        .is_some_and(|a| a.contains(":execution:child:")));
    assert!(out.get("Status").is_none());
}

#[tokio::test(start_paused = true)]
async fn an_unknown_machine_is_a_task_failure() {
    let engine = engine(Resources::new());
    let result = run_parent(
        &engine,
        "arn:aws:states:::states:startExecution.sync",
        json!({}),
    )
    .await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("StepFunctions.StateMachineDoesNotExistException")
    );
}

/// A version or alias ARN starts machine `child`: its executions are `…:execution:child:<name>`
/// and the child sees its own name without the qualifier.
#[tokio::test(start_paused = true)]
async fn version_and_alias_arns_run_the_named_machine() {
    for qualified in [format!("{CHILD}:1"), format!("{CHILD}:PROD")] {
        let engine = engine(Resources::new());
        engine.register_state_machine(
            &qualified,
            machine(json!({"StartAt": "P", "States": {"P": {"Type": "Pass",
                "Parameters": {"name.$": "$$.StateMachine.Name", "id.$": "$$.Execution.Id"},
                "End": true}}})),
        );
        let parent = json!({"StartAt": "Call", "States": {"Call": {"Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {"StateMachineArn": qualified, "Name": "run-1"}, "End": true}}});
        let result = engine
            .start_sync_execution(
                machine(parent),
                json!({}),
                ExecutionConfig::new("parent", "p"),
            )
            .await;
        let out = result.outcome.output.expect("output");
        let exec = "arn:aws:states:us-east-1:123456789012:execution:child:run-1";
        assert_eq!(out["ExecutionArn"], exec, "{qualified}");
        assert_eq!(out["Output"]["name"], "child", "{qualified}");
        assert_eq!(out["Output"]["id"], exec, "{qualified}");
    }
}
