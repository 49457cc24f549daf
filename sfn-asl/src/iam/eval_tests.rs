//! The evaluator against the IAM User Guide's evaluation logic, and the generated policy
//! against the requests of every integration the engine calls.

use serde_json::{json, Value};

use super::eval::{glob, Context, Decision, PolicyError, RolePolicy};
use super::request::{authorizations, managed_rules, Caller};

fn policy(statements: Value) -> RolePolicy {
    let doc = json!({"Version": "2012-10-17", "Statement": statements});
    match RolePolicy::from_value(&doc) {
        Ok(p) => p,
        Err(e) => panic!("{doc}: {e}"),
    }
}

fn decide(p: &RolePolicy, action: &str, resource: &str) -> Decision {
    p.evaluate(action, resource, &role_context()).decision
}

/// What the engine puts in a role session's context.
fn role_context() -> Context {
    let mut c = Context::new();
    c.set("aws:RequestedRegion", "us-east-1")
        .set("aws:PrincipalAccount", "123456789012")
        .set("aws:SecureTransport", "true")
        .absent("aws:username");
    c
}

const TABLE: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/orders";

#[test]
fn an_explicit_deny_wins_over_any_allow() {
    let p = policy(json!([
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "dynamodb:PutItem", "Resource": TABLE}
    ]));
    assert_eq!(
        decide(&p, "dynamodb:PutItem", TABLE),
        Decision::ExplicitDeny
    );
    assert_eq!(decide(&p, "dynamodb:GetItem", TABLE), Decision::Allow);
}

#[test]
fn what_no_statement_allows_is_denied_implicitly() {
    let p = policy(json!([{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": TABLE}]));
    assert_eq!(
        decide(&p, "dynamodb:PutItem", TABLE),
        Decision::ImplicitDeny
    );
    let other = "arn:aws:dynamodb:us-east-1:123456789012:table/other";
    assert_eq!(
        decide(&p, "dynamodb:GetItem", other),
        Decision::ImplicitDeny
    );
    let empty = policy(json!([]));
    assert_eq!(
        decide(&empty, "dynamodb:GetItem", TABLE),
        Decision::ImplicitDeny
    );
}

#[test]
fn actions_match_with_wildcards_and_without_regard_to_case() {
    let p = policy(
        json!([{"Effect": "Allow", "Action": ["DynamoDB:*Item", "sqs:Send?essage"], "Resource": "*"}]),
    );
    assert_eq!(decide(&p, "dynamodb:PutItem", TABLE), Decision::Allow);
    assert_eq!(decide(&p, "dynamodb:putitem", TABLE), Decision::Allow);
    assert_eq!(decide(&p, "sqs:sendmessage", "*"), Decision::Allow);
    assert_eq!(decide(&p, "dynamodb:Query", TABLE), Decision::ImplicitDeny);
    assert_eq!(
        decide(&p, "sqs:SendMessageBatch", "*"),
        Decision::ImplicitDeny
    );
}

#[test]
fn not_action_and_not_resource_match_everything_else() {
    let p = policy(json!([
        {"Effect": "Allow", "NotAction": "dynamodb:DeleteItem", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "NotResource": ["arn:aws:dynamodb:*:*:table/orders", "arn:aws:sqs:*"]}
    ]));
    assert_eq!(decide(&p, "dynamodb:PutItem", TABLE), Decision::Allow);
    // Not allowed by the NotAction, and not denied either.
    assert_eq!(
        decide(&p, "dynamodb:DeleteItem", TABLE),
        Decision::ImplicitDeny
    );
    let other = "arn:aws:dynamodb:us-east-1:123456789012:table/other";
    assert_eq!(
        decide(&p, "dynamodb:PutItem", other),
        Decision::ExplicitDeny
    );
    let queue = "arn:aws:sqs:us-east-1:123456789012:q";
    assert_eq!(decide(&p, "sqs:SendMessage", queue), Decision::Allow);
}

#[test]
fn resources_match_with_case_and_wildcards_per_segment() {
    let p = policy(
        json!([{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": [
            "arn:aws:lambda:*:*:function:f",
            "arn:aws:lambda:us-east-1:123456789012:function:g*x",
            "arn:aws:lambda:us-east-1:123456789012:function:h*"
        ]}]),
    );
    let f = |s: &str| format!("arn:aws:lambda:us-east-1:123456789012:function:{s}");
    assert_eq!(
        decide(&p, "lambda:InvokeFunction", &f("f")),
        Decision::Allow
    );
    assert_eq!(
        decide(&p, "lambda:InvokeFunction", &f("F")),
        Decision::ImplicitDeny
    );
    // `function:f` names no version or alias.
    assert_eq!(
        decide(&p, "lambda:InvokeFunction", &f("f:PROD")),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(&p, "lambda:InvokeFunction", &f("gabx")),
        Decision::Allow
    );
    // A `*` inside a segment does not reach past a colon; one that ends it does.
    assert_eq!(
        decide(&p, "lambda:InvokeFunction", &f("g:x")),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(&p, "lambda:InvokeFunction", &f("h:PROD")),
        Decision::Allow
    );
    let s3 = policy(
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]),
    );
    assert_eq!(
        decide(&s3, "s3:GetObject", "arn:aws:s3:::b/a/b/c.json"),
        Decision::Allow
    );
    assert_eq!(
        decide(&s3, "s3:GetObject", "arn:aws:s3:::bb/a"),
        Decision::ImplicitDeny
    );
}

#[test]
fn glob_is_linear_in_memory_and_exact() {
    let text = "a".repeat(2000);
    assert!(!glob(
        &"*a".repeat(200).replace("*a*a", "*a*b"),
        &text,
        false
    ));
    assert!(glob(&"*a".repeat(200), &text, false));
    assert!(glob("a?c", "abc", true));
    assert!(!glob("a?c", "a:c", true));
}

#[test]
fn conditions_follow_aws_rules_for_present_and_missing_keys() {
    let p = policy(json!([
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}},
        {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}},
        // The key is absent: StringEquals fails, a negated operator holds, IfExists holds.
        {"Effect": "Allow", "Action": "dynamodb:Query", "Resource": "*",
         "Condition": {"StringEquals": {"aws:username": "bob"}}},
        {"Effect": "Allow", "Action": "dynamodb:Scan", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:username": "bob"}}},
        {"Effect": "Allow", "Action": "dynamodb:UpdateItem", "Resource": "*",
         "Condition": {"StringEqualsIfExists": {"aws:username": "bob"}, "Bool": {"aws:SecureTransport": true}}},
        {"Effect": "Allow", "Action": "dynamodb:DeleteItem", "Resource": "*",
         "Condition": {"Null": {"aws:username": "true"}, "ForAllValues:StringEquals": {"aws:username": "x"}}},
        {"Effect": "Allow", "Action": "dynamodb:BatchGetItem", "Resource": "*",
         "Condition": {"ForAnyValue:StringEquals": {"aws:username": "x"}}},
        {"Effect": "Allow", "Action": "dynamodb:DescribeTable", "Resource": "*",
         "Condition": {"NumericLessThan": {"aws:PrincipalAccount": 200000000000_u64}}},
        {"Effect": "Allow", "Action": "dynamodb:ListTables", "Resource": "*",
         "Condition": {"StringLike": {"aws:RequestedRegion": "us-*"}, "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}}
    ]));
    let mut with_arn = role_context();
    with_arn.set("aws:PrincipalArn", "arn:aws:iam::123456789012:role/r");
    let d = |a: &str| p.evaluate(a, TABLE, &with_arn).decision;
    assert_eq!(d("dynamodb:GetItem"), Decision::Allow);
    assert_eq!(d("dynamodb:PutItem"), Decision::ImplicitDeny);
    assert_eq!(d("dynamodb:Query"), Decision::ImplicitDeny);
    assert_eq!(d("dynamodb:Scan"), Decision::Allow);
    assert_eq!(d("dynamodb:UpdateItem"), Decision::Allow);
    assert_eq!(d("dynamodb:DeleteItem"), Decision::Allow);
    assert_eq!(d("dynamodb:BatchGetItem"), Decision::ImplicitDeny);
    assert_eq!(d("dynamodb:DescribeTable"), Decision::Allow);
    assert_eq!(d("dynamodb:ListTables"), Decision::Allow);
}

#[test]
fn what_cannot_be_decided_never_allows_and_always_denies() {
    let p = policy(json!([
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}},
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "*",
         "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}
    ]));
    assert_eq!(
        p.undecidable(&role_context()),
        [
            "condition key `aws:SourceVpc`",
            "condition operator `DateGreaterThan`"
        ]
    );
    let e = p.evaluate("dynamodb:GetItem", TABLE, &role_context());
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert_eq!(e.undecided, ["condition key `aws:SourceVpc`"]);
    let e = p.evaluate("sqs:SendMessage", "*", &role_context());
    assert_eq!(e.decision, Decision::ExplicitDeny);
    assert_eq!(e.undecided, ["condition operator `DateGreaterThan`"]);
    assert_eq!(decide(&p, "sqs:ReceiveMessage", "*"), Decision::Allow);
}

#[test]
fn policy_variables_are_replaced_from_the_context_in_2012_10_17_only() {
    let statement = json!({"Effect": "Allow", "Action": "dynamodb:GetItem",
        "Resource": "arn:aws:dynamodb:*:${aws:PrincipalAccount}:table/*"});
    let p = policy(json!([statement]));
    assert_eq!(decide(&p, "dynamodb:GetItem", TABLE), Decision::Allow);
    let elsewhere = "arn:aws:dynamodb:us-east-1:999999999999:table/orders";
    assert_eq!(
        decide(&p, "dynamodb:GetItem", elsewhere),
        Decision::ImplicitDeny
    );
    let unknown = policy(
        json!([{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::${aws:userid}/*"}]),
    );
    let e = unknown.evaluate("s3:GetObject", "arn:aws:s3:::x/y", &role_context());
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert_eq!(e.undecided, ["policy variable `${aws:userid}`"]);
    // Without a version, `${…}` is literal text.
    let old = RolePolicy::from_value(&json!({"Statement": [statement]})).expect("valid");
    assert_eq!(
        decide(&old, "dynamodb:GetItem", TABLE),
        Decision::ImplicitDeny
    );
}

#[test]
fn the_policies_of_a_role_are_evaluated_together() {
    let p = RolePolicy::from_value(&json!([
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sqs:*", "Resource": "*"}]}
    ]))
    .expect("valid");
    assert_eq!(decide(&p, "sqs:SendMessage", "*"), Decision::ExplicitDeny);
    assert_eq!(decide(&p, "sns:Publish", "*"), Decision::Allow);
}

#[test]
fn malformed_documents_are_refused_with_the_place_and_the_fix() {
    let err = |doc: Value| match RolePolicy::from_value(&doc) {
        Err(PolicyError::Invalid { at, message }) => format!("{at}: {message}"),
        other => panic!("{doc}: {other:?}"),
    };
    let st = |extra: Value| {
        let mut s = json!({"Effect": "Allow", "Action": "*", "Resource": "*"});
        for (k, v) in extra.as_object().expect("object") {
            if v.is_null() {
                s.as_object_mut().expect("object").remove(k);
            } else {
                s[k] = v.clone();
            }
        }
        json!({"Version": "2012-10-17", "Statement": [s]})
    };
    assert!(err(st(json!({"Principal": "*"})))
        .starts_with("Statement[0].Principal: an identity-based policy"));
    assert!(err(st(json!({"Effect": "allow"}))).starts_with("Statement[0].Effect:"));
    assert!(
        err(st(json!({"NotAction": "s3:*"}))).contains("exactly one of `Action` and `NotAction`")
    );
    assert!(
        err(st(json!({"Resource": null}))).contains("exactly one of `Resource` and `NotResource`")
    );
    assert!(err(st(json!({"Condition": {"StringEqualz": {"k": "v"}}})))
        .contains("`StringEqualz` is not a condition operator"));
    assert!(
        err(st(json!({"Condition": {"NumericEquals": {"k": "ten"}}})))
            .contains("`ten` is not a valid value")
    );
    assert!(err(json!({"Version": "2012-10-18", "Statement": []})).starts_with("Version:"));
    assert!(err(json!([{"Version": "2012-10-17"}])).starts_with("[0].Statement:"));
    assert!(matches!(RolePolicy::parse("{"), Err(PolicyError::Json(_))));
}

// ---- The requests of each integration, against the policy generated for the same states ----

const CALLER: Caller<'static> = Caller {
    partition: "aws",
    region: "us-east-1",
    account: "123456789012",
    state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m",
};

/// One Task per integration the engine calls, with `Parameters` written out (the effective
/// input is the same as the parameters).
fn tasks() -> Vec<(&'static str, Value)> {
    let q = "https://sqs.us-east-1.amazonaws.com/123456789012/orders";
    vec![
        (
            "arn:aws:lambda:us-east-1:123456789012:function:charge",
            json!({"any": "input"}),
        ),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:charge:PROD",
            json!({}),
        ),
        (
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": "charge", "Payload": {}}),
        ),
        (
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": "charge:3", "Payload": {}}),
        ),
        (
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            json!({"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:ask"}),
        ),
        (
            "arn:aws:states:::dynamodb:getItem",
            json!({"TableName": "orders", "Key": {}}),
        ),
        (
            "arn:aws:states:::dynamodb:putItem",
            json!({"TableName": "orders", "Item": {}}),
        ),
        (
            "arn:aws:states:::dynamodb:updateItem",
            json!({"TableName": "orders", "Key": {}}),
        ),
        (
            "arn:aws:states:::dynamodb:deleteItem",
            json!({"TableName": TABLE, "Key": {}}),
        ),
        (
            "arn:aws:states:::sqs:sendMessage",
            json!({"QueueUrl": q, "MessageBody": "m"}),
        ),
        (
            "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            json!({"QueueUrl": q, "MessageBody": "m"}),
        ),
        (
            "arn:aws:states:::sns:publish",
            json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "m"}),
        ),
        (
            "arn:aws:states:::events:putEvents",
            json!({"Entries": [{"Detail": {}}, {"EventBusName": "orders", "Detail": {}}]}),
        ),
        (
            "arn:aws:states:::states:startExecution",
            json!({"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:child"}),
        ),
        (
            "arn:aws:states:::states:startExecution.sync",
            json!({"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:child"}),
        ),
        (
            "arn:aws:states:::states:startExecution.sync:2",
            json!({"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:child:PROD"}),
        ),
        (
            "arn:aws:states:::aws-sdk:dynamodb:getItem",
            json!({"TableName": "orders", "Key": {}}),
        ),
        (
            "arn:aws:states:::aws-sdk:sqs:sendMessage",
            json!({"QueueUrl": q, "MessageBody": "m"}),
        ),
        (
            "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
            json!({"SecretId": "s"}),
        ),
        (
            "arn:aws:states:::aws-sdk:sfn:describeExecution",
            json!({"ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:m:e"}),
        ),
        (
            "arn:aws:states:::aws-sdk:s3:getObject",
            json!({"Bucket": "b", "Key": "k"}),
        ),
        (
            "arn:aws:states:::aws-sdk:sns:createTopic",
            json!({"Name": "orders", "Tags": [{"Key": "k", "Value": "v"}]}),
        ),
        (
            "arn:aws:states:::aws-sdk:sns:publishBatch",
            json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
                   "PublishBatchRequestEntries": [{"Id": "1", "Message": "m"}]}),
        ),
        (
            "arn:aws:states:::aws-sdk:sns:listTagsForResource",
            json!({"ResourceArn": "arn:aws:sns:us-east-1:123456789012:t"}),
        ),
        (
            "arn:aws:states:::aws-sdk:sts:assumeRole",
            json!({"RoleArn": "arn:aws:iam::123456789012:role/worker", "RoleSessionName": "s"}),
        ),
        ("arn:aws:states:::aws-sdk:sts:getSessionToken", json!({})),
        (
            "arn:aws:states:::ecs:runTask",
            json!({"TaskDefinition": "web:3"}),
        ),
        (
            "arn:aws:states:::http:invoke",
            json!({"ApiEndpoint": "https://example.com/v1", "Method": "GET",
            "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"}}),
        ),
    ]
}

fn machine(states: Value, jsonata: bool) -> crate::StateMachine {
    let mut doc = json!({"StartAt": "S0", "States": states});
    if jsonata {
        doc["QueryLanguage"] = json!("JSONata");
    }
    match crate::parse(&doc.to_string()) {
        Ok(m) => m,
        Err(e) => panic!("{doc}: {e:?}"),
    }
}

/// The tasks as one machine, their parameters in `Parameters` or JSONata `Arguments`.
fn tasks_machine(jsonata: bool) -> crate::StateMachine {
    let list = tasks();
    let mut states = serde_json::Map::new();
    for (i, (resource, params)) in list.iter().enumerate() {
        let mut st = json!({"Type": "Task", "Resource": resource});
        if !resource.contains(":function:") {
            st[if jsonata { "Arguments" } else { "Parameters" }] = params.clone();
        }
        if resource.ends_with(".waitForTaskToken") && !jsonata {
            st["Parameters"]["TaskToken.$"] = json!("$$.Task.Token");
        }
        if i + 1 < list.len() {
            st["Next"] = json!(format!("S{}", i + 1));
        } else {
            st["End"] = json!(true);
        }
        states.insert(format!("S{i}"), st);
    }
    machine(Value::Object(states), jsonata)
}

#[test]
fn the_generated_policy_allows_every_call_of_the_machine() {
    for jsonata in [false, true] {
        let m = tasks_machine(jsonata);
        let generated =
            RolePolicy::from_value(&super::policy(&m)).expect("the generated policy parses");
        for (resource, params) in tasks() {
            let r = crate::resource::Resource::parse(resource);
            let asks = authorizations(&r, &params, None, &CALLER);
            assert!(!asks.is_empty(), "{resource} asks nothing");
            for a in asks {
                let mut context = role_context();
                for (k, v) in &a.context {
                    context.set(k, v.clone());
                }
                assert_eq!(
                    generated
                        .evaluate(&a.action, &a.resource, &context)
                        .decision,
                    Decision::Allow,
                    "{resource} (jsonata: {jsonata}): {} on {}",
                    a.action,
                    a.resource
                );
            }
        }
    }
}

#[test]
fn requests_name_the_resource_as_the_service_authorizes_it() {
    let ask = |resource: &str, params: Value| {
        let r = crate::resource::Resource::parse(resource);
        authorizations(&r, &params, None, &CALLER)
            .into_iter()
            .map(|a| (a.action, a.resource))
            .collect::<Vec<_>>()
    };
    let one = |a: &str, r: &str| vec![(a.to_owned(), r.to_owned())];
    assert_eq!(
        ask(
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": "charge:PROD"})
        ),
        one(
            "lambda:InvokeFunction",
            "arn:aws:lambda:us-east-1:123456789012:function:charge:PROD"
        )
    );
    assert_eq!(
        ask(
            "arn:aws:states:::sqs:sendMessage",
            json!({"QueueUrl": "http://127.0.0.1:5000/123456789012/q"})
        ),
        one("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q")
    );
    assert_eq!(
        ask(
            "arn:aws:states:::sqs:sendMessage",
            json!({"QueueUrl": "https://eu-west-1.queue.amazonaws.com/1/q"})
        ),
        one("sqs:SendMessage", "arn:aws:sqs:eu-west-1:1:q")
    );
    assert_eq!(
        ask(
            "arn:aws:states:::events:putEvents",
            json!({"Entries": [{"EventBusName": "arn:aws:events:eu-west-1:1:event-bus/b"}]})
        ),
        one("events:PutEvents", "arn:aws:events:eu-west-1:1:event-bus/b")
    );
    assert_eq!(
        ask(
            "arn:aws:states:::sns:publish",
            json!({"PhoneNumber": "+15555550100", "Message": "m"})
        ),
        one("sns:Publish", "*")
    );
    assert_eq!(
        ask(
            "arn:aws:states:::aws-sdk:s3:listObjectsV2",
            json!({"Bucket": "b"})
        ),
        one("s3:ListBucket", "arn:aws:s3:::b")
    );
    assert_eq!(
        ask(
            "arn:aws:states:::aws-sdk:sns:createTopic",
            json!({"Name": "orders"})
        ),
        one(
            "sns:CreateTopic",
            "arn:aws:sns:us-east-1:123456789012:orders"
        )
    );
    assert_eq!(
        ask(
            "arn:aws:states:::aws-sdk:sns:publishBatch",
            json!({"TopicArn": "arn:aws:sns:eu-west-1:1:t"})
        ),
        one("sns:Publish", "arn:aws:sns:eu-west-1:1:t")
    );
    assert_eq!(
        ask(
            "arn:aws:states:::aws-sdk:sns:tagResource",
            json!({"ResourceArn": "arn:aws:sns:us-east-1:1:t", "Tags": []})
        ),
        one("sns:TagResource", "arn:aws:sns:us-east-1:1:t")
    );
    assert_eq!(
        ask(
            "arn:aws:states:::aws-sdk:sts:assumeRole",
            json!({"RoleArn": "arn:aws:iam::1:role/worker"})
        ),
        one("sts:AssumeRole", "arn:aws:iam::1:role/worker")
    );
    // STS answers any caller who it is.
    assert_eq!(
        ask("arn:aws:states:::aws-sdk:sts:getCallerIdentity", json!({})),
        vec![]
    );
    assert_eq!(
        ask("arn:aws:states:us-east-1:1:activity:a", json!({})),
        vec![]
    );
    let r = crate::resource::Resource::parse("arn:aws:states:::dynamodb:getItem");
    let asks = authorizations(
        &r,
        &json!({"TableName": "t"}),
        Some(&json!({"RoleArn": "arn:aws:iam::1:role/other"})),
        &CALLER,
    );
    assert_eq!(asks.len(), 1);
    assert_eq!(
        (asks[0].action.as_str(), asks[0].resource.as_str()),
        ("sts:AssumeRole", "arn:aws:iam::1:role/other")
    );
}

#[test]
fn a_policy_without_the_call_denies_it() {
    let m = tasks_machine(false);
    let mut generated = super::policy(&m);
    let statements = generated["Statement"].as_array_mut().expect("statements");
    statements.retain(|st| !st["Action"].to_string().contains("dynamodb:PutItem"));
    let narrowed = RolePolicy::from_value(&generated).expect("valid");
    let r = crate::resource::Resource::parse("arn:aws:states:::dynamodb:putItem");
    let asks = authorizations(
        &r,
        &json!({"TableName": "orders", "Item": {}}),
        None,
        &CALLER,
    );
    assert_eq!(
        narrowed
            .evaluate(&asks[0].action, &asks[0].resource, &role_context())
            .decision,
        Decision::ImplicitDeny
    );
}

#[test]
fn sync_starts_need_the_managed_rule_of_step_functions_executions() {
    let m = tasks_machine(false);
    let rules = managed_rules(&m, &CALLER);
    let rule = "arn:aws:events:us-east-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule";
    let mut actions: Vec<&str> = rules
        .iter()
        .filter(|a| a.resource == rule)
        .map(|a| a.action.as_str())
        .collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        ["events:DescribeRule", "events:PutRule", "events:PutTargets"]
    );
    let generated = RolePolicy::from_value(&super::policy(&m)).expect("valid");
    for a in &rules {
        assert_eq!(
            generated
                .evaluate(&a.action, &a.resource, &role_context())
                .decision,
            Decision::Allow
        );
    }
}
