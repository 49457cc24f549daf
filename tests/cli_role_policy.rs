//! `sfn run --role-policy FILE|generated`: the execution runs as a role with those policies.
//! Against a local moto server, the generated policy lets the workflow's calls through and a
//! policy without one of them fails its state with AWS's error, before the call is made.

mod support;

#[path = "../sfn-runtime/tests/moto/mod.rs"]
mod moto;

use serde_json::{json, Value};

/// Creates a table, writes an item and reads it back.
fn definition(table: &str) -> String {
    json!({"StartAt": "Create", "States": {
        "Create": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:createTable",
            "Parameters": {"TableName": table, "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]},
            "ResultPath": null, "Next": "Put"},
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": table, "Item": {"id": {"S.$": "$.id"}}}, "ResultPath": null, "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {"TableName": table, "Key": {"id": {"S.$": "$.id"}}},
            "ResultSelector": {"item.$": "$.Item"}, "End": true}}})
    .to_string()
}

fn env(moto: &moto::Moto) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", moto.endpoint.clone()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_CONFIG_FILE", "/nonexistent/sfn-test-config".into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/sfn-test-credentials".into(),
        ),
    ]
}

fn run(args: &[&str], stdin: &str, env: &[(&'static str, String)]) -> support::Run {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    support::sfn_env(args, stdin, &env)
}

#[test]
fn the_generated_policy_lets_the_calls_through_and_a_narrower_one_fails_as_aws_does() {
    let moto = match moto::Moto::start() {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let env = env(&moto);
    let input = r#"{"id": "k1"}"#;

    let allowed = run(
        &[
            "run",
            "-",
            "--state-machine",
            "orders",
            "--aws",
            "--role-policy",
            "generated",
            "--input",
            input,
        ],
        &definition("allowed"),
        &env,
    );
    assert_eq!(
        allowed.code, 0,
        "stderr: {}\nstdout: {}",
        allowed.stderr, allowed.stdout
    );
    assert_eq!(
        allowed.json()["output"],
        json!({"item": {"id": {"S": "k1"}}})
    );

    // The generated policy of the same definition, without dynamodb:PutItem.
    let machine = sfn_asl::parse(&definition("narrowed")).expect("valid");
    let mut policy = sfn_asl::iam::policy(&machine);
    let statements = policy["Statement"].as_array_mut().expect("statements");
    statements.retain(|st| !st["Action"].to_string().contains("dynamodb:PutItem"));
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("policy.json");
    std::fs::write(&file, policy.to_string()).expect("write policy");
    let file = file.to_str().expect("utf-8 path");

    let refused = run(
        &[
            "run",
            "-",
            "--state-machine",
            "orders",
            "--aws",
            "--role-policy",
            file,
            "--input",
            input,
        ],
        &definition("narrowed"),
        &env,
    );
    assert_eq!(
        refused.code, 1,
        "stderr: {}\nstdout: {}",
        refused.stderr, refused.stdout
    );
    let out: Value = refused.json();
    assert_eq!(out["status"], "FAILED", "{out}");
    assert_eq!(out["error"], "DynamoDB.AmazonDynamoDBException", "{out}");
    let cause = out["cause"].as_str().unwrap_or_default();
    assert!(
        cause.starts_with("User: arn:aws:sts::123456789012:assumed-role/orders-role/"),
        "{cause}"
    );
    assert!(
        cause.contains(" is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/narrowed because no identity-based policy allows the dynamodb:PutItem action (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: AccessDeniedException; Request ID: "),
        "{cause}"
    );

    // The refused call was never made: the table the run created holds no item.
    let get = json!({"StartAt": "Get", "States": {"Get": {"Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:dynamodb:scan",
        "Parameters": {"TableName": "narrowed"}, "ResultSelector": {"count.$": "$.Count"}, "End": true}}});
    let scan = run(&["run", "-", "--aws"], &get.to_string(), &env);
    assert_eq!(
        scan.code, 0,
        "stderr: {}\nstdout: {}",
        scan.stderr, scan.stdout
    );
    assert_eq!(scan.json()["output"], json!({"count": 0}));
}

#[test]
fn a_sync_start_needs_the_managed_rule_as_create_state_machine_does() {
    let definition = json!({"StartAt": "Child", "States": {"Child": {"Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:child"},
        "End": true}}})
    .to_string();
    let policy = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["states:StartExecution", "states:DescribeExecution", "states:StopExecution"], "Resource": "*"}]}"#;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("policy.json");
    std::fs::write(&file, policy).expect("write policy");
    let run = support::sfn(
        &[
            "run",
            "-",
            "--state-machine",
            "orders",
            "--role-policy",
            file.to_str().expect("utf-8"),
        ],
        &definition,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("AccessDeniedException: 'arn:aws:iam::123456789012:role/orders-role' is not authorized to create managed-rule."),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn a_malformed_policy_is_refused_with_its_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("policy.json");
    std::fs::write(
        &file,
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}"#,
    )
    .expect("write policy");
    let definition = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;
    let run = support::sfn(
        &["run", "-", "--role-policy", file.to_str().expect("utf-8")],
        definition,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Statement[0]: a statement has exactly one of `Resource` and `NotResource`"),
        "{}",
        run.stderr
    );
}

#[test]
fn what_the_engine_cannot_evaluate_is_named_on_stderr_and_denied() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("policy.json");
    std::fs::write(
        &file,
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "lambda:InvokeFunction", "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}}]}"#,
    )
    .expect("write policy");
    let definition = r#"{"StartAt": "F", "States": {"F": {"Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true}}}"#;
    let run = support::sfn(
        &[
            "run",
            "-",
            "--state-machine",
            "m",
            "--role-policy",
            file.to_str().expect("utf-8"),
        ],
        definition,
    );
    assert!(
        run.stderr
            .contains("warning: the engine cannot evaluate the condition key `aws:SourceVpc`"),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.json()["error"], "Lambda.AWSLambdaException");
}
