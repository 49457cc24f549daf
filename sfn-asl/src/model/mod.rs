//! The ASL data model: every state type and every field of the language, typed.
//!
//! A model value only ever comes from [`crate::parse`] (or is built by code that then runs
//! [`crate::validate::lint`]), so it holds a *valid* definition: mutually exclusive fields are
//! enums, every path, template, intrinsic call and JSONata expression is compiled.
//!
//! Absent and `null` differ in ASL (`"ResultPath": null` discards the result; an absent
//! `ResultPath` means `"$"`). Such fields are `Option<Option<_>>`: the outer `None` is "absent",
//! `Some(None)` is `null`.
//!
//! Both query languages live in the same structs: JSONPath-only fields (`InputPath`,
//! `Parameters`, `ResultSelector`, `ResultPath`, `OutputPath`, `Result`, `…Path`) and
//! JSONata-only fields (`Arguments`, `Output`, `Items`, `Condition`) are separate `Option`s; the
//! validator guarantees a state uses only the fields of its effective query language
//! ([`StateMachine::effective_language`]).

mod map;
mod states;

pub use map::*;
pub use states::*;

use indexmap::IndexMap;
use serde_json::Value;

use crate::jsonata::JsonataTemplate;
use crate::template::PayloadTemplate;

/// The states of one scope (top level, one Parallel branch, one Map processor), in definition order.
pub type States = IndexMap<String, State>;

/// A whole state machine definition (the top-level ASL object).
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachine {
    /// `Comment`.
    pub comment: Option<String>,
    /// `Version` (AWS accepts only `"1.0"`).
    pub version: Option<String>,
    /// `TimeoutSeconds`: the whole execution's limit.
    pub timeout_seconds: Option<u64>,
    /// `QueryLanguage`: the default for every state, nested ones included.
    pub query_language: Option<QueryLanguage>,
    /// `StartAt`.
    pub start_at: String,
    /// `States`.
    pub states: States,
}

/// One `Parallel` branch: a nested machine.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    /// `Comment`.
    pub comment: Option<String>,
    /// `StartAt`.
    pub start_at: String,
    /// `States`.
    pub states: States,
}

/// The query language of the definition or of one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryLanguage {
    /// `"JSONPath"` (the default).
    JsonPath,
    /// `"JSONata"`.
    Jsonata,
}

impl QueryLanguage {
    /// The ASL spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryLanguage::JsonPath => "JSONPath",
            QueryLanguage::Jsonata => "JSONata",
        }
    }
    /// Parses the ASL spelling.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "JSONPath" => Some(QueryLanguage::JsonPath),
            "JSONata" => Some(QueryLanguage::Jsonata),
            _ => None,
        }
    }
}

/// A field whose value is a template: a JSONPath payload template (`"k.$": "$.x"`) in JSONPath
/// states, a JSON value with `{% %}` expressions in JSONata states (`Assign`, `Credentials`,
/// `ItemSelector`, `BatchInput`).
#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// JSONPath payload template.
    JsonPath(PayloadTemplate),
    /// JSON value with JSONata expressions at its string leaves.
    Jsonata(JsonataTemplate),
}

/// A numeric (or string) field that may be given literally, through a `…Path` reference path,
/// or as a JSONata expression (`TimeoutSeconds` / `TimeoutSecondsPath`, `MaxConcurrency`, ...).
#[derive(Debug, Clone, PartialEq)]
pub enum Dynamic<T> {
    /// The literal field (`TimeoutSeconds: 30`).
    Literal(T),
    /// The `…Path` field (`TimeoutSecondsPath: "$.timeout"`).
    Path(crate::path::ReferencePath),
    /// The literal field holding a JSONata expression (`TimeoutSeconds: "{% $t %}"`).
    Jsonata(crate::jsonata::Jsonata),
}

/// Where a state goes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// `Next`.
    Next(String),
    /// `"End": true`.
    End,
}

impl Transition {
    /// The next state's name, if any.
    pub fn next(&self) -> Option<&str> {
        match self {
            Transition::Next(n) => Some(n),
            Transition::End => None,
        }
    }
}

/// A literal JSON value carried through unchanged (Pass `Result`).
pub type Literal = Value;

impl StateMachine {
    /// The query language a state runs in: its own `QueryLanguage`, else the top-level one, else JSONPath.
    /// (States inside Map/Parallel inherit the top-level value, not their parent's.)
    pub fn effective_language(&self, state: &State) -> QueryLanguage {
        state
            .query_language
            .or(self.query_language)
            .unwrap_or(QueryLanguage::JsonPath)
    }
}
