//! The `sfn` command line: `validate`, and more to come.

use std::io::Write;

/// Runs the CLI with `args` (without the program name); returns the exit code.
pub fn main(args: &[String]) -> i32 {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run(args, &mut stdout.lock(), &mut stderr.lock())
}

const USAGE: &str = "usage: sfn validate [--express] FILE...";

/// Runs the CLI writing to the given streams; returns the exit code.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match args.first().map(String::as_str) {
        Some("validate") => validate(&args[1..], out, err),
        _ => {
            let _ = writeln!(err, "{USAGE}");
            2
        }
    }
}

/// `sfn validate [--express] FILE...`: `ok` or every finding per file; exit 0 when all are
/// valid, 1 when some is invalid, 2 when a file cannot be read (or the arguments are wrong).
///
/// A finding prints as `FILE: POINTER: CODE: MESSAGE`, its hint on the next line as
/// `FILE:   hint: ...`, so every line names its file (grep-friendly).
fn validate(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut options = sfn_asl::validate::LintOptions::default();
    let mut files = Vec::new();
    for arg in args {
        match arg.as_str() {
            "--express" => options.express = true,
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
                for f in &findings {
                    let at = if f.pointer.is_empty() {
                        "/"
                    } else {
                        &f.pointer
                    };
                    let _ = writeln!(out, "{file}: {at}: {}: {}", f.code.as_str(), f.message);
                    if let Some(hint) = &f.hint {
                        let _ = writeln!(out, "{file}:   hint: {hint}");
                    }
                }
                if code == 0 {
                    code = 1;
                }
            }
        }
    }
    code
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
