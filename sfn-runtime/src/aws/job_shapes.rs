//! The shapes of the job integrations' requests and results.
//!
//! Step Functions takes the members of ECS and Batch requests in PascalCase (`TaskDefinition`,
//! `ContainerOverrides`) where the wire names them in camelCase, and answers with the Java SDK
//! v1's objects as Jackson writes them: PascalCase members, times as epoch milliseconds, unset
//! members left out. The keys of map members (a Batch job's `Parameters` and `Tags`, Glue's
//! `Arguments`) are the user's and keep their spelling both ways.

use serde_json::{Map, Value};

use super::services::ModelNotes;

/// Members whose value is a map of the user's keys, by their wire name.
pub(crate) const MAP_MEMBERS: &[&str] = &[
    "parameters",
    "tags",
    "options",
    "labels",
    "annotations",
    "dockerLabels",
    "Arguments",
    "DefaultArguments",
    "NonOverridableArguments",
];

/// The request as the wire takes it: names in the wire's case, `null` members left out.
pub(crate) fn to_wire(model: &ModelNotes, value: Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let k = match model.camel_case_wire {
                        true => first_char(&k, char::to_ascii_lowercase),
                        false => k,
                    };
                    let v = match (MAP_MEMBERS.contains(&k.as_str()), v) {
                        (true, Value::Object(map)) => Value::Object(map),
                        (_, v) => to_wire(model, v),
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(|v| to_wire(model, v)).collect()),
        other => other,
    }
}

/// The answer as the Java SDK v1 object Step Functions returns: PascalCase names, the model's
/// timestamps (epoch seconds on the wire) as epoch milliseconds, `null` members left out.
pub(crate) fn from_wire(model: &ModelNotes, value: Value) -> Value {
    match value {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                if v.is_null() {
                    continue;
                }
                let is_map = MAP_MEMBERS.contains(&k.as_str());
                let k = first_char(&k, char::to_ascii_uppercase);
                let v = match (is_map, v) {
                    (true, Value::Object(map)) => Value::Object(map),
                    (_, Value::Number(n)) if model.timestamps.contains(&k.as_str()) => n
                        .as_f64()
                        .and_then(epoch_millis)
                        .map_or(Value::Number(n), Value::from),
                    (_, v) => from_wire(model, v),
                };
                out.insert(k, v);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(|v| from_wire(model, v)).collect()),
        other => other,
    }
}

/// `DescribeExecution`'s answer as the Java SDK v1 object `states:startExecution.sync` returns:
/// PascalCase members, dates in epoch milliseconds, `Input` and `Output` parsed with `.sync:2`.
pub(crate) fn execution_description(body: &Value, parsed: bool) -> Value {
    let mut d = Map::new();
    let Value::Object(members) = body else {
        return Value::Object(d);
    };
    for (name, value) in members {
        if name.is_empty() {
            continue;
        }
        let value = match name.as_str() {
            "startDate" | "stopDate" | "redriveDate" => epoch_ms(value),
            "input" | "output" if parsed => value
                .as_str()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_else(|| value.clone()),
            "inputDetails" | "outputDetails" => pascal_keys(value),
            _ => value.clone(),
        };
        d.insert(first_char(name, char::to_ascii_uppercase), value);
    }
    // The Java SDK's objects list their members in alphabetical order.
    d.sort_keys();
    Value::Object(d)
}

/// `{"included": true}` → `{"Included": true}`.
fn pascal_keys(value: &Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (first_char(k, char::to_ascii_uppercase), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A JSON-protocol timestamp (epoch seconds, fractional) in epoch milliseconds; anything else,
/// or a time out of range, as it is.
pub(crate) fn epoch_ms(value: &Value) -> Value {
    value
        .as_f64()
        .and_then(epoch_millis)
        .map_or_else(|| value.clone(), Value::from)
}

/// Epoch seconds (with a fraction) as whole epoch milliseconds, as Jackson writes a `Date`.
fn epoch_millis(seconds: f64) -> Option<i64> {
    let millis = (seconds * 1000.0).round();
    // In range: checked to be finite and within i64 before the cast.
    #[allow(clippy::cast_possible_truncation)]
    (millis.is_finite() && millis.abs() < 9.0e18).then_some(millis as i64)
}

fn first_char(s: &str, f: fn(&char) -> char) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        std::iter::once(f(&c)).chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::services::{BATCH, ECS, GLUE};
    use serde_json::json;

    #[test]
    fn requests_are_camel_case_on_the_wire_with_map_keys_kept() {
        let wire = to_wire(
            &BATCH.model,
            json!({"JobName": "j", "Parameters": {"InputKey": "a"}, "Tags": {"Team": "x"},
                   "ContainerOverrides": {"Environment": [{"Name": "A", "Value": "1"}]},
                   "Timeout": null}),
        );
        assert_eq!(
            wire,
            json!({"jobName": "j", "parameters": {"InputKey": "a"}, "tags": {"Team": "x"},
                   "containerOverrides": {"environment": [{"name": "A", "value": "1"}]}})
        );
        let glue = to_wire(
            &GLUE.model,
            json!({"JobName": "j", "Arguments": {"--k": "v"}}),
        );
        assert_eq!(glue, json!({"JobName": "j", "Arguments": {"--k": "v"}}));
    }

    #[test]
    fn answers_are_pascal_case_with_times_in_milliseconds() {
        let task = from_wire(
            &ECS.model,
            json!({"taskArn": "t", "createdAt": 1704067200.123, "stopCode": null,
                   "containers": [{"exitCode": 0, "name": "c"}], "version": 2}),
        );
        assert_eq!(
            task,
            json!({"TaskArn": "t", "CreatedAt": 1704067200123_i64,
                   "Containers": [{"ExitCode": 0, "Name": "c"}], "Version": 2})
        );
        let job = from_wire(
            &BATCH.model,
            json!({"jobId": "1", "createdAt": 1704067200123_i64, "parameters": {"inputKey": "a"}}),
        );
        assert_eq!(
            job,
            json!({"JobId": "1", "CreatedAt": 1704067200123_i64, "Parameters": {"inputKey": "a"}})
        );
        let run = from_wire(&GLUE.model, json!({"Id": "r", "StartedOn": 1704067200.0}));
        assert_eq!(run, json!({"Id": "r", "StartedOn": 1704067200000_i64}));
    }

    #[test]
    fn executions_are_described_as_the_sdk_v1_writes_them() {
        let body = json!({"status": "SUCCEEDED", "startDate": 1704067200.5, "stopDate": 1e300,
            "input": "{\"a\":1}", "output": "not json", "inputDetails": {"included": true},
            "executionArn": "e", "": 1});
        assert_eq!(
            serde_json::to_string(&execution_description(&body, true)).expect("JSON"),
            r#"{"ExecutionArn":"e","Input":{"a":1},"InputDetails":{"Included":true},"Output":"not json","StartDate":1704067200500,"Status":"SUCCEEDED","StopDate":1e+300}"#
        );
        let text = execution_description(&body, false);
        assert_eq!(text["Input"], json!("{\"a\":1}"));
        assert_eq!(execution_description(&json!([1]), true), json!({}));
    }
}
