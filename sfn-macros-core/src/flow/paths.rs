//! Path text as the flow analysis reads it: the segments of a simple path, one spelling of it,
//! and the overlay a path lies under.

use super::{Overlays, Root};

/// One segment of a simple path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Seg {
    Field(String),
    Index,
}

/// `$.a.b[0]['c d']` → segments, and whether the whole path was read. Reading stops at the first
/// construct that is not a plain member or index (wildcards, filters, slices, `..`): only the
/// prefix before it is checked. `None` for `$$` and variable paths.
pub(super) fn segments(path: &str) -> Option<(Vec<Seg>, bool)> {
    let mut rest = path.strip_prefix('$')?;
    if rest.starts_with('$') || rest.chars().next().is_some_and(|c| c.is_alphabetic()) {
        return None; // context object or variable
    }
    let mut out = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            if r.starts_with('.') || r.starts_with('*') {
                return Some((out, false));
            }
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() || name.contains('\\') {
                return Some((out, false));
            }
            out.push(Seg::Field(name.to_owned()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix("['") {
            let Some(end) = r.find("']") else {
                return Some((out, false));
            };
            out.push(Seg::Field(r[..end].to_owned()));
            rest = &r[end + 2..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else {
                return Some((out, false));
            };
            if end > 0 && r[..end].chars().all(|c| c.is_ascii_digit()) {
                out.push(Seg::Index);
                rest = &r[end + 1..];
            } else {
                return Some((out, false));
            }
        } else {
            return Some((out, false));
        }
    }
    Some((out, true))
}

/// `path` spelled one way (`$['a'].b` → `$.a.b`), so that overlays and the paths read under them
/// compare as text. Paths with indexes or indefinite parts stay as written.
pub(super) fn canonical(path: &str) -> String {
    match segments(path) {
        Some((segs, true)) if segs.iter().all(|s| matches!(s, Seg::Field(_))) => {
            let mut out = String::from("$");
            for s in segs {
                if let Seg::Field(f) = s {
                    if !f.is_empty() && f.chars().all(|c| c.is_alphanumeric() || c == '_') {
                        out.push('.');
                        out.push_str(&f);
                    } else {
                        out.push_str("['");
                        out.push_str(&f);
                        out.push_str("']");
                    }
                }
            }
            out
        }
        _ => path.to_owned(),
    }
}

/// The overlay `path` lies under, if any: its prefix and what is known of its type.
pub(super) fn overlay_of<'o>(path: &str, ov: &'o Overlays) -> Option<(&'o str, &'o Option<Root>)> {
    let path = canonical(path);
    let path = path.as_str();
    ov.iter()
        .find(|(p, _)| {
            path == p.as_str()
                || path.starts_with(&format!("{p}."))
                || path.starts_with(&format!("{p}["))
        })
        .map(|(p, t)| (p.as_str(), t))
}
