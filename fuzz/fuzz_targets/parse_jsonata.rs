//! Any text as a `{% %}` JSONata expression: compile never panics; a compiled expression
//! evaluates within the wrapper's limits without panicking or overflowing the stack.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sfn_asl::eval::SeededEntropy;
use sfn_asl::jsonata::{Jsonata, JsonataEnv};

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else { return };
    let text = format!("{{% {body} %}}");
    let input = serde_json::json!({"a": [1, 2, 3], "s": "x", "o": {"k": null}});
    let context = serde_json::json!({"Execution": {"Id": "arn"}});
    let entropy = SeededEntropy::new(5);
    let env = JsonataEnv { input: &input, context: &context, result: None, error_output: None, vars: &(), entropy: &entropy, now_millis: None };
    if let Ok(expr) = Jsonata::compile(&text) {
        let _ = expr.eval(&env, "Output");
    }
});
