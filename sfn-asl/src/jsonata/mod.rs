//! JSONata `{% %}` expressions: compiled once, evaluated with `$states` and the workflow
//! variables bound, AWS's extra functions available, and failures worded as AWS words them.
//!
//! A string is an expression when it starts with `{%` and ends with `%}` (no outer whitespace);
//! any other string is a literal. [`Jsonata`] holds one such string, [`JsonataTemplate`] a JSON
//! value whose strings may be expressions (`Arguments`, `Output`, `Assign`).
//!
//! ```
//! use serde_json::json;
//! use sfn_asl::eval::SeededEntropy;
//! use sfn_asl::jsonata::{Jsonata, JsonataEnv};
//!
//! let expr = Jsonata::compile("{% $partition($states.input.items, 2) %}").unwrap();
//! let input = json!({"items": [1, 2, 3]});
//! let env = JsonataEnv {
//!     input: &input,
//!     context: &json!({}),
//!     result: None,
//!     error_output: None,
//!     vars: &(),
//!     entropy: &SeededEntropy::new(1),
//!     now_millis: Some(1_700_000_000_000),
//! };
//! assert_eq!(expr.eval(&env, "Output").unwrap(), json!([[1, 2], [3]]));
//!
//! let err = Jsonata::compile("{% $states.input.nope %}").unwrap().eval(&env, "Output").unwrap_err();
//! assert_eq!(
//!     err.cause,
//!     "The JSONata expression '$states.input.nope' specified for the field 'Output' returned nothing (undefined)."
//! );
//! ```
//!
//! # Which JSONata implementation
//!
//! AWS evaluates with JSONata 2.0.6. Of the Rust implementations, `jsonata-core` (pinned to
//! `=2.2.13`, its behaviour changes between patch releases) agrees with the 2.0.6 reference on
//! 158 of the 162 vectors in `shared/jsonata/reference-2.0.6.json`, 161 with the corrections made
//! here (`$encodeUrl`, a bare `..`, parse error codes); the one left is `$eval`, which AWS
//! withdraws (`tests/jsonata_reference.rs`). It keeps object key order, lets built-ins be replaced (AWS's seeded `$random`, the withdrawn
//! `$eval`), and has time, depth and sequence limits with a heap-allocated evaluation stack.
//! `jsonata-rs` 0.3.4 agrees on 133, lacks `$type`, `$average`, `$sift`, `$spread`, the formatting
//! and URL functions, panics on partial application and on `%`, loses key order, cannot replace
//! built-ins (so no seeded `$random`), and has no depth bound (deep recursion kills the process).
//! `seuil` cannot register functions. The crate is used only by the private `engine` module, so
//! replacing it touches that module alone.
//!
//! # Limits
//!
//! One evaluation may nest as deep as AWS allows (100 levels), build sequences of 1,000,000 items
//! and return at most 6,990,256 bytes (8 a number, 1 a character; AWS's bound). Past the size
//! bounds it fails with AWS's `Expression evaluation memory limit exceeded`; past its work budget
//! with `Expression evaluation timeout: Check for infinite loop`. Both are checked while values
//! grow, never only after, so no expression can exhaust the process's memory or time:
//!
//! - **Size.** Strings and arrays built by `&`, array constructors, `$join`, `$replace`,
//!   `$string`, `$append`, `$zip`, `$spread`, `$split` and `$pad` are held to the result bound
//!   as they are built; `$string`, `$join`, `$replace`, `$split` and `$pad` measure what they
//!   would produce before producing it, called directly or through `~>`.
//! - **Sharing.** A value referenced many times costs nothing until it is flattened or
//!   serialized, so what path steps return per item, the values object constructors hold, and
//!   built values over 512 KiB count against one bound of 55,922,048 bytes (8 times the result
//!   bound) per evaluation: `[1..1000].($a)` with an 800,000-item `$a` stops after a few items.
//! - **Fuel.** Work is counted, not timed, so the outcome is the same on every machine: 20,000,000
//!   units per evaluation. A lambda call, a higher-order function's callback, and a predicate or
//!   sort term run on one item cost 50; an item (or 8 characters) that a heavy built-in goes
//!   through or a path returns costs 1 (`$sort` n log n). That is 400,000 calls or about a
//!   second of work. A wall-clock backstop of 60 s, which no known
//!   expression reaches, fails with the same message.
//! - `$distinct` and `$keys` of many objects run in linear time (hashing, not pairwise
//!   comparison), keeping JSONata's deep equality and the order of first occurrence.
//!
//! Values crossing in or out may nest 1,000 levels. A panic in the evaluator becomes an error of
//! the field.

use std::sync::Arc;

use serde_json::Value;

use crate::error::{message, EvalError, ExprError};
use crate::eval::{Entropy, Variables};

mod engine;
mod functions;
mod limits;
mod template;

pub use template::JsonataTemplate;

/// What a JSONata expression sees: `$states` and the workflow variables.
pub struct JsonataEnv<'a> {
    /// `$states.input`.
    pub input: &'a Value,
    /// `$states.context`.
    pub context: &'a Value,
    /// `$states.result` (Task/Map/Parallel `Output`/`Assign`).
    pub result: Option<&'a Value>,
    /// `$states.errorOutput` (Catcher `Output`/`Assign`).
    pub error_output: Option<&'a Value>,
    /// Workflow variables (`$name`).
    pub vars: &'a dyn Variables,
    /// Randomness for `$random()` and `$uuid()`.
    pub entropy: &'a dyn Entropy,
    /// The time `$now()` and `$millis()` read, in milliseconds since the epoch: an engine
    /// passes the time of the event it is handling, so a replay sees the same times. With a
    /// clock, an evaluation is bounded by its fuel alone, never by elapsed time, so its outcome
    /// does not depend on the machine's speed either. `None` (an evaluation outside an
    /// execution): the system clock, and a wall-clock backstop of 60 s behind the fuel.
    pub now_millis: Option<i64>,
}

/// Whether `s` is a JSONata expression (`{%` ... `%}`) rather than a literal string.
pub fn is_expression(s: &str) -> bool {
    s.len() >= 4 && s.starts_with("{%") && s.ends_with("%}")
}

/// A compiled JSONata expression (the body between `{%` and `%}`), or a literal string.
#[derive(Debug, Clone)]
pub struct Jsonata {
    source: String,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Literal,
    Expression {
        body: String,
        program: Arc<engine::Program>,
    },
}

impl PartialEq for Jsonata {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Jsonata {
    /// Compiles a whole `{% body %}` string: the body must parse as JSONata and must not read
    /// `$$`, or `$` or a bare field name at the top level (there is no context item in Step
    /// Functions: use `$states.input`). A string that is not an expression is a literal.
    pub fn compile(source: &str) -> Result<Jsonata, ExprError> {
        if !is_expression(source) {
            return Ok(Jsonata {
                source: source.to_owned(),
                kind: Kind::Literal,
            });
        }
        let body = expression_body(source);
        // Positions count characters of the whole string, `{%` and the spaces after it included.
        let body_at = source.get(2..).map_or(0, |s| {
            2 + s.chars().take_while(|c| c.is_whitespace()).count()
        });
        let program =
            engine::compile(body).map_err(|e| ExprError::new(body_at + e.position, e.message))?;
        Ok(Jsonata {
            source: source.to_owned(),
            kind: Kind::Expression {
                body: body.to_owned(),
                program,
            },
        })
    }

    /// The text as written, with `{%` and `%}`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The expression as AWS quotes it in causes (between the delimiters, trimmed); `None` for a
    /// literal.
    pub fn expression(&self) -> Option<&str> {
        match &self.kind {
            Kind::Literal => None,
            Kind::Expression { body, .. } => Some(body),
        }
    }

    /// Whether this is a literal string rather than an expression.
    pub fn is_literal(&self) -> bool {
        matches!(self.kind, Kind::Literal)
    }

    /// The workflow variables the expression reads (`$name`), for checks that they are assigned.
    pub fn variables(&self) -> &[String] {
        match &self.kind {
            Kind::Literal => &[],
            Kind::Expression { program, .. } => program.variables(),
        }
    }

    /// The workflow variables the expression reads, leaving out the names it binds itself
    /// (`$x := ...`, lambda parameters, `@$v`, `#$i`) and built-in functions read as values
    /// (`$map($a, $string)`): what an `Assign` before its state must set.
    pub fn workflow_variables(&self) -> impl Iterator<Item = &str> {
        let names = match &self.kind {
            Kind::Literal => &[][..],
            Kind::Expression { program, .. } => program.workflow_variables(),
        };
        names.iter().map(String::as_str)
    }

    /// The fields the expression reads under `$states.input`, one list of names per path
    /// (`$states.input.order.id` → `["order", "id"]`), up to the first step that is not a plain
    /// name: for checks against the state's input type.
    pub fn input_paths(&self) -> &[Vec<String>] {
        match &self.kind {
            Kind::Literal => &[],
            Kind::Expression { program, .. } => program.input_paths(),
        }
    }

    /// The `$states` fields the expression reads (`input`, `context`, `result`, `errorOutput`), so
    /// a validator can refuse `$states.errorOutput` outside a Catcher exactly.
    pub fn states_fields(&self) -> &[String] {
        match &self.kind {
            Kind::Literal => &[],
            Kind::Expression { program, .. } => program.states_fields(),
        }
    }

    /// Evaluates the expression for field `location` (`Items`, `Output/result`): failures are
    /// `States.QueryEvaluationError` with AWS's cause text and that location.
    pub fn eval(&self, env: &JsonataEnv<'_>, location: &str) -> Result<Value, EvalError> {
        self.eval_in(
            env,
            location,
            env.now_millis,
            &mut engine::Conversions::default(),
        )
    }

    /// [`eval`](Self::eval) with `$now()` and `$millis()` reading `now_millis` (milliseconds since
    /// the epoch, from the engine's clock) whatever `env.now_millis` says, so a replayed run
    /// sees the same times.
    pub fn eval_at(
        &self,
        env: &JsonataEnv<'_>,
        location: &str,
        now_millis: i64,
    ) -> Result<Value, EvalError> {
        self.eval_in(
            env,
            location,
            Some(now_millis),
            &mut engine::Conversions::default(),
        )
    }

    /// The evaluation behind [`eval`](Self::eval) and [`eval_at`](Self::eval_at), sharing
    /// `conversions` with the other expressions of a template.
    fn eval_in(
        &self,
        env: &JsonataEnv<'_>,
        location: &str,
        now_millis: Option<i64>,
        conversions: &mut engine::Conversions,
    ) -> Result<Value, EvalError> {
        match &self.kind {
            Kind::Literal => Ok(Value::String(self.source.clone())),
            Kind::Expression { body, program } => {
                evaluate(program, body, env, location, now_millis, conversions)
            }
        }
    }

    /// The failure for a result of the wrong type in a typed field (`Items` wants an array):
    /// "… returned an unexpected result type. Expected 'array', but was 'string' for value: …".
    pub fn unexpected_type(&self, location: &str, expected: &str, value: &Value) -> EvalError {
        let text = self.expression().unwrap_or(&self.source);
        EvalError::query(
            message::unexpected_jsonata_result(text, location, expected, value),
            Some(location.to_owned()),
        )
    }
}

/// The body of a `{% ... %}` string, trimmed.
fn expression_body(source: &str) -> &str {
    source
        .get(2..source.len().saturating_sub(2))
        .unwrap_or("")
        .trim()
}

/// Evaluates a compiled body, turning every non-JSON outcome into AWS's cause.
fn evaluate(
    program: &engine::Program,
    body: &str,
    env: &JsonataEnv<'_>,
    location: &str,
    now_millis: Option<i64>,
    conversions: &mut engine::Conversions,
) -> Result<Value, EvalError> {
    let states: Vec<(&'static str, &Value)> = [
        ("input", Some(env.input)),
        ("context", Some(env.context)),
        ("result", env.result),
        ("errorOutput", env.error_output),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        value
            .filter(|_| program.reads_state(name))
            .map(|v| (name, v))
    })
    .collect();
    let variables = program
        .variables()
        .iter()
        .filter_map(|name| env.vars.get(name).map(|v| (name.as_str(), v)))
        .collect();
    let seed = program.uses_entropy().then(|| env.entropy.next_u64());
    let bindings = engine::Bindings {
        states,
        variables,
        seed,
        now_millis,
    };
    let fail = |what: String| {
        EvalError::query(
            format!("The JSONata expression '{body}' specified for the field '{location}' {what}"),
            Some(location.to_owned()),
        )
    };
    match engine::evaluate(program, &bindings, conversions) {
        Ok(engine::Outcome::Json(value)) => Ok(value),
        Ok(engine::Outcome::Undefined) => Err(fail("returned nothing (undefined).".into())),
        Ok(engine::Outcome::Function) => Err(fail("returned an unsupported result type.".into())),
        Err(e) => Err(fail(format!("threw an error during evaluation. {e}"))),
    }
}
