//! Evaluation of JSONPath choice rules (the rule types are in [`crate::model`]).
//!
//! A comparison whose operand has the wrong type is simply `false`; only a `Variable` or
//! `…Path` operand that selects nothing is an error (`States.Runtime`), and `IsPresent` never is.
//!
//! ```
//! use sfn_asl::eval::{EvalEnv, SeededEntropy};
//! use sfn_asl::model::{ChoiceRule, DataTest, Operand, Operator};
//! use sfn_asl::path::Path;
//! use serde_json::json;
//!
//! let rule = ChoiceRule::Test(DataTest {
//!     variable: Path::parse("$.file").unwrap(),
//!     operator: Operator::StringMatches,
//!     operand: Operand::Literal(json!("*.log")),
//! });
//! let input = json!({"file": "app.log"});
//! let entropy = SeededEntropy::new(0);
//! let env = EvalEnv { input: &input, context: &json!({}), vars: &(), entropy: &entropy };
//! assert!(rule.eval(&env).unwrap());
//! ```

mod matches;

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::error::EvalError;
use crate::eval::EvalEnv;
use crate::model::{ChoiceRule, DataTest, Operand, Operator};
use crate::path::Path;

pub use matches::{string_matches, PatternError};

impl ChoiceRule {
    /// Whether the rule matches. A `Variable`/`…Path` operand that resolves to nothing is
    /// `States.Runtime` (`Invalid path '<p>': The choice state's condition path references an
    /// invalid value.`), except for `IsPresent`; a type mismatch is `false`.
    pub fn eval(&self, env: &EvalEnv<'_>) -> Result<bool, EvalError> {
        match self {
            ChoiceRule::And(rules) => {
                for r in rules {
                    if !r.rule.eval(env)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            ChoiceRule::Or(rules) => {
                for r in rules {
                    if r.rule.eval(env)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            ChoiceRule::Not(r) => Ok(!r.rule.eval(env)?),
            ChoiceRule::Test(test) => test.eval(env),
        }
    }
}

impl DataTest {
    /// Whether `Variable` passes the comparison (see [`ChoiceRule::eval`]).
    pub fn eval(&self, env: &EvalEnv<'_>) -> Result<bool, EvalError> {
        if self.operator == Operator::IsPresent {
            let present = self.variable.select(env).is_ok();
            return Ok(Some(present) == self.operand_literal().and_then(Value::as_bool));
        }
        let value = resolve(&self.variable, env)?;
        let operand = match &self.operand {
            Operand::Literal(v) => Cow::Borrowed(v),
            Operand::Path(p) => resolve(p, env)?,
        };
        compare(self.operator, &value, &operand)
    }

    fn operand_literal(&self) -> Option<&Value> {
        match &self.operand {
            Operand::Literal(v) => Some(v),
            Operand::Path(_) => None,
        }
    }
}

fn resolve<'a>(path: &Path, env: &EvalEnv<'a>) -> Result<Cow<'a, Value>, EvalError> {
    path.select(env).map_err(|_| {
        EvalError::runtime(format!(
            "Invalid path '{}': The choice state's condition path references an invalid value.",
            path.source()
        ))
    })
}

/// Applies `op` to the variable's value and the operand's value.
fn compare(op: Operator, value: &Value, operand: &Value) -> Result<bool, EvalError> {
    use Operator as O;
    let ordered = |want: fn(Ordering) -> bool, ord: Option<Ordering>| ord.is_some_and(want);
    let eq = |o: Ordering| o == Ordering::Equal;
    let lt = |o: Ordering| o == Ordering::Less;
    let gt = |o: Ordering| o == Ordering::Greater;
    let le = |o: Ordering| o != Ordering::Greater;
    let ge = |o: Ordering| o != Ordering::Less;
    Ok(match op {
        O::StringEquals => ordered(eq, string_order(value, operand)),
        O::StringLessThan => ordered(lt, string_order(value, operand)),
        O::StringGreaterThan => ordered(gt, string_order(value, operand)),
        O::StringLessThanEquals => ordered(le, string_order(value, operand)),
        O::StringGreaterThanEquals => ordered(ge, string_order(value, operand)),
        O::StringMatches => match (value, operand) {
            (Value::String(s), Value::String(pattern)) => {
                string_matches(s, pattern).map_err(|e| {
                    EvalError::runtime(format!("Invalid StringMatches pattern '{pattern}': {e}"))
                })?
            }
            _ => false,
        },
        O::NumericEquals => ordered(eq, numeric_order(value, operand)),
        O::NumericLessThan => ordered(lt, numeric_order(value, operand)),
        O::NumericGreaterThan => ordered(gt, numeric_order(value, operand)),
        O::NumericLessThanEquals => ordered(le, numeric_order(value, operand)),
        O::NumericGreaterThanEquals => ordered(ge, numeric_order(value, operand)),
        O::BooleanEquals => matches!((value, operand), (Value::Bool(a), Value::Bool(b)) if a == b),
        O::TimestampEquals => ordered(eq, timestamp_order(value, operand)),
        O::TimestampLessThan => ordered(lt, timestamp_order(value, operand)),
        O::TimestampGreaterThan => ordered(gt, timestamp_order(value, operand)),
        O::TimestampLessThanEquals => ordered(le, timestamp_order(value, operand)),
        O::TimestampGreaterThanEquals => ordered(ge, timestamp_order(value, operand)),
        O::IsNull => type_test(value.is_null(), operand),
        O::IsNumeric => type_test(value.is_number(), operand),
        O::IsString => type_test(value.is_string(), operand),
        O::IsBoolean => type_test(value.is_boolean(), operand),
        O::IsTimestamp => type_test(value.as_str().and_then(parse_timestamp).is_some(), operand),
        // Handled before the variable is resolved; here only if a caller builds it by hand.
        O::IsPresent => type_test(true, operand),
    })
}

/// `IsX: true` holds when the value is an X; `IsX: false` when it is anything else.
fn type_test(is: bool, operand: &Value) -> bool {
    operand.as_bool() == Some(is)
}

/// Code-point order (Rust compares UTF-8 bytes, which orders the same way); no case folding.
fn string_order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::String(a), Value::String(b)) => Some(a.as_str().cmp(b.as_str())),
        _ => None,
    }
}

/// Double-precision order, so `0 == 0.0`.
fn numeric_order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(a), Value::Number(b)) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        _ => None,
    }
}

fn timestamp_order(a: &Value, b: &Value) -> Option<Ordering> {
    let a = parse_timestamp(a.as_str()?)?;
    let b = parse_timestamp(b.as_str()?)?;
    Some(a.cmp(&b))
}

/// Parses an ISO-8601 extended offset date-time (`2016-03-14T01:59:00Z`, `...+01:00`, with
/// optional fractional seconds); a space instead of `T` or a missing offset is not one.
pub fn parse_timestamp(text: &str) -> Option<DateTime<FixedOffset>> {
    // chrono's RFC 3339 reader also takes a space as the separator; AWS does not.
    if !matches!(text.as_bytes().get(10), Some(b'T' | b't')) {
        return None;
    }
    DateTime::parse_from_rfc3339(text).ok()
}
