//! The parsed form of a JSONPath: a root and a list of segments.
//!
//! Public so that the `workflow!` macro can walk `$.order.id` segment by segment and check each
//! step against the Rust type that reaches the state.

use std::fmt;

use serde_json::Value;

use super::PathRoot;

/// One step of a path, applied to every node the previous steps selected.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// `.name`, `['name']`, `["name"]`: a member of an object.
    Name(String),
    /// `[n]` (`[-n]` counts from the end): an element of an array.
    Index(i64),
    /// `[a,b]`: several members or elements (names and indexes may be mixed).
    Union(Vec<UnionItem>),
    /// `[start:end:step]`, each part optional.
    Slice {
        /// First index (negative counts from the end); default `0` (or the end for a negative step).
        start: Option<i64>,
        /// Index after the last one (exclusive); default the end of the array.
        end: Option<i64>,
        /// Stride; default `1`, never `0`.
        step: Option<i64>,
    },
    /// `[*]` or `.*`: every member or element.
    Wildcard,
    /// `..` followed by a selector: the selector applied to the node and to every node below it.
    Descendant(Box<Segment>),
    /// `[?(...)]`: the elements (or the object itself) for which the expression holds.
    Filter(Box<FilterExpr>),
}

/// One entry of a [`Segment::Union`].
#[derive(Debug, Clone, PartialEq)]
pub enum UnionItem {
    /// A member name.
    Name(String),
    /// An array index.
    Index(i64),
}

impl Segment {
    /// Whether the segment selects at most one node.
    pub fn is_definite(&self) -> bool {
        matches!(self, Segment::Name(_) | Segment::Index(_))
    }
}

/// A filter expression (`@.price < 10 && !@.sold`).
#[derive(Debug, Clone, PartialEq)]
pub enum FilterExpr {
    /// `a || b`.
    Or(Box<FilterExpr>, Box<FilterExpr>),
    /// `a && b`.
    And(Box<FilterExpr>, Box<FilterExpr>),
    /// `!a`.
    Not(Box<FilterExpr>),
    /// A lone path: holds when the path selects something (`@.isbn`).
    Exists(FilterPath),
    /// `left op right`.
    Compare(FilterOperand, CompareOp, FilterOperand),
}

/// A comparison operator inside a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl CompareOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// One side of a filter comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterOperand {
    /// A path from the current node (`@.x`) or the document root (`$.x`).
    Path(FilterPath),
    /// A string, number, boolean or null literal.
    Literal(Value),
}

/// A path inside a filter.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterPath {
    /// `true` for `@` (the node being filtered), `false` for `$` (the document).
    pub current: bool,
    /// The steps after the root.
    pub segments: Vec<Segment>,
}

/// Writes `['name']` the way AWS reports paths (`$['a'][0]`).
pub(crate) fn write_normalized(out: &mut String, segment: &Segment) {
    match segment {
        Segment::Name(n) => {
            out.push_str("['");
            out.push_str(n);
            out.push_str("']");
        }
        Segment::Index(i) => {
            out.push('[');
            out.push_str(&i.to_string());
            out.push(']');
        }
        Segment::Union(items) => {
            out.push('[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                match item {
                    UnionItem::Name(n) => {
                        out.push('\'');
                        out.push_str(n);
                        out.push('\'');
                    }
                    UnionItem::Index(i) => out.push_str(&i.to_string()),
                }
            }
            out.push(']');
        }
        Segment::Slice { start, end, step } => {
            out.push('[');
            if let Some(s) = start {
                out.push_str(&s.to_string());
            }
            out.push(':');
            if let Some(e) = end {
                out.push_str(&e.to_string());
            }
            if let Some(st) = step {
                out.push(':');
                out.push_str(&st.to_string());
            }
            out.push(']');
        }
        Segment::Wildcard => out.push_str("[*]"),
        Segment::Descendant(inner) => {
            out.push_str("..");
            write_normalized(out, inner);
        }
        Segment::Filter(_) => out.push_str("[?]"),
    }
}

/// The normalized text of a root followed by segments (`$['a'][0]`).
pub(crate) fn normalized(root: &PathRoot, segments: &[Segment]) -> String {
    let mut out = match root {
        PathRoot::Input => String::from("$"),
        PathRoot::Context => String::from("$$"),
        PathRoot::Variable(name) => format!("${name}"),
    };
    for s in segments {
        write_normalized(&mut out, s);
    }
    out
}

impl fmt::Display for FilterPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::from(if self.current { "@" } else { "$" });
        for s in &self.segments {
            write_normalized(&mut out, s);
        }
        f.write_str(&out)
    }
}
