//! Evaluation of parsed paths against a JSON document.

use std::borrow::Cow;
use std::cell::Cell;
use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::ast::{
    normalized, CompareOp, FilterExpr, FilterOperand, FilterPath, Segment, UnionItem,
};
use super::{PathMiss, PathRoot};

/// Follows a definite path (only `Name` and `Index` segments, plus an optional merging
/// names-union at the end) and reports the first missing step the way Jayway/AWS does.
pub(crate) fn definite<'a>(
    doc: &'a Value,
    root: &PathRoot,
    segments: &[Segment],
) -> Result<Cow<'a, Value>, PathMiss> {
    let mut cur = doc;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let next = match seg {
            Segment::Name(name) => match cur {
                Value::Object(map) => super::member(map, name),
                _ => None,
            },
            Segment::Index(index) => match cur {
                Value::Array(items) => {
                    resolve_index(*index, items.len()).and_then(|k| items.get(k))
                }
                _ => None,
            },
            Segment::Union(items) if last => {
                return match merge_names(cur, items) {
                    Some(merged) => Ok(Cow::Owned(merged)),
                    None => Err(PathMiss::NoResults {
                        at: normalized(root, segments),
                    }),
                };
            }
            // Not reached for paths that `is_definite` accepted; treated as "nothing here".
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => {
                // Jayway: a missing member before the last step is "missing property" (named up
                // to that member); anything else missing is "no results" for the whole path.
                let inner_member = !last && matches!(seg, Segment::Name(_)) && cur.is_object();
                return Err(if inner_member {
                    PathMiss::MissingProperty {
                        at: normalized(root, &segments[..=i]),
                    }
                } else {
                    PathMiss::NoResults {
                        at: normalized(root, segments),
                    }
                });
            }
        }
    }
    Ok(Cow::Borrowed(cur))
}

/// Evaluates any path: every match, in document order, as a JSON array.
pub(crate) fn all_matches<'a>(doc: &'a Value, segments: &[Segment]) -> Vec<Cow<'a, Value>> {
    let (body, merge) = match segments.split_last() {
        Some((Segment::Union(items), body)) if is_name_union(items) => (body, Some(items)),
        _ => (segments, None),
    };
    let cx = Cx {
        doc,
        budget: Cell::new(MAX_STEPS),
    };
    let nodes = walk(&cx, doc, body);
    match merge {
        None => nodes.into_iter().map(Cow::Borrowed).collect(),
        Some(items) => nodes
            .into_iter()
            .filter_map(|n| merge_names(n, items))
            .map(Cow::Owned)
            .collect(),
    }
}

/// Whether a union names only members (Jayway merges those into one object at the leaf).
pub(crate) fn is_name_union(items: &[UnionItem]) -> bool {
    items.iter().all(|i| matches!(i, UnionItem::Name(_)))
}

fn merge_names(node: &Value, items: &[UnionItem]) -> Option<Value> {
    let map = node.as_object()?;
    let mut merged = Map::new();
    for item in items {
        if let UnionItem::Name(n) = item {
            if let Some(v) = map.get(n.as_str()) {
                merged.insert(n.clone(), v.clone());
            }
        }
    }
    Some(Value::Object(merged))
}

/// How many nodes one evaluation may visit. Chained `..` and filters can otherwise grow the
/// match set exponentially (`$..[?(@)]..[?(@)]...`); a real 256 KiB payload needs far fewer
/// steps, so hitting the cap only cuts short hostile paths (the result is then incomplete).
const MAX_STEPS: usize = 4_000_000;

/// One evaluation: the document `$` means inside filters, and the remaining step budget.
struct Cx<'a> {
    doc: &'a Value,
    budget: Cell<usize>,
}

impl Cx<'_> {
    /// Takes `n` steps from the budget; `false` once it is spent.
    fn spend(&self, n: usize) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(n));
        left >= n
    }
}

/// Applies `segments` in turn to the node set starting at `start`.
fn walk<'a>(cx: &Cx<'a>, start: &'a Value, segments: &[Segment]) -> Vec<&'a Value> {
    let mut current = vec![start];
    for seg in segments {
        let mut next = Vec::new();
        for node in current {
            apply(cx, node, seg, &mut next);
        }
        if next.is_empty() {
            return next;
        }
        current = next;
    }
    current
}

fn resolve_index(index: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let k = if index < 0 {
        len.checked_add(index)?
    } else {
        index
    };
    if (0..len).contains(&k) {
        usize::try_from(k).ok()
    } else {
        None
    }
}

fn apply<'a>(cx: &Cx<'a>, node: &'a Value, seg: &Segment, out: &mut Vec<&'a Value>) {
    if !cx.spend(1) {
        return;
    }
    match seg {
        Segment::Name(name) => {
            if let Some(v) = node.as_object().and_then(|m| m.get(name.as_str())) {
                out.push(v);
            }
        }
        Segment::Index(index) => {
            if let Value::Array(items) = node {
                if let Some(v) = resolve_index(*index, items.len()).and_then(|k| items.get(k)) {
                    out.push(v);
                }
            }
        }
        Segment::Union(items) => {
            for item in items {
                match item {
                    UnionItem::Name(n) => apply(cx, node, &Segment::Name(n.clone()), out),
                    UnionItem::Index(i) => apply(cx, node, &Segment::Index(*i), out),
                }
            }
        }
        Segment::Slice { start, end, step } => {
            if let Value::Array(items) = node {
                for k in slice_indexes(items.len(), *start, *end, *step) {
                    if let Some(v) = items.get(k) {
                        out.push(v);
                    }
                }
            }
        }
        Segment::Wildcard => match node {
            Value::Array(items) if cx.spend(items.len()) => out.extend(items.iter()),
            Value::Object(map) if cx.spend(map.len()) => out.extend(map.values()),
            _ => {}
        },
        Segment::Descendant(inner) => {
            // Pre-order over the node and everything below it, with an explicit stack so that a
            // deeply nested document cannot overflow the call stack.
            let mut stack = vec![node];
            while let Some(n) = stack.pop() {
                if !cx.spend(1) {
                    break;
                }
                apply(cx, n, inner, out);
                match n {
                    Value::Array(items) => stack.extend(items.iter().rev()),
                    Value::Object(map) => stack.extend(map.values().rev()),
                    _ => {}
                }
            }
        }
        Segment::Filter(expr) => match node {
            Value::Array(items) => out.extend(items.iter().filter(|item| test(cx, item, expr))),
            Value::Object(_) if test(cx, node, expr) => out.push(node),
            _ => {}
        },
    }
}

/// The indexes a Python-style slice selects from an array of `len` elements.
fn slice_indexes(
    len: usize,
    start: Option<i64>,
    end: Option<i64>,
    step: Option<i64>,
) -> Vec<usize> {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let step = step.unwrap_or(1);
    let clamp = |v: i64, lo: i64, hi: i64| {
        let v = if v < 0 { v.saturating_add(len) } else { v };
        v.clamp(lo, hi)
    };
    let mut out = Vec::new();
    if step > 0 {
        let s = start.map_or(0, |v| clamp(v, 0, len));
        let e = end.map_or(len, |v| clamp(v, 0, len));
        let mut k = s;
        while k < e {
            out.extend(usize::try_from(k).ok());
            k = match k.checked_add(step) {
                Some(n) => n,
                None => break,
            };
        }
    } else if step < 0 {
        let s = start.map_or(len - 1, |v| clamp(v, -1, len - 1));
        let e = end.map_or(-1, |v| clamp(v, -1, len - 1));
        let mut k = s;
        while k > e {
            out.extend(usize::try_from(k).ok());
            k = match k.checked_add(step) {
                Some(n) => n,
                None => break,
            };
        }
    }
    out
}

/// The value a filter operand stands for, or `None` when its path selects nothing.
fn operand<'a>(cx: &Cx<'a>, current: &'a Value, op: &'a FilterOperand) -> Option<Cow<'a, Value>> {
    match op {
        FilterOperand::Literal(v) => Some(Cow::Borrowed(v)),
        FilterOperand::Path(p) => filter_path(cx, current, p),
    }
}

fn filter_path<'a>(cx: &Cx<'a>, current: &'a Value, p: &FilterPath) -> Option<Cow<'a, Value>> {
    let start = if p.current { current } else { cx.doc };
    if p.segments.iter().all(Segment::is_definite) {
        walk(cx, start, &p.segments)
            .into_iter()
            .next()
            .map(Cow::Borrowed)
    } else {
        let all: Vec<Value> = walk(cx, start, &p.segments).into_iter().cloned().collect();
        Some(Cow::Owned(Value::Array(all)))
    }
}

fn test<'a>(cx: &Cx<'a>, current: &'a Value, expr: &'a FilterExpr) -> bool {
    match expr {
        FilterExpr::Or(a, b) => test(cx, current, a) || test(cx, current, b),
        FilterExpr::And(a, b) => test(cx, current, a) && test(cx, current, b),
        FilterExpr::Not(a) => !test(cx, current, a),
        FilterExpr::Exists(p) => filter_path(cx, current, p).is_some(),
        FilterExpr::Compare(l, op, r) => {
            let (l, r) = (operand(cx, current, l), operand(cx, current, r));
            match (l, r) {
                (Some(l), Some(r)) => compare(&l, *op, &r),
                // A missing operand equals nothing, so only `!=` holds.
                _ => *op == CompareOp::Ne,
            }
        }
    }
}

fn compare(l: &Value, op: CompareOp, r: &Value) -> bool {
    let ord = match (l, r) {
        (Value::Number(a), Value::Number(b)) => match (a.as_f64(), b.as_f64()) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => None,
        },
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => {
            return match op {
                CompareOp::Eq => l == r,
                CompareOp::Ne => l != r,
                _ => false,
            }
        }
    };
    match (ord, op) {
        (Some(o), CompareOp::Eq) => o == Ordering::Equal,
        (Some(o), CompareOp::Ne) => o != Ordering::Equal,
        (Some(o), CompareOp::Lt) => o == Ordering::Less,
        (Some(o), CompareOp::Le) => o != Ordering::Greater,
        (Some(o), CompareOp::Gt) => o == Ordering::Greater,
        (Some(o), CompareOp::Ge) => o != Ordering::Less,
        (None, CompareOp::Ne) => true,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_follow_python_rules() {
        assert_eq!(slice_indexes(5, Some(1), Some(3), None), vec![1, 2]);
        assert_eq!(slice_indexes(5, Some(-2), None, None), vec![3, 4]);
        assert_eq!(slice_indexes(5, None, None, Some(2)), vec![0, 2, 4]);
        assert_eq!(slice_indexes(5, None, None, Some(-1)), vec![4, 3, 2, 1, 0]);
        assert_eq!(
            slice_indexes(5, Some(10), Some(20), None),
            Vec::<usize>::new()
        );
        assert_eq!(slice_indexes(0, None, None, Some(-1)), Vec::<usize>::new());
        assert_eq!(
            slice_indexes(3, Some(i64::MIN), Some(i64::MAX), Some(i64::MAX)),
            vec![0]
        );
    }

    #[test]
    fn index_resolution_counts_from_the_end() {
        assert_eq!(resolve_index(-1, 3), Some(2));
        assert_eq!(resolve_index(3, 3), None);
        assert_eq!(resolve_index(-4, 3), None);
        assert_eq!(resolve_index(i64::MIN, 3), None);
    }
}
