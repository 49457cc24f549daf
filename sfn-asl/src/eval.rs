//! What an expression sees when it is evaluated: the input, the context object, variables, entropy.

use serde_json::Value;

/// Workflow variables visible to a state (its own scope and the outer ones).
pub trait Variables {
    /// The value of `$name`, or `None` when it was never assigned.
    fn get(&self, name: &str) -> Option<&Value>;
}

/// No variables at all.
impl Variables for () {
    fn get(&self, _: &str) -> Option<&Value> {
        None
    }
}

impl Variables for serde_json::Map<String, Value> {
    fn get(&self, name: &str) -> Option<&Value> {
        serde_json::Map::get(self, name)
    }
}

/// A source of random numbers (`States.UUID`, unseeded `States.MathRandom`, JSONata `$random`).
///
/// The engine supplies a seeded one so that a run can be replayed with the same results.
pub trait Entropy {
    /// The next 64 random bits.
    fn next_u64(&self) -> u64;
}

/// A small deterministic generator (SplitMix64), enough for UUIDs and `MathRandom`.
#[derive(Debug)]
pub struct SeededEntropy(std::cell::Cell<u64>);

impl SeededEntropy {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SeededEntropy(std::cell::Cell::new(seed))
    }
}

impl Entropy for SeededEntropy {
    fn next_u64(&self) -> u64 {
        let (state, bits) = crate::random::splitmix64(self.0.get());
        self.0.set(state);
        bits
    }
}

/// Everything a JSONPath-mode expression (path, template, intrinsic, choice rule) reads.
pub struct EvalEnv<'a> {
    /// `$`: the document the expression applies to (effective input, raw result, error output, ...).
    pub input: &'a Value,
    /// `$$`: the context object.
    pub context: &'a Value,
    /// `$name`: workflow variables.
    pub vars: &'a dyn Variables,
    /// Randomness for `States.UUID` and `States.MathRandom`.
    pub entropy: &'a dyn Entropy,
}
