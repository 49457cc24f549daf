//! Evaluation of intrinsic calls: argument resolution and the 18 built-in functions.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write as _;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::ast::{Arg, Call, Function};
use super::format;
use crate::error::message::json_type;
use crate::error::EvalError;
use crate::eval::{Entropy, EvalEnv, SeededEntropy};
use crate::path::PathRoot;

/// The longest string `States.Base64Encode`/`Decode` and `States.Hash` accept.
const MAX_STRING_CHARS: usize = 10_000;
/// The most elements `States.ArrayRange` may produce.
const MAX_RANGE_ITEMS: i128 = 1000;

/// Evaluates `call`; `source` is the whole expression as written, which AWS quotes when a path
/// argument finds nothing.
pub(crate) fn eval_call(call: &Call, env: &EvalEnv<'_>, source: &str) -> Result<Value, EvalError> {
    let mut args = Vec::with_capacity(call.args.len());
    for arg in &call.args {
        args.push(eval_arg(arg, env, source)?);
    }
    apply(call, &args, env)
}

fn eval_arg<'a>(
    arg: &'a Arg,
    env: &EvalEnv<'a>,
    source: &str,
) -> Result<Cow<'a, Value>, EvalError> {
    match arg {
        Arg::String(s) => Ok(Cow::Borrowed(&s.value)),
        Arg::Literal(v) => Ok(Cow::Borrowed(v)),
        Arg::Call(c) => eval_call(c, env, source).map(Cow::Owned),
        Arg::Path(p) => p.select(env).map_err(|_| {
            let doc = match p.root() {
                PathRoot::Context => env.context,
                _ => env.input,
            };
            EvalError::runtime(format!(
                "The function '{source}' had the following error: The JsonPath argument for the field '{}' could not be found in the input '{doc}'",
                p.source()
            ))
        }),
    }
}

pub(crate) fn fail(function: Function, detail: impl std::fmt::Display) -> EvalError {
    EvalError::intrinsic(format!(
        "Invalid arguments in {}: {detail}",
        function.name()
    ))
}

fn arg_at<'v>(f: Function, args: &'v [Cow<'_, Value>], i: usize) -> Result<&'v Value, EvalError> {
    args.get(i)
        .map(|c| c.as_ref())
        .ok_or_else(|| fail(f, format!("argument {} is missing", i + 1)))
}

fn string_arg<'v>(f: Function, args: &'v [Cow<'_, Value>], i: usize) -> Result<&'v str, EvalError> {
    match arg_at(f, args, i)? {
        Value::String(s) => Ok(s),
        other => Err(fail(
            f,
            format!(
                "argument {} must be a string, but was {}",
                i + 1,
                json_type(other)
            ),
        )),
    }
}

fn array_arg<'v>(
    f: Function,
    args: &'v [Cow<'_, Value>],
    i: usize,
) -> Result<&'v Vec<Value>, EvalError> {
    match arg_at(f, args, i)? {
        Value::Array(a) => Ok(a),
        other => Err(fail(
            f,
            format!(
                "argument {} must be an array, but was {}",
                i + 1,
                json_type(other)
            ),
        )),
    }
}

fn object_arg<'v>(
    f: Function,
    args: &'v [Cow<'_, Value>],
    i: usize,
) -> Result<&'v Map<String, Value>, EvalError> {
    match arg_at(f, args, i)? {
        Value::Object(o) => Ok(o),
        other => Err(fail(
            f,
            format!(
                "argument {} must be an object, but was {}",
                i + 1,
                json_type(other)
            ),
        )),
    }
}

fn number_arg(f: Function, args: &[Cow<'_, Value>], i: usize) -> Result<f64, EvalError> {
    match arg_at(f, args, i)? {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| fail(f, format!("argument {} is not a finite number", i + 1))),
        other => Err(fail(
            f,
            format!(
                "argument {} must be a number, but was {}",
                i + 1,
                json_type(other)
            ),
        )),
    }
}

/// An argument that must be a whole number (`2` or `2.0`).
fn integer_arg(f: Function, args: &[Cow<'_, Value>], i: usize) -> Result<i64, EvalError> {
    let v = arg_at(f, args, i)?;
    if let Some(n) = v.as_i64() {
        return Ok(n);
    }
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e18 => Ok(x as i64),
        _ => Err(fail(
            f,
            format!("argument {} must be an integer, but was {v}", i + 1),
        )),
    }
}

/// Java's `Math.round`: halves round towards positive infinity (`-1.5` → `-1`, `2.5` → `3`).
pub(crate) fn java_round(x: f64) -> Result<i64, ()> {
    let r = (x + 0.5).floor();
    // `x + 0.5` is inexact just below a half (0.49999999999999994 + 0.5 == 1.0).
    let r = if r - x > 0.5 { r - 1.0 } else { r };
    if r.is_finite() && r.abs() < 9.2e18 {
        Ok(r as i64)
    } else {
        Err(())
    }
}

fn rounded_arg(f: Function, args: &[Cow<'_, Value>], i: usize) -> Result<i64, EvalError> {
    let x = number_arg(f, args, i)?;
    java_round(x).map_err(|()| fail(f, format!("argument {} is out of range", i + 1)))
}

/// One arm per intrinsic function: a table, longer than
/// the functions around it because it has an entry for each of the 18 functions, most a few
/// lines; the larger ones (`States.Format`, hashing, arrays) live in their own functions.
fn apply(call: &Call, args: &[Cow<'_, Value>], env: &EvalEnv<'_>) -> Result<Value, EvalError> {
    let f = call.function;
    match f {
        Function::Format => format::format(call, args),
        Function::StringToJson => {
            let s = string_arg(f, args, 0)?;
            let trimmed = s.trim();
            if trimmed.is_empty() {
                return Ok(Value::Null);
            }
            let mut v: Value = serde_json::from_str(trimmed)
                .map_err(|e| fail(f, format!("the string is not valid JSON ({e})")))?;
            integer_zeros(&mut v, 0);
            Ok(v)
        }
        Function::JsonToString => {
            let v = arg_at(f, args, 0)?;
            serde_json::to_string(v)
                .map(Value::String)
                .map_err(|e| fail(f, e))
        }
        Function::Array => Ok(Value::Array(
            args.iter().map(|a| a.as_ref().clone()).collect(),
        )),
        Function::ArrayPartition => {
            let items = array_arg(f, args, 0)?;
            let size = integer_arg(f, args, 1)?;
            let size = usize::try_from(size)
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| {
                    fail(
                        f,
                        format!("the chunk size must be greater than 0, but was {size}"),
                    )
                })?;
            Ok(Value::Array(
                items
                    .chunks(size)
                    .map(|c| Value::Array(c.to_vec()))
                    .collect(),
            ))
        }
        Function::ArrayContains => {
            let items = array_arg(f, args, 0)?;
            let needle = arg_at(f, args, 1)?;
            Ok(Value::Bool(items.contains(needle)))
        }
        Function::ArrayRange => array_range(f, args),
        Function::ArrayGetItem => {
            let items = array_arg(f, args, 0)?;
            let index = integer_arg(f, args, 1)?;
            usize::try_from(index)
                .ok()
                .and_then(|i| items.get(i))
                .cloned()
                .ok_or_else(|| {
                    fail(
                        f,
                        format!(
                            "index {index} is out of bounds for an array of length {}",
                            items.len()
                        ),
                    )
                })
        }
        Function::ArrayLength => Ok(Value::from(array_arg(f, args, 0)?.len())),
        Function::ArrayUnique => {
            // A set of canonical texts rather than a scan of the kept items: linear, where the
            // scan was quadratic (20,000 distinct objects took minutes).
            let items = array_arg(f, args, 0)?;
            let mut seen = HashSet::with_capacity(items.len());
            let out = items
                .iter()
                .filter(|item| seen.insert(canonical_text(item)))
                .cloned()
                .collect();
            Ok(Value::Array(out))
        }
        Function::Base64Encode => {
            let s = limited_string(f, args, 0)?;
            Ok(Value::String(
                base64::engine::general_purpose::STANDARD.encode(s.as_bytes()),
            ))
        }
        Function::Base64Decode => {
            let s = limited_string(f, args, 0)?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(s.as_bytes())
                .map_err(|_| fail(f, "the string is not valid base64"))?;
            String::from_utf8(bytes)
                .map(Value::String)
                .map_err(|_| fail(f, "the decoded data is not UTF-8 text"))
        }
        Function::Hash => hash(f, args),
        Function::JsonMerge => {
            let left = object_arg(f, args, 0)?;
            let right = object_arg(f, args, 1)?;
            match arg_at(f, args, 2)? {
                Value::Bool(false) => {}
                Value::Bool(true) => {
                    return Err(fail(f, "deep merging is not supported; pass false"))
                }
                other => {
                    return Err(fail(
                        f,
                        format!("argument 3 must be a boolean, but was {}", json_type(other)),
                    ))
                }
            }
            let mut merged = left.clone();
            for (k, v) in right {
                merged.insert(k.clone(), v.clone());
            }
            Ok(Value::Object(merged))
        }
        Function::MathRandom => {
            let start = rounded_arg(f, args, 0)?;
            let end = rounded_arg(f, args, 1)?;
            if start > end {
                return Err(fail(
                    f,
                    format!("the start {start} is greater than the end {end}"),
                ));
            }
            let draw = if args.len() > 2 {
                let seed = rounded_arg(f, args, 2)?;
                SeededEntropy::new(seed as u64).next_u64()
            } else {
                env.entropy.next_u64()
            };
            // Inclusive of both ends; the span fits in u128 for any pair of i64.
            let span = (i128::from(end) - i128::from(start) + 1) as u128;
            let offset = (u128::from(draw) % span) as i128;
            let n = i64::try_from(i128::from(start) + offset).unwrap_or(start);
            Ok(Value::from(n))
        }
        Function::MathAdd => {
            let a = rounded_arg(f, args, 0)?;
            let b = rounded_arg(f, args, 1)?;
            a.checked_add(b)
                .map(Value::from)
                .ok_or_else(|| fail(f, "the sum is out of range"))
        }
        Function::StringSplit => {
            let s = string_arg(f, args, 0)?;
            let delimiters = string_arg(f, args, 1)?;
            let parts = s
                .split(|c: char| delimiters.contains(c))
                .filter(|p| !p.is_empty())
                .map(|p| Value::String(p.to_owned()))
                .collect();
            Ok(Value::Array(parts))
        }
        Function::Uuid => Ok(Value::String(uuid_v4(env.entropy))),
    }
}

/// serde_json reads `-0` as the float `-0.0`; AWS reads it as the integer `0`.
fn integer_zeros(v: &mut Value, depth: usize) {
    match v {
        Value::Number(n)
            if n.as_f64() == Some(0.0)
                && n.is_f64()
                && n.as_f64().is_some_and(f64::is_sign_negative) =>
        {
            *v = Value::from(0)
        }
        // serde_json stops parsing at depth 128, so this recursion is bounded.
        Value::Array(items) if depth < 256 => {
            items.iter_mut().for_each(|i| integer_zeros(i, depth + 1))
        }
        Value::Object(map) if depth < 256 => {
            map.values_mut().for_each(|i| integer_zeros(i, depth + 1))
        }
        _ => {}
    }
}

fn limited_string<'v>(
    f: Function,
    args: &'v [Cow<'_, Value>],
    i: usize,
) -> Result<&'v str, EvalError> {
    let s = string_arg(f, args, i)?;
    if s.chars().count() > MAX_STRING_CHARS {
        return Err(fail(
            f,
            format!("the string is longer than {MAX_STRING_CHARS} characters"),
        ));
    }
    Ok(s)
}

fn array_range(f: Function, args: &[Cow<'_, Value>]) -> Result<Value, EvalError> {
    let start = integer_arg(f, args, 0)?;
    let end = integer_arg(f, args, 1)?;
    let step = integer_arg(f, args, 2)?;
    if step == 0 {
        return Err(fail(f, "the step cannot be 0"));
    }
    let (s, e, st) = (i128::from(start), i128::from(end), i128::from(step));
    let count = if (st > 0 && e >= s) || (st < 0 && e <= s) {
        (e - s) / st + 1
    } else {
        0
    };
    if count > MAX_RANGE_ITEMS {
        return Err(fail(
            f,
            format!("the range would have {count} elements; at most {MAX_RANGE_ITEMS} are allowed"),
        ));
    }
    let items = (0..count)
        .filter_map(|k| i64::try_from(s + k * st).ok())
        .map(Value::from)
        .collect();
    Ok(Value::Array(items))
}

/// A text equal for two values exactly when they are `==`: object keys sorted (`==` ignores
/// their order), numbers as serde_json writes them (an integer and a float differ, as for `==`),
/// `-0.0` written as `0.0` (equal to it).
fn canonical_text(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (key, item) in entries {
                    let _ = write!(out, "{:?}:", key);
                    write(item, out);
                    out.push(',');
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for item in items {
                    write(item, out);
                    out.push(',');
                }
                out.push(']');
            }
            Value::Number(n) => match n.as_f64().filter(|_| n.is_f64()) {
                Some(0.0) => out.push_str("0.0"),
                _ => out.push_str(&n.to_string()),
            },
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn hash(f: Function, args: &[Cow<'_, Value>]) -> Result<Value, EvalError> {
    use sha2::Digest as _;
    let data = match arg_at(f, args, 0)? {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if data.chars().count() > MAX_STRING_CHARS {
        return Err(fail(
            f,
            format!("the data is longer than {MAX_STRING_CHARS} characters"),
        ));
    }
    let algorithm = string_arg(f, args, 1)?;
    let bytes = data.as_bytes();
    let digest: Vec<u8> = match algorithm {
        "MD5" => md5::Md5::digest(bytes).to_vec(),
        "SHA-1" => sha1::Sha1::digest(bytes).to_vec(),
        "SHA-256" => sha2::Sha256::digest(bytes).to_vec(),
        "SHA-384" => sha2::Sha384::digest(bytes).to_vec(),
        "SHA-512" => sha2::Sha512::digest(bytes).to_vec(),
        other => {
            return Err(fail(
                f,
                format!("unknown algorithm '{other}'; use MD5, SHA-1, SHA-256, SHA-384 or SHA-512"),
            ))
        }
    };
    Ok(Value::String(
        digest.iter().map(|b| format!("{b:02x}")).collect(),
    ))
}

/// A version 4 UUID from 128 bits of `entropy`.
fn uuid_v4(entropy: &dyn Entropy) -> String {
    let hi = entropy.next_u64();
    crate::random::uuid_v4(hi, entropy.next_u64())
}
