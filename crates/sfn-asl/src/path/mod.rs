//! JSONPath as Step Functions accepts it. (Interface placeholder; the parser and evaluator fill it.)

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

use crate::error::ExprError;
use crate::eval::EvalEnv;

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
}

impl PartialEq for Path {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Path {
    /// Compiles a path.
    pub fn parse(source: &str) -> Result<Path, ExprError> {
        if !source.starts_with('$') {
            return Err(ExprError::new(0, "a path must start with `$`"));
        }
        Ok(Path { source: source.to_owned() })
    }
    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// What the path reads.
    pub fn root(&self) -> PathRoot {
        PathRoot::Input
    }
    /// `true` for exactly `$` (the whole input), which callers can move instead of copying.
    pub fn is_root(&self) -> bool {
        self.source == "$"
    }
    /// Whether the path names at most one node (no wildcard, slice, filter, union or `..`).
    /// A definite path yields the node itself; an indefinite one an array of matches.
    pub fn is_definite(&self) -> bool {
        true
    }
    /// Evaluates the path.
    pub fn select<'a>(&self, env: &EvalEnv<'a>) -> Result<Cow<'a, Value>, PathMiss> {
        let _ = env;
        Err(PathMiss::NoResults { at: self.source.clone() })
    }
}

/// A compiled `ReferencePath`: a path that names exactly one node.
#[derive(Debug, Clone)]
pub struct ReferencePath {
    source: String,
}

impl PartialEq for ReferencePath {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl ReferencePath {
    /// Compiles a reference path.
    pub fn parse(source: &str) -> Result<ReferencePath, ExprError> {
        if !source.starts_with('$') {
            return Err(ExprError::new(0, "a reference path must start with `$`"));
        }
        Ok(ReferencePath { source: source.to_owned() })
    }
    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// What the path reads.
    pub fn root(&self) -> PathRoot {
        PathRoot::Input
    }
    /// `true` for exactly `$`.
    pub fn is_root(&self) -> bool {
        self.source == "$"
    }
    /// Reads the node (for `…Path` fields and `ItemsPath`).
    pub fn select<'a>(&self, env: &EvalEnv<'a>) -> Result<Cow<'a, Value>, PathMiss> {
        let _ = env;
        Err(PathMiss::NoResults { at: self.source.clone() })
    }
    /// `ResultPath` semantics: writes `value` at this path inside `target` (a copy of the raw
    /// input), creating missing objects. `$` replaces `target`. Fails with the cause text of
    /// `States.ResultPathMatchFailure` when an intermediate node is not an object.
    pub fn write(&self, target: &mut Value, value: Value) -> Result<(), String> {
        *target = value;
        Ok(())
    }
}
