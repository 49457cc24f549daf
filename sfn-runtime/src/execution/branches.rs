//! Starting Parallel and Map states: branch inputs, items, item selectors, concurrency and
//! tolerance. Running the children is [`super::children`]'s job.

use std::borrow::Cow;

use serde_json::{json, Value};
use sfn_asl::error::message;
use sfn_asl::model::{Map as MapState, Parallel, QueryLanguage, Template};
use sfn_asl::EvalError;

use super::children::Children;
use super::distributed::MapRun;
use super::io::{self, Scope};
use super::states::Flow;
use super::types::FrameId;
use super::Execution;
use crate::history::EventType;

/// How many inline Map iterations AWS runs at once when `MaxConcurrency` is 0 or absent.
const INLINE_MAP_CONCURRENCY: u64 = 40;
/// The same for a distributed Map's child executions.
const DISTRIBUTED_MAP_CONCURRENCY: u64 = 10_000;

impl Execution {
    /// Starts a Parallel state: every branch gets the same input.
    pub(crate) fn start_parallel(
        &mut self,
        frame: FrameId,
        p: &Parallel,
        lang: QueryLanguage,
    ) -> Result<Flow, EvalError> {
        let input = {
            let Some((scope, raw)) = self.active_scope(frame) else {
                return Ok(Flow::Blocked);
            };
            match lang {
                QueryLanguage::JsonPath => {
                    let effective = io::input_path(&scope, &p.flow.input_path, raw)?;
                    match &p.parameters {
                        Some(t) => io::template(&scope, t, &effective)?,
                        None => effective.into_owned(),
                    }
                }
                QueryLanguage::Jsonata => match &p.arguments {
                    Some(a) => a.eval(&scope.jsonata(raw, None, None), "Arguments")?,
                    None => raw.clone(),
                },
            }
        };
        let started = self.emit(frame, EventType::ParallelStateStarted, || Value::Null);
        let mut children = Children::new(false, vec![input; p.branches.len()], 0);
        children.started_event = started;
        self.begin_children(frame, children);
        Ok(Flow::Blocked)
    }

    /// Starts a Map state: items, item inputs, concurrency and tolerance.
    pub(crate) fn start_map(
        &mut self,
        frame: FrameId,
        m: &MapState,
        lang: QueryLanguage,
    ) -> Result<Flow, EvalError> {
        self.start_map_with(frame, m, lang, None)
    }

    /// Starts a Map state; `read` holds the `ItemReader`'s items once the driver read them.
    pub(crate) fn start_map_with(
        &mut self,
        frame: FrameId,
        m: &MapState,
        lang: QueryLanguage,
        read: Option<Vec<Value>>,
    ) -> Result<Flow, EvalError> {
        // The raw input is lent out, not copied, while the items are built; it is back in
        // place before any child runs (a Retrier or Catcher of the Map reads it).
        let Some(raw) = self
            .data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
            .map(|a| std::mem::take(&mut a.raw_input))
        else {
            return Ok(Flow::Blocked);
        };
        let children = self.map_children(frame, m, lang, read, &raw);
        if let Some(a) = self
            .data
            .frames
            .get_mut(&frame)
            .and_then(|f| f.active.as_mut())
        {
            a.raw_input = raw;
        }
        if let Some(children) = children? {
            self.begin_children(frame, children);
        }
        Ok(Flow::Blocked)
    }

    /// The children of a Map state (`None`: it waits for its `ItemReader`).
    fn map_children(
        &mut self,
        frame: FrameId,
        m: &MapState,
        lang: QueryLanguage,
        read: Option<Vec<Value>>,
        raw: &Value,
    ) -> Result<Option<Children>, EvalError> {
        let effective = match lang {
            QueryLanguage::JsonPath => io::input_path(&self.scope(frame), &m.flow.input_path, raw)?,
            QueryLanguage::Jsonata => Cow::Borrowed(raw),
        };
        // Items from an object come back from the driver; this state then starts over.
        let from_reader = m.item_reader.is_some();
        if from_reader && read.is_none() {
            self.request_items(frame, m, lang, raw, &effective)?;
            return Ok(None);
        }
        let (items, limit) = {
            let scope = self.scope(frame);
            // With a reader the items are the reader's: AWS ignores `ItemsPath` then (recorded:
            // `$.no_such_path`, `$[0]` and a path into the input all iterate the object's items).
            let items = match read {
                Some(read) => read,
                None => map_items(&scope, m, lang, &effective)?,
            };
            let limit = match &m.max_concurrency {
                Some(d) => io::dynamic_u64(&scope, d, &effective, "MaxConcurrency")?,
                None => 0,
            };
            (items, limit)
        };
        let inputs = self.item_inputs(frame, m, items, &effective, raw)?;
        let inputs = match &m.item_batcher {
            Some(batcher) => batches(&self.scope(frame), batcher, inputs, &effective, raw)?,
            None => inputs,
        };
        // A reader's items are not counted up front.
        let length = if from_reader { 0 } else { inputs.len() };
        self.emit(
            frame,
            EventType::MapStateStarted,
            || json!({"length": length}),
        );
        let (count, percentage) = tolerance(&self.scope(frame), m, &effective)?;
        // `MaxConcurrency: 0` means "as many as AWS allows": 40 inline, 10,000 distributed.
        let limit = match (limit, m.is_distributed()) {
            (0, false) => INLINE_MAP_CONCURRENCY,
            (0, true) => DISTRIBUTED_MAP_CONCURRENCY,
            (n, _) => n,
        };
        let mut children = Children::new(true, inputs, limit);
        children.tolerated_count = count;
        children.tolerated_percentage = percentage;
        if m.is_distributed() {
            self.open_map_run(frame, m, &mut children);
        }
        Ok(Some(children))
    }

    /// Each item through `ItemSelector` (or the legacy `Parameters`), with `$$.Map.Item` set.
    fn item_inputs(
        &mut self,
        frame: FrameId,
        m: &MapState,
        items: Vec<Value>,
        effective: &Value,
        raw: &Value,
    ) -> Result<Vec<Value>, EvalError> {
        let selector = match (&m.item_selector, &m.parameters) {
            (Some(Template::JsonPath(t)), _) | (None, Some(t)) => Selector::Path(t),
            (Some(Template::Jsonata(j)), _) => Selector::Jsonata(j),
            (None, None) => return Ok(items),
        };
        let inputs = self.select_items(frame, selector, items, effective, raw);
        // `$$.Map` exists only while the items are selected, also when one fails: a Catcher
        // and the states after it must not see it.
        if let Value::Object(ctx) = &mut self.context {
            ctx.remove("Map");
        }
        inputs
    }

    fn select_items(
        &mut self,
        frame: FrameId,
        selector: Selector<'_>,
        items: Vec<Value>,
        effective: &Value,
        raw: &Value,
    ) -> Result<Vec<Value>, EvalError> {
        let mut inputs = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            if let Value::Object(ctx) = &mut self.context {
                ctx.insert(
                    "Map".into(),
                    json!({"Item": {"Index": index, "Value": item}}),
                );
            }
            let scope = self.scope(frame);
            let v = match selector {
                Selector::Path(t) => io::template(&scope, t, effective)?,
                Selector::Jsonata(j) => j.eval(&scope.jsonata(raw, None, None), "ItemSelector")?,
            };
            inputs.push(v);
        }
        Ok(inputs)
    }

    /// A distributed Map's run: its ARN, and `MapRunStarted`.
    fn open_map_run(&mut self, frame: FrameId, m: &MapState, children: &mut Children) {
        children.distributed = true;
        let name = self.active_state_name(frame);
        let express = matches!(
            m.item_processor
                .processor_config
                .as_ref()
                .and_then(|c| c.execution_type),
            Some(sfn_asl::model::ExecutionType::Express)
        );
        let run = MapRun::new(
            &self.data.config.state_machine_arn,
            &self.data.config.execution_arn,
            m.label.as_deref().unwrap_or(&name),
            (self.data.next_event_id, self.data.next_frame_id),
            express,
            // Child records only matter to a ResultWriter.
            if m.result_writer.is_some() {
                children.results.len()
            } else {
                0
            },
        );
        let arn = run.arn.clone();
        children.run = Some(Box::new(run));
        children.started_event = self.emit(
            frame,
            EventType::MapRunStarted,
            || json!({"mapRunArn": arn}),
        );
        children.last_end_event = children.started_event;
    }
}

/// A Map's compiled `ItemSelector`, borrowed from the definition.
#[derive(Clone, Copy)]
enum Selector<'m> {
    Path(&'m sfn_asl::template::PayloadTemplate),
    Jsonata(&'m sfn_asl::jsonata::JsonataTemplate),
}

/// `ToleratedFailureCount` and `ToleratedFailurePercentage`.
fn tolerance(
    scope: &Scope<'_>,
    m: &MapState,
    effective: &Value,
) -> Result<(Option<u64>, Option<f64>), EvalError> {
    let count = m
        .tolerated_failure_count
        .as_ref()
        .map(|d| io::dynamic_u64(scope, d, effective, "ToleratedFailureCount"))
        .transpose()?;
    let percentage = m
        .tolerated_failure_percentage
        .as_ref()
        .map(|d| io::dynamic_f64(scope, d, effective, "ToleratedFailurePercentage"))
        .transpose()?;
    if percentage.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
        return Err(EvalError::runtime(
            message::TOLERATED_FAILURE_PERCENTAGE_RANGE,
        ));
    }
    Ok((count, percentage))
}

/// Groups item inputs into `ItemBatcher` batches: `{"Items": [...], "BatchInput": ...}`.
fn batches(
    scope: &Scope<'_>,
    batcher: &sfn_asl::model::ItemBatcher,
    inputs: Vec<Value>,
    effective: &Value,
    raw: &Value,
) -> Result<Vec<Value>, EvalError> {
    let max_items = match &batcher.max_items_per_batch {
        Some(d) => io::dynamic_u64(scope, d, effective, "MaxItemsPerBatch")?,
        None => 0,
    };
    let max_bytes = match &batcher.max_input_bytes_per_batch {
        Some(d) => io::dynamic_u64(scope, d, effective, "MaxInputBytesPerBatch")?,
        None => 0,
    };
    let batch_input = match &batcher.batch_input {
        Some(Template::JsonPath(t)) => Some(io::template(scope, t, effective)?),
        Some(Template::Jsonata(j)) => Some(j.eval(&scope.jsonata(raw, None, None), "BatchInput")?),
        None => None,
    };
    // 0 means "no limit" for either bound; AWS caps a batch at 256 KiB in any case.
    let max_items = usize::try_from(max_items).unwrap_or(usize::MAX);
    let max_bytes = match usize::try_from(max_bytes).unwrap_or(usize::MAX) {
        0 => crate::limits::MAX_PAYLOAD_BYTES,
        n => n.min(crate::limits::MAX_PAYLOAD_BYTES),
    };
    let wrap = |items: Vec<Value>| {
        let mut batch = serde_json::Map::new();
        batch.insert("Items".into(), Value::Array(items));
        if let Some(b) = &batch_input {
            batch.insert("BatchInput".into(), b.clone());
        }
        Value::Object(batch)
    };
    let mut out = Vec::new();
    let (mut current, mut bytes) = (Vec::new(), 0usize);
    for item in inputs {
        let size = crate::limits::json_size(&item, max_bytes) + 1;
        let full = (max_items != 0 && current.len() >= max_items)
            || (!current.is_empty() && bytes + size > max_bytes);
        if full {
            out.push(wrap(std::mem::take(&mut current)));
            bytes = 0;
        }
        bytes += size;
        current.push(item);
    }
    if !current.is_empty() {
        out.push(wrap(current));
    }
    Ok(out)
}

/// The items a Map iterates over.
fn map_items(
    scope: &Scope<'_>,
    m: &MapState,
    lang: QueryLanguage,
    effective: &Value,
) -> Result<Vec<Value>, EvalError> {
    match lang {
        QueryLanguage::JsonPath => {
            let items = match &m.items_path {
                Some(p) if !p.is_root() => {
                    let env = scope.env(effective);
                    p.select(&env)
                        .map_err(|miss| {
                            EvalError::runtime(message::invalid_path(p.source(), miss))
                        })?
                        .into_owned()
                }
                _ => effective.clone(),
            };
            match items {
                Value::Array(a) => Ok(a),
                _ => {
                    let p = m.items_path.as_ref().map_or("$", |p| p.source());
                    Err(EvalError::runtime(format!(
                        "Reference path \"{p}\" must point to array."
                    )))
                }
            }
        }
        QueryLanguage::Jsonata => match &m.items {
            Some(t) => match t.eval(&scope.jsonata(effective, None, None), "Items")? {
                Value::Array(a) => Ok(a),
                other => Err(EvalError::query(
                    message::unexpected_jsonata_result(
                        io::strip_braces(t.to_value().as_str().unwrap_or_default()),
                        "Items",
                        "array",
                        &other,
                    ),
                    Some("Items".into()),
                )),
            },
            None => match effective {
                Value::Array(a) => Ok(a.clone()),
                other => Err(EvalError::query(
                    format!("Map state input must be an array but was: {other}"),
                    None,
                )),
            },
        },
    }
}
