//! What JSONata states read from `$states.input` is checked against the input type when the
//! workflow compiles: these reads are all valid (JSONata reads a field of every array item, and
//! through `Option`, flattened structs and maps), so this file compiling is the test; the
//! misspelled ones are in `sfn-macros/tests/ui/shape/jsonata-input-unknown-field.rs`.

use std::collections::HashMap;

use serde_json::Value;
use sfn::{workflow, Shape};

#[derive(Shape)]
#[allow(dead_code)]
pub struct Item {
    price: f64,
    tags: Vec<String>,
}

#[derive(Shape)]
#[allow(dead_code)]
pub struct Audit {
    by: String,
}

#[derive(Shape)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct Order {
    order_id: String,
    items: Vec<Item>,
    note: Option<Item>,
    #[serde(flatten)]
    audit: Audit,
    extra: HashMap<String, Item>,
    raw: Value,
}

workflow! {
    #[workflow(query_language = JSONata)]
    pub JsonataReads(Order) {
        start Total;
        Total: pass {
            output: {
                "id": "{% $states.input.orderId %}",
                "total": "{% $sum($states.input.items.price) %}",
                "tags": "{% $states.input.items.tags %}",
                "note": "{% $states.input.note.price %}",
                "by": "{% $states.input.by %}",
                "extra": "{% $states.input.extra.anything.price %}",
                "raw": "{% $states.input.raw.whatever.deep %}",
                "first": "{% $states.input.items[0].price %}",
            },
        } end;
    }
}

#[test]
fn valid_reads_of_the_input_compile_and_are_emitted_as_written() {
    let asl: Value = serde_json::from_str(JsonataReads::ASL).expect("json");
    assert_eq!(
        asl["States"]["Total"]["Output"]["total"],
        "{% $sum($states.input.items.price) %}"
    );
}
