//! Errors and validation findings shared by every part of the language crate.

use std::fmt;

/// The AWS diagnostic code of a validation finding, as `ValidateStateMachineDefinition` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingCode {
    /// The text is not JSON, or not a JSON object.
    InvalidJsonDescription,
    /// A field is missing, unknown, of the wrong type or out of range.
    SchemaValidationFailed,
    /// A `Next`, `Default`, Catcher `Next` or `StartAt` names no state of its scope, or a state is unreachable.
    MissingTransitionTarget,
    /// A `States` object has no terminal state.
    MissingEndState,
    /// Two states share a name.
    DuplicateStateName,
    /// A path, template, intrinsic or JSONata expression does not parse.
    InvalidExpression,
}

impl FindingCode {
    /// The code as AWS spells it (`SCHEMA_VALIDATION_FAILED`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::InvalidJsonDescription => "INVALID_JSON_DESCRIPTION",
            FindingCode::SchemaValidationFailed => "SCHEMA_VALIDATION_FAILED",
            FindingCode::MissingTransitionTarget => "MISSING_TRANSITION_TARGET",
            FindingCode::MissingEndState => "MISSING_END_STATE",
            FindingCode::DuplicateStateName => "DUPLICATE_STATE_NAME",
            // AWS reports bad paths and templates as schema failures.
            FindingCode::InvalidExpression => "SCHEMA_VALIDATION_FAILED",
        }
    }
}

/// One problem found in a definition: where (JSON pointer), what (AWS code + message), and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// JSON pointer of the field at fault, e.g. `/States/Charge/Retry/0/BackoffRate`; `""` for the document.
    pub pointer: String,
    /// The AWS error code.
    pub code: FindingCode,
    /// What is wrong, naming the state and field.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{at}: {}: {}", self.code.as_str(), self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// A syntax error in one expression (path, intrinsic call, template, JSONata body).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {position})")]
pub struct ExprError {
    /// Character offset in the expression text where the problem was noticed.
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

impl ExprError {
    /// An error at `position`.
    pub fn new(position: usize, message: impl Into<String>) -> Self {
        ExprError {
            position,
            message: message.into(),
        }
    }
}

/// A runtime failure while evaluating an expression: an ASL error name and cause.
///
/// The engine adds AWS's prefix (`An error occurred while executing the state ...`) where AWS does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {cause}")]
pub struct EvalError {
    /// The ASL error name: `States.Runtime`, `States.IntrinsicFailure`, `States.QueryEvaluationError`, ...
    pub error: String,
    /// The cause text, exactly as AWS words it (without the state prefix).
    pub cause: String,
    /// For JSONata failures: the field at fault, as `EvaluationFailed.location` names it (`Output/result`).
    pub location: Option<String>,
}

impl EvalError {
    /// `States.Runtime` with `cause`.
    pub fn runtime(cause: impl Into<String>) -> Self {
        EvalError {
            error: "States.Runtime".into(),
            cause: cause.into(),
            location: None,
        }
    }
    /// `States.IntrinsicFailure` with `cause`.
    pub fn intrinsic(cause: impl Into<String>) -> Self {
        EvalError {
            error: "States.IntrinsicFailure".into(),
            cause: cause.into(),
            location: None,
        }
    }
    /// `States.QueryEvaluationError` with `cause`.
    pub fn query(cause: impl Into<String>, location: Option<String>) -> Self {
        EvalError {
            error: "States.QueryEvaluationError".into(),
            cause: cause.into(),
            location,
        }
    }
}
