//! A field of a type from another crate without a JSON shape: `#[derive(Shape)]` cannot be added
//! to it, so the message also names `#[shape(any)]` on the field.
use sfn::Shape;

#[derive(Shape)]
pub struct Order {
    id: String,
    placed: std::time::SystemTime,
}

fn main() {}
