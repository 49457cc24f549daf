//! The execution role: with [`Engine::with_role_policy`](crate::Engine::with_role_policy), every
//! call a Task state makes (a Lambda function, an optimized or `aws-sdk:` integration, a nested
//! execution, whoever answers it: AWS, a handler or a mock) is first put to the role's
//! policies, and a call they do not allow fails the state as AWS reports a missing permission
//! (for the HTTP Task, `States.Http.AccessDenied` or `Events.ConnectionResource.AccessDenied`).
//! Off unless a policy is given.
//!
//! What each call asks is [`sfn_asl::iam::request`]; how the policies answer is
//! [`sfn_asl::iam::eval`] (which decides against the caller whatever it cannot decide). The
//! request context holds `aws:RequestedRegion`, `aws:PrincipalArn`, `aws:PrincipalAccount`,
//! `aws:PrincipalType` (`AssumedRole`), `aws:SecureTransport` (`true`), `aws:ViaAWSService`
//! (`false`), `aws:ResourceAccount` (when the resource is an ARN) and the keys of the call
//! itself (`states:HTTPMethod`, `states:HTTPEndpoint`); a role session carries no
//! `aws:username`, `aws:MultiFactorAuthPresent`, `aws:MultiFactorAuthAge`, `aws:SourceIdentity`
//! or `aws:CalledVia*`. Any other key is unknown.
//!
//! A task with `Credentials` makes its call as the role it names, whose policies are not
//! given: only `sts:AssumeRole` on that role is asked of the execution role.
//!
//! Not checked: the object reads and writes of a distributed Map (`ItemReader`,
//! `ResultWriter`) and the child executions it starts, and activities (the worker calls
//! `GetActivityTask` with its own credentials).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use std::sync::Arc;
//! use sfn_runtime::{Engine, ExecutionConfig, Resources};
//! use sfn_asl::iam::RolePolicy;
//! let machine = sfn_asl::parse(r#"{"StartAt":"Put","States":{"Put":{"Type":"Task",
//!   "Resource":"arn:aws:states:::dynamodb:putItem",
//!   "Parameters":{"TableName":"orders","Item":{}},"End":true}}}"#).unwrap();
//! let mut resources = Resources::new();
//! resources.register("arn:aws:states:::dynamodb:putItem", |_| async { Ok(serde_json::json!({})) });
//! let policy = RolePolicy::parse(r#"{"Version":"2012-10-17","Statement":[
//!   {"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*"}]}"#).unwrap();
//! let engine = Engine::new(resources).with_role_policy(policy);
//! let result = engine.start_sync_execution(Arc::new(machine), serde_json::json!({}),
//!     ExecutionConfig::new("m", "run")).await;
//! assert_eq!(result.outcome.error.as_deref(), Some("DynamoDB.AmazonDynamoDBException"));
//! assert!(result.outcome.cause.unwrap().contains("is not authorized to perform: dynamodb:PutItem"));
//! # }
//! ```

use serde_json::Value;
use sfn_asl::iam::{authorizations, Authorization, Caller, Context, Decision, RolePolicy};
use sfn_asl::resource::{Arn, Resource, Service, Target};

use crate::execution::ExecutionConfig;
use crate::resources::TaskError;

/// The execution's partition, region and account, read from its state machine's ARN.
fn caller(config: &ExecutionConfig) -> Caller<'_> {
    let arn = &config.state_machine_arn;
    let mut parts = arn.split(':');
    let partition = parts.nth(1).filter(|p| !p.is_empty()).unwrap_or("aws");
    let account = arn
        .split(':')
        .nth(4)
        .filter(|a| !a.is_empty())
        .unwrap_or("123456789012");
    Caller {
        partition,
        region: &config.region,
        account,
        state_machine_arn: arn,
    }
}

/// What the engine can say about condition keys before any call: the keys every call carries
/// or never carries, and those a call may set (`aws:ResourceAccount`, `states:HTTPMethod`,
/// `states:HTTPEndpoint`) marked known. [`RolePolicy::undecidable`] against it lists what a
/// policy asks that the engine will decide against the caller.
pub fn known_context(config: &ExecutionConfig) -> Context {
    let caller = caller(config);
    let mut c = session(config, &caller);
    for key in [
        "aws:ResourceAccount",
        "states:HTTPMethod",
        "states:HTTPEndpoint",
    ] {
        c.absent(key);
    }
    c
}

/// The keys of the role session, the same for every call.
fn session(config: &ExecutionConfig, caller: &Caller<'_>) -> Context {
    let mut c = Context::new();
    c.set("aws:RequestedRegion", caller.region)
        .set("aws:PrincipalArn", config.role_arn.clone())
        .set("aws:PrincipalAccount", caller.account)
        .set("aws:PrincipalType", "AssumedRole")
        .set("aws:SecureTransport", "true")
        .set("aws:ViaAWSService", "false");
    for key in [
        "aws:username",
        "aws:MultiFactorAuthPresent",
        "aws:MultiFactorAuthAge",
        "aws:SourceIdentity",
        "aws:CalledVia",
        "aws:CalledViaFirst",
        "aws:CalledViaLast",
    ] {
        c.absent(key);
    }
    c
}

fn context(config: &ExecutionConfig, caller: &Caller<'_>, call: &Authorization) -> Context {
    let mut c = session(config, caller);
    if let Some(arn) = Arn::parse(&call.resource).filter(|a| !a.account.is_empty()) {
        c.set("aws:ResourceAccount", arn.account);
    }
    for (k, v) in &call.context {
        c.set(k, v.clone());
    }
    c
}

/// Whether `policy` lets the execution make the calls of the Task `resource` with the effective
/// parameters `input`: `Err` with AWS's error for the first call it does not allow.
pub(crate) fn authorize(
    policy: &RolePolicy,
    config: &ExecutionConfig,
    resource: &Resource,
    input: &Value,
    credentials: Option<&Value>,
    state_name: &str,
) -> Result<(), TaskError> {
    let caller = caller(config);
    for call in authorizations(resource, input, credentials, &caller) {
        let evaluation = policy.evaluate(
            &call.action,
            &call.resource,
            &context(config, &caller, &call),
        );
        if !evaluation.undecided.is_empty() {
            tracing::warn!(
                state = state_name,
                action = %call.action,
                undecided = ?evaluation.undecided,
                "the role policy was decided against the call where it could not be evaluated"
            );
        }
        let explicit = match evaluation.decision {
            Decision::Allow => continue,
            Decision::ImplicitDeny => false,
            Decision::ExplicitDeny => true,
        };
        let assuming = credentials.is_some();
        return Err(denied(
            config,
            resource,
            &call,
            (explicit, assuming),
            state_name,
        ));
    }
    Ok(())
}

/// How the service names a refusal: its status, error code and the SDK's exception.
struct Refusal {
    status: u16,
    code: &'static str,
    /// Optimized integrations: the error prefix, the Java SDK v1 service name and the
    /// exception it raises for this code.
    optimized: (String, String, String),
    /// `aws-sdk:` integrations: the SDK v2 client name and exception.
    sdk: (String, String),
}

/// Per IAM prefix, as each service answers a request its caller may not make (these tables
/// hold only the refusal, so they are kept here rather than with the `aws` feature's service
/// table: the check runs without that feature, for handlers and nested executions too).
fn refusal(prefix: &str, sdk_service: Option<&str>) -> Refusal {
    let v1 = |p: &str, service: &str, exception: &str| {
        (p.to_owned(), service.to_owned(), exception.to_owned())
    };
    let (status, code, optimized) = match prefix {
        "lambda" => (
            403,
            "AccessDeniedException",
            v1("Lambda", "AWSLambda", "AWSLambdaException"),
        ),
        "dynamodb" => (
            400,
            "AccessDeniedException",
            v1("DynamoDB", "AmazonDynamoDBv2", "AmazonDynamoDBException"),
        ),
        // SQS answers with its Query-protocol code, which the SDK v1 quotes.
        "sqs" => (
            403,
            "AccessDenied",
            v1("SQS", "AmazonSQS", "AmazonSQSException"),
        ),
        // SNS models the refusal: `AuthorizationErrorException`.
        "sns" => (
            403,
            "AuthorizationError",
            v1("SNS", "AmazonSNS", "AuthorizationErrorException"),
        ),
        "events" => (
            400,
            "AccessDeniedException",
            v1(
                "EventBridge",
                "AmazonEventBridge",
                "AmazonEventBridgeException",
            ),
        ),
        "states" => (
            400,
            "AccessDeniedException",
            v1(
                "StepFunctions",
                "AWSStepFunctions",
                "AWSStepFunctionsException",
            ),
        ),
        "s3" => (
            403,
            "AccessDenied",
            v1("S3", "Amazon S3", "AmazonS3Exception"),
        ),
        "secretsmanager" => (
            400,
            "AccessDeniedException",
            v1(
                "SecretsManager",
                "AWSSecretsManager",
                "AWSSecretsManagerException",
            ),
        ),
        "sts" => (
            403,
            "AccessDenied",
            v1(
                "STS",
                "AWSSecurityTokenService",
                "AWSSecurityTokenServiceException",
            ),
        ),
        other => {
            let name = upper_first(other);
            (
                400,
                "AccessDeniedException",
                v1(
                    &name,
                    &format!("Amazon{name}"),
                    &format!("Amazon{name}Exception"),
                ),
            )
        }
    };
    let client = match sdk_service.unwrap_or(prefix) {
        "dynamodb" => "DynamoDb".to_owned(),
        "sfn" | "states" => "Sfn".to_owned(),
        "secretsmanager" => "SecretsManager".to_owned(),
        "eventbridge" | "events" => "EventBridge".to_owned(),
        other => upper_first(other),
    };
    let exception = if prefix == "sns" {
        "AuthorizationErrorException".to_owned()
    } else {
        format!("{client}Exception")
    };
    Refusal {
        status,
        code,
        optimized,
        sdk: (client, exception),
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// The failure AWS reports for `call`, refused to the execution's role; `explicit` when a
/// statement denies it, `assuming` when the call is the `AssumeRole` of the Task's
/// `Credentials`.
fn denied(
    config: &ExecutionConfig,
    resource: &Resource,
    call: &Authorization,
    (explicit, assuming): (bool, bool),
    state_name: &str,
) -> TaskError {
    let prefix = call.action.split(':').next().unwrap_or_default();
    let sdk_service = match resource.target() {
        Target::Integration(i) => match &i.service {
            Service::AwsSdk(s) => Some(s.as_str()),
            _ => None,
        },
        _ => None,
    };
    let refusal = refusal(prefix, sdk_service);
    // Services spell the action in their own way in this message.
    let action = match prefix {
        "sqs" => call.action.to_ascii_lowercase(),
        "sns" => format!("SNS:{}", call.action.split_once(':').map_or("", |(_, a)| a)),
        _ => call.action.clone(),
    };
    let on = if prefix == "s3" {
        format!("\"{}\"", call.resource)
    } else {
        call.resource.clone()
    };
    let why = if explicit {
        "with an explicit deny in an identity-based policy".to_owned()
    } else {
        format!("because no identity-based policy allows the {action} action")
    };
    let message = format!(
        "User: {} is not authorized to perform: {action} on resource: {on} {why}",
        session_arn(config)
    );
    let request_id = request_id(&config.execution_arn, state_name);
    let (status, code) = (refusal.status, refusal.code);
    if assuming && call.action == "sts:AssumeRole" {
        // The role named in `Credentials` could not be assumed: the task fails as the `aws`
        // feature reports a refused AssumeRole (`aws/credentials.rs`).
        return TaskError::new(
            "States.TaskFailed",
            format!(
                "The role {} named in Credentials could not be assumed: Sts.StsException: \
                 {message} (Service: Sts, Status Code: {status}, Request ID: {request_id})",
                call.resource
            ),
        );
    }
    if resource.is_call(&Service::Http, "invoke") {
        return http_denied(call, message);
    }
    match sdk_service {
        Some(_) => {
            let (client, exception) = refusal.sdk;
            TaskError::new(
                format!("{client}.{exception}"),
                format!("{message} (Service: {client}, Status Code: {status}, Request ID: {request_id})"),
            )
        }
        None => {
            let (error_prefix, service, exception) = refusal.optimized;
            TaskError::new(
                format!("{error_prefix}.{exception}"),
                format!("{message} (Service: {service}; Status Code: {status}; Error Code: {code}; Request ID: {request_id}; Proxy: null)"),
            )
        }
    }
}

/// The HTTP Task names its refusals itself: the endpoint call (`states:InvokeHTTPEndpoint`,
/// whose method and endpoint conditions are the usual reason) fails with
/// `States.Http.AccessDenied`; reading the connection's credentials (EventBridge, Secrets
/// Manager) with `Events.ConnectionResource.AccessDenied`, as "Call HTTPS APIs" lists it.
fn http_denied(call: &Authorization, message: String) -> TaskError {
    if call.action == "states:InvokeHTTPEndpoint" {
        let value = |key: &str| {
            call.context
                .iter()
                .find(|(k, _)| k == key)
                .map_or("", |(_, v)| v.as_str())
        };
        return TaskError::new(
            "States.Http.AccessDenied",
            format!(
                "{message} (method {}, endpoint {}): the execution role needs                  states:InvokeHTTPEndpoint on the state machine under conditions its                  states:HTTPMethod and states:HTTPEndpoint match",
                value("states:HTTPMethod"),
                value("states:HTTPEndpoint")
            ),
        );
    }
    TaskError::new("Events.ConnectionResource.AccessDenied", message)
}

/// `arn:aws:sts::<account>:assumed-role/<role name>/<session>`: Step Functions assumes the role
/// under a session name of 32 letters, here drawn from the execution's ARN (deterministic).
fn session_arn(config: &ExecutionConfig) -> String {
    let role = config.role_arn.rsplit('/').next().unwrap_or_default();
    let partition = config.role_arn.split(':').nth(1).unwrap_or("aws");
    let account = config.role_arn.split(':').nth(4).unwrap_or_default();
    let mut h = fnv1a(config.execution_arn.as_bytes());
    let session: String = (0..32)
        .map(|_| {
            h = h
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = (h >> 33) % 52;
            let n = u8::try_from(n).unwrap_or(0);
            char::from(if n < 26 { b'A' + n } else { b'a' + n - 26 })
        })
        .collect();
    format!("arn:{partition}:sts::{account}:assumed-role/{role}/{session}")
}

/// A UUID-shaped request id, the same for the same execution and state.
fn request_id(execution_arn: &str, state_name: &str) -> String {
    let a = fnv1a(execution_arn.as_bytes());
    let b = fnv1a(state_name.as_bytes()) ^ a.rotate_left(17);
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refuse(resource: &str, input: Value, policy: &str) -> TaskError {
        let policy = RolePolicy::parse(policy).expect("valid");
        let config = ExecutionConfig::new("m", "run");
        match authorize(
            &policy,
            &config,
            &Resource::parse(resource),
            &input,
            None,
            "S",
        ) {
            Err(e) => e,
            Ok(()) => panic!("{resource} allowed"),
        }
    }

    const NOTHING: &str = r#"{"Version":"2012-10-17","Statement":[]}"#;

    #[test]
    fn refusals_are_named_as_each_service_names_them() {
        let e = refuse(
            "arn:aws:states:::dynamodb:putItem",
            json!({"TableName": "t"}),
            NOTHING,
        );
        assert_eq!(e.error, "DynamoDB.AmazonDynamoDBException");
        let cause = e.cause.unwrap_or_default();
        assert!(
            cause.starts_with("User: arn:aws:sts::123456789012:assumed-role/m-role/"),
            "{cause}"
        );
        assert!(cause.contains(" is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/t because no identity-based policy allows the dynamodb:PutItem action (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: AccessDeniedException; Request ID: "), "{cause}");
        assert!(cause.ends_with("; Proxy: null)"), "{cause}");

        let e = refuse(
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            json!({}),
            NOTHING,
        );
        assert_eq!(e.error, "Lambda.AWSLambdaException");
        assert!(e
            .cause
            .unwrap_or_default()
            .contains("(Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException;"));

        let e = refuse(
            "arn:aws:states:::sqs:sendMessage",
            json!({"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/q"}),
            NOTHING,
        );
        assert_eq!(e.error, "SQS.AmazonSQSException");
        assert!(e.cause.unwrap_or_default().contains("perform: sqs:sendmessage on resource: arn:aws:sqs:us-east-1:1:q because no identity-based policy allows the sqs:sendmessage action (Service: AmazonSQS; Status Code: 403; Error Code: AccessDenied;"));

        let e = refuse(
            "arn:aws:states:::sns:publish",
            json!({"TopicArn": "arn:aws:sns:us-east-1:1:t"}),
            NOTHING,
        );
        assert_eq!(e.error, "SNS.AuthorizationErrorException");
        assert!(e
            .cause
            .unwrap_or_default()
            .contains("perform: SNS:Publish on resource: arn:aws:sns:us-east-1:1:t"));

        let e = refuse(
            "arn:aws:states:::aws-sdk:dynamodb:getItem",
            json!({"TableName": "t"}),
            NOTHING,
        );
        assert_eq!(e.error, "DynamoDb.DynamoDbException");
        assert!(e
            .cause
            .unwrap_or_default()
            .contains("(Service: DynamoDb, Status Code: 400, Request ID: "));

        // The Query-protocol services: SNS models the refusal, STS does not.
        let e = refuse(
            "arn:aws:states:::aws-sdk:sns:createTopic",
            json!({"Name": "orders"}),
            NOTHING,
        );
        assert_eq!(e.error, "Sns.AuthorizationErrorException");
        assert!(e.cause.unwrap_or_default().contains(
            "perform: SNS:CreateTopic on resource: arn:aws:sns:us-east-1:123456789012:orders \
             because no identity-based policy allows the SNS:CreateTopic action (Service: Sns, \
             Status Code: 403, Request ID: "
        ));
        // `aws-sdk:sts:assumeRole` is a call of its own, not a Task's `Credentials`.
        let e = refuse(
            "arn:aws:states:::aws-sdk:sts:assumeRole",
            json!({"RoleArn": "arn:aws:iam::1:role/r", "RoleSessionName": "s"}),
            NOTHING,
        );
        assert_eq!(e.error, "Sts.StsException");
        assert!(e.cause.unwrap_or_default().contains(
            "perform: sts:AssumeRole on resource: arn:aws:iam::1:role/r because no \
             identity-based policy allows the sts:AssumeRole action (Service: Sts, Status Code: \
             403, Request ID: "
        ));

        let e = refuse(
            "arn:aws:states:::states:startExecution.sync",
            json!({"StateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:c"}),
            NOTHING,
        );
        assert_eq!(e.error, "StepFunctions.AWSStepFunctionsException");
    }

    #[test]
    fn a_role_the_execution_role_may_not_assume_fails_the_task() {
        let policy = RolePolicy::parse(NOTHING).expect("valid");
        let config = ExecutionConfig::new("m", "run");
        let credentials = json!({"RoleArn": "arn:aws:iam::1:role/other"});
        let resource = Resource::parse("arn:aws:states:::dynamodb:getItem");
        let e = authorize(
            &policy,
            &config,
            &resource,
            &json!({"TableName": "t"}),
            Some(&credentials),
            "S",
        )
        .err()
        .unwrap_or_else(|| TaskError::new("allowed", ""));
        assert_eq!(e.error, "States.TaskFailed");
        let cause = e.cause.unwrap_or_default();
        assert!(cause.starts_with("The role arn:aws:iam::1:role/other named in Credentials could not be assumed: Sts.StsException: User: arn:aws:sts::123456789012:assumed-role/m-role/"), "{cause}");
        assert!(cause.contains("is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/other because no identity-based policy allows the sts:AssumeRole action (Service: Sts, Status Code: 403, Request ID: "), "{cause}");
    }

    #[test]
    fn who_the_caller_is_needs_no_permission() {
        let policy = RolePolicy::parse(NOTHING).expect("valid");
        let resource = Resource::parse("arn:aws:states:::aws-sdk:sts:getCallerIdentity");
        let config = ExecutionConfig::new("m", "run");
        assert!(authorize(&policy, &config, &resource, &json!({}), None, "S").is_ok());
    }

    #[test]
    fn an_explicit_deny_is_reported_as_one() {
        let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"dynamodb:*","Resource":"*"}]}"#;
        let e = refuse(
            "arn:aws:states:::dynamodb:getItem",
            json!({"TableName": "t"}),
            deny,
        );
        assert!(e.cause.unwrap_or_default().contains("on resource: arn:aws:dynamodb:us-east-1:123456789012:table/t with an explicit deny in an identity-based policy (Service:"));
    }

    /// The HTTP Task: a policy whose conditions do not match the call refuses the endpoint
    /// call; one that allows the call but not the connection's secret refuses the connection.
    #[test]
    fn http_task_refusals_name_the_endpoint_or_the_connection() {
        let connection = "arn:aws:events:us-east-1:123456789012:connection/api/4b1e";
        let input = json!({"ApiEndpoint": "https://api.example.com/v1/orders", "Method": "POST",
            "InvocationConfig": {"ConnectionArn": connection}});
        let only_get = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"states:InvokeHTTPEndpoint","Resource":"*",
             "Condition":{"StringEquals":{"states:HTTPMethod":"GET"}}},
            {"Effect":"Allow","Action":["events:RetrieveConnectionCredentials",
             "secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":"*"}]}"#;
        let e = refuse("arn:aws:states:::http:invoke", input.clone(), only_get);
        assert_eq!(e.error, "States.Http.AccessDenied");
        let cause = e.cause.unwrap_or_default();
        assert!(cause.contains("is not authorized to perform: states:InvokeHTTPEndpoint on resource: arn:aws:states:us-east-1:123456789012:stateMachine:m"), "{cause}");
        assert!(
            cause.contains("(method POST, endpoint https://api.example.com/v1/orders)"),
            "{cause}"
        );
        let no_secret = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["states:InvokeHTTPEndpoint",
             "events:RetrieveConnectionCredentials"],"Resource":"*"},
            {"Effect":"Allow","Action":"secretsmanager:*",
             "Resource":"arn:aws:secretsmanager:*:*:secret:events!connection/other/*"}]}"#;
        let e = refuse("arn:aws:states:::http:invoke", input.clone(), no_secret);
        assert_eq!(e.error, "Events.ConnectionResource.AccessDenied");
        let cause = e.cause.unwrap_or_default();
        assert!(cause.contains("secretsmanager:DescribeSecret on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:events!connection/api/4b1e"), "{cause}");
        // The least-privilege policy of the definition allows the call.
        let machine = sfn_asl::parse(
            &json!({"StartAt": "H", "States": {"H": {"Type": "Task",
            "Resource": "arn:aws:states:::http:invoke", "Parameters": input.clone(),
            "End": true}}})
            .to_string(),
        )
        .expect("valid");
        let generated =
            RolePolicy::parse(&sfn_asl::iam::policy(&machine).to_string()).expect("policy");
        let config = ExecutionConfig::new("m", "run");
        let allowed = authorize(
            &generated,
            &config,
            &Resource::parse("arn:aws:states:::http:invoke"),
            &input,
            None,
            "H",
        );
        assert!(allowed.is_ok(), "{allowed:?}");
    }

    #[test]
    fn the_session_and_request_id_are_the_same_on_every_replay() {
        let config = ExecutionConfig::new("m", "run");
        assert_eq!(session_arn(&config), session_arn(&config));
        let session = session_arn(&config);
        let name = session.rsplit('/').next().unwrap_or_default();
        assert_eq!(name.len(), 32);
        assert!(name.chars().all(|c| c.is_ascii_alphabetic()), "{name}");
        assert_ne!(request_id("a", "S"), request_id("b", "S"));
    }
}
