//! One execution as a deterministic state machine: its state and `handle(event) -> Step`.
//!
//! The core never reads a clock, spawns a task or draws unseeded randomness: time arrives in
//! events, randomness comes from a generator kept in the execution, and everything the outside
//! world must do comes back as [`Command`]s. Parallel branches and Map iterations are child
//! frames of the same execution, so a stop or a snapshot reaches them too.
//!
//! ```
//! use std::sync::Arc;
//! use sfn_runtime::execution::{Command, Event, Execution, ExecutionConfig, Status};
//! # let machine = sfn_asl::StateMachine { comment: None, version: None, timeout_seconds: None,
//! #   query_language: None, start_at: "A".into(), states: Default::default() };
//! let mut exec = Execution::new(Arc::new(machine), ExecutionConfig::new("machine", "run-1"));
//! let step = exec.handle(Event::Started { input: serde_json::json!({}), now: 0 });
//! assert!(step.commands.iter().any(|c| matches!(c, Command::Finished(_))));
//! assert_ne!(exec.status(), Status::Running);
//! ```

mod branches;
mod children;
mod context;
mod distributed;
mod errors;
mod io;
mod map_redrive;
mod nested;
mod record;
mod redrive;
mod states;
mod tasks;
#[cfg(feature = "aws")]
pub(crate) use tasks::api_gateway_refusal;
mod types;
mod variables;

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sfn_asl::error::{message, STATES_DATA_LIMIT_EXCEEDED, STATES_RUNTIME, STATES_TIMEOUT};
use sfn_asl::eval::{Entropy, Variables};
use sfn_asl::model::{State, States};
use sfn_asl::StateMachine;

use crate::history::EventType;
use crate::limits::SizeBound;

pub use crate::item_reader::ItemReadRequest;
pub use crate::result_writer::ResultWriteRequest;
pub(crate) use context::iso_time;
pub use errors::Failure;
pub(crate) use types::FrameId;
pub use types::{
    ChildEvent, ChildExecutionRequest, Command, Event, ExecutionConfig, Outcome, RequestId, Status,
    Step, TaskId, TaskInvocation, TimerId,
};

/// Timer id reserved for the execution's own `TimeoutSeconds`.
const EXECUTION_TIMER: TimerId = TimerId(0);

/// One link of the path from the top-level `States` to a nested one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ScopeStep {
    /// Index of the Parallel/Map state in its `States`.
    state: usize,
    /// Branch index (0 for a Map's processor).
    branch: usize,
}

/// A running scope: the top level, one Parallel branch or one Map iteration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Frame {
    /// The Parallel/Map frame that started this one, and this child's index.
    parent: Option<(FrameId, usize)>,
    scope: Vec<ScopeStep>,
    /// Variables of this scope.
    vars: Map<String, Value>,
    /// The JSON size of `vars`' values, for the execution's 10 MiB limit.
    #[serde(default)]
    vars_bytes: usize,
    /// Distributed Map children: no outer variables, no events in the parent history.
    isolated: bool,
    /// Id of the last event of this frame (the next event's `previousEventId`).
    last_event: u64,
    /// The state being executed.
    active: Option<Active>,
    /// The root frame of a distributed Map child execution that ended unsuccessfully: its
    /// history, kept (with the frame) for a redrive of the Map Run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed: Option<Box<distributed::ChildLog>>,
}

/// A state being executed in a frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Active {
    state: usize,
    raw_input: Value,
    /// An upper bound on `raw_input`'s JSON size (see [`SizeBound`]).
    #[serde(default)]
    raw_size: SizeBound,
    entered_event: u64,
    entered_prev: u64,
    entered_time: u64,
    /// Attempts used, per retrier.
    retry_counts: Vec<u64>,
    /// `$$.State.RetryCount`.
    retry_count: u64,
    block: Block,
}

/// What an active state waits for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum Block {
    /// Nothing: the state is being processed.
    Running,
    /// A task result.
    Task(tasks::TaskWait),
    /// A Wait state's timer: then exit with this output and assignment.
    Wait {
        timer_id: TimerId,
        output: Value,
        #[serde(default)]
        size: SizeBound,
        assign: Option<Map<String, Value>>,
    },
    /// A retry back-off timer: then run the state again.
    Retry { timer_id: TimerId },
    /// Parallel branches or Map iterations.
    Children(children::Children),
    /// A distributed Map's `ItemReader` items.
    Reader { request_id: RequestId },
    /// A Map Run's `ResultWriter` export; then the state's result is `output`.
    Writer {
        request_id: RequestId,
        output: Value,
    },
}

/// Pending work inside one `handle` call.
#[derive(Debug)]
enum Work {
    Enter {
        frame: FrameId,
        state: usize,
        input: Value,
        size: SizeBound,
    },
    Fill {
        frame: FrameId,
    },
    ChildDone {
        child: FrameId,
        result: Result<Value, Failure>,
    },
    /// A redriven execution's distributed Map state redrives its Map Run.
    RedriveMapRun {
        frame: FrameId,
    },
}

/// Serializable state of one execution: with the machine, all that is needed to resume it.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExecutionData {
    config: ExecutionConfig,
    status: Status,
    input: Value,
    now: u64,
    start_time: u64,
    next_event_id: u64,
    next_frame_id: u64,
    next_task_id: u64,
    next_timer_id: u64,
    /// The seeded generator's state (atomic only so the execution is `Sync`; one thread uses it).
    rng: AtomicU64,
    /// Boxed: a B-tree leaf holds 11 values, so inline frames (~430 bytes each) cost ~4.8 KB
    /// for an execution that has one.
    frames: BTreeMap<FrameId, Box<Frame>>,
    tasks: BTreeMap<TaskId, FrameId>,
    timers: BTreeMap<TimerId, FrameId>,
    /// Object-store requests (distributed Map readers and writers) waiting for an answer.
    #[serde(default)]
    requests: BTreeMap<RequestId, FrameId>,
    /// Histories of running distributed Map children, by their root frame.
    #[serde(default)]
    child_logs: BTreeMap<FrameId, distributed::ChildLog>,
    /// Payload text the history holds so far, against `max_history_data_bytes`: a restored
    /// execution cuts its later payloads where an uninterrupted one does.
    #[serde(default)]
    history_data_held: usize,
    /// How often the execution was redriven (`$$.Execution.RedriveCount`).
    #[serde(default)]
    redrive_count: u32,
    /// When it was last redriven (`$$.Execution.RedriveTime`).
    #[serde(default)]
    redrive_time: Option<u64>,
    /// Once it ended FAILED, TIMED_OUT or ABORTED: the frames whose states did not succeed, as
    /// they were when it ended; a redrive runs them again.
    #[serde(default)]
    stopped: BTreeMap<FrameId, Box<Frame>>,
}

/// One execution of a state machine: the deterministic core.
#[derive(Debug)]
pub struct Execution {
    machine: Arc<StateMachine>,
    data: ExecutionData,
    /// `$$`, rebuilt per state from the fixed execution part.
    context: Value,
    queue: VecDeque<Work>,
    out: Step,
    /// The last formatted `EnteredTime` (many states share one instant).
    time_cache: (u64, String),
    /// The distributed Map child whose execution `context` shows (`None`: this execution).
    context_owner: Option<FrameId>,
    /// The members of a Pass state's `Parameters` between their evaluation and their write
    /// (see [`sfn_asl::template::PayloadTemplate::eval_parts`]), kept so a chain of Pass
    /// states allocates nothing for them.
    members: Vec<Value>,
    /// Payload texts shared between history events.
    history_data: crate::history::DataCache,
    /// Frames of states that failed or were aborted during the current `handle` call, while
    /// the failure travels up; they become [`ExecutionData::stopped`] if it ends the execution.
    wreck: BTreeMap<FrameId, Box<Frame>>,
}

/// Variables visible from a frame: its own, then its parents' (unless isolated).
pub(crate) struct ScopeVars<'a> {
    frames: &'a BTreeMap<FrameId, Box<Frame>>,
    frame: FrameId,
}

impl Variables for ScopeVars<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        let mut id = self.frame;
        // Depth is bounded by the nesting of the definition; the loop also stops on a bad link.
        for _ in 0..self.frames.len() {
            let frame = self.frames.get(&id)?;
            if let Some(v) = frame.vars.get(name) {
                return Some(v);
            }
            if frame.isolated {
                return None;
            }
            id = frame.parent?.0;
        }
        None
    }
}

/// The execution's seeded generator, seen through [`Entropy`].
pub(crate) struct RngEntropy<'a>(&'a AtomicU64);

impl Entropy for RngEntropy<'_> {
    fn next_u64(&self) -> u64 {
        next_random(self.0)
    }
}

/// The next number of the execution's generator ([`sfn_asl::random::splitmix64`]).
pub(crate) fn next_random(state: &AtomicU64) -> u64 {
    let (next, out) = sfn_asl::random::splitmix64(state.load(Ordering::Relaxed));
    state.store(next, Ordering::Relaxed);
    out
}

/// The `States` object a scope path leads to.
pub(crate) fn resolve_scope<'m>(
    machine: &'m StateMachine,
    scope: &[ScopeStep],
) -> Option<&'m States> {
    let path = scope.iter().map(|s| (s.state, s.branch));
    machine.scope_at(path).map(|s| s.states)
}

impl Execution {
    /// A new, not yet started execution.
    pub fn new(machine: Arc<StateMachine>, config: ExecutionConfig) -> Self {
        let data = ExecutionData {
            rng: AtomicU64::new(config.seed),
            config,
            status: Status::Running,
            input: Value::Null,
            now: 0,
            start_time: 0,
            next_event_id: 1,
            next_frame_id: 1,
            next_task_id: 1,
            next_timer_id: 1,
            frames: BTreeMap::new(),
            tasks: BTreeMap::new(),
            timers: BTreeMap::new(),
            requests: BTreeMap::new(),
            child_logs: BTreeMap::new(),
            history_data_held: 0,
            redrive_count: 0,
            redrive_time: None,
            stopped: BTreeMap::new(),
        };
        // `$$` is built when the execution starts: its input is not known before.
        Execution::with_context(machine, data, Value::Null)
    }

    /// Resumes an execution from a snapshot taken with [`Execution::snapshot`].
    pub fn restore(machine: Arc<StateMachine>, data: ExecutionData) -> Self {
        let mut exec = Execution::with_context(machine, data, Value::Null);
        exec.context = exec.base_context();
        exec
    }

    fn with_context(machine: Arc<StateMachine>, data: ExecutionData, context: Value) -> Self {
        let budget = data.config.max_history_data_bytes;
        let held = data.history_data_held;
        Execution {
            machine,
            data,
            context,
            queue: VecDeque::new(),
            out: Step::default(),
            time_cache: (0, String::new()),
            context_owner: None,
            members: Vec::new(),
            history_data: crate::history::DataCache::resumed(budget, held),
            wreck: BTreeMap::new(),
        }
    }

    /// The execution's serializable state.
    pub fn snapshot(&self) -> &ExecutionData {
        &self.data
    }

    /// The current status.
    pub fn status(&self) -> Status {
        self.data.status
    }

    /// The configuration.
    pub fn config(&self) -> &ExecutionConfig {
        &self.data.config
    }

    /// The number of history events so far.
    pub fn event_count(&self) -> u64 {
        self.data.next_event_id - 1
    }

    /// Whether the task `task_id` is waited for and was submitted (its result comes by token or
    /// from its child execution): a resumed driver waits for it rather than running it again.
    pub fn is_submitted(&self, task_id: TaskId) -> bool {
        let Some(frame) = self.data.tasks.get(&task_id) else {
            return false;
        };
        let block = self
            .data
            .frames
            .get(frame)
            .and_then(|f| f.active.as_ref())
            .map(|a| &a.block);
        matches!(block, Some(Block::Task(w)) if w.task_id == task_id && w.submitted)
    }

    /// Of the commands this execution issued (`issued`, in any order), those still in effect:
    /// the tasks and child executions it waits for, the timers that have neither fired nor been
    /// cancelled, the object-store requests not answered. Recovery replays the persisted events
    /// into a fresh execution, then hands these to a new driver: a task whose submission
    /// (`TaskSubmitted`, `ChildStarted`) was persisted waits for its token or child rather than
    /// running again; any other runs again (at least once).
    pub fn pending<'c>(&self, issued: impl IntoIterator<Item = &'c Command>) -> Vec<&'c Command> {
        let running = self.data.status == Status::Running;
        let issued: Vec<&Command> = issued.into_iter().collect();
        // A redrive starts the execution's timeout again: only its last timer is in effect.
        let last_execution_timer = issued.iter().rposition(
            |c| matches!(c, Command::StartTimer { timer_id, .. } if *timer_id == EXECUTION_TIMER),
        );
        issued
            .into_iter()
            .enumerate()
            .filter(|(i, c)| {
                !matches!(c, Command::StartTimer { timer_id, .. } if *timer_id == EXECUTION_TIMER)
                    || Some(*i) == last_execution_timer
            })
            .map(|(_, c)| c)
            .filter(|c| match c {
                Command::InvokeTask(t) => self.data.tasks.contains_key(&t.task_id),
                Command::StartExecution(r) => self.data.tasks.contains_key(&r.task.task_id),
                Command::StartTimer { timer_id, .. } if *timer_id == EXECUTION_TIMER => running,
                Command::StartTimer { timer_id, .. } => self.data.timers.contains_key(timer_id),
                Command::ReadItems(r) => self.data.requests.contains_key(&r.request_id),
                Command::WriteResults(r) => self.data.requests.contains_key(&r.request_id),
                Command::CancelTask { .. } | Command::CancelTimer { .. } | Command::Finished(_) => {
                    false
                }
            })
            .collect()
    }

    /// Applies one event and runs every state that does not block.
    pub fn handle(&mut self, event: Event) -> Step {
        self.wreck.clear();
        let applied = match event {
            Event::Redriven { now } => self.data.status != Status::Running && self.redrive(now),
            event if self.data.status == Status::Running => {
                self.apply(event);
                true
            }
            _ => false,
        };
        if applied {
            self.run_queue();
            self.data.history_data_held = self.history_data.held();
        }
        self.wreck.clear();
        std::mem::take(&mut self.out)
    }

    fn apply(&mut self, event: Event) {
        match event {
            Event::Started { input, now } => self.start(input, now),
            Event::TaskSucceeded {
                task_id,
                output,
                now,
            } => {
                self.data.now = now;
                self.task_result(task_id, Ok(output));
            }
            Event::TaskFailed {
                task_id,
                error,
                cause,
                now,
            } => {
                self.data.now = now;
                let failure = Failure {
                    error,
                    cause,
                    heartbeat: false,
                };
                self.task_result(task_id, Err(failure.bounded()));
            }
            Event::TaskTimedOut { task_id, now } => {
                self.data.now = now;
                self.task_result(task_id, Err(Failure::timeout(false)));
            }
            Event::HeartbeatTimedOut { task_id, now } => {
                self.data.now = now;
                self.task_result(task_id, Err(Failure::timeout(true)));
            }
            Event::TaskSubmitted {
                task_id,
                output,
                now,
            } => {
                self.data.now = now;
                self.task_submitted(task_id, output);
            }
            Event::TimerFired { timer_id, now } => {
                self.data.now = now;
                self.timer_fired(timer_id);
            }
            Event::TaskHeartbeat { task_id, now } => {
                self.data.now = now;
                self.task_heartbeat(task_id);
            }
            Event::ActivityStarted {
                task_id,
                worker_name,
                now,
            } => {
                self.data.now = now;
                self.activity_started(task_id, worker_name);
            }
            Event::ChildStarted { task_id, now } => {
                self.data.now = now;
                self.child_started(task_id);
            }
            Event::ChildFinished {
                task_id,
                outcome,
                now,
            } => {
                self.data.now = now;
                self.child_finished(task_id, &outcome);
            }
            Event::ItemsRead {
                request_id,
                result,
                now,
            } => {
                self.data.now = now;
                self.items_read(request_id, result);
            }
            Event::ResultsWritten {
                request_id,
                result,
                now,
            } => {
                self.data.now = now;
                self.results_written(request_id, result);
            }
            Event::StopRequested { error, cause, now } => {
                self.data.now = now;
                self.stop(error, cause);
            }
            // Handled by `handle`: only an execution that ended is redriven.
            Event::Redriven { .. } => {}
        }
    }

    /// `StopExecution`: `ExecutionAborted`, then the end.
    fn stop(&mut self, error: Option<String>, cause: Option<String>) {
        let Failure { error, cause, .. } = Failure {
            error,
            cause,
            heartbeat: false,
        }
        .bounded();
        let mut details = Map::new();
        if let Some(e) = &error {
            details.insert("error".into(), e.clone().into());
        }
        if let Some(c) = &cause {
            details.insert("cause".into(), c.clone().into());
        }
        self.emit_raw(0, EventType::ExecutionAborted, || Value::Object(details));
        self.finish(Outcome {
            status: Status::Aborted,
            output: None,
            error,
            cause,
        });
    }

    fn start(&mut self, input: Value, now: u64) {
        if !self.data.frames.is_empty() {
            return;
        }
        self.data.now = now;
        self.data.start_time = now;
        self.data.input = input.clone();
        self.context = self.base_context();
        let role = self.data.config.role_arn.clone();
        self.emit_raw_with(
            0,
            EventType::ExecutionStarted,
            Some(&input),
            || json!({"input": null, "inputDetails": {"truncated": false}, "roleArn": role}),
        );
        if let Some(secs) = self.timeout_seconds() {
            self.out.commands.push(Command::StartTimer {
                timer_id: EXECUTION_TIMER,
                at: now.saturating_add(secs.saturating_mul(1000)),
            });
        }
        let root = self.new_frame(None, Vec::new(), false, 0);
        let limit = self.data.config.max_payload_bytes;
        let Some(size) = crate::limits::fits(&input, None, limit) else {
            let failure = Failure::new(
                STATES_DATA_LIMIT_EXCEEDED,
                message::data_limit_exceeded("input"),
            );
            self.frame_end(root, Err(failure));
            return;
        };
        match self.machine.states.get_index_of(&self.machine.start_at) {
            Some(idx) => self.queue.push_back(Work::Enter {
                frame: root,
                state: idx,
                input,
                size: Some(size),
            }),
            None => {
                let cause = format!("StartAt '{}' names no state", self.machine.start_at);
                self.frame_end(root, Err(Failure::new(STATES_RUNTIME, cause)));
            }
        }
    }

    /// The execution's `TimeoutSeconds`: the configuration's cap over the machine's own.
    fn timeout_seconds(&self) -> Option<u64> {
        match (
            self.machine.timeout_seconds,
            self.data.config.max_timeout_seconds,
        ) {
            (Some(t), Some(cap)) => Some(t.min(cap)),
            (t, cap) => t.or(cap),
        }
    }

    fn new_task_id(&mut self) -> TaskId {
        let id = TaskId(self.data.next_task_id);
        self.data.next_task_id += 1;
        id
    }

    fn new_request_id(&mut self) -> RequestId {
        RequestId(self.new_task_id().0)
    }

    fn new_timer_id(&mut self) -> TimerId {
        let id = TimerId(self.data.next_timer_id);
        self.data.next_timer_id += 1;
        id
    }

    /// Starts a timer of `frame` firing `after_ms` from now.
    fn start_timer(&mut self, frame: FrameId, after_ms: u64) -> TimerId {
        let timer_id = self.new_timer_id();
        self.data.timers.insert(timer_id, frame);
        let at = self.data.now.saturating_add(after_ms);
        self.out.commands.push(Command::StartTimer { timer_id, at });
        timer_id
    }

    fn new_frame(
        &mut self,
        parent: Option<(FrameId, usize)>,
        scope: Vec<ScopeStep>,
        isolated: bool,
        last_event: u64,
    ) -> FrameId {
        let id = FrameId(self.data.next_frame_id);
        self.data.next_frame_id += 1;
        let frame = Frame {
            parent,
            scope,
            vars: Map::new(),
            vars_bytes: 0,
            isolated,
            last_event,
            active: None,
            closed: None,
        };
        self.data.frames.insert(id, Box::new(frame));
        id
    }

    fn run_queue(&mut self) {
        let machine = self.machine.clone();
        while let Some(work) = self.queue.pop_front() {
            if self.data.status != Status::Running {
                self.queue.clear();
                break;
            }
            match work {
                Work::Enter {
                    frame,
                    state,
                    input,
                    size,
                } => self.enter(&machine, frame, state, input, size),
                Work::Fill { frame } => self.fill(frame),
                Work::ChildDone { child, result } => self.child_done(child, result),
                Work::RedriveMapRun { frame } => self.redrive_map_run(frame),
            }
        }
    }

    /// The name of the state active in `frame` (empty when none).
    pub(crate) fn active_state_name(&self, frame: FrameId) -> String {
        self.data
            .frames
            .get(&frame)
            .and_then(|f| f.active.as_ref())
            .and_then(|a| self.state_at(frame, a.state))
            .map(|(n, _)| n.to_owned())
            .unwrap_or_default()
    }

    /// The state a frame's scope holds at `idx`, with its name.
    fn state_at(&self, frame: FrameId, idx: usize) -> Option<(&str, &State)> {
        let f = self.data.frames.get(&frame)?;
        let states = resolve_scope(&self.machine, &f.scope)?;
        states.get_index(idx).map(|(n, s)| (n.as_str(), s))
    }

    /// Ends the execution: cancels everything outstanding and reports the outcome.
    fn finish(&mut self, outcome: Outcome) {
        if self.data.status != Status::Running {
            return;
        }
        self.data.status = outcome.status;
        for task_id in std::mem::take(&mut self.data.tasks).into_keys() {
            self.out.commands.push(Command::CancelTask { task_id });
        }
        // Object-store requests are answered at once by the driver: nothing to cancel.
        self.data.requests.clear();
        for timer_id in std::mem::take(&mut self.data.timers).into_keys() {
            self.out.commands.push(Command::CancelTimer { timer_id });
        }
        if self.timeout_seconds().is_some() {
            self.out.commands.push(Command::CancelTimer {
                timer_id: EXECUTION_TIMER,
            });
        }
        let open: Vec<FrameId> = self.data.child_logs.keys().copied().collect();
        for root in open {
            let closed = self.abort_child(root);
            // A stopped or timed-out execution keeps its frames as they are, these with them.
            if let Some(f) = self.data.frames.get_mut(&root) {
                f.closed = closed.map(Box::new);
            }
        }
        self.keep_for_redrive(outcome.status);
        self.queue.clear();
        self.out.commands.push(Command::Finished(outcome));
    }

    /// A frame reached its end (a terminal state or an uncaught failure).
    fn frame_end(&mut self, frame: FrameId, result: Result<Value, Failure>) {
        let result = result.map_err(Failure::bounded);
        let parent = self.data.frames.get(&frame).and_then(|f| f.parent);
        if parent.is_some() {
            self.queue.push_front(Work::ChildDone {
                child: frame,
                result,
            });
            return;
        }
        match result {
            Ok(output) => {
                self.emit_with(
                    frame,
                    EventType::ExecutionSucceeded,
                    Some(&output),
                    || json!({"output": null, "outputDetails": {"truncated": false}}),
                );
                self.finish(Outcome {
                    status: Status::Succeeded,
                    output: Some(output),
                    error: None,
                    cause: None,
                });
            }
            Err(f) => {
                let details = f.details();
                self.emit(frame, EventType::ExecutionFailed, || details);
                self.finish(Outcome {
                    status: Status::Failed,
                    output: None,
                    error: f.error,
                    cause: f.cause,
                });
            }
        }
    }

    fn timer_fired(&mut self, timer_id: TimerId) {
        if timer_id == EXECUTION_TIMER {
            self.emit_raw(
                self.last_event_id(),
                EventType::ExecutionTimedOut,
                || json!({"error": STATES_TIMEOUT}),
            );
            self.finish(Outcome {
                status: Status::TimedOut,
                output: None,
                error: Some(STATES_TIMEOUT.into()),
                cause: None,
            });
            return;
        }
        let Some(frame) = self.data.timers.remove(&timer_id) else {
            return;
        };
        if self.task_timer_fired(frame, timer_id) {
            return;
        }
        let Some(active) = self
            .data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
        else {
            return;
        };
        match std::mem::replace(&mut active.block, Block::Running) {
            Block::Wait {
                output,
                size,
                assign,
                ..
            } => self.exit_state(frame, output, size, assign),
            Block::Retry { .. } => self.execute(frame),
            other => active.block = other,
        }
    }

    fn last_event_id(&self) -> u64 {
        self.data.next_event_id.saturating_sub(1)
    }
}
