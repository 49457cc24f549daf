//! Stages `<Workflow>.asl.json` and `<Workflow>.iam.json` beside the build, for `sfn build` to
//! promote once the whole crate has compiled.
//!
//! The macro cannot know whether the crate will compile: the path checks against the user's
//! types run later, inside rustc, as constant evaluation. So what it writes is not deployable:
//! it goes to `<root>/.staged/<crate>/`, and `sfn build` (which runs cargo and reads which crates
//! compiled) copies a crate's staged files to `<root>/<crate>/` only when that crate compiled,
//! and removes that folder's files when it failed. A program can also write its own files at run
//! time, after a successful build, with the generated `<Workflow>::write_files()`.
//!
//! `<root>`: `$SFN_ASL_OUT_DIR` if set; else `<target>/stepfunctions`, `<target>` being
//! `$CARGO_TARGET_DIR`, else the `target` directory above `$OUT_DIR` (crates with a build
//! script), else the nearest `target/` found walking up from `$CARGO_MANIFEST_DIR`.
//! `<crate>` is the crate being compiled (`$CARGO_CRATE_NAME`, with `-bin` for a binary or an
//! example), so crates sharing a target directory keep their files apart; a library and its
//! unit-test build share one folder (the test build holds every workflow of the library).
//!
//! Each compilation of a crate starts its staged folder afresh: the first workflow it writes
//! removes the files an earlier compilation left, so a workflow that was renamed or deleted
//! leaves no file behind. A workflow the macro rejects has its files removed. Failing to write
//! is not a build error: the ASL is also in the generated `ASL` constant.

use std::path::{Path, PathBuf};

pub(crate) use crate::layout::STAGED;

/// Where one crate's files go.
pub(crate) struct OutDir {
    /// Where the macro writes (`<root>/.staged/<crate>/`).
    pub(crate) staged: PathBuf,
    /// Where `sfn build` and `write_files()` put the deployable files (`<root>/<crate>/`).
    pub(crate) deployed: PathBuf,
}

/// The directories the files go to, if a root can be found.
pub(crate) fn out_dir() -> Option<OutDir> {
    let root = match std::env::var_os("SFN_ASL_OUT_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => target_dir()?.join("stepfunctions"),
    };
    let key = crate_key();
    Some(OutDir {
        staged: root.join(STAGED).join(&key),
        deployed: root.join(key),
    })
}

fn target_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(out) = std::env::var_os("OUT_DIR") {
        // <target>/<profile>/build/<pkg>-<hash>/out
        let out = PathBuf::from(out);
        if let Some(target) = out.ancestors().nth(4) {
            return Some(target.to_path_buf());
        }
    }
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    manifest
        .ancestors()
        .map(|a| a.join("target"))
        .find(|t| t.is_dir())
}

/// The crate's folder name (see [`crate::layout::crate_folder`]).
fn crate_key() -> String {
    let name = std::env::var("CARGO_CRATE_NAME").unwrap_or_else(|_| "unknown".into());
    crate::layout::crate_folder(&name, std::env::var_os("CARGO_BIN_NAME").is_some())
}

/// The file a session marker names: the compiler process that last wrote the folder (proc
/// macros run inside it, so every workflow of one compilation shares it).
const SESSION: &str = ".session";

/// On the first write of a compilation into a folder of its own, removes what an earlier one
/// wrote there.
fn start_session(dir: &Path) {
    let me = std::process::id().to_string();
    let marker = dir.join(SESSION);
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(me.as_str()) {
        return;
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if crate::layout::is_workflow_file(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let _ = std::fs::write(marker, me);
}

/// Stages `name.asl.json` and `name.iam.json` (best effort); the path of the staged ASL file
/// when both were written.
pub(crate) fn write_files(dir: &OutDir, name: &str, asl: &str, iam: &str) -> Option<PathBuf> {
    let staged = &dir.staged;
    std::fs::create_dir_all(staged).ok()?;
    start_session(staged);
    let mut written = true;
    // Skip unchanged files so that tools watching the directory see no churn.
    for (file, text) in [
        (format!("{name}.asl.json"), asl),
        (format!("{name}.iam.json"), iam),
    ] {
        let path = staged.join(file);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            written &= std::fs::write(path, text).is_ok();
        }
    }
    written.then(|| staged.join(format!("{name}.asl.json")))
}

/// Removes the files of a workflow the macro rejected, staged and deployed, so no deployable
/// file outlives it.
pub(crate) fn remove_files(dir: &OutDir, name: &str) {
    for folder in [&dir.staged, &dir.deployed] {
        for file in [format!("{name}.asl.json"), format!("{name}.iam.json")] {
            let _ = std::fs::remove_file(folder.join(file));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_out(tag: &str) -> (PathBuf, OutDir) {
        let root = std::env::temp_dir().join(format!("sfn-macros-{tag}-{}", std::process::id()));
        let out = OutDir {
            staged: root.join(STAGED).join("my_crate"),
            deployed: root.join("my_crate"),
        };
        (root, out)
    }

    fn read(path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }

    #[test]
    fn files_are_staged_and_unchanged_ones_left_alone() {
        let (root, out) = temp_out("out");
        let staged = out.staged.clone();
        let written = write_files(&out, "Flow", "{\"asl\":1}", "{\"iam\":1}");
        assert_eq!(written, Some(staged.join("Flow.asl.json")));
        assert_eq!(
            read(&staged.join("Flow.asl.json")).as_deref(),
            Some("{\"asl\":1}")
        );
        assert_eq!(
            read(&staged.join("Flow.iam.json")).as_deref(),
            Some("{\"iam\":1}")
        );
        assert!(
            !out.deployed.exists(),
            "nothing deployable before the crate compiled"
        );
        let modified = || {
            std::fs::metadata(staged.join("Flow.asl.json"))
                .and_then(|m| m.modified())
                .ok()
        };
        let before = modified();
        write_files(&out, "Flow", "{\"asl\":1}", "{\"iam\":2}");
        assert_eq!(before, modified(), "an unchanged file is not rewritten");
        assert_eq!(
            read(&staged.join("Flow.iam.json")).as_deref(),
            Some("{\"iam\":2}")
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn an_unwritable_directory_is_not_an_error() {
        // A path under a regular file cannot be created: nothing happens, nothing panics.
        let file = std::env::temp_dir().join(format!("sfn-macros-file-{}", std::process::id()));
        let _ = std::fs::write(&file, "x");
        let out = OutDir {
            staged: file.join("sub"),
            deployed: file.join("other"),
        };
        assert_eq!(write_files(&out, "Flow", "{}", "{}"), None);
        assert!(!file.join("sub").exists());
        let _ = std::fs::remove_file(&file);
    }

    #[test]
    fn a_new_compilation_clears_what_an_earlier_one_left_and_a_rejected_workflow_its_files() {
        let (root, out) = temp_out("stale");
        let dir = out.staged.clone();
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::create_dir_all(&out.deployed).expect("temp dir");
        // An earlier compilation (another compiler process) wrote `Old`, since renamed.
        std::fs::write(dir.join(SESSION), "0").expect("marker");
        std::fs::write(dir.join("Old.asl.json"), "{}").expect("old asl");
        std::fs::write(dir.join("Old.iam.json"), "{}").expect("old iam");
        std::fs::write(dir.join("notes.txt"), "kept").expect("other file");
        write_files(&out, "New", "{}", "{}");
        assert!(!dir.join("Old.asl.json").exists() && !dir.join("Old.iam.json").exists());
        assert!(dir.join("New.asl.json").is_file() && dir.join("notes.txt").is_file());
        // A second workflow of the same compilation keeps the first one's files.
        write_files(&out, "Other", "{}", "{}");
        assert!(dir.join("New.asl.json").is_file() && dir.join("Other.asl.json").is_file());
        // A rejected workflow loses its staged files and a deployed copy from an earlier build.
        std::fs::write(out.deployed.join("Other.asl.json"), "{}").expect("deployed asl");
        remove_files(&out, "Other");
        assert!(!dir.join("Other.asl.json").exists() && !dir.join("Other.iam.json").exists());
        assert!(!out.deployed.join("Other.asl.json").exists());
        let _ = std::fs::remove_dir_all(&root);
    }
}
