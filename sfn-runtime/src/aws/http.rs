//! One signed request to a service and its raw answer.

use std::time::SystemTime;

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_runtime_api::client::identity::Identity;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;

use super::response::RawResponse;
use super::{AwsClients, ServiceClient};
use crate::resources::TaskError;

/// A header name as AWS's front ends write it. The HTTP client reads names in lower case
/// (they are case-insensitive); the Java SDK v1 kept the wire's spelling, which for AWS is
/// `Content-Type`, `x-amzn-RequestId`, `x-amz-crc32`.
pub(crate) fn aws_spelling(name: &str) -> String {
    match name {
        "x-amzn-requestid" => "x-amzn-RequestId".into(),
        "x-amzn-errortype" => "x-amzn-ErrorType".into(),
        // Lambda's own spellings.
        "x-amz-executed-version" => "X-Amz-Executed-Version".into(),
        "x-amz-function-error" => "X-Amz-Function-Error".into(),
        "x-amz-log-result" => "X-Amz-Log-Result".into(),
        "x-amzn-trace-id" => "X-Amzn-Trace-Id".into(),
        // CloudFront's, in front of API Gateway.
        "x-amz-cf-id" => "X-Amz-Cf-Id".into(),
        "x-amz-cf-pop" => "X-Amz-Cf-Pop".into(),
        "x-amzn-remapped-content-length" => "x-amzn-Remapped-Content-Length".into(),
        n if n.starts_with("x-amz") => n.into(),
        n => n
            .split('-')
            .map(|part| {
                let mut c = part.chars();
                c.next().map_or_else(String::new, |f| {
                    f.to_uppercase()
                        .chain(c.map(|x| x.to_ascii_lowercase()))
                        .collect()
                })
            })
            .collect::<Vec<_>>()
            .join("-"),
    }
}

/// Sends `POST /` with `body` and `headers` to the service, signed with SigV4.
pub(crate) async fn post(
    clients: &AwsClients,
    client: &ServiceClient,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<RawResponse, TaskError> {
    let uri = format!("{}/", client.endpoint);
    let settings = SigningSettings::default();
    signed(clients, client, "POST", &uri, headers, body, settings).await
}

/// Sends `method` to `path_and_query` of the service's endpoint (the path already
/// percent-encoded, as REST protocols write their labels), signed with SigV4.
pub(crate) async fn request(
    clients: &AwsClients,
    client: &ServiceClient,
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<RawResponse, TaskError> {
    let uri = format!("{}{path_and_query}", client.endpoint);
    let settings = SigningSettings::default();
    signed(clients, client, method, &uri, headers, body, settings).await
}

/// Sends a request to `uri` (its path and query already encoded), signed with SigV4 under
/// `settings`.
pub(crate) async fn signed(
    clients: &AwsClients,
    client: &ServiceClient,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
    settings: SigningSettings,
) -> Result<RawResponse, TaskError> {
    let credentials = clients.credentials().await?;
    let mut request = http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request
        .body(SdkBody::from(body.clone()))
        .map_err(|e| runtime(format!("the request to {uri} could not be built: {e}")))?;
    let identity: Identity = credentials.into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&client.region)
        .name(client.spec.signing_name)
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .map_err(|e| runtime(format!("the request to {uri} could not be signed: {e}")))?;
    let signable = SignableRequest::new(
        method,
        uri,
        headers.iter().copied(),
        SignableBody::Bytes(&body),
    )
    .map_err(|e| runtime(format!("the request to {uri} could not be signed: {e}")))?;
    let (instructions, _) = sign(signable, &params.into())
        .map_err(|e| runtime(format!("the request to {uri} could not be signed: {e}")))?
        .into_parts();
    instructions.apply_to_request_http1x(&mut request);
    send(clients, request, uri).await
}

/// Sends `request` through the SDK's HTTP client; the answer as the wire carried it.
pub(crate) async fn send(
    clients: &AwsClients,
    request: http::Request<SdkBody>,
    uri: &str,
) -> Result<RawResponse, TaskError> {
    let request = request
        .try_into()
        .map_err(|e| runtime(format!("the request to {uri} could not be built: {e}")))?;
    let response = clients
        .connector()
        .call(request)
        .await
        .map_err(|e| runtime(format!("the call to {uri} failed: {e}")))?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (aws_spelling(&n.to_ascii_lowercase()), v.to_owned()))
        .collect();
    let body = ByteStream::new(response.into_body())
        .collect()
        .await
        .map_err(|e| runtime(format!("the answer of {uri} could not be read: {e}")))?
        .into_bytes()
        .to_vec();
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

fn runtime(cause: String) -> TaskError {
    TaskError::new("States.Runtime", cause)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_spelled_as_aws_sends_them() {
        assert_eq!(aws_spelling("content-type"), "Content-Type");
        assert_eq!(aws_spelling("x-amzn-requestid"), "x-amzn-RequestId");
        assert_eq!(aws_spelling("x-amz-crc32"), "x-amz-crc32");
        assert_eq!(aws_spelling("date"), "Date");
        assert_eq!(
            aws_spelling("x-amz-executed-version"),
            "X-Amz-Executed-Version"
        );
    }
}
