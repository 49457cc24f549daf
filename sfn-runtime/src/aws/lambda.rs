//! AWS Lambda, as Step Functions calls it: the optimized `arn:aws:states:::lambda:invoke`
//! (and `.waitForTaskToken`), a function ARN as the resource itself
//! (`arn:aws:lambda:<region>:<account>:function:<name>`), and `aws-sdk:lambda:<action>`.
//!
//! Lambda speaks REST-JSON: `Invoke` is `POST /2015-03-31/functions/{FunctionName}/invocations`
//! with the payload as the body, `X-Amz-Invocation-Type`, `X-Amz-Log-Type` and
//! `X-Amz-Client-Context` headers and a `Qualifier` query member; the answer is the function's
//! own bytes, with `X-Amz-Executed-Version`, `X-Amz-Function-Error` and `X-Amz-Log-Result`.
//! What each integration makes of it:
//! - `lambda:invoke` returns `{ExecutedVersion, LogResult?, Payload, SdkHttpMetadata,
//!   SdkResponseMetadata, StatusCode}`, the payload parsed when it is JSON (else its text); a
//!   function error fails the state with the function's `errorType` and its error JSON,
//!   written compactly, as the cause.
//! - A function ARN returns the payload alone; a function error's cause is the error JSON as
//!   the function wrote it.
//! - `aws-sdk:lambda:invoke` returns the SDK's members, the payload as text, and does not fail
//!   on a function error.
//!
//! A function error without an `errorType` (a timeout or out-of-memory end inside Lambda) is
//! `Lambda.Unknown`; a service error is `Lambda.<Exception>` (`Lambda.ResourceNotFoundException`,
//! `Lambda.AWSLambdaException` for one Lambda does not model).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

use super::errors::ServiceError;
use super::http;
use super::response::RawResponse;
use super::services::{Protocol, ServiceSpec, PASCAL};
use super::AwsClients;
use crate::resources::TaskError;

pub(crate) static LAMBDA: ServiceSpec = ServiceSpec {
    service_id: "Lambda",
    signing_name: "lambda",
    endpoint_prefix: "lambda",
    protocol: Protocol::RestJson,
    optimized_prefix: "Lambda",
    v1_service: "AWSLambda",
    v1_exception: "AWSLambdaException",
    sdk_name: "Lambda",
    model: PASCAL,
};

/// The API version in every Lambda path.
const API: &str = "/2015-03-31";

/// What a URI label keeps as it is (RFC 3986 unreserved); everything else is escaped, as the
/// SDKs escape `:` in a function ARN.
const LABEL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn runtime(cause: String) -> TaskError {
    TaskError::new("States.Runtime", cause)
}

/// Whether `action` of the optimized Lambda integration is served here.
pub(crate) fn supports(action: &str) -> bool {
    action == "invoke"
}

/// An `Invoke` request.
#[derive(Debug, Clone, PartialEq)]
struct Invoke {
    function_name: String,
    qualifier: Option<String>,
    invocation_type: Option<String>,
    log_type: Option<String>,
    client_context: Option<String>,
    payload: Option<Vec<u8>>,
}

impl Invoke {
    /// The request of `lambda:invoke` or `aws-sdk:lambda:invoke` from the state's parameters.
    fn from_parameters(integration: &str, params: &Value) -> Result<Invoke, TaskError> {
        let text = |name: &str| -> Result<Option<String>, TaskError> {
            match params.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(runtime(format!(
                    "the parameter '{name}' of {integration} must be text, not {other}"
                ))),
            }
        };
        let Some(function_name) = text("FunctionName")? else {
            return Err(runtime(format!(
                "The field 'FunctionName' is required for {integration}."
            )));
        };
        Ok(Invoke {
            function_name,
            qualifier: text("Qualifier")?,
            invocation_type: text("InvocationType")?,
            log_type: text("LogType")?,
            client_context: text("ClientContext")?,
            payload: params.get("Payload").and_then(payload_bytes),
        })
    }

    /// The request a function ARN resource makes: the state's effective input as the payload.
    fn of_function(function_arn: &str, input: &Value) -> Invoke {
        Invoke {
            function_name: function_arn.to_owned(),
            qualifier: None,
            invocation_type: None,
            log_type: None,
            client_context: None,
            payload: Some(input.to_string().into_bytes()),
        }
    }

    /// `/2015-03-31/functions/<name>/invocations[?Qualifier=<q>]`.
    fn path(&self) -> String {
        let mut path = format!(
            "{API}/functions/{}/invocations",
            utf8_percent_encode(&self.function_name, LABEL)
        );
        if let Some(q) = &self.qualifier {
            path.push_str("?Qualifier=");
            path.extend(utf8_percent_encode(q, LABEL));
        }
        path
    }
}

/// The bytes `Payload` sends: text that is JSON as it is (Step Functions passes JSON text
/// through), other text as a JSON string, any other value as its JSON text; `null` sends
/// nothing, which Lambda hands to the function as `{}`.
fn payload_bytes(payload: &Value) -> Option<Vec<u8>> {
    match payload {
        Value::Null => None,
        Value::String(s) if serde_json::from_str::<Value>(s).is_ok() => {
            Some(s.clone().into_bytes())
        }
        other => Some(other.to_string().into_bytes()),
    }
}

/// The function's answer as a value: its JSON when it is JSON, else its text.
fn payload_value(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

/// Why an invoke gave no answer to use.
enum InvokeError {
    /// The function ran and failed (`X-Amz-Function-Error`).
    Function(RawResponse),
    /// Lambda refused the call.
    Service(ServiceError),
    /// Before or around the call.
    Local(TaskError),
}

/// Sends `invoke`; the answer of a function that ran, whether or not it failed.
async fn send(clients: &AwsClients, invoke: &Invoke) -> Result<RawResponse, InvokeError> {
    let client = clients.client(&LAMBDA).await.map_err(InvokeError::Local)?;
    let mut headers = vec![("content-type", "application/octet-stream")];
    let optional = [
        ("x-amz-invocation-type", &invoke.invocation_type),
        ("x-amz-log-type", &invoke.log_type),
        ("x-amz-client-context", &invoke.client_context),
    ];
    for (name, value) in &optional {
        if let Some(v) = value {
            headers.push((name, v.as_str()));
        }
    }
    let body = invoke.payload.clone().unwrap_or_default();
    let response = http::request(clients, &client, "POST", &invoke.path(), &headers, body)
        .await
        .map_err(InvokeError::Local)?;
    if !(200..300).contains(&response.status) {
        return Err(InvokeError::Service(ServiceError::from_json(&response)));
    }
    Ok(response)
}

/// [`send`], with a function error as [`InvokeError::Function`].
async fn invoke_checked(clients: &AwsClients, invoke: &Invoke) -> Result<RawResponse, InvokeError> {
    let response = send(clients, invoke).await?;
    match response.header("X-Amz-Function-Error") {
        Some(_) => Err(InvokeError::Function(response)),
        None => Ok(response),
    }
}

/// The failure of a function error: its `errorType` (`Lambda.Unknown` without one) and its
/// error JSON, compact (`lambda:invoke` re-serialises it) or as the function wrote it.
fn function_failure(response: &RawResponse, compact: bool) -> TaskError {
    let parsed: Option<Value> = serde_json::from_slice(&response.body).ok();
    let error = parsed
        .as_ref()
        .and_then(|v| v.get("errorType"))
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .unwrap_or("Lambda.Unknown")
        .to_owned();
    let cause = match (compact, parsed) {
        (true, Some(v)) => v.to_string(),
        _ => String::from_utf8_lossy(&response.body).into_owned(),
    };
    TaskError::new(error, cause)
}

fn optimized_failure(e: InvokeError, compact: bool) -> TaskError {
    match e {
        InvokeError::Function(response) => function_failure(&response, compact),
        InvokeError::Service(e) => e.optimized(&LAMBDA),
        InvokeError::Local(e) => e,
    }
}

/// `arn:aws:states:::lambda:invoke` (the request-response call, and the submission of
/// `.waitForTaskToken`).
pub(crate) async fn invoke(clients: &AwsClients, params: Value) -> Result<Value, TaskError> {
    let request = Invoke::from_parameters("lambda:invoke", &params)?;
    let response = invoke_checked(clients, &request)
        .await
        .map_err(|e| optimized_failure(e, true))?;
    // Members in AWS's (alphabetical) order.
    let mut result = Map::new();
    if let Some(v) = response.header("X-Amz-Executed-Version") {
        result.insert("ExecutedVersion".into(), v.into());
    }
    if let Some(v) = response.header("X-Amz-Log-Result") {
        result.insert("LogResult".into(), v.into());
    }
    result.insert("Payload".into(), payload_value(&response.body));
    response.add_metadata(&mut result);
    result.insert("StatusCode".into(), response.status.into());
    Ok(Value::Object(result))
}

/// A function ARN as the resource: the state's input is the payload, the function's answer
/// the result.
pub(crate) async fn invoke_function(
    clients: &AwsClients,
    function_arn: &str,
    input: Value,
) -> Result<Value, TaskError> {
    let request = Invoke::of_function(function_arn, &input);
    let response = invoke_checked(clients, &request)
        .await
        .map_err(|e| optimized_failure(e, false))?;
    Ok(payload_value(&response.body))
}

/// `aws-sdk:lambda:<action>`.
pub(crate) async fn sdk_call(
    clients: &AwsClients,
    action: &str,
    params: Value,
) -> Result<Value, TaskError> {
    match action {
        "invoke" => sdk_invoke(clients, &params).await,
        _ => rest::call(clients, action, params).await,
    }
}

/// `aws-sdk:lambda:invoke`: the SDK's members, the payload as text; a function error is in
/// `FunctionError`, not a failure.
async fn sdk_invoke(clients: &AwsClients, params: &Value) -> Result<Value, TaskError> {
    let request = Invoke::from_parameters("aws-sdk:lambda:invoke", params)?;
    let response = match send(clients, &request).await {
        Ok(r) => r,
        Err(InvokeError::Service(e)) => return Err(e.sdk(&LAMBDA)),
        Err(InvokeError::Local(e)) => return Err(e),
        Err(InvokeError::Function(r)) => r,
    };
    let mut result = Map::new();
    let headers = [
        ("ExecutedVersion", "X-Amz-Executed-Version"),
        ("FunctionError", "X-Amz-Function-Error"),
        ("LogResult", "X-Amz-Log-Result"),
    ];
    for (member, header) in headers {
        if let Some(v) = response.header(header) {
            result.insert(member.into(), v.into());
        }
    }
    result.insert(
        "Payload".into(),
        String::from_utf8_lossy(&response.body).into_owned().into(),
    );
    result.insert("StatusCode".into(), response.status.into());
    Ok(Value::Object(result))
}

mod rest;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn payloads_are_sent_as_step_functions_sends_them() {
        let bytes = |v: Value| payload_bytes(&v).map(|b| String::from_utf8_lossy(&b).into_owned());
        assert_eq!(bytes(json!(null)), None);
        assert_eq!(bytes(json!("0.0")).as_deref(), Some("0.0"));
        assert_eq!(bytes(json!("\"a\"")).as_deref(), Some("\"a\""));
        assert_eq!(
            bytes(json!("plain text")).as_deref(),
            Some("\"plain text\"")
        );
        assert_eq!(bytes(json!({"a": [1]})).as_deref(), Some("{\"a\":[1]}"));
    }

    #[test]
    fn answers_are_json_or_text() {
        assert_eq!(payload_value(b"{\"a\": 1}"), json!({"a": 1}));
        assert_eq!(payload_value(b"aaa"), json!("aaa"));
        assert_eq!(payload_value(b""), json!(""));
    }

    #[test]
    fn function_names_are_escaped_in_the_path() {
        let mut invoke = Invoke::of_function("arn:aws:lambda:us-east-1:1:function:f", &json!({}));
        invoke.qualifier = Some("$LATEST".into());
        assert_eq!(
            invoke.path(),
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af/invocations?Qualifier=%24LATEST"
        );
    }

    #[test]
    fn parameters_are_checked() {
        let e = Invoke::from_parameters("lambda:invoke", &json!({"Payload": 1}));
        assert_eq!(
            e.map_err(|e| e.cause),
            Err(Some(
                "The field 'FunctionName' is required for lambda:invoke.".into()
            ))
        );
        let e = Invoke::from_parameters("lambda:invoke", &json!({"FunctionName": 1}));
        assert!(e.is_err());
        let ok = Invoke::from_parameters(
            "lambda:invoke",
            &json!({"FunctionName": "f", "Qualifier": "live", "InvocationType": "Event"}),
        );
        assert_eq!(
            ok.map(|i| i.path()),
            Ok("/2015-03-31/functions/f/invocations?Qualifier=live".to_owned())
        );
    }

    #[test]
    fn function_errors_are_named_by_their_type() {
        let response = |body: &str| RawResponse {
            status: 200,
            headers: vec![("X-Amz-Function-Error".into(), "Unhandled".into())],
            body: body.as_bytes().to_vec(),
        };
        let raised = response(r#"{"errorMessage": "m", "errorType": "ValueError"}"#);
        let e = function_failure(&raised, true);
        assert_eq!(e.error, "ValueError");
        assert_eq!(
            e.cause.as_deref(),
            Some(r#"{"errorMessage":"m","errorType":"ValueError"}"#)
        );
        let e = function_failure(&raised, false);
        assert_eq!(
            e.cause.as_deref(),
            Some(r#"{"errorMessage": "m", "errorType": "ValueError"}"#)
        );
        let timed_out = response(r#"{"errorMessage": "Task timed out after 3.00 seconds"}"#);
        assert_eq!(function_failure(&timed_out, true).error, "Lambda.Unknown");
    }
}
