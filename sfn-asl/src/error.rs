//! Errors and validation findings shared by every part of the language crate, the names of
//! the errors Step Functions raises (`States.*`), and AWS's wording of the messages written in
//! more than one place ([`message`]).
//!
//! ```
//! use sfn_asl::error::{message, EvalError, STATES_RUNTIME};
//!
//! assert_eq!(EvalError::runtime("boom").error, STATES_RUNTIME);
//! assert_eq!(
//!     message::data_limit_exceeded("Charge"),
//!     "The state/task 'Charge' returned a result with a size exceeding the maximum number of \
//!      bytes service limit."
//! );
//! ```

use std::fmt;

pub mod message;

/// `States.ALL`: matches every error name but `States.Runtime` (a Retrier or Catcher wildcard).
pub const STATES_ALL: &str = "States.ALL";
/// `States.BranchFailed`: a Parallel branch failed.
pub const STATES_BRANCH_FAILED: &str = "States.BranchFailed";
/// `States.DataLimitExceeded`: a payload went over 256 KiB.
pub const STATES_DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
/// `States.ExceedToleratedFailureThreshold`: a Map failed more items than it tolerates.
pub const STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD: &str =
    "States.ExceedToleratedFailureThreshold";
/// `States.HeartbeatTimeout`: a task sent no heartbeat within `HeartbeatSeconds`.
pub const STATES_HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
/// `States.Http.Socket`: an HTTP Task's connection failed.
pub const STATES_HTTP_SOCKET: &str = "States.Http.Socket";
/// `States.IntrinsicFailure`: an intrinsic function call failed.
pub const STATES_INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
/// `States.ItemReaderFailed`: a Distributed Map could not read its items.
pub const STATES_ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
/// `States.NoChoiceMatched`: no Choice rule matched and there is no `Default`.
pub const STATES_NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
/// `States.ParameterPathFailure`: a `.$` path of `Parameters` selected nothing.
pub const STATES_PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
/// `States.Permissions`: the execution role may not run the task.
pub const STATES_PERMISSIONS: &str = "States.Permissions";
/// `States.QueryEvaluationError`: a JSONata expression failed.
pub const STATES_QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
/// `States.ResultPathMatchFailure`: the `ResultPath` cannot be written into the input.
pub const STATES_RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
/// `States.ResultWriterFailed`: a Distributed Map could not write its results.
pub const STATES_RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
/// `States.Runtime`: an error no Retrier or Catcher can handle (`States.ALL` does not match it).
pub const STATES_RUNTIME: &str = "States.Runtime";
/// `States.TaskFailed`: any task failure but a timeout.
pub const STATES_TASK_FAILED: &str = "States.TaskFailed";
/// `States.Timeout`: a task or the execution ran past its `TimeoutSeconds`.
pub const STATES_TIMEOUT: &str = "States.Timeout";

/// The AWS diagnostic code of a validation finding, as `ValidateStateMachineDefinition` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingCode {
    /// The text is not JSON, or not a JSON object.
    InvalidJsonDescription,
    /// A field is missing, unknown, of the wrong type or out of range.
    SchemaValidationFailed,
    /// A `Next`, `Default`, Catcher `Next` or `StartAt` names no state of its scope.
    MissingTransitionTarget,
    /// No transition leads to a state from its scope's `StartAt`.
    UnreachableState,
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
            // AWS reports an unreachable state as a missing transition.
            FindingCode::MissingTransitionTarget | FindingCode::UnreachableState => {
                "MISSING_TRANSITION_TARGET"
            }
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
            error: STATES_RUNTIME.into(),
            cause: cause.into(),
            location: None,
        }
    }
    /// `States.IntrinsicFailure` with `cause`.
    pub fn intrinsic(cause: impl Into<String>) -> Self {
        EvalError {
            error: STATES_INTRINSIC_FAILURE.into(),
            cause: cause.into(),
            location: None,
        }
    }
    /// `States.QueryEvaluationError` with `cause`.
    pub fn query(cause: impl Into<String>, location: Option<String>) -> Self {
        EvalError {
            error: STATES_QUERY_EVALUATION_ERROR.into(),
            cause: cause.into(),
            location,
        }
    }
}
