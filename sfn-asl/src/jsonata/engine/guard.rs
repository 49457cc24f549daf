//! Size checks woven into the expression: the crate bounds sequence lengths but not string sizes or
//! array literals, so `($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $f('x', 40))`
//! would double a string until memory runs out, long before the time limit. Each operation that
//! can grow a value that way is wrapped in a call to [`GUARD`], which refuses a result over the
//! limits; a doubling then stops at twice the limit.

use jsonata_core::ast::{AstNode, BinaryOp, Stage};
use jsonata_core::evaluator::EvaluatorError;
use jsonata_core::value::JValue;

use super::limits;

/// The name of the check function (`$__sfn_size_guard`); registered by the evaluation.
pub(super) const GUARD: &str = "__sfn_size_guard";

/// Built-ins whose result can be much larger than any one argument.
const GROWING_FUNCTIONS: &[&str] = &["join", "replace", "string", "formatNumber", "formatInteger"];

/// The check: passes its argument through unless it is a string or array over the limits.
pub(super) fn check(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let value = args.first().cloned().unwrap_or(JValue::Undefined);
    let too_big = match &value {
        JValue::String(s) => s.len() > limits::MAX_RESULT_BYTES,
        JValue::Array(items) => {
            items.len() > limits::MAX_SEQUENCE_LENGTH
                || items
                    .iter()
                    .map(|item| match item {
                        JValue::String(s) => s.len(),
                        _ => 8,
                    })
                    .try_fold(0usize, |sum, n| {
                        sum.checked_add(n)
                            .filter(|s| *s <= limits::MAX_RESULT_BYTES)
                    })
                    .is_none()
        }
        _ => false,
    };
    if too_big {
        Err(EvaluatorError::EvaluationError(
            limits::MEMORY_MESSAGE.to_owned(),
        ))
    } else {
        Ok(value)
    }
}

/// Wraps every growing operation of `root` in a [`GUARD`] call. Iterative, like the walk.
pub(super) fn weave(root: &mut AstNode) {
    // `bool`: whether the node may be wrapped (not a path step, not the function of a `~>`).
    // The root is not: its result is measured on the way out anyway, and each wrapper costs an
    // evaluation level, which would shift the depth limit AWS's boundaries were matched with.
    let mut stack: Vec<(&mut AstNode, bool)> = vec![(root, false)];
    while let Some((node, wrappable)) = stack.pop() {
        if wrappable && grows(node) {
            let inner = std::mem::replace(node, AstNode::Null);
            *node = AstNode::Function {
                name: GUARD.to_owned(),
                args: vec![inner],
                is_builtin: true,
            };
            if let AstNode::Function { args, .. } = node {
                if let Some(inner) = args.first_mut() {
                    push_children(inner, &mut stack);
                }
            }
        } else {
            push_children(node, &mut stack);
        }
    }
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

fn push_children<'a>(node: &'a mut AstNode, stack: &mut Vec<(&'a mut AstNode, bool)>) {
    match node {
        AstNode::Path { steps } => {
            for step in steps {
                stack.push((&mut step.node, false));
                for stage in &mut step.stages {
                    if let Stage::Filter(pred) = stage {
                        stack.push((pred, true));
                    }
                }
            }
        }
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
        AstNode::ArrayGroup(items) => stack.extend(items.iter_mut().map(|a| (a, true))),
        AstNode::FunctionApplication(inner) => stack.push((inner, true)),
        AstNode::Object(pairs) => {
            for (k, v) in pairs {
                stack.push((k, true));
                stack.push((v, true));
            }
        }
        AstNode::ObjectTransform { input, pattern } => {
            stack.push((input, false));
            for (k, v) in pattern {
                stack.push((k, true));
                stack.push((v, true));
            }
        }
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
        AstNode::Sort { input, terms } => {
            stack.push((input, false));
            stack.extend(terms.iter_mut().map(|(t, _)| (t, true)));
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
