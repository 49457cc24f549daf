//! Replays every input the `run_execution` fuzz target ever failed on
//! (`fuzz/regressions/run_execution/`), decoded by the target's own code, and a fixed set of
//! pseudo-random inputs that shows the generator still draws valid definitions which run to
//! every kind of end (a generator that drifts into drawing only invalid definitions would fuzz
//! the validator alone).
//!
//! With the `aws-codecs` feature (which `aws` and so the workspace's test run turn on), the same
//! for the decoders of AWS answers (`aws_*` targets): every recorded finding, and every seed
//! (real answers of a moto server, `fuzz/seeds/`), through the targets' own checks.

#[path = "../../fuzz/fuzz_targets/execution_case.rs"]
#[allow(dead_code, unreachable_pub)]
mod execution_case;

use std::collections::BTreeMap;
use std::path::Path;

#[cfg(feature = "aws-codecs")]
#[path = "../../fuzz/fuzz_targets/aws_answers.rs"]
#[allow(unreachable_pub)]
mod aws_answers;

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

/// A target's check of one input.
#[cfg(feature = "aws-codecs")]
type Check = fn(&[u8]) -> aws_answers::Outcome;

#[cfg(feature = "aws-codecs")]
const AWS_TARGETS: [(&str, Check); 4] = [
    ("aws_xml_tree", aws_answers::check_xml_tree),
    ("aws_query_answer", aws_answers::check_query_answer),
    ("aws_s3_answer", aws_answers::check_s3_answer),
    ("aws_json_answer", aws_answers::check_json_answer),
];

/// The files of `fuzz/<folder>/<target>/`, by name.
#[cfg(feature = "aws-codecs")]
fn fuzz_files(folder: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .join(folder)
        .join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.file_name().is_some_and(|n| n != ".keep"))
        .map(|path| {
            let name = path
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&path).expect("readable file"))
        })
        .collect();
    files.sort();
    files
}

#[cfg(feature = "aws-codecs")]
#[test]
fn recorded_aws_answer_findings_stay_fixed() {
    for (target, check) in AWS_TARGETS {
        for (name, bytes) in fuzz_files("regressions", target) {
            eprintln!("{target}/{name}: {:?}", check(&bytes));
        }
    }
}

/// Every seed is a real answer: the decoders read it (an error answer in the Query target,
/// named `…-<status>`, is refused as a result and read as an error).
#[cfg(feature = "aws-codecs")]
#[test]
fn real_answers_decode() {
    use aws_answers::Outcome;
    for (target, check) in AWS_TARGETS {
        let seeds = fuzz_files("seeds", target);
        assert!(seeds.len() >= 10, "{target}: {} seeds", seeds.len());
        for (name, bytes) in seeds {
            let error_answer = name
                .rsplit('-')
                .next()
                .is_some_and(|s| s.starts_with(['4', '5']));
            let expected = match (target, error_answer) {
                ("aws_query_answer", true) => Outcome::Refused,
                _ => Outcome::Decoded,
            };
            assert_eq!(check(&bytes), expected, "{target}/{name}");
        }
    }
}
