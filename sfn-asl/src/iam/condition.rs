//! A statement's `Condition` block, after "IAM JSON policy elements: Condition operators": every
//! operator must hold (AND), and an operator holds for a key when the request's value matches
//! one of the policy's values (OR; a negated operator: matches none of them).
//!
//! A key the request does not carry fails the condition, except under a negated operator
//! (`StringNotEquals`, `ArnNotLike`, ...) where it holds; `…IfExists` holds without the key;
//! `Null` tests whether the key is there; `ForAllValues:` holds without the key, and
//! `ForAnyValue:` does not.
//!
//! Decided as unknown (see `eval`'s module documentation): a key the context neither carries
//! nor declares absent, the `Date*`, `IpAddress`, `NotIpAddress` and `BinaryEquals` operators,
//! and a policy variable that cannot be replaced.

use serde_json::Value;

use super::eval::{glob, substitute, Context};

/// Three-valued truth: what cannot be decided stays `Unknown` up to the statement's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Truth {
    True,
    False,
    Unknown,
}

impl From<bool> for Truth {
    fn from(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }
}

impl Truth {
    pub(super) fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        }
    }

    pub(super) fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            _ => Truth::Unknown,
        }
    }

    pub(super) fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// How values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    StringIgnoreCase,
    StringLike,
    Numeric(Ordering),
    Bool,
    Arn,
    Null,
    /// `Date*`, `IpAddress`, `NotIpAddress`, `BinaryEquals`: not evaluated.
    Unsupported,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ordering {
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Set {
    /// A single-valued key.
    One,
    /// `ForAnyValue:`: some value of the request matches.
    Any,
    /// `ForAllValues:`: every value of the request matches.
    All,
}

/// One operator on one key.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Clause {
    /// The operator as written, for messages.
    operator: String,
    kind: Kind,
    negated: bool,
    if_exists: bool,
    set: Set,
    key: String,
    values: Vec<String>,
}

/// The clauses of a `Condition` block, or what is wrong with it.
pub(super) fn parse(block: &Value) -> Result<Vec<Clause>, String> {
    let Some(operators) = block.as_object() else {
        return Err("`Condition` is an object of operators (`StringEquals`, ...)".into());
    };
    let mut clauses = Vec::new();
    for (operator, keys) in operators {
        let (set, rest) = if let Some(r) = operator.strip_prefix("ForAnyValue:") {
            (Set::Any, r)
        } else if let Some(r) = operator.strip_prefix("ForAllValues:") {
            (Set::All, r)
        } else {
            (Set::One, operator.as_str())
        };
        let (name, if_exists) = match rest.strip_suffix("IfExists") {
            Some(n) => (n, true),
            None => (rest, false),
        };
        let (kind, negated) = kind(name).ok_or_else(|| {
            format!(
                "`{operator}` is not a condition operator (String*, Numeric*, Date*, Bool, \
                 Arn*, IpAddress, NotIpAddress, BinaryEquals, Null, with IfExists and \
                 ForAnyValue:/ForAllValues:)"
            )
        })?;
        if kind == Kind::Null && if_exists {
            return Err("`NullIfExists` is not a condition operator; use `Null`".into());
        }
        let Some(keys) = keys.as_object() else {
            return Err(format!("`{operator}` maps condition keys to values"));
        };
        for (key, values) in keys {
            let values = condition_values(values)
                .ok_or_else(|| format!("`{operator}` `{key}`: values are strings, numbers or booleans, or an array of them"))?;
            check_values(kind, operator, key, &values)?;
            clauses.push(Clause {
                operator: operator.clone(),
                kind,
                negated,
                if_exists,
                set,
                key: key.clone(),
                values,
            });
        }
    }
    Ok(clauses)
}

/// The kind of an operator name without its qualifiers, and whether it is negated.
fn kind(name: &str) -> Option<(Kind, bool)> {
    Some(match name {
        "StringEquals" => (Kind::String, false),
        "StringNotEquals" => (Kind::String, true),
        "StringEqualsIgnoreCase" => (Kind::StringIgnoreCase, false),
        "StringNotEqualsIgnoreCase" => (Kind::StringIgnoreCase, true),
        "StringLike" => (Kind::StringLike, false),
        "StringNotLike" => (Kind::StringLike, true),
        "NumericEquals" => (Kind::Numeric(Ordering::Equal), false),
        "NumericNotEquals" => (Kind::Numeric(Ordering::Equal), true),
        "NumericLessThan" => (Kind::Numeric(Ordering::Less), false),
        "NumericLessThanEquals" => (Kind::Numeric(Ordering::LessOrEqual), false),
        "NumericGreaterThan" => (Kind::Numeric(Ordering::Greater), false),
        "NumericGreaterThanEquals" => (Kind::Numeric(Ordering::GreaterOrEqual), false),
        "Bool" => (Kind::Bool, false),
        "ArnEquals" | "ArnLike" => (Kind::Arn, false),
        "ArnNotEquals" | "ArnNotLike" => (Kind::Arn, true),
        "Null" => (Kind::Null, false),
        "DateEquals"
        | "DateLessThan"
        | "DateLessThanEquals"
        | "DateGreaterThan"
        | "DateGreaterThanEquals"
        | "IpAddress"
        | "BinaryEquals" => (Kind::Unsupported, false),
        "DateNotEquals" | "NotIpAddress" => (Kind::Unsupported, true),
        _ => return None,
    })
}

fn condition_values(v: &Value) -> Option<Vec<String>> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match v {
        Value::Array(items) => items.iter().map(one).collect(),
        v => one(v).map(|s| vec![s]),
    }
}

/// IAM refuses numbers that are not numbers and booleans that are not booleans.
fn check_values(kind: Kind, operator: &str, key: &str, values: &[String]) -> Result<(), String> {
    for v in values {
        let ok = match kind {
            Kind::Numeric(_) => v.parse::<f64>().is_ok() || v.contains("${"),
            Kind::Bool | Kind::Null => {
                v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false")
            }
            _ => true,
        };
        if !ok {
            return Err(format!("`{operator}` `{key}`: `{v}` is not a valid value"));
        }
    }
    Ok(())
}

impl Clause {
    /// Whether the clause holds in `context`; what it cannot decide goes to `undecided`.
    pub(super) fn holds(
        &self,
        context: &Context,
        variables: bool,
        undecided: &mut Vec<String>,
    ) -> Truth {
        if self.kind == Kind::Unsupported {
            undecided.push(format!("condition operator `{}`", self.operator));
            return Truth::Unknown;
        }
        let present = match context.lookup(&self.key) {
            Ok(values) => values,
            Err(()) => {
                undecided.push(format!("condition key `{}`", self.key));
                return Truth::Unknown;
            }
        };
        if self.kind == Kind::Null {
            let is_absent = present.is_none_or(<[String]>::is_empty);
            return Truth::from(
                self.values
                    .iter()
                    .any(|v| v.eq_ignore_ascii_case("true") == is_absent),
            );
        }
        let Some(actual) = present.filter(|v| !v.is_empty()) else {
            return Truth::from(match self.set {
                _ if self.if_exists => true,
                Set::All => true,
                Set::Any => false,
                Set::One => self.negated,
            });
        };
        let mut wanted = Vec::with_capacity(self.values.len());
        for v in &self.values {
            if variables && v.contains("${") {
                match substitute(v, context) {
                    Ok(v) => wanted.push(v),
                    Err(variable) => {
                        undecided.push(variable);
                        return Truth::Unknown;
                    }
                }
            } else {
                wanted.push(v.clone());
            }
        }
        let ok = |a: &String| {
            let matched = wanted.iter().any(|w| self.kind.matches(w, a));
            matched != self.negated
        };
        Truth::from(match self.set {
            Set::All => actual.iter().all(ok),
            Set::One | Set::Any => actual.iter().any(ok),
        })
    }
}

impl Clause {
    /// What this clause asks that `context` cannot answer (see [`Clause::holds`]).
    pub(super) fn undecidable(&self, context: &Context, variables: bool, out: &mut Vec<String>) {
        if self.kind == Kind::Unsupported {
            out.push(format!("condition operator `{}`", self.operator));
        } else if context.lookup(&self.key).is_err() {
            out.push(format!("condition key `{}`", self.key));
        }
        if variables {
            for v in self.values.iter().filter(|v| v.contains("${")) {
                if let Err(variable) = substitute(v, context) {
                    out.push(variable);
                }
            }
        }
    }
}

impl Kind {
    /// Whether the request's value `actual` matches the policy's value `wanted`.
    fn matches(self, wanted: &str, actual: &str) -> bool {
        match self {
            Kind::String => wanted == actual,
            Kind::StringIgnoreCase => wanted.to_lowercase() == actual.to_lowercase(),
            Kind::StringLike => glob(wanted, actual, false),
            Kind::Numeric(order) => match (wanted.parse::<f64>(), actual.parse::<f64>()) {
                (Ok(w), Ok(a)) => match order {
                    Ordering::Equal => a == w,
                    Ordering::Less => a < w,
                    Ordering::LessOrEqual => a <= w,
                    Ordering::Greater => a > w,
                    Ordering::GreaterOrEqual => a >= w,
                },
                _ => false,
            },
            Kind::Bool => wanted.eq_ignore_ascii_case(actual),
            // Each of the six parts separately, each with its own wildcards.
            Kind::Arn => {
                let w: Vec<&str> = wanted.splitn(6, ':').collect();
                let a: Vec<&str> = actual.splitn(6, ':').collect();
                w.len() == 6 && a.len() == 6 && w.iter().zip(&a).all(|(w, a)| glob(w, a, false))
            }
            Kind::Null | Kind::Unsupported => false,
        }
    }
}
