//! Compile-fail (and compile-pass) cases of `workflow!` and `#[derive(Shape)]`: one rule per
//! file under `tests/ui/<area>/`, with the expected compiler output beside it. Regenerate with
//! `TRYBUILD=overwrite cargo test --test macro_ui` and read every changed `.stderr`.

/// The macro's own messages (DSL syntax, fields, names, choice rules, Map/Parallel structure,
/// path checks against shapes, several errors reported together), the findings of
/// `sfn_asl::validate::lint` (`lint/`) and the expression errors of the `sfn-asl` compilers
/// (`expr/`) shown at the token they point to, and the typed task trait (`tasks/`). When the
/// wording of `sfn-asl` changes, these snapshots change with it.
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    for area in [
        "syntax", "fields", "graph", "names", "choice", "express", "map", "errors", "shape",
        "lint", "expr", "tasks",
    ] {
        t.compile_fail(format!("tests/ui/{area}/*.rs"));
    }
}
