//! The `const fn` walk behind the path checks `workflow!` emits:
//! `const _: () = check_path::<Order>(&[Seg::Field("ordr"), Seg::Field("id")], "$.ordr.id", Expect::Any);`

use super::{JsonShape, ObjectShape, Shape};

/// One step of a path.
#[derive(Debug, Clone, Copy)]
pub enum Seg {
    /// `.name` or `['name']`.
    Field(&'static str),
    /// `[n]`.
    Index,
}

/// The JSON type a choice comparison needs at the end of the path.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// Anything (plain paths, `is_present`).
    Any,
    /// A string (string and timestamp operators).
    String,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
}

/// Fails compilation with a message naming the missing field, unless `segs` can be followed
/// through `T`'s shape and ends at a value `expect` accepts.
pub const fn check_path<T: Shape + ?Sized>(segs: &[Seg], path: &'static str, expect: Expect) {
    let mut shape = T::SHAPE;
    let mut owner = owner_name(shape, "the input");
    let mut prev = "$";
    let mut i = 0;
    while i < segs.len() {
        let seg = segs[i];
        match step(shape, seg) {
            Step::To(next) => {
                owner = owner_name(shape, owner);
                shape = next;
            }
            Step::Unchecked => return,
            Step::NoField(o) => {
                let Seg::Field(name) = seg else { return };
                no_field(o, name)
            }
            Step::NoFieldInEnum(enum_name) => {
                let Seg::Field(name) = seg else { return };
                fail(
                    Msg::new()
                        .push("no field `")
                        .push(name)
                        .push("` in any form of `")
                        .push(enum_name)
                        .push("`"),
                )
            }
            Step::Mismatch(kind) => {
                let what = match seg {
                    Seg::Field(name) => Msg::new().push("no field `").push(name).push("`"),
                    Seg::Index => Msg::new().push("nothing to index"),
                };
                fail(
                    what.push(" in `")
                        .push(path)
                        .push("`: `")
                        .push(prev)
                        .push("` is ")
                        .push(kind),
                )
            }
        }
        prev = match seg {
            Seg::Field(name) => name,
            Seg::Index => "[..]",
        };
        i += 1;
    }
    if !satisfies(shape, expect) {
        let wanted = match expect {
            Expect::String => "a string",
            Expect::Number => "a number",
            Expect::Boolean => "a boolean",
            Expect::Any => "a value",
        };
        fail(
            Msg::new()
                .push("`")
                .push(path)
                .push("` is ")
                .push(kind_name(shape))
                .push(" in `")
                .push(owner)
                .push("`, but the rule compares it with ")
                .push(wanted),
        )
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
const fn find(o: &'static ObjectShape, name: &'static str) -> Option<&'static JsonShape> {
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

const fn no_field(o: &'static ObjectShape, name: &str) -> ! {
    let mut msg = Msg::new()
        .push("no field `")
        .push(name)
        .push("` in `")
        .push(o.name)
        .push("`");
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
    fail(msg)
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
        | (JsonShape::Bool, Expect::Boolean) => true,
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

/// Levenshtein distance over bytes; names over 64 bytes are never suggested.
const fn distance(a: &[u8], b: &[u8]) -> usize {
    const N: usize = 65;
    if a.len() >= N || b.len() >= N {
        return usize::MAX;
    }
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
            let del = prev[j] + 1;
            let ins = cur[j - 1] + 1;
            let sub = prev[j - 1] + cost;
            cur[j] = if del < ins {
                if del < sub {
                    del
                } else {
                    sub
                }
            } else if ins < sub {
                ins
            } else {
                sub
            };
            j += 1;
        }
        prev = cur;
        i += 1;
    }
    prev[b.len()]
}

/// A message built in const code (which cannot allocate); long messages are cut.
struct Msg {
    buf: [u8; 512],
    len: usize,
}

impl Msg {
    const fn new() -> Self {
        Msg {
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
}

const fn fail(msg: Msg) -> ! {
    let (text, _) = msg.buf.split_at(msg.len);
    match core::str::from_utf8(text) {
        Ok(s) => panic!("{}", s),
        Err(_) => panic!("a workflow path does not fit its input type"),
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
