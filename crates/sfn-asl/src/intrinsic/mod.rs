//! Intrinsic functions (`States.Format(...)` and the other 17). (Interface placeholder.)

use serde_json::Value;

use crate::error::{EvalError, ExprError};
use crate::eval::EvalEnv;

/// A compiled intrinsic function call.
#[derive(Debug, Clone)]
pub struct IntrinsicCall {
    source: String,
}

impl PartialEq for IntrinsicCall {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl IntrinsicCall {
    /// Compiles a call.
    pub fn parse(source: &str) -> Result<IntrinsicCall, ExprError> {
        if !source.starts_with("States.") {
            return Err(ExprError::new(0, "an intrinsic call starts with `States.`"));
        }
        Ok(IntrinsicCall { source: source.to_owned() })
    }
    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// Evaluates the call; failures are `States.IntrinsicFailure` (or `States.Runtime` for a missing path).
    pub fn eval(&self, env: &EvalEnv<'_>) -> Result<Value, EvalError> {
        let _ = env;
        Err(EvalError::intrinsic(format!("not yet supported: {}", self.source)))
    }
}
