//! Text → [`ast::Call`](super::ast::Call).

use serde_json::Value;

use super::ast::{Arg, Call, Function, StringLiteral};
use crate::error::ExprError;
use crate::path::Path;

/// How deeply calls may nest (the outermost call counts as one), as AWS allows.
pub const MAX_NESTING: usize = 10;

/// Parses one whole call; nothing but whitespace may follow it.
pub(crate) fn parse_call(source: &str) -> Result<Call, ExprError> {
    let mut p = Parser {
        chars: source.chars().collect(),
        pos: 0,
    };
    p.skip_ws();
    let call = p.call(1)?;
    p.skip_ws();
    if let Some(c) = p.peek() {
        return Err(p.err(format!("unexpected `{c}` after the closing `)`")));
    }
    Ok(call)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '_'
}

impl Parser {
    fn err(&self, message: impl Into<String>) -> ExprError {
        ExprError::new(self.pos, message)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn text(&self, from: usize) -> String {
        self.chars
            .get(from..self.pos)
            .map(|s| s.iter().collect())
            .unwrap_or_default()
    }

    fn call(&mut self, depth: usize) -> Result<Call, ExprError> {
        if depth > MAX_NESTING {
            return Err(self.err(format!(
                "intrinsic functions nest at most {MAX_NESTING} deep"
            )));
        }
        let start = self.pos;
        while self.peek().is_some_and(is_name_char) {
            self.pos += 1;
        }
        let name = self.text(start);
        if name.is_empty() {
            return Err(self.err("expected an intrinsic function name such as `States.Format`"));
        }
        let function = Function::from_name(&name).ok_or_else(|| unknown_function(start, &name))?;
        self.skip_ws();
        if self.peek() != Some('(') {
            return Err(self.err(format!("expected `(` after `{name}`")));
        }
        self.pos += 1;
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(')') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                args.push(self.arg(depth)?);
                self.skip_ws();
                match self.peek() {
                    Some(',') => self.pos += 1,
                    Some(')') => {
                        self.pos += 1;
                        break;
                    }
                    Some(c) => return Err(self.err(format!("expected `,` or `)`, found `{c}`"))),
                    None => return Err(self.err(format!("`{name}(` is never closed"))),
                }
            }
        }
        check_arity(start, function, args.len())?;
        Ok(Call { function, args })
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, ExprError> {
        match self.peek() {
            Some('\'') => self.string().map(Arg::String),
            Some('$') => self.path(),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self.peek().is_some_and(is_name_char) {
                    self.pos += 1;
                }
                let word = self.text(start);
                let after = self.pos;
                self.skip_ws();
                if self.peek() == Some('(') {
                    self.pos = start;
                    return Ok(Arg::Call(Box::new(self.call(depth + 1)?)));
                }
                self.pos = after;
                match word.as_str() {
                    "null" => Ok(Arg::Literal(Value::Null)),
                    "true" => Ok(Arg::Literal(Value::Bool(true))),
                    "false" => Ok(Arg::Literal(Value::Bool(false))),
                    _ => Err(ExprError::new(
                        start,
                        format!("unexpected `{word}`: an argument is a 'string', a number, true, false, null, a path or a call"),
                    )),
                }
            }
            Some(c) => Err(self.err(format!("unexpected `{c}` where an argument was expected"))),
            None => Err(self.err("expected an argument")),
        }
    }

    /// A path runs to the next `,` or `)` that is not inside brackets or quotes.
    fn path(&mut self) -> Result<Arg, ExprError> {
        let start = self.pos;
        let mut brackets = 0usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            match (c, quote) {
                ('\\', _) => self.pos += 1,
                (q, Some(open)) if q == open => quote = None,
                (_, Some(_)) => {}
                ('\'' | '"', None) => quote = Some(c),
                ('[', None) => brackets += 1,
                (']', None) => brackets = brackets.saturating_sub(1),
                (',' | ')', None) if brackets == 0 => break,
                _ => {}
            }
            self.pos += 1;
        }
        self.pos = self.pos.min(self.chars.len());
        let text = self.text(start);
        let text = text.trim_end();
        Path::parse(text).map(Arg::Path).map_err(|e| {
            ExprError::new(
                start + e.position,
                format!("invalid path `{text}`: {}", e.message),
            )
        })
    }

    fn number(&mut self) -> Result<Arg, ExprError> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || "-+.eE".contains(c))
        {
            self.pos += 1;
        }
        let text = self.text(start);
        serde_json::from_str::<serde_json::Number>(&text)
            .map(|n| Arg::Literal(Value::Number(n)))
            .map_err(|_| ExprError::new(start, format!("`{text}` is not a number")))
    }

    /// `'text'`: `\'`, `\{`, `\}` and `\\` are the only escapes.
    fn string(&mut self) -> Result<StringLiteral, ExprError> {
        let open = self.pos;
        self.pos += 1;
        let mut value = String::new();
        let mut pieces = vec![String::new()];
        loop {
            let Some(c) = self.peek() else {
                return Err(ExprError::new(
                    open,
                    "unterminated string: add the closing `'`",
                ));
            };
            self.pos += 1;
            match c {
                '\'' => break,
                '\\' => match self.peek() {
                    Some(e @ ('\'' | '{' | '}' | '\\')) => {
                        self.pos += 1;
                        value.push(e);
                        if let Some(last) = pieces.last_mut() {
                            last.push(e);
                        }
                    }
                    _ => {
                        return Err(ExprError::new(
                            self.pos - 1,
                            "a `\\` in a string must escape `'`, `{`, `}` or `\\`",
                        ))
                    }
                },
                '{' if self.peek() == Some('}') => {
                    self.pos += 1;
                    value.push_str("{}");
                    pieces.push(String::new());
                }
                _ => {
                    value.push(c);
                    if let Some(last) = pieces.last_mut() {
                        last.push(c);
                    }
                }
            }
        }
        Ok(StringLiteral {
            value: Value::String(value),
            pieces,
        })
    }
}

fn check_arity(at: usize, function: Function, got: usize) -> Result<(), ExprError> {
    let (min, max) = (function.min_args(), function.max_args());
    if got >= min && max.is_none_or(|m| got <= m) {
        return Ok(());
    }
    let expected = match max {
        Some(m) if m == min => format!("{min}"),
        Some(m) => format!("{min} to {m}"),
        None => format!("at least {min}"),
    };
    Err(ExprError::new(
        at,
        format!(
            "`{}` takes {expected} argument(s), but {got} were given",
            function.name()
        ),
    ))
}

fn unknown_function(at: usize, name: &str) -> ExprError {
    let mut close: Vec<(f64, &str)> = Function::ALL
        .iter()
        .map(|f| {
            (
                strsim::jaro_winkler(&name.to_ascii_lowercase(), &f.name().to_ascii_lowercase()),
                f.name(),
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .collect();
    close.sort_by(|a, b| b.0.total_cmp(&a.0));
    let hint = if close.is_empty() {
        let all: Vec<&str> = Function::ALL.iter().map(|f| f.name()).collect();
        format!("the functions are {}", all.join(", "))
    } else {
        let names: Vec<String> = close
            .iter()
            .take(3)
            .map(|(_, n)| format!("`{n}`"))
            .collect();
        format!("did you mean {}?", names.join(" or "))
    };
    ExprError::new(at, format!("unknown intrinsic function `{name}`; {hint}"))
}
