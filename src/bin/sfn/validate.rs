//! `sfn validate`: parse and lint definitions, print every finding.

use std::io::Write;

use serde_json::{json, Value};
use sfn_asl::validate::{unassigned_variables, LintOptions, UnassignedVariable};
use sfn_asl::Finding;

use crate::cli::{Outcome, FAILED, INVALID, SUCCESS};
use crate::input::{read_source, DEFINITION};

/// Check definitions and print every finding.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Parses and lints each state machine definition. Prints `FILE: ok`, or every \
finding as `FILE: POINTER: CODE: MESSAGE` with its hint on the next line as `FILE:   hint: ...`, \
so every line names its file. A JSONata expression reading a workflow variable that no `Assign` \
before its state sets is a warning (`FILE: POINTER: WARNING: ...`): AWS accepts the definition, \
and the read fails when it runs.\n\n\
With --json, prints one line per file: the response of AWS's ValidateStateMachineDefinition, \
{\"result\":\"OK\"|\"FAIL\",\"diagnostics\":[{\"severity\",\"code\",\"message\",\"location\"}],\
\"truncated\":false}.",
    after_help = "Exit status: 0 all valid, 1 some definition is invalid, 2 a file cannot be read \
or bad arguments."
)]
pub(crate) struct Args {
    /// Validate as an EXPRESS state machine (no activities, .sync, .waitForTaskToken).
    #[arg(long)]
    express: bool,
    /// Print AWS's ValidateStateMachineDefinition response, one JSON object per file.
    #[arg(long)]
    json: bool,
    /// With --json: at most N diagnostics per file; `truncated` says when more were found.
    #[arg(long, value_name = "N", default_value_t = 100, requires = "json")]
    max_results: usize,
    /// The definitions to check (- reads one from standard input).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
}

/// Checks every file: exit 0 when all are valid, 1 when some is invalid, 2 when a file cannot
/// be read (the others are still checked).
pub(crate) fn run(args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let options = LintOptions {
        express: args.express,
    };
    // Standard input holds one definition: a second `-` would read nothing.
    if args.files.iter().filter(|f| *f == "-").count() > 1 {
        return Err("`-` (standard input) is given more than once; it holds one definition".into());
    }
    let mut code = SUCCESS;
    for file in &args.files {
        let text = match read_source(file, &DEFINITION) {
            Ok(t) => t,
            Err(e) => {
                let _ = writeln!(err, "{}", e.0);
                code = INVALID;
                continue;
            }
        };
        // Warnings only for a definition AWS would accept: findings come first.
        let (findings, warnings) = match sfn_asl::validate::parse_with(&text, &options) {
            Ok(m) => (Vec::new(), unassigned_variables(&sfn_asl::emit_value(&m))),
            Err(f) => (f.0, Vec::new()),
        };
        if args.json {
            let response = response_json(&findings, &warnings, args.max_results);
            let _ = writeln!(out, "{response}");
        } else {
            write_warnings(out, file, &warnings);
            if findings.is_empty() {
                let _ = writeln!(out, "{file}: ok");
            } else {
                write_findings(out, file, &findings);
            }
        }
        if !findings.is_empty() && code == SUCCESS {
            code = FAILED;
        }
    }
    Ok(code)
}

/// Writes findings in the `sfn validate` format (shared with `sfn run` and `sfn test-state`).
pub(crate) fn write_findings(w: &mut dyn Write, file: &str, findings: &[Finding]) {
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

/// Writes the warnings of a definition AWS accepts: `FILE: POINTER: WARNING: MESSAGE` and the
/// hint, as findings are written.
fn write_warnings(w: &mut dyn Write, file: &str, warnings: &[UnassignedVariable]) {
    for u in warnings {
        let _ = writeln!(w, "{file}: {}: WARNING: {}", u.pointer, u.message());
        let _ = writeln!(w, "{file}:   hint: {}", u.hint());
    }
}

/// The code of an unassigned-variable warning: `sfn`'s own (AWS's validator does not follow
/// variables, so it has none).
const UNASSIGNED_VARIABLE: &str = "UNASSIGNED_VARIABLE";

/// The `ValidateStateMachineDefinition` response for `findings` and `warnings`: every finding
/// is an `ERROR` (the linter reports nothing that would still let AWS create the machine), a
/// variable read before any `Assign` a `WARNING` (AWS creates the machine; the read fails when
/// it runs); `location` is the JSON pointer, absent for the document itself (AWS sends it only
/// "if available").
fn response_json(
    findings: &[Finding],
    warnings: &[UnassignedVariable],
    max_results: usize,
) -> Value {
    let errors = findings
        .iter()
        .map(|f| ("ERROR", f.code.as_str(), f.message.clone(), &f.pointer));
    let warned = warnings
        .iter()
        .map(|u| ("WARNING", UNASSIGNED_VARIABLE, u.message(), &u.pointer));
    let all: Vec<_> = errors.chain(warned).collect();
    let diagnostics: Vec<Value> = all
        .iter()
        .take(max_results)
        .map(|(severity, code, message, pointer)| {
            let mut d = json!({"severity": severity, "code": code, "message": message});
            if !pointer.is_empty() {
                d["location"] = pointer.as_str().into();
            }
            d
        })
        .collect();
    json!({
        "result": if findings.is_empty() { "OK" } else { "FAIL" },
        "diagnostics": diagnostics,
        "truncated": all.len() > max_results,
    })
}
