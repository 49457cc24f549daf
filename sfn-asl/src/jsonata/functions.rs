//! The functions Step Functions adds to JSONata: `$partition`, `$range`, `$hash`, `$random`,
//! `$uuid`, `$parse`.
//!
//! They work on plain JSON (`None` = JSONata `undefined`), so they do not depend on the JSONata
//! crate. Behaviour follows the AWS developer guide and what AWS was seen to do: non-integer
//! arguments are truncated towards zero; a chunk size or step that cannot work, an empty array or a
//! missing argument give `undefined` (which then fails the field with "returned nothing"); a
//! one-element `$range` is the bare number (a JSONata singleton sequence).

use crate::eval::{Entropy, SeededEntropy};

use md5::Md5;
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::limits;

/// Why a function call failed; `Display` is the text after "threw an error during evaluation. ".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FnError {
    /// An argument of the wrong JSON type (JSONata's signature error).
    #[error("T0410: Argument {index} of function \"{name}\" does not match function signature")]
    Signature {
        /// The function, without `$`.
        name: &'static str,
        /// 1-based argument position.
        index: usize,
    },
    /// A value the function cannot work with.
    #[error("{0}")]
    Type(String),
}

impl FnError {
    /// Argument `index` (1-based) of `name` has the wrong type.
    pub(crate) fn signature(name: &'static str, index: usize) -> Self {
        FnError::Signature { name, index }
    }
}

/// A function over JSON arguments (`None` = undefined) giving JSON or undefined.
pub(crate) type PureFn = fn(&[Option<Value>]) -> Result<Option<Value>, FnError>;

/// Argument `i` (0-based), `None` when absent or undefined.
fn arg(args: &[Option<Value>], i: usize) -> Option<&Value> {
    args.get(i).and_then(Option::as_ref)
}

/// A whole number from a numeric argument, truncated towards zero (saturating at the i64 range).
fn integer(v: &Value, name: &'static str, index: usize) -> Result<i64, FnError> {
    let n = v.as_f64().ok_or(FnError::signature(name, index))?;
    if n.is_nan() {
        return Err(FnError::signature(name, index));
    }
    // `as` truncates towards zero and saturates, which is the rounding AWS applies.
    Ok(n.trunc() as i64)
}

/// `$partition(array, size)`: `array` in chunks of `size`, the last one holding the remainder.
pub(crate) fn partition(args: &[Option<Value>]) -> Result<Option<Value>, FnError> {
    let (Some(array), Some(size)) = (arg(args, 0), arg(args, 1)) else {
        return Ok(None);
    };
    let size = integer(size, "partition", 2)?;
    let items: Vec<Value> = match array {
        Value::Array(items) => items.clone(),
        // JSONata treats a single value where an array is expected as a one-item array.
        other => vec![other.clone()],
    };
    if size <= 0 || items.is_empty() {
        return Ok(None);
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let chunks = items
        .chunks(size)
        .map(|c| Value::Array(c.to_vec()))
        .collect();
    Ok(Some(Value::Array(chunks)))
}

/// `$range(start, end, step)`: `start`, `start + step`, ... up to and including `end`.
pub(crate) fn range(args: &[Option<Value>]) -> Result<Option<Value>, FnError> {
    let (Some(start), Some(end), Some(step)) = (arg(args, 0), arg(args, 1), arg(args, 2)) else {
        return Ok(None);
    };
    let start = i128::from(integer(start, "range", 1)?);
    let end = i128::from(integer(end, "range", 2)?);
    let step = i128::from(integer(step, "range", 3)?);
    if step == 0 || (end - start).signum() * step.signum() < 0 {
        return Ok(None);
    }
    let count = (end - start) / step + 1;
    if count > limits::MAX_RANGE_ITEMS as i128 {
        return Err(FnError::Type(limits::MEMORY_MESSAGE.to_owned()));
    }
    let values: Vec<Value> = (0..count)
        .map(|i| start + i * step)
        .map(|n| i64::try_from(n).map(Value::from).unwrap_or(Value::Null))
        .collect();
    Ok(Some(match <[Value; 1]>::try_from(values) {
        Ok([single]) => single,
        Err(values) => Value::Array(values),
    }))
}

/// `$hash(value, algorithm)`: the lowercase hex digest; a non-string value is hashed as its JSON
/// text, as `States.Hash` does.
pub(crate) fn hash(args: &[Option<Value>]) -> Result<Option<Value>, FnError> {
    let (Some(value), Some(algorithm)) = (arg(args, 0), arg(args, 1)) else {
        return Ok(None);
    };
    let algorithm = algorithm.as_str().ok_or(FnError::signature("hash", 2))?;
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let bytes = text.as_bytes();
    let digest: Vec<u8> = match algorithm {
        "MD5" => Md5::digest(bytes).to_vec(),
        "SHA-1" => Sha1::digest(bytes).to_vec(),
        "SHA-256" => Sha256::digest(bytes).to_vec(),
        "SHA-384" => Sha384::digest(bytes).to_vec(),
        "SHA-512" => Sha512::digest(bytes).to_vec(),
        other => {
            return Err(FnError::Type(format!(
                "The hash algorithm '{other}' is not supported. Supported algorithms: \
                 MD5, SHA-1, SHA-256, SHA-384, SHA-512"
            )))
        }
    };
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok(Some(Value::String(hex)))
}

/// `$parse(text)`: the JSON value `text` holds.
pub(crate) fn parse(args: &[Option<Value>]) -> Result<Option<Value>, FnError> {
    let Some(text) = arg(args, 0) else {
        return Ok(None);
    };
    let text = text.as_str().ok_or(FnError::signature("parse", 1))?;
    // serde_json caps nesting at 128 levels, so a hostile string cannot recurse deeply here.
    serde_json::from_str(text)
        .map(Some)
        .map_err(|e| FnError::Type(format!("Unable to parse the string as JSON: {e}")))
}

/// `$encodeUrl(text)` as JavaScript's `encodeURI`: UTF-8 percent-encoding of everything but
/// letters, digits and `;,/?:@&=+$-_.!~*'()#`.
pub(crate) fn encode_url(args: &[Option<Value>]) -> Result<Option<Value>, FnError> {
    let Some(text) = arg(args, 0) else {
        return Ok(None);
    };
    let text = text.as_str().ok_or(FnError::signature("encodeUrl", 1))?;
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b";,/?:@&=+$-_.!~*'()#".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Ok(Some(Value::String(out)))
}

/// `$decodeUrl(text)` as JavaScript's `decodeURI`: escapes of reserved characters stay.
pub(crate) fn decode_url(args: &[Option<Value>]) -> Result<Option<Value>, FnError> {
    percent_decode(args, "decodeUrl", b";/?:@&=+$,#")
}

/// `$decodeUrlComponent(text)` as JavaScript's `decodeURIComponent`.
pub(crate) fn decode_url_component(args: &[Option<Value>]) -> Result<Option<Value>, FnError> {
    percent_decode(args, "decodeUrlComponent", b"")
}

/// Percent-decoding that refuses what JavaScript refuses (a stray `%`, bad hex, invalid UTF-8)
/// with 2.0.6's D3140, and leaves escapes of the `keep` bytes as written.
fn percent_decode(
    args: &[Option<Value>],
    name: &'static str,
    keep: &[u8],
) -> Result<Option<Value>, FnError> {
    let Some(text) = arg(args, 0) else {
        return Ok(None);
    };
    let text = text.as_str().ok_or(FnError::signature(name, 1))?;
    let malformed = || {
        FnError::Type(format!(
            "D3140: Malformed URL passed to ${name}(): {}",
            Value::from(text)
        ))
    };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'%' {
            out.push(b);
            i += 1;
            continue;
        }
        let hex = bytes.get(i + 1..i + 3).ok_or_else(malformed)?;
        let hex = std::str::from_utf8(hex).map_err(|_| malformed())?;
        let decoded = u8::from_str_radix(hex, 16).map_err(|_| malformed())?;
        if keep.contains(&decoded) {
            out.extend_from_slice(bytes.get(i..i + 3).unwrap_or_default());
        } else {
            out.push(decoded);
        }
        i += 3;
    }
    String::from_utf8(out)
        .map(|s| Some(Value::String(s)))
        .map_err(|_| malformed())
}

/// `$pad(text, width[, char])`: `text` padded with `char` (default a space) to `width` characters,
/// on the right for a positive width, on the left for a negative one. Replaces the crate's version
/// to refuse paddings beyond the result size limit before allocating them.
pub(crate) fn pad(args: &[Option<Value>]) -> Result<Option<Value>, FnError> {
    let text = match arg(args, 0) {
        None => return Ok(None),
        Some(Value::String(s)) => s,
        // 2.0.6 refuses null here too (the crate passes it through).
        Some(_) => return Err(FnError::signature("pad", 1)),
    };
    let Some(width) = arg(args, 1) else {
        return Ok(Some(Value::String(text.clone())));
    };
    let width = integer(width, "pad", 2)?;
    let fill = match arg(args, 2) {
        None => " ",
        Some(Value::String(s)) if s.is_empty() => " ",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(FnError::signature("pad", 3)),
    };
    let missing = usize::try_from(width.unsigned_abs())
        .unwrap_or(usize::MAX)
        .saturating_sub(text.chars().count());
    if missing == 0 {
        return Ok(Some(Value::String(text.clone())));
    }
    let widest = fill.chars().map(char::len_utf8).max().unwrap_or(1);
    if missing.saturating_mul(widest) > limits::MAX_RESULT_BYTES {
        return Err(FnError::Type(limits::MEMORY_MESSAGE.to_owned()));
    }
    let padding: String = fill.chars().cycle().take(missing).collect();
    Ok(Some(Value::String(if width > 0 {
        format!("{text}{padding}")
    } else {
        format!("{padding}{text}")
    })))
}

/// `$now()`'s text for `millis` since the epoch: ISO 8601 in UTC with milliseconds and `Z`.
pub(crate) fn iso_timestamp(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `$random([seed])`: a number in [0, 1); with a seed, always the same number for that seed.
pub(crate) fn random(seed: Option<f64>, generator: &Generator) -> f64 {
    match seed {
        // AWS runs on the JVM; a seeded java.util.Random is the natural reading of "seeded"
        // there (unconfirmed), and it is a fixed, documented algorithm.
        Some(seed) => java_random_double(seed.trunc() as i64),
        None => unit_interval(generator.next_u64()),
    }
}

/// The first `nextDouble()` of `new java.util.Random(seed)`.
fn java_random_double(seed: i64) -> f64 {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;
    let mut state = (seed as u64 ^ MULTIPLIER) & MASK;
    let mut next = |bits: u32| -> u64 {
        state = state.wrapping_mul(MULTIPLIER).wrapping_add(0xB) & MASK;
        state >> (48 - bits)
    };
    let high = next(26);
    let low = next(27);
    ((high << 27) + low) as f64 / (1u64 << 53) as f64
}

/// 53 random bits as a number in [0, 1).
fn unit_interval(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// The random numbers of one evaluation, all derived from one seed drawn from the engine's
/// entropy (the JSONata crate wants `'static` functions, so they cannot borrow the engine's).
#[derive(Debug)]
pub(crate) struct Generator(SeededEntropy);

impl Generator {
    /// A generator starting from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Generator(SeededEntropy::new(seed))
    }

    /// The next 64 bits.
    pub(crate) fn next_u64(&self) -> u64 {
        self.0.next_u64()
    }

    /// A version 4 UUID (RFC 4122), lowercase.
    pub(crate) fn uuid(&self) -> String {
        let hi = self.next_u64();
        crate::random::uuid_v4(hi, self.next_u64())
    }

    /// Fisher–Yates, so `$shuffle` is reproducible from the engine's seed.
    pub(crate) fn shuffle<T>(&self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(f: PureFn, args: &[Value]) -> Option<Value> {
        let args: Vec<Option<Value>> = args.iter().cloned().map(Some).collect();
        f(&args).expect("no error")
    }

    #[test]
    fn java_random_matches_the_jdk_sequence() {
        // new java.util.Random(42).nextDouble() and new java.util.Random(0).nextDouble().
        assert_eq!(java_random_double(42), 0.7275636800328681);
        assert_eq!(java_random_double(0), 0.730967787376657);
    }

    #[test]
    fn uuid_has_version_and_variant_bits() {
        let g = Generator::new(7);
        let id = g.uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert!(
            matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
            "{id}"
        );
        assert_ne!(id, g.uuid());
    }

    #[test]
    fn partition_truncates_the_size() {
        assert_eq!(
            call(partition, &[json!([1, 2, 3]), json!(2.9)]),
            Some(json!([[1, 2], [3]]))
        );
        assert_eq!(call(partition, &[json!([1, 2, 3]), json!(0)]), None);
    }

    #[test]
    fn range_handles_direction_and_truncation() {
        assert_eq!(
            call(range, &[json!(-1.7), json!(2), json!(1)]),
            Some(json!([-1, 0, 1, 2]))
        );
        assert_eq!(
            call(range, &[json!(5), json!(1), json!(-2)]),
            Some(json!([5, 3, 1]))
        );
        assert_eq!(call(range, &[json!(1), json!(5), json!(-1)]), None);
        assert!(range(&[Some(json!(0)), Some(json!(10_000_000)), Some(json!(1))]).is_err());
    }
}
