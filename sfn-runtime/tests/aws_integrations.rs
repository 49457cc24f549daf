//! Service integrations against a local moto server (`scripts/moto.sh` installs it from PyPI on
//! first use): real workflows call DynamoDB, SQS, SNS, EventBridge and S3 through the `aws`
//! feature's clients, and each integration is checked on a success and an error.
//!
//! One moto server serves the whole file, so the scenarios run in one test, in order; a failure
//! names its scenario. Lambda runs against the local Lambda server of `tests/lambda_server`
//! (moto's Lambda needs Docker to run code), in a test of its own.
#![cfg(feature = "aws")]

#[path = "moto/mod.rs"]
mod moto;
#[path = "outcome/mod.rs"]
mod outcome;

#[path = "lambda_server/mod.rs"]
mod lambda_server;

use std::sync::Arc;

use serde_json::{json, Value};
use sfn_runtime::aws::AwsClients;
use sfn_runtime::{Engine, ExecutionConfig, ExecutionResult, Resources};

use moto::{Moto, ACCOUNT};
use outcome::{failure, output};

/// AWS clients pointed at `moto`.
fn clients_of(moto: &Moto) -> AwsClients {
    AwsClients::from_config(moto::sdk_config(&moto.endpoint))
}

fn engine(clients: &AwsClients) -> Engine {
    let mut resources = Resources::new();
    resources.set_aws(clients.clone());
    Engine::new(resources)
}

async fn run(engine: &Engine, definition: Value, input: Value) -> ExecutionResult {
    let machine = match sfn_asl::parse(&definition.to_string()) {
        Ok(m) => m,
        Err(e) => panic!("definition rejected: {e:?}"),
    };
    engine
        .start_sync_execution(Arc::new(machine), input, ExecutionConfig::new("m", "run"))
        .await
}

/// A one-state machine calling `resource` with `parameters`.
fn task(resource: &str, parameters: Value) -> Value {
    json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": resource, "Parameters": parameters, "End": true}}})
}

fn check(failures: &mut Vec<String>, scenario: &str, ok: bool, detail: impl std::fmt::Display) {
    if !ok {
        failures.push(format!("{scenario}: {detail}"));
    }
}

async fn create_table(clients: &AwsClients, name: &str) {
    let params = json!({"TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]});
    if let Err(e) = clients.sdk_call("dynamodb", "createTable", params).await {
        panic!("createTable {name}: {e}");
    }
}

async fn dynamodb_optimized(clients: &AwsClients, f: &mut Vec<String>) {
    create_table(clients, "orders").await;
    let definition = json!({"StartAt": "Put", "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "orders", "Item": {"id": {"S": "1"}, "n": {"N": "5"}}},
            "ResultPath": "$.put", "Next": "Update"},
        "Update": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
            "Parameters": {"TableName": "orders", "Key": {"id": {"S": "1"}},
                "UpdateExpression": "SET n = :n", "ExpressionAttributeValues": {":n": {"N": "6"}},
                "ReturnValues": "UPDATED_NEW"},
            "ResultPath": "$.update", "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {"TableName": "orders", "Key": {"id": {"S": "1"}}},
            "ResultPath": "$.get", "Next": "Delete"},
        "Delete": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:deleteItem",
            "Parameters": {"TableName": "orders", "Key": {"id": {"S": "1"}}},
            "ResultPath": "$.delete", "End": true}}});
    let out = match output(&run(&engine(clients), definition, json!({})).await) {
        Ok(v) => v,
        Err(e) => return f.push(format!("dynamodb optimized: {e}")),
    };
    check(
        f,
        "dynamodb putItem metadata",
        out["put"]["SdkHttpMetadata"]["HttpStatusCode"] == json!(200),
        &out["put"],
    );
    check(
        f,
        "dynamodb putItem request id",
        out["put"]["SdkResponseMetadata"]["RequestId"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        &out["put"],
    );
    check(
        f,
        "dynamodb updateItem",
        out["update"]["Attributes"] == json!({"n": {"N": "6"}}),
        &out["update"],
    );
    check(
        f,
        "dynamodb getItem",
        out["get"]["Item"] == json!({"id": {"S": "1"}, "n": {"N": "6"}}),
        &out["get"],
    );
    check(
        f,
        "dynamodb deleteItem",
        out["delete"]["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"]
            == json!("application/x-amz-json-1.0"),
        &out["delete"],
    );
    let missing = task(
        "arn:aws:states:::dynamodb:putItem",
        json!({"TableName": "missing", "Item": {"id": {"S": "1"}}}),
    );
    let (error, cause) = failure(&run(&engine(clients), missing, json!({})).await);
    check(
        f,
        "dynamodb missing table error",
        error == "DynamoDB.ResourceNotFoundException",
        &error,
    );
    check(f, "dynamodb missing table cause", cause.starts_with("Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: ") && cause.ends_with("; Proxy: null)"), &cause);
}

async fn dynamodb_sdk(clients: &AwsClients, f: &mut Vec<String>) {
    create_table(clients, "sdk").await;
    let definition = json!({"StartAt": "Put", "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:putItem",
            "Parameters": {"TableName": "sdk", "Item": {"id": {"S": "a"}}}, "ResultPath": "$.put", "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
            "Parameters": {"TableName": "sdk", "Key": {"id": {"S": "a"}}}, "ResultPath": "$.get", "End": true}}});
    match output(&run(&engine(clients), definition, json!({})).await) {
        Ok(out) => check(
            f,
            "aws-sdk dynamodb",
            out == json!({"put": {}, "get": {"Item": {"id": {"S": "a"}}}}),
            out,
        ),
        Err(e) => f.push(format!("aws-sdk dynamodb: {e}")),
    }
    let missing = task(
        "arn:aws:states:::aws-sdk:dynamodb:getItem",
        json!({"TableName": "missing", "Key": {"id": {"S": "a"}}}),
    );
    let (error, cause) = failure(&run(&engine(clients), missing, json!({})).await);
    check(
        f,
        "aws-sdk dynamodb missing table error",
        error == "DynamoDb.ResourceNotFoundException",
        &error,
    );
    check(
        f,
        "aws-sdk dynamodb missing table cause",
        cause.starts_with(
            "Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: ",
        ),
        &cause,
    );
    let unsupported = task("arn:aws:states:::aws-sdk:ec2:describeInstances", json!({}));
    let (error, cause) = failure(&run(&engine(clients), unsupported, json!({})).await);
    check(
        f,
        "aws-sdk unsupported service",
        error == "States.Runtime" && cause.contains("dynamodb, ecs, eventbridge, glue"),
        format!("{error}: {cause}"),
    );
}

async fn queue(clients: &AwsClients, name: &str) -> String {
    match clients
        .sdk_call("sqs", "createQueue", json!({"QueueName": name}))
        .await
    {
        Ok(v) => v["QueueUrl"].as_str().unwrap_or_default().to_owned(),
        Err(e) => panic!("createQueue {name}: {e}"),
    }
}

async fn sqs(clients: &AwsClients, f: &mut Vec<String>) {
    let url = queue(clients, "jobs").await;
    let send = task(
        "arn:aws:states:::sqs:sendMessage",
        json!({"QueueUrl": url, "MessageBody": {"job": 1}}),
    );
    match output(&run(&engine(clients), send, json!({})).await) {
        Ok(out) => {
            check(
                f,
                "sqs sendMessage md5",
                out["MD5OfMessageBody"]
                    .as_str()
                    .is_some_and(|s| s.len() == 32),
                &out,
            );
            check(
                f,
                "sqs sendMessage metadata",
                out["SdkHttpMetadata"]["HttpStatusCode"] == json!(200),
                &out,
            );
        }
        Err(e) => f.push(format!("sqs sendMessage: {e}")),
    }
    let received = clients
        .sdk_call("sqs", "receiveMessage", json!({"QueueUrl": url}))
        .await;
    let body = received
        .as_ref()
        .ok()
        .and_then(|r| r["Messages"][0]["Body"].as_str().map(str::to_owned));
    check(
        f,
        "sqs body sent as JSON text",
        body.as_deref() == Some("{\"job\":1}"),
        format!("{received:?}"),
    );
    let missing = format!("https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/missing");
    let send = task(
        "arn:aws:states:::sqs:sendMessage",
        json!({"QueueUrl": missing, "MessageBody": "x"}),
    );
    let (error, cause) = failure(&run(&engine(clients), send, json!({})).await);
    check(
        f,
        "sqs missing queue error",
        error == "SQS.QueueDoesNotExistException",
        &error,
    );
    check(f, "sqs missing queue cause", cause.contains("(Service: AmazonSQS; Status Code: 400; Error Code: AWS.SimpleQueueService.NonExistentQueue; Request ID: "), &cause);
}

/// `.waitForTaskToken`: the message carries the token; a worker returns it.
async fn sqs_callback(clients: &AwsClients, f: &mut Vec<String>) {
    let url = queue(clients, "callbacks").await;
    let engine = engine(clients);
    let definition = task(
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        json!({"QueueUrl": url, "MessageBody": {"Token.$": "$$.Task.Token"}}),
    );
    let Ok(machine) = sfn_asl::parse(&definition.to_string()) else {
        return f.push("sqs callback: definition rejected".into());
    };
    let handle = engine.start_execution(
        Arc::new(machine),
        json!({}),
        ExecutionConfig::new("m", "cb"),
    );
    let mut token = None;
    for _ in 0..50 {
        let r = clients
            .sdk_call(
                "sqs",
                "receiveMessage",
                json!({"QueueUrl": url, "WaitTimeSeconds": 1}),
            )
            .await;
        let body = r
            .ok()
            .and_then(|r| r["Messages"][0]["Body"].as_str().map(str::to_owned));
        token = body
            .and_then(|b| serde_json::from_str::<Value>(&b).ok())
            .and_then(|b| b["Token"].as_str().map(str::to_owned));
        if token.is_some() {
            break;
        }
    }
    let Some(token) = token else {
        return f.push("sqs callback: no message with a token arrived".into());
    };
    check(
        f,
        "sqs callback send_task_success",
        engine
            .send_task_success(&token, json!({"done": true}))
            .await
            .is_ok(),
        "token unknown",
    );
    match handle.result().await.map(|r| output(&r)) {
        Ok(Ok(out)) => check(f, "sqs callback output", out == json!({"done": true}), out),
        other => f.push(format!("sqs callback: {other:?}")),
    }
}

async fn sns(clients: &AwsClients, f: &mut Vec<String>) {
    let xml = clients
        .query_call("sns", "CreateTopic", &[("Name", "events")])
        .await;
    let topic = format!("arn:aws:sns:us-east-1:{ACCOUNT}:events");
    check(
        f,
        "sns createTopic",
        xml.as_ref().is_ok_and(|x| x.contains(&topic)),
        format!("{xml:?}"),
    );
    let publish = task(
        "arn:aws:states:::sns:publish",
        json!({"TopicArn": topic, "Message": {"a": 1},
        "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}),
    );
    match output(&run(&engine(clients), publish, json!({})).await) {
        Ok(out) => {
            check(
                f,
                "sns publish message id",
                out["MessageId"].as_str().is_some_and(|s| !s.is_empty()),
                &out,
            );
            check(
                f,
                "sns publish metadata",
                out["SdkHttpMetadata"]["HttpStatusCode"] == json!(200),
                &out,
            );
        }
        Err(e) => f.push(format!("sns publish: {e}")),
    }
    let gone = format!("arn:aws:sns:us-east-1:{ACCOUNT}:gone");
    let publish = task(
        "arn:aws:states:::sns:publish",
        json!({"TopicArn": gone, "Message": "x"}),
    );
    let (error, cause) = failure(&run(&engine(clients), publish, json!({})).await);
    check(
        f,
        "sns missing topic error",
        error == "SNS.NotFoundException",
        &error,
    );
    check(
        f,
        "sns missing topic cause",
        cause.contains("(Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: "),
        &cause,
    );
}

async fn eventbridge(clients: &AwsClients, f: &mut Vec<String>) {
    let put = task(
        "arn:aws:states:::events:putEvents",
        json!({"Entries": [
        {"Detail": {"a": 1}, "DetailType": "t", "Source": "s"}, {"Detail": "{}", "DetailType": "t", "Source": "s"}]}),
    );
    match output(&run(&engine(clients), put, json!({})).await) {
        Ok(out) => {
            check(
                f,
                "events putEvents count",
                out["FailedEntryCount"] == json!(0),
                &out,
            );
            check(
                f,
                "events putEvents ids",
                out["Entries"].as_array().is_some_and(|e| e.len() == 2),
                &out,
            );
            check(
                f,
                "events putEvents has no metadata",
                out.get("SdkHttpMetadata").is_none(),
                &out,
            );
        }
        Err(e) => f.push(format!("events putEvents: {e}")),
    }
    let put = task(
        "arn:aws:states:::events:putEvents",
        json!({"Entries": [
        {"Detail": "{}", "DetailType": "t", "Source": "s", "EventBusName": "missing"}]}),
    );
    let (error, cause) = failure(&run(&engine(clients), put, json!({})).await);
    check(
        f,
        "events missing bus error",
        error == "EventBridge.ResourceNotFoundException",
        &error,
    );
    check(f, "events missing bus cause", cause.contains("(Service: AmazonEventBridge; Status Code: 400; Error Code: ResourceNotFoundException; "), &cause);
}

#[test]
fn integrations_against_moto() {
    let moto = match Moto::start() {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("no tokio runtime: {e}"),
    };
    let failures = rt.block_on(async {
        let clients = clients_of(&moto);
        let mut f = Vec::new();
        dynamodb_optimized(&clients, &mut f).await;
        dynamodb_sdk(&clients, &mut f).await;
        sqs(&clients, &mut f).await;
        sqs_callback(&clients, &mut f).await;
        sns(&clients, &mut f).await;
        eventbridge(&clients, &mut f).await;
        s3_sdk(&clients, &mut f).await;
        s3_distributed_map(&clients, &mut f).await;
        f
    });
    assert!(
        failures.is_empty(),
        "{} scenario checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `aws-sdk:s3:*` on S3's REST-XML protocol: results in the SDK v2's members, errors named as
/// Step Functions names them.
async fn s3_sdk(clients: &AwsClients, f: &mut Vec<String>) {
    let e = engine(clients);
    let sdk = |action: &str| format!("arn:aws:states:::aws-sdk:s3:{action}");
    let created = run(
        &e,
        task(&sdk("createBucket"), json!({"Bucket": "sdk-bucket"})),
        json!({}),
    )
    .await;
    check(
        f,
        "s3 createBucket",
        output(&created).is_ok_and(|o| o["Location"] == json!("/sdk-bucket")),
        format!("{:?}", output(&created)),
    );

    let key = "dir/a b+c.json";
    let put = run(
        &e,
        task(
            &sdk("putObject"),
            json!({"Bucket": "sdk-bucket", "Key": key,
        "Body": {"a": 1}, "ContentType": "application/json", "Metadata": {"who": "me"}}),
        ),
        json!({}),
    )
    .await;
    // The body is stored as JSON text: its MD5 is the ETag, its CRC-32 the checksum.
    check(
        f,
        "s3 putObject",
        output(&put).is_ok_and(|o| {
            o["ETag"] == json!("\"bb6cb5c68df4652941caf652a366f2d8\"")
                && o["ChecksumCRC32"].is_string()
        }),
        format!("{:?}", output(&put)),
    );

    let get = run(
        &e,
        task(
            &sdk("getObject"),
            json!({"Bucket": "sdk-bucket", "Key": key}),
        ),
        json!({}),
    )
    .await;
    check(
        f,
        "s3 getObject",
        output(&get).is_ok_and(|o| {
            o["Body"] == json!("{\"a\":1}")
                && o["ContentLength"] == json!(7)
                && o["ContentType"] == json!("application/json")
                && o["Metadata"] == json!({"who": "me"})
                && o["AcceptRanges"] == json!("bytes")
                && o["LastModified"]
                    .as_str()
                    .is_some_and(|t| t.ends_with('Z') && t.contains('T'))
        }),
        format!("{:?}", output(&get)),
    );

    let head = run(
        &e,
        task(
            &sdk("headObject"),
            json!({"Bucket": "sdk-bucket", "Key": key}),
        ),
        json!({}),
    )
    .await;
    check(
        f,
        "s3 headObject",
        output(&head).is_ok_and(|o| o["ContentLength"] == json!(7) && o.get("Body").is_none()),
        format!("{:?}", output(&head)),
    );

    let list = run(
        &e,
        task(
            &sdk("listObjectsV2"),
            json!({"Bucket": "sdk-bucket", "Prefix": "dir/"}),
        ),
        json!({}),
    )
    .await;
    // Keys come back decoded although S3 was asked to URL-encode them.
    check(
        f,
        "s3 listObjectsV2",
        output(&list).is_ok_and(|o| {
            o["KeyCount"] == json!(1)
                && o["Contents"][0]["Key"] == json!(key)
                && o["Contents"][0]["Size"] == json!(7)
                && o["Prefix"] == json!("dir/")
                && o["IsTruncated"] == json!(false)
        }),
        format!("{:?}", output(&list)),
    );

    let copy = run(
        &e,
        task(
            &sdk("copyObject"),
            json!({"Bucket": "sdk-bucket", "Key": "copy.json",
        "CopySource": "sdk-bucket/dir/a%20b%2Bc.json"}),
        ),
        json!({}),
    )
    .await;
    check(
        f,
        "s3 copyObject",
        output(&copy).is_ok_and(|o| {
            o["CopyObjectResult"]["ETag"] == json!("\"bb6cb5c68df4652941caf652a366f2d8\"")
        }),
        format!("{:?}", output(&copy)),
    );

    let listed = run(
        &e,
        task(&sdk("listObjects"), json!({"Bucket": "sdk-bucket"})),
        json!({}),
    )
    .await;
    check(
        f,
        "s3 listObjects",
        output(&listed).is_ok_and(|o| o["Contents"].as_array().map(Vec::len) == Some(2)),
        format!("{:?}", output(&listed)),
    );

    let deleted = run(
        &e,
        task(
            &sdk("deleteObject"),
            json!({"Bucket": "sdk-bucket", "Key": "copy.json"}),
        ),
        json!({}),
    )
    .await;
    check(
        f,
        "s3 deleteObject",
        output(&deleted).is_ok(),
        format!("{:?}", output(&deleted)),
    );

    let buckets = run(&e, task(&sdk("listBuckets"), json!({})), json!({})).await;
    check(
        f,
        "s3 listBuckets",
        output(&buckets).is_ok_and(|o| {
            o["Buckets"].as_array().is_some_and(|b| {
                b.iter()
                    .any(|b| b["Name"] == json!("sdk-bucket") && b["CreationDate"].is_string())
            })
        }),
        format!("{:?}", output(&buckets)),
    );

    let missing = run(
        &e,
        task(
            &sdk("getObject"),
            json!({"Bucket": "sdk-bucket", "Key": "copy.json"}),
        ),
        json!({}),
    )
    .await;
    let (error, cause) = failure(&missing);
    check(
        f,
        "s3 no such key",
        error == "S3.NoSuchKeyException"
            && cause.starts_with(
                "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: ",
            )
            && cause.contains(", Extended Request ID: "),
        format!("{error}: {cause}"),
    );

    let head_missing = run(
        &e,
        task(
            &sdk("headObject"),
            json!({"Bucket": "sdk-bucket", "Key": "nope"}),
        ),
        json!({}),
    )
    .await;
    let (error, _) = failure(&head_missing);
    check(
        f,
        "s3 headObject no such key",
        error == "S3.NoSuchKeyException",
        &error,
    );

    let no_bucket = run(
        &e,
        task(
            &sdk("listObjects"),
            json!({"Bucket": "no-such-bucket-here"}),
        ),
        json!({}),
    )
    .await;
    let (error, cause) = failure(&no_bucket);
    check(
        f,
        "s3 no such bucket",
        error == "S3.NoSuchBucketException"
            && cause
                .starts_with("The specified bucket does not exist (Service: S3, Status Code: 404"),
        format!("{error}: {cause}"),
    );

    let unknown = run(
        &e,
        task(&sdk("selectObjectContent"), json!({"Bucket": "sdk-bucket"})),
        json!({}),
    )
    .await;
    let (error, cause) = failure(&unknown);
    check(
        f,
        "s3 unsupported action",
        error == "States.Runtime"
            && cause.contains("getObject")
            && cause.contains("s3:selectObjectContent"),
        format!("{error}: {cause}"),
    );

    let bad_member = run(
        &e,
        task(
            &sdk("getObject"),
            json!({"Bucket": "sdk-bucket", "Key": "k", "Bodyy": 1}),
        ),
        json!({}),
    )
    .await;
    let (error, cause) = failure(&bad_member);
    check(
        f,
        "s3 unknown parameter",
        error == "States.Runtime" && cause.contains("'Bodyy'"),
        format!("{error}: {cause}"),
    );
}

/// A distributed Map reading its items from S3 and writing its results there; a bucket the
/// engine's local object store holds is read locally instead.
async fn s3_distributed_map(clients: &AwsClients, f: &mut Vec<String>) {
    for bucket in ["map-items", "map-results"] {
        if let Err(e) = clients
            .sdk_call("s3", "createBucket", json!({"Bucket": bucket}))
            .await
        {
            return f.push(format!("s3 map fixture {bucket}: {e}"));
        }
    }
    if let Err(e) = clients
        .s3_put_object("map-items", "rows.csv", b"id,name\n1,a\n2,b\n3\n".to_vec())
        .await
    {
        return f.push(format!("s3 map fixture rows.csv: {e}"));
    }
    let local = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return f.push(format!("s3 map temp dir: {e}")),
    };
    let store = sfn_runtime::LocalObjectStore::new(local.path());
    if let Err(e) = sfn_runtime::ObjectStore::put(&store, "local-items", "items.json", b"[10, 20]")
    {
        return f.push(format!("s3 map local fixture: {e}"));
    }
    let e = engine(clients).with_object_store(Arc::new(store));
    let map = |reader: Value| {
        json!({"StartAt": "M", "States": {"M": {"Type": "Map",
        "ItemReader": reader,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true}}})
    };
    let csv = json!({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 2},
        "Parameters": {"Bucket": "map-items", "Key": "rows.csv"}});
    let read = run(&e, map(csv), json!({})).await;
    check(
        f,
        "s3 map reads CSV from S3",
        output(&read) == Ok(json!([{"id": "1", "name": "a"}, {"id": "2", "name": "b"}])),
        format!("{:?}", output(&read)),
    );

    let listing = json!({"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "map-items"}});
    let listed = run(&e, map(listing), json!({})).await;
    check(
        f,
        "s3 map lists S3",
        output(&listed).is_ok_and(|o| {
            o[0]["Key"] == json!("rows.csv")
                && o[0]["Size"] == json!(18)
                && o[0]["Etag"].is_string()
                && o[0]["LastModified"].is_u64()
        }),
        format!("{:?}", output(&listed)),
    );

    let local_read = json!({"Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "local-items", "Key": "items.json"}});
    let read = run(&e, map(local_read), json!({})).await;
    check(
        f,
        "s3 map reads a locally held bucket locally",
        output(&read) == Ok(json!([10, 20])),
        format!("{:?}", output(&read)),
    );

    let missing = json!({"Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "map-items", "Key": "nope.json"}});
    let failed = run(&e, map(missing), json!({})).await;
    let (error, cause) = failure(&failed);
    check(
        f,
        "s3 map missing object",
        error == "States.ItemReaderFailed" && cause.contains("The specified key does not exist."),
        format!("{error}: {cause}"),
    );

    let mut writer = map(json!({"Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "map-items", "Key": "rows.csv"}, "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}}));
    writer["States"]["M"]["ResultWriter"] = json!({"Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "map-results", "Prefix": "runs"}});
    let written = run(&e, writer, json!({})).await;
    let key = output(&written)
        .ok()
        .and_then(|o| o["ResultWriterDetails"]["Key"].as_str().map(str::to_owned));
    let manifest = match &key {
        Some(k) => clients
            .sdk_call(
                "s3",
                "getObject",
                json!({"Bucket": "map-results", "Key": k}),
            )
            .await
            .ok(),
        None => None,
    };
    let manifest: Option<Value> = manifest.and_then(|m| {
        m["Body"]
            .as_str()
            .and_then(|b| serde_json::from_str(b).ok())
    });
    check(
        f,
        "s3 map writes its results to S3",
        manifest.as_ref().is_some_and(|m| {
            m["DestinationBucket"] == json!("map-results")
                && m["ResultFiles"]["SUCCEEDED"][0]["Key"]
                    .as_str()
                    .is_some_and(|k| k.starts_with("runs/"))
        }),
        format!("{key:?} {manifest:?}"),
    );
}

// Lambda, against the local server speaking Lambda's Invoke API.

use lambda_server::{Behaviour, LambdaEndpoint, LambdaServer, RestResource};

/// AWS clients whose Lambda is `server` (as `AWS_ENDPOINT_URL_LAMBDA` would set it).
fn lambda_clients(server: &LambdaServer) -> AwsClients {
    use aws_config::{BehaviorVersion, Region, SdkConfig};
    use aws_credential_types::{provider::SharedCredentialsProvider, Credentials};
    let credentials = Credentials::new("test", "test", None, None, "local");
    AwsClients::from_config(
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .service_config(LambdaEndpoint(server.endpoint.clone()))
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .build(),
    )
}

fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}")
}

fn raise(error_type: &str) -> Behaviour {
    Behaviour::Raise {
        error_type: error_type.into(),
        message: "bad input".into(),
        stack: vec!["  File \"/var/task/handler.py\", line 2, in handler\n".into()],
    }
}

const INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// `lambda:invoke`: Lambda's answer with the metadata blocks; what the function received.
async fn lambda_invoke(server: &LambdaServer, clients: &AwsClients, f: &mut Vec<String>) {
    let definition = task(
        INVOKE,
        json!({"FunctionName": "echo", "Payload": {"a": 1, "b": "é"}}),
    );
    let out = match output(&run(&engine(clients), definition, json!({})).await) {
        Ok(v) => v,
        Err(e) => return f.push(format!("lambda:invoke: {e}")),
    };
    check(
        f,
        "lambda:invoke payload",
        out["Payload"] == json!({"a": 1, "b": "é"}),
        &out,
    );
    check(
        f,
        "lambda:invoke status",
        out["StatusCode"] == json!(200),
        &out,
    );
    check(
        f,
        "lambda:invoke version",
        out["ExecutedVersion"] == json!("$LATEST"),
        &out,
    );
    let headers = &out["SdkHttpMetadata"]["HttpHeaders"];
    check(
        f,
        "lambda:invoke headers",
        headers["X-Amz-Executed-Version"] == json!("$LATEST")
            && headers["Content-Type"] == json!("application/json")
            && out["SdkHttpMetadata"]["AllHttpHeaders"]["Connection"] == json!(["keep-alive"]),
        &out,
    );
    check(
        f,
        "lambda:invoke request id",
        out["SdkResponseMetadata"]["RequestId"] == headers["x-amzn-RequestId"]
            && headers["x-amzn-RequestId"]
                .as_str()
                .is_some_and(|s| s.len() == 36),
        &out,
    );
    let keys: Vec<&String> = out
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    check(
        f,
        "lambda:invoke members in AWS's order",
        keys == [
            "ExecutedVersion",
            "Payload",
            "SdkHttpMetadata",
            "SdkResponseMetadata",
            "StatusCode",
        ],
        format!("{keys:?}"),
    );
    let sent = server.invocations().last().cloned();
    check(
        f,
        "lambda:invoke sends the payload as JSON text",
        sent.as_ref().is_some_and(|i| {
            i.function == "echo" && i.payload == "{\"a\":1,\"b\":\"é\"}".as_bytes()
        }),
        format!("{sent:?}"),
    );
    // A string Payload holding JSON is sent as it is; null sends nothing (the function sees {}).
    for (payload, want) in [(json!("[1, 2]"), json!([1, 2])), (json!(null), json!({}))] {
        let definition = task(INVOKE, json!({"FunctionName": "echo", "Payload": payload}));
        let got = output(&run(&engine(clients), definition, json!({})).await)
            .map(|o| o["Payload"].clone());
        check(
            f,
            "lambda:invoke payload forms",
            got == Ok(want.clone()),
            format!("{got:?} for {want}"),
        );
    }
    // An answer that is not JSON is the payload's text.
    let definition = task(INVOKE, json!({"FunctionName": "text"}));
    let got =
        output(&run(&engine(clients), definition, json!({})).await).map(|o| o["Payload"].clone());
    check(
        f,
        "lambda:invoke text answer",
        got == Ok(json!("not json")),
        format!("{got:?}"),
    );
    // LogType Tail: the last log lines, base64.
    let definition = task(INVOKE, json!({"FunctionName": "echo", "LogType": "Tail"}));
    let got = output(&run(&engine(clients), definition, json!({})).await);
    let log = got
        .as_ref()
        .ok()
        .and_then(|o| o["LogResult"].as_str())
        .and_then(|l| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.decode(l).ok()
        })
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    check(
        f,
        "lambda:invoke LogResult",
        log.as_deref()
            .is_some_and(|l| l.starts_with("START RequestId: ")),
        format!("{got:?}"),
    );
}

/// A version or alias, in `Qualifier` or in the function's ARN; an unknown one.
async fn lambda_qualifiers(server: &LambdaServer, clients: &AwsClients, f: &mut Vec<String>) {
    server.alias("echo", "live", "3");
    for params in [
        json!({"FunctionName": "echo", "Qualifier": "live"}),
        json!({"FunctionName": format!("{}:live", function_arn("echo"))}),
        json!({"FunctionName": format!("{ACCOUNT}:function:echo:live")}),
    ] {
        let definition = task(INVOKE, params.clone());
        let got = output(&run(&engine(clients), definition, json!({})).await);
        check(
            f,
            "lambda:invoke qualifier",
            got.as_ref()
                .is_ok_and(|o| o["ExecutedVersion"] == json!("3")),
            format!("{params}: {got:?}"),
        );
        let sent = server
            .invocations()
            .last()
            .and_then(|i| i.qualifier.clone());
        check(
            f,
            "lambda:invoke qualifier sent",
            sent.as_deref() == Some("live"),
            format!("{sent:?}"),
        );
    }
    let definition = task(INVOKE, json!({"FunctionName": "echo", "Qualifier": "nope"}));
    let (error, cause) = failure(&run(&engine(clients), definition, json!({})).await);
    check(
        f,
        "lambda:invoke unknown alias",
        error == "Lambda.ResourceNotFoundException",
        &error,
    );
    check(
        f,
        "lambda:invoke unknown alias cause",
        cause.starts_with(&format!(
            "Function not found: {}:nope (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: ",
            function_arn("echo")
        )) && cause.ends_with("; Proxy: null)"),
        &cause,
    );
}

/// Unknown functions, function errors under Retry and Catch, a function ARN's own error JSON.
async fn lambda_errors(server: &LambdaServer, clients: &AwsClients, f: &mut Vec<String>) {
    for resource in [INVOKE.to_owned(), function_arn("missing")] {
        let definition = task(&resource, json!({"FunctionName": "missing"}));
        let (error, cause) = failure(&run(&engine(clients), definition, json!({})).await);
        check(
            f,
            "unknown function error",
            error == "Lambda.ResourceNotFoundException",
            format!("{resource}: {error}"),
        );
        check(
            f,
            "unknown function cause",
            cause.starts_with(&format!(
                "Function not found: {}:$LATEST (Service: AWSLambda; Status Code: 404;",
                function_arn("missing")
            )),
            &cause,
        );
    }
    let before = server.invocations().len();
    let definition = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "fails"},
            "Retry": [{"ErrorEquals": ["ValueError"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1}],
            "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}], "End": true},
        "Caught": {"Type": "Pass", "End": true}}});
    match output(&run(&engine(clients), definition, json!({})).await) {
        Ok(out) => {
            check(
                f,
                "function error name",
                out["Error"] == json!("ValueError"),
                &out,
            );
            let cause: Value = out["Cause"]
                .as_str()
                .and_then(|c| serde_json::from_str(c).ok())
                .unwrap_or(Value::Null);
            check(
                f,
                "function error cause (compact error JSON)",
                cause["errorMessage"] == json!("bad input")
                    && cause["requestId"].as_str().is_some_and(|r| r.len() == 36)
                    && out["Cause"].as_str().is_some_and(|c| {
                        c.starts_with(
                            "{\"errorMessage\":\"bad input\",\"errorType\":\"ValueError\",",
                        )
                    }),
                &out,
            );
        }
        Err(e) => f.push(format!("function error caught: {e}")),
    }
    let attempts = server.invocations().len() - before;
    check(f, "function error retried twice", attempts == 3, attempts);
    let (error, cause) = failure(
        &run(
            &engine(clients),
            task(&function_arn("fails"), json!({})),
            json!({}),
        )
        .await,
    );
    check(f, "function ARN error name", error == "ValueError", &error);
    check(
        f,
        "function ARN error cause (as the runtime wrote it)",
        cause.starts_with(
            "{\"errorMessage\": \"bad input\", \"errorType\": \"ValueError\", \"requestId\": ",
        ),
        &cause,
    );
}

/// A function ARN as the resource: the input is the payload, the answer the result.
async fn lambda_function_arn(server: &LambdaServer, clients: &AwsClients, f: &mut Vec<String>) {
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": function_arn("echo"), "End": true}}});
    let got = output(&run(&engine(clients), definition.clone(), json!("HelloWorld")).await);
    check(
        f,
        "function ARN string input",
        got == Ok(json!("HelloWorld")),
        format!("{got:?}"),
    );
    let sent = server.invocations().last().map(|i| i.payload.clone());
    check(
        f,
        "function ARN sends JSON text",
        sent.as_deref() == Some(&b"\"HelloWorld\""[..]),
        format!("{sent:?}"),
    );
    let got = output(&run(&engine(clients), definition, json!({"k": [1, 2.5]})).await);
    check(
        f,
        "function ARN object input",
        got == Ok(json!({"k": [1, 2.5]})),
        format!("{got:?}"),
    );
    let text = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": function_arn("text"), "End": true}}});
    let got = output(&run(&engine(clients), text, json!({})).await);
    check(
        f,
        "function ARN text answer",
        got == Ok(json!("not json")),
        format!("{got:?}"),
    );
}

/// A function that sleeps past `TimeoutSeconds`: `States.Timeout`.
async fn lambda_timeout(clients: &AwsClients, f: &mut Vec<String>) {
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": INVOKE, "Parameters": {"FunctionName": "slow"}, "TimeoutSeconds": 1, "End": true}}});
    let (error, _) = failure(&run(&engine(clients), definition, json!({})).await);
    check(
        f,
        "lambda:invoke timeout",
        error == "States.Timeout",
        &error,
    );
}

/// `InvocationType: Event` and `ClientContext`; `.waitForTaskToken`.
async fn lambda_async_and_callback(
    server: &LambdaServer,
    clients: &AwsClients,
    f: &mut Vec<String>,
) {
    let definition = task(
        INVOKE,
        json!({"FunctionName": "echo", "InvocationType": "Event", "ClientContext": "eyJ9"}),
    );
    let got = output(&run(&engine(clients), definition, json!({})).await);
    check(
        f,
        "lambda:invoke Event",
        got.as_ref()
            .is_ok_and(|o| o["StatusCode"] == json!(202) && o["Payload"] == json!("")),
        format!("{got:?}"),
    );
    let sent = server.invocations().last().cloned();
    check(
        f,
        "lambda:invoke Event headers",
        sent.as_ref().is_some_and(|i| {
            i.invocation_type.as_deref() == Some("Event")
                && i.client_context.as_deref() == Some("eyJ9")
        }),
        format!("{sent:?}"),
    );
    let engine = engine(clients);
    let definition = task(
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        json!({"FunctionName": "echo", "Payload": {"token.$": "$$.Task.Token"}}),
    );
    let Ok(machine) = sfn_asl::parse(&definition.to_string()) else {
        return f.push("lambda callback: definition rejected".into());
    };
    let handle = engine.start_execution(
        Arc::new(machine),
        json!({}),
        ExecutionConfig::new("m", "cb"),
    );
    let mut token = None;
    for _ in 0..100 {
        token = server.invocations().iter().rev().find_map(|i| {
            serde_json::from_slice::<Value>(&i.payload).ok()?["token"]
                .as_str()
                .map(str::to_owned)
        });
        if token.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let Some(token) = token else {
        return f.push("lambda callback: the function got no token".into());
    };
    check(
        f,
        "lambda callback send_task_success",
        engine
            .send_task_success(&token, json!({"approved": true}))
            .await
            .is_ok(),
        "token unknown",
    );
    match handle.result().await.map(|r| output(&r)) {
        Ok(Ok(out)) => check(
            f,
            "lambda callback output",
            out == json!({"approved": true}),
            out,
        ),
        other => f.push(format!("lambda callback: {other:?}")),
    }
}

/// `aws-sdk:lambda:*`: the SDK's members, the payload as text, no failure on a function
/// error; SDK v2 error names; another action through the route table.
async fn lambda_sdk(clients: &AwsClients, f: &mut Vec<String>) {
    let definition = task(
        "arn:aws:states:::aws-sdk:lambda:invoke",
        json!({"FunctionName": "echo", "Payload": {"a": 1}}),
    );
    let got = output(&run(&engine(clients), definition, json!({})).await);
    check(
        f,
        "aws-sdk lambda invoke",
        got == Ok(
            json!({"ExecutedVersion": "$LATEST", "Payload": "{\"a\": 1}", "StatusCode": 200}),
        ),
        format!("{got:?}"),
    );
    let definition = task(
        "arn:aws:states:::aws-sdk:lambda:invoke",
        json!({"FunctionName": "fails"}),
    );
    let got = output(&run(&engine(clients), definition, json!({})).await);
    check(
        f,
        "aws-sdk lambda invoke function error",
        got.as_ref().is_ok_and(|o| {
            o["FunctionError"] == json!("Unhandled")
                && o["Payload"]
                    .as_str()
                    .is_some_and(|p| p.contains("\"errorType\": \"ValueError\""))
        }),
        format!("{got:?}"),
    );
    let definition = task(
        "arn:aws:states:::aws-sdk:lambda:invoke",
        json!({"FunctionName": "missing"}),
    );
    let (error, cause) = failure(&run(&engine(clients), definition, json!({})).await);
    check(
        f,
        "aws-sdk lambda missing function",
        error == "Lambda.ResourceNotFoundException",
        &error,
    );
    check(
        f,
        "aws-sdk lambda missing function cause",
        cause.contains("(Service: Lambda, Status Code: 404, Request ID: "),
        &cause,
    );
    let definition = task(
        "arn:aws:states:::aws-sdk:lambda:getFunction",
        json!({"FunctionName": function_arn("echo")}),
    );
    let got = output(&run(&engine(clients), definition, json!({})).await);
    check(
        f,
        "aws-sdk lambda getFunction",
        got.as_ref().is_ok_and(|o| {
            o["Configuration"]["FunctionArn"] == json!(format!("{}:$LATEST", function_arn("echo")))
        }),
        format!("{got:?}"),
    );
}

/// A Rust handler registered for a function answers `lambda:invoke` before Lambda does.
async fn lambda_local_handler_first(
    server: &LambdaServer,
    clients: &AwsClients,
    f: &mut Vec<String>,
) {
    let before = server.invocations().len();
    let mut resources = Resources::new();
    resources.set_aws(clients.clone());
    resources.register(function_arn("echo"), |_| async { Ok(json!("from rust")) });
    let definition = task(INVOKE, json!({"FunctionName": "echo"}));
    let got = output(&run(&Engine::new(resources), definition, json!({})).await);
    check(
        f,
        "registered handler first",
        got.as_ref()
            .is_ok_and(|o| o["Payload"] == json!("from rust")),
        format!("{got:?}"),
    );
    check(
        f,
        "registered handler: Lambda not called",
        server.invocations().len() == before,
        "called",
    );
}

/// `apigateway:invoke` against a stage of the local server: the answer's headers, body, status;
/// query parameters; an unknown resource; `Headers` that are not lists.
async fn api_gateway(server: &LambdaServer, clients: &AwsClients, f: &mut Vec<String>) {
    let resource = |pipe| RestResource {
        function: "echo".into(),
        pipe_query_string: pipe,
    };
    server.rest_resource("prod", "orders", "POST", resource(false));
    server.rest_resource("prod", "query", "POST", resource(true));
    let call = |path: &str, extra: Value| {
        let mut p = json!({"ApiEndpoint": "abc123.execute-api.us-east-1.amazonaws.com",
            "Method": "POST", "Stage": "prod", "Path": path});
        if let (Some(p), Value::Object(extra)) = (p.as_object_mut(), extra) {
            p.extend(extra);
        }
        task("arn:aws:states:::apigateway:invoke", p)
    };
    let definition = call(
        "orders",
        json!({"RequestBody": {"a": 1}, "Headers": {"x-custom": ["1"]}}),
    );
    match output(&run(&engine(clients), definition, json!({})).await) {
        Ok(out) => {
            check(
                f,
                "apigateway body",
                out["ResponseBody"] == json!({"a": 1}),
                &out,
            );
            check(
                f,
                "apigateway status",
                out["StatusCode"] == json!(200) && out["StatusText"] == json!("OK"),
                &out,
            );
            check(
                f,
                "apigateway headers, every value",
                out["Headers"]["X-Cache"] == json!(["Miss from cloudfront"])
                    && out["Headers"]["Content-Type"] == json!(["application/json"])
                    && out["Headers"]["X-Amz-Cf-Id"].is_array(),
                &out,
            );
            let keys: Vec<&String> = out
                .as_object()
                .map(|m| m.keys().collect())
                .unwrap_or_default();
            check(
                f,
                "apigateway result members",
                keys == ["Headers", "ResponseBody", "StatusCode", "StatusText"],
                format!("{keys:?}"),
            );
        }
        Err(e) => f.push(format!("apigateway invoke: {e}")),
    }
    let definition = call(
        "query",
        json!({"RequestBody": "Hi", "QueryParameters": {"p": ["x"], "q": ["y"]}}),
    );
    let got = output(&run(&engine(clients), definition, json!({})).await)
        .map(|o| o["ResponseBody"].clone());
    check(
        f,
        "apigateway query parameters",
        got == Ok(json!({"body": "Hi", "queryStringParameters": "{p=x, q=y}"})),
        format!("{got:?}"),
    );
    let (error, cause) =
        failure(&run(&engine(clients), call("nowhere", json!({})), json!({})).await);
    check(
        f,
        "apigateway unknown resource",
        error == "ApiGateway.403",
        &error,
    );
    check(
        f,
        "apigateway unknown resource cause",
        serde_json::from_str::<Value>(&cause).ok()
            == Some(json!({"message": "Missing Authentication Token"})),
        &cause,
    );
    let definition = call("orders", json!({"Headers": {"h": "single"}}));
    let (error, cause) = failure(&run(&engine(clients), definition, json!({})).await);
    check(
        f,
        "apigateway Headers refused",
        error == "States.Runtime",
        &error,
    );
    check(
        f,
        "apigateway Headers refused cause",
        cause.starts_with("An error occurred while executing the state 'T' (entered at the event id #2). The Parameters '{")
            && cause.ends_with("' could not be used to start the Task: [The value of the field 'Headers' has an invalid format]"),
        &cause,
    );
}

#[test]
fn lambda_against_a_local_lambda_server() {
    let server = match LambdaServer::start(ACCOUNT) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    server.register("echo", Behaviour::Echo);
    server.register("text", Behaviour::Constant(b"not json".to_vec()));
    server.register("fails", raise("ValueError"));
    server.register(
        "slow",
        Behaviour::Sleep {
            seconds: 60.0,
            then: Box::new(Behaviour::Echo),
        },
    );
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("no tokio runtime: {e}"),
    };
    let failures = rt.block_on(async {
        let clients = lambda_clients(&server);
        let mut f = Vec::new();
        lambda_invoke(&server, &clients, &mut f).await;
        lambda_qualifiers(&server, &clients, &mut f).await;
        lambda_errors(&server, &clients, &mut f).await;
        lambda_function_arn(&server, &clients, &mut f).await;
        lambda_timeout(&clients, &mut f).await;
        lambda_async_and_callback(&server, &clients, &mut f).await;
        lambda_sdk(&clients, &mut f).await;
        lambda_local_handler_first(&server, &clients, &mut f).await;
        api_gateway(&server, &clients, &mut f).await;
        f
    });
    assert!(
        failures.is_empty(),
        "{} Lambda checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
