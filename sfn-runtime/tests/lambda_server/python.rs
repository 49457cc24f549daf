//! Python's text forms of a JSON value, which the recorded functions (Python 3.12) produced:
//! `json.dumps` with its default separators and `ensure_ascii` (how the Lambda runtime writes a
//! function's answer and error), and `str()` (a function returning `f"...{event}"`). No crate
//! writes Python's forms, so they are written out here: `json.dumps` as a serde_json
//! `Formatter`, `str()` by hand.

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;
use serde_json::Value;

/// `json.dumps`'s defaults: `", "` and `": "` between members, non-ASCII text escaped as
/// `\uXXXX`, floats as Python's `repr` writes them.
struct PythonJson;

impl Formatter for PythonJson {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        w.write_all(float_repr(value).as_bytes())
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        for c in fragment.chars() {
            if c.is_ascii() {
                w.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(w, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

/// `json.dumps(value)`.
pub fn dumps(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonJson);
    // Writing to a Vec cannot fail, and a JSON value always serializes.
    let _ = value.serialize(&mut ser);
    out
}

/// `repr(float)`: the shortest text that reads back, fixed-point for exponents -4..16
/// (`0.0001`, `123.0`), else scientific with a signed, two-digit exponent (`1e+16`, `1e-05`).
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let text = if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else {
            let point = point as usize;
            let whole = format!("{digits:0<point$}");
            let (int, frac) = whole.split_at(point);
            let frac = if frac.is_empty() { "0" } else { frac };
            format!("{int}.{frac}")
        };
        format!("{sign}{text}")
    } else {
        let exp_sign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{exp_sign}{:02}", exp.unsigned_abs())
    }
}

/// `str(value)` of the value Python's `json.loads` makes of `value`: text as itself, anything
/// else as its `repr`.
pub fn str_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => repr(other),
    }
}

fn repr(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => float_repr(f),
            _ => n.to_string(),
        },
        Value::String(s) => string_repr(s),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(repr).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(members) => {
            let members: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{}: {}", string_repr(k), repr(v)))
                .collect();
            format!("{{{}}}", members.join(", "))
        }
    }
}

/// `repr(str)`: single quotes unless the text has one and no double quote; backslash, the
/// quote, `\n`, `\r`, `\t` escaped, and characters Python does not print as `\xhh`, `\uhhhh`.
fn string_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !printable(c) => {
                let n = c as u32;
                match n {
                    0..=0xff => out.push_str(&format!("\\x{n:02x}")),
                    0x100..=0xffff => out.push_str(&format!("\\u{n:04x}")),
                    _ => out.push_str(&format!("\\U{n:08x}")),
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable` for the characters text usually holds: not a control, format
/// or separator character other than the space (Unicode's tables, for the common ranges).
fn printable(c: char) -> bool {
    !(c.is_control()
        || matches!(c as u32,
            0xa0 | 0xad | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x206f | 0x3000 | 0xfeff))
}

// Runs in the test crates with the default harness (`aws_integrations`); compiled without
// running where the harness is the crate's own `main`.
#[cfg(test)]
#[allow(unused_imports)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dumps_as_python_does() {
        let v = json!({"body": "string body", "n": [1, 0.0, true, null], "é": "☃"});
        assert_eq!(
            String::from_utf8_lossy(&dumps(&v)),
            r#"{"body": "string body", "n": [1, 0.0, true, null], "\u00e9": "\u2603"}"#
        );
    }

    #[test]
    fn floats_as_python_repr() {
        for (f, text) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (123.0, "123.0"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (2.5, "2.5"),
        ] {
            assert_eq!(float_repr(f), text, "{f}");
        }
    }

    #[test]
    fn str_as_python_does() {
        assert_eq!(str_of(&json!(["string-literal"])), "['string-literal']");
        assert_eq!(
            str_of(&json!({"a": null, "b": [true, 1.5], "c": "it's"})),
            r#"{'a': None, 'b': [True, 1.5], 'c': "it's"}"#
        );
        assert_eq!(str_of(&json!("plain")), "plain");
        assert_eq!(str_of(&json!({"q": "a'b\"c\n"})), r#"{'q': 'a\'b"c\n'}"#);
    }
}
