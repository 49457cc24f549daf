//! Bad input never panics: every real-world definition, corrupted at random places in many
//! ways, is parsed; whatever is still accepted must also emit and parse back to itself.
//! Deterministic (a fixed-seed generator), so a failure names a reproducible case.

use std::path::PathBuf;

use serde_json::{json, Value};

/// A small fixed-seed generator (xorshift); no dependency needed for test shuffling.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The replacement values tried at a node.
fn replacements() -> Vec<Value> {
    vec![
        Value::Null,
        json!(0),
        json!(-1),
        json!(1.5),
        json!(u64::MAX),
        json!(""),
        json!("x"),
        json!("$"),
        json!("$$"),
        json!("$.a[?(@.b"),
        json!("States.Format("),
        json!("{% %}"),
        json!("{% $states.errorOutput %}"),
        json!(true),
        json!([]),
        json!({}),
        json!([{"Variable": "$.x"}]),
        json!({"Type": "Pass", "End": true}),
        json!({"StartAt": "Q", "States": {"Q": {"Type": "Choice", "Choices": [{"And": [{"Not": {}}]}]}}}),
    ]
}

/// Every node's JSON pointer.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                pointers(
                    child,
                    format!("{at}/{}", sfn_asl::pointer::escape_segment(k)),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

#[test]
fn corrupted_corpus_never_panics() {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/real-world"
    ));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let values = replacements();
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let mut accepted = 0;
    let mut rejected = 0;
    for file in &files {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(file).expect("read")).expect("json");
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        for round in 0..rounds() {
            let mut bad = doc.clone();
            // One to three corruptions per case.
            for _ in 0..=rng.below(3) {
                let at = &all[rng.below(all.len())];
                let with = values[rng.below(values.len())].clone();
                if at.is_empty() {
                    continue;
                }
                if let Some(slot) = bad.pointer_mut(at) {
                    *slot = with;
                }
            }
            let case = format!("{} round {round}", file.display());
            match sfn_asl::parse_value(&bad) {
                Ok(m) => {
                    accepted += 1;
                    let again = sfn_asl::parse(&sfn_asl::emit(&m));
                    assert_eq!(
                        again.as_ref().ok(),
                        Some(&m),
                        "{case}: accepted but does not round-trip"
                    );
                }
                Err(f) => {
                    rejected += 1;
                    assert!(!f.0.is_empty(), "{case}: rejected without a finding");
                    if let Some(x) = f.0.iter().find(|x| x.hint.is_none()) {
                        panic!("{case}: every finding says how to fix it; this one does not: {x}");
                    }
                }
            }
        }
    }
    assert!(
        rejected > accepted,
        "most corruptions are caught ({rejected} rejected, {accepted} accepted)"
    );
}

/// Cases per file: 12, or `SFN_MUTATION_ROUNDS` for a longer local search.
fn rounds() -> usize {
    std::env::var("SFN_MUTATION_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(12)
}
