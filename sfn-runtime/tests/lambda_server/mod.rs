//! A local server speaking AWS Lambda's `Invoke` API on 127.0.0.1, for the tests that call
//! Lambda for real: `POST /2015-03-31/functions/{FunctionName}/invocations` with the function
//! named by name, partial or full ARN, a qualifier in the ARN or the `Qualifier` query member,
//! and `X-Amz-Invocation-Type`, `X-Amz-Log-Type`, `X-Amz-Client-Context`. It answers as Lambda
//! does: the function's bytes with Lambda's headers, `X-Amz-Function-Error: Unhandled` and the
//! runtime's error JSON for a raised exception, `ResourceNotFoundException` (404) for an unknown
//! function or qualifier.
//!
//! Functions are the recorded tests' small Python handlers, described by a behaviour (echo,
//! constant, raise, sleep then, python-format; `../shared/integration/README.md`): the server
//! runs the behaviour and writes the answer as the Python runtime writes it. It runs on its own
//! thread and tokio runtime, like a separate process, and stops when dropped.
//!
//! Any other path is a REST API stage in front of these functions (`apigateway.rs`), for
//! `apigateway:invoke`.
//!
//! Each test crate uses part of it.
#![allow(dead_code)]

mod apigateway;
mod python;

pub use apigateway::RestResource;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value};
use sfn_asl::resource::FunctionRef;

#[path = "../local_http/mod.rs"]
mod local_http;
use local_http::Served;

/// What a function does with its event.
#[derive(Debug, Clone, PartialEq)]
pub enum Behaviour {
    /// Returns the event.
    Echo,
    /// Returns these bytes (not necessarily JSON).
    Constant(Vec<u8>),
    /// Raises an exception: Lambda's error JSON with this type, message and stack.
    Raise {
        error_type: String,
        message: String,
        stack: Vec<String>,
    },
    /// Sleeps, then behaves as `then`.
    Sleep { seconds: f64, then: Box<Behaviour> },
    /// Returns the text `template` with `{event}` replaced by Python's `str(event)`.
    PythonFormat { template: String },
}

fn text(v: &Value, key: &str) -> Result<String, String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("the lambda behaviour {v} needs a text `{key}`"))
}

impl Behaviour {
    /// The behaviour of a `lambda` fixture (its `behaviour` member).
    pub fn from_fixture(b: &Value) -> Result<Behaviour, String> {
        Ok(match text(b, "type")?.as_str() {
            "echo" => Behaviour::Echo,
            "constant" => match (b.get("payload"), b.get("payload_repeat")) {
                (Some(Value::String(p)), _) => Behaviour::Constant(p.clone().into_bytes()),
                (_, Some(r)) => {
                    let count = r.get("count").and_then(Value::as_u64).ok_or_else(|| {
                        format!("payload_repeat {r} needs a whole-number `count`")
                    })?;
                    let count = usize::try_from(count).map_err(|e| e.to_string())?;
                    Behaviour::Constant(text(r, "text")?.repeat(count).into_bytes())
                }
                _ => return Err(format!("the constant behaviour {b} needs `payload` text or `payload_repeat`")),
            },
            "raise" => Behaviour::Raise {
                error_type: text(b, "errorType")?,
                message: text(b, "errorMessage")?,
                stack: b["stackTrace"]
                    .as_array()
                    .map(|s| s.iter().filter_map(|l| l.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default(),
            },
            "sleep" => {
                let seconds = b
                    .get("seconds")
                    .and_then(Value::as_f64)
                    .ok_or_else(|| format!("the sleep behaviour {b} needs `seconds`"))?;
                let then = match b.get("then") {
                    Some(Value::String(kind)) => Behaviour::from_fixture(&json!({"type": kind}))?,
                    Some(then @ Value::Object(_)) => Behaviour::from_fixture(then)?,
                    _ => Behaviour::Echo,
                };
                Behaviour::Sleep {
                    seconds,
                    then: Box::new(then),
                }
            }
            "python-format" => Behaviour::PythonFormat {
                template: text(b, "template")?,
            },
            other => {
                return Err(format!(
                    "unknown lambda behaviour `{other}`; known: echo, constant, raise, sleep, python-format"
                ))
            }
        })
    }
}

/// A function: its behaviour and its aliases (alias → version).
#[derive(Debug, Clone)]
struct Function {
    behaviour: Behaviour,
    aliases: HashMap<String, String>,
}

/// One `Invoke` the server received.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// The function's name.
    pub function: String,
    /// The version or alias asked for, if any.
    pub qualifier: Option<String>,
    pub invocation_type: Option<String>,
    pub log_type: Option<String>,
    pub client_context: Option<String>,
    /// The request body.
    pub payload: Vec<u8>,
}

struct Shared {
    account: String,
    region: String,
    functions: Mutex<HashMap<String, Function>>,
    invocations: Mutex<Vec<Invocation>>,
    rest_apis: Mutex<apigateway::RestApis>,
    ids: AtomicU64,
}

impl Shared {
    fn request_id(&self) -> String {
        let n = self.ids.fetch_add(1, Ordering::Relaxed);
        let (state, hi) = sfn_asl::random::splitmix64(n);
        let (_, lo) = sfn_asl::random::splitmix64(state);
        sfn_asl::random::uuid_v4(hi, lo)
    }

    fn arn(&self, name: &str, qualifier: &str) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{name}:{qualifier}",
            self.region, self.account
        )
    }
}

/// A running local Lambda.
pub struct LambdaServer {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    shared: Arc<Shared>,
    /// Stops the server when it is dropped.
    _served: Served,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl LambdaServer {
    /// Starts a server on a free port of 127.0.0.1 whose functions live in `account`,
    /// us-east-1.
    pub fn start(account: &str) -> Result<LambdaServer, String> {
        let shared = Arc::new(Shared {
            account: account.to_owned(),
            region: "us-east-1".into(),
            functions: Mutex::default(),
            invocations: Mutex::default(),
            rest_apis: Mutex::default(),
            ids: AtomicU64::new(std::process::id().into()),
        });
        let app = Router::new()
            .route("/2015-03-31/functions/{function}/invocations", post(invoke))
            .route("/2015-03-31/functions/{function}", get(get_function))
            .fallback(apigateway::stage)
            .with_state(shared.clone());
        let served = Served::start(app, "Lambda server")?;
        Ok(LambdaServer {
            endpoint: served.url(),
            shared,
            _served: served,
        })
    }

    /// Creates (or replaces) the function `name`.
    pub fn register(&self, name: &str, behaviour: Behaviour) {
        lock(&self.shared.functions).insert(
            name.to_owned(),
            Function {
                behaviour,
                aliases: HashMap::new(),
            },
        );
    }

    /// Creates the function of a `lambda` fixture (`name`, `behaviour`).
    pub fn register_fixture(&self, fixture: &Value) -> Result<(), String> {
        let name = text(fixture, "name")?;
        let behaviour = Behaviour::from_fixture(&fixture["behaviour"])?;
        self.register(&name, behaviour);
        Ok(())
    }

    /// Points `alias` of the function `name` at `version`.
    pub fn alias(&self, name: &str, alias: &str, version: &str) {
        if let Some(f) = lock(&self.shared.functions).get_mut(name) {
            f.aliases.insert(alias.to_owned(), version.to_owned());
        }
    }

    /// Deploys `method` on the resource `path` of a REST API's `stage` (served at
    /// `/<stage>/<path>`).
    pub fn rest_resource(&self, stage: &str, path: &str, method: &str, resource: RestResource) {
        lock(&self.shared.rest_apis).insert(
            (stage.to_owned(), path.to_owned(), method.to_owned()),
            resource,
        );
    }

    /// Deletes every function and REST API and forgets the invocations.
    pub fn clear(&self) {
        lock(&self.shared.rest_apis).clear();
        lock(&self.shared.functions).clear();
        lock(&self.shared.invocations).clear();
    }

    /// The invocations received so far, in order.
    pub fn invocations(&self) -> Vec<Invocation> {
        lock(&self.shared.invocations).clone()
    }
}

/// An SDK configuration's per-service settings that point the Lambda client and the
/// `execute-api` domain (REST API stages) at this server, as `AWS_ENDPOINT_URL_LAMBDA` and
/// `AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI` would, leaving every other service as it is.
#[derive(Debug)]
pub struct LambdaEndpoint(pub String);

impl aws_types::service_config::LoadServiceConfig for LambdaEndpoint {
    fn load_config(&self, key: aws_types::service_config::ServiceConfigKey<'_>) -> Option<String> {
        let ours = matches!(key.service_id(), "Lambda" | "ApiGatewayManagementApi");
        (ours && key.env() == "AWS_ENDPOINT_URL").then(|| self.0.clone())
    }
}

/// The headers every Lambda answer carries.
fn base_headers(request_id: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    h.insert("connection", HeaderValue::from_static("keep-alive"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-requestid", v);
    }
    h
}

/// A Lambda service error: `x-amzn-ErrorType` and `{"Type": "User", "Message": …}`.
fn service_error(
    status: StatusCode,
    code: &'static str,
    message: &str,
    request_id: &str,
) -> Response {
    let mut headers = base_headers(request_id);
    headers.insert("x-amzn-errortype", HeaderValue::from_static(code));
    let body = json!({"Type": "User", "Message": message}).to_string();
    (status, headers, body).into_response()
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// What a behaviour produced: the answer's bytes, and whether the function failed.
struct Answer {
    body: Vec<u8>,
    failed: bool,
}

async fn run(behaviour: &Behaviour, event: &Value, request_id: &str) -> Answer {
    let mut behaviour = behaviour;
    while let Behaviour::Sleep { seconds, then } = behaviour {
        tokio::time::sleep(Duration::from_secs_f64(seconds.max(0.0))).await;
        behaviour = then;
    }
    let ok = |body: Vec<u8>| Answer {
        body,
        failed: false,
    };
    match behaviour {
        Behaviour::Echo => ok(python::dumps(event)),
        Behaviour::Constant(bytes) => ok(bytes.clone()),
        Behaviour::PythonFormat { template } => ok(python::dumps(&Value::String(
            template.replace("{event}", &python::str_of(event)),
        ))),
        Behaviour::Raise {
            error_type,
            message,
            stack,
        } => Answer {
            body: python::dumps(&json!({"errorMessage": message, "errorType": error_type,
                "requestId": request_id, "stackTrace": stack})),
            failed: true,
        },
        Behaviour::Sleep { .. } => ok(b"null".to_vec()),
    }
}

/// `GetFunction`: the function's configuration (name, ARN, version asked for).
async fn get_function(
    State(shared): State<Arc<Shared>>,
    Path(function): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let request_id = shared.request_id();
    let name = FunctionRef::parse(&function).map_or(function.as_str(), |f| f.name);
    let version = query.get("Qualifier").map_or("$LATEST", String::as_str);
    if !lock(&shared.functions).contains_key(name) {
        let arn = shared.arn(name, version);
        return service_error(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            &format!("Function not found: {arn}"),
            &request_id,
        );
    }
    let arn = shared.arn(name, version);
    let body = json!({"Configuration": {"FunctionName": name, "FunctionArn": arn,
        "Runtime": "python3.12", "Handler": "handler.handler", "Version": version}});
    (StatusCode::OK, base_headers(&request_id), body.to_string()).into_response()
}

/// `Invoke`.
async fn invoke(
    State(shared): State<Arc<Shared>>,
    Path(function): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = shared.request_id();
    let named = FunctionRef::parse(&function);
    let name = named.map_or(function.as_str(), |f| f.name).to_owned();
    let qualifier = query
        .get("Qualifier")
        .cloned()
        .or_else(|| named.and_then(|f| f.qualifier).map(str::to_owned));
    let invocation_type = header(&headers, "x-amz-invocation-type");
    let log_type = header(&headers, "x-amz-log-type");
    lock(&shared.invocations).push(Invocation {
        function: name.clone(),
        qualifier: qualifier.clone(),
        invocation_type: invocation_type.clone(),
        log_type: log_type.clone(),
        client_context: header(&headers, "x-amz-client-context"),
        payload: body.to_vec(),
    });
    let found = lock(&shared.functions).get(&name).cloned();
    let version = match (&found, qualifier.as_deref()) {
        (Some(_), None | Some("$LATEST")) => Some("$LATEST".to_owned()),
        (Some(f), Some(q)) => f.aliases.get(q).cloned(),
        (None, _) => None,
    };
    let (Some(function), Some(version)) = (found, version) else {
        let arn = shared.arn(&name, qualifier.as_deref().unwrap_or("$LATEST"));
        return service_error(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            &format!("Function not found: {arn}"),
            &request_id,
        );
    };
    let event: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                return service_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidRequestContentException",
                    &format!("Could not parse request body into json: {e}"),
                    &request_id,
                )
            }
        }
    };
    match invocation_type.as_deref() {
        None | Some("RequestResponse") => {}
        Some("Event") => {
            let behaviour = function.behaviour.clone();
            let id = request_id.clone();
            tokio::spawn(async move { run(&behaviour, &event, &id).await });
            let mut h = base_headers(&request_id);
            h.insert("x-amzn-remapped-content-length", HeaderValue::from_static("0"));
            return (StatusCode::ACCEPTED, h, Vec::new()).into_response();
        }
        Some("DryRun") => {
            return (StatusCode::NO_CONTENT, base_headers(&request_id), Vec::new()).into_response()
        }
        Some(other) => {
            return service_error(
                StatusCode::BAD_REQUEST,
                "ValidationException",
                &format!("1 validation error detected: Value '{other}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"),
                &request_id,
            )
        }
    }
    let answer = run(&function.behaviour, &event, &request_id).await;
    let mut h = base_headers(&request_id);
    h.insert(
        "x-amzn-remapped-content-length",
        HeaderValue::from_static("0"),
    );
    if let Ok(v) = HeaderValue::from_str(&version) {
        h.insert("x-amz-executed-version", v);
    }
    let n = shared.ids.load(Ordering::Relaxed);
    let trace = format!(
        "root=1-{:08x}-{:024x};parent={:016x};sampled=0;lineage=1:{:08x}:0",
        n as u32, n, n, n as u32
    );
    if let Ok(v) = HeaderValue::from_str(&trace) {
        h.insert("x-amzn-trace-id", v);
    }
    if answer.failed {
        h.insert(
            "x-amz-function-error",
            HeaderValue::from_static("Unhandled"),
        );
    }
    if log_type.as_deref() == Some("Tail") {
        let log = format!(
            "START RequestId: {request_id} Version: {version}\nEND RequestId: {request_id}\nREPORT RequestId: {request_id}\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 32 MB\t\n"
        );
        let encoded = base64::engine::general_purpose::STANDARD.encode(log);
        if let Ok(v) = HeaderValue::from_str(&encoded) {
            h.insert("x-amz-log-result", v);
        }
    }
    (StatusCode::OK, h, answer.body).into_response()
}
