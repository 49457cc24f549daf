//! The `sfn` command line: `validate`, and more to come.

use std::io::Write;

/// Runs the CLI with `args` (without the program name); returns the exit code.
pub fn main(args: &[String]) -> i32 {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run(args, &mut stdout.lock(), &mut stderr.lock())
}

const USAGE: &str = "usage: sfn validate FILE...";

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

/// `sfn validate FILE...`: `ok` or findings per file; exit 0 all valid, 1 some invalid, 2 unreadable.
fn validate(files: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
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
        match sfn_asl::parse(&text) {
            Ok(_) => {
                let _ = writeln!(out, "{file}: ok");
            }
            Err(findings) => {
                for f in &findings.0 {
                    let _ = writeln!(out, "{file}: {f}");
                }
                if code == 0 {
                    code = 1;
                }
            }
        }
    }
    code
}
