//! Where in an expression a compile error lies, as a character offset into the body.
//!
//! `jsonata-core` 2.2.13 (its newest release, and the one pinned) reports a parse error without a
//! position: its lexer keeps one, but neither the parser nor the error exposes it. So it is found
//! here from the outside. The parser reads tokens left to right and raises an error with the
//! offending token current, having looked at nothing after it; so a prefix of the body that ends
//! at or after that token fails with the same message, and one that ends before it fails at the
//! end of the expression instead (or parses). A binary search over the token boundaries of a
//! small scanner finds the first such prefix in a logarithmic number of parses. The scanner
//! need not match the crate's lexer exactly: a boundary it misplaces only moves the answer to a
//! neighbouring token. An error at the end of the expression ("S0207: Unexpected end of
//! expression") lies at the end.

/// Where the parse error `raw` (the crate's message, before rewording) of `body` lies.
pub(super) fn of_parse_error(body: &str, raw: &str) -> usize {
    let len = body.chars().count();
    if raw.contains("end of expression") {
        return len;
    }
    let tokens = scan(body);
    let same = |i: usize| -> bool {
        let Some(&(_, end)) = tokens.get(i) else {
            return true;
        };
        let prefix = body.get(..end).unwrap_or(body);
        let parsed = std::panic::catch_unwind(|| jsonata_core::parser::parse(prefix));
        matches!(parsed, Ok(Err(e)) if e.to_string() == raw)
    };
    // The first token whose prefix fails as the whole body does.
    let (mut lo, mut hi) = (0, tokens.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if same(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    match tokens.get(lo) {
        Some(&(start, _)) => body.get(..start).map_or(0, |p| p.chars().count()),
        None => 0,
    }
}

/// Where the construct a static check refused (`message`, as the walk words it) first appears.
pub(super) fn of_check_error(body: &str, message: &str) -> usize {
    let wanted = if message.starts_with("Reference to '$$'") {
        "$$".to_owned()
    } else if message.ends_with("\"..\"") {
        "..".to_owned()
    } else if let Some(name) = message
        .strip_prefix("Reference to '")
        .and_then(|m| m.split_once("' at the top level"))
        .map(|(name, _)| name)
    {
        name.to_owned()
    } else {
        return 0;
    };
    let tokens = scan(body);
    let text = |&(s, e): &(usize, usize)| body.get(s..e).unwrap_or("");
    // A name after `.` is a step of a path, not a top-level reference.
    let found = tokens.iter().enumerate().find(|(i, t)| {
        let t = text(t);
        let after_dot = i
            .checked_sub(1)
            .and_then(|p| tokens.get(p))
            .is_some_and(|p| text(p) == ".");
        (t == wanted || t.trim_matches('`') == wanted) && !after_dot
    });
    found.map_or(0, |(_, &(start, _))| {
        body.get(..start).map_or(0, |p| p.chars().count())
    })
}

/// The characters that end a name (JSONata's operators and brackets).
const OPERATOR_CHARS: &str = ".[]{}(),@#;:?+-*/%|=<>^&!~'\"`";

/// Two-character operators.
const PAIRS: [&str; 10] = ["..", ":=", "!=", ">=", "<=", "**", "~>", "??", "?:", "$$"];

/// The tokens of `body` as byte ranges: names, `$`-variables, numbers, strings, quoted names and
/// operators; whitespace and comments are skipped. An unterminated string or comment runs to the
/// end.
fn scan(body: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut it = body.char_indices().peekable();
    while let Some((start, c)) = it.next() {
        let rest = &body[start..];
        let end = if c.is_whitespace() {
            continue;
        } else if rest.starts_with("/*") {
            match rest.get(2..).and_then(|r| r.find("*/")) {
                Some(e) => {
                    skip_to(&mut it, start + 2 + e + 2);
                    continue;
                }
                None => body.len(),
            }
        } else if matches!(c, '\'' | '"' | '`') {
            quoted_end(rest, c).map_or(body.len(), |e| start + e)
        } else if c.is_ascii_digit() {
            start + number_len(rest)
        } else if let Some(p) = PAIRS.iter().find(|p| rest.starts_with(*p)) {
            start + p.len()
        } else if c == '$' || !OPERATOR_CHARS.contains(c) {
            // A name or a variable: up to the next operator or space.
            let skip = c.len_utf8();
            let len = rest[skip..]
                .find(|d: char| d.is_whitespace() || OPERATOR_CHARS.contains(d) || d == '$')
                .map_or(rest.len(), |e| e + skip);
            start + len
        } else {
            start + c.len_utf8()
        };
        out.push((start, end));
        skip_to(&mut it, end);
    }
    out
}

fn skip_to(it: &mut std::iter::Peekable<std::str::CharIndices<'_>>, end: usize) {
    while it.peek().is_some_and(|&(i, _)| i < end) {
        it.next();
    }
}

/// The byte length of the quoted token at the start of `rest` (opened by `quote`), or `None`
/// when it is not closed. Backquoted names have no escapes.
fn quoted_end(rest: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, d) in rest.char_indices().skip(1) {
        if escaped {
            escaped = false;
        } else if d == '\\' && quote != '`' {
            escaped = true;
        } else if d == quote {
            return Some(i + d.len_utf8());
        }
    }
    None
}

/// The byte length of the number at the start of `rest`: digits, a fraction (`.` and a digit,
/// so that `1..5` stays a range) and an exponent.
fn number_len(rest: &str) -> usize {
    let b = rest.as_bytes();
    let digits = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut i = digits(0);
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = digits(i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        if b.get(i + 1 + sign).is_some_and(u8::is_ascii_digit) {
            i = digits(i + 1 + sign);
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(body: &str) -> String {
        match jsonata_core::parser::parse(body) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("`{body}` parses"),
        }
    }

    fn at(body: &str) -> usize {
        of_parse_error(body, &raw(body))
    }

    #[test]
    fn a_stray_token_is_found_where_it_stands() {
        assert_eq!(at("$states.input.total + }"), 22);
        assert_eq!(at("$f(1, 2"), 7);
        assert_eq!(at("1 2"), 2);
        assert_eq!(at("[1, 2,, 3]"), 6);
        assert_eq!(at("$sum($states.input.items.price) ) + 1"), 32);
    }

    #[test]
    fn an_unclosed_string_is_found_where_it_opens() {
        assert_eq!(at("$states.input.a & 'abc"), 18);
    }

    #[test]
    fn an_early_end_is_at_the_end() {
        assert_eq!(at("$states.input.a +"), 17);
        assert_eq!(at("é + ("), 5);
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        assert_eq!(at("'é' ]"), 4);
    }

    #[test]
    fn refused_references_are_found_by_name() {
        assert_eq!(
            of_check_error("1 + $$.a", "Reference to '$$' is not supported."),
            4
        );
        assert_eq!(
            of_check_error(
                "$states.input.order + order",
                "Reference to 'order' at the top level is not supported."
            ),
            22
        );
        assert_eq!(
            of_check_error("$x ? (1..3) : 0", "S0201: Syntax error: \"..\""),
            7
        );
        assert_eq!(of_check_error("$x", "something else"), 0);
    }

    #[test]
    fn the_scanner_splits_strings_numbers_and_operators() {
        let body = "$a.`b c` := 1.5e3 /* note */ != 'x\\'y'";
        let tokens: Vec<&str> = scan(body).iter().map(|&(s, e)| &body[s..e]).collect();
        assert_eq!(tokens, ["$a", ".", "`b c`", ":=", "1.5e3", "!=", "'x\\'y'"]);
    }
}
