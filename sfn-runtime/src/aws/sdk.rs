//! `arn:aws:states:::aws-sdk:<service>:<action>`: one generic request for every action of a
//! service on the AWS JSON protocols (S3, Lambda and the Query-protocol SNS and STS have their
//! own modules, reached from [`call`]). The state's parameters are the action's request in AWS's
//! own member names (`TableName`, `Key`), so they are the body as they are; the answer's body
//! is the result, without the metadata blocks of optimized integrations.

use serde_json::Value;

use super::errors::ServiceError;
use super::http::{self, RawResponse};
use super::services::{self, ModelNotes, Protocol, ServiceSpec};
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

/// The request as the wire takes it: members set to `null` left out (the SDK sends no unset
/// member), JSON given for a JSON-text member written as its text, names in the wire's case.
fn to_wire(model: &ModelNotes, value: Value, top: bool) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let v = match (top && model.json_text.contains(&k.as_str()), v) {
                        (
                            true,
                            v @ (Value::Object(_)
                            | Value::Array(_)
                            | Value::Number(_)
                            | Value::Bool(_)),
                        ) => Value::String(v.to_string()),
                        (_, v) => to_wire(model, v, false),
                    };
                    let k = match model.camel_case_wire {
                        true => first_char(&k, char::to_ascii_lowercase),
                        false => k,
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(|v| to_wire(model, v, false)).collect()),
        other => other,
    }
}

/// The answer as the SDK v2 gives it: names in the SDK's case, timestamps as ISO-8601 text,
/// members the wire sets to `null` left out (the SDK leaves them unset).
fn from_wire(model: &ModelNotes, value: Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let k = match model.camel_case_wire {
                        true => first_char(&k, char::to_ascii_uppercase),
                        false => k,
                    };
                    let v = match (model.timestamps.contains(&k.as_str()), v) {
                        (true, Value::Number(n)) => n
                            .as_f64()
                            .and_then(iso_instant)
                            .map_or(Value::Number(n), Value::String),
                        (_, v) => from_wire(model, v),
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(|v| from_wire(model, v)).collect()),
        other => other,
    }
}

fn first_char(s: &str, f: fn(&char) -> char) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        std::iter::once(f(&c)).chain(chars).collect()
    })
}

/// Epoch seconds as Java's `Instant.toString()` writes them: `2024-01-01T00:00:00.123Z`, the
/// fraction left out when it is zero.
pub(crate) fn iso_instant(seconds: f64) -> Option<String> {
    let millis = (seconds * 1000.0).round();
    if !millis.is_finite() {
        return None;
    }
    // In range: checked above to be finite; `from_timestamp_millis` refuses the rest.
    #[allow(clippy::cast_possible_truncation)]
    let t = chrono::DateTime::from_timestamp_millis(millis as i64)?;
    Some(match t.timestamp_subsec_millis() {
        0 => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        _ => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
    })
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

    #[test]
    fn sfn_members_are_camel_case_on_the_wire_and_dates_iso_text() {
        let model = &services::SFN.model;
        let wire = to_wire(
            model,
            serde_json::json!({"StateMachineArn": "a", "Input": {"k": 1}, "Name": null}),
            true,
        );
        assert_eq!(
            wire,
            serde_json::json!({"stateMachineArn": "a", "input": "{\"k\":1}"})
        );
        let result = from_wire(
            model,
            serde_json::json!({"executionArn": "e", "startDate": 1704067200.5}),
        );
        assert_eq!(
            result,
            serde_json::json!({"ExecutionArn": "e", "StartDate": "2024-01-01T00:00:00.500Z"})
        );
        assert_eq!(
            iso_instant(1704067200.0).as_deref(),
            Some("2024-01-01T00:00:00Z")
        );
    }
}
