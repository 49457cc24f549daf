//! `sfn run --aws`: Task states call AWS services configured by the standard chain, here a
//! local moto server named by `AWS_ENDPOINT_URL_DYNAMODB` (a dead `AWS_ENDPOINT_URL` shows the
//! service's own variable wins).

mod support;

#[path = "../sfn-runtime/tests/moto/mod.rs"]
mod moto;

use serde_json::{json, Value};

const DEFINITION: &str = r#"{"StartAt": "Create", "States": {
  "Create": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:createTable",
    "Parameters": {"TableName": "cli", "BillingMode": "PAY_PER_REQUEST",
      "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
      "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]},
    "ResultPath": null, "Next": "Put"},
  "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
    "Parameters": {"TableName": "cli", "Item": {"id": {"S.$": "$.id"}}}, "ResultPath": null, "Next": "Get"},
  "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
    "Parameters": {"TableName": "cli", "Key": {"id": {"S.$": "$.id"}}},
    "ResultSelector": {"item.$": "$.Item", "status.$": "$.SdkHttpMetadata.HttpStatusCode"}, "End": true}}}"#;

#[test]
fn run_with_aws_calls_the_configured_endpoint() {
    let moto = match moto::Moto::start() {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let env = [
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AWS_ENDPOINT_URL_DYNAMODB", moto.endpoint.as_str()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_CONFIG_FILE", "/nonexistent/sfn-test-config"),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/sfn-test-credentials",
        ),
    ];
    let run = support::sfn_env(
        &["run", "-", "--aws", "--input", r#"{"id": "k1"}"#],
        DEFINITION,
        &env,
    );
    assert_eq!(
        run.code, 0,
        "stderr: {}\nstdout: {}",
        run.stderr, run.stdout
    );
    let out: Value = run.json();
    assert_eq!(out["status"], json!("SUCCEEDED"), "{out}");
    assert_eq!(
        out["output"],
        json!({"item": {"id": {"S": "k1"}}, "status": 200}),
        "{out}"
    );
}

#[test]
fn run_without_aws_names_the_flag() {
    let run = support::sfn(&["run", "-"], DEFINITION);
    assert_ne!(run.code, 0);
    assert!(
        run.stdout.contains("--aws") || run.stderr.contains("--aws"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

/// The HTTP Task example of the README, as documented: it creates its connection on moto and
/// calls moto's own API through it; a missing page is the caught 404.
#[test]
fn the_http_task_example_runs_as_documented() {
    let moto = match moto::Moto::start() {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let env = [
        ("AWS_ENDPOINT_URL", moto.endpoint.as_str()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_CONFIG_FILE", "/nonexistent/sfn-test-config"),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/sfn-test-credentials",
        ),
    ];
    let run = |connection: &str, path: &str| -> Value {
        let input =
            json!({"connection": connection, "endpoint": format!("{}{path}", moto.endpoint)});
        let input = input.to_string();
        let args = [
            "run",
            "examples/asl/http-task.asl.json",
            "--aws",
            "--input",
            &input,
        ];
        let run = support::sfn_env(&args, "", &env);
        assert_eq!(
            run.code, 0,
            "stderr: {}\nstdout: {}",
            run.stderr, run.stdout
        );
        let out: Value = run.json();
        assert_eq!(out["status"], json!("SUCCEEDED"), "{out}");
        out["output"].clone()
    };
    let out = run("orders", "/moto-api/data.json");
    assert_eq!(out["orders"]["status"], json!(200), "{out}");
    let arn = out["connection"]["ConnectionArn"]
        .as_str()
        .unwrap_or_default();
    assert!(
        arn.starts_with("arn:aws:events:us-east-1:123456789012:connection/orders/"),
        "{out}"
    );
    let out = run("orders-2", "/no/such/page");
    assert_eq!(
        out["error"],
        json!({"Error": "States.Http.StatusCode.404", "Cause": "Not Found"}),
        "{out}"
    );
    assert!(out.get("orders").is_none(), "{out}");
}
