//! A Task state's `Resource`, parsed once: what it calls and how.
//!
//! [`Resource`] keeps the text exactly as written (the emitter writes it back unchanged, the
//! history and the handler registry key on it) together with what it means: a service
//! integration ([`Integration`]: service, action, [`IntegrationPattern`]), a Lambda function or
//! an activity ([`Target`]), and the parts of its ARN ([`Arn`], with its [`Partition`]). The
//! linter, the IAM policy, the engine's routing and the macro all read this one value instead of
//! taking the string apart again.
//!
//! Parsing never fails: a resource Step Functions would not recognise (a `${…}` placeholder of a
//! deployment template, the name of a test double) is [`Target::Unrecognized`] and still
//! validates as before. A placeholder inside an ARN (`arn:${AWS::Partition}:states:::…`) is one
//! opaque part, so the rest of the ARN is still understood.
//!
//! ```
//! use sfn_asl::resource::{IntegrationPattern, Partition, Resource, Service, Target};
//!
//! let r = Resource::parse("arn:aws-cn:states:::sqs:sendMessage.waitForTaskToken");
//! let call = r.integration().expect("a service integration");
//! assert_eq!(call.service, Service::Sqs);
//! assert_eq!(call.action, "sendMessage");
//! assert_eq!(call.pattern, IntegrationPattern::WaitForTaskToken);
//! assert_eq!(r.partition(), Some(&Partition::AwsCn));
//! assert_eq!(r.to_string(), "arn:aws-cn:states:::sqs:sendMessage.waitForTaskToken");
//!
//! let f = Resource::parse("arn:aws:lambda:us-east-1:123456789012:function:charge:PROD");
//! assert_eq!(
//!     f.target(),
//!     &Target::LambdaFunction { name: "charge".into(), qualifier: Some("PROD".into()) }
//! );
//! let arn = f.arn().expect("an ARN");
//! assert_eq!((arn.region.as_str(), arn.account.as_str()), ("us-east-1", "123456789012"));
//!
//! assert_eq!(Resource::parse("${ChargeFunctionArn}").target(), &Target::Unrecognized);
//! ```

pub mod http;
mod parser;
#[cfg(test)]
mod tests;

use std::fmt;
use std::hash::{Hash, Hasher};

/// A Task `Resource`: the text as written and what it names.
///
/// It dereferences to the text (`&str`), because the text is the resource's identity: handlers
/// are registered under it, history events and error causes quote it.
#[derive(Debug, Clone)]
pub struct Resource {
    text: String,
    arn: Option<Arn>,
    target: Target,
}

/// What a resource calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// `arn:<partition>:states:<region>:<account>:<service>:<action>[.<pattern>]` (region and
    /// account are usually empty), `aws-sdk:<service>:<action>` included.
    Integration(Integration),
    /// `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]`, invoked directly.
    LambdaFunction {
        /// The function name.
        name: String,
        /// A version or alias (`:PROD`, `:3`), when given.
        qualifier: Option<String>,
    },
    /// `arn:<partition>:states:<region>:<account>:activity:<name>`: a worker polls for it.
    Activity {
        /// The activity name.
        name: String,
    },
    /// Anything else: a template placeholder (`${FunctionArn}`), a test double's name, an ARN of
    /// a kind Step Functions cannot call.
    Unrecognized,
}

/// A call to an AWS service through Step Functions (`arn:aws:states:::dynamodb:putItem`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Integration {
    /// The service (`dynamodb`, `aws-sdk:s3`, ...).
    pub service: Service,
    /// The action as written in the ARN (`putItem`, `startExecution`, `getObject`).
    pub action: String,
    /// How Step Functions waits for the call.
    pub pattern: IntegrationPattern,
}

/// How a Task waits for a service integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntegrationPattern {
    /// No suffix: the state ends when the service answers the call.
    RequestResponse,
    /// `.sync`: the state ends when the started job ends.
    Sync,
    /// `.sync:2`: `.sync` with the result as JSON rather than text (`states:startExecution`).
    Sync2,
    /// `.waitForTaskToken`: the state ends when someone returns the task token.
    WaitForTaskToken,
}

impl IntegrationPattern {
    /// The suffix as it ends the resource (`""`, `".sync"`, `".sync:2"`, `".waitForTaskToken"`).
    pub fn suffix(self) -> &'static str {
        match self {
            IntegrationPattern::RequestResponse => "",
            IntegrationPattern::Sync => ".sync",
            IntegrationPattern::Sync2 => ".sync:2",
            IntegrationPattern::WaitForTaskToken => ".waitForTaskToken",
        }
    }

    /// `.sync` or `.sync:2`: the state waits for a job to finish.
    pub fn is_sync(self) -> bool {
        matches!(self, IntegrationPattern::Sync | IntegrationPattern::Sync2)
    }
}

/// The service of an [`Integration`]: the optimized integrations by name, any other service
/// through the AWS SDK integration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Service {
    /// `lambda`.
    Lambda,
    /// `batch`.
    Batch,
    /// `dynamodb`.
    DynamoDb,
    /// `ecs`.
    Ecs,
    /// `eks`.
    Eks,
    /// `sns`.
    Sns,
    /// `sqs`.
    Sqs,
    /// `glue`.
    Glue,
    /// `databrew` (Glue DataBrew).
    DataBrew,
    /// `sagemaker`.
    SageMaker,
    /// `elasticmapreduce` (EMR).
    Emr,
    /// `emr-containers` (EMR on EKS).
    EmrContainers,
    /// `emr-serverless`.
    EmrServerless,
    /// `codebuild`.
    CodeBuild,
    /// `athena`.
    Athena,
    /// `states`: a nested execution (`startExecution`).
    StepFunctions,
    /// `apigateway`.
    ApiGateway,
    /// `events` (EventBridge).
    EventBridge,
    /// `mediaconvert`.
    MediaConvert,
    /// `bedrock`.
    Bedrock,
    /// `http`: an HTTPS endpoint.
    Http,
    /// `s3` (the Distributed Map `ItemReader` / `ResultWriter` resources).
    S3,
    /// `aws-sdk:<service>`: any SDK call, with the SDK's service name (`s3`, `sfn`, `ec2`).
    AwsSdk(String),
    /// An optimized integration this crate does not name, as written.
    Other(String),
}

impl Service {
    /// The service as the ARN writes it (`dynamodb`, `aws-sdk:s3`).
    pub fn name(&self) -> &str {
        match self {
            Service::Lambda => "lambda",
            Service::Batch => "batch",
            Service::DynamoDb => "dynamodb",
            Service::Ecs => "ecs",
            Service::Eks => "eks",
            Service::Sns => "sns",
            Service::Sqs => "sqs",
            Service::Glue => "glue",
            Service::DataBrew => "databrew",
            Service::SageMaker => "sagemaker",
            Service::Emr => "elasticmapreduce",
            Service::EmrContainers => "emr-containers",
            Service::EmrServerless => "emr-serverless",
            Service::CodeBuild => "codebuild",
            Service::Athena => "athena",
            Service::StepFunctions => "states",
            Service::ApiGateway => "apigateway",
            Service::EventBridge => "events",
            Service::MediaConvert => "mediaconvert",
            Service::Bedrock => "bedrock",
            Service::Http => "http",
            Service::S3 => "s3",
            Service::AwsSdk(_) => "aws-sdk",
            Service::Other(s) => s,
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Service::AwsSdk(s) => write!(f, "aws-sdk:{s}"),
            other => f.write_str(other.name()),
        }
    }
}

/// The AWS partition of an ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Partition {
    /// `aws`: the commercial regions.
    Aws,
    /// `aws-cn`: China.
    AwsCn,
    /// `aws-us-gov`: AWS GovCloud (US).
    AwsUsGov,
    /// `aws-iso`.
    AwsIso,
    /// `aws-iso-b`.
    AwsIsoB,
    /// `aws-iso-e`.
    AwsIsoE,
    /// `aws-iso-f`.
    AwsIsoF,
    /// `aws-eusc`: the European Sovereign Cloud.
    AwsEusc,
    /// Any other text, as written: a template placeholder (`${AWS::Partition}`) or a partition
    /// this crate does not know yet. Written back unchanged into derived ARNs (the IAM policy),
    /// so a template stays a template.
    Other(String),
}

impl Partition {
    /// The partition as written in an ARN.
    pub fn as_str(&self) -> &str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
            Partition::AwsIso => "aws-iso",
            Partition::AwsIsoB => "aws-iso-b",
            Partition::AwsIsoE => "aws-iso-e",
            Partition::AwsIsoF => "aws-iso-f",
            Partition::AwsEusc => "aws-eusc",
            Partition::Other(s) => s,
        }
    }

    /// The partition that `text` spells (never fails: unknown text is [`Partition::Other`]).
    pub fn parse(text: &str) -> Partition {
        match text {
            "aws" => Partition::Aws,
            "aws-cn" => Partition::AwsCn,
            "aws-us-gov" => Partition::AwsUsGov,
            "aws-iso" => Partition::AwsIso,
            "aws-iso-b" => Partition::AwsIsoB,
            "aws-iso-e" => Partition::AwsIsoE,
            "aws-iso-f" => Partition::AwsIsoF,
            "aws-eusc" => Partition::AwsEusc,
            other => Partition::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The parts of an ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Arn {
    /// The partition (`aws`, `aws-cn`, ...).
    pub partition: Partition,
    /// The service namespace (`states`, `lambda`).
    pub service: String,
    /// The region; empty in service-integration ARNs (`arn:aws:states:::…`).
    pub region: String,
    /// The account id; empty in service-integration ARNs.
    pub account: String,
    /// Everything after the account: the resource type and name (`function:charge:PROD`,
    /// `activity:approve`, `sqs:sendMessage.waitForTaskToken`).
    pub resource: String,
}

/// A Lambda function as a `FunctionName` parameter or a handler key names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionRef<'a> {
    /// The function name (`charge`).
    pub name: &'a str,
    /// A version or alias (`PROD`, `3`), when given.
    pub qualifier: Option<&'a str>,
    /// The region, when a full ARN names it.
    pub region: Option<&'a str>,
    /// The account id, when a full or partial ARN names it.
    pub account: Option<&'a str>,
}

impl<'a> FunctionRef<'a> {
    /// The function a Lambda `FunctionName` names, in any of its forms: a name (`charge`,
    /// `charge:PROD`), a partial ARN (`123456789012:function:charge[:PROD]`) or a full ARN
    /// (`arn:aws:lambda:us-east-1:123456789012:function:charge[:PROD]`). `None` for anything
    /// else (another service's ARN, an empty name, more than one qualifier).
    pub fn parse(text: &'a str) -> Option<FunctionRef<'a>> {
        parser::function_name(text).map(|f| FunctionRef {
            name: f.name,
            qualifier: f.qualifier,
            region: f.region,
            account: f.account,
        })
    }
}

/// A state machine named by its ARN: `stateMachine:<name>[:<qualifier>]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateMachineRef<'a> {
    /// The state machine's name (`M` in `…:stateMachine:M:PROD`).
    pub name: &'a str,
    /// A version (`1`) or alias (`PROD`), when the ARN is qualified.
    pub qualifier: Option<&'a str>,
}

impl Arn {
    /// The parts of an ARN (`None` when `text` is not `arn:<partition>:<service>:…` with six
    /// parts). `${…}` placeholders stay whole, as in [`Resource::parse`].
    pub fn parse(text: &str) -> Option<Arn> {
        parser::parse(text).0
    }

    /// The state machine a `states` ARN names, plain (`…:stateMachine:M`), a version
    /// (`…:stateMachine:M:1`) or an alias (`…:stateMachine:M:PROD`).
    pub fn state_machine(&self) -> Option<StateMachineRef<'_>> {
        if self.service != "states" {
            return None;
        }
        let rest = self.resource.strip_prefix("stateMachine:")?;
        let (name, qualifier) = match rest.split_once(':') {
            None => (rest, None),
            Some((name, q)) if !q.is_empty() && !q.contains(':') => (name, Some(q)),
            Some(_) => return None,
        };
        (!name.is_empty()).then_some(StateMachineRef { name, qualifier })
    }

    /// The ARN of the execution `execution` of the state machine this ARN names:
    /// `arn:<p>:states:<region>:<account>:execution:<name>:<execution>`. A version or alias
    /// does not appear in it: Step Functions records it beside the execution
    /// (`stateMachineVersionArn`, `stateMachineAliasArn`), not in its ARN.
    pub fn execution_arn(&self, execution: &str) -> Option<String> {
        let machine = self.state_machine()?;
        let Arn {
            partition,
            region,
            account,
            ..
        } = self;
        Some(format!(
            "arn:{partition}:states:{region}:{account}:execution:{}:{execution}",
            machine.name
        ))
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Arn {
            partition,
            service,
            region,
            account,
            resource,
        } = self;
        write!(f, "arn:{partition}:{service}:{region}:{account}:{resource}")
    }
}

impl Resource {
    /// Reads a `Resource` value. Never fails: see [`Target::Unrecognized`].
    pub fn parse(text: impl Into<String>) -> Resource {
        let text = text.into();
        let (arn, target) = parser::parse(&text);
        Resource { text, arn, target }
    }

    /// The resource exactly as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What the resource calls.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Whether the text has a form Step Functions reads as a resource: an ARN
    /// (`arn:<partition>:<service>:<region>:<account>:<resource>`), or text holding a `${…}`
    /// placeholder that a deployment template replaces before AWS sees it. `""` and `x` are
    /// neither, and AWS rejects them ("Value is not a valid resource ARN").
    pub fn is_well_formed(&self) -> bool {
        self.arn.is_some() || parser::has_placeholder(&self.text)
    }

    /// The parts of the resource's ARN, when it is one.
    pub fn arn(&self) -> Option<&Arn> {
        self.arn.as_ref()
    }

    /// The ARN's partition, when the resource is an ARN.
    pub fn partition(&self) -> Option<&Partition> {
        self.arn.as_ref().map(|a| &a.partition)
    }

    /// The service integration, when the resource is one.
    pub fn integration(&self) -> Option<&Integration> {
        match &self.target {
            Target::Integration(i) => Some(i),
            _ => None,
        }
    }

    /// The integration pattern of a service integration (`None` for functions, activities and
    /// unrecognized resources).
    pub fn pattern(&self) -> Option<IntegrationPattern> {
        self.integration().map(|i| i.pattern)
    }

    /// Whether the resource is an integration of `service` calling `action` (any pattern).
    pub fn is_call(&self, service: &Service, action: &str) -> bool {
        self.integration()
            .is_some_and(|i| &i.service == service && i.action == action)
    }

    /// Whether the task calls the function its `FunctionName` parameter names: `lambda:invoke`
    /// request-response or callback, in any partition. The engine routes such a task to that
    /// function's handler, and the `workflow!` macro keys its handler the same way.
    pub fn invokes_function_by_name(&self) -> bool {
        self.is_call(&Service::Lambda, "invoke")
            && !self.pattern().is_some_and(IntegrationPattern::is_sync)
    }

    /// Whether the resource is an activity.
    pub fn is_activity(&self) -> bool {
        matches!(self.target, Target::Activity { .. })
    }

    /// Whether the task waits for its token (`.waitForTaskToken`).
    pub fn is_callback(&self) -> bool {
        self.pattern() == Some(IntegrationPattern::WaitForTaskToken)
    }
}

/// The text, so a `Resource` reads as the string it was parsed from (`r.starts_with("arn:")`,
/// `&*r` as a registry key).
impl std::ops::Deref for Resource {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl AsRef<str> for Resource {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// Writes the resource exactly as it was written.
impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

// Equality and hashing follow the text: the parsed parts are a function of it.
impl PartialEq for Resource {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Resource {}

impl Hash for Resource {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PartialEq<str> for Resource {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Resource {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl From<&str> for Resource {
    fn from(text: &str) -> Self {
        Resource::parse(text)
    }
}

impl From<String> for Resource {
    fn from(text: String) -> Self {
        Resource::parse(text)
    }
}

impl From<Resource> for String {
    fn from(r: Resource) -> Self {
        r.text
    }
}

impl std::str::FromStr for Resource {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Resource::parse(s))
    }
}

impl serde::Serialize for Resource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for Resource {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Resource::parse)
    }
}
