//! Generates one conformance test per recorded case, so a failure names the case.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let cases = manifest.join("../../shared/conformance/cases");
    println!("cargo:rerun-if-changed={}", cases.display());
    println!("cargo:rerun-if-changed=build.rs");
    let mut names: Vec<String> = std::fs::read_dir(&cases)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .filter_map(|n| n.strip_suffix(".json").map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::new();
    let mut seen = std::collections::HashSet::new();
    for name in &names {
        let mut ident = String::new();
        for c in name.chars() {
            let c = if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            };
            // Rust names allow no double underscores without a lint.
            if !(c == '_' && ident.ends_with('_')) {
                ident.push(c);
            }
        }
        // `…_-1` and `…_1` flatten to the same name: number the later one.
        let base = ident.clone();
        let mut n = 2;
        while !seen.insert(ident.clone()) {
            ident = format!("{base}_{n}");
            n += 1;
        }
        let _ = writeln!(
            out,
            "#[tokio::test(start_paused = true)]\nasync fn case_{ident}() {{ check_case({name:?}).await; }}"
        );
    }
    let _ = writeln!(
        out,
        "/// Every case name, in order.\nconst CASES: &[&str] = &{names:?};"
    );
    let dest =
        PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("conformance_cases.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
    }
}
