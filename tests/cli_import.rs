//! `sfn import`: the real binary prints the same source as the library importer, names the
//! workflow after the file unless `--name` says otherwise, and rejects bad invocations with 2.

mod support;

const SAMPLE: &str = "examples/asl/order-processing.asl.json";

fn sfn(args: &[&str]) -> (i32, String, String) {
    let run = support::sfn(args, "");
    (run.code, run.stdout, run.stderr)
}

fn library_import(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE);
    let text = std::fs::read_to_string(path).expect("sample exists");
    let machine = sfn::asl::parse(&text).expect("sample is valid");
    sfn::import::import(&machine, name)
}

#[test]
fn prints_the_importer_output_named_after_the_file() {
    let (code, out, err) = sfn(&["import", SAMPLE]);
    assert_eq!(code, 0, "stderr: {err}");
    assert_eq!(out, library_import("order-processing"));
    assert!(out.contains("pub OrderProcessing"), "{out}");
}

#[test]
fn name_flag_sets_the_type_name() {
    let (code, out, _) = sfn(&["import", SAMPLE, "--name", "Checkout"]);
    assert_eq!(code, 0);
    assert_eq!(out, library_import("Checkout"));
    assert!(out.contains("pub Checkout"), "{out}");
}

#[test]
fn invalid_definition_prints_findings_and_exits_2() {
    let (code, out, err) = sfn(&["import", "examples/asl/broken/missing-next-target.asl.json"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("MISSING_TRANSITION_TARGET"), "{err}");
}

#[test]
fn bad_invocations_exit_2_and_say_why() {
    // Usage errors are clap's: an `error:` line naming the problem, then the usage.
    let (code, _, err) = sfn(&["import"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(
            "error: the following required arguments were not provided:\n  <DEFINITION>"
        ),
        "{err}"
    );
    assert!(err.contains("Usage: sfn import <DEFINITION>"), "{err}");
    let (code, _, err) = sfn(&["import", SAMPLE, "--frobnicate"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error: unexpected argument '--frobnicate'"),
        "{err}"
    );
    let (code, _, err) = sfn(&["import", SAMPLE, SAMPLE]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("error: unexpected argument '{SAMPLE}'")),
        "import takes one definition: {err}"
    );
}
