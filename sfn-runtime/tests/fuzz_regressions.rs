//! Replays every input the `run_execution` fuzz target ever failed on
//! (`fuzz/regressions/run_execution/`), decoded by the target's own code, and a fixed set of
//! pseudo-random inputs that shows the generator still draws valid definitions which run to
//! every kind of end (a generator that drifts into drawing only invalid definitions would fuzz
//! the validator alone).

#[path = "../../fuzz/fuzz_targets/execution_case.rs"]
#[allow(dead_code, unreachable_pub)]
mod execution_case;

use std::collections::BTreeMap;
use std::path::Path;

use execution_case::Reached;
use sfn_runtime::Status;

#[test]
fn recorded_run_execution_findings_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions/run_execution");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("regression folder exists") {
        let path = entry.expect("readable entry").path();
        if path.file_name().is_some_and(|n| n != ".keep") {
            let bytes = std::fs::read(&path).expect("readable regression file");
            eprintln!("{}: {:?}", path.display(), execution_case::run(&bytes));
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} recorded run_execution inputs");
}

/// 300 inputs of 400 bytes from a fixed xorshift sequence.
#[test]
fn generated_executions_reach_every_end() {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut reached: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..300 {
        let bytes: Vec<u8> = (0..400)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        *reached
            .entry(format!("{:?}", execution_case::run(&bytes)))
            .or_default() += 1;
    }
    eprintln!("{reached:?}");
    let count = |r: Reached| reached.get(&format!("{r:?}")).copied().unwrap_or(0);
    for status in [Status::Succeeded, Status::Failed] {
        assert!(count(Reached::Ran(status)) >= 10, "{status:?}: {reached:?}");
    }
    assert!(
        count(Reached::Invalid) < 200,
        "mostly invalid definitions: {reached:?}"
    );
}
