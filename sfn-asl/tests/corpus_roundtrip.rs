//! Every real-world definition parses and re-emits to the same JSON value, or is invalid for
//! the reason listed in `INVALID`; the test fails when that list is stale.

use std::path::PathBuf;

use serde_json::Value;

/// Files that are invalid, each with the finding that makes them so (a substring of one message).
const INVALID: &[(&str, &str)] = &[
    // `"QueryLanguage": "JSONata"` was put inside `States`, where it reads as a state; the
    // states then run as JSONPath and their JSONata fields are rejected.
    (
        "shared-fallback-state-jsonata__statemachine.asl.json",
        "state `QueryLanguage`: Value must be an object",
    ),
];

fn corpus() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/real-world"
    ))
}

fn files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("corpus directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".asl.json"))
        .collect();
    files.sort();
    files
}

#[test]
fn corpus_round_trips_or_is_listed_invalid() {
    let files = files();
    assert_eq!(files.len(), 169, "the corpus has 169 definitions");
    let mut problems = Vec::new();
    let mut valid = 0;
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let text = std::fs::read_to_string(path).expect("readable");
        let listed = INVALID
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, why)| *why);
        match (sfn_asl::parse(&text), listed) {
            (Ok(m), None) => {
                valid += 1;
                let doc: Value = serde_json::from_str(&text).expect("json");
                let emitted = sfn_asl::emit_value(&m);
                if emitted != doc {
                    problems.push(format!(
                        "{name}: emits a different document:\n{}",
                        sfn_asl::emit(&m)
                    ));
                    continue;
                }
                match sfn_asl::parse(&sfn_asl::emit(&m)) {
                    Ok(again) if again == m => {}
                    Ok(_) => problems.push(format!("{name}: parse(emit(m)) != m")),
                    Err(f) => {
                        problems.push(format!("{name}: emitted text does not parse: {:?}", f.0))
                    }
                }
            }
            (Ok(_), Some(why)) => problems.push(format!(
                "{name}: listed as invalid ({why}) but is valid now"
            )),
            (Err(f), None) => {
                let lines: Vec<String> = f.0.iter().map(|x| format!("    {x}")).collect();
                problems.push(format!(
                    "{name}: invalid but not listed:\n{}",
                    lines.join("\n")
                ));
            }
            (Err(f), Some(why)) => {
                if !f.0.iter().any(|x| x.message.contains(why)) {
                    problems.push(format!(
                        "{name}: invalid, but not for the listed reason `{why}`: {:?}",
                        f.0
                    ));
                }
            }
        }
    }
    for (listed, _) in INVALID {
        if !files.iter().any(|p| p.ends_with(listed)) {
            problems.push(format!("{listed}: listed but not in the corpus"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s), {valid} valid:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
