//! Execution history: the events of Step Functions' `GetExecutionHistory`, with AWS's ids.
//!
//! Every event has an `id` (from 1) and a `previousEventId`; the engine numbers events even when
//! recording is off, because failure causes name the event id at which a state was entered.
//!
//! ```
//! use sfn_runtime::history::{EventData, EventType, HistoryEvent};
//! let e = HistoryEvent {
//!     id: 1,
//!     previous_event_id: 0,
//!     timestamp: 0,
//!     event_type: EventType::ExecutionStarted,
//!     details: serde_json::json!({"inputDetails": {"truncated": false}}),
//!     data: Some(EventData::new("input", "{}")),
//! };
//! let aws = e.to_aws_json();
//! assert_eq!(aws["type"], "ExecutionStarted");
//! assert_eq!(aws["executionStartedEventDetails"]["input"], "{}");
//! ```

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

macro_rules! event_types {
    ($($name:ident => $details:literal,)*) => {
        /// The `type` of a history event.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum EventType { $(#[doc = stringify!($name)] $name,)* }

        impl EventType {
            /// The AWS spelling (`TaskStateEntered`).
            pub fn as_str(self) -> &'static str {
                match self { $(EventType::$name => stringify!($name),)* }
            }
            /// The key holding the details object (`stateEnteredEventDetails`), `""` when the
            /// event has none.
            pub fn details_key(self) -> &'static str {
                match self { $(EventType::$name => $details,)* }
            }
            /// Parses the AWS spelling.
            pub fn from_name(s: &str) -> Option<EventType> {
                match s { $(stringify!($name) => Some(EventType::$name),)* _ => None }
            }
        }
    };
}

event_types! {
    ExecutionStarted => "executionStartedEventDetails",
    ExecutionSucceeded => "executionSucceededEventDetails",
    ExecutionFailed => "executionFailedEventDetails",
    ExecutionTimedOut => "executionTimedOutEventDetails",
    ExecutionAborted => "executionAbortedEventDetails",
    ExecutionRedriven => "executionRedrivenEventDetails",
    TaskStateEntered => "stateEnteredEventDetails",
    PassStateEntered => "stateEnteredEventDetails",
    ChoiceStateEntered => "stateEnteredEventDetails",
    WaitStateEntered => "stateEnteredEventDetails",
    SucceedStateEntered => "stateEnteredEventDetails",
    FailStateEntered => "stateEnteredEventDetails",
    ParallelStateEntered => "stateEnteredEventDetails",
    MapStateEntered => "stateEnteredEventDetails",
    TaskStateExited => "stateExitedEventDetails",
    PassStateExited => "stateExitedEventDetails",
    ChoiceStateExited => "stateExitedEventDetails",
    WaitStateExited => "stateExitedEventDetails",
    SucceedStateExited => "stateExitedEventDetails",
    ParallelStateExited => "stateExitedEventDetails",
    MapStateExited => "stateExitedEventDetails",
    TaskStateAborted => "",
    WaitStateAborted => "",
    ParallelStateAborted => "",
    MapStateAborted => "",
    TaskScheduled => "taskScheduledEventDetails",
    TaskStarted => "taskStartedEventDetails",
    TaskSubmitted => "taskSubmittedEventDetails",
    TaskSucceeded => "taskSucceededEventDetails",
    TaskFailed => "taskFailedEventDetails",
    TaskTimedOut => "taskTimedOutEventDetails",
    ActivityScheduled => "activityScheduledEventDetails",
    ActivityStarted => "activityStartedEventDetails",
    ActivitySucceeded => "activitySucceededEventDetails",
    ActivityFailed => "activityFailedEventDetails",
    ActivityTimedOut => "activityTimedOutEventDetails",
    LambdaFunctionScheduled => "lambdaFunctionScheduledEventDetails",
    LambdaFunctionStarted => "",
    LambdaFunctionSucceeded => "lambdaFunctionSucceededEventDetails",
    LambdaFunctionFailed => "lambdaFunctionFailedEventDetails",
    LambdaFunctionTimedOut => "lambdaFunctionTimedOutEventDetails",
    ParallelStateStarted => "",
    ParallelStateSucceeded => "",
    ParallelStateFailed => "",
    MapStateStarted => "mapStateStartedEventDetails",
    MapStateSucceeded => "",
    MapStateFailed => "",
    MapIterationStarted => "mapIterationStartedEventDetails",
    MapIterationSucceeded => "mapIterationSucceededEventDetails",
    MapIterationFailed => "mapIterationFailedEventDetails",
    MapIterationAborted => "mapIterationAbortedEventDetails",
    MapRunStarted => "mapRunStartedEventDetails",
    MapRunSucceeded => "",
    MapRunFailed => "mapRunFailedEventDetails",
    MapRunRedriven => "mapRunRedrivenEventDetails",
    EvaluationFailed => "evaluationFailedEventDetails",
}

/// One history event. `details` holds the `<type>EventDetails` object; the event's payload
/// (`input`, `output` or `parameters`) is kept apart in `data`, as JSON text shared with the
/// other events that carry the same payload (a state's output is the next state's input; a
/// loop passes one payload around). [`HistoryEvent::to_aws_json`] puts it back as AWS sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEvent {
    /// `id`, from 1.
    pub id: u64,
    /// `previousEventId` (0 for the first events).
    pub previous_event_id: u64,
    /// Milliseconds since the Unix epoch (virtual time under a paused tokio clock).
    pub timestamp: u64,
    /// `type`.
    pub event_type: EventType,
    /// The details object, its payload field `null` (`Value::Null` when the type has none).
    pub details: Value,
    /// The payload, when the event carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<EventData>,
}

/// An event's payload: which field of the details it is, and its JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventData {
    /// `input`, `output` or `parameters`.
    pub field: String,
    /// The JSON text, shared between events (cut when `<field>Details.truncated` is true).
    #[serde(serialize_with = "text_out", deserialize_with = "text_in")]
    pub text: Arc<str>,
}

impl EventData {
    /// A payload of `field` with its JSON text.
    pub fn new(field: &str, text: &str) -> Self {
        EventData {
            field: field.to_owned(),
            text: Arc::from(text),
        }
    }
}

fn text_out<S: Serializer>(text: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(text)
}

fn text_in<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    String::deserialize(d).map(Arc::from)
}

impl HistoryEvent {
    /// The event as `GetExecutionHistory` returns it: `input`, `output` and `parameters` as JSON
    /// text, the details under their type-specific key.
    pub fn to_aws_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), self.id.into());
        out.insert("previousEventId".into(), self.previous_event_id.into());
        out.insert("timestamp".into(), self.timestamp.into());
        out.insert("type".into(), self.event_type.as_str().into());
        let key = self.event_type.details_key();
        if !key.is_empty() {
            let mut details = self.details.clone();
            if let (Value::Object(map), Some(data)) = (&mut details, &self.data) {
                let text = Value::String(data.text.to_string());
                map.insert(data.field.clone(), text);
            }
            out.insert(key.into(), details);
        }
        Value::Object(out)
    }

    /// The payload as a JSON value (`None` when the event has none, or it was truncated).
    pub fn data_value(&self) -> Option<Value> {
        self.data
            .as_ref()
            .and_then(|d| serde_json::from_str(&d.text).ok())
    }
}

/// The payload fields of event details, in the order they are looked for.
const DATA_FIELDS: [&str; 3] = ["input", "output", "parameters"];

/// What a payload keeps of its text once the history's budget is spent.
const TRUNCATED_CHARS: usize = 1024;

/// Turns payload values into shared text as events are recorded: a payload equal to the last
/// one shares its text. Once the events hold `budget` bytes of payload text (counted per event,
/// as `GetExecutionHistory` would return them), further inputs and outputs are cut to 1 KiB
/// (`<field>Details.truncated: true`), so a long history of large payloads bounds both the
/// memory it takes and the text it prints.
#[derive(Debug)]
pub(crate) struct DataCache {
    /// The last payload and the text its events carry.
    last: Option<(Value, Kept)>,
    held: usize,
    budget: usize,
}

/// The text of a payload: whole, or cut once the budget was spent.
#[derive(Debug, Clone)]
enum Kept {
    Whole(Arc<str>),
    Cut(Arc<str>),
}

impl DataCache {
    /// A cache for an execution whose events already hold `held` bytes of payload text (0 for
    /// a new one; see [`held`](Self::held)): a restored execution cuts its later events exactly
    /// where an uninterrupted run does.
    pub(crate) fn resumed(budget: usize, held: usize) -> Self {
        DataCache {
            last: None,
            held,
            budget,
        }
    }

    /// The payload text the events hold so far, counted against the budget.
    pub(crate) fn held(&self) -> usize {
        self.held
    }

    /// Moves the payload out of `details` (a details object as the engine builds it, with the
    /// payload as a JSON value) into shared text.
    pub(crate) fn extract(&mut self, details: &mut Value) -> Option<EventData> {
        let Value::Object(map) = details else {
            return None;
        };
        let field = DATA_FIELDS.into_iter().find(|f| map.contains_key(*f))?;
        // `null` keeps the field's place, where `to_aws_json` puts the text back.
        let value = std::mem::take(map.get_mut(field)?);
        self.record(map, field, Cow::Owned(value))
    }

    /// The payload of `details`: `value` when given beside them ([`share`](Self::share)), else
    /// the one they hold ([`extract`](Self::extract)).
    pub(crate) fn payload(
        &mut self,
        details: &mut Value,
        value: Option<&Value>,
    ) -> Option<EventData> {
        match value {
            Some(v) => self.share(details, v),
            None => self.extract(details),
        }
    }

    /// The shared text of `value`, the payload of `details` (built with a `null` in the payload
    /// field's place, as [`io_details`] does): the value is only borrowed, and copied only when
    /// it differs from the last payload (the next event's is usually the same).
    pub(crate) fn share(&mut self, details: &mut Value, value: &Value) -> Option<EventData> {
        let Value::Object(map) = details else {
            return None;
        };
        let field = DATA_FIELDS.into_iter().find(|f| map.contains_key(*f))?;
        self.record(map, field, Cow::Borrowed(value))
    }

    fn record(
        &mut self,
        map: &mut Map<String, Value>,
        field: &'static str,
        value: Cow<'_, Value>,
    ) -> Option<EventData> {
        let flag = format!("{field}Details");
        // Only a field with a `<field>Details` flag (not `parameters`) can say it was cut.
        let can_cut = map.contains_key(&flag);
        let room = self.budget.saturating_sub(self.held);
        let kept = match &self.last {
            Some((last, kept)) if *last == *value => Some(kept.clone()),
            _ => None,
        };
        let text = match kept {
            Some(Kept::Whole(text)) if text.len() <= room || !can_cut => {
                self.held = self.held.saturating_add(text.len());
                text
            }
            Some(Kept::Whole(text)) => {
                let cut: Arc<str> =
                    Arc::from(text.chars().take(TRUNCATED_CHARS).collect::<String>());
                self.held = self.budget;
                self.last = Some((value.into_owned(), Kept::Cut(cut.clone())));
                cut
            }
            Some(Kept::Cut(cut)) if can_cut => cut,
            _ => self.first_text(value, room, can_cut),
        };
        if can_cut && matches!(&self.last, Some((_, Kept::Cut(c))) if Arc::ptr_eq(c, &text)) {
            map.insert(flag, serde_json::json!({"truncated": true}));
        }
        Some(EventData {
            field: field.to_owned(),
            text,
        })
    }

    /// The text of a payload unlike the last one: whole while the budget lasts, else a prefix
    /// (written no further than the budget: one pass measures and writes).
    fn first_text(&mut self, value: Cow<'_, Value>, room: usize, can_cut: bool) -> Arc<str> {
        let mut whole = Capped {
            buf: Vec::new(),
            cap: room,
        };
        // Any JSON text takes a byte: a spent budget needs no writing.
        let fits = room > 0 && serde_json::to_writer(&mut whole, &*value).is_ok();
        if !fits && can_cut {
            // Spent: later payloads are cut without being measured.
            self.held = self.budget;
            let cut: Arc<str> = Arc::from(text_prefix(&value));
            self.last = Some((value.into_owned(), Kept::Cut(cut.clone())));
            return cut;
        }
        let text: Arc<str> = match (fits, std::str::from_utf8(&whole.buf)) {
            (true, Ok(text)) => Arc::from(text),
            _ => Arc::from(value.to_string()),
        };
        self.held = self.held.saturating_add(text.len());
        self.last = Some((value.into_owned(), Kept::Whole(text.clone())));
        text
    }
}

/// Takes bytes up to its capacity, then refuses more, which stops the serializer.
struct Capped {
    buf: Vec<u8>,
    cap: usize,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + buf.len() > self.cap {
            return Err(std::io::Error::other("over the history's budget"));
        }
        self.buf.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A copy of `value` whose JSON text starts with the same `*left` characters: strings are cut
/// to that many characters, and members past it are left out (each takes a character at least).
fn pruned(value: &Value, left: &mut usize) -> Value {
    match value {
        Value::String(s) => {
            let cut: String = s.chars().take(*left).collect();
            *left = left.saturating_sub(cut.chars().count());
            Value::String(cut)
        }
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                if *left == 0 {
                    break;
                }
                *left -= 1;
                out.push(pruned(item, left));
            }
            Value::Array(out)
        }
        Value::Object(members) => {
            let mut out = Map::new();
            for (key, item) in members {
                if *left == 0 {
                    break;
                }
                *left = left.saturating_sub(1 + key.chars().count().min(*left));
                out.insert(key.clone(), pruned(item, left));
            }
            Value::Object(out)
        }
        scalar => {
            *left = left.saturating_sub(1);
            scalar.clone()
        }
    }
}

/// The first [`TRUNCATED_CHARS`] characters of `value`'s JSON text; the rest is never written.
fn text_prefix(value: &Value) -> String {
    /// Takes bytes up to its capacity, then refuses more, which stops the serializer.
    struct Upto(Vec<u8>, usize);
    impl std::io::Write for Upto {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let room = self.1.saturating_sub(self.0.len());
            if room == 0 {
                return Err(std::io::Error::other("the prefix is full"));
            }
            let n = buf.len().min(room);
            self.0.extend_from_slice(buf.get(..n).unwrap_or_default());
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    // Four bytes a character at most: the prefix holds TRUNCATED_CHARS whole characters.
    let mut w = Upto(Vec::new(), TRUNCATED_CHARS * 4);
    // Stops with an error once the prefix is full: that is the point. The pruned copy starts
    // with the same characters and costs no more than the prefix to write.
    let mut left = TRUNCATED_CHARS;
    let _ = serde_json::to_writer(&mut w, &pruned(value, &mut left));
    // A character cut at the end becomes U+FFFD, beyond the characters kept.
    let mut text = String::from_utf8_lossy(&w.0).into_owned();
    crate::limits::truncate_chars(&mut text, TRUNCATED_CHARS);
    text
}

/// Builds a `{"input": null, "inputDetails": {"truncated": false}, "name": ..}` style object:
/// the payload's place is held by `null`, for [`DataCache::share`] to fill from the value it is
/// given beside.
pub(crate) fn io_details(name: Option<&str>, key: &str) -> Value {
    let mut m = Map::new();
    m.insert(key.into(), Value::Null);
    m.insert(
        format!("{key}Details"),
        serde_json::json!({"truncated": false}),
    );
    if let Some(name) = name {
        m.insert("name".into(), name.into());
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_prefix_keeps_whole_characters() {
        let v = json!({"k": "é".repeat(5000)});
        let p = text_prefix(&v);
        assert_eq!(p.chars().count(), TRUNCATED_CHARS);
        assert!(p.starts_with("{\"k\":\"éé"));
        assert_eq!(text_prefix(&json!([1, 2])), "[1,2]");
        // The prefix of a pruned copy is the prefix of the whole text.
        for v in [
            json!([[1, 2, 3], {"a": "b".repeat(3000)}, "c".repeat(900)]),
            json!({"k": (0..3000).collect::<Vec<u32>>()}),
            json!({"x\"y": "\u{1}".repeat(2000)}),
        ] {
            let whole: String = v.to_string().chars().take(TRUNCATED_CHARS).collect();
            assert_eq!(text_prefix(&v), whole);
        }
    }
}
