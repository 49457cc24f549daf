//! Every recorded execution (any area) made only of JSONPath Pass states without variables,
//! replayed without the engine: InputPath → Parameters/Result → ResultPath → OutputPath for each
//! state in turn, compared with the output AWS recorded.

use std::path::PathBuf;

use serde_json::{json, Map, Value};
use sfn_asl::eval::{EvalEnv, SeededEntropy};
use sfn_asl::path::{Path, ReferencePath};
use sfn_asl::template::{PayloadTemplate, ValueExpr};

fn cases_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/cases"
    ))
}

/// Cases this replay cannot reproduce, each with the reason; listed cases must keep failing.
const KNOWN: &[(&str, &str)] = &[(
    "error_handling_test_states_errors_TestStatesErrors_test_start_large_input.json",
    "the 256 KiB payload limit is enforced by the engine, not by templates",
)];

const PASS_FIELDS: &[&str] = &[
    "Type",
    "Next",
    "End",
    "Comment",
    "InputPath",
    "Parameters",
    "Result",
    "ResultPath",
    "OutputPath",
];

/// The states from `StartAt` to the end, when every one is a plain JSONPath Pass state.
fn pass_chain(def: &Value) -> Option<Vec<(&str, &Map<String, Value>)>> {
    if def.get("QueryLanguage").is_some() {
        return None;
    }
    let states = def["States"].as_object()?;
    let mut name = def["StartAt"].as_str()?;
    let mut chain = Vec::new();
    loop {
        let state = states.get(name)?.as_object()?;
        if state.get("Type")? != "Pass" || !state.keys().all(|k| PASS_FIELDS.contains(&k.as_str()))
        {
            return None;
        }
        chain.push((name, state));
        if chain.len() > states.len() {
            return None;
        }
        match state.get("Next").and_then(Value::as_str) {
            Some(next) => name = next,
            None => return Some(chain),
        }
    }
}

fn select(path: &Value, doc: &Value, context: &Value) -> Result<Value, String> {
    match path {
        Value::Null => Ok(json!({})),
        Value::String(p) => {
            let entropy = SeededEntropy::new(1);
            let env = EvalEnv {
                input: doc,
                context,
                vars: &(),
                entropy: &entropy,
            };
            let p = Path::parse(p).map_err(|e| e.to_string())?;
            p.select(&env)
                .map(|v| v.into_owned())
                .map_err(|m| format!("Invalid path '{}' : {m}", p.source()))
        }
        _ => Err("bad path field".into()),
    }
}

fn run(case: &Value) -> Option<Result<Value, String>> {
    let chain = pass_chain(&case["definition"])?;
    let mut data = case["input"].clone();
    let run = || -> Result<Value, String> {
        for (name, state) in chain {
            let context = json!({
                "Execution": {"Input": case["input"], "Name": "e", "Id": "arn:e"},
                "State": {"Name": name},
                "StateMachine": {"Name": "m", "Id": "arn:m"}
            });
            let effective = select(
                state.get("InputPath").unwrap_or(&json!("$")),
                &data,
                &context,
            )?;
            let result = match (state.get("Parameters"), state.get("Result")) {
                (Some(params), _) => {
                    let t = PayloadTemplate::compile(params).map_err(|e| format!("{e:?}"))?;
                    let entropy = SeededEntropy::new(1);
                    let env = EvalEnv {
                        input: &effective,
                        context: &context,
                        vars: &(),
                        entropy: &entropy,
                    };
                    t.eval(&env).map_err(|e| e.to_string())?
                }
                (None, Some(result)) => result.clone(),
                (None, None) => effective.clone(),
            };
            let mut output = data.clone();
            match state.get("ResultPath") {
                Some(Value::Null) => {}
                Some(Value::String(p)) => ReferencePath::parse(p)
                    .map_err(|e| e.to_string())?
                    .write(&mut output, result)?,
                _ => output = result,
            }
            data = select(
                state.get("OutputPath").unwrap_or(&json!("$")),
                &output,
                &context,
            )?;
        }
        Ok(data.clone())
    };
    Some(run())
}

#[test]
fn recorded_pass_chains_match() {
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(cases_dir())
        .expect("conformance cases")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let file = entry.file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(entry.path()).expect("readable case");
        let case: Value = serde_json::from_str(&text).expect("case is JSON");
        let Some(got) = run(&case) else { continue };
        checked += 1;
        let expected = &case["expected"];
        let same = match (expected["status"].as_str(), &got) {
            (Some("SUCCEEDED"), Ok(out)) => *out == expected["output"],
            (Some("FAILED"), Err(cause)) => expected["cause"]
                .as_str()
                .is_some_and(|c| c.ends_with(cause.as_str())),
            _ => false,
        };
        let known = KNOWN.iter().any(|(f, _)| *f == file);
        if same == known {
            let mut got = format!("{got:?}");
            got.truncate(300);
            let note = if known {
                "listed in KNOWN but now matches"
            } else {
                "differs"
            };
            failures.push(format!(
                "{file}: {note}: expected {}, got {got}",
                expected["status"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 130, "only {checked} cases checked");
}

/// Recorded executions that start with a Fail state reading `ErrorPath`/`CausePath` (a path or
/// an intrinsic): the error and cause AWS reported.
#[test]
fn recorded_fail_paths_match() {
    let mut checked = 0;
    for entry in std::fs::read_dir(cases_dir())
        .expect("conformance cases")
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).expect("readable case");
        let case: Value = serde_json::from_str(&text).expect("case is JSON");
        let def = &case["definition"];
        let Some(state) = def["StartAt"].as_str().and_then(|s| def["States"].get(s)) else {
            continue;
        };
        if state["Type"] != "Fail" || def.get("QueryLanguage").is_some() {
            continue;
        }
        let entropy = SeededEntropy::new(1);
        let env = EvalEnv {
            input: &case["input"],
            context: &json!({}),
            vars: &(),
            entropy: &entropy,
        };
        for (field, key) in [("ErrorPath", "error"), ("CausePath", "cause")] {
            let Some(src) = state.get(field).and_then(Value::as_str) else {
                continue;
            };
            let expr = ValueExpr::parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
            let got = expr
                .eval(&env, field)
                .unwrap_or_else(|e| panic!("{src}: {e}"));
            assert_eq!(
                got,
                case["expected"][key],
                "{:?} {field}",
                entry.file_name()
            );
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} fields checked");
}
