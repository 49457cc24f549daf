//! Differential check: our verdict on every real-world definition against the npm package
//! `asl-validator`. Every disagreement is listed, with its reason, in
//! `tests/asl-validator-disagreements.json`; the test fails when that list is stale (a listed
//! file now agrees, or a new disagreement appears).
//!
//! The package is installed on first use with `npm install --prefix target/asl-validator`; the
//! test fails with a clear message when npm is missing or offline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The version compared against; its verdicts differ between releases.
const ASL_VALIDATOR_VERSION: &str = "4.0.0";

/// Runs the validator once over a whole directory and prints `{file: {valid, errors}}` as JSON.
const VERDICTS_JS: &str = r#"
const fs = require("fs");
const path = require("path");
const aslValidator = require("asl-validator");
const dir = process.argv[2];
const out = {};
for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".asl.json")).sort()) {
  let verdict;
  try {
    const definition = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));
    const { isValid, errors } = aslValidator(definition);
    verdict = { valid: isValid, errors: (errors || []).map((e) => e.Message || JSON.stringify(e)) };
  } catch (e) {
    verdict = { valid: false, errors: [String(e)] };
  }
  out[name] = verdict;
}
process.stdout.write(JSON.stringify(out));
"#;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> PathBuf {
    root().join("../shared/corpus/real-world")
}

/// Installs the pinned package under `target/asl-validator` unless it is there already.
fn install(prefix: &Path) {
    let package = prefix.join("node_modules/asl-validator/package.json");
    let installed = std::fs::read_to_string(&package)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .is_some_and(|p| p["version"] == ASL_VALIDATOR_VERSION);
    if installed {
        return;
    }
    let spec = format!("asl-validator@{ASL_VALIDATOR_VERSION}");
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(prefix)
        .arg(&spec)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!(
            "`npm install --prefix {} {spec}` failed ({s}); is the registry reachable (offline)?",
            prefix.display()
        ),
        Err(e) => panic!("cannot run npm ({e}); install Node.js and npm to run this test"),
    }
}

/// asl-validator's verdict per file name.
fn their_verdicts() -> BTreeMap<String, (bool, Vec<String>)> {
    let prefix = root().join("target/asl-validator");
    std::fs::create_dir_all(&prefix).expect("create target/asl-validator");
    install(&prefix);
    let script = prefix.join("verdicts.js");
    std::fs::write(&script, VERDICTS_JS).expect("write verdicts.js");
    let output = Command::new("node")
        .arg(&script)
        .arg(corpus())
        .current_dir(&prefix)
        .output();
    let output = match output {
        Ok(o) if o.status.success() => o,
        Ok(o) => panic!(
            "node verdicts.js failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("cannot run node ({e}); install Node.js to run this test"),
    };
    let all: BTreeMap<String, Value> =
        serde_json::from_slice(&output.stdout).expect("verdicts JSON");
    all.into_iter()
        .map(|(name, v)| {
            let errors = v["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect();
            (name, (v["valid"] == true, errors))
        })
        .collect()
}

fn word(valid: bool) -> &'static str {
    if valid {
        "valid"
    } else {
        "invalid"
    }
}

#[test]
fn disagreements_with_asl_validator_are_all_listed() {
    let theirs = their_verdicts();
    assert_eq!(
        theirs.len(),
        169,
        "asl-validator should see the 169 corpus files"
    );
    let listed_text =
        std::fs::read_to_string(root().join("tests/asl-validator-disagreements.json"))
            .expect("disagreements file");
    let listed: BTreeMap<String, Value> =
        serde_json::from_str(&listed_text).expect("disagreements JSON");

    let mut problems = Vec::new();
    let mut disagreements = 0;
    for (name, (their_valid, their_errors)) in &theirs {
        let text = std::fs::read_to_string(corpus().join(name)).expect("readable");
        let ours = sfn_asl::parse(&text);
        let our_valid = ours.is_ok();
        match (our_valid == *their_valid, listed.get(name)) {
            (true, None) => {}
            (true, Some(_)) => problems.push(format!(
                "{name}: listed, but both now say {}",
                word(our_valid)
            )),
            (false, entry) => {
                disagreements += 1;
                let expected = (
                    entry.and_then(|e| e["sfn"].as_str()),
                    entry.and_then(|e| e["asl-validator"].as_str()),
                );
                let reason = entry.and_then(|e| e["reason"].as_str()).unwrap_or_default();
                if expected != (Some(word(our_valid)), Some(word(*their_valid)))
                    || reason.is_empty()
                {
                    let ours_text = match &ours {
                        Ok(_) => "ok".to_owned(),
                        Err(f) => {
                            f.0.iter()
                                .map(|x| x.to_string())
                                .collect::<Vec<_>>()
                                .join(" | ")
                        }
                    };
                    problems.push(format!(
                        "{name}: sfn says {}, asl-validator says {} ({}); sfn: {ours_text}; list it with a reason",
                        word(our_valid),
                        word(*their_valid),
                        their_errors.join(" | ")
                    ));
                }
            }
        }
    }
    for name in listed.keys() {
        if !theirs.contains_key(name) {
            problems.push(format!("{name}: listed but not in the corpus"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) ({disagreements} disagreements):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
