//! Any JSON as a payload template: compile never panics; a compiled template evaluates
//! without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sfn_asl::eval::{EvalEnv, SeededEntropy};
use sfn_asl::template::PayloadTemplate;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let doc = serde_json::json!({"a": [1, 2, 3], "s": "a,b", "o": {"k": "v"}});
    let ctx = serde_json::json!({"State": {"Name": "S"}});
    let entropy = SeededEntropy::new(7);
    let env = EvalEnv { input: &doc, context: &ctx, vars: &(), entropy: &entropy };
    if let Ok(t) = PayloadTemplate::compile(&value) {
        let _ = t.eval(&env);
    }
});
