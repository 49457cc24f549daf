//! Variable scopes (§8.4), pipeline null meanings (§4.3) and Wait (§2.5).

use super::*;

// ---- §8.4 variable scopes

#[tokio::test(start_paused = true)]
async fn a_sibling_branch_never_sees_a_variable_assigned_in_another() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Parallel",
        "Branches": [
            {"StartAt": "Set", "States": {"Set": {"Type": "Pass", "Assign": {"x": 1}, "Next": "Hold"},
                                          "Hold": {"Type": "Wait", "Seconds": 5, "End": true}}},
            {"StartAt": "Later", "States": {"Later": {"Type": "Wait", "Seconds": 1, "Next": "Read"},
                                            "Read": {"Type": "Pass", "Output": "{% $x %}", "End": true}}}],
        "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.QueryEvaluationError")
    );
    let cause = result.outcome.cause.clone().unwrap_or_default();
    assert!(
        cause.contains("'Output'") && cause.contains("undefined"),
        "{cause}"
    );
}

#[tokio::test(start_paused = true)]
async fn branch_variables_vanish_but_the_parallel_assign_writes_the_outer_scope() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"inner": 1}, "Output": 7, "End": true}}}],
              "Assign": {"outer": "{% $states.result[0] %}"}, "Next": "Read"},
        "Read": {"Type": "Pass", "Output": {"outer": "{% $outer %}", "inner": "{% $exists($inner) %}"}, "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"outer": 7, "inner": false}))
    );
}

#[tokio::test(start_paused = true)]
async fn map_iterations_read_an_outer_variable_but_not_each_other() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"base": 100}, "Next": "M"},
        "M": {"Type": "Map", "MaxConcurrency": 1, "Items": "{% $states.input.xs %}",
              "ItemProcessor": {"StartAt": "Seen", "States": {
                "Seen": {"Type": "Pass", "Output": {"prev": "{% $exists($mine) %}", "item": "{% $states.input %}"},
                         "Assign": {"mine": "{% $states.input %}"}, "Next": "Sum"},
                "Sum": {"Type": "Pass", "Output": {"prev": "{% $states.input.prev %}", "v": "{% $base + $mine %}"}, "End": true}}},
              "End": true}}});
    let result = run(def, json!({"xs": [1, 2]}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!([{"prev": false, "v": 101}, {"prev": false, "v": 102}]))
    );
}

#[tokio::test(start_paused = true)]
async fn jsonpath_assign_swaps_on_entry_values() {
    let def = json!({"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Assign": {"a": 1, "b": 2}, "Next": "Swap"},
        "Swap": {"Type": "Pass", "Assign": {"a.$": "$b", "b.$": "$a"}, "Next": "Read"},
        "Read": {"Type": "Pass", "Parameters": {"a.$": "$a", "b.$": "$b"}, "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(result.outcome.output, Some(json!({"a": 2, "b": 1})));
}

#[tokio::test(start_paused = true)]
async fn a_state_output_sees_the_variables_as_they_were_on_entry() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Assign": {"x": 1}, "Next": "Bump"},
        "Bump": {"Type": "Pass", "Assign": {"x": "{% $x + 1 %}"}, "Output": {"seen": "{% $x %}"}, "Next": "Read"},
        "Read": {"Type": "Pass", "Output": {"before": "{% $states.input.seen %}", "after": "{% $x %}"}, "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"before": 1, "after": 2}))
    );
}

#[tokio::test(start_paused = true)]
async fn a_catcher_assign_replaces_the_state_assign() {
    let (r, _) = scripted(&["Boom"]);
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
        "T": task(json!({"Assign": {"from": "state"},
            "Catch": [{"ErrorEquals": ["Boom"], "Assign": {"err": "{% $states.errorOutput.Error %}"}, "Next": "Read"}]})),
        "Read": {"Type": "Pass", "Output": {"err": "{% $err %}", "state": "{% $exists($from) %}"}, "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"err": "Boom", "state": false}))
    );
}

// ---- §4.3 pipeline null meanings

#[tokio::test(start_paused = true)]
async fn task_result_path_null_discards_the_result() {
    let (r, calls) = scripted(&[]);
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"InputPath": "$.sub", "ResultPath": null}))}});
    let result = run(def, json!({"sub": {"k": 1}, "other": true}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        result.outcome.output,
        Some(json!({"sub": {"k": 1}, "other": true}))
    );
}

#[tokio::test(start_paused = true)]
async fn task_output_path_null_gives_an_empty_object() {
    let (r, _) = scripted(&[]);
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"OutputPath": null}))}});
    let result = run(def, json!({"a": 1}), r).await;
    assert_eq!(result.outcome.output, Some(json!({})));
}

#[tokio::test(start_paused = true)]
async fn input_path_null_hands_the_task_an_empty_object() {
    let mut r = Resources::new();
    r.register(FN, |req| async move { Ok(json!({"got": req.input})) });
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"InputPath": null, "ResultPath": "$.r"}))}});
    let result = run(def, json!({"a": 1}), r).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"a": 1, "r": {"got": {}}}))
    );
}

#[tokio::test(start_paused = true)]
async fn result_path_creates_missing_objects_in_a_copy_of_the_raw_input() {
    let (r, _) = scripted(&[]);
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"InputPath": "$.a",
        "ResultSelector": {"n.$": "$.calls"}, "ResultPath": "$.x.y.z"}))}});
    let result = run(def, json!({"a": {"keep": 1}}), r).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"a": {"keep": 1}, "x": {"y": {"z": {"n": 1}}}}))
    );
}

// ---- §2.5 Wait

#[tokio::test(start_paused = true)]
async fn zero_seconds_and_a_past_timestamp_continue_at_once() {
    let def = json!({"StartAt": "Zero", "States": {
        "Zero": {"Type": "Wait", "SecondsPath": "$.s", "Next": "Past"},
        "Past": {"Type": "Wait", "Timestamp": "2000-01-01T00:00:00Z", "End": true}}});
    let began = Instant::now();
    let result = run(def, json!({"s": 0}), Resources::new()).await;
    assert_eq!(began.elapsed(), Duration::ZERO);
    assert_eq!(result.outcome.output, Some(json!({"s": 0})));
}

#[tokio::test(start_paused = true)]
async fn bad_seconds_path_values_are_runtime_failures() {
    for (value, tail) in [
        (
            json!(-1),
            "The SecondsPath parameter references a negative value: $.s == -1",
        ),
        (
            json!(1.5),
            "The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5",
        ),
    ] {
        let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s",
            "End": true}}});
        let result = run(def, json!({"s": value}), Resources::new()).await;
        assert_eq!(result.outcome.error.as_deref(), Some("States.Runtime"));
        let cause = result.outcome.cause.clone().unwrap_or_default();
        assert!(cause.ends_with(tail), "{cause}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_wait_in_a_branch_delays_only_its_branch() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 3, "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 2, "Next": "B2"},
                                    "B2": {"Type": "Wait", "Seconds": 2, "End": true}}}],
        "End": true}}});
    let began = Instant::now();
    let result = run(def, json!("x"), Resources::new()).await;
    assert_eq!(began.elapsed(), Duration::from_secs(4));
    assert_eq!(result.outcome.output, Some(json!(["x", "x"])));
    assert_eq!(
        times_of(&result, EventType::ParallelStateSucceeded),
        vec![4000]
    );
}

/// The run started through a handle gives the same outcome as the synchronous call.
#[tokio::test(start_paused = true)]
async fn a_handle_and_the_sync_call_agree() {
    let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 7, "End": true}}});
    let handle = engine(Resources::new()).start_execution(
        machine(def.clone()),
        json!({"v": 1}),
        ExecutionConfig::new("m", "h"),
    );
    let via_handle = handle.result().await.expect("result");
    let sync = run(def, json!({"v": 1}), Resources::new()).await;
    assert_eq!(via_handle.outcome, sync.outcome);
    assert_eq!(types(&via_handle), types(&sync));
}

#[tokio::test(start_paused = true)]
async fn a_timestamp_with_an_offset_and_a_fraction_waits_to_the_millisecond() {
    // 01:00:05.5+01:00 is 00:00:05.5Z, 5.5 s after the start.
    let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait",
        "Timestamp": "2024-01-01T01:00:05.5+01:00", "End": true}}});
    let began = Instant::now();
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(began.elapsed(), Duration::from_millis(5500));
    assert_eq!(times_of(&result, EventType::WaitStateExited), vec![5500]);
}

#[tokio::test(start_paused = true)]
async fn bad_timestamp_path_values_are_runtime_failures() {
    for v in [
        "2024-01-01 00:00:00Z",
        "2024-01-01T00:00:00",
        "2024-13-01T00:00:00Z",
        "2024-01-01T25:00:00Z",
    ] {
        let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "TimestampPath": "$.t",
            "End": true}}});
        let result = run(def, json!({"t": v}), Resources::new()).await;
        assert_eq!(
            result.outcome.error.as_deref(),
            Some("States.Runtime"),
            "{v}"
        );
        let tail = format!(
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset \
             date-time format string: $.t == {v}"
        );
        let cause = result.outcome.cause.clone().unwrap_or_default();
        assert!(cause.ends_with(&tail), "{cause}");
    }
}

#[tokio::test(start_paused = true)]
async fn seconds_path_refuses_strings_floats_and_delays_beyond_two_to_the_31() {
    for (value, tail) in [
        (
            json!("5"),
            "The SecondsPath parameter cannot be parsed as a long value: $.s == 5",
        ),
        (
            json!(2.0),
            "The SecondsPath parameter cannot be parsed as a long value: $.s == 2.0",
        ),
        (json!(3_000_000_000u64), "Wait state delay is too long."),
    ] {
        let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s",
            "End": true}}});
        let result = run(def, json!({"s": value}), Resources::new()).await;
        assert_eq!(result.outcome.error.as_deref(), Some("States.Runtime"));
        let cause = result.outcome.cause.clone().unwrap_or_default();
        assert!(cause.ends_with(tail), "{cause}");
    }
}

#[tokio::test(start_paused = true)]
async fn jsonata_seconds_must_be_a_non_negative_integer() {
    for (expr, was) in [
        ("{% -1 %}", "number"),
        ("{% 1.5 %}", "number"),
        ("{% 'a' %}", "string"),
    ] {
        let def = json!({"QueryLanguage": "JSONata", "StartAt": "W", "States": {"W": {
            "Type": "Wait", "Seconds": expr, "End": true}}});
        let result = run(def, json!({}), Resources::new()).await;
        assert_eq!(
            result.outcome.error.as_deref(),
            Some("States.QueryEvaluationError"),
            "{expr}"
        );
        let cause = result.outcome.cause.clone().unwrap_or_default();
        assert!(
            cause.contains("specified for the field 'Seconds' returned an unexpected result type")
                && cause.contains(&format!("but was '{was}'")),
            "{cause}"
        );
        assert_eq!(count(&result, EventType::EvaluationFailed), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn wait_output_path_reads_the_effective_input() {
    let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1,
        "InputPath": "$.a", "OutputPath": "$.b", "End": true}}});
    let result = run(def, json!({"a": {"b": 7}, "b": 9}), Resources::new()).await;
    assert_eq!(result.outcome.output, Some(json!(7)));
}

#[tokio::test(start_paused = true)]
async fn pass_result_with_result_path_null_keeps_the_input() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"x": 1},
        "ResultPath": null, "End": true}}});
    let result = run(def, json!({"in": 1}), Resources::new()).await;
    assert_eq!(result.outcome.output, Some(json!({"in": 1})));
}

#[tokio::test(start_paused = true)]
async fn fail_error_and_cause_from_a_path_and_an_intrinsic() {
    let def = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "$.e",
        "CausePath": "States.Format('bad {}', $.n)"}}});
    let result = run(def, json!({"e": "E", "n": 3}), Resources::new()).await;
    assert_eq!(result.outcome.error.as_deref(), Some("E"));
    assert_eq!(result.outcome.cause.as_deref(), Some("bad 3"));
}

/// AWS requires a string where `ErrorPath`/`CausePath` or a JSONata `Error`/`Cause` lands:
/// a number, an object or null fails the state with `States.Runtime` (JSONPath) or
/// `States.QueryEvaluationError` (JSONata). `States.Runtime` ends the execution even from
/// inside a Parallel whose Catcher names it, as AWS documents for runtime errors.
#[tokio::test(start_paused = true)]
async fn fail_error_or_cause_that_is_not_a_string_fails_the_state() {
    for (field, input, shown) in [
        ("ErrorPath", json!({"v": 3}), "'number': 3"),
        ("CausePath", json!({"v": {"a": 1}}), r#"'object': {"a":1}"#),
        ("ErrorPath", json!({"v": null}), "'null': null"),
    ] {
        let def = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", field: "$.v"}}});
        let result = run(def, input, Resources::new()).await;
        assert_eq!(result.outcome.status, Status::Failed);
        assert_eq!(result.outcome.error.as_deref(), Some("States.Runtime"));
        let expected = format!(
            "An error occurred while executing the state 'F' (entered at the event id #2). \
             The JSONPath '$.v' specified for the field '{field}' must select a string, but \
             selected a value of type {shown}"
        );
        assert_eq!(result.outcome.cause.as_deref(), Some(expected.as_str()));
    }
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "F", "States": {
        "F": {"Type": "Fail", "Error": "{% $states.input.code %}"}}});
    let result = run(def, json!({"code": 42}), Resources::new()).await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.QueryEvaluationError")
    );
    assert_eq!(
        result.outcome.cause.as_deref(),
        Some(
            "An error occurred while executing the state 'F' (entered at the event id #2). \
             The JSONata expression '$states.input.code' specified for the field 'Error' \
             returned an unexpected result type. Expected 'string', but was 'number' for value: 42"
        )
    );
    let caught = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [{"StartAt": "F", "States": {
            "F": {"Type": "Fail", "CausePath": "$.n"}}}],
            "Catch": [{"ErrorEquals": ["States.Runtime"], "Next": "Done"}], "End": true},
        "Done": {"Type": "Succeed"}}});
    let result = run(caught, json!({"n": 1}), Resources::new()).await;
    assert_eq!(result.outcome.status, Status::Failed);
    assert_eq!(result.outcome.error.as_deref(), Some("States.Runtime"));
}

#[tokio::test(start_paused = true)]
async fn a_matched_choice_rule_replaces_the_state_assign_and_output() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Assign": {"d": "state"}, "Output": "state-out",
              "Choices": [{"Condition": "{% true %}", "Assign": {"r": "rule"}, "Next": "R"}],
              "Default": "R"},
        "R": {"Type": "Pass", "Output": {"in": "{% $states.input %}", "d": "{% $exists($d) %}",
              "r": "{% $r %}"}, "End": true}}});
    let result = run(def, json!({"i": 1}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"in": {"i": 1}, "d": false, "r": "rule"}))
    );
}

#[tokio::test(start_paused = true)]
async fn a_branch_assignment_never_overwrites_the_outer_variable() {
    let def = json!({"StartAt": "S", "States": {
        "S": {"Type": "Pass", "Assign": {"x": 1}, "Next": "P"},
        "P": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {
                "B": {"Type": "Pass", "Assign": {"x": 2}, "Next": "B2"},
                "B2": {"Type": "Pass", "Parameters": {"inner.$": "$x"}, "End": true}}}],
              "Next": "R"},
        "R": {"Type": "Pass", "Parameters": {"outer.$": "$x", "branches.$": "$"}, "End": true}}});
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(
        result.outcome.output,
        Some(json!({"outer": 1, "branches": [{"inner": 2}]}))
    );
}

#[tokio::test(start_paused = true)]
async fn a_task_assign_runs_once_on_the_successful_attempt() {
    let (r, calls) = scripted(&["Boom", "Boom"]);
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "I", "States": {
        "I": {"Type": "Pass", "Assign": {"x": 0}, "Next": "T"},
        "T": {"Type": "Task", "Resource": FN, "Retry": [{"ErrorEquals": ["Boom"]}], "Next": "R",
              "Assign": {"x": "{% $x + 1 %}", "r": "{% $states.result.calls %}"}},
        "R": {"Type": "Pass", "Output": {"x": "{% $x %}", "r": "{% $r %}"}, "End": true}}});
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(result.outcome.output, Some(json!({"x": 1, "r": 3})));
}
