//! The vocabulary of the core: configuration, events in, commands out, outcome.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sfn_asl::random::fnv1a;

use crate::history::HistoryEvent;

macro_rules! id {
    ($(#[$doc:meta])* $vis:vis $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        $vis struct $name(pub u64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id! {
    /// A task the execution asked for ([`Command::InvokeTask`]); its result event names it.
    pub TaskId
}
id! {
    /// A timer the execution asked for ([`Command::StartTimer`]).
    pub TimerId
}
id! {
    /// An object-store request of a distributed Map ([`Command::ReadItems`],
    /// [`Command::WriteResults`]). Drawn from the same counter as task ids, so both keep the
    /// numbers they had when they shared one.
    pub RequestId
}
id! {
    /// A frame: the top level, a Parallel branch or a Map iteration.
    pub(crate) FrameId
}

/// How an execution is named and configured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionConfig {
    /// `$$.Execution.Name`.
    pub name: String,
    /// `$$.Execution.Id`.
    pub execution_arn: String,
    /// `$$.StateMachine.Name`.
    pub state_machine_name: String,
    /// `$$.StateMachine.Id`.
    pub state_machine_arn: String,
    /// `$$.Execution.RoleArn` and `ExecutionStarted.roleArn`.
    pub role_arn: String,
    /// The region written in `TaskScheduled.region`.
    pub region: String,
    /// Seed of the execution's random generator (jitter, `States.UUID`, task tokens).
    pub seed: u64,
    /// Whether history events are built (ids are counted either way).
    pub record_history: bool,
    /// Express semantics (no `RedriveCount` in the context object).
    pub express: bool,
    /// The history length at which the execution ends: a Standard execution fails with
    /// `States.Runtime` (AWS: 25,000); an Express one, which AWS does not cap by events, times
    /// out instead (see [`express::EXPRESS_MAX_EVENTS`](crate::engine::express::EXPRESS_MAX_EVENTS)).
    pub max_history_events: u64,
    /// The payload size limit in bytes (AWS: 262,144).
    pub max_payload_bytes: usize,
    /// The most payload text (event inputs, outputs and parameters, counted per event as
    /// `GetExecutionHistory` returns them) the history holds in full; later inputs and outputs
    /// are cut to 1 KiB and marked `truncated`, so a long history of large payloads cannot
    /// exhaust memory or print gigabytes. Events share the text of equal payloads, so memory
    /// stays well under this.
    #[serde(default = "default_history_data_bytes")]
    pub max_history_data_bytes: usize,
    /// A cap on the machine's `TimeoutSeconds` (Standard: one year, Express: 300), applied
    /// without copying the machine; `None`: the machine's own.
    #[serde(default)]
    pub max_timeout_seconds: Option<u64>,
}

impl ExecutionConfig {
    /// A configuration with AWS-shaped ARNs in account `123456789012`, region `us-east-1`.
    pub fn new(state_machine_name: &str, execution_name: &str) -> Self {
        let region = "us-east-1";
        let account = "123456789012";
        ExecutionConfig {
            // Joined rather than `format!`ed: a high-rate caller builds one per execution.
            name: execution_name.to_owned(),
            execution_arn: [
                "arn:aws:states:",
                region,
                ":",
                account,
                ":execution:",
                state_machine_name,
                ":",
                execution_name,
            ]
            .concat(),
            state_machine_name: state_machine_name.to_owned(),
            state_machine_arn: [
                "arn:aws:states:",
                region,
                ":",
                account,
                ":stateMachine:",
                state_machine_name,
            ]
            .concat(),
            role_arn: [
                "arn:aws:iam::",
                account,
                ":role/",
                state_machine_name,
                "-role",
            ]
            .concat(),
            region: region.to_owned(),
            // Distinct executions draw distinct UUIDs and jitter, reproducibly by name.
            seed: fnv1a(execution_name.as_bytes())
                ^ fnv1a(state_machine_name.as_bytes()).rotate_left(32),
            record_history: true,
            express: false,
            max_history_events: 25_000,
            max_payload_bytes: crate::limits::MAX_PAYLOAD_BYTES,
            max_history_data_bytes: default_history_data_bytes(),
            max_timeout_seconds: Some(crate::limits::STANDARD_MAX_SECONDS),
        }
    }
}

/// 64 MiB: 256 events carrying a full 256 KiB payload each.
fn default_history_data_bytes() -> usize {
    64 * 1024 * 1024
}

/// The status of an execution, as `DescribeExecution` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Not finished.
    Running,
    /// Finished with an output.
    Succeeded,
    /// Finished with an error.
    Failed,
    /// The execution's `TimeoutSeconds` expired.
    TimedOut,
    /// Stopped from outside.
    Aborted,
}

impl Status {
    /// The AWS spelling (`SUCCEEDED`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }
}

/// How an execution ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Final status (never `Running`).
    pub status: Status,
    /// The output, when it succeeded.
    pub output: Option<Value>,
    /// The error name, when it failed and one was given.
    pub error: Option<String>,
    /// The cause, when it failed and one was given.
    pub cause: Option<String>,
}

/// Something that happened to an execution. `now` is milliseconds since the Unix epoch.
///
/// Stored form (serde): an object whose `type` names the variant, beside the variant's fields
/// under their Rust names; ids are plain numbers, times milliseconds since the epoch, a
/// `Result` is `{"Ok": …}` or `{"Err": …}`. Variants and fields are only ever added (with a
/// default), never renamed, so stored events stay readable:
/// `{"type":"TaskSucceeded","task_id":3,"output":{"ok":true},"now":1700000000000}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    /// The execution starts with `input`.
    Started {
        /// The execution input.
        input: Value,
        /// Current time.
        now: u64,
    },
    /// A task returned its result.
    TaskSucceeded {
        /// The id from [`Command::InvokeTask`].
        task_id: TaskId,
        /// The result.
        output: Value,
        /// Current time.
        now: u64,
    },
    /// A task failed.
    TaskFailed {
        /// The id from [`Command::InvokeTask`].
        task_id: TaskId,
        /// The error name (absent when a callback sent none).
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
        /// Current time.
        now: u64,
    },
    /// A task ran past its `TimeoutSeconds`.
    TaskTimedOut {
        /// The id from [`Command::InvokeTask`].
        task_id: TaskId,
        /// Current time.
        now: u64,
    },
    /// A task sent no heartbeat within `HeartbeatSeconds`.
    HeartbeatTimedOut {
        /// The id from [`Command::InvokeTask`].
        task_id: TaskId,
        /// Current time.
        now: u64,
    },
    /// A `.waitForTaskToken`/`.sync` task was submitted; the final result comes later.
    TaskSubmitted {
        /// The id from [`Command::InvokeTask`].
        task_id: TaskId,
        /// The submission response.
        output: Value,
        /// Current time.
        now: u64,
    },
    /// `SendTaskHeartbeat` for a task: its `HeartbeatSeconds` timer starts again (no history
    /// event).
    TaskHeartbeat {
        /// The id from [`Command::InvokeTask`].
        task_id: TaskId,
        /// Current time.
        now: u64,
    },
    /// A worker took an activity task (`GetActivityTask`): `ActivityStarted`, and the task's
    /// `HeartbeatSeconds` clock starts. A task a handler serves starts when it is invoked
    /// (no worker name).
    ActivityStarted {
        /// The id from [`Command::InvokeTask`].
        task_id: TaskId,
        /// The `workerName` the worker gave, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        worker_name: Option<String>,
        /// Current time.
        now: u64,
    },
    /// The child execution of a [`Command::StartExecution`] started.
    ChildStarted {
        /// The task's id.
        task_id: TaskId,
        /// Current time (the child's `StartDate`).
        now: u64,
    },
    /// The child execution of a `.sync`/`.sync:2` [`Command::StartExecution`] ended.
    ChildFinished {
        /// The task's id.
        task_id: TaskId,
        /// How the child ended (boxed: the rarest event need not make every event larger).
        outcome: Box<Outcome>,
        /// Current time (the child's `StopDate`).
        now: u64,
    },
    /// A timer from [`Command::StartTimer`] fired.
    TimerFired {
        /// The timer.
        timer_id: TimerId,
        /// Current time.
        now: u64,
    },
    /// The answer to [`Command::ReadItems`]: a distributed Map's items, or the reader's
    /// failure cause (`States.ItemReaderFailed`).
    ItemsRead {
        /// The request's id.
        request_id: RequestId,
        /// The items, or the cause.
        result: Result<Vec<Value>, String>,
        /// Current time.
        now: u64,
    },
    /// The answer to [`Command::WriteResults`]: `Err` holds the cause
    /// (`States.ResultWriterFailed`).
    ResultsWritten {
        /// The request's id.
        request_id: RequestId,
        /// Done, or the cause.
        result: Result<(), String>,
        /// Current time.
        now: u64,
    },
    /// `RedriveExecution`: a FAILED, TIMED_OUT or ABORTED execution runs again from the
    /// states that did not succeed (see [`Execution::redrivable`](crate::execution::Execution::redrivable)).
    /// Ignored by a running execution.
    Redriven {
        /// Current time (the `redriveDate`).
        now: u64,
    },
    /// `StopExecution`.
    StopRequested {
        /// Optional error.
        error: Option<String>,
        /// Optional cause.
        cause: Option<String>,
        /// Current time.
        now: u64,
    },
}

/// A task the driver must run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskInvocation {
    /// Identifies the result event.
    pub task_id: TaskId,
    /// The Task state's name.
    pub state_name: String,
    /// The `Resource`, parsed (routing reads what it calls and how).
    pub resource: sfn_asl::resource::Resource,
    /// The task input (after `Parameters`/`Arguments`).
    pub input: Value,
    /// The task token of a `.waitForTaskToken` task.
    pub token: Option<String>,
    /// `TimeoutSeconds`, when declared.
    pub timeout_seconds: Option<u64>,
    /// `HeartbeatSeconds`, when declared.
    pub heartbeat_seconds: Option<u64>,
    /// The evaluated `Credentials`.
    pub credentials: Option<Value>,
}

/// The child execution a `states:startExecution` task starts, named and addressed by the
/// parent, so a store that resumes the parent finds the child it started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildExecutionRequest {
    /// The task, as [`Command::InvokeTask`] would carry it.
    pub task: TaskInvocation,
    /// `StateMachineArn` (a version or alias ARN included); `None` when the parameters have
    /// none (the task fails with `States.Runtime`).
    pub state_machine_arn: Option<String>,
    /// The machine's name (`$$.StateMachine.Name` of the child).
    pub state_machine_name: String,
    /// The child's name: `Name`, or `<parent name>-<task id>`.
    pub name: String,
    /// The child's execution ARN.
    pub execution_arn: String,
    /// The child's input (`Input`, parsed when it is JSON text).
    pub input: Value,
}

/// Work for the driver.
///
/// Stored form (serde): as [`Event`]'s, an object whose `type` names the variant; a variant
/// wrapping a struct carries that struct's fields beside `type`:
/// `{"type":"StartTimer","timer_id":4,"at":1700000060000}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Command {
    /// Run a task and report `TaskSucceeded`/`TaskFailed`/... with its id.
    InvokeTask(TaskInvocation),
    /// Start the child execution of a `states:startExecution` task and report
    /// [`Event::ChildStarted`], then, for `.sync`/`.sync:2`, [`Event::ChildFinished`]. A
    /// missing or unknown machine fails the task ([`Event::TaskFailed`]); a task source that
    /// answers the resource (a mock) runs the task instead, as [`Command::InvokeTask`].
    StartExecution(Box<ChildExecutionRequest>),
    /// Report `TimerFired` at time `at` (ms since the epoch).
    StartTimer {
        /// The timer.
        timer_id: TimerId,
        /// When.
        at: u64,
    },
    /// The task's result is no longer wanted.
    CancelTask {
        /// The task.
        task_id: TaskId,
    },
    /// The timer is no longer wanted.
    CancelTimer {
        /// The timer.
        timer_id: TimerId,
    },
    /// Read a distributed Map's items from the object store; answer with
    /// [`Event::ItemsRead`].
    ReadItems(crate::item_reader::ItemReadRequest),
    /// Write a Map Run's result files to the object store; answer with
    /// [`Event::ResultsWritten`].
    WriteResults(crate::result_writer::ResultWriteRequest),
    /// The execution ended.
    Finished(Outcome),
}

/// An event of a distributed Map's child execution, which has a history of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildEvent {
    /// The Map Run the child belongs to.
    pub map_run_arn: String,
    /// The child execution's ARN.
    pub execution_arn: String,
    /// The event, numbered in the child's history.
    pub event: HistoryEvent,
}

/// What one [`Execution::handle`](crate::execution::Execution::handle) call produced.
///
/// Stored form (serde): `{"events": [...], "commands": [...], "child_events": [...]}`.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// History events appended (empty when recording is off).
    pub events: Vec<HistoryEvent>,
    /// Commands for the driver, in order.
    pub commands: Vec<Command>,
    /// Events appended to child executions' histories (distributed Map).
    pub child_events: Vec<ChildEvent>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stored_as_plain_numbers() {
        assert_eq!(serde_json::to_string(&TaskId(3)).ok().as_deref(), Some("3"));
        let timer: TimerId = serde_json::from_str("7").expect("a number");
        assert_eq!(timer, TimerId(7));
        assert_eq!(RequestId(9).to_string(), "9");
        assert!(FrameId(1) < FrameId(2));
    }

    fn round_trip<T>(value: &T) -> T
    where
        T: Serialize + for<'de> Deserialize<'de>,
    {
        let text = serde_json::to_string(value).expect("serializable");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text} reads back: {e}"))
    }

    fn every_event() -> Vec<Event> {
        let (task_id, now) = (TaskId(3), 1_700_000_000_000);
        vec![
            Event::Started {
                input: serde_json::json!({"a": [1, 2.5, "x"]}),
                now,
            },
            Event::TaskSucceeded {
                task_id,
                output: serde_json::json!(null),
                now,
            },
            Event::TaskFailed {
                task_id,
                error: Some("E".into()),
                cause: None,
                now,
            },
            Event::TaskTimedOut { task_id, now },
            Event::HeartbeatTimedOut { task_id, now },
            Event::TaskSubmitted {
                task_id,
                output: serde_json::json!({}),
                now,
            },
            Event::TimerFired {
                timer_id: TimerId(2),
                now,
            },
            Event::TaskHeartbeat { task_id, now },
            Event::ChildStarted { task_id, now },
            Event::ChildFinished {
                task_id,
                outcome: Box::new(Outcome {
                    status: Status::Succeeded,
                    output: Some(serde_json::json!([1])),
                    error: None,
                    cause: None,
                }),
                now,
            },
            Event::ItemsRead {
                request_id: RequestId(5),
                result: Ok(vec![serde_json::json!(1)]),
                now,
            },
            Event::ItemsRead {
                request_id: RequestId(5),
                result: Err("gone".into()),
                now,
            },
            Event::ResultsWritten {
                request_id: RequestId(6),
                result: Ok(()),
                now,
            },
            Event::StopRequested {
                error: None,
                cause: Some("why".into()),
                now,
            },
            Event::Redriven { now },
        ]
    }

    fn every_command() -> Vec<Command> {
        let mut commands = commands_but_children();
        let Some(Command::InvokeTask(task)) = commands.first().cloned() else {
            panic!("the first command invokes a task");
        };
        commands.push(Command::StartExecution(Box::new(ChildExecutionRequest {
            task,
            state_machine_arn: Some("arn:aws:states:us-east-1:1:stateMachine:child".into()),
            state_machine_name: "child".into(),
            name: "run-1".into(),
            execution_arn: "arn:aws:states:us-east-1:1:execution:child:run-1".into(),
            input: serde_json::json!({"from": "parent"}),
        })));
        commands
    }

    fn commands_but_children() -> Vec<Command> {
        let config = sfn_asl::model::ReaderConfig {
            input_type: Some(sfn_asl::model::InputType::Csv),
            csv_header_location: Some(sfn_asl::model::CsvHeaderLocation::Given),
            csv_headers: Some(vec!["id".into()]),
            csv_delimiter: Some(sfn_asl::model::CsvDelimiter::Tab),
            max_items: None,
            transformation: None,
            manifest_type: None,
            items_pointer: Some("/items".into()),
        };
        vec![
            Command::InvokeTask(TaskInvocation {
                task_id: TaskId(1),
                state_name: "Charge".into(),
                resource: "arn:aws:states:::lambda:invoke.waitForTaskToken".into(),
                input: serde_json::json!({"k": "v"}),
                token: Some("t".into()),
                timeout_seconds: Some(5),
                heartbeat_seconds: None,
                credentials: None,
            }),
            Command::StartTimer {
                timer_id: TimerId(4),
                at: 1_700_000_060_000,
            },
            Command::CancelTask { task_id: TaskId(1) },
            Command::CancelTimer {
                timer_id: TimerId(4),
            },
            Command::ReadItems(crate::item_reader::ItemReadRequest {
                request_id: RequestId(2),
                resource: "arn:aws:states:::s3:getObject".into(),
                parameters: serde_json::json!({"Bucket": "b", "Key": "k"}),
                config: Some(config),
                max_items: 10,
            }),
            Command::WriteResults(crate::result_writer::ResultWriteRequest {
                request_id: RequestId(3),
                bucket: "b".into(),
                files: vec![("k".into(), b"{}".to_vec())],
            }),
            Command::Finished(Outcome {
                status: Status::Failed,
                output: None,
                error: Some("States.Timeout".into()),
                cause: None,
            }),
        ]
    }

    #[test]
    fn events_and_commands_read_back_as_written() {
        for event in every_event() {
            assert_eq!(round_trip(&event), event);
        }
        for command in every_command() {
            assert_eq!(round_trip(&command), command);
        }
        let step = Step {
            events: Vec::new(),
            commands: every_command(),
            child_events: Vec::new(),
        };
        assert_eq!(round_trip(&step), step);
    }

    #[test]
    fn the_stored_form_is_tagged_by_type() {
        let event = Event::TaskSucceeded {
            task_id: TaskId(3),
            output: serde_json::json!({"ok": true}),
            now: 1_700_000_000_000,
        };
        assert_eq!(
            serde_json::to_value(&event).expect("serializable"),
            serde_json::json!({"type": "TaskSucceeded", "task_id": 3, "output": {"ok": true}, "now": 1_700_000_000_000u64})
        );
        let command = Command::StartTimer {
            timer_id: TimerId(4),
            at: 1_700_000_060_000,
        };
        assert_eq!(
            serde_json::to_value(&command).expect("serializable"),
            serde_json::json!({"type": "StartTimer", "timer_id": 4, "at": 1_700_000_060_000u64})
        );
        let bad = r#"{"type":"ReadItems","request_id":1,"resource":"r","parameters":{},"config":{"InputType":"XML"},"max_items":0}"#;
        let err = serde_json::from_str::<Command>(bad).expect_err("XML is no InputType");
        assert!(err.to_string().contains("ReaderConfig.InputType"), "{err}");
    }
}
