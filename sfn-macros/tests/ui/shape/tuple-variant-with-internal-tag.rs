use sfn::Shape;

#[derive(Shape)]
#[serde(tag = "type")]
pub enum Event {
    Moved(f64, f64),
}

fn main() {}
