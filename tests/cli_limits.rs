//! What the CLI promises about odd output and input: a failed write to stdout is an error, a
//! closed pipe is no panic, standard input is read once, and numbers keep the values
//! `docs/cli.md` documents. The bounded reads (`/dev/zero` as a definition, an input, a mocked
//! result, a mock config), options given twice, byte-order marks and invalid UTF-8 are cases of
//! the hostile-input suite, run under a memory cap and a time limit (`tests/hostile/`).

mod support;

use std::io::Read;
use std::process::Stdio;

use support::{command, sfn};

const PASS: &str = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#;
const ORDERS: &str = "examples/asl/order-processing.asl.json";
const MOCKS: &str = "examples/asl/order-processing.mock.json";

/// A file in the temp folder, unique to this test process and its name, removed on drop.
struct TempFile(String);

impl TempFile {
    fn new(name: &str, bytes: &[u8]) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("sfn-cli-limits-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).expect("write temp file");
        TempFile(path.display().to_string())
    }
}

impl std::ops::Deref for TempFile {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TempFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The first line of stderr (usage errors add clap's usage lines after it).
fn first_line(stderr: &str) -> &str {
    stderr.lines().next().unwrap_or_default()
}

#[test]
fn a_failed_write_to_stdout_is_an_error() {
    for args in [
        &["validate", ORDERS][..],
        &[
            "run",
            ORDERS,
            "--mock-config",
            MOCKS,
            "--test-case",
            "Approved",
        ],
        &["import", ORDERS],
        &["completions", "bash"],
        &["--help"],
    ] {
        let full = std::fs::File::create("/dev/full").expect("/dev/full");
        let out = command(args)
            .stdin(Stdio::null())
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .expect("run sfn");
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).as_ref()
            ),
            (
                Some(2),
                "error: cannot write to standard output: No space left on device (os error 28)\n"
            ),
            "{args:?}"
        );
    }
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let mut child = command(&["validate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sfn");
    // The reader leaves before anything is written, as `| head -c0` would.
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().expect("stdin");
    std::io::Write::write_all(&mut stdin, PASS.as_bytes()).expect("write stdin");
    drop(stdin);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let status = child.wait().expect("sfn finishes");
    assert_eq!((status.code(), stderr.as_str()), (Some(2), ""));
}

#[test]
fn validate_reads_a_definition_from_stdin_once() {
    let run = sfn(&["validate", "-"], PASS);
    assert_eq!((run.code, run.stdout.as_str()), (0, "-: ok\n"));
    let run = sfn(&["validate", "-", "-"], PASS);
    assert_eq!(
        (run.code, run.stdout.as_str(), first_line(&run.stderr)),
        (
            2,
            "",
            "error: `-` (standard input) is given more than once; it holds one definition"
        )
    );
}

#[test]
fn a_mock_config_on_stdin_is_one_more_reader_of_it() {
    let run = sfn(
        &["run", "-", "--mock-config", "-", "--test-case", "Approved"],
        "{}",
    );
    assert_eq!(
        (run.code, first_line(&run.stderr)),
        (
            2,
            "error: the definition and --mock-config all read standard input (`-`); give all \
             but one as a file or inline JSON"
        )
    );
}

#[test]
fn numbers_keep_the_values_the_docs_describe() {
    let definition = TempFile::new("numbers.asl.json", PASS.as_bytes());
    let run = sfn(
        &[
            "run",
            &definition,
            "--input",
            r#"[123456789012345678901234567890123456789,-0,-0.0,18446744073709551615,-9223372036854775808,1.10,1e2]"#,
        ],
        "",
    );
    // serde_json without `arbitrary_precision`: integers past u64/i64 become the nearest double,
    // and `-0` is the double -0.0 (AWS reads `-0` as the integer 0; see docs/cli.md).
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            0,
            "{\"status\":\"SUCCEEDED\",\"output\":[1.2345678901234568e+38,-0.0,-0.0,\
             18446744073709551615,-9223372036854775808,1.1,100.0]}\n"
        )
    );
}
