//! `arn:aws:states:::http:invoke`, the HTTP Task: a request to any HTTPS API, authorized
//! through an EventBridge connection ([`connections`](super::connections)), built from the
//! state's parameters as [`http_request`](super::http_request) describes.
//!
//! The result is `{"Headers", "ResponseBody", "StatusCode", "StatusText"}`: every response
//! header under its lower-case name with the list of its values, the body parsed when the
//! answer's content type is JSON (`application/json`, `*/*+json`) and else its text, the status
//! and its reason phrase. As "Call HTTPS APIs in Step Functions workflows" says:
//!
//! - another status than 2xx fails the state with `States.Http.StatusCode.<status>`, the
//!   reason phrase as the cause (the answer's body is not kept, as on AWS);
//! - an answer of `application/octet-stream`, `image/*`, `video/*` or `audio/*`, or a body that
//!   is not UTF-8 text, fails it with `States.Runtime`;
//! - the request times out after 60 seconds: `States.Http.Socket`, as does an endpoint that
//!   cannot be reached;
//! - a body longer than the `Range` Step Functions asks for (256 KiB) fails it with
//!   `States.DataLimitExceeded`;
//! - the connection's problems are `Events.ConnectionResource.<reason>` errors.
//!
//! The request needs no SigV4 signature; it goes through the SDK's HTTP client (rustls), and
//! redirects are not followed (a 3xx answer fails the state like any other non-2xx).

use std::time::Duration;

use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use serde_json::{Map, Value};
use sfn_asl::resource::IntegrationPattern;

use super::connections::{self, Authorization};
use super::http_request::{HttpCall, RANGE};
use super::AwsClients;
use crate::resources::TaskError;

/// How long Step Functions waits for an HTTP Task's answer.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The most of an answer's body read: the bytes `Range` asks for.
const MAX_BODY: usize = 262_145;

/// Whether `action` with `pattern` is an HTTP Task this module runs: `invoke`, request-response
/// (AWS offers no other pattern for it).
pub(crate) fn supports(action: &str, pattern: IntegrationPattern) -> bool {
    action == "invoke" && pattern == IntegrationPattern::RequestResponse
}

/// An answer: status, headers (lower-case names, wire order) and, for a 2xx status, the body.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

fn runtime(cause: String) -> TaskError {
    TaskError::new("States.Runtime", cause)
}

fn socket(cause: String) -> TaskError {
    TaskError::new("States.Http.Socket", cause)
}

/// Sends one request through the SDK's HTTP client, within the HTTP Task's 60 seconds; the
/// body of a 2xx answer is read (at most [`MAX_BODY`] bytes).
pub(crate) async fn exchange(
    clients: &AwsClients,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<Vec<u8>>,
) -> Result<Answer, TaskError> {
    let mut request = http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let request = request
        .body(body.map_or_else(SdkBody::empty, SdkBody::from))
        .map_err(|e| runtime(format!("The HTTP request to {url} could not be built: {e}")))?;
    let request = request
        .try_into()
        .map_err(|e| runtime(format!("The HTTP request to {url} could not be built: {e}")))?;
    let call = async {
        let response = clients
            .connector()
            .call(request)
            .await
            .map_err(|e| socket(format!("The HTTP request to {url} failed: {e}")))?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
            .collect();
        let mut body = Vec::new();
        if (200..300).contains(&status) {
            let mut stream = ByteStream::new(response.into_body());
            while let Some(chunk) = stream.next().await {
                let chunk = chunk
                    .map_err(|e| socket(format!("The answer of {url} could not be read: {e}")))?;
                if body.len() + chunk.len() > MAX_BODY {
                    return Err(TaskError::new(
                        "States.DataLimitExceeded",
                        format!(
                            "The answer of {url} is longer than the {MAX_BODY} bytes the HTTP \
                             Task reads (Range: {RANGE})"
                        ),
                    ));
                }
                body.extend_from_slice(&chunk);
            }
        }
        Ok(Answer {
            status,
            headers,
            body,
        })
    };
    match tokio::time::timeout(TIMEOUT, call).await {
        Ok(answer) => answer,
        Err(_) => Err(socket(format!(
            "The HTTP request to {url} timed out after {} seconds",
            TIMEOUT.as_secs()
        ))),
    }
}

/// Runs the HTTP Task with its effective parameters.
pub(crate) async fn invoke(clients: &AwsClients, params: Value) -> Result<Value, TaskError> {
    let call = HttpCall::from_parameters(&params)?;
    let connection = connections::read(clients, &call.connection_arn).await?;
    let url = call.url(&connection.invocation);
    let body = call.body(&connection.invocation)?;
    let mut headers = call.headers(&connection.invocation);
    if body.is_some()
        && !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        headers.push((
            "Content-Type".into(),
            "application/json; charset=UTF-8".into(),
        ));
    }
    let region = clients.region().await;
    let oauth = matches!(connection.authorization, Authorization::OAuth(_));
    let mut renew = false;
    loop {
        let ((auth_name, auth_value), fetched) =
            connections::authorization_header(clients, &connection, renew).await?;
        // Step Functions' own headers replace any the state or connection gives.
        let own = [
            "user-agent",
            "range",
            auth_name.to_ascii_lowercase().as_str(),
        ]
        .map(str::to_owned);
        let mut sent: Vec<(String, String)> = headers
            .iter()
            .filter(|(n, _)| !own.contains(&n.to_ascii_lowercase()))
            .cloned()
            .collect();
        sent.push((auth_name, auth_value));
        sent.push((
            "User-Agent".into(),
            format!("Amazon|StepFunctions|HttpInvoke|{region}"),
        ));
        sent.push(("Range".into(), RANGE.into()));
        let answer = exchange(clients, &call.method, &url, &sent, body.clone()).await?;
        // An OAuth token the endpoint no longer takes is fetched again, once.
        if oauth && !fetched && !renew && matches!(answer.status, 401 | 407) {
            renew = true;
            continue;
        }
        return result(answer);
    }
}

/// The state's result for `answer`, or its failure.
fn result(answer: Answer) -> Result<Value, TaskError> {
    let status_text = http::StatusCode::from_u16(answer.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or_default();
    if !(200..300).contains(&answer.status) {
        return Err(TaskError::new(
            format!("States.Http.StatusCode.{}", answer.status),
            status_text,
        ));
    }
    let content_type = answer
        .headers
        .iter()
        .find(|(n, _)| n == "content-type")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let media = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if media == "application/octet-stream"
        || ["image/", "video/", "audio/"]
            .iter()
            .any(|p| media.starts_with(p))
    {
        return Err(runtime(format!(
            "The HTTP Task does not take an answer of content type '{content_type}' \
             (application/octet-stream, image/*, video/* and audio/* are not supported)"
        )));
    }
    let text = String::from_utf8(answer.body).map_err(|_| {
        runtime("The answer of the HTTP Task's endpoint is not text (UTF-8)".into())
    })?;
    let json = media == "application/json" || media.ends_with("+json");
    let body = match json {
        true => serde_json::from_str(&text).unwrap_or(Value::String(text)),
        false => Value::String(text),
    };
    let mut headers: Map<String, Value> = Map::new();
    for (name, value) in answer.headers {
        match headers.get_mut(&name) {
            Some(Value::Array(values)) => values.push(value.into()),
            _ => {
                headers.insert(name, Value::Array(vec![value.into()]));
            }
        }
    }
    let mut result = Map::new();
    result.insert("Headers".into(), Value::Object(headers));
    result.insert("ResponseBody".into(), body);
    result.insert("StatusCode".into(), answer.status.into());
    result.insert("StatusText".into(), status_text.into());
    Ok(Value::Object(result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(status: u16, content_type: &str, body: &[u8]) -> Answer {
        Answer {
            status,
            headers: vec![
                ("content-type".into(), content_type.into()),
                ("set-cookie".into(), "a=1".into()),
                ("set-cookie".into(), "b=2".into()),
            ],
            body: body.to_vec(),
        }
    }

    #[test]
    fn results_have_aws_shape() {
        let r = result(answer(
            200,
            "application/json; charset=utf-8",
            br#"{"id":7}"#,
        ));
        assert_eq!(
            r.ok(),
            Some(
                json!({"Headers": {"content-type": ["application/json; charset=utf-8"],
                "set-cookie": ["a=1", "b=2"]},
                "ResponseBody": {"id": 7}, "StatusCode": 200, "StatusText": "OK"})
            )
        );
        let r = result(answer(201, "text/plain", b"{\"not\": \"parsed\"}"));
        assert_eq!(
            r.ok()
                .map(|r| (r["ResponseBody"].clone(), r["StatusText"].clone())),
            Some((json!("{\"not\": \"parsed\"}"), json!("Created")))
        );
    }

    #[test]
    fn failures_are_named_as_aws_names_them() {
        let e = result(answer(404, "text/plain", b""));
        let e = e.err().map(|e| (e.error, e.cause));
        assert_eq!(
            e,
            Some((
                "States.Http.StatusCode.404".to_owned(),
                Some("Not Found".to_owned())
            ))
        );
        let e = result(answer(200, "image/png", b"x"))
            .err()
            .map(|e| e.error);
        assert_eq!(e.as_deref(), Some("States.Runtime"));
        let e = result(answer(200, "text/plain", &[0xff, 0xfe]))
            .err()
            .map(|e| e.error);
        assert_eq!(e.as_deref(), Some("States.Runtime"));
    }

    /// An endpoint that never answers: `States.Http.Socket` after 60 seconds (of the paused
    /// clock, which moves on while the runtime only waits).
    #[tokio::test(start_paused = true)]
    async fn an_endpoint_that_never_answers_times_out() {
        let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let url = format!("http://{}/slow", silent.local_addr().expect("an address"));
        let clients = AwsClients::from_env();
        let started = tokio::time::Instant::now();
        let got = exchange(&clients, "GET", &url, &[], None).await;
        let e = got.expect_err("no answer, so no result");
        assert_eq!(e.error, "States.Http.Socket");
        assert_eq!(
            e.cause.as_deref(),
            Some(format!("The HTTP request to {url} timed out after 60 seconds").as_str())
        );
        assert_eq!(started.elapsed(), TIMEOUT);
        drop(silent);
    }

    #[test]
    fn only_request_response_is_served() {
        assert!(supports("invoke", IntegrationPattern::RequestResponse));
        assert!(!supports("invoke", IntegrationPattern::WaitForTaskToken));
        assert!(!supports("get", IntegrationPattern::RequestResponse));
    }
}
