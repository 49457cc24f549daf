//! Task resources: a registry from resource ARN to an async Rust handler, with a hook for mock
//! sources.
//!
//! ```
//! use sfn_runtime::resources::{Resources, TaskError};
//! let mut resources = Resources::new();
//! resources.register("arn:aws:lambda:us-east-1:123456789012:function:echo", |req| async move {
//!     Ok::<_, TaskError>(req.input)
//! });
//! assert!(resources.has("arn:aws:lambda:us-east-1:123456789012:function:echo"));
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::{json, Value};
use sfn_asl::error::STATES_RUNTIME;
use sfn_asl::resource::{FunctionRef, IntegrationPattern, Resource, Target};

use crate::engine::Engine;
use crate::execution::TaskInvocation;

/// What a handler receives.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRequest {
    /// The `Resource` ARN (for `lambda:invoke`, the `FunctionName`).
    pub resource: String,
    /// The task input (for `lambda:invoke`, the `Payload`).
    pub input: Value,
    /// The task token of a `.waitForTaskToken` task.
    pub token: Option<String>,
    /// The evaluated `Credentials`.
    pub credentials: Option<Value>,
    /// The name of the Task state (mock sources answer per state).
    pub state_name: String,
    /// The ARN of the execution running the task (empty outside one), with `state_name` and
    /// the token a key that makes a handler idempotent.
    pub execution_arn: String,
    /// The task may have run before: it was in flight when its engine stopped, and an engine
    /// that resumed the execution runs it again (handlers run at least once).
    pub redelivered: bool,
}

/// A task failure: an error name and a cause, as `SendTaskFailure` or a Lambda error reports them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {}", cause.as_deref().unwrap_or(""))]
pub struct TaskError {
    /// The error name (`Lambda.Unknown`, `MyError`, ...).
    pub error: String,
    /// The cause text; `None` leaves `cause` out of the history event and the error output,
    /// as AWS does for a failure reported without one.
    pub cause: Option<String>,
}

impl TaskError {
    /// An error with a name and a cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        TaskError {
            error: error.into(),
            cause: Some(cause.into()),
        }
    }

    /// An error with a name and no cause.
    pub fn without_cause(error: impl Into<String>) -> Self {
        TaskError {
            error: error.into(),
            cause: None,
        }
    }

    /// A Lambda function error: the name is the `errorType`, the cause the function's error
    /// JSON as the Lambda runtime writes it (`{"errorMessage": "…", "errorType": "…"}`). A
    /// legacy function ARN passes it on verbatim; `lambda:invoke` re-serialises it compactly.
    pub fn lambda(error_type: impl Into<String>, message: impl Into<String>) -> Self {
        let error = error_type.into();
        let quote = |s: &str| Value::String(s.to_owned()).to_string();
        let cause = format!(
            "{{\"errorMessage\": {}, \"errorType\": {}}}",
            quote(&message.into()),
            quote(&error)
        );
        TaskError {
            error,
            cause: Some(cause),
        }
    }
}

/// The future a handler returns.
pub type TaskFuture = Pin<Box<dyn Future<Output = Result<Value, TaskError>> + Send + 'static>>;

type Handler = Arc<dyn Fn(TaskRequest) -> TaskFuture + Send + Sync>;

/// A source of task results consulted before the registered handlers (a mock configuration,
/// recorded responses, ...). Returning `None` passes the request on.
pub trait TaskSource: Send + Sync {
    /// The result of `request`, when this source answers it.
    fn invoke(&self, request: &TaskRequest) -> Option<TaskFuture>;

    /// Whether this source may answer the tasks of activity `resource` (then they are
    /// invoked, not left for the activity's workers). Default: it may.
    fn answers_activity(&self, resource: &str) -> bool {
        let _ = resource;
        true
    }
}

/// Resource ARN → handler.
#[derive(Clone, Default)]
pub struct Resources {
    handlers: HashMap<String, Handler>,
    /// Lambda function name → the first key registered for it (a name or an ARN, with or
    /// without a qualifier), so a function is found by name in one lookup.
    functions: HashMap<String, String>,
    sources: Vec<Arc<dyn TaskSource>>,
    /// AWS service clients: integrations that no source or handler answers call the service.
    #[cfg(feature = "aws")]
    aws: Option<crate::aws::AwsClients>,
    /// A `.waitForTaskToken` task nothing answers is submitted and waits for its token.
    await_callbacks: bool,
}

impl std::fmt::Debug for Resources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.handlers.keys().collect();
        names.sort();
        f.debug_struct("Resources")
            .field("handlers", &names)
            .field("sources", &self.sources.len())
            .finish()
    }
}

impl Resources {
    /// An empty registry.
    pub fn new() -> Self {
        Resources::default()
    }

    /// Registers `handler` for `resource` (an ARN, or a Lambda function name/ARN that
    /// `lambda:invoke` tasks call through `FunctionName`).
    pub fn register<F, Fut>(&mut self, resource: impl Into<String>, handler: F) -> &mut Self
    where
        F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, TaskError>> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |req| Box::pin(handler(req)));
        let resource = resource.into();
        if let Some(function) = FunctionRef::parse(&resource) {
            self.functions
                .entry(function.name.to_owned())
                .or_insert_with(|| resource.clone());
        }
        self.handlers.insert(resource, handler);
        self
    }

    /// Adds a source consulted before the handlers, in the order added.
    pub fn add_source(&mut self, source: Arc<dyn TaskSource>) -> &mut Self {
        self.sources.push(source);
        self
    }

    /// A `.waitForTaskToken` task that no source, handler or AWS client answers is submitted
    /// as if its service had received the token, and waits for `SendTaskSuccess` (or failure,
    /// or its timeout) instead of failing for want of a handler. `sfn start` and `sfn worker`
    /// use it, so a token can be answered with `sfn send-task-success`.
    ///
    /// ```
    /// let mut resources = sfn_runtime::Resources::new();
    /// resources.await_unanswered_callbacks();
    /// ```
    pub fn await_unanswered_callbacks(&mut self) -> &mut Self {
        self.await_callbacks = true;
        self
    }

    /// Lets service integrations that no source or handler answers call AWS through
    /// `clients` (the `aws` feature).
    #[cfg(feature = "aws")]
    pub fn set_aws(&mut self, clients: crate::aws::AwsClients) -> &mut Self {
        self.aws = Some(clients);
        self
    }

    /// The AWS clients, when set (distributed Maps read and write S3 through them).
    #[cfg(feature = "aws")]
    pub(crate) fn aws(&self) -> Option<&crate::aws::AwsClients> {
        self.aws.as_ref()
    }

    /// The AWS call serving `request`, when AWS clients are set, no handler is registered for
    /// the resource (or the function `lambda:invoke` names) and the integration is one the
    /// clients serve, or the resource is a Lambda function ARN.
    #[cfg(feature = "aws")]
    fn aws_call(&self, resource: &Resource, request: &TaskRequest) -> Option<TaskFuture> {
        let clients = self.aws.as_ref()?;
        if self.handler(&request.resource).is_some() {
            return None;
        }
        if let Target::LambdaFunction { .. } = resource.target() {
            return Some(clients.invoke_function(
                resource.as_str(),
                request.input.clone(),
                request.credentials.as_ref(),
            ));
        }
        let call = resource.integration()?;
        if !crate::aws::AwsClients::serves(call) {
            return None;
        }
        // A function registered by name answers `lambda:invoke` before Lambda does.
        let function = request.input.get("FunctionName").and_then(Value::as_str);
        if resource.invokes_function_by_name()
            && function.is_some_and(|f| self.handler(f).is_some())
        {
            return None;
        }
        Some(clients.call_as(
            resource,
            request.input.clone(),
            request.credentials.as_ref(),
        ))
    }

    /// Whether a source or handler may answer `resource` (sources are assumed to).
    pub(crate) fn answers(&self, resource: &str) -> bool {
        !self.sources.is_empty() || self.handler(resource).is_some()
    }

    /// Whether a handler is registered under exactly `resource`.
    pub fn has(&self, resource: &str) -> bool {
        self.handlers.contains_key(resource)
    }

    fn handler(&self, resource: &str) -> Option<&Handler> {
        if let Some(h) = self.handlers.get(resource) {
            return Some(h);
        }
        // Lambda functions match by name whether registered or called by name, partial or
        // full ARN, with or without a qualifier.
        let name = FunctionRef::parse(resource)?.name;
        self.handlers.get(self.functions.get(name)?)
    }

    fn call(&self, request: TaskRequest) -> TaskFuture {
        match self.handler(&request.resource) {
            Some(h) => h(request),
            None => {
                let resource = Resource::parse(request.resource);
                let err = match (resource.target(), resource.arn()) {
                    (Target::Activity { .. }, _) => TaskError::new(
                        STATES_RUNTIME,
                        format!("The activity {resource} does not exist."),
                    ),
                    (Target::Integration(_) | Target::Unrecognized, Some(arn))
                        if arn.service == "states" =>
                    {
                        TaskError::new(
                            STATES_RUNTIME,
                            format!("No handler is registered for the resource '{resource}'. To call the service, give the engine AWS clients (the `aws` feature: `Resources::set_aws`, or `Runner::aws` for a workflow), or answer it with a handler or a mock."),
                        )
                    }
                    _ => TaskError::new(
                        "Lambda.ResourceNotFoundException",
                        format!("Function not found: {resource} (no handler is registered for it)"),
                    ),
                };
                Box::pin(async move { Err(err) })
            }
        }
    }

    /// Runs a task. Sources answer first, with the request as the state made it. Otherwise
    /// `lambda:invoke` calls the function named by `FunctionName` with `Payload` and wraps the
    /// result in Lambda's response envelope, and other resources call their handler.
    pub fn invoke(&self, request: TaskRequest) -> Invocation {
        let resource = Resource::parse(request.resource.clone());
        self.invoke_resource(&resource, request)
    }

    fn invoke_resource(&self, resource: &Resource, request: TaskRequest) -> Invocation {
        for source in &self.sources {
            if let Some(result) = source.invoke(&request) {
                return Invocation {
                    result,
                    from_source: true,
                };
            }
        }
        #[cfg(feature = "aws")]
        if let Some(result) = self.aws_call(resource, &request) {
            return Invocation {
                result,
                from_source: false,
            };
        }
        if self.await_callbacks
            && request.token.is_some()
            && resource.pattern() == Some(IntegrationPattern::WaitForTaskToken)
            && self.handler(&request.resource).is_none()
        {
            // The submission: the result comes with the token.
            return Invocation {
                result: Box::pin(async { Ok(Value::Null) }),
                from_source: false,
            };
        }
        if !resource.invokes_function_by_name() {
            return Invocation {
                result: self.call(request),
                from_source: false,
            };
        }
        let Some(function) = request
            .input
            .get("FunctionName")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            let err = TaskError::new(
                STATES_RUNTIME,
                "The field 'FunctionName' is required for lambda:invoke.",
            );
            return Invocation {
                result: Box::pin(async move { Err(err) }),
                from_source: false,
            };
        };
        let payload = request.input.get("Payload").cloned().unwrap_or(Value::Null);
        let fut = self.call(TaskRequest {
            resource: function,
            input: payload,
            ..request
        });
        let result: TaskFuture = Box::pin(async move {
            match fut.await {
                Ok(payload) => Ok(lambda_envelope(payload)),
                // The integration re-serialises the function's error JSON compactly.
                Err(TaskError { error, cause }) => {
                    let cause = cause.map(|cause| match serde_json::from_str::<Value>(&cause) {
                        Ok(v @ Value::Object(_)) => v.to_string(),
                        _ => cause,
                    });
                    Err(TaskError { error, cause })
                }
            }
        });
        Invocation {
            result,
            from_source: false,
        }
    }

    /// Whether an activity task waits for a worker (no source or handler answers its
    /// activity), the activity existing or not.
    pub(crate) fn awaits_worker(&self, task: &TaskInvocation) -> bool {
        let resource = task.resource.as_str();
        task.token.is_some()
            && task.resource.is_activity()
            && self.handler(resource).is_none()
            && !self.sources.iter().any(|s| s.answers_activity(resource))
    }

    /// Whether a task goes to its activity's workers: [`Resources::awaits_worker`], and the
    /// activity exists (else it fails as `route` runs it).
    pub(crate) fn for_workers(&self, engine: &Engine, task: &TaskInvocation) -> bool {
        self.awaits_worker(task) && engine.activities().exists(&task.resource)
    }

    /// Where a task goes, read from its parsed resource: a nested execution
    /// (`states:startExecution`), or a source or handler (a task for an activity's workers,
    /// [`Resources::for_workers`], is the driver's). A source or a handler registered for the
    /// resource answers before an activity or a nested execution.
    pub(crate) fn route(&self, task: TaskInvocation, origin: TaskOrigin) -> Route {
        let resource = task.resource;
        // `states:startExecution` without a task source answering it is a child execution
        // (`Command::StartExecution`), never routed here.
        let invocation = self.invoke_resource(
            &resource,
            TaskRequest {
                resource: resource.to_string(),
                input: task.input,
                token: task.token.clone(),
                credentials: task.credentials,
                state_name: task.state_name,
                execution_arn: origin.execution_arn,
                redelivered: origin.redelivered,
            },
        );
        // A handler serving an activity answers in full; a callback resource only submits.
        // (A `.sync` task has a token as well, but its call's answer is its result.)
        let callback = resource.is_callback()
            && task.token.is_some()
            && !invocation.from_source
            && !resource.is_activity();
        Route::Run {
            result: invocation.result,
            callback,
        }
    }
}

/// Which execution runs a task, and whether it runs it again after a restart.
pub(crate) struct TaskOrigin {
    pub(crate) execution_arn: String,
    pub(crate) redelivered: bool,
}

/// What a running task's future can tell its driver before its result, and what it resumes:
/// a `.sync` service task reports the job it started (`TaskSubmitted`), and after a restart
/// follows that job instead of starting another. Set around the task's future by the driver
/// (a tokio task-local, so the integrations reach it without every call in between taking it).
#[derive(Clone, Default)]
// Only the AWS integrations read it.
#[cfg_attr(not(feature = "aws"), allow(dead_code))]
pub(crate) struct TaskScope {
    /// Reports the submission.
    pub(crate) submit: Option<Arc<dyn Fn(Value) + Send + Sync>>,
    /// The submission of a task run again after a restart.
    pub(crate) resumed: Option<Value>,
}

tokio::task_local! {
    static TASK_SCOPE: TaskScope;
}

/// Runs a task's future within `scope`.
pub(crate) fn scoped<F: Future>(scope: TaskScope, future: F) -> impl Future<Output = F::Output> {
    TASK_SCOPE.scope(scope, future)
}

/// Tells the driver (when there is one) that the running task submitted its work: `output`
/// is its `TaskSubmitted` output.
#[cfg(feature = "aws")]
pub(crate) fn report_submission(output: &Value) {
    let _ = TASK_SCOPE.try_with(|scope| {
        if let Some(submit) = &scope.submit {
            submit(output.clone());
        }
    });
}

/// The submission the running task made before a restart, if it made one.
#[cfg(feature = "aws")]
pub(crate) fn resumed_submission() -> Option<Value> {
    TASK_SCOPE
        .try_with(|scope| scope.resumed.clone())
        .ok()
        .flatten()
}

/// Where [`Resources::route`] sent a task.
pub(crate) enum Route {
    /// Running. With `callback`, its answer is only the submission: the result comes by token.
    Run { result: TaskFuture, callback: bool },
}

/// A started task.
pub struct Invocation {
    /// The task's result.
    pub result: TaskFuture,
    /// Answered by a [`TaskSource`] (a mock): for a callback task this is the final result,
    /// not the submission response.
    pub from_source: bool,
}

impl std::fmt::Debug for Invocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invocation")
            .field("from_source", &self.from_source)
            .finish_non_exhaustive()
    }
}

/// The response `lambda:invoke` returns around a function's result.
pub fn lambda_envelope(payload: Value) -> Value {
    json!({
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "X-Amz-Executed-Version": "$LATEST",
                "Content-Type": "application/json",
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": "00000000-0000-0000-0000-000000000000"},
        "StatusCode": 200,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(resource: &str, input: Value) -> TaskRequest {
        TaskRequest {
            resource: resource.into(),
            input,
            token: None,
            credentials: None,
            state_name: "S".into(),
            execution_arn: String::new(),
            redelivered: false,
        }
    }

    #[test]
    fn function_names() {
        fn name(s: &str) -> Option<&str> {
            FunctionRef::parse(s).map(|f| f.name)
        }
        assert_eq!(
            name("arn:aws:lambda:us-east-1:1:function:f:PROD"),
            Some("f")
        );
        assert_eq!(name("f"), Some("f"));
    }

    #[tokio::test]
    async fn lambda_invoke_wraps_payload() {
        let mut r = Resources::new();
        r.register(
            "arn:aws:lambda:us-east-1:1:function:double",
            |req| async move { Ok(json!(req.input.as_i64().unwrap_or(0) * 2)) },
        );
        let out = r
            .invoke(request(
                "arn:aws:states:::lambda:invoke",
                json!({"FunctionName": "double", "Payload": 21}),
            ))
            .result
            .await
            .expect("ok");
        assert_eq!(out["Payload"], json!(42));
        assert_eq!(out["StatusCode"], json!(200));
    }

    #[tokio::test]
    async fn lambda_errors_keep_or_compact_the_runtime_json() {
        let mut r = Resources::new();
        r.register("arn:aws:lambda:us-east-1:1:function:bad", |_| async move {
            Err::<Value, _>(TaskError::lambda("ValueError", "no \"n\""))
        });
        let legacy = r
            .invoke(request(
                "arn:aws:lambda:us-east-1:1:function:bad",
                json!({}),
            ))
            .result
            .await
            .expect_err("fails");
        assert_eq!(
            legacy.cause.as_deref(),
            Some(r#"{"errorMessage": "no \"n\"", "errorType": "ValueError"}"#)
        );
        let invoked = r
            .invoke(request(
                "arn:aws:states:::lambda:invoke",
                json!({"FunctionName": "bad"}),
            ))
            .result
            .await
            .expect_err("fails");
        assert_eq!(invoked.error, "ValueError");
        assert_eq!(
            invoked.cause.as_deref(),
            Some(r#"{"errorMessage":"no \"n\"","errorType":"ValueError"}"#)
        );
    }

    #[tokio::test]
    async fn unregistered_resource_is_an_error() {
        let r = Resources::new();
        let err = r
            .invoke(request("arn:aws:states:::sqs:sendMessage", json!({})))
            .result
            .await
            .expect_err("no handler");
        assert_eq!(err.error, "States.Runtime");
        let err = r
            .invoke(request(
                "arn:aws:lambda:us-east-1:1:function:nope",
                json!({}),
            ))
            .result
            .await
            .expect_err("no handler");
        assert_eq!(err.error, "Lambda.ResourceNotFoundException");
    }

    struct Fixed;
    impl TaskSource for Fixed {
        fn invoke(&self, request: &TaskRequest) -> Option<TaskFuture> {
            (request.state_name == "Mocked")
                .then(|| Box::pin(async { Ok(json!("from mock")) }) as TaskFuture)
        }
    }

    #[tokio::test]
    async fn sources_answer_first() {
        let mut r = Resources::new();
        r.add_source(Arc::new(Fixed));
        let mut req = request(
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": "f"}),
        );
        req.state_name = "Mocked".into();
        let inv = r.invoke(req);
        assert!(inv.from_source);
        assert_eq!(inv.result.await, Ok(json!("from mock")));
    }
}
