//! A service's error answer, named as Step Functions names it.
//!
//! Optimized integrations report the Java SDK v1's exception (`DynamoDB.ResourceNotFoundException`,
//! `DynamoDB.AmazonDynamoDBException` for an error the SDK has no class for) with its message
//! format; `aws-sdk:` integrations report the SDK v2's (`DynamoDb.ResourceNotFoundException`,
//! `DynamoDb.DynamoDbException`).

use serde_json::Value;

use super::response::RawResponse;
use super::services::ServiceSpec;
use super::xml::element_text;
use crate::resources::TaskError;

/// A service error, as read from the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServiceError {
    pub(crate) status: u16,
    /// The error code (`ResourceNotFoundException`, `NotFound`).
    pub(crate) code: String,
    /// The code of the Query protocol, which SQS's JSON answers carry in
    /// `x-amzn-query-error` (`AWS.SimpleQueueService.NonExistentQueue`): the Java SDK v1 spoke
    /// the Query protocol to SQS and quotes that code.
    pub(crate) query_code: Option<String>,
    pub(crate) message: String,
    pub(crate) request_id: String,
}

/// Errors every service may answer with, which no service models as its own exception: the
/// SDKs raise the service's base exception for them.
const COMMON_ERRORS: &[&str] = &[
    "AccessDeniedException",
    "IncompleteSignature",
    "IncompleteSignatureException",
    "InternalFailure",
    "InvalidAction",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "RequestExpired",
    "SerializationException",
    "ServiceUnavailable",
    "SignatureDoesNotMatch",
    "ThrottlingException",
    "UnknownOperationException",
    "UnrecognizedClientException",
    "ValidationError",
    "ValidationException",
];

impl ServiceError {
    /// The error of an AWS JSON protocol answer: the code from `x-amzn-ErrorType` or the body's
    /// `__type` (`com.amazonaws.dynamodb.v20120810#ResourceNotFoundException`).
    pub(crate) fn from_json(response: &RawResponse) -> ServiceError {
        let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        let code = response
            .header("x-amzn-ErrorType")
            .map(str::to_owned)
            .or_else(|| {
                body.get("__type")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .or_else(|| body.get("code").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| "UnknownError".into());
        let code = code.split(':').next().unwrap_or_default();
        let code = code.rsplit('#').next().unwrap_or_default().to_owned();
        let message = ["message", "Message", "errorMessage"]
            .iter()
            .find_map(|k| body.get(*k).and_then(Value::as_str))
            .unwrap_or_default()
            .to_owned();
        let query_code = response
            .header("x-amzn-query-error")
            .and_then(|v| v.split(';').next())
            .map(str::to_owned);
        ServiceError {
            status: response.status,
            code,
            query_code,
            message,
            request_id: response.request_id().to_owned(),
        }
    }

    /// The error of a Query protocol answer:
    /// `<ErrorResponse><Error><Code>NotFound</Code><Message>…`.
    pub(crate) fn from_query(response: &RawResponse) -> ServiceError {
        let xml = String::from_utf8_lossy(&response.body);
        let request_id =
            element_text(&xml, "RequestId").unwrap_or_else(|| response.request_id().to_owned());
        ServiceError {
            status: response.status,
            code: element_text(&xml, "Code").unwrap_or_else(|| "UnknownError".into()),
            query_code: None,
            message: element_text(&xml, "Message").unwrap_or_default(),
            request_id,
        }
    }

    /// The exception class the SDKs raise (`NotFound` ⇒ `NotFoundException`), `None` for an
    /// error the service does not model.
    fn modeled_class(&self) -> Option<String> {
        if COMMON_ERRORS.contains(&self.code.as_str()) {
            return None;
        }
        let base = self.code.rsplit('.').next().unwrap_or_default();
        if base.is_empty() {
            return None;
        }
        Some(match base.strip_suffix("Exception") {
            Some(_) => base.to_owned(),
            None => format!("{base}Exception"),
        })
    }

    /// The failure of an optimized integration (Java SDK v1 names and message format).
    pub(crate) fn optimized(&self, spec: &ServiceSpec) -> TaskError {
        let class = self
            .modeled_class()
            .unwrap_or_else(|| spec.v1_exception.to_owned());
        let code = self.query_code.as_deref().unwrap_or(&self.code);
        TaskError::new(
            format!("{}.{class}", spec.optimized_prefix),
            format!(
                "{} (Service: {}; Status Code: {}; Error Code: {code}; Request ID: {}; Proxy: null)",
                self.message, spec.v1_service, self.status, self.request_id
            ),
        )
    }

    /// The failure of an `aws-sdk:` integration (SDK v2 names and message format).
    pub(crate) fn sdk(&self, spec: &ServiceSpec) -> TaskError {
        let class = self
            .modeled_class()
            .unwrap_or_else(|| format!("{}Exception", spec.sdk_name));
        self.sdk_as(spec, &class)
    }

    /// [`ServiceError::sdk`] raised as the SDK v2 exception `class`, for services whose model
    /// names the class of each code.
    pub(crate) fn sdk_as(&self, spec: &ServiceSpec, class: &str) -> TaskError {
        TaskError::new(
            format!("{}.{class}", spec.sdk_name),
            format!(
                "{} (Service: {}, Status Code: {}, Request ID: {})",
                self.message, spec.sdk_name, self.status, self.request_id
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::services::{DYNAMODB, SNS};

    fn error(code: &str) -> ServiceError {
        ServiceError {
            status: 400,
            code: code.into(),
            query_code: None,
            message: "m".into(),
            request_id: "R".into(),
        }
    }

    #[test]
    fn optimized_names_follow_the_java_sdk_v1() {
        let e = error("ResourceNotFoundException").optimized(&DYNAMODB);
        assert_eq!(e.error, "DynamoDB.ResourceNotFoundException");
        assert_eq!(
            e.cause.as_deref(),
            Some("m (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: R; Proxy: null)")
        );
        assert_eq!(
            error("ValidationException").optimized(&DYNAMODB).error,
            "DynamoDB.AmazonDynamoDBException"
        );
        assert_eq!(
            error("NotFound").optimized(&SNS).error,
            "SNS.NotFoundException"
        );
    }

    #[test]
    fn sdk_names_follow_the_sdk_v2() {
        let e = error("ResourceNotFoundException").sdk(&DYNAMODB);
        assert_eq!(e.error, "DynamoDb.ResourceNotFoundException");
        assert_eq!(
            e.cause.as_deref(),
            Some("m (Service: DynamoDb, Status Code: 400, Request ID: R)")
        );
        assert_eq!(
            error("ValidationException").sdk(&DYNAMODB).error,
            "DynamoDb.DynamoDbException"
        );
    }

    #[test]
    fn json_error_codes_are_read_from_the_type() {
        let r = RawResponse {
            status: 400,
            headers: vec![("x-amzn-RequestId".into(), "R".into())],
            body: br#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#.to_vec(),
        };
        let e = ServiceError::from_json(&r);
        assert_eq!(e.code, "ResourceNotFoundException");
        assert_eq!(e.message, "Requested resource not found");
        assert_eq!(e.request_id, "R");
    }
}
