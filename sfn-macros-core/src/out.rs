//! Writes `<Workflow>.asl.json` and `<Workflow>.iam.json` next to the build, so that
//! `cargo build` leaves deployable files under `target/stepfunctions/<crate>/`.
//!
//! Where: `$SFN_ASL_OUT_DIR` if set (exactly there); else `<target>/stepfunctions/<crate>/`,
//! `<target>` being `$CARGO_TARGET_DIR`, else the `target` directory above `$OUT_DIR` (crates
//! with a build script), else the nearest `target/` found walking up from `$CARGO_MANIFEST_DIR`.
//! `<crate>` is the crate being compiled (`$CARGO_CRATE_NAME`, with `-bin` for a binary or an
//! example), so crates sharing a target directory keep their files apart; a library and its
//! unit-test build share one folder (the test build holds every workflow of the library).
//!
//! Each compilation of a crate starts its folder afresh: the first workflow it writes removes
//! the files an earlier compilation left, so a workflow that was renamed or deleted leaves no
//! file behind. A workflow the macro rejects has its files removed. Failing to write is not a
//! build error: the ASL is also in the generated `ASL` constant.

use std::path::{Path, PathBuf};

/// Where one crate's files go, and whether the folder is the crate's own (so a new compilation
/// may clear it) or one the user named.
pub(crate) struct OutDir {
    pub(crate) path: PathBuf,
    owned: bool,
}

/// The directory the files go to, if one can be found.
pub(crate) fn out_dir() -> Option<OutDir> {
    if let Some(dir) = std::env::var_os("SFN_ASL_OUT_DIR") {
        return Some(OutDir {
            path: PathBuf::from(dir),
            owned: false,
        });
    }
    let path = target_dir()?.join("stepfunctions").join(crate_key());
    Some(OutDir { path, owned: true })
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

/// The crate's folder name: its crate name, `-bin` added for a binary or an example (a
/// package's library and binary have the same crate name).
fn crate_key() -> String {
    let name = std::env::var("CARGO_CRATE_NAME").unwrap_or_else(|_| "unknown".into());
    let name: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    if std::env::var_os("CARGO_BIN_NAME").is_some() {
        format!("{name}-bin")
    } else {
        name
    }
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
            if name.ends_with(".asl.json") || name.ends_with(".iam.json") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let _ = std::fs::write(marker, me);
}

/// Writes `name.asl.json` and `name.iam.json` into `dir` (best effort); the path of the ASL
/// file when both were written.
pub(crate) fn write_files(dir: &OutDir, name: &str, asl: &str, iam: &str) -> Option<PathBuf> {
    std::fs::create_dir_all(&dir.path).ok()?;
    if dir.owned {
        start_session(&dir.path);
    }
    let mut written = true;
    // Skip unchanged files so that tools watching the directory see no churn.
    for (file, text) in [
        (format!("{name}.asl.json"), asl),
        (format!("{name}.iam.json"), iam),
    ] {
        let path = dir.path.join(file);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            written &= std::fs::write(path, text).is_ok();
        }
    }
    written.then(|| dir.path.join(format!("{name}.asl.json")))
}

/// Removes the files of a workflow the macro rejected, so no deployable file outlives it.
pub(crate) fn remove_files(dir: &OutDir, name: &str) {
    for file in [format!("{name}.asl.json"), format!("{name}.iam.json")] {
        let _ = std::fs::remove_file(dir.path.join(file));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_written_and_unchanged_ones_left_alone() {
        let dir = std::env::temp_dir().join(format!("sfn-macros-out-{}", std::process::id()));
        let out = OutDir {
            path: dir.clone(),
            owned: true,
        };
        let written = write_files(&out, "Flow", "{\"asl\":1}", "{\"iam\":1}");
        assert_eq!(written, Some(dir.join("Flow.asl.json")));
        assert_eq!(
            std::fs::read_to_string(dir.join("Flow.asl.json"))
                .ok()
                .as_deref(),
            Some("{\"asl\":1}")
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("Flow.iam.json"))
                .ok()
                .as_deref(),
            Some("{\"iam\":1}")
        );
        let before = std::fs::metadata(dir.join("Flow.asl.json"))
            .and_then(|m| m.modified())
            .ok();
        write_files(&out, "Flow", "{\"asl\":1}", "{\"iam\":2}");
        let after = std::fs::metadata(dir.join("Flow.asl.json"))
            .and_then(|m| m.modified())
            .ok();
        assert_eq!(before, after, "an unchanged file is not rewritten");
        assert_eq!(
            std::fs::read_to_string(dir.join("Flow.iam.json"))
                .ok()
                .as_deref(),
            Some("{\"iam\":2}")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unwritable_directory_is_not_an_error() {
        // A path under a regular file cannot be created: nothing happens, nothing panics.
        let file = std::env::temp_dir().join(format!("sfn-macros-file-{}", std::process::id()));
        let _ = std::fs::write(&file, "x");
        let out = OutDir {
            path: file.join("sub"),
            owned: true,
        };
        assert_eq!(write_files(&out, "Flow", "{}", "{}"), None);
        assert!(!file.join("sub").exists());
        let _ = std::fs::remove_file(&file);
    }

    #[test]
    fn a_new_compilation_clears_what_an_earlier_one_left_and_a_rejected_workflow_its_files() {
        let dir = std::env::temp_dir().join(format!("sfn-macros-stale-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        // An earlier compilation (another compiler process) wrote `Old`, since renamed.
        std::fs::write(dir.join(SESSION), "0").expect("marker");
        std::fs::write(dir.join("Old.asl.json"), "{}").expect("old asl");
        std::fs::write(dir.join("Old.iam.json"), "{}").expect("old iam");
        std::fs::write(dir.join("notes.txt"), "kept").expect("other file");
        let out = OutDir {
            path: dir.clone(),
            owned: true,
        };
        write_files(&out, "New", "{}", "{}");
        assert!(!dir.join("Old.asl.json").exists() && !dir.join("Old.iam.json").exists());
        assert!(dir.join("New.asl.json").is_file() && dir.join("notes.txt").is_file());
        // A second workflow of the same compilation keeps the first one's files.
        write_files(&out, "Other", "{}", "{}");
        assert!(dir.join("New.asl.json").is_file() && dir.join("Other.asl.json").is_file());
        remove_files(&out, "Other");
        assert!(!dir.join("Other.asl.json").exists() && !dir.join("Other.iam.json").exists());
        // A folder the user named is never cleared.
        std::fs::write(dir.join(SESSION), "0").expect("marker");
        let named = OutDir {
            path: dir.clone(),
            owned: false,
        };
        write_files(&named, "Third", "{}", "{}");
        assert!(dir.join("New.asl.json").is_file());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
