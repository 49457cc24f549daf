//! Recording history events with AWS's ids and `previousEventId` chains.

use serde_json::{json, Value};
use sfn_asl::error::{STATES_RUNTIME, STATES_TIMEOUT};

use super::types::FrameId;
use super::{Execution, Frame, Outcome, Status};
use crate::history::{EventType, HistoryEvent};

impl Execution {
    /// The root frame of the distributed Map child execution `frame` belongs to, if any:
    /// its events go into that child's history.
    pub(crate) fn child_root(&self, frame: FrameId) -> Option<FrameId> {
        let mut id = frame;
        for _ in 0..self.data.frames.len() {
            match self.data.frames.get(&id).map(|f| &**f) {
                Some(f) if f.isolated => return Some(id),
                Some(Frame {
                    parent: Some((p, _)),
                    ..
                }) => id = *p,
                _ => return None,
            }
        }
        None
    }

    /// Appends an event to a frame's chain; returns its id (0 for silent frames).
    pub(crate) fn emit(
        &mut self,
        frame: FrameId,
        event_type: EventType,
        details: impl FnOnce() -> Value,
    ) -> u64 {
        self.emit_with(frame, event_type, None, details)
    }

    /// [`emit`](Self::emit) with the event's payload given beside its details (which hold a
    /// `null` in its place, see [`crate::history::io_details`]): only borrowed, so a payload
    /// that reaches the history twice in a row is neither copied nor written twice.
    pub(crate) fn emit_with(
        &mut self,
        frame: FrameId,
        event_type: EventType,
        payload: Option<&Value>,
        details: impl FnOnce() -> Value,
    ) -> u64 {
        let (prev, top_level) = self.data.frames.get(&frame).map_or((0, false), |f| {
            (f.last_event, f.parent.is_none() && !f.isolated)
        });
        // A top-level frame belongs to no distributed Map child: no walk up the frames.
        let root = if top_level {
            None
        } else {
            self.child_root(frame)
        };
        let id = match root {
            Some(root) => self.emit_child(root, prev, event_type, payload, details),
            None => self.emit_raw_with(prev, event_type, payload, details),
        };
        if let Some(f) = self.data.frames.get_mut(&frame) {
            f.last_event = id;
        }
        id
    }

    /// Appends an event of `frame` with an explicit `previousEventId`, leaving the frame's
    /// chain alone.
    pub(crate) fn emit_off_chain(
        &mut self,
        frame: FrameId,
        prev: u64,
        event_type: EventType,
        details: impl FnOnce() -> Value,
    ) -> u64 {
        match self.child_root(frame) {
            Some(root) => self.emit_child(root, prev, event_type, None, details),
            None => self.emit_raw(prev, event_type, details),
        }
    }

    /// Appends an event with an explicit `previousEventId`.
    pub(crate) fn emit_raw(
        &mut self,
        prev: u64,
        event_type: EventType,
        details: impl FnOnce() -> Value,
    ) -> u64 {
        self.emit_raw_with(prev, event_type, None, details)
    }

    pub(crate) fn emit_raw_with(
        &mut self,
        prev: u64,
        event_type: EventType,
        payload: Option<&Value>,
        details: impl FnOnce() -> Value,
    ) -> u64 {
        let id = self.data.next_event_id;
        if self.data.status != Status::Running {
            // The execution already ended (e.g. at the history limit): nothing more is recorded.
            return id;
        }
        self.data.next_event_id += 1;
        let limit = self.data.config.max_history_events;
        let at_limit = id >= limit && !event_type.as_str().starts_with("Execution");
        if at_limit {
            self.history_limit_reached(id, prev, limit);
            return id;
        }
        self.push_event(id, prev, event_type, payload, details);
        id
    }

    /// The last event AWS allows is the failure itself (Standard); an Express execution, which
    /// has no event cap, runs into its time limit instead.
    fn history_limit_reached(&mut self, id: u64, prev: u64, limit: u64) {
        if self.data.config.express {
            self.push_event(
                id,
                prev,
                EventType::ExecutionTimedOut,
                None,
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
        let cause =
            format!("The execution reached the maximum number of history events ({limit}).");
        self.push_event(
            id,
            prev,
            EventType::ExecutionFailed,
            None,
            || json!({"error": STATES_RUNTIME, "cause": cause}),
        );
        self.finish(Outcome {
            status: Status::Failed,
            output: None,
            error: Some(STATES_RUNTIME.into()),
            cause: Some(cause),
        });
    }

    fn push_event(
        &mut self,
        id: u64,
        prev: u64,
        event_type: EventType,
        payload: Option<&Value>,
        details: impl FnOnce() -> Value,
    ) {
        if self.data.config.record_history {
            let mut details = if event_type.details_key().is_empty() {
                Value::Null
            } else {
                details()
            };
            let data = self.history_data.payload(&mut details, payload);
            let timestamp = self.data.now;
            self.out.events.push(HistoryEvent {
                id,
                previous_event_id: prev,
                timestamp,
                event_type,
                details,
                data,
            });
        }
    }
}
