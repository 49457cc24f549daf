//! `arn:aws:states:::aws-sdk:<service>:<action>`: one generic request for every action of a
//! service on the AWS JSON protocols (S3, Lambda and the Query-protocol SNS and STS have their
//! own modules, reached from [`call`]). The state's parameters are the action's request in AWS's
//! own member names (`TableName`, `Key`), so they are the body as they are; the answer's body
//! is the result, without the metadata blocks of optimized integrations.

use serde_json::Value;

use super::errors::ServiceError;
use super::http;
use super::response::RawResponse;
use super::sdk_shapes::{from_wire, to_wire};
use super::services::{self, Protocol, ServiceSpec};
use super::AwsClients;
use crate::resources::TaskError;

/// Why a call gave no result: the service's error, or one before or around the call.
pub(crate) enum CallError {
    Service(ServiceError),
    Local(TaskError),
}

impl From<TaskError> for CallError {
    fn from(e: TaskError) -> Self {
        CallError::Local(e)
    }
}

/// `getItem` ⇒ `GetItem`: the action as the API names it.
pub(crate) fn api_action(action: &str) -> String {
    let mut chars = action.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// `POST /` with `X-Amz-Target: <prefix>.<Action>` and the parameters as the JSON body.
pub(crate) async fn json_call(
    clients: &AwsClients,
    spec: &'static ServiceSpec,
    action: &str,
    params: &Value,
) -> Result<RawResponse, CallError> {
    let Protocol::Json {
        version,
        target_prefix,
    } = spec.protocol
    else {
        return Err(CallError::Local(TaskError::new(
            "States.Runtime",
            format!("{} is not on an AWS JSON protocol", spec.service_id),
        )));
    };
    let client = clients.client(spec).await?;
    let target = format!("{target_prefix}.{action}");
    let content_type = format!("application/x-amz-json-{version}");
    let headers = [
        ("content-type", content_type.as_str()),
        ("x-amz-target", target.as_str()),
    ];
    let body = match params {
        Value::Null => b"{}".to_vec(),
        p => p.to_string().into_bytes(),
    };
    let response = http::post(clients, &client, &headers, body).await?;
    if (200..300).contains(&response.status) {
        Ok(response)
    } else {
        Err(CallError::Service(ServiceError::from_json(&response)))
    }
}

/// Runs an `aws-sdk:` integration.
pub(crate) async fn call(
    clients: &AwsClients,
    service: &str,
    action: &str,
    params: Value,
) -> Result<Value, TaskError> {
    if service == "s3" {
        // S3 speaks REST-XML, not a JSON protocol: its own module.
        return super::s3::call(clients, action, params).await;
    }
    if let Some(api) = super::query_model::api(service) {
        // SNS and STS speak the Query protocol: form in, XML out, by their model.
        return super::query::sdk_call(clients, api, action, params).await;
    }
    let Some(spec) = services::sdk_service(service) else {
        return Err(TaskError::new(
            "States.Runtime",
            format!(
                "the AWS SDK integration 'aws-sdk:{service}' is not supported here; the \
                 supported services are {}",
                services::SDK_SERVICES
            ),
        ));
    };
    let params = to_wire(&spec.model, params, true);
    match json_call(clients, spec, &api_action(action), &params).await {
        Ok(response) => Ok(from_wire(&spec.model, response.json()?)),
        Err(CallError::Service(e)) => Err(e.sdk(spec)),
        Err(CallError::Local(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_named_as_the_api_names_them() {
        assert_eq!(api_action("getItem"), "GetItem");
        assert_eq!(api_action("putEvents"), "PutEvents");
        assert_eq!(api_action(""), "");
    }
}
