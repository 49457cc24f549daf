//! AWS accepted every definition of the conformance corpus (each one ran there), so each must
//! validate here too, under its machine type, and re-emit to the same JSON value. Known gaps
//! sit in `KNOWN`, each with its reason; the test fails when one of them starts passing.

use std::path::PathBuf;

use serde_json::Value;

/// Cases whose definition is still rejected here, with the reason.
const KNOWN: &[(&str, &str)] = &[];

fn cases() -> Vec<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/cases"
    ));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("conformance cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_aws_accepted_definition_validates_and_round_trips() {
    let files = cases();
    assert!(
        files.len() >= 691,
        "expected the 691 recorded cases, found {}",
        files.len()
    );
    let mut problems = Vec::new();
    for path in &files {
        let name = path
            .file_stem()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("case JSON");
        let options = sfn_asl::validate::LintOptions {
            express: case["state_machine_type"] == "EXPRESS",
        };
        let known = KNOWN.iter().find(|(n, _)| *n == name);
        match (
            sfn_asl::validate::parse_value_with(&case["definition"], &options),
            known,
        ) {
            (Ok(m), None) => {
                if sfn_asl::emit_value(&m) != case["definition"] {
                    problems.push(format!("{name}: emits a different document"));
                }
            }
            (Ok(_), Some((_, why))) => {
                problems.push(format!("{name}: listed ({why}) but validates now"))
            }
            (Err(f), None) => {
                let lines: Vec<String> = f.0.iter().map(|x| format!("    {x}")).collect();
                problems.push(format!("{name}: rejected:\n{}", lines.join("\n")));
            }
            (Err(_), Some(_)) => {}
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
