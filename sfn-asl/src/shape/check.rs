//! The `const fn` walk behind the path checks `workflow!` emits. Each check is a const item
//! that panics at the user's path literal when the walk finds a problem, so the compiler's one
//! message names the literal and nothing inside sfn:
//!
//! ```
//! use sfn_asl::shape::{check_path, Expect, PathCheck, Seg, Shape};
//!
//! const CHECK: PathCheck = PathCheck {
//!     path: "$.len",
//!     expect: Expect::Any,
//!     need: "",
//!     base: 0,
//!     via: "",
//! };
//! let found = check_path(<Vec<u8> as Shape>::SHAPE, &[Seg::Field("len")], CHECK);
//! assert_eq!(found.unwrap_err().as_str(), "no field `len` in `$.len`: the input is an array");
//! ```

use super::{JsonShape, ObjectShape};

/// One step of a path.
#[derive(Debug, Clone, Copy)]
pub enum Seg {
    /// `.name` or `['name']`.
    Field(&'static str),
    /// `[n]`.
    Index,
}

/// The JSON type the reader of a path needs at its end.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// Anything (plain paths, `is_present`).
    Any,
    /// A string (string and timestamp operators, `timestamp_path`).
    String,
    /// A number (numeric operators, `seconds_path`, `*_seconds_path`, ...).
    Number,
    /// A boolean.
    Boolean,
    /// An array (`items_path`).
    Array,
}

/// What one path literal is checked for.
#[derive(Debug, Clone, Copy)]
pub struct PathCheck {
    /// The literal as the user wrote it.
    pub path: &'static str,
    /// What its reader needs at the end.
    pub expect: Expect,
    /// Who needs it, for the message: "the rule compares it with", "`seconds_path` needs".
    pub need: &'static str,
    /// How many leading segments lead to what reaches the state (an `output_path` before it, a
    /// Map's `items_path`), ahead of the literal's own.
    pub base: usize,
    /// Appended to every message: "" or " when reached from `Validate`".
    pub via: &'static str,
}

/// Why a path does not fit its shape: a message built in const code (which cannot allocate)
/// in a fixed buffer; long messages are cut.
pub struct PathError {
    buf: [u8; 512],
    len: usize,
}

impl PathError {
    const fn new() -> Self {
        PathError {
            buf: [0; 512],
            len: 0,
        }
    }

    const fn push(mut self, s: &str) -> Self {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() && self.len < self.buf.len() {
            self.buf[self.len] = b[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    /// `` `name` `` for a type's name, as is for a description ("the Parameters of `Ship`").
    const fn push_owner(self, name: &str) -> Self {
        let mut i = 0;
        let b = name.as_bytes();
        while i < b.len() {
            if b[i] == b' ' {
                return self.push(name);
            }
            i += 1;
        }
        self.push("`").push(name).push("`")
    }

    /// The message (cut at a character boundary when it did not fit).
    pub const fn as_str(&self) -> &str {
        let (text, _) = self.buf.split_at(self.len);
        match core::str::from_utf8(text) {
            Ok(s) => s,
            Err(e) => {
                let (valid, _) = text.split_at(e.valid_up_to());
                match core::str::from_utf8(valid) {
                    Ok(s) => s,
                    Err(_) => "a workflow path does not fit its input type",
                }
            }
        }
    }
}

impl core::fmt::Debug for PathError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Follows `segs` through `root` (the shape of what reaches the state) and checks that the
/// value at the end is one `check.expect` accepts; the error names the missing field, the
/// owner, a likely field and the way into the state.
// The message buffer is large, but const code cannot box it, and it only lives while the
// compiler evaluates the check.
#[allow(clippy::result_large_err)]
pub const fn check_path(
    root: &'static JsonShape,
    segs: &[Seg],
    check: PathCheck,
) -> Result<(), PathError> {
    let mut shape = root;
    let mut owner = owner_name(shape, "the input");
    let mut i = 0;
    while i < segs.len() {
        let seg = segs[i];
        let err = match step(shape, seg) {
            Step::To(next) => {
                owner = owner_name(shape, owner);
                shape = next;
                i += 1;
                continue;
            }
            Step::Unchecked => return Ok(()),
            // The way in goes right after the owner, ahead of the likely fields.
            Step::NoField(o) => match seg {
                Seg::Field(name) => return Err(no_field(o, name, check.via)),
                Seg::Index => return Ok(()),
            },
            Step::NoFieldInEnum(enum_name) => match seg {
                Seg::Field(name) => PathError::new()
                    .push("no field `")
                    .push(name)
                    .push("` in any form of `")
                    .push(enum_name)
                    .push("`"),
                Seg::Index => return Ok(()),
            },
            Step::Mismatch(kind) => mismatch(root, segs, i, check, kind),
        };
        return Err(err.push(check.via));
    }
    if satisfies(shape, check.expect) {
        return Ok(());
    }
    Err(PathError::new()
        .push("`")
        .push(check.path)
        .push("` is ")
        .push(kind_name(shape))
        .push(" in ")
        .push_owner(owner)
        .push(check.via)
        .push(", but ")
        .push(check.need)
        .push(" ")
        .push(expect_name(check.expect)))
}

/// The shape at `segs` in `root`, or `Any` where the path cannot be followed (the path's own
/// check reports why). Lets a payload template's `"k.$": "$.x"` carry the shape it copies.
pub const fn shape_at(root: &'static JsonShape, segs: &[Seg]) -> &'static JsonShape {
    let mut shape = root;
    let mut i = 0;
    while i < segs.len() {
        match step(shape, segs[i]) {
            Step::To(next) => shape = next,
            _ => return &JsonShape::Any,
        }
        i += 1;
    }
    shape
}

/// "no field `x` in `$.id.x`: `$.id` is a string"; when the user's path fails on what reaches
/// the state itself: "...: this state's input (`$.currency` of `Quote`) is a string".
const fn mismatch(
    root: &'static JsonShape,
    segs: &[Seg],
    at: usize,
    check: PathCheck,
    kind: &'static str,
) -> PathError {
    let what = match segs[at] {
        Seg::Field(name) => PathError::new().push("no field `").push(name).push("`"),
        Seg::Index => PathError::new().push("nothing to index"),
    };
    let msg = what.push(" in `").push(check.path).push("`: ");
    let base = if check.base < at { check.base } else { at };
    let msg = if at > base {
        let (_, own) = segs.split_at(base);
        push_path(msg.push("`"), own, at - base).push("`")
    } else if at == 0 {
        msg.push("the input")
    } else {
        let msg = push_path(msg.push("this state's input (`"), segs, at).push("`");
        match root {
            JsonShape::Object(_) | JsonShape::OneOf(..) => {
                msg.push(" of ").push_owner(owner_name(root, "")).push(")")
            }
            _ => msg.push(")"),
        }
    };
    msg.push(" is ").push(kind)
}

/// `$.a[..].b`: the first `n` segments of `segs`.
const fn push_path(mut msg: PathError, segs: &[Seg], n: usize) -> PathError {
    msg = msg.push("$");
    let mut i = 0;
    while i < n {
        msg = match segs[i] {
            Seg::Field(name) => msg.push(".").push(name),
            Seg::Index => msg.push("[..]"),
        };
        i += 1;
    }
    msg
}

const fn expect_name(expect: Expect) -> &'static str {
    match expect {
        Expect::String => "a string",
        Expect::Number => "a number",
        Expect::Boolean => "a boolean",
        Expect::Array => "an array",
        Expect::Any => "a value",
    }
}

enum Step {
    To(&'static JsonShape),
    Unchecked,
    NoField(&'static ObjectShape),
    NoFieldInEnum(&'static str),
    Mismatch(&'static str),
}

const fn step(shape: &'static JsonShape, seg: Seg) -> Step {
    match (shape, seg) {
        (JsonShape::Any, _) => Step::Unchecked,
        (JsonShape::Nullable(inner), _) => step(inner, seg),
        (JsonShape::Object(o), Seg::Field(name)) => match find(o, name) {
            Some(s) => Step::To(s),
            None => Step::NoField(o),
        },
        (JsonShape::Map(v), Seg::Field(_)) => Step::To(v),
        (JsonShape::Array(e), Seg::Index) => Step::To(e),
        (JsonShape::Tuple(_), Seg::Index) => Step::Unchecked,
        (JsonShape::OneOf(name, alts), _) => {
            let mut i = 0;
            while i < alts.len() {
                if let Step::To(s) = step(alts[i], seg) {
                    return Step::To(s);
                }
                if let Step::Unchecked = step(alts[i], seg) {
                    return Step::Unchecked;
                }
                i += 1;
            }
            match seg {
                Seg::Field(_) => Step::NoFieldInEnum(name),
                Seg::Index => Step::Mismatch("an enum without array forms"),
            }
        }
        (s, _) => Step::Mismatch(kind_name(s)),
    }
}

/// The field `name` of `o`, looking into flattened shapes too.
pub(super) const fn find(
    o: &'static ObjectShape,
    name: &'static str,
) -> Option<&'static JsonShape> {
    let mut i = 0;
    while i < o.fields.len() {
        if eq(o.fields[i].name, name) {
            return Some(o.fields[i].shape);
        }
        i += 1;
    }
    let mut j = 0;
    while j < o.flatten.len() {
        match step(o.flatten[j], Seg::Field(name)) {
            Step::To(s) => return Some(s),
            Step::Unchecked => return Some(&JsonShape::Any),
            _ => {}
        }
        j += 1;
    }
    None
}

const fn no_field(o: &'static ObjectShape, name: &str, via: &str) -> PathError {
    let mut msg = PathError::new()
        .push("no field `")
        .push(name)
        .push("` in ")
        .push_owner(o.name)
        .push(via);
    let mut best: Option<&str> = None;
    let mut best_d = usize::MAX;
    let mut i = 0;
    while i < o.fields.len() {
        let d = distance(o.fields[i].name.as_bytes(), name.as_bytes());
        if d < best_d {
            best_d = d;
            best = Some(o.fields[i].name);
        }
        i += 1;
    }
    let limit = {
        let l = if name.len() > 3 { name.len() / 3 } else { 1 };
        if l < 1 {
            1
        } else {
            l
        }
    };
    match best {
        Some(b) if best_d <= limit => msg = msg.push(" (did you mean `").push(b).push("`?)"),
        Some(_) => {
            msg = msg.push("; its fields are ");
            let mut k = 0;
            while k < o.fields.len() {
                if k > 0 {
                    msg = msg.push(", ");
                }
                msg = msg.push("`").push(o.fields[k].name).push("`");
                k += 1;
            }
        }
        None => msg = msg.push("; it has no fields"),
    }
    msg
}

const fn satisfies(shape: &JsonShape, expect: Expect) -> bool {
    match (shape, expect) {
        (_, Expect::Any) | (JsonShape::Any, _) => true,
        (JsonShape::Nullable(inner), e) => satisfies(inner, e),
        (JsonShape::OneOf(_, alts), e) => {
            let mut i = 0;
            while i < alts.len() {
                if satisfies(alts[i], e) {
                    return true;
                }
                i += 1;
            }
            false
        }
        (JsonShape::String, Expect::String)
        | (JsonShape::Number, Expect::Number)
        | (JsonShape::Bool, Expect::Boolean)
        | (JsonShape::Array(_) | JsonShape::Tuple(_), Expect::Array) => true,
        _ => false,
    }
}

const fn kind_name(shape: &JsonShape) -> &'static str {
    match shape {
        JsonShape::Any => "any value",
        JsonShape::Null => "always null",
        JsonShape::Bool => "a boolean",
        JsonShape::Number => "a number",
        JsonShape::String => "a string",
        JsonShape::Array(_) | JsonShape::Tuple(_) => "an array",
        JsonShape::Map(_) => "a map",
        JsonShape::Nullable(inner) => kind_name(inner),
        JsonShape::Object(_) => "an object",
        JsonShape::OneOf(..) => "an enum",
    }
}

const fn owner_name(shape: &JsonShape, otherwise: &'static str) -> &'static str {
    match shape {
        JsonShape::Object(o) => o.name,
        JsonShape::OneOf(name, _) => name,
        JsonShape::Nullable(inner) => owner_name(inner, otherwise),
        _ => otherwise,
    }
}

const fn eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Edit distance over bytes, a swap of neighbours counting as one edit (as the macro's own
/// did-you-mean does: `emial` → `email`); names over 64 bytes are never suggested.
const fn distance(a: &[u8], b: &[u8]) -> usize {
    const N: usize = 65;
    if a.len() >= N || b.len() >= N {
        return usize::MAX;
    }
    let mut before = [0usize; N];
    let mut prev = [0usize; N];
    let mut cur = [0usize; N];
    let mut j = 0;
    while j <= b.len() {
        prev[j] = j;
        j += 1;
    }
    let mut i = 1;
    while i <= a.len() {
        cur[0] = i;
        let mut j = 1;
        while j <= b.len() {
            let cost = if a[i - 1] == b[j - 1] { 0 } else { 1 };
            let mut best = min(prev[j] + 1, min(cur[j - 1] + 1, prev[j - 1] + cost));
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = min(best, before[j - 2] + 1);
            }
            cur[j] = best;
            j += 1;
        }
        before = prev;
        prev = cur;
        i += 1;
    }
    prev[b.len()]
}

const fn min(a: usize, b: usize) -> usize {
    if a < b {
        a
    } else {
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance(b"ordr", b"order"), 1);
        assert_eq!(distance(b"", b"abc"), 3);
        assert_eq!(distance(b"same", b"same"), 0);
        assert_eq!(distance(b"emial", b"email"), 1);
    }

    #[test]
    fn expectations_follow_nullable_and_enums() {
        assert!(satisfies(
            &JsonShape::Nullable(&JsonShape::Number),
            Expect::Number
        ));
        assert!(!satisfies(&JsonShape::String, Expect::Number));
        assert!(satisfies(&JsonShape::Any, Expect::Boolean));
    }
}
