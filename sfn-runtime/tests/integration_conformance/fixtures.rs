//! A case's fixtures on the moto server, and the calls made from outside while it runs.

use serde_json::{json, Value};
use sfn_runtime::aws::AwsClients;
use sfn_runtime::{Engine, ExecutionHandle, Status};

use crate::lambda_server::LambdaServer;

/// moto's account, which replaces the recordings' `111111111111`.
pub const LOCAL_ACCOUNT: &str = "123456789012";

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Why a case cannot run here yet, when it needs something not built.
pub fn unsupported(case: &Value) -> Option<String> {
    let service = text(case, "service");
    if !matches!(
        service.as_str(),
        "dynamodb"
            | "sqs"
            | "sns"
            | "events"
            | "secretsmanager"
            | "stepfunctions"
            | "s3"
            | "lambda"
            | "cross-account"
            | "apigateway"
            | "activity"
    ) {
        return Some(format!(
            "needs {service} (not built yet; runnable: {})",
            text(case, "runnable")
        ));
    }
    let fixtures = case["fixtures"].as_array().cloned().unwrap_or_default();
    for f in &fixtures {
        let kind = text(f, "kind");
        if !matches!(
            kind.as_str(),
            "dynamodb-table"
                | "sqs-queue"
                | "sqs-queue-policy"
                | "sns-topic"
                | "sns-subscription"
                | "events-rule"
                | "state-machine"
                | "s3-bucket"
                | "s3-object"
                | "lambda"
                | "iam-role"
                | "apigateway-rest-api"
                | "activity"
        ) {
            return Some(format!("needs a {kind} fixture (not built yet)"));
        }
    }
    for o in case["outside"].as_array().cloned().unwrap_or_default() {
        let action = text(&o, "action");
        let on = text(&o["trigger"], "on");
        let worker = action == "get_activity_task" && on == "execution-started";
        if !worker
            && (!matches!(
                action.as_str(),
                "send_task_success" | "send_task_failure" | "send_task_heartbeat"
            ) || !matches!(on.as_str(), "sqs-message" | "after-previous"))
        {
            return Some(format!(
                "needs the outside call {action} on {on} (not built yet)"
            ));
        }
    }
    None
}

/// Creates the fixtures, in order.
pub async fn create(
    clients: &AwsClients,
    engine: &Engine,
    lambda: &LambdaServer,
    case: &Value,
) -> Result<(), String> {
    for f in case["fixtures"].as_array().cloned().unwrap_or_default() {
        let result = match text(&f, "kind").as_str() {
            "state-machine" => state_machine(clients, engine, &f).await,
            "dynamodb-table" => table(clients, &f).await,
            "sqs-queue" => queue(clients, &f).await,
            "sns-topic" => topic(clients, &f).await,
            "sns-subscription" => subscription(clients, &f).await,
            "s3-bucket" => bucket(clients, &f).await,
            "s3-object" => object(clients, &f).await,
            // Served by the local Lambda server, which runs the fixture's behaviour.
            "lambda" => lambda.register_fixture(&f),
            "apigateway-rest-api" => rest_api(lambda, case, &f),
            "activity" => engine
                .create_activity(&text(&f, "name"))
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            // No-op on moto / observers only: the outcome does not depend on them. An
            // `iam-role` is the role a Task's `Credentials` names: moto's STS lets any role be
            // assumed, and the recorded role's policy allows everything its case does.
            _ => Ok(()),
        };
        result.map_err(|e| format!("fixture {}: {e}", f))?;
    }
    Ok(())
}

/// A state machine: registered with the engine (for `states:startExecution`, run natively)
/// and created on moto (for `aws-sdk:sfn:*` calls).
async fn state_machine(clients: &AwsClients, engine: &Engine, f: &Value) -> Result<(), String> {
    let name = text(f, "name");
    let arn = format!("arn:aws:states:us-east-1:{LOCAL_ACCOUNT}:stateMachine:{name}");
    let definition = f["definition"].to_string();
    let deleted = f["deleted_before_run"] == json!(true);
    if !deleted {
        let machine =
            sfn_asl::parse(&definition).map_err(|e| format!("definition rejected: {e:?}"))?;
        engine.register_state_machine(&arn, std::sync::Arc::new(machine));
    }
    let params = json!({"Name": name, "Definition": definition, "Type": f.get("type").cloned().unwrap_or(json!("STANDARD")),
        "RoleArn": format!("arn:aws:iam::{LOCAL_ACCOUNT}:role/sfn-role")});
    clients
        .sdk_call("sfn", "createStateMachine", params)
        .await
        .map_err(|e| e.to_string())?;
    if deleted {
        clients
            .sdk_call("sfn", "deleteStateMachine", json!({"StateMachineArn": arn}))
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A bucket as AWS creates one: encrypted with SSE-S3 by default (AWS does so for every
/// bucket since January 2023; moto needs to be told, so its answers carry
/// `x-amz-server-side-encryption: AES256` as AWS's do).
async fn bucket(clients: &AwsClients, f: &Value) -> Result<(), String> {
    let name = text(f, "name");
    clients
        .sdk_call("s3", "createBucket", json!({"Bucket": name}))
        .await
        .map_err(|e| e.to_string())?;
    let rules =
        json!({"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]});
    clients
        .sdk_call(
            "s3",
            "putBucketEncryption",
            json!({"Bucket": name, "ServerSideEncryptionConfiguration": rules}),
        )
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// An object: `body` as text, or `body_hex` as bytes.
async fn object(clients: &AwsClients, f: &Value) -> Result<(), String> {
    let body = match f.get("body_hex").and_then(Value::as_str) {
        Some(hex) => (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|b| u8::from_str_radix(b, 16).ok())
                    .ok_or_else(|| format!("body_hex is not hexadecimal: {hex}"))
            })
            .collect::<Result<Vec<u8>, String>>()?,
        None => text(f, "body").into_bytes(),
    };
    clients
        .s3_put_object(&text(f, "bucket"), &text(f, "key"), body)
        .await
        .map_err(|e| e.to_string())
}

/// The REST API the recorded test built (`test_apigetway_task_service.py`, which the fixture's
/// note points at): one POST resource on the fixture's stage with an AWS integration to the
/// case's lambda fixture, `get_constant` in `test_invoke_base` and `id_func` in the others;
/// `test_invoke_with_query_parameters` adds the request template that pipes the query string.
fn rest_api(lambda: &LambdaServer, case: &Value, f: &Value) -> Result<(), String> {
    let test = text(&case["source_detail"], "test_id");
    let function = case["fixtures"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| text(f, "kind") == "lambda"))
        .map(|f| text(f, "name"))
        .ok_or("the REST API needs a lambda fixture to integrate with")?;
    let path = match test.ends_with("::test_invoke_base") {
        true => "get_constant",
        false => "id_func",
    };
    let resource = crate::lambda_server::RestResource {
        function,
        pipe_query_string: test.ends_with("::test_invoke_with_query_parameters"),
    };
    lambda.rest_resource(&text(f, "stage"), path, "POST", resource);
    Ok(())
}

async fn table(clients: &AwsClients, f: &Value) -> Result<(), String> {
    let keys = f["key"].as_array().cloned().unwrap_or_default();
    let schema: Vec<Value> = keys
        .iter()
        .map(|k| json!({"AttributeName": k["name"], "KeyType": k["role"]}))
        .collect();
    let defs: Vec<Value> = keys
        .iter()
        .map(|k| json!({"AttributeName": k["name"], "AttributeType": k["type"]}))
        .collect();
    let mut params = json!({"TableName": f["name"], "KeySchema": schema, "AttributeDefinitions": defs,
        "BillingMode": f.get("billing_mode").cloned().unwrap_or(json!("PAY_PER_REQUEST"))});
    if params["BillingMode"] == json!("PROVISIONED") {
        params["ProvisionedThroughput"] = json!({"ReadCapacityUnits": 5, "WriteCapacityUnits": 5});
    }
    clients
        .sdk_call("dynamodb", "createTable", params)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

async fn queue(clients: &AwsClients, f: &Value) -> Result<(), String> {
    let mut attributes = f["attributes"].as_object().cloned().unwrap_or_default();
    if f["fifo"] == json!(true) {
        attributes.insert("FifoQueue".into(), json!("true"));
    }
    let params = json!({"QueueName": f["name"], "Attributes": attributes});
    clients
        .sdk_call("sqs", "createQueue", params)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn topic_arn(name: &str) -> String {
    format!("arn:aws:sns:us-east-1:{LOCAL_ACCOUNT}:{name}")
}

async fn topic(clients: &AwsClients, f: &Value) -> Result<(), String> {
    let name = text(f, "name");
    let mut members: Vec<(String, String)> = vec![("Name".into(), name.clone())];
    let mut attributes: Vec<(String, String)> = f["attributes"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    if f["fifo"] == json!(true) {
        attributes.push(("FifoTopic".into(), "true".into()));
    }
    for (i, (k, v)) in attributes.into_iter().enumerate() {
        members.push((format!("Attributes.entry.{}.key", i + 1), k));
        members.push((format!("Attributes.entry.{}.value", i + 1), v));
    }
    let refs: Vec<(&str, &str)> = members
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    clients
        .query_call("sns", "CreateTopic", &refs)
        .await
        .map_err(|e| e.to_string())?;
    if f["deleted_before_run"] == json!(true) {
        let arn = topic_arn(&name);
        clients
            .query_call("sns", "DeleteTopic", &[("TopicArn", arn.as_str())])
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

async fn subscription(clients: &AwsClients, f: &Value) -> Result<(), String> {
    let arn = topic_arn(&text(f, "topic"));
    let queue = format!("arn:aws:sqs:us-east-1:{LOCAL_ACCOUNT}:{}", text(f, "queue"));
    let raw = if f["raw_message_delivery"] == json!(true) {
        "true"
    } else {
        "false"
    };
    let members = [
        ("TopicArn", arn.as_str()),
        ("Protocol", "sqs"),
        ("Endpoint", queue.as_str()),
        ("Attributes.entry.1.key", "RawMessageDelivery"),
        ("Attributes.entry.1.value", raw),
    ];
    clients
        .query_call("sns", "Subscribe", &members)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The member at a dotted `path` of `v`.
fn at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

/// Waits for a message on the queue (up to `seconds`), deleting it; its body.
async fn next_message(clients: &AwsClients, queue: &str, seconds: u64) -> Option<String> {
    let url = format!("https://sqs.us-east-1.amazonaws.com/{LOCAL_ACCOUNT}/{queue}");
    for _ in 0..seconds {
        let params = json!({"QueueUrl": url, "WaitTimeSeconds": 1, "MaxNumberOfMessages": 1});
        let Ok(r) = clients.sdk_call("sqs", "receiveMessage", params).await else {
            continue;
        };
        if let Some(m) = r["Messages"].get(0) {
            let receipt = m["ReceiptHandle"].clone();
            let _ = clients
                .sdk_call(
                    "sqs",
                    "deleteMessage",
                    json!({"QueueUrl": url, "ReceiptHandle": receipt}),
                )
                .await;
            return m["Body"].as_str().map(str::to_owned);
        }
    }
    None
}

/// The outside calls of a case, in order, against the running execution's engine.
pub async fn outside(
    clients: &AwsClients,
    engine: &Engine,
    handle: &ExecutionHandle,
    case: &Value,
    wait: u64,
) -> Result<(), String> {
    let mut body: Option<String> = None;
    for o in case["outside"].as_array().cloned().unwrap_or_default() {
        if o["each_message"] == json!(true) {
            each_message(clients, engine, handle, &o, wait).await?;
            continue;
        }
        if text(&o, "action") == "get_activity_task" {
            activity_worker(engine, &o).await?;
            continue;
        }
        if text(&o["trigger"], "on") == "sqs-message" {
            let queue = text(&o["trigger"], "queue");
            body = next_message(clients, &queue, wait).await;
        }
        let Some(b) = body.clone() else {
            return Err(format!("no message arrived for the outside call {o}"));
        };
        answer(engine, &o, &b).await?;
    }
    Ok(())
}

/// An activity worker: takes the activity's task (long poll), then makes the calls of `then`
/// with its token, the task's input as the output or the cause.
async fn activity_worker(engine: &Engine, o: &Value) -> Result<(), String> {
    let arn = format!(
        "arn:aws:states:us-east-1:{LOCAL_ACCOUNT}:activity:{}",
        text(o, "activity")
    );
    let worker = o.get("worker_name").and_then(Value::as_str);
    let task = engine
        .get_activity_task(&arn, worker)
        .await
        .map_err(|e| format!("get_activity_task: {e}"))?
        .ok_or_else(|| format!("no task of {arn} within the long poll"))?;
    let from_input = |v: &Value| match (text(v, "from").as_str(), v.get("value")) {
        ("activity-input", _) => Some(task.input.clone()),
        (_, Some(value)) => Some(value.clone()),
        _ => None,
    };
    for then in o["then"].as_array().cloned().unwrap_or_default() {
        let result = match text(&then, "action").as_str() {
            "send_task_success" => {
                let output = from_input(&then["output"]).unwrap_or(Value::Null);
                engine.send_task_success(&task.token, output).await
            }
            "send_task_failure" => {
                let error = then.get("error").and_then(Value::as_str).map(str::to_owned);
                let cause = from_input(&then["cause"]).map(|c| match c {
                    Value::String(s) => s,
                    c => c.to_string(),
                });
                engine.send_task_failure(&task.token, error, cause).await
            }
            other => {
                return Err(format!(
                    "the outside call {other} after a task is not built"
                ))
            }
        };
        result.map_err(|e| format!("{}: {e}", text(&then, "action")))?;
    }
    Ok(())
}

/// A helper state machine's loop: every message on the queue is answered until the execution
/// ends (or `wait` seconds pass without one).
async fn each_message(
    clients: &AwsClients,
    engine: &Engine,
    handle: &ExecutionHandle,
    o: &Value,
    wait: u64,
) -> Result<(), String> {
    let queue = text(&o["trigger"], "queue");
    let mut idle = 0;
    while handle.status() == Status::Running && idle < wait {
        match next_message(clients, &queue, 1).await {
            Some(b) => {
                idle = 0;
                answer(engine, o, &b).await?;
            }
            None => idle += 1,
        }
    }
    Ok(())
}

/// The outside call `o` for the message `body`.
async fn answer(engine: &Engine, o: &Value, body: &str) -> Result<(), String> {
    let mut parsed: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    if text(&o["trigger"], "envelope") == "sns" || text(&o["token"], "from") == "sns-message-json" {
        parsed = parsed["Message"]
            .as_str()
            .and_then(|m| serde_json::from_str(m).ok())
            .unwrap_or(Value::Null);
    }
    let token = at(&parsed, &text(&o["token"], "path"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    call(engine, o, &token, body, &parsed).await
}

async fn call(
    engine: &Engine,
    o: &Value,
    token: &str,
    body: &str,
    parsed: &Value,
) -> Result<(), String> {
    let opt = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    let result = match text(o, "action").as_str() {
        "send_task_success" => {
            let output = match (
                text(&o["output"], "from").as_str(),
                o["output"].get("value"),
            ) {
                ("message-body", _) => {
                    serde_json::from_str(body).unwrap_or(Value::String(body.to_owned()))
                }
                // `serialise`: the member's JSON text is the output, so its value is the member.
                ("message-body-json", _) => at(parsed, &text(&o["output"], "path"))
                    .cloned()
                    .unwrap_or(Value::Null),
                (_, Some(v)) => v.clone(),
                _ => Value::Null,
            };
            engine.send_task_success(token, output).await
        }
        "send_task_failure" => {
            engine
                .send_task_failure(token, opt("error"), opt("cause"))
                .await
        }
        _ => {
            for _ in 0..o["repeat"].as_u64().unwrap_or(1) {
                engine
                    .send_task_heartbeat(token)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        }
    };
    result.map_err(|e| format!("{}: {e}", text(o, "action")))
}
