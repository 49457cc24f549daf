//! The JSONPath data flow: absent vs `null` paths, Result vs Parameters, the context object.

mod common;

use common::run;
use serde_json::{json, Value};
use sfn_runtime::history::EventType;
use sfn_runtime::Resources;

async fn pass(state: Value, input: Value) -> Option<Value> {
    let mut state = state;
    state["Type"] = json!("Pass");
    state["End"] = json!(true);
    run(
        json!({"StartAt": "P", "States": {"P": state}}),
        input,
        Resources::new(),
    )
    .await
    .outcome
    .output
}

#[tokio::test(start_paused = true)]
async fn null_paths_mean_empty_object_or_raw_input() {
    assert_eq!(
        pass(json!({"InputPath": null}), json!({"a": 1})).await,
        Some(json!({}))
    );
    assert_eq!(
        pass(json!({"OutputPath": null}), json!({"a": 1})).await,
        Some(json!({}))
    );
    assert_eq!(
        pass(json!({"Result": 5, "ResultPath": null}), json!({"a": 1})).await,
        Some(json!({"a": 1}))
    );
}

#[tokio::test(start_paused = true)]
async fn result_path_writes_into_the_raw_input() {
    let out = pass(
        json!({"InputPath": "$.a", "Result": "r", "ResultPath": "$.x.y"}),
        json!({"a": {"b": 1}}),
    )
    .await;
    assert_eq!(out, Some(json!({"a": {"b": 1}, "x": {"y": "r"}})));
}

#[tokio::test(start_paused = true)]
async fn result_wins_over_parameters() {
    let out = pass(
        json!({"Parameters": {"p": 1}, "Result": {"r": 2}}),
        json!({}),
    )
    .await;
    assert_eq!(out, Some(json!({"r": 2})));
}

#[tokio::test(start_paused = true)]
async fn parameters_see_the_context_object() {
    let out = pass(
        json!({"Parameters": {
            "name.$": "$$.State.Name",
            "entered.$": "$$.State.EnteredTime",
            "input.$": "$$.Execution.Input",
            "machine.$": "$$.StateMachine.Name",
            "exec.$": "$$.Execution.Name"}}),
        json!({"k": "v"}),
    )
    .await
    .expect("output");
    assert_eq!(out["name"], "P");
    assert_eq!(out["entered"], "2024-01-01T00:00:00.000Z");
    assert_eq!(out["input"], json!({"k": "v"}));
    assert_eq!(out["machine"], "test");
    assert_eq!(out["exec"], "run");
}

#[tokio::test(start_paused = true)]
async fn a_missing_output_path_is_a_runtime_failure_with_the_state_prefix() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "OutputPath": "$.nope", "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(result.outcome.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        result.outcome.cause.as_deref(),
        Some("An error occurred while executing the state 'P' (entered at the event id #2). Invalid path '$.nope' : No results for path: $['nope']")
    );
    let types: Vec<EventType> = result.history.iter().map(|e| e.event_type).collect();
    assert_eq!(
        types,
        vec![
            EventType::ExecutionStarted,
            EventType::PassStateEntered,
            EventType::ExecutionFailed
        ]
    );
}
