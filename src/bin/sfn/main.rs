//! The `sfn` command-line tool.

mod cli;
mod import;
mod run;
mod test_state;
mod validate;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(cli::main(&args));
}
