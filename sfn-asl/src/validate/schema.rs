//! The schema pass: the top-level object, scopes of states, and the readers for expressions
//! (paths, templates, JSONata) that every state type shares.
//!
//! The pass always builds a model, putting placeholders where a field is broken, so the linter
//! can still check the graph; the model is only handed out when nothing was found.

use serde_json::{Map, Number, Value};

use super::reader::{is_jsonata, Ctx, Lang, Obj, Pointer, Spec};
use super::MAX_NESTING;
use crate::error::message;
use crate::jsonata::{Jsonata, JsonataTemplate};
use crate::model::{
    Branch, Dynamic, Pass, QueryLanguage, State, StateKind, StateMachine, States, Template,
    Transition,
};
use crate::path::{Path, ReferencePath};
use crate::template::PayloadTemplate;

const TOP: Spec = &[
    ("StartAt", Lang::Both),
    ("States", Lang::Both),
    ("Comment", Lang::Both),
    ("Version", Lang::Both),
    ("TimeoutSeconds", Lang::Both),
    ("QueryLanguage", Lang::Both),
];

const BRANCH: Spec = &[
    ("StartAt", Lang::Both),
    ("States", Lang::Both),
    ("Comment", Lang::Both),
];

/// The eight state types, in the order AWS lists them in its message.
pub(crate) const STATE_TYPES: &[&str] = &[
    "Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

/// Reads the whole document (already known to be an object).
pub(crate) fn machine(ctx: &mut Ctx, doc: &Value) -> Option<StateMachine> {
    let map = doc.as_object()?;
    let root = Pointer::default();
    let o = ctx.object(map, &root, TOP, QueryLanguage::JsonPath);
    // AWS lists them in this order (recorded ValidateStateMachineDefinition responses).
    ctx.require(&o, &["States", "StartAt"]);
    let query_language = query_language(ctx, &o);
    ctx.top_language = query_language;
    let version = ctx.string(&o, "Version");
    if let Some(v) = &version {
        if v != "1.0" {
            ctx.schema(
                &root.key("Version"),
                "The field 'Version' should have one of these values: [1.0]",
                Some("write `\"Version\": \"1.0\"` or leave it out".into()),
            );
        }
    }
    Some(StateMachine {
        comment: ctx.string(&o, "Comment"),
        version,
        timeout_seconds: ctx.integer(&o, "TimeoutSeconds", 1),
        query_language,
        start_at: ctx.string(&o, "StartAt").unwrap_or_default(),
        states: scope(ctx, &o, "States"),
    })
}

/// `QueryLanguage` of the top level or of a state.
pub(crate) fn query_language(ctx: &mut Ctx, o: &Obj<'_>) -> Option<QueryLanguage> {
    let all = [QueryLanguage::JsonPath, QueryLanguage::Jsonata];
    ctx.one_of(o, "QueryLanguage", &all, QueryLanguage::as_str)
}

/// A `Parallel` branch.
pub(crate) fn branch(ctx: &mut Ctx, v: &Value, at: &Pointer) -> Branch {
    let Some(map) = v.as_object() else {
        ctx.wrong_type(at, "an object");
        return Branch {
            comment: None,
            start_at: String::new(),
            states: States::default(),
        };
    };
    let o = ctx.object(map, at, BRANCH, QueryLanguage::JsonPath);
    ctx.require(&o, &["StartAt", "States"]);
    Branch {
        comment: ctx.string(&o, "Comment"),
        start_at: ctx.string(&o, "StartAt").unwrap_or_default(),
        states: scope(ctx, &o, "States"),
    }
}

/// The `States` object of a scope (`key` of `o`).
pub(crate) fn scope(ctx: &mut Ctx, o: &Obj<'_>, key: &str) -> States {
    let mut states = States::default();
    let Some(map) = ctx.object_field(o, key) else {
        return states;
    };
    let at = o.at.key(key);
    if ctx.depth >= MAX_NESTING {
        ctx.schema(
            &at,
            &format!("States may nest at most {MAX_NESTING} levels deep"),
            Some("move the inner part into a nested state machine".into()),
        );
        return states;
    }
    ctx.depth += 1;
    for (name, sv) in map {
        let st = state(ctx, name, sv, &at.key(name));
        states.insert(name.clone(), st);
    }
    ctx.depth -= 1;
    states
}

/// One state, or a placeholder that keeps its outgoing edge when it cannot be read.
fn state(ctx: &mut Ctx, name: &str, v: &Value, at: &Pointer) -> State {
    let previous = ctx.enter_state(name, at);
    let st = state_inner(ctx, v, at);
    ctx.leave_state(previous);
    st
}

fn state_inner(ctx: &mut Ctx, v: &Value, at: &Pointer) -> State {
    let Some(map) = v.as_object() else {
        ctx.wrong_type(at, "an object");
        return placeholder(None);
    };
    let ty = match map.get("Type") {
        None => {
            ctx.schema(
                at,
                "These fields are required: [Type]",
                Some("add `\"Type\"`".into()),
            );
            None
        }
        Some(Value::String(t)) if STATE_TYPES.contains(&t.as_str()) => Some(t.as_str()),
        Some(other) => {
            let text = format!(
                "The field 'Type' should have one of these values: [{}]",
                STATE_TYPES.join(", ")
            );
            let hint = other
                .as_str()
                .and_then(|t| ctx.suggest.did_you_mean(t, STATE_TYPES.iter().copied()))
                .or_else(|| Some("use one of the listed types".into()));
            ctx.schema(&at.key("Type"), &text, hint);
            None
        }
    };
    let Some(ty) = ty else {
        let next = map.get("Next").and_then(Value::as_str).map(str::to_owned);
        return placeholder(next);
    };
    // Read QueryLanguage before the other fields: it decides which of them are allowed.
    let ql_obj = Obj::only(map, at, "QueryLanguage");
    let query_language = query_language(ctx, &ql_obj);
    let lang = query_language
        .or(ctx.top_language)
        .unwrap_or(QueryLanguage::JsonPath);
    let spec = super::schema_states::spec(ty);
    let o = ctx.object(map, at, spec, lang);
    let comment = ctx.string(&o, "Comment");
    let kind = super::schema_states::kind(ctx, ty, &o, lang);
    State {
        comment,
        query_language,
        kind,
    }
}

/// A stand-in for a state that could not be read: terminal unless it names a `Next`.
pub(crate) fn placeholder(next: Option<String>) -> State {
    let transition = next.map_or(Transition::End, Transition::Next);
    State {
        comment: None,
        query_language: None,
        kind: StateKind::Pass(Box::new(Pass {
            input_path: None,
            parameters: None,
            result: None,
            result_path: None,
            output_path: None,
            output: None,
            assign: None,
            transition,
        })),
    }
}

/// `Next` / `End`.
pub(crate) fn transition(ctx: &mut Ctx, o: &Obj<'_>) -> Transition {
    let next = ctx.string(o, "Next");
    let end = ctx.boolean(o, "End");
    if let Some(n) = &next {
        if n.is_empty() {
            ctx.schema(
                &o.at.key("Next"),
                message::VALUE_CANNOT_BE_EMPTY,
                Some("name the state to go to".into()),
            );
        }
    }
    match (next, end) {
        (Some(n), None) => Transition::Next(n),
        (None, Some(true)) => Transition::End,
        (Some(n), Some(_)) => {
            ctx.schema(
                &o.at.key("End"),
                "There should only be one of the following fields: [Next, End]",
                Some("remove `End` to continue with `Next`, or `Next` to end here".into()),
            );
            Transition::Next(n)
        }
        (None, Some(false)) => {
            ctx.schema(
                &o.at.key("End"),
                "The field 'End' must be true",
                Some("set `\"End\": true` or use `Next`".into()),
            );
            Transition::End
        }
        (None, None) => {
            if !o.map.contains_key("Next") && !o.map.contains_key("End") {
                ctx.schema(
                    &o.at,
                    "These fields are required: [Next] or [End]",
                    Some("add `\"Next\": \"<state>\"` or `\"End\": true`".into()),
                );
            }
            Transition::End
        }
    }
}

/// A `Path` field (`InputPath`, `OutputPath`): absent, `null` or a path.
pub(crate) fn path_field(ctx: &mut Ctx, o: &Obj<'_>, key: &str) -> Option<Option<Path>> {
    let v = o.get(key)?;
    let at = o.at.key(key);
    match v {
        Value::Null => Some(None),
        Value::String(s) => match Path::parse(s) {
            Ok(p) => Some(Some(p)),
            Err(e) => {
                ctx.expr(&at, message::NOT_A_VALID_JSONPATH, &e);
                None
            }
        },
        _ => {
            ctx.wrong_type(&at, "a JSONPath string or null");
            None
        }
    }
}

/// A `Path` given as a string (choice `Variable`, `…Path` operands).
pub(crate) fn path_value(ctx: &mut Ctx, v: &Value, at: &Pointer) -> Option<Path> {
    let Some(s) = v.as_str() else {
        ctx.wrong_type(at, "a JSONPath string");
        return None;
    };
    match Path::parse(s) {
        Ok(p) => Some(p),
        Err(e) => {
            ctx.expr(at, message::NOT_A_VALID_JSONPATH, &e);
            None
        }
    }
}

/// What a reference path may read besides the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefRoots {
    /// Input only (`ResultPath`: never `$$` nor a variable).
    InputOnly,
    /// Input and variables, not the context object (Map's numeric `…Path` fields).
    NoContext,
    /// Input, context object and variables.
    Any,
}

/// A `ReferencePath` given as a string.
pub(crate) fn ref_path_value(
    ctx: &mut Ctx,
    v: &Value,
    at: &Pointer,
    roots: RefRoots,
) -> Option<ReferencePath> {
    let Some(s) = v.as_str() else {
        ctx.wrong_type(at, "a reference path string");
        return None;
    };
    let context = s.starts_with("$$");
    let variable = s
        .chars()
        .nth(1)
        .is_some_and(|c| c.is_alphabetic() || c == '_');
    let refused = match roots {
        RefRoots::InputOnly => context || variable,
        RefRoots::NoContext => context,
        RefRoots::Any => false,
    };
    if refused {
        ctx.schema(
            at,
            message::NOT_A_REFERENCE_PATH,
            Some("use a path into the state input, starting with `$.`".into()),
        );
        return None;
    }
    match ReferencePath::parse(s) {
        Ok(p) => Some(p),
        Err(e) => {
            ctx.expr(at, message::NOT_A_REFERENCE_PATH, &e);
            None
        }
    }
}

/// `ResultPath`: absent, `null`, or a reference path into the input.
pub(crate) fn result_path(ctx: &mut Ctx, o: &Obj<'_>) -> Option<Option<ReferencePath>> {
    match o.get("ResultPath")? {
        Value::Null => Some(None),
        v => ref_path_value(ctx, v, &o.at.key("ResultPath"), RefRoots::InputOnly).map(Some),
    }
}

/// A JSONPath payload template (`Parameters`, `ResultSelector`, ...).
pub(crate) fn payload(ctx: &mut Ctx, o: &Obj<'_>, key: &str) -> Option<PayloadTemplate> {
    let v = o.get(key)?;
    payload_value(ctx, v, &o.at.key(key))
}

pub(crate) fn payload_value(ctx: &mut Ctx, v: &Value, at: &Pointer) -> Option<PayloadTemplate> {
    let before = ctx.findings.len();
    check_template_keys(ctx, v, at, 0);
    if ctx.findings.len() > before {
        return None;
    }
    match PayloadTemplate::compile(v) {
        Ok(t) => Some(t),
        Err(errors) => {
            for (rel, e) in errors {
                let key = rel
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .replace("~1", "/")
                    .replace("~0", "~");
                let what = message::not_a_path_or_intrinsic(&key);
                ctx.expr(&at.join(&rel), &what, &e);
            }
            None
        }
    }
}

/// What every implementation of payload templates rejects: a `.$` key whose value is not a
/// string, and two keys that are the same after stripping `.$`.
fn check_template_keys(ctx: &mut Ctx, v: &Value, at: &Pointer, depth: usize) {
    if depth > 4 * MAX_NESTING {
        ctx.schema(
            at,
            "Template nests too deeply",
            Some("flatten the template".into()),
        );
        return;
    }
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let here = at.key(k);
                if let Some(base) = k.strip_suffix(".$") {
                    if !child.is_string() {
                        let text = message::not_a_path_or_intrinsic(k);
                        ctx.schema(
                            &here,
                            &text,
                            Some(format!(
                                "write a string such as `\"$.{base}\"`, or drop `.$` from the key"
                            )),
                        );
                    }
                    if map.contains_key(base) {
                        ctx.schema(
                            &here,
                            &format!("The field '{base}' is given twice, once as '{k}'"),
                            Some("keep only one".into()),
                        );
                    }
                } else {
                    check_template_keys(ctx, child, &here, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_template_keys(ctx, item, &at.index(i), depth + 1);
            }
        }
        _ => {}
    }
}

/// Where `$states.errorOutput` may be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorOutput {
    Allowed,
    Forbidden,
}

/// A JSONata-capable value (`Arguments`, `Output`, `Items`, `Condition`, JSONata `Assign`).
/// A JSONata field that holds `want` (an object, an array) or one `{% %}` expression
/// (`Arguments`, `Items`).
pub(crate) fn jsonata_shaped(
    ctx: &mut Ctx,
    o: &Obj<'_>,
    key: &str,
    want: &str,
    shaped: fn(&Value) -> bool,
) -> Option<JsonataTemplate> {
    let v = o.get(key)?;
    if !shaped(v) && !v.as_str().is_some_and(is_jsonata) {
        ctx.wrong_type(&o.at.key(key), &format!("{want} or a JSONata expression"));
        return None;
    }
    jsonata_template(ctx, o, key, ErrorOutput::Forbidden)
}

pub(crate) fn jsonata_template(
    ctx: &mut Ctx,
    o: &Obj<'_>,
    key: &str,
    eo: ErrorOutput,
) -> Option<JsonataTemplate> {
    let v = o.get(key)?;
    jsonata_template_value(ctx, v, &o.at.key(key), eo)
}

pub(crate) fn jsonata_template_value(
    ctx: &mut Ctx,
    v: &Value,
    at: &Pointer,
    eo: ErrorOutput,
) -> Option<JsonataTemplate> {
    let before = ctx.findings.len();
    check_jsonata_value(ctx, v, at, eo, 0);
    if ctx.findings.len() > before {
        return None;
    }
    match JsonataTemplate::compile(v) {
        Ok(t) => Some(t),
        Err(errors) => {
            for (rel, e) in errors {
                ctx.expr(&at.join(&rel), message::INVALID_JSONATA_EXPRESSION, &e);
            }
            None
        }
    }
}

/// Caps the nesting of a JSONata value (so the compiler never recurses too deep) and, where
/// `eo` forbids it, rejects `$states.errorOutput`, which AWS allows only in a Catcher's
/// `Output`/`Assign`.
fn check_jsonata_value(ctx: &mut Ctx, v: &Value, at: &Pointer, eo: ErrorOutput, depth: usize) {
    if depth > 4 * MAX_NESTING {
        ctx.schema(
            at,
            "Value nests too deeply",
            Some("flatten the value".into()),
        );
        return;
    }
    match v {
        Value::String(s)
            if eo == ErrorOutput::Forbidden
                && is_jsonata(s)
                && s.contains("$states.errorOutput") =>
        {
            ctx.schema(
                at,
                "'$states.errorOutput' is only available in a Catcher's 'Output' and 'Assign'",
                Some(
                    "read the error in the Catcher, or use `$states.input`/`$states.result`".into(),
                ),
            )
        }
        Value::Object(map) => {
            for (k, child) in map {
                check_jsonata_value(ctx, child, &at.key(k), eo, depth + 1);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_jsonata_value(ctx, item, &at.index(i), eo, depth + 1);
            }
        }
        _ => {}
    }
}

/// A field that is a payload template in JSONPath states and a JSONata value in JSONata ones
/// (`Assign`, `Credentials`, `ItemSelector`, `BatchInput`).
pub(crate) fn template(
    ctx: &mut Ctx,
    o: &Obj<'_>,
    key: &str,
    lang: QueryLanguage,
    eo: ErrorOutput,
) -> Option<Template> {
    match lang {
        QueryLanguage::JsonPath => payload(ctx, o, key).map(Template::JsonPath),
        QueryLanguage::Jsonata => jsonata_template(ctx, o, key, eo).map(Template::Jsonata),
    }
}

/// A whole-string JSONata expression in a field that otherwise holds a literal.
pub(crate) fn jsonata_expr(ctx: &mut Ctx, s: &str, at: &Pointer) -> Option<Jsonata> {
    if s.contains("$states.errorOutput") {
        check_jsonata_value(
            ctx,
            &Value::String(s.to_owned()),
            at,
            ErrorOutput::Forbidden,
            0,
        );
        return None;
    }
    match Jsonata::compile(s) {
        Ok(j) => Some(j),
        Err(e) => {
            ctx.expr(at, message::INVALID_JSONATA_EXPRESSION, &e);
            None
        }
    }
}

/// A literal-or-`…Path`-or-JSONata field (`TimeoutSeconds`/`TimeoutSecondsPath`, ...).
/// `read` turns the literal into its type.
pub(crate) fn dynamic<T>(
    ctx: &mut Ctx,
    o: &Obj<'_>,
    key: &str,
    lang: QueryLanguage,
    roots: RefRoots,
    read: impl FnOnce(&mut Ctx, &Value, &Pointer) -> Option<T>,
) -> Option<Dynamic<T>> {
    let path_key = format!("{key}Path");
    if !ctx.at_most_one(o, &[key, &path_key]) {
        return None;
    }
    if let Some(v) = o.get(&path_key) {
        return ref_path_value(ctx, v, &o.at.key(&path_key), roots).map(Dynamic::Path);
    }
    let v = o.get(key)?;
    let at = o.at.key(key);
    match v {
        Value::String(s) if lang == QueryLanguage::Jsonata && is_jsonata(s) => {
            jsonata_expr(ctx, s, &at).map(Dynamic::Jsonata)
        }
        _ => read(ctx, v, &at).map(Dynamic::Literal),
    }
}

/// Reader for [`dynamic`]: a non-negative integer (`min` words the message for negatives).
pub(crate) fn int_reader(min: u64) -> impl FnOnce(&mut Ctx, &Value, &Pointer) -> Option<u64> {
    move |ctx, v, at| ctx.integer_value(v, at, min)
}

/// Reader for [`dynamic`]: any number.
pub(crate) fn number_reader(ctx: &mut Ctx, v: &Value, at: &Pointer) -> Option<Number> {
    match v {
        Value::Number(n) => Some(n.clone()),
        _ => {
            ctx.wrong_type(at, "a number");
            None
        }
    }
}

impl<'a> Obj<'a> {
    /// A view of `map` showing only `key` (to read one field before the others are checked).
    pub(crate) fn only(map: &'a Map<String, Value>, at: &Pointer, key: &str) -> Obj<'a> {
        let hidden = map
            .keys()
            .map(String::as_str)
            .filter(|k| *k != key)
            .collect();
        Obj::with_hidden(map, at, hidden)
    }
}
