//! The `sfn` command-line tool.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(sfn::cli::main(&args));
}
