//! The `sfn` command-line tool; `docs/cli.md` describes it.

mod build;
mod cli;
mod completions;
mod import;
mod input;
mod run;
mod test_state;
mod validate;

fn main() -> std::process::ExitCode {
    let code = cli::main();
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(cli::INVALID as u8))
}
