//! The execution role's policies, enforced before each Task's call
//! (`Engine::with_role_policy`): the generated policy lets a machine's calls through, a
//! narrower one fails the state with AWS's error, whoever would have answered the call.

use std::sync::Arc;

use serde_json::{json, Value};
use sfn_asl::iam::RolePolicy;
use sfn_runtime::history::EventType;
use sfn_runtime::{Engine, ExecutionConfig, ExecutionResult, Resources, Status};

const CHILD: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:child";
const FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:charge";

/// Calls a function, a table, a queue and a child machine.
fn definition() -> Value {
    json!({"StartAt": "Charge", "States": {
        "Charge": {"Type": "Task", "Resource": FUNCTION, "ResultPath": null, "Next": "Save"},
        "Save": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "orders", "Item": {"id": {"S.$": "$.id"}}},
            "ResultPath": null, "Next": "Notify"},
        "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
                "MessageBody.$": "$.id"},
            "ResultPath": null, "Next": "Ship"},
        "Ship": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {"StateMachineArn": CHILD, "Input.$": "$"}, "OutputPath": "$.Output", "End": true}
    }})
}

fn parse(v: &Value) -> Arc<sfn_asl::StateMachine> {
    match sfn_asl::parse(&v.to_string()) {
        Ok(m) => Arc::new(m),
        Err(e) => panic!("{v}: {e:?}"),
    }
}

/// Handlers answer the function, the table and the queue; the child runs on the engine.
fn resources() -> Resources {
    let mut r = Resources::new();
    r.register(FUNCTION, |req| async move { Ok(req.input) });
    r.register("arn:aws:states:::dynamodb:putItem", |_| async {
        Ok(json!({}))
    });
    r.register("arn:aws:states:::sqs:sendMessage", |_| async {
        Ok(json!({"MessageId": "m"}))
    });
    r
}

fn engine(policy: Option<RolePolicy>) -> Engine {
    let mut engine = Engine::new(resources()).with_start_time(1_700_000_000_000);
    if let Some(p) = policy {
        engine = engine.with_role_policy(p);
    }
    engine.register_state_machine(
        CHILD,
        parse(&json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "shipped", "End": true}}})),
    );
    engine
}

async fn run(engine: &Engine) -> ExecutionResult {
    engine
        .start_sync_execution(
            parse(&definition()),
            json!({"id": "o-1"}),
            ExecutionConfig::new("orders", "run"),
        )
        .await
}

fn generated() -> Value {
    sfn_asl::iam::policy(&parse(&definition()))
}

/// The generated policy without the statements that grant `action`.
fn without(action: &str) -> RolePolicy {
    let mut p = generated();
    let statements = p["Statement"].as_array_mut().expect("statements");
    let before = statements.len();
    statements.retain(|st| !st["Action"].to_string().contains(action));
    assert!(statements.len() < before, "no statement grants {action}");
    RolePolicy::from_value(&p).expect("valid")
}

fn failure(result: &ExecutionResult) -> (String, String) {
    assert_eq!(
        result.outcome.status,
        Status::Failed,
        "{:?}",
        result.outcome
    );
    (
        result.outcome.error.clone().unwrap_or_default(),
        result.outcome.cause.clone().unwrap_or_default(),
    )
}

/// The state whose task failed, from the history.
fn failed_state(result: &ExecutionResult) -> String {
    let mut last_entered = String::new();
    for e in &result.history {
        if e.event_type == EventType::TaskStateEntered {
            last_entered = e.details["name"].as_str().unwrap_or_default().to_owned();
        }
    }
    last_entered
}

#[tokio::test(start_paused = true)]
async fn the_generated_policy_lets_every_call_through() {
    let policy = RolePolicy::from_value(&generated()).expect("the generated policy parses");
    let result = run(&engine(Some(policy))).await;
    assert_eq!(
        result.outcome.status,
        Status::Succeeded,
        "{:?}",
        result.outcome
    );
    assert_eq!(result.outcome.output, Some(json!("shipped")));
}

#[tokio::test(start_paused = true)]
async fn without_a_policy_nothing_is_checked() {
    let result = run(&engine(None)).await;
    assert_eq!(
        result.outcome.status,
        Status::Succeeded,
        "{:?}",
        result.outcome
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_the_policy_does_not_allow_fails_its_state_as_aws_reports_it() {
    let cases = [
        ("lambda:InvokeFunction", "Charge", "Lambda.AWSLambdaException",
         "is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:charge because no identity-based policy allows the lambda:InvokeFunction action (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: "),
        ("dynamodb:PutItem", "Save", "DynamoDB.AmazonDynamoDBException",
         "is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/orders because no identity-based policy allows the dynamodb:PutItem action (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: AccessDeniedException; Request ID: "),
        ("sqs:SendMessage", "Notify", "SQS.AmazonSQSException",
         "is not authorized to perform: sqs:sendmessage on resource: arn:aws:sqs:us-east-1:123456789012:orders because no identity-based policy allows the sqs:sendmessage action (Service: AmazonSQS; Status Code: 403; Error Code: AccessDenied; Request ID: "),
        ("states:StartExecution", "Ship", "StepFunctions.AWSStepFunctionsException",
         "is not authorized to perform: states:StartExecution on resource: arn:aws:states:us-east-1:123456789012:stateMachine:child because no identity-based policy allows the states:StartExecution action (Service: AWSStepFunctions; Status Code: 400; Error Code: AccessDeniedException; Request ID: "),
    ];
    for (action, state, error, cause) in cases {
        let result = run(&engine(Some(without(action)))).await;
        let (got_error, got_cause) = failure(&result);
        assert_eq!(got_error, error, "{action}");
        assert!(
            got_cause.starts_with("User: arn:aws:sts::123456789012:assumed-role/orders-role/"),
            "{action}: {got_cause}"
        );
        assert!(got_cause.contains(cause), "{action}: {got_cause}");
        assert_eq!(failed_state(&result), state, "{action}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_refused_call_is_never_made_and_a_catcher_sees_it() {
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut r = Resources::new();
    let seen = calls.clone();
    r.register("arn:aws:states:::dynamodb:putItem", move |_| {
        seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async { Ok(json!({})) }
    });
    let policy = RolePolicy::parse(r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "dynamodb:PutItem", "Resource": "arn:aws:dynamodb:*:*:table/orders"}]}"#)
    .expect("valid");
    let engine = Engine::new(r).with_role_policy(policy);
    let machine = parse(&json!({"StartAt": "Save", "States": {
        "Save": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "orders", "Item": {}},
            "Catch": [{"ErrorEquals": ["DynamoDB.AmazonDynamoDBException"], "ResultPath": "$.error", "Next": "Denied"}],
            "End": true},
        "Denied": {"Type": "Pass", "End": true}}}));
    let result = engine
        .start_sync_execution(machine, json!({}), ExecutionConfig::new("m", "run"))
        .await;
    assert_eq!(
        result.outcome.status,
        Status::Succeeded,
        "{:?}",
        result.outcome
    );
    let cause = result
        .outcome
        .output
        .as_ref()
        .map(|o| o["error"]["Cause"].to_string())
        .unwrap_or_default();
    assert!(
        cause.contains("with an explicit deny in an identity-based policy"),
        "{cause}"
    );
    assert_eq!(
        calls.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the handler ran"
    );
}

#[tokio::test(start_paused = true)]
async fn the_same_refusal_on_every_run() {
    let a = run(&engine(Some(without("dynamodb:PutItem")))).await;
    let b = run(&engine(Some(without("dynamodb:PutItem")))).await;
    assert_eq!(failure(&a), failure(&b));
    assert_eq!(a.history, b.history);
}

#[tokio::test(start_paused = true)]
async fn activities_ask_the_role_nothing() {
    let policy = RolePolicy::parse(r#"{"Version": "2012-10-17", "Statement": []}"#).expect("valid");
    let mut r = Resources::new();
    r.register(
        "arn:aws:states:us-east-1:123456789012:activity:approve",
        |_| async { Ok(json!("ok")) },
    );
    let engine = Engine::new(r).with_role_policy(policy);
    let machine = parse(&json!({"StartAt": "A", "States": {"A": {"Type": "Task",
        "Resource": "arn:aws:states:us-east-1:123456789012:activity:approve", "End": true}}}));
    let result = engine
        .start_sync_execution(machine, json!({}), ExecutionConfig::new("m", "run"))
        .await;
    assert_eq!(
        result.outcome.status,
        Status::Succeeded,
        "{:?}",
        result.outcome
    );
}

#[tokio::test(start_paused = true)]
async fn a_refused_callback_task_fails_instead_of_waiting_for_its_token() {
    let mut r = Resources::new();
    r.await_unanswered_callbacks();
    let engine = Engine::new(r).with_role_policy(without("sqs:SendMessage"));
    let machine = parse(&json!({"StartAt": "Ask", "States": {"Ask": {"Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
            "MessageBody": {"token.$": "$$.Task.Token"}},
        "End": true}}}));
    let result = engine
        .start_sync_execution(machine, json!({}), ExecutionConfig::new("orders", "run"))
        .await;
    let (error, cause) = failure(&result);
    assert_eq!(error, "SQS.AmazonSQSException");
    assert!(cause.contains("sqs:sendmessage"), "{cause}");
    let types: Vec<EventType> = result.history.iter().map(|e| e.event_type).collect();
    assert!(!types.contains(&EventType::TaskSubmitted), "{types:?}");
}

#[tokio::test(start_paused = true)]
async fn express_executions_are_checked_too() {
    let engine = engine(Some(without("dynamodb:PutItem")));
    let mut save =
        json!({"StartAt": "Save", "States": {"Save": definition()["States"]["Save"].clone()}});
    save["States"]["Save"]["End"] = json!(true);
    save["States"]["Save"]
        .as_object_mut()
        .expect("state")
        .remove("Next");
    let result = sfn_runtime::engine::express::start_sync_execution(
        &engine,
        parse(&save),
        json!({"id": "o-1"}),
        sfn_runtime::engine::express::config("orders", "run"),
    )
    .await
    .expect("an Express definition");
    assert_eq!(failure(&result).0, "DynamoDB.AmazonDynamoDBException");
}
