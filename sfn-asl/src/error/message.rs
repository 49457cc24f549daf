//! AWS's wording of the messages that more than one place writes: execution failure causes and
//! validation findings. The text is part of the contract (recorded executions compare causes
//! byte for byte), so each one is written once, here.
//!
//! ```
//! use serde_json::json;
//! use sfn_asl::error::message;
//!
//! assert_eq!(message::json_type(&json!([1])), "array");
//! assert_eq!(message::invalid_path("$.a", "No results for path: $['a']"),
//!            "Invalid path '$.a' : No results for path: $['a']");
//! ```

use std::fmt::Display;

use serde_json::Value;

/// The name of a JSON value's type as AWS prints it (`null`, `boolean`, `number`, `string`,
/// `array`, `object`), in JSONPath and JSONata messages alike.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The cause of `States.DataLimitExceeded`: `who` (a state, or `input`) produced more than
/// 256 KiB.
pub fn data_limit_exceeded(who: &str) -> String {
    format!(
        "The state/task '{who}' returned a result with a size exceeding the maximum number of \
         bytes service limit."
    )
}

/// The cause when a path of a state (`InputPath`, `ItemsPath`, a `…Path` field) selects nothing.
pub fn invalid_path(path: &str, miss: impl Display) -> String {
    format!("Invalid path '{path}' : {miss}")
}

/// Why a `ResultPath` cannot be written into the state's input.
pub fn unable_to_apply_reference_path(path: &str) -> String {
    format!("Unable to apply ReferencePath {path} to input")
}

/// The cause when a Wait `Timestamp` is not an RFC 3339 date-time.
pub fn timestamp_unparsable(text: &str) -> String {
    format!(
        "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format \
         string: {text}"
    )
}

/// The cause when a JSONata expression of a typed field (`Items`, `TimeoutSeconds`, ...)
/// returns a value of the wrong type.
pub fn unexpected_jsonata_result(
    expression: &str,
    field: &str,
    expected: &str,
    value: &Value,
) -> String {
    format!(
        "The JSONata expression '{expression}' specified for the field '{field}' returned an \
         unexpected result type. Expected '{expected}', but was '{}' for value: {value}",
        json_type(value)
    )
}

/// The cause when a Fail state's `ErrorPath` or `CausePath` selects something other than a
/// string (AWS requires a string there; a missing path has its own recorded text).
pub fn fail_path_not_a_string(path: &str, field: &str, value: &Value) -> String {
    format!(
        "The JSONPath '{path}' specified for the field '{field}' must select a string, but \
         selected a value of type '{}': {value}",
        json_type(value)
    )
}

/// A Map's `ToleratedFailurePercentage` out of range (validation and run time).
pub const TOLERATED_FAILURE_PERCENTAGE_RANGE: &str =
    "ToleratedFailurePercentage must be between 0 and 100.";

/// A string field that must not be empty.
pub const VALUE_CANNOT_BE_EMPTY: &str = "Value cannot be empty";

/// A path field that does not parse as JSONPath.
pub const NOT_A_VALID_JSONPATH: &str = "Value is not a valid JSONPath";

/// A `ResultPath` that is not a reference path (one node, no filters or wildcards).
pub const NOT_A_REFERENCE_PATH: &str = "Value is not a Reference Path";

/// A `{% %}` string whose body does not parse.
pub const INVALID_JSONATA_EXPRESSION: &str = "Invalid JSONata expression";

/// A `.$` field of a payload template whose value is neither a path nor an intrinsic call.
pub fn not_a_path_or_intrinsic(field: &str) -> String {
    format!(
        "The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function \
         call"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_read_as_aws_writes_them() {
        assert_eq!(
            data_limit_exceeded("input"),
            "The state/task 'input' returned a result with a size exceeding the maximum number of bytes service limit."
        );
        assert_eq!(
            unexpected_jsonata_result("$x", "Items", "array", &json!("s")),
            "The JSONata expression '$x' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'string' for value: \"s\""
        );
        assert_eq!(
            timestamp_unparsable("soon"),
            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: soon"
        );
        assert_eq!(
            not_a_path_or_intrinsic("a.$"),
            "The value for the field 'a.$' must be a valid JSONPath or a valid intrinsic function call"
        );
        let types: Vec<&str> = [
            json!(null),
            json!(true),
            json!(1),
            json!("s"),
            json!([]),
            json!({}),
        ]
        .iter()
        .map(json_type)
        .collect();
        assert_eq!(
            types,
            ["null", "boolean", "number", "string", "array", "object"]
        );
    }
}
