//! Task states: handlers, Lambda semantics, Catch, unregistered resources.

mod common;

use common::{count, run, types};
use serde_json::json;
use sfn_runtime::history::EventType;
use sfn_runtime::{Resources, Status, TaskError};

const FN_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:double";

fn doubling() -> Resources {
    let mut r = Resources::new();
    r.register(FN_ARN, |req| async move {
        let n = req
            .input
            .get("n")
            .and_then(serde_json::Value::as_i64)
            .ok_or_else(|| TaskError::lambda("ValueError", "n is missing"))?;
        Ok(json!({"doubled": n * 2}))
    });
    r
}

#[tokio::test(start_paused = true)]
async fn legacy_lambda_result_is_the_return_value() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN_ARN, "ResultPath": "$.out", "End": true}}});
    let result = run(def, json!({"n": 21}), doubling()).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    assert_eq!(
        result.outcome.output,
        Some(json!({"n": 21, "out": {"doubled": 42}}))
    );
    assert_eq!(
        types(&result),
        vec![
            EventType::ExecutionStarted,
            EventType::TaskStateEntered,
            EventType::LambdaFunctionScheduled,
            EventType::LambdaFunctionStarted,
            EventType::LambdaFunctionSucceeded,
            EventType::TaskStateExited,
            EventType::ExecutionSucceeded,
        ]
    );
    let ids: Vec<(u64, u64)> = result
        .history
        .iter()
        .map(|e| (e.id, e.previous_event_id))
        .collect();
    assert_eq!(
        ids,
        vec![(1, 0), (2, 0), (3, 2), (4, 3), (5, 4), (6, 5), (7, 6)]
    );
}

#[tokio::test(start_paused = true)]
async fn lambda_invoke_wraps_the_payload() {
    let def = json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "double", "Payload.$": "$"},
        "ResultSelector": {"value.$": "$.Payload.doubled", "code.$": "$.StatusCode"},
        "End": true}}});
    let result = run(def, json!({"n": 5}), doubling()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"value": 10, "code": 200}))
    );
    let scheduled = result
        .history
        .iter()
        .find(|e| e.event_type == EventType::TaskScheduled)
        .expect("scheduled");
    assert_eq!(scheduled.details["resourceType"], "lambda");
    assert_eq!(scheduled.details["resource"], "invoke");
    assert_eq!(
        scheduled.data_value(),
        Some(json!({"FunctionName": "double", "Payload": {"n": 5}}))
    );
}

#[tokio::test(start_paused = true)]
async fn caught_error_skips_the_state_output_processing() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": FN_ARN, "ResultPath": "$.out", "OutputPath": "$.out",
              "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Done"}], "End": true},
        "Done": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({"m": 1}), doubling()).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    let out = result.outcome.output.clone().expect("output");
    assert_eq!(out["m"], 1);
    assert_eq!(out["error"]["Error"], "ValueError");
    let cause: serde_json::Value =
        serde_json::from_str(out["error"]["Cause"].as_str().expect("cause")).expect("json cause");
    assert_eq!(cause["errorMessage"], "n is missing");
    assert_eq!(count(&result, EventType::LambdaFunctionFailed), 1);
}

#[tokio::test(start_paused = true)]
async fn uncaught_error_fails_the_execution_with_the_task_error() {
    let def =
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN_ARN, "End": true}}});
    let result = run(def, json!({}), doubling()).await;
    assert_eq!(result.outcome.status, Status::Failed);
    assert_eq!(result.outcome.error.as_deref(), Some("ValueError"));
    assert_eq!(types(&result).last(), Some(&EventType::ExecutionFailed));
}

#[tokio::test(start_paused = true)]
async fn states_runtime_is_never_caught() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": FN_ARN, "InputPath": "$.missing",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": true},
        "Done": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({}), doubling()).await;
    assert_eq!(result.outcome.status, Status::Failed);
    assert_eq!(result.outcome.error.as_deref(), Some("States.Runtime"));
    let cause = result.outcome.cause.expect("cause");
    assert!(cause.starts_with("An error occurred while executing the state 'T' (entered at the event id #2). Invalid path '$.missing'"), "{cause}");
}

#[tokio::test(start_paused = true)]
async fn unregistered_resource_fails_cleanly() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": {"QueueUrl": "q", "MessageBody": "m"}, "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(result.outcome.status, Status::Failed);
    assert!(result
        .outcome
        .cause
        .as_deref()
        .is_some_and(|c| c.contains("arn:aws:states:::sqs:sendMessage")));
}

#[tokio::test(start_paused = true)]
async fn oversized_task_result_is_a_catchable_data_limit_failure() {
    let mut r = Resources::new();
    r.register(FN_ARN, |_| async move { Ok(json!("x".repeat(300_000))) });
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": FN_ARN, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": true},
        "Done": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    let out = result.outcome.output.expect("output");
    assert_eq!(out["Error"], "States.DataLimitExceeded");
    assert_eq!(
        out["Cause"],
        format!("The state/task '{FN_ARN}' returned a result with a size exceeding the maximum number of bytes service limit.")
    );
}

#[tokio::test(start_paused = true)]
async fn jsonata_task_arguments_and_output() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": FN_ARN,
        "Arguments": {"n": "{% $states.input.value + 1 %}"},
        "Output": {"result": "{% $states.result.doubled %}", "input": "{% $states.input.value %}"},
        "Assign": {"last": "{% $states.result.doubled %}"},
        "Next": "Show"},
        "Show": {"Type": "Pass", "Output": "{% $last %}", "End": true}}});
    let result = run(def, json!({"value": 4}), doubling()).await;
    assert_eq!(result.outcome.output, Some(json!(10)));
}

#[tokio::test(start_paused = true)]
async fn a_panicking_handler_fails_its_task() {
    let mut r = Resources::new();
    r.register(FN_ARN, |req| async move {
        if req.input.is_null() {
            panic!("handler bug");
        }
        Ok(json!(1))
    });
    let def = json!({"StartAt": "Null", "States": {
        "Null": {"Type": "Pass", "Result": null, "Next": "T"},
        "T": {"Type": "Task", "Resource": FN_ARN,
              "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Done"}], "End": true},
        "Done": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    assert_eq!(
        result.outcome.output,
        Some(json!({"Error": "States.TaskFailed", "Cause": "The task handler panicked."}))
    );
}
