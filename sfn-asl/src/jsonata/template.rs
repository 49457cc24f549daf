//! JSON values whose strings may be `{% %}` expressions (`Arguments`, `Output`, JSONata `Assign`).

use serde_json::{Map, Value};

use super::engine::Conversions;
use super::{is_expression, Jsonata, JsonataEnv};
use crate::error::{EvalError, ExprError};

/// Deepest template accepted; definitions are parsed with serde_json's own limit of 128 levels,
/// so only a value built in code gets near it, and it keeps the recursion below bounded.
const MAX_TEMPLATE_DEPTH: usize = 256;

/// A JSON value whose strings may be `{% %}` expressions (`Arguments`, `Output`, JSONata `Assign`).
#[derive(Debug, Clone)]
pub struct JsonataTemplate {
    source: Value,
    root: Node,
}

/// The compiled form: subtrees without expressions stay literal values.
#[derive(Debug, Clone)]
enum Node {
    Literal(Value),
    Expression(Jsonata),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl PartialEq for JsonataTemplate {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl JsonataTemplate {
    /// Compiles every `{% %}` string in `source`; errors carry the relative JSON pointer (`""` for
    /// the value itself, `/Input/name`, `/list/0`), all of them, not just the first.
    pub fn compile(source: &Value) -> Result<JsonataTemplate, Vec<(String, ExprError)>> {
        let mut errors = Vec::new();
        let root = compile_node(source, &mut String::new(), 0, &mut errors);
        if errors.is_empty() {
            Ok(JsonataTemplate {
                source: source.clone(),
                root,
            })
        } else {
            Err(errors)
        }
    }

    /// The value as written.
    pub fn to_value(&self) -> Value {
        self.source.clone()
    }

    /// The expression, when the whole value is one `{% %}` string (`"Items": "{% ... %}"`), e.g.
    /// to word a wrong result type with [`Jsonata::unexpected_type`].
    pub fn as_expression(&self) -> Option<&Jsonata> {
        match &self.root {
            Node::Expression(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the value holds no expression at all.
    pub fn is_literal(&self) -> bool {
        matches!(self.root, Node::Literal(_))
    }

    /// The workflow variables the expressions read, each once.
    pub fn variables(&self) -> Vec<String> {
        self.collect(Jsonata::variables)
    }

    /// The `$states` fields the expressions read, each once (see [`Jsonata::states_fields`]).
    pub fn states_fields(&self) -> Vec<String> {
        self.collect(Jsonata::states_fields)
    }

    /// The union of `names` over every expression, in first-seen order.
    fn collect(&self, names: fn(&Jsonata) -> &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut stack = vec![&self.root];
        while let Some(node) = stack.pop() {
            match node {
                Node::Literal(_) => {}
                Node::Expression(e) => {
                    for v in names(e) {
                        if !out.contains(v) {
                            out.push(v.clone());
                        }
                    }
                }
                Node::Array(items) => stack.extend(items.iter().rev()),
                Node::Object(pairs) => stack.extend(pairs.iter().rev().map(|(_, n)| n)),
            }
        }
        out
    }

    /// Evaluates every expression in the value; `location` names the field (`Output`,
    /// `Arguments`, `Assign`) and nested keys extend it (`Arguments/FunctionName`, `Output/list[0]`).
    pub fn eval(&self, env: &JsonataEnv<'_>, location: &str) -> Result<Value, EvalError> {
        eval_node(
            &self.root,
            env,
            &mut location.to_owned(),
            env.now_millis,
            &mut Conversions::default(),
        )
    }

    /// [`eval`](Self::eval) with `$now()` and `$millis()` reading `now_millis` (see
    /// [`Jsonata::eval_at`]).
    pub fn eval_at(
        &self,
        env: &JsonataEnv<'_>,
        location: &str,
        now_millis: i64,
    ) -> Result<Value, EvalError> {
        eval_node(
            &self.root,
            env,
            &mut location.to_owned(),
            Some(now_millis),
            &mut Conversions::default(),
        )
    }
}

fn compile_node(
    value: &Value,
    pointer: &mut String,
    depth: usize,
    errors: &mut Vec<(String, ExprError)>,
) -> Node {
    if depth > MAX_TEMPLATE_DEPTH {
        errors.push((
            pointer.clone(),
            ExprError::new(0, "the value is nested too deeply"),
        ));
        // Not `Literal`: the parents would clone the (arbitrarily deep) rest of the value.
        return Node::Array(Vec::new());
    }
    match value {
        Value::String(s) if is_expression(s) => match Jsonata::compile(s) {
            Ok(expr) => Node::Expression(expr),
            Err(e) => {
                errors.push((pointer.clone(), e));
                Node::Literal(Value::Null)
            }
        },
        Value::Array(items) => {
            let nodes: Vec<Node> = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                    let node = compile_node(item, pointer, depth + 1, errors);
                    pointer.truncate(len);
                    node
                })
                .collect();
            if nodes.iter().all(|n| matches!(n, Node::Literal(_))) {
                Node::Literal(value.clone())
            } else {
                Node::Array(nodes)
            }
        }
        Value::Object(map) => {
            let pairs: Vec<(String, Node)> = map
                .iter()
                .map(|(k, v)| {
                    let len = pointer.len();
                    crate::pointer::push_segment(pointer, k);
                    let node = compile_node(v, pointer, depth + 1, errors);
                    pointer.truncate(len);
                    (k.clone(), node)
                })
                .collect();
            if pairs.iter().all(|(_, n)| matches!(n, Node::Literal(_))) {
                Node::Literal(value.clone())
            } else {
                Node::Object(pairs)
            }
        }
        other => Node::Literal(other.clone()),
    }
}

/// `location` is extended in place while descending and restored on the way back.
fn eval_node(
    node: &Node,
    env: &JsonataEnv<'_>,
    location: &mut String,
    now: Option<i64>,
    conversions: &mut Conversions,
) -> Result<Value, EvalError> {
    match node {
        Node::Literal(v) => Ok(v.clone()),
        Node::Expression(e) => e.eval_in(env, location, now, conversions),
        Node::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = location.len();
                location.push_str(&format!("[{i}]"));
                let value = eval_node(item, env, location, now, conversions);
                location.truncate(len);
                out.push(value?);
            }
            Ok(Value::Array(out))
        }
        Node::Object(pairs) => {
            let mut out = Map::new();
            for (key, item) in pairs {
                let len = location.len();
                location.push('/');
                location.push_str(key);
                let value = eval_node(item, env, location, now, conversions);
                location.truncate(len);
                out.insert(key.clone(), value?);
            }
            Ok(Value::Object(out))
        }
    }
}
