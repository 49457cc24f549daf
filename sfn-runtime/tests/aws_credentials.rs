//! A Task state's `Credentials` against a local moto server: the call is made as the role it
//! names, assumed through STS with the configured credentials. moto keeps each account's
//! resources apart and gives an assumed role the role's account, so a queue created as a role
//! of account 222222222222 lives there, not in the configured account.
#![cfg(feature = "aws")]

#[path = "moto/mod.rs"]
mod moto;

use std::sync::Arc;

use serde_json::{json, Value};
use sfn_runtime::aws::AwsClients;
use sfn_runtime::{Engine, ExecutionConfig, Resources, Status};

use moto::{Moto, ACCOUNT};

const TRUSTED: &str = "arn:aws:iam::222222222222:role/Trusted";

fn clients_of(moto: &Moto) -> AwsClients {
    AwsClients::from_config(moto::sdk_config(&moto.endpoint))
}

/// Creates a queue named `name`, with `credentials` when given; the outcome.
async fn create_queue(engine: &Engine, name: &str, credentials: Option<Value>) -> (Status, Value) {
    let mut state = json!({"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:createQueue",
        "Parameters": {"QueueName": name}, "End": true});
    if let Some(c) = credentials {
        state["Credentials"] = c;
    }
    let definition = json!({"StartAt": "T", "States": {"T": state}});
    let machine = sfn_asl::parse(&definition.to_string()).expect("valid definition");
    let result = engine
        .start_sync_execution(
            Arc::new(machine),
            json!({"role": TRUSTED}),
            ExecutionConfig::new("m", name),
        )
        .await;
    let o = result.outcome;
    let detail = match o.status {
        Status::Succeeded => o.output.unwrap_or(Value::Null),
        _ => json!({"error": o.error, "cause": o.cause}),
    };
    (o.status, detail)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_with_credentials_calls_as_the_role_it_names() {
    let moto = Moto::start().unwrap_or_else(|e| panic!("{e}"));
    let mut resources = Resources::new();
    resources.set_aws(clients_of(&moto));
    let engine = Engine::new(resources);

    let (status, own) = create_queue(&engine, "own", None).await;
    assert_eq!(status, Status::Succeeded, "{own}");
    let url = own["QueueUrl"].as_str().unwrap_or_default();
    assert!(url.ends_with(&format!("/{ACCOUNT}/own")), "{url}");

    // A literal role, then one read from the input by a path: both in the role's account.
    for (name, credentials) in [
        ("trusted", json!({"RoleArn": TRUSTED})),
        ("from-input", json!({"RoleArn.$": "$.role"})),
    ] {
        let (status, out) = create_queue(&engine, name, Some(credentials)).await;
        assert_eq!(status, Status::Succeeded, "{name}: {out}");
        let url = out["QueueUrl"].as_str().unwrap_or_default();
        assert!(
            url.ends_with(&format!("/222222222222/{name}")),
            "{name}: {url}"
        );
    }

    // What is not a role fails the state, saying what Credentials must hold.
    let (status, out) = create_queue(
        &engine,
        "bad",
        Some(json!({"RoleArn": "arn:aws:iam::222222222222:user/u"})),
    )
    .await;
    assert_eq!(status, Status::Failed, "{out}");
    assert_eq!(out["error"], "States.Runtime");
    assert!(
        out["cause"]
            .as_str()
            .unwrap_or_default()
            .contains("RoleArn"),
        "{out}"
    );
}
