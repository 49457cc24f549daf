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
    // The answer as the Java SDK object Step Functions returns: the HTTP metadata of
    // `StartExecution`'s JSON answer, whose length it gives.
    let meta = &out["SdkHttpMetadata"];
    assert_eq!(meta["HttpStatusCode"], 200);
    let id = out["SdkResponseMetadata"]["RequestId"]
        .as_str()
        .expect("an id");
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(meta["HttpHeaders"]["x-amzn-RequestId"], id);
    assert_eq!(meta["AllHttpHeaders"]["x-amzn-RequestId"], json!([id]));
    assert_eq!(
        meta["HttpHeaders"]["Content-Type"],
        "application/x-amz-json-1.0"
    );
    let body = format!(
        r#"{{"executionArn":"{}","startDate":{}}}"#,
        out["ExecutionArn"].as_str().unwrap_or_default(),
        "1.7040672E9"
    );
    assert_eq!(
        meta["HttpHeaders"]["Content-Length"],
        body.len().to_string()
    );
    assert_eq!(meta["HttpHeaders"]["Date"], "Mon, 01 Jan 2024 00:00:00 GMT");
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

/// Every child execution's end, as its driver reports it.
#[derive(Debug, Default)]
struct Ends(std::sync::Mutex<Vec<(String, Status)>>);

impl sfn_runtime::engine::Journal for Ends {
    fn append(
        &self,
        config: &ExecutionConfig,
        _: &sfn_runtime::Event,
        step: &sfn_runtime::execution::Step,
        _: &sfn_runtime::execution::ExecutionData,
    ) {
        for command in &step.commands {
            if let sfn_runtime::execution::Command::Finished(outcome) = command {
                let mut ends = self.0.lock().expect("lock");
                ends.push((config.name.clone(), outcome.status));
            }
        }
    }
}

/// A `.sync` task that times out stops the child it waits for.
#[tokio::test(start_paused = true)]
async fn a_sync_task_that_times_out_stops_its_child() {
    let ends = std::sync::Arc::new(Ends::default());
    let engine = engine(Resources::new()).with_journal(ends.clone());
    engine.register_state_machine(
        CHILD,
        machine(
            json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": true}}}),
        ),
    );
    let mut def = parent("arn:aws:states:::states:startExecution.sync");
    def["States"]["Call"]["TimeoutSeconds"] = json!(5);
    def["States"]["Call"]["Parameters"]["Name"] = json!("waiting-child");
    let result = engine
        .start_sync_execution(machine(def), json!({}), ExecutionConfig::new("parent", "p"))
        .await;
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
    // The child's driver runs on its own task: let it take the stop.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let ends = ends.0.lock().expect("lock").clone();
    assert_eq!(
        ends,
        vec![
            ("p".to_owned(), Status::Failed),
            ("waiting-child".to_owned(), Status::Aborted)
        ]
    );
}

/// `StartDate` and `StopDate` of a `.sync` child are when it started and when it ended.
#[tokio::test(start_paused = true)]
async fn sync_dates_span_the_child_run() {
    let engine = with_child(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": true}}}),
    );
    let result = run_parent(
        &engine,
        "arn:aws:states:::states:startExecution.sync:2",
        json!({}),
    )
    .await;
    let out = result.outcome.output.expect("output");
    assert_eq!(out["StartDate"], json!(common::START_MS));
    assert_eq!(out["StopDate"], json!(common::START_MS + 5_000));
}

/// A `.sync` task has a token (`$$.Task.Token`), and `SendTaskSuccess` with it ends the task
/// with that output, before its child ends (recorded on AWS: a child passing its parent's
/// token to a queue, answered from outside while the child still waits).
#[tokio::test(start_paused = true)]
async fn a_sync_task_ends_by_its_token_before_its_child_ends() {
    const RELAY: &str = "arn:aws:lambda:us-east-1:123456789012:function:relay";
    let (tx, mut tokens) = tokio::sync::mpsc::unbounded_channel::<String>();
    let mut resources = Resources::new();
    resources.register(RELAY, move |req| {
        let _ = tx.send(req.input["token"].as_str().unwrap_or_default().to_owned());
        async { Ok::<_, sfn_runtime::TaskError>(json!({})) }
    });
    let engine = engine(resources);
    engine.register_state_machine(
        CHILD,
        machine(json!({"StartAt": "Relay", "States": {
            "Relay": {"Type": "Task", "Resource": RELAY, "Next": "Wait"},
            "Wait": {"Type": "Wait", "Seconds": 600, "End": true}}})),
    );
    let definition = json!({"StartAt": "Call", "States": {"Call": {"Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync",
        "Parameters": {"StateMachineArn": CHILD, "Input": {"token.$": "$$.Task.Token"}},
        "End": true}}});
    let handle = engine.start_execution(
        machine(definition),
        json!({}),
        ExecutionConfig::new("parent", "p"),
    );
    let token = tokens
        .recv()
        .await
        .expect("the child relays the parent's token");
    assert_eq!(token.len(), 36, "a task token: {token}");
    engine
        .send_task_success(&token, json!("answered"))
        .await
        .expect("the parent's .sync task takes the token");
    let result = handle.result().await.expect("ends");
    assert_eq!(result.outcome.status, Status::Succeeded);
    assert_eq!(result.outcome.output, Some(json!("answered")));
    let types: Vec<EventType> = result.history.iter().map(|e| e.event_type).collect();
    let at = |t| types.iter().position(|x| *x == t);
    let submitted = at(EventType::TaskSubmitted).expect("submitted");
    assert!(Some(submitted) < at(EventType::TaskSucceeded), "{types:?}");
}
