//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, JSONPath `Assign`).
//!
//! A template is compiled once: every `"k.$"` value is parsed (a `$` path, a `$$` context path,
//! a `$var` variable path or an intrinsic call), and every sub-tree without one is built ahead of
//! time so that evaluation only clones it.
//!
//! ```
//! use sfn_asl::eval::{EvalEnv, SeededEntropy};
//! use sfn_asl::template::PayloadTemplate;
//! use serde_json::json;
//!
//! let template = PayloadTemplate::compile(&json!({
//!     "id.$": "$.order.id",
//!     "greeting.$": "States.Format('Hello {}', $.name)",
//!     "fixed": {"retries": 3}
//! })).unwrap();
//! let input = json!({"order": {"id": 7}, "name": "Ada"});
//! let entropy = SeededEntropy::new(0);
//! let env = EvalEnv { input: &input, context: &json!({}), vars: &(), entropy: &entropy };
//! assert_eq!(
//!     template.eval(&env).unwrap(),
//!     json!({"id": 7, "greeting": "Hello Ada", "fixed": {"retries": 3}})
//! );
//! ```

use serde_json::{Map, Value};

use crate::error::{EvalError, ExprError};
use crate::eval::EvalEnv;
use crate::intrinsic::IntrinsicCall;
use crate::path::{Path, PathRoot};

/// How deeply a template may nest; JSON parsed by serde_json stops at 128 anyway.
const MAX_DEPTH: usize = 256;

/// The value of a `k.$` key: a path (`$`, `$$`, `$var`) or an intrinsic call.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueExpr {
    /// A path.
    Path(Path),
    /// An intrinsic function call.
    Intrinsic(IntrinsicCall),
}

impl ValueExpr {
    /// Compiles a `.$` value.
    pub fn parse(source: &str) -> Result<ValueExpr, ExprError> {
        if source.starts_with('$') {
            Path::parse(source).map(ValueExpr::Path)
        } else {
            IntrinsicCall::parse(source).map(ValueExpr::Intrinsic)
        }
    }
    /// The text as written.
    pub fn source(&self) -> &str {
        match self {
            ValueExpr::Path(p) => p.source(),
            ValueExpr::Intrinsic(i) => i.source(),
        }
    }
    /// Evaluates the value of field `field` (`"orderId.$"`, `"ErrorPath"`), with AWS's message
    /// when a path finds nothing (`The JSONPath '<p>' specified for the field '<field>' could not
    /// be found in the input '<json>'`).
    #[inline]
    pub fn eval(&self, env: &EvalEnv<'_>, field: &str) -> Result<Value, EvalError> {
        match self {
            ValueExpr::Path(p) => p
                .select(env)
                .map(|v| v.into_owned())
                .map_err(|_| missing_path(p, env, field)),
            ValueExpr::Intrinsic(i) => i.eval(env),
        }
    }
}

/// AWS's error for a `field` whose path `p` finds nothing.
fn missing_path(p: &Path, env: &EvalEnv<'_>, field: &str) -> EvalError {
    let doc = match p.root() {
        PathRoot::Context => env.context,
        _ => env.input,
    };
    EvalError::runtime(format!(
        "The JSONPath '{}' specified for the field '{field}' could not be found in the input '{doc}'",
        p.source()
    ))
}

/// One node of a compiled template.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// A sub-tree with no `.$` key, built once.
    Const(Value),
    /// An object with at least one dynamic value below it (output keys, `.$` stripped), and
    /// the output object with those keys and `null` values (when they are distinct).
    /// Evaluation fills a copy of that prototype: copying a map copies its hash table, where
    /// inserting the keys one by one would hash every key again.
    Object(Vec<(String, Node)>, Option<Prototype>),
    /// An array with at least one dynamic value below it.
    Array(Vec<Node>),
    /// The value of a `k.$` key; `field` is the key as written, for messages.
    Expr { expr: ValueExpr, field: String },
}

/// A compiled payload template.
#[derive(Debug, Clone, PartialEq)]
pub struct PayloadTemplate {
    source: Value,
    root: Node,
}

impl PayloadTemplate {
    /// Compiles a template; errors carry the JSON pointer (relative to the template) of the bad
    /// key (`/order.$`), all of them, not just the first.
    pub fn compile(source: &Value) -> Result<PayloadTemplate, Vec<(String, ExprError)>> {
        let mut errors = Vec::new();
        let root = compile_node(source, &mut String::new(), 0, &mut errors);
        if errors.is_empty() {
            Ok(PayloadTemplate {
                source: source.clone(),
                root,
            })
        } else {
            Err(errors)
        }
    }
    /// The template as written.
    pub fn to_value(&self) -> Value {
        self.source.clone()
    }
    /// The template as written, borrowed.
    pub fn source(&self) -> &Value {
        &self.source
    }
    /// Whether the template has no `.$` key anywhere (its value never depends on the input).
    pub fn is_constant(&self) -> bool {
        matches!(self.root, Node::Const(_))
    }
    /// Every `.$` value with the JSON pointer of its key, in document order (for checkers).
    pub fn exprs(&self) -> Vec<(String, &ValueExpr)> {
        let mut out = Vec::new();
        collect_exprs(&self.root, &mut String::new(), &mut out);
        out
    }
    /// Builds the payload against `env`.
    pub fn eval(&self, env: &EvalEnv<'_>) -> Result<Value, EvalError> {
        eval_node(&self.root, env)
    }

    /// Evaluates the payload's parts against `env` without building it yet, so that
    /// [`Evaluated::write_into`] can reuse the value the payload replaces once `env`'s
    /// borrows have ended (a Pass writing its `Parameters` over the previous result). The
    /// members of an object are kept in `buffer` (emptied first), which a caller can keep from
    /// one evaluation to the next so that none allocates.
    pub fn eval_parts<'b>(
        &self,
        env: &EvalEnv<'_>,
        buffer: &'b mut Vec<Value>,
    ) -> Result<Evaluated<'_, 'b>, EvalError> {
        match &self.root {
            Node::Object(entries, Some(proto)) => {
                buffer.clear();
                buffer.resize(entries.len(), Value::Null);
                for (slot, (_, child)) in buffer.iter_mut().zip(entries) {
                    eval_into(child, env, slot)?;
                }
                Ok(Evaluated(Parts::Members(entries, proto, buffer)))
            }
            other => {
                buffer.clear();
                buffer.push(eval_node(other, env)?);
                Ok(Evaluated(Parts::Whole(buffer)))
            }
        }
    }
}

/// An object template's output keys with `null` values, and the JSON size of everything in
/// its output that does not depend on the input (braces, commas, keys, constant members).
#[derive(Debug, Clone, PartialEq)]
struct Prototype {
    map: Map<String, Value>,
    fixed_size: usize,
}

/// A payload evaluated by [`PayloadTemplate::eval_parts`].
#[derive(Debug)]
pub struct Evaluated<'t, 'b>(Parts<'t, 'b>);

#[derive(Debug)]
enum Parts<'t, 'b> {
    /// The members of an object, in the order of the prototype's keys.
    Members(&'t [(String, Node)], &'t Prototype, &'b mut Vec<Value>),
    /// The whole payload, alone in the buffer. (Kept there, not here, so that an `Evaluated`
    /// stays a few words: moving a large value right after writing it stalls.)
    Whole(&'b mut Vec<Value>),
}

/// Moves `values` into `slots`, in order, leaving `values` empty.
fn assign<'v>(values: &mut Vec<Value>, slots: impl Iterator<Item = &'v mut Value>) {
    // Swapped, then cleared: the values replaced are dropped with the buffer's contents.
    for (slot, v) in slots.zip(values.iter_mut()) {
        std::mem::swap(slot, v);
    }
    values.clear();
}

impl Evaluated<'_, '_> {
    /// The payload.
    pub fn into_value(self) -> Value {
        match self.0 {
            Parts::Members(_, proto, values) => {
                let mut map = proto.map.clone();
                assign(values, map.values_mut());
                Value::Object(map)
            }
            Parts::Whole(buffer) => buffer.pop().unwrap_or_default(),
        }
    }

    /// The payload's JSON size, given `measure` for a value: only the parts that depend on the
    /// input are measured, the rest was measured when the template was compiled. (A `measure`
    /// that stops counting past a limit gives a total past it too.)
    pub fn json_size(&self, mut measure: impl FnMut(&Value) -> usize) -> usize {
        match &self.0 {
            Parts::Members(entries, proto, values) => entries
                .iter()
                .zip(values.iter())
                .filter(|((_, node), _)| !matches!(node, Node::Const(_)))
                .fold(proto.fixed_size, |n, (_, v)| n.saturating_add(measure(v))),
            Parts::Whole(buffer) => buffer
                .iter()
                .fold(0, |n: usize, v| n.saturating_add(measure(v))),
        }
    }

    /// Writes the payload over `target`. An object with the same keys in the same order keeps
    /// its allocations (keys, hash table), and only its values are replaced; anything else is
    /// replaced whole. The result is the same value either way.
    pub fn write_into(self, target: &mut Value) {
        if let (Parts::Members(_, proto, _), Value::Object(old)) = (&self.0, &*target) {
            let same_keys = old.len() == proto.map.len() && old.keys().eq(proto.map.keys());
            if same_keys {
                if let (Parts::Members(_, _, values), Value::Object(old)) = (self.0, target) {
                    assign(values, old.values_mut());
                }
                return;
            }
        }
        *target = self.into_value();
    }
}

use crate::pointer::push_segment as push_pointer;

fn compile_node(
    value: &Value,
    pointer: &mut String,
    depth: usize,
    errors: &mut Vec<(String, ExprError)>,
) -> Node {
    if depth > MAX_DEPTH {
        errors.push((
            pointer.clone(),
            ExprError::new(
                0,
                format!("the template nests more than {MAX_DEPTH} levels deep"),
            ),
        ));
        return Node::Const(Value::Null);
    }
    match value {
        Value::Object(map) => {
            let mut entries = Vec::with_capacity(map.len());
            let mut dynamic = false;
            for (key, child) in map {
                let len = pointer.len();
                push_pointer(pointer, key);
                let node = match key.strip_suffix(".$") {
                    Some(out_key) => {
                        dynamic = true;
                        compile_expr_entry(map, key, out_key, child, pointer, errors)
                    }
                    None => {
                        let node = compile_node(child, pointer, depth + 1, errors);
                        dynamic |= !matches!(node, Node::Const(_));
                        node
                    }
                };
                pointer.truncate(len);
                let out_key = key.strip_suffix(".$").unwrap_or(key);
                entries.push((out_key.to_owned(), node));
            }
            if dynamic {
                let proto: Map<String, Value> = entries
                    .iter()
                    .map(|(k, _)| (k.clone(), Value::Null))
                    .collect();
                // Compilation rejects `a` beside `a.$`, so the keys are distinct; checked
                // anyway, as the evaluation relies on it.
                let proto = (proto.len() == entries.len()).then(|| Prototype {
                    fixed_size: fixed_size(&entries),
                    map: proto,
                });
                Node::Object(entries, proto)
            } else {
                Node::Const(value.clone())
            }
        }
        Value::Array(items) => {
            let mut nodes = Vec::with_capacity(items.len());
            let mut dynamic = false;
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                let node = compile_node(item, pointer, depth + 1, errors);
                pointer.truncate(len);
                dynamic |= !matches!(node, Node::Const(_));
                nodes.push(node);
            }
            if dynamic {
                Node::Array(nodes)
            } else {
                Node::Const(value.clone())
            }
        }
        other => Node::Const(other.clone()),
    }
}

/// The node of a `key.$` entry of `map`: its string compiled as a path or an intrinsic call.
fn compile_expr_entry(
    map: &Map<String, Value>,
    key: &str,
    out_key: &str,
    child: &Value,
    pointer: &str,
    errors: &mut Vec<(String, ExprError)>,
) -> Node {
    if map.contains_key(out_key) {
        errors.push((
            pointer.to_owned(),
            ExprError::new(
                0,
                format!("the key `{out_key}` appears twice (as `{out_key}` and `{key}`); keep one"),
            ),
        ));
    }
    match child {
        Value::String(text) => match ValueExpr::parse(text) {
            Ok(expr) => Node::Expr {
                expr,
                field: key.to_owned(),
            },
            Err(e) => {
                errors.push((pointer.to_owned(), e));
                Node::Const(Value::Null)
            }
        },
        other => {
            errors.push((
                pointer.to_owned(),
                ExprError::new(
                    0,
                    format!(
                        "the value of `{key}` must be a string holding a path or an intrinsic call, not {}",
                        kind(other)
                    ),
                ),
            ));
            Node::Const(Value::Null)
        }
    }
}

/// The JSON size of an object with these members, counting only constant values: braces,
/// commas, keys (with their quotes, escapes and colons) and `Const` members.
fn fixed_size(entries: &[(String, Node)]) -> usize {
    let text_len = |v: &Value| serde_json::to_vec(v).map_or(usize::MAX, |t| t.len());
    let mut n = 2 + entries.len().saturating_sub(1);
    for (key, node) in entries {
        n = n
            .saturating_add(text_len(&Value::String(key.clone())))
            .saturating_add(1);
        if let Node::Const(v) = node {
            n = n.saturating_add(text_len(v));
        }
    }
    n
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// [`eval_node`] written into `out`: a constant or a path's value is cloned into place, not
/// returned (moving a freshly returned value into a buffer stalls on store forwarding).
fn eval_into(node: &Node, env: &EvalEnv<'_>, out: &mut Value) -> Result<(), EvalError> {
    match node {
        Node::Const(v) => out.clone_from(v),
        Node::Expr {
            expr: ValueExpr::Path(p),
            field,
        } => match p.select(env) {
            Ok(v) => out.clone_from(&v),
            Err(_) => return Err(missing_path(p, env, field)),
        },
        other => *out = eval_node(other, env)?,
    }
    Ok(())
}

fn eval_node(node: &Node, env: &EvalEnv<'_>) -> Result<Value, EvalError> {
    match node {
        Node::Const(v) => Ok(v.clone()),
        Node::Expr { expr, field } => expr.eval(env, field),
        Node::Object(entries, Some(proto)) => {
            let mut map = proto.map.clone();
            for (slot, (_, child)) in map.values_mut().zip(entries) {
                *slot = eval_node(child, env)?;
            }
            Ok(Value::Object(map))
        }
        Node::Object(entries, None) => {
            let mut map = Map::with_capacity(entries.len());
            for (key, child) in entries {
                map.insert(key.clone(), eval_node(child, env)?);
            }
            Ok(Value::Object(map))
        }
        Node::Array(items) => items
            .iter()
            .map(|n| eval_node(n, env))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
    }
}

fn collect_exprs<'t>(node: &'t Node, pointer: &mut String, out: &mut Vec<(String, &'t ValueExpr)>) {
    match node {
        Node::Const(_) => {}
        Node::Expr { expr, .. } => out.push((pointer.clone(), expr)),
        Node::Object(entries, _) => {
            for (key, child) in entries {
                let len = pointer.len();
                match child {
                    Node::Expr { field, .. } => push_pointer(pointer, field),
                    _ => push_pointer(pointer, key),
                }
                collect_exprs(child, pointer, out);
                pointer.truncate(len);
            }
        }
        Node::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                collect_exprs(child, pointer, out);
                pointer.truncate(len);
            }
        }
    }
}
