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
//!
//! Every read is bounded by a [`Limit`]: at most the limit plus one byte is read, so
//! `/dev/zero` or a runaway pipe is refused with a message instead of filling memory.

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

    /// Reads and parses the value, refusing one over `limit`.
    pub(crate) fn read(&self, limit: &Limit) -> Result<Value, BadInvocation> {
        let what = limit.what;
        let (name, text) = match self {
            JsonArg::Stdin => ("standard input".to_owned(), read_stdin(limit)?),
            JsonArg::File(path) => (path.display().to_string(), read_file(path, limit)?),
            JsonArg::Inline(text) => {
                if text.len() > limit.bytes {
                    return Err(limit.exceeded("the command line"));
                }
                return serde_json::from_str(text).map_err(|e| {
                    BadInvocation(format!(
                        "{what} is not JSON: {e} (to read a file of that name, write \
                         `file://{text}`)"
                    ))
                });
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
        Some(arg) => arg.read(&INPUT),
        None => Ok(Value::Object(serde_json::Map::new())),
    }
}

/// The most one read may hold, and what to say when it holds more.
#[derive(Debug)]
pub(crate) struct Limit {
    /// The most bytes the text may have.
    pub(crate) bytes: usize,
    /// What is read, for messages ("the input").
    pub(crate) what: &'static str,
    /// Whose limit it is, completing "larger than N bytes, ...".
    pub(crate) why: &'static str,
}

impl Limit {
    fn exceeded(&self, name: &str) -> BadInvocation {
        BadInvocation(format!(
            "{name}: {} is larger than {} bytes, {}",
            self.what, self.bytes, self.why
        ))
    }
}

/// AWS's payload limit (256 KiB), which an execution input and a TestState input or mocked
/// result must keep to.
const MAX_PAYLOAD_BYTES: usize = 262_144;

/// A definition: AWS counts its limit in characters, and 1,048,576 characters take at most four
/// times as many bytes; one between the two limits is read and gets the validator's finding.
pub(crate) const DEFINITION: Limit = Limit {
    bytes: 4 * sfn_asl::validate::MAX_DEFINITION_CHARS,
    what: "the definition",
    why: "the most that AWS's limit of 1048576 characters for a definition allows",
};

/// An execution's (or a tested state's) input.
pub(crate) const INPUT: Limit = Limit {
    bytes: MAX_PAYLOAD_BYTES,
    what: "the input",
    why: "AWS's payload limit (256 KiB) for an execution input",
};

/// `sfn test-state --mock-result`.
pub(crate) const MOCK_RESULT: Limit = Limit {
    bytes: MAX_PAYLOAD_BYTES,
    what: "the mocked result",
    why: "AWS's payload limit (256 KiB) for a state's result",
};

/// A mock config has no AWS limit; 64 MiB is far beyond any hand-written one.
pub(crate) const MOCK_CONFIG: Limit = Limit {
    bytes: 64 * 1024 * 1024,
    what: "the mock config",
    why: "the most `sfn` reads of a mock config (64 MiB)",
};

pub(crate) const ROLE_POLICY: Limit = Limit {
    bytes: 1024 * 1024,
    what: "the role policy",
    why: "the most `sfn` reads of a role policy (1 MiB; IAM's own limits are far lower)",
};

fn read_stdin(limit: &Limit) -> Result<String, BadInvocation> {
    read_bounded(std::io::stdin().lock(), "standard input", limit)
}

fn read_file(path: &Path, limit: &Limit) -> Result<String, BadInvocation> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| BadInvocation(format!("{name}: cannot read: {e}")))?;
    read_bounded(file, &name, limit)
}

/// Reads at most `limit` bytes plus one (the one says the limit is exceeded) as UTF-8 text.
/// A leading byte-order mark is dropped, as JSON parsers may (RFC 8259, section 8.1); invalid
/// UTF-8 is named with its byte offset.
fn read_bounded(reader: impl Read, name: &str, limit: &Limit) -> Result<String, BadInvocation> {
    let mut bytes = Vec::new();
    reader
        .take(limit.bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| BadInvocation(format!("{name}: cannot read: {e}")))?;
    if bytes.len() > limit.bytes {
        return Err(limit.exceeded(name));
    }
    let mut text = String::from_utf8(bytes).map_err(|e| {
        BadInvocation(format!(
            "{name}: {} is not UTF-8: invalid byte at offset {}",
            limit.what,
            e.utf8_error().valid_up_to()
        ))
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// Reads a definition (or any text) file, or standard input for `-`, bounded by `limit`.
pub(crate) fn read_source(path: &str, limit: &Limit) -> Result<String, BadInvocation> {
    if path == "-" {
        read_stdin(limit)
    } else {
        read_file(Path::new(path), limit)
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
