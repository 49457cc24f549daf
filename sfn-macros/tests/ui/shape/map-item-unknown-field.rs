use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Item {
    pub sku: String,
    pub quantity: u32,
}

#[derive(Shape)]
pub struct Order {
    pub items: Vec<Item>,
}

// Each iteration of `Each` sees one `Item`.
workflow! {
    pub OrderFlow(Order) {
        start Each;
        Each: map {
            items_path: "$.items",
            processor {
                start Check;
                Check: choice {
                    "$.quantiy" > 0 => Done,
                    else => Done,
                };
                Done: succeed;
            },
        } end;
    }
}

fn main() {}
