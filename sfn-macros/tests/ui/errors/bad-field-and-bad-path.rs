use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub id: String,
    pub total: f64,
}

// A field lowering rejects and a path the input type does not have: both are reported (the
// second by the compiler, at the path literal).
workflow! {
    pub W(Order) {
        start Route;
        Route: choice {
            "$.totl" > 100 => Big,
            else => Small,
        };
        Big: pass { reslt: { "size": "big" } } end;
        Small: succeed;
    }
}

fn main() {}
