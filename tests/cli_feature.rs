//! The CLI's dependencies come only with the `cli` feature: a library user who sets
//! `default-features = false` compiles neither `clap`, `clap_complete` nor the importer
//! (`sfn-macros-core`) into the program. The proc macro `sfn-macros` runs the same crate's
//! expansion at build time, so the trees below leave proc-macro dependencies out.

use std::process::Command;

/// `cargo tree` of the `sfn` package's normal dependencies (without those of proc macros)
/// with `feature_args`.
fn dependency_tree(feature_args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "--locked",
            "-p",
            "sfn",
            "-e",
            "normal,no-proc-macro",
        ])
        .args(["--prefix", "none", "--format", "{p}"])
        .args(feature_args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn has_crate(tree: &str, name: &str) -> bool {
    tree.lines()
        .any(|l| l.split_whitespace().next() == Some(name))
}

#[test]
fn clap_comes_only_with_the_cli_feature() {
    let library = dependency_tree(&["--no-default-features"]);
    assert!(has_crate(&library, "sfn-runtime"), "{library}");
    for cli_only in ["clap", "clap_complete", "clap_builder", "sfn-macros-core"] {
        assert!(!has_crate(&library, cli_only), "{cli_only} without `cli`");
    }
    let binary = dependency_tree(&[]);
    for cli_only in ["clap", "clap_complete", "sfn-macros-core"] {
        assert!(has_crate(&binary, cli_only), "{cli_only} with `cli`");
    }
    // The importer alone (no `expand` feature of sfn-macros-core) needs no syn.
    assert!(!has_crate(&binary, "syn"), "{binary}");
}
