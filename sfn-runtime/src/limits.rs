//! Service limits AWS enforces and the engine enforces the same way: payload size, error and
//! cause length, execution duration, variable sizes.
//!
//! ```
//! use sfn_runtime::limits::{MAX_CAUSE_CHARS, MAX_PAYLOAD_BYTES, STANDARD_MAX_SECONDS};
//! assert_eq!(MAX_PAYLOAD_BYTES, 256 * 1024);
//! assert_eq!(MAX_CAUSE_CHARS, 32_768);
//! assert_eq!(STANDARD_MAX_SECONDS, 31_622_400);
//! ```

use serde_json::Value;

/// The largest input/output/result a state may carry, in UTF-8 bytes of its JSON text.
pub const MAX_PAYLOAD_BYTES: usize = 262_144;

/// The deepest a payload may nest. Deeper values only come from the data flow nesting a payload
/// into itself (`"Parameters": {"a.$": "$"}` in a loop); the payload limits treat one as over
/// the size limit (`States.DataLimitExceeded`), before copying or dropping it could exhaust the
/// native stack. JSON read from outside nests at most 128 levels (the parser's limit), JSONata
/// values 1,000.
pub const MAX_PAYLOAD_DEPTH: usize = 1_000;

/// The largest value one variable may hold, in bytes of its JSON text.
pub const MAX_VARIABLE_BYTES: usize = 262_144;

/// The most one `Assign` may store, in bytes of its values' JSON text.
pub const MAX_ASSIGN_BYTES: usize = 262_144;

/// The most all variables of an execution may hold, in bytes of their values' JSON text.
pub const MAX_VARIABLES_BYTES: usize = 10 * 1024 * 1024;

/// The longest error name an event or outcome carries, in characters (the API's limit).
pub const MAX_ERROR_CHARS: usize = 256;

/// The longest cause an event or outcome carries, in characters (the API's limit).
pub const MAX_CAUSE_CHARS: usize = 32_768;

/// The longest a Standard execution runs, in seconds: one year, counted as a leap year's 366
/// days (the same bound as `MaxDelaySeconds`), after which it ends `TIMED_OUT` with
/// `States.Timeout`.
pub const STANDARD_MAX_SECONDS: u64 = 366 * 24 * 60 * 60;

/// How long after it stopped an execution can be redriven, in seconds: 14 days.
pub const REDRIVABLE_PERIOD_SECONDS: u64 = 14 * 24 * 60 * 60;

/// `text` cut to at most `max` characters (on a character boundary).
pub(crate) fn truncate_chars(text: &mut String, max: usize) {
    // A string of at most `max` bytes has at most `max` characters: the common case is free.
    if text.len() <= max {
        return;
    }
    if let Some((end, _)) = text.char_indices().nth(max) {
        text.truncate(end);
    }
}

/// An upper bound on the JSON size of a payload, kept with it from state to state (`None`:
/// unknown). A state's output bound is its input's plus what it added, so the payload check
/// walks a value only when the bound passes the limit, not on every transition.
pub(crate) type SizeBound = Option<usize>;

/// `Some(bound)` within `limit` when `value` fits (walking it only when `bound` does not show
/// it), `None` when it is over.
pub(crate) fn fits(value: &Value, bound: SizeBound, limit: usize) -> Option<usize> {
    match bound {
        Some(b) if b <= limit => Some(b),
        _ => {
            let n = json_size(value, limit);
            (n <= limit).then_some(n)
        }
    }
}

/// The length in bytes of `value` serialized compactly, counting stops soon after `limit`
/// (so a huge value costs no more than the limit to measure). Recursion covers the usual
/// depths without allocating; deeper parts go to an explicit stack, so a deep value cannot
/// overflow the call stack.
pub(crate) fn json_size(value: &Value, limit: usize) -> usize {
    let mut total = 0;
    add_size(value, limit, 0, &mut total);
    total
}

/// Nesting measured by recursion; below it, [`json_size_deep`].
const RECURSION_DEPTH: usize = 64;

fn add_size(value: &Value, limit: usize, depth: usize, total: &mut usize) {
    if *total > limit {
        return;
    }
    if depth >= RECURSION_DEPTH {
        *total = total.saturating_add(json_size_deep(value, limit.saturating_sub(*total)));
        return;
    }
    match value {
        Value::Array(a) => {
            *total = total.saturating_add(2 + a.len().saturating_sub(1));
            for v in a {
                add_size(v, limit, depth + 1, total);
            }
        }
        Value::Object(m) => {
            *total = total.saturating_add(2 + m.len().saturating_sub(1));
            for (k, v) in m {
                *total = total.saturating_add(string_len(k) + 1);
                add_size(v, limit, depth + 1, total);
            }
        }
        scalar => *total = total.saturating_add(scalar_len(scalar)),
    }
}

fn scalar_len(v: &Value) -> usize {
    match v {
        Value::Null | Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Number(n) => number_len(n),
        Value::String(s) => string_len(s),
        Value::Array(_) | Value::Object(_) => 0,
    }
}

/// [`json_size`] with an explicit stack. A value nested deeper than [`MAX_PAYLOAD_DEPTH`]
/// (counted from where the recursion handed over) measures `usize::MAX`: over every limit.
fn json_size_deep(value: &Value, limit: usize) -> usize {
    let mut total = 0usize;
    let mut stack: Vec<(&Value, usize)> = vec![(value, RECURSION_DEPTH)];
    while let Some((v, depth)) = stack.pop() {
        if depth > MAX_PAYLOAD_DEPTH {
            return usize::MAX;
        }
        total += match v {
            Value::Array(a) => {
                stack.extend(a.iter().map(|v| (v, depth + 1)));
                2 + a.len().saturating_sub(1)
            }
            Value::Object(m) => {
                let mut n = 2 + m.len().saturating_sub(1);
                for (k, v) in m {
                    n += string_len(k) + 1;
                    stack.push((v, depth + 1));
                }
                n
            }
            scalar => scalar_len(scalar),
        };
        if total > limit {
            return total;
        }
    }
    total
}

fn number_len(n: &serde_json::Number) -> usize {
    if let Some(u) = n.as_u64() {
        digits(u)
    } else if let Some(i) = n.as_i64() {
        1 + digits(i.unsigned_abs())
    } else {
        n.to_string().len()
    }
}

fn digits(mut u: u64) -> usize {
    let mut d = 1;
    while u >= 10 {
        u /= 10;
        d += 1;
    }
    d
}

fn string_len(s: &str) -> usize {
    let mut n = 2 + s.len();
    for b in s.bytes() {
        match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => n += 1,
            0..=0x1f => n += 5,
            _ => {}
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn size_matches_serialization() {
        for v in [
            json!(null),
            json!({"a": [1, -20, 3.5, true, false, null], "b\"c": "x\ny\u{1}é"}),
            json!([]),
            json!({}),
            json!([[], {}, ""]),
        ] {
            assert_eq!(json_size(&v, usize::MAX), v.to_string().len(), "{v}");
        }
    }

    #[test]
    fn counts_compact_text() {
        assert_eq!(json_size(&json!({"a": "b"}), usize::MAX), 9);
    }

    #[test]
    fn a_bound_within_the_limit_spares_the_walk() {
        let v = json!("a".repeat(100));
        // A (wrong) small bound is trusted: the value is not walked.
        assert_eq!(fits(&v, Some(5), 50), Some(5));
        assert_eq!(fits(&v, None, 50), None);
        assert_eq!(fits(&v, Some(500), 200), Some(102));
    }

    #[test]
    fn deep_values_are_measured_without_recursing_to_the_bottom() {
        let mut v = json!(1);
        for _ in 0..MAX_PAYLOAD_DEPTH {
            v = Value::Array(vec![v]);
        }
        assert_eq!(json_size(&v, usize::MAX), 2 * MAX_PAYLOAD_DEPTH + 1);
        // One level more is over every limit, however small.
        v = Value::Array(vec![v]);
        assert_eq!(json_size(&v, usize::MAX), usize::MAX);
        for _ in 0..10_000 {
            v = Value::Array(vec![v]);
        }
        assert_eq!(json_size(&v, usize::MAX), usize::MAX);
        // Beside other members, too.
        // (Built by hand: `json!` would copy `v` through serde, recursively.)
        let mut beside = json!({"after": "x", "more": [1, 2]});
        beside["deep"] = v;
        assert_eq!(json_size(&beside, usize::MAX), usize::MAX);
        v = beside["deep"].take();
        // Dropping it recursively would overflow; unwind by hand.
        while let Value::Array(mut a) = v {
            v = a.pop().unwrap_or_default();
        }
    }

    #[test]
    fn truncation_counts_characters() {
        let mut s = "é".repeat(10);
        truncate_chars(&mut s, 10);
        assert_eq!(s.chars().count(), 10);
        truncate_chars(&mut s, 3);
        assert_eq!(s, "ééé");
        let mut short = String::from("ab");
        truncate_chars(&mut short, 5);
        assert_eq!(short, "ab");
    }

    #[test]
    fn stops_early() {
        let v = json!(["a".repeat(100), "b".repeat(100)]);
        assert!(json_size(&v, 10) > 10);
        assert!(json_size(&v, 10) < 150);
    }
}
