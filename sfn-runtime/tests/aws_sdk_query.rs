//! `aws-sdk:sns:*` and `aws-sdk:sts:*` (the Query protocol) against a local moto server
//! (`scripts/moto.sh` installs it from PyPI on first use): each action runs in a real workflow,
//! and its result is compared whole with the members the SDK v2 gives, built from the values
//! moto answered (the topic's ARN, the subscription's, the message ids).
//!
//! One moto server serves the file, so the scenarios run in one test, in order; a failure
//! names its scenario.
#![cfg(feature = "aws")]

#[path = "moto/mod.rs"]
mod moto;
#[path = "outcome/mod.rs"]
mod outcome;

use std::sync::Arc;

use serde_json::{json, Value};
use sfn_asl::iam::RolePolicy;
use sfn_runtime::aws::AwsClients;
use sfn_runtime::{Engine, ExecutionConfig, ExecutionResult, Resources};

use moto::{Moto, ACCOUNT};
use outcome::{failure, output};

fn engine(clients: &AwsClients, policy: Option<RolePolicy>) -> Engine {
    let mut resources = Resources::new();
    resources.set_aws(clients.clone());
    let engine = Engine::new(resources);
    match policy {
        Some(p) => engine.with_role_policy(p),
        None => engine,
    }
}

fn machine(definition: &Value) -> Arc<sfn_asl::StateMachine> {
    match sfn_asl::parse(&definition.to_string()) {
        Ok(m) => Arc::new(m),
        Err(e) => panic!("definition rejected: {e:?}"),
    }
}

async fn run(engine: &Engine, definition: &Value, input: Value) -> ExecutionResult {
    engine
        .start_sync_execution(machine(definition), input, ExecutionConfig::new("m", "run"))
        .await
}

fn sdk(action: &str) -> String {
    format!("arn:aws:states:::aws-sdk:{action}")
}

/// One Task state named `name` calling `aws-sdk:<action>`, its result at `$.<name>`.
fn step(action: &str, parameters: Value, name: &str, next: Option<&str>) -> Value {
    let mut state = json!({"Type": "Task", "Resource": sdk(action), "Parameters": parameters,
        "ResultPath": format!("$.{name}")});
    match next {
        Some(n) => state["Next"] = json!(n),
        None => state["End"] = json!(true),
    }
    state
}

/// A one-state machine calling `aws-sdk:<action>` with `parameters`.
fn task(action: &str, parameters: Value) -> Value {
    json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": sdk(action), "Parameters": parameters, "End": true}}})
}

fn check(failures: &mut Vec<String>, scenario: &str, ok: bool, detail: impl std::fmt::Display) {
    if !ok {
        failures.push(format!("{scenario}: {detail}"));
    }
}

/// `want` equals `got`, else the scenario fails showing both.
fn same(f: &mut Vec<String>, scenario: &str, got: &Value, want: &Value) {
    check(
        f,
        scenario,
        got == want,
        format!("\n  got  {got}\n  want {want}"),
    );
}

/// `Message (Service: <service>, Status Code: <status>, Request ID: <id>)` with a non-empty id.
fn sdk_cause(cause: &str, message: &str, service: &str, status: u16) -> bool {
    let head = format!("{message} (Service: {service}, Status Code: {status}, Request ID: ");
    cause
        .strip_prefix(&head)
        .and_then(|rest| rest.strip_suffix(')'))
        .is_some_and(|id| !id.is_empty())
}

/// A topic's life: every SNS action in one workflow, each result compared whole.
fn sns_lifecycle() -> Value {
    let topic = json!("$.created.TopicArn");
    let arn = |key: &str| json!({ format!("{key}.$"): topic });
    let mut states = serde_json::Map::new();
    let mut add = |name: &str, state: Value| {
        states.insert(name.to_owned(), state);
    };
    add(
        "created",
        step(
            "sns:createTopic",
            json!({"Name": "orders", "Attributes": {"DisplayName": "Orders"},
                   "Tags": [{"Key": "team", "Value": "payments"}]}),
            "created",
            Some("described"),
        ),
    );
    add(
        "described",
        step(
            "sns:getTopicAttributes",
            arn("TopicArn"),
            "described",
            Some("renamed"),
        ),
    );
    let mut rename = arn("TopicArn");
    rename["AttributeName"] = json!("DisplayName");
    rename["AttributeValue"] = json!("Renamed");
    add(
        "renamed",
        step(
            "sns:setTopicAttributes",
            rename,
            "renamed",
            Some("redescribed"),
        ),
    );
    let mut redescribed = step(
        "sns:getTopicAttributes",
        arn("TopicArn"),
        "redescribed",
        Some("tagged"),
    );
    redescribed["ResultSelector"] = json!({"DisplayName.$": "$.Attributes.DisplayName"});
    add("redescribed", redescribed);
    let mut tag = arn("ResourceArn");
    tag["Tags"] = json!([{"Key": "env", "Value": "test"}]);
    add(
        "tagged",
        step("sns:tagResource", tag, "tagged", Some("tags")),
    );
    add(
        "tags",
        step(
            "sns:listTagsForResource",
            arn("ResourceArn"),
            "tags",
            Some("topics"),
        ),
    );
    add(
        "topics",
        step("sns:listTopics", json!({}), "topics", Some("subscribed")),
    );
    let mut subscribe = arn("TopicArn");
    subscribe["Protocol"] = json!("sqs");
    subscribe["Endpoint.$"] = json!("$.queueArn");
    subscribe["Attributes"] = json!({"RawMessageDelivery": "false"});
    subscribe["ReturnSubscriptionArn"] = json!(true);
    add(
        "subscribed",
        step("sns:subscribe", subscribe, "subscribed", Some("byTopic")),
    );
    add(
        "byTopic",
        step(
            "sns:listSubscriptionsByTopic",
            arn("TopicArn"),
            "byTopic",
            Some("subscriptions"),
        ),
    );
    add(
        "subscriptions",
        step(
            "sns:listSubscriptions",
            json!({}),
            "subscriptions",
            Some("published"),
        ),
    );
    let mut publish = arn("TopicArn");
    publish["Message"] = json!({"order": 1});
    publish["MessageAttributes"] = json!({
        "kind": {"DataType": "String", "StringValue": "refund"},
        "amount": {"DataType": "Number", "StringValue": "12.5"}});
    add(
        "published",
        step("sns:publish", publish, "published", Some("received")),
    );
    let mut receive = step(
        "sqs:receiveMessage",
        json!({"QueueUrl.$": "$.queueUrl", "MaxNumberOfMessages": 1}),
        "received",
        Some("batch"),
    );
    receive["ResultSelector"] =
        json!({"Notification.$": "States.StringToJson($.Messages[0].Body)"});
    add("received", receive);
    let mut batch = arn("TopicArn");
    batch["PublishBatchRequestEntries"] = json!([
        {"Id": "a", "Message": "one"},
        {"Id": "b", "Message": "two",
         "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "batch"}}}]);
    add(
        "batch",
        step("sns:publishBatch", batch, "batch", Some("unsubscribed")),
    );
    add(
        "unsubscribed",
        step(
            "sns:unsubscribe",
            json!({"SubscriptionArn.$": "$.subscribed.SubscriptionArn"}),
            "unsubscribed",
            Some("deleted"),
        ),
    );
    add(
        "deleted",
        step("sns:deleteTopic", arn("TopicArn"), "deleted", Some("gone")),
    );
    let mut gone = step("sns:getTopicAttributes", arn("TopicArn"), "gone", None);
    gone["Catch"] = json!([{"ErrorEquals": ["Sns.NotFoundException"], "ResultPath": "$.gone",
        "Next": "done"}]);
    add("gone", gone);
    add("done", json!({"Type": "Succeed"}));
    json!({"StartAt": "created", "States": states})
}

/// The input of [`sns_lifecycle`]: a new queue `name` to subscribe.
async fn queue(clients: &AwsClients, name: &str) -> Result<Value, String> {
    let created = clients
        .sdk_call("sqs", "createQueue", json!({"QueueName": name}))
        .await
        .map_err(|e| format!("sns fixture queue {name}: {e}"))?;
    Ok(json!({"queueUrl": created["QueueUrl"],
        "queueArn": format!("arn:aws:sqs:us-east-1:{ACCOUNT}:{name}")}))
}

async fn sns(clients: &AwsClients, engine: &Engine, f: &mut Vec<String>) {
    let input = match queue(clients, "inbox").await {
        Ok(i) => i,
        Err(e) => return f.push(e),
    };
    let queue_arn = input["queueArn"].clone();
    let out = match output(&run(engine, &sns_lifecycle(), input).await) {
        Ok(v) => v,
        Err(e) => return f.push(format!("sns lifecycle: {e}")),
    };
    let topic = format!("arn:aws:sns:us-east-1:{ACCOUNT}:orders");
    same(
        f,
        "sns createTopic",
        &out["created"],
        &json!({"TopicArn": topic}),
    );
    // The attributes are a map of text (moto adds its own: Policy, Owner, ...).
    let attributes = &out["described"]["Attributes"];
    check(
        f,
        "sns getTopicAttributes",
        out["described"].as_object().map(|o| o.len()) == Some(1)
            && attributes["DisplayName"] == json!("Orders")
            && attributes["TopicArn"] == json!(topic)
            && attributes["Owner"] == json!(ACCOUNT)
            && attributes
                .as_object()
                .is_some_and(|a| a.values().all(Value::is_string)),
        &out["described"],
    );
    same(f, "sns setTopicAttributes", &out["renamed"], &json!({}));
    same(
        f,
        "sns attributes after set",
        &out["redescribed"],
        &json!({"DisplayName": "Renamed"}),
    );
    same(f, "sns tagResource", &out["tagged"], &json!({}));
    same(
        f,
        "sns listTagsForResource",
        &out["tags"],
        &json!({"Tags": [{"Key": "team", "Value": "payments"}, {"Key": "env", "Value": "test"}]}),
    );
    same(
        f,
        "sns listTopics",
        &out["topics"],
        &json!({"Topics": [{"TopicArn": topic}]}),
    );
    let subscription = out["subscribed"]["SubscriptionArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    check(
        f,
        "sns subscribe",
        subscription.starts_with(&format!("{topic}:"))
            && out["subscribed"].as_object().map(|o| o.len()) == Some(1),
        &out["subscribed"],
    );
    let listed = json!({"Subscriptions": [{"SubscriptionArn": subscription, "Owner": ACCOUNT,
        "Protocol": "sqs", "Endpoint": queue_arn, "TopicArn": topic}]});
    same(f, "sns listSubscriptionsByTopic", &out["byTopic"], &listed);
    same(f, "sns listSubscriptions", &out["subscriptions"], &listed);
    let message_id = out["published"]["MessageId"].as_str().unwrap_or_default();
    check(
        f,
        "sns publish",
        !message_id.is_empty() && out["published"].as_object().map(|o| o.len()) == Some(1),
        &out["published"],
    );
    // The queue got the notification with the attributes as sent (the map reached SNS).
    let notification = &out["received"]["Notification"];
    same(
        f,
        "sns publish reached the queue",
        &json!([
            &notification["MessageId"],
            &notification["TopicArn"],
            &notification["Message"],
            &notification["MessageAttributes"]
        ]),
        &json!([message_id, topic, "{\"order\":1}",
            {"kind": {"Type": "String", "Value": "refund"},
             "amount": {"Type": "Number", "Value": "12.5"}}]),
    );
    let ids: Vec<&str> = out["batch"]["Successful"]
        .as_array()
        .map(|s| s.iter().filter_map(|e| e["MessageId"].as_str()).collect())
        .unwrap_or_default();
    let want = json!({"Successful": [{"Id": "a", "MessageId": ids.first()},
        {"Id": "b", "MessageId": ids.get(1)}], "Failed": []});
    same(f, "sns publishBatch", &out["batch"], &want);
    check(
        f,
        "sns publishBatch ids",
        ids.len() == 2 && ids.iter().all(|i| !i.is_empty()),
        &out["batch"],
    );
    same(f, "sns unsubscribe", &out["unsubscribed"], &json!({}));
    same(f, "sns deleteTopic", &out["deleted"], &json!({}));
    let gone = &out["gone"];
    check(
        f,
        "sns not found is caught by its name",
        gone["Error"] == json!("Sns.NotFoundException")
            && sdk_cause(
                gone["Cause"].as_str().unwrap_or_default(),
                "Topic does not exist",
                "Sns",
                404,
            ),
        gone,
    );

    // The execution role's generated policy lets every call of the workflow through; without
    // `sns:CreateTopic` the first state fails as SNS refuses it.
    let definition = sns_lifecycle();
    let generated = sfn_asl::iam::policy(&machine(&definition));
    let actions = generated.to_string();
    for action in [
        "sns:CreateTopic",
        "sns:GetTopicAttributes",
        "sns:SetTopicAttributes",
        "sns:TagResource",
        "sns:ListTagsForResource",
        "sns:ListTopics",
        "sns:Subscribe",
        "sns:ListSubscriptionsByTopic",
        "sns:ListSubscriptions",
        "sns:Publish",
        "sns:Unsubscribe",
        "sns:DeleteTopic",
        "sqs:ReceiveMessage",
    ] {
        check(
            f,
            "sns generated policy",
            actions.contains(&format!("\"{action}\"")),
            format!("{action} missing from {generated}"),
        );
    }
    let policy = RolePolicy::from_value(&generated).expect("the generated policy parses");
    let input = match queue(clients, "allowed").await {
        Ok(i) => i,
        Err(e) => return f.push(e),
    };
    let allowed = run(&engine_for(clients, policy), &definition, input.clone()).await;
    check(
        f,
        "sns workflow under its generated policy",
        output(&allowed).is_ok(),
        format!("{:?}", output(&allowed)),
    );
    let mut narrowed = generated.clone();
    if let Some(statements) = narrowed["Statement"].as_array_mut() {
        statements.retain(|st| !st["Action"].to_string().contains("sns:CreateTopic"));
    }
    let narrowed = RolePolicy::from_value(&narrowed).expect("valid");
    let (error, cause) = failure(&run(&engine_for(clients, narrowed), &definition, input).await);
    check(
        f,
        "sns refused by the role",
        error == "Sns.AuthorizationErrorException"
            && cause.contains(&format!(
                "is not authorized to perform: SNS:CreateTopic on resource: {topic} because"
            ))
            && cause.contains("(Service: Sns, Status Code: 403, Request ID: "),
        format!("{error}: {cause}"),
    );
}

fn engine_for(clients: &AwsClients, policy: RolePolicy) -> Engine {
    engine(clients, Some(policy))
}

async fn sns_errors(engine: &Engine, f: &mut Vec<String>) {
    let missing = format!("arn:aws:sns:us-east-1:{ACCOUNT}:missing");
    let (error, cause) = failure(
        &run(
            engine,
            &task("sns:publish", json!({"TopicArn": missing, "Message": "m"})),
            json!({}),
        )
        .await,
    );
    check(
        f,
        "sns publish to a missing topic",
        // moto's message for a missing topic of `Publish` differs from its other actions'.
        error == "Sns.NotFoundException"
            && sdk_cause(&cause, "Endpoint does not exist", "Sns", 404),
        format!("{error}: {cause}"),
    );
    let (error, cause) = failure(
        &run(
            engine,
            &task("sns:listTagsForResource", json!({"ResourceArn": missing})),
            json!({}),
        )
        .await,
    );
    check(
        f,
        "sns tags of a missing topic",
        error == "Sns.ResourceNotFoundException"
            && sdk_cause(&cause, "Resource does not exist", "Sns", 404),
        format!("{error}: {cause}"),
    );
    let (error, cause) = failure(
        &run(
            engine,
            &task("sns:createPlatformApplication", json!({"Name": "a"})),
            json!({}),
        )
        .await,
    );
    check(
        f,
        "sns unsupported action",
        error == "States.Runtime"
            && cause.contains("'sns:createPlatformApplication'")
            && cause.contains("createTopic, deleteTopic"),
        format!("{error}: {cause}"),
    );
    let (error, cause) = failure(
        &run(
            engine,
            &task("sns:createTopic", json!({"Name": "t", "DisplayName": "T"})),
            json!({}),
        )
        .await,
    );
    same(
        f,
        "sns unknown parameter",
        &json!([error, cause]),
        &json!(["States.Runtime", "sns:createTopic has no parameter 'DisplayName'; it takes Name, Attributes, Tags, DataProtectionPolicy"]),
    );
    let (error, cause) = failure(
        &run(
            engine,
            &task(
                "sns:createTopic",
                json!({"Name": "t", "Tags": {"team": "a"}}),
            ),
            json!({}),
        )
        .await,
    );
    check(
        f,
        "sns list given an object",
        error == "States.Runtime"
            && cause.starts_with("the parameter 'Tags' of sns:createTopic must be a list"),
        format!("{error}: {cause}"),
    );
}

async fn sts(engine: &Engine, f: &mut Vec<String>) {
    let definition = json!({"StartAt": "who", "States": {
        "who": step("sts:getCallerIdentity", json!({}), "who", Some("assumed")),
        "assumed": step("sts:assumeRole", json!({
            "RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/worker"),
            "RoleSessionName": "nightly", "DurationSeconds": 900,
            "PolicyArns": [{"Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
            "Tags": [{"Key": "team", "Value": "payments"}]}), "assumed", Some("session")),
        "session": step("sts:getSessionToken", json!({"DurationSeconds": 900}), "session", None)}});
    let out = match output(&run(engine, &definition, json!({})).await) {
        Ok(v) => v,
        Err(e) => return f.push(format!("sts: {e}")),
    };
    same(
        f,
        "sts getCallerIdentity",
        &out["who"],
        &json!({"UserId": "AKIAIOSFODNN7EXAMPLE", "Account": ACCOUNT,
                "Arn": format!("arn:aws:sts::{ACCOUNT}:user/moto")}),
    );
    // The keys and the session token are moto's; the rest is compared whole.
    for (name, result) in [
        ("assumeRole", &out["assumed"]),
        ("getSessionToken", &out["session"]),
    ] {
        let credentials = &result["Credentials"];
        let expiration = credentials["Expiration"].as_str().unwrap_or_default();
        check(
            f,
            &format!("sts {name} credential members"),
            credentials
                .as_object()
                .map(|c| c.keys().cloned().collect::<Vec<_>>())
                == Some(
                    [
                        "AccessKeyId",
                        "SecretAccessKey",
                        "SessionToken",
                        "Expiration",
                    ]
                    .map(String::from)
                    .to_vec(),
                )
                && ["AccessKeyId", "SecretAccessKey", "SessionToken"]
                    .iter()
                    .all(|k| credentials[k].as_str().is_some_and(|s| !s.is_empty())),
            credentials,
        );
        // An instant as Java prints it: seconds, then milliseconds only when not zero.
        let instant = chrono::DateTime::parse_from_rfc3339(expiration).ok();
        let printed = instant.map(|t| {
            let t = t.with_timezone(&chrono::Utc);
            match t.timestamp_subsec_millis() {
                0 => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                _ => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            }
        });
        check(
            f,
            &format!("sts {name} expiration"),
            printed.as_deref() == Some(expiration),
            expiration,
        );
    }
    let mut assumed = out["assumed"].clone();
    if let Some(c) = assumed.get_mut("Credentials") {
        *c = json!("checked above");
    }
    same(
        f,
        "sts assumeRole",
        &assumed,
        &json!({"Credentials": "checked above",
            "AssumedRoleUser": {
                "AssumedRoleId": assumed["AssumedRoleUser"]["AssumedRoleId"],
                "Arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/worker/nightly")},
            "PackedPolicySize": 6}),
    );
    check(
        f,
        "sts assumeRole role id",
        assumed["AssumedRoleUser"]["AssumedRoleId"]
            .as_str()
            .is_some_and(|id| id.starts_with("AROA") && id.ends_with(":nightly")),
        &assumed,
    );
    check(
        f,
        "sts getSessionToken members",
        out["session"].as_object().map(|o| o.len()) == Some(1),
        &out["session"],
    );
    let long = "x".repeat(70);
    let (error, cause) = failure(
        &run(
            engine,
            &task(
                "sts:assumeRole",
                json!({"RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/worker"), "RoleSessionName": long}),
            ),
            json!({}),
        )
        .await,
    );
    check(
        f,
        "sts validation error",
        error == "Sts.StsException"
            && cause.starts_with(&format!(
                "1 validation error detected: Value '{long}' at 'roleSessionName'"
            ))
            && cause.contains("(Service: Sts, Status Code: 400, Request ID: "),
        format!("{error}: {cause}"),
    );
    let (error, cause) = failure(
        &run(
            engine,
            &task("sts:getSessionToken", json!({"DurationSeconds": "soon"})),
            json!({}),
        )
        .await,
    );
    same(
        f,
        "sts integer given text",
        &json!([error, cause]),
        &json!(["States.Runtime", "the parameter 'DurationSeconds' of sts:getSessionToken must be an integer, not \"soon\""]),
    );
}

#[test]
fn query_protocol_sdk_integrations_against_moto() {
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
        let clients = AwsClients::from_config(moto::sdk_config(&moto.endpoint));
        let engine = engine(&clients, None);
        let mut f = Vec::new();
        sns(&clients, &engine, &mut f).await;
        sns_errors(&engine, &mut f).await;
        sts(&engine, &mut f).await;
        f
    });
    assert!(
        failures.is_empty(),
        "{} scenario checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
