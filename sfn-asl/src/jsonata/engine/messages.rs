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

/// How the crate's parser prefixes its coded messages ("Invalid syntax: S0201: ...").
pub(super) const SYNTAX_PREFIX: &str = "Invalid syntax: ";

/// A parse error as 2.0.6 words it: symbols rather than the crate's token names (`")"` for
/// `RightParen`, `2` for `Number(2.0)`), and an unclosed bracket at the end reported as the
/// bracket expected (S0203) rather than as an unexpected end (S0207).
pub(super) fn parse_message(text: &str, body: &str) -> String {
    let text = text.strip_prefix(SYNTAX_PREFIX).unwrap_or(text);
    if text.starts_with("S0207") {
        if let Some(closer) = unclosed_bracket(body) {
            return format!("S0203: Expected \"{closer}\" before end of expression");
        }
    }
    text.split(' ')
        .map(symbol_for)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A word of a parser message with a token name replaced by the symbol 2.0.6 prints.
fn symbol_for(word: &str) -> String {
    let (name, tail) = match word.strip_suffix(',') {
        Some(name) => (name, ","),
        None => (word, ""),
    };
    if let Some(n) = name
        .strip_prefix("Number(")
        .and_then(|n| n.strip_suffix(')'))
    {
        if let Ok(n) = n.parse::<f64>() {
            return format!("{}{tail}", super::convert::number_text(n));
        }
    }
    let symbol = match name {
        "Plus" => "+",
        "Minus" => "-",
        "Star" => "*",
        "StarStar" => "**",
        "Slash" => "/",
        "Percent" => "%",
        "Equal" => "=",
        "NotEqual" => "!=",
        "LessThan" => "<",
        "LessThanOrEqual" => "<=",
        "GreaterThan" => ">",
        "GreaterThanOrEqual" => ">=",
        "And" => "and",
        "Or" => "or",
        "In" => "in",
        "Ampersand" => "&",
        "Dot" => ".",
        "DotDot" => "..",
        "Question" => "?",
        "QuestionQuestion" => "??",
        "QuestionColon" => "?:",
        "Colon" => ":",
        "ColonEqual" => ":=",
        "TildeArrow" => "~>",
        "LeftParen" => "(",
        "RightParen" => ")",
        "LeftBracket" => "[",
        "RightBracket" => "]",
        "LeftBrace" => "{",
        "RightBrace" => "}",
        "Comma" => ",",
        "Semicolon" => ";",
        "Caret" => "^",
        "Pipe" => "|",
        "Hash" => "#",
        "At" => "@",
        _ => return word.to_owned(),
    };
    format!("\"{symbol}\"{tail}")
}

/// The closer of the innermost bracket still open at the end of `body`, skipping string
/// literals, quoted names and comments.
fn unclosed_bracket(body: &str) -> Option<char> {
    let mut open: Vec<char> = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' | '`' => {
                while let Some(d) = chars.next() {
                    if d == '\\' && c != '`' {
                        chars.next();
                    } else if d == c {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut last = ' ';
                for d in chars.by_ref() {
                    if last == '*' && d == '/' {
                        break;
                    }
                    last = d;
                }
            }
            '(' => open.push(')'),
            '[' => open.push(']'),
            '{' => open.push('}'),
            ')' | ']' | '}' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_name_symbols_and_the_missing_bracket() {
        assert_eq!(
            parse_message("S0207: Unexpected end of expression", "$f(1, '(')"),
            "S0207: Unexpected end of expression"
        );
        assert_eq!(
            parse_message("S0207: Unexpected end of expression", "$a.( [1, "),
            "S0203: Expected \"]\" before end of expression"
        );
        assert_eq!(
            parse_message(
                "Invalid syntax: S0201: Syntax error: Semicolon",
                "$f := 1; $f()"
            ),
            "S0201: Syntax error: \";\""
        );
        assert_eq!(
            parse_message("S0201: Syntax error: Number(2.0)", "1 2"),
            "S0201: Syntax error: 2"
        );
    }

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
