//! Intrinsic functions (`States.Format(...)` and the other 17). (Interface placeholder.)

use crate::error::ExprError;

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
}
