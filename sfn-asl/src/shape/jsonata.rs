//! The segments a JSONata read of `$states.input` follows in a shape, for the path checks of
//! JSONata states.
//!
//! JSONata steps into every element of an array (`$states.input.items.price` reads the price of
//! each item), where a JSONPath needs an index (`$.items[0].price`). So the JSONata names are
//! turned into the JSONPath segments `check_path` follows, with an index put wherever a name
//! meets an array; the check then words its message as for any path. Where the shape branches
//! (an enum) or is not known (`Any`, a flattened map), the segments stop and the rest is not
//! checked.

use super::check::find;
use super::{JsonShape, Seg};

/// `base` (segments into `root` that lead to what the state receives) followed by the JSONPath
/// segments of the JSONata field `names`, and how many of the `N` slots are used. `N` must be
/// at least `base.len() + 2 * names.len()`.
pub const fn jsonata_segments<const N: usize>(
    root: &'static JsonShape,
    base: &[Seg],
    names: &[&'static str],
) -> ([Seg; N], usize) {
    let mut out = [Seg::Index; N];
    let mut len = 0;
    let mut shape = root;
    let mut i = 0;
    while i < base.len() && len < N {
        out[len] = base[i];
        len += 1;
        shape = match follow(shape, base[i]) {
            Some(s) => s,
            None => return (out, len), // `check_path` reports it, or it is unchecked
        };
        i += 1;
    }
    let mut j = 0;
    while j < names.len() {
        // JSONata maps a name over arrays (and skips `null`).
        loop {
            match shape {
                JsonShape::Nullable(inner) => shape = inner,
                JsonShape::Array(e) if len < N => {
                    out[len] = Seg::Index;
                    len += 1;
                    shape = e;
                }
                _ => break,
            }
        }
        if len >= N {
            return (out, len);
        }
        match shape {
            JsonShape::Any | JsonShape::OneOf(..) | JsonShape::Array(_) => return (out, len),
            _ => {}
        }
        out[len] = Seg::Field(names[j]);
        len += 1;
        shape = match follow(shape, Seg::Field(names[j])) {
            Some(s) => s,
            None => return (out, len),
        };
        j += 1;
    }
    (out, len)
}

/// The shape one segment leads to, when it is plain to follow.
const fn follow(shape: &'static JsonShape, seg: Seg) -> Option<&'static JsonShape> {
    match (shape, seg) {
        (JsonShape::Nullable(inner), _) => follow(inner, seg),
        (JsonShape::Object(o), Seg::Field(name)) => find(o, name),
        (JsonShape::Map(v), Seg::Field(_)) | (JsonShape::Array(v), Seg::Index) => Some(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::ObjectShape;
    use crate::shape::{FieldShape, Shape};

    struct Item;
    impl Shape for Item {
        const SHAPE: &'static JsonShape = &JsonShape::Object(&ObjectShape {
            name: "Item",
            fields: &[FieldShape {
                name: "price",
                shape: &JsonShape::Number,
                optional: false,
            }],
            flatten: &[],
        });
    }
    struct Order;
    impl Shape for Order {
        const SHAPE: &'static JsonShape = &JsonShape::Object(&ObjectShape {
            name: "Order",
            fields: &[
                FieldShape {
                    name: "items",
                    shape: <Vec<Option<Item>>>::SHAPE,
                    optional: false,
                },
                FieldShape {
                    name: "meta",
                    shape: &JsonShape::Any,
                    optional: false,
                },
            ],
            flatten: &[],
        });
    }

    fn kinds(segs: &[Seg]) -> Vec<String> {
        segs.iter()
            .map(|s| match s {
                Seg::Field(f) => (*f).to_owned(),
                Seg::Index => "[]".to_owned(),
            })
            .collect()
    }

    #[test]
    fn a_name_meeting_an_array_reads_its_elements() {
        const S: ([Seg; 4], usize) = jsonata_segments::<4>(Order::SHAPE, &[], &["items", "price"]);
        assert_eq!(kinds(&S.0[..S.1]), ["items", "[]", "price"]);
    }

    #[test]
    fn what_is_not_known_is_not_followed() {
        const S: ([Seg; 4], usize) = jsonata_segments::<4>(Order::SHAPE, &[], &["meta", "x"]);
        assert_eq!(kinds(&S.0[..S.1]), ["meta"]);
    }

    #[test]
    fn a_missing_name_ends_the_segments_for_the_check_to_report() {
        const S: ([Seg; 6], usize) =
            jsonata_segments::<6>(Order::SHAPE, &[], &["itms", "price", "x"]);
        assert_eq!(kinds(&S.0[..S.1]), ["itms"]);
    }

    #[test]
    fn the_base_comes_first() {
        const S: ([Seg; 4], usize) =
            jsonata_segments::<4>(Order::SHAPE, &[Seg::Field("items"), Seg::Index], &["price"]);
        assert_eq!(kinds(&S.0[..S.1]), ["items", "[]", "price"]);
    }
}
