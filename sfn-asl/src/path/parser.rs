//! Text → [`ast`](super::ast): the Jayway JSONPath dialect Step Functions accepts.

use serde_json::Value;

use super::ast::{CompareOp, FilterExpr, FilterOperand, FilterPath, Segment, UnionItem};
use super::PathRoot;
use crate::error::ExprError;

/// How deeply filters, parentheses and `!` may nest: deep enough for any real path, shallow
/// enough that a hostile one cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

/// Segments one path may have. Writing a `ResultPath` builds one level of nesting per segment,
/// and a payload nests at most 1,000 levels (the engine's bound, as JSONata's), so a longer
/// path can only fail at run time.
pub(crate) const MAX_SEGMENTS: usize = 1_000;

/// A parsed path: root and segments.
pub(crate) struct Parsed {
    pub(crate) root: PathRoot,
    pub(crate) segments: Vec<Segment>,
}

/// Parses a whole path (`$.a`, `$$.b`, `$var.c`).
pub(crate) fn parse_path(source: &str) -> Result<Parsed, ExprError> {
    let mut p = Parser {
        chars: source.chars().collect(),
        pos: 0,
        depth: 0,
    };
    let root = p.root()?;
    let segments = p.segments(false)?;
    if p.pos < p.chars.len() {
        return Err(p.err(format!("unexpected `{}` in path", p.chars[p.pos])));
    }
    Ok(Parsed { root, segments })
}

/// Whether `c` may start a variable name (Unicode `ID_Start`, or `_`).
fn is_ident_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c)
}

/// Whether `c` may continue a variable name (Unicode `ID_Continue`).
fn is_ident_continue(c: char) -> bool {
    unicode_ident::is_xid_continue(c)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn err(&self, message: impl Into<String>) -> ExprError {
        ExprError::new(self.pos, message)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), ExprError> {
        if self.eat(c) {
            Ok(())
        } else {
            match self.peek() {
                Some(found) => Err(self.err(format!("expected `{c}`, found `{found}`"))),
                None => Err(self.err(format!("expected `{c}`, found the end of the path"))),
            }
        }
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!(
                "expression nested more than {MAX_DEPTH} levels deep"
            )));
        }
        Ok(())
    }

    fn root(&mut self) -> Result<PathRoot, ExprError> {
        if !self.eat('$') {
            return Err(self.err("a path must start with `$`"));
        }
        if self.eat('$') {
            return Ok(PathRoot::Context);
        }
        match self.peek() {
            Some(c) if is_ident_start(c) => {
                let start = self.pos;
                while self.peek().is_some_and(is_ident_continue) {
                    self.pos += 1;
                }
                let name: String = self.chars[start..self.pos].iter().collect();
                if name == "states" {
                    return Err(ExprError::new(
                        start,
                        "`$states` is reserved for JSONata states; use `$` or `$$` in JSONPath",
                    ));
                }
                Ok(PathRoot::Variable(name))
            }
            _ => Ok(PathRoot::Input),
        }
    }

    /// Segments until the text ends or (inside a filter) something that is not a segment.
    fn segments(&mut self, in_filter: bool) -> Result<Vec<Segment>, ExprError> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                Some('.') if self.peek_at(1) == Some('.') => {
                    self.pos += 2;
                    let inner = match self.peek() {
                        Some('[') => self.bracket()?,
                        Some('*') => {
                            self.pos += 1;
                            Segment::Wildcard
                        }
                        _ => Segment::Name(self.dotted_name(in_filter)?),
                    };
                    out.push(Segment::Descendant(Box::new(inner)));
                }
                Some('.') => {
                    self.pos += 1;
                    // Jayway reads `$.[0]` and `$.['a']` like `$[0]` and `$['a']`.
                    if self.peek() == Some('[') {
                        out.push(self.bracket()?);
                    } else if self.eat('*') {
                        out.push(Segment::Wildcard);
                    } else {
                        out.push(Segment::Name(self.dotted_name(in_filter)?));
                    }
                }
                Some('[') => out.push(self.bracket()?),
                _ => return Ok(out),
            }
            if out.len() > MAX_SEGMENTS {
                return Err(ExprError::new(
                    self.pos,
                    format!("a path has at most {MAX_SEGMENTS} segments"),
                ));
            }
        }
    }

    /// A member name after `.`; `\` makes the next character part of the name.
    fn dotted_name(&mut self, in_filter: bool) -> Result<String, ExprError> {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if c == '.' || c == '[' {
                break;
            }
            if in_filter && (c.is_whitespace() || "()=!<>&|,".contains(c)) {
                break;
            }
            self.pos += 1;
            if c == '\\' {
                match self.peek() {
                    Some(next) => {
                        name.push(next);
                        self.pos += 1;
                    }
                    None => return Err(self.err("a `\\` at the end of a path escapes nothing")),
                }
            } else {
                name.push(c);
            }
        }
        if name.is_empty() {
            return Err(self.err("expected a member name after `.`"));
        }
        Ok(name)
    }

    fn bracket(&mut self) -> Result<Segment, ExprError> {
        self.expect('[')?;
        self.skip_ws();
        let seg = match self.peek() {
            Some('*') => {
                self.pos += 1;
                Segment::Wildcard
            }
            Some('?') => {
                self.pos += 1;
                self.skip_ws();
                self.expect('(')?;
                self.enter()?;
                let expr = self.filter_or()?;
                self.depth -= 1;
                self.skip_ws();
                self.expect(')')?;
                Segment::Filter(Box::new(expr))
            }
            Some(_) => self.union_or_slice()?,
            None => return Err(self.err("unclosed `[`")),
        };
        self.skip_ws();
        self.expect(']')?;
        Ok(seg)
    }

    fn union_or_slice(&mut self) -> Result<Segment, ExprError> {
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some('\'') | Some('"') => items.push(UnionItem::Name(self.quoted(true)?)),
                Some(':') => return self.slice(None),
                _ => {
                    let n = self.integer()?;
                    self.skip_ws();
                    if items.is_empty() && self.peek() == Some(':') {
                        return self.slice(Some(n));
                    }
                    items.push(UnionItem::Index(n));
                }
            }
            self.skip_ws();
            if !self.eat(',') {
                break;
            }
        }
        Ok(match items.len() {
            1 => match items.pop() {
                Some(UnionItem::Name(n)) => Segment::Name(n),
                Some(UnionItem::Index(i)) => Segment::Index(i),
                None => Segment::Union(Vec::new()),
            },
            _ => Segment::Union(items),
        })
    }

    /// The rest of `[start:end:step]` after `start`, positioned at the first `:`.
    fn slice(&mut self, start: Option<i64>) -> Result<Segment, ExprError> {
        self.expect(':')?;
        self.skip_ws();
        let end = if matches!(self.peek(), Some(c) if c == '-' || c.is_ascii_digit()) {
            Some(self.integer()?)
        } else {
            None
        };
        self.skip_ws();
        let mut step = None;
        if self.eat(':') {
            self.skip_ws();
            if matches!(self.peek(), Some(c) if c == '-' || c.is_ascii_digit()) {
                let at = self.pos;
                let s = self.integer()?;
                if s == 0 {
                    return Err(ExprError::new(at, "a slice step cannot be 0"));
                }
                step = Some(s);
            }
        }
        Ok(Segment::Slice { start, end, step })
    }

    fn integer(&mut self) -> Result<i64, ExprError> {
        let start = self.pos;
        self.eat('-');
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        text.parse::<i64>().map_err(|_| {
            if text.is_empty() || text == "-" {
                ExprError::new(
                    start,
                    "expected an index, a quoted name, `*` or `?(...)` inside `[]`",
                )
            } else {
                ExprError::new(start, format!("index `{text}` is out of range"))
            }
        })
    }

    /// A `'single'` or `"double"` quoted text; `\` escapes the next character. With `raw`
    /// (member names) the backslash stays in the name: AWS looks up `$['a\"b']` as the key
    /// `a\"b`, backslash included.
    fn quoted(&mut self, raw: bool) -> Result<String, ExprError> {
        let quote = self.peek().unwrap_or('\'');
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(ExprError::new(open, "unterminated quoted name")),
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c) => {
                            if raw {
                                out.push('\\');
                            }
                            out.push(c);
                            self.pos += 1;
                        }
                        None => return Err(ExprError::new(open, "unterminated quoted name")),
                    }
                }
                Some(c) if c == quote => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn filter_or(&mut self) -> Result<FilterExpr, ExprError> {
        let mut left = self.filter_and()?;
        loop {
            self.skip_ws();
            if self.peek() == Some('|') && self.peek_at(1) == Some('|') {
                self.pos += 2;
                let right = self.filter_and()?;
                left = FilterExpr::Or(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_and(&mut self) -> Result<FilterExpr, ExprError> {
        let mut left = self.filter_unary()?;
        loop {
            self.skip_ws();
            if self.peek() == Some('&') && self.peek_at(1) == Some('&') {
                self.pos += 2;
                let right = self.filter_unary()?;
                left = FilterExpr::And(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_unary(&mut self) -> Result<FilterExpr, ExprError> {
        self.skip_ws();
        if self.peek() == Some('!') && self.peek_at(1) != Some('=') {
            self.pos += 1;
            self.enter()?;
            let inner = self.filter_unary()?;
            self.depth -= 1;
            return Ok(FilterExpr::Not(Box::new(inner)));
        }
        if self.eat('(') {
            self.enter()?;
            let inner = self.filter_or()?;
            self.depth -= 1;
            self.skip_ws();
            self.expect(')')?;
            return Ok(inner);
        }
        let left = self.filter_operand()?;
        self.skip_ws();
        let op = match (self.peek(), self.peek_at(1)) {
            (Some('='), Some('=')) => Some((CompareOp::Eq, 2)),
            (Some('!'), Some('=')) => Some((CompareOp::Ne, 2)),
            (Some('<'), Some('=')) => Some((CompareOp::Le, 2)),
            (Some('>'), Some('=')) => Some((CompareOp::Ge, 2)),
            (Some('<'), _) => Some((CompareOp::Lt, 1)),
            (Some('>'), _) => Some((CompareOp::Gt, 1)),
            _ => None,
        };
        match op {
            Some((op, len)) => {
                self.pos += len;
                self.skip_ws();
                let right = self.filter_operand()?;
                Ok(FilterExpr::Compare(left, op, right))
            }
            None => match left {
                FilterOperand::Path(p) => Ok(FilterExpr::Exists(p)),
                FilterOperand::Literal(_) => Err(self.err(
                    "a filter needs a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`) or a path",
                )),
            },
        }
    }

    fn filter_operand(&mut self) -> Result<FilterOperand, ExprError> {
        self.skip_ws();
        match self.peek() {
            Some('@') | Some('$') => {
                let current = self.peek() == Some('@');
                self.pos += 1;
                self.enter()?;
                let segments = self.segments(true)?;
                self.depth -= 1;
                Ok(FilterOperand::Path(FilterPath { current, segments }))
            }
            Some('\'') | Some('"') => {
                Ok(FilterOperand::Literal(Value::String(self.quoted(false)?)))
            }
            Some(c) if c == '-' || c.is_ascii_digit() => self.number().map(FilterOperand::Literal),
            Some(c) if c.is_alphabetic() => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    self.pos += 1;
                }
                let word: String = self.chars[start..self.pos].iter().collect();
                Ok(FilterOperand::Literal(match word.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    // Deployed definitions compare with bare words (`@.Name==Receipt`); read
                    // them as the string they spell.
                    _ => Value::String(word),
                }))
            }
            Some(c) => Err(self.err(format!("unexpected `{c}` in filter"))),
            None => Err(self.err("unterminated filter")),
        }
    }

    fn number(&mut self) -> Result<Value, ExprError> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || "-+.eE".contains(c))
        {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        serde_json::from_str::<serde_json::Number>(&text)
            .map(Value::Number)
            .map_err(|_| ExprError::new(start, format!("`{text}` is not a number")))
    }
}
