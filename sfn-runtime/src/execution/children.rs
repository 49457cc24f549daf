//! Parallel branches and Map iterations as child frames of the same execution.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sfn_asl::error::STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD;

use super::types::FrameId;
use super::{Block, Command, Execution, Failure, ScopeStep, Work};
use crate::history::EventType;

/// Progress of a Parallel state's branches or a Map state's iterations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Children {
    pub(super) map: bool,
    pub(super) distributed: bool,
    /// Inputs of children not yet started.
    pub(super) pending: Vec<Option<Value>>,
    /// Outputs of finished children, by index.
    pub(super) results: Vec<Option<Value>>,
    /// Frames of running children.
    pub(super) running: Vec<FrameId>,
    pub(super) next: usize,
    /// `MaxConcurrency` (0 = unbounded).
    pub(super) limit: u64,
    pub(super) finished: usize,
    pub(super) failed: usize,
    pub(super) tolerated_count: Option<u64>,
    pub(super) tolerated_percentage: Option<f64>,
    /// `ParallelStateStarted`/`MapRunStarted` id.
    pub(super) started_event: u64,
    /// Id of the last `MapIterationSucceeded` (`MapStateSucceeded` points at it).
    pub(super) last_end_event: u64,
    /// The Map Run of a distributed Map.
    #[serde(default)]
    pub(super) run: Option<Box<super::distributed::MapRun>>,
    /// Map iterations and child executions whose failure the tolerance accepted, as they
    /// failed (their frames): should the Map state fail after all, a redrive runs them again.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub(super) tolerated: std::collections::BTreeMap<FrameId, Box<super::Frame>>,
    /// A redriven Map Run's child executions waiting for a place under `MaxConcurrency` to be
    /// redriven (their frames, as they ended).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub(super) pending_redrive: std::collections::BTreeMap<FrameId, Box<super::Frame>>,
}

impl Children {
    pub(super) fn new(map: bool, inputs: Vec<Value>, limit: u64) -> Self {
        let n = inputs.len();
        Children {
            map,
            distributed: false,
            pending: inputs.into_iter().map(Some).collect(),
            results: vec![None; n],
            running: Vec::new(),
            next: 0,
            limit,
            finished: 0,
            failed: 0,
            tolerated_count: None,
            tolerated_percentage: None,
            started_event: 0,
            last_end_event: 0,
            run: None,
            tolerated: std::collections::BTreeMap::new(),
            pending_redrive: std::collections::BTreeMap::new(),
        }
    }
}

impl Children {
    /// Whether a Map's `ToleratedFailureCount` or `ToleratedFailurePercentage` is set.
    pub(super) fn tolerance_set(&self) -> bool {
        self.map && (self.tolerated_count.is_some() || self.tolerated_percentage.is_some())
    }

    /// Whether `failed` failed children are within the Map's tolerance, judged over all its
    /// children (none is, without a tolerance).
    pub(super) fn tolerates(&self, failed: usize) -> bool {
        let total = self.results.len().max(1) as f64;
        self.tolerance_set()
            && self.tolerated_count.is_none_or(|c| failed as u64 <= c)
            && self
                .tolerated_percentage
                .is_none_or(|p| (failed as f64) * 100.0 / total <= p)
    }
}

/// The failure of a Map whose children failed past its tolerance.
fn threshold_exceeded() -> Failure {
    Failure::new(
        STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD,
        "The specified tolerated failure threshold was exceeded",
    )
}

impl Execution {
    pub(super) fn begin_children(&mut self, frame: FrameId, children: Children) {
        let empty = children.pending.is_empty();
        if let Some(a) = self
            .data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
        {
            a.block = Block::Children(children);
        }
        if empty {
            self.children_finished(frame);
        } else {
            self.queue.push_front(Work::Fill { frame });
        }
    }

    /// Starts the next child if the concurrency bound allows: a redriven child execution
    /// first, then the next not started.
    pub(crate) fn fill(&mut self, frame: FrameId) {
        let Some(f) = self.data.frames.get(&frame) else {
            return;
        };
        let Some(active) = &f.active else { return };
        let Block::Children(ch) = &active.block else {
            return;
        };
        if ch.limit != 0 && ch.running.len() as u64 >= ch.limit {
            return;
        }
        if !ch.pending_redrive.is_empty() {
            self.redrive_child(frame);
            return;
        }
        let index = ch.next;
        if index >= ch.pending.len() {
            return;
        }
        let input = self
            .children_mut(frame)
            .and_then(|ch| {
                ch.next += 1;
                ch.pending.get_mut(index).and_then(Option::take)
            })
            .unwrap_or_default();
        self.start_child_frame(frame, index, input);
    }

    /// Starts child `index` of `frame` (a branch, an iteration or a child execution) on
    /// `input`, then fills on.
    pub(super) fn start_child_frame(&mut self, frame: FrameId, index: usize, input: Value) {
        let machine = self.machine.clone();
        let Some(f) = self.data.frames.get(&frame) else {
            return;
        };
        let Some(active) = &f.active else { return };
        let Block::Children(ch) = &active.block else {
            return;
        };
        let (is_map, distributed, started_event) = (ch.map, ch.distributed, ch.started_event);
        let state_idx = active.state;
        let mut scope = f.scope.clone();
        let Some((name, _)) =
            super::resolve_scope(&machine, &f.scope).and_then(|s| s.get_index(state_idx))
        else {
            return;
        };
        let branch = if is_map { 0 } else { index };
        scope.push(ScopeStep {
            state: state_idx,
            branch,
        });
        let start = machine
            .scope_at(scope.iter().map(|s| (s.state, s.branch)))
            .and_then(|s| s.states.get_index_of(s.start_at));
        let Some(start) = start else { return };
        // A child execution's events chain in its own history, from its `ExecutionStarted`.
        let last = match (is_map, distributed) {
            (true, false) => self.emit(
                frame,
                EventType::MapIterationStarted,
                || json!({"index": index, "name": name}),
            ),
            (_, true) => 0,
            (false, false) => started_event,
        };
        let child = self.new_frame(Some((frame, index)), scope, distributed, last);
        let Some(ch) = self.children_mut(frame) else {
            return;
        };
        ch.running.push(child);
        if distributed {
            self.start_child(frame, child, index, &input);
        }
        self.queue.push_front(Work::Fill { frame });
        self.queue.push_front(Work::Enter {
            frame: child,
            state: start,
            input,
            size: None,
        });
    }

    /// A branch or iteration ended.
    pub(crate) fn child_done(&mut self, child: FrameId, result: Result<Value, Failure>) {
        let Some(child_frame) = self.data.frames.remove(&child) else {
            return;
        };
        let Some((frame, index)) = child_frame.parent else {
            return;
        };
        let silent = child_frame.isolated;
        if silent {
            self.end_child(frame, (child, &child_frame), index, &result);
        }
        // Only recorded events name the state: no copy of the name otherwise.
        let name = if self.data.config.record_history {
            self.active_state_name(frame)
        } else {
            String::new()
        };
        let Some(f) = self.data.frames.get_mut(&frame) else {
            return;
        };
        if !silent {
            f.last_event = child_frame.last_event;
        }
        let Some(Block::Children(ch)) = f.active.as_mut().map(|a| &mut a.block) else {
            return;
        };
        ch.running.retain(|c| *c != child);
        let inline_map = ch.map && !ch.distributed;
        match result {
            Ok(v) => {
                if let Some(slot) = ch.results.get_mut(index) {
                    *slot = Some(v);
                }
                ch.finished += 1;
                if inline_map {
                    let id = self.emit_off_chain(
                        frame,
                        child_frame.last_event,
                        EventType::MapIterationSucceeded,
                        || json!({"index": index, "name": name}),
                    );
                    if let Some(ch) = self.children_mut(frame) {
                        ch.last_end_event = id;
                    }
                }
            }
            Err(failure) => {
                let last = child_frame.last_event;
                if self.child_failed(frame, (index, last), &name, failure) {
                    return;
                }
            }
        }
        let done = self
            .children_mut(frame)
            .is_some_and(|c| c.finished + c.failed >= c.results.len());
        if done {
            self.children_finished(frame);
        } else {
            self.queue.push_front(Work::Fill { frame });
        }
    }

    /// A branch or iteration failed: within a Map's tolerance its error output is its result,
    /// otherwise the state fails. `child` is its index and last event. Returns whether the
    /// state failed.
    fn child_failed(
        &mut self,
        frame: FrameId,
        (index, child_last): (usize, u64),
        name: &str,
        failure: Failure,
    ) -> bool {
        let Some(ch) = self.children_mut(frame) else {
            return true;
        };
        let inline_map = ch.map && !ch.distributed;
        ch.failed += 1;
        let tolerance_set = ch.tolerance_set();
        let tolerated = ch.tolerates(ch.failed);
        let distributed = ch.distributed;
        // A child execution's error output stays its result even past the tolerance: a redrive
        // that cannot run it again keeps it.
        if tolerated || distributed {
            if let Some(slot) = ch.results.get_mut(index) {
                *slot = Some(failure.error_output());
            }
        }
        if tolerated {
            // Its error output is its result for now; should the Map state fail after all, a
            // redrive runs it again.
            let failed = self.take_wreck_of_child(frame, index);
            if let Some(ch) = self.children_mut(frame) {
                ch.tolerated.extend(failed);
            }
        }
        if inline_map {
            self.emit_off_chain(
                frame,
                child_last,
                EventType::MapIterationFailed,
                || json!({"index": index, "name": name}),
            );
        }
        if !tolerated {
            // A breached tolerance names the threshold, inline or distributed; without
            // one, an inline Map fails with the iteration's own error (recorded on AWS).
            if distributed {
                self.map_run_failed(frame);
                return true;
            }
            let failure = if tolerance_set {
                threshold_exceeded()
            } else {
                failure
            };
            self.fail_state(frame, failure);
            return true;
        }
        false
    }

    /// A distributed Map's run failed past its tolerance: `MapRunFailed`, then the state fails
    /// with `States.ExceedToleratedFailureThreshold` (with no tolerance set too).
    pub(super) fn map_run_failed(&mut self, frame: FrameId) {
        let prev = self.children_mut(frame).map_or(0, |c| c.started_event);
        let id = self.emit_off_chain(frame, prev, EventType::MapRunFailed, || json!({}));
        if let Some(f) = self.data.frames.get_mut(&frame) {
            f.last_event = id;
        }
        self.fail_state(frame, threshold_exceeded());
    }

    pub(super) fn children_mut(&mut self, frame: FrameId) -> Option<&mut Children> {
        match self
            .data
            .frames
            .get_mut(&frame)?
            .active
            .as_mut()
            .map(|a| &mut a.block)
        {
            Some(Block::Children(ch)) => Some(ch),
            _ => None,
        }
    }

    /// Every child finished: `…StateSucceeded`, then the state's result processing.
    pub(super) fn children_finished(&mut self, frame: FrameId) {
        let Some(f) = self.data.frames.get_mut(&frame) else {
            return;
        };
        let Some(active) = f.active.as_mut() else {
            return;
        };
        let Block::Children(ch) = std::mem::replace(&mut active.block, Block::Running) else {
            return;
        };
        let mut prev = f.last_event;
        let mut exit_prev = prev;
        if ch.distributed {
            prev = self.emit_off_chain(frame, ch.started_event, EventType::MapRunSucceeded, || {
                Value::Null
            });
            exit_prev = prev;
        } else if ch.map && ch.last_end_event != 0 {
            prev = ch.last_end_event;
            exit_prev = prev;
        }
        let ty = if ch.map {
            EventType::MapStateSucceeded
        } else {
            EventType::ParallelStateSucceeded
        };
        self.emit_off_chain(frame, prev, ty, || Value::Null);
        if let Some(f) = self.data.frames.get_mut(&frame) {
            if f.last_event != 0 || exit_prev != 0 {
                f.last_event = exit_prev;
            }
        }
        let results: Vec<Value> = ch
            .results
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect();
        self.set_state_context(frame);
        let flow = if ch.distributed {
            self.map_run_output(frame, results, ch.run)
        } else {
            self.task_output(frame, Value::Array(results), None)
        };
        self.apply_flow(frame, flow);
    }

    /// Stops every running child of `frame` (and their descendants): tasks and timers are
    /// cancelled, frames dropped.
    pub(crate) fn abort_children(&mut self, frame: FrameId) {
        let Some(ch) = self.children_mut(frame) else {
            return;
        };
        let is_inline_map = ch.map && !ch.distributed;
        let direct = std::mem::take(&mut ch.running);
        let name = self.active_state_name(frame);
        let mut stack = direct.clone();
        while let Some(id) = stack.pop() {
            let kids: Vec<FrameId> = self
                .data
                .frames
                .iter()
                .filter(|(_, f)| f.parent.map(|p| p.0) == Some(id))
                .map(|(k, _)| *k)
                .collect();
            stack.extend(kids);
            let block = self
                .data
                .frames
                .get(&id)
                .and_then(|f| f.active.as_ref())
                .map(|a| &a.block);
            let aborted = match block {
                Some(Block::Task(_)) => Some(EventType::TaskStateAborted),
                Some(Block::Wait { .. }) => Some(EventType::WaitStateAborted),
                _ => None,
            };
            if let Some(ty) = aborted {
                self.emit(id, ty, || Value::Null);
            }
            if is_inline_map && direct.contains(&id) {
                let (last, index) = self
                    .data
                    .frames
                    .get(&id)
                    .map_or((0, 0), |f| (f.last_event, f.parent.map_or(0, |p| p.1)));
                let name = name.clone();
                self.emit_off_chain(
                    frame,
                    last,
                    EventType::MapIterationAborted,
                    || json!({"index": index, "name": name}),
                );
            }
            let closed = self.abort_child(id);
            if let Some(f) = self.data.frames.remove(&id) {
                // An aborted branch, iteration or child execution runs again on a redrive.
                let mut copy = f.clone();
                copy.closed = closed.map(Box::new);
                self.wreck.insert(id, copy);
                match f.active.map(|a| a.block) {
                    Some(Block::Task(w)) => self.release_task(&w, true),
                    Some(Block::Wait { timer_id, .. }) | Some(Block::Retry { timer_id }) => {
                        self.data.timers.remove(&timer_id);
                        self.out.commands.push(Command::CancelTimer { timer_id });
                    }
                    _ => {}
                }
            }
        }
        // Queued work of removed frames is ignored when it runs (their frames are gone).
        if let Some(a) = self
            .data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
        {
            a.block = Block::Running;
        }
    }
}
