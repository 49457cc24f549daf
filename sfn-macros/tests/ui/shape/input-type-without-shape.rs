use sfn::workflow;

pub struct Order {
    pub id: String,
}

workflow! {
    pub OrderFlow(Order) {
        start Route;
        Route: choice {
            "$.id" == "a" => Done,
            else => Done,
        };
        Done: succeed;
    }
}

fn main() {}
