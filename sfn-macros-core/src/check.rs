//! Runs the language crate's linter on the lowered machine and reports every finding on the
//! token that produced the field at fault. The macro has no rules of its own.

use sfn_asl::{Finding, StateMachine};

use crate::ctxt::Ctxt;
use crate::lower::Lowered;

/// The structural rules (graph, names, mutually exclusive fields, Express limits, ...): the
/// same linter the CLI and the engine run.
fn lint(machine: &StateMachine, express: bool) -> Vec<Finding> {
    sfn_asl::validate::lint(machine, &sfn_asl::validate::LintOptions { express })
}

/// Reports every lint finding at the span its JSON pointer maps to.
pub(crate) fn check_lint(cx: &Ctxt, lowered: &Lowered, express: bool, fallback: proc_macro2::Span) {
    for f in lint(&lowered.machine, express) {
        report(cx, lowered, &f, fallback);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
