//! Compile-fail (and compile-pass) cases of `workflow!` and `#[derive(Shape)]`: one rule per
//! file under `tests/ui/<area>/`, with the expected compiler output beside it. Regenerate with
//! `TRYBUILD=overwrite cargo test -p sfn-macros --test macro_ui` and read every changed `.stderr`.

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

/// A user reads these messages at their own code: no expected output points into sfn's sources
/// (`sfn-asl/`, `sfn-macros*/`, `sfn-runtime/`) or the standard library's (`$RUST/`).
#[test]
fn ui_messages_point_only_at_the_users_code() {
    let mut stderr_files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from("tests/ui")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("tests/ui is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "stderr") {
                stderr_files.push(path);
            }
        }
    }
    assert!(stderr_files.len() > 50, "found {stderr_files:?}");
    let inside = ["sfn-asl/", "sfn-macros", "sfn-runtime/", "$RUST/"];
    let mut offenders = Vec::new();
    for path in &stderr_files {
        let text = std::fs::read_to_string(path).expect("a readable .stderr");
        for line in text.lines() {
            let location = line.trim_start();
            let points = location.starts_with("-->") || location.starts_with(":::");
            if inside.iter().any(|p| line.contains(p))
                || (points && !location.contains("tests/ui/"))
            {
                offenders.push(format!("{}: {line}", path.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}
