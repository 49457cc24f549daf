//! What a JSONata state reads from `$states.input` is checked against the input type: a
//! misspelled field, directly and under an array (JSONata reads the field of every item).
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Item {
    price: f64,
}

#[derive(Shape)]
pub struct Order {
    id: String,
    items: Vec<Item>,
}

workflow! {
    #[workflow(query_language = JSONata)]
    pub Orders(Order) {
        start Total;
        Total: pass {
            output: {
                "id": "{% $states.input.ordr %}",
                "total": "{% $sum($states.input.items.prce) %}",
            },
        } end;
    }
}

fn main() {}
