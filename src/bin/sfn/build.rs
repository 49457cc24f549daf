//! `sfn build [CARGO_ARGS]`: `cargo build`, then the deployable ASL and IAM files of every crate
//! that compiled.
//!
//! `workflow!` cannot know whether its crate will compile (the path checks against the user's
//! types run later, as constant evaluation), so it only stages its files
//! (`sfn_macros_core::layout`). This command runs cargo, reads from cargo's JSON messages which
//! crates compiled and which failed, copies each compiled crate's staged files to
//! `<root>/<crate>/`, and removes the files of each crate that failed: what the folder holds
//! always compiled.

use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

use serde_json::Value;
use sfn_macros_core::layout::{crate_folder, is_workflow_file, STAGED};

use crate::cli::{BadInvocation, Outcome, FAILED, SUCCESS};

/// Build with cargo, then write the ASL and IAM files of every workflow whose crate compiled.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The files go to target/stepfunctions/<crate>/ (a binary or an example: \
    <crate>-bin), or under $SFN_ASL_OUT_DIR if set; a crate that fails to build loses its files.\n\
    Examples:\n  sfn build\n  sfn build --release -p my_app\n  sfn build --example order_processing"
)]
pub(crate) struct Args {
    /// Arguments for `cargo build` (`-p NAME`, `--release`, `--example NAME`, ...).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "CARGO_ARGS"
    )]
    cargo_args: Vec<String>,
}

/// What cargo reported about the crates of one build, by folder name.
#[derive(Debug, Default, PartialEq)]
struct Built {
    /// Compiled in this build (or up to date): folder name → whether rustc ran now.
    compiled: Vec<(String, bool)>,
    /// Failed with an error.
    failed: BTreeSet<String>,
}

pub(crate) fn run(args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    if args
        .cargo_args
        .iter()
        .any(|a| a.starts_with("--message-format"))
    {
        return Err(BadInvocation(
            "`sfn build` reads cargo's JSON messages itself: leave out `--message-format`".into(),
        ));
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = match stepfunctions_root(&cargo, &args.cargo_args) {
        Ok(root) => root,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return Ok(FAILED);
        }
    };
    let started = SystemTime::now();
    let (built, success) = match cargo_build(&cargo, &args.cargo_args, err) {
        Ok(result) => result,
        Err(e) => {
            let _ = writeln!(err, "error: could not run `{cargo} build`: {e}");
            return Ok(FAILED);
        }
    };
    let written = apply(&root, &built, started);
    for file in &written {
        let _ = writeln!(out, "{}", file.display());
    }
    let _ = writeln!(
        err,
        "sfn build: {} workflow file(s) in {}{}",
        written.len(),
        root.display(),
        if built.failed.is_empty() {
            String::new()
        } else {
            let failed: Vec<&str> = built.failed.iter().map(String::as_str).collect();
            format!(
                "; removed the files of {} (failed to build)",
                failed.join(", ")
            )
        }
    );
    Ok(if success { SUCCESS } else { FAILED })
}

/// `$SFN_ASL_OUT_DIR`, else `<target>/stepfunctions` as `cargo metadata` names the target.
fn stepfunctions_root(cargo: &str, cargo_args: &[String]) -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("SFN_ASL_OUT_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let mut cmd = Command::new(cargo);
    cmd.args(["metadata", "--format-version", "1", "--no-deps"]);
    if let Some(i) = cargo_args.iter().position(|a| a == "--manifest-path") {
        if let Some(path) = cargo_args.get(i + 1) {
            cmd.args(["--manifest-path", path]);
        }
    }
    let output = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run `{cargo} metadata`: {e}"))?;
    if !output.status.success() {
        return Err("`cargo metadata` failed: is this inside a cargo package?".into());
    }
    let meta: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("`cargo metadata` printed something other than JSON: {e}"))?;
    meta["target_directory"]
        .as_str()
        .map(|t| Path::new(t).join("stepfunctions"))
        .ok_or_else(|| "`cargo metadata` named no target directory".into())
}

/// Runs `cargo build` with JSON messages, printing rustc's diagnostics on `err` as cargo would
/// (in colour when standard error is a terminal).
fn cargo_build(
    cargo: &str,
    cargo_args: &[String],
    err: &mut dyn Write,
) -> std::io::Result<(Built, bool)> {
    // `json-render-diagnostics` would leave the errors out of the messages, and the errors say
    // which crates failed.
    let format = if std::io::stderr().is_terminal() {
        "--message-format=json-diagnostic-rendered-ansi"
    } else {
        "--message-format=json"
    };
    let mut child = Command::new(cargo)
        .arg("build")
        .arg(format)
        .args(cargo_args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut built = Built::default();
    if let Some(stdout) = child.stdout.take() {
        for line in std::io::BufReader::new(stdout).lines() {
            if let Some(rendered) = record(&mut built, &line?) {
                let _ = err.write_all(rendered.as_bytes());
            }
        }
    }
    let status = child.wait()?;
    Ok((built, status.success()))
}

/// Notes one line of cargo's JSON output; other lines (a build script's output) are ignored.
/// Returns a compiler diagnostic's rendered text.
fn record(built: &mut Built, line: &str) -> Option<String> {
    let msg = serde_json::from_str::<Value>(line).ok()?;
    let target = &msg["target"];
    let name = target["name"].as_str()?;
    let kinds: Vec<&str> = target["kind"]
        .as_array()
        .map(|k| k.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let binary = kinds.iter().any(|k| *k == "bin" || *k == "example");
    let folder = crate_folder(name, binary);
    match msg["reason"].as_str() {
        Some("compiler-artifact") => {
            let fresh = msg["fresh"].as_bool().unwrap_or(false);
            built.compiled.push((folder, !fresh));
            None
        }
        Some("compiler-message") => {
            if msg["message"]["level"].as_str() == Some("error") {
                built.failed.insert(folder);
            }
            msg["message"]["rendered"].as_str().map(str::to_owned)
        }
        _ => None,
    }
}

/// Promotes the staged files of the crates that compiled and removes those of the crates that
/// failed; the ASL files written, sorted. `started`: when the build began (a crate rustc
/// compiled now whose staged folder is older holds no workflow any more).
fn apply(root: &Path, built: &Built, started: SystemTime) -> Vec<PathBuf> {
    let mut written = Vec::new();
    for (folder, compiled_now) in &built.compiled {
        if built.failed.contains(folder) {
            continue;
        }
        let staged = root.join(STAGED).join(folder);
        let deployed = root.join(folder);
        if *compiled_now && older_than(&staged.join(".session"), started) {
            clear(&staged);
            clear(&deployed);
            continue;
        }
        written.extend(promote(&staged, &deployed));
    }
    for folder in &built.failed {
        clear(&root.join(STAGED).join(folder));
        clear(&root.join(folder));
    }
    written.sort();
    written
}

/// Whether `file` is missing or was last written before `time`.
fn older_than(file: &Path, time: SystemTime) -> bool {
    std::fs::metadata(file)
        .and_then(|m| m.modified())
        .map_or(true, |m| m < time)
}

/// Replaces the workflow files of `deployed` by those of `staged`; the ASL files copied.
fn promote(staged: &Path, deployed: &Path) -> Vec<PathBuf> {
    let files = workflow_files(staged);
    if files.is_empty() {
        clear(deployed);
        return Vec::new();
    }
    clear(deployed);
    if std::fs::create_dir_all(deployed).is_err() {
        return Vec::new();
    }
    let mut written = Vec::new();
    for file in files {
        let Some(name) = file.file_name() else {
            continue;
        };
        let to = deployed.join(name);
        if std::fs::copy(&file, &to).is_ok() && to.to_string_lossy().ends_with(".asl.json") {
            written.push(to);
        }
    }
    written
}

/// The `.asl.json` and `.iam.json` files directly in `dir`.
fn workflow_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| is_workflow_file(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect()
}

fn clear(dir: &Path) {
    for file in workflow_files(dir) {
        let _ = std::fs::remove_file(file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(name: &str, kind: &str, fresh: bool) -> String {
        serde_json::json!({
            "reason": "compiler-artifact",
            "target": { "name": name, "kind": [kind] },
            "fresh": fresh,
        })
        .to_string()
    }

    fn error_in(name: &str, kind: &str) -> String {
        serde_json::json!({
            "reason": "compiler-message",
            "target": { "name": name, "kind": [kind] },
            "message": { "level": "error", "rendered": "error[E0080]: ..." },
        })
        .to_string()
    }

    #[test]
    fn cargo_messages_say_which_crates_compiled_and_which_failed() {
        let mut built = Built::default();
        for line in [
            artifact("my-lib", "lib", false),
            artifact("order_processing", "example", true),
            "not json: a build script said this".to_string(),
            error_in("broken", "bin"),
            serde_json::json!({ "reason": "compiler-message", "target": { "name": "warned", "kind": ["lib"] }, "message": { "level": "warning" } }).to_string(),
        ] {
            let _ = record(&mut built, &line);
        }
        assert_eq!(
            built.compiled,
            vec![
                ("my_lib".to_string(), true),
                ("order_processing-bin".to_string(), false)
            ]
        );
        assert_eq!(built.failed.iter().collect::<Vec<_>>(), vec!["broken-bin"]);
    }

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    #[test]
    fn compiled_crates_are_promoted_and_failed_ones_lose_their_files() {
        let root = std::env::temp_dir().join(format!("sfn-build-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let before = SystemTime::now() - std::time::Duration::from_secs(60);
        // `good` compiled now: staged this build, with an older deployed file to replace.
        write(&root.join(".staged/good/.session"), "1");
        write(&root.join(".staged/good/Flow.asl.json"), "{\"new\":1}");
        write(&root.join(".staged/good/Flow.iam.json"), "{}");
        write(&root.join("good/Gone.asl.json"), "{\"renamed\":1}");
        // `bad` failed: its rejected staged file and its earlier deployed one both go.
        write(&root.join(".staged/bad/Bad.asl.json"), "{\"rejected\":1}");
        write(&root.join("bad/Bad.asl.json"), "{\"old\":1}");
        write(&root.join("bad/notes.txt"), "kept");
        let built = Built {
            compiled: vec![("good".into(), true), ("bad".into(), true)],
            failed: ["bad".to_string()].into_iter().collect(),
        };
        let written = apply(&root, &built, before);
        assert_eq!(written, vec![root.join("good/Flow.asl.json")]);
        let read = |p: &str| std::fs::read_to_string(root.join(p)).ok();
        assert_eq!(read("good/Flow.asl.json").as_deref(), Some("{\"new\":1}"));
        assert!(read("good/Flow.iam.json").is_some() && read("good/Gone.asl.json").is_none());
        assert!(read("bad/Bad.asl.json").is_none() && read(".staged/bad/Bad.asl.json").is_none());
        assert_eq!(read("bad/notes.txt").as_deref(), Some("kept"));
        // Compiled again with no workflow left in it: the staged folder is older than the build.
        let written = apply(
            &root,
            &built_only("good"),
            SystemTime::now() + std::time::Duration::from_secs(5),
        );
        assert!(written.is_empty());
        assert!(
            read("good/Flow.asl.json").is_none() && read(".staged/good/Flow.asl.json").is_none()
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    fn built_only(folder: &str) -> Built {
        Built {
            compiled: vec![(folder.into(), true)],
            failed: BTreeSet::new(),
        }
    }
}
