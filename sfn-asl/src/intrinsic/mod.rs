//! Intrinsic functions (`States.Format(...)` and the other 17), parsed once and evaluated many times.
//!
//! Name and argument count are checked when the call is parsed; argument types when it runs
//! (a failure is the catchable `States.IntrinsicFailure`; a path that finds nothing is
//! `States.Runtime`).
//!
//! ```
//! use sfn_asl::eval::{EvalEnv, SeededEntropy};
//! use sfn_asl::intrinsic::IntrinsicCall;
//! use serde_json::json;
//!
//! let input = json!({"name": "Ada", "tags": "a,b,,c"});
//! let entropy = SeededEntropy::new(0);
//! let env = EvalEnv { input: &input, context: &json!({}), vars: &(), entropy: &entropy };
//! let call = IntrinsicCall::parse("States.Format('Hi {}, {} tags', $.name, States.ArrayLength(States.StringSplit($.tags, ',')))").unwrap();
//! assert_eq!(call.eval(&env).unwrap(), json!("Hi Ada, 3 tags"));
//! assert!(IntrinsicCall::parse("States.Fromat('x')").unwrap_err().message.contains("States.Format"));
//! ```

pub mod ast;
mod eval;
mod format;
mod parser;

use serde_json::Value;

use crate::error::{EvalError, ExprError};
use crate::eval::EvalEnv;
use ast::Call;

pub use parser::MAX_NESTING;

/// A compiled intrinsic function call.
#[derive(Debug, Clone)]
pub struct IntrinsicCall {
    source: String,
    call: Call,
}

impl PartialEq for IntrinsicCall {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl IntrinsicCall {
    /// Compiles a call, checking the function name and the number of arguments.
    pub fn parse(source: &str) -> Result<IntrinsicCall, ExprError> {
        let call = parser::parse_call(source)?;
        Ok(IntrinsicCall {
            source: source.to_owned(),
            call,
        })
    }
    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// The parsed call.
    pub fn call(&self) -> &Call {
        &self.call
    }
    /// Evaluates the call. Bad arguments are `States.IntrinsicFailure`; a path argument that
    /// selects nothing is `States.Runtime` with AWS's text (`The function '<call>' had the
    /// following error: The JsonPath argument for the field '<path>' could not be found in the
    /// input '<json>'`).
    pub fn eval(&self, env: &EvalEnv<'_>) -> Result<Value, EvalError> {
        eval::eval_call(&self.call, env, &self.source)
    }
}
