//! Canonical JSON emission: model → ASL, in the field order the AWS documentation uses
//! (`Type` first, `Next`/`End` last), states in definition order.
//!
//! Emission is the inverse of [`crate::parse`]: `parse(emit(m)) == m`, and a parsed document
//! emits back to the same JSON value (absent and `null` fields stay apart, numbers keep their
//! spelling).
//!
//! ```
//! let doc = r#"{"StartAt":"Hi","States":{"Hi":{"Type":"Pass","Result":1,"End":true}}}"#;
//! let machine = sfn_asl::parse(doc).expect("valid");
//! let back: serde_json::Value = serde_json::from_str(doc).expect("json");
//! assert_eq!(sfn_asl::emit_value(&machine), back);
//! ```

mod states;

use serde_json::{Map, Value};

use crate::model::{Branch, StateMachine, States};

/// The definition as a JSON value.
pub fn emit_value(m: &StateMachine) -> Value {
    let mut o = Fields::default();
    o.put("Comment", m.comment.clone().map(Value::String));
    o.put("Version", m.version.clone().map(Value::String));
    o.put(
        "QueryLanguage",
        m.query_language.map(|q| Value::String(q.as_str().into())),
    );
    o.put("TimeoutSeconds", m.timeout_seconds.map(Value::from));
    o.put("StartAt", Some(Value::String(m.start_at.clone())));
    o.put("States", Some(states_value(&m.states)));
    o.into_value()
}

/// The definition as pretty JSON text.
pub fn emit(m: &StateMachine) -> String {
    // Serializing a `Value` cannot fail: its keys are strings and its numbers finite.
    serde_json::to_string_pretty(&emit_value(m)).unwrap_or_default()
}

/// A `States` object.
fn states_value(states: &States) -> Value {
    let mut map = Map::new();
    for (name, state) in states {
        map.insert(name.clone(), states::state_value(state));
    }
    Value::Object(map)
}

/// A Parallel branch.
fn branch_value(b: &Branch) -> Value {
    let mut o = Fields::default();
    o.put("Comment", b.comment.clone().map(Value::String));
    o.put("StartAt", Some(Value::String(b.start_at.clone())));
    o.put("States", Some(states_value(&b.states)));
    o.into_value()
}

/// An object under construction that skips absent fields.
#[derive(Default)]
struct Fields(Map<String, Value>);

impl Fields {
    fn put(&mut self, key: &str, value: Option<Value>) {
        if let Some(v) = value {
            self.0.insert(key.to_owned(), v);
        }
    }
    fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}
