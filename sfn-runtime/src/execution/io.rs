//! The data-flow pipeline (InputPath → Parameters → ResultSelector → ResultPath → OutputPath),
//! `Assign`, and fields given literally, by path or by JSONata.

use std::borrow::Cow;

use serde_json::{Map, Value};
use sfn_asl::error::{message, STATES_RESULT_PATH_MATCH_FAILURE};
use sfn_asl::eval::EvalEnv;
use sfn_asl::jsonata::JsonataEnv;
use sfn_asl::model::{Dynamic, Template};
use sfn_asl::path::{Path, PathRoot, ReferencePath};
use sfn_asl::template::PayloadTemplate;
use sfn_asl::EvalError;

use super::types::FrameId;
use super::{Execution, RngEntropy, ScopeVars};
use crate::limits::SizeBound;

/// What expressions of one state see besides their input: `$$`, the variables visible from
/// its frame and the execution's generator. Handed out by [`Execution::scope`].
pub(crate) struct Scope<'a> {
    pub(crate) context: &'a Value,
    pub(crate) vars: ScopeVars<'a>,
    pub(crate) entropy: RngEntropy<'a>,
    /// The time of the event being handled, for JSONata's `$now()` and `$millis()`.
    pub(crate) now_millis: i64,
}

impl<'a> Scope<'a> {
    /// A JSONPath environment over `input`.
    pub(crate) fn env<'b>(&'b self, input: &'b Value) -> EvalEnv<'b>
    where
        'a: 'b,
    {
        EvalEnv {
            input,
            context: self.context,
            vars: &self.vars,
            entropy: &self.entropy,
        }
    }

    /// A JSONata environment (`$states.input`, `.result`, `.errorOutput`).
    pub(crate) fn jsonata<'b>(
        &'b self,
        input: &'b Value,
        result: Option<&'b Value>,
        error_output: Option<&'b Value>,
    ) -> JsonataEnv<'b>
    where
        'a: 'b,
    {
        JsonataEnv {
            input,
            context: self.context,
            result,
            error_output,
            vars: &self.vars,
            entropy: &self.entropy,
            now_millis: Some(self.now_millis),
        }
    }
}

impl Execution {
    /// The scope expressions evaluated in `frame` see.
    pub(crate) fn scope(&self, frame: FrameId) -> Scope<'_> {
        Scope {
            context: &self.context,
            vars: ScopeVars {
                frames: &self.data.frames,
                frame,
            },
            entropy: RngEntropy(&self.data.rng),
            now_millis: i64::try_from(self.data.now).unwrap_or(i64::MAX),
        }
    }

    /// The scope of `frame` with the raw input of its active state.
    pub(crate) fn active_scope(&self, frame: FrameId) -> Option<(Scope<'_>, &Value)> {
        let raw = &self.data.frames.get(&frame)?.active.as_ref()?.raw_input;
        Some((self.scope(frame), raw))
    }
}

/// `InputPath`: absent or `$` ⇒ the input itself, `null` ⇒ `{}`.
pub(crate) fn input_path<'v>(
    scope: &Scope<'_>,
    path: &Option<Option<Path>>,
    input: &'v Value,
) -> Result<Cow<'v, Value>, EvalError> {
    match path {
        None => Ok(Cow::Borrowed(input)),
        Some(None) => Ok(Cow::Owned(Value::Object(Map::new()))),
        Some(Some(p)) if p.is_root() => Ok(Cow::Borrowed(input)),
        Some(Some(p)) => select(scope, p, input).map(|v| Cow::Owned(v.into_owned())),
    }
}

/// `OutputPath` over the state's output.
#[inline]
pub(crate) fn output_path(
    scope: &Scope<'_>,
    path: &Option<Option<Path>>,
    output: Value,
) -> Result<Value, EvalError> {
    match path {
        None => Ok(output),
        Some(None) => Ok(Value::Object(Map::new())),
        Some(Some(p)) if p.is_root() => Ok(output),
        Some(Some(p)) => select(scope, p, &output).map(Cow::into_owned),
    }
}

fn select<'v>(scope: &Scope<'_>, p: &Path, input: &'v Value) -> Result<Cow<'v, Value>, EvalError> {
    // The selection may borrow from the input or from the context/variables; detach it from the
    // latter so the result lives as long as the input.
    let env = scope.env(input);
    match p.select(&env) {
        Ok(v) => Ok(Cow::Owned(v.into_owned())),
        Err(miss) => Err(EvalError::runtime(message::invalid_path(p.source(), miss))),
    }
}

/// The size bound of what `InputPath`/`OutputPath` select from a payload bounded by `input`: a
/// definite path into the payload selects a part of its text.
#[inline]
pub(crate) fn selected_size(path: &Option<Option<Path>>, input: SizeBound) -> SizeBound {
    match path {
        None => input,
        Some(None) => Some(2),
        Some(Some(p)) if p.is_root() => input,
        Some(Some(p)) if p.root() == PathRoot::Input && p.is_definite() => input,
        Some(Some(_)) => None,
    }
}

/// The size bound of `ResultPath`'s output: the raw input's plus the result's plus the members
/// the path may create (at most 12 bytes per byte of the path: quotes, colon, comma, braces
/// and `\u00XX` escapes).
#[inline]
pub(crate) fn result_path_size(
    path: &Option<Option<ReferencePath>>,
    raw: SizeBound,
    result: SizeBound,
) -> SizeBound {
    match path {
        None => result,
        Some(None) => raw,
        Some(Some(p)) if p.is_root() => result,
        Some(Some(p)) => Some(raw? + result? + 12 * p.source().len()),
    }
}

/// `ResultPath`: absent or `$` ⇒ the result, `null` ⇒ the raw input, else the result written
/// into the raw input. A failed write hands the raw input back, unchanged.
pub(crate) fn apply_result_path(
    path: &Option<Option<ReferencePath>>,
    raw: Value,
    result: Value,
) -> Result<Value, Box<(Value, EvalError)>> {
    match path {
        None => Ok(result),
        Some(None) => Ok(raw),
        Some(Some(p)) if p.is_root() => Ok(result),
        Some(Some(p)) => {
            let mut target = raw;
            match p.write(&mut target, result) {
                Ok(()) => Ok(target),
                Err(cause) => Err(Box::new((
                    target,
                    EvalError {
                        error: STATES_RESULT_PATH_MATCH_FAILURE.into(),
                        cause,
                        location: None,
                    },
                ))),
            }
        }
    }
}

/// A JSONPath payload template over `input`.
pub(crate) fn template(
    scope: &Scope<'_>,
    t: &PayloadTemplate,
    input: &Value,
) -> Result<Value, EvalError> {
    t.eval(&scope.env(input))
}

/// Evaluates `Assign`. JSONPath: a template over `jsonpath_input`; JSONata: over `$states`.
pub(crate) fn eval_assign(
    scope: &Scope<'_>,
    t: &Template,
    jsonpath_input: &Value,
    state_input: &Value,
    result: Option<&Value>,
    error_output: Option<&Value>,
) -> Result<Map<String, Value>, EvalError> {
    eval_assign_at(
        scope,
        t,
        jsonpath_input,
        state_input,
        result,
        error_output,
        "Assign",
    )
}

/// [`eval_assign`] for a field AWS names differently in `EvaluationFailed.location`
/// (`Choices[0]/Assign`).
pub(crate) fn eval_assign_at(
    scope: &Scope<'_>,
    t: &Template,
    jsonpath_input: &Value,
    state_input: &Value,
    result: Option<&Value>,
    error_output: Option<&Value>,
    location: &str,
) -> Result<Map<String, Value>, EvalError> {
    let value = match t {
        Template::JsonPath(p) => p.eval(&scope.env(jsonpath_input))?,
        Template::Jsonata(j) => {
            j.eval(&scope.jsonata(state_input, result, error_output), location)?
        }
    };
    match value {
        Value::Object(m) => Ok(m),
        other => Err(EvalError::runtime(format!(
            "The Assign field must be an object, but was: {other}"
        ))),
    }
}

/// The text AWS quotes for a bad `…Path` value: strings raw, everything else as JSON.
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A non-negative integer field (`TimeoutSeconds`, `MaxConcurrency`, ...), literal, by path or
/// JSONata. `field` is the literal field's name.
pub(crate) fn dynamic_u64(
    scope: &Scope<'_>,
    d: &Dynamic<u64>,
    input: &Value,
    field: &str,
) -> Result<u64, EvalError> {
    match d {
        Dynamic::Literal(n) => Ok(*n),
        Dynamic::Path(p) => {
            let env = scope.env(input);
            let v = p
                .select(&env)
                .map_err(|miss| EvalError::runtime(message::invalid_path(p.source(), miss)))?;
            match v.as_ref() {
                Value::Number(n) if n.as_u64().is_some() => Ok(n.as_u64().unwrap_or(0)),
                Value::Number(n) if n.as_i64().is_some() => {
                    Err(EvalError::runtime(format!("{field} cannot be negative.")))
                }
                other => Err(EvalError::runtime(format!(
                    "The {field}Path field refers to value \"{}\" which is not a valid integer: {}",
                    value_text(other),
                    p.source()
                ))),
            }
        }
        Dynamic::Jsonata(j) => {
            let v = j.eval(&scope.jsonata(input, None, None), field)?;
            match v.as_u64() {
                Some(n) => Ok(n),
                None => Err(EvalError::query(
                    message::unexpected_jsonata_result(
                        strip_braces(j.source()),
                        field,
                        "integer",
                        &v,
                    ),
                    Some(field.to_owned()),
                )),
            }
        }
    }
}

/// A number field (`ToleratedFailurePercentage`), literal, by path or JSONata.
pub(crate) fn dynamic_f64(
    scope: &Scope<'_>,
    d: &Dynamic<serde_json::Number>,
    input: &Value,
    field: &str,
) -> Result<f64, EvalError> {
    match d {
        Dynamic::Literal(n) => Ok(n.as_f64().unwrap_or(0.0)),
        Dynamic::Path(p) => {
            let env = scope.env(input);
            let v = p
                .select(&env)
                .map_err(|miss| EvalError::runtime(message::invalid_path(p.source(), miss)))?;
            match v.as_ref() {
                Value::Number(n) => Ok(n.as_f64().unwrap_or(0.0)),
                other => Err(EvalError::runtime(format!(
                    "The {field}Path field refers to value \"{}\" which is not a valid float: {}",
                    value_text(other),
                    p.source()
                ))),
            }
        }
        Dynamic::Jsonata(j) => {
            let v = j.eval(&scope.jsonata(input, None, None), field)?;
            v.as_f64().ok_or_else(|| {
                EvalError::query(
                    message::unexpected_jsonata_result(
                        strip_braces(j.source()),
                        field,
                        "number",
                        &v,
                    ),
                    Some(field.to_owned()),
                )
            })
        }
    }
}

/// The JSONata body without `{%`/`%}`, as AWS quotes it in causes.
pub(crate) fn strip_braces(source: &str) -> &str {
    source
        .strip_prefix("{%")
        .and_then(|s| s.strip_suffix("%}"))
        .map_or(source, str::trim)
}
