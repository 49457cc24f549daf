//! Emission: field order, absent vs `null`, and exact round trips of definitions that use every
//! field of every state type (beyond what the real-world corpus exercises).

use serde_json::{json, Value};

fn round_trip(doc: &Value) {
    let text = serde_json::to_string(doc).expect("json");
    let m = match sfn_asl::parse(&text) {
        Ok(m) => m,
        Err(f) => panic!("does not parse: {:#?}", f.0),
    };
    assert_eq!(&sfn_asl::emit_value(&m), doc, "emit(parse(doc)) == doc");
    let again = sfn_asl::parse(&sfn_asl::emit(&m)).expect("emitted text parses");
    assert_eq!(again, m, "parse(emit(m)) == m");
}

#[test]
fn jsonpath_kitchen_sink() {
    round_trip(&json!({
        "Comment": "every JSONPath field",
        "Version": "1.0",
        "TimeoutSeconds": 3600,
        "StartAt": "Task",
        "States": {
            "Task": {
                "Type": "Task", "Comment": "c", "Resource": "arn:aws:states:::lambda:invoke",
                "Credentials": {"RoleArn.$": "$.role"},
                "InputPath": null, "Parameters": {"FunctionName": "f", "Payload.$": "$", "Ctx.$": "$$.Execution.Id"},
                "ResultSelector": {"body.$": "$.Payload"}, "ResultPath": "$.out", "OutputPath": "$",
                "Assign": {"count.$": "States.ArrayLength($.items)", "fixed": 1},
                "TimeoutSecondsPath": "$.timeout", "HeartbeatSeconds": 30,
                "Retry": [
                    {"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "MaxAttempts": 0,
                     "BackoffRate": 1.5, "MaxDelaySeconds": 10, "JitterStrategy": "FULL", "Comment": "r"},
                    {"ErrorEquals": ["States.ALL"], "BackoffRate": 2}
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": null, "Assign": {"err.$": "$.Error"}, "Next": "Pass", "Comment": "k"}],
                "Next": "Pass"
            },
            "Pass": {"Type": "Pass", "Result": {"a": [1, 2.50, null]}, "ResultPath": "$.r", "Parameters": {"x": 1}, "Next": "Wait"},
            "Wait": {"Type": "Wait", "TimestampPath": "$.when", "InputPath": "$.a", "OutputPath": null, "Next": "Wait2"},
            "Wait2": {"Type": "Wait", "Timestamp": "2026-01-01T00:00:00Z", "Next": "Choice"},
            "Choice": {
                "Type": "Choice", "InputPath": "$", "OutputPath": "$",
                "Choices": [
                    {"And": [
                        {"Variable": "$.n", "NumericGreaterThanEquals": 1, "Comment": "n"},
                        {"Not": {"Variable": "$.s", "StringMatches": "a*"}},
                        {"Or": [{"Variable": "$.t", "TimestampLessThanPath": "$.u"}, {"Variable": "$$.State.Name", "IsPresent": true}]}
                    ], "Next": "Parallel", "Comment": "first", "Assign": {"hit": true}},
                    {"Variable": "$.b", "BooleanEquals": false, "Next": "Fail"}
                ],
                "Default": "Fail",
                "Assign": {"miss": true}
            },
            "Parallel": {
                "Type": "Parallel", "Parameters": {"in.$": "$"}, "ResultSelector": {"all.$": "$"}, "ResultPath": "$.p",
                "Branches": [{"Comment": "b", "StartAt": "B1", "States": {"B1": {"Type": "Succeed", "OutputPath": "$.x"}}}],
                "Retry": [], "Catch": [], "Next": "Map"
            },
            "Map": {
                "Type": "Map", "ItemsPath": "$$.Execution.Input.items", "ItemSelector": {"v.$": "$$.Map.Item.Value"},
                "MaxConcurrencyPath": "$.conc", "ToleratedFailurePercentage": 12.5, "ToleratedFailureCountPath": "$.tfc",
                "Label": "Items", "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "p"},
                    "WriterConfig": {"OutputType": "JSONL", "Transformation": "COMPACT"}},
                "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"},
                    "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["a", "b"], "CSVDelimiter": "PIPE",
                        "MaxItemsPath": "$.max"}},
                "ItemBatcher": {"MaxItemsPerBatch": 10, "MaxInputBytesPerBatchPath": "$.bytes", "BatchInput": {"k.$": "$.k"}},
                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "M1",
                    "States": {"M1": {"Type": "Pass", "End": true}}},
                "End": true
            },
            "Fail": {"Type": "Fail", "ErrorPath": "$.code", "CausePath": "States.Format('bad {}', $.why)"}
        }
    }));
}

#[test]
fn jsonata_kitchen_sink() {
    round_trip(&json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Task",
        "States": {
            "Task": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
                "Output": "{% $states.result.Payload %}", "Assign": {"x": "{% $states.result %}"},
                "TimeoutSeconds": "{% $t %}", "Credentials": {"RoleArn": "{% $role %}"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}", "Assign": {"e": "{% $states.errorOutput.Error %}"}, "Next": "Choice"}],
                "Next": "Choice"
            },
            "Choice": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $x > 1 %}", "Next": "Wait", "Output": {"big": true}, "Assign": {"y": 1}}, {"Condition": false, "Next": "Fail"}],
                "Default": "Wait", "Output": "{% $states.input %}"
            },
            "Wait": {"Type": "Wait", "Seconds": "{% $s %}", "Output": {"k": 1}, "Next": "Map"},
            "Map": {
                "Type": "Map", "Items": "{% $states.input.list %}", "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}"},
                "MaxConcurrency": 4, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% $states.input %}", "End": true}}},
                "Next": "Fail2"
            },
            "Fail2": {"Type": "Fail", "Error": "{% 'E' & $x %}", "Cause": "literal"},
            "Fail": {"Type": "Fail"}
        }
    }));
}

#[test]
fn legacy_iterator_stays_an_iterator() {
    round_trip(
        &json!({"StartAt": "M", "States": {"M": {"Type": "Map", "Parameters": {"i.$": "$$.Map.Item.Index"},
        "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}, "MaxConcurrency": 0, "End": true}}}),
    );
}

#[test]
fn type_comes_first_and_transition_last() {
    let doc = r#"{"States":{"A":{"End":true,"Resource":"arn:aws:lambda:us-east-1:1:function:f","Retry":[{"MaxAttempts":1,"ErrorEquals":["X"]}],"Type":"Task"}},"StartAt":"A"}"#;
    let text = sfn_asl::emit(&sfn_asl::parse(doc).expect("valid"));
    let keys = |t: &str, within: &str| -> Vec<String> {
        let v: Value = serde_json::from_str(t).expect("json");
        let obj = if within.is_empty() {
            v
        } else {
            v.pointer(within).cloned().expect("pointer")
        };
        obj.as_object().expect("object").keys().cloned().collect()
    };
    assert_eq!(keys(&text, ""), ["StartAt", "States"]);
    assert_eq!(
        keys(&text, "/States/A"),
        ["Type", "Resource", "Retry", "End"]
    );
    assert_eq!(
        keys(&text, "/States/A/Retry/0"),
        ["ErrorEquals", "MaxAttempts"]
    );
}

#[test]
fn absent_and_null_stay_apart() {
    let doc =
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "ResultPath": null, "End": true}}});
    let m = sfn_asl::parse_value(&doc).expect("valid");
    let out = sfn_asl::emit_value(&m);
    assert_eq!(out.pointer("/States/A/ResultPath"), Some(&Value::Null));
    assert_eq!(out.pointer("/States/A/InputPath"), None);
}

#[test]
fn state_order_is_preserved() {
    let text = r#"{"StartAt":"Z","States":{"Z":{"Type":"Pass","Next":"A"},"A":{"Type":"Pass","Next":"M"},"M":{"Type":"Succeed"}}}"#;
    let emitted = sfn_asl::emit_value(&sfn_asl::parse(text).expect("valid"));
    let names: Vec<&String> = emitted["States"]
        .as_object()
        .expect("states")
        .keys()
        .collect();
    assert_eq!(names, ["Z", "A", "M"]);
}
