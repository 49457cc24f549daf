//! The 162 reference vectors (answers of jsonata 2.0.6, the version AWS runs) through the public
//! `Jsonata` API. Known disagreements are listed with their reason; the test fails when one of
//! them starts agreeing, so the list only shrinks.

use serde_json::{Map, Value};
use sfn_asl::eval::SeededEntropy;
use sfn_asl::jsonata::{Jsonata, JsonataEnv};

const VECTORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/jsonata/reference-2.0.6.json"
));

/// Vectors where the answer here differs from 2.0.6's, and why.
const KNOWN_DISAGREEMENTS: &[(&str, &str)] = &[
    // AWS withdraws `$eval` (use `$parse`); calling it fails with T1006 as on AWS.
    ("$eval('1 + 2')", "Step Functions does not offer $eval"),
];

/// The agreement reached; the test fails if it drops.
const MIN_AGREEMENTS: usize = 161;

#[derive(Debug, PartialEq)]
enum Answer {
    Value(Value),
    Undefined,
    Error(String),
}

fn answer(expression: &str, bindings: &Value) -> Answer {
    let source = format!("{{% {expression} %}}");
    let expr = match Jsonata::compile(&source) {
        Ok(e) => e,
        Err(e) => return Answer::Error(code_of(&e.message)),
    };
    let states = &bindings["states"];
    let mut vars = Map::new();
    for (k, v) in bindings.as_object().into_iter().flatten() {
        if k != "states" {
            vars.insert(k.clone(), v.clone());
        }
    }
    let entropy = SeededEntropy::new(7);
    let env = JsonataEnv {
        input: &states["input"],
        context: &states["context"],
        result: states.get("result"),
        error_output: None,
        vars: &vars,
        entropy: &entropy,
        now_millis: None,
    };
    match expr.eval(&env, "Output") {
        Ok(v) => Answer::Value(v),
        Err(e) if e.cause.ends_with("returned nothing (undefined).") => Answer::Undefined,
        Err(e) => {
            let after = e
                .cause
                .split("threw an error during evaluation. ")
                .nth(1)
                .unwrap_or(&e.cause);
            Answer::Error(code_of(after))
        }
    }
}

/// The leading `X0000` code of a message, or the whole message when it has none.
fn code_of(message: &str) -> String {
    match message.split_once(':') {
        Some((code, _)) if code.len() == 5 => code.to_owned(),
        _ => message.to_owned(),
    }
}

/// JSON equality with numbers compared as f64 (the reference's big integers are doubles).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => a == b,
    }
}

fn agrees(expected: &Value, got: &Answer) -> bool {
    match got {
        Answer::Value(v) => expected.get("value").is_some_and(|e| same(e, v)),
        Answer::Undefined => expected.get("undefined") == Some(&Value::Bool(true)),
        Answer::Error(code) => expected.get("error_code").and_then(Value::as_str) == Some(code),
    }
}

#[test]
fn reference_vectors_agree_except_the_known_list() {
    let vectors: Vec<Value> = serde_json::from_str(VECTORS).expect("vectors parse");
    assert_eq!(vectors.len(), 162);
    let mut agreements = 0;
    let mut unexpected = Vec::new();
    for v in &vectors {
        let expression = v["expression"].as_str().expect("expression");
        let got = answer(expression, &v["bindings"]);
        let ok = agrees(&v["expected"], &got);
        let listed = KNOWN_DISAGREEMENTS.iter().any(|(e, _)| *e == expression);
        if ok {
            agreements += 1;
        }
        if ok == listed {
            unexpected.push(format!(
                "{} `{expression}`: expected {}, got {got:?}",
                if listed {
                    "now agrees (remove from the list)"
                } else {
                    "disagrees"
                },
                v["expected"]
            ));
        }
    }
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
    assert!(
        agreements >= MIN_AGREEMENTS,
        "{agreements} agreements, expected at least {MIN_AGREEMENTS}"
    );
}
