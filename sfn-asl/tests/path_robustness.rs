//! Random text through the path, intrinsic and template parsers: parsing and evaluating never
//! panics. A cheap, deterministic stand-in for the fuzz targets that runs with every `cargo test`.

use serde_json::{json, Value};
use sfn_asl::eval::{Entropy, EvalEnv, SeededEntropy};
use sfn_asl::intrinsic::IntrinsicCall;
use sfn_asl::path::{Path, ReferencePath};
use sfn_asl::template::PayloadTemplate;

/// Pieces that make up paths and calls, so random strings reach deep into both grammars.
const PIECES: &[&str] = &[
    "$",
    "$$",
    ".",
    "..",
    "[",
    "]",
    "*",
    "?(",
    ")",
    "(",
    "@",
    ",",
    ":",
    "-",
    "0",
    "1",
    "9",
    "'",
    "\"",
    "\\",
    "a",
    "b",
    "x",
    " ",
    "==",
    "!=",
    "<",
    ">=",
    "&&",
    "||",
    "!",
    "true",
    "null",
    "States.",
    "Format",
    "Array",
    "ArrayRange",
    "MathAdd",
    "StringSplit",
    "Hash",
    "JsonMerge",
    "UUID",
    "{}",
    "\\'",
    "{",
    "}",
    "é",
    "ß",
    "99999999999999999999",
    "-1",
    "1.5e3",
    "$v",
    "$states",
];

fn random_text(rng: &SeededEntropy) -> String {
    let len = (rng.next_u64() % 24) as usize;
    let mut s = String::new();
    for _ in 0..len {
        let i = (rng.next_u64() % PIECES.len() as u64) as usize;
        s.push_str(PIECES[i]);
    }
    s
}

fn doc() -> Value {
    json!({"a": [1, {"b": "x"}, null], "c": {"d.e": true}, "n": 1.5, "s": "a,b", "x": [[1, 2], [3]]})
}

#[test]
fn random_paths_and_calls_never_panic() {
    let rng = SeededEntropy::new(20_240_601);
    let input = doc();
    let ctx = json!({"Execution": {"Id": "arn"}});
    let entropy = SeededEntropy::new(1);
    let env = EvalEnv {
        input: &input,
        context: &ctx,
        vars: &(),
        entropy: &entropy,
    };
    let mut parsed = 0;
    for _ in 0..10_000 {
        let text = random_text(&rng);
        if let Ok(p) = Path::parse(&text) {
            parsed += 1;
            let _ = p.select(&env);
            let _ = p.normalized();
        }
        if let Ok(p) = ReferencePath::parse(&text) {
            let _ = p.select(&env);
            let mut target = input.clone();
            let _ = p.write(&mut target, json!(1));
        }
        let call = format!("States.Array({text})");
        for candidate in [text.as_str(), call.as_str()] {
            if let Ok(c) = IntrinsicCall::parse(candidate) {
                parsed += 1;
                let _ = c.eval(&env);
            }
        }
        let template = json!({ "k.$": text, "list": [{ "v.$": text }] });
        if let Ok(t) = PayloadTemplate::compile(&template) {
            let _ = t.eval(&env);
        }
    }
    // The generator must reach past the first character now and then.
    assert!(parsed > 100, "only {parsed} random inputs parsed");
}

#[test]
fn huge_and_deep_inputs_are_refused_or_handled() {
    let input = doc();
    let ctx = json!({});
    let entropy = SeededEntropy::new(1);
    let env = EvalEnv {
        input: &input,
        context: &ctx,
        vars: &(),
        entropy: &entropy,
    };
    let deep_filter = format!("$[?({}@.x{})]", "!".repeat(10_000), "");
    assert!(Path::parse(&deep_filter).is_err());
    let nested_filters = format!("$.a{}", "[?(@.b".repeat(5_000));
    assert!(Path::parse(&nested_filters).is_err());
    // A path of 50,001 segments is refused (a written ResultPath would nest that deep); one
    // of 1,000 parses, and selects nothing in the document.
    let long = format!("$.{}", "a.".repeat(50_000)) + "a";
    let err = Path::parse(&long).expect_err("a path of 50,001 segments is refused");
    assert_eq!(err.message, "a path has at most 1000 segments");
    let longest = format!("$.{}", "a.".repeat(999)) + "a";
    let p = Path::parse(&longest).expect("a path of 1,000 segments parses");
    assert!(p.select(&env).is_err());
    let deep_scan = Path::parse("$..*..*..*").expect("parses");
    assert!(deep_scan.select(&env).is_ok());
    // Each stage keeps every object and adds its subtree: without a step budget this grows
    // exponentially with the number of stages.
    let explosive = Path::parse(&format!("${}", "..[?(@)]".repeat(12))).expect("parses");
    // The step budget (4,000,000 steps) ends it: the selection completes, bounded by steps,
    // not by the machine's speed.
    assert!(explosive.select(&env).is_ok());
}
