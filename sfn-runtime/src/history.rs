//! Execution history: the events of Step Functions' `GetExecutionHistory`, with AWS's ids.
//!
//! Every event has an `id` (from 1) and a `previousEventId`; the engine numbers events even when
//! recording is off, because failure causes name the event id at which a state was entered.
//!
//! ```
//! use sfn_runtime::history::{EventType, HistoryEvent};
//! let e = HistoryEvent {
//!     id: 1,
//!     previous_event_id: 0,
//!     timestamp: 0,
//!     event_type: EventType::ExecutionStarted,
//!     details: serde_json::json!({"input": {}}),
//! };
//! assert_eq!(e.to_aws_json()["type"], "ExecutionStarted");
//! ```

use serde::{Deserialize, Serialize};
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

/// One history event. `details` holds the `<type>EventDetails` object with `input`/`output`/
/// `parameters` kept as JSON values; [`HistoryEvent::to_aws_json`] turns them into JSON text as
/// AWS sends them.
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
    /// The details object (`Value::Null` when the type has none).
    pub details: Value,
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
            if let Value::Object(map) = &mut details {
                for field in ["input", "output", "parameters"] {
                    if let Some(v) = map.get_mut(field) {
                        *v = Value::String(v.to_string());
                    }
                }
            }
            out.insert(key.into(), details);
        }
        Value::Object(out)
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
