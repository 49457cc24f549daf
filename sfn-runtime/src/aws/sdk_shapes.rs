//! The shapes of `aws-sdk:` requests and results on the AWS JSON protocols: the state's
//! parameters as the wire takes them, the answer as the SDK v2 gives it.

use serde_json::Value;

use super::services::ModelNotes;

/// The request as the wire takes it: members set to `null` left out (the SDK sends no unset
/// member), JSON given for a JSON-text member written as its text, names in the wire's case.
pub(crate) fn to_wire(model: &ModelNotes, value: Value, top: bool) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let v = match (top && model.json_text.contains(&k.as_str()), v) {
                        (
                            true,
                            v @ (Value::Object(_)
                            | Value::Array(_)
                            | Value::Number(_)
                            | Value::Bool(_)),
                        ) => Value::String(v.to_string()),
                        (_, v) => to_wire(model, v, false),
                    };
                    let k = match model.camel_case_wire {
                        true => first_char(&k, char::to_ascii_lowercase),
                        false => k,
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(|v| to_wire(model, v, false)).collect()),
        other => other,
    }
}

/// The answer as the SDK v2 gives it: names in the SDK's case, timestamps as ISO-8601 text,
/// members the wire sets to `null` left out (the SDK leaves them unset).
pub(crate) fn from_wire(model: &ModelNotes, value: Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let k = match model.camel_case_wire {
                        true => first_char(&k, char::to_ascii_uppercase),
                        false => k,
                    };
                    let v = match (model.timestamps.contains(&k.as_str()), v) {
                        (true, Value::Number(n)) => n
                            .as_f64()
                            .and_then(iso_instant)
                            .map_or(Value::Number(n), Value::String),
                        (_, v) => from_wire(model, v),
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(|v| from_wire(model, v)).collect()),
        other => other,
    }
}

fn first_char(s: &str, f: fn(&char) -> char) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        std::iter::once(f(&c)).chain(chars).collect()
    })
}

/// Epoch seconds as Java's `Instant.toString()` writes them: `2024-01-01T00:00:00.123Z`, the
/// fraction left out when it is zero.
pub(crate) fn iso_instant(seconds: f64) -> Option<String> {
    let millis = (seconds * 1000.0).round();
    if !millis.is_finite() {
        return None;
    }
    // In range: checked above to be finite; `from_timestamp_millis` refuses the rest.
    #[allow(clippy::cast_possible_truncation)]
    let t = chrono::DateTime::from_timestamp_millis(millis as i64)?;
    Some(match t.timestamp_subsec_millis() {
        0 => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        _ => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::services;

    #[test]
    fn sfn_members_are_camel_case_on_the_wire_and_dates_iso_text() {
        let model = &services::SFN.model;
        let wire = to_wire(
            model,
            serde_json::json!({"StateMachineArn": "a", "Input": {"k": 1}, "Name": null}),
            true,
        );
        assert_eq!(
            wire,
            serde_json::json!({"stateMachineArn": "a", "input": "{\"k\":1}"})
        );
        let result = from_wire(
            model,
            serde_json::json!({"executionArn": "e", "startDate": 1704067200.5}),
        );
        assert_eq!(
            result,
            serde_json::json!({"ExecutionArn": "e", "StartDate": "2024-01-01T00:00:00.500Z"})
        );
        assert_eq!(
            iso_instant(1704067200.0).as_deref(),
            Some("2024-01-01T00:00:00Z")
        );
    }
}
