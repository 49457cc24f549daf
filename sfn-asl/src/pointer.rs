//! JSON Pointer (RFC 6901) segments, as every located message and address in the workspace
//! writes them (`/States/a~1b` for the state `a/b`).

use std::borrow::Cow;

/// Escapes one segment: `~` → `~0`, `/` → `~1` (in that order, so `~1` in a name stays itself).
pub fn escape_segment(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// Appends `/` and the escaped `segment` to `pointer`.
pub fn push_segment(pointer: &mut String, segment: &str) {
    pointer.push('/');
    pointer.push_str(&escape_segment(segment));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_escape_tilde_before_slash() {
        assert_eq!(escape_segment("plain"), "plain");
        assert!(matches!(escape_segment("plain"), Cow::Borrowed(_)));
        assert_eq!(escape_segment("a/b"), "a~1b");
        assert_eq!(escape_segment("a~b"), "a~0b");
        assert_eq!(escape_segment("~1"), "~01");
        assert_eq!(escape_segment("/~"), "~1~0");
        let mut p = String::from("/States");
        push_segment(&mut p, "x/y");
        push_segment(&mut p, "");
        assert_eq!(p, "/States/x~1y/");
    }
}
