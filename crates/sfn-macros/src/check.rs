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

/// One finding as a compiler error: the linter's message and hint, at the token it points to.
pub(crate) fn report(cx: &Ctxt, lowered: &Lowered, f: &Finding, fallback: proc_macro2::Span) {
    let span = lowered.spans.lookup(&f.pointer).unwrap_or(fallback);
    let mut msg = f.message.clone();
    if let Some(hint) = &f.hint {
        if msg.ends_with('.') {
            msg.pop();
        }
        msg.push_str("; ");
        msg.push_str(hint);
    }
    cx.error(span, msg);
}
