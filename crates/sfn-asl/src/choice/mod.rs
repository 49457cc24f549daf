//! Evaluation of JSONPath choice rules (the rule types are in [`crate::model`]). (Placeholder.)

use crate::error::EvalError;
use crate::eval::EvalEnv;
use crate::model::ChoiceRule;

impl ChoiceRule {
    /// Whether the rule matches. A `Variable`/`…Path` operand that resolves to nothing is
    /// `States.Runtime` ("Invalid path '<p>': The choice state's condition path references an
    /// invalid value."), except for `IsPresent`; a type mismatch is `false`.
    pub fn eval(&self, env: &EvalEnv<'_>) -> Result<bool, EvalError> {
        let _ = env;
        Err(EvalError::runtime("choice rules are not yet supported"))
    }
}
