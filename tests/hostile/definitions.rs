//! Hostile definitions, shared by the subprocess suite (`tests/hostile.rs`) and the validator's
//! own tests (`sfn-asl/tests/validate_hostile.rs`), so both attack with the same text.

use serde_json::{json, Map};

/// A 900 KB definition whose only state has a 300,000-character name and a `Next` naming
/// another name of that length, one letter off (their edit distance took 49 s).
pub fn long_state_name() -> String {
    let name = "A".repeat(300_000);
    let target = format!("{}B", "A".repeat(299_999));
    json!({"StartAt": name, "States": {&name: {"Type": "Pass", "Next": target}}}).to_string()
}

/// 25,000 states in one scope, each but the first with a dangling `Next` one letter off its
/// own name (each was compared with every name: 67 s).
pub fn dangling_targets() -> String {
    let mut states = Map::new();
    for i in 0..25_000 {
        states.insert(
            short_name(i),
            json!({"Type": "Pass", "Next": format!("{}x", short_name(i))}),
        );
    }
    states.insert(short_name(0), json!({"Type": "Pass", "End": true}));
    json!({"StartAt": short_name(0), "States": states}).to_string()
}

/// A distinct three-character state name for each `i` below 62³.
pub fn short_name(i: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    [i / 3844, i / 62 % 62, i % 62]
        .iter()
        .map(|&d| DIGITS[d] as char)
        .collect()
}

/// Over the 1 MiB limit, and broken in 80,000 ways besides (AWS refuses it by its size alone).
pub fn oversized() -> String {
    let mut states = Map::new();
    for i in 0..40_000 {
        states.insert(
            format!("S{i}"),
            json!({"Type": "Pass", "Next": format!("Nowhere{i}"), "Bogus": i}),
        );
    }
    json!({"StartAt": "Missing", "States": states}).to_string()
}

/// `count` states, each with an unknown field and a dangling `Next`: thousands of schema and
/// linter findings to match against each other.
pub fn schema_and_linter_findings(count: usize) -> String {
    let mut states = Map::new();
    for i in 0..count {
        states.insert(
            format!("S{i}"),
            json!({"Type": "Pass", "Next": format!("X{i}"), "Bogus": 1}),
        );
    }
    states.insert("E".into(), json!({"Type": "Succeed"}));
    json!({"StartAt": "S0", "States": states}).to_string()
}

/// A one-Task definition with this `Resource`.
pub fn task(resource: &str) -> String {
    json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": true}}})
        .to_string()
}

/// A Pass state whose `Parameters` hold arrays nested `depth` deep (the document, `States`,
/// the state and `Parameters` add four levels).
pub fn nested_parameters(depth: usize) -> String {
    let value = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    format!(
        r#"{{"StartAt":"P","States":{{"P":{{"Type":"Pass","End":true,"Parameters":{{"v":{value}}}}}}}}}"#
    )
}
