//! Partitions, the forms a name takes, and how statements are merged. Each integration against
//! AWS's documented policy is in `tests/iam_documented.rs`; grants of DSL definitions in
//! `sfn-macros-core` (`src/iam/tests.rs`).

use serde_json::{json, Value};

use super::policy;

/// Every `(action, resource)` pair of a policy, sorted.
fn grants(p: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for st in p["Statement"].as_array().expect("statements") {
        for action in st["Action"].as_array().expect("actions") {
            let action = action.as_str().expect("action");
            for r in st["Resource"].as_array().expect("resources") {
                out.push((action.to_owned(), r.as_str().expect("resource").to_owned()));
            }
        }
    }
    out.sort();
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
        let rule = format!("arn:{p}:events:*:*:rule/StepFunctionsGetEventsForBatchJobsRule");
        let secrets = format!("arn:{p}:secretsmanager:r-1:111:secret:events!connection/c/*");
        let own = format!("arn:{p}:states:*:*:stateMachine:*");
        let children = format!("arn:{p}:states:*:*:execution:*/Each:*");
        let mut want: Vec<(String, String)> = [
            ("dynamodb:PutItem", format!("arn:{p}:dynamodb:*:*:table/t")),
            ("events:DescribeRule", rule.clone()),
            (
                "events:PutEvents",
                format!("arn:{p}:events:*:*:event-bus/default"),
            ),
            ("events:PutRule", rule.clone()),
            ("events:PutTargets", rule),
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
                format!("arn:{p}:lambda:*:*:function:g:*"),
            ),
            (
                "lambda:InvokeFunction",
                format!("arn:{p}:lambda:r-1:111:function:f"),
            ),
            (
                "lambda:InvokeFunction",
                format!("arn:{p}:lambda:r-1:111:function:f:*"),
            ),
            ("s3:GetObject", format!("arn:{p}:s3:::b/k.json")),
            ("secretsmanager:DescribeSecret", secrets.clone()),
            ("secretsmanager:GetSecretValue", secrets),
            ("sqs:SendMessage", format!("arn:{p}:sqs:r-1:111:q")),
            ("states:DescribeExecution", children.clone()),
            ("states:InvokeHTTPEndpoint", own.clone()),
            ("states:RedriveExecution", children.clone()),
            ("states:StartExecution", own),
            ("states:StopExecution", children),
        ]
        .into_iter()
        .map(|(a, r)| (a.to_owned(), r))
        .collect();
        want.sort();
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
                "batch:DescribeJobs",
                "batch:SubmitJob",
                "batch:TerminateJob"
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

fn policy_of(asl: Value) -> Value {
    match crate::parse(&asl.to_string()) {
        Ok(m) => policy(&m),
        Err(e) => panic!("does not parse: {e:?}"),
    }
}

fn task(resource: &str, parameters: Value) -> Value {
    json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource,
        "Parameters": parameters, "End": true}}})
}

/// A name's region and account are `*` only where the text does not give them.
#[test]
fn function_names_keep_the_region_and_account_they_give() {
    let cases = [
        ("charge", "arn:aws:lambda:*:*:function:charge"),
        ("charge:PROD", "arn:aws:lambda:*:*:function:charge"),
        (
            "123456789012:function:charge",
            "arn:aws:lambda:*:123456789012:function:charge",
        ),
        (
            "arn:aws-cn:lambda:cn-north-1:1:function:charge:3",
            "arn:aws-cn:lambda:cn-north-1:1:function:charge",
        ),
    ];
    for (name, arn) in cases {
        let p = policy_of(task(
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": name}),
        ));
        let want = vec![
            ("lambda:InvokeFunction".to_owned(), arn.to_owned()),
            ("lambda:InvokeFunction".to_owned(), format!("{arn}:*")),
        ];
        assert_eq!(grants(&p), want, "{name}");
    }
}

#[test]
fn queue_urls_in_every_form_become_queue_arns() {
    let cases = [
        (
            "https://sqs.eu-west-1.amazonaws.com/1/q",
            "arn:aws:sqs:eu-west-1:1:q",
        ),
        (
            "https://eu-west-1.queue.amazonaws.com/1/q",
            "arn:aws:sqs:eu-west-1:1:q",
        ),
        (
            "https://queue.amazonaws.com/1/q",
            "arn:aws:sqs:us-east-1:1:q",
        ),
        ("not a url", "*"),
    ];
    for (url, arn) in cases {
        let p = policy_of(task(
            "arn:aws:states:::sqs:sendMessage",
            json!({"QueueUrl": url, "MessageBody": "m"}),
        ));
        assert_eq!(
            grants(&p),
            [("sqs:SendMessage".to_owned(), arn.to_owned())],
            "{url}"
        );
    }
}

#[test]
fn ecs_task_definitions_and_api_endpoints_in_other_forms() {
    let cases = [
        ("job", "arn:aws:ecs:*:*:task-definition/job:*"),
        ("job:4", "arn:aws:ecs:*:*:task-definition/job:4"),
        (
            "arn:aws:ecs:eu-west-1:1:task-definition/job",
            "arn:aws:ecs:eu-west-1:1:task-definition/job:*",
        ),
    ];
    for (definition, arn) in cases {
        let p = policy_of(task(
            "arn:aws:states:::ecs:runTask",
            json!({"TaskDefinition": definition}),
        ));
        assert_eq!(
            grants(&p),
            [("ecs:RunTask".to_owned(), arn.to_owned())],
            "{definition}"
        );
    }
    // A custom domain names no API.
    let p = policy_of(task(
        "arn:aws:states:::apigateway:invoke",
        json!({"ApiEndpoint": "api.example.com", "Method": "GET", "Stage": "prod"}),
    ));
    assert_eq!(
        grants(&p),
        [(
            "execute-api:Invoke".to_owned(),
            "arn:aws:execute-api:*:*:*".to_owned()
        )]
    );
}

/// One statement per service and set of resources, with every action granted on them.
#[test]
fn actions_of_one_service_on_the_same_resources_share_a_statement() {
    let asl = json!({"StartAt": "Get", "States": {
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {"TableName": "t", "Key": {}}, "Next": "Put"},
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "t", "Item": {}}, "Next": "Other"},
        "Other": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:deleteItem",
            "Parameters": {"TableName": "u", "Key": {}}, "End": true}}});
    let p = policy_of(asl.clone());
    assert_eq!(
        p["Statement"],
        json!([
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
             "Resource": ["arn:aws:dynamodb:*:*:table/t"]},
            {"Effect": "Allow", "Action": ["dynamodb:DeleteItem"],
             "Resource": ["arn:aws:dynamodb:*:*:table/u"]}
        ])
    );
    assert_eq!(policy_of(asl), p, "the same definition, the same policy");
}

/// A Distributed Map's own grants are in the partition of the machine's resources, even when
/// the only one sits inside the map.
#[test]
fn a_distributed_map_is_in_the_partition_of_the_machines_resources() {
    let asl = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            "StartAt": "F", "States": {"F": {"Type": "Task",
                "Resource": "arn:aws-cn:lambda:cn-north-1:1:function:f", "End": true}}}}}});
    let got = grants(&policy_of(asl));
    assert!(
        got.contains(&(
            "states:StartExecution".to_owned(),
            "arn:aws-cn:states:*:*:stateMachine:*".to_owned()
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "states:DescribeExecution".to_owned(),
            "arn:aws-cn:states:*:*:execution:*/M:*".to_owned()
        )),
        "{got:?}"
    );
}

/// Each HTTP task's method and endpoint are a condition of its own statement; a task whose
/// method and endpoint are both known only at run time needs the grant without condition,
/// which covers the others.
#[test]
fn http_tasks_are_granted_under_their_method_and_endpoint() {
    let call = |endpoint: Value, method: Value| {
        let mut parameters =
            json!({"Authentication": {"ConnectionArn": "arn:aws:events:r:1:connection/c/u"}});
        for (key, value) in [("ApiEndpoint", endpoint), ("Method", method)] {
            match value {
                Value::String(s) if s.starts_with('$') => {
                    parameters[format!("{key}.$")] = json!(s);
                }
                v => parameters[key] = v,
            }
        }
        json!({"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
            "Parameters": parameters})
    };
    let machine = |states: Vec<Value>| {
        let n = states.len();
        let states: serde_json::Map<String, Value> = states
            .into_iter()
            .enumerate()
            .map(|(i, mut s)| {
                if i + 1 < n {
                    s["Next"] = json!(format!("S{}", i + 1));
                } else {
                    s["End"] = json!(true);
                }
                (format!("S{i}"), s)
            })
            .collect();
        json!({"StartAt": "S0", "States": states})
    };
    let invoke = |p: &Value| -> Vec<Value> {
        p["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|st| st["Action"][0] == "states:InvokeHTTPEndpoint")
            .cloned()
            .collect()
    };
    let two = policy_of(machine(vec![
        call(json!("https://a.example/x"), json!("GET")),
        call(json!("https://b.example/y"), json!("$.method")),
    ]));
    let got = invoke(&two);
    assert_eq!(got.len(), 2, "{two:#}");
    assert_eq!(
        got[0]["Condition"],
        json!({"StringEquals": {"states:HTTPMethod": "GET"},
               "StringLike": {"states:HTTPEndpoint": "https://a.example/x*"}})
    );
    assert_eq!(
        got[1]["Condition"],
        json!({"StringLike": {"states:HTTPEndpoint": "https://b.example/y*"}})
    );
    let covered = policy_of(machine(vec![
        call(json!("https://a.example/x"), json!("GET")),
        call(json!("$.url"), json!("$.method")),
    ]));
    let got = invoke(&covered);
    assert_eq!(got.len(), 1, "{covered:#}");
    assert!(got[0].get("Condition").is_none(), "{covered:#}");
}
