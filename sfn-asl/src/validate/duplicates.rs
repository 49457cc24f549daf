//! Duplicate state names inside one `States` object.
//!
//! A JSON object with a repeated key silently keeps the last value once read into a
//! `serde_json::Value`, so this rule needs the text: a second, allocation-light pass over it
//! that only follows `States` objects and records the names seen twice.

use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::escape_segment;
use crate::error::{Finding, FindingCode};

/// Every state name repeated within one `States` object of `text` (which must be valid JSON;
/// serde_json's recursion limit bounds the walk).
pub(crate) fn duplicate_state_names(text: &str) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    // Errors are the JSON parser's to report; this pass only adds what it could see.
    let _ = Walk {
        pointer: String::new(),
        states: false,
        found: &mut found,
    }
    .deserialize(&mut de);
    found
}

/// Walks one value at `pointer`; `states` says the value is a `States` object.
struct Walk<'f> {
    pointer: String,
    states: bool,
    found: &'f mut Vec<Finding>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!("{}/{}", self.pointer, escape_segment(&key));
            if self.states && !seen.insert(key.clone()) {
                self.found.push(Finding {
                    message: format!("state `{key}`: Duplicate State name: {key}"),
                    pointer: pointer.clone(),
                    code: FindingCode::DuplicateStateName,
                    hint: Some("rename one of the two states; JSON keeps only the last one".into()),
                });
            }
            // Only objects on the way to a `States` object can hold states.
            map.next_value_seed(Walk {
                pointer,
                states: key == "States" && !self.states,
                found: self.found,
            })?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        while seq
            .next_element_seed(Walk {
                pointer: format!("{}/{i}", self.pointer),
                states: false,
                found: self.found,
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_state_name_is_found() {
        let text =
            r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true},"A":{"Type":"Succeed"}}}"#;
        let f = duplicate_state_names(text);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].pointer, "/States/A");
        assert_eq!(f[0].code, FindingCode::DuplicateStateName);
    }

    #[test]
    fn nested_scopes_are_walked_and_other_keys_ignored() {
        let text = r#"{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
            {"StartAt":"X","States":{"X":{"Type":"Succeed"},"X":{"Type":"Succeed"}}}]}},"Comment":"a","Comment":"b"}"#;
        let f = duplicate_state_names(text);
        let pointers: Vec<&str> = f.iter().map(|x| x.pointer.as_str()).collect();
        assert_eq!(pointers, ["/States/P/Branches/0/States/X"]);
    }

    #[test]
    fn a_state_named_states_is_not_a_scope() {
        let text = r#"{"StartAt":"States","States":{"States":{"Type":"Pass","Result":{"a":1,"a":2},"End":true}}}"#;
        assert!(duplicate_state_names(text).is_empty());
    }
}
