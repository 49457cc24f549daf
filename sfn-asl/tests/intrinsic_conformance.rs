//! Every recorded `intrinsic_functions_*` execution whose definition is one JSONPath Pass state
//! with `Parameters`, replayed without the engine: InputPath → Parameters → ResultPath →
//! OutputPath, compared with the output AWS recorded.

use std::path::PathBuf;

use serde_json::{json, Value};
use sfn_asl::eval::{EvalEnv, SeededEntropy};
use sfn_asl::path::{Path, ReferencePath};
use sfn_asl::template::PayloadTemplate;

fn cases_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/cases"
    ))
}

/// Runs one Pass state; `None` when the case is not a single JSONPath Pass state with Parameters.
fn run_pass(case: &Value) -> Option<Result<Value, String>> {
    let states = case["definition"]["States"].as_object()?;
    if states.len() != 1 {
        return None;
    }
    let (name, state) = states.iter().next()?;
    if state["Type"] != "Pass"
        || state.get("Parameters").is_none()
        || state.get("QueryLanguage").is_some()
    {
        return None;
    }
    let input = &case["input"];
    let context = json!({
        "Execution": {"Id": "arn:aws:states:us-east-1:111111111111:execution:m:e", "Input": input, "Name": "e"},
        "State": {"Name": name},
        "StateMachine": {"Id": "arn:aws:states:us-east-1:111111111111:stateMachine:m", "Name": "m"}
    });
    let entropy = SeededEntropy::new(42);
    let run = || -> Result<Value, String> {
        let env = EvalEnv {
            input,
            context: &context,
            vars: &(),
            entropy: &entropy,
        };
        let effective = match state.get("InputPath").and_then(Value::as_str) {
            Some(p) => Path::parse(p)
                .map_err(|e| e.to_string())?
                .select(&env)
                .map_err(|m| m.to_string())?
                .into_owned(),
            None => input.clone(),
        };
        let template =
            PayloadTemplate::compile(&state["Parameters"]).map_err(|e| format!("{e:?}"))?;
        let env = EvalEnv {
            input: &effective,
            context: &context,
            vars: &(),
            entropy: &entropy,
        };
        let result = template.eval(&env).map_err(|e| e.to_string())?;
        let mut output = input.clone();
        match state.get("ResultPath").and_then(Value::as_str) {
            Some(p) => ReferencePath::parse(p)
                .map_err(|e| e.to_string())?
                .write(&mut output, result)?,
            None => output = result,
        }
        if let Some(p) = state.get("OutputPath").and_then(Value::as_str) {
            let env = EvalEnv {
                input: &output,
                context: &context,
                vars: &(),
                entropy: &entropy,
            };
            output = Path::parse(p)
                .map_err(|e| e.to_string())?
                .select(&env)
                .map_err(|m| m.to_string())?
                .into_owned();
        }
        Ok(output)
    };
    Some(run())
}

#[test]
fn recorded_intrinsic_cases_match() {
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(cases_dir())
        .expect("conformance cases")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let file = entry.file_name().to_string_lossy().into_owned();
        if !file.starts_with("intrinsic_functions_") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("readable case");
        let case: Value = serde_json::from_str(&text).expect("case is JSON");
        let Some(got) = run_pass(&case) else { continue };
        checked += 1;
        let expected = &case["expected"];
        match (expected["status"].as_str(), got) {
            (Some("SUCCEEDED"), Ok(out)) if out == expected["output"] => {}
            (status, got) => failures.push(format!(
                "{file}: expected {status:?} {}, got {got:?}",
                expected["output"]
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The corpus holds 100 such cases; a drop means the filter above stopped seeing them.
    assert!(checked >= 100, "only {checked} cases checked");
}
