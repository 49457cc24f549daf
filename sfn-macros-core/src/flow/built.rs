//! Shapes the macro knows from the definition itself: what a `parameters`, `result_selector`,
//! `item_selector` template or a Pass `result` builds. A literal value gives its JSON kind, a
//! `"k.$": "$.x"` the shape found at that path of what the template reads, an intrinsic call
//! its result kind. Each becomes a `const` shape the checks of later states read.

use std::cell::RefCell;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::Value;
use sfn_asl::intrinsic::ast::Function;
use sfn_asl::template::ValueExpr;

use super::paths::Seg;
use super::Root;

/// One part of a built shape.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Node {
    /// A JSON kind: `Null`, `Bool`, `Number`, `String` or `Any` (a `JsonShape` variant).
    Leaf(&'static str),
    /// An array (of anything).
    Array,
    /// An object with these keys.
    Object(Vec<(String, Node)>),
    /// The shape at these segments of a root.
    At(Root, Vec<Seg>),
}

/// A built shape and the name messages give it ("the Parameters of `Ship`").
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Built {
    pub(super) name: String,
    pub(super) node: Node,
}

/// Every shape built while following the workflow; equal shapes share one entry, so following
/// the same way again finds the same [`Root::Built`].
#[derive(Default)]
pub(super) struct Table(RefCell<Vec<Built>>);

impl Table {
    pub(super) fn intern(&self, built: Built) -> Root {
        let mut all = self.0.borrow_mut();
        if let Some(i) = all.iter().position(|b| *b == built) {
            return Root::Built(i);
        }
        all.push(built);
        Root::Built(all.len() - 1)
    }

    pub(super) fn get(&self, i: usize) -> Option<Built> {
        self.0.borrow().get(i).cloned()
    }
}

/// The shape a template (or a Pass `result`) builds; `read` gives the shape a `$.x` path
/// copies from what the template reads.
pub(super) fn template_node(source: &Value, read: &dyn Fn(&str) -> Node, depth: usize) -> Node {
    if depth > 64 {
        return Node::Leaf("Any");
    }
    match source {
        Value::Null => Node::Leaf("Null"),
        Value::Bool(_) => Node::Leaf("Bool"),
        Value::Number(_) => Node::Leaf("Number"),
        Value::String(_) => Node::Leaf("String"),
        Value::Array(_) => Node::Array,
        Value::Object(map) => Node::Object(
            map.iter()
                .map(|(k, v)| match (k.strip_suffix(".$"), v) {
                    (Some(key), Value::String(expr)) => (key.to_owned(), expr_node(expr, read)),
                    _ => (k.clone(), template_node(v, read, depth + 1)),
                })
                .collect(),
        ),
    }
}

/// The shape of one `.$` value: a path's, or an intrinsic call's result kind.
fn expr_node(expr: &str, read: &dyn Fn(&str) -> Node) -> Node {
    match ValueExpr::parse(expr) {
        Ok(ValueExpr::Path(p)) => read(p.source()),
        Ok(ValueExpr::Intrinsic(call)) => intrinsic_node(call.call().function),
        Err(_) => Node::Leaf("Any"),
    }
}

/// What an intrinsic function returns.
fn intrinsic_node(f: Function) -> Node {
    match f {
        Function::Format
        | Function::JsonToString
        | Function::Base64Encode
        | Function::Base64Decode
        | Function::Hash
        | Function::Uuid => Node::Leaf("String"),
        Function::Array
        | Function::ArrayPartition
        | Function::ArrayRange
        | Function::ArrayUnique
        | Function::StringSplit => Node::Array,
        Function::ArrayLength | Function::MathRandom | Function::MathAdd => Node::Leaf("Number"),
        Function::ArrayContains => Node::Leaf("Bool"),
        Function::StringToJson | Function::ArrayGetItem | Function::JsonMerge => Node::Leaf("Any"),
    }
}

/// Generated code for the roots the checks read.
pub(super) struct Emitter<'a> {
    /// The workflow input type.
    pub(super) input: &'a syn::Type,
    /// The declared result types, with the spans of where they were written.
    pub(super) results: &'a super::ResultTypes,
    /// Names the consts apart from another workflow's in the same module.
    pub(super) prefix: String,
    /// The built shapes a check or another built shape reads, by index, emitted once.
    pub(super) used: RefCell<Vec<usize>>,
}

impl Emitter<'_> {
    fn const_name(&self, i: usize, part: Option<usize>) -> Ident {
        let name = match part {
            None => format!("__SFN_{}_SHAPE_{i}", self.prefix),
            Some(p) => format!("__SFN_{}_SHAPE_{i}_{p}", self.prefix),
        };
        Ident::new(&name, Span::call_site())
    }

    /// `&'static JsonShape` of a root; `None` for a type that does not parse.
    pub(super) fn root(&self, root: &Root) -> Option<TokenStream> {
        match root {
            Root::Input => {
                let t = self.input;
                Some(quote!(<#t as ::sfn::__private::Shape>::SHAPE))
            }
            Root::Type(t) => {
                let t = self.results.parse(t)?;
                Some(quote!(<#t as ::sfn::__private::Shape>::SHAPE))
            }
            Root::Built(i) => {
                let mut used = self.used.borrow_mut();
                if !used.contains(i) {
                    used.push(*i);
                }
                Some(self.const_name(*i, None).into_token_stream())
            }
        }
    }

    /// The consts of every built shape used, those they read included.
    pub(super) fn built_consts(&self, table: &Table) -> Vec<TokenStream> {
        let mut out = Vec::new();
        let mut done = 0;
        // Emitting a shape may use more: go on until the list stops growing.
        loop {
            let next = self.used.borrow().get(done).copied();
            let Some(i) = next else { break };
            done += 1;
            if let Some(b) = table.get(i) {
                out.extend(self.built_const(i, &b));
            }
        }
        out
    }

    fn built_const(&self, i: usize, b: &Built) -> Vec<TokenStream> {
        let mut parts = Vec::new();
        let shape = self.node(&b.node, &b.name, i, &mut parts);
        let name = self.const_name(i, None);
        parts.push(quote! {
            #[doc(hidden)]
            #[allow(non_upper_case_globals)]
            const #name: &'static ::sfn::__private::JsonShape = #shape;
        });
        parts
    }

    /// A shape expression; a shape found at a path becomes a const of its own in `parts`
    /// (a const fn call is not promoted to `'static`, a const is).
    fn node(&self, node: &Node, name: &str, i: usize, parts: &mut Vec<TokenStream>) -> TokenStream {
        match node {
            Node::Leaf(kind) => {
                let kind = Ident::new(kind, Span::call_site());
                quote!(&::sfn::__private::JsonShape::#kind)
            }
            Node::Array => {
                quote!(&::sfn::__private::JsonShape::Array(
                    &::sfn::__private::JsonShape::Any
                ))
            }
            Node::Object(fields) => {
                let fields = fields.iter().map(|(k, v)| {
                    let shape = self.node(v, name, i, parts);
                    quote!(::sfn::__private::FieldShape { name: #k, shape: #shape, optional: false })
                });
                let fields: Vec<TokenStream> = fields.collect();
                quote!(&::sfn::__private::JsonShape::Object(&::sfn::__private::ObjectShape {
                    name: #name,
                    fields: &[#(#fields),*],
                    flatten: &[],
                }))
            }
            Node::At(root, segs) => {
                let Some(root) = self.root(root) else {
                    return quote!(&::sfn::__private::JsonShape::Any);
                };
                let segs = segs.iter().map(seg_tokens);
                let part = self.const_name(i, Some(parts.len()));
                parts.push(quote! {
                    #[doc(hidden)]
                    #[allow(non_upper_case_globals)]
                    const #part: &'static ::sfn::__private::JsonShape =
                        ::sfn::__private::shape_at(#root, &[#(#segs),*]);
                });
                part.into_token_stream()
            }
        }
    }
}

pub(super) fn seg_tokens(s: &Seg) -> TokenStream {
    match s {
        Seg::Field(f) => quote!(::sfn::__private::Seg::Field(#f)),
        Seg::Index => quote!(::sfn::__private::Seg::Index),
    }
}

use quote::ToTokens;
