//! Writes `<Workflow>.asl.json` and `<Workflow>.iam.json` next to the build, so that
//! `cargo build` leaves deployable files under `target/stepfunctions/`.
//!
//! Where: `$SFN_ASL_OUT_DIR` if set; else `$CARGO_TARGET_DIR/stepfunctions`; else the `target`
//! directory above `$OUT_DIR` (crates with a build script); else the nearest `target/` found
//! walking up from `$CARGO_MANIFEST_DIR`. Failing to write is not a build error: the ASL is
//! also in the generated `ASL` constant.

use std::path::{Path, PathBuf};

/// The directory the files go to, if one can be found.
pub(crate) fn out_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SFN_ASL_OUT_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(dir).join("stepfunctions"));
    }
    if let Some(out) = std::env::var_os("OUT_DIR") {
        // <target>/<profile>/build/<pkg>-<hash>/out
        let out = PathBuf::from(out);
        if let Some(target) = out.ancestors().nth(4) {
            return Some(target.join("stepfunctions"));
        }
    }
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    manifest
        .ancestors()
        .map(|a| a.join("target"))
        .find(|t| t.is_dir())
        .map(|t| t.join("stepfunctions"))
}

/// Writes `name.asl.json` and `name.iam.json` into `dir` (best effort).
pub(crate) fn write_files(dir: &Path, name: &str, asl: &str, iam: &str) {
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    // Skip unchanged files so that tools watching the directory see no churn.
    for (file, text) in [
        (format!("{name}.asl.json"), asl),
        (format!("{name}.iam.json"), iam),
    ] {
        let path = dir.join(file);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            let _ = std::fs::write(path, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_written_and_unchanged_ones_left_alone() {
        let dir = std::env::temp_dir().join(format!("sfn-macros-out-{}", std::process::id()));
        write_files(&dir, "Flow", "{\"asl\":1}", "{\"iam\":1}");
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
        write_files(&dir, "Flow", "{\"asl\":1}", "{\"iam\":2}");
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
        write_files(&file.join("sub"), "Flow", "{}", "{}");
        assert!(!file.join("sub").exists());
        let _ = std::fs::remove_file(&file);
    }
}
