//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, JSONPath `Assign`). (Interface placeholder.)

use serde_json::Value;

use crate::error::{EvalError, ExprError};
use crate::eval::EvalEnv;
use crate::intrinsic::IntrinsicCall;
use crate::path::Path;

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
    /// when a path finds nothing ("The JSONPath '<p>' specified for the field '<field>' could not
    /// be found in the input '<json>'").
    pub fn eval(&self, env: &EvalEnv<'_>, field: &str) -> Result<Value, EvalError> {
        match self {
            ValueExpr::Path(p) => p.select(env).map(|v| v.into_owned()).map_err(|_| {
                EvalError::runtime(format!(
                    "The JSONPath '{}' specified for the field '{field}' could not be found in the input '{}'",
                    p.source(),
                    env.input
                ))
            }),
            ValueExpr::Intrinsic(i) => i.eval(env),
        }
    }
}

/// A compiled payload template.
#[derive(Debug, Clone, PartialEq)]
pub struct PayloadTemplate {
    source: Value,
}

impl PayloadTemplate {
    /// Compiles a template; errors carry the JSON pointer (relative to the template) of the bad value.
    pub fn compile(source: &Value) -> Result<PayloadTemplate, Vec<(String, ExprError)>> {
        Ok(PayloadTemplate { source: source.clone() })
    }
    /// The template as written.
    pub fn to_value(&self) -> Value {
        self.source.clone()
    }
    /// Builds the payload against `env`.
    pub fn eval(&self, env: &EvalEnv<'_>) -> Result<Value, EvalError> {
        let _ = env;
        Ok(self.source.clone())
    }
}
