//! A redrive through a distributed Map state: the Map Run is redriven, not started again.
//!
//! Step Functions' rules ("Redriving Map Runs" in the developer guide):
//! - A redriven execution whose distributed Map state did not succeed redrives the same Map
//!   Run (same ARN): the parent's history shows `MapRunRedriven` (`mapRunArn`, `redriveCount`,
//!   the Map Run's own count) after `ExecutionRedriven`, and neither `MapStateEntered` nor
//!   `MapRunStarted` again. The Map Run ends with `MapRunSucceeded` or `MapRunFailed` as before.
//! - Child executions that succeeded keep their results and do not run again. Standard ones
//!   that failed, timed out or were aborted are redriven: the same execution ARN, the next
//!   `ExecutionRedriven` in their own history, run again from the state that did not succeed,
//!   as any redriven execution (`$$.Execution.RedriveCount` and `RedriveTime` follow). A
//!   Standard child that cannot be redriven keeps its failure for good: one at the history
//!   limit, one that ended more than 14 days before the redrive (its own redrivable period,
//!   though its parent's has not run out), or one that failed before it entered a state.
//!   Express ones start again as new executions from the processor's first state with the
//!   input they had, under the same ARN (their earlier attempt cannot be told apart). Items
//!   never started start.
//! - The items are not read again: the Map Run goes on with the ones it read (an `ItemReader`
//!   is read again only when the Map state is entered again, below).
//! - `ToleratedFailureCount`/`Percentage` are judged over the whole run: the failures kept for
//!   good count with the ones of the redrive. Past the tolerance the Map Run fails again.
//! - `MaxConcurrency` holds: child executions beyond it wait as pending redrive.
//! - A `ResultWriter` writes every result, those kept from earlier attempts included, in item
//!   order, as the Map's output lists them.
//! - A Map Run is redriven at most 1,000 times; the next redrive fails the state with
//!   `States.Runtime`.
//! - The Map state is entered again whole, with a new Map Run, when it failed before its Map
//!   Run started (its `ItemReader` failed: the items are read again; the execution stopped
//!   first) or after its children (its output did not fit or its paths failed).
//!
//! How: a child execution's root frame that ends unsuccessfully keeps its closed history log
//! ([`Frame::closed`](super::Frame)), and its frames stay in the wreck (or, tolerated, in the
//! Map's children) as an inline Map iteration's do. A redrive queues them in the Map state's
//! [`Children::pending_redrive`]; `fill` takes them from there, lowest item first, before any
//! item not started.
//!
//! Not as on AWS: the `ResultWriter` writes when the children are done, so a write that fails
//! comes after them, and the Map state is then entered again whole (AWS tries the writer
//! before it starts the children). No recording of a redriven Map Run's parent history is at
//! hand: the order above follows the event's definition and the documented rules.

use std::collections::BTreeMap;

use serde_json::json;
use sfn_asl::error::STATES_RUNTIME;

use crate::limits::REDRIVABLE_PERIOD_SECONDS;

use super::children::Children;
use super::redrive::waits;
use super::types::FrameId;
use super::{Block, Execution, Failure, Frame, Work};
use crate::history::EventType;

/// How often AWS lets one Map Run be redriven.
const MAX_MAP_RUN_REDRIVES: u32 = 1000;

/// Queues the kept child executions of every kept distributed Map state for their redrive, the
/// innermost Maps first (so an outer child carries its own Maps' queues). A Map whose children
/// cannot all be accounted for (succeeded, kept for good, redriven or not started) is entered
/// again whole. A Standard child cannot be redriven (at `now`) once its history holds
/// `max_events - 1` events (the limit a redriven execution needs room under), or once its
/// redrivable period ran out.
pub(super) fn queue_redrives(
    frames: &mut BTreeMap<FrameId, Box<Frame>>,
    max_events: u64,
    now: u64,
) {
    let period_ms = REDRIVABLE_PERIOD_SECONDS.saturating_mul(1000);
    let maps: Vec<FrameId> = frames
        .iter()
        .rev()
        .filter(|(_, f)| waits(f, Some(true)))
        .map(|(k, _)| *k)
        .collect();
    for map in maps {
        let roots: Vec<(FrameId, usize)> = frames
            .iter()
            .filter_map(|(k, f)| f.parent.filter(|p| p.0 == map).map(|p| (*k, p.1)))
            .collect();
        let express = children(frames, map)
            .and_then(|c| c.run.as_ref())
            .is_some_and(|r| r.express);
        let mut queued = BTreeMap::new();
        let mut again = Vec::new();
        for (root, index) in roots {
            let subtree = take_subtree(frames, root);
            let redrivable = subtree.get(&root).is_some_and(|f| match &f.closed {
                None => false,
                Some(_) if express => true,
                Some(log) => {
                    f.active.is_some()
                        && log.event_count() < max_events.saturating_sub(1)
                        && log
                            .closed_ms
                            .is_none_or(|at| now.saturating_sub(at) <= period_ms)
                }
            });
            if redrivable {
                again.push(index);
                queued.extend(subtree);
            }
        }
        let Some(ch) = children_mut(frames, map) else {
            continue;
        };
        for index in &again {
            if let Some(slot) = ch.results.get_mut(*index) {
                *slot = None;
            }
        }
        let complete = (0..ch.results.len())
            .all(|i| ch.results[i].is_some() || i >= ch.next || again.contains(&i));
        if complete {
            ch.pending_redrive = queued;
        } else if let Some(a) = frames.get_mut(&map).and_then(|f| f.active.as_mut()) {
            a.block = Block::Running;
        }
    }
}

fn children(frames: &BTreeMap<FrameId, Box<Frame>>, id: FrameId) -> Option<&Children> {
    match frames.get(&id)?.active.as_ref().map(|a| &a.block) {
        Some(Block::Children(ch)) => Some(ch),
        _ => None,
    }
}

fn children_mut(frames: &mut BTreeMap<FrameId, Box<Frame>>, id: FrameId) -> Option<&mut Children> {
    match frames.get_mut(&id)?.active.as_mut().map(|a| &mut a.block) {
        Some(Block::Children(ch)) => Some(ch),
        _ => None,
    }
}

/// Takes `root` and its descendants out of `frames`.
fn take_subtree(
    frames: &mut BTreeMap<FrameId, Box<Frame>>,
    root: FrameId,
) -> BTreeMap<FrameId, Box<Frame>> {
    let mut rest = std::mem::take(frames);
    let mut taken = BTreeMap::new();
    if let Some(f) = rest.remove(&root) {
        taken.insert(root, f);
    }
    // Children have larger ids than their parents: one pass in id order finds them all.
    for (id, f) in rest {
        if f.parent.is_some_and(|p| taken.contains_key(&p.0)) {
            taken.insert(id, f);
        } else {
            frames.insert(id, f);
        }
    }
    taken
}

impl Execution {
    /// A redriven execution's distributed Map state redrives its Map Run: `MapRunRedriven`,
    /// then the children waiting for it run (or the run ends at once: its failures kept for
    /// good are past its tolerance, or nothing is left to run).
    pub(super) fn redrive_map_run(&mut self, frame: FrameId) {
        let now = self.data.now;
        let Some(ch) = self.children_mut(frame) else {
            return;
        };
        let Some(run) = ch.run.as_mut() else {
            return;
        };
        if run.redrive_count >= MAX_MAP_RUN_REDRIVES {
            let cause = format!(
                "The Map Run {} was redriven {MAX_MAP_RUN_REDRIVES} times, the most it can be.",
                run.arn
            );
            self.fail_state(frame, Failure::new(STATES_RUNTIME, cause));
            return;
        }
        run.redrive_count += 1;
        run.redrive_ms = Some(now);
        let (arn, count) = (run.arn.clone(), run.redrive_count);
        ch.running.clear();
        // What is left with a result and did not succeed failed for good.
        let kept = ch.results.iter().filter(|r| r.is_some()).count();
        ch.failed = kept.saturating_sub(ch.finished);
        let breached = ch.failed > 0 && !ch.tolerates(ch.failed);
        let done = ch.finished + ch.failed >= ch.results.len();
        let id = self.emit(
            frame,
            EventType::MapRunRedriven,
            || json!({"mapRunArn": arn, "redriveCount": count}),
        );
        if let Some(ch) = self.children_mut(frame) {
            ch.started_event = id;
            ch.last_end_event = id;
        }
        if breached {
            self.map_run_failed(frame);
        } else if done {
            self.children_finished(frame);
        } else {
            self.queue.push_front(Work::Fill { frame });
        }
    }

    /// Redrives the next child execution waiting in `frame`'s Map Run (the lowest item): a
    /// Standard one goes on from its kept frames after `ExecutionRedriven` in its history; an
    /// Express one starts again from the first state.
    pub(super) fn redrive_child(&mut self, frame: FrameId) {
        let now = self.data.now;
        let Some(ch) = self.children_mut(frame) else {
            return;
        };
        let next = ch
            .pending_redrive
            .iter()
            .filter_map(|(k, f)| f.parent.filter(|p| p.0 == frame).map(|p| (*k, p.1)))
            .min_by_key(|(_, index)| *index);
        let Some((root, index)) = next else {
            // Only frames without a root: nothing to redrive.
            ch.pending_redrive.clear();
            self.queue.push_front(Work::Fill { frame });
            return;
        };
        let express = ch.run.as_ref().is_some_and(|r| r.express);
        let mut subtree = take_subtree(&mut ch.pending_redrive, root);
        let log = subtree.get_mut(&root).and_then(|f| f.closed.take());
        let Some(mut log) = log.map(|l| *l) else {
            self.queue.push_front(Work::Fill { frame });
            return;
        };
        if express {
            // AWS starts it again with StartExecution: a new execution under the same ARN.
            self.start_child_frame(frame, index, log.input);
            return;
        }
        ch.running.push(root);
        log.redrive_count = log.redrive_count.saturating_add(1);
        log.redrive_ms = Some(now);
        let (prev, count) = (log.event_count(), log.redrive_count);
        let ids: Vec<FrameId> = subtree.keys().copied().collect();
        self.data.frames.extend(subtree);
        self.data.child_logs.insert(root, log);
        let redriven = self.emit_child(
            root,
            prev,
            EventType::ExecutionRedriven,
            None,
            || json!({"redriveCount": count}),
        );
        for id in ids {
            self.resume_frame(id, redriven);
        }
        self.queue.push_front(Work::Fill { frame });
    }
}
