//! Where an expression error points inside its string literal.
//!
//! The expression compilers give a character offset into the string (`(at character 25)`).
//! `Literal::subspan` narrows the span to that character, but only on a nightly compiler (it
//! returns `None` on stable), so on stable the error covers the whole literal and its message
//! repeats the expression with a caret under the character.

use proc_macro2::Span;
use syn::LitStr;

/// The span of the character at `position` (characters into the string's value), when the
/// compiler can narrow a span, the literal's source spells its value as is (no escapes), and
/// the character is not the first.
pub(crate) fn span_at(lit: &LitStr, position: usize) -> Option<Span> {
    // At the first character the whole literal says as much.
    if position == 0 {
        return None;
    }
    let value = lit.value();
    let source = lit.token().to_string();
    // `"..."` or `r#"..."#`: the value starts after the first quote.
    let open = source.find('"')? + 1;
    if source.get(open..open + value.len())? != value {
        return None;
    }
    let (at, c) = value.char_indices().nth(position)?;
    lit.token()
        .subspan(open + at..open + at + c.len_utf8())
        .filter(|s| s.source_text().is_none_or(|t| t.chars().eq([c])))
}

/// The expression and a caret under the character at `position`, for a message: one line of
/// at most 100 characters, and only past the first character (a caret under the first one says
/// nothing the span does not).
pub(crate) fn caret(text: &str, position: usize) -> Option<String> {
    let len = text.chars().count();
    if position == 0 || position > len || len > 100 || text.contains(['\n', '\r', '\t']) {
        return None;
    }
    Some(format!("\n  {text}\n  {}^", " ".repeat(position)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_stands_under_the_character() {
        assert_eq!(
            caret("{% 1 + } %}", 7).as_deref(),
            Some("\n  {% 1 + } %}\n         ^")
        );
        assert_eq!(
            caret("{% é + } %}", 7).as_deref(),
            Some("\n  {% é + } %}\n         ^")
        );
    }

    #[test]
    fn no_caret_at_the_start_or_on_long_or_broken_lines() {
        assert_eq!(caret("$.x", 0), None);
        assert_eq!(caret(&"x".repeat(101), 5), None);
        assert_eq!(caret("a\nb", 2), None);
        assert_eq!(caret("ab", 3), None);
    }

    #[test]
    fn outside_a_macro_the_literal_is_not_narrowed_past_its_text() {
        let lit: LitStr = syn::parse_str(r#""{% 1 + } %}""#).expect("a literal");
        // Outside a compiler the fallback spans narrow; whatever they give is that character.
        if let Some(s) = span_at(&lit, 7) {
            assert_eq!(s.source_text().as_deref(), Some("}"));
        }
        let escaped: LitStr = syn::parse_str(r#""a\"b""#).expect("a literal");
        assert!(span_at(&escaped, 2).is_none());
    }
}
