//! Amazon S3 through `arn:aws:states:::aws-sdk:s3:<action>`, on S3's REST-XML protocol.
//!
//! An action is a method and a path (`GET /<bucket>/<key>`); its members go to the path, the
//! query string, headers or the body, and its answer is headers plus an XML body or the
//! object's bytes. In S3's model a member lives in the same place in every action that has it
//! (`VersionId` is the `versionId` query parameter, `ContentType` the `Content-Type` header),
//! so one table of locations serves every action, and each action lists only which members it
//! takes and answers. The result carries the SDK v2's member names as Step Functions shows
//! them (`ETag`, `ContentLength`, `LastModified` as ISO-8601 text, `Body` as text).
//!
//! Addressing: path-style (`<endpoint>/<bucket>/<key>`) on a configured endpoint (a local
//! server on 127.0.0.1 has no per-bucket host names), virtual-hosted
//! (`https://<bucket>.s3.<region>.amazonaws.com/<key>`) on AWS's own when the bucket name
//! allows it. Requests are signed with SigV4 as S3 wants: the payload's SHA-256 in
//! `x-amz-content-sha256`, the path encoded once and not normalised.

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SigningSettings, UriPathNormalizationMode,
};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

use super::http;
use super::response::RawResponse;
use super::s3_answer;
use super::s3_errors::{S3Error, S3Failure};
use super::s3_model::{
    lower_first, supported, Action, Payload, Target, ACTIONS, DATE_HEADERS, HEADERS,
    ISO_DATE_HEADERS, QUERY,
};
use super::s3_xml;
use super::services::{ModelNotes, Protocol, ServiceSpec};
use super::AwsClients;
use crate::resources::TaskError;

pub(crate) static S3: ServiceSpec = ServiceSpec {
    service_id: "S3",
    signing_name: "s3",
    endpoint_prefix: "s3",
    protocol: Protocol::RestXml,
    optimized_prefix: "S3",
    v1_service: "Amazon S3",
    v1_exception: "AmazonS3Exception",
    sdk_name: "S3",
    model: ModelNotes {
        camel_case_wire: false,
        timestamps: &[],
        json_text: &[],
    },
};

fn runtime(cause: String) -> TaskError {
    TaskError::new("States.Runtime", cause)
}

/// Characters escaped in a key's path: all but RFC 3986's unreserved ones and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Characters escaped in a query value: all but the unreserved ones.
const QUERY_VALUE: &AsciiSet = &PATH.add(b'/');

/// A member's value as header or query text.
fn text_of(member: &str, value: &Value) -> Result<String, TaskError> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => {
            return Err(runtime(format!(
                "the S3 parameter '{member}' must be a single value, not {value}"
            )))
        }
        other => other.to_string(),
    };
    if DATE_HEADERS.contains(&member) || ISO_DATE_HEADERS.contains(&member) {
        let format = match ISO_DATE_HEADERS.contains(&member) {
            true => aws_smithy_types::date_time::Format::DateTime,
            false => aws_smithy_types::date_time::Format::HttpDate,
        };
        let time = match value {
            Value::Number(n) => n
                .as_f64()
                .map(aws_smithy_types::DateTime::from_secs_f64)
                .ok_or_else(|| runtime(format!("'{member}' is not a time: {value}"))),
            _ => aws_smithy_types::DateTime::from_str(&text, format)
                .or_else(|_| {
                    aws_smithy_types::DateTime::from_str(
                        &text,
                        aws_smithy_types::date_time::Format::DateTime,
                    )
                })
                .map_err(|e| {
                    runtime(format!(
                        "the S3 parameter '{member}' is not an ISO-8601 time: {e}"
                    ))
                }),
        }?;
        return time
            .fmt(format)
            .map_err(|e| runtime(format!("'{member}' cannot be written as a time: {e}")));
    }
    Ok(text)
}

/// The bytes `putObject` stores for `Body`: Step Functions writes the value as JSON text, so
/// a string is stored with its quotes (`"text data"`) — the recorded ETags are the MD5 of
/// exactly that text.
fn body_bytes(value: Option<&Value>) -> Vec<u8> {
    value.map_or_else(Vec::new, |v| v.to_string().into_bytes())
}

/// CRC-32 of `bytes`, base64 as the `x-amz-checksum-crc32` header carries it. The SDK v2
/// sends it with every `PutObject` (its default `WHEN_SUPPORTED` checksum), and S3 answers
/// `ChecksumCRC32` from it.
fn crc32_base64(bytes: &[u8]) -> String {
    let crc = crc32fast::hash(bytes);
    aws_smithy_types::base64::encode(crc.to_be_bytes())
}

/// A request ready to sign.
struct Request {
    method: &'static str,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Whether `bucket` can be a host name label over HTTPS (lower case, digits, `-`, no dots).
fn virtual_host_bucket(bucket: &str) -> bool {
    (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !bucket.starts_with('-')
        && !bucket.ends_with('-')
}

/// The URL of `bucket`/`key` on `endpoint` (no trailing `/`); see the module docs.
fn url(endpoint: &str, region: &str, bucket: Option<&str>, key: Option<&str>) -> String {
    let aws_default = endpoint == format!("https://s3.{region}.amazonaws.com")
        || endpoint == format!("https://s3.{region}.amazonaws.com.cn");
    let key_path = key
        .map(|k| format!("/{}", utf8_percent_encode(k, PATH)))
        .unwrap_or_default();
    match bucket {
        None => format!("{endpoint}/"),
        Some(b) if aws_default && virtual_host_bucket(b) => {
            let host = endpoint.trim_start_matches("https://");
            let path = if key_path.is_empty() { "/" } else { &key_path };
            format!("https://{b}.{host}{path}")
        }
        Some(b) => format!("{endpoint}/{}{key_path}", utf8_percent_encode(b, PATH)),
    }
}

/// Builds the request of `action` from the state's parameters.
fn request(
    action: &Action,
    params: &Map<String, Value>,
    raw_body: Option<Vec<u8>>,
    endpoint: &str,
    region: &str,
) -> Result<Request, TaskError> {
    let api = lower_first(action.name);
    let string = |name: &str| -> Result<String, TaskError> {
        match params.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(other) => Err(runtime(format!(
                "the parameter '{name}' of s3:{api} must be a non-empty string, not {other}"
            ))),
            None => Err(runtime(format!("s3:{api} needs the parameter '{name}'"))),
        }
    };
    let bucket = match action.target {
        Target::Service => None,
        _ => Some(string("Bucket")?),
    };
    let key = match action.target {
        Target::Object => Some(string("Key")?),
        _ => None,
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut query: Vec<(String, String)> = Vec::new();
    let payload_member = match action.payload {
        Payload::None => None,
        Payload::Body => Some("Body"),
        Payload::Xml(member) => Some(member),
    };
    for (name, value) in params {
        if value.is_null()
            || matches!(name.as_str(), "Bucket" | "Key") && action.target != Target::Service
        {
            continue;
        }
        if Some(name.as_str()) == payload_member {
            continue;
        }
        if !action.inputs.contains(&name.as_str()) {
            let mut takes: Vec<&str> = match action.target {
                Target::Service => vec![],
                Target::Bucket => vec!["Bucket"],
                Target::Object => vec!["Bucket", "Key"],
            };
            takes.extend(payload_member);
            takes.extend(action.inputs.iter().copied());
            return Err(runtime(format!(
                "s3:{api} has no parameter '{name}'; it takes {}",
                takes.join(", ")
            )));
        }
        if name == "Metadata" {
            let Some(entries) = value.as_object() else {
                return Err(runtime(format!(
                    "the parameter 'Metadata' of s3:{api} must be an object of text values"
                )));
            };
            for (k, v) in entries {
                headers.push((format!("x-amz-meta-{k}"), text_of(name, v)?));
            }
        } else if let Some((_, q)) = QUERY.iter().find(|(m, _)| m == name) {
            query.push(((*q).to_owned(), text_of(name, value)?));
        } else if let Some((_, h)) = HEADERS.iter().find(|(m, _)| m == name) {
            headers.push(((*h).to_owned(), text_of(name, value)?));
        }
    }
    if action.url_encoded_listing && !params.contains_key("EncodingType") {
        query.push(("encoding-type".into(), "url".into()));
    }
    let raw_given = raw_body.is_some();
    let mut body = match action.payload {
        Payload::None => Vec::new(),
        Payload::Body => {
            // Bytes given as they are get S3's own default type (`binary/octet-stream`).
            if !params.contains_key("ContentType") && !raw_given {
                // What the SDK v2 sends for a body given as bytes.
                headers.push(("content-type".into(), "application/octet-stream".into()));
            }
            raw_body.unwrap_or_else(|| body_bytes(params.get("Body")))
        }
        Payload::Xml(member) => match params.get(member) {
            Some(v) if !v.is_null() => s3_xml::encode(member, v)
                .map_err(|e| runtime(format!("the parameter '{member}' of s3:{api}: {e}")))?,
            _ => Vec::new(),
        },
    };
    if action.name == "CreateBucket" && body.is_empty() && region != "us-east-1" {
        // The SDK v2 names the client's region when the request names none; S3 refuses a
        // bucket outside us-east-1 without it.
        let config = serde_json::json!({ "LocationConstraint": region });
        body = s3_xml::encode("CreateBucketConfiguration", &config).map_err(runtime)?;
    }
    // Bytes given as they are (result files, fixtures) go without the SDK's default
    // checksum; S3 does not need one for `PutObject`.
    let raw = matches!(action.payload, Payload::Body) && raw_given;
    let has_checksum = raw
        || params
            .keys()
            .any(|k| k.starts_with("Checksum") && k != "ChecksumAlgorithm" || k == "ContentMD5");
    if action.checksum && !has_checksum {
        match params.get("ChecksumAlgorithm").and_then(Value::as_str) {
            None | Some("CRC32") => {
                headers.push(("x-amz-checksum-crc32".into(), crc32_base64(&body)));
                if !params.contains_key("ChecksumAlgorithm") {
                    headers.push(("x-amz-sdk-checksum-algorithm".into(), "CRC32".into()));
                }
            }
            Some(other) => {
                return Err(runtime(format!(
                    "s3:{api} computes CRC32 checksums only; give the {other} checksum's value \
                     (Checksum{other}) or use ChecksumAlgorithm CRC32"
                )))
            }
        }
    }
    let mut uri = url(endpoint, region, bucket.as_deref(), key.as_deref());
    let mut parts: Vec<String> = Vec::new();
    if !action.subresource.is_empty() {
        parts.push(action.subresource.to_owned());
    }
    parts.extend(
        query
            .iter()
            .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, QUERY_VALUE))),
    );
    if !parts.is_empty() {
        uri.push('?');
        uri.push_str(&parts.join("&"));
    }
    Ok(Request {
        method: action.method,
        uri,
        headers,
        body,
    })
}

/// Runs `action` (as `aws-sdk:s3` names it: `getObject`) with the state's parameters.
pub(crate) async fn call(
    clients: &AwsClients,
    action: &str,
    params: Value,
) -> Result<Value, TaskError> {
    invoke(clients, action, params)
        .await
        .map_err(S3Failure::task_error)
}

/// [`call`], keeping S3's error apart from local ones.
pub(crate) async fn invoke(
    clients: &AwsClients,
    action: &str,
    params: Value,
) -> Result<Value, S3Failure> {
    let Some(spec) = ACTIONS.iter().find(|a| lower_first(a.name) == action) else {
        return Err(S3Failure::Local(runtime(format!(
            "the action 's3:{action}' of the AWS SDK integration is not supported here; the \
             supported actions are {}",
            supported()
        ))));
    };
    let params = match params {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        other => {
            return Err(S3Failure::Local(runtime(format!(
                "the parameters of s3:{action} must be an object, not {other}"
            ))))
        }
    };
    let response = exchange(clients, spec, &params, None).await?;
    s3_answer::decode(spec, &response).map_err(S3Failure::Local)
}

/// An object's bytes as stored.
pub(crate) async fn get_bytes(
    clients: &AwsClients,
    bucket: &str,
    key: &str,
) -> Result<Vec<u8>, S3Failure> {
    let params = object_params(bucket, key);
    Ok(exchange(clients, action_named("GetObject")?, &params, None)
        .await?
        .body)
}

/// Stores `body` as it is (not as JSON text).
pub(crate) async fn put_bytes(
    clients: &AwsClients,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
) -> Result<(), S3Failure> {
    let params = object_params(bucket, key);
    exchange(clients, action_named("PutObject")?, &params, Some(body))
        .await
        .map(|_| ())
}

fn object_params(bucket: &str, key: &str) -> Map<String, Value> {
    let mut params = Map::new();
    params.insert("Bucket".into(), bucket.into());
    params.insert("Key".into(), key.into());
    params
}

fn action_named(name: &str) -> Result<&'static Action, S3Failure> {
    ACTIONS
        .iter()
        .find(|a| a.name == name)
        .ok_or_else(|| S3Failure::Local(runtime(format!("no S3 action {name}"))))
}

/// Sends one action's request; the answer when S3 accepted it.
async fn exchange(
    clients: &AwsClients,
    action: &Action,
    params: &Map<String, Value>,
    raw_body: Option<Vec<u8>>,
) -> Result<RawResponse, S3Failure> {
    let client = clients.client(&S3).await.map_err(S3Failure::Local)?;
    let request = request(action, params, raw_body, &client.endpoint, &client.region)
        .map_err(S3Failure::Local)?;
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let response = http::signed(
        clients,
        &client,
        request.method,
        &request.uri,
        &headers,
        request.body,
        settings,
    )
    .await
    .map_err(S3Failure::Local)?;
    match (200..300).contains(&response.status) {
        true => Ok(response),
        false => Err(S3Failure::Service(S3Error::read(action, &response))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn find(name: &str) -> &'static Action {
        ACTIONS.iter().find(|a| a.name == name).unwrap()
    }

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn addressing_is_path_style_locally_and_virtual_hosted_on_aws() {
        assert_eq!(
            url(
                "http://127.0.0.1:5000",
                "us-east-1",
                Some("b-1"),
                Some("a b/c+d")
            ),
            "http://127.0.0.1:5000/b-1/a%20b/c%2Bd"
        );
        assert_eq!(
            url(
                "https://s3.eu-west-1.amazonaws.com",
                "eu-west-1",
                Some("my-bucket"),
                Some("k")
            ),
            "https://my-bucket.s3.eu-west-1.amazonaws.com/k"
        );
        // Dots would break the wildcard certificate: path-style.
        assert_eq!(
            url(
                "https://s3.eu-west-1.amazonaws.com",
                "eu-west-1",
                Some("my.bucket"),
                None
            ),
            "https://s3.eu-west-1.amazonaws.com/my.bucket"
        );
        assert_eq!(
            url(
                "https://s3.eu-west-1.amazonaws.com",
                "eu-west-1",
                None,
                None
            ),
            "https://s3.eu-west-1.amazonaws.com/"
        );
    }

    #[test]
    fn members_go_to_their_places() {
        let r = request(
            find("PutObject"),
            &params(json!({"Bucket": "b", "Key": "k", "Body": "text data",
                "ContentType": "text/plain", "Metadata": {"who": "me"}})),
            None,
            "http://h",
            "us-east-1",
        )
        .unwrap();
        assert_eq!((r.method, r.uri.as_str()), ("PUT", "http://h/b/k"));
        assert_eq!(r.body, b"\"text data\"");
        let h = |n: &str| {
            r.headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(h("content-type"), Some("text/plain"));
        assert_eq!(h("x-amz-meta-who"), Some("me"));
        // The CRC-32 AWS answered for this body in the recorded putObject case.
        assert_eq!(h("x-amz-checksum-crc32"), Some("KUmHvQ=="));

        let r = request(
            find("ListObjectsV2"),
            &params(json!({"Bucket": "b", "Prefix": "a b/", "MaxKeys": 2})),
            None,
            "http://h",
            "us-east-1",
        )
        .unwrap();
        assert_eq!(
            r.uri,
            "http://h/b?list-type=2&prefix=a%20b%2F&max-keys=2&encoding-type=url"
        );
    }

    #[test]
    fn unknown_members_and_actions_are_named() {
        let e = request(
            find("GetObject"),
            &params(json!({"Bucket": "b", "Key": "k", "Bogus": 1})),
            None,
            "http://h",
            "us-east-1",
        )
        .err()
        .unwrap();
        let cause = e.cause.unwrap();
        assert!(
            cause.contains("'Bogus'") && cause.contains("VersionId"),
            "{cause}"
        );
        let e = request(
            find("GetObject"),
            &params(json!({"Bucket": "b"})),
            None,
            "http://h",
            "r",
        )
        .err()
        .unwrap();
        assert!(e.cause.unwrap().contains("needs the parameter 'Key'"));
        assert!(supported().contains("getObject") && supported().contains("listObjectsV2"));
    }
}
