//! What the CLI promises about hostile or odd input and output: every read is bounded (a
//! definition, an input, a mocked result, a mock config; `/dev/zero` included), a failed write
//! to stdout is an error, a closed pipe is no panic, an option given twice is refused, a UTF-8
//! byte-order mark is dropped, invalid UTF-8 is named with its offset, and numbers keep the
//! values `docs/cli.md` documents.

mod support;

use std::io::Read;
use std::process::Stdio;

use support::{command, sfn};

const PASS: &str = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#;
const ORDERS: &str = "examples/asl/order-processing.asl.json";
const MOCKS: &str = "examples/asl/order-processing.mock.json";

const DEFINITION_TOO_LARGE: &str = "the definition is larger than 4194304 bytes, the most that \
AWS's limit of 1048576 characters for a definition allows";
const INPUT_TOO_LARGE: &str =
    "the input is larger than 262144 bytes, AWS's payload limit (256 KiB) for an execution input";

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

/// A JSON string value that is exactly `bytes` long as text.
fn json_string_of(bytes: usize) -> String {
    format!("\"{}\"", "a".repeat(bytes - 2))
}

#[test]
fn dev_zero_as_a_definition_is_refused_after_the_limit() {
    let run = sfn(&["validate", "/dev/zero"], "");
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            format!("/dev/zero: {DEFINITION_TOO_LARGE}\n").as_str()
        )
    );
    for command in ["run", "import", "test-state"] {
        let run = sfn(&[command, "/dev/zero"], "");
        assert_eq!(run.code, 2, "{command}");
        assert_eq!(
            first_line(&run.stderr),
            format!("error: /dev/zero: {DEFINITION_TOO_LARGE}"),
            "{command}"
        );
    }
}

#[test]
fn a_definition_on_stdin_over_the_limit_is_refused() {
    let big = " ".repeat(4 * 1_048_576 + 1);
    let run = sfn(&["validate", "-"], &big);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            format!("standard input: {DEFINITION_TOO_LARGE}\n").as_str()
        )
    );
    let run = sfn(&["run", "-"], &big);
    assert_eq!(
        (run.code, first_line(&run.stderr)),
        (
            2,
            format!("error: standard input: {DEFINITION_TOO_LARGE}").as_str()
        )
    );
    // Within the byte bound but over AWS's character limit: read, and the validator's finding.
    let file = TempFile::new("big.asl.json", " ".repeat(1_048_577).as_bytes());
    let run = sfn(&["validate", &file], "");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("Definition must be at most 1048576 characters long"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_input_over_256_kib_is_refused_at_start_from_any_source() {
    let run = sfn(&["run", ORDERS, "--input", "/dev/zero"], "");
    assert_eq!(
        (run.code, run.stdout.as_str(), first_line(&run.stderr)),
        (
            2,
            "",
            format!("error: /dev/zero: {INPUT_TOO_LARGE}").as_str()
        )
    );
    let definition = TempFile::new("pass.asl.json", PASS.as_bytes());
    // Exactly the limit runs; one byte more is refused, from stdin or a file (Linux
    // allows no command-line argument that long).
    let at_limit = json_string_of(262_144);
    let run = sfn(&["run", &definition, "--input", "-"], &at_limit);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["output"].as_str().map(str::len), Some(262_142));
    let over = json_string_of(262_145);
    let run = sfn(&["run", &definition, "--input", "-"], &over);
    assert_eq!(
        (run.code, first_line(&run.stderr)),
        (
            2,
            format!("error: standard input: {INPUT_TOO_LARGE}").as_str()
        )
    );
    let file = TempFile::new("over.json", over.as_bytes());
    let run = sfn(&["run", &definition, "--input", &file], "");
    assert_eq!(
        (run.code, first_line(&run.stderr)),
        (2, format!("error: {file}: {INPUT_TOO_LARGE}").as_str())
    );
    let run = sfn(
        &[
            "test-state",
            &definition,
            "--state",
            "P",
            "--input",
            "/dev/zero",
        ],
        "",
    );
    assert_eq!(
        (run.code, first_line(&run.stderr)),
        (2, format!("error: /dev/zero: {INPUT_TOO_LARGE}").as_str())
    );
}

#[test]
fn a_mocked_result_and_a_mock_config_are_bounded() {
    let run = sfn(
        &[
            "test-state",
            ORDERS,
            "--state",
            "Charge",
            "--mock-result",
            "/dev/zero",
        ],
        "",
    );
    assert_eq!(
        (run.code, first_line(&run.stderr)),
        (
            2,
            "error: /dev/zero: the mocked result is larger than 262144 bytes, AWS's payload \
             limit (256 KiB) for a state's result"
        )
    );
    let run = sfn(
        &[
            "run",
            ORDERS,
            "--mock-config",
            "/dev/zero",
            "--test-case",
            "x",
        ],
        "",
    );
    assert_eq!(
        (run.code, first_line(&run.stderr)),
        (
            2,
            "error: /dev/zero: the mock config is larger than 67108864 bytes, the most `sfn` \
             reads of a mock config (64 MiB)"
        )
    );
}

#[test]
fn a_byte_order_mark_is_dropped_and_invalid_utf8_is_named_with_its_offset() {
    let bom = |text: &str| [&b"\xef\xbb\xbf"[..], text.as_bytes()].concat();
    let definition = TempFile::new("bom.asl.json", &bom(PASS));
    let run = sfn(&["validate", &definition], "");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, format!("{definition}: ok\n").as_str())
    );
    let input = TempFile::new("bom-input.json", &bom(r#"{"a":1}"#));
    let run = sfn(&["run", &definition, "--input", &input], "");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "{\"status\":\"SUCCEEDED\",\"output\":{\"a\":1}}\n")
    );
    // The offset counts from the file's first byte, the mark included.
    let bad = TempFile::new("bad.json", &bom("{\"a\":\"\u{e9}\u{e9}\"}")[..10]);
    let run = sfn(&["run", &definition, "--input", &bad], "");
    assert_eq!(
        (run.code, first_line(&run.stderr)),
        (
            2,
            format!("error: {bad}: the input is not UTF-8: invalid byte at offset 9").as_str()
        )
    );
    let bad = TempFile::new("bad.asl.json", b"{\"StartAt\":\"\xff\"}");
    let run = sfn(&["validate", &bad], "");
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            format!("{bad}: the definition is not UTF-8: invalid byte at offset 12\n").as_str()
        )
    );
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
fn an_option_given_twice_is_refused() {
    let cases: [(&[&str], &str); 12] = [
        (&["validate", "--json", "--json", ORDERS], "--json"),
        (&["validate", "--express", "--express", ORDERS], "--express"),
        (
            &[
                "validate",
                "--json",
                "--max-results",
                "1",
                "--max-results",
                "2",
                ORDERS,
            ],
            "--max-results <N>",
        ),
        (
            &["run", ORDERS, "--input", "{}", "--input", "{}"],
            "--input <JSON|FILE|->",
        ),
        (
            &["run", ORDERS, "--type", "express", "--type", "standard"],
            "--type <MACHINE_TYPE>",
        ),
        (&["run", ORDERS, "--history", "--history"], "--history"),
        (
            &["run", ORDERS, "--real-time", "--real-time"],
            "--real-time",
        ),
        (
            &[
                "run",
                ORDERS,
                "--state-machine",
                "a",
                "--state-machine",
                "b",
            ],
            "--state-machine <NAME>",
        ),
        (
            &[
                "run",
                ORDERS,
                "--mock-config",
                MOCKS,
                "--mock-config",
                MOCKS,
                "--test-case",
                "x",
            ],
            "--mock-config <FILE>",
        ),
        (
            &[
                "test-state",
                ORDERS,
                "--state",
                "Charge",
                "--state",
                "Charge",
            ],
            "--state <NAME>",
        ),
        (
            &[
                "test-state",
                ORDERS,
                "--state",
                "Charge",
                "--mock-error",
                "A",
                "--mock-error",
                "B",
            ],
            "--mock-error <ERROR>",
        ),
        (
            &["import", ORDERS, "--name", "A", "--name", "B"],
            "--name <NAME>",
        ),
    ];
    for (args, option) in cases {
        let run = sfn(args, "");
        assert_eq!(
            (run.code, first_line(&run.stderr)),
            (
                2,
                format!("error: the argument '{option}' cannot be used multiple times").as_str()
            ),
            "{args:?}"
        );
    }
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
