//! `States.Format` and the Java-style rendering of its arguments.

use std::borrow::Cow;

use serde_json::Value;

use super::ast::{Arg, Call, Function};
use super::eval::fail;
use crate::error::message::json_type;
use crate::error::EvalError;

/// How deeply an object/array argument is rendered before giving up.
const MAX_RENDER_DEPTH: usize = 64;

/// Fills each `{}` of the template (first argument) with the next argument.
pub(crate) fn format(call: &Call, args: &[Cow<'_, Value>]) -> Result<Value, EvalError> {
    let f = Function::Format;
    // A literal template was split at parse time so that `\{\}` stays text; a template read from
    // a path has no escapes, so every `{}` is a placeholder.
    let split;
    let pieces: &[String] = match (call.args.first(), args.first().map(|a| a.as_ref())) {
        (Some(Arg::String(lit)), _) => &lit.pieces,
        (_, Some(Value::String(s))) => {
            split = s.split("{}").map(str::to_owned).collect::<Vec<_>>();
            &split
        }
        (_, Some(other)) => {
            return Err(fail(
                f,
                format!(
                    "the template must be a string, but was {}",
                    json_type(other)
                ),
            ))
        }
        (_, None) => return Err(fail(f, "the template is missing")),
    };
    let values = args.get(1..).unwrap_or_default();
    let placeholders = pieces.len().saturating_sub(1);
    if placeholders != values.len() {
        // The wording AWS is reported to use for this failure.
        return Err(fail(
            f,
            "number of arguments do not match the occurrences of {}.",
        ));
    }
    let mut out = String::new();
    for (k, piece) in pieces.iter().enumerate() {
        out.push_str(piece);
        if let Some(v) = values.get(k) {
            render(&mut out, v, 0)?;
        }
    }
    Ok(Value::String(out))
}

/// Strings as they are, numbers as JSON, `null` as `null`, objects as `{k=v, k2=v2}` and arrays
/// as `[a, b]` (the way AWS prints a map or list argument).
pub(crate) fn render(out: &mut String, v: &Value, depth: usize) -> Result<(), EvalError> {
    if depth > MAX_RENDER_DEPTH {
        return Err(fail(
            Function::Format,
            "an argument is nested too deeply to render",
        ));
    }
    match v {
        Value::String(s) => out.push_str(s),
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Array(items) => {
            out.push('[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                render(out, item, depth + 1)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (k, (key, item)) in map.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push('=');
                render(out, item, depth + 1)?;
            }
            out.push('}');
        }
    }
    Ok(())
}
