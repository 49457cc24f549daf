//! JSONata `{% %}` expressions. (Interface placeholder.)

use serde_json::Value;

use crate::error::ExprError;

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
}
