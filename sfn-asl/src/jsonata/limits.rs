//! Bounds on one JSONata evaluation, so that no expression can hang the engine, overflow the
//! native stack or exhaust memory. Past any of them the field fails with
//! `States.QueryEvaluationError`, as on AWS.

/// Fuel for one evaluation: the work it may do, counted rather than timed so the outcome does not
/// depend on the machine. A lambda call costs [`FUEL_PER_CALL`]; an item or 8 characters that a
/// built-in, a higher-order function or a built value goes through costs 1 (see
/// `engine::guard`): 400,000 lambda calls, or 20,000,000 items, about a second of work.
pub(crate) const FUEL: u64 = 20_000_000;

/// Fuel for one lambda call, or one callback of a higher-order function: about what 50 items of
/// a built-in's work cost.
pub(crate) const FUEL_PER_CALL: u64 = 50;

/// Wall-clock insurance behind the fuel budget, for work no check is woven into; nothing known
/// reaches it (the fuel runs out first), and it fails with the same message. Only evaluations
/// without a clock (outside an engine) have it: an engine's must be replayable, so fuel alone
/// bounds them.
pub(crate) const BACKSTOP_MS: u64 = 60_000;

/// Values shared or built over one evaluation, in result bytes (8 an item, 1 a character): what
/// path steps return per item and object constructors hold (flattening or serializing them
/// copies every reference), and built arrays and strings of more than [`COUNTED_BUILT_BYTES`].
/// Eight times the largest result.
pub(crate) const MAX_SHARED_BYTES: usize = 8 * MAX_RESULT_BYTES;

/// Built values smaller than this are not counted against [`MAX_SHARED_BYTES`] (an accumulator
/// rebuilt on every step of `$reduce` stays free until it is large).
pub(crate) const COUNTED_BUILT_BYTES: usize = 512 * 1024;

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

/// Why an evaluation that spent its fuel was stopped (the wording of jsonata-js's time box, which
/// AWS's depth message also comes from; AWS's own text for this case is not recorded).
pub(crate) const TIME_MESSAGE: &str = "Expression evaluation timeout: Check for infinite loop";

/// Why a too-deep evaluation was refused.
pub(crate) const DEPTH_MESSAGE: &str =
    "Stack overflow error: Check for non-terminating recursive function. Consider rewriting as tail-recursive.";

/// Why a too-deeply nested value was refused.
pub(crate) const NESTING_MESSAGE: &str = "Value nested too deeply";
