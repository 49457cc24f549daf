//! Any text as a JSONPath / reference path: parse never panics; a parsed path evaluates
//! without panicking on a fixed document.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sfn_asl::eval::{EvalEnv, SeededEntropy};
use sfn_asl::path::{Path, ReferencePath};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let doc = serde_json::json!({"a": [1, {"b": "x"}, null], "c": {"d.e": true}, "n": 1.5});
    let ctx = serde_json::json!({"Execution": {"Id": "arn"}});
    let entropy = SeededEntropy::new(1);
    let env = EvalEnv { input: &doc, context: &ctx, vars: &(), entropy: &entropy };
    if let Ok(p) = Path::parse(text) {
        let _ = p.select(&env);
    }
    if let Ok(p) = ReferencePath::parse(text) {
        let _ = p.select(&env);
        let mut target = doc.clone();
        let _ = p.write(&mut target, serde_json::json!(1));
    }
});
