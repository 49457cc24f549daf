//! `sfn build`: cargo builds, and only the workflows of crates that compiled get deployable
//! files. A small package in a temporary folder (depending on this `sfn` by path, built into
//! this build's own target folder so nothing is compiled twice) is built with a valid workflow,
//! then with a path its input type does not have, which only rustc's constant evaluation
//! rejects, after the macro has staged the file.

mod support;

use std::path::{Path, PathBuf};

const GOOD: &str = r#"
use sfn::{workflow, Shape};

#[derive(serde::Serialize, serde::Deserialize, Shape)]
pub struct Order { pub id: String }

workflow! {
    pub Shipping(Order) {
        start Ship;
        Ship: pass { parameters: { "id.$": "$.id" } } end;
    }
}
"#;

/// The target folder this test binary was built in (`<target>/debug/deps/cli_build-…`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .nth(3)
        .expect("<target>/<profile>/deps/<test>")
        .to_path_buf()
}

/// A package `build_probe` with `src/lib.rs` = `source`, locked to this workspace's versions.
fn probe_package(dir: &Path, source: &str) {
    std::fs::create_dir_all(dir.join("src")).expect("package folder");
    let manifest = format!(
        "[package]\nname = \"build_probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[dependencies]\nsfn = {{ path = {:?} }}\n\
         serde = {{ version = \"1\", features = [\"derive\"] }}\n\n[workspace]\n",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("Cargo.toml");
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock");
    std::fs::copy(lock, dir.join("Cargo.lock")).expect("Cargo.lock");
    std::fs::write(dir.join("src/lib.rs"), source).expect("lib.rs");
}

fn sfn_build(dir: &Path, out: &Path) -> support::Run {
    let manifest = dir.join("Cargo.toml");
    let target = target_dir();
    support::sfn_env(
        &[
            "build",
            "--offline",
            "--manifest-path",
            manifest.to_str().expect("utf-8 path"),
        ],
        "",
        &[
            ("CARGO_TARGET_DIR", target.to_str().expect("utf-8 path")),
            ("SFN_ASL_OUT_DIR", out.to_str().expect("utf-8 path")),
        ],
    )
}

#[test]
fn only_a_build_that_compiled_leaves_deployable_files() {
    let base = std::env::temp_dir().join(format!("sfn-cli-build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let (pkg, out) = (base.join("pkg"), base.join("out"));
    probe_package(&pkg, GOOD);

    let run = sfn_build(&pkg, &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let deployed = out.join("build_probe/Shipping.asl.json");
    assert_eq!(run.stdout.trim(), deployed.to_str().expect("utf-8 path"));
    let asl: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&deployed).expect("the deployed ASL"))
            .expect("JSON");
    assert_eq!(asl["StartAt"], "Ship");
    assert!(out.join("build_probe/Shipping.iam.json").is_file());

    // A path `Order` does not have: the macro stages the file, rustc then rejects the crate.
    std::fs::write(
        pkg.join("src/lib.rs"),
        GOOD.replace("\"$.id\"", "\"$.idd\""),
    )
    .expect("lib.rs");
    let run = sfn_build(&pkg, &out);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("no field `idd` in `Order`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("removed the files of build_probe"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        !deployed.exists(),
        "a failed build leaves no deployable ASL"
    );
    assert!(!out.join(".staged/build_probe/Shipping.asl.json").exists());
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn cargo_message_format_is_refused_with_the_reason() {
    let run = support::sfn(&["build", "--message-format=short"], "");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("leave out `--message-format`"),
        "{}",
        run.stderr
    );
}
