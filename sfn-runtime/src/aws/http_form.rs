//! Form and query encoding as the HTTP Task writes it: objects nest as `key[member]`, arrays
//! follow the `ArrayFormat` (`INDICES` `a[0]=x&a[1]=y`, `REPEAT` `a=x&a=y`, `COMMAS` `a=x,y`,
//! `BRACKETS` `a[]=x&a[]=y`), and every byte outside RFC 3986's unreserved set is
//! percent-encoded (`%20` for a space, `%5B` for `[`), as AWS's example request shows. Written
//! here rather than with `form_urlencoded`, which writes a space as `+` and knows no nesting.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// How arrays are written in a form-encoded body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArrayFormat {
    Indices,
    Repeat,
    Commas,
    Brackets,
}

/// A scalar as text: a string as it is, a number or boolean as its JSON, `null` as nothing.
pub(crate) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        Value::Null => Some(String::new()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// `key`'s value as form pairs: objects nest as `key[member]`, arrays as `format` says.
pub(crate) fn form_pairs(
    key: &str,
    value: &Value,
    format: ArrayFormat,
    out: &mut Vec<(String, String)>,
) {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                form_pairs(&format!("{key}[{k}]"), v, format, out);
            }
        }
        Value::Array(items) if format == ArrayFormat::Commas => {
            // Scalars joined; an object or array item as its JSON text.
            let joined: Vec<String> = items
                .iter()
                .map(|i| scalar(i).unwrap_or_else(|| i.to_string()))
                .collect();
            out.push((key.to_owned(), joined.join(",")));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let name = match format {
                    ArrayFormat::Indices => format!("{key}[{i}]"),
                    ArrayFormat::Brackets => format!("{key}[]"),
                    ArrayFormat::Repeat | ArrayFormat::Commas => key.to_owned(),
                };
                form_pairs(&name, item, format, out);
            }
        }
        scalar_value => out.push((key.to_owned(), scalar(scalar_value).unwrap_or_default())),
    }
}

pub(crate) fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, ENCODED),
                utf8_percent_encode(v, ENCODED)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `given` with `over` merged in: a key of both takes `over`'s value in its first place (its
/// other values dropped); `over`'s other keys follow. Header names compare in any case.
pub(crate) fn merge(
    given: &[(String, String)],
    over: &[(String, String)],
    any_case: bool,
) -> Vec<(String, String)> {
    let same = |a: &str, b: &str| {
        if any_case {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    let mut out: Vec<(String, String)> = Vec::with_capacity(given.len() + over.len());
    for (k, v) in given {
        match over.iter().find(|(o, _)| same(o, k)) {
            Some(_) if out.iter().any(|(seen, _)| same(seen, k)) => {}
            Some((_, ov)) => out.push((k.clone(), ov.clone())),
            None => out.push((k.clone(), v.clone())),
        }
    }
    for (k, v) in over {
        if !out.iter().any(|(seen, _)| same(seen, k)) {
            out.push((k.clone(), v.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn encoded(value: Value, format: ArrayFormat) -> String {
        let mut pairs = Vec::new();
        for (k, v) in value.as_object().into_iter().flatten() {
            form_pairs(k, v, format, &mut pairs);
        }
        encode_pairs(&pairs)
    }

    #[test]
    fn nested_values_and_scalars() {
        let v = json!({"a": {"b": [{"c": null}]}, "n": 1.5, "t": "x~y.z-_"});
        assert_eq!(
            encoded(v.clone(), ArrayFormat::Indices),
            "a%5Bb%5D%5B0%5D%5Bc%5D=&n=1.5&t=x~y.z-_"
        );
        assert_eq!(
            encoded(v, ArrayFormat::Commas),
            "a%5Bb%5D=%7B%22c%22%3Anull%7D&n=1.5&t=x~y.z-_"
        );
        assert_eq!(
            encoded(json!({"é": "ü"}), ArrayFormat::Repeat),
            "%C3%A9=%C3%BC"
        );
    }

    #[test]
    fn merged_keys_keep_the_first_place() {
        let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let given = [pair("a", "1"), pair("B", "2"), pair("a", "3")];
        let over = [pair("b", "x"), pair("A", "y"), pair("c", "z")];
        assert_eq!(
            merge(&given, &over, true),
            [pair("a", "y"), pair("B", "x"), pair("c", "z")]
        );
        assert_eq!(
            merge(&given, &over, false),
            [
                pair("a", "1"),
                pair("B", "2"),
                pair("a", "3"),
                pair("b", "x"),
                pair("A", "y"),
                pair("c", "z")
            ]
        );
    }
}
