//! Replays every input the fuzzers ever found (`fuzz/regressions/<target>/`), plus a few
//! hand-written hostile inputs, through the same checks the fuzz targets make: no panic, and a
//! definition that parses survives emit → parse unchanged.

use std::path::{Path as FsPath, PathBuf};

use sfn_asl::eval::{EvalEnv, SeededEntropy};
use sfn_asl::intrinsic::IntrinsicCall;
use sfn_asl::jsonata::{Jsonata, JsonataEnv};
use sfn_asl::path::{Path, ReferencePath};
use sfn_asl::template::PayloadTemplate;

fn regressions(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = FsPath::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(target);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("regression folder exists") {
        let path = entry.expect("readable entry").path();
        if path.file_name().is_some_and(|n| n != ".keep") {
            let bytes = std::fs::read(&path).expect("readable regression file");
            out.push((path, bytes));
        }
    }
    out
}

fn check_definition(text: &str) -> bool {
    match sfn_asl::parse(text) {
        Ok(machine) => {
            let again = sfn_asl::parse(&sfn_asl::emit(&machine)).expect("emitted ASL parses");
            assert_eq!(machine, again, "round trip changed the model for {text:?}");
            true
        }
        Err(findings) => {
            assert!(
                !findings.0.is_empty(),
                "a rejected definition names at least one finding"
            );
            false
        }
    }
}

fn env_doc() -> serde_json::Value {
    serde_json::json!({"a": [1, {"b": "x"}, null], "c": {"d.e": true}, "n": 1.5, "s": "a,b"})
}

fn check_expression(text: &str) {
    let doc = env_doc();
    let ctx = serde_json::json!({"Execution": {"Id": "arn"}});
    let entropy = SeededEntropy::new(1);
    let env = EvalEnv {
        input: &doc,
        context: &ctx,
        vars: &(),
        entropy: &entropy,
    };
    if let Ok(p) = Path::parse(text) {
        let _ = p.select(&env);
    }
    if let Ok(p) = ReferencePath::parse(text) {
        let _ = p.select(&env);
        let mut target = doc.clone();
        let _ = p.write(&mut target, serde_json::json!(1));
    }
    if let Ok(call) = IntrinsicCall::parse(text) {
        let _ = call.eval(&env);
    }
}

#[test]
fn hostile_definitions_are_rejected_without_panicking() {
    let deep_array = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_choice = {
        let mut rule = r#"{"Variable":"$.x","IsPresent":true}"#.to_string();
        for _ in 0..2_000 {
            rule = format!(r#"{{"Not":{rule}}}"#);
        }
        let rule = rule.replacen('{', r#"{"Next":"E","#, 1);
        format!(
            r#"{{"StartAt":"C","States":{{"C":{{"Type":"Choice","Choices":[{rule}]}},"E":{{"Type":"Succeed"}}}}}}"#
        )
    };
    for text in ["", "null", "[]", "{}", "\u{0}", &deep_array, &deep_choice] {
        assert!(
            !check_definition(text),
            "accepted hostile input {:.60}",
            text
        );
    }
}

#[test]
fn hostile_expressions_do_not_panic() {
    let nested = format!("{}$.a{}", "States.Array(".repeat(5_000), ")".repeat(5_000));
    for text in [
        "$",
        "$$",
        "$[",
        "$..",
        "$.a[?(@",
        "$['",
        "States.Format('{}'",
        "States.",
        "\\",
        &nested,
    ] {
        check_expression(text);
    }
    // A call nested past AWS's limit of 10 is a parse error, never a stack overflow.
    assert!(IntrinsicCall::parse(&nested).is_err());
}

#[test]
fn recorded_fuzz_findings_stay_fixed() {
    let mut replayed = 0;
    for (_, bytes) in regressions("parse_definition") {
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = check_definition(text);
        }
        replayed += 1;
    }
    for target in ["parse_path", "parse_intrinsic"] {
        for (_, bytes) in regressions(target) {
            if let Ok(text) = std::str::from_utf8(&bytes) {
                check_expression(text);
            }
            replayed += 1;
        }
    }
    for (_, bytes) in regressions("payload_template") {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            let doc = env_doc();
            let ctx = serde_json::json!({});
            let entropy = SeededEntropy::new(7);
            let env = EvalEnv {
                input: &doc,
                context: &ctx,
                vars: &(),
                entropy: &entropy,
            };
            if let Ok(t) = PayloadTemplate::compile(&value) {
                let _ = t.eval(&env);
            }
        }
        replayed += 1;
    }
    for (_, bytes) in regressions("parse_jsonata") {
        if let Ok(body) = std::str::from_utf8(&bytes) {
            let input = env_doc();
            let context = serde_json::json!({});
            let entropy = SeededEntropy::new(5);
            let env = JsonataEnv {
                input: &input,
                context: &context,
                result: None,
                error_output: None,
                vars: &(),
                entropy: &entropy,
                now_millis: None,
            };
            if let Ok(expr) = Jsonata::compile(&format!("{{% {body} %}}")) {
                let _ = expr.eval(&env, "Output");
            }
        }
        replayed += 1;
    }
    eprintln!("replayed {replayed} recorded fuzz inputs");
}
