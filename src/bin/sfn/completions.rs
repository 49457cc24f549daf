//! `sfn completions SHELL`: the shell's completion script for `sfn` on stdout.

use std::io::Write;

use clap_complete::Shell;

use crate::cli::{self, Outcome, SUCCESS};

/// Print the completion script of a shell (bash, zsh, fish, powershell, elvish).
#[derive(Debug, clap::Args)]
#[command(after_help = "Install, for example:\n  \
    bash: sfn completions bash > ~/.local/share/bash-completion/completions/sfn\n  \
    zsh:  sfn completions zsh > \"${fpath[1]}/_sfn\"\n  \
    fish: sfn completions fish > ~/.config/fish/completions/sfn.fish")]
pub(crate) struct Args {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: Shell,
}

pub(crate) fn run(args: Args, out: &mut dyn Write) -> Outcome {
    // Generated into memory: clap_complete panics on a failed write (`| head` closing the pipe).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli::command(), "sfn", &mut script);
    let _ = out.write_all(&script);
    Ok(SUCCESS)
}
