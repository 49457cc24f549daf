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
///
/// Hashed with foldhash (a fixed seed, so lookups never depend on the process): the engine looks
/// up the next state's name here on every transition, and std's SipHash was a visible part of it.
pub type States = IndexMap<String, State, foldhash::fast::FixedState>;

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

/// One scope of a machine's states: the top level, a Parallel branch or a Map's item
/// processor.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// `StartAt`.
    pub start_at: &'a str,
    /// `States`.
    pub states: &'a States,
}

/// A scope found by [`StateMachine::scopes`], with where it sits.
#[derive(Debug, Clone)]
pub struct NestedScope<'a> {
    /// The JSON pointer of the object holding the scope's `StartAt` and `States` (`""` for
    /// the top level, `/States/P/Branches/0`, `/States/M/ItemProcessor`).
    pub pointer: String,
    /// How to reach it from the top level: per level, the index of the Parallel/Map state in
    /// its `States` and the branch index (0 for a Map), as [`StateMachine::scope_at`] takes it.
    pub path: Vec<(usize, usize)>,
    /// The scope.
    pub scope: Scope<'a>,
}

impl NestedScope<'_> {
    /// Nesting depth: 0 for the top level.
    pub fn depth(&self) -> usize {
        self.path.len()
    }
}

impl State {
    /// The scopes directly inside this state (a Parallel's branches, a Map's item processor),
    /// each with the pointer segments that lead to it from the state (`Branches/0`,
    /// `ItemProcessor` or the legacy `Iterator`).
    pub fn nested_scopes(&self) -> Vec<(String, Scope<'_>)> {
        match &self.kind {
            StateKind::Parallel(p) => p
                .branches
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let scope = Scope {
                        start_at: &b.start_at,
                        states: &b.states,
                    };
                    (format!("Branches/{i}"), scope)
                })
                .collect(),
            StateKind::Map(m) => {
                let ip = &m.item_processor;
                let key = if ip.legacy_iterator {
                    "Iterator"
                } else {
                    "ItemProcessor"
                };
                let scope = Scope {
                    start_at: &ip.start_at,
                    states: &ip.states,
                };
                vec![(key.to_owned(), scope)]
            }
            _ => Vec::new(),
        }
    }
}

impl StateMachine {
    /// Every scope of the machine: the top level first, then each scope before the ones inside
    /// it, in document order. Walked with an explicit stack, so a deep model cannot exhaust the
    /// call stack.
    ///
    /// ```
    /// let m = sfn_asl::parse(r#"{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
    ///   "Branches":[{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}]}}}"#).unwrap();
    /// let pointers: Vec<String> = m.scopes().into_iter().map(|s| s.pointer).collect();
    /// assert_eq!(pointers, ["", "/States/P/Branches/0"]);
    /// ```
    pub fn scopes(&self) -> Vec<NestedScope<'_>> {
        let top = NestedScope {
            pointer: String::new(),
            path: Vec::new(),
            scope: Scope {
                start_at: &self.start_at,
                states: &self.states,
            },
        };
        let mut out = Vec::new();
        let mut todo = vec![top];
        while let Some(scope) = todo.pop() {
            let mut inner = Vec::new();
            for (index, (name, state)) in scope.scope.states.iter().enumerate() {
                for (branch, (tail, nested)) in state.nested_scopes().into_iter().enumerate() {
                    let mut path = scope.path.clone();
                    path.push((index, branch));
                    inner.push(NestedScope {
                        pointer: format!(
                            "{}/States/{}/{tail}",
                            scope.pointer,
                            crate::pointer::escape_segment(name)
                        ),
                        path,
                        scope: nested,
                    });
                }
            }
            // Reversed onto the stack, so they come off in document order.
            todo.extend(inner.into_iter().rev());
            out.push(scope);
        }
        out
    }

    /// The scope that `path` leads to (see [`NestedScope::path`]); `None` when a step names no
    /// Parallel branch or Map.
    pub fn scope_at(&self, path: impl IntoIterator<Item = (usize, usize)>) -> Option<Scope<'_>> {
        let mut scope = Scope {
            start_at: &self.start_at,
            states: &self.states,
        };
        for (index, branch) in path {
            let (_, state) = scope.states.get_index(index)?;
            scope = match &state.kind {
                StateKind::Parallel(p) => {
                    let b = p.branches.get(branch)?;
                    Scope {
                        start_at: &b.start_at,
                        states: &b.states,
                    }
                }
                StateKind::Map(m) if branch == 0 => Scope {
                    start_at: &m.item_processor.start_at,
                    states: &m.item_processor.states,
                },
                _ => return None,
            };
        }
        Some(scope)
    }

    /// The query language a state runs in: its own `QueryLanguage`, else the top-level one, else JSONPath.
    /// (States inside Map/Parallel inherit the top-level value, not their parent's.)
    pub fn effective_language(&self, state: &State) -> QueryLanguage {
        state
            .query_language
            .or(self.query_language)
            .unwrap_or(QueryLanguage::JsonPath)
    }
}

#[cfg(test)]
mod scope_tests {
    #[test]
    fn scopes_come_in_document_order_with_their_paths() {
        let m = crate::parse(
            r#"{"StartAt":"P","States":{
              "P":{"Type":"Parallel","Next":"M","Branches":[
                {"StartAt":"A","States":{"A":{"Type":"Map","End":true,
                  "ItemProcessor":{"StartAt":"X","States":{"X":{"Type":"Succeed"}}}}}},
                {"StartAt":"B","States":{"B":{"Type":"Succeed"}}}]},
              "M":{"Type":"Map","End":true,"Iterator":{"StartAt":"Y","States":{"Y":{"Type":"Succeed"}}}}}}"#,
        )
        .expect("valid");
        type Found = (String, Vec<(usize, usize)>, String);
        let found: Vec<Found> = m
            .scopes()
            .into_iter()
            .map(|s| (s.pointer, s.path, s.scope.start_at.to_owned()))
            .collect();
        let expected = [
            ("", vec![], "P"),
            ("/States/P/Branches/0", vec![(0, 0)], "A"),
            (
                "/States/P/Branches/0/States/A/ItemProcessor",
                vec![(0, 0), (0, 0)],
                "X",
            ),
            ("/States/P/Branches/1", vec![(0, 1)], "B"),
            ("/States/M/Iterator", vec![(1, 0)], "Y"),
        ];
        assert_eq!(found.len(), expected.len());
        for ((pointer, path, start), (p, q, st)) in found.iter().zip(expected) {
            assert_eq!((pointer.as_str(), path, start.as_str()), (p, &q, st));
        }
        for s in m.scopes() {
            let again = m.scope_at(s.path.iter().copied()).expect("found");
            assert_eq!(again.start_at, s.scope.start_at);
        }
        assert!(m.scope_at([(0, 2)]).is_none());
        assert!(m.scope_at([(1, 1)]).is_none());
    }
}
