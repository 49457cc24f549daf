//! One pass over the parsed expression: the Step Functions restrictions (§8.2) and the facts the
//! evaluation and the error messages need.

use jsonata_core::ast::{AstNode, BinaryOp, PathStep, Stage};

use super::{messages, CompileError};

/// What the walk found.
pub(super) struct Facts {
    pub(super) variables: Vec<String>,
    pub(super) uses_entropy: bool,
    pub(super) states_fields: Vec<String>,
    /// `$states` is used other than as `$states.<field>` (`$keys($states)`).
    pub(super) states_whole: bool,
    pub(super) hints: messages::Hints,
    /// Names the expression binds itself (`$x := ...`, lambda parameters, `@$v`, `#$i`).
    pub(super) bound: Vec<String>,
    /// The field names read under `$states.input` (`$states.input.order.id` → `order`, `id`).
    pub(super) input_paths: Vec<Vec<String>>,
}

/// One pass over the AST (one arm per node kind: a dispatch table over the crate's ~30 kinds, kept
/// in one `match` so each kind's rule reads beside the others), with an explicit stack (the parser allows about 1000 levels; a native
/// recursion that deep is what the limits exist to prevent). `top` marks nodes evaluated against
/// the expression's own context item, which Step Functions leaves empty: a bare field name or `$`
/// there can only be a mistake, and AWS rejects it.
pub(super) fn walk(root: &AstNode) -> Result<Facts, CompileError> {
    let mut variables: Vec<String> = Vec::new();
    let mut uses_entropy = false;
    let mut states_fields: Vec<String> = Vec::new();
    let mut states_whole = false;
    let mut hints = messages::Hints::default();
    let mut bound: Vec<String> = Vec::new();
    let mut input_paths: Vec<Vec<String>> = Vec::new();
    let mut stack: Vec<(&AstNode, bool)> = vec![(root, true)];
    // Ranges directly inside an array constructor; 2.0.6 rejects `..` anywhere else.
    let mut array_ranges: Vec<*const AstNode> = Vec::new();
    while let Some((node, top)) = stack.pop() {
        match node {
            AstNode::Name(name) if top => {
                return Err(CompileError {
                    message: format!("Reference to '{name}' at the top level is not supported."),
                    position: 0,
                })
            }
            AstNode::Variable(name) if name.is_empty() => {
                if top {
                    return Err(CompileError {
                        message: "Reference to '$' at the top level is not supported.".into(),
                        position: 0,
                    });
                }
            }
            AstNode::Variable(name) => {
                // `$map($a, $random)` passes the function as a value.
                if matches!(name.as_str(), "random" | "uuid" | "shuffle") {
                    uses_entropy = true;
                }
                if name == "states" {
                    states_whole = true;
                } else if !variables.iter().any(|v| v == name) {
                    variables.push(name.clone());
                }
            }
            AstNode::ParentVariable(_) => {
                return Err(CompileError {
                    message: "Reference to '$$' is not supported.".into(),
                    position: 0,
                })
            }
            AstNode::Path { steps } => {
                bind_steps(steps, &mut bound);
                match states_field(steps) {
                    Some(field) => {
                        if !states_fields.contains(field) {
                            states_fields.push(field.clone());
                        }
                        let names = input_names(steps);
                        if field == "input" && !names.is_empty() && !input_paths.contains(&names) {
                            input_paths.push(names);
                        }
                        // The `$states` step itself is accounted for; the rest read its fields.
                        push_steps(&mut stack, steps.get(1..).unwrap_or_default(), false);
                    }
                    None => push_steps(&mut stack, steps, top),
                }
            }
            AstNode::Binary {
                op: BinaryOp::Range,
                ..
            } if !array_ranges.contains(&(node as *const AstNode)) => {
                return Err(CompileError {
                    message: "S0201: Syntax error: \"..\"".into(),
                    position: 0,
                })
            }
            AstNode::Binary { op, lhs, rhs } => {
                let binds = match op {
                    BinaryOp::ColonEqual => Some(&**lhs),
                    BinaryOp::FocusBind | BinaryOp::IndexBind => Some(&**rhs),
                    _ => None,
                };
                if let Some(AstNode::Variable(v)) = binds {
                    bound.push(v.clone());
                }
                let symbol = match op {
                    BinaryOp::LessThan => Some("<"),
                    BinaryOp::LessThanOrEqual => Some("<="),
                    BinaryOp::GreaterThan => Some(">"),
                    BinaryOp::GreaterThanOrEqual => Some(">="),
                    _ => None,
                };
                if let Some(symbol) = symbol.filter(|s| !hints.comparisons.contains(s)) {
                    hints.comparisons.push(symbol);
                }
                stack.push((lhs, top));
                stack.push((rhs, top));
            }
            AstNode::Unary { operand, .. } => stack.push((operand, top)),
            AstNode::Function { name, args, .. } => {
                if matches!(name.as_str(), "random" | "uuid" | "shuffle") {
                    uses_entropy = true;
                }
                if !hints.calls.contains(name) {
                    hints.calls.push(name.clone());
                }
                stack.extend(args.iter().map(|a| (a, top)));
            }
            AstNode::Call { procedure, args } => {
                stack.push((procedure, top));
                stack.extend(args.iter().map(|a| (a, top)));
            }
            // A lambda body keeps the context of the expression that defines it.
            AstNode::Lambda { body, params, .. } => {
                bound.extend(params.iter().cloned());
                stack.push((body, top));
            }
            AstNode::Array(items) => {
                for item in items {
                    if matches!(
                        item,
                        AstNode::Binary {
                            op: BinaryOp::Range,
                            ..
                        }
                    ) {
                        array_ranges.push(item);
                    }
                    stack.push((item, top));
                }
            }
            AstNode::Block(items) => stack.extend(items.iter().map(|a| (a, top))),
            // Inside a path these read each item, not the top-level context.
            AstNode::ArrayGroup(items) => stack.extend(items.iter().map(|a| (a, false))),
            AstNode::FunctionApplication(inner) => stack.push((inner, false)),
            AstNode::Object(pairs) => {
                for (k, v) in pairs {
                    stack.push((k, top));
                    stack.push((v, top));
                }
            }
            AstNode::ObjectTransform { input, pattern } => {
                stack.push((input, top));
                for (k, v) in pattern {
                    stack.push((k, false));
                    stack.push((v, false));
                }
            }
            AstNode::Conditional {
                condition,
                then_branch,
                else_branch,
            } => {
                stack.push((condition, top));
                stack.push((then_branch, top));
                if let Some(e) = else_branch {
                    stack.push((e, top));
                }
            }
            AstNode::Sort { input, terms } => {
                stack.push((input, top));
                stack.extend(terms.iter().map(|(t, _)| (t, false)));
            }
            // The transform's patterns apply to the value it is given, not the context.
            AstNode::Transform {
                location,
                update,
                delete,
            } => {
                stack.push((location, false));
                stack.push((update, false));
                if let Some(d) = delete {
                    stack.push((d, false));
                }
            }
            AstNode::Name(_)
            | AstNode::String(_)
            | AstNode::Number(_)
            | AstNode::Boolean(_)
            | AstNode::Null
            | AstNode::Undefined
            | AstNode::Placeholder
            | AstNode::Regex { .. }
            | AstNode::Wildcard
            | AstNode::Descendant
            | AstNode::Parent(_) => {}
        }
    }
    Ok(Facts {
        variables,
        uses_entropy,
        states_fields,
        states_whole,
        hints,
        bound,
        input_paths,
    })
}

/// The plain field names after `$states.input` in a path, up to the first step that is not one
/// (a wildcard, a call, a name that binds or filters, whose own name still counts).
fn input_names(steps: &[PathStep]) -> Vec<String> {
    let mut out = Vec::new();
    if steps
        .get(1)
        .is_some_and(|s| !s.stages.is_empty() || s.focus.is_some())
    {
        return out; // `$states.input[0]`
    }
    for step in steps.get(2..).unwrap_or_default() {
        let AstNode::Name(name) = &step.node else {
            break;
        };
        out.push(name.clone());
        if !step.stages.is_empty() || step.focus.is_some() || step.index_var.is_some() {
            break;
        }
    }
    out
}

/// Adds the names a path's steps bind (`@$v`, `#$i`) to `bound`.
fn bind_steps(steps: &[PathStep], bound: &mut Vec<String>) {
    for step in steps {
        bound.extend(step.focus.iter().cloned());
        bound.extend(step.index_var.iter().cloned());
        for stage in &step.stages {
            if let Stage::Index(name) = stage {
                bound.push(name.clone());
            }
        }
    }
}

/// `field` when the path starts `$states.field`.
fn states_field(steps: &[PathStep]) -> Option<&String> {
    let [first, second, ..] = steps else {
        return None;
    };
    match (&first.node, &second.node) {
        (AstNode::Variable(v), AstNode::Name(field))
            if v == "states"
                && first.stages.is_empty()
                && first.focus.is_none()
                && first.index_var.is_none() =>
        {
            Some(field)
        }
        _ => None,
    }
}

/// A path's first step reads the context it is in; later steps and predicates read its items.
fn push_steps<'a>(stack: &mut Vec<(&'a AstNode, bool)>, steps: &'a [PathStep], top: bool) {
    for (i, step) in steps.iter().enumerate() {
        stack.push((&step.node, top && i == 0));
        for stage in &step.stages {
            if let Stage::Filter(pred) = stage {
                stack.push((pred, false));
            }
        }
    }
}
