//! `arn:aws:states:::apigateway:invoke` (and `.waitForTaskToken`): a request to a deployed
//! REST API stage, `https://<ApiEndpoint>/<Stage>/<Path>?<QueryParameters>`, with `Headers`
//! (each a list of values), `Accept: application/json`, and `RequestBody` as JSON. The result is
//! `{Headers, ResponseBody, StatusCode, StatusText}`: every header with all its values, the
//! body parsed when it is JSON (else its text). An answer other than 2xx fails the state with
//! `ApiGateway.<status>` and the body as the cause. `AuthType: IAM_ROLE` or `RESOURCE_POLICY`
//! signs the request for `execute-api`.
//!
//! The stage's host is the configured endpoint of the SDK's client of the `execute-api`
//! domain, `ApiGatewayManagementApi` (`AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI`), when one is
//! set, so a local stage server can stand in for API Gateway; else `https://<ApiEndpoint>`.

use std::time::SystemTime;

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use aws_smithy_types::body::SdkBody;
use serde_json::{Map, Value};

use super::services::{Protocol, ServiceSpec, PASCAL};
use super::AwsClients;
use crate::resources::TaskError;

/// The `execute-api` domain, as the SDK's `ApiGatewayManagementApi` client reaches it.
pub(crate) static EXECUTE_API: ServiceSpec = ServiceSpec {
    service_id: "ApiGatewayManagementApi",
    signing_name: "execute-api",
    endpoint_prefix: "execute-api",
    protocol: Protocol::RestJson,
    optimized_prefix: "ApiGateway",
    v1_service: "AmazonApiGateway",
    v1_exception: "AmazonApiGatewayException",
    sdk_name: "ApiGateway",
    model: PASCAL,
};

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

fn runtime(cause: String) -> TaskError {
    TaskError::new("States.Runtime", cause)
}

/// Whether `action` of the API Gateway integration is served here.
pub(crate) fn supports(action: &str) -> bool {
    action == "invoke"
}

/// The request `invoke` sends.
#[derive(Debug, PartialEq)]
struct Request {
    method: String,
    /// `/<Stage>/<Path>?<query>`.
    path_and_query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    signed: bool,
}

fn text_param<'p>(params: &'p Value, name: &str) -> Result<Option<&'p str>, TaskError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(runtime(format!(
            "the parameter '{name}' of apigateway:invoke must be text, not {other}"
        ))),
    }
}

fn request_of(params: &Value) -> Result<(String, Request), TaskError> {
    let Some(endpoint) = text_param(params, "ApiEndpoint")? else {
        return Err(runtime(
            "The field 'ApiEndpoint' is required for apigateway:invoke.".into(),
        ));
    };
    let method = text_param(params, "Method")?.unwrap_or_default();
    if !METHODS.contains(&method) {
        return Err(runtime(format!(
            "the Method '{method}' of apigateway:invoke is not one of {}",
            METHODS.join(", ")
        )));
    }
    let mut path = String::new();
    for part in [text_param(params, "Stage")?, text_param(params, "Path")?]
        .into_iter()
        .flatten()
    {
        let part = part.trim_matches('/');
        if !part.is_empty() {
            path.push('/');
            path.push_str(part);
        }
    }
    if path.is_empty() {
        path.push('/');
    }
    if let Some(reason) = crate::execution::api_gateway_refusal(params) {
        return Err(runtime(reason.into()));
    }
    let allow_null = params.get("AllowNullValues") == Some(&Value::Bool(true));
    if let Some(q) = params.get("QueryParameters").filter(|q| !q.is_null()) {
        let members = q.as_object().into_iter().flatten();
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, values) in members {
            match values {
                Value::Array(values) => {
                    for v in values {
                        match v {
                            Value::String(s) => {
                                query.append_pair(name, s);
                            }
                            Value::Null if allow_null => {
                                query.append_pair(name, "");
                            }
                            _ => {}
                        }
                    }
                }
                Value::Null if allow_null => {
                    query.append_pair(name, "");
                }
                _ => {}
            }
        }
        let query = query.finish();
        if !query.is_empty() {
            path.push('?');
            path.push_str(&query);
        }
    }
    let mut headers = Vec::new();
    if let Some(h) = params.get("Headers") {
        for (name, values) in h.as_object().into_iter().flatten() {
            for v in values.as_array().into_iter().flatten() {
                headers.push((name.clone(), v.as_str().unwrap_or_default().to_owned()));
            }
        }
    }
    headers.push(("accept".into(), "application/json".into()));
    let body = match params.get("RequestBody") {
        None | Some(Value::Null) => Vec::new(),
        Some(b) => {
            headers.push(("content-type".into(), "application/json".into()));
            b.to_string().into_bytes()
        }
    };
    let signed = matches!(
        text_param(params, "AuthType")?,
        Some("IAM_ROLE" | "RESOURCE_POLICY")
    );
    Ok((
        endpoint.to_owned(),
        Request {
            method: method.to_owned(),
            path_and_query: path,
            headers,
            body,
            signed,
        },
    ))
}

/// The region of `<api-id>.execute-api.<region>.amazonaws.com`.
fn region_of(endpoint: &str) -> Option<&str> {
    let mut labels = endpoint.split('.');
    labels.next()?;
    (labels.next()? == "execute-api")
        .then(|| labels.next())
        .flatten()
}

/// Runs `apigateway:invoke`.
pub(crate) async fn invoke(clients: &AwsClients, params: Value) -> Result<Value, TaskError> {
    let (endpoint, request) = request_of(&params)?;
    let base = match clients.configured_endpoint(&EXECUTE_API).await {
        Some(local) => local,
        None => format!("https://{}", endpoint.trim_end_matches('/')),
    };
    let uri = format!("{base}{}", request.path_and_query);
    let mut builder = http::Request::builder()
        .method(request.method.as_str())
        .uri(&uri);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let mut http_request = builder
        .body(SdkBody::from(request.body.clone()))
        .map_err(|e| runtime(format!("the request to {uri} could not be built: {e}")))?;
    if request.signed {
        let region = match region_of(&endpoint) {
            Some(r) => r.to_owned(),
            None => clients.region().await,
        };
        let identity: Identity = clients.credentials().await?.into();
        let signing = v4::SigningParams::builder()
            .identity(&identity)
            .region(&region)
            .name(EXECUTE_API.signing_name)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| runtime(format!("the request to {uri} could not be signed: {e}")))?;
        let signable = SignableRequest::new(
            request.method.as_str(),
            uri.as_str(),
            request
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str())),
            SignableBody::Bytes(&request.body),
        )
        .map_err(|e| runtime(format!("the request to {uri} could not be signed: {e}")))?;
        let (instructions, _) = sign(signable, &signing.into())
            .map_err(|e| runtime(format!("the request to {uri} could not be signed: {e}")))?
            .into_parts();
        instructions.apply_to_request_http1x(&mut http_request);
    }
    let response = super::http::send(clients, http_request, &uri).await?;
    if !(200..300).contains(&response.status) {
        return Err(TaskError::new(
            format!("ApiGateway.{}", response.status),
            String::from_utf8_lossy(&response.body).into_owned(),
        ));
    }
    let mut headers: Map<String, Value> = Map::new();
    for (name, value) in &response.headers {
        match headers.get_mut(name) {
            Some(Value::Array(values)) => values.push(value.clone().into()),
            _ => {
                headers.insert(name.clone(), Value::Array(vec![value.clone().into()]));
            }
        }
    }
    let body = serde_json::from_slice(&response.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&response.body).into_owned()));
    let status_text = http::StatusCode::from_u16(response.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or_default();
    let mut result = Map::new();
    result.insert("Headers".into(), Value::Object(headers));
    result.insert("ResponseBody".into(), body);
    result.insert("StatusCode".into(), response.status.into());
    result.insert("StatusText".into(), status_text.into());
    Ok(Value::Object(result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_request_follows_the_parameters() {
        let (endpoint, r) = request_of(
            &json!({"ApiEndpoint": "abc.execute-api.eu-west-1.amazonaws.com",
            "Method": "POST", "Stage": "prod", "Path": "/orders/1", "RequestBody": "Hi",
            "QueryParameters": {"a": ["1", "2"], "b": ["x y"]}, "Headers": {"h": ["v"]}}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(region_of(&endpoint), Some("eu-west-1"));
        assert_eq!(r.path_and_query, "/prod/orders/1?a=1&a=2&b=x+y");
        assert_eq!(r.body, b"\"Hi\"");
        assert!(r.headers.contains(&("h".into(), "v".into())));
        assert!(r
            .headers
            .contains(&("content-type".into(), "application/json".into())));
        assert!(!r.signed);
        let bad = request_of(&json!({"ApiEndpoint": "e", "Method": "POST", "Headers": {"h": "v"}}));
        assert_eq!(
            bad.map_err(|e| e.cause),
            Err(Some(
                "The value of the field 'Headers' has an invalid format".into()
            ))
        );
        assert!(request_of(&json!({"ApiEndpoint": "e", "Method": "FETCH"})).is_err());
    }
}
