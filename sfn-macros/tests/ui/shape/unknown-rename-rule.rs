use sfn::Shape;

#[derive(Shape)]
#[serde(rename_all = "Title Case")]
pub struct Order {
    pub order_id: String,
}

fn main() {}
