//! S3's error answers, named as the SDK v2 (and so Step Functions) names them.

use serde_json::Value;

use super::response::RawResponse;
use super::s3_model::{Action, Target};
use super::s3_xml;
use crate::resources::TaskError;

/// S3 errors the SDK v2 has a class for; every other code raises `S3Exception`.
const MODELED_ERRORS: &[&str] = &[
    "BucketAlreadyExists",
    "BucketAlreadyOwnedByYou",
    "EncryptionTypeMismatch",
    "InvalidObjectState",
    "InvalidRequest",
    "InvalidWriteOffset",
    "NoSuchBucket",
    "NoSuchKey",
    "NoSuchUpload",
    "ObjectAlreadyInActiveTierError",
    "ObjectNotInActiveTierError",
    "TooManyParts",
];

/// An S3 error answer, as the SDK v2 reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct S3Error {
    pub(crate) status: u16,
    pub(crate) code: Option<String>,
    /// The message; `None` when the answer had no body (a `HEAD`).
    pub(crate) message: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) extended_request_id: Option<String>,
}

impl S3Error {
    pub(crate) fn read(action: &Action, response: &RawResponse) -> S3Error {
        let body = String::from_utf8_lossy(&response.body);
        let xml = s3_xml::decode(&body).unwrap_or_default();
        let field = |name: &str| xml.get(name).and_then(Value::as_str).map(str::to_owned);
        let mut code = field("Code");
        let mut message = field("Message");
        // A `HEAD` answer has no body; the SDK v2 still names a missing key or bucket.
        if code.is_none() && response.status == 404 && action.method == "HEAD" {
            let (c, m) = match action.target {
                Target::Object => ("NoSuchKey", "The specified key does not exist."),
                _ => ("NoSuchBucket", "The specified bucket does not exist."),
            };
            code = Some(c.into());
            message = Some(m.into());
        }
        let header = |name: &str| response.header(name).map(str::to_owned);
        S3Error {
            status: response.status,
            code,
            message,
            // S3 sends `x-amz-request-id` and `x-amz-id-2`, and repeats them in the error
            // body as `RequestId` and `HostId` (local servers may send only the latter).
            request_id: header("x-amz-request-id")
                .or_else(|| field("RequestId"))
                .or_else(|| header("x-amzn-RequestId")),
            extended_request_id: header("x-amz-id-2").or_else(|| field("HostId")),
        }
    }

    /// The failure of an `aws-sdk:s3` task: `S3.NoSuchKeyException` (or `S3.S3Exception`)
    /// with the SDK v2's message, `… (Service: S3, Status Code: 404, Request ID: …, Extended
    /// Request ID: …)`.
    pub(crate) fn task_error(&self) -> TaskError {
        let class = match &self.code {
            Some(c) if MODELED_ERRORS.contains(&c.as_str()) => format!("{c}Exception"),
            _ => "S3Exception".to_owned(),
        };
        TaskError::new(format!("S3.{class}"), self.cause())
    }

    /// The SDK v2's message (absent parts print as `null`, as the SDK prints them).
    pub(crate) fn cause(&self) -> String {
        let or_null = |v: &Option<String>| v.clone().unwrap_or_else(|| "null".into());
        format!(
            "{} (Service: S3, Status Code: {}, Request ID: {}, Extended Request ID: {})",
            or_null(&self.message),
            self.status,
            or_null(&self.request_id),
            or_null(&self.extended_request_id)
        )
    }
}

/// Why an S3 call gave no result.
#[derive(Debug)]
pub(crate) enum S3Failure {
    /// S3 answered with an error.
    Service(S3Error),
    /// The call could not be made (or its answer not read).
    Local(TaskError),
}

impl S3Failure {
    pub(crate) fn task_error(self) -> TaskError {
        match self {
            S3Failure::Service(e) => e.task_error(),
            S3Failure::Local(e) => e,
        }
    }

    /// The cause text, for readers and writers that report it under their own error name.
    pub(crate) fn cause(&self) -> String {
        match self {
            S3Failure::Service(e) => e.cause(),
            S3Failure::Local(e) => e.cause.clone().unwrap_or_else(|| e.error.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::s3_model::ACTIONS;

    fn find(name: &str) -> &'static Action {
        ACTIONS.iter().find(|a| a.name == name).unwrap()
    }

    #[test]
    fn errors_are_named_as_the_sdk_v2_names_them() {
        let body = b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>R</RequestId><HostId>H</HostId></Error>";
        let response = RawResponse {
            status: 404,
            headers: vec![],
            body: body.to_vec(),
        };
        let e = S3Error::read(find("GetObject"), &response).task_error();
        assert_eq!(e.error, "S3.NoSuchKeyException");
        assert_eq!(
            e.cause.as_deref(),
            Some("The specified key does not exist. (Service: S3, Status Code: 404, Request ID: R, Extended Request ID: H)")
        );
        let head = RawResponse {
            status: 404,
            headers: vec![("x-amz-request-id".into(), "R2".into())],
            body: vec![],
        };
        let e = S3Error::read(find("HeadObject"), &head).task_error();
        assert_eq!(e.error, "S3.NoSuchKeyException");
        let forbidden = RawResponse {
            status: 403,
            headers: vec![],
            body: vec![],
        };
        let e = S3Error::read(find("HeadObject"), &forbidden).task_error();
        assert_eq!(e.error, "S3.S3Exception");
        assert_eq!(
            e.cause.as_deref(),
            Some(
                "null (Service: S3, Status Code: 403, Request ID: null, Extended Request ID: null)"
            )
        );
    }
}
