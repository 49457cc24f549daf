//! Where `workflow!` stages a crate's ASL and IAM files and where `sfn build` promotes them:
//! shared by the macro (which writes) and the CLI (which promotes), so the two agree.
//!
//! Under a root (`$SFN_ASL_OUT_DIR`, else `<target>/stepfunctions`): the macro writes
//! `<root>/.staged/<crate>/<Workflow>.asl.json` (and `.iam.json`) while compiling `<crate>`;
//! `sfn build` copies them to `<root>/<crate>/` once that crate has compiled.

/// The folder, under the root, where the macro stages what it writes.
pub const STAGED: &str = ".staged";

/// The folder of one compiled crate: its crate name (`-` as `_`, other characters than ASCII
/// letters, digits, `_` and `-` dropped), with `-bin` for a binary or an example (a package's
/// library and binary have the same crate name).
pub fn crate_folder(crate_name: &str, binary: bool) -> String {
    let name: String = crate_name
        .chars()
        .map(|c| if c == '-' { '_' } else { c })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if binary {
        format!("{name}-bin")
    } else {
        name
    }
}

/// Whether `file` is one of the files the macro writes (`.asl.json` or `.iam.json`).
pub fn is_workflow_file(file: &str) -> bool {
    file.ends_with(".asl.json") || file.ends_with(".iam.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_follow_the_crate_name_and_kind() {
        assert_eq!(crate_folder("my-app", false), "my_app");
        assert_eq!(
            crate_folder("order_processing", true),
            "order_processing-bin"
        );
        assert_eq!(crate_folder("../evil", false), "evil");
        assert!(is_workflow_file("Flow.asl.json") && is_workflow_file("Flow.iam.json"));
        assert!(!is_workflow_file(".session") && !is_workflow_file("Flow.json"));
    }
}
