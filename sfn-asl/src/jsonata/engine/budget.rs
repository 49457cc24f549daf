//! The budget of one evaluation: fuel for its work and a count of the items it shares into larger
//! values. Both are counted, not timed, so an expression fails (or not) the same way on every
//! machine.
//!
//! Fuel is spent by the checks [`super::guard`] weaves into the expression (each lambda call, each
//! item a heavy built-in or a higher-order function goes through, each value a growing operation
//! builds) and by the functions registered here. Sharing is counted where one value can be
//! referenced many times and later flattened or serialized: a path step's result, an object
//! constructor's value, a large built array.

use std::cell::{Cell, RefCell};

use jsonata_core::evaluator::EvaluatorError;
use jsonata_core::value::JValue;

use super::super::limits;

/// What one evaluation may still spend.
#[derive(Debug)]
pub(super) struct Budget {
    fuel: Cell<u64>,
    shared: Cell<usize>,
    /// Arguments held for the check of a later argument of the same call (`$join`'s items for
    /// its separator, `$replace`'s text and pattern for its replacement). Arguments are
    /// evaluated in order and a failure ends the evaluation, so holds and takes pair up.
    held: RefCell<Vec<JValue>>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            fuel: Cell::new(limits::FUEL),
            shared: Cell::new(limits::MAX_SHARED_BYTES),
            held: RefCell::new(Vec::new()),
        }
    }
}

impl Budget {
    /// Spends `units` of fuel; past the budget the evaluation fails with the time-limit message.
    pub(super) fn charge(&self, units: u64) -> Result<(), EvaluatorError> {
        match self.fuel.get().checked_sub(units) {
            Some(left) => {
                self.fuel.set(left);
                Ok(())
            }
            None => {
                self.fuel.set(0);
                Err(time_error())
            }
        }
    }

    /// Fuel left, as a bound for measuring a value (measuring is work too).
    pub(super) fn fuel_left(&self) -> usize {
        usize::try_from(self.fuel.get()).unwrap_or(usize::MAX)
    }

    /// Counts `bytes` more of shared or built values; past the bound the evaluation fails with the
    /// memory message.
    pub(super) fn share(&self, bytes: usize) -> Result<(), EvaluatorError> {
        match self.shared.get().checked_sub(bytes) {
            Some(left) => {
                self.shared.set(left);
                Ok(())
            }
            None => {
                self.shared.set(0);
                Err(memory_error())
            }
        }
    }

    /// Holds `value` for a later argument's check.
    pub(super) fn hold(&self, value: JValue) {
        self.held.borrow_mut().push(value);
    }

    /// The last `n` held values, oldest first (fewer if fewer are held).
    pub(super) fn take(&self, n: usize) -> Vec<JValue> {
        let mut held = self.held.borrow_mut();
        let at = held.len().saturating_sub(n);
        held.split_off(at)
    }

    /// What may still be shared, as a bound for measuring a value.
    pub(super) fn share_left(&self) -> usize {
        self.shared.get()
    }
}

/// The error of a spent fuel budget.
pub(super) fn time_error() -> EvaluatorError {
    EvaluatorError::EvaluationError(limits::TIME_MESSAGE.to_owned())
}

/// The error of a value over the memory bounds.
pub(super) fn memory_error() -> EvaluatorError {
    EvaluatorError::EvaluationError(limits::MEMORY_MESSAGE.to_owned())
}

/// The size of `value` one level deep, in result bytes (8 an item or a number, 1 a character):
/// what an operation that walks its items or characters once has to do.
pub(super) fn flat_size(value: &JValue) -> usize {
    match value {
        JValue::String(s) => s.len(),
        JValue::Array(items) => items.len().saturating_mul(8),
        JValue::Object(map) => map.len().saturating_mul(8),
        _ => 8,
    }
}

/// The size of `value` all the way down, in result bytes, counting a value each time it is
/// referenced (as serializing or flattening it would); stops early once past `limit`, so
/// measuring a value shared into an exponential structure costs at most `limit`.
pub(super) fn deep_size(value: &JValue, limit: usize) -> usize {
    let mut total = 0usize;
    let mut stack: Vec<&JValue> = vec![value];
    while let Some(v) = stack.pop() {
        total = total.saturating_add(match v {
            JValue::String(s) => s.len().max(8),
            JValue::Array(items) => {
                stack.extend(items.iter());
                8
            }
            JValue::Object(map) => {
                for (key, item) in map.iter() {
                    total = total.saturating_add(key.len());
                    stack.push(item);
                }
                8
            }
            _ => 8,
        });
        if total > limit {
            return total;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spending_past_the_fuel_is_the_time_error() {
        let budget = Budget::default();
        assert!(budget.charge(limits::FUEL).is_ok());
        let err = budget.charge(1).unwrap_err();
        assert_eq!(err.message(), limits::TIME_MESSAGE);
    }

    #[test]
    fn sharing_past_the_bound_is_the_memory_error() {
        let budget = Budget::default();
        assert!(budget.share(limits::MAX_SHARED_BYTES).is_ok());
        assert_eq!(
            budget.share(1).unwrap_err().message(),
            limits::MEMORY_MESSAGE
        );
    }

    #[test]
    fn deep_size_stops_at_the_limit() {
        let mut v = JValue::array(vec![JValue::Number(1.0); 100]);
        for _ in 0..60 {
            v = JValue::array(vec![v.clone(), v]);
        }
        let size = deep_size(&v, 10_000);
        assert!(size > 10_000 && size < 20_000, "{size}");
        assert_eq!(deep_size(&JValue::string("abcdefghij"), 100), 10);
    }
}
