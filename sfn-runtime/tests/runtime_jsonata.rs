//! JSONata mode and variables: `$states`, Arguments/Output/Assign, Choice conditions, scoping.

mod common;

use common::{count, run};
use serde_json::json;
use sfn_runtime::history::EventType;
use sfn_runtime::{Resources, Status, TaskError};

const FN: &str = "arn:aws:lambda:us-east-1:123456789012:function:f";

#[tokio::test(start_paused = true)]
async fn assignments_see_entry_values_so_a_swap_works() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Assign": {"a": 1, "b": 2}, "Next": "Swap"},
        "Swap": {"Type": "Pass", "Assign": {"a": "{% $b %}", "b": "{% $a %}"}, "Output": "{% [$a, $b] %}", "Next": "Show"},
        "Show": {"Type": "Pass", "Output": "{% {'before': $states.input, 'after': [$a, $b]} %}", "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"before": [1, 2], "after": [2, 1]}))
    );
}

#[tokio::test(start_paused = true)]
async fn choice_condition_picks_the_rule_and_its_output() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
                {"Condition": "{% $states.input.n > 10 %}", "Output": {"big": true}, "Assign": {"kind": "big"}, "Next": "Done"}],
              "Default": "Done", "Output": {"big": false}, "Assign": {"kind": "small"}},
        "Done": {"Type": "Pass", "Output": "{% {'in': $states.input, 'kind': $kind} %}", "End": true}}});
    let big = run(def.clone(), json!({"n": 11}), Resources::new()).await;
    assert_eq!(
        big.outcome.output,
        Some(json!({"in": {"big": true}, "kind": "big"}))
    );
    let small = run(def, json!({"n": 1}), Resources::new()).await;
    assert_eq!(
        small.outcome.output,
        Some(json!({"in": {"big": false}, "kind": "small"}))
    );
}

#[tokio::test(start_paused = true)]
async fn no_matching_choice_without_default_fails() {
    let def = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Done"}]},
        "Done": {"Type": "Succeed"}}});
    let result = run(def, json!({"n": 1}), Resources::new()).await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.NoChoiceMatched")
    );
}

#[tokio::test(start_paused = true)]
async fn catcher_output_reads_the_error_output() {
    let mut r = Resources::new();
    r.register(FN, |_| async move {
        Err::<serde_json::Value, _>(TaskError::new("Oops", "went wrong"))
    });
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": FN, "Next": "Done",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done",
                         "Output": "{% {'from': $states.input.id, 'err': $states.errorOutput.Error} %}",
                         "Assign": {"cause": "{% $states.errorOutput.Cause %}"}}]},
        "Done": {"Type": "Pass", "Output": "{% $merge([$states.input, {'cause': $cause}]) %}", "End": true}}});
    let result = run(def, json!({"id": 7}), r).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"from": 7, "err": "Oops", "cause": "went wrong"}))
    );
}

#[tokio::test(start_paused = true)]
async fn jsonata_failure_records_evaluation_failed_and_can_be_caught() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Arguments": "{% $states.input.x %}",
              "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}],
              "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Done"}], "End": true},
        "Done": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    assert_eq!(count(&result, EventType::EvaluationFailed), 1);
    let out = result.outcome.output.expect("output");
    assert_eq!(out["Error"], "States.QueryEvaluationError");
    let cause = out["Cause"].as_str().expect("cause");
    assert!(
        cause.starts_with(
            "An error occurred while executing the state 'P' (entered at the event id #2)."
        ),
        "{cause}"
    );
}

#[tokio::test(start_paused = true)]
async fn map_items_selector_and_result_in_jsonata() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map",
        "Items": "{% $states.input.xs %}",
        "ItemSelector": {"v": "{% $states.context.Map.Item.Value * 10 %}", "i": "{% $states.context.Map.Item.Index %}"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% $states.input.v + $states.input.i %}", "End": true}}},
        "Output": "{% $sum($states.result) %}", "End": true}}});
    let result = run(def, json!({"xs": [1, 2, 3]}), Resources::new()).await;
    assert_eq!(result.outcome.output, Some(json!(63)));
}

#[tokio::test(start_paused = true)]
async fn parallel_branches_have_private_variables() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [
            {"StartAt": "A1", "States": {"A1": {"Type": "Pass", "Assign": {"mine": "a"}, "Next": "A2"},
                                         "A2": {"Type": "Pass", "Output": "{% $mine %}", "End": true}}},
            {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Assign": {"mine": "b"}, "Next": "B2"},
                                         "B2": {"Type": "Pass", "Output": "{% $mine %}", "End": true}}}],
            "Assign": {"both": "{% $states.result %}"}, "Next": "Show"},
        "Show": {"Type": "Pass", "Output": "{% $both %}", "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(result.outcome.output, Some(json!(["a", "b"])));
}

#[tokio::test(start_paused = true)]
async fn exited_events_record_assigned_variables_as_json_text() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Assign": {"s": "x", "n.$": "$.n"}, "End": true}}});
    let result = run(def, json!({"n": 3}), Resources::new()).await;
    let exited = result
        .history
        .iter()
        .find(|e| e.event_type == EventType::PassStateExited)
        .expect("exited");
    assert_eq!(
        exited.details["assignedVariables"],
        json!({"s": "\"x\"", "n": "3"})
    );
}

#[tokio::test(start_paused = true)]
async fn choice_failures_name_the_rule_in_the_location() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
                {"Condition": "{% false %}", "Next": "Done"},
                {"Condition": "{% $states.input.missing %}", "Next": "Done"}],
              "Default": "Done"},
        "Done": {"Type": "Succeed"}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.QueryEvaluationError")
    );
    let failed = result
        .history
        .iter()
        .find(|e| e.event_type == EventType::EvaluationFailed)
        .expect("evaluation failed");
    assert_eq!(failed.details["location"], "Choices[1]/Condition");
    assert_eq!(failed.details["state"], "C");
}

#[tokio::test(start_paused = true)]
async fn catcher_failures_name_the_catcher_in_the_location() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}],
              "Catch": [{"ErrorEquals": ["Other"], "Next": "Done"},
                        {"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput.missing %}", "Next": "Done"}],
              "End": true},
        "Done": {"Type": "Succeed"}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.QueryEvaluationError")
    );
    let failed = result
        .history
        .iter()
        .find(|e| e.event_type == EventType::EvaluationFailed)
        .expect("evaluation failed");
    assert_eq!(failed.details["location"], "Catch[1]/Output");
}
