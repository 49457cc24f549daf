//! The request an HTTP Task sends, read from its parameters and merged with its EventBridge
//! connection's invocation parameters ("Call HTTPS APIs in Step Functions workflows"):
//!
//! - `ApiEndpoint` (an `https://` URL; `http://` only to a loopback host, where a local server
//!   stands in for the API), `Method` (GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD).
//! - `Headers`: an object of text (or scalars, or lists of them: one header line per value);
//!   the headers AWS refuses fail the task with `States.Runtime`. `User-Agent`
//!   (`Amazon|StepFunctions|HttpInvoke|<region>`), `Range` (`bytes=0-262144`) and `Host` are
//!   Step Functions' own, whatever the state gives.
//! - `QueryParameters`: an object (a list value repeats its key, an object nests as
//!   `key[member]`) or query text; appended to the endpoint's own query.
//! - `RequestBody`: sent as its JSON text (`Content-Type: application/json; charset=UTF-8`
//!   unless a header says otherwise), or with `Transform.RequestBodyEncoding: URL_ENCODED` as
//!   form data, arrays written as `Transform.RequestEncodingOptions.ArrayFormat` says:
//!   `INDICES` (the default) `a[0]=x&a[1]=y`, `REPEAT` `a=x&a=y`, `COMMAS` `a=x,y`, `BRACKETS`
//!   `a[]=x&a[]=y`. Every byte outside RFC 3986's unreserved set is percent-encoded (`%20`
//!   for a space, `%5B` for `[`), as AWS's own example request shows. A text body under
//!   `URL_ENCODED` is taken as form data already, and sent as it is.
//! - The connection's header, query and body parameters are added to the state's; where a key
//!   is in both, the connection's value is the one sent (in the state's key's place). A body
//!   that is not a JSON object cannot take the connection's body parameters: `States.Runtime`.

use serde_json::{Map, Value};
use sfn_asl::resource::http::{self, METHODS};

use super::http_form::{encode_pairs, form_pairs, merge, scalar, ArrayFormat};
use crate::resources::TaskError;

/// What Step Functions asks of every endpoint: at most the payload limit (256 KiB), plus one.
pub(crate) const RANGE: &str = "bytes=0-262144";

fn runtime(cause: String) -> TaskError {
    TaskError::new("States.Runtime", cause)
}

/// The HTTP Task's request as its parameters give it, before the connection is applied.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HttpCall {
    pub(crate) endpoint: String,
    pub(crate) method: String,
    pub(crate) connection_arn: String,
    /// Name and value, in the state's order (a list value gives one entry per item).
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
    /// `RequestBody`, absent when not given (or `null`).
    pub(crate) body: Option<Value>,
    /// `Some` under `RequestBodyEncoding: URL_ENCODED`.
    pub(crate) form: Option<ArrayFormat>,
}

/// What an EventBridge connection adds to every request (`InvocationHttpParameters`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct InvocationParameters {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Vec<(String, String)>,
}

fn text_param<'p>(params: &'p Value, name: &str) -> Result<Option<&'p str>, TaskError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(runtime(format!(
            "The field '{name}' of the HTTP Task must be text, not {other}"
        ))),
    }
}

impl HttpCall {
    /// Reads the task's effective parameters (`Parameters` or `Arguments`, evaluated).
    pub(crate) fn from_parameters(params: &Value) -> Result<HttpCall, TaskError> {
        if !params.is_object() {
            return Err(runtime(format!(
                "The parameters of the HTTP Task must be an object with ApiEndpoint, Method \
                 and InvocationConfig (or Authentication), not {params}"
            )));
        }
        let endpoint = text_param(params, "ApiEndpoint")?
            .ok_or_else(|| runtime("The field 'ApiEndpoint' is required for the HTTP Task".into()))?
            .to_owned();
        check_endpoint(&endpoint)?;
        let method = text_param(params, "Method")?
            .ok_or_else(|| runtime("The field 'Method' is required for the HTTP Task".into()))?;
        if !METHODS.contains(&method) {
            return Err(runtime(format!(
                "The Method '{method}' of the HTTP Task is not one of {}",
                METHODS.join(", ")
            )));
        }
        let connection_arn = http::connection(params)
            .and_then(|c| c.get("ConnectionArn"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                runtime(
                    "The HTTP Task needs an EventBridge connection: give \
                     \"InvocationConfig\": {\"ConnectionArn\": \"arn:aws:events:<region>:<account>:connection/<name>/<id>\"} \
                     (or the same under \"Authentication\")"
                        .into(),
                )
            })?
            .to_owned();
        Ok(HttpCall {
            endpoint,
            method: method.to_owned(),
            connection_arn,
            headers: headers(params.get("Headers"))?,
            query: query(params.get("QueryParameters"))?,
            body: params.get("RequestBody").filter(|b| !b.is_null()).cloned(),
            form: transform(params.get("Transform"))?,
        })
    }

    /// The URL to call: the endpoint with the query parameters (the connection's merged in)
    /// appended to its own query.
    pub(crate) fn url(&self, connection: &InvocationParameters) -> String {
        let pairs = merge(&self.query, &connection.query, false);
        if pairs.is_empty() {
            return self.endpoint.clone();
        }
        let query = encode_pairs(&pairs);
        let (base, fragment) = match self.endpoint.split_once('#') {
            Some((b, f)) => (b, Some(f)),
            None => (self.endpoint.as_str(), None),
        };
        let sep = match base.split_once('?') {
            Some((_, q)) if !q.is_empty() && !q.ends_with('&') => "&",
            Some(_) => "",
            None => "?",
        };
        let mut url = format!("{base}{sep}{query}");
        if let Some(f) = fragment {
            url.push('#');
            url.push_str(f);
        }
        url
    }

    /// The state's headers with the connection's merged in (the connection's win).
    pub(crate) fn headers(&self, connection: &InvocationParameters) -> Vec<(String, String)> {
        merge(&self.headers, &connection.headers, true)
    }

    /// The body to send, the connection's body parameters merged in: `None` when there is
    /// none.
    pub(crate) fn body(
        &self,
        connection: &InvocationParameters,
    ) -> Result<Option<Vec<u8>>, TaskError> {
        let body = match (&self.body, connection.body.is_empty()) {
            (body, true) => body.clone(),
            (None, false) => Some(Value::Object(Map::new())),
            (Some(Value::Object(m)), false) => Some(Value::Object(m.clone())),
            (Some(other), false) => {
                let kind = match other {
                    Value::String(_) => "text",
                    Value::Array(_) => "an array",
                    _ => "a single value",
                };
                return Err(runtime(format!(
                    "The RequestBody of the HTTP Task is {kind}, which cannot be merged with the \
                     body parameters of the connection {}; give the body as a JSON object",
                    self.connection_arn
                )));
            }
        };
        let Some(mut body) = body else {
            return Ok(None);
        };
        if let Value::Object(m) = &mut body {
            for (k, v) in &connection.body {
                m.insert(k.clone(), Value::String(v.clone()));
            }
        }
        let bytes = match (self.form, body) {
            (None, body) => body.to_string().into_bytes(),
            (Some(_), Value::String(s)) => s.into_bytes(),
            (Some(format), Value::Object(m)) => {
                let mut pairs = Vec::new();
                for (k, v) in &m {
                    form_pairs(k, v, format, &mut pairs);
                }
                encode_pairs(&pairs).into_bytes()
            }
            (Some(_), other) => {
                return Err(runtime(format!(
                    "The RequestBody of the HTTP Task must be a JSON object (or form text) to be \
                     URL-encoded, not {other}"
                )))
            }
        };
        Ok(Some(bytes))
    }
}

/// `https://host/...`, or `http://` to a loopback host (127.0.0.0/8, `localhost`, `[::1]`).
fn check_endpoint(endpoint: &str) -> Result<(), TaskError> {
    let uri: ::http::Uri = endpoint.parse().map_err(|e| {
        runtime(format!(
            "The ApiEndpoint '{endpoint}' of the HTTP Task is not a URL ({e})"
        ))
    })?;
    let host = uri.host().unwrap_or_default();
    let loopback = host == "localhost"
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    let scheme = uri.scheme_str().unwrap_or_default();
    if host.is_empty() || !(scheme == "https" || (scheme == "http" && loopback)) {
        return Err(runtime(format!(
            "The ApiEndpoint '{endpoint}' of the HTTP Task must be an HTTPS URL \
             (https://<host>/<path>; plain http:// only to a loopback address)"
        )));
    }
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(runtime(format!(
            "The ApiEndpoint '{endpoint}' of the HTTP Task may not hold user information; put \
             credentials in the EventBridge connection"
        )));
    }
    Ok(())
}

fn headers(given: Option<&Value>) -> Result<Vec<(String, String)>, TaskError> {
    let fields = match given {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(runtime(format!(
                "The field 'Headers' of the HTTP Task must be an object of header names and \
                 values, not {other}"
            )))
        }
    };
    let refused: Vec<String> = fields
        .keys()
        .filter(|k| http::is_refused_header(k))
        .map(|k| k.to_ascii_lowercase())
        .collect();
    if !refused.is_empty() {
        return Err(runtime(format!(
            "The 'Headers' field contains unsupported values: [{}]",
            refused.join(", ")
        )));
    }
    let mut out = Vec::new();
    for (name, value) in fields {
        let bad = || {
            runtime(format!(
                "The header '{name}' of the HTTP Task must be text or a list of texts, not {value}"
            ))
        };
        if ::http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(runtime(format!(
                "'{name}' is not a valid HTTP header name (Headers of the HTTP Task)"
            )));
        }
        match value {
            Value::Array(items) => {
                for item in items {
                    out.push((name.clone(), scalar(item).ok_or_else(bad)?));
                }
            }
            v => out.push((name.clone(), scalar(v).ok_or_else(bad)?)),
        }
    }
    Ok(out)
}

fn query(given: Option<&Value>) -> Result<Vec<(String, String)>, TaskError> {
    match given {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(text)) => Ok(form_urlencoded::parse(text.as_bytes())
            .into_owned()
            .collect()),
        Some(Value::Object(m)) => {
            let mut pairs = Vec::new();
            for (k, v) in m {
                form_pairs(k, v, ArrayFormat::Repeat, &mut pairs);
            }
            Ok(pairs)
        }
        Some(other) => Err(runtime(format!(
            "The field 'QueryParameters' of the HTTP Task must be an object of names and values \
             (or query text such as \"a=1&b=2\"), not {other}"
        ))),
    }
}

fn transform(given: Option<&Value>) -> Result<Option<ArrayFormat>, TaskError> {
    let Some(t) = given.filter(|t| !t.is_null()) else {
        return Ok(None);
    };
    if !t.is_object() {
        return Err(runtime(format!(
            "The field 'Transform' of the HTTP Task must be an object with RequestBodyEncoding \
             and RequestEncodingOptions, not {t}"
        )));
    }
    match text_param(t, "RequestBodyEncoding")? {
        None | Some("NONE") => return Ok(None),
        Some("URL_ENCODED") => {}
        Some(other) => {
            return Err(runtime(format!(
                "The RequestBodyEncoding '{other}' of the HTTP Task is not one of NONE, URL_ENCODED"
            )))
        }
    }
    let format = t
        .get("RequestEncodingOptions")
        .map(|o| text_param(o, "ArrayFormat"))
        .transpose()?
        .flatten();
    Ok(Some(match format {
        None | Some("INDICES") => ArrayFormat::Indices,
        Some("REPEAT") => ArrayFormat::Repeat,
        Some("COMMAS") => ArrayFormat::Commas,
        Some("BRACKETS") => ArrayFormat::Brackets,
        Some(other) => {
            return Err(runtime(format!(
                "The ArrayFormat '{other}' of the HTTP Task is not one of INDICES, REPEAT, \
                 COMMAS, BRACKETS"
            )))
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(params: Value) -> HttpCall {
        HttpCall::from_parameters(&params).unwrap_or_else(|e| panic!("{e}"))
    }

    fn base() -> Value {
        json!({"ApiEndpoint": "https://api.example.com/v1/invoices", "Method": "POST",
            "InvocationConfig": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/c/1"}})
    }

    fn with(extra: Value) -> Value {
        let mut p = base();
        for (k, v) in extra.as_object().into_iter().flatten() {
            p[k] = v.clone();
        }
        p
    }

    fn error(params: Value) -> String {
        match HttpCall::from_parameters(&params) {
            Ok(c) => panic!("accepted: {c:?}"),
            Err(e) => {
                assert_eq!(e.error, "States.Runtime");
                e.cause.unwrap_or_default()
            }
        }
    }

    /// AWS's own example: the Stripe invoice, form-encoded with INDICES.
    #[test]
    fn the_documented_form_body_is_encoded_as_aws_encodes_it() {
        let c = call(with(json!({
            "RequestBody": {"description": "Monthly subscription",
                "metadata": {"order_details": "monthly report data"}, "customer": "1234567890"},
            "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                "RequestEncodingOptions": {"ArrayFormat": "INDICES"}}})));
        let body = c.body(&InvocationParameters::default()).ok().flatten();
        assert_eq!(
            body.map(String::from_utf8),
            Some(Ok("description=Monthly%20subscription&metadata%5Border_details%5D=monthly%20report%20data&customer=1234567890".to_owned()))
        );
    }

    #[test]
    fn arrays_follow_the_array_format() {
        let encode = |format: &str| {
            let c = call(with(
                json!({"RequestBody": {"array": ["a", "b"], "n": [1, true]},
                "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                    "RequestEncodingOptions": {"ArrayFormat": format}}}),
            ));
            let body = c
                .body(&InvocationParameters::default())
                .ok()
                .flatten()
                .unwrap_or_default();
            String::from_utf8(body).unwrap_or_default()
        };
        assert_eq!(
            encode("INDICES"),
            "array%5B0%5D=a&array%5B1%5D=b&n%5B0%5D=1&n%5B1%5D=true"
        );
        assert_eq!(encode("REPEAT"), "array=a&array=b&n=1&n=true");
        assert_eq!(encode("COMMAS"), "array=a%2Cb&n=1%2Ctrue");
        assert_eq!(
            encode("BRACKETS"),
            "array%5B%5D=a&array%5B%5D=b&n%5B%5D=1&n%5B%5D=true"
        );
        assert!(error(with(
            json!({"Transform": {"RequestBodyEncoding": "URL_ENCODED",
            "RequestEncodingOptions": {"ArrayFormat": "PIPES"}}})
        ))
        .contains("'PIPES'"));
        assert!(
            error(with(json!({"Transform": {"RequestBodyEncoding": "GZIP"}}))).contains("'GZIP'")
        );
    }

    #[test]
    fn json_bodies_are_sent_as_their_text() {
        let c = call(with(json!({"RequestBody": {"a": [1, "x"]}})));
        let none = InvocationParameters::default();
        assert_eq!(
            c.body(&none).ok().flatten(),
            Some(br#"{"a":[1,"x"]}"#.to_vec())
        );
        let c = call(with(json!({"RequestBody": "plain"})));
        assert_eq!(c.body(&none).ok().flatten(), Some(br#""plain""#.to_vec()));
        assert_eq!(call(base()).body(&none).ok().flatten(), None);
    }

    /// "Merging EventBridge connection and HTTP Task definition data", AWS's example.
    #[test]
    fn the_connection_wins_where_keys_meet() {
        let c = call(with(json!({
            "ApiEndpoint": "https://example.com/path",
            "Headers": {"Request-Id": "my_request_id", "Header-Param": "state_machine_header_param"},
            "RequestBody": {"Job": "Software Engineer", "Company": "AnyCompany",
                "BodyParam": "state_machine_body_param"},
            "QueryParameters": {"QueryParam": "state_machine_query_param"}})));
        let conn = InvocationParameters {
            headers: vec![("Header-Param".into(), "connection_header_param".into())],
            query: vec![("QueryParam".into(), "connection_query_param".into())],
            body: vec![("BodyParam".into(), "connection_body_param".into())],
        };
        assert_eq!(
            c.url(&conn),
            "https://example.com/path?QueryParam=connection_query_param"
        );
        assert_eq!(
            c.headers(&conn),
            [
                ("Request-Id".to_owned(), "my_request_id".to_owned()),
                (
                    "Header-Param".to_owned(),
                    "connection_header_param".to_owned()
                )
            ]
        );
        assert_eq!(
            c.body(&conn).ok().flatten().map(String::from_utf8),
            Some(Ok(r#"{"Job":"Software Engineer","Company":"AnyCompany","BodyParam":"connection_body_param"}"#.to_owned()))
        );
        // A text body cannot take the connection's body parameters.
        let text = call(with(json!({"RequestBody": "raw"})));
        let e = text
            .body(&conn)
            .err()
            .and_then(|e| e.cause)
            .unwrap_or_default();
        assert!(e.contains("is text, which cannot be merged"), "{e}");
        // No body of its own: the connection's parameters are the body.
        assert_eq!(
            call(base()).body(&conn).ok().flatten(),
            Some(br#"{"BodyParam":"connection_body_param"}"#.to_vec())
        );
    }

    #[test]
    fn query_parameters_are_appended_and_encoded() {
        let c = call(with(json!({"ApiEndpoint": "https://e.com/s?fixed=1",
            "QueryParameters": {"currency": "usd", "tag": ["a b", "c&d"], "n": 2}})));
        let none = InvocationParameters::default();
        assert_eq!(
            c.url(&none),
            "https://e.com/s?fixed=1&currency=usd&tag=a%20b&tag=c%26d&n=2"
        );
        let c = call(with(json!({"QueryParameters": "a=1&b=x+y"})));
        assert_eq!(
            c.url(&none),
            "https://api.example.com/v1/invoices?a=1&b=x%20y"
        );
        assert!(error(with(json!({"QueryParameters": [1]}))).contains("'QueryParameters'"));
    }

    #[test]
    fn headers_aws_refuses_fail_the_task() {
        let e = error(with(
            json!({"Headers": {"Authorization": "Bearer x", "X-Amz-Date": "d"}}),
        ));
        assert_eq!(
            e,
            "The 'Headers' field contains unsupported values: [authorization, x-amz-date]"
        );
        let c = call(with(json!({"Headers": {"Accept": ["a", "b"], "X-N": 3}})));
        assert_eq!(
            c.headers,
            [
                ("Accept".to_owned(), "a".to_owned()),
                ("Accept".to_owned(), "b".to_owned()),
                ("X-N".to_owned(), "3".to_owned())
            ]
        );
        assert!(error(with(json!({"Headers": {"X": {"a": 1}}}))).contains("header 'X'"));
        assert!(error(with(json!({"Headers": "x"}))).contains("'Headers'"));
    }

    #[test]
    fn endpoint_method_and_connection_are_required() {
        assert!(error(json!({"Method": "GET"})).contains("'ApiEndpoint' is required"));
        assert!(error(with(json!({"Method": "FETCH"}))).contains("'FETCH'"));
        assert!(error(with(json!({"ApiEndpoint": "ftp://e.com"}))).contains("must be an HTTPS URL"));
        assert!(error(with(json!({"ApiEndpoint": "http://example.com/x"}))).contains("loopback"));
        assert!(
            error(with(json!({"ApiEndpoint": "https://u:p@e.com/"}))).contains("user information")
        );
        let mut p = base();
        p.as_object_mut().map(|m| m.remove("InvocationConfig"));
        assert!(error(p.clone()).contains("needs an EventBridge connection"));
        p["Authentication"] = json!({"ConnectionArn": "arn:aws:events:r:1:connection/old/2"});
        assert_eq!(
            call(p).connection_arn,
            "arn:aws:events:r:1:connection/old/2"
        );
        let local = call(with(json!({"ApiEndpoint": "http://127.0.0.1:8080/x"})));
        assert_eq!(local.endpoint, "http://127.0.0.1:8080/x");
    }
}
