//! Checks woven into the expression, so that no evaluation builds more than the memory bounds or
//! does more work than its fuel (see [`super::budget`]): the crate bounds sequence lengths, but
//! only after building them, and not string sizes, array literals or the work of its built-ins.
//!
//! - Each operation that can grow a value (`&`, an array constructor, `$join`, `$string`, ...) is
//!   wrapped in [`GUARD`], which refuses a result over the limits: repeated doubling stops at twice
//!   the limit.
//! - What a path step returns for each item, and each value an object constructor holds, goes
//!   through [`SHARE`]: the crate flattens or serializes every reference to it, so
//!   `[1..1000].($a)` with an 800,000-item `$a` is refused after a few items instead of
//!   flattening 800 M.
//! - The arguments of heavy built-ins and of lambda calls go through [`CHARGE`], which spends fuel
//!   in proportion to the work the call will do; a tail-recursive lambda also pays on each pass,
//!   a predicate or sort term on each item, a path for the items it returns (`fuel`).
//! - `$distinct` and `$keys` are renamed to linear versions ([`RENAMED`]).

use jsonata_core::ast::{AstNode, BinaryOp, PathStep, Stage};

use super::checks::Charge;

mod fuel;
use fuel::charge_arguments;

/// The size check (`$__sfn_size_guard`); registered by the evaluation.
/// Whether `name` is a built-in function (JSONata's or one Step Functions adds).
pub(super) fn is_builtin(name: &str) -> bool {
    fuel::BUILTINS.contains(&name)
}

pub(super) const GUARD: &str = "__sfn_size_guard";

/// The check of a value that may be referenced many times.
pub(super) const SHARE: &str = "__sfn_share";

/// The fuel charge (`$__sfn_charge(value, mode)`).
pub(super) const CHARGE: &str = "__sfn_charge";

/// Built-ins replaced by a linear version under another name. The crate refuses to override
/// them (they take part in its compiled fast path), so calls and references are renamed instead.
pub(super) const RENAMED: &[(&str, &str)] =
    &[("distinct", "__sfn_distinct"), ("keys", "__sfn_keys")];

/// Built-ins whose result can be much larger than any one argument.
const GROWING_FUNCTIONS: &[&str] = &[
    "join",
    "replace",
    "string",
    "formatNumber",
    "formatInteger",
    "append",
    "zip",
    "spread",
    "split",
];

/// The name a variable or function is evaluated under: a renamed built-in's replacement.
pub(super) fn renamed(name: &str) -> &str {
    RENAMED
        .iter()
        .find(|(from, _)| *from == name)
        .map_or(name, |(_, to)| to)
}

/// Weaves the checks into `root`. Iterative, like the walk.
pub(super) fn weave(root: &mut AstNode) {
    // `bool`: whether the node may be wrapped (not a path step, not the function of a `~>`).
    // The root is not: its result is measured on the way out anyway, and each wrapper costs an
    // evaluation level, which would shift the depth limit AWS's boundaries were matched with.
    let mut stack: Vec<(&mut AstNode, bool)> = vec![(root, false)];
    while let Some((node, wrappable)) = stack.pop() {
        rename(node);
        charge_arguments(node);
        if wrappable && grows(node) {
            let inner = wrap(node, GUARD, &[]);
            push_children(inner, &mut stack);
        } else if wrappable && matches!(node, AstNode::Path { steps } if steps.len() > 1) {
            // A path walks every item its steps produce, wherever it is evaluated from (a loop
            // of lookups in a large array): it pays for what it returns.
            charged(node, Charge::Flat);
            if let AstNode::Function { args, .. } = node {
                if let Some(path) = args.first_mut() {
                    push_children(path, &mut stack);
                }
            }
        } else {
            push_children(node, &mut stack);
        }
    }
}

/// Replaces `node` by `$name(node, extra...)` and returns the wrapped node.
fn wrap<'a>(node: &'a mut AstNode, name: &str, extra: &[AstNode]) -> &'a mut AstNode {
    let inner = std::mem::replace(node, AstNode::Null);
    let mut args = vec![inner];
    args.extend(extra.iter().cloned());
    *node = AstNode::Function {
        name: name.to_owned(),
        args,
        is_builtin: true,
    };
    match node {
        AstNode::Function { args, .. } => &mut args[0],
        // Just built as a function call.
        other => other,
    }
}

/// Wraps `node` in a fuel charge priced by `mode`.
fn charged(node: &mut AstNode, mode: Charge) {
    wrap(node, CHARGE, &[AstNode::String(mode.name().to_owned())]);
}

/// Points names of [`RENAMED`] built-ins at their replacements, wherever they are bound or read.
fn rename(node: &mut AstNode) {
    match node {
        AstNode::Variable(name)
        | AstNode::Function {
            name,
            is_builtin: true,
            ..
        } => {
            let to = renamed(name);
            if to != name.as_str() {
                *name = to.to_owned();
            }
        }
        AstNode::Lambda { params, .. } => {
            for p in params.iter_mut() {
                let to = renamed(p);
                if to != p.as_str() {
                    *p = to.to_owned();
                }
            }
        }
        _ => {}
    }
}

/// Whether `name` is one of the woven checks (never charged or wrapped again).
fn is_check(name: &str) -> bool {
    [GUARD, SHARE, CHARGE].contains(&name) || RENAMED.iter().any(|(_, to)| *to == name)
}

fn grows(node: &AstNode) -> bool {
    match node {
        AstNode::Binary {
            op: BinaryOp::Concatenate,
            ..
        }
        | AstNode::Array(_) => true,
        AstNode::Function { name, args, .. } => {
            GROWING_FUNCTIONS.contains(&name.as_str())
                && !args.iter().any(|a| matches!(a, AstNode::Placeholder))
        }
        _ => false,
    }
}

/// Whether a path step may have its result checked: no tuple stream (`@`, `#`, `%`) passes
/// through it, which a function call in its place would end.
fn plain_step(step: &PathStep) -> bool {
    !step.is_tuple
        && !step.inner_tuple
        && step.focus.is_none()
        && step.index_var.is_none()
        && step.ancestor_label.is_none()
}

/// Whether the last expression of a block step may be wrapped in a call: not an expression the
/// crate reads by its form (a path or sort starting with an array constructor evaluates once over
/// the whole input, a nested block the same way).
fn shareable(node: &AstNode) -> bool {
    match node {
        AstNode::Path { steps } => steps.first().is_some_and(|s| {
            matches!(
                s.node,
                AstNode::Variable(_) | AstNode::Name(_) | AstNode::Function { .. }
            )
        }),
        AstNode::Variable(name) => !name.is_empty(),
        AstNode::Function { .. }
        | AstNode::Call { .. }
        | AstNode::Conditional { .. }
        | AstNode::Object(_) => true,
        _ => false,
    }
}

/// A value written out, which cannot be large (array literals are checked where they are built).
fn is_literal(node: &AstNode) -> bool {
    matches!(
        node,
        AstNode::String(_)
            | AstNode::Number(_)
            | AstNode::Boolean(_)
            | AstNode::Null
            | AstNode::Undefined
            | AstNode::Regex { .. }
            | AstNode::Lambda { .. }
            | AstNode::Array(_)
    )
}

/// Pushes a path's steps, wrapping what a step returns per item in [`SHARE`].
fn push_steps<'a>(steps: &'a mut [PathStep], stack: &mut Vec<(&'a mut AstNode, bool)>) {
    for (index, step) in steps.iter_mut().enumerate() {
        let plain = plain_step(step);
        match &mut step.node {
            // `.(expr)` after the first step is parsed as a function application of a block,
            // which the crate evaluates for each item like any expression, whatever its form.
            AstNode::FunctionApplication(inner) if plain => {
                let last = match inner.as_mut() {
                    AstNode::Block(items) => items.last_mut(),
                    other => Some(other),
                };
                if let Some(last) = last.filter(|l| !is_literal(l)) {
                    wrap(last, SHARE, &[]);
                }
            }
            AstNode::Block(items) if plain => {
                if let Some(last) = items.last_mut().filter(|l| shareable(l)) {
                    wrap(last, SHARE, &[]);
                }
            }
            AstNode::Function { name, args, .. }
                if plain
                    && index > 0
                    && !is_check(name)
                    && !args.iter().any(|a| matches!(a, AstNode::Placeholder)) =>
            {
                let node = &mut step.node;
                wrap(node, SHARE, &[]);
                // The call itself is woven below, as the argument of the check.
            }
            _ => {}
        }
        stack.push((&mut step.node, false));
        for stage in &mut step.stages {
            if let Stage::Filter(pred) = stage {
                // A predicate runs once per item: each run costs what a call does. A number
                // written out selects by position, which the crate reads from its form.
                if !is_position(pred) {
                    charged(pred, Charge::Call);
                }
                stack.push((pred, true));
            }
        }
    }
}

/// A predicate the crate reads as a position (`[2]`, `[-1]`) or a constant.
fn is_position(node: &AstNode) -> bool {
    match node {
        AstNode::Unary { operand, .. } => is_position(operand),
        other => is_literal(other),
    }
}

fn push_children<'a>(node: &'a mut AstNode, stack: &mut Vec<(&'a mut AstNode, bool)>) {
    match node {
        AstNode::Path { steps } => push_steps(steps, stack),
        AstNode::Binary { op, lhs, rhs } => {
            // In `a & b & c` only the whole chain is checked: the parts are smaller, and a
            // wrapper per part would halve the depth a chain may reach.
            let chained = |n: &AstNode| {
                *op == BinaryOp::Concatenate
                    && matches!(
                        n,
                        AstNode::Binary {
                            op: BinaryOp::Concatenate,
                            ..
                        }
                    )
            };
            let lhs_ok = !chained(lhs);
            let rhs_ok = !chained(rhs) && *op != BinaryOp::ChainPipe;
            stack.push((lhs, lhs_ok));
            // `x ~> $join(',')` calls the function with `x` first: it stays a call.
            stack.push((rhs, rhs_ok));
        }
        AstNode::Unary { operand, .. } => stack.push((operand, true)),
        AstNode::Function { args, .. } => stack.extend(args.iter_mut().map(|a| (a, true))),
        AstNode::Call { procedure, args } => {
            stack.push((procedure, false));
            stack.extend(args.iter_mut().map(|a| (a, true)));
        }
        AstNode::Lambda { body, .. } => stack.push((body, true)),
        // An array literal directly inside another is kept as one item, not flattened: that is
        // decided by its syntax, so it must stay an array literal.
        AstNode::Array(items) => stack.extend(items.iter_mut().map(|a| {
            let literal = matches!(a, AstNode::Array(_));
            (a, !literal)
        })),
        AstNode::Block(items) => stack.extend(items.iter_mut().map(|a| (a, true))),
        AstNode::FunctionApplication(inner) => stack.push((inner, true)),
        AstNode::Conditional {
            condition,
            then_branch,
            else_branch,
        } => {
            stack.push((condition, true));
            stack.push((then_branch, true));
            if let Some(e) = else_branch {
                stack.push((e, true));
            }
        }
        // A sort term runs once per item, costing what a call does.
        AstNode::Sort { input, terms } => {
            stack.push((input, false));
            for (term, _) in terms.iter_mut() {
                charged(term, Charge::Call);
                stack.push((term, true));
            }
        }
        AstNode::Transform {
            location,
            update,
            delete,
        } => {
            stack.push((location, true));
            stack.push((update, false));
            if let Some(d) = delete {
                stack.push((d, false));
            }
        }
        AstNode::Object(_) | AstNode::ObjectTransform { .. } | AstNode::ArrayGroup(_) => {
            push_shared_values(node, stack)
        }
        AstNode::String(_)
        | AstNode::Name(_)
        | AstNode::Number(_)
        | AstNode::Boolean(_)
        | AstNode::Null
        | AstNode::Undefined
        | AstNode::Placeholder
        | AstNode::Regex { .. }
        | AstNode::Variable(_)
        | AstNode::ParentVariable(_)
        | AstNode::Wildcard
        | AstNode::Descendant
        | AstNode::Parent(_) => {}
    }
}

/// Pushes the values an object constructor or a `.[...]` step holds, each wrapped in [`SHARE`].
fn push_shared_values<'a>(node: &'a mut AstNode, stack: &mut Vec<(&'a mut AstNode, bool)>) {
    match node {
        // An object holds its values by reference: `{'a': $v, 'b': $v}` doubles what
        // serializing it writes, without copying anything.
        AstNode::Object(pairs) => {
            for (k, v) in pairs {
                stack.push((k, true));
                stack.push((wrap(v, SHARE, &[]), false));
            }
        }
        AstNode::ObjectTransform { input, pattern } => {
            stack.push((input, false));
            for (k, v) in pattern {
                stack.push((k, true));
                stack.push((wrap(v, SHARE, &[]), false));
            }
        }
        // `.[...]` builds an array for each item of the path: what it copies in counts as shared.
        AstNode::ArrayGroup(items) => {
            for item in items {
                if matches!(item, AstNode::Array(_)) {
                    stack.push((item, false));
                } else {
                    stack.push((wrap(item, SHARE, &[]), false));
                }
            }
        }
        _ => {}
    }
}
