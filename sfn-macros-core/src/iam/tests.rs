use serde_json::json;

use crate::lower::lower_str;
use serde_json::Value;
use sfn_asl::iam::policy;

fn policy_of(states: &str) -> Value {
    let src = format!("W {{ start A; {states} }}");
    match lower_str(&src) {
        Ok(m) => policy(&m),
        Err(e) => panic!("does not lower: {e}"),
    }
}

/// Each action with the resources it is granted on, by action (a statement holds the actions
/// of one service that share their resources).
fn grants(p: &Value) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for st in p["Statement"].as_array().into_iter().flatten() {
        let res: Vec<String> = st["Resource"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect();
        for action in st["Action"].as_array().into_iter().flatten() {
            let action = action.as_str().unwrap_or_default().to_owned();
            out.push((action, res.clone()));
        }
    }
    out.sort();
    out
}

#[test]
fn lambda_arn_is_granted_exactly() {
    let p = policy_of(r#"A: task "arn:aws:lambda:eu-west-1:111122223333:function:f" end;"#);
    assert_eq!(
        grants(&p),
        [(
            "lambda:InvokeFunction".to_owned(),
            vec![
                "arn:aws:lambda:eu-west-1:111122223333:function:f".to_owned(),
                "arn:aws:lambda:eu-west-1:111122223333:function:f:*".to_owned()
            ]
        )]
    );
    assert_eq!(p["Version"], json!("2012-10-17"));
}

#[test]
fn lambda_invoke_uses_function_name() {
    let p = policy_of(
        r#"A: task "arn:aws:states:::lambda:invoke" { parameters: { "FunctionName": "arn:aws:lambda:us-east-1:1:function:g", "Payload.$": "$" } } => B; B: task "arn:aws:states:::lambda:invoke" { parameters: { "FunctionName": "short" } } end;"#,
    );
    assert_eq!(
        grants(&p),
        [(
            "lambda:InvokeFunction".to_owned(),
            vec![
                "arn:aws:lambda:*:*:function:short".to_owned(),
                "arn:aws:lambda:*:*:function:short:*".to_owned(),
                "arn:aws:lambda:us-east-1:1:function:g".to_owned(),
                "arn:aws:lambda:us-east-1:1:function:g:*".to_owned()
            ]
        )]
    );
}

#[test]
fn dynamic_function_name_falls_back_to_star_for_that_action_only() {
    let p = policy_of(
        r#"A: task "arn:aws:states:::lambda:invoke" { parameters: { "FunctionName.$": "$.fn" } } => B; B: task "arn:aws:states:::sns:publish" { parameters: { "TopicArn": "arn:aws:sns:us-east-1:1:t" } } end;"#,
    );
    assert_eq!(
        grants(&p),
        [
            ("lambda:InvokeFunction".to_owned(), vec!["*".to_owned()]),
            (
                "sns:Publish".to_owned(),
                vec!["arn:aws:sns:us-east-1:1:t".to_owned()]
            ),
        ]
    );
}

#[test]
fn sqs_queue_url_becomes_queue_arn() {
    let p = policy_of(
        r#"A: task "arn:aws:states:::sqs:sendMessage.waitForTaskToken" { parameters: { "QueueUrl": "https://sqs.us-east-2.amazonaws.com/123456789012/approvals", "MessageBody.$": "$" } } end;"#,
    );
    assert_eq!(
        grants(&p),
        [(
            "sqs:SendMessage".to_owned(),
            vec!["arn:aws:sqs:us-east-2:123456789012:approvals".to_owned()]
        )]
    );
}

#[test]
fn dynamodb_table_and_sync_execution() {
    let p = policy_of(
        r#"A: task "arn:aws:states:::dynamodb:putItem" { parameters: { "TableName": "orders", "Item": {} } } => B;
        B: task "arn:aws:states:::states:startExecution.sync:2" { parameters: { "StateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:child" } } end;"#,
    );
    let g = grants(&p);
    assert!(g.contains(&(
        "dynamodb:PutItem".to_owned(),
        vec!["arn:aws:dynamodb:*:*:table/orders".to_owned()]
    )));
    assert!(g.contains(&(
        "states:StartExecution".to_owned(),
        vec!["arn:aws:states:us-east-1:1:stateMachine:child".to_owned()]
    )));
    assert!(g.contains(&(
        "states:DescribeExecution".to_owned(),
        vec!["arn:aws:states:us-east-1:1:execution:child:*".to_owned()]
    )));
    assert!(g.iter().any(|(a, _)| a == "events:PutRule"));
}

#[test]
fn nested_tasks_and_sdk_integrations_are_found() {
    let p = policy_of(
        r#"A: parallel { branch { start X; X: task "arn:aws:states:::aws-sdk:s3:listBuckets" end; } } => M;
        M: map { processor { start Y; Y: task "arn:aws:states:::events:putEvents" { parameters: { "Entries": [{ "Detail": {} }] } } end; } } end;"#,
    );
    let g = grants(&p);
    assert!(g.contains(&("s3:ListAllMyBuckets".to_owned(), vec!["*".to_owned()])));
    assert!(g.contains(&(
        "events:PutEvents".to_owned(),
        vec!["arn:aws:events:*:*:event-bus/default".to_owned()]
    )));
}

#[test]
fn activities_and_pass_states_need_nothing() {
    let p =
        policy_of(r#"A: task "arn:aws:states:us-east-1:1:activity:approve" => B; B: pass end;"#);
    assert!(grants(&p).is_empty());
}
