//! The least-privilege IAM policy an execution role needs to run a state machine, derived from
//! its task resources and their static parameters. A resource named through a path or a
//! JSONata expression (known only at run time) is granted as `*` for that one action.
//!
//! Every ARN the policy writes is in the partition of the resource that needs it (`aws`,
//! `aws-cn`, `aws-us-gov`, ...).
//!
//! `workflow!` writes it beside the ASL (`<Workflow>.iam.json`); the CLI can print it for any
//! definition.
//!
//! ```
//! let machine = sfn_asl::parse(r#"{"StartAt": "Charge", "States": {"Charge": {"Type": "Task",
//!     "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge", "End": true}}}"#).unwrap();
//! let policy = sfn_asl::iam::policy(&machine);
//! assert_eq!(policy["Statement"][0]["Action"][0], "lambda:InvokeFunction");
//! assert_eq!(policy["Statement"][0]["Resource"][0], "arn:aws:lambda:us-east-1:123456789012:function:charge");
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::model::*;
use crate::resource::{Arn, Integration, Partition, Resource, Service, Target};

/// The policy document (`{"Version": "2012-10-17", "Statement": [...]}`), one statement per
/// action, actions and resources sorted so the output is stable.
pub fn policy(machine: &StateMachine) -> Value {
    let mut grants = Grants::default();
    for scope in machine.scopes() {
        if scope.depth() <= MAX_DEPTH {
            grant_scope(scope.scope.states, &mut grants);
        }
    }
    let statements: Vec<Value> = grants
        .0
        .into_iter()
        .map(|(action, resources)| {
            let resources: Vec<String> = if resources.contains("*") {
                vec!["*".to_owned()]
            } else {
                resources.into_iter().collect()
            };
            json!({ "Effect": "Allow", "Action": [action], "Resource": resources })
        })
        .collect();
    json!({ "Version": "2012-10-17", "Statement": statements })
}

#[derive(Default)]
struct Grants(BTreeMap<String, BTreeSet<String>>);

impl Grants {
    fn allow(&mut self, action: &str, resource: impl Into<String>) {
        self.0
            .entry(action.to_owned())
            .or_default()
            .insert(resource.into());
    }
}

/// Depth cap: definitions are validated, but this never recurses without bound either way.
const MAX_DEPTH: usize = 64;

/// The grants of one scope's own states ([`StateMachine::scopes`] visits the nested ones).
fn grant_scope(states: &States, g: &mut Grants) {
    for state in states.values() {
        match &state.kind {
            StateKind::Task(t) => task(t, g),
            StateKind::Map(m) => {
                if m.is_distributed() {
                    // Child executions of a distributed Map run as the same state machine.
                    for a in [
                        "states:StartExecution",
                        "states:DescribeExecution",
                        "states:StopExecution",
                    ] {
                        g.allow(a, "*");
                    }
                }
                if let Some(r) = &m.item_reader {
                    s3_resource(
                        &r.resource,
                        &args(
                            r.parameters.as_ref().map(|p| p.to_value()),
                            r.arguments.as_ref().map(|a| a.to_value()),
                        ),
                        g,
                    );
                }
                if let Some(w) = &m.result_writer {
                    if let Some(res) = &w.resource {
                        s3_resource(
                            res,
                            &args(
                                w.parameters.as_ref().map(|p| p.to_value()),
                                w.arguments.as_ref().map(|a| a.to_value()),
                            ),
                            g,
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

/// The static arguments of a task: `Parameters` or `Arguments`, whichever is present.
fn args(parameters: Option<Value>, arguments: Option<Value>) -> Value {
    parameters.or(arguments).unwrap_or(Value::Null)
}

/// A static string argument, or `None` when it is given by a path (`Key.$`) or JSONata.
fn static_arg<'a>(args: &'a Value, key: &str) -> Option<&'a str> {
    let s = args.get(key)?.as_str()?;
    if s.starts_with("{%") {
        None
    } else {
        Some(s)
    }
}

fn task(t: &Task, g: &mut Grants) {
    let r = &t.resource;
    match r.target() {
        Target::LambdaFunction { .. } => g.allow("lambda:InvokeFunction", r.as_str()),
        Target::Integration(call) => {
            let args = args(
                t.parameters.as_ref().map(|p| p.to_value()),
                t.arguments.as_ref().map(|a| a.to_value()),
            );
            integration(call, arn_partition(r), &args, g);
        }
        // Activities need no grant on the role (the worker calls GetActivityTask); an
        // unrecognized resource (a template placeholder) names nothing we can grant.
        Target::Activity { .. } | Target::Unrecognized => {}
    }
}

/// The partition the ARNs of a grant are written in: the resource's own, so a policy for
/// `aws-cn` names `arn:aws-cn:…` and a `${AWS::Partition}` template stays a template.
fn arn_partition(r: &Resource) -> &str {
    r.partition().map_or("aws", Partition::as_str)
}

fn integration(call: &Integration, p: &str, args: &Value, g: &mut Grants) {
    let sync = call.pattern.is_sync();
    match (&call.service, call.action.as_str()) {
        (Service::Lambda, "invoke") => {
            let res = match static_arg(args, "FunctionName") {
                Some(f) if f.starts_with("arn:") => f.to_owned(),
                Some(f) => format!("arn:{p}:lambda:*:*:function:{f}"),
                None => "*".to_owned(),
            };
            g.allow("lambda:InvokeFunction", res);
        }
        (Service::Sqs, "sendMessage") => {
            let res = static_arg(args, "QueueUrl")
                .and_then(|url| queue_arn(url, p))
                .unwrap_or_else(|| "*".to_owned());
            g.allow("sqs:SendMessage", res);
        }
        (Service::Sns, "publish") => {
            let res = static_arg(args, "TopicArn")
                .or_else(|| static_arg(args, "TargetArn"))
                .unwrap_or("*");
            g.allow("sns:Publish", res);
        }
        (Service::DynamoDb, a) => {
            let res = static_arg(args, "TableName").map_or_else(
                || "*".to_owned(),
                |t| format!("arn:{p}:dynamodb:*:*:table/{t}"),
            );
            g.allow(&format!("dynamodb:{}", upper_first(a)), res);
        }
        (Service::EventBridge, "putEvents") => {
            let buses: BTreeSet<String> = match args.get("Entries").and_then(Value::as_array) {
                Some(entries) => entries
                    .iter()
                    .map(|e| match e.get("EventBusName").and_then(Value::as_str) {
                        Some(b) if b.starts_with("arn:") => b.to_owned(),
                        Some(b) if !b.starts_with("{%") => {
                            format!("arn:{p}:events:*:*:event-bus/{b}")
                        }
                        Some(_) => "*".to_owned(),
                        None if e.get("EventBusName.$").is_some() => "*".to_owned(),
                        None => format!("arn:{p}:events:*:*:event-bus/default"),
                    })
                    .collect(),
                None => BTreeSet::from(["*".to_owned()]),
            };
            for b in buses {
                g.allow("events:PutEvents", b);
            }
        }
        (Service::StepFunctions, "startExecution") => {
            let machine = static_arg(args, "StateMachineArn");
            g.allow("states:StartExecution", machine.unwrap_or("*"));
            if sync {
                // Executions of a version or alias are named after the machine alone.
                let exec = machine
                    .and_then(Arn::parse)
                    .and_then(|m| m.execution_arn("*"))
                    .unwrap_or_else(|| "*".to_owned());
                g.allow("states:DescribeExecution", exec.clone());
                g.allow("states:StopExecution", exec);
                sync_rule(g, p, "StepFunctionsGetEventsForStepFunctionsExecutionRule");
            }
        }
        (Service::Http, "invoke") => {
            g.allow("states:InvokeHTTPEndpoint", "*");
            let conn = args.get("Authentication").map_or(Value::Null, Clone::clone);
            let conn = static_arg(&conn, "ConnectionArn").unwrap_or("*");
            g.allow("events:RetrieveConnectionCredentials", conn);
            let secrets = format!("arn:{p}:secretsmanager:*:*:secret:events!connection/*");
            g.allow("secretsmanager:GetSecretValue", secrets.clone());
            g.allow("secretsmanager:DescribeSecret", secrets);
        }
        // `aws-sdk:<service>:<action>`: IAM uses the service prefix and the PascalCase action.
        (Service::AwsSdk(svc), act) => {
            g.allow(&format!("{}:{}", iam_prefix(svc), upper_first(act)), "*");
        }
        (Service::S3, act) => s3(act, p, args, g),
        (svc, act) => {
            let svc = svc.name();
            g.allow(&format!("{}:{}", iam_prefix(svc), upper_first(act)), "*");
            if sync {
                sync_rule(
                    g,
                    p,
                    &format!("StepFunctionsGetEventsFor{}", upper_first(svc)),
                );
            }
        }
    }
}

/// `.sync` integrations watch the job through an EventBridge rule managed by Step Functions.
fn sync_rule(g: &mut Grants, p: &str, rule: &str) {
    let res = format!("arn:{p}:events:*:*:rule/{rule}*");
    for a in ["events:PutTargets", "events:PutRule", "events:DescribeRule"] {
        g.allow(a, res.clone());
    }
}

/// The Map `ItemReader` / `ResultWriter` resources (`arn:aws:states:::s3:getObject`).
fn s3_resource(resource: &Resource, args: &Value, g: &mut Grants) {
    if let Some(call) = resource.integration() {
        s3(&call.action, arn_partition(resource), args, g);
    }
}

fn s3(action: &str, p: &str, args: &Value, g: &mut Grants) {
    let bucket = static_arg(args, "Bucket");
    match action {
        "getObject" => {
            let res = match (bucket, static_arg(args, "Key")) {
                (Some(b), Some(k)) => format!("arn:{p}:s3:::{b}/{k}"),
                (Some(b), None) => format!("arn:{p}:s3:::{b}/*"),
                _ => "*".to_owned(),
            };
            g.allow("s3:GetObject", res);
        }
        "listObjectsV2" => g.allow(
            "s3:ListBucket",
            bucket.map_or_else(|| "*".to_owned(), |b| format!("arn:{p}:s3:::{b}")),
        ),
        "putObject" => {
            let res = match (bucket, static_arg(args, "Prefix")) {
                (Some(b), Some(pre)) => format!("arn:{p}:s3:::{b}/{pre}*"),
                (Some(b), None) => format!("arn:{p}:s3:::{b}/*"),
                _ => "*".to_owned(),
            };
            g.allow("s3:PutObject", res.clone());
            g.allow("s3:GetObject", res.clone());
            g.allow("s3:ListMultipartUploadParts", res.clone());
            g.allow("s3:AbortMultipartUpload", res);
        }
        other => g.allow(&format!("s3:{}", upper_first(other)), "*"),
    }
}

/// `https://sqs.us-east-1.amazonaws.com/123456789012/orders` → `arn:aws:sqs:us-east-1:123456789012:orders`.
fn queue_arn(url: &str, partition: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let mut parts = rest.split('/');
    let host = parts.next()?;
    let account = parts.next()?;
    let queue = parts.next()?;
    let region = host.strip_prefix("sqs.")?.split('.').next()?;
    Some(format!("arn:{partition}:sqs:{region}:{account}:{queue}"))
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// SDK service names that differ from their IAM prefix.
fn iam_prefix(service: &str) -> &str {
    match service {
        "sfn" => "states",
        "eventbridge" => "events",
        "apigateway" => "execute-api",
        other => other,
    }
}

#[cfg(test)]
mod tests;
