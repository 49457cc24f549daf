//! JSONPath as Step Functions accepts it (the Jayway dialect).
//!
//! A [`Path`] is compiled once and evaluated many times; a definite path yields the node itself
//! (borrowed from the document when possible), an indefinite one (`[*]`, `..`, slices, filters,
//! unions) an array of every match, `[]` when nothing matches. A [`ReferencePath`] names exactly
//! one node and can also be written to (`ResultPath`).
//!
//! ```
//! use sfn_asl::eval::{EvalEnv, SeededEntropy};
//! use sfn_asl::path::Path;
//! use serde_json::json;
//!
//! let input = json!({"order": {"items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 0}]}});
//! let entropy = SeededEntropy::new(0);
//! let env = EvalEnv { input: &input, context: &json!({}), vars: &(), entropy: &entropy };
//! let path = Path::parse("$.order.items[?(@.qty > 0)].sku").unwrap();
//! assert_eq!(path.select(&env).unwrap().into_owned(), json!(["a"]));
//! let miss = Path::parse("$.order.id").unwrap().select(&env).unwrap_err();
//! assert_eq!(miss.to_string(), "No results for path: $['order']['id']");
//! ```

pub mod ast;
mod eval;
mod parser;

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use crate::error::message::unable_to_apply_reference_path;
use crate::error::ExprError;
use crate::eval::EvalEnv;
use ast::Segment;

/// Why a path selected nothing. `Display` gives AWS's wording (`No results for path: $['x']`);
/// callers wrap it in the message of the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathMiss {
    /// The last key of a definite path is missing: `No results for path: $['x']`.
    NoResults {
        /// The normalized path that was looked up (`$['x']`).
        at: String,
    },
    /// An inner key is missing: `Missing property in path $['a']`.
    MissingProperty {
        /// The normalized path of the missing key (`$['a']`).
        at: String,
    },
    /// `$name` names a variable that was never assigned.
    UnknownVariable {
        /// The variable name.
        name: String,
    },
}

impl fmt::Display for PathMiss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathMiss::NoResults { at } => write!(f, "No results for path: {at}"),
            PathMiss::MissingProperty { at } => write!(f, "Missing property in path {at}"),
            PathMiss::UnknownVariable { name } => write!(f, "Undefined variable: {name}"),
        }
    }
}

/// What a path is evaluated against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathRoot {
    /// `$`: the input.
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
}

/// A compiled JSONPath `Path` (`$.a[0]`, `$..b`, `$$.Execution.Id`, `$var.x`).
#[derive(Debug, Clone)]
pub struct Path {
    source: String,
    root: PathRoot,
    segments: Vec<Segment>,
    definite: bool,
}

impl PartialEq for Path {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Path {
    /// Compiles a path.
    pub fn parse(source: &str) -> Result<Path, ExprError> {
        let parsed = parser::parse_path(source)?;
        let definite = is_definite(&parsed.segments);
        Ok(Path {
            source: source.to_owned(),
            root: parsed.root,
            segments: parsed.segments,
            definite,
        })
    }
    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// What the path reads.
    pub fn root(&self) -> PathRoot {
        self.root.clone()
    }
    /// The steps after the root, for callers that check a path against a known shape.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }
    /// `true` for exactly `$` (the whole input), which callers can move instead of copying.
    pub fn is_root(&self) -> bool {
        self.root == PathRoot::Input && self.segments.is_empty()
    }
    /// Whether the path names at most one node (no wildcard, slice, filter, union or `..`).
    /// A definite path yields the node itself; an indefinite one an array of matches.
    pub fn is_definite(&self) -> bool {
        self.definite
    }
    /// The path in AWS's normalized form (`$['a'][0]`), as error messages show it.
    pub fn normalized(&self) -> String {
        ast::normalized(&self.root, &self.segments)
    }
    /// Evaluates the path.
    #[inline]
    pub fn select<'a>(&self, env: &EvalEnv<'a>) -> Result<Cow<'a, Value>, PathMiss> {
        let doc = root_document(&self.root, env)?;
        if self.segments.is_empty() {
            return Ok(Cow::Borrowed(doc));
        }
        if self.definite {
            eval::definite(doc, &self.root, &self.segments)
        } else {
            let all = eval::all_matches(doc, &self.segments);
            Ok(Cow::Owned(Value::Array(
                all.into_iter().map(Cow::into_owned).collect(),
            )))
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Objects up to this many members are searched by comparing keys: `serde_json::Map` hashes
/// with SipHash (its hasher cannot be chosen), which costs more than a few short comparisons.
const SCAN_MEMBERS: usize = 8;

/// `map.get(key)`, without hashing `key` when the object is small.
#[inline]
pub fn member<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() <= SCAN_MEMBERS {
        map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        map.get(key)
    }
}

/// `map.get_mut(key)`, without hashing `key` when the object is small.
#[inline]
pub fn member_mut<'a>(map: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Value> {
    if map.len() <= SCAN_MEMBERS {
        map.iter_mut()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
    } else {
        map.get_mut(key)
    }
}

/// The document a root stands for in `env`.
fn root_document<'a>(root: &PathRoot, env: &EvalEnv<'a>) -> Result<&'a Value, PathMiss> {
    let vars = env.vars;
    match root {
        PathRoot::Input => Ok(env.input),
        PathRoot::Context => Ok(env.context),
        PathRoot::Variable(name) => vars
            .get(name)
            .ok_or_else(|| PathMiss::UnknownVariable { name: name.clone() }),
    }
}

/// Definite: only members and single indexes, except that Jayway treats a names-only union at
/// the very end (`$['a','b']`) as definite and merges the members into one object.
fn is_definite(segments: &[Segment]) -> bool {
    match segments.split_last() {
        None => true,
        Some((Segment::Union(items), body)) => {
            eval::is_name_union(items) && body.iter().all(Segment::is_definite)
        }
        Some(_) => segments.iter().all(Segment::is_definite),
    }
}

/// A compiled `ReferencePath`: a path that names exactly one node.
#[derive(Debug, Clone)]
pub struct ReferencePath {
    path: Path,
}

impl PartialEq for ReferencePath {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
    }
}

impl ReferencePath {
    /// Compiles a reference path: members and single indexes only (no `@ , : ? *` or `..`).
    pub fn parse(source: &str) -> Result<ReferencePath, ExprError> {
        if let Some((at, c)) = unescaped_special(source) {
            return Err(ExprError::new(
                at,
                format!("a reference path names a single node and cannot contain `{c}` (escape it as `\\{c}` in a member name)"),
            ));
        }
        let path = Path::parse(source)?;
        if !path.segments.iter().all(Segment::is_definite) {
            return Err(ExprError::new(
                0,
                "a reference path names a single node: use only `.name`, `['name']` and `[n]`",
            ));
        }
        Ok(ReferencePath { path })
    }
    /// The text as written.
    pub fn source(&self) -> &str {
        self.path.source()
    }
    /// What the path reads.
    pub fn root(&self) -> PathRoot {
        self.path.root()
    }
    /// The steps after the root (only [`Segment::Name`] and [`Segment::Index`]).
    pub fn segments(&self) -> &[Segment] {
        self.path.segments()
    }
    /// The same path as a [`Path`].
    pub fn as_path(&self) -> &Path {
        &self.path
    }
    /// `true` for exactly `$`.
    pub fn is_root(&self) -> bool {
        self.path.is_root()
    }
    /// Reads the node (for `…Path` fields and `ItemsPath`).
    pub fn select<'a>(&self, env: &EvalEnv<'a>) -> Result<Cow<'a, Value>, PathMiss> {
        self.path.select(env)
    }
    /// `ResultPath` semantics: writes `value` at this path inside `target` (a copy of the raw
    /// input), creating missing objects. `$` replaces `target`. Fails with the cause text of
    /// `States.ResultPathMatchFailure` when an intermediate node is not an object.
    pub fn write(&self, target: &mut Value, value: Value) -> Result<(), String> {
        let segments = &self.path.segments;
        // One member of an object (`$.result`), the usual case: nothing to check first.
        if let ([Segment::Name(name)], PathRoot::Input, Value::Object(map)) =
            (segments.as_slice(), &self.path.root, &mut *target)
        {
            match member_mut(map, name) {
                Some(slot) => *slot = value,
                None => {
                    map.insert(name.clone(), value);
                }
            }
            return Ok(());
        }
        if self.path.root != PathRoot::Input || !writable(target, segments) {
            return Err(format!(
                "Unable to apply ReferencePath {} to input {}",
                self.path.source, target
            ));
        }
        // `writable` has checked every step, so the error arms below are never taken; they keep
        // this walk panic-free should the two walks ever disagree.
        let mut cur = target;
        for seg in segments {
            cur = match seg {
                Segment::Name(name) => match cur {
                    // Looked up before inserting: replacing a member (the usual case) then
                    // does not copy the key.
                    Value::Object(map) => {
                        if !map.contains_key(name.as_str()) {
                            map.insert(name.clone(), Value::Object(Default::default()));
                        }
                        match map.get_mut(name.as_str()) {
                            Some(v) => v,
                            None => return Err(unable_to_apply_reference_path(&self.path.source)),
                        }
                    }
                    _ => return Err(unable_to_apply_reference_path(&self.path.source)),
                },
                Segment::Index(i) => match cur {
                    Value::Array(items) => {
                        let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
                        let k = if *i < 0 { len.saturating_add(*i) } else { *i };
                        match usize::try_from(k).ok().and_then(|k| items.get_mut(k)) {
                            Some(v) => v,
                            None => return Err(unable_to_apply_reference_path(&self.path.source)),
                        }
                    }
                    _ => return Err(unable_to_apply_reference_path(&self.path.source)),
                },
                _ => return Err(unable_to_apply_reference_path(&self.path.source)),
            };
        }
        *cur = value;
        Ok(())
    }
}

impl fmt::Display for ReferencePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path.source())
    }
}

/// Whether `write` can set the node: every existing step is an object (or an array holding the
/// index), and once a member is missing only members follow (they are created as objects).
fn writable(target: &Value, segments: &[Segment]) -> bool {
    let mut cur = Some(target);
    for seg in segments {
        cur = match (seg, cur) {
            // Below a created object only further members can be created.
            (Segment::Name(_), None) => None,
            (Segment::Name(name), Some(Value::Object(map))) => member(map, name),
            (Segment::Index(i), Some(Value::Array(items))) => {
                let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
                let k = if *i < 0 { len.saturating_add(*i) } else { *i };
                match usize::try_from(k).ok().and_then(|k| items.get(k)) {
                    Some(v) => Some(v),
                    None => return false,
                }
            }
            _ => return false,
        };
    }
    true
}

/// The first `@ , : ? *` that is not escaped by `\` or inside a quoted bracket name.
fn unescaped_special(source: &str) -> Option<(usize, char)> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (at, c) in source.chars().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match (c, quote) {
            ('\\', _) => escaped = true,
            (q, Some(open)) if q == open => quote = None,
            (_, Some(_)) => {}
            ('\'' | '"', None) => quote = Some(c),
            ('@' | ',' | ':' | '?' | '*', None) => return Some((at, c)),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{member, member_mut, SCAN_MEMBERS};
    use serde_json::{json, Map, Value};

    /// Small objects are scanned, large ones hashed: both find the same members.
    #[test]
    fn member_lookup_agrees_with_the_map() {
        for n in [0, 1, SCAN_MEMBERS, SCAN_MEMBERS + 1, 3 * SCAN_MEMBERS] {
            let mut map: Map<String, Value> = (0..n).map(|i| (format!("k{i}"), json!(i))).collect();
            for i in 0..n + 2 {
                let key = format!("k{i}");
                assert_eq!(member(&map, &key), map.get(&key), "{key} of {n}");
            }
            if n > 0 {
                let last = format!("k{}", n - 1);
                *member_mut(&mut map, &last).expect("present") = json!("new");
                assert_eq!(map[&last], json!("new"));
            }
            assert!(member_mut(&mut map, "absent").is_none());
        }
    }
}
