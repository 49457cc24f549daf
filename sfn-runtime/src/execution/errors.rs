//! Failures, Retry and Catch.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sfn_asl::error::{
    message, STATES_ALL, STATES_DATA_LIMIT_EXCEEDED, STATES_HEARTBEAT_TIMEOUT,
    STATES_QUERY_EVALUATION_ERROR, STATES_RUNTIME, STATES_TASK_FAILED, STATES_TIMEOUT,
};
use sfn_asl::model::{Catcher, JitterStrategy, QueryLanguage, Retrier, StateKind};
use sfn_asl::EvalError;

use super::io::{self, Scope};
use super::states::{Leave, Next};
use super::types::FrameId;
use super::{next_random, Block, Command, Execution};
use crate::history::EventType;

/// An error raised while running a state: an ASL error name and a cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The error name (`States.Timeout`, `Lambda.Unknown`, a Fail state's `Error`); `None` when
    /// a callback sent none.
    pub error: Option<String>,
    /// The cause text.
    pub cause: Option<String>,
    /// A missed heartbeat (matched by `States.HeartbeatTimeout` as well as `States.Timeout`).
    pub heartbeat: bool,
}

impl Failure {
    /// A failure with both fields.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Failure {
            error: Some(error.into()),
            cause: Some(cause.into()),
            heartbeat: false,
        }
    }

    /// `States.Timeout` without a cause.
    pub fn timeout(heartbeat: bool) -> Self {
        Failure {
            error: Some(STATES_TIMEOUT.into()),
            cause: None,
            heartbeat,
        }
    }

    /// The failure with its error name and cause cut to what an event or outcome carries
    /// (256 and 32,768 characters, the limits of `GetExecutionHistory`/`DescribeExecution`): a
    /// Fail state's `CausePath` or a handler may produce far longer texts.
    pub(crate) fn bounded(mut self) -> Self {
        if let Some(e) = &mut self.error {
            crate::limits::truncate_chars(e, crate::limits::MAX_ERROR_CHARS);
        }
        if let Some(c) = &mut self.cause {
            crate::limits::truncate_chars(c, crate::limits::MAX_CAUSE_CHARS);
        }
        self
    }

    fn name(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// `States.Runtime` is never retried nor caught.
    pub fn is_runtime(&self) -> bool {
        self.name() == Some(STATES_RUNTIME)
    }

    /// Whether a Retrier/Catcher `ErrorEquals` list matches.
    pub fn matches(&self, error_equals: &[String]) -> bool {
        if self.is_runtime() {
            return false;
        }
        let name = self.name();
        error_equals.iter().any(|m| match m.as_str() {
            STATES_ALL => true,
            // AWS: TaskFailed matches every error except a timeout.
            STATES_TASK_FAILED => name.is_some_and(|n| n != STATES_TIMEOUT),
            // A heartbeat timeout, or an error reported under that name (a mocked `Throw`, as
            // Step Functions Local matches it: by name).
            STATES_HEARTBEAT_TIMEOUT => self.heartbeat || name == Some(STATES_HEARTBEAT_TIMEOUT),
            other => name == Some(other),
        })
    }

    /// The error output a Catcher sees: `{"Error": .., "Cause": ..}`.
    pub fn error_output(&self) -> Value {
        let cause = match (&self.cause, self.name()) {
            (Some(c), _) => Value::String(c.clone()),
            // A timeout's error output has an empty Cause.
            (None, Some(STATES_TIMEOUT)) => Value::String(String::new()),
            (None, _) => Value::Null,
        };
        json!({"Error": self.error, "Cause": cause})
    }

    /// The `error`/`cause` details of a failure event (absent keys when absent).
    pub fn details(&self) -> Value {
        let mut m = Map::new();
        if let Some(e) = &self.error {
            m.insert("error".into(), e.clone().into());
        }
        if let Some(c) = &self.cause {
            m.insert("cause".into(), c.clone().into());
        }
        Value::Object(m)
    }
}

impl Execution {
    /// Turns an evaluation error of the active state into a failure with AWS's prefix; a
    /// JSONata failure also records an `EvaluationFailed` event.
    pub(crate) fn eval_failure(&mut self, frame: FrameId, err: EvalError) -> Failure {
        let (name, entered, entered_prev) =
            match self.data.frames.get(&frame).and_then(|f| f.active.as_ref()) {
                Some(a) => {
                    let state = self.state_at(frame, a.state);
                    // AWS chains a Wait's EvaluationFailed to its Entered, other states' to the
                    // event before their Entered.
                    let is_wait = state.is_some_and(|(_, s)| matches!(s.kind, StateKind::Wait(_)));
                    let prev = if is_wait {
                        a.entered_event
                    } else {
                        a.entered_prev
                    };
                    (
                        state.map(|(n, _)| n.to_owned()).unwrap_or_default(),
                        a.entered_event,
                        prev,
                    )
                }
                None => (String::new(), 0, 0),
            };
        // A reader's own failure (`MaxItems` below zero) is reported bare, as AWS reports it.
        let cause = match err.error == sfn_asl::error::STATES_ITEM_READER_FAILED {
            true => err.cause.clone(),
            false => format!(
                "An error occurred while executing the state '{name}' (entered at the event id #{entered}). {}",
                err.cause
            ),
        };
        if err.error == STATES_QUERY_EVALUATION_ERROR {
            let mut d = Map::new();
            d.insert("error".into(), err.error.clone().into());
            d.insert("cause".into(), cause.clone().into());
            if let Some(loc) = &err.location {
                d.insert("location".into(), loc.clone().into());
            }
            d.insert("state".into(), name.into());
            let id = self.emit_off_chain(frame, entered_prev, EventType::EvaluationFailed, || {
                Value::Object(d)
            });
            // The failure events that follow chain to EvaluationFailed.
            if let Some(f) = self.data.frames.get_mut(&frame) {
                f.last_event = id;
            }
        }
        Failure {
            error: Some(err.error),
            cause: Some(cause),
            heartbeat: false,
        }
    }

    /// The active state of `frame` failed: retry, catch, or end the frame.
    pub(crate) fn fail_state(&mut self, frame: FrameId, failure: Failure) {
        let failure = failure.bounded();
        let machine = self.machine.clone();
        let Some(f) = self.data.frames.get(&frame) else {
            return;
        };
        let Some(active) = &f.active else { return };
        let in_child = f.parent.is_some();
        let Some(states) = super::resolve_scope(&machine, &f.scope) else {
            return;
        };
        let Some((_, state)) = states.get_index(active.state) else {
            return;
        };
        let (retry, catch) = state
            .result_flow()
            .map_or((&[][..], &[][..]), |f| (f.retriers(), f.catchers()));
        if self.try_retry(frame, retry, &failure) {
            return;
        }
        if !catch.iter().any(|c| failure.matches(&c.error_equals)) {
            // Uncaught here: a redrive runs this state again if the failure ends the execution.
            self.stash(frame);
        }
        let failed_event = match &state.kind {
            StateKind::Parallel(_) => Some(EventType::ParallelStateFailed),
            StateKind::Map(_) => Some(EventType::MapStateFailed),
            _ => None,
        };
        let is_task = matches!(state.kind, StateKind::Task(_));
        if let Some(ty) = failed_event {
            if !failure.is_runtime() {
                self.abort_children(frame);
                self.emit(frame, ty, || Value::Null);
            }
        }
        if let Some((index, catcher)) = catch
            .iter()
            .enumerate()
            .find(|(_, c)| failure.matches(&c.error_equals))
        {
            let lang = machine.effective_language(state);
            self.catch(frame, (index, catcher), lang, failure);
            return;
        }
        self.abort_children(frame);
        // A child execution's root frame is an execution of its own, not a branch.
        let child_root = self.data.frames.get(&frame).is_some_and(|f| f.isolated);
        if is_task && in_child && !child_root {
            // AWS marks the Task that failed a branch as aborted, off the event chain.
            let last = self.data.frames.get(&frame).map_or(0, |f| f.last_event);
            self.emit_off_chain(frame, last, EventType::TaskStateAborted, || Value::Null);
        }
        if let Some(f) = self.data.frames.get_mut(&frame) {
            f.active = None;
        }
        self.frame_end(frame, Err(failure));
    }

    /// Schedules the next attempt when a retrier matches and has attempts left.
    fn try_retry(&mut self, frame: FrameId, retriers: &[Retrier], failure: &Failure) -> bool {
        let Some(pos) = retriers
            .iter()
            .position(|r| failure.matches(&r.error_equals))
        else {
            return false;
        };
        let Some(retrier) = retriers.get(pos) else {
            return false;
        };
        let Some(active) = self
            .data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
        else {
            return false;
        };
        if active.retry_counts.len() < retriers.len() {
            active.retry_counts.resize(retriers.len(), 0);
        }
        let Some(count) = active.retry_counts.get_mut(pos) else {
            return false;
        };
        if *count >= retrier.attempts() {
            return false;
        }
        let exponent = i32::try_from(*count).unwrap_or(i32::MAX);
        *count += 1;
        active.retry_count += 1;
        let mut delay = retrier.interval() as f64 * retrier.backoff().powi(exponent);
        if let Some(max) = retrier.max_delay_seconds {
            delay = delay.min(max as f64);
        }
        if retrier.jitter_strategy == Some(JitterStrategy::Full) {
            let r = next_random(&self.data.rng) >> 11;
            delay *= r as f64 / (1u64 << 53) as f64;
        }
        let delay_ms = (delay * 1000.0).clamp(0.0, u64::MAX as f64 / 2.0) as u64;
        self.abort_children(frame);
        self.discard_wreck_under(frame);
        let timer_id = self.new_timer_id();
        if let Some(active) = self
            .data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
        {
            active.block = Block::Retry { timer_id };
        }
        self.data.timers.insert(timer_id, frame);
        self.out.commands.push(Command::StartTimer {
            timer_id,
            at: self.data.now.saturating_add(delay_ms),
        });
        true
    }

    /// Takes a Catcher: error output through its ResultPath/Output, its Assign, then `Next`.
    fn catch(
        &mut self,
        frame: FrameId,
        (index, catcher): (usize, &Catcher),
        lang: QueryLanguage,
        failure: Failure,
    ) {
        self.abort_children(frame);
        self.discard_wreck_under(frame);
        let Some(active) = self
            .data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
        else {
            return;
        };
        // Copied, not moved: should the Catcher's output fail, a redrive runs the state again
        // with this input.
        let raw_input = active.raw_input.clone();
        let error_output = failure.error_output();
        self.set_state_context(frame);
        let result = {
            let scope = self.scope(frame);
            catch_output(&scope, (index, catcher), lang, raw_input, error_output)
        };
        let failure = match result {
            Ok((output, assign)) => {
                let limit = self.data.config.max_payload_bytes;
                if let Some(size) = crate::limits::fits(&output, None, limit) {
                    if let Some(a) = self
                        .data
                        .frames
                        .get_mut(&frame)
                        .and_then(|f| f.active.as_mut())
                    {
                        a.block = Block::Running;
                    }
                    let leave = Leave {
                        output,
                        size: Some(size),
                        assign,
                        next: Next::Catcher(index),
                    };
                    self.exit_to(frame, leave);
                    return;
                }
                // Checked here rather than left to `exit_to`: its failure would go back through
                // this state's Retry and Catch, which have handled the error already (and the
                // raw input is spent), so it ends the state instead.
                let name = self
                    .data
                    .frames
                    .get(&frame)
                    .and_then(|f| f.active.as_ref())
                    .and_then(|a| self.state_at(frame, a.state))
                    .map_or_else(String::new, |(n, _)| n.to_owned());
                Failure::new(
                    STATES_DATA_LIMIT_EXCEEDED,
                    message::data_limit_exceeded(&name),
                )
            }
            Err(e) => self.eval_failure(frame, e),
        };
        self.stash(frame);
        if let Some(f) = self.data.frames.get_mut(&frame) {
            f.active = None;
        }
        self.frame_end(frame, Err(failure));
    }
}

/// The output and assignment of a taken Catcher.
fn catch_output(
    scope: &Scope<'_>,
    (index, catcher): (usize, &Catcher),
    lang: QueryLanguage,
    raw_input: Value,
    error_output: Value,
) -> Result<(Value, Option<Map<String, Value>>), EvalError> {
    // AWS names a catcher's fields by index in `EvaluationFailed.location` (`Catch[1]/Output`).
    let assign = match &catcher.assign {
        Some(t) => Some(io::eval_assign_at(
            scope,
            t,
            &error_output,
            &raw_input,
            None,
            Some(&error_output),
            &format!("Catch[{index}]/Assign"),
        )?),
        None => None,
    };
    let output = match lang {
        QueryLanguage::JsonPath => {
            io::apply_result_path(&catcher.result_path, raw_input, error_output).map_err(|e| e.1)?
        }
        QueryLanguage::Jsonata => match &catcher.output {
            Some(t) => t.eval(
                &scope.jsonata(&raw_input, None, Some(&error_output)),
                &format!("Catch[{index}]/Output"),
            )?,
            None => error_output,
        },
    };
    Ok((output, assign))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn runtime_is_never_matched() {
        let f = Failure::new("States.Runtime", "x");
        assert!(!f.matches(&names(&["States.ALL"])));
        assert!(!f.matches(&names(&["States.Runtime"])));
    }

    #[test]
    fn task_failed_excludes_timeout() {
        assert!(Failure::new("Lambda.Unknown", "x").matches(&names(&["States.TaskFailed"])));
        assert!(!Failure::timeout(false).matches(&names(&["States.TaskFailed"])));
        assert!(Failure::timeout(true).matches(&names(&["States.HeartbeatTimeout"])));
        assert!(Failure::timeout(true).matches(&names(&["States.Timeout"])));
        assert!(!Failure::timeout(false).matches(&names(&["States.HeartbeatTimeout"])));
    }

    #[test]
    fn error_output_shapes() {
        assert_eq!(
            Failure::timeout(false).error_output(),
            json!({"Error": "States.Timeout", "Cause": ""})
        );
        let none = Failure {
            error: None,
            cause: None,
            heartbeat: false,
        };
        assert_eq!(none.error_output(), json!({"Error": null, "Cause": null}));
        assert!(none.matches(&names(&["States.ALL"])));
        assert!(!none.matches(&names(&["States.TaskFailed"])));
    }
}
