use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub total: f64,
}

// `Check` writes its result under `$.check`, so `Route` still sees `Order` there: `$.totl` is a typo.
workflow! {
    pub OrderFlow(Order) {
        start Check;
        Check: task "arn:aws:lambda:us-east-1:123456789012:function:check" {
            result_path: "$.check",
        } => Route;
        Route: choice {
            "$.check.ok" == true && "$.totl" > 10 => Done,
            else => Done,
        };
        Done: succeed;
    }
}

fn main() {}
