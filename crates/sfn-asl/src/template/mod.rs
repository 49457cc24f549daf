//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, JSONPath `Assign`). (Interface placeholder.)

use serde_json::Value;

use crate::error::ExprError;
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
}
