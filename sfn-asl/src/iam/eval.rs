//! Whether a role's identity-based policies allow a request, after AWS's evaluation logic for
//! the policies of one account ("Policy evaluation logic" in the IAM User Guide): a statement
//! that denies the request wins over any that allows it, and a request no statement allows is
//! denied implicitly.
//!
//! A statement applies when its `Action` (or `NotAction`), its `Resource` (or `NotResource`)
//! and its `Condition` all match. Action names match without regard to case, resources with
//! case; both take the wildcards `*` and `?`. In a resource ARN a `*` stays within its segment
//! (the parts between colons) unless it ends the segment, where it may reach past the colons,
//! as the IAM User Guide describes ("Using wildcards in resource ARNs").
//!
//! What this evaluator cannot decide, it decides against the caller: a condition on a key the
//! request context neither holds nor declares absent, a `Date*`, `IpAddress`, `NotIpAddress` or
//! `BinaryEquals` condition, or a policy variable (`${aws:username}`) it cannot substitute
//! makes an `Allow` statement not apply and a `Deny` statement apply. Such a decision lists
//! what it could not decide in [`Evaluation::undecided`], so a caller can say so.
//!
//! Why by hand: evaluating a policy document is a small, closed piece of logic, and no
//! well-kept crate does it for identity-based policies without an identity model around it.
//!
//! ```
//! use sfn_asl::iam::eval::{Context, Decision, RolePolicy};
//! let policy = RolePolicy::parse(r#"{"Version": "2012-10-17", "Statement": [
//!     {"Effect": "Allow", "Action": "dynamodb:*Item", "Resource": "arn:aws:dynamodb:*:*:table/orders"},
//!     {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": "*"}]}"#).unwrap();
//! let context = Context::new();
//! let table = "arn:aws:dynamodb:us-east-1:123456789012:table/orders";
//! assert_eq!(policy.evaluate("dynamodb:putitem", table, &context).decision, Decision::Allow);
//! assert_eq!(policy.evaluate("dynamodb:DeleteItem", table, &context).decision, Decision::ExplicitDeny);
//! assert_eq!(policy.evaluate("sqs:SendMessage", table, &context).decision, Decision::ImplicitDeny);
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::condition::{Clause, Truth};

/// A role's identity-based policies: the statements of one or more policy documents.
#[derive(Debug, Clone, PartialEq)]
pub struct RolePolicy {
    statements: Vec<Statement>,
}

/// A policy document that IAM would refuse (`MalformedPolicyDocument`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The text is not JSON.
    #[error("the policy is not JSON: {0}")]
    Json(String),
    /// The document breaks IAM's grammar at `at` (`Statement[1].Effect`).
    #[error("{at}: {message}")]
    Invalid {
        /// Where: the element's path in the document.
        at: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// How the policies answer a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A statement allows the request and none denies it.
    Allow,
    /// No statement allows the request.
    ImplicitDeny,
    /// A statement denies the request.
    ExplicitDeny,
}

/// A decision, with what it could not decide exactly (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The answer.
    pub decision: Decision,
    /// The condition keys, operators and policy variables decided against the caller.
    pub undecided: Vec<String>,
}

/// The request context: the condition keys a request carries, and those known to be absent
/// from it. Keys are compared without regard to case, as IAM does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    values: BTreeMap<String, Vec<String>>,
    absent: BTreeSet<String>,
}

impl Context {
    /// An empty context: every key is unknown.
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets `key` to one value.
    pub fn set(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.set_all(key, vec![value.into()])
    }

    /// Sets `key` to several values (a multivalued key such as `aws:TagKeys`).
    pub fn set_all(&mut self, key: &str, values: Vec<String>) -> &mut Self {
        let key = key.to_ascii_lowercase();
        self.absent.remove(&key);
        self.values.insert(key, values);
        self
    }

    /// Declares that requests never carry `key` (for a role session, `aws:username`).
    pub fn absent(&mut self, key: &str) -> &mut Self {
        let key = key.to_ascii_lowercase();
        self.values.remove(&key);
        self.absent.insert(key);
        self
    }

    /// The values of `key`: `Ok(Some(values))` when present, `Ok(None)` when known to be
    /// absent, `Err(())` when unknown.
    pub(super) fn lookup(&self, key: &str) -> Result<Option<&[String]>, ()> {
        let key = key.to_ascii_lowercase();
        match self.values.get(&key) {
            Some(v) => Ok(Some(v)),
            None if self.absent.contains(&key) => Ok(None),
            None => Err(()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

/// `Action` / `Resource` (patterns that must match) or `NotAction` / `NotResource` (patterns
/// that must not).
#[derive(Debug, Clone, PartialEq)]
enum Patterns {
    Is(Vec<String>),
    Not(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
struct Statement {
    effect: Effect,
    actions: Patterns,
    resources: Patterns,
    conditions: Vec<Clause>,
    /// Version 2012-10-17: `${…}` in resources and condition values is a policy variable.
    variables: bool,
}

impl RolePolicy {
    /// Reads a policy document, or a JSON array of documents (the policies attached to one
    /// role).
    pub fn parse(text: &str) -> Result<RolePolicy, PolicyError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| PolicyError::Json(e.to_string()))?;
        RolePolicy::from_value(&value)
    }

    /// [`RolePolicy::parse`] of a JSON value.
    pub fn from_value(value: &Value) -> Result<RolePolicy, PolicyError> {
        let mut statements = Vec::new();
        match value {
            Value::Array(documents) => {
                for (i, d) in documents.iter().enumerate() {
                    document(d, &format!("[{i}]"), &mut statements)?;
                }
            }
            d => document(d, "", &mut statements)?,
        }
        Ok(RolePolicy { statements })
    }

    /// What the statements ask that requests in `context` cannot answer: condition keys it
    /// neither holds nor declares absent, unsupported operators, policy variables it cannot
    /// replace. Statements using them never allow and always deny.
    pub fn undecidable(&self, context: &Context) -> Vec<String> {
        let mut out = Vec::new();
        for st in &self.statements {
            for clause in &st.conditions {
                clause.undecidable(context, st.variables, &mut out);
            }
            let (Patterns::Is(p) | Patterns::Not(p)) = &st.resources;
            for pattern in p {
                if let Err(variable) = st.substitute(pattern, context) {
                    out.push(variable);
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// How the statements answer `action` on `resource` in `context`.
    pub fn evaluate(&self, action: &str, resource: &str, context: &Context) -> Evaluation {
        let mut undecided = Vec::new();
        let mut allowed = false;
        for st in &self.statements {
            let applies = st.applies(action, resource, context, &mut undecided);
            match (st.effect, applies) {
                // Denied even when not every part could be decided: never allow by accident.
                (Effect::Deny, Truth::True | Truth::Unknown) => {
                    return Evaluation {
                        decision: Decision::ExplicitDeny,
                        undecided,
                    };
                }
                (Effect::Allow, Truth::True) => allowed = true,
                _ => {}
            }
        }
        let decision = if allowed {
            Decision::Allow
        } else {
            Decision::ImplicitDeny
        };
        undecided.sort();
        undecided.dedup();
        Evaluation {
            decision,
            undecided,
        }
    }
}

impl Statement {
    fn applies(
        &self,
        action: &str,
        resource: &str,
        context: &Context,
        undecided: &mut Vec<String>,
    ) -> Truth {
        let action_matches = match &self.actions {
            Patterns::Is(p) => p.iter().any(|p| action_like(p, action)),
            Patterns::Not(p) => !p.iter().any(|p| action_like(p, action)),
        };
        if !action_matches {
            return Truth::False;
        }
        let mut resource_matches = |patterns: &[String]| {
            let mut any = Truth::False;
            for p in patterns {
                any = any.or(match self.substitute(p, context) {
                    Ok(p) => Truth::from(arn_like(&p, resource)),
                    Err(variable) => {
                        undecided.push(variable);
                        Truth::Unknown
                    }
                });
            }
            any
        };
        let resources = match &self.resources {
            Patterns::Is(p) => resource_matches(p),
            Patterns::Not(p) => resource_matches(p).not(),
        };
        let mut truth = resources;
        for clause in &self.conditions {
            if truth == Truth::False {
                break;
            }
            truth = truth.and(clause.holds(context, self.variables, undecided));
        }
        truth
    }

    /// `pattern` with its policy variables replaced, or the first it cannot replace.
    fn substitute(&self, pattern: &str, context: &Context) -> Result<String, String> {
        if !self.variables || !pattern.contains("${") {
            return Ok(pattern.to_owned());
        }
        substitute(pattern, context)
    }
}

/// Replaces each `${key}` by the key's single value in `context`. The escapes `${*}`, `${?}`,
/// `${$}` and defaults (`${key, 'x'}`) are not supported: the caller treats them as undecided.
pub(super) fn substitute(text: &str, context: &Context) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(format!("policy variable in `{text}`"));
        };
        let key = &after[..end];
        match context.lookup(key) {
            Ok(Some([value])) if !value.contains(['*', '?']) => out.push_str(value),
            _ => return Err(format!("policy variable `${{{key}}}`")),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Reads one document's statements into `out`; `at` is its place in an array of documents.
fn document(d: &Value, at: &str, out: &mut Vec<Statement>) -> Result<(), PolicyError> {
    let invalid = |path: &str, message: String| PolicyError::Invalid {
        at: format!("{at}{}{path}", if at.is_empty() { "" } else { "." }),
        message,
    };
    let Some(fields) = d.as_object() else {
        return Err(invalid(
            "",
            "a policy document is a JSON object with `Version` and `Statement`".into(),
        ));
    };
    let variables = match fields.get("Version") {
        Some(Value::String(v)) if v == "2012-10-17" => true,
        // Before 2012-10-17 `${…}` was literal text; no version means 2008-10-17.
        Some(Value::String(v)) if v == "2008-10-17" => false,
        None => false,
        Some(other) => {
            return Err(invalid(
                "Version",
                format!("`{other}` is not a policy version; write \"2012-10-17\""),
            ))
        }
    };
    let statements = match fields.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect::<Vec<_>>(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => {
            return Err(invalid(
                "Statement",
                "a policy needs `Statement`: a statement object or an array of them".into(),
            ))
        }
    };
    for (i, st) in statements.into_iter().enumerate() {
        let path = format!("Statement[{i}]");
        out.push(statement(st, variables).map_err(|(field, message)| {
            let path = if field.is_empty() {
                path.clone()
            } else {
                format!("{path}.{field}")
            };
            invalid(&path, message)
        })?);
    }
    Ok(())
}

/// One statement, or the field that is wrong and why.
fn statement(st: &Value, variables: bool) -> Result<Statement, (String, String)> {
    let Some(fields) = st.as_object() else {
        return Err((String::new(), "a statement is a JSON object".into()));
    };
    for principal in ["Principal", "NotPrincipal"] {
        if fields.contains_key(principal) {
            return Err((
                principal.into(),
                "an identity-based policy names no principal (the role is the principal); \
                 remove it"
                    .into(),
            ));
        }
    }
    let effect = match fields.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        _ => {
            return Err((
                "Effect".into(),
                "`Effect` must be \"Allow\" or \"Deny\"".into(),
            ))
        }
    };
    let actions = either(fields, "Action", "NotAction")?;
    let resources = either(fields, "Resource", "NotResource")?;
    let conditions = match fields.get("Condition") {
        None => Vec::new(),
        Some(c) => super::condition::parse(c).map_err(|m| ("Condition".to_owned(), m))?,
    };
    Ok(Statement {
        effect,
        actions,
        resources,
        conditions,
        variables,
    })
}

/// Exactly one of `is` and `not`, as a string or an array of strings.
fn either(
    fields: &serde_json::Map<String, Value>,
    is: &str,
    not: &str,
) -> Result<Patterns, (String, String)> {
    match (fields.get(is), fields.get(not)) {
        (Some(v), None) => Ok(Patterns::Is(strings(v).map_err(|m| (is.to_owned(), m))?)),
        (None, Some(v)) => Ok(Patterns::Not(strings(v).map_err(|m| (not.to_owned(), m))?)),
        _ => Err((
            String::new(),
            format!("a statement has exactly one of `{is}` and `{not}`"),
        )),
    }
}

fn strings(v: &Value) -> Result<Vec<String>, String> {
    let one = |v: &Value| v.as_str().map(str::to_owned);
    let list = match v {
        Value::Array(items) => items.iter().map(one).collect::<Option<Vec<_>>>(),
        v => one(v).map(|s| vec![s]),
    };
    match list {
        Some(l) if !l.is_empty() => Ok(l),
        _ => Err("expected a string or a non-empty array of strings".into()),
    }
}

/// `dynamodb:*Item` against `dynamodb:PutItem`: wildcards, without regard to case.
fn action_like(pattern: &str, action: &str) -> bool {
    glob(
        &pattern.to_ascii_lowercase(),
        &action.to_ascii_lowercase(),
        false,
    )
}

/// A resource ARN pattern against an ARN: `*` alone matches everything; otherwise a `*` or `?`
/// inside a segment stays inside it, and a `*` that ends a segment may reach past colons.
pub(super) fn arn_like(pattern: &str, arn: &str) -> bool {
    pattern == "*" || glob(pattern, arn, true)
}

/// `*`/`?` wildcard matching of `text` against `pattern`. With `segments`, `?` and a `*` not
/// followed by `:` or the end do not match `:`. Dynamic programming over one row: time
/// `pattern × text`, memory `text`, whatever the pattern (no backtracking blow-up).
pub(super) fn glob(pattern: &str, text: &str, segments: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // row[j]: pattern[..i] matches text[..j].
    let mut row = vec![false; t.len() + 1];
    row[0] = true;
    for (i, &pc) in p.iter().enumerate() {
        let mut next = vec![false; t.len() + 1];
        match pc {
            '*' => {
                let crosses = !segments || matches!(p.get(i + 1), None | Some(':'));
                next[0] = row[0];
                for j in 1..=t.len() {
                    next[j] = row[j] || (next[j - 1] && (crosses || t[j - 1] != ':'));
                }
            }
            _ => {
                for j in 1..=t.len() {
                    let c = t[j - 1];
                    let one = if pc == '?' {
                        !(segments && c == ':')
                    } else {
                        pc == c
                    };
                    next[j] = row[j - 1] && one;
                }
            }
        }
        row = next;
    }
    row[t.len()]
}
