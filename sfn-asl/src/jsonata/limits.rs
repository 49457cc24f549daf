//! Bounds on one JSONata evaluation, so that no expression can hang the engine, overflow the
//! native stack or exhaust memory. Past any of them the field fails with
//! `States.QueryEvaluationError`, as on AWS.

/// Wall-clock time for one evaluation.
pub(crate) const TIMEOUT_MS: u64 = 5_000;

/// Evaluation depth, in the JSONata crate's levels. AWS refuses expressions nesting past 100 of
/// its own levels; 99 here reproduces each of its measured boundaries: `1+1+…+1` with 100 terms, 99
/// nested parentheses, brackets or `~>` stages, and a non-tail recursive `$f(31)` evaluate, one
/// more of any does not.
pub(crate) const MAX_DEPTH: usize = 99;

/// Longest sequence a path, `$map`, `$filter`, ... may produce.
pub(crate) const MAX_SEQUENCE_LENGTH: usize = 1_000_000;

/// Size of a result, counting 8 bytes a number and one a character (AWS's own bound).
pub(crate) const MAX_RESULT_BYTES: usize = 6_990_256;

/// Items one `$range` call may produce (AWS refuses one more).
pub(crate) const MAX_RANGE_ITEMS: usize = 360_145;

/// Nesting of values crossing the boundary (bindings in, results out).
pub(crate) const MAX_VALUE_DEPTH: usize = 1_000;

/// Length of an expression body.
pub(crate) const MAX_EXPRESSION_CHARS: usize = 1_048_576;

/// Why a too-large value was refused (AWS's wording).
pub(crate) const MEMORY_MESSAGE: &str = "Expression evaluation memory limit exceeded";

/// Why a too-deep evaluation was refused.
pub(crate) const DEPTH_MESSAGE: &str =
    "Stack overflow error: Check for non-terminating recursive function. Consider rewriting as tail-recursive.";

/// Why a too-deeply nested value was refused.
pub(crate) const NESTING_MESSAGE: &str = "Value nested too deeply";
