//! Where the commands read from: definition files (or `-` for stdin) and JSON arguments that
//! are inline JSON, a file, or `-`, as the AWS CLI takes them.
//!
//! The rule for a JSON argument (`--input`, `--mock-result`), in order:
//! 1. `-` is standard input;
//! 2. `file://PATH` is the file PATH (the AWS CLI's spelling);
//! 3. an existing file of that name is read;
//! 4. text whose first non-blank character is `{`, `[`, `"`, a digit or `-`, or that is
//!    `true`, `false` or `null`, is inline JSON;
//! 5. anything else names a file (which then cannot be read: the error says so).

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cli::BadInvocation;

/// A JSON argument as given on the command line; see the [module docs](self).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsonArg {
    /// `-`.
    Stdin,
    /// A file, named as is or with `file://`.
    File(PathBuf),
    /// The JSON text itself.
    Inline(String),
}

impl JsonArg {
    /// Classifies `arg` (clap's value parser for JSON arguments).
    pub(crate) fn parse(arg: &str) -> Result<JsonArg, String> {
        if arg == "-" {
            return Ok(JsonArg::Stdin);
        }
        if let Some(path) = arg.strip_prefix("file://") {
            return Ok(JsonArg::File(path.into()));
        }
        if Path::new(arg).is_file() || !looks_like_json(arg) {
            return Ok(JsonArg::File(arg.into()));
        }
        Ok(JsonArg::Inline(arg.to_owned()))
    }

    /// Reads and parses the value; `what` names it in errors ("the input").
    pub(crate) fn read(&self, what: &str) -> Result<Value, BadInvocation> {
        let (name, text) = match self {
            JsonArg::Stdin => ("standard input".to_owned(), read_stdin()?),
            JsonArg::File(path) => (path.display().to_string(), read_file(path)?),
            JsonArg::Inline(text) => {
                return serde_json::from_str(text).map_err(|e| {
                    BadInvocation(format!(
                        "{what} is not JSON: {e} (to read a file of that name, write \
                         `file://{text}`)"
                    ))
                })
            }
        };
        serde_json::from_str(&text)
            .map_err(|e| BadInvocation(format!("{name}: {what} is not JSON: {e}")))
    }
}

/// The first non-blank character starts a JSON value that is no plain word, or the whole text
/// is one of JSON's three literals.
fn looks_like_json(arg: &str) -> bool {
    let text = arg.trim();
    matches!(text.chars().next(), Some('{' | '[' | '"' | '-' | '0'..='9'))
        || matches!(text, "true" | "false" | "null")
}

/// Refuses a second reader of standard input: `uses` names each argument that reads it.
pub(crate) fn one_stdin_reader(uses: &[(&str, bool)]) -> Result<(), BadInvocation> {
    let readers: Vec<&str> = uses.iter().filter(|u| u.1).map(|u| u.0).collect();
    if readers.len() > 1 {
        return Err(BadInvocation(format!(
            "{} all read standard input (`-`); give all but one as a file or inline JSON",
            readers.join(" and ")
        )));
    }
    Ok(())
}

/// A JSON argument's reading, `{}` when it was not given.
pub(crate) fn read_input(arg: Option<&JsonArg>) -> Result<Value, BadInvocation> {
    match arg {
        Some(arg) => arg.read("the input"),
        None => Ok(Value::Object(serde_json::Map::new())),
    }
}

fn read_stdin() -> Result<String, BadInvocation> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| BadInvocation(format!("cannot read standard input: {e}")))?;
    Ok(s)
}

fn read_file(path: &Path) -> Result<String, BadInvocation> {
    std::fs::read_to_string(path)
        .map_err(|e| BadInvocation(format!("{}: cannot read: {e}", path.display())))
}

/// Reads a definition (or any text) file, or standard input for `-`.
pub(crate) fn read_source(path: &str) -> Result<String, BadInvocation> {
    if path == "-" {
        read_stdin()
    } else {
        read_file(Path::new(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_arguments_are_classified_by_the_documented_rule() {
        assert_eq!(JsonArg::parse("-"), Ok(JsonArg::Stdin));
        assert_eq!(
            JsonArg::parse("file://{odd}.json"),
            Ok(JsonArg::File("{odd}.json".into()))
        );
        for inline in [r#"{"a": 1}"#, " [1]", "\"s\"", "-3", "42", "true", "null"] {
            assert_eq!(
                JsonArg::parse(inline),
                Ok(JsonArg::Inline(inline.into())),
                "{inline}"
            );
        }
        for file in ["input.json", "nope.json", "truth.json", "Cargo.toml"] {
            assert_eq!(
                JsonArg::parse(file),
                Ok(JsonArg::File(file.into())),
                "{file}"
            );
        }
    }
}
