//! [`AwsClients`]: the configuration chain, read once, and one client per service.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::Credentials;
use aws_smithy_http_client::tls;
use aws_types::service_config::ServiceConfigKey;
use serde_json::Value;
use sfn_asl::resource::{Integration, Resource, Service};
use tokio::sync::OnceCell;

use super::services::ServiceSpec;
use super::{
    apigateway, connections, credentials, http_task, iam, lambda, optimized, query, s3, s3_errors,
    sdk, xml,
};
use crate::resources::{TaskError, TaskFuture};

/// One client per service, built once from the standard configuration chain and shared
/// (cheaply cloned) across executions.
#[derive(Clone)]
pub struct AwsClients {
    pub(super) inner: Arc<Inner>,
    /// The role a Task state's `Credentials` names: calls are signed with its credentials,
    /// assumed through STS with the configured ones.
    pub(super) role: Option<Arc<str>>,
}

pub(super) struct Inner {
    /// The configuration, read at the first call (reading it is async and may touch files).
    config: OnceCell<Loaded>,
    /// A configuration given up front, instead of the environment's.
    given: Option<SdkConfig>,
    connector: aws_smithy_http_client::Connector,
    /// Service id → its client (endpoint and signing name), built at its first call.
    clients: Mutex<HashMap<&'static str, Arc<ServiceClient>>>,
    credentials: tokio::sync::Mutex<Option<Credentials>>,
    /// Role ARN → the credentials assumed for it, shared by every execution naming the role.
    pub(super) assumed: tokio::sync::Mutex<HashMap<String, Credentials>>,
    /// EventBridge connection ARN → the OAuth access token the HTTP Task sends through it.
    oauth_tokens: tokio::sync::Mutex<HashMap<String, connections::CachedToken>>,
}

pub(super) struct Loaded {
    pub(super) sdk: SdkConfig,
    pub(super) region: String,
}

/// A service's endpoint and signing scope, resolved once.
#[derive(Debug, Clone)]
pub(crate) struct ServiceClient {
    pub(crate) spec: &'static ServiceSpec,
    pub(crate) endpoint: String,
    pub(crate) region: String,
}

impl std::fmt::Debug for AwsClients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let clients = self
            .inner
            .clients
            .lock()
            .map(|c| c.keys().copied().collect::<Vec<_>>())
            .unwrap_or_default();
        f.debug_struct("AwsClients")
            .field("clients", &clients)
            .finish_non_exhaustive()
    }
}

fn connector() -> aws_smithy_http_client::Connector {
    aws_smithy_http_client::Connector::builder()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build()
}

impl AwsClients {
    /// Clients configured from the standard chain, read at the first call.
    pub fn from_env() -> Self {
        AwsClients::new(None)
    }

    /// Clients configured from `config` (its region, credentials and endpoint URL), with
    /// `AWS_ENDPOINT_URL_<SERVICE>` and profile service sections still applied when `config`
    /// came from `aws-config`.
    pub fn from_config(config: SdkConfig) -> Self {
        AwsClients::new(Some(config))
    }

    fn new(given: Option<SdkConfig>) -> Self {
        AwsClients {
            inner: Arc::new(Inner {
                config: OnceCell::new(),
                given,
                connector: connector(),
                clients: Mutex::default(),
                credentials: tokio::sync::Mutex::new(None),
                assumed: tokio::sync::Mutex::default(),
                oauth_tokens: tokio::sync::Mutex::default(),
            }),
            role: None,
        }
    }

    pub(super) async fn loaded(&self) -> &Loaded {
        self.inner
            .config
            .get_or_init(|| async {
                let sdk = match &self.inner.given {
                    Some(c) => c.clone(),
                    None => {
                        let http = aws_smithy_http_client::Builder::new()
                            .tls_provider(tls::Provider::Rustls(
                                tls::rustls_provider::CryptoMode::Ring,
                            ))
                            .build_https();
                        aws_config::defaults(BehaviorVersion::latest())
                            .http_client(http)
                            .load()
                            .await
                    }
                };
                let region = sdk.region().map_or_else(String::new, |r| r.to_string());
                Loaded { sdk, region }
            })
            .await
    }

    /// The client of `spec`'s service: its endpoint from the configuration chain
    /// (`AWS_ENDPOINT_URL_<SERVICE>`, a profile's `services` section, `AWS_ENDPOINT_URL`) or
    /// AWS's public one for the region.
    pub(crate) async fn client(
        &self,
        spec: &'static ServiceSpec,
    ) -> Result<Arc<ServiceClient>, TaskError> {
        if let Some(c) = self
            .inner
            .clients
            .lock()
            .ok()
            .and_then(|m| m.get(spec.service_id).cloned())
        {
            return Ok(c);
        }
        let loaded = self.loaded().await;
        if loaded.region.is_empty() {
            return Err(TaskError::new(
                "States.Runtime",
                format!(
                    "no AWS region is configured for the {} call; set AWS_REGION (or a profile's region)",
                    spec.service_id
                ),
            ));
        }
        let endpoint = endpoint(spec, &loaded.sdk, &loaded.region);
        let client = Arc::new(ServiceClient {
            spec,
            endpoint,
            region: loaded.region.clone(),
        });
        if let Ok(mut m) = self.inner.clients.lock() {
            m.insert(spec.service_id, client.clone());
        }
        Ok(client)
    }

    /// The endpoint configured for `spec`'s service (`AWS_ENDPOINT_URL_<SERVICE>`, a profile's
    /// `services` section, `AWS_ENDPOINT_URL`), if any.
    pub(crate) async fn configured_endpoint(&self, spec: &ServiceSpec) -> Option<String> {
        configured_endpoint(spec, &self.loaded().await.sdk)
    }

    /// The configured region (empty when none is).
    pub(crate) async fn region(&self) -> String {
        self.loaded().await.region.clone()
    }

    /// The credentials to sign with, fetched again when they expire within five minutes: the
    /// role's of a Task state's `Credentials`, else the configured ones.
    ///
    /// Assuming a role calls STS, whose request is signed through this function again (with
    /// no role): a boxed future, whose type does not name itself.
    pub(crate) fn credentials(
        &self,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Credentials, TaskError>> + Send + '_>,
    > {
        Box::pin(async move {
            match &self.role {
                Some(role) => credentials::assumed(self, role).await,
                None => self.own_credentials().await,
            }
        })
    }

    /// These clients signing with the credentials of `role` (a Task state's `Credentials`).
    pub(crate) fn as_role(&self, role: &str) -> AwsClients {
        AwsClients {
            inner: self.inner.clone(),
            role: Some(role.into()),
        }
    }

    /// The configured credentials (environment, profile, ...), never a Task's role.
    async fn own_credentials(&self) -> Result<Credentials, TaskError> {
        let mut cached = self.inner.credentials.lock().await;
        let fresh = |c: &Credentials| {
            c.expiry().is_none_or(|e| {
                e.duration_since(SystemTime::now())
                    .is_ok_and(|left| left > Duration::from_secs(300))
            })
        };
        if let Some(c) = cached.as_ref().filter(|c| fresh(c)) {
            return Ok(c.clone());
        }
        let loaded = self.loaded().await;
        let provider = loaded.sdk.credentials_provider().ok_or_else(|| {
            TaskError::new(
                "States.Runtime",
                "no AWS credentials are configured; set AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY, or AWS_PROFILE",
            )
        })?;
        let creds = provider.provide_credentials().await.map_err(|e| {
            TaskError::new(
                "States.Runtime",
                format!("the AWS credentials could not be loaded: {e}"),
            )
        })?;
        *cached = Some(creds.clone());
        Ok(creds)
    }

    pub(crate) fn connector(&self) -> &aws_smithy_http_client::Connector {
        &self.inner.connector
    }

    /// The OAuth access tokens of the HTTP Task's connections, shared by every execution.
    pub(crate) async fn oauth_tokens(
        &self,
    ) -> tokio::sync::MutexGuard<'_, HashMap<String, connections::CachedToken>> {
        self.inner.oauth_tokens.lock().await
    }

    /// An IAM action with flat members (`"GetRole"`, `[("RoleName", "r")]`), at IAM's global
    /// endpoint unless one is configured: the answer's XML, or the error as an `aws-sdk:iam`
    /// integration would name it (`Iam.NoSuchEntityException`). Deployments create execution
    /// roles with it.
    pub async fn iam_call(
        &self,
        action: &str,
        members: &[(&str, &str)],
    ) -> Result<String, TaskError> {
        iam::call(self, action, members).await
    }

    /// The text of the first element named `name` in a Query answer (`Arn` in a `GetRole`
    /// answer).
    pub fn xml_text(xml: &str, name: &str) -> Option<String> {
        xml::element_text(xml, name)
    }

    /// An `aws-sdk:`-style call outside any execution (`service` as in
    /// `aws-sdk:<service>:<action>`): the answer's members, or the error as that integration
    /// names it. Test harnesses create their fixtures with it.
    pub async fn sdk_call(
        &self,
        service: &str,
        action: &str,
        params: Value,
    ) -> Result<Value, TaskError> {
        sdk::call(self, service, action, params).await
    }

    /// Stores `body` as the S3 object `bucket`/`key`, as it is (an `aws-sdk:s3:putObject`
    /// task stores its `Body` as JSON text instead). Test harnesses create their objects
    /// with it.
    pub async fn s3_put_object(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> Result<(), TaskError> {
        s3::put_bytes(self, bucket, key, body)
            .await
            .map_err(s3_errors::S3Failure::task_error)
    }

    /// A Query-protocol call with flat members (`sns`, `CreateTopic`, `[("Name", "t")]`):
    /// the answer's XML, or the error as an `aws-sdk:` integration names it.
    pub async fn query_call(
        &self,
        service: &str,
        action: &str,
        members: &[(&str, &str)],
    ) -> Result<String, TaskError> {
        query::call(self, service, action, members).await
    }

    /// Whether this module answers `call`: every `aws-sdk:` integration (a service not
    /// supported fails with a message naming those that are) and the optimized integrations
    /// it implements (the engine keeps its own error for the others).
    pub fn serves(call: &Integration) -> bool {
        match &call.service {
            Service::AwsSdk(_) => true,
            Service::Lambda => lambda::supports(&call.action),
            Service::ApiGateway => apigateway::supports(&call.action),
            Service::Http => http_task::supports(&call.action, call.pattern),
            service => optimized::supports(service, &call.action, call.pattern),
        }
    }

    /// Calls the service a Task's `resource` names with the state's parameters. The future
    /// resolves to the state's result or fails it with AWS's error name and cause.
    pub fn call(&self, resource: &Resource, parameters: Value) -> TaskFuture {
        self.call_as(resource, parameters, None)
    }

    /// [`AwsClients::call`] with the state's evaluated `Credentials` (`{"RoleArn": ...}`): the
    /// call is signed with that role's credentials, assumed through STS `AssumeRole` with the
    /// configured ones (and kept until five minutes before they expire).
    pub fn call_as(
        &self,
        resource: &Resource,
        parameters: Value,
        credentials: Option<&Value>,
    ) -> TaskFuture {
        let clients = match credentials.map(credentials::role_arn) {
            None => self.clone(),
            Some(Ok(role)) => self.as_role(&role),
            Some(Err(e)) => return Box::pin(async move { Err(e) }),
        };
        let call = resource.integration().cloned();
        let text = resource.to_string();
        Box::pin(async move {
            let Some(call) = call else {
                return Err(TaskError::new(
                    "States.Runtime",
                    format!("the resource '{text}' is not a service integration"),
                ));
            };
            match &call.service {
                Service::AwsSdk(name) if name == "lambda" => {
                    lambda::sdk_call(&clients, &call.action, parameters).await
                }
                Service::AwsSdk(name) => sdk::call(&clients, name, &call.action, parameters).await,
                Service::Lambda => lambda::invoke(&clients, parameters).await,
                Service::ApiGateway => apigateway::invoke(&clients, parameters).await,
                Service::Http => http_task::invoke(&clients, parameters).await,
                _ => optimized::call(&clients, &call, parameters).await,
            }
        })
    }

    /// Invokes the Lambda function a Task's resource names by its ARN
    /// (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`) with the state's
    /// input. The future resolves to the function's answer, or fails the state with the
    /// function's `errorType` and error JSON, or Lambda's error. With the state's evaluated
    /// `Credentials`, the call is made as that role (as [`AwsClients::call_as`]).
    pub fn invoke_function(
        &self,
        function_arn: &str,
        input: Value,
        credentials: Option<&Value>,
    ) -> TaskFuture {
        let clients = match credentials.map(credentials::role_arn) {
            None => self.clone(),
            Some(Ok(role)) => self.as_role(&role),
            Some(Err(e)) => return Box::pin(async move { Err(e) }),
        };
        let function_arn = function_arn.to_owned();
        Box::pin(async move { lambda::invoke_function(&clients, &function_arn, input).await })
    }
}

/// The endpoint of `spec` in `region`: the configured one (`AWS_ENDPOINT_URL_<SERVICE>`, a
/// profile's `services` section, `AWS_ENDPOINT_URL`, or the one set in code), else AWS's.
pub(super) fn endpoint(spec: &ServiceSpec, sdk: &SdkConfig, region: &str) -> String {
    match configured_endpoint(spec, sdk) {
        Some(url) => url,
        None => {
            let suffix = if region.starts_with("cn-") {
                "amazonaws.com.cn"
            } else {
                "amazonaws.com"
            };
            format!("https://{}.{region}.{suffix}", spec.endpoint_prefix)
        }
    }
}

/// The endpoint configured for `spec` (`AWS_ENDPOINT_URL_<SERVICE>`, a profile's `services`
/// section, `AWS_ENDPOINT_URL`, or the one set in code), without a trailing `/`.
pub(super) fn configured_endpoint(spec: &ServiceSpec, sdk: &SdkConfig) -> Option<String> {
    let configured = sdk
        .service_config()
        .and_then(|conf| {
            let key = ServiceConfigKey::builder()
                .service_id(spec.service_id)
                .env("AWS_ENDPOINT_URL")
                .profile("endpoint_url")
                .build()
                .ok()?;
            conf.load_config(key)
        })
        .or_else(|| sdk.endpoint_url().map(str::to_owned));
    configured.map(|url| url.trim_end_matches('/').to_owned())
}
