//! Runs the language crate's linter on the lowered machine and reports every finding on the
//! token that produced the field at fault. The macro has no rules of its own.
//!
//! The linter runs even when lowering reported errors, so that a bad field and a bad `Next` are
//! reported together. Where lowering left a stand-in, the linter's findings about it are
//! echoes of an error already reported, and are dropped (as `sfn_asl::parse` drops the
//! linter's echoes of its schema findings).

use sfn_asl::{Finding, FindingCode, StateMachine};

use crate::ctxt::Ctxt;
use crate::lower::Lowered;

/// The structural rules (graph, names, mutually exclusive fields, Express limits, ...): the
/// same linter the CLI and the engine run.
fn lint(machine: &StateMachine, express: bool) -> Vec<Finding> {
    sfn_asl::validate::lint(machine, &sfn_asl::validate::LintOptions { express })
}

/// Reports every lint finding at the span its JSON pointer maps to, except echoes of the
/// errors lowering reported.
pub(crate) fn check_lint(cx: &Ctxt, lowered: &Lowered, express: bool, fallback: proc_macro2::Span) {
    for f in lint(&lowered.machine, express) {
        if !is_echo(lowered, &f) {
            report(cx, lowered, &f, fallback);
        }
    }
}

/// Whether `f` only restates an error lowering reported: a duplicate name, a finding about a
/// stand-in (or about the object holding one), or one about the graph of a scope that lost a
/// transition with an error (a broken rule or catcher makes states look unreachable).
fn is_echo(lowered: &Lowered, f: &Finding) -> bool {
    let about_placeholder = lowered
        .placeholders
        .iter()
        .any(|p| covers(p, &f.pointer) || (!is_state_pointer(&f.pointer) && covers(&f.pointer, p)));
    // Lowering reports every duplicate name itself, with both places.
    if f.code == FindingCode::DuplicateStateName {
        return true;
    }
    let scope = match f.code {
        FindingCode::UnreachableState => scope_of_state(&f.pointer),
        FindingCode::MissingEndState => Some(f.pointer.as_str()),
        _ => None,
    };
    about_placeholder || scope.is_some_and(|s| lowered.troubled_scopes.contains(s))
}

/// Whether `outer` is `inner` or one of its ancestors (the document itself, `""`, covers
/// nothing: one stand-in must not hide every finding).
fn covers(outer: &str, inner: &str) -> bool {
    !outer.is_empty()
        && inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Whether a pointer names a state (`…/States/<name>`) rather than a field.
fn is_state_pointer(pointer: &str) -> bool {
    let mut segments = pointer.rsplit('/');
    segments.next();
    segments.next() == Some("States")
}

/// `/States/P/Branches/0/States/A` → `/States/P/Branches/0` (the scope holding a state).
fn scope_of_state(pointer: &str) -> Option<&str> {
    is_state_pointer(pointer)
        .then(|| pointer.rsplitn(3, '/').nth(2))
        .flatten()
}

/// The emitted ASL must read back through `sfn_asl::parse` exactly as `sfn validate` and the
/// engine will read it (so `Workflow::definition()` cannot fail at run time): the parser's
/// schema findings share the lowering's JSON pointers, so they land on the user's tokens too.
pub(crate) fn check_emitted(cx: &Ctxt, lowered: &Lowered, asl: &str, fallback: proc_macro2::Span) {
    if let Err(findings) = sfn_asl::parse(asl) {
        for f in &findings.0 {
            report(cx, lowered, f, fallback);
        }
    }
}

/// One finding as a compiler error: the linter's message and hint, at the token it points to.
pub(crate) fn report(cx: &Ctxt, lowered: &Lowered, f: &Finding, fallback: proc_macro2::Span) {
    let span = lowered.spans.lookup(&f.pointer).unwrap_or(fallback);
    let mut msg = f.message.clone();
    if let Some(hint) = &f.hint {
        if msg.ends_with('.') {
            msg.pop();
        }
        msg.push_str("; ");
        msg.push_str(&dsl_hint(hint));
    }
    cx.error(span, msg);
}

/// The linter's hints speak ASL; say the same in the DSL's words where they differ.
fn dsl_hint(hint: &str) -> String {
    const PHRASES: &[(&str, &str)] = &[
        ("`\"End\": true`", "`end`"),
        (
            "`\"QueryLanguage\": \"JSONPath\"`",
            "`query_language: JSONPath`",
        ),
        (
            "`\"QueryLanguage\": \"JSONata\"`",
            "`query_language: JSONata`",
        ),
        ("a Succeed or Fail state", "a `succeed` or `fail` state"),
    ];
    let mut out = hint.to_owned();
    for (asl, dsl) in PHRASES {
        out = out.replace(asl, dsl);
    }
    out
}

// Rule: a JSONata expression reads only the variables an `assign` before its state sets on some
// way into it (or names it binds itself). Bad: `A: pass { assign: { "total": 1 } } => B;`
// `B: pass { output: "{% $totl %}" } end;` (AWS accepts it; the read fails when it runs).
pub(crate) fn check_variables(cx: &Ctxt, lowered: &Lowered, fallback: proc_macro2::Span) {
    let doc = sfn_asl::emit_value(&lowered.machine);
    for u in sfn_asl::validate::unassigned_variables(&doc) {
        if lowered.states_with_errors.contains(&u.state) {
            continue;
        }
        let span = lowered.spans.lookup(&u.pointer).unwrap_or(fallback);
        let next = match &u.suggestion {
            Some(s) => format!("did you mean `${s}`?"),
            None => format!(
                "set it with `assign: {{ \"{}\": ... }}` in an earlier state",
                u.name
            ),
        };
        let mut message = format!(
            "unknown variable `${}`: no `assign` before state `{}` sets it; {next}",
            u.name, u.state
        );
        let lit = lowered.spans.lit(&u.pointer);
        let at = lit.and_then(|l| variable_position(&l.value(), &u.name));
        let narrow = lit
            .zip(at)
            .and_then(|(l, at)| crate::expr_pos::span_at(l, at));
        if let (None, Some(l), Some(at)) = (narrow, lit, at) {
            message.extend(crate::expr_pos::caret(&l.value(), at));
        }
        cx.error(
            narrow.or(lit.map(syn::LitStr::span)).unwrap_or(span),
            message,
        );
    }
}

/// The character offset of the first `$name` in `text` that is not the start of a longer name.
fn variable_position(text: &str, name: &str) -> Option<usize> {
    let needle = format!("${name}");
    let mut from = 0;
    while let Some(i) = text.get(from..)?.find(&needle) {
        let at = from + i;
        let end = at + needle.len();
        let longer = text[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !longer {
            return Some(text[..at].chars().count());
        }
        from = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_cover_themselves_and_what_is_under_them() {
        assert!(covers("/States/A", "/States/A"));
        assert!(covers("/States/A", "/States/A/Next"));
        assert!(!covers("/States/A", "/States/AB"));
        assert!(!covers("", "/States/A"));
        assert_eq!(scope_of_state("/States/A"), Some(""));
        assert_eq!(
            scope_of_state("/States/P/Branches/0/States/A"),
            Some("/States/P/Branches/0")
        );
        assert_eq!(scope_of_state("/States/A/Next"), None);
    }

    #[test]
    fn hints_use_dsl_words() {
        assert_eq!(
            dsl_hint("end one state with `\"End\": true`"),
            "end one state with `end`"
        );
        assert_eq!(
            dsl_hint("set `\"QueryLanguage\": \"JSONPath\"` on the state"),
            "set `query_language: JSONPath` on the state"
        );
        assert_eq!(dsl_hint("rename it"), "rename it");
    }

    #[test]
    fn a_variable_is_found_by_its_whole_name() {
        assert_eq!(variable_position("{% $total + $tot %}", "tot"), Some(12));
        assert_eq!(variable_position("{% $é + $x %}", "x"), Some(8));
        assert_eq!(variable_position("{% $xy %}", "x"), None);
    }
}
