//! `sfn import`: print the `workflow!` source of an ASL definition.

use std::io::Write;

use crate::cli::{load_definition, Outcome, SUCCESS};

/// Print the `workflow!` source of a definition.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Prints `workflow!` source that defines the same state machine: compiling it \
gives back ASL equal to DEFINITION.json as a JSON value.",
    after_help = "Exit status: 0 printed, 2 bad arguments or an invalid definition (findings \
on stderr)."
)]
pub(crate) struct Args {
    /// The definition: a file, or - for standard input.
    #[arg(value_name = "DEFINITION")]
    definition: String,
    /// The workflow's Rust type name (default: from the file name, `order-flow.asl.json`
    /// gives `OrderFlow`).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
}

pub(crate) fn run(args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let options = sfn_asl::validate::LintOptions::default();
    let machine = match load_definition(&args.definition, &options, err)? {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    let name = args
        .name
        .unwrap_or_else(|| name_from_path(&args.definition));
    let _ = write!(out, "{}", sfn::import::import(&machine, &name));
    Ok(SUCCESS)
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
