//! Canonical JSON emission. (Placeholder.)

use serde_json::Value;

use crate::model::StateMachine;

/// The definition as a JSON value.
pub fn emit_value(m: &StateMachine) -> Value {
    serde_json::json!({ "StartAt": m.start_at })
}

/// The definition as pretty JSON text.
pub fn emit(m: &StateMachine) -> String {
    serde_json::to_string_pretty(&emit_value(m)).unwrap_or_default()
}
