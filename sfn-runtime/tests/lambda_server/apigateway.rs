//! A REST API stage in front of the local Lambda: `/<stage>/<path>` with the method a resource
//! was created with runs its function through an AWS (non-proxy) integration, the request body
//! passed through as the event (or written by the request template that pipes the query
//! string), the function's answer passed back with status 200 and the headers API Gateway
//! behind CloudFront sends. An unknown resource or method answers 403
//! `Missing Authentication Token`, as API Gateway does.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::{lock, run, Shared};

/// One resource's method of a REST API.
#[derive(Debug, Clone)]
pub struct RestResource {
    /// The function its integration invokes.
    pub function: String,
    /// The request template `{"body": $input.json('$'), "queryStringParameters":
    /// "$input.params().querystring"}` instead of the body passed through.
    pub pipe_query_string: bool,
}

/// `(stage, path, method)` → resource.
pub(super) type RestApis = HashMap<(String, String, String), RestResource>;

/// The headers of an answer that crossed API Gateway and CloudFront.
fn edge_headers(request_id: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    let hex: String = request_id.chars().filter(|c| *c != '-').collect();
    let pairs = [
        ("content-type", "application/json".to_owned()),
        ("connection", "keep-alive".to_owned()),
        ("x-amzn-requestid", request_id.to_owned()),
        ("x-amz-apigw-id", hex.chars().take(16).collect()),
        (
            "x-amzn-trace-id",
            format!(
                "Root=1-{}-{}",
                &hex[..8.min(hex.len())],
                &hex[8.min(hex.len())..]
            ),
        ),
        ("x-cache", "Miss from cloudfront".to_owned()),
        (
            "via",
            format!(
                "1.1 {}.cloudfront.net (CloudFront)",
                &hex[..hex.len().min(32)]
            ),
        ),
        ("x-amz-cf-pop", "IAD89-C1".to_owned()),
        ("x-amz-cf-id", hex.chars().rev().collect()),
    ];
    for (name, value) in pairs {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    h
}

/// Java's `Map.toString()` of the query string, as `$input.params().querystring` renders it.
fn querystring_text(query: Option<&str>) -> String {
    let pairs: Vec<String> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!("{{{}}}", pairs.join(", "))
}

/// Any request that is not Lambda's API: a stage of a REST API.
pub(super) async fn stage(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let request_id = shared.request_id();
    let path = uri.path().trim_start_matches('/');
    let (stage, resource) = path.split_once('/').unwrap_or((path, ""));
    let key = (
        stage.to_owned(),
        resource.trim_end_matches('/').to_owned(),
        method.to_string(),
    );
    let found = lock(&shared.rest_apis).get(&key).cloned();
    let Some(resource) = found else {
        let mut h = edge_headers(&request_id);
        h.insert(
            "x-amzn-errortype",
            HeaderValue::from_static("MissingAuthenticationTokenException"),
        );
        let body = json!({"message": "Missing Authentication Token"}).to_string();
        return (StatusCode::FORBIDDEN, h, body).into_response();
    };
    let function = lock(&shared.functions).get(&resource.function).cloned();
    let Some(function) = function else {
        let body = json!({"message": "Internal server error"}).to_string();
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            edge_headers(&request_id),
            body,
        )
            .into_response();
    };
    let passed: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) if body.iter().all(u8::is_ascii_whitespace) => json!({}),
        Err(_) => Value::String(String::from_utf8_lossy(&body).into_owned()),
    };
    let event = match resource.pipe_query_string {
        true => json!({"body": passed, "queryStringParameters": querystring_text(uri.query())}),
        false => passed,
    };
    let answer = run(&function.behaviour, &event, &request_id).await;
    (StatusCode::OK, edge_headers(&request_id), answer.body).into_response()
}

#[cfg(test)]
#[allow(unused_imports)]
mod tests {
    use super::*;

    #[test]
    fn the_query_string_reads_as_a_java_map() {
        assert_eq!(
            querystring_text(Some("param1=Hello&param2=World")),
            "{param1=Hello, param2=World}"
        );
        assert_eq!(querystring_text(None), "{}");
    }
}
