//! `sfn validate`: parse and lint definitions, print every finding.

use std::io::Write;

pub(super) const USAGE: &str = "usage: sfn validate [--express] FILE...";

pub(super) const HELP: &str = "\
usage: sfn validate [--express] FILE...

Parses and lints each state machine definition; prints `FILE: ok` or every finding as
`FILE: POINTER: CODE: MESSAGE`, its hint on the next line as `FILE:   hint: ...`.

Options:
  --express   validate as an EXPRESS state machine (no activities, .sync, .waitForTaskToken)

Exit status: 0 all valid, 1 some definition is invalid, 2 a file cannot be read or bad arguments.
";

/// `sfn validate [--express] FILE...`: `ok` or every finding per file; exit 0 when all are
/// valid, 1 when some is invalid, 2 when a file cannot be read (or the arguments are wrong).
///
/// A finding prints as `FILE: POINTER: CODE: MESSAGE`, its hint on the next line as
/// `FILE:   hint: ...`, so every line names its file (grep-friendly).
pub(super) fn main(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut options = sfn_asl::validate::LintOptions::default();
    let mut files = Vec::new();
    for arg in args {
        match arg.as_str() {
            "--express" => options.express = true,
            "--help" | "-h" => {
                let _ = write!(out, "{HELP}");
                return 0;
            }
            flag if flag.starts_with("--") => {
                let _ = writeln!(err, "unknown option `{flag}`\n{USAGE}");
                return 2;
            }
            file => files.push(file),
        }
    }
    if files.is_empty() {
        let _ = writeln!(err, "{USAGE}");
        return 2;
    }
    let mut code = 0;
    for file in files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                let _ = writeln!(err, "{file}: cannot read: {e}");
                code = 2;
                continue;
            }
        };
        match validate_text(&text, &options) {
            Ok(()) => {
                let _ = writeln!(out, "{file}: ok");
            }
            Err(findings) => {
                write_findings(out, file, &findings);
                if code == 0 {
                    code = 1;
                }
            }
        }
    }
    code
}

/// Writes findings in the `sfn validate` format (shared with `sfn run` and `sfn test-state`).
pub(super) fn write_findings(w: &mut dyn Write, file: &str, findings: &[sfn_asl::Finding]) {
    for f in findings {
        let at = if f.pointer.is_empty() {
            "/"
        } else {
            &f.pointer
        };
        let _ = writeln!(w, "{file}: {at}: {}: {}", f.code.as_str(), f.message);
        if let Some(hint) = &f.hint {
            let _ = writeln!(w, "{file}:   hint: {hint}");
        }
    }
}

/// Parses and lints one definition with the CLI's options.
fn validate_text(
    text: &str,
    options: &sfn_asl::validate::LintOptions,
) -> Result<(), Vec<sfn_asl::Finding>> {
    sfn_asl::validate::parse_with(text, options)
        .map(|_| ())
        .map_err(|f| f.0)
}
