//! Partitions. The grants themselves are tested in `sfn-macros` (`src/iam/tests.rs`), where the
//! definitions can be written in the DSL.

use serde_json::{json, Value};

use super::policy;

/// Every `(action, resource)` pair of a policy, in its (sorted) order.
fn grants(p: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for st in p["Statement"].as_array().expect("statements") {
        let action = st["Action"][0].as_str().expect("action").to_owned();
        for r in st["Resource"].as_array().expect("resources") {
            out.push((action.clone(), r.as_str().expect("resource").to_owned()));
        }
    }
    out
}

/// One state of each kind whose grant names an ARN, all in partition `p`.
fn machine(p: &str) -> Value {
    json!({"StartAt": "Fn", "States": {
        "Fn": {"Type": "Task", "Resource": format!("arn:{p}:lambda:r-1:111:function:f"), "Next": "Invoke"},
        "Invoke": {"Type": "Task", "Resource": format!("arn:{p}:states:::lambda:invoke"),
            "Parameters": {"FunctionName": "g"}, "Next": "Put"},
        "Put": {"Type": "Task", "Resource": format!("arn:{p}:states:::dynamodb:putItem"),
            "Parameters": {"TableName": "t", "Item": {}}, "Next": "Send"},
        "Send": {"Type": "Task", "Resource": format!("arn:{p}:states:::sqs:sendMessage"),
            "Parameters": {"QueueUrl": "https://sqs.r-1.example.com/111/q", "MessageBody": "m"}, "Next": "Emit"},
        "Emit": {"Type": "Task", "Resource": format!("arn:{p}:states:::events:putEvents"),
            "Parameters": {"Entries": [{"Detail": {}}]}, "Next": "Job"},
        "Job": {"Type": "Task", "Resource": format!("arn:{p}:states:::batch:submitJob.sync"),
            "Parameters": {"JobName": "j", "JobQueue": "q", "JobDefinition": "d"}, "Next": "Call"},
        "Call": {"Type": "Task", "Resource": format!("arn:{p}:states:::http:invoke"),
            "Parameters": {"ApiEndpoint": "https://example.com", "Method": "GET",
                "Authentication": {"ConnectionArn": format!("arn:{p}:events:r-1:111:connection/c")}},
            "Next": "Work"},
        "Work": {"Type": "Task", "Resource": format!("arn:{p}:states:r-1:111:activity:a"), "Next": "Each"},
        "Each": {"Type": "Map", "End": true,
            "ItemReader": {"Resource": format!("arn:{p}:states:::s3:getObject"),
                "ReaderConfig": {"InputType": "JSON"},
                "Parameters": {"Bucket": "b", "Key": "k.json"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}
    }})
}

fn policy_in(p: &str) -> Vec<(String, String)> {
    let doc = machine(p).to_string();
    match crate::parse(&doc) {
        Ok(m) => grants(&policy(&m)),
        Err(e) => panic!("{p}: does not parse: {e:?}"),
    }
}

#[test]
fn every_arn_of_the_policy_is_in_the_resources_partition() {
    for p in [
        "aws",
        "aws-cn",
        "aws-us-gov",
        "aws-iso",
        "aws-iso-b",
        "aws-iso-e",
        "aws-iso-f",
        "aws-eusc",
        "${AWS::Partition}",
    ] {
        let got = policy_in(p);
        let want: Vec<(String, String)> = [
            ("dynamodb:PutItem", format!("arn:{p}:dynamodb:*:*:table/t")),
            (
                "events:DescribeRule",
                format!("arn:{p}:events:*:*:rule/StepFunctionsGetEventsForBatch*"),
            ),
            (
                "events:PutEvents",
                format!("arn:{p}:events:*:*:event-bus/default"),
            ),
            (
                "events:PutRule",
                format!("arn:{p}:events:*:*:rule/StepFunctionsGetEventsForBatch*"),
            ),
            (
                "events:PutTargets",
                format!("arn:{p}:events:*:*:rule/StepFunctionsGetEventsForBatch*"),
            ),
            (
                "events:RetrieveConnectionCredentials",
                format!("arn:{p}:events:r-1:111:connection/c"),
            ),
            (
                "lambda:InvokeFunction",
                format!("arn:{p}:lambda:*:*:function:g"),
            ),
            (
                "lambda:InvokeFunction",
                format!("arn:{p}:lambda:r-1:111:function:f"),
            ),
            ("s3:GetObject", format!("arn:{p}:s3:::b/k.json")),
            (
                "secretsmanager:DescribeSecret",
                format!("arn:{p}:secretsmanager:*:*:secret:events!connection/*"),
            ),
            (
                "secretsmanager:GetSecretValue",
                format!("arn:{p}:secretsmanager:*:*:secret:events!connection/*"),
            ),
            ("sqs:SendMessage", format!("arn:{p}:sqs:r-1:111:q")),
        ]
        .into_iter()
        .map(|(a, r)| (a.to_owned(), r))
        .collect();
        let arns: Vec<(String, String)> = got.iter().filter(|(_, r)| r != "*").cloned().collect();
        assert_eq!(arns, want, "partition {p}");
        let wildcards: Vec<&str> = got
            .iter()
            .filter(|(_, r)| r == "*")
            .map(|(a, _)| a.as_str())
            .collect();
        assert_eq!(
            wildcards,
            [
                "batch:SubmitJob",
                "states:DescribeExecution",
                "states:InvokeHTTPEndpoint",
                "states:StartExecution",
                "states:StopExecution"
            ],
            "partition {p}: the activity needs no grant"
        );
    }
}

#[test]
fn a_placeholder_resource_is_granted_nothing() {
    let m = crate::parse(
        r#"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${ChargeFunctionArn}","End":true}}}"#,
    )
    .expect("valid");
    assert_eq!(grants(&policy(&m)), Vec::<(String, String)>::new());
}

/// A state machine's ARN as a Task resource calls nothing Step Functions knows, so the IAM
/// policy grants no action for it (before, `stateMachine:M` read as a call and granted the
/// action `stateMachine:M`).
#[test]
fn state_machine_arn_resource_grants_nothing_in_the_policy() {
    let asl = serde_json::json!({
        "StartAt": "T",
        "States": {"T": {
            "Type": "Task",
            "Resource": "arn:aws:states:us-east-1:123456789012:stateMachine:M",
            "End": true
        }}
    });
    let machine = match crate::parse(&asl.to_string()) {
        Ok(m) => m,
        Err(e) => panic!("does not parse: {e:?}"),
    };
    let policy = policy(&machine);
    let text = policy.to_string();
    assert!(!text.contains("stateMachine:M\""), "{text}");
    assert!(!text.contains("stateMachine:"), "{text}");
    let statements = policy["Statement"].as_array().cloned().unwrap_or_default();
    assert!(statements.is_empty(), "{policy:#}");
}

/// A `.sync` start of a version or alias watches executions named after the machine alone.
#[test]
fn sync_start_of_a_version_or_alias_grants_the_machines_executions() {
    for machine in [
        "arn:aws:states:us-east-1:1:stateMachine:child",
        "arn:aws:states:us-east-1:1:stateMachine:child:3",
        "arn:aws:states:us-east-1:1:stateMachine:child:PROD",
    ] {
        let asl = json!({"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {"StateMachineArn": machine}, "End": true}}});
        let m = match crate::parse(&asl.to_string()) {
            Ok(m) => m,
            Err(e) => panic!("does not parse: {e:?}"),
        };
        let got = grants(&policy(&m));
        for action in ["states:DescribeExecution", "states:StopExecution"] {
            let resources: Vec<&str> = got
                .iter()
                .filter(|(a, _)| a == action)
                .map(|(_, r)| r.as_str())
                .collect();
            assert_eq!(
                resources,
                ["arn:aws:states:us-east-1:1:execution:child:*"],
                "{action} for {machine}"
            );
        }
    }
}
