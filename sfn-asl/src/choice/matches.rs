//! `StringMatches`: whole-string glob matching with `*`.

use std::fmt;

/// A malformed `StringMatches` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError;

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a `\\` at the end of the pattern escapes nothing")
    }
}

impl std::error::Error for PatternError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Char(char),
    Star,
}

fn tokens(pattern: &str) -> Result<Vec<Token>, PatternError> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push(Token::Star),
            // `\*` is a literal star, `\\` a literal backslash; any other escaped character is itself.
            '\\' => out.push(Token::Char(chars.next().ok_or(PatternError)?)),
            c => out.push(Token::Char(c)),
        }
    }
    Ok(out)
}

/// Whether `text` matches `pattern` as a whole; `*` stands for any run of characters (also none).
pub fn string_matches(text: &str, pattern: &str) -> Result<bool, PatternError> {
    let pat = tokens(pattern)?;
    let text: Vec<char> = text.chars().collect();
    // Greedy matching with one backtrack point (the last `*`): linear-ish, no recursion.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pat.get(p) {
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Token::Char(c)) if text.get(t) == Some(c) => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return Ok(false),
            },
        }
    }
    Ok(pat
        .get(p..)
        .unwrap_or_default()
        .iter()
        .all(|tok| *tok == Token::Star))
}

#[cfg(test)]
mod tests {
    use super::string_matches;

    #[test]
    fn globbing() {
        let yes = [
            ("log.txt", "*.txt"),
            ("", "*"),
            ("", ""),
            ("abc", "a*c"),
            ("ac", "a*c"),
            ("a*c", "a\\*c"),
            ("a\\c", "a\\\\c"),
            ("foo.log.txt", "*.log*"),
            ("aaa", "a*a*a"),
            ("mississippi", "m*iss*ppi"),
        ];
        for (text, pattern) in yes {
            assert_eq!(
                string_matches(text, pattern),
                Ok(true),
                "{text:?} ~ {pattern:?}"
            );
        }
        let no = [
            ("log.txt", "*.csv"),
            ("abc", "a\\*c"),
            ("ab", "abc"),
            ("abc", "ab"),
            ("a", ""),
        ];
        for (text, pattern) in no {
            assert_eq!(
                string_matches(text, pattern),
                Ok(false),
                "{text:?} !~ {pattern:?}"
            );
        }
        assert!(string_matches("x", "x\\").is_err());
    }
}
