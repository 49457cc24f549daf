//! `states:startExecution` tasks: the child execution is a command, its start and end are
//! events, so a store persists and resumes the child like any other work of the parent.
//!
//! The task is scheduled as any other ([`Command::StartExecution`] carries its
//! [`TaskInvocation`]); [`Event::ChildStarted`] gives the `StartExecution` response (the
//! result of the request/response pattern, the submission of the others) and, for `.sync` and
//! `.sync:2`, [`Event::ChildFinished`] the child's outcome, which the core turns into the
//! child's `DescribeExecution` as the task's result (or, for a child that did not succeed, the
//! cause of `States.TaskFailed`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sfn_asl::error::STATES_TASK_FAILED;
use sfn_asl::resource::{Arn, IntegrationPattern, Service};

use super::tasks::TaskWait;
use super::types::{ChildExecutionRequest, TaskId, TaskInvocation};
use super::{Block, Execution, Failure, Outcome, Status};

/// How a task waits for its child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ChildPattern {
    /// The start is the result.
    RequestResponse,
    /// The start is the submission; the result comes by token.
    WaitForTaskToken,
    /// The child's description, `Input`/`Output` as JSON text.
    Sync,
    /// The child's description, `Input`/`Output` as JSON values.
    Sync2,
}

/// What the parent keeps of a child it started, to describe it when it ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ChildWait {
    pattern: ChildPattern,
    state_machine_arn: String,
    execution_arn: String,
    name: String,
    input: Value,
    /// `StartDate` (ms), once started.
    start: Option<u64>,
}

/// The child a `states:startExecution` task starts, when its resource is one.
pub(crate) fn child_request(
    task: &TaskInvocation,
    parent_name: &str,
) -> Option<(ChildExecutionRequest, ChildWait)> {
    let resource = &task.resource;
    if !resource.is_call(&Service::StepFunctions, "startExecution") {
        return None;
    }
    let pattern = match resource.pattern()? {
        IntegrationPattern::RequestResponse => ChildPattern::RequestResponse,
        IntegrationPattern::WaitForTaskToken => ChildPattern::WaitForTaskToken,
        IntegrationPattern::Sync => ChildPattern::Sync,
        IntegrationPattern::Sync2 => ChildPattern::Sync2,
    };
    let params = &task.input;
    let arn = params.get("StateMachineArn").and_then(Value::as_str);
    let input = match params.get("Input") {
        // `Input` is JSON text with the plain patterns, a value with `.sync:2` and JSONata.
        Some(Value::String(text)) => {
            serde_json::from_str(text).unwrap_or(Value::String(text.clone()))
        }
        // A null `Input` is none given, and StartExecution's input defaults to `{}`.
        Some(Value::Null) | None => json!({}),
        Some(v) => v.clone(),
    };
    let name = params
        .get("Name")
        .and_then(Value::as_str)
        .map_or_else(|| format!("{parent_name}-{}", task.task_id), str::to_owned);
    // A version or alias (`…:stateMachine:M:PROD`) runs machine `M`, whose executions are
    // `…:execution:M:<name>`. A key registered without a state machine ARN names itself.
    let parsed = arn.and_then(Arn::parse);
    let machine = parsed.as_ref().and_then(|a| a.state_machine());
    let state_machine_name = machine
        .map_or(arn.unwrap_or_default(), |m| m.name)
        .to_owned();
    let execution_arn = parsed
        .as_ref()
        .and_then(|a| a.execution_arn(&name))
        .unwrap_or_else(|| format!("{}:{name}", arn.unwrap_or_default()));
    let wait = ChildWait {
        pattern,
        state_machine_arn: arn.unwrap_or_default().to_owned(),
        execution_arn: execution_arn.clone(),
        name: name.clone(),
        input: input.clone(),
        start: None,
    };
    let request = ChildExecutionRequest {
        task: task.clone(),
        state_machine_arn: arn.map(str::to_owned),
        state_machine_name,
        name,
        execution_arn,
        input,
    };
    Some((request, wait))
}

impl Execution {
    /// The child a task waits for, by task id.
    fn child_wait(&mut self, task_id: TaskId) -> Option<&mut ChildWait> {
        let frame = *self.data.tasks.get(&task_id)?;
        match &mut self.data.frames.get_mut(&frame)?.active.as_mut()?.block {
            Block::Task(TaskWait {
                task_id: waiting,
                child: Some(child),
                ..
            }) if *waiting == task_id => Some(child),
            _ => None,
        }
    }

    /// The child execution a `states:startExecution` task starts (its ARN), and whether the
    /// task waits for its end (`.sync`, `.sync:2`).
    pub(crate) fn child_execution(&self, task_id: TaskId) -> Option<(String, bool)> {
        let frame = self.data.tasks.get(&task_id)?;
        match &self.data.frames.get(frame)?.active.as_ref()?.block {
            Block::Task(TaskWait {
                task_id: waiting,
                child: Some(child),
                ..
            }) if *waiting == task_id => Some((
                child.execution_arn.clone(),
                matches!(child.pattern, ChildPattern::Sync | ChildPattern::Sync2),
            )),
            _ => None,
        }
    }

    /// [`Event::ChildStarted`](super::Event::ChildStarted): the `StartExecution` response is
    /// the result (request/response) or the submission (the waiting patterns).
    pub(crate) fn child_started(&mut self, task_id: TaskId) {
        let now = self.data.now;
        let Some(child) = self.child_wait(task_id) else {
            return;
        };
        child.start = Some(now);
        let mut response = Map::new();
        response.insert("ExecutionArn".into(), child.execution_arn.clone().into());
        response.insert("StartDate".into(), now.into());
        let request_id = {
            let seed = format!("{}#{}", self.data.config.execution_arn, task_id.0);
            let (a, b) = (
                sfn_asl::random::fnv1a_salted(0, seed.as_bytes()),
                sfn_asl::random::fnv1a_salted(0x5f3e_c0de, seed.as_bytes()),
            );
            sfn_asl::random::uuid(a, b)
        };
        let Some(child) = self.child_wait(task_id) else {
            return;
        };
        start_metadata(&mut response, &child.execution_arn, now, &request_id);
        let response = Value::Object(response);
        match child.pattern {
            ChildPattern::RequestResponse => self.task_result(task_id, Ok(response)),
            _ => self.task_submitted(task_id, response),
        }
    }

    /// [`Event::ChildFinished`](super::Event::ChildFinished): a `.sync` task's result is the
    /// child's description.
    pub(crate) fn child_finished(&mut self, task_id: TaskId, outcome: &Outcome) {
        let now = self.data.now;
        let Some(child) = self.child_wait(task_id) else {
            return;
        };
        let parsed = match child.pattern {
            ChildPattern::Sync => false,
            ChildPattern::Sync2 => true,
            _ => return,
        };
        let description = describe(child, outcome, now, parsed);
        let result = match outcome.status {
            Status::Succeeded => Ok(description),
            _ => Err(Failure::new(STATES_TASK_FAILED, description.to_string())),
        };
        self.task_result(task_id, result);
    }
}

/// The `SdkHttpMetadata` and `SdkResponseMetadata` blocks of a `StartExecution` answer, as the
/// Java SDK v1 objects Step Functions returns show them for any optimized call: the answer of
/// Step Functions' JSON API (`{"executionArn":…,"startDate":…}`, its length the
/// `Content-Length`), dated `now` (ms), with a request id fixed by the execution and task.
fn start_metadata(response: &mut Map<String, Value>, execution_arn: &str, now: u64, id: &str) {
    let body = format!(
        r#"{{"executionArn":"{execution_arn}","startDate":{}}}"#,
        java_seconds(now)
    );
    let date = chrono::DateTime::from_timestamp_millis(i64::try_from(now).unwrap_or(i64::MAX))
        .unwrap_or_default()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let length = body.len().to_string();
    let content_type = "application/x-amz-json-1.0";
    response.insert(
        "SdkHttpMetadata".into(),
        json!({
            "AllHttpHeaders": {
                "x-amzn-RequestId": [id],
                "connection": ["keep-alive"],
                "Content-Length": [length],
                "Date": [date],
                "Content-Type": [content_type],
            },
            "HttpHeaders": {
                "connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": content_type,
                "Date": date,
                "x-amzn-RequestId": id,
            },
            "HttpStatusCode": 200,
        }),
    );
    response.insert("SdkResponseMetadata".into(), json!({"RequestId": id}));
}

/// Seconds since the epoch as Java prints a `double` of that size (`1.762432553957E9`), as
/// the Step Functions API writes `startDate`.
fn java_seconds(ms: u64) -> String {
    let seconds = ms as f64 / 1000.0;
    if seconds < 1.0 {
        return format!("{seconds:?}");
    }
    let exponent = seconds.log10().floor() as i32;
    let mantissa = seconds / 10f64.powi(exponent);
    format!("{mantissa:?}E{exponent}")
}

/// The child's `DescribeExecution`, as `.sync` tasks return it.
fn describe(child: &ChildWait, outcome: &Outcome, stop: u64, parsed: bool) -> Value {
    let as_field = |v: &Value| {
        if parsed {
            v.clone()
        } else {
            Value::String(v.to_string())
        }
    };
    let mut d = Map::new();
    d.insert("ExecutionArn".into(), child.execution_arn.clone().into());
    d.insert("Input".into(), as_field(&child.input));
    d.insert("InputDetails".into(), json!({"Included": true}));
    d.insert("Name".into(), child.name.clone().into());
    if let Some(out) = &outcome.output {
        d.insert("Output".into(), as_field(out));
        d.insert("OutputDetails".into(), json!({"Included": true}));
    }
    if let Some(e) = &outcome.error {
        d.insert("Error".into(), e.clone().into());
    }
    if let Some(c) = &outcome.cause {
        d.insert("Cause".into(), c.clone().into());
    }
    d.insert("StartDate".into(), child.start.unwrap_or(stop).into());
    d.insert(
        "StateMachineArn".into(),
        child.state_machine_arn.clone().into(),
    );
    d.insert("Status".into(), outcome.status.as_str().into());
    d.insert("StopDate".into(), stop.into());
    Value::Object(d)
}
