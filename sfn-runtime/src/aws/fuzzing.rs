//! The decoders of service answers as plain functions, for the fuzz targets (`fuzz/`) and the
//! tests that replay their findings: not an API to build on (hidden from the docs, free to
//! change).
//!
//! An answer comes from whatever endpoint is configured (AWS, an emulator, any server), so
//! each decoder reads untrusted input. Each function here is one decoder exactly as the
//! integration calls it, with the model it reads.

use serde_json::{Map, Value};

use super::errors::ServiceError;
use super::response::RawResponse;
use super::s3_errors::S3Error;
use super::s3_model::{lower_first, ACTIONS, HEADERS};
use super::services::{self, ServiceSpec, BATCH, ECS, GLUE, SNS};
use super::{job_shapes, query_codec, query_model, s3_answer, s3_xml, sdk_shapes, xml};

pub use super::query_model::{Member, Shape};
pub use super::s3_model::Answer as S3Body;
pub use super::xml::Node;

/// How deep [`xml_tree`] reads elements.
pub const XML_MAX_DEPTH: usize = xml::MAX_DEPTH;

/// The element tree of an XML answer (S3 and the Query protocol read it).
pub fn xml_tree(xml: &str) -> Result<Node, String> {
    xml::tree(xml)
}

/// The text of the first element named `name` (Query errors and STS credentials read it).
pub fn xml_element_text(xml: &str, name: &str) -> Option<String> {
    xml::element_text(xml, name)
}

/// The Query-protocol actions, as `aws-sdk:` names them (`sns:listTopics`).
pub fn query_actions() -> Vec<String> {
    [&query_model::SNS_API, &query_model::STS_API]
        .into_iter()
        .flat_map(|api| {
            api.actions
                .iter()
                .map(|a| format!("{}:{}", api.service, lower_first(a.name)))
        })
        .collect()
}

fn query_action(name: &str) -> Option<&'static query_model::Action> {
    let (service, action) = name.split_once(':')?;
    query_model::api(service)?.action(action)
}

/// The members of a Query action's result (`sns:listTopics`), in the model's order; `None`
/// for an action that is not one of [`query_actions`].
pub fn query_output(action: &str) -> Option<&'static [Member]> {
    Some(query_action(action)?.output)
}

/// The result of a Query action (`sns:listTopics`) from its XML answer.
pub fn query_answer(action: &str, body: &str) -> Option<Result<Map<String, Value>, String>> {
    Some(query_codec::decode(query_action(action)?, body))
}

/// A service's error answer as the integrations read it.
#[derive(Debug)]
pub struct ErrorAnswer {
    /// The error code the answer names.
    pub code: Option<String>,
    /// Its message.
    pub message: Option<String>,
    /// The request id, from the body or the headers.
    pub request_id: Option<String>,
    /// The task's error name.
    pub error: String,
    /// The task's cause.
    pub cause: String,
}

fn response(status: u16, headers: &[(String, String)], body: &[u8]) -> RawResponse {
    RawResponse {
        status,
        headers: headers.to_vec(),
        body: body.to_vec(),
    }
}

fn service_error(e: &ServiceError, spec: &ServiceSpec) -> ErrorAnswer {
    let task = e.sdk(spec);
    ErrorAnswer {
        code: Some(e.code.clone()),
        message: Some(e.message.clone()),
        request_id: Some(e.request_id.clone()),
        error: task.error,
        cause: task.cause.unwrap_or_default(),
    }
}

/// A Query-protocol error answer (`<ErrorResponse>`), as `aws-sdk:sns` names it.
pub fn query_error(status: u16, headers: &[(String, String)], body: &[u8]) -> ErrorAnswer {
    service_error(
        &ServiceError::from_query(&response(status, headers, body)),
        &SNS,
    )
}

/// An AWS JSON protocol error answer, as `aws-sdk:<service>` names it (`None` for a service
/// that is not one of [`sdk_service`]'s).
pub fn json_error(
    service: &str,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Option<ErrorAnswer> {
    let spec = services::sdk_service(service)?;
    Some(service_error(
        &ServiceError::from_json(&response(status, headers, body)),
        spec,
    ))
}

/// The `aws-sdk:s3` actions, as S3's API names them (`GetObject`).
pub fn s3_actions() -> Vec<&'static str> {
    ACTIONS.iter().map(|a| a.name).collect()
}

/// What a successful answer to an S3 action holds.
#[derive(Debug)]
pub struct S3Action {
    /// What its body holds.
    pub body: S3Body,
    /// The members it answers in headers: (member, header).
    pub headers: Vec<(&'static str, &'static str)>,
    /// Whether it answers `Metadata` (from `x-amz-meta-*`).
    pub metadata: bool,
}

/// The model of the S3 action `action` (`GetObject`).
pub fn s3_action(action: &str) -> Option<S3Action> {
    let action = ACTIONS.iter().find(|a| a.name == action)?;
    Some(S3Action {
        body: action.answer,
        headers: HEADERS
            .iter()
            .filter(|(member, _)| action.outputs.contains(member))
            .copied()
            .collect(),
        metadata: action.metadata,
    })
}

/// The result of a successful S3 answer to `action` (`GetObject`).
pub fn s3_answer(
    action: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Option<Result<Value, String>> {
    let action = ACTIONS.iter().find(|a| a.name == action)?;
    let answer = response(200, headers, body);
    Some(s3_answer::decode(action, &answer).map_err(|e| e.cause.unwrap_or(e.error)))
}

/// An S3 error answer to `action`, as `aws-sdk:s3` names it.
pub fn s3_error(
    action: &str,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Option<ErrorAnswer> {
    let action = ACTIONS.iter().find(|a| a.name == action)?;
    let e = S3Error::read(action, &response(status, headers, body));
    let task = e.task_error();
    Some(ErrorAnswer {
        code: e.code,
        message: e.message,
        request_id: e.request_id,
        error: task.error,
        cause: task.cause.unwrap_or_default(),
    })
}

/// The members of an S3 XML body (the root's children).
pub fn s3_xml(xml: &str) -> Result<Map<String, Value>, String> {
    s3_xml::decode(xml)
}

/// The services on the AWS JSON protocols that `aws-sdk:` reaches (`dynamodb`, `sfn`, ...).
pub const SDK_JSON_SERVICES: &[&str] = &[
    "dynamodb",
    "sqs",
    "eventbridge",
    "secretsmanager",
    "sfn",
    "ecs",
    "glue",
];

/// The service `aws-sdk:<service>` reaches over an AWS JSON protocol.
pub fn sdk_service(service: &str) -> Option<&'static ServiceSpec> {
    services::sdk_service(service)
}

/// An `aws-sdk:` JSON answer as the task's result (the SDK v2's names and times).
pub fn sdk_from_wire(spec: &ServiceSpec, answer: Value) -> Value {
    sdk_shapes::from_wire(&spec.model, answer)
}

/// The job services (`.sync` answers in the Java SDK v1's shapes).
pub fn job_service(service: &str) -> Option<&'static ServiceSpec> {
    match service {
        "ecs" => Some(&ECS),
        "batch" => Some(&BATCH),
        "glue" => Some(&GLUE),
        _ => None,
    }
}

/// Members whose value is a map of the user's keys, kept as they are.
pub const JOB_MAP_MEMBERS: &[&str] = job_shapes::MAP_MEMBERS;

/// A job service's answer as the task's result (the Java SDK v1's names and times).
pub fn job_from_wire(spec: &ServiceSpec, answer: Value) -> Value {
    job_shapes::from_wire(&spec.model, answer)
}

/// A `DescribeExecution` answer as the result of `states:startExecution.sync` (`parsed`: of
/// `.sync:2`).
pub fn execution_description(answer: &Value, parsed: bool) -> Value {
    job_shapes::execution_description(answer, parsed)
}
