//! Compile-fail (and compile-pass) cases of `workflow!` and `#[derive(Shape)]`: one rule per
//! file under `tests/ui/<area>/`, with the expected compiler output beside it. Regenerate with
//! `TRYBUILD=overwrite cargo test --test macro_ui` and read every changed `.stderr`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    for area in ["syntax", "fields", "graph", "names", "retry", "choice", "express", "map", "paths", "errors", "shape"]
    {
        t.compile_fail(format!("tests/ui/{area}/*.rs"));
    }
}
