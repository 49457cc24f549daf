//! The crate's error messages reworded as JSONata 2.0.6 words them, since AWS puts the 2.0.6 text
//! into execution causes ("… threw an error during evaluation. T2002: The right side of the \"+\"
//! operator must evaluate to a number").
//!
//! Only rewordings that need no information the crate dropped are made; where 2.0.6 quotes a value
//! the crate does not report (`T2009`, `D1002`, `T2011`), the crate's own text stays.

/// What the messages need from the expression, found when it is compiled.
#[derive(Debug, Default)]
pub(super) struct Hints {
    /// The functions called by name: when there is one, an argument error is about it.
    pub(super) calls: Vec<String>,
    /// The ordering operators used: when there is one, a T2010 is about it.
    pub(super) comparisons: Vec<&'static str>,
}

/// The 2.0.6 message for `code`, given the crate's `message` and `hints` (to name the function or
/// operator when the crate's message does not).
pub(super) fn reference_message(code: &str, message: &str, hints: &Hints) -> String {
    match code {
        // The crate appends the callee (`: $x`).
        "T1006" => "Attempted to invoke a non-function".to_owned(),
        "T2001" | "T2002" => quote_operator(message).unwrap_or_else(|| message.to_owned()),
        "T2003" => {
            "The left side of the range operator (..) must evaluate to an integer".to_owned()
        }
        "T2004" => {
            "The right side of the range operator (..) must evaluate to an integer".to_owned()
        }
        "D3001" => "Attempting to invoke string function on Infinity or NaN".to_owned(),
        "D3010" => "Second argument of replace function cannot be an empty string".to_owned(),
        "D3030" => match message
            .strip_prefix("Cannot convert '")
            .and_then(|m| m.strip_suffix("' to number"))
        {
            Some(value) => format!(
                "Unable to cast value to a number: {}",
                serde_json::Value::from(value)
            ),
            None => message.to_owned(),
        },
        "D3100" => match message.strip_prefix("Radix must be between 2 and 36, got ") {
            Some(radix) => {
                format!("The radix of the formatBase function must be between 2 and 36.  It was given {radix}")
            }
            None => message.to_owned(),
        },
        // The crate adds the count of matches.
        "D3138" => match message.find(" (") {
            Some(at) if message.ends_with(')') => message.get(..at).unwrap_or(message).to_owned(),
            _ => message.to_owned(),
        },
        "T0410" | "T0412" => {
            argument_message(code, message, &hints.calls).unwrap_or_else(|| message.to_owned())
        }
        "T2010" => match hints.comparisons.as_slice() {
            [op] => format!(
                "The expressions either side of operator \"{op}\" must evaluate to numeric or string values"
            ),
            _ => message.to_owned(),
        },
        _ => message.to_owned(),
    }
}

/// "The right side of the + operator …" → "The right side of the \"+\" operator …".
fn quote_operator(message: &str) -> Option<String> {
    let (side, rest) = message.split_once(" side of the ")?;
    let (op, tail) = rest.split_once(" operator ")?;
    if op.starts_with('"') {
        return None;
    }
    Some(format!("{side} side of the \"{op}\" operator {tail}"))
}

/// T0410/T0412 name the function in 2.0.6; the crate omits it. When the expression calls only one
/// built-in, that one failed.
fn argument_message(code: &str, message: &str, calls: &[String]) -> Option<String> {
    if let Some(function) = message.strip_suffix("() takes no arguments") {
        return Some(format!(
            "Argument 1 of function \"{function}\" does not match function signature"
        ));
    }
    let [name] = calls else {
        return None;
    };
    let index: usize =
        if let Some(counts) = message.strip_prefix("Argument count mismatch: expected ") {
            // Too many arguments: 2.0.6 blames the first extra one; too few, the first missing one.
            let (expected, got) = counts.split_once(", got ")?;
            let (expected, got): (usize, usize) = (expected.parse().ok()?, got.parse().ok()?);
            if got > expected {
                expected + 1
            } else {
                got + 1
            }
        } else {
            let rest = message.strip_prefix("Argument ")?;
            rest.split(' ').next()?.parse().ok()?
        };
    Some(if code == "T0412" {
        let kind = match message.rsplit(' ').next()? {
            "Number" => "numbers",
            "String" => "strings",
            "Object" => "objects",
            "Boolean" => "booleans",
            _ => return None,
        };
        format!("Argument {index} of function \"{name}\" must be an array of \"{kind}\"")
    } else {
        format!("Argument {index} of function \"{name}\" does not match function signature")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_are_quoted() {
        assert_eq!(
            reference_message(
                "T2002",
                "The right side of the + operator must evaluate to a number",
                &Hints::default()
            ),
            "The right side of the \"+\" operator must evaluate to a number"
        );
    }

    #[test]
    fn argument_errors_name_the_only_builtin_called() {
        let calls = Hints {
            calls: vec!["sum".to_owned()],
            comparisons: vec![],
        };
        assert_eq!(
            reference_message("T0412", "Argument 1 must be an array of Number", &calls),
            "Argument 1 of function \"sum\" must be an array of \"numbers\""
        );
        assert_eq!(
            reference_message(
                "T0410",
                "Argument count mismatch: expected 1, got 2",
                &calls
            ),
            "Argument 2 of function \"sum\" does not match function signature"
        );
        let two = Hints {
            calls: vec!["sum".to_owned(), "max".to_owned()],
            comparisons: vec![],
        };
        assert_eq!(
            reference_message("T0410", "Argument 1 must be Number", &two),
            "Argument 1 must be Number"
        );
    }
}
