//! `sfn import`: print the `workflow!` source of an ASL definition.

use std::io::Write;

use crate::cli::{fail, load_definition, Arg, Args, BadInvocation};

pub(super) const HELP: &str = "\
usage: sfn import DEFINITION.json [--name NAME]

Prints `workflow!` source that defines the same state machine: compiling it gives back ASL
equal to DEFINITION.json as a JSON value. DEFINITION.json may be `-` for standard input.

Options:
  --name NAME   the workflow's Rust type name (default: from the file name, `order-flow.asl.json`
                gives `OrderFlow`)

Exit status: 0 printed, 2 bad arguments or an invalid definition (findings on stderr).
";

/// `sfn import DEFINITION.json [--name NAME]`.
pub(super) fn main(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut file = None;
    let mut name = None;
    let mut args = Args::new(args);
    while let Some(arg) = args.next_arg() {
        match arg {
            Arg::Flag("--help", _) => {
                let _ = write!(out, "{HELP}");
                return 0;
            }
            Arg::Flag("--name", inline) => match args.value("--name", inline) {
                Ok(v) => name = Some(v.to_owned()),
                Err(u) => return fail(err, u),
            },
            Arg::Flag(flag, _) => {
                return fail(
                    err,
                    BadInvocation(format!("unknown option `{flag}`; see `sfn import --help`")),
                )
            }
            Arg::Positional(p) if file.is_none() => file = Some(p),
            Arg::Positional(p) => {
                return fail(
                    err,
                    BadInvocation(format!(
                        "unexpected argument `{p}`: import takes one definition"
                    )),
                )
            }
        }
    }
    let Some(file) = file else {
        return fail(
            err,
            BadInvocation("usage: sfn import DEFINITION.json [--name NAME]".into()),
        );
    };
    let machine = match load_definition(file, &sfn_asl::validate::LintOptions::default(), err) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let name = name.unwrap_or_else(|| name_from_path(file));
    let _ = write!(out, "{}", sfn::import::import(&machine, &name));
    0
}

/// `examples/order-flow.asl.json` → `order-flow` (the importer makes a type name of it).
fn name_from_path(path: &str) -> String {
    let base = std::path::Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("workflow");
    let stem = base.split('.').next().unwrap_or(base);
    if path == "-" || stem.is_empty() {
        "workflow".into()
    } else {
        stem.to_owned()
    }
}
