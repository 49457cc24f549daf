//! Where the weave spends fuel: the arguments of heavy built-ins priced by the work they cause,
//! lambda calls at a fixed price, each pass of a tail-recursive lambda, membership tests and the
//! start of a `~>` chain.

use jsonata_core::ast::{AstNode, BinaryOp};

use super::super::checks::Charge;
use super::{charged, is_check, is_literal, CHARGE};

/// How the arguments of each heavy built-in are charged, by position (the last mode repeats).
pub(super) const HEAVY_FUNCTIONS: &[(&str, &[Charge])] = &[
    ("string", &[Charge::Text]),
    ("join", &[Charge::Text, Charge::Flat]),
    ("map", &[Charge::HalfCallbacks, Charge::Flat]),
    ("filter", &[Charge::HalfCallbacks, Charge::Flat]),
    ("reduce", &[Charge::HalfCallbacks, Charge::Flat]),
    ("single", &[Charge::HalfCallbacks, Charge::Flat]),
    ("each", &[Charge::Callbacks, Charge::Flat]),
    ("sift", &[Charge::Callbacks, Charge::Flat]),
    ("spread", &[Charge::Keys]),
    ("merge", &[Charge::Keys]),
    ("lookup", &[Charge::Keys, Charge::Flat]),
    ("append", &[Charge::Flat]),
    ("zip", &[Charge::Flat]),
    ("reverse", &[Charge::Flat]),
    ("shuffle", &[Charge::Flat]),
    ("sum", &[Charge::Flat]),
    ("max", &[Charge::Flat]),
    ("min", &[Charge::Flat]),
    ("average", &[Charge::Flat]),
    ("uppercase", &[Charge::Flat]),
    ("lowercase", &[Charge::Flat]),
    ("trim", &[Charge::Flat]),
    ("length", &[Charge::Flat]),
    ("substring", &[Charge::Flat]),
    ("substringBefore", &[Charge::Flat]),
    ("substringAfter", &[Charge::Flat]),
    ("contains", &[Charge::Flat]),
    ("split", &[Charge::Flat]),
    ("match", &[Charge::Flat]),
    ("replace", &[Charge::Flat]),
    ("base64encode", &[Charge::Flat]),
    ("base64decode", &[Charge::Flat]),
    ("encodeUrl", &[Charge::Flat]),
    ("encodeUrlComponent", &[Charge::Flat]),
    ("decodeUrl", &[Charge::Flat]),
    ("decodeUrlComponent", &[Charge::Flat]),
    ("hash", &[Charge::Flat]),
    ("parse", &[Charge::Flat]),
    ("partition", &[Charge::Flat]),
];

/// The crate's built-ins (and Step Functions' additions): a call to any other name calls a lambda.
pub(in crate::jsonata::engine) const BUILTINS: &[&str] = &[
    "abs",
    "append",
    "assert",
    "average",
    "boolean",
    "ceil",
    "contains",
    "count",
    "decodeUrl",
    "decodeUrlComponent",
    "distinct",
    "each",
    "encodeUrl",
    "encodeUrlComponent",
    "error",
    "eval",
    "exists",
    "filter",
    "floor",
    "formatBase",
    "formatInteger",
    "formatNumber",
    "fromMillis",
    "join",
    "keys",
    "length",
    "lookup",
    "lowercase",
    "map",
    "match",
    "max",
    "merge",
    "millis",
    "min",
    "not",
    "now",
    "number",
    "pad",
    "parseInteger",
    "power",
    "random",
    "reduce",
    "replace",
    "reverse",
    "round",
    "shuffle",
    "sift",
    "single",
    "sort",
    "split",
    "spread",
    "sqrt",
    "string",
    "substring",
    "substringAfter",
    "substringBefore",
    "sum",
    "toMillis",
    "trim",
    "type",
    "uppercase",
    "zip",
    "partition",
    "range",
    "hash",
    "parse",
    "uuid",
    "base64encode",
    "base64decode",
];

/// Adds the fuel charges of a call: heavy built-ins pay for their arguments' size, lambda calls
/// a fixed price, a tail-recursive lambda's body on each pass.
pub(super) fn charge_arguments(node: &mut AstNode) {
    match node {
        AstNode::Function { name, args, .. } => {
            if args
                .iter()
                .any(|a| matches!(a, AstNode::Placeholder) || is_charged(a))
                || is_check(name)
            {
                return;
            }
            if let Some(modes) = paired_modes(name, args.len()) {
                for (arg, mode) in args.iter_mut().zip(modes) {
                    charged(arg, *mode);
                }
            } else if let Some((_, modes)) = HEAVY_FUNCTIONS.iter().find(|(n, _)| n == name) {
                for (i, arg) in args.iter_mut().enumerate() {
                    let mode = modes
                        .get(i)
                        .or(modes.last())
                        .copied()
                        .unwrap_or(Charge::Flat);
                    charged(arg, mode);
                }
            } else if name == "sort" {
                let mode = if args.len() > 1 {
                    Charge::SortCallbacks
                } else {
                    Charge::Sort
                };
                if let Some(first) = args.first_mut() {
                    charged(first, mode);
                }
            } else if !BUILTINS.contains(&name.as_str()) {
                if let Some(first) = args.first_mut() {
                    charged(first, Charge::Call);
                }
            }
        }
        AstNode::Call { args, .. } => {
            if let Some(first) = args.first_mut().filter(|a| !is_charged(a)) {
                charged(first, Charge::Call);
            }
        }
        AstNode::Lambda { body, thunk, .. } if *thunk => charge_each_pass(body),
        AstNode::Binary {
            op: BinaryOp::In,
            rhs,
            ..
        } => charged(rhs, Charge::Flat),
        AstNode::Binary {
            op: BinaryOp::ChainPipe,
            lhs,
            rhs,
        } => charge_chain(lhs, rhs),
        _ => {}
    }
}

/// The charges of a call whose size is known only from several arguments together: `$join`'s
/// items and separator, `$split`'s text and separator, `$replace`'s text, pattern, replacement and limit. Only for a call with
/// all of them written out (in `x ~> $join(',')` the first is not an argument).
fn paired_modes(name: &str, arity: usize) -> Option<&'static [Charge]> {
    match (name, arity) {
        ("join", 2) => Some(&[Charge::JoinItems, Charge::JoinSeparator]),
        ("split", 2) => Some(&[Charge::Hold, Charge::SplitSeparator]),
        ("replace", 3) => Some(&[Charge::Hold, Charge::Hold, Charge::Replacement]),
        ("replace", 4) => Some(&[
            Charge::Hold,
            Charge::Hold,
            Charge::Hold,
            Charge::ReplaceLimit,
        ]),
        _ => None,
    }
}

/// Whether `node` is already a fuel charge.
fn is_charged(node: &AstNode) -> bool {
    matches!(node, AstNode::Function { name, .. } if name == CHARGE)
}

/// Marks the calls in tail position of a lambda body (as the crate's parser finds them) with a
/// free charge on their first argument, so they are not charged as calls: the body pays.
fn mark_tail_calls(body: &mut AstNode) {
    let mut stack = vec![body];
    while let Some(node) = stack.pop() {
        match node {
            AstNode::Function { args, name, .. } if !is_check(name) => {
                if let Some(first) = args
                    .first_mut()
                    .filter(|a| !matches!(a, AstNode::Placeholder))
                {
                    charged(first, Charge::Free);
                }
            }
            AstNode::Call { args, .. } => {
                if let Some(first) = args.first_mut() {
                    charged(first, Charge::Free);
                }
            }
            AstNode::Conditional {
                then_branch,
                else_branch,
                ..
            } => {
                stack.push(then_branch);
                if let Some(e) = else_branch {
                    stack.push(e);
                }
            }
            AstNode::Block(items) => stack.extend(items.last_mut()),
            AstNode::Binary {
                op: BinaryOp::ColonEqual,
                rhs,
                ..
            } => stack.push(rhs),
            _ => {}
        }
    }
}

/// A tail call loops in the crate's trampoline, which evaluates a block's last expression as the
/// tail: a charge before the body adds no evaluation level and is paid on each pass. The tail
/// calls themselves are not charged again.
fn charge_each_pass(body: &mut Box<AstNode>) {
    mark_tail_calls(body);
    let inner = std::mem::replace(body.as_mut(), AstNode::Null);
    **body = AstNode::Block(vec![
        AstNode::Function {
            name: CHARGE.to_owned(),
            args: vec![
                AstNode::Null,
                AstNode::String(Charge::Call.name().to_owned()),
            ],
            is_builtin: true,
        },
        inner,
    ]);
}

/// The charges of `lhs ~> rhs`.
fn charge_chain(lhs: &mut Box<AstNode>, rhs: &mut AstNode) {
    if !charge_piped_pair(lhs, rhs) {
        charge_chain_start(lhs, rhs);
    }
}

/// `x ~> $join(sep)`, `x ~> $split(sep)`, `x ~> $replace(p, r)`: the piped value is the first of
/// the arguments checked together, so it is held as a written-out first argument would be (even
/// when it is itself a chain: the hold and the check must pair up). Whether it applied.
fn charge_piped_pair(lhs: &mut Box<AstNode>, rhs: &mut AstNode) -> bool {
    let AstNode::Function { name, args, .. } = rhs else {
        return false;
    };
    if is_check(name)
        || args
            .iter()
            .any(|a| matches!(a, AstNode::Placeholder) || is_charged(a))
    {
        return false;
    }
    let Some((first, rest)) = paired_modes(name, args.len() + 1).and_then(|m| m.split_first())
    else {
        return false;
    };
    charged(lhs, *first);
    for (arg, mode) in args.iter_mut().zip(rest) {
        charged(arg, *mode);
    }
    true
}

/// `x ~> $f(...)` passes `x` as the first argument. Only the start of a chain is charged: a
/// charge per stage would cost each stage an evaluation level, and a chain's length is fixed by
/// its text. A literal start is not charged either (it is small, and the chains AWS allows at its
/// depth limit start with one).
fn charge_chain_start(lhs: &mut Box<AstNode>, rhs: &AstNode) {
    let chained = matches!(
        lhs.as_ref(),
        AstNode::Binary {
            op: BinaryOp::ChainPipe,
            ..
        }
    );
    let AstNode::Function { name, .. } = rhs else {
        return;
    };
    if chained || is_literal(lhs) {
        return;
    }
    let mode = match name.as_str() {
        "sort" => Some(Charge::Sort),
        name => HEAVY_FUNCTIONS
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, modes)| modes.first().copied()),
    };
    if let Some(mode) = mode {
        charged(lhs, mode);
    }
}
