//! `examples/orders_on_aws.rs` against a moto server started here: the typed workflow's
//! `service` tasks write to DynamoDB, send to SQS and wait for the packing worker's task token,
//! and the table ends up holding what the workflow says.

#![cfg(feature = "aws")]

#[path = "../examples/orders_on_aws.rs"]
#[allow(dead_code)] // its `main` is not called here
mod orders_on_aws;

#[path = "../sfn-runtime/tests/moto/mod.rs"]
mod moto;

use orders_on_aws::{run_example, Order, Shipped};
use serde_json::json;
use sfn::runtime::aws::AwsClients;

fn clients(endpoint: &str) -> AwsClients {
    AwsClients::from_config(moto::sdk_config(endpoint))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_is_stored_packed_through_the_queue_and_read_back() {
    let moto = moto::Moto::start().unwrap_or_else(|e| panic!("{e}"));
    let aws = clients(&moto.endpoint);
    let order = Order {
        id: "order-17".into(),
        total: 42.5,
    };
    let shipped = run_example(aws.clone(), order)
        .await
        .expect("the execution succeeds");
    assert_eq!(
        shipped,
        Shipped {
            status: "PACKED".into(),
            parcel: "PARCEL-order-17".into()
        }
    );
    // The table holds what the workflow wrote, the total included; the queue is empty again.
    let item = aws
        .sdk_call(
            "dynamodb",
            "getItem",
            json!({ "TableName": "orders", "Key": { "id": { "S": "order-17" } } }),
        )
        .await
        .expect("getItem");
    assert_eq!(item["Item"]["total"], json!({ "N": "42.5" }));
    assert_eq!(item["Item"]["status"], json!({ "S": "PACKED" }));
    let left = aws
        .sdk_call(
            "sqs",
            "getQueueAttributes",
            json!({ "QueueUrl": orders_on_aws::PACKING_QUEUE,
                    "AttributeNames": ["ApproximateNumberOfMessages"] }),
        )
        .await
        .expect("getQueueAttributes");
    assert_eq!(left["Attributes"]["ApproximateNumberOfMessages"], "0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_finds_the_table_and_queue_in_place() {
    let moto = moto::Moto::start().unwrap_or_else(|e| panic!("{e}"));
    let aws = clients(&moto.endpoint);
    for id in ["a-1", "a-2"] {
        let shipped = run_example(
            aws.clone(),
            Order {
                id: id.into(),
                total: 1.0,
            },
        )
        .await
        .expect("the execution succeeds");
        assert_eq!(shipped.parcel, format!("PARCEL-{id}"));
    }
}
