//! Any text as an intrinsic function call: parse never panics; a parsed call evaluates
//! without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sfn_asl::eval::{EvalEnv, SeededEntropy};
use sfn_asl::intrinsic::IntrinsicCall;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let doc = serde_json::json!({"a": [1, 2, 2], "s": "a,b", "n": 3, "o": {"k": "v"}});
    let ctx = serde_json::json!({});
    let entropy = SeededEntropy::new(3);
    let env = EvalEnv { input: &doc, context: &ctx, vars: &(), entropy: &entropy };
    if let Ok(call) = IntrinsicCall::parse(text) {
        let _ = call.eval(&env);
    }
});
