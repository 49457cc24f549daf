//! Compile-time JSON shapes: what `#[derive(Shape)]` (in the `sfn` crate) produces, and the
//! `const fn`s that check a workflow's path literals against them.
//!
//! The derive honours serde's renames; written by hand, a shape looks like this:
//!
//! ```
//! use sfn_asl::shape::{FieldShape, JsonShape, ObjectShape, Shape};
//!
//! struct Order { order_id: String, total: f64 }
//! impl Shape for Order {
//!     const SHAPE: &'static JsonShape = &JsonShape::Object(&ObjectShape {
//!         name: "Order",
//!         fields: &[
//!             FieldShape { name: "orderId", shape: String::SHAPE, optional: false },
//!             FieldShape { name: "total", shape: f64::SHAPE, optional: false },
//!         ],
//!         flatten: &[],
//!     });
//! }
//!
//! let JsonShape::Object(o) = Order::SHAPE else { panic!("an object") };
//! assert_eq!(o.fields[0].name, "orderId");
//! ```
//!
//! A check returns its message ("no field `ordr` in `Order` (did you mean `order`?)") and the
//! const item `workflow!` emits at the path literal panics with it, so the compiler reports
//! one error at the literal. The message is built in a fixed buffer because const code cannot
//! allocate. The module is const data and `std` only,
//! so it sits in the language crate, beside the paths it checks.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

/// A type whose JSON form is known at compile time. Derive it with `#[derive(sfn::Shape)]`; the
/// types of `chrono`, `time`, `uuid`, `url` and `rust_decimal` have it with the `sfn` feature of
/// the crate's name.
// The notes name every way out: which one applies depends on whether `{Self}` is the user's own
// type, which the attribute cannot tell.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no JSON shape, so paths into it cannot be checked",
    label = "`{Self}` does not implement `sfn::Shape`",
    note = "if `{Self}` is your own type, add `#[derive(sfn::Shape)]` to it",
    note = "if it comes from another crate, put `#[shape(any)]` on the field that holds it (paths into the field are then not checked), or hold it in a newtype of your own that implements `Shape`; `sfn`'s features `chrono`, `time`, `uuid`, `url` and `rust_decimal` give those crates' types a shape",
    note = "as workflow input or a task's result, `serde_json::Value` opts out of path checks"
)]
pub trait Shape {
    /// The JSON shape of the type.
    const SHAPE: &'static JsonShape;
}

/// The JSON form of a type.
#[derive(Debug)]
pub enum JsonShape {
    /// Any JSON (`serde_json::Value`, or a field serialized by custom code): paths are not checked.
    Any,
    /// `null`.
    Null,
    /// `true`/`false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array of one element type.
    Array(&'static JsonShape),
    /// A fixed-length array.
    Tuple(&'static [&'static JsonShape]),
    /// An object with arbitrary keys (`HashMap<String, V>`).
    Map(&'static JsonShape),
    /// The value or `null` (`Option<T>`).
    Nullable(&'static JsonShape),
    /// An object with known fields.
    Object(&'static ObjectShape),
    /// One of several forms (an enum), with the type's name.
    OneOf(&'static str, &'static [&'static JsonShape]),
}

/// An object with known fields (a struct, or an enum variant).
#[derive(Debug)]
pub struct ObjectShape {
    /// The Rust type's name, for messages.
    pub name: &'static str,
    /// The JSON keys, after serde's renames.
    pub fields: &'static [FieldShape],
    /// Shapes merged in by `#[serde(flatten)]`.
    pub flatten: &'static [&'static JsonShape],
}

/// One key of an object.
#[derive(Debug)]
pub struct FieldShape {
    /// The JSON key.
    pub name: &'static str,
    /// Its value's shape.
    pub shape: &'static JsonShape,
    /// Whether the key may be absent (`#[serde(default)]`, `skip_serializing_if`).
    pub optional: bool,
}

macro_rules! leaf {
    ($shape:ident: $($t:ty),*) => { $(impl Shape for $t { const SHAPE: &'static JsonShape = &JsonShape::$shape; })* };
}
leaf!(Number: u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64);
leaf!(String: String, str, char);
leaf!(Bool: bool);
leaf!(Null: ());
leaf!(Any: serde_json::Value);

impl Shape for serde_json::Map<String, serde_json::Value> {
    const SHAPE: &'static JsonShape = &JsonShape::Map(&JsonShape::Any);
}
impl<T: Shape> Shape for Option<T> {
    const SHAPE: &'static JsonShape = &JsonShape::Nullable(T::SHAPE);
}
impl<T: Shape + ?Sized> Shape for &T {
    const SHAPE: &'static JsonShape = T::SHAPE;
}
impl<T: Shape + ?Sized> Shape for Box<T> {
    const SHAPE: &'static JsonShape = T::SHAPE;
}
impl<T: Shape + ?Sized> Shape for std::rc::Rc<T> {
    const SHAPE: &'static JsonShape = T::SHAPE;
}
impl<T: Shape + ?Sized> Shape for std::sync::Arc<T> {
    const SHAPE: &'static JsonShape = T::SHAPE;
}
impl<T: Shape> Shape for [T] {
    const SHAPE: &'static JsonShape = &JsonShape::Array(T::SHAPE);
}
impl<T: Shape, const N: usize> Shape for [T; N] {
    const SHAPE: &'static JsonShape = &JsonShape::Array(T::SHAPE);
}
impl<T: Shape> Shape for Vec<T> {
    const SHAPE: &'static JsonShape = &JsonShape::Array(T::SHAPE);
}
impl<T: Shape> Shape for VecDeque<T> {
    const SHAPE: &'static JsonShape = &JsonShape::Array(T::SHAPE);
}
impl<T: Shape, S> Shape for HashSet<T, S> {
    const SHAPE: &'static JsonShape = &JsonShape::Array(T::SHAPE);
}
impl<T: Shape> Shape for BTreeSet<T> {
    const SHAPE: &'static JsonShape = &JsonShape::Array(T::SHAPE);
}
impl<K, V: Shape, S> Shape for HashMap<K, V, S> {
    const SHAPE: &'static JsonShape = &JsonShape::Map(V::SHAPE);
}
impl<K, V: Shape> Shape for BTreeMap<K, V> {
    const SHAPE: &'static JsonShape = &JsonShape::Map(V::SHAPE);
}
macro_rules! tuple {
    ($($t:ident),*) => { impl<$($t: Shape),*> Shape for ($($t,)*) { const SHAPE: &'static JsonShape = &JsonShape::Tuple(&[$($t::SHAPE),*]); } };
}
tuple!(A);
tuple!(A, B);
tuple!(A, B, C);
tuple!(A, B, C, D);

mod check;
mod foreign;
mod jsonata;

#[doc(hidden)]
pub use check::{check_path, shape_at, Expect, PathCheck, PathError, Seg};
#[doc(hidden)]
pub use jsonata::jsonata_segments;
