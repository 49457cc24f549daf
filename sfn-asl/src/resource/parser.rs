//! Text → [`Arn`] + [`Target`]. Never fails: what it cannot read is [`Target::Unrecognized`].

use super::{Arn, Integration, IntegrationPattern, Partition, Service, Target};

pub(super) fn parse(text: &str) -> (Option<Arn>, Target) {
    let parts = split_outside_placeholders(text, ':', 6);
    let [head, partition, service, region, account, resource] = parts.as_slice() else {
        return (None, Target::Unrecognized);
    };
    if *head != "arn" || partition.is_empty() || service.is_empty() {
        return (None, Target::Unrecognized);
    }
    let target = match *service {
        "lambda" => lambda_function(resource),
        "states" => match resource.strip_prefix("activity:") {
            Some(name) if !name.is_empty() => Target::Activity {
                name: name.to_owned(),
            },
            Some(_) => Target::Unrecognized,
            None => integration(resource)
                .filter(|call| is_integration(call, resource, region, account))
                .map_or(Target::Unrecognized, Target::Integration),
        },
        _ => Target::Unrecognized,
    };
    let arn = Arn {
        partition: Partition::parse(partition),
        service: (*service).to_owned(),
        region: (*region).to_owned(),
        account: (*account).to_owned(),
        resource: (*resource).to_owned(),
    };
    (Some(arn), target)
}

/// `function:<name>[:<qualifier>]`.
fn lambda_function(resource: &str) -> Target {
    match resource
        .strip_prefix("function:")
        .and_then(name_and_qualifier)
    {
        Some((name, qualifier)) => Target::LambdaFunction {
            name: name.to_owned(),
            qualifier: qualifier.map(str::to_owned),
        },
        None => Target::Unrecognized,
    }
}

/// `<name>[:<qualifier>]`, both non-empty.
fn name_and_qualifier(text: &str) -> Option<(&str, Option<&str>)> {
    match split_outside_placeholders(text, ':', 3).as_slice() {
        [name] if !name.is_empty() => Some((name, None)),
        [name, qualifier] if !name.is_empty() && !qualifier.is_empty() => {
            Some((name, Some(qualifier)))
        }
        _ => None,
    }
}

/// A Lambda `FunctionName`: `<name>[:<qualifier>]`, `<account>:function:<name>[:<qualifier>]`
/// or `arn:<p>:lambda:<region>:<account>:function:<name>[:<qualifier>]`.
pub(super) fn function_name(text: &str) -> Option<FunctionParts<'_>> {
    if text.starts_with("arn:") {
        return match split_outside_placeholders(text, ':', 6).as_slice() {
            ["arn", p, "lambda", region, account, resource] if !p.is_empty() => resource
                .strip_prefix("function:")
                .and_then(name_and_qualifier)
                .map(|(name, qualifier)| FunctionParts {
                    name,
                    qualifier,
                    region: non_empty(region),
                    account: non_empty(account),
                }),
            _ => None,
        };
    }
    let (account, rest) = match split_outside_placeholders(text, ':', 3).as_slice() {
        [account, "function", rest] => (non_empty(account), *rest),
        _ => (None, text),
    };
    name_and_qualifier(rest).map(|(name, qualifier)| FunctionParts {
        name,
        qualifier,
        region: None,
        account,
    })
}

/// What [`function_name`] reads: the name, a qualifier, and the region and account when the
/// text names them.
pub(super) struct FunctionParts<'a> {
    pub(super) name: &'a str,
    pub(super) qualifier: Option<&'a str>,
    pub(super) region: Option<&'a str>,
    pub(super) account: Option<&'a str>,
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// Step Functions' own ARN resource types: a state machine (its versions and aliases are
/// `stateMachine:<name>:<qualifier>`), an execution, an express execution, a Map Run. They name
/// things, not calls, so they are never service integrations.
const STATES_RESOURCE_TYPES: [&str; 5] = [
    "stateMachine",
    "execution",
    "express",
    "mapRun",
    "stateMachineVersion",
];

/// Whether a parsed `<service>:<action>` is a call. Integration ARNs are written without region
/// and account (`arn:aws:states:::sqs:sendMessage`); with either present only a service this
/// crate knows counts (`arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject` is one),
/// so `arn:aws:states:us-east-1:123456789012:stateMachine:M` stays a state machine's ARN.
fn is_integration(call: &Integration, resource: &str, region: &str, account: &str) -> bool {
    let kind = resource.split(':').next().unwrap_or_default();
    if STATES_RESOURCE_TYPES.contains(&kind) {
        return false;
    }
    (region.is_empty() && account.is_empty()) || !matches!(call.service, Service::Other(_))
}

/// `<service>:<action>[.<pattern>]` or `aws-sdk:<service>:<action>[.<pattern>]`.
fn integration(resource: &str) -> Option<Integration> {
    let (call, pattern) = match resource.split_once('.') {
        None => (resource, IntegrationPattern::RequestResponse),
        Some((call, "sync")) => (call, IntegrationPattern::Sync),
        Some((call, "sync:2")) => (call, IntegrationPattern::Sync2),
        Some((call, "waitForTaskToken")) => (call, IntegrationPattern::WaitForTaskToken),
        Some(_) => return None,
    };
    let (sdk, call) = match call.strip_prefix("aws-sdk:") {
        Some(rest) => (true, rest),
        None => (false, call),
    };
    let (service, action) = call.split_once(':')?;
    if service.is_empty() || action.is_empty() || action.contains(':') {
        return None;
    }
    let service = if sdk {
        Service::AwsSdk(service.to_owned())
    } else {
        Service::from_name(service)
    };
    Some(Integration {
        service,
        action: action.to_owned(),
        pattern,
    })
}

impl Service {
    /// The service an optimized integration ARN names (`dynamodb` → [`Service::DynamoDb`]);
    /// a name this crate does not list is [`Service::Other`].
    pub fn from_name(name: &str) -> Service {
        match name {
            "lambda" => Service::Lambda,
            "batch" => Service::Batch,
            "dynamodb" => Service::DynamoDb,
            "ecs" => Service::Ecs,
            "eks" => Service::Eks,
            "sns" => Service::Sns,
            "sqs" => Service::Sqs,
            "glue" => Service::Glue,
            "databrew" => Service::DataBrew,
            "sagemaker" => Service::SageMaker,
            "elasticmapreduce" => Service::Emr,
            "emr-containers" => Service::EmrContainers,
            "emr-serverless" => Service::EmrServerless,
            "codebuild" => Service::CodeBuild,
            "athena" => Service::Athena,
            "states" => Service::StepFunctions,
            "apigateway" => Service::ApiGateway,
            "events" => Service::EventBridge,
            "mediaconvert" => Service::MediaConvert,
            "bedrock" => Service::Bedrock,
            "http" => Service::Http,
            "s3" => Service::S3,
            other => Service::Other(other.to_owned()),
        }
    }
}

/// Whether `s` holds a `${…}` deployment-template placeholder.
pub(super) fn has_placeholder(s: &str) -> bool {
    s.find("${").is_some_and(|i| s[i + 2..].contains('}'))
}

/// Splits `s` at `sep` into at most `max` parts (the last keeps the rest), never inside a
/// `${…}` placeholder: CloudFormation writes `arn:${AWS::Partition}:…`, whose `::` is not a
/// separator.
fn split_outside_placeholders(s: &str, sep: char, max: usize) -> Vec<&str> {
    let mut parts = Vec::with_capacity(max);
    let mut depth = 0usize;
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if parts.len() + 1 == max {
            break;
        }
        match c {
            '$' if chars.peek().is_some_and(|&(_, n)| n == '{') => {
                chars.next();
                depth += 1;
            }
            '}' if depth > 0 => depth -= 1,
            c if c == sep && depth == 0 => {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}
