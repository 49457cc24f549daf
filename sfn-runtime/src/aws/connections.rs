//! The EventBridge connection of an HTTP Task: how it authorizes, and what it adds to every
//! request.
//!
//! Step Functions reads a connection with `events:RetrieveConnectionCredentials`, an API
//! EventBridge keeps to AWS's services, and the Secrets Manager secret EventBridge writes for
//! the connection (`events!connection/<name>/…`). The engine reads the same facts through the
//! public API: `DescribeConnection` gives the authorization type, the parameters that are not
//! secret and the secret's ARN; `GetSecretValue` on that secret gives what `DescribeConnection`
//! leaves out (the API key value, the password, the OAuth client secret, invocation parameters
//! marked `IsValueSecret`). A value is taken from `DescribeConnection` where it gives one, else
//! from the secret, whose members may be spelt either way (`ApiKeyValue` or `api_key_value`,
//! as EventBridge and moto write them).
//!
//! OAuth client-credentials connections get their access token from the connection's
//! authorization endpoint: its `HttpMethod`, the client ID and secret as HTTP Basic
//! credentials, `grant_type=client_credentials` (unless the connection's OAuth body parameters
//! give one) with the connection's OAuth header, query and body parameters; the answer's
//! `access_token` is sent as `Authorization: Bearer …`. Tokens are kept per connection until
//! 60 seconds before their `expires_in`, and fetched again when the endpoint answers 401 or
//! 407 ("Authorization methods for connections in EventBridge").

use std::time::Duration;

use serde_json::{json, Value};
use sfn_asl::resource::Arn;
use tokio::time::Instant;

use super::http_request::InvocationParameters;
use super::http_task::{exchange, Answer};
use super::sdk::{json_call, CallError};
use super::services::{EVENTBRIDGE, SECRETS_MANAGER};
use super::AwsClients;
use crate::resources::TaskError;

/// How a connection authorizes its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Authorization {
    /// `API_KEY`: one header.
    ApiKey { name: String, value: String },
    /// `BASIC`: `Authorization: Basic …`.
    Basic { username: String, password: String },
    /// `OAUTH_CLIENT_CREDENTIALS`: `Authorization: Bearer <token from the endpoint>`.
    OAuth(OAuth),
}

/// An OAuth client-credentials connection's token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuth {
    pub(crate) endpoint: String,
    pub(crate) method: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) parameters: InvocationParameters,
}

/// A connection as the HTTP Task uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Connection {
    pub(crate) arn: String,
    pub(crate) authorization: Authorization,
    /// `InvocationHttpParameters`: added to every request.
    pub(crate) invocation: InvocationParameters,
}

/// An access token and when it stops being used.
#[derive(Debug, Clone)]
pub(crate) struct CachedToken {
    key: String,
    token: String,
    renew_at: Option<Instant>,
}

fn connection_error(kind: &str, cause: String) -> TaskError {
    TaskError::new(format!("Events.ConnectionResource.{kind}"), cause)
}

/// `ApiKeyValue`, `api_key_value` and `apikeyvalue` are one member.
fn same_member(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    norm(a) == norm(b)
}

fn member<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| same_member(k, key))
        .map(|(_, v)| v)
}

/// The first text `key` names in `sources`.
fn text_in(sources: &[Option<&Value>], key: &str) -> Option<String> {
    sources
        .iter()
        .flatten()
        .find_map(|s| member(s, key).and_then(Value::as_str))
        .map(str::to_owned)
}

/// `InvocationHttpParameters` (or `OAuthHttpParameters`): the entries `described` gives, each
/// value missing there (a secret one) taken from the same key in `secret`.
fn parameters(described: Option<&Value>, secret: Option<&Value>) -> InvocationParameters {
    let list = |name: &str| -> Vec<(String, String)> {
        let entries = |v: Option<&Value>| -> Vec<(String, Option<String>)> {
            v.and_then(|v| member(v, name))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| {
                    let key = member(e, "Key")?.as_str()?.to_owned();
                    let value = member(e, "Value")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    Some((key, value))
                })
                .collect()
        };
        let hidden = entries(secret);
        let mut out: Vec<(String, String)> = Vec::new();
        let given = entries(described);
        let from = if given.is_empty() { &hidden } else { &given };
        for (key, value) in from {
            let value = value.clone().or_else(|| {
                hidden
                    .iter()
                    .find(|(k, _)| k == key)
                    .and_then(|(_, v)| v.clone())
            });
            out.push((key.clone(), value.unwrap_or_default()));
        }
        out
    };
    InvocationParameters {
        headers: list("HeaderParameters"),
        query: list("QueryStringParameters"),
        body: list("BodyParameters"),
    }
}

/// The connection `describe` (a `DescribeConnection` answer) and `secret` (its secret's JSON)
/// describe together.
pub(crate) fn connection_of(
    arn: &str,
    describe: &Value,
    secret: Option<&Value>,
) -> Result<Connection, TaskError> {
    let params = describe.get("AuthParameters");
    let section = |name: &str| params.and_then(|p| member(p, name));
    let secret_section = |name: &str| secret.and_then(|s| member(s, name));
    let missing = |what: &str| {
        connection_error(
            "InvalidConnectionState",
            format!("The connection {arn} has no {what}; update it with UpdateConnection"),
        )
    };
    let kind = describe
        .get("AuthorizationType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let authorization = match kind {
        "API_KEY" => {
            let sources = [
                section("ApiKeyAuthParameters"),
                secret_section("ApiKeyAuthParameters"),
                secret,
            ];
            Authorization::ApiKey {
                name: text_in(&sources, "ApiKeyName").ok_or_else(|| missing("ApiKeyName"))?,
                value: text_in(&sources, "ApiKeyValue").ok_or_else(|| missing("ApiKeyValue"))?,
            }
        }
        "BASIC" => {
            let sources = [
                section("BasicAuthParameters"),
                secret_section("BasicAuthParameters"),
                secret,
            ];
            Authorization::Basic {
                username: text_in(&sources, "Username").ok_or_else(|| missing("Username"))?,
                password: text_in(&sources, "Password").ok_or_else(|| missing("Password"))?,
            }
        }
        "OAUTH_CLIENT_CREDENTIALS" => {
            let described = section("OAuthParameters");
            let hidden = secret_section("OAuthParameters").or(secret);
            let sources = [described, hidden];
            let client = [
                described.and_then(|d| member(d, "ClientParameters")),
                hidden.and_then(|h| member(h, "ClientParameters")),
            ];
            Authorization::OAuth(OAuth {
                endpoint: text_in(&sources, "AuthorizationEndpoint")
                    .ok_or_else(|| missing("AuthorizationEndpoint"))?,
                method: text_in(&sources, "HttpMethod").unwrap_or_else(|| "POST".into()),
                client_id: text_in(&client, "ClientID").ok_or_else(|| missing("ClientID"))?,
                client_secret: text_in(&client, "ClientSecret")
                    .ok_or_else(|| missing("ClientSecret"))?,
                parameters: parameters(
                    described.and_then(|d| member(d, "OAuthHttpParameters")),
                    hidden.and_then(|h| member(h, "OAuthHttpParameters")),
                ),
            })
        }
        other => {
            return Err(connection_error(
                "InvalidConnectionState",
                format!("The connection {arn} has the authorization type '{other}', which is not API_KEY, BASIC or OAUTH_CLIENT_CREDENTIALS"),
            ))
        }
    };
    Ok(Connection {
        arn: arn.to_owned(),
        authorization,
        invocation: parameters(
            section("InvocationHttpParameters"),
            secret_section("InvocationHttpParameters"),
        ),
    })
}

/// The connection `arn` names, read from EventBridge and its secret.
pub(crate) async fn read(clients: &AwsClients, arn: &str) -> Result<Connection, TaskError> {
    let name = Arn::parse(arn)
        .filter(|a| a.service == "events")
        .and_then(|a| {
            let id = a.resource.strip_prefix("connection/")?;
            Some(id.split('/').next().unwrap_or_default().to_owned())
        })
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            TaskError::new(
                "States.Runtime",
                format!(
                    "The ConnectionArn '{arn}' of the HTTP Task is not an EventBridge connection \
                     ARN (arn:aws:events:<region>:<account>:connection/<name>/<id>)"
                ),
            )
        })?;
    let describe = match json_call(
        clients,
        &EVENTBRIDGE,
        "DescribeConnection",
        &json!({"Name": name}),
    )
    .await
    {
        Ok(answer) => answer.json()?,
        Err(CallError::Local(e)) => return Err(e),
        Err(CallError::Service(e)) => {
            let kind = match e.code.as_str() {
                "ResourceNotFoundException" => "ResourceNotFound",
                c if c.starts_with("AccessDenied") => "AccessDenied",
                _ => "InternalError",
            };
            return Err(connection_error(
                kind,
                format!(
                    "EventBridge could not describe the connection {arn}: {} ({})",
                    e.message, e.code
                ),
            ));
        }
    };
    // A connection deleted and created again under the same name is another connection.
    let current = describe.get("ConnectionArn").and_then(Value::as_str);
    if current.is_some_and(|c| c != arn) {
        return Err(connection_error(
            "ResourceNotFound",
            format!(
                "The connection {arn} does not exist (the connection named '{name}' is {})",
                current.unwrap_or_default()
            ),
        ));
    }
    let state = describe
        .get("ConnectionState")
        .and_then(Value::as_str)
        .unwrap_or("AUTHORIZED");
    let refused = match state {
        "AUTHORIZED" | "ACTIVE" => None,
        "AUTHORIZING" => Some("AuthInProgress"),
        "CREATING" | "UPDATING" => Some("ConcurrentModification"),
        _ => Some("InvalidConnectionState"),
    };
    if let Some(kind) = refused {
        return Err(connection_error(
            kind,
            format!("The connection {arn} is {state}, not AUTHORIZED"),
        ));
    }
    let secret = match describe.get("SecretArn").and_then(Value::as_str) {
        Some(secret_arn) => Some(read_secret(clients, arn, secret_arn).await?),
        None => None,
    };
    connection_of(arn, &describe, secret.as_ref())
}

async fn read_secret(
    clients: &AwsClients,
    arn: &str,
    secret_arn: &str,
) -> Result<Value, TaskError> {
    let answer = match json_call(
        clients,
        &SECRETS_MANAGER,
        "GetSecretValue",
        &json!({"SecretId": secret_arn}),
    )
    .await
    {
        Ok(answer) => answer.json()?,
        Err(CallError::Local(e)) => return Err(e),
        Err(CallError::Service(e)) => {
            let kind = if e.code.starts_with("AccessDenied") {
                "AccessDenied"
            } else {
                "InternalError"
            };
            return Err(connection_error(
                kind,
                format!(
                    "The secret {secret_arn} of the connection {arn} could not be read: {} ({})",
                    e.message, e.code
                ),
            ));
        }
    };
    let text = answer
        .get("SecretString")
        .and_then(Value::as_str)
        .unwrap_or("{}");
    serde_json::from_str(text).map_err(|e| {
        connection_error(
            "InternalError",
            format!("The secret {secret_arn} of the connection {arn} is not JSON ({e})"),
        )
    })
}

/// The header that authorizes a request through `connection`, and whether an OAuth token was
/// fetched for it just now (`renew` forgets the one kept).
pub(crate) async fn authorization_header(
    clients: &AwsClients,
    connection: &Connection,
    renew: bool,
) -> Result<((String, String), bool), TaskError> {
    let basic = |user: &str, password: &str| {
        let credentials = aws_smithy_types::base64::encode(format!("{user}:{password}"));
        ("Authorization".to_owned(), format!("Basic {credentials}"))
    };
    match &connection.authorization {
        Authorization::ApiKey { name, value } => Ok(((name.clone(), value.clone()), false)),
        Authorization::Basic { username, password } => Ok((basic(username, password), false)),
        Authorization::OAuth(oauth) => {
            let key = format!(
                "{}\n{}\n{}",
                connection.arn, oauth.endpoint, oauth.client_id
            );
            let mut tokens = clients.oauth_tokens().await;
            let now = Instant::now();
            let kept = tokens
                .get(&connection.arn)
                .filter(|t| !renew && t.key == key && t.renew_at.is_none_or(|at| now < at))
                .map(|t| t.token.clone());
            if let Some(token) = kept {
                return Ok((("Authorization".into(), format!("Bearer {token}")), false));
            }
            let (token, expires_in) = fetch_token(clients, connection, oauth, basic).await?;
            let renew_at = expires_in.map(|s| now + Duration::from_secs(s.saturating_sub(60)));
            tokens.insert(
                connection.arn.clone(),
                CachedToken {
                    key,
                    token: token.clone(),
                    renew_at,
                },
            );
            Ok((("Authorization".into(), format!("Bearer {token}")), true))
        }
    }
}

async fn fetch_token(
    clients: &AwsClients,
    connection: &Connection,
    oauth: &OAuth,
    basic: impl Fn(&str, &str) -> (String, String),
) -> Result<(String, Option<u64>), TaskError> {
    let refused = |why: String| {
        connection_error(
            "InvalidConnectionState",
            format!(
                "The connection {} could not be authorized at {}: {why}",
                connection.arn, oauth.endpoint
            ),
        )
    };
    let mut pairs = oauth.parameters.body.clone();
    if !pairs.iter().any(|(k, _)| k == "grant_type") {
        pairs.insert(0, ("grant_type".into(), "client_credentials".into()));
    }
    let form = form_text(&pairs);
    let mut query = oauth.parameters.query.clone();
    let method = oauth.method.to_ascii_uppercase();
    let body = if method == "GET" {
        query.extend(form_urlencoded::parse(form.as_bytes()).into_owned());
        None
    } else {
        Some(form.into_bytes())
    };
    let url = if query.is_empty() {
        oauth.endpoint.clone()
    } else {
        let encoded = form_text(&query);
        let sep = if oauth.endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{sep}{encoded}", oauth.endpoint)
    };
    let mut headers = vec![basic(&oauth.client_id, &oauth.client_secret)];
    if body.is_some() {
        headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
    }
    headers.extend(oauth.parameters.headers.iter().cloned());
    let Answer { status, body, .. } = exchange(clients, &method, &url, &headers, body).await?;
    if !(200..300).contains(&status) {
        return Err(refused(format!("the endpoint answered {status}")));
    }
    let answer: Value = serde_json::from_slice(&body)
        .map_err(|e| refused(format!("the answer is not JSON ({e})")))?;
    let token = answer
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| refused("the answer has no access_token".into()))?;
    let expires_in = match answer.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    Ok((token.to_owned(), expires_in))
}

/// `application/x-www-form-urlencoded` text of `pairs`. (The serializer is not `Send`, so it
/// stays out of the async functions.)
fn form_text(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:events:us-east-1:123456789012:connection/api/1";

    /// AWS's `DescribeConnection` leaves the secret values out; the secret holds them.
    #[test]
    fn secret_values_come_from_the_secret() {
        let describe = json!({"AuthorizationType": "API_KEY", "ConnectionArn": ARN,
            "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key"},
                "InvocationHttpParameters": {"HeaderParameters": [
                    {"Key": "X-Team", "Value": "blue", "IsValueSecret": false},
                    {"Key": "X-Token", "IsValueSecret": true}]}}});
        let secret = json!({"api_key_name": "x-api-key", "api_key_value": "s3cret",
            "invocation_http_parameters": {"header_parameters": [
                {"key": "X-Team", "value": "blue", "is_value_secret": false},
                {"key": "X-Token", "value": "t0k", "is_value_secret": true}]}});
        let c = connection_of(ARN, &describe, Some(&secret)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c.authorization,
            Authorization::ApiKey {
                name: "x-api-key".into(),
                value: "s3cret".into()
            }
        );
        assert_eq!(
            c.invocation.headers,
            [
                ("X-Team".to_owned(), "blue".to_owned()),
                ("X-Token".to_owned(), "t0k".to_owned())
            ]
        );
    }

    #[test]
    fn oauth_and_basic_connections_are_read() {
        let describe = json!({"AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
            "AuthParameters": {"OAuthParameters": {"AuthorizationEndpoint": "https://auth/token",
                "HttpMethod": "POST", "ClientParameters": {"ClientID": "id"},
                "OAuthHttpParameters": {"BodyParameters": [{"Key": "scope", "Value": "read"}]}}}});
        let secret = json!({"authorization_endpoint": "https://auth/token",
            "client_parameters": {"client_id": "id", "client_secret": "shh"}});
        let c = connection_of(ARN, &describe, Some(&secret)).unwrap_or_else(|e| panic!("{e}"));
        let Authorization::OAuth(o) = c.authorization else {
            panic!("not OAuth")
        };
        assert_eq!(
            (o.client_id.as_str(), o.client_secret.as_str()),
            ("id", "shh")
        );
        assert_eq!(o.parameters.body, [("scope".to_owned(), "read".to_owned())]);
        let basic = json!({"AuthorizationType": "BASIC",
            "AuthParameters": {"BasicAuthParameters": {"Username": "u"}}});
        let e = connection_of(ARN, &basic, None).err().map(|e| e.error);
        assert_eq!(
            e.as_deref(),
            Some("Events.ConnectionResource.InvalidConnectionState")
        );
        let c = connection_of(
            ARN,
            &basic,
            Some(&json!({"username": "u", "password": "p"})),
        );
        assert_eq!(
            c.map(|c| c.authorization).ok(),
            Some(Authorization::Basic {
                username: "u".into(),
                password: "p".into()
            })
        );
    }
}
