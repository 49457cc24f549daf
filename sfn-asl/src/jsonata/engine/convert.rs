//! Values across the boundary: JSON in (bindings), JSON out (results), with the nesting and size
//! limits, and without losing large integers that merely pass through.

use std::collections::HashMap;

use indexmap::IndexMap;
// `with_stack` moves to a fresh heap segment when the native stack runs low, as the crate's
// own value walkers do, so converting a deeply nested value cannot overflow.
use jsonata_core::value::{with_stack, JValue};
use serde_json::Value;

use super::{limits, EngineError, Outcome};

/// 2^53: below it every integer is exact as an `f64`.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// The integers of the bound values that an `f64` cannot hold exactly (ids such as
/// `1234567890123456789`), by the `f64` they became. AWS keeps such integers exact; the crate
/// computes in `f64`, so a value that only passes through gets its original digits back on the way
/// out. An `f64` two different inputs round to restores neither.
#[derive(Debug, Default)]
pub(super) struct BigIntegers(HashMap<u64, Option<serde_json::Number>>);

impl BigIntegers {
    /// Remembers `n` if it is an integer that `f` (its `f64`) does not hold exactly.
    fn note(&mut self, n: &serde_json::Number, f: f64) {
        let integer = n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from));
        // `as i128` is exact for any f64 below 2^127, which covers every i64 and u64.
        if integer.is_none_or(|i| f as i128 == i) {
            return;
        }
        self.0
            .entry(f.to_bits())
            .and_modify(|seen| {
                if seen.as_ref() != Some(n) {
                    *seen = None;
                }
            })
            .or_insert_with(|| Some(n.clone()));
    }

    /// The original integer that became `f`, if there is exactly one.
    fn restore(&self, f: f64) -> Option<Value> {
        if self.0.is_empty() || f.abs() < EXACT {
            return None;
        }
        self.0
            .get(&f.to_bits())
            .cloned()
            .flatten()
            .map(Value::Number)
    }
}

/// The bound values already converted during one evaluation of a template, by address: a
/// template whose ten expressions read `$states.input` converts it once, not ten times.
#[derive(Default)]
pub(crate) struct Conversions {
    /// Keyed by the address of the borrowed `Value`, which outlives the cache (both live for one
    /// `eval` call); the address is compared, never followed.
    values: Vec<(*const Value, JValue)>,
    big: BigIntegers,
}

impl std::fmt::Debug for Conversions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Conversions({} values)", self.values.len())
    }
}

impl Conversions {
    /// `value` as the crate's value, converted at most once.
    pub(super) fn get(&mut self, value: &Value) -> Result<JValue, EngineError> {
        let key = value as *const Value;
        if let Some((_, converted)) = self.values.iter().find(|(k, _)| *k == key) {
            // `JValue` shares its contents: a clone is a reference-count increment.
            return Ok(converted.clone());
        }
        let converted = to_jvalue(value, 0, &mut self.big)?;
        self.values.push((key, converted.clone()));
        Ok(converted)
    }

    /// The large integers seen in the converted values.
    pub(super) fn big_integers(&self) -> &BigIntegers {
        &self.big
    }
}

/// JSON → the crate's value, refusing nesting deeper than the limit.
pub(super) fn to_jvalue(
    value: &Value,
    depth: usize,
    big: &mut BigIntegers,
) -> Result<JValue, EngineError> {
    if depth > limits::MAX_VALUE_DEPTH {
        return Err(EngineError::plain(limits::NESTING_MESSAGE));
    }
    Ok(match value {
        Value::Null => JValue::Null,
        Value::Bool(b) => JValue::Bool(*b),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            big.note(n, f);
            JValue::Number(f)
        }
        Value::String(s) => JValue::string(s.as_str()),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(with_stack(|| to_jvalue(item, depth + 1, big))?);
            }
            JValue::array(out)
        }
        Value::Object(map) => {
            let mut out = IndexMap::with_capacity(map.len());
            for (k, v) in map {
                out.insert(k.clone(), with_stack(|| to_jvalue(v, depth + 1, big))?);
            }
            JValue::object(out)
        }
    })
}

/// The crate's value → JSON. Numbers that are whole and exact come out as integers (large ones as
/// the input wrote them, see [`BigIntegers`]); non-finite numbers as the strings AWS writes. `budget` counts bytes (8 a number, 1 a character).
pub(super) fn from_jvalue(
    value: &JValue,
    depth: usize,
    budget: &mut usize,
    big: &BigIntegers,
) -> Result<Outcome, EngineError> {
    if depth > limits::MAX_VALUE_DEPTH {
        return Err(EngineError::plain(limits::NESTING_MESSAGE));
    }
    let json = match value {
        JValue::Undefined => return Ok(Outcome::Undefined),
        JValue::Lambda(_) | JValue::Builtin { .. } | JValue::Regex { .. } => {
            return Ok(Outcome::Function)
        }
        JValue::Null => Value::Null,
        JValue::Bool(b) => Value::Bool(*b),
        JValue::Number(n) => {
            spend(budget, 8)?;
            big.restore(*n).unwrap_or_else(|| number(*n))
        }
        JValue::String(s) => {
            spend(budget, s.len())?;
            Value::String(s.to_string())
        }
        JValue::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                match with_stack(|| from_jvalue(item, depth + 1, budget, big))? {
                    Outcome::Json(v) => out.push(v),
                    // JSON.stringify semantics: nothing to write for a missing item.
                    Outcome::Undefined => {}
                    Outcome::Function => return Ok(Outcome::Function),
                }
            }
            Value::Array(out)
        }
        JValue::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map.iter() {
                spend(budget, k.len())?;
                match with_stack(|| from_jvalue(v, depth + 1, budget, big))? {
                    Outcome::Json(v) => {
                        out.insert(k.clone(), v);
                    }
                    Outcome::Undefined => {}
                    Outcome::Function => return Ok(Outcome::Function),
                }
            }
            Value::Object(out)
        }
    };
    Ok(Outcome::Json(json))
}

/// Takes `n` bytes from the result budget.
fn spend(budget: &mut usize, n: usize) -> Result<(), EngineError> {
    *budget = budget
        .checked_sub(n)
        .ok_or_else(|| EngineError::plain(limits::MEMORY_MESSAGE))?;
    Ok(())
}

/// A number as JSON text (`2`, `2.5`, `1e+21`), for messages.
pub(super) fn number_text(n: f64) -> String {
    match number(n) {
        Value::Number(n) => n.to_string(),
        other => other.as_str().unwrap_or_default().to_owned(),
    }
}

/// An `f64` as JSON: whole values within ±2^53 as integers so they compare equal to parsed JSON.
fn number(n: f64) -> Value {
    if n.is_nan() {
        Value::String("NaN".into())
    } else if n.is_infinite() {
        Value::String(if n > 0.0 { "Infinity" } else { "-Infinity" }.into())
    } else if n.fract() == 0.0 && n.abs() < EXACT {
        // Exact: |n| < 2^53 fits i64 and has no fraction.
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}
