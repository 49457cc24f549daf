//! Every recorded execution (all `choice_operators_*` ones and a few others) that is one Choice
//! state leading to Pass, Succeed or Fail states, replayed by evaluating the rules directly: the
//! branch taken must produce the output (or failure) AWS recorded.

use std::path::PathBuf;

use serde_json::{json, Map, Value};
use sfn_asl::eval::{EvalEnv, SeededEntropy};
use sfn_asl::model::{ChoiceRule, DataTest, NestedRule, Operand, Operator};
use sfn_asl::path::Path;

fn cases_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/cases"
    ))
}

/// The rule a `Choices` entry (or nested rule) describes; `None` for shapes this test does not build.
fn rule(v: &Map<String, Value>) -> Option<ChoiceRule> {
    let nested = |items: &Value| -> Option<Vec<NestedRule>> {
        items
            .as_array()?
            .iter()
            .map(|i| {
                Some(NestedRule {
                    comment: None,
                    rule: rule(i.as_object()?)?,
                })
            })
            .collect()
    };
    if let Some(items) = v.get("And") {
        return Some(ChoiceRule::And(nested(items)?));
    }
    if let Some(items) = v.get("Or") {
        return Some(ChoiceRule::Or(nested(items)?));
    }
    if let Some(inner) = v.get("Not") {
        let inner = rule(inner.as_object()?)?;
        return Some(ChoiceRule::Not(Box::new(NestedRule {
            comment: None,
            rule: inner,
        })));
    }
    let variable = Path::parse(v.get("Variable")?.as_str()?).ok()?;
    let mut ops = v
        .iter()
        .filter_map(|(k, val)| Operator::from_field(k).map(|op| (op, val)));
    let ((operator, is_path), operand) = ops.next()?;
    let operand = if is_path {
        Operand::Path(Path::parse(operand.as_str()?).ok()?)
    } else {
        Operand::Literal(operand.clone())
    };
    Some(ChoiceRule::Test(DataTest {
        variable,
        operator,
        operand,
    }))
}

enum Outcome {
    Output(Value),
    /// `None` where the execution reports no error name or no cause.
    Failed {
        error: Option<String>,
        cause: Option<String>,
    },
}

/// Runs the case; `None` when its shape is outside what this test replays.
fn run(case: &Value) -> Option<Outcome> {
    let def = &case["definition"];
    let states = def["States"].as_object()?;
    let start = def["StartAt"].as_str()?;
    let choice = states.get(start)?.as_object()?;
    if choice.get("Type")? != "Choice"
        || ["InputPath", "OutputPath", "QueryLanguage"]
            .iter()
            .any(|k| choice.contains_key(*k))
    {
        return None;
    }
    if def.get("QueryLanguage").is_some() {
        return None;
    }
    let input = &case["input"];
    let context = json!({"Execution": {"Input": input}, "State": {"Name": start}});
    let entropy = SeededEntropy::new(1);
    let env = EvalEnv {
        input,
        context: &context,
        vars: &(),
        entropy: &entropy,
    };
    let prefix = format!(
        "An error occurred while executing the state '{start}' (entered at the event id #2). "
    );
    let mut next = None;
    for entry in choice.get("Choices")?.as_array()? {
        let entry = entry.as_object()?;
        match rule(entry)?.eval(&env) {
            Ok(true) => {
                next = Some(entry.get("Next")?.as_str()?);
                break;
            }
            Ok(false) => {}
            Err(e) => {
                return Some(Outcome::Failed {
                    error: Some(e.error),
                    cause: Some(format!("{prefix}{}", e.cause)),
                })
            }
        }
    }
    let next = match next.or_else(|| choice.get("Default").and_then(Value::as_str)) {
        Some(n) => n,
        None => {
            return Some(Outcome::Failed {
                error: Some("States.NoChoiceMatched".into()),
                cause: Some(format!("No Matches! State '{start}'")),
            })
        }
    };
    let target = states.get(next)?.as_object()?;
    let simple = |keys: &[&str]| target.keys().all(|k| keys.contains(&k.as_str()));
    match target.get("Type")?.as_str()? {
        "Pass" if simple(&["Type", "End", "Result", "Comment"]) => Some(Outcome::Output(
            target
                .get("Result")
                .cloned()
                .unwrap_or_else(|| input.clone()),
        )),
        "Succeed" if simple(&["Type", "Comment"]) => Some(Outcome::Output(input.clone())),
        "Fail" if simple(&["Type", "Error", "Cause", "Comment"]) => Some(Outcome::Failed {
            error: target
                .get("Error")
                .and_then(Value::as_str)
                .map(str::to_owned),
            cause: target
                .get("Cause")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }),
        _ => None,
    }
}

#[test]
fn recorded_choice_cases_take_the_recorded_branch() {
    let mut checked = 0;
    let mut skipped = Vec::new();
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
        let Some(outcome) = run(&case) else {
            if file.starts_with("choice_operators_") {
                skipped.push(file);
            }
            continue;
        };
        checked += 1;
        let expected = &case["expected"];
        let same = match (&outcome, expected["status"].as_str()) {
            (Outcome::Output(out), Some("SUCCEEDED")) => *out == expected["output"],
            (Outcome::Failed { error, cause }, Some("FAILED")) => {
                expected.get("error") == error.as_ref().map(|e| json!(e)).as_ref()
                    && expected.get("cause").is_none_or(|c| c == &json!(cause))
            }
            _ => false,
        };
        if !same {
            let got = match outcome {
                Outcome::Output(v) => format!("output {v}"),
                Outcome::Failed { error, cause } => format!("{error:?}: {cause:?}"),
            };
            failures.push(format!(
                "{file}: input {}: expected {expected}, got {got}",
                case["input"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        skipped.is_empty(),
        "cases this test could not replay: {skipped:?}"
    );
    // All 380 recorded choice_operators cases are single Choice states over Pass targets; a few
    // scenarios, context-object and logging cases have the same shape.
    assert!(checked >= 384, "only {checked} cases checked");
}
