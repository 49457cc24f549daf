//! `RedriveExecution` in the core: what an execution keeps when it ends unsuccessfully, and how
//! [`Event::Redriven`](super::Event::Redriven) runs it again from there.
//!
//! Step Functions' rules: the states that did not succeed run again with the input they had;
//! the ones that succeeded are not run again and keep their results. Inside a Parallel state or
//! an inline Map state only the branches and iterations that failed or were aborted run again
//! (and those not started yet start); a distributed Map state redrives its Map Run (see
//! [`super::map_redrive`]). The history goes on where it stopped, after an `ExecutionRedriven`
//! event; the execution's `TimeoutSeconds` counts again from the redrive.
//!
//! How: a state that fails without a Retrier or Catcher taking the failure leaves a copy of its
//! frame (with its input) in the execution's wreck, and so do the branches and iterations
//! aborted on its way up; a Retrier or Catcher that takes the failure further up drops them
//! again. When the failure ends the execution, the wreck is what it keeps; a stop or a timeout
//! keeps the frames as they are.
//!
//! A Map iteration or child execution whose failure the Map's `ToleratedFailure…` accepted is
//! a failed one too: it is kept with the Map's children, and runs again if the Map state fails.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::types::FrameId;
use super::{Block, Command, Execution, Frame, Status, Work, EXECUTION_TIMER};
use crate::history::EventType;

impl Execution {
    /// Whether [`Event::Redriven`](super::Event::Redriven) would run this execution again: it
    /// ended FAILED, TIMED_OUT or ABORTED after entering a state (an execution that failed
    /// before its first state has nothing to run again).
    pub fn redrivable(&self) -> bool {
        matches!(
            self.data.status,
            Status::Failed | Status::TimedOut | Status::Aborted
        ) && self
            .data
            .stopped
            .values()
            .any(|f| f.parent.is_none() && !f.isolated && f.active.is_some())
    }

    /// How often the execution was redriven.
    pub fn redrive_count(&self) -> u32 {
        self.data.redrive_count
    }

    /// Keeps a copy of `frame` (its active state with its input) in the wreck: its state failed
    /// and nothing in it takes the failure.
    pub(super) fn stash(&mut self, frame: FrameId) {
        if let Some(f) = self.data.frames.get(&frame) {
            self.wreck.insert(frame, f.clone());
        }
    }

    /// A Retrier or Catcher of `frame`'s state took a failure: the frames it left in the
    /// wreck below that state are not what the execution ends with.
    pub(super) fn discard_wreck_under(&mut self, frame: FrameId) {
        let mut gone = BTreeSet::from([frame]);
        // Children have larger ids than their parents: one pass in id order finds them all.
        let ids: Vec<FrameId> = self.wreck.keys().copied().collect();
        for id in ids {
            let parent = self.wreck.get(&id).and_then(|f| f.parent).map(|p| p.0);
            if parent.is_some_and(|p| gone.contains(&p)) {
                gone.insert(id);
                self.wreck.remove(&id);
            }
        }
    }

    /// Takes from the wreck child `index` of `frame` and what is below it.
    pub(super) fn take_wreck_of_child(
        &mut self,
        frame: FrameId,
        index: usize,
    ) -> BTreeMap<FrameId, Box<Frame>> {
        let mut taken = BTreeMap::new();
        let child = self
            .wreck
            .iter()
            .find(|(_, f)| f.parent == Some((frame, index)))
            .map(|(k, _)| *k);
        let Some(child) = child.and_then(|c| self.wreck.remove(&c).map(|f| (c, f))) else {
            return taken;
        };
        let ids: Vec<FrameId> = self.wreck.keys().copied().collect();
        let mut below = BTreeSet::from([child.0]);
        taken.insert(child.0, child.1);
        for id in ids {
            let parent = self.wreck.get(&id).and_then(|f| f.parent).map(|p| p.0);
            if parent.is_some_and(|p| below.contains(&p)) {
                below.insert(id);
                if let Some(f) = self.wreck.remove(&id) {
                    taken.insert(id, f);
                }
            }
        }
        taken
    }

    /// The execution ends with `status`: a FAILED one keeps its wreck, a stopped or timed-out
    /// one its frames as they are, for a redrive. A successful one keeps nothing.
    pub(super) fn keep_for_redrive(&mut self, status: Status) {
        let frames = std::mem::take(&mut self.data.frames);
        self.data.stopped = match status {
            Status::Failed => std::mem::take(&mut self.wreck),
            Status::TimedOut | Status::Aborted => frames,
            Status::Succeeded | Status::Running => BTreeMap::new(),
        };
    }

    /// Runs the execution again from what it kept (see the module's documentation). Returns
    /// false, changing nothing, when it kept nothing to run.
    pub(super) fn redrive(&mut self, now: u64) -> bool {
        if !self.redrivable() {
            return false;
        }
        let max_events = self.data.config.max_history_events;
        let frames = coherent(std::mem::take(&mut self.data.stopped), max_events, now);
        self.data.status = Status::Running;
        self.data.now = now;
        self.data.redrive_count = self.data.redrive_count.saturating_add(1);
        self.data.redrive_time = Some(now);
        self.context = self.base_context();
        let count = self.data.redrive_count;
        let redriven = self.emit_raw(
            self.last_event_id(),
            EventType::ExecutionRedriven,
            || json!({"redriveCount": count}),
        );
        if let Some(secs) = self.timeout_seconds() {
            self.out.commands.push(Command::StartTimer {
                timer_id: EXECUTION_TIMER,
                at: now.saturating_add(secs.saturating_mul(1000)),
            });
        }
        self.data.frames = frames;
        let ids: Vec<FrameId> = self.data.frames.keys().copied().collect();
        for id in ids {
            self.resume_frame(id, redriven);
        }
        true
    }

    /// Sets one kept frame going again: a Parallel or inline Map state waits for its
    /// unsuccessful children (run again) and starts the ones not started; a distributed Map
    /// state redrives its Map Run; any other state is entered again with the input it had.
    /// `redriven` is the id of the `ExecutionRedriven` event the frame's events follow.
    pub(super) fn resume_frame(&mut self, id: FrameId, redriven: u64) {
        let children: BTreeSet<FrameId> = self
            .data
            .frames
            .iter()
            .filter(|(_, f)| f.parent.is_some_and(|p| p.0 == id))
            .map(|(k, _)| *k)
            .collect();
        let Some(f) = self.data.frames.get_mut(&id) else {
            return;
        };
        if let Some(Block::Children(ch)) = f.active.as_mut().map(|a| &mut a.block) {
            if ch.distributed {
                f.last_event = redriven;
                self.queue.push_back(Work::RedriveMapRun { frame: id });
                return;
            }
            // Tolerated failures keep their error output; the others run again.
            let kept = ch.results.iter().filter(|r| r.is_some()).count();
            ch.failed = kept.saturating_sub(ch.finished);
            ch.running = children.into_iter().collect();
            self.queue.push_back(Work::Fill { frame: id });
            return;
        }
        let Some(active) = f.active.take() else {
            return;
        };
        f.last_event = redriven;
        self.queue.push_back(Work::Enter {
            frame: id,
            state: active.state,
            input: active.raw_input,
            size: None,
        });
    }
}

/// The kept frames a redrive can run: each one's parent is kept and waits for its children
/// (a Parallel or Map state). A Parallel or inline Map state with a child that can run neither
/// again nor for the first time is entered again whole; a distributed Map state's children
/// wait in its Map Run to be redriven (see [`super::map_redrive`]). `max_events` is the
/// history length of an execution that cannot be redriven any more; `now` the redrive's time.
fn coherent(
    mut frames: BTreeMap<FrameId, Box<Frame>>,
    max_events: u64,
    now: u64,
) -> BTreeMap<FrameId, Box<Frame>> {
    // Children whose failure a Map tolerated run again too, if the Map state itself did not
    // succeed; so do the ones a Map Run redriven before had not redriven yet. Those come with
    // their own children, hence the work list.
    let mut todo: Vec<FrameId> = frames.keys().copied().collect();
    while let Some(id) = todo.pop() {
        let Some(Block::Children(ch)) = frames
            .get_mut(&id)
            .and_then(|f| f.active.as_mut())
            .map(|a| &mut a.block)
        else {
            continue;
        };
        let mut kept = std::mem::take(&mut ch.tolerated);
        // A child execution keeps its error output until it is known to run again.
        if !ch.distributed {
            for child in kept.values() {
                if let Some(slot) = child.parent.and_then(|p| ch.results.get_mut(p.1)) {
                    *slot = None;
                }
            }
        }
        kept.append(&mut ch.pending_redrive);
        todo.extend(kept.keys());
        frames.extend(kept);
    }
    let ids: Vec<FrameId> = frames.keys().copied().collect();
    for id in ids {
        let keep = match frames.get(&id).and_then(|f| f.parent) {
            None => frames.get(&id).is_some_and(|f| !f.isolated),
            Some((parent, _)) => frames.get(&parent).is_some_and(|f| waits(f, None)),
        };
        if !keep {
            frames.remove(&id);
        }
    }
    let parents: Vec<FrameId> = frames
        .iter()
        .filter(|(_, f)| waits(f, Some(false)))
        .map(|(k, _)| *k)
        .collect();
    for parent in parents {
        let kept: BTreeSet<usize> = frames
            .values()
            .filter_map(|f| f.parent.filter(|p| p.0 == parent).map(|p| p.1))
            .collect();
        let complete = frames.get(&parent).is_some_and(|f| {
            let Some(Block::Children(ch)) = f.active.as_ref().map(|a| &a.block) else {
                return false;
            };
            // Every child either has its result, runs again, or has not started.
            (0..ch.results.len())
                .all(|i| ch.results[i].is_some() || kept.contains(&i) || i >= ch.next)
        });
        if !complete {
            drop_children(&mut frames, parent);
            if let Some(a) = frames.get_mut(&parent).and_then(|f| f.active.as_mut()) {
                a.block = Block::Running;
            }
        }
    }
    super::map_redrive::queue_redrives(&mut frames, max_events, now);
    frames
}

/// Whether a frame's state waits for children: a Parallel or Map state (`distributed`: only
/// a distributed Map's, or only the others').
pub(super) fn waits(f: &Frame, distributed: Option<bool>) -> bool {
    matches!(
        f.active.as_ref().map(|a| &a.block),
        Some(Block::Children(ch)) if distributed.is_none_or(|d| d == ch.distributed)
    )
}

/// Removes the descendants of `parent`.
pub(super) fn drop_children(frames: &mut BTreeMap<FrameId, Box<Frame>>, parent: FrameId) {
    let mut gone = BTreeSet::from([parent]);
    let ids: Vec<FrameId> = frames.keys().copied().collect();
    for id in ids {
        if frames
            .get(&id)
            .and_then(|f| f.parent)
            .is_some_and(|p| gone.contains(&p.0))
        {
            gone.insert(id);
            frames.remove(&id);
        }
    }
}

/// The `$$.Execution.RedriveTime` value of a redrive at `ms`.
pub(super) fn redrive_time(ms: u64) -> Value {
    super::iso_time(ms).into()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::super::{Event, ExecutionConfig};
    use super::*;

    #[test]
    fn an_execution_that_failed_before_its_first_state_is_not_redriven() {
        let machine = sfn_asl::StateMachine {
            comment: None,
            version: None,
            timeout_seconds: None,
            query_language: None,
            start_at: "A".into(),
            states: Default::default(),
        };
        let mut exec = Execution::new(Arc::new(machine), ExecutionConfig::new("m", "r"));
        exec.handle(Event::Started {
            input: json!({}),
            now: 0,
        });
        assert_eq!(exec.status(), Status::Failed);
        assert!(!exec.redrivable());
        let step = exec.handle(Event::Redriven { now: 1 });
        assert!(
            step.events.is_empty() && step.commands.is_empty(),
            "{step:?}"
        );
        assert_eq!((exec.status(), exec.redrive_count()), (Status::Failed, 0));
    }
}
