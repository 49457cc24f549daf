//! Paths checked against shapes that use serde's attributes, maps, enums and `Value` (real serde
//! derives beside `Shape`, so `tests/differential.rs` can run it).
use std::collections::HashMap;

use sfn::{workflow, Shape};

#[derive(Shape, serde::Serialize, serde::Deserialize)]
pub struct Line {
    pub sku: String,
    pub quantity: u32,
}

#[derive(Shape, serde::Serialize, serde::Deserialize)]
pub struct Meta {
    pub source: String,
}

#[derive(Shape, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub order_id: String,
    #[serde(rename = "sum")]
    pub total: f64,
    pub paid: Option<bool>,
    #[serde(skip)]
    pub cache: Vec<u8>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(flatten)]
    pub meta: Meta,
    pub extra: HashMap<String, serde_json::Value>,
    pub raw: serde_json::Value,
    pub event: Event,
    pub lines: Vec<Line>,
}

#[derive(Shape, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind")]
pub enum Event {
    Placed { at: String },
    Cancelled { reason: String },
}

workflow! {
    pub OrderFlow(Order) {
        start Check;
        Check: task "arn:aws:lambda:us-east-1:123456789012:function:check" {
            parameters: { "id.$": "$.orderId", "first.$": "$.tags[0]", "src.$": "$.source", "anything.$": "$.raw.a.b.c" },
            result_path: "$.check",
        } => Route;
        Route: choice {
            "$.sum" > 10 && "$.paid" == true => Lines,
            "$.check.whatever" == "x" => Done,
            "$.extra.key.deeper" == 1 => Done,
            "$.event.kind" == "Placed" && "$.event.reason" == "none" => Done,
            is_present("$.event.at") => Done,
            else => Lines,
        };
        Lines: map {
            items_path: "$.lines",
            processor {
                start CheckLine;
                CheckLine: choice { "$.quantity" > 0 && "$.sku" == "a" => Ok, else => Ok };
                Ok: succeed;
            },
        } => Done;
        Done: succeed;
    }
}

fn main() {}
