//! The functions [`super::guard`] weaves into expressions, and linear replacements for the
//! built-ins the crate implements in quadratic time (`$distinct`, `$keys` of many objects). Each
//! spends from the evaluation's [`Budget`].

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash};
use std::rc::Rc;

use foldhash::fast::FixedState;

use jsonata_core::evaluator::EvaluatorError;
use jsonata_core::functions::array::values_equal;
use jsonata_core::functions::string::build_regex;
use jsonata_core::value::JValue;

use super::super::limits;
use super::budget::{deep_size, flat_size, memory_error, Budget};

/// How a `$__sfn_charge(value, mode)` prices its value (the mode is a string literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Charge {
    /// One lambda call.
    Call,
    /// One pass over the items or characters.
    Flat,
    /// One pass over the keys of an object, or of each object of an array.
    Keys,
    /// A serialization: every nested value, refused before it is built when the text would be
    /// over the result size.
    Text,
    /// One callback per item (or per key of an object).
    Callbacks,
    /// Half a callback per item: the crate evaluates the array argument of `$map`, `$filter`,
    /// `$reduce` and `$single` twice, so this charge is spent twice.
    HalfCallbacks,
    /// Nothing: marks a tail call, which its lambda's body pays for.
    Free,
    /// A merge sort without a comparator function: n log n comparisons.
    Sort,
    /// A merge sort calling a comparator function n log n times.
    SortCallbacks,
    /// `$join`'s items: a serialization, held for the separator's check.
    JoinItems,
    /// `$join`'s separator: refused when the joined text would be over the result size.
    JoinSeparator,
    /// `$split`'s separator: refused when the parts would be more than a sequence may hold.
    SplitSeparator,
    /// `$replace`'s or `$split`'s text, or `$replace`'s pattern: one pass, held for the check of
    /// a later argument.
    Hold,
    /// `$replace`'s replacement, its last argument: refused when the result would be over the
    /// result size.
    Replacement,
    /// `$replace`'s limit, after a held replacement.
    ReplaceLimit,
}

impl Charge {
    /// The literal naming the mode in the woven call.
    pub(super) fn name(self) -> &'static str {
        match self {
            Charge::Call => "call",
            Charge::Flat => "flat",
            Charge::Keys => "keys",
            Charge::Text => "text",
            Charge::Callbacks => "callbacks",
            Charge::HalfCallbacks => "halfcallbacks",
            Charge::Free => "free",
            Charge::Sort => "sort",
            Charge::SortCallbacks => "sortcallbacks",
            Charge::JoinItems => "joinitems",
            Charge::JoinSeparator => "joinseparator",
            Charge::SplitSeparator => "splitseparator",
            Charge::Hold => "hold",
            Charge::Replacement => "replacement",
            Charge::ReplaceLimit => "replacelimit",
        }
    }

    fn parse(name: &str) -> Option<Charge> {
        [
            Charge::Call,
            Charge::Flat,
            Charge::Keys,
            Charge::Text,
            Charge::Callbacks,
            Charge::HalfCallbacks,
            Charge::Free,
            Charge::Sort,
            Charge::SortCallbacks,
            Charge::JoinItems,
            Charge::JoinSeparator,
            Charge::SplitSeparator,
            Charge::Hold,
            Charge::Replacement,
            Charge::ReplaceLimit,
        ]
        .into_iter()
        .find(|c| c.name() == name)
    }
}

/// `$__sfn_charge(value, mode)`: spends the fuel `mode` prices `value` at, and passes it through.
pub(super) fn charge(budget: &Budget, args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let value = args.first().cloned().unwrap_or(JValue::Undefined);
    let mode = args.get(1).and_then(JValue::as_str).and_then(Charge::parse);
    let count = |v: &JValue| match v {
        JValue::Array(items) => items.len() as u64,
        JValue::Object(map) => map.len() as u64,
        _ => 1,
    };
    let units = match mode.unwrap_or(Charge::Flat) {
        Charge::Call => limits::FUEL_PER_CALL,
        Charge::Flat => units_of(flat_size(&value)),
        Charge::Keys => match &value {
            JValue::Array(items) => items.iter().map(count).sum::<u64>() + count(&value),
            other => count(other),
        },
        Charge::Text => units_of(text_size(budget, &value)?),
        Charge::JoinItems => {
            budget.hold(value.clone());
            units_of(text_size(budget, &value)?)
        }
        Charge::JoinSeparator => {
            let items = budget.take(1);
            joined_size(items.first(), &value)?;
            units_of(flat_size(&value))
        }
        Charge::SplitSeparator => {
            let text = budget.take(1);
            units_of(split_size(text.first(), &value)?)
        }
        Charge::Hold => {
            budget.hold(value.clone());
            units_of(flat_size(&value))
        }
        Charge::Replacement => {
            let held = budget.take(2);
            units_of(replaced_size(&held, &value, None)?)
        }
        Charge::ReplaceLimit => {
            let held = budget.take(3);
            let limit = value.as_f64().filter(|n| *n >= 0.0).map(|n| n as usize);
            units_of(replaced_size(
                held.get(..2).unwrap_or(&[]),
                held.get(2).unwrap_or(&JValue::Undefined),
                limit,
            )?)
        }
        Charge::Callbacks => count(&value).saturating_mul(limits::FUEL_PER_CALL),
        Charge::HalfCallbacks => count(&value).saturating_mul(limits::FUEL_PER_CALL / 2),
        Charge::Free => 0,
        Charge::Sort => sort_comparisons(count(&value)),
        Charge::SortCallbacks => {
            sort_comparisons(count(&value)).saturating_mul(limits::FUEL_PER_CALL)
        }
    };
    budget.charge(units)?;
    Ok(value)
}

/// The serialized size of `value`, refused over the result size before anything is built.
fn text_size(budget: &Budget, value: &JValue) -> Result<usize, EvaluatorError> {
    let limit = budget
        .fuel_left()
        .saturating_mul(8)
        .min(limits::MAX_RESULT_BYTES);
    let size = deep_size(value, limit);
    if size > limits::MAX_RESULT_BYTES {
        return Err(memory_error());
    }
    Ok(size)
}

/// Refuses a `$join` whose separator, repeated between the items, would make the text too big.
fn joined_size(items: Option<&JValue>, separator: &JValue) -> Result<(), EvaluatorError> {
    let (Some(JValue::Array(items)), JValue::String(sep)) = (items, separator) else {
        return Ok(());
    };
    let gaps = items.len().saturating_sub(1);
    if gaps.saturating_mul(sep.len()) > limits::MAX_RESULT_BYTES {
        return Err(memory_error());
    }
    Ok(())
}

/// Refuses a `$split(text, separator)` into more parts than a sequence may hold; the count is
/// one pass over the text (the returned work).
fn split_size(text: Option<&JValue>, separator: &JValue) -> Result<usize, EvaluatorError> {
    let Some(JValue::String(text)) = text else {
        return Ok(1);
    };
    let parts = match separator {
        JValue::String(sep) if sep.is_empty() => text.chars().count(),
        JValue::String(sep) => text.matches(&**sep).count() + 1,
        JValue::Regex { pattern, flags } => build_regex(pattern, flags)
            .map(|re| re.find_iter(text).count() + 1)
            .unwrap_or(1),
        _ => 1,
    };
    if parts > limits::MAX_SEQUENCE_LENGTH {
        return Err(memory_error());
    }
    Ok(text.len())
}

/// The most `$replace(text, pattern, replacement[, limit])` can write, refused over the result
/// size before it is built: each match writes the replacement, in which every `$` may bring
/// the matched text again. Counting the matches is one pass over the text (the returned work).
fn replaced_size(
    held: &[JValue],
    replacement: &JValue,
    limit: Option<usize>,
) -> Result<usize, EvaluatorError> {
    let ([JValue::String(text), pattern], JValue::String(with)) = (held, replacement) else {
        return Ok(1);
    };
    let dollars = with.matches('$').count();
    let per_match = |len: usize| with.len().saturating_add(dollars.saturating_mul(len));
    let mut size = text.len();
    let mut count = 0usize;
    let mut add = |len: usize| {
        count += 1;
        size = size.saturating_add(per_match(len));
        limit.is_none_or(|l| count < l) && size <= limits::MAX_RESULT_BYTES
    };
    match pattern {
        JValue::String(p) if !p.is_empty() => {
            for _ in text.matches(&**p) {
                if !add(p.len()) {
                    break;
                }
            }
        }
        JValue::Regex { pattern, flags } => {
            if let Ok(re) = build_regex(pattern, flags) {
                for found in re.find_iter(text) {
                    if !add(found.len()) {
                        break;
                    }
                }
            }
        }
        _ => {}
    }
    if limit == Some(0) {
        size = text.len();
    }
    if size > limits::MAX_RESULT_BYTES {
        return Err(memory_error());
    }
    Ok(text.len())
}

/// Fuel for `bytes` of result-sized work: one unit per 8 bytes, at least one.
fn units_of(bytes: usize) -> u64 {
    (bytes / 8).max(1) as u64
}

/// Comparisons a merge sort of `n` items makes at most: n ⌈log2 n⌉.
fn sort_comparisons(n: u64) -> u64 {
    let log = u64::from(64 - n.max(1).leading_zeros());
    n.saturating_mul(log).max(1)
}

/// `$__sfn_size_guard(value)`: refuses a string or array over the result size, spends a pass over
/// it, and counts a large one as built.
pub(super) fn size_guard(budget: &Budget, args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let value = args.first().cloned().unwrap_or(JValue::Undefined);
    if too_big(&value) {
        return Err(memory_error());
    }
    let size = flat_size(&value);
    budget.charge(units_of(size))?;
    if size > limits::COUNTED_BUILT_BYTES {
        budget.share(size)?;
    }
    Ok(value)
}

/// `$__sfn_share(value)`: a value that may be referenced many times (a path step's result per
/// item, an object constructor's value) counts in full, nested values included, against the
/// shared bound.
pub(super) fn share(budget: &Budget, args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let value = args.first().cloned().unwrap_or(JValue::Undefined);
    if too_big(&value) {
        return Err(memory_error());
    }
    if matches!(value, JValue::Array(_) | JValue::Object(_)) {
        let limit = budget
            .share_left()
            .min(budget.fuel_left().saturating_mul(8));
        let size = deep_size(&value, limit);
        budget.charge(units_of(size))?;
        budget.share(size)?;
    } else {
        budget.charge(1)?;
    }
    Ok(value)
}

/// A string or array over the result size, counting 8 bytes an item that is not a string.
fn too_big(value: &JValue) -> bool {
    match value {
        JValue::String(s) => s.len() > limits::MAX_RESULT_BYTES,
        JValue::Array(items) => {
            items.len() > limits::MAX_SEQUENCE_LENGTH
                || items
                    .iter()
                    .map(|item| match item {
                        JValue::String(s) => s.len(),
                        _ => 8,
                    })
                    .try_fold(0usize, |sum, n| {
                        sum.checked_add(n)
                            .filter(|s| *s <= limits::MAX_RESULT_BYTES)
                    })
                    .is_none()
        }
        _ => false,
    }
}

/// `$distinct(array)` in linear time: items are bucketed by a hash of their canonical form (an
/// object's keys in any order, `-0` as `0`) and compared with JSONata's deep equality only within a
/// bucket, so the first occurrence of each value is kept, in order, as the crate's quadratic
/// version keeps it.
pub(super) fn distinct(budget: &Budget, args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let arr = match args.first() {
        None | Some(JValue::Undefined) => return Ok(JValue::Undefined),
        Some(JValue::Array(arr)) if arr.len() > 1 => arr,
        // Not an array, or nothing to remove: returned as it is (jsonata-js does the same).
        Some(other) => return Ok(other.clone()),
    };
    // Hashing and bucketing an item costs about five passes over it.
    let limit = budget.fuel_left().saturating_mul(8) / DISTINCT_PASSES;
    budget.charge(units_of(deep_size(&args[0], limit)).saturating_mul(DISTINCT_PASSES as u64))?;
    let mut buckets: HashMap<u64, Vec<usize>, FixedState> = HashMap::default();
    let mut kept: Vec<JValue> = Vec::new();
    for item in arr.iter() {
        let Some(hash) = canonical_hash(item) else {
            // Holds a function or undefined: equal to nothing, so always kept.
            kept.push(item.clone());
            continue;
        };
        let bucket = buckets.entry(hash).or_default();
        if bucket.iter().any(|&i| values_equal(&kept[i], item)) {
            continue;
        }
        bucket.push(kept.len());
        kept.push(item.clone());
    }
    let mut result = JValue::array(kept);
    // jsonata-js builds a sequence only when the input was one.
    if arr.sequence {
        result.mark_sequence();
    }
    Ok(result)
}

/// What `$distinct` costs an item, in passes over it.
const DISTINCT_PASSES: usize = 5;

/// A hash equal for values JSONata's deep equality finds equal; `None` for a value holding a
/// function or undefined, which equals nothing. Iterative: values may nest deeply.
fn canonical_hash(value: &JValue) -> Option<u64> {
    if let Some(hash) = scalar_hash(value) {
        return Some(hash);
    }
    enum Step<'a> {
        Visit(&'a JValue),
        /// Fold the `n` hashes on top of the stack in order (an array).
        Ordered(usize),
        /// Fold the `n` hashes on top of the stack in any order (an object's entries).
        Unordered(usize),
        /// Combine a key with the hash on top of the stack.
        Entry(&'a str),
    }
    let mut hashes: Vec<u64> = Vec::new();
    let mut steps = vec![Step::Visit(value)];
    while let Some(step) = steps.pop() {
        match step {
            Step::Visit(v) => match v {
                JValue::Array(items) => {
                    steps.push(Step::Ordered(items.len()));
                    steps.extend(items.iter().rev().map(Step::Visit));
                }
                JValue::Object(map) => {
                    steps.push(Step::Unordered(map.len()));
                    for (key, item) in map.iter() {
                        steps.push(Step::Entry(key));
                        steps.push(Step::Visit(item));
                    }
                }
                scalar => hashes.push(scalar_hash(scalar)?),
            },
            Step::Entry(key) => {
                let inner = hashes.pop()?;
                hashes.push(hash_of(&(key, inner)));
            }
            Step::Ordered(n) => {
                let parts = hashes.split_off(hashes.len().checked_sub(n)?);
                hashes.push(hash_of(&(4u8, parts)));
            }
            Step::Unordered(n) => {
                let parts = hashes.split_off(hashes.len().checked_sub(n)?);
                let sum = parts.iter().fold(0u64, |acc, h| acc.wrapping_add(*h));
                hashes.push(hash_of(&(5u8, n, sum)));
            }
        }
    }
    hashes.pop()
}

/// The hash of a null, boolean, number or string; `None` for anything else.
fn scalar_hash(value: &JValue) -> Option<u64> {
    Some(match value {
        JValue::Null => hash_of(&0u8),
        JValue::Bool(b) => hash_of(&(1u8, *b)),
        // `0.0 == -0.0`: hash both as 0.
        JValue::Number(n) => hash_of(&(2u8, (*n + 0.0).to_bits())),
        JValue::String(s) => hash_of(&(3u8, &**s)),
        _ => return None,
    })
}

/// A fixed-seed hash, so bucketing (and so the work done) is the same in every process.
fn hash_of(value: &impl Hash) -> u64 {
    FixedState::with_seed(0x5f4e_4a53).hash_one(value)
}

/// `$keys(value)` with the keys of many objects collected in a set (the crate scans the list of
/// keys found so far for each key, quadratic in the number of distinct keys). The result is a
/// sequence, as the crate's.
pub(super) fn keys(budget: &Budget, args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let mut found: Vec<JValue> = Vec::new();
    match args.first() {
        Some(JValue::Object(map)) => {
            budget.charge(map.len() as u64 + 1)?;
            found.extend(map.keys().map(|k| JValue::string(k.as_str())));
        }
        Some(JValue::Array(items)) => {
            let mut seen: HashSet<Rc<str>, FixedState> = HashSet::default();
            for item in items.iter() {
                let JValue::Object(map) = item else {
                    budget.charge(1)?;
                    continue;
                };
                budget.charge(map.len() as u64 + 1)?;
                for key in map.keys() {
                    let key: Rc<str> = Rc::from(key.as_str());
                    if seen.insert(Rc::clone(&key)) {
                        found.push(JValue::String(key));
                    }
                }
            }
        }
        _ => {}
    }
    if found.len() > limits::MAX_SEQUENCE_LENGTH {
        return Err(memory_error());
    }
    Ok(JValue::sequence(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, JValue)]) -> JValue {
        JValue::object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn canonical_hash_ignores_key_order_and_the_sign_of_zero() {
        let a = obj(&[("x", JValue::Number(1.0)), ("y", JValue::string("s"))]);
        let b = obj(&[("y", JValue::string("s")), ("x", JValue::Number(1.0))]);
        assert_eq!(canonical_hash(&a), canonical_hash(&b));
        assert_eq!(
            canonical_hash(&JValue::Number(0.0)),
            canonical_hash(&JValue::Number(-0.0))
        );
        let ordered = JValue::array(vec![JValue::Number(1.0), JValue::Number(2.0)]);
        let swapped = JValue::array(vec![JValue::Number(2.0), JValue::Number(1.0)]);
        assert_ne!(canonical_hash(&ordered), canonical_hash(&swapped));
        assert_eq!(
            canonical_hash(&JValue::array(vec![JValue::Undefined])),
            None
        );
    }

    #[test]
    fn sort_comparisons_grow_as_n_log_n() {
        assert_eq!(sort_comparisons(0), 1);
        assert_eq!(sort_comparisons(1024), 1024 * 11);
    }
}
