//! The one place that knows the JSONata crate (`jsonata-core`): parsing, the AST walk behind the
//! static checks, evaluation with bindings, limits and the AWS functions, and value conversion.
//!
//! Everything above this module speaks `serde_json::Value`, [`Program`], [`Outcome`] and
//! [`EngineError`], so replacing the crate means rewriting this module only (`walk` reads the
//! crate's AST, `messages` rewords the crate's errors).

use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;
use jsonata_core::ast::AstNode;
use jsonata_core::evaluator::{Context, Evaluator, EvaluatorError, EvaluatorOptions};
use jsonata_core::value::JValue;
use serde_json::Value;

use super::functions::{self, FnError, Generator, PureFn};
use super::limits;
use budget::Budget;

mod budget;
mod checks;
mod convert;
mod guard;
mod messages;
mod position;
mod walk;

pub(crate) use convert::Conversions;
use convert::{from_jvalue, to_jvalue, BigIntegers};

/// A parsed JSONata body plus what the evaluation needs to know about it up front.
#[derive(Debug)]
pub(crate) struct Program {
    ast: AstNode,
    /// Names read as `$name`: only these workflow variables are bound (the `Variables` trait has
    /// no way to list them, and binding only what is read keeps evaluation cheap).
    variables: Vec<String>,
    /// The names read that are workflow variables: not bound by the expression itself, not a
    /// built-in function.
    workflow_variables: Vec<String>,
    /// The field names read under `$states.input`, one list per path.
    input_paths: Vec<Vec<String>>,
    /// Whether `$random`, `$uuid` or `$shuffle` is mentioned: only then is entropy drawn, so an
    /// expression without them leaves the engine's random sequence untouched.
    uses_entropy: bool,
    /// The `$states` fields read (`input`, `result`, `errorOutput`, ...).
    states_fields: Vec<String>,
    /// Whether `$states` is read as a whole, so every field must be bound.
    states_whole: bool,
    /// What the error messages need to know about the expression.
    hints: messages::Hints,
}

impl Program {
    /// The workflow variable names the expression reads.
    pub(crate) fn variables(&self) -> &[String] {
        &self.variables
    }
    /// The workflow variables the expression reads (not the names it binds, not functions).
    pub(crate) fn workflow_variables(&self) -> &[String] {
        &self.workflow_variables
    }
    /// The field names read under `$states.input`, one list per path.
    pub(crate) fn input_paths(&self) -> &[Vec<String>] {
        &self.input_paths
    }
    /// Whether evaluation needs a seed from the engine's entropy.
    pub(crate) fn uses_entropy(&self) -> bool {
        self.uses_entropy
    }
    /// The `$states` fields the expression reads.
    pub(crate) fn states_fields(&self) -> &[String] {
        &self.states_fields
    }
    /// Whether `$states.<field>` must be bound: converting an input nobody reads is wasted work.
    pub(crate) fn reads_state(&self, field: &str) -> bool {
        self.states_whole || self.states_fields.iter().any(|f| f == field)
    }
}

/// A parse failure or a violation of the Step Functions restrictions (§8.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompileError {
    /// The message, with the JSONata error code first when there is one.
    pub(crate) message: String,
    /// Where it lies: a character offset into the body.
    pub(crate) position: usize,
}

/// What an evaluation produced, before the caller turns non-JSON outcomes into AWS causes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// A JSON value.
    Json(Value),
    /// JSONata `undefined`.
    Undefined,
    /// A function (lambda, built-in, regex), alone or inside the result: not JSON.
    Function,
}

/// An evaluation failure: the JSONata error code (`T1006`) and the 2.0.6 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EngineError {
    /// `T1006`, `D3030`, ...; `None` for failures that have no JSONata code.
    pub(crate) code: Option<String>,
    /// The message after the code.
    pub(crate) message: String,
}

impl EngineError {
    fn plain(message: impl Into<String>) -> Self {
        EngineError {
            code: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{code}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Parses `body` and applies the static checks.
pub(crate) fn compile(body: &str) -> Result<Arc<Program>, CompileError> {
    if body.len() > limits::MAX_EXPRESSION_CHARS {
        return Err(CompileError {
            message: "the expression is too long".into(),
            position: 0,
        });
    }
    let parsed = guarded(|| jsonata_core::parser::parse(body)).map_err(|e| CompileError {
        message: e.message,
        position: 0,
    })?;
    let ast = parsed.map_err(|e| {
        let raw = e.to_string();
        CompileError {
            message: messages::parse_message(&raw, body),
            position: position::of_parse_error(body, &raw),
        }
    })?;
    let facts = walk::walk(&ast).map_err(|e| CompileError {
        position: position::of_check_error(body, &e.message),
        ..e
    })?;
    let mut ast = ast;
    guard::weave(&mut ast);
    let workflow_variables = facts
        .variables
        .iter()
        .filter(|v| !facts.bound.contains(v) && !guard::is_builtin(v))
        .cloned()
        .collect();
    Ok(Arc::new(Program {
        ast,
        workflow_variables,
        input_paths: facts.input_paths,
        variables: facts.variables,
        uses_entropy: facts.uses_entropy,
        states_fields: facts.states_fields,
        states_whole: facts.states_whole,
        hints: facts.hints,
    }))
}

/// The values bound for one evaluation.
pub(crate) struct Bindings<'a> {
    /// `$states`.
    pub(crate) states: Vec<(&'static str, &'a Value)>,
    /// Workflow variables read by the expression.
    pub(crate) variables: Vec<(&'a str, &'a Value)>,
    /// Seed for `$random()`, `$uuid()` and `$shuffle()`, when the program uses them.
    pub(crate) seed: Option<u64>,
    /// Milliseconds since the epoch for `$now()` and `$millis()`; `None`: the system clock.
    /// With a clock the evaluation is deterministic: fuel bounds it, no wall-clock backstop.
    pub(crate) now_millis: Option<i64>,
}

/// Evaluates `program` with `bindings` under the limits of [`limits`].
/// `conversions` carries bound values converted by earlier expressions of the same template.
pub(crate) fn evaluate(
    program: &Program,
    bindings: &Bindings<'_>,
    conversions: &mut Conversions,
) -> Result<Outcome, EngineError> {
    guarded(|| evaluate_unguarded(program, bindings, conversions))?
}

/// Runs `f`, turning a panic in the crate into an error: bad input must fail the field, not the
/// engine. (None was found by randomized testing; this is insurance against a third-party bug.)
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, EngineError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .map_err(|_| EngineError::plain("the JSONata evaluator failed unexpectedly"))
}

fn evaluate_unguarded(
    program: &Program,
    bindings: &Bindings<'_>,
    conversions: &mut Conversions,
) -> Result<Outcome, EngineError> {
    let mut context = Context::new();
    for (name, value) in &bindings.variables {
        // A variable named like a replaced built-in is read under the replacement's name.
        context.bind(guard::renamed(name).to_owned(), conversions.get(value)?);
    }
    let mut states = IndexMap::new();
    for (name, value) in &bindings.states {
        states.insert((*name).to_owned(), conversions.get(value)?);
    }
    context.bind("states".to_owned(), JValue::object(states));
    let options = EvaluatorOptions {
        // An engine's evaluation (with its clock) is replayable: the fuel budget alone decides.
        timeout_ms: bindings.now_millis.is_none().then_some(limits::BACKSTOP_MS),
        cancel: None,
        max_stack_depth: Some(limits::MAX_DEPTH),
        max_sequence_length: Some(limits::MAX_SEQUENCE_LENGTH),
    };
    let mut evaluator = Evaluator::with_options(context, options);
    let budget = Rc::new(Budget::default());
    register_checks(&mut evaluator, &budget)?;
    register_aws_functions(&mut evaluator, bindings.seed, &budget)?;
    if let Some(millis) = bindings.now_millis {
        register_clock(&mut evaluator, millis)?;
    }
    let result = evaluator
        .evaluate(&program.ast, &JValue::Undefined)
        .map_err(|e| map_error_in(e, &program.hints))?;
    let mut budget = limits::MAX_RESULT_BYTES;
    from_jvalue(&result, 0, &mut budget, conversions.big_integers())
}

/// Binds the checks the guard weaves in and the linear replacements of built-ins, all spending
/// from `budget`.
fn register_checks(ev: &mut Evaluator, budget: &Rc<Budget>) -> Result<(), EngineError> {
    type Check = fn(&Budget, &[JValue]) -> Result<JValue, EvaluatorError>;
    let mut checks: Vec<(&'static str, Check)> = vec![
        (guard::GUARD, checks::size_guard),
        (guard::SHARE, checks::share),
        (guard::CHARGE, checks::charge),
    ];
    for (from, to) in guard::RENAMED {
        let f: Check = match *from {
            "distinct" => checks::distinct,
            _ => checks::keys,
        };
        checks.push((to, f));
    }
    for (name, f) in checks {
        let budget = Rc::clone(budget);
        ev.register_fn(name, move |args: &[JValue]| f(&budget, args))
            .map_err(map_error)?;
    }
    Ok(())
}

/// Binds Step Functions' functions and withdraws `$eval`.
fn register_aws_functions(
    ev: &mut Evaluator,
    seed: Option<u64>,
    budget: &Rc<Budget>,
) -> Result<(), EngineError> {
    let generator = Rc::new(Generator::new(seed.unwrap_or(0)));
    // (name, implementation, whether it replaces the crate's built-in of that name)
    let pure: [(&'static str, PureFn, bool); 8] = [
        ("partition", functions::partition, false),
        ("range", functions::range, false),
        ("hash", functions::hash, false),
        ("parse", functions::parse, false),
        // The crate leaves spaces unescaped; 2.0.6 escapes as JavaScript's encodeURI does.
        ("encodeUrl", functions::encode_url, true),
        // The crate passes malformed escapes through; 2.0.6 refuses them (D3140).
        ("decodeUrl", functions::decode_url, true),
        ("decodeUrlComponent", functions::decode_url_component, true),
        // Bounded before allocating: the crate's builds a string of any width asked for.
        ("pad", functions::pad, true),
    ];
    for (name, f, replaces) in pure {
        let budget = Rc::clone(budget);
        let call = move |args: &[JValue]| call_pure(name, f, args, &budget);
        if replaces {
            ev.register_fn_override(name, call)
        } else {
            ev.register_fn(name, call)
        }
        .map_err(map_error)?;
    }
    let g = Rc::clone(&generator);
    let b = Rc::clone(budget);
    ev.register_fn("uuid", move |_: &[JValue]| {
        b.charge(1)?;
        Ok(JValue::string(g.uuid()))
    })
    .map_err(map_error)?;
    let g = Rc::clone(&generator);
    let b = Rc::clone(budget);
    ev.register_fn_override("random", move |args: &[JValue]| {
        b.charge(1)?;
        let seed = match args.first() {
            None | Some(JValue::Undefined) => None,
            Some(v) => Some(
                v.as_f64()
                    .ok_or_else(|| FnError::signature("random", 1).into_evaluator_error())?,
            ),
        };
        Ok(JValue::Number(functions::random(seed, &g)))
    })
    .map_err(map_error)?;
    let g = Rc::clone(&generator);
    let b = Rc::clone(budget);
    ev.register_fn_override("shuffle", move |args: &[JValue]| {
        b.charge(
            args.first()
                .map_or(1, |a| budget::flat_size(a) as u64 / 8 + 1),
        )?;
        let mut items = match args.first() {
            None | Some(JValue::Undefined) => return Ok(JValue::Undefined),
            Some(JValue::Array(a)) => a.iter().cloned().collect::<Vec<_>>(),
            Some(other) => vec![other.clone()],
        };
        g.shuffle(&mut items);
        Ok(JValue::array(items))
    })
    .map_err(map_error)?;
    // AWS withdraws `$eval` (use `$parse`); calling it is calling a name that is not a function.
    ev.register_fn_override("eval", |_: &[JValue]| {
        Err(EvaluatorError::TypeError(
            "T1006: Attempted to invoke a non-function".into(),
        ))
    })
    .map_err(map_error)?;
    Ok(())
}

/// `$now()` and `$millis()` read the engine's clock (the crate's versions take no arguments
/// either).
fn register_clock(ev: &mut Evaluator, millis: i64) -> Result<(), EngineError> {
    let no_arguments =
        |name: &str| EvaluatorError::EvaluationError(format!("T0410: {name}() takes no arguments"));
    ev.register_fn_override("now", move |args: &[JValue]| match args {
        // Formatted when called: most expressions never ask.
        [] => Ok(JValue::string(functions::iso_timestamp(millis).as_str())),
        _ => Err(no_arguments("now")),
    })
    .map_err(map_error)?;
    ev.register_fn_override("millis", move |args: &[JValue]| match args {
        [] => Ok(JValue::Number(millis as f64)),
        _ => Err(no_arguments("millis")),
    })
    .map_err(map_error)?;
    Ok(())
}

/// Runs the function `name` that works on JSON values.
/// Spends fuel for the arguments it converts (the functions themselves are linear in them).
fn call_pure(
    name: &'static str,
    f: PureFn,
    args: &[JValue],
    fuel: &Budget,
) -> Result<JValue, EvaluatorError> {
    let mut converted = Vec::with_capacity(args.len());
    for (index, arg) in args.iter().enumerate() {
        let mut budget = limits::MAX_RESULT_BYTES;
        let outcome = from_jvalue(arg, 0, &mut budget, &BigIntegers::default())
            .map_err(|e| EvaluatorError::EvaluationError(e.to_string()))?;
        fuel.charge(((limits::MAX_RESULT_BYTES - budget) / 8) as u64 + 1)?;
        match outcome {
            Outcome::Json(v) => converted.push(Some(v)),
            Outcome::Undefined => converted.push(None),
            Outcome::Function => {
                return Err(FnError::signature(name, index + 1).into_evaluator_error())
            }
        }
    }
    match f(&converted) {
        Ok(Some(v)) => to_jvalue(&v, 0, &mut BigIntegers::default())
            .map_err(|e| EvaluatorError::EvaluationError(e.to_string())),
        Ok(None) => Ok(JValue::Undefined),
        Err(e) => Err(e.into_evaluator_error()),
    }
}

impl FnError {
    fn into_evaluator_error(self) -> EvaluatorError {
        EvaluatorError::EvaluationError(self.to_string())
    }
}

/// Splits the crate's error into code and message, with 2.0.6's wording where the crate differs.
fn map_error(e: EvaluatorError) -> EngineError {
    map_error_in(e, &messages::Hints::default())
}

/// [`map_error`] for an evaluation of an expression described by `hints`.
fn map_error_in(e: EvaluatorError, hints: &messages::Hints) -> EngineError {
    let text = e.message();
    let text = text.strip_prefix(messages::SYNTAX_PREFIX).unwrap_or(text);
    let Some(code) = jsonata_core::evaluator::error_code_prefix(text) else {
        return EngineError::plain(text);
    };
    let message = text.get(6..).unwrap_or("").trim_start();
    match code {
        // The crate's own codes for its limits; 2.0.6 has none.
        "U1001" | "D1011" => EngineError::plain(limits::DEPTH_MESSAGE),
        // The wall-clock backstop behind the fuel budget.
        "D1012" => EngineError::plain(limits::TIME_MESSAGE),
        "D2015" => EngineError::plain(limits::MEMORY_MESSAGE),
        _ => EngineError {
            code: Some(code.to_owned()),
            message: messages::reference_message(code, message, hints),
        },
    }
}

#[allow(dead_code)]
fn assert_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Program>();
}
