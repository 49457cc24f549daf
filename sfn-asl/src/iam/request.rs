//! What IAM is asked when a Task state makes its call: for each API call, the action and the
//! ARN of the resource it acts on, read from the resource and the state's effective parameters
//! (after `Parameters`/`Arguments`), as the service itself names them in its authorization
//! ("Actions, resources, and condition keys" of each service in the Service Authorization
//! Reference).
//!
//! - A name becomes an ARN in the caller's partition, region and account (a table `orders` is
//!   `arn:aws:dynamodb:us-east-1:123456789012:table/orders`); an ARN is taken as given.
//! - A Lambda function is named with the qualifier it is called with (`…:function:f:PROD`).
//! - A queue comes from its URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`; a
//!   local endpoint's URL gives the account and name, the caller the region).
//! - A call whose resource the parameters do not name (an `aws-sdk:` action this module does
//!   not know, a service without resource-level permissions, a phone number for `sns:publish`)
//!   is asked for on `*`, which only a statement on `*` (or a `NotResource`) matches, as AWS
//!   asks for such actions.
//! - A task with `Credentials` makes its call as the role it names, whose policies this engine
//!   does not know: only `sts:AssumeRole` on that role is asked of the execution role.
//! - The managed EventBridge rules of `.sync` integrations are authorized when the state machine
//!   is created or updated, not at the call.

use serde_json::Value;

use super::{sdk, upper_first};
use crate::resource::{Arn, FunctionRef, Resource, Service, Target};

/// Who calls: the execution's partition, region, account and state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller<'a> {
    /// `aws`, `aws-cn`, ...
    pub partition: &'a str,
    /// The execution's region.
    pub region: &'a str,
    /// The execution's account.
    pub account: &'a str,
    /// The running state machine's ARN (the resource of `states:InvokeHTTPEndpoint`).
    pub state_machine_arn: &'a str,
}

/// One question to IAM: may the role do `action` on `resource`?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The IAM action (`dynamodb:PutItem`).
    pub action: String,
    /// The resource ARN, or `*`.
    pub resource: String,
    /// Condition keys the call sets (`states:HTTPMethod`), beside the caller's.
    pub context: Vec<(String, String)>,
}

impl Authorization {
    fn new(action: impl Into<String>, resource: impl Into<String>) -> Authorization {
        Authorization {
            action: action.into(),
            resource: resource.into(),
            context: Vec::new(),
        }
    }
}

/// The authorizations a Task's call needs, in the order the calls are made. `input` is the
/// effective parameters; `credentials` the evaluated `Credentials`.
pub fn authorizations(
    resource: &Resource,
    input: &Value,
    credentials: Option<&Value>,
    caller: &Caller<'_>,
) -> Vec<Authorization> {
    let calls_anything = matches!(
        resource.target(),
        Target::LambdaFunction { .. } | Target::Integration(_)
    );
    if let (Some(credentials), true) = (credentials, calls_anything) {
        let role = text(credentials, "RoleArn").unwrap_or("*");
        return vec![Authorization::new("sts:AssumeRole", role)];
    }
    match resource.target() {
        Target::LambdaFunction { .. } => vec![Authorization::new(
            "lambda:InvokeFunction",
            function_arn(resource.as_str(), caller),
        )],
        Target::Integration(call) => {
            let action = call.action.as_str();
            match &call.service {
                Service::Lambda if action == "invoke" => vec![invoke_function(input, caller)],
                Service::DynamoDb => vec![Authorization::new(
                    format!("dynamodb:{}", upper_first(action)),
                    table_arn(input, caller),
                )],
                Service::Sqs if action == "sendMessage" => {
                    vec![Authorization::new(
                        "sqs:SendMessage",
                        queue_arn(input, caller),
                    )]
                }
                Service::Sns if action == "publish" => vec![Authorization::new(
                    "sns:Publish",
                    text(input, "TopicArn")
                        .or_else(|| text(input, "TargetArn"))
                        .unwrap_or("*"),
                )],
                Service::EventBridge if action == "putEvents" => put_events(input, caller),
                Service::StepFunctions if action == "startExecution" => {
                    vec![Authorization::new(
                        "states:StartExecution",
                        text(input, "StateMachineArn").unwrap_or("*"),
                    )]
                }
                Service::Http if action == "invoke" => http(input, caller),
                Service::Ecs if action == "runTask" => vec![Authorization::new(
                    "ecs:RunTask",
                    task_definition_arn(input, caller),
                )],
                Service::AwsSdk(service) => sdk::actions(service, action)
                    .into_iter()
                    .map(|a| {
                        let on = sdk_resource(service, &a, input, caller);
                        Authorization::new(a, on)
                    })
                    .collect(),
                service => vec![Authorization::new(
                    format!("{}:{}", service.name(), upper_first(action)),
                    "*",
                )],
            }
        }
        Target::Activity { .. } | Target::Unrecognized => Vec::new(),
    }
}

/// The string parameter `key`, when there is one.
fn text<'a>(input: &'a Value, key: &str) -> Option<&'a str> {
    input.get(key).and_then(Value::as_str)
}

/// `name`, `name:PROD`, `123:function:name` or a full ARN → the full ARN, with its qualifier.
fn function_arn(name: &str, caller: &Caller<'_>) -> String {
    let Some(f) = FunctionRef::parse(name) else {
        return name.to_owned();
    };
    let partition = Arn::parse(name).map_or_else(
        || caller.partition.to_owned(),
        |a| a.partition.as_str().to_owned(),
    );
    let mut arn = format!(
        "arn:{partition}:lambda:{}:{}:function:{}",
        f.region.unwrap_or(caller.region),
        f.account.unwrap_or(caller.account),
        f.name
    );
    if let Some(q) = f.qualifier {
        arn.push(':');
        arn.push_str(q);
    }
    arn
}

fn invoke_function(input: &Value, caller: &Caller<'_>) -> Authorization {
    let function =
        text(input, "FunctionName").map_or_else(|| "*".to_owned(), |f| function_arn(f, caller));
    Authorization::new("lambda:InvokeFunction", function)
}

fn table_arn(input: &Value, caller: &Caller<'_>) -> String {
    match text(input, "TableName") {
        Some(t) if Arn::parse(t).is_some() => t.to_owned(),
        Some(t) => format!(
            "arn:{}:dynamodb:{}:{}:table/{t}",
            caller.partition, caller.region, caller.account
        ),
        None => "*".to_owned(),
    }
}

/// `https://sqs.us-east-1.amazonaws.com/123456789012/orders` (also the legacy
/// `https://us-east-1.queue.amazonaws.com/…` and `https://queue.amazonaws.com/…` of us-east-1,
/// and a local endpoint's `http://127.0.0.1:5000/123456789012/orders`) → the queue's ARN.
fn queue_arn(input: &Value, caller: &Caller<'_>) -> String {
    let parsed = text(input, "QueueUrl").and_then(|url| {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        let mut parts = rest.split('/');
        let host = parts.next()?;
        let account = parts.next().filter(|a| !a.is_empty())?;
        let queue = parts.next().filter(|q| !q.is_empty())?;
        let region = if let Some(h) = host.strip_prefix("sqs.") {
            h.split('.').next().unwrap_or(caller.region)
        } else if host.starts_with("queue.amazonaws.com") {
            "us-east-1"
        } else if let Some((region, _)) = host.split_once(".queue.") {
            region
        } else {
            caller.region
        };
        Some(format!(
            "arn:{}:sqs:{region}:{account}:{queue}",
            caller.partition
        ))
    });
    parsed.unwrap_or_else(|| "*".to_owned())
}

/// `family:3` or its ARN as given; a bare family runs its latest revision, which only ECS
/// knows: `…:task-definition/family:*`, which a grant on every revision of the family matches
/// and a grant on one revision does not.
fn task_definition_arn(input: &Value, caller: &Caller<'_>) -> String {
    match text(input, "TaskDefinition") {
        Some(t) => match Arn::parse(t) {
            Some(arn) if arn.resource.contains(':') => t.to_owned(),
            Some(_) => format!("{t}:*"),
            None => {
                let revision = if t.contains(':') { "" } else { ":*" };
                format!(
                    "arn:{}:ecs:{}:{}:task-definition/{t}{revision}",
                    caller.partition, caller.region, caller.account
                )
            }
        },
        None => "*".to_owned(),
    }
}

/// The managed EventBridge rules the `.sync` integrations of `machine` need, in the caller's
/// region and account: Step Functions checks `events:PutTargets`, `events:PutRule` and
/// `events:DescribeRule` on them when the state machine is created or updated.
pub fn managed_rules(machine: &crate::StateMachine, caller: &Caller<'_>) -> Vec<Authorization> {
    let policy = super::policy(machine);
    let mut out = Vec::new();
    for st in policy["Statement"].as_array().into_iter().flatten() {
        let actions = st["Action"].as_array().into_iter().flatten();
        for action in actions.filter_map(Value::as_str) {
            if !matches!(
                action,
                "events:PutTargets" | "events:PutRule" | "events:DescribeRule"
            ) {
                continue;
            }
            for r in st["Resource"].as_array().into_iter().flatten() {
                let Some(rule) = r
                    .as_str()
                    .and_then(|r| r.split_once(":rule/"))
                    .map(|(_, n)| n)
                else {
                    continue;
                };
                out.push(Authorization::new(
                    action,
                    format!(
                        "arn:{}:events:{}:{}:rule/{rule}",
                        caller.partition, caller.region, caller.account
                    ),
                ));
            }
        }
    }
    out
}

fn bus_arn(bus: Option<&str>, caller: &Caller<'_>) -> String {
    match bus {
        Some(b) if Arn::parse(b).is_some() => b.to_owned(),
        b => format!(
            "arn:{}:events:{}:{}:event-bus/{}",
            caller.partition,
            caller.region,
            caller.account,
            b.unwrap_or("default")
        ),
    }
}

/// One authorization per bus the entries name (the default bus when an entry names none).
fn put_events(input: &Value, caller: &Caller<'_>) -> Vec<Authorization> {
    let mut buses: Vec<String> = input
        .get("Entries")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .map(|e| bus_arn(text(e, "EventBusName"), caller))
                .collect()
        })
        .unwrap_or_default();
    if buses.is_empty() {
        buses.push(bus_arn(None, caller));
    }
    buses.dedup();
    buses
        .into_iter()
        .map(|b| Authorization::new("events:PutEvents", b))
        .collect()
}

/// The HTTP task: the endpoint call on the running machine, with its method and endpoint as
/// condition keys; then the connection's credentials, which EventBridge keeps in the Secrets
/// Manager secret `events!connection/<name>/<id>` of the connection's region and account.
fn http(input: &Value, caller: &Caller<'_>) -> Vec<Authorization> {
    let mut call = Authorization::new("states:InvokeHTTPEndpoint", caller.state_machine_arn);
    if let Some(method) = text(input, "Method") {
        call.context
            .push(("states:HTTPMethod".into(), method.to_owned()));
    }
    if let Some(endpoint) = text(input, "ApiEndpoint") {
        call.context
            .push(("states:HTTPEndpoint".into(), endpoint.to_owned()));
    }
    let connection = crate::resource::http::connection(input)
        .and_then(|a| text(a, "ConnectionArn"))
        .unwrap_or("*");
    let secret = Arn::parse(connection)
        .filter(|arn| arn.service == "events")
        .and_then(|arn| {
            let id = arn.resource.strip_prefix("connection/")?;
            Some(format!(
                "arn:{}:secretsmanager:{}:{}:secret:events!connection/{id}",
                arn.partition, arn.region, arn.account
            ))
        })
        .unwrap_or_else(|| "*".to_owned());
    vec![
        call,
        Authorization::new("events:RetrieveConnectionCredentials", connection),
        Authorization::new("secretsmanager:DescribeSecret", secret.clone()),
        Authorization::new("secretsmanager:GetSecretValue", secret),
    ]
}

/// The resource of an `aws-sdk:` call, for the services whose parameters name it; `*` else.
fn sdk_resource(service: &str, action: &str, input: &Value, caller: &Caller<'_>) -> String {
    let named = |key: &str| text(input, key).map(str::to_owned);
    let resource = match service {
        "dynamodb" => text(input, "TableName").map(|_| table_arn(input, caller)),
        "sqs" => text(input, "QueueUrl").map(|_| queue_arn(input, caller)),
        "sns" => named("TopicArn")
            .or_else(|| named("TargetArn"))
            .or_else(|| named("ResourceArn"))
            .or_else(|| match action {
                // The topic it would create.
                "sns:CreateTopic" => text(input, "Name").map(|name| {
                    format!(
                        "arn:{}:sns:{}:{}:{name}",
                        caller.partition, caller.region, caller.account
                    )
                }),
                _ => None,
            }),
        "sts" if action == "sts:AssumeRole" => named("RoleArn"),
        "sfn" => named("StateMachineArn")
            .or_else(|| named("ExecutionArn"))
            .or_else(|| named("ActivityArn")),
        "lambda" => text(input, "FunctionName").map(|f| function_arn(f, caller)),
        // A secret named without its ARN is authorized on its full ARN, whose random suffix
        // only Secrets Manager knows.
        "secretsmanager" => named("SecretId").filter(|s| Arn::parse(s).is_some()),
        "eventbridge" if action == "events:PutEvents" => put_events(input, caller)
            .into_iter()
            .next()
            .map(|a| a.resource),
        "s3" => text(input, "Bucket").map(|b| {
            let object = action.contains("Object") || action.ends_with("MultipartUploadParts");
            match text(input, "Key") {
                Some(k) if object => format!("arn:{}:s3:::{b}/{k}", caller.partition),
                _ => format!("arn:{}:s3:::{b}", caller.partition),
            }
        }),
        _ => None,
    };
    resource.unwrap_or_else(|| "*".to_owned())
}
