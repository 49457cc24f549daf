//! Compile-fail (and compile-pass) cases of `workflow!` and `#[derive(Shape)]`: one rule per
//! file under `tests/ui/<area>/`, with the expected compiler output beside it. Regenerate with
//! `TRYBUILD=overwrite cargo test --test macro_ui -- --include-ignored` and read every changed
//! `.stderr`.

/// The macro's own messages: DSL syntax, fields, names, choice rules, Map/Parallel structure,
/// path checks against shapes, and several errors reported together.
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    for area in ["syntax", "fields", "graph", "names", "choice", "express", "map", "errors", "shape"] {
        t.compile_fail(format!("tests/ui/{area}/*.rs"));
    }
}

/// Findings of `sfn_asl::validate::lint` (`lint/`) and expression syntax errors of the `sfn-asl`
/// compilers (`expr/`), shown at the token they point to. Their wording belongs to `sfn-asl` and
/// changes with it, so this suite does not run by default: a wording change there must not fail
/// the build here. Run it with `--include-ignored` after such a change.
#[test]
#[ignore = "messages worded by sfn-asl; run with --include-ignored"]
fn ui_sfn_asl_messages() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/lint/*.rs");
    t.compile_fail("tests/ui/expr/*.rs");
}
