//! The `sfn` command-line tool; `docs/cli.md` describes it.

mod activities;
mod build;
mod cli;
mod completions;
mod deploy;
mod executions;
mod import;
mod input;
mod run;
mod stored;
mod tags;
mod test_state;
mod validate;
mod worker;

fn main() -> std::process::ExitCode {
    let code = cli::main();
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(cli::INVALID as u8))
}
