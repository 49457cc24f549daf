//! A typed workflow that calls AWS services itself: it writes an order to a DynamoDB table,
//! sends it to an SQS queue with a task token and waits until a packing worker sends the token
//! back, then records the parcel in the table and reads the order back.
//!
//! Every Task state is a `service` task: no Rust method answers it, the engine calls the
//! service through the AWS SDK's configuration chain (`AwsClients::from_env`: environment,
//! profiles, `AWS_ENDPOINT_URL`, region). Against a local moto server (installed from PyPI
//! on first use):
//!
//! ```sh
//! read -r port pid < <(scripts/moto.sh start) && AWS_ENDPOINT_URL=http://127.0.0.1:$port \
//!   AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 \
//!   cargo run --example orders_on_aws; kill $pid
//! ```
//!
//! It prints the ASL (deployable as it is), the IAM policy its role needs, and the outcome.
//! The program creates the table `orders` and the queue `packing` when they are missing; the
//! worker is a task of the same program that long-polls the queue.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sfn::runtime::aws::AwsClients;
use sfn::{workflow, Shape, TaskError};

/// The execution input.
#[derive(Debug, Clone, Serialize, Deserialize, Shape)]
pub struct Order {
    /// Order id (the table's key).
    pub id: String,
    /// What the customer pays.
    pub total: f64,
}

/// What the workflow ends with: the order as the table holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shipped {
    /// The order's status in the table.
    pub status: String,
    /// The parcel the packing worker made.
    pub parcel: String,
}

/// The queue the packing requests go to (moto, like SQS, answers to the AWS-shaped URL).
pub const PACKING_QUEUE: &str = "https://sqs.us-east-1.amazonaws.com/123456789012/packing";

workflow! {
    /// Store, ask a worker to pack (waiting for its task token), record, read back.
    pub OrdersOnAws(Order) -> Shipped {
        start Save;

        Save: task "arn:aws:states:::dynamodb:putItem" service {
            parameters: {
                "TableName": "orders",
                "Item": {
                    "id": { "S.$": "$.id" },
                    "total": { "N.$": "States.Format('{}', $.total)" },
                    "status": { "S": "PENDING" },
                },
            },
            result_path: null,
        } => RequestPacking;

        RequestPacking: task "arn:aws:states:::sqs:sendMessage.waitForTaskToken" service {
            parameters: {
                "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/packing",
                "MessageBody": { "order.$": "$", "token.$": "$$.Task.Token" },
            },
            timeout_seconds: 3600,
            result_path: "$.packing",
        } => MarkPacked;

        MarkPacked: task "arn:aws:states:::dynamodb:updateItem" service {
            parameters: {
                "TableName": "orders",
                "Key": { "id": { "S.$": "$.id" } },
                "UpdateExpression": "SET #s = :s, parcel = :p",
                "ExpressionAttributeNames": { "#s": "status" },
                "ExpressionAttributeValues": {
                    ":s": { "S": "PACKED" },
                    ":p": { "S.$": "$.packing.parcel" },
                },
            },
            retry: ["DynamoDB.ProvisionedThroughputExceededException"] every 1s x 3 backoff 2.0,
            result_path: null,
        } => Load;

        Load: task "arn:aws:states:::dynamodb:getItem" service {
            parameters: { "TableName": "orders", "Key": { "id": { "S.$": "$.id" } } },
            result_selector: { "status.$": "$.Item.status.S", "parcel.$": "$.Item.parcel.S" },
        } end;
    }
}

/// Creates the table and the queue unless they exist.
pub async fn create_resources(aws: &AwsClients) -> Result<(), TaskError> {
    let table = aws
        .sdk_call(
            "dynamodb",
            "createTable",
            json!({
                "TableName": "orders",
                "AttributeDefinitions": [{ "AttributeName": "id", "AttributeType": "S" }],
                "KeySchema": [{ "AttributeName": "id", "KeyType": "HASH" }],
                "BillingMode": "PAY_PER_REQUEST",
            }),
        )
        .await;
    match table {
        Err(e) if e.error != "DynamoDb.ResourceInUseException" => return Err(e),
        _ => {}
    }
    aws.sdk_call("sqs", "createQueue", json!({ "QueueName": "packing" }))
        .await?;
    Ok(())
}

/// The packing worker: takes one request from the queue, answers its task token with a parcel
/// id, and deletes the message.
async fn pack_one(aws: &AwsClients, engine: &sfn::runtime::Engine) -> Result<(), String> {
    loop {
        let received = aws
            .sdk_call(
                "sqs",
                "receiveMessage",
                json!({ "QueueUrl": PACKING_QUEUE, "WaitTimeSeconds": 1, "MaxNumberOfMessages": 1 }),
            )
            .await
            .map_err(|e| format!("receiveMessage: {e}"))?;
        let Some(message) = received["Messages"].get(0) else {
            continue;
        };
        let body: Value = message["Body"]
            .as_str()
            .and_then(|b| serde_json::from_str(b).ok())
            .ok_or("the message body is not JSON")?;
        let token = body["token"].as_str().ok_or("the message has no token")?;
        let parcel = format!("PARCEL-{}", body["order"]["id"].as_str().unwrap_or("?"));
        engine
            .send_task_success(token, json!({ "parcel": parcel }))
            .await
            .map_err(|e| format!("send_task_success: {e}"))?;
        aws.sdk_call(
            "sqs",
            "deleteMessage",
            json!({ "QueueUrl": PACKING_QUEUE, "ReceiptHandle": message["ReceiptHandle"] }),
        )
        .await
        .map_err(|e| format!("deleteMessage: {e}"))?;
        return Ok(());
    }
}

/// Runs one order through the services `aws` reaches, with the packing worker beside it: the
/// typed output, or what went wrong.
pub async fn run_example(aws: AwsClients, order: Order) -> Result<Shipped, String> {
    create_resources(&aws)
        .await
        .map_err(|e| format!("creating the table and the queue: {e}"))?;
    let runner = OrdersOnAws::runner(&()).aws(aws.clone());
    let started = runner.start(order).map_err(|e| e.to_string())?;
    let engine = runner.engine().clone();
    let worker = tokio::spawn(async move {
        // A worker that fails leaves the execution waiting; its timeout then ends it.
        if let Err(e) = pack_one(&aws, &engine).await {
            eprintln!("packing worker: {e}");
        }
    });
    let run = tokio::time::timeout(Duration::from_secs(120), started.result())
        .await
        .map_err(|_| "no outcome within 120 s".to_owned())?;
    worker.abort();
    run.output.map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() {
    println!("{}", OrdersOnAws::ASL);
    println!("{}", OrdersOnAws::IAM_POLICY);
    let order = Order {
        id: "order-17".into(),
        total: 42.5,
    };
    match run_example(AwsClients::from_env(), order).await {
        Ok(shipped) => println!("{shipped:?}"),
        Err(e) => {
            eprintln!("the execution failed: {e}");
            std::process::exit(1);
        }
    }
}
