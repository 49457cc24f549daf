//! The grants of each integration, after AWS's "IAM policies for `<service>`" templates.

use serde_json::Value;

use super::{arg, arn_partition, sdk, upper_first, Arg, Condition, Grants};
use crate::resource::{Arn, FunctionRef, Integration, Resource, Service};

const INVOKE_FUNCTION: &str = "lambda:InvokeFunction";

/// The grants of one service-integration call.
pub(super) fn integration(call: &Integration, p: &str, args: &Value, g: &mut Grants) {
    let sync = call.pattern.is_sync();
    match (&call.service, call.action.as_str()) {
        (Service::Lambda, "invoke") => lambda_invoke(p, args, g),
        (Service::Sqs, "sendMessage") => sqs_send(p, args, g),
        (Service::Sns, "publish") => sns_publish(args, g),
        (Service::DynamoDb, action) => dynamodb(action, p, args, g),
        (Service::EventBridge, "putEvents") => put_events(p, args, g),
        (Service::StepFunctions, "startExecution") => start_execution(p, args, sync, g),
        (Service::Ecs, "runTask") => run_task(p, args, sync, g),
        (Service::Batch, "submitJob") => submit_job(p, sync, g),
        (Service::Glue, "startJobRun") => start_job_run(sync, g),
        (Service::ApiGateway, "invoke") => api_gateway(p, args, g),
        (Service::Http, "invoke") => http(p, args, g),
        (Service::AwsSdk(service), action) => {
            for a in sdk::actions(service, action) {
                g.allow(&a, "*");
            }
        }
        (Service::S3, action) => s3(action, p, args, g),
        (service, action) => other(service, action, p, sync, g),
    }
}

/// A function with its versions and aliases: `…:function:f` and `…:function:f:*`, as AWS's
/// templates grant them, in the region and account the name gives (`*` where it gives none).
pub(super) fn lambda_function(p: &str, f: &FunctionRef<'_>, g: &mut Grants) {
    let arn = format!(
        "arn:{p}:lambda:{}:{}:function:{}",
        f.region.unwrap_or("*"),
        f.account.unwrap_or("*"),
        f.name
    );
    g.allow(INVOKE_FUNCTION, format!("{arn}:*"));
    g.allow(INVOKE_FUNCTION, arn);
}

fn lambda_invoke(p: &str, args: &Value, g: &mut Grants) {
    let name = match arg(args, "FunctionName") {
        Arg::Static(text) => FunctionRef::parse(text).map(|f| (text, f)),
        Arg::Dynamic | Arg::Absent => None,
    };
    match name {
        // A full ARN carries its own partition.
        Some((text, f)) => match Arn::parse(text) {
            Some(arn) => lambda_function(arn.partition.as_str(), &f, g),
            None => lambda_function(p, &f, g),
        },
        None => g.allow(INVOKE_FUNCTION, "*"),
    }
}

fn sqs_send(p: &str, args: &Value, g: &mut Grants) {
    let queue = match arg(args, "QueueUrl") {
        Arg::Static(url) => queue_arn(url, p),
        Arg::Dynamic | Arg::Absent => None,
    };
    g.allow("sqs:SendMessage", queue.unwrap_or_else(|| "*".to_owned()));
}

/// `https://sqs.us-east-1.amazonaws.com/123456789012/orders` (or the legacy
/// `https://us-east-1.queue.amazonaws.com/…`, `https://queue.amazonaws.com/…` for us-east-1)
/// → `arn:aws:sqs:us-east-1:123456789012:orders`.
fn queue_arn(url: &str, partition: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let mut parts = rest.split('/');
    let host = parts.next()?;
    let account = parts.next().filter(|a| !a.is_empty())?;
    let queue = parts.next().filter(|q| !q.is_empty())?;
    let region = if let Some(h) = host.strip_prefix("sqs.") {
        h.split('.').next()?
    } else if host.starts_with("queue.") {
        "us-east-1"
    } else {
        host.split_once(".queue.")?.0
    };
    Some(format!("arn:{partition}:sqs:{region}:{account}:{queue}"))
}

/// A topic named by `TopicArn` is granted exactly; a `TargetArn` (a mobile endpoint), a
/// `PhoneNumber` or a path is granted as `*`, as AWS's template does.
fn sns_publish(args: &Value, g: &mut Grants) {
    let topic = match arg(args, "TopicArn") {
        Arg::Static(t) => t,
        Arg::Dynamic | Arg::Absent => "*",
    };
    g.allow("sns:Publish", topic);
}

/// A table named by its ARN is granted as given; a name in the resource's partition.
fn dynamodb(action: &str, p: &str, args: &Value, g: &mut Grants) {
    let table = match arg(args, "TableName") {
        Arg::Static(t) if Arn::parse(t).is_some() => t.to_owned(),
        Arg::Static(t) => format!("arn:{p}:dynamodb:*:*:table/{t}"),
        Arg::Dynamic | Arg::Absent => "*".to_owned(),
    };
    g.allow(&format!("dynamodb:{}", upper_first(action)), table);
}

/// Each entry's bus: its ARN, its name, the default bus when it names none; a bus or entries
/// known only at run time are any bus (`event-bus/*`, as AWS's template writes it).
fn put_events(p: &str, args: &Value, g: &mut Grants) {
    let any_bus = format!("arn:{p}:events:*:*:event-bus/*");
    let Some(entries) = args.get("Entries").and_then(Value::as_array) else {
        g.allow("events:PutEvents", any_bus);
        return;
    };
    for entry in entries {
        let bus = match arg(entry, "EventBusName") {
            Arg::Static(b) if Arn::parse(b).is_some() => b.to_owned(),
            Arg::Static(b) => format!("arn:{p}:events:*:*:event-bus/{b}"),
            Arg::Absent if entry.is_object() => format!("arn:{p}:events:*:*:event-bus/default"),
            Arg::Dynamic | Arg::Absent => any_bus.clone(),
        };
        g.allow("events:PutEvents", bus);
    }
}

/// `states:startExecution`: the machine; with `.sync` / `.sync:2` also its executions and the
/// managed rule that reports their end.
fn start_execution(p: &str, args: &Value, sync: bool, g: &mut Grants) {
    let machine = match arg(args, "StateMachineArn") {
        Arg::Static(m) => Some(m),
        Arg::Dynamic | Arg::Absent => None,
    };
    g.allow("states:StartExecution", machine.unwrap_or("*"));
    if sync {
        // Executions of a version or alias are named after the machine alone.
        let executions = machine
            .and_then(Arn::parse)
            .and_then(|m| m.execution_arn("*"))
            .unwrap_or_else(|| "*".to_owned());
        g.allow_all(
            &["states:DescribeExecution", "states:StopExecution"],
            &executions,
        );
        managed_rule(g, p, "StepFunctionsGetEventsForStepFunctionsExecutionRule");
    }
}

/// `ecs:runTask`: the task definition (`family:revision`, every revision of a bare family);
/// with `.sync` also the task (whose id is known only at run time) and the managed rule.
fn run_task(p: &str, args: &Value, sync: bool, g: &mut Grants) {
    let definition = match arg(args, "TaskDefinition") {
        Arg::Static(t) => match Arn::parse(t) {
            Some(arn) if arn.resource.contains(':') => t.to_owned(),
            Some(_) => format!("{t}:*"),
            None if t.contains(':') => format!("arn:{p}:ecs:*:*:task-definition/{t}"),
            None => format!("arn:{p}:ecs:*:*:task-definition/{t}:*"),
        },
        Arg::Dynamic | Arg::Absent => "*".to_owned(),
    };
    g.allow("ecs:RunTask", definition);
    if sync {
        g.allow_all(&["ecs:StopTask", "ecs:DescribeTasks"], "*");
        managed_rule(g, p, "StepFunctionsGetEventsForECSTaskRule");
    }
}

/// AWS Batch has no resource-level control for these calls: `*`.
fn submit_job(p: &str, sync: bool, g: &mut Grants) {
    g.allow("batch:SubmitJob", "*");
    if sync {
        g.allow_all(&["batch:DescribeJobs", "batch:TerminateJob"], "*");
        managed_rule(g, p, "StepFunctionsGetEventsForBatchJobsRule");
    }
}

/// AWS Glue has no resource-level control for these calls; `.sync` polls the run.
fn start_job_run(sync: bool, g: &mut Grants) {
    g.allow("glue:StartJobRun", "*");
    if sync {
        g.allow_all(
            &["glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"],
            "*",
        );
    }
}

/// `execute-api:Invoke` on `arn:<p>:execute-api:<region>:*:<api>/<stage>/<method>/<path>`,
/// read from `ApiEndpoint` (`<api>.execute-api.<region>.amazonaws.com`), `Stage`, `Method` and
/// `Path`; a part known only at run time is `*`. An endpoint that is not an `execute-api` host
/// (a custom domain) names no API: `arn:<p>:execute-api:*:*:*`.
fn api_gateway(p: &str, args: &Value, g: &mut Grants) {
    let api = api_arn(p, args).unwrap_or_else(|| format!("arn:{p}:execute-api:*:*:*"));
    g.allow("execute-api:Invoke", api);
}

fn api_arn(p: &str, args: &Value) -> Option<String> {
    let Arg::Static(endpoint) = arg(args, "ApiEndpoint") else {
        return None;
    };
    let host = endpoint
        .strip_prefix("https://")
        .unwrap_or(endpoint)
        .split('/')
        .next()?;
    let mut labels = host.split('.');
    let (api, service, region) = (labels.next()?, labels.next()?, labels.next()?);
    if service != "execute-api" || api.is_empty() || region.is_empty() {
        return None;
    }
    let part = |key: &str, absent: &'static str| match arg(args, key) {
        Arg::Static(s) => s.trim_start_matches('/').to_owned(),
        Arg::Absent => absent.to_owned(),
        Arg::Dynamic => "*".to_owned(),
    };
    let (stage, method, path) = (part("Stage", "*"), part("Method", "*"), part("Path", ""));
    Some(format!(
        "arn:{p}:execute-api:{region}:*:{api}/{stage}/{method}/{path}"
    ))
}

/// The HTTP task calls through an EventBridge connection, whose credentials Secrets Manager
/// keeps in the connection's account and region as `events!connection/<name>/…`.
fn http(p: &str, args: &Value, g: &mut Grants) {
    // The resource is the running machine, which the definition does not name; the method
    // and endpoint, where written out, are conditions on it, as AWS's policy has them.
    let mut condition = Condition::new();
    if let Arg::Static(method) = arg(args, "Method") {
        condition
            .entry("StringEquals")
            .or_default()
            .insert("states:HTTPMethod", method.to_owned());
    }
    if let Arg::Static(endpoint) = arg(args, "ApiEndpoint") {
        condition
            .entry("StringLike")
            .or_default()
            .insert("states:HTTPEndpoint", format!("{endpoint}*"));
    }
    g.allow_if(
        "states:InvokeHTTPEndpoint",
        &format!("arn:{p}:states:*:*:stateMachine:*"),
        condition,
    );
    // `InvocationConfig`, or the older `Authentication`.
    let auth = crate::resource::http::connection(args).unwrap_or(&Value::Null);
    let (connection, secrets) = match arg(auth, "ConnectionArn") {
        Arg::Static(c) => (c.to_owned(), connection_secrets(c)),
        Arg::Dynamic | Arg::Absent => (format!("arn:{p}:events:*:*:connection/*"), None),
    };
    let secrets =
        secrets.unwrap_or_else(|| format!("arn:{p}:secretsmanager:*:*:secret:events!connection/*"));
    g.allow("events:RetrieveConnectionCredentials", connection);
    g.allow_all(
        &[
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
        ],
        &secrets,
    );
}

/// `arn:aws:events:us-east-1:1:connection/stripe/uuid` →
/// `arn:aws:secretsmanager:us-east-1:1:secret:events!connection/stripe/*`.
fn connection_secrets(connection: &str) -> Option<String> {
    let arn = Arn::parse(connection)?;
    let name = arn
        .resource
        .strip_prefix("connection/")?
        .split('/')
        .next()?;
    let or_any = |s: &str| {
        if s.is_empty() {
            "*".to_owned()
        } else {
            s.to_owned()
        }
    };
    Some(format!(
        "arn:{}:secretsmanager:{}:{}:secret:events!connection/{name}/*",
        arn.partition,
        or_any(&arn.region),
        or_any(&arn.account)
    ))
}

/// A task with `Credentials` calls as the role it names, which the execution role must be
/// allowed to assume.
pub(super) fn assume_role(credentials: &Value, g: &mut Grants) {
    let role = match arg(credentials, "RoleArn") {
        Arg::Static(r) => r,
        Arg::Dynamic | Arg::Absent => "*",
    };
    g.allow("sts:AssumeRole", role);
}

/// The children of a Distributed Map run as executions of this machine: starting them, and
/// watching, stopping and (when the Map Run is redriven) redriving `<machine>/<label>:<id>`.
pub(super) fn distributed_map(p: &str, label: &str, g: &mut Grants) {
    g.allow(
        "states:StartExecution",
        format!("arn:{p}:states:*:*:stateMachine:*"),
    );
    let children = format!("arn:{p}:states:*:*:execution:*/{label}:*");
    g.allow_all(
        &[
            "states:DescribeExecution",
            "states:RedriveExecution",
            "states:StopExecution",
        ],
        &children,
    );
}

/// The Map `ItemReader` / `ResultWriter` resources (`arn:aws:states:::s3:getObject`).
pub(super) fn s3_resource(resource: &Resource, args: &Value, g: &mut Grants) {
    if let Some(call) = resource.integration() {
        s3(&call.action, arn_partition(resource), args, g);
    }
}

fn s3(action: &str, p: &str, args: &Value, g: &mut Grants) {
    let bucket = match arg(args, "Bucket") {
        Arg::Static(b) => Some(b),
        Arg::Dynamic | Arg::Absent => None,
    };
    let within = |key: &str, tail: &str| match (bucket, arg(args, key)) {
        (Some(b), Arg::Static(k)) => format!("arn:{p}:s3:::{b}/{k}{tail}"),
        (Some(b), Arg::Absent) => format!("arn:{p}:s3:::{b}/*"),
        _ => "*".to_owned(),
    };
    match action {
        "getObject" => g.allow("s3:GetObject", within("Key", "")),
        "listObjectsV2" => g.allow(
            "s3:ListBucket",
            bucket.map_or_else(|| "*".to_owned(), |b| format!("arn:{p}:s3:::{b}")),
        ),
        "putObject" => g.allow_all(
            &[
                "s3:PutObject",
                "s3:GetObject",
                "s3:ListMultipartUploadParts",
                "s3:AbortMultipartUpload",
            ],
            &within("Prefix", "*"),
        ),
        other => g.allow(&format!("s3:{}", upper_first(other)), "*"),
    }
}

/// Another optimized integration: `<service>:<Action>` on `*`, and for `.sync` the managed
/// rule that reports the job's end.
fn other(service: &Service, action: &str, p: &str, sync: bool, g: &mut Grants) {
    let name = service.name();
    g.allow(&format!("{name}:{}", upper_first(action)), "*");
    if sync {
        match sync_rule(service, action) {
            Some(rule) => managed_rule(g, p, rule),
            // A rule this crate does not know by name: every rule of the service's prefix.
            None => managed_rule(
                g,
                p,
                &format!("StepFunctionsGetEventsFor{}*", upper_first(name)),
            ),
        }
    }
}

/// The managed rules AWS's templates name for `.sync` calls.
fn sync_rule(service: &Service, action: &str) -> Option<&'static str> {
    Some(match (service, action) {
        (Service::CodeBuild, "startBuild") => "StepFunctionsGetEventForCodeBuildStartBuildRule",
        (Service::SageMaker, "createTrainingJob") => {
            "StepFunctionsGetEventsForSageMakerTrainingJobsRule"
        }
        (Service::SageMaker, "createTransformJob") => {
            "StepFunctionsGetEventsForSageMakerTransformJobsRule"
        }
        (Service::SageMaker, "createHyperParameterTuningJob") => {
            "StepFunctionsGetEventsForSageMakerTuningJobsRule"
        }
        (Service::SageMaker, "createProcessingJob") => {
            "StepFunctionsGetEventsForSageMakerProcessingJobsRule"
        }
        (Service::Emr, "createCluster") => "StepFunctionsGetEventForEMRRunJobFlowRule",
        (Service::Emr, "addStep") => "StepFunctionsGetEventForEMRAddJobFlowStepsRule",
        (Service::Emr, "terminateCluster") => "StepFunctionsGetEventForEMRTerminateJobFlowsRule",
        _ => return None,
    })
}

/// `.sync` integrations watch the job through an EventBridge rule that Step Functions manages
/// in the running machine's account and region (which the definition does not name).
fn managed_rule(g: &mut Grants, p: &str, rule: &str) {
    let res = format!("arn:{p}:events:*:*:rule/{rule}");
    g.allow_all(
        &["events:PutTargets", "events:PutRule", "events:DescribeRule"],
        &res,
    );
}
