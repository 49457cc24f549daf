//! Service limits: payload size.

use serde_json::Value;

/// The largest input/output/result a state may carry, in UTF-8 bytes of its JSON text.
pub(crate) const MAX_PAYLOAD_BYTES: usize = 262_144;

/// The length in bytes of `value` serialized compactly, counting stops soon after `limit`
/// (so a huge value costs no more than the limit to measure). Walks the value without
/// allocating; an explicit stack keeps deep values from overflowing the call stack.
pub(crate) fn json_size(value: &Value, limit: usize) -> usize {
    let mut total = 0usize;
    let mut stack: Vec<&Value> = vec![value];
    while let Some(v) = stack.pop() {
        total += match v {
            Value::Null => 4,
            Value::Bool(true) => 4,
            Value::Bool(false) => 5,
            Value::Number(n) => number_len(n),
            Value::String(s) => string_len(s),
            Value::Array(a) => {
                stack.extend(a.iter());
                2 + a.len().saturating_sub(1)
            }
            Value::Object(m) => {
                let mut n = 2 + m.len().saturating_sub(1);
                for (k, v) in m {
                    n += string_len(k) + 1;
                    stack.push(v);
                }
                n
            }
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
    fn stops_early() {
        let v = json!(["a".repeat(100), "b".repeat(100)]);
        assert!(json_size(&v, 10) > 10);
        assert!(json_size(&v, 10) < 150);
    }
}
