//! One test per lint rule, each showing its finding.

use super::*;
use crate::validate::reader::Ctx;

/// A model from JSON that passes the schema (lint findings are what the test looks at).
fn model(doc: &str) -> StateMachine {
    let v: serde_json::Value = serde_json::from_str(doc).expect("test JSON");
    let mut ctx = Ctx::default();
    let m = crate::validate::schema::machine(&mut ctx, &v).expect("object");
    assert!(
        ctx.findings.is_empty(),
        "schema findings: {:?}",
        ctx.findings
    );
    m
}

fn findings(doc: &str) -> Vec<Finding> {
    lint(&model(doc), &LintOptions::default())
}

/// The single finding of `doc`, as (pointer, code, message).
fn one(doc: &str) -> (String, &'static str, String) {
    let f = findings(doc);
    assert_eq!(f.len(), 1, "expected one finding, got {f:#?}");
    (
        f[0].pointer.clone(),
        f[0].code.as_str(),
        f[0].message.clone(),
    )
}

/// A machine whose only state is `state` (named `S`).
fn single(state: &str) -> String {
    format!(r#"{{"StartAt":"S","States":{{"S":{state}}}}}"#)
}

#[test]
fn sound_machine_has_no_findings() {
    let doc = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Succeed"}}}"#;
    assert!(findings(doc).is_empty());
}

#[test]
fn states_not_empty() {
    let (at, code, msg) = one(r#"{"StartAt":"A","States":{}}"#);
    assert_eq!((at.as_str(), code), ("/States", "SCHEMA_VALIDATION_FAILED"));
    assert_eq!(msg, "field `States`: Value cannot be empty");
}

#[test]
fn start_at_exists() {
    let (at, code, msg) = one(r#"{"StartAt":"Strat","States":{"Start":{"Type":"Succeed"}}}"#);
    assert_eq!(
        (at.as_str(), code),
        ("/StartAt", "MISSING_TRANSITION_TARGET")
    );
    assert_eq!(msg, "field `StartAt`: Missing 'Next' target: Strat");
    assert_eq!(
        findings(r#"{"StartAt":"Strat","States":{"Start":{"Type":"Succeed"}}}"#)[0]
            .hint
            .as_deref(),
        Some("did you mean `Start`?")
    );
}

#[test]
fn transition_targets_stay_in_scope() {
    let doc = r#"{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
        {"StartAt":"In","States":{"In":{"Type":"Pass","Next":"P"},"Out":{"Type":"Succeed"}}}]}}}"#;
    let f = findings(doc);
    assert!(
        f.iter()
            .any(|x| x.pointer == "/States/P/Branches/0/States/In/Next"
                && x.code == FindingCode::MissingTransitionTarget
                && x.message == "state `In`, field `Next`: Missing 'Next' target: P"),
        "{f:#?}"
    );
}

#[test]
fn catch_and_default_targets_are_checked() {
    let doc = r#"{"StartAt":"C","States":{
        "C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"T"}],"Default":"Nope"},
        "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true,
             "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Gone"}]}}}"#;
    let pointers: Vec<String> = findings(doc).into_iter().map(|f| f.pointer).collect();
    assert_eq!(pointers, ["/States/C/Default", "/States/T/Catch/0/Next"]);
}

#[test]
fn has_terminal_state() {
    let doc = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}}"#;
    let (at, code, msg) = one(doc);
    assert_eq!(
        (at.as_str(), code, msg.as_str()),
        ("", "MISSING_END_STATE", "Workflow has no terminal state")
    );
}

#[test]
fn every_state_is_reachable() {
    let doc = r#"{"StartAt":"A","States":{"A":{"Type":"Succeed"},"Lost":{"Type":"Succeed"}}}"#;
    let (at, code, msg) = one(doc);
    assert_eq!(
        (at.as_str(), code),
        ("/States/Lost", "MISSING_TRANSITION_TARGET")
    );
    assert_eq!(msg, "state `Lost`: State \"Lost\" is not reachable.");
    assert_eq!(findings(doc)[0].code, FindingCode::UnreachableState);
}

#[test]
fn names_are_unique_across_scopes() {
    let doc = r#"{"StartAt":"A","States":{"A":{"Type":"Map","End":true,
        "ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}}}}"#;
    let (at, code, msg) = one(doc);
    assert_eq!(
        (at.as_str(), code),
        ("/States/A/ItemProcessor/States/A", "DUPLICATE_STATE_NAME")
    );
    assert_eq!(msg, "state `A`: Duplicate State name: A");
}

#[test]
fn state_names_are_at_most_80_characters() {
    let name = "n".repeat(81);
    let doc = format!(r#"{{"StartAt":"{name}","States":{{"{name}":{{"Type":"Succeed"}}}}}}"#);
    let (at, _, msg) = one(&doc);
    assert_eq!(at, format!("/States/{name}"));
    assert!(
        msg.ends_with("State names must be between 1 and 80 characters long, not 81"),
        "{msg}"
    );
}

#[test]
fn error_equals_is_not_empty() {
    let (at, _, msg) = one(&single(
        r#"{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true,"Retry":[{"ErrorEquals":[]}]}"#,
    ));
    assert_eq!(at, "/States/S/Retry/0/ErrorEquals");
    assert_eq!(
        msg,
        "state `S`, field `Retry[0].ErrorEquals`: Value cannot be empty"
    );
}

#[test]
fn states_all_is_alone_and_last() {
    let doc = single(
        r#"{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true,
        "Retry":[{"ErrorEquals":["States.ALL","X"]}],
        "Catch":[{"ErrorEquals":["States.ALL"],"Next":"S"},{"ErrorEquals":["Y"],"Next":"S"}]}"#,
    );
    let f = findings(&doc);
    let got: Vec<(&str, &str)> = f
        .iter()
        .map(|x| {
            (
                x.pointer.as_str(),
                x.message.rsplit(": ").next().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "/States/S/Retry/0/ErrorEquals",
                "States.ALL must be the only error name in ErrorEquals"
            ),
            (
                "/States/S/Catch/0/ErrorEquals",
                "States.ALL must appear only in the last Catcher"
            ),
        ]
    );
}

#[test]
fn jsonata_machine_has_no_jsonpath_state() {
    let doc = r#"{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Succeed","QueryLanguage":"JSONPath"}}}"#;
    let (at, _, msg) = one(doc);
    assert_eq!(at, "/States/S");
    assert!(msg.ends_with(
        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"
    ));
}

#[test]
fn machine_timeout_is_at_least_one() {
    let (at, _, msg) =
        one(r#"{"TimeoutSeconds":0,"StartAt":"S","States":{"S":{"Type":"Succeed"}}}"#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (
            "/TimeoutSeconds",
            "field `TimeoutSeconds`: Minimum value is 1"
        )
    );
}

#[test]
fn retrier_bounds() {
    let doc = single(
        r#"{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true,
        "Retry":[{"ErrorEquals":["X"],"BackoffRate":0.5,"IntervalSeconds":0,"MaxDelaySeconds":31622401}]}"#,
    );
    let f = findings(&doc);
    let got: Vec<&str> = f.iter().map(|x| x.pointer.as_str()).collect();
    assert_eq!(
        got,
        [
            "/States/S/Retry/0/IntervalSeconds",
            "/States/S/Retry/0/MaxDelaySeconds",
            "/States/S/Retry/0/BackoffRate"
        ]
    );
    assert_eq!(
        f[2].message,
        "state `S`, field `Retry[0].BackoffRate`: Minimum value is 1.0"
    );
}

#[test]
fn task_timeouts_are_in_range() {
    let (at, _, msg) = one(&single(
        r#"{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true,"TimeoutSeconds":100000000}"#,
    ));
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (
            "/States/S/TimeoutSeconds",
            "state `S`, field `TimeoutSeconds`: Maximum value is 99999999"
        )
    );
}

#[test]
fn heartbeat_below_timeout() {
    let (at, _, msg) = one(&single(
        r#"{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true,"TimeoutSeconds":10,"HeartbeatSeconds":10}"#,
    ));
    assert_eq!(at, "/States/S/HeartbeatSeconds");
    assert!(msg.ends_with("HeartbeatSeconds (10) must be smaller than TimeoutSeconds (10)"));
}

#[test]
fn express_restrictions() {
    let doc = r#"{"StartAt":"A","States":{
        "A":{"Type":"Task","Resource":"arn:aws:states:us-east-1:1:activity:act","Next":"B"},
        "B":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Next":"C"},
        "C":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}}"#;
    assert!(
        findings(doc).is_empty(),
        "standard machines may use all three"
    );
    let f = lint(&model(doc), &LintOptions { express: true });
    let got: Vec<(&str, &str)> = f
        .iter()
        .map(|x| {
            (
                x.pointer.as_str(),
                x.message.rsplit(": ").next().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "/States/A/Resource",
                "Express state machine does not support Activity ARN"
            ),
            (
                "/States/B/Resource",
                "Express state machine does not support '.sync' service integration"
            ),
            (
                "/States/C/Resource",
                "Express state machine does not support '.waitForTaskToken' service integration"
            ),
        ]
    );
}

#[test]
fn express_restrictions_hold_in_every_partition() {
    let doc = r#"{"StartAt":"A","States":{
        "A":{"Type":"Task","Resource":"arn:aws-cn:states:cn-north-1:1:activity:act","Next":"B"},
        "B":{"Type":"Task","Resource":"arn:${AWS::Partition}:states:::batch:submitJob.sync","Next":"C"},
        "C":{"Type":"Task","Resource":"arn:aws-us-gov:states:::sns:publish.waitForTaskToken","Next":"D"},
        "D":{"Type":"Task","Resource":"arn:aws-iso:states:::lambda:invoke","Next":"E"},
        "E":{"Type":"Task","Resource":"${ActivityArn}","End":true}}}"#;
    let f = lint(&model(doc), &LintOptions { express: true });
    let at: Vec<&str> = f.iter().map(|x| x.pointer.as_str()).collect();
    assert_eq!(
        at,
        [
            "/States/A/Resource",
            "/States/B/Resource",
            "/States/C/Resource"
        ],
        "request-response calls and placeholders pass: {f:?}"
    );
}

#[test]
fn wait_timestamp_is_rfc3339() {
    let (at, _, msg) = one(&single(
        r#"{"Type":"Wait","Timestamp":"2026-01-01 10:00:00","End":true}"#,
    ));
    assert_eq!(at, "/States/S/Timestamp");
    assert!(msg.ends_with("String does not match RFC3339 timestamp"));
    assert!(findings(&single(
        r#"{"Type":"Wait","Timestamp":"2026-01-01T10:00:00.123456789+02:00","End":true}"#
    ))
    .is_empty());
}

#[test]
fn wait_seconds_in_range() {
    let (at, _, _) = one(&single(r#"{"Type":"Wait","Seconds":100000000,"End":true}"#));
    assert_eq!(at, "/States/S/Seconds");
}

#[test]
fn choices_not_empty() {
    let doc = r#"{"StartAt":"S","States":{"S":{"Type":"Choice","Choices":[],"Default":"E"},"E":{"Type":"Succeed"}}}"#;
    let (at, _, msg) = one(doc);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (
            "/States/S/Choices",
            "state `S`, field `Choices`: Value cannot be empty"
        )
    );
}

#[test]
fn boolean_rules_not_empty() {
    let doc = r#"{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"And":[],"Next":"E"}]},"E":{"Type":"Succeed"}}}"#;
    let (at, _, _) = one(doc);
    assert_eq!(at, "/States/C/Choices/0/And");
}

#[test]
fn operand_types_match_operator() {
    let doc = r#"{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Not":{"Variable":"$.n","NumericEquals":"1"},"Next":"E"},
        {"Variable":"$.t","TimestampEquals":"yesterday","Next":"E"}]},"E":{"Type":"Succeed"}}}"#;
    let f = findings(doc);
    let got: Vec<(&str, &str)> = f
        .iter()
        .map(|x| {
            (
                x.pointer.as_str(),
                x.message.rsplit(": ").next().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "/States/C/Choices/0/Not/NumericEquals",
                "Value must be a number"
            ),
            (
                "/States/C/Choices/1/TimestampEquals",
                "Value must be an RFC 3339 timestamp string"
            ),
        ]
    );
}

#[test]
fn branches_not_empty() {
    let (at, _, _) = one(&single(r#"{"Type":"Parallel","Branches":[],"End":true}"#));
    assert_eq!(at, "/States/S/Branches");
}

#[test]
fn map_bounds() {
    let doc = single(
        r#"{"Type":"Map","End":true,"ToleratedFailurePercentage":101,
        "ItemBatcher":{"MaxInputBytesPerBatch":300000},
        "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"I","States":{"I":{"Type":"Succeed"}}}}"#,
    );
    let f = findings(&doc);
    let got: Vec<&str> = f.iter().map(|x| x.pointer.as_str()).collect();
    assert_eq!(
        got,
        [
            "/States/S/ToleratedFailurePercentage",
            "/States/S/ItemBatcher/MaxInputBytesPerBatch"
        ]
    );
}

#[test]
fn map_label_rules() {
    let (at, _, msg) = one(&single(
        r#"{"Type":"Map","End":true,"Label":"my label","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Succeed"}}}}"#,
    ));
    assert_eq!(at, "/States/S/Label");
    assert!(msg.ends_with("Label must not contain ' '"), "{msg}");
}

#[test]
fn distributed_map_needs_execution_type() {
    let (at, _, msg) = one(&single(
        r#"{"Type":"Map","End":true,"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"I","States":{"I":{"Type":"Succeed"}}}}"#,
    ));
    assert_eq!(at, "/States/S/ItemProcessor/ProcessorConfig");
    assert!(msg.ends_with("These fields are required: [ExecutionType]"));
}

#[test]
fn deep_nesting_is_refused_without_overflow() {
    // A model built in code (no parser cap) nested far deeper than any real definition.
    let leaf = model(&single(r#"{"Type":"Succeed"}"#));
    let mut states = leaf.states.clone();
    for i in 0..200 {
        let doc = single(
            r#"{"Type":"Parallel","End":true,"Branches":[{"StartAt":"S","States":{"S":{"Type":"Succeed"}}}]}"#,
        );
        let mut outer = model(&doc);
        if let Some(StateKind::Parallel(p)) = outer.states.get_mut("S").map(|s| &mut s.kind) {
            p.branches[0].states = std::mem::take(&mut states);
            p.branches[0].start_at = format!("L{}", i.max(1) - 1);
        }
        states = States::default();
        let s = outer.states.swap_remove("S").expect("state");
        states.insert(format!("L{i}"), s);
    }
    let m = StateMachine {
        comment: None,
        version: None,
        timeout_seconds: None,
        query_language: None,
        start_at: "L199".into(),
        states,
    };
    let f = lint(&m, &LintOptions::default());
    assert!(
        f.iter().any(|x| x.message.contains("nest at most")),
        "{}",
        f.len()
    );
}

#[test]
fn fields_match_the_query_language() {
    // Built in code: a JSONPath state switched to JSONata keeps its JSONPath fields.
    let mut m = model(&single(
        r#"{"Type":"Pass","InputPath":"$.a","Assign":{"x.$":"$.b"},"End":true}"#,
    ));
    if let Some(s) = m.states.get_mut("S") {
        s.query_language = Some(QueryLanguage::Jsonata);
    }
    let f = lint(&m, &LintOptions::default());
    let got: Vec<&str> = f.iter().map(|x| x.pointer.as_str()).collect();
    assert_eq!(got, ["/States/S/InputPath", "/States/S/Assign"]);
    assert!(f[0].message.ends_with(
        "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage"
    ));
}

#[test]
fn assign_keys_are_variable_names() {
    let doc =
        single(r#"{"Type":"Pass","Assign":{"ok":1,"a.b":2,"states":3,"x[0].$":"$.c"},"End":true}"#);
    let f = findings(&doc);
    let got: Vec<&str> = f.iter().map(|x| x.pointer.as_str()).collect();
    assert_eq!(
        got,
        [
            "/States/S/Assign/a.b",
            "/States/S/Assign/states",
            "/States/S/Assign/x[0].$"
        ]
    );
    assert!(f[0].message.ends_with("'a.b' is not a valid variable name"));
}

#[test]
fn fail_paths_call_string_intrinsics() {
    let (at, _, msg) = one(&single(
        r#"{"Type":"Fail","CausePath":"States.ArrayLength($.a)"}"#,
    ));
    assert_eq!(at, "/States/S/CausePath");
    assert!(msg.ends_with("The intrinsic function 'States.ArrayLength' does not return a string"));
    assert!(findings(&single(
        r#"{"Type":"Fail","ErrorPath":"States.Format('E{}', $.code)"}"#
    ))
    .is_empty());
}

#[test]
fn batcher_has_a_limit() {
    let doc = single(
        r#"{"Type":"Map","End":true,"ItemBatcher":{"BatchInput":{"a":1}},
        "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"I","States":{"I":{"Type":"Succeed"}}}}"#,
    );
    let (at, _, msg) = one(&doc);
    assert_eq!(at, "/States/S/ItemBatcher");
    assert!(
        msg.ends_with("These fields are required: [MaxItemsPerBatch] or [MaxInputBytesPerBatch]")
    );
}

#[test]
fn given_csv_headers() {
    let doc = single(
        r#"{"Type":"Map","End":true,
        "ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"GIVEN"}},
        "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"I","States":{"I":{"Type":"Succeed"}}}}"#,
    );
    let (at, _, msg) = one(&doc);
    assert_eq!(at, "/States/S/ItemReader/ReaderConfig");
    assert!(msg.ends_with("These fields are required: [CSVHeaders]"));
}

#[test]
fn http_tasks_are_request_response_only() {
    for suffix in [".sync", ".sync:2", ".waitForTaskToken"] {
        let doc = format!(
            r#"{{"StartAt":"A","States":{{"A":{{"Type":"Task",
            "Resource":"arn:aws:states:::http:invoke{suffix}","End":true}}}}}}"#
        );
        let f = findings(&doc);
        assert_eq!(f.len(), 1, "{suffix}: {f:?}");
        assert_eq!(f[0].pointer, "/States/A/Resource");
        assert_eq!(f[0].code, FindingCode::SchemaValidationFailed);
        assert!(
            f[0].message.ends_with(&format!(
                "The resource provided arn:aws:states:::http:invoke{suffix} is not recognized. \
                 The value is not a valid resource ARN, or the resource is not available in this region."
            )),
            "{}",
            f[0].message
        );
        assert!(f[0]
            .hint
            .as_deref()
            .unwrap_or_default()
            .contains("arn:aws:states:::http:invoke`"));
    }
    let doc = r#"{"StartAt":"A","States":{"A":{"Type":"Task",
        "Resource":"arn:aws:states:::http:invoke","End":true}}}"#;
    assert!(findings(doc).is_empty());
}

#[test]
fn http_task_headers_refused_by_aws_are_reported() {
    let doc = r#"{"StartAt":"A","States":{
        "A":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","Parameters":{
            "Headers":{"Content-Type":"application/json","Authorization":"Bearer t",
                "X-Amz-Date.$":"$.d","If-Match":"x","x-forwarded-for":"1"}},"Next":"B"},
        "B":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","QueryLanguage":"JSONata",
            "Arguments":{"Headers":{"Host":"example.com"}},"Next":"C"},
        "C":{"Type":"Task","Resource":"arn:aws:states:::http:invoke",
            "Parameters":{"Headers":{"Range":"bytes=0-1","X-Custom":"ok"}},"Next":"D"},
        "D":{"Type":"Task","Resource":"arn:aws:states:::apigateway:invoke",
            "Parameters":{"Headers":{"Date":["x"]}},"End":true}}}"#;
    let got: Vec<(String, String)> = findings(doc)
        .into_iter()
        .map(|f| {
            let text = f.message.rsplit(": ").next().unwrap_or_default().to_owned();
            (f.pointer, text)
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "/States/A/Parameters".to_owned(),
                "[authorization, x-amz-date, if-match, x-forwarded-for]".to_owned()
            ),
            ("/States/B/Arguments".to_owned(), "[host]".to_owned()),
        ]
    );
    let f = findings(doc);
    assert!(
        f[0].message
            .contains("The 'Headers' field contains unsupported values: [authorization,"),
        "{}",
        f[0].message
    );
}
