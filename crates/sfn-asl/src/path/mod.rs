//! JSONPath as Step Functions accepts it. (Interface placeholder; the parser and evaluator fill it.)

use crate::error::ExprError;

/// A compiled JSONPath `Path` (`$.a[0]`, `$..b`, `$$.Execution.Id`, `$var.x`).
#[derive(Debug, Clone)]
pub struct Path {
    source: String,
}

impl PartialEq for Path {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Path {
    /// Compiles a path.
    pub fn parse(source: &str) -> Result<Path, ExprError> {
        if !source.starts_with('$') {
            return Err(ExprError::new(0, "a path must start with `$`"));
        }
        Ok(Path { source: source.to_owned() })
    }
    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// A compiled `ReferencePath`: a path that names exactly one node.
#[derive(Debug, Clone)]
pub struct ReferencePath {
    source: String,
}

impl PartialEq for ReferencePath {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl ReferencePath {
    /// Compiles a reference path.
    pub fn parse(source: &str) -> Result<ReferencePath, ExprError> {
        if !source.starts_with('$') {
            return Err(ExprError::new(0, "a reference path must start with `$`"));
        }
        Ok(ReferencePath { source: source.to_owned() })
    }
    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }
}
