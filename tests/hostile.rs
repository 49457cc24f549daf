//! Hostile input never takes the process down: each case runs the real `sfn` binary in a child
//! process capped at 2 GiB of address space and 30 seconds, and asserts its exact exit code and
//! the error it names (the `status`, `error` and part of the `cause` it prints, or part of
//! stderr). A crash, an abort on memory, a stack overflow or a hang fails the case, naming it.
//!
//! # Adding a case
//!
//! A case whose files fit in a few lines is a JSON file in `tests/hostile/` (the file name is the
//! case name):
//!
//! ```json
//! {
//!   "about": "what the attack is, and what AWS does with it",
//!   "args": ["run", "@definition", "--input", "@input"],
//!   "files": {"definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
//!             "input": {"a": 1}},
//!   "expect": {"code": 1, "status": "FAILED", "error": "States.Runtime", "cause": "part of it"}
//! }
//! ```
//!
//! `@name` in `args` is the path of `files.name`, written to a fresh folder (a JSON value is
//! written compactly, a JSON string as its text). `stdin` (a string) is given on standard input.
//! `expect` holds `code` (exact) and any of: `status`, `error` (exact, from the JSON object on
//! stdout), `cause`, `stdout`, `stderr` (each a part that must appear), `output` (the exact
//! output value).
//!
//! A case that needs generated input (megabytes, thousands of states) is a function in
//! `tests/hostile/generated.rs` returning the same [`Case`], listed in its `cases()`.
//!
//! `cargo test --test hostile -- NAME` runs the cases whose name contains NAME.

#[path = "hostile/case.rs"]
mod case;
#[path = "hostile/definitions.rs"]
mod definitions;
#[path = "hostile/generated.rs"]
mod generated;

use case::Case;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/hostile exists") {
        let path = entry.expect("readable entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            cases.push(Case::from_file(&path));
        }
    }
    cases.extend(generated::cases());
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    let trials = cases
        .into_iter()
        .map(|case| {
            let name = case.name.clone();
            libtest_mimic::Trial::test(name, move || case.run().map_err(Into::into))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
