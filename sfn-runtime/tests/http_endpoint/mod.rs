//! A local API on 127.0.0.1 for the HTTP Task tests: it records every request as it arrived
//! (method, path, raw query, headers, body) and answers by path:
//!
//! - `/echo`: 200, `{"ok": true, "path": …}` as JSON, with two `x-custom` header lines;
//! - `/text`: 200, plain text; `/image`: 200, `image/png`; `/missing`: 404;
//! - `/oauth/token`: an OAuth client-credentials token endpoint for the client
//!   [`CLIENT_ID`]/[`CLIENT_SECRET`] (HTTP Basic), answering `{"access_token", "expires_in"}`;
//! - `/secure`: 200 for `Authorization: Bearer <a token it issued and has not revoked>`, else
//!   401.
//!
//! It runs on its own thread and tokio runtime, like a separate process, and stops when
//! dropped.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use serde_json::json;

#[path = "../local_http/mod.rs"]
mod local_http;
use local_http::Served;

/// The OAuth client the token endpoint knows.
pub const CLIENT_ID: &str = "orders-client";
/// Its secret.
pub const CLIENT_SECRET: &str = "orders-secret";

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// The query as sent (still percent-encoded), `""` when none.
    pub query: String,
    /// Lower-case names, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    /// Every value of the header `name`.
    pub fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    /// Tokens issued and still valid.
    tokens: Mutex<Vec<String>>,
    issued: Mutex<u32>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A running local API.
pub struct Endpoint {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    shared: Arc<Shared>,
    /// Stops the server when the endpoint is dropped.
    _served: Served,
}

impl Endpoint {
    /// Starts the server on a free port of 127.0.0.1.
    pub fn start() -> Result<Endpoint, String> {
        let shared = Arc::new(Shared::default());
        let app = Router::new().fallback(answer).with_state(shared.clone());
        let served = Served::start(app, "local API")?;
        Ok(Endpoint {
            url: served.url(),
            shared,
            _served: served,
        })
    }

    /// The requests received so far, and forgets them.
    pub fn take(&self) -> Vec<Received> {
        std::mem::take(&mut *lock(&self.shared.received))
    }

    /// How many tokens the token endpoint has issued.
    pub fn tokens_issued(&self) -> u32 {
        *lock(&self.shared.issued)
    }

    /// Revokes every token issued so far (as an expired or rotated token).
    pub fn revoke_tokens(&self) {
        lock(&self.shared.tokens).clear();
    }
}

fn json_answer(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn answer(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let received = Received {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        headers: headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    };
    let authorization = received
        .header("authorization")
        .first()
        .map(|s| (*s).to_owned());
    let path = received.path.clone();
    lock(&shared.received).push(received);
    match path.as_str() {
        "/echo" => {
            let mut r = json_answer(StatusCode::OK, json!({"ok": true, "path": path}));
            for v in ["a", "b"] {
                r.headers_mut()
                    .append("x-custom", axum::http::HeaderValue::from_static(v));
            }
            r
        }
        "/text" => (
            StatusCode::OK,
            [("content-type", "text/plain")],
            "plain text",
        )
            .into_response(),
        "/image" => (
            StatusCode::OK,
            [("content-type", "image/png")],
            vec![0x89u8, b'P'],
        )
            .into_response(),
        "/oauth/token" => {
            let expected = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
            );
            if authorization.as_deref() != Some(expected.as_str()) {
                return json_answer(StatusCode::UNAUTHORIZED, json!({"error": "invalid_client"}));
            }
            let token = {
                let mut issued = lock(&shared.issued);
                *issued += 1;
                format!("token-{issued}")
            };
            lock(&shared.tokens).push(token.clone());
            json_answer(
                StatusCode::OK,
                json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600}),
            )
        }
        "/secure" => {
            let valid = authorization
                .as_deref()
                .and_then(|a| a.strip_prefix("Bearer "))
                .is_some_and(|t| lock(&shared.tokens).iter().any(|k| k == t));
            if valid {
                json_answer(StatusCode::OK, json!({"secure": true}))
            } else {
                json_answer(StatusCode::UNAUTHORIZED, json!({"message": "Unauthorized"}))
            }
        }
        _ => (
            StatusCode::NOT_FOUND,
            [("content-type", "text/plain")],
            "no such resource",
        )
            .into_response(),
    }
}
