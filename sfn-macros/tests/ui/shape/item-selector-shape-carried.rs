//! Each Map iteration sees what its `item_selector` builds.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub id: String,
    pub items: Vec<String>,
}

workflow! {
    pub OrderFlow(Order) {
        start Each;
        Each: map {
            items_path: "$.items",
            item_selector: { "order.$": "$.id", "sku.$": "$$.Map.Item.Value" },
            processor {
                start Check;
                Check: choice {
                    "$.ordr" == "x" => Done,
                    "$.sku" == "x" => Done,
                    else => Done,
                };
                Done: succeed;
            },
        } end;
    }
}

fn main() {}
