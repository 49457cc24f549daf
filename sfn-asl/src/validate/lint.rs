//! Structural rules over the model (checklist §3): one `check_*` function per rule.
//!
//! The linter never sees JSON: the `workflow!` macro builds a model in code and runs these same
//! rules, so every pointer here is computed from the model's shape.

use std::collections::{HashMap, HashSet};

use super::reader::Suggester;
use super::{escape_segment, located_message, LintOptions, MAX_NESTING};
use crate::error::STATES_ALL;
use crate::error::{message, Finding, FindingCode};
use crate::model::{Catcher, QueryLanguage, Retrier, State, StateKind, StateMachine, States};

#[path = "lint_fields.rs"]
mod fields;
#[path = "lint_integrations.rs"]
mod integrations;
#[path = "lint_language.rs"]
mod language;
#[cfg(test)]
#[path = "lint_tests.rs"]
mod tests;

/// Every structural finding of a model (empty when the machine is sound).
pub fn lint(machine: &StateMachine, options: &LintOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    let scopes = scopes(machine, &mut out);
    let mut suggest = Suggester::default();
    check_unique_names(&scopes, &mut out);
    check_query_language_mix(machine, &scopes, &mut out);
    for scope in &scopes {
        check_states_not_empty(scope, &mut out);
        check_start_at_exists(scope, &mut suggest, &mut out);
        let targets_exist = check_transition_targets(scope, &mut suggest, &mut out);
        let has_terminal = check_has_terminal(scope, &mut out);
        // A dangling target is usually a misspelt state, which then looks unreachable: report
        // the cause only (as AWS skips reachability when the terminal-state rule fires).
        if has_terminal && targets_exist {
            check_reachable(scope, &mut out);
        }
        for (name, state) in scope.states {
            let at = Site {
                state: name,
                pointer: scope.state_pointer(name),
            };
            check_state_name_length(&at, &mut out);
            if let Some((retry, catch)) = retry_catch(state) {
                check_error_equals(&at, retry, catch, &mut out);
                check_all_alone_and_last(&at, retry, catch, &mut out);
                fields::check_retrier_bounds(&at, retry, &mut out);
            }
            if options.express {
                fields::check_express_resources(&at, state, &mut out);
            }
            fields::check_state_fields(&at, state, &mut out);
            integrations::check_task_integration(&at, state, &mut out);
            language::check_field_languages(
                &at,
                state,
                machine.effective_language(state),
                &mut out,
            );
            language::check_assign_variable_names(&at, state, &mut out);
            language::check_fail_path_intrinsics(&at, state, &mut out);
        }
    }
    fields::check_machine_timeout(machine, &mut out);
    out
}

/// One `States` object with where it sits in the document.
#[derive(Debug)]
pub(crate) struct Scope<'a> {
    /// Pointer of the object holding `StartAt` and `States` (`""` for the top level).
    base: String,
    start_at: &'a str,
    states: &'a States,
}

impl Scope<'_> {
    fn state_pointer(&self, name: &str) -> String {
        format!("{}/States/{}", self.base, escape_segment(name))
    }
}

/// A state and its pointer, for findings.
#[derive(Debug)]
pub(crate) struct Site<'a> {
    state: &'a str,
    pointer: String,
}

impl Site<'_> {
    /// A finding at `rel` (a pointer relative to the state, `""` for the state itself).
    fn finding(&self, code: FindingCode, rel: &str, text: &str, hint: Option<String>) -> Finding {
        Finding {
            pointer: format!("{}{rel}", self.pointer),
            code,
            message: located_message(Some(self.state), rel, text),
            hint,
        }
    }
}

/// Every scope of the machine ([`StateMachine::scopes`]: top level first, then nested ones in
/// document order), down to the nesting limit; the first scope past it is a finding.
fn scopes<'a>(m: &'a StateMachine, out: &mut Vec<Finding>) -> Vec<Scope<'a>> {
    m.scopes()
        .into_iter()
        .filter(|nested| {
            if nested.depth() == MAX_NESTING + 1 {
                out.push(Finding {
                    pointer: nested.pointer.clone(),
                    code: FindingCode::SchemaValidationFailed,
                    message: format!("States may nest at most {MAX_NESTING} levels deep"),
                    hint: Some("move the inner part into a nested state machine".into()),
                });
            }
            nested.depth() <= MAX_NESTING
        })
        .map(|nested| Scope {
            start_at: nested.scope.start_at,
            states: nested.scope.states,
            base: nested.pointer,
        })
        .collect()
}

/// The Retry and Catch of the state types that have them.
fn retry_catch(state: &State) -> Option<(&[Retrier], &[Catcher])> {
    state.result_flow().map(|f| (f.retriers(), f.catchers()))
}

/// Every transition of a state: (pointer relative to the state, target name).
fn targets(state: &State) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    if let Some(n) = state.transition().and_then(|t| t.next()) {
        out.push(("/Next".to_owned(), n));
    }
    if let StateKind::Choice(c) = &state.kind {
        for (i, b) in c.choices.iter().enumerate() {
            out.push((format!("/Choices/{i}/Next"), b.next.as_str()));
        }
        if let Some(d) = &c.default {
            out.push(("/Default".to_owned(), d.as_str()));
        }
    }
    if let Some((_, catch)) = retry_catch(state) {
        for (i, c) in catch.iter().enumerate() {
            out.push((format!("/Catch/{i}/Next"), c.next.as_str()));
        }
    }
    out
}

/// Did-you-mean over the names of a scope.
fn closest_state(scope: &Scope<'_>, suggest: &mut Suggester, name: &str) -> Option<String> {
    suggest.did_you_mean(name, scope.states.keys().map(String::as_str))
}

// Rule: a `States` object has at least one state.
fn check_states_not_empty(scope: &Scope<'_>, out: &mut Vec<Finding>) {
    if scope.states.is_empty() {
        out.push(Finding {
            pointer: format!("{}/States", scope.base),
            code: FindingCode::SchemaValidationFailed,
            message: located_message(
                None,
                &format!("{}/States", scope.base),
                message::VALUE_CANNOT_BE_EMPTY,
            ),
            hint: Some("add at least one state".into()),
        });
    }
}

// Rule: `StartAt` names a state of its own `States`.
fn check_start_at_exists(scope: &Scope<'_>, suggest: &mut Suggester, out: &mut Vec<Finding>) {
    if scope.states.is_empty() || scope.states.contains_key(scope.start_at) {
        return;
    }
    let pointer = format!("{}/StartAt", scope.base);
    out.push(Finding {
        message: located_message(
            None,
            &pointer,
            &format!("Missing 'Next' target: {}", scope.start_at),
        ),
        pointer,
        code: FindingCode::MissingTransitionTarget,
        hint: closest_state(scope, suggest, scope.start_at)
            .or_else(|| Some("name a state of this `States` object".into())),
    });
}

// Rule: every Next, Default, Choices[].Next and Catch[].Next names a state of the same scope.
fn check_transition_targets(
    scope: &Scope<'_>,
    suggest: &mut Suggester,
    out: &mut Vec<Finding>,
) -> bool {
    let before = out.len();
    for (name, state) in scope.states {
        let site = Site {
            state: name,
            pointer: scope.state_pointer(name),
        };
        for (rel, target) in targets(state) {
            if !scope.states.contains_key(target) {
                let hint = closest_state(scope, suggest, target).or_else(|| {
                    Some("transitions stay inside one `States` object; name a state of it".into())
                });
                out.push(site.finding(
                    FindingCode::MissingTransitionTarget,
                    &rel,
                    &format!("Missing 'Next' target: {target}"),
                    hint,
                ));
            }
        }
    }
    out.len() == before
}

// Rule: a `States` object has at least one terminal state (Succeed, Fail, or `End: true`).
fn check_has_terminal(scope: &Scope<'_>, out: &mut Vec<Finding>) -> bool {
    let terminal = scope.states.values().any(|s| {
        matches!(s.kind, StateKind::Succeed(_) | StateKind::Fail(_))
            || s.transition().is_some_and(|t| t.next().is_none())
    });
    if !terminal && !scope.states.is_empty() {
        out.push(Finding {
            pointer: scope.base.clone(),
            code: FindingCode::MissingEndState,
            message: "Workflow has no terminal state".into(),
            hint: Some("end one state with `\"End\": true`, or add a Succeed or Fail state".into()),
        });
    }
    terminal
}

// Rule: every state is reachable from `StartAt` through Next, Default, Choices and Catch.
fn check_reachable(scope: &Scope<'_>, out: &mut Vec<Finding>) {
    if !scope.states.contains_key(scope.start_at) {
        return;
    }
    let mut seen: HashSet<&str> = HashSet::new();
    let mut todo = vec![scope.start_at];
    while let Some(name) = todo.pop() {
        if !seen.insert(name) {
            continue;
        }
        if let Some(state) = scope.states.get(name) {
            todo.extend(
                targets(state)
                    .into_iter()
                    .map(|(_, t)| t)
                    .filter(|t| scope.states.contains_key(*t)),
            );
        }
    }
    for name in scope.states.keys() {
        if !seen.contains(name.as_str()) {
            let site = Site {
                state: name,
                pointer: scope.state_pointer(name),
            };
            let hint = Some(format!("point a `Next` at `{name}` or remove it"));
            out.push(site.finding(
                FindingCode::UnreachableState,
                "",
                &format!("State \"{name}\" is not reachable."),
                hint,
            ));
        }
    }
}

// Rule: state names are unique across the whole definition, nested scopes included.
fn check_unique_names(scopes: &[Scope<'_>], out: &mut Vec<Finding>) {
    let mut first: HashMap<&str, String> = HashMap::new();
    for scope in scopes {
        for name in scope.states.keys() {
            let pointer = scope.state_pointer(name);
            match first.get(name.as_str()) {
                Some(earlier) => {
                    let site = Site {
                        state: name,
                        pointer,
                    };
                    let hint = Some(format!("rename one of them; the other is at {earlier}"));
                    out.push(site.finding(
                        FindingCode::DuplicateStateName,
                        "",
                        &format!("Duplicate State name: {name}"),
                        hint,
                    ));
                }
                None => {
                    first.insert(name, pointer);
                }
            }
        }
    }
}

// Rule: a state name has 1 to 80 characters.
fn check_state_name_length(at: &Site<'_>, out: &mut Vec<Finding>) {
    let len = at.state.chars().count();
    if len == 0 || len > 80 {
        let text = format!("State names must be between 1 and 80 characters long, not {len}");
        out.push(at.finding(
            FindingCode::SchemaValidationFailed,
            "",
            &text,
            Some("choose a shorter name".into()),
        ));
    }
}

// Rule: `ErrorEquals` of every Retrier and Catcher is a non-empty list.
fn check_error_equals(at: &Site<'_>, retry: &[Retrier], catch: &[Catcher], out: &mut Vec<Finding>) {
    let lists = retry
        .iter()
        .map(|r| &r.error_equals)
        .enumerate()
        .map(|(i, e)| (format!("/Retry/{i}/ErrorEquals"), e));
    let lists = lists.chain(
        catch
            .iter()
            .map(|c| &c.error_equals)
            .enumerate()
            .map(|(i, e)| (format!("/Catch/{i}/ErrorEquals"), e)),
    );
    for (rel, list) in lists {
        if list.is_empty() {
            let hint = Some("name the errors to match, or `[\"States.ALL\"]` for all".into());
            out.push(at.finding(
                FindingCode::SchemaValidationFailed,
                &rel,
                message::VALUE_CANNOT_BE_EMPTY,
                hint,
            ));
        }
    }
}

// Rule: `States.ALL` stands alone in its `ErrorEquals`, and only in the last Retrier / Catcher.
fn check_all_alone_and_last(
    at: &Site<'_>,
    retry: &[Retrier],
    catch: &[Catcher],
    out: &mut Vec<Finding>,
) {
    let lists: Vec<(&str, Vec<&Vec<String>>)> = vec![
        ("Retry", retry.iter().map(|r| &r.error_equals).collect()),
        ("Catch", catch.iter().map(|c| &c.error_equals).collect()),
    ];
    for (field, entries) in lists {
        let count = entries.len();
        for (i, errors) in entries.into_iter().enumerate() {
            if !errors.iter().any(|e| e == STATES_ALL) {
                continue;
            }
            let rel = format!("/{field}/{i}/ErrorEquals");
            if errors.len() > 1 {
                let text = "States.ALL must be the only error name in ErrorEquals";
                out.push(at.finding(
                    FindingCode::SchemaValidationFailed,
                    &rel,
                    text,
                    Some("remove the other names".into()),
                ));
            }
            if i + 1 != count {
                let text = format!(
                    "States.ALL must appear only in the last {}",
                    if field == "Retry" {
                        "Retrier"
                    } else {
                        "Catcher"
                    }
                );
                out.push(at.finding(
                    FindingCode::SchemaValidationFailed,
                    &rel,
                    &text,
                    Some("move this entry to the end".into()),
                ));
            }
        }
    }
}

// Rule: a JSONata machine has no JSONPath state.
fn check_query_language_mix(m: &StateMachine, scopes: &[Scope<'_>], out: &mut Vec<Finding>) {
    if m.query_language != Some(QueryLanguage::Jsonata) {
        return;
    }
    for scope in scopes {
        for (name, state) in scope.states {
            if state.query_language == Some(QueryLanguage::JsonPath) {
                let site = Site {
                    state: name,
                    pointer: scope.state_pointer(name),
                };
                let text = "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine";
                let hint = Some(
                    "write the state in JSONata, or remove the top-level `QueryLanguage`".into(),
                );
                // AWS locates this at the state, not at its `QueryLanguage` field.
                out.push(site.finding(FindingCode::SchemaValidationFailed, "", text, hint));
            }
        }
    }
}
