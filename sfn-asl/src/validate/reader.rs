//! The schema pass's toolbox: where we are (pointer, state), the findings so far, and typed
//! readers that report a wrong type instead of failing.

use std::collections::HashSet;

use serde_json::{Map, Number, Value};

use crate::error::{ExprError, Finding, FindingCode};
use crate::model::QueryLanguage;

/// A JSON pointer being built while walking the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Pointer(String);

impl Pointer {
    /// The pointer one object key further down.
    pub(crate) fn key(&self, k: &str) -> Pointer {
        Pointer(format!("{}/{}", self.0, super::escape_segment(k)))
    }
    /// The pointer one array index further down.
    pub(crate) fn index(&self, i: usize) -> Pointer {
        Pointer(format!("{}/{i}", self.0))
    }
    /// Appends a pointer relative to this one (`/a/b` or `a/b`).
    pub(crate) fn join(&self, rel: &str) -> Pointer {
        if rel.is_empty() {
            self.clone()
        } else if rel.starts_with('/') {
            Pointer(format!("{}{rel}", self.0))
        } else {
            Pointer(format!("{}/{rel}", self.0))
        }
    }
    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// In which query language a field may appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Both,
    JsonPath,
    Jsonata,
}

/// The fields an object may have, with the language each belongs to.
pub(crate) type Spec = &'static [(&'static str, Lang)];

/// Walk state and findings of one schema pass.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    pub(crate) findings: Vec<Finding>,
    /// Name and pointer of the state being read, for messages.
    state: Option<(String, Pointer)>,
    /// The top-level `QueryLanguage`.
    pub(crate) top_language: Option<QueryLanguage>,
    /// Current nesting of scopes and choice rules.
    pub(crate) depth: usize,
    /// Pointers of required fields found missing: the linter's findings there are echoes.
    pub(crate) missing: HashSet<String>,
    /// Did-you-mean hints for unknown fields and values.
    pub(crate) suggest: Suggester,
}

impl Ctx {
    /// Enters a state (for messages); returns the previous one to restore.
    pub(crate) fn enter_state(&mut self, name: &str, at: &Pointer) -> Option<(String, Pointer)> {
        self.state.replace((name.to_owned(), at.clone()))
    }
    pub(crate) fn leave_state(&mut self, previous: Option<(String, Pointer)>) {
        self.state = previous;
    }

    /// Records a finding; `text` is the AWS wording, the location is added here.
    pub(crate) fn report(
        &mut self,
        at: &Pointer,
        code: FindingCode,
        text: &str,
        hint: Option<String>,
    ) {
        let message = match &self.state {
            Some((name, sp)) if at.0.starts_with(&sp.0) => {
                super::located_message(Some(name), &at.0[sp.0.len()..], text)
            }
            _ => super::located_message(None, &at.0, text),
        };
        // Expression parsers may report one mistake twice; the user needs it once.
        if !self
            .findings
            .iter()
            .any(|f| f.pointer == at.0 && f.code == code && f.message == message)
        {
            self.findings.push(Finding {
                pointer: at.0.clone(),
                code,
                message,
                hint,
            });
        }
    }

    /// Records a `SCHEMA_VALIDATION_FAILED` finding.
    pub(crate) fn schema(&mut self, at: &Pointer, text: &str, hint: Option<String>) {
        self.report(at, FindingCode::SchemaValidationFailed, text, hint);
    }

    /// Records an expression that does not parse.
    pub(crate) fn expr(&mut self, at: &Pointer, what: &str, e: &ExprError) {
        self.report(
            at,
            FindingCode::InvalidExpression,
            &format!("{what}: {e}"),
            Some(format!("fix the expression near character {}", e.position)),
        );
    }

    /// Checks an object's keys against `spec` for a state in `lang`: unknown keys get "not
    /// supported" (with a did-you-mean), keys of the other query language get AWS's message.
    /// Returns the object with the rejected keys hidden, so they are not read again.
    pub(crate) fn object<'a>(
        &mut self,
        map: &'a Map<String, Value>,
        at: &Pointer,
        spec: Spec,
        lang: QueryLanguage,
    ) -> Obj<'a> {
        let mut hidden = Vec::new();
        for key in map.keys() {
            match spec.iter().find(|(name, _)| name == key) {
                Some((_, Lang::Both)) => {}
                Some((_, Lang::JsonPath)) if lang == QueryLanguage::JsonPath => {}
                Some((_, Lang::Jsonata)) if lang == QueryLanguage::Jsonata => {}
                Some(_) => {
                    let (set, other) = match lang {
                        QueryLanguage::Jsonata => ("JSONata", "JSONPath"),
                        QueryLanguage::JsonPath => ("JSONPath", "JSONata"),
                    };
                    let text = format!(
                        "The QueryLanguage is set to '{set}', but field '{key}' is only supported for the '{other}' QueryLanguage"
                    );
                    let hint = format!(
                        "remove `{key}` or set `\"QueryLanguage\": \"{other}\"` on the state"
                    );
                    self.schema(&at.key(key), &text, Some(hint));
                    hidden.push(key.as_str());
                }
                None => {
                    let hint = (self.suggest)
                        .did_you_mean(key, spec.iter().map(|(n, _)| *n))
                        .or_else(|| Some(format!("remove `{key}`")));
                    self.schema(
                        &at.key(key),
                        &format!("Field '{key}' is not supported"),
                        hint,
                    );
                    hidden.push(key.as_str());
                }
            }
        }
        Obj {
            map,
            at: at.clone(),
            hidden,
        }
    }

    /// Reports every name of `required` that `obj` lacks, in one finding at the object.
    pub(crate) fn require(&mut self, obj: &Obj<'_>, required: &[&str]) {
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|k| !obj.map.contains_key(*k))
            .collect();
        self.missing.extend(missing.iter().map(|m| obj.at.key(m).0));
        if !missing.is_empty() {
            let text = format!("These fields are required: [{}]", missing.join(", "));
            let hint = format!(
                "add {}",
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            );
            self.schema(&obj.at, &text, Some(hint));
        }
    }

    /// Reports that at most one of `names` may be present; returns whether the rule holds.
    pub(crate) fn at_most_one(&mut self, obj: &Obj<'_>, names: &[&str]) -> bool {
        let present: Vec<&str> = names
            .iter()
            .copied()
            .filter(|k| obj.get(k).is_some())
            .collect();
        if present.len() > 1 {
            let text = format!(
                "There should only be one of the following fields: [{}]",
                names.join(", ")
            );
            let last = present.last().copied().unwrap_or_default();
            self.schema(
                &obj.at.key(last),
                &text,
                Some(format!("keep only one of {}", present.join(", "))),
            );
            return false;
        }
        true
    }

    pub(crate) fn wrong_type(&mut self, at: &Pointer, expected: &str) {
        self.schema(
            at,
            &format!("Value must be {expected}"),
            Some(format!("write {expected} here")),
        );
    }

    /// A string field.
    pub(crate) fn string(&mut self, obj: &Obj<'_>, key: &str) -> Option<String> {
        let v = obj.get(key)?;
        match v.as_str() {
            Some(s) => Some(s.to_owned()),
            None => {
                self.wrong_type(&obj.at.key(key), "a string");
                None
            }
        }
    }

    /// A boolean field.
    pub(crate) fn boolean(&mut self, obj: &Obj<'_>, key: &str) -> Option<bool> {
        let v = obj.get(key)?;
        match v.as_bool() {
            Some(b) => Some(b),
            None => {
                self.wrong_type(&obj.at.key(key), "a boolean");
                None
            }
        }
    }

    /// A non-negative integer field; `min` is only used to word the message for negatives
    /// (range checks belong to the linter, which sees models that never were JSON).
    pub(crate) fn integer(&mut self, obj: &Obj<'_>, key: &str, min: u64) -> Option<u64> {
        let v = obj.get(key)?;
        self.integer_value(v, &obj.at.key(key), min)
    }

    pub(crate) fn integer_value(&mut self, v: &Value, at: &Pointer, min: u64) -> Option<u64> {
        match v {
            Value::Number(n) if n.is_u64() => n.as_u64(),
            Value::Number(n) if n.is_i64() => {
                self.schema(
                    at,
                    &format!("Minimum value is {min}"),
                    Some(format!("use {min} or more")),
                );
                None
            }
            _ => {
                self.wrong_type(at, "an integer");
                None
            }
        }
    }

    /// A number field.
    pub(crate) fn number(&mut self, obj: &Obj<'_>, key: &str) -> Option<Number> {
        let v = obj.get(key)?;
        match v {
            Value::Number(n) => Some(n.clone()),
            _ => {
                self.wrong_type(&obj.at.key(key), "a number");
                None
            }
        }
    }

    /// A string field holding one of an enum's spellings.
    pub(crate) fn one_of<T: Copy>(
        &mut self,
        obj: &Obj<'_>,
        key: &str,
        all: &[T],
        name: impl Fn(T) -> &'static str,
    ) -> Option<T> {
        let s = self.string(obj, key)?;
        if let Some(v) = all.iter().copied().find(|v| name(*v) == s) {
            return Some(v);
        }
        let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
        let text = format!(
            "The field '{key}' should have one of these values: [{}]",
            names.join(", ")
        );
        let hint = (self.suggest)
            .did_you_mean(&s, names.iter().copied())
            .or_else(|| Some("use one of the listed values".into()));
        self.schema(&obj.at.key(key), &text, hint);
        None
    }

    /// An array of strings (e.g. `ErrorEquals`).
    pub(crate) fn strings(&mut self, obj: &Obj<'_>, key: &str) -> Option<Vec<String>> {
        let v = obj.get(key)?;
        let at = obj.at.key(key);
        let Some(items) = v.as_array() else {
            self.wrong_type(&at, "an array of strings");
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(s) => out.push(s.to_owned()),
                None => self.wrong_type(&at.index(i), "a string"),
            }
        }
        Some(out)
    }

    /// An object-valued field.
    pub(crate) fn object_field<'a>(
        &mut self,
        obj: &Obj<'a>,
        key: &str,
    ) -> Option<&'a Map<String, Value>> {
        let v = obj.get(key)?;
        match v.as_object() {
            Some(m) => Some(m),
            None => {
                self.wrong_type(&obj.at.key(key), "an object");
                None
            }
        }
    }
}

/// An object with the keys the schema rejected hidden.
#[derive(Debug)]
pub(crate) struct Obj<'a> {
    pub(crate) map: &'a Map<String, Value>,
    pub(crate) at: Pointer,
    hidden: Vec<&'a str>,
}

impl<'a> Obj<'a> {
    pub(crate) fn with_hidden(
        map: &'a Map<String, Value>,
        at: &Pointer,
        hidden: Vec<&'a str>,
    ) -> Obj<'a> {
        Obj {
            map,
            at: at.clone(),
            hidden,
        }
    }
    /// The value of `key`, unless absent or rejected.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        if self.hidden.contains(&key) {
            return None;
        }
        self.map.get(key)
    }
    /// Whether `key` is present (rejected or not).
    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// How much did-you-mean work one pass may do, in pairs of bytes compared (the Jaro-Winkler
/// distance costs at most the product of the two lengths). Plenty for any real definition (a
/// misspelt 30-character name among 500 states costs 450,000); a hostile one with thousands of
/// dangling targets gets its first hints and then plain ones, instead of quadratic time.
pub(crate) const SUGGESTION_BUDGET: u64 = 20_000_000;

/// Names longer than this (in bytes) are never compared: AWS caps state names at 80 characters
/// and field names are shorter, so only hostile input is longer.
pub(crate) const MAX_SUGGESTED_BYTES: usize = 320;

/// Finds the known name closest to a misspelt one, within [`SUGGESTION_BUDGET`].
#[derive(Debug)]
pub(crate) struct Suggester {
    /// Work left, in the unit of [`SUGGESTION_BUDGET`].
    left: u64,
    /// Distances computed so far (so tests can see the work is bounded).
    pub(crate) compared: u64,
}

impl Default for Suggester {
    fn default() -> Self {
        Suggester {
            left: SUGGESTION_BUDGET,
            compared: 0,
        }
    }
}

impl Suggester {
    /// "did you mean `Resource`?" when a known name is close to `given`. `None` when nothing is
    /// close, and also once the budget is spent (a partial search could name a worse match).
    pub(crate) fn did_you_mean<'n>(
        &mut self,
        given: &str,
        known: impl Iterator<Item = &'n str>,
    ) -> Option<String> {
        if given.len() > MAX_SUGGESTED_BYTES || self.left == 0 {
            return None;
        }
        let lower = given.to_lowercase();
        let given_chars = lower.chars().count();
        let mut best: Option<(f64, &str)> = None;
        for k in known {
            // Every name looked at costs something, so the number looked at is bounded too.
            let cost = if k.len() > MAX_SUGGESTED_BYTES {
                1
            } else {
                (given.len() * k.len()).max(1) as u64
            };
            if cost > self.left {
                self.left = 0;
                return None;
            }
            self.left -= cost;
            if k.len() > MAX_SUGGESTED_BYTES {
                continue;
            }
            let k_lower = k.to_lowercase();
            if !may_be_close(given_chars, k_lower.chars().count()) {
                continue;
            }
            self.compared += 1;
            let score = strsim::jaro_winkler(&lower, &k_lower);
            // The last of equal scores wins, as `Iterator::max_by` picks.
            if score >= 0.85 && best.is_none_or(|(b, _)| score >= b) {
                best = Some((score, k));
            }
        }
        best.map(|(_, k)| format!("did you mean `{k}`?"))
    }
}

/// Whether two names of these lengths (in characters) can reach a Jaro-Winkler score of 0.85.
/// Jaro is at most (2 + short/long) / 3 and the prefix bonus adds at most 0.4 of the rest, so a
/// name under a quarter of the other's length never does: skipping it changes no hint.
fn may_be_close(a: usize, b: usize) -> bool {
    4 * a.min(b) >= a.max(b)
}

/// Whether a string is a JSONata expression (`{% … %}`, no outer whitespace).
pub(crate) fn is_jsonata(s: &str) -> bool {
    s.len() >= 4 && s.starts_with("{%") && s.ends_with("%}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_close_names() {
        let known = ["Resource", "Parameters", "Next"];
        let did_you_mean = |given: &str, known| Suggester::default().did_you_mean(given, known);
        assert_eq!(
            did_you_mean("Resouce", known.iter().copied()).as_deref(),
            Some("did you mean `Resource`?")
        );
        assert_eq!(
            did_you_mean("next", known.iter().copied()).as_deref(),
            Some("did you mean `Next`?")
        );
        assert_eq!(did_you_mean("Zebra", known.iter().copied()), None);
    }

    #[test]
    fn suggestion_work_is_bounded_by_the_budget() {
        use std::cell::Cell;
        // 25,000 misspelt targets against 25,000 names: 625,000,000 distances uncapped.
        let names: Vec<String> = (0..25_000).map(|i| format!("S{i}")).collect();
        let looked_at = Cell::new(0u64);
        let mut suggest = Suggester::default();
        for i in 0..25_000 {
            let known = names.iter().map(|n| {
                looked_at.set(looked_at.get() + 1);
                n.as_str()
            });
            suggest.did_you_mean(&format!("S{i}x"), known);
        }
        // Each name costs at least its byte product (2 × 3 here), so the budget bounds both the
        // names looked at and the distances computed; a spent budget looks at nothing.
        assert!(
            looked_at.get() <= SUGGESTION_BUDGET / 6 + 25_000,
            "{}",
            looked_at.get()
        );
        assert!(suggest.compared <= looked_at.get());
        assert_eq!(suggest.left, 0);
        let before = looked_at.get();
        let known = names.iter().map(|n| {
            looked_at.set(looked_at.get() + 1);
            n.as_str()
        });
        assert_eq!(suggest.did_you_mean("S1x", known), None);
        assert_eq!(looked_at.get(), before);
    }

    #[test]
    fn long_names_are_never_compared() {
        let long = "A".repeat(300_000);
        let near = format!("{}B", "A".repeat(299_999));
        let mut suggest = Suggester::default();
        assert_eq!(
            suggest.did_you_mean(&near, [long.as_str()].into_iter()),
            None
        );
        assert_eq!(
            suggest
                .did_you_mean("Start", [long.as_str(), "Start1"].into_iter())
                .as_deref(),
            Some("did you mean `Start1`?")
        );
        assert_eq!(suggest.compared, 1);
        // A name at the limit is still compared.
        let at_limit = "a".repeat(MAX_SUGGESTED_BYTES);
        let typo = format!("{}b", "a".repeat(MAX_SUGGESTED_BYTES - 1));
        assert!(suggest
            .did_you_mean(&typo, [at_limit.as_str()].into_iter())
            .is_some());
    }

    #[test]
    fn names_of_far_apart_lengths_are_skipped_without_changing_hints() {
        // The bound is exact: at a quarter of the length the best possible score is 0.85.
        assert!(may_be_close(4, 16) && may_be_close(16, 4));
        assert!(!may_be_close(4, 17) && !may_be_close(17, 4));
        let best = strsim::jaro_winkler("abcd", &format!("abcd{}", "x".repeat(12)));
        assert!(best <= 0.85 + 1e-9, "{best}");
        let mut suggest = Suggester::default();
        let long = format!("abcd{}", "x".repeat(13));
        assert_eq!(
            suggest.did_you_mean("abcd", [long.as_str()].into_iter()),
            None
        );
        assert_eq!(suggest.compared, 0);
    }

    #[test]
    fn pointer_escapes_segments() {
        let p = Pointer::default().key("States").key("a/b~c").index(2);
        assert_eq!(p.as_str(), "/States/a~1b~0c/2");
    }

    #[test]
    fn jsonata_strings_need_both_delimiters() {
        assert!(is_jsonata("{% $x %}"));
        assert!(!is_jsonata(" {% $x %}"));
        assert!(!is_jsonata("{%"));
    }
}
