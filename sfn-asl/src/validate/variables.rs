//! Workflow variables a JSONata expression reads although no `Assign` before its state sets
//! them, on any way into the state.
//!
//! AWS accepts such a definition (its validator does not follow variables) and the read fails
//! when it runs: the variable is undefined, so the expression returns nothing or fails with
//! `States.QueryEvaluationError`. An unknown name is nearly always a misspelling, so the
//! `workflow!` macro refuses it and `sfn validate` warns about it.
//!
//! A variable counts as set at a state when an `Assign` (of a state, a Choice rule or a
//! Catcher) sets it at some state on some way from the scope's start to this one, or before the
//! Parallel or inline Map state whose branch or iteration this is (a Distributed Map's
//! iterations see no outer variable). Names an expression binds itself (`$x := ...`, lambda
//! parameters, `@$v`, `#$i`), JSONata's functions and `$states` are not workflow variables.
//! Only JSONata states are looked at: JSONPath states read variables in paths, which are not
//! followed yet.
//!
//! ```
//! use serde_json::json;
//! let doc = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
//!     "A": {"Type": "Pass", "Assign": {"total": 3}, "Next": "B"},
//!     "B": {"Type": "Pass", "Output": "{% $totl + 1 %}", "End": true}}});
//! let found = sfn_asl::validate::unassigned_variables(&doc);
//! assert_eq!(found[0].name, "totl");
//! assert_eq!(found[0].pointer, "/States/B/Output");
//! assert_eq!(found[0].suggestion.as_deref(), Some("total"));
//! ```

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::reader::Suggester;
use super::{escape_segment, MAX_NESTING};
use crate::jsonata::{is_expression, Jsonata};

/// A JSONata expression reading a variable that no `Assign` before its state sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnassignedVariable {
    /// JSON pointer of the string holding the expression (`/States/B/Output`).
    pub pointer: String,
    /// The state it belongs to.
    pub state: String,
    /// The variable, without `$`.
    pub name: String,
    /// A variable set before the state with a close name.
    pub suggestion: Option<String>,
}

impl UnassignedVariable {
    /// What is wrong, as a finding words it.
    pub fn message(&self) -> String {
        format!(
            "state `{}` reads the variable `${}`, which no `Assign` before it sets",
            self.state, self.name
        )
    }

    /// What to do about it.
    pub fn hint(&self) -> String {
        match &self.suggestion {
            Some(s) => format!("did you mean `${s}`?"),
            None => format!(
                "assign `{}` in an earlier state, or fix the name",
                self.name
            ),
        }
    }
}

/// Every read of a variable that no `Assign` before its state sets, in a definition (JSON, as
/// written or as `sfn_asl::emit_value` gives it). Parts that are not what a valid definition
/// holds are skipped: the linter reports them.
pub fn unassigned_variables(doc: &Value) -> Vec<UnassignedVariable> {
    let mut out = Vec::new();
    let jsonata = doc.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
    let mut cx = Cx {
        top_jsonata: jsonata,
        suggest: Suggester::default(),
        out: &mut out,
    };
    cx.scope(doc, "", &BTreeSet::new(), 0);
    out
}

struct Cx<'o> {
    top_jsonata: bool,
    suggest: Suggester,
    out: &'o mut Vec<UnassignedVariable>,
}

impl Cx<'_> {
    /// One `States` object (at `prefix`), entered with `outer` set.
    fn scope(&mut self, machine: &Value, prefix: &str, outer: &BTreeSet<String>, depth: usize) {
        let (Some(states), Some(start)) = (
            machine.get("States").and_then(Value::as_object),
            machine.get("StartAt").and_then(Value::as_str),
        ) else {
            return;
        };
        if depth > MAX_NESTING {
            return;
        }
        let entry = set_on_entry(states, start, outer);
        for (name, state) in states {
            let Some(seen) = entry.get(name.as_str()) else {
                continue; // unreachable: the linter says so
            };
            let at = format!("{prefix}/States/{}", escape_segment(name));
            if self.is_jsonata(state) {
                self.reads(state, &at, name, seen);
            }
            self.nested(state, &at, seen, depth);
        }
    }

    fn is_jsonata(&self, state: &Value) -> bool {
        match state.get("QueryLanguage").and_then(Value::as_str) {
            Some(q) => q == "JSONata",
            None => self.top_jsonata,
        }
    }

    /// The branches of a Parallel state and the iteration of a Map state.
    fn nested(&mut self, state: &Value, at: &str, seen: &BTreeSet<String>, depth: usize) {
        if let Some(branches) = state.get("Branches").and_then(Value::as_array) {
            for (i, b) in branches.iter().enumerate() {
                self.scope(b, &format!("{at}/Branches/{i}"), seen, depth + 1);
            }
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(p) = state.get(key) {
                let distributed = p.pointer("/ProcessorConfig/Mode").and_then(Value::as_str)
                    == Some("DISTRIBUTED");
                let outer = if distributed {
                    BTreeSet::new()
                } else {
                    seen.clone()
                };
                self.scope(p, &format!("{at}/{key}"), &outer, depth + 1);
            }
        }
    }

    /// Every expression string of `state` (nested scopes aside), checked against `seen`.
    fn reads(&mut self, state: &Value, at: &str, name: &str, seen: &BTreeSet<String>) {
        let strings = state_expressions(state, at);
        for (pointer, text) in strings {
            let Ok(expr) = Jsonata::compile(text) else {
                continue;
            };
            for var in expr.workflow_variables() {
                if seen.contains(var) {
                    continue;
                }
                // The suggester words a whole hint; the name alone is kept.
                let suggestion = self
                    .suggest
                    .did_you_mean(var, seen.iter().map(String::as_str))
                    .and_then(|h| {
                        let name = h.strip_prefix("did you mean `")?.strip_suffix("`?")?;
                        Some(name.to_owned())
                    });
                self.out.push(UnassignedVariable {
                    pointer: pointer.clone(),
                    state: name.to_owned(),
                    name: var.to_owned(),
                    suggestion,
                });
            }
        }
    }
}

/// A JSONata expression string of a JSONata state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonataString {
    /// The state whose field holds it.
    pub state: String,
    /// JSON pointer of the string (`/States/B/Output/total`).
    pub pointer: String,
    /// The string, `{%` and `%}` included.
    pub text: String,
}

/// Every JSONata expression string of the JSONata states of a definition (nested scopes
/// included), so that a check can look at what each reads.
pub fn jsonata_expressions(doc: &Value) -> Vec<JsonataString> {
    let top_jsonata = doc.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
    let mut out = Vec::new();
    collect_expressions(doc, "", top_jsonata, 0, &mut out);
    out
}

fn collect_expressions(
    machine: &Value,
    prefix: &str,
    top_jsonata: bool,
    depth: usize,
    out: &mut Vec<JsonataString>,
) {
    let Some(states) = machine.get("States").and_then(Value::as_object) else {
        return;
    };
    if depth > MAX_NESTING {
        return;
    }
    for (name, state) in states {
        let at = format!("{prefix}/States/{}", escape_segment(name));
        let jsonata = match state.get("QueryLanguage").and_then(Value::as_str) {
            Some(q) => q == "JSONata",
            None => top_jsonata,
        };
        if jsonata {
            for (pointer, text) in state_expressions(state, &at) {
                out.push(JsonataString {
                    state: name.clone(),
                    pointer,
                    text: text.to_owned(),
                });
            }
        }
        for (key, scope) in nested_scopes(state) {
            collect_expressions(scope, &format!("{at}/{key}"), top_jsonata, depth + 1, out);
        }
    }
}

/// The nested `States` holders of a state, with their key under it (`Branches/0`).
fn nested_scopes(state: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    if let Some(branches) = state.get("Branches").and_then(Value::as_array) {
        out.extend(
            branches
                .iter()
                .enumerate()
                .map(|(i, b)| (format!("Branches/{i}"), b)),
        );
    }
    for key in ["ItemProcessor", "Iterator"] {
        if let Some(p) = state.get(key) {
            out.push((key.to_owned(), p));
        }
    }
    out
}

/// The expression strings of one state's fields (nested scopes aside), with their pointers.
fn state_expressions<'s>(state: &'s Value, at: &str) -> Vec<(String, &'s str)> {
    let mut strings = Vec::new();
    if let Some(fields) = state.as_object() {
        for (k, v) in fields {
            if !matches!(k.as_str(), "Branches" | "ItemProcessor" | "Iterator") {
                expression_strings(v, format!("{at}/{}", escape_segment(k)), &mut strings, 0);
            }
        }
    }
    strings
}

/// The JSONata strings under `v` with their pointers.
fn expression_strings<'v>(
    v: &'v Value,
    at: String,
    out: &mut Vec<(String, &'v str)>,
    depth: usize,
) {
    if depth > super::MAX_JSON_DEPTH {
        return;
    }
    match v {
        Value::String(s) if is_expression(s) => out.push((at, s)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                expression_strings(item, format!("{at}/{i}"), out, depth + 1);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                expression_strings(item, format!("{at}/{}", escape_segment(k)), out, depth + 1);
            }
        }
        _ => {}
    }
}

/// The variables that may be set on entering each state reached from `start`: a union over
/// every way in, so that a read is reported only when no way into its state sets the variable.
fn set_on_entry<'s>(
    states: &'s Map<String, Value>,
    start: &str,
    outer: &BTreeSet<String>,
) -> HashMap<&'s str, BTreeSet<String>> {
    let mut entry: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let Some((start, _)) = states.get_key_value(start) else {
        return entry;
    };
    entry.insert(start.as_str(), outer.clone());
    let mut work = vec![start.as_str()];
    // Sets only grow, and only to names the definition assigns: this ends.
    while let Some(name) = work.pop() {
        let Some(state) = states.get(name) else {
            continue;
        };
        let mut leaving = entry.get(name).cloned().unwrap_or_default();
        leaving.extend(assigned(state));
        for next in nexts(state) {
            let Some((key, _)) = states.get_key_value(next) else {
                continue;
            };
            let fresh = !entry.contains_key(key.as_str());
            let slot = entry.entry(key.as_str()).or_default();
            let before = slot.len();
            slot.extend(leaving.iter().cloned());
            // Each state is queued when first reached and again only when its set grew.
            if fresh || slot.len() != before {
                work.push(key.as_str());
            }
        }
    }
    entry
}

/// The names the `Assign`s of a state, its Choice rules and its Catchers set.
fn assigned(state: &Value) -> impl Iterator<Item = String> + '_ {
    let own = state.get("Assign");
    let rules = ["Choices", "Catch"].into_iter().flat_map(move |k| {
        state
            .get(k)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|r| r.get("Assign"))
    });
    std::iter::once(own)
        .chain(rules)
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|m| m.keys().cloned())
}

/// The states a state may go to: `Next`, `Default`, its Choice rules' and Catchers' `Next`.
fn nexts(state: &Value) -> impl Iterator<Item = &str> + '_ {
    let own = ["Next", "Default"].into_iter().map(move |k| state.get(k));
    let rules = ["Choices", "Catch"].into_iter().flat_map(move |k| {
        state
            .get(k)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|r| r.get("Next"))
    });
    own.chain(rules).flatten().filter_map(Value::as_str)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn names(doc: Value) -> Vec<(String, String, Option<String>)> {
        unassigned_variables(&doc)
            .into_iter()
            .map(|u| (u.pointer, u.name, u.suggestion))
            .collect()
    }

    #[test]
    fn a_variable_set_on_one_way_in_is_known() {
        let doc = json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [
                {"Condition": "{% $states.input.a %}", "Next": "A", "Assign": {"x": 1}}],
                "Default": "B"},
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "Output": "{% $x %}", "End": true}}});
        assert_eq!(names(doc), []);
    }

    #[test]
    fn a_read_before_any_assign_is_found_with_a_suggestion() {
        let doc = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"total": 1, "next": "{% $total %}"}, "Next": "B"},
            "B": {"Type": "Pass", "Output": {"t": "{% $totl + $count([1]) %}"}, "End": true}}});
        assert_eq!(
            names(doc),
            [
                ("/States/A/Assign/next".into(), "total".into(), None),
                (
                    "/States/B/Output/t".into(),
                    "totl".into(),
                    Some("total".into())
                ),
            ]
        );
    }

    #[test]
    fn names_the_expression_binds_are_not_variables() {
        let doc = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "End": true, "Output":
                "{% ($f := function($v) { $v * 2 }; $map([1, 2], $f) ~> $string; $states.input.items#$i@$it.($i)) %}"}}});
        assert_eq!(names(doc), []);
    }

    #[test]
    fn branches_see_what_was_set_before_them_but_distributed_maps_do_not() {
        let doc = json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": {
            "S": {"Type": "Pass", "Assign": {"k": 1}, "Next": "P"},
            "P": {"Type": "Parallel", "Next": "M", "Branches": [{"StartAt": "B", "States": {
                "B": {"Type": "Pass", "Output": "{% $k %}", "End": true}}}]},
            "M": {"Type": "Map", "End": true, "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "I", "States": {
                "I": {"Type": "Pass", "Output": "{% $k %}", "End": true}}}}}});
        assert_eq!(
            names(doc),
            [(
                "/States/M/ItemProcessor/States/I/Output".into(),
                "k".into(),
                None
            )]
        );
    }

    #[test]
    fn jsonpath_states_and_unreachable_states_are_not_read() {
        let doc = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "End": true, "Parameters": {"x": "{% $nope %}"}},
            "Z": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $nope %}", "End": true}}});
        assert_eq!(names(doc), []);
    }

    #[test]
    fn a_loop_settles() {
        let doc = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Output": "{% $n %}", "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"n": 1}, "Next": "A"}}});
        // The first visit of `A` comes before any assign, but the loop back sets `n`.
        assert_eq!(names(doc), []);
    }
}
