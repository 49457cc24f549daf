//! Distributed Map runs: items from an `ItemReader`, child executions with histories of their
//! own, and the `ResultWriter` export.
//!
//! Child executions stay frames of this execution (so a stop or a snapshot reaches them); what
//! makes them executions is an isolated variable scope and a [`ChildLog`]: their events are
//! numbered in a history of their own and leave through [`Step::child_events`].

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sfn_asl::model::{Map as MapState, OutputType, QueryLanguage, WriterTransformation};
use sfn_asl::random::fnv1a_salted;
use sfn_asl::EvalError;

use super::io;
use super::states::Flow;
use super::types::ChildEvent;
use super::types::{FrameId, RequestId};
use super::{Block, Command, Execution, Failure, Frame};
use crate::history::{EventType, HistoryEvent};
use crate::item_reader::{ItemReadRequest, ITEM_READER_FAILED};
use crate::result_writer::{self, ChildRecord, ResultWriteRequest, RESULT_WRITER_FAILED};

/// A running Map Run: names and the records of its finished children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct MapRun {
    pub(super) arn: String,
    pub(super) id: String,
    /// `<machine>/<label>`: child execution ARNs are built from it.
    pub(super) path: String,
    /// `$$.StateMachine.Id` of the children: `…:stateMachine:<machine>/<label>`.
    pub(super) machine_arn: String,
    pub(super) express: bool,
    /// Finished children, kept only for a `ResultWriter` (they hold inputs and outputs).
    pub(super) records: Vec<Option<ChildRecord>>,
    /// How often the Map Run was redriven (`MapRunRedriven.redriveCount`).
    #[serde(default)]
    pub(super) redrive_count: u32,
    /// When it was last redriven (`DescribeMapRun`'s `redriveDate`).
    #[serde(default)]
    pub(super) redrive_ms: Option<u64>,
}

/// One running child execution: what its context object shows, and its history (whose
/// events leave through `Step::child_events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ChildLog {
    map_run_arn: String,
    execution_arn: String,
    machine_arn: String,
    machine_name: String,
    express: bool,
    pub(super) input: Value,
    start_ms: u64,
    next_event_id: u64,
    /// How often this (Standard) child was redriven: its `$$.Execution.RedriveCount`.
    #[serde(default)]
    pub(super) redrive_count: u32,
    /// When it was last redriven (`$$.Execution.RedriveTime`).
    #[serde(default)]
    pub(super) redrive_ms: Option<u64>,
    /// When it ended unsuccessfully (its log closed), for its redrivable period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) closed_ms: Option<u64>,
}

impl ChildLog {
    /// The events in the child's history so far (the last one's id).
    pub(super) fn event_count(&self) -> u64 {
        self.next_event_id.saturating_sub(1)
    }
}

/// A stable, execution-unique id in UUID form (FNV-1a over the seed text, twice).
fn uuid_like(seed: &str) -> String {
    let (a, b) = (
        fnv1a_salted(0, seed.as_bytes()),
        fnv1a_salted(0x9e37_79b9, seed.as_bytes()),
    );
    sfn_asl::random::uuid(a, b)
}

impl MapRun {
    /// A Map Run of the execution `execution_arn`; `unique` tells apart the runs of one
    /// execution (events of nested runs inside children do not advance the parent's ids).
    pub(super) fn new(
        state_machine_arn: &str,
        execution_arn: &str,
        label: &str,
        unique: (u64, u64),
        express: bool,
        records: usize,
    ) -> Self {
        let id = uuid_like(&format!("{execution_arn}#{}#{}", unique.0, unique.1));
        let machine = state_machine_arn
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .to_owned();
        let arn = format!(
            "{}/{label}:{id}",
            state_machine_arn.replace(":stateMachine:", ":mapRun:")
        );
        MapRun {
            arn,
            id,
            path: format!("{machine}/{label}"),
            machine_arn: format!("{state_machine_arn}/{label}"),
            express,
            records: vec![None; records],
            redrive_count: 0,
            redrive_ms: None,
        }
    }

    /// The ARN of child `index` (shape not recorded: AWS names children by UUID).
    fn child_arn(&self, region_account: &str, index: usize) -> (String, String) {
        let name = uuid_like(&format!("{}#{index}", self.arn));
        let arn = if self.express {
            format!("{region_account}:express:{}:{}:{name}", self.path, self.id)
        } else {
            format!("{region_account}:execution:{}:{name}", self.path)
        };
        (arn, name)
    }
}

impl Execution {
    /// Appends an event to a child execution's own history.
    pub(super) fn emit_child(
        &mut self,
        root: FrameId,
        prev: u64,
        event_type: EventType,
        payload: Option<&Value>,
        details: impl FnOnce() -> Value,
    ) -> u64 {
        let Some(log) = self.data.child_logs.get_mut(&root) else {
            return 0;
        };
        let id = log.next_event_id;
        log.next_event_id += 1;
        if self.data.config.record_history {
            let mut details = if event_type.details_key().is_empty() {
                Value::Null
            } else {
                details()
            };
            let data = self.history_data.payload(&mut details, payload);
            self.out.child_events.push(ChildEvent {
                map_run_arn: log.map_run_arn.clone(),
                execution_arn: log.execution_arn.clone(),
                event: HistoryEvent {
                    id,
                    previous_event_id: prev,
                    timestamp: self.data.now,
                    event_type,
                    details,
                    data,
                },
            });
        }
        id
    }

    /// A child execution starts: its log opens with `ExecutionStarted`.
    pub(super) fn start_child(
        &mut self,
        map_frame: FrameId,
        child: FrameId,
        index: usize,
        input: &Value,
    ) {
        let now = self.data.now;
        let region_account = {
            let arn = &self.data.config.state_machine_arn;
            arn.rsplitn(3, ':').nth(2).unwrap_or_default().to_owned()
        };
        let Some(run) = self.children_mut(map_frame).and_then(|c| c.run.as_ref()) else {
            return;
        };
        let (execution_arn, _) = run.child_arn(&region_account, index);
        let log = ChildLog {
            map_run_arn: run.arn.clone(),
            execution_arn,
            machine_arn: run.machine_arn.clone(),
            machine_name: run.path.clone(),
            express: run.express,
            input: input.clone(),
            start_ms: now,
            next_event_id: 1,
            redrive_count: 0,
            redrive_ms: None,
            closed_ms: None,
        };
        self.data.child_logs.insert(child, log);
        let role = self.data.config.role_arn.clone();
        let started = self.emit_child(
            child,
            0,
            EventType::ExecutionStarted,
            Some(input),
            || json!({"input": null, "inputDetails": {"truncated": false}, "roleArn": role}),
        );
        // The child's first state follows its own `ExecutionStarted`, as in any execution.
        if let Some(f) = self.data.frames.get_mut(&child) {
            f.last_event = started;
        }
    }

    /// A child execution ended: its log closes and its record is kept for the writer. The log
    /// of one that failed stays with a copy of its root frame (`frame`, the frame as it ended)
    /// in the wreck, for a redrive of the Map Run.
    pub(super) fn end_child(
        &mut self,
        map_frame: FrameId,
        (child, frame): (FrameId, &Frame),
        index: usize,
        result: &Result<Value, Failure>,
    ) {
        let last_event = frame.last_event;
        match result {
            Ok(output) => self.emit_child(
                child,
                last_event,
                EventType::ExecutionSucceeded,
                Some(output),
                || json!({"output": null, "outputDetails": {"truncated": false}}),
            ),
            Err(f) => {
                let details = f.details();
                self.emit_child(child, last_event, EventType::ExecutionFailed, None, || {
                    details
                })
            }
        };
        let Some(log) = self.data.child_logs.remove(&child) else {
            return;
        };
        if result.is_err() {
            // The copy left by the state that failed, or (failed before its first state) one
            // with no state to run again.
            let copy = self
                .wreck
                .entry(child)
                .or_insert_with(|| Box::new(frame.clone()));
            let mut closed = log.clone();
            closed.closed_ms = Some(self.data.now);
            copy.closed = Some(Box::new(closed));
        }
        let now = self.data.now;
        let Some(run) = self.children_mut(map_frame).and_then(|c| c.run.as_mut()) else {
            return;
        };
        let (start_ms, input) = (log.start_ms, log.input);
        let name = log
            .execution_arn
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .to_owned();
        if let Some(slot) = run.records.get_mut(index) {
            *slot = Some(ChildRecord {
                execution_arn: log.execution_arn,
                name,
                state_machine_arn: run.machine_arn.clone(),
                input,
                start_ms,
                stop_ms: now,
                result: result.clone(),
                redrive_count: log.redrive_count,
                redrive_ms: log.redrive_ms,
            });
        }
    }

    /// Points `$$.Execution` and `$$.StateMachine` at the execution `frame` belongs to: the
    /// parent, or one distributed Map child.
    pub(super) fn switch_context(&mut self, frame: FrameId) {
        let owner = self.child_root(frame);
        if owner == self.context_owner {
            return;
        }
        self.context_owner = owner;
        let (execution, machine) = match owner.and_then(|r| self.data.child_logs.get(&r)) {
            Some(log) => {
                let mut execution = json!({
                    "Id": log.execution_arn,
                    "Input": log.input,
                    "Name": log.execution_arn.rsplit(':').next().unwrap_or_default(),
                    "RoleArn": self.data.config.role_arn,
                    "StartTime": super::iso_time(log.start_ms),
                });
                if !log.express {
                    if let Value::Object(m) = &mut execution {
                        m.insert("RedriveCount".into(), log.redrive_count.into());
                        if let Some(at) = log.redrive_ms {
                            m.insert("RedriveTime".into(), super::redrive::redrive_time(at));
                        }
                    }
                }
                let machine = json!({"Id": log.machine_arn, "Name": log.machine_name});
                (execution, machine)
            }
            None => match self.base_context() {
                Value::Object(mut base) => (
                    base.shift_remove("Execution").unwrap_or_default(),
                    base.shift_remove("StateMachine").unwrap_or_default(),
                ),
                _ => return,
            },
        };
        if let Value::Object(ctx) = &mut self.context {
            // Replaced in place: the keys keep their positions (`State` is read by position).
            if let Some(v) = ctx.get_mut("Execution") {
                *v = execution;
            }
            if let Some(v) = ctx.get_mut("StateMachine") {
                *v = machine;
            }
        }
    }

    /// A running child execution is stopped with its parent Map: its history ends with
    /// `ExecutionAborted`. Returns its closed log (kept for a redrive of the Map Run).
    pub(super) fn abort_child(&mut self, root: FrameId) -> Option<ChildLog> {
        if !self.data.child_logs.contains_key(&root) {
            return None;
        }
        let last = self.data.frames.get(&root).map_or(0, |f| f.last_event);
        self.emit_child(root, last, EventType::ExecutionAborted, None, || json!({}));
        let mut log = self.data.child_logs.remove(&root)?;
        log.closed_ms = Some(self.data.now);
        Some(log)
    }

    /// Evaluates an `ItemReader` and asks the driver for its items.
    pub(super) fn request_items(
        &mut self,
        frame: FrameId,
        m: &MapState,
        lang: QueryLanguage,
        raw: &Value,
        effective: &Value,
    ) -> Result<Flow, EvalError> {
        let Some(reader) = &m.item_reader else {
            return Ok(Flow::Blocked);
        };
        let (parameters, max_items) = {
            let scope = self.scope(frame);
            let parameters = match (lang, &reader.parameters, &reader.arguments) {
                (QueryLanguage::JsonPath, Some(t), _) => io::template(&scope, t, effective)?,
                (QueryLanguage::Jsonata, _, Some(a)) => {
                    a.eval(&scope.jsonata(raw, None, None), "Arguments")?
                }
                _ => json!({}),
            };
            let max_items = match reader
                .reader_config
                .as_ref()
                .and_then(|c| c.max_items.as_ref())
            {
                Some(d) => io::dynamic_u64(&scope, d, effective, "MaxItems").map_err(|e| {
                    if e.cause.ends_with("cannot be negative.") {
                        EvalError {
                            error: ITEM_READER_FAILED.into(),
                            cause: "field MaxItems must be positive".into(),
                            location: None,
                        }
                    } else {
                        e
                    }
                })?,
                None => 0,
            };
            (parameters, max_items)
        };
        let request_id = self.new_request_id();
        self.data.requests.insert(request_id, frame);
        if let Some(a) = self.active_mut(frame) {
            a.block = Block::Reader { request_id };
        }
        self.out.commands.push(Command::ReadItems(ItemReadRequest {
            request_id,
            resource: reader.resource.clone(),
            parameters,
            config: reader.reader_config.clone(),
            max_items,
        }));
        Ok(Flow::Blocked)
    }

    fn active_mut(&mut self, frame: FrameId) -> Option<&mut super::Active> {
        self.data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
    }

    /// The frame waiting for a reader/writer request, its block taken.
    fn take_request(&mut self, request_id: RequestId) -> Option<(FrameId, Block)> {
        let frame = self.data.requests.remove(&request_id)?;
        let a = self.active_mut(frame)?;
        match &a.block {
            Block::Reader { request_id: r } | Block::Writer { request_id: r, .. }
                if *r == request_id =>
            {
                Some((frame, std::mem::replace(&mut a.block, Block::Running)))
            }
            _ => None,
        }
    }

    /// The driver answered a [`Command::ReadItems`]: the Map starts on the items.
    pub(super) fn items_read(&mut self, request_id: RequestId, result: Result<Vec<Value>, String>) {
        let Some((frame, _)) = self.take_request(request_id) else {
            return;
        };
        let machine = self.machine.clone();
        let Some((state, lang)) = self.data.frames.get(&frame).and_then(|f| {
            let idx = f.active.as_ref()?.state;
            let (_, state) = super::resolve_scope(&machine, &f.scope)?.get_index(idx)?;
            Some((state, machine.effective_language(state)))
        }) else {
            return;
        };
        let sfn_asl::model::StateKind::Map(m) = &state.kind else {
            return;
        };
        self.set_state_context(frame);
        let flow = match result {
            Ok(items) => self.start_map_with(frame, m, lang, Some(items)),
            Err(cause) => Ok(Flow::Fail(Failure::new(ITEM_READER_FAILED, cause))),
        };
        self.apply_flow(frame, flow);
    }

    /// The output of a finished Map Run: the results, shaped and exported by `ResultWriter`.
    pub(super) fn map_run_output(
        &mut self,
        frame: FrameId,
        results: Vec<Value>,
        run: Option<Box<MapRun>>,
    ) -> Result<Flow, EvalError> {
        let machine = self.machine.clone();
        let Some((state, lang)) = self.data.frames.get(&frame).and_then(|f| {
            let a = f.active.as_ref()?;
            let (_, state) = super::resolve_scope(&machine, &f.scope)?.get_index(a.state)?;
            Some((state, machine.effective_language(state)))
        }) else {
            return Ok(Flow::Blocked);
        };
        let sfn_asl::model::StateKind::Map(m) = &state.kind else {
            return Ok(Flow::Blocked);
        };
        let (Some(writer), Some(run)) = (m.result_writer.as_ref(), run) else {
            return self.task_output(frame, Value::Array(results), None);
        };
        let config = writer.writer_config.as_ref();
        let output_type = config
            .and_then(|c| c.output_type)
            .unwrap_or(OutputType::Json);
        let records: Vec<ChildRecord> = run.records.into_iter().flatten().collect();
        if writer.resource.is_none() {
            let t = config
                .and_then(|c| c.transformation)
                .unwrap_or(WriterTransformation::Compact);
            let shaped = if t == WriterTransformation::None {
                result_writer::shape_records(&records, t)
            } else {
                result_writer::shape_outputs(results, t)
            };
            return self.task_output(frame, Value::Array(shaped), None);
        }
        // Exported without a WriterConfig, results keep their metadata (NONE).
        let transformation = config
            .and_then(|c| c.transformation)
            .unwrap_or(WriterTransformation::None);
        let params = self.writer_parameters(frame, m, writer, lang)?;
        let Some(bucket) = params.get("Bucket").and_then(Value::as_str) else {
            let f = Failure::new(
                RESULT_WRITER_FAILED,
                "The ResultWriter field 'Bucket' must be a string.",
            );
            return Ok(Flow::Fail(f));
        };
        let prefix = params
            .get("Prefix")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let export = result_writer::export(
            bucket,
            prefix,
            &run.arn,
            &run.id,
            &records,
            output_type,
            transformation,
        );
        let output = json!({
            "MapRunArn": run.arn,
            "ResultWriterDetails": {"Bucket": bucket, "Key": export.manifest_key},
        });
        let request_id = self.new_request_id();
        self.data.requests.insert(request_id, frame);
        if let Some(a) = self.active_mut(frame) {
            a.block = Block::Writer { request_id, output };
        }
        self.out
            .commands
            .push(Command::WriteResults(ResultWriteRequest {
                request_id,
                bucket: bucket.to_owned(),
                files: export.files,
            }));
        Ok(Flow::Blocked)
    }

    /// A `ResultWriter`'s `Parameters`/`Arguments` (`Bucket`, `Prefix`).
    fn writer_parameters(
        &self,
        frame: FrameId,
        m: &MapState,
        writer: &sfn_asl::model::ResultWriter,
        lang: QueryLanguage,
    ) -> Result<Value, EvalError> {
        let Some((scope, raw)) = self.active_scope(frame) else {
            return Ok(json!({}));
        };
        Ok(match (lang, &writer.parameters, &writer.arguments) {
            (QueryLanguage::JsonPath, Some(t), _) => {
                let effective = io::input_path(&scope, &m.flow.input_path, raw)?;
                io::template(&scope, t, &effective)?
            }
            (QueryLanguage::Jsonata, _, Some(a)) => {
                a.eval(&scope.jsonata(raw, None, None), "Arguments")?
            }
            _ => json!({}),
        })
    }

    /// The driver answered a [`Command::WriteResults`].
    pub(super) fn results_written(&mut self, request_id: RequestId, result: Result<(), String>) {
        let Some((frame, Block::Writer { output, .. })) = self.take_request(request_id) else {
            return;
        };
        self.set_state_context(frame);
        let flow = match result {
            Ok(()) => self.task_output(frame, output, None),
            Err(cause) => Ok(Flow::Fail(Failure::new(RESULT_WRITER_FAILED, cause))),
        };
        self.apply_flow(frame, flow);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_run_ids_are_unique_per_execution_and_event() {
        let machine = "arn:aws:states:r:1:stateMachine:m";
        let a = MapRun::new(machine, "e1", "L", (3, 1), false, 0);
        let b = MapRun::new(machine, "e2", "L", (3, 1), false, 0);
        let c = MapRun::new(machine, "e1", "L", (3, 2), false, 0);
        assert_ne!(a.id, c.id);
        assert_ne!(a.id, b.id);
        assert_eq!(a.id.len(), 36);
        assert!(a.arn.starts_with("arn:aws:states:r:1:mapRun:m/L:"));
        let (arn, name) = a.child_arn("arn:aws:states:r:1", 0);
        assert_eq!(arn, format!("arn:aws:states:r:1:execution:m/L:{name}"));
    }
}
