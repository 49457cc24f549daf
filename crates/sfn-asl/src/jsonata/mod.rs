//! JSONata `{% %}` expressions. (Interface placeholder.)

use serde_json::Value;

use crate::error::{EvalError, ExprError};
use crate::eval::{Entropy, Variables};

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
}

/// A compiled JSONata expression (the body between `{%` and `%}`).
#[derive(Debug, Clone)]
pub struct Jsonata {
    source: String,
}

impl PartialEq for Jsonata {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Jsonata {
    /// Compiles a whole `{% body %}` string.
    pub fn compile(source: &str) -> Result<Jsonata, ExprError> {
        Ok(Jsonata { source: source.to_owned() })
    }
    /// The text as written, with `{%` and `%}`.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// Evaluates the expression for field `location` (`Items`, `Output/result`): failures are
    /// `States.QueryEvaluationError` with AWS's cause text and that location.
    pub fn eval(&self, env: &JsonataEnv<'_>, location: &str) -> Result<Value, EvalError> {
        let _ = env;
        Err(EvalError::query(format!("not yet supported: {}", self.source), Some(location.to_owned())))
    }
}

/// A JSON value whose strings may be `{% %}` expressions (`Arguments`, `Output`, JSONata `Assign`).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonataTemplate {
    source: Value,
}

impl JsonataTemplate {
    /// Compiles every `{% %}` string in `source`; errors carry the relative JSON pointer.
    pub fn compile(source: &Value) -> Result<JsonataTemplate, Vec<(String, ExprError)>> {
        Ok(JsonataTemplate { source: source.clone() })
    }
    /// The value as written.
    pub fn to_value(&self) -> Value {
        self.source.clone()
    }
    /// Evaluates every expression in the value; `location` names the field (`Output`,
    /// `Arguments`, `Assign`) and nested keys extend it (`Arguments/FunctionName`).
    pub fn eval(&self, env: &JsonataEnv<'_>, location: &str) -> Result<Value, EvalError> {
        let _ = (env, location);
        Ok(self.source.clone())
    }
}
