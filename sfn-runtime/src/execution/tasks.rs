//! Task states: scheduling, results, the three resource families and their history events.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sfn_asl::error::{message, STATES_DATA_LIMIT_EXCEEDED, STATES_TIMEOUT};
use sfn_asl::model::{DataFlow, QueryLanguage, Task, Template};
use sfn_asl::path::ReferencePath;
use sfn_asl::resource::{IntegrationPattern, Resource, Service, Target};
use sfn_asl::EvalError;

use super::io::{self, Scope};
use super::states::{Flow, Leave, Next};
use super::types::{FrameId, TaskId, TimerId};
use super::{next_random, Block, Command, Execution, Failure, TaskInvocation};
use crate::history::EventType;
use crate::limits::SizeBound;

/// A task state waiting for its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TaskWait {
    pub(crate) task_id: TaskId,
    kind: TaskKind,
    /// The timer of `TimeoutSeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timeout: Option<TimerId>,
    /// The timer of `HeartbeatSeconds`, restarted by every heartbeat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    heartbeat: Option<HeartbeatTimer>,
    /// The child execution a `states:startExecution` task started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) child: Option<Box<super::nested::ChildWait>>,
    /// Submitted (`TaskSubmitted`, `ChildStarted`, or an activity task a worker took): the
    /// result comes by token or from the child, and a resumed driver does not run the task
    /// again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) submitted: bool,
    /// An activity task's `HeartbeatSeconds` (in ms) until a worker takes it: its heartbeat
    /// clock starts at `ActivityStarted`, while `TimeoutSeconds` counts from the scheduling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    heartbeat_on_start: Option<u64>,
    /// The submission of a `.sync` service task (the job, or the child execution on AWS, it
    /// started): a driver that resumes the execution follows it rather than start another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sync_submission: Option<Box<Value>>,
}

/// A task's heartbeat timer and the interval each heartbeat restarts it with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct HeartbeatTimer {
    timer_id: TimerId,
    interval_ms: u64,
}

impl TaskWait {
    /// The timers still running for this task.
    pub(crate) fn timers(&self) -> impl Iterator<Item = TimerId> {
        let heartbeat = self.heartbeat.as_ref().map(|h| h.timer_id);
        self.timeout.into_iter().chain(heartbeat)
    }
}

/// The resource family, which decides the history event names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum TaskKind {
    /// `arn:aws:lambda:…:function:…`: `LambdaFunction*` events.
    Lambda { arn: String },
    /// `arn:aws:states:…:activity:…`: `Activity*` events.
    Activity { arn: String },
    /// `arn:aws:states:::service:action[.suffix]`: `Task*` events.
    Service {
        resource_type: String,
        resource: String,
    },
}

/// The family of a Task's resource, read from its parsed form.
pub(crate) fn classify(resource: &Resource) -> TaskKind {
    let text = resource.as_str();
    match resource.target() {
        Target::LambdaFunction { .. } => TaskKind::Lambda {
            arn: text.to_owned(),
        },
        Target::Activity { .. } => TaskKind::Activity {
            arn: text.to_owned(),
        },
        // `aws-sdk:s3:getObject` ⇒ (`aws-sdk:s3`, `getObject`); `sqs:sendMessage` ⇒ (`sqs`, `sendMessage`).
        Target::Integration(call) => TaskKind::Service {
            resource_type: match &call.service {
                Service::AwsSdk(name) => format!("aws-sdk:{name}"),
                service => service.name().to_owned(),
            },
            resource: format!("{}{}", call.action, call.pattern.suffix()),
        },
        // An integration ARN Step Functions does not know keeps its text after `states:::`.
        Target::Unrecognized => TaskKind::Service {
            resource_type: String::new(),
            resource: match resource.arn() {
                Some(arn)
                    if arn.service == "states"
                        && arn.region.is_empty()
                        && arn.account.is_empty() =>
                {
                    arn.resource.clone()
                }
                _ => text.to_owned(),
            },
        },
    }
}

/// A task token: a version 4 UUID from the execution's generator.
fn uuid(rng: &std::sync::atomic::AtomicU64) -> String {
    let a = next_random(rng);
    let b = next_random(rng);
    sfn_asl::random::uuid_v4(a, b)
}

/// `Credentials` as history events write them: `{"roleArn": …}`.
fn task_credentials(credentials: &Value) -> Value {
    match credentials.get("RoleArn") {
        Some(role) => json!({"roleArn": role}),
        None => credentials.clone(),
    }
}

/// Everything evaluated before a task is scheduled.
struct Prepared {
    input: Value,
    timeout: Option<u64>,
    heartbeat: Option<u64>,
    credentials: Option<Value>,
}

fn prepare(
    scope: &Scope<'_>,
    t: &Task,
    lang: QueryLanguage,
    raw: &Value,
) -> Result<Prepared, EvalError> {
    // `…SecondsPath` read the effective input (JSONPath) or the raw input (JSONata).
    let effective = match lang {
        QueryLanguage::JsonPath => io::input_path(scope, &t.flow.input_path, raw)?,
        QueryLanguage::Jsonata => std::borrow::Cow::Borrowed(raw),
    };
    let input = match (lang, &t.parameters, &t.arguments) {
        (QueryLanguage::JsonPath, Some(p), _) => Some(io::template(scope, p, &effective)?),
        (QueryLanguage::Jsonata, _, Some(a)) => {
            Some(a.eval(&scope.jsonata(raw, None, None), "Arguments")?)
        }
        _ => None,
    };
    let timeout = t
        .timeout_seconds
        .as_ref()
        .map(|d| io::dynamic_u64(scope, d, &effective, "TimeoutSeconds"))
        .transpose()?;
    let heartbeat = t
        .heartbeat_seconds
        .as_ref()
        .map(|d| io::dynamic_u64(scope, d, &effective, "HeartbeatSeconds"))
        .transpose()?;
    let credentials = match &t.credentials {
        Some(Template::JsonPath(p)) => Some(p.eval(&scope.env(raw))?),
        Some(Template::Jsonata(j)) => Some(j.eval(&scope.jsonata(raw, None, None), "Credentials")?),
        None => None,
    };
    // Without Parameters/Arguments, the one copy of the input (the raw input stays for a retry).
    let input = input.unwrap_or_else(|| effective.into_owned());
    Ok(Prepared {
        input,
        timeout,
        heartbeat,
        credentials,
    })
}

/// Why Step Functions refuses a Task's parameters before starting it: `apigateway:invoke`'s
/// `Headers` and `QueryParameters` map names to lists of text (`{"h": "v"}` is refused).
fn refused_parameters(resource: &Resource, params: &Value) -> Option<&'static str> {
    if !resource.is_call(&Service::ApiGateway, "invoke") {
        return None;
    }
    api_gateway_refusal(params)
}

/// [`refused_parameters`] of `apigateway:invoke`.
pub(crate) fn api_gateway_refusal(params: &Value) -> Option<&'static str> {
    let lists_of_text = |v: &Value| {
        v.as_object().is_some_and(|m| {
            m.values()
                .all(|v| v.as_array().is_some_and(|a| a.iter().all(Value::is_string)))
        })
    };
    // With `AllowNullValues`, a query parameter may be null.
    let lists_of_text_or_null = |v: &Value| {
        v.as_object().is_some_and(|m| {
            m.values().all(|v| {
                v.is_null()
                    || v.as_array()
                        .is_some_and(|a| a.iter().all(|x| x.is_string() || x.is_null()))
            })
        })
    };
    match (params.get("Headers"), params.get("QueryParameters")) {
        (Some(h), _) if !h.is_null() && !lists_of_text(h) => {
            Some("The value of the field 'Headers' has an invalid format")
        }
        (_, Some(q)) if !q.is_null() && !lists_of_text_or_null(q) => {
            Some("The value of the field 'QueryParameters' has an invalid format")
        }
        _ => None,
    }
}

impl Execution {
    /// Evaluates a Task's input and schedules it.
    pub(crate) fn start_task(
        &mut self,
        frame: FrameId,
        t: &Task,
        lang: QueryLanguage,
    ) -> Result<Flow, EvalError> {
        let callback = t.resource.is_callback();
        // A `.sync` task has a token in `$$.Task.Token` too: `SendTaskSuccess` with it ends
        // the task, as on AWS (a child execution may answer its parent's task that way).
        let sync = matches!(
            t.resource.pattern(),
            Some(IntegrationPattern::Sync | IntegrationPattern::Sync2)
        );
        // Activity workers answer through a token too, but it is not in `$$.Task.Token`.
        let activity = t.resource.is_activity();
        let token = (callback || sync || activity).then(|| uuid(&self.data.rng));
        let in_context = callback || sync;
        if let (true, Some(token), Value::Object(ctx)) = (in_context, &token, &mut self.context) {
            ctx.insert("Task".into(), json!({"Token": token}));
        }
        let prepared = {
            let Some((scope, raw)) = self.active_scope(frame) else {
                return Ok(Flow::Blocked);
            };
            prepare(&scope, t, lang, raw)?
        };
        if let Some(reason) = refused_parameters(&t.resource, &prepared.input) {
            return Err(EvalError::runtime(format!(
                "The Parameters '{}' could not be used to start the Task: [{reason}]",
                prepared.input
            )));
        }
        let limit = self.data.config.max_payload_bytes;
        if crate::limits::json_size(&prepared.input, limit) > limit {
            let name = self.active_state_name(frame);
            return Ok(Flow::Fail(Failure::new(
                STATES_DATA_LIMIT_EXCEEDED,
                message::data_limit_exceeded(&name),
            )));
        }
        let kind = classify(&t.resource);
        let task_id = self.new_task_id();
        self.emit_scheduled(frame, &kind, &prepared);
        self.schedule(frame, t, task_id, kind, prepared, token);
        Ok(Flow::Blocked)
    }

    /// Starts a scheduled task's timers and hands it to the driver: a `states:startExecution`
    /// task as the child execution it starts, any other as a task to invoke.
    fn schedule(
        &mut self,
        frame: FrameId,
        t: &Task,
        task_id: TaskId,
        kind: TaskKind,
        prepared: Prepared,
        token: Option<String>,
    ) {
        let Prepared {
            input,
            timeout,
            heartbeat,
            credentials,
        } = prepared;
        // Deadlines are core state: absolute times a replay reproduces. Only a task with a
        // token can send heartbeats; one that simply runs is bounded by `TimeoutSeconds` alone.
        // An activity's heartbeat clock starts when a worker takes the task.
        let activity = matches!(kind, TaskKind::Activity { .. });
        let timeout_timer = timeout.map(|s| self.start_timer(frame, s.saturating_mul(1000)));
        let heartbeat_ms = heartbeat
            .filter(|_| token.is_some())
            .map(|s| s.saturating_mul(1000));
        let heartbeat_timer =
            heartbeat_ms
                .filter(|_| !activity)
                .map(|interval_ms| HeartbeatTimer {
                    timer_id: self.start_timer(frame, interval_ms),
                    interval_ms,
                });
        let mut wait = TaskWait {
            task_id,
            kind,
            timeout: timeout_timer,
            heartbeat: heartbeat_timer,
            child: None,
            submitted: false,
            heartbeat_on_start: heartbeat_ms.filter(|_| activity),
            sync_submission: None,
        };
        let state_name = self.active_state_name(frame);
        let task = TaskInvocation {
            task_id,
            state_name,
            resource: t.resource.clone(),
            input,
            token,
            timeout_seconds: timeout,
            heartbeat_seconds: heartbeat,
            credentials,
        };
        let child = super::nested::child_request(&task, &self.data.config.name);
        let command = match child {
            Some((request, child)) => {
                wait.child = Some(Box::new(child));
                Command::StartExecution(Box::new(request))
            }
            None => Command::InvokeTask(task),
        };
        if let Some(a) = self
            .data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
        {
            a.block = Block::Task(wait);
        }
        self.data.tasks.insert(task_id, frame);
        self.out.commands.push(command);
    }

    /// `…Scheduled` and `…Started` of a task, named by its resource family. An activity task
    /// starts later, when a worker takes it ([`Execution::activity_started`]).
    fn emit_scheduled(&mut self, frame: FrameId, kind: &TaskKind, p: &Prepared) {
        let started = match kind {
            TaskKind::Lambda { arn } => {
                self.emit(frame, EventType::LambdaFunctionScheduled, || {
                    let mut d = Map::new();
                    d.insert("resource".into(), arn.clone().into());
                    d.insert("input".into(), p.input.clone());
                    d.insert("inputDetails".into(), json!({"truncated": false}));
                    if let Some(t) = p.timeout {
                        d.insert("timeoutInSeconds".into(), t.into());
                    }
                    if let Some(c) = &p.credentials {
                        d.insert("taskCredentials".into(), task_credentials(c));
                    }
                    Value::Object(d)
                });
                EventType::LambdaFunctionStarted
            }
            TaskKind::Activity { arn } => {
                self.emit(frame, EventType::ActivityScheduled, || {
                    let mut d = Map::new();
                    d.insert("resource".into(), arn.clone().into());
                    d.insert("input".into(), p.input.clone());
                    d.insert("inputDetails".into(), json!({"truncated": false}));
                    if let Some(t) = p.timeout {
                        d.insert("timeoutInSeconds".into(), t.into());
                    }
                    if let Some(h) = p.heartbeat {
                        d.insert("heartbeatInSeconds".into(), h.into());
                    }
                    Value::Object(d)
                });
                return;
            }
            TaskKind::Service {
                resource_type,
                resource,
            } => {
                let region = self.data.config.region.clone();
                self.emit(frame, EventType::TaskScheduled, || {
                    let mut d = Map::new();
                    d.insert("resourceType".into(), resource_type.clone().into());
                    d.insert("resource".into(), resource.clone().into());
                    d.insert("region".into(), region.into());
                    d.insert("parameters".into(), p.input.clone());
                    if let Some(t) = p.timeout {
                        d.insert("timeoutInSeconds".into(), t.into());
                    }
                    if let Some(h) = p.heartbeat {
                        d.insert("heartbeatInSeconds".into(), h.into());
                    }
                    if let Some(c) = &p.credentials {
                        d.insert("taskCredentials".into(), task_credentials(c));
                    }
                    Value::Object(d)
                });
                EventType::TaskStarted
            }
        };
        self.emit(frame, started, || match kind {
            TaskKind::Lambda { .. } | TaskKind::Activity { .. } => Value::Null,
            TaskKind::Service {
                resource_type,
                resource,
            } => json!({"resourceType": resource_type, "resource": resource}),
        });
    }

    fn waiting_task(&self, task_id: TaskId) -> Option<(FrameId, TaskKind)> {
        let frame = *self.data.tasks.get(&task_id)?;
        match &self.data.frames.get(&frame)?.active.as_ref()?.block {
            Block::Task(w) if w.task_id == task_id => Some((frame, w.kind.clone())),
            _ => None,
        }
    }

    /// Forgets a task the state no longer waits for: its timers are cancelled, and with
    /// `cancel` the task itself.
    pub(crate) fn release_task(&mut self, wait: &TaskWait, cancel: bool) {
        self.data.tasks.remove(&wait.task_id);
        if cancel {
            self.out.commands.push(Command::CancelTask {
                task_id: wait.task_id,
            });
        }
        for timer_id in wait.timers() {
            // A timer that fired is already gone.
            if self.data.timers.remove(&timer_id).is_some() {
                self.out.commands.push(Command::CancelTimer { timer_id });
            }
        }
    }

    /// `SendTaskHeartbeat`: the task's heartbeat timer starts again from `now`.
    pub(crate) fn task_heartbeat(&mut self, task_id: TaskId) {
        let Some(frame) = self.data.tasks.get(&task_id).copied() else {
            return;
        };
        let next = TimerId(self.data.next_timer_id);
        let now = self.data.now;
        let Some(Block::Task(TaskWait {
            task_id: waiting,
            heartbeat: Some(h),
            ..
        })) = self
            .data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
            .map(|a| &mut a.block)
        else {
            return;
        };
        if *waiting != task_id {
            return;
        }
        let old = std::mem::replace(&mut h.timer_id, next);
        let at = now.saturating_add(h.interval_ms);
        self.data.next_timer_id += 1;
        self.data.timers.remove(&old);
        self.data.timers.insert(next, frame);
        self.out
            .commands
            .push(Command::CancelTimer { timer_id: old });
        self.out
            .commands
            .push(Command::StartTimer { timer_id: next, at });
    }

    /// A timer of the task `frame` waits for fired: the task timed out (`States.Timeout`) and is
    /// cancelled. `false` when the timer is not one of its timers.
    pub(crate) fn task_timer_fired(&mut self, frame: FrameId, timer_id: TimerId) -> bool {
        let Some(Block::Task(w)) = self
            .data
            .frames
            .get(&frame)
            .and_then(|f| f.active.as_ref())
            .map(|a| &a.block)
        else {
            return false;
        };
        let heartbeat = w.heartbeat.as_ref().is_some_and(|h| h.timer_id == timer_id);
        if !heartbeat && w.timeout != Some(timer_id) {
            return false;
        }
        let task_id = w.task_id;
        self.out.commands.push(Command::CancelTask { task_id });
        self.task_result(task_id, Err(Failure::timeout(heartbeat)));
        true
    }

    /// A worker took an activity task: `ActivityStarted` (with its `workerName`), and its
    /// heartbeat clock starts. A task started already, or not an activity's, is left as it is.
    pub(crate) fn activity_started(&mut self, task_id: TaskId, worker_name: Option<String>) {
        let Some((frame, TaskKind::Activity { .. })) = self.waiting_task(task_id) else {
            return;
        };
        let Some(Block::Task(wait)) = self
            .data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
            .map(|a| &mut a.block)
        else {
            return;
        };
        if std::mem::replace(&mut wait.submitted, true) {
            return;
        }
        let heartbeat_ms = wait.heartbeat_on_start.take();
        if let Some(interval_ms) = heartbeat_ms {
            let timer_id = self.start_timer(frame, interval_ms);
            if let Some(Block::Task(wait)) = self
                .data
                .frames
                .get_mut(&frame)
                .and_then(|f| f.active.as_mut())
                .map(|a| &mut a.block)
            {
                wait.heartbeat = Some(HeartbeatTimer {
                    timer_id,
                    interval_ms,
                });
            }
        }
        self.emit(frame, EventType::ActivityStarted, || match worker_name {
            Some(name) => json!({"workerName": name}),
            None => json!({}),
        });
    }

    /// Whether the activity task `task_id` waits for a worker to take it (scheduled, not
    /// started).
    /// The submission of a submitted `.sync` service task: the job (or child execution on
    /// AWS) a resumed driver follows.
    pub(crate) fn sync_submission(&self, task_id: TaskId) -> Option<&Value> {
        let frame = self.data.tasks.get(&task_id)?;
        match &self.data.frames.get(frame)?.active.as_ref()?.block {
            Block::Task(w) if w.task_id == task_id && w.submitted => w.sync_submission.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn awaits_worker(&self, task_id: TaskId) -> bool {
        match self.waiting_task(task_id) {
            Some((frame, TaskKind::Activity { .. })) => matches!(
                self.data.frames.get(&frame).and_then(|f| f.active.as_ref()).map(|a| &a.block),
                Some(Block::Task(w)) if w.task_id == task_id && !w.submitted
            ),
            _ => false,
        }
    }

    /// A `.waitForTaskToken`/`.sync` task was submitted.
    pub(crate) fn task_submitted(&mut self, task_id: TaskId, output: Value) {
        let Some((frame, kind)) = self.waiting_task(task_id) else {
            return;
        };
        let Some(Block::Task(wait)) = self
            .data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
            .map(|a| &mut a.block)
        else {
            return;
        };
        // A task run again after a restart submits again: the first submission stands.
        if std::mem::replace(&mut wait.submitted, true) {
            return;
        }
        if let TaskKind::Service {
            resource_type,
            resource,
        } = kind
        {
            let sync = resource.ends_with(".sync") || resource.contains(".sync:");
            if sync {
                wait.sync_submission = Some(Box::new(output.clone()));
            }
            self.emit(frame, EventType::TaskSubmitted, || {
                json!({"resourceType": resource_type, "resource": resource, "output": output, "outputDetails": {"truncated": false}})
            });
        }
    }

    /// A task finished: record it, then process the result or fail the state.
    pub(crate) fn task_result(&mut self, task_id: TaskId, result: Result<Value, Failure>) {
        let Some((frame, kind)) = self.waiting_task(task_id) else {
            return;
        };
        if let Some(a) = self
            .data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
        {
            if let Block::Task(wait) = std::mem::replace(&mut a.block, Block::Running) {
                self.release_task(&wait, false);
            }
        }
        let limit = self.data.config.max_payload_bytes;
        let mut result_size = None;
        let result = match result {
            Ok(v) => match crate::limits::fits(&v, None, limit) {
                Some(n) => {
                    result_size = Some(n);
                    Ok(v)
                }
                None => {
                    let who = match &kind {
                        TaskKind::Lambda { arn } | TaskKind::Activity { arn } => arn.clone(),
                        TaskKind::Service { resource_type, .. } => resource_type.clone(),
                    };
                    Err(Failure::new(
                        STATES_DATA_LIMIT_EXCEEDED,
                        message::data_limit_exceeded(&who),
                    ))
                }
            },
            other => other,
        };
        match result {
            Ok(output) => {
                self.emit_task_event(frame, &kind, Ok(&output));
                self.set_state_context(frame);
                let flow = self.task_output(frame, output, result_size);
                self.apply_flow(frame, flow);
            }
            Err(failure) => {
                self.emit_task_event(frame, &kind, Err(&failure));
                self.fail_state(frame, failure);
            }
        }
    }

    fn emit_task_event(
        &mut self,
        frame: FrameId,
        kind: &TaskKind,
        result: Result<&Value, &Failure>,
    ) {
        let timed_out = matches!(result, Err(f) if f.error.as_deref() == Some(STATES_TIMEOUT) && f.cause.is_none());
        let ty = match (kind, result.is_ok(), timed_out) {
            (TaskKind::Lambda { .. }, true, _) => EventType::LambdaFunctionSucceeded,
            (TaskKind::Lambda { .. }, false, true) => EventType::LambdaFunctionTimedOut,
            (TaskKind::Lambda { .. }, false, false) => EventType::LambdaFunctionFailed,
            (TaskKind::Activity { .. }, true, _) => EventType::ActivitySucceeded,
            (TaskKind::Activity { .. }, false, true) => EventType::ActivityTimedOut,
            (TaskKind::Activity { .. }, false, false) => EventType::ActivityFailed,
            (TaskKind::Service { .. }, true, _) => EventType::TaskSucceeded,
            (TaskKind::Service { .. }, false, true) => EventType::TaskTimedOut,
            (TaskKind::Service { .. }, false, false) => EventType::TaskFailed,
        };
        self.emit(frame, ty, || {
            let mut d = match result {
                Ok(v) => {
                    let mut m = Map::new();
                    m.insert("output".into(), v.clone());
                    m.insert("outputDetails".into(), json!({"truncated": false}));
                    m
                }
                Err(f) => match f.details() {
                    Value::Object(m) => m,
                    _ => Map::new(),
                },
            };
            if let TaskKind::Service {
                resource_type,
                resource,
            } = kind
            {
                d.insert("resourceType".into(), resource_type.clone().into());
                d.insert("resource".into(), resource.clone().into());
            }
            Value::Object(d)
        });
    }

    /// ResultSelector → Assign → ResultPath → OutputPath (or JSONata `Output`/`Assign`) of a
    /// Task, Parallel or Map state. `result_size` bounds the result's JSON size when known.
    pub(crate) fn task_output(
        &mut self,
        frame: FrameId,
        result: Value,
        result_size: SizeBound,
    ) -> Result<Flow, EvalError> {
        let machine = self.machine.clone();
        let Some((state, raw_size)) = self.data.frames.get(&frame).and_then(|f| {
            let a = f.active.as_ref()?;
            let (_, state) = super::resolve_scope(&machine, &f.scope)?.get_index(a.state)?;
            Some((state, a.raw_size))
        }) else {
            return Ok(Flow::Blocked);
        };
        let Some(flow) = state.result_flow() else {
            return Ok(Flow::Blocked);
        };
        if machine.effective_language(state) == QueryLanguage::Jsonata {
            return self.jsonata_task_output(frame, flow, result, result_size);
        }
        let (selected, assign) = {
            let Some((scope, raw)) = self.active_scope(frame) else {
                return Ok(Flow::Blocked);
            };
            let selected = match &flow.result_selector {
                Some(t) => io::template(&scope, t, &result)?,
                None => result,
            };
            let assign = match &flow.assign {
                Some(t) => Some(io::eval_assign(
                    &scope,
                    t,
                    &selected,
                    raw,
                    Some(&selected),
                    None,
                )?),
                None => None,
            };
            (selected, assign)
        };
        let limit = self.data.config.max_payload_bytes;
        let selected_size = match flow.result_selector {
            Some(_) => Some(crate::limits::json_size(&selected, limit)),
            None => result_size,
        };
        let size = io::result_path_size(&flow.result_path, raw_size, selected_size);
        let size = io::selected_size(&flow.output_path, size);
        // Within the limit, the output cannot fail the payload check, and later steps fail
        // only with `States.Runtime`, which neither retries nor catches: nothing needs the raw
        // input again, so it moves into the output. Otherwise a Retrier or Catcher may.
        let spent = size.is_some_and(|b| b <= self.data.config.max_payload_bytes);
        let output = self.write_result(frame, &flow.result_path, selected, spent)?;
        let scope = self.scope(frame);
        let output = io::output_path(&scope, &flow.output_path, output)?;
        Ok(Flow::Exit(Leave {
            output,
            size,
            assign,
            next: Next::Own,
        }))
    }

    /// JSONata `Assign` and `Output` over a task's result.
    fn jsonata_task_output(
        &self,
        frame: FrameId,
        flow: &DataFlow,
        result: Value,
        result_size: SizeBound,
    ) -> Result<Flow, EvalError> {
        let Some((scope, raw)) = self.active_scope(frame) else {
            return Ok(Flow::Blocked);
        };
        let assign = match &flow.assign {
            Some(t) => Some(io::eval_assign(
                &scope,
                t,
                &result,
                raw,
                Some(&result),
                None,
            )?),
            None => None,
        };
        let (output, size) = match &flow.output {
            Some(t) => (
                t.eval(&scope.jsonata(raw, Some(&result), None), "Output")?,
                None,
            ),
            None => (result, result_size),
        };
        Ok(Flow::Exit(Leave {
            output,
            size,
            assign,
            next: Next::Own,
        }))
    }

    /// `ResultPath` over the active state's raw input, which moves into the output when
    /// `spent` (else it is copied). A failed write (`States.ResultPathMatchFailure`, which a
    /// Retrier or Catcher may take) leaves the raw input in place.
    fn write_result(
        &mut self,
        frame: FrameId,
        path: &Option<Option<ReferencePath>>,
        result: Value,
        spent: bool,
    ) -> Result<Value, EvalError> {
        let Some(active) = self
            .data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
        else {
            return Ok(result);
        };
        let reads_raw = match path {
            None => false,
            Some(None) => true,
            Some(Some(p)) => !p.is_root(),
        };
        if !reads_raw {
            return Ok(result);
        }
        let raw = if spent {
            std::mem::take(&mut active.raw_input)
        } else {
            active.raw_input.clone()
        };
        match io::apply_result_path(path, raw, result) {
            Ok(output) => Ok(output),
            Err(failed) => {
                let (raw, e) = *failed;
                if spent {
                    active.raw_input = raw;
                }
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_families() {
        assert_eq!(
            classify(&Resource::parse("arn:aws:lambda:us-east-1:1:function:f")),
            TaskKind::Lambda {
                arn: "arn:aws:lambda:us-east-1:1:function:f".into()
            }
        );
        assert_eq!(
            classify(&Resource::parse("arn:aws:states:::lambda:invoke")),
            TaskKind::Service {
                resource_type: "lambda".into(),
                resource: "invoke".into()
            }
        );
        assert_eq!(
            classify(&Resource::parse("arn:aws:states:::aws-sdk:s3:getObject")),
            TaskKind::Service {
                resource_type: "aws-sdk:s3".into(),
                resource: "getObject".into()
            }
        );
        assert_eq!(
            classify(&Resource::parse(
                "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
            )),
            TaskKind::Service {
                resource_type: "sqs".into(),
                resource: "sendMessage.waitForTaskToken".into()
            }
        );
        assert!(matches!(
            classify(&Resource::parse("arn:aws:states:us-east-1:1:activity:a")),
            TaskKind::Activity { .. }
        ));
        // Not an integration Step Functions knows: the text after `states:::`, as before.
        assert_eq!(
            classify(&Resource::parse("arn:aws:states:::mock")),
            TaskKind::Service {
                resource_type: String::new(),
                resource: "mock".into()
            }
        );
    }

    #[test]
    fn credentials_are_recorded_with_a_lowercase_role_arn() {
        assert_eq!(
            task_credentials(&json!({"RoleArn": "arn:aws:iam::1:role/r"})),
            json!({"roleArn": "arn:aws:iam::1:role/r"})
        );
    }

    #[test]
    fn tokens_are_uuid_shaped_and_seeded() {
        let a = uuid(&std::sync::atomic::AtomicU64::new(7));
        assert_eq!(a.len(), 36);
        assert_eq!(a, uuid(&std::sync::atomic::AtomicU64::new(7)));
        assert_ne!(a, uuid(&std::sync::atomic::AtomicU64::new(8)));
    }
}
