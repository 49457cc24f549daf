//! The HTTP Task (`arn:aws:states:::http:invoke`): the facts about its parameters that the
//! validator, the IAM policy and the engine share.
//!
//! ```
//! use sfn_asl::resource::http;
//! use serde_json::json;
//!
//! assert!(http::is_refused_header("Authorization"));
//! assert!(http::is_refused_header("x-amz-date"));
//! assert!(!http::is_refused_header("Content-Type"));
//! let params = json!({"InvocationConfig": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/c/1"}});
//! assert_eq!(http::connection(&params), Some(&json!({"ConnectionArn": "arn:aws:events:us-east-1:1:connection/c/1"})));
//! ```

use serde_json::Value;

/// The headers a state may not send ("Call HTTPS APIs", `Headers`): the task fails with
/// `States.Runtime`, and a definition that writes one out is refused.
const REFUSED: [&str; 32] = [
    "a-im",
    "accept-charset",
    "accept-datetime",
    "accept-encoding",
    "authorization",
    "cache-control",
    "connection",
    "content-encoding",
    "content-md5",
    "date",
    "expect",
    "forwarded",
    "from",
    "host",
    "http2-settings",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "proxy-authorization",
    "referer",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "warning",
];

/// Whether a state's `Headers` may not hold the header `name` (any case): the listed names and
/// the `x-forwarded-*`, `x-amz-*` and `x-amzn-*` families. (Credentials belong in the
/// EventBridge connection, whose headers may set `Authorization`.)
pub fn is_refused_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["x-forwarded-", "x-amz-", "x-amzn-"]
        .iter()
        .any(|p| lower.starts_with(p))
        || REFUSED.contains(&lower.as_str())
}

/// The methods the task may use.
pub const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

/// The object naming the EventBridge connection: `InvocationConfig` (AWS's recommended field)
/// or `Authentication` (the older one), each holding `ConnectionArn`.
pub fn connection(params: &Value) -> Option<&Value> {
    params
        .get("InvocationConfig")
        .filter(|v| !v.is_null())
        .or_else(|| params.get("Authentication").filter(|v| !v.is_null()))
}
