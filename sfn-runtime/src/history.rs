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
/// one shares its text, and once `budget` bytes of distinct text are held, further inputs and
/// outputs are cut (`<field>Details.truncated: true`) so a long history cannot exhaust memory.
#[derive(Debug)]
pub(crate) struct DataCache {
    last: Option<(Value, Arc<str>)>,
    held: usize,
    budget: usize,
}

impl DataCache {
    pub(crate) fn new(budget: usize) -> Self {
        DataCache {
            last: None,
            held: 0,
            budget,
        }
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
        if let Some((last, text)) = &self.last {
            if *last == value {
                let text = text.clone();
                return Some(EventData {
                    field: field.to_owned(),
                    text,
                });
            }
        }
        let mut text = value.to_string();
        let flag = format!("{field}Details");
        // Only a field with a `<field>Details` flag (not `parameters`) can say it was cut.
        if self.held.saturating_add(text.len()) > self.budget && map.contains_key(&flag) {
            crate::limits::truncate_chars(&mut text, TRUNCATED_CHARS);
            map.insert(flag, serde_json::json!({"truncated": true}));
        } else {
            self.held = self.held.saturating_add(text.len());
        }
        let text: Arc<str> = Arc::from(text);
        self.last = Some((value, text.clone()));
        Some(EventData {
            field: field.to_owned(),
            text,
        })
    }
}

/// Builds a `{"input": .., "inputDetails": {"truncated": false}, "name": ..}` style object.
pub(crate) fn io_details(name: Option<&str>, key: &str, value: &Value) -> Value {
    let mut m = Map::new();
    m.insert(key.into(), value.clone());
    m.insert(
        format!("{key}Details"),
        serde_json::json!({"truncated": false}),
    );
    if let Some(name) = name {
        m.insert("name".into(), name.into());
    }
    Value::Object(m)
}
