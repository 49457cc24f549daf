//! `#[derive(Shape)]`: the JSON shape follows serde's attributes.

use std::collections::BTreeMap;

use sfn::shape::{FieldShape, JsonShape, ObjectShape};
use sfn::Shape;

fn object(shape: &'static JsonShape) -> &'static ObjectShape {
    match shape {
        JsonShape::Object(o) => o,
        other => panic!("expected an object, got {other:?}"),
    }
}

fn field(o: &'static ObjectShape, name: &str) -> &'static FieldShape {
    o.fields
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no field `{name}` in {o:?}"))
}

fn names(o: &ObjectShape) -> Vec<&'static str> {
    o.fields.iter().map(|f| f.name).collect()
}

#[derive(Shape)]
#[allow(dead_code)]
struct Meta {
    source: String,
}

#[derive(Shape)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Order {
    order_id: String,
    #[serde(rename = "sum")]
    total: f64,
    #[serde(skip)]
    cache: Vec<u8>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(flatten)]
    meta: Meta,
    extra: BTreeMap<String, u32>,
    raw: serde_json::Value,
    #[shape(any)]
    custom: u8,
}

#[test]
fn struct_fields_follow_renames_and_skips() {
    let o = object(Order::SHAPE);
    assert_eq!(o.name, "Order");
    assert_eq!(
        names(o),
        ["orderId", "sum", "tags", "note", "extra", "raw", "custom"]
    );
    assert!(matches!(field(o, "sum").shape, JsonShape::Number));
    assert!(
        field(o, "tags").optional,
        "`default` makes a field optional"
    );
    assert!(
        field(o, "note").optional,
        "`skip_serializing_if` makes a field optional"
    );
    assert!(!field(o, "orderId").optional);
    assert!(matches!(
        field(o, "tags").shape,
        JsonShape::Array(JsonShape::String)
    ));
    assert!(matches!(
        field(o, "note").shape,
        JsonShape::Nullable(JsonShape::String)
    ));
    assert!(matches!(
        field(o, "extra").shape,
        JsonShape::Map(JsonShape::Number)
    ));
    assert!(matches!(field(o, "raw").shape, JsonShape::Any));
    assert!(
        matches!(field(o, "custom").shape, JsonShape::Any),
        "`#[shape(any)]` opts a field out"
    );
}

#[test]
fn flattened_fields_are_kept_apart() {
    let o = object(Order::SHAPE);
    assert_eq!(o.flatten.len(), 1);
    assert_eq!(names(object(o.flatten[0])), ["source"]);
}

#[derive(Shape)]
#[allow(dead_code)]
struct Id(String);

#[derive(Shape)]
#[allow(dead_code)]
struct Point(f64, f64);

#[derive(Shape)]
#[serde(transparent)]
#[allow(dead_code)]
struct Wrapper {
    inner: Vec<u32>,
}

#[test]
fn newtypes_tuples_and_transparent_structs() {
    assert!(matches!(Id::SHAPE, JsonShape::String));
    assert!(matches!(
        Point::SHAPE,
        JsonShape::Tuple([JsonShape::Number, JsonShape::Number])
    ));
    assert!(matches!(
        Wrapper::SHAPE,
        JsonShape::Array(JsonShape::Number)
    ));
}

#[derive(Shape)]
#[allow(dead_code)]
enum Plain {
    Placed,
    Moved { to: String },
    Paid(f64),
}

#[derive(Shape)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(dead_code)]
enum Internal {
    OrderPlaced { at: String },
    Cancelled,
}

#[derive(Shape)]
#[serde(tag = "t", content = "c")]
#[allow(dead_code)]
enum Adjacent {
    A(u32),
    B,
}

#[derive(Shape)]
#[serde(untagged)]
#[allow(dead_code)]
enum Untagged {
    Num(f64),
    Obj { x: bool },
}

fn alternatives(shape: &'static JsonShape) -> &'static [&'static JsonShape] {
    match shape {
        JsonShape::OneOf(_, alts) => alts,
        other => panic!("expected an enum, got {other:?}"),
    }
}

#[test]
fn externally_tagged_enums() {
    let alts = alternatives(Plain::SHAPE);
    assert!(matches!(alts[0], JsonShape::String));
    assert_eq!(names(object(alts[1])), ["Moved"]);
    assert_eq!(names(object(object(alts[1]).fields[0].shape)), ["to"]);
    assert!(matches!(object(alts[2]).fields[0].shape, JsonShape::Number));
}

#[test]
fn internally_and_adjacently_tagged_enums() {
    let alts = alternatives(Internal::SHAPE);
    assert_eq!(names(object(alts[0])), ["kind", "at"]);
    assert_eq!(names(object(alts[1])), ["kind"]);
    let alts = alternatives(Adjacent::SHAPE);
    assert_eq!(names(object(alts[0])), ["t", "c"]);
    assert_eq!(names(object(alts[1])), ["t"]);
}

#[test]
fn untagged_enums_are_their_variants() {
    let alts = alternatives(Untagged::SHAPE);
    assert!(matches!(alts[0], JsonShape::Number));
    assert_eq!(names(object(alts[1])), ["x"]);
}

#[derive(Shape)]
#[allow(dead_code)]
struct Page<T> {
    items: Vec<T>,
    next: Option<String>,
}

#[test]
fn generic_types_take_their_parameter_shapes() {
    let o = object(<Page<Id> as Shape>::SHAPE);
    assert!(matches!(
        field(o, "items").shape,
        JsonShape::Array(JsonShape::String)
    ));
}

fn check(
    root: &'static JsonShape,
    segs: &[sfn::__private::Seg],
    path: &'static str,
    expect: sfn::__private::Expect,
) -> Result<(), String> {
    let check = sfn::__private::PathCheck {
        path,
        expect,
        need: "the rule compares it with",
        base: 0,
        via: "",
    };
    sfn::__private::check_path(root, segs, check).map_err(|e| e.as_str().to_owned())
}

// Path checks pass at compile time for valid paths (the failing ones are in sfn-macros/tests/ui/shape).
const _: () = assert!(sfn::__private::check_path(
    <Order as Shape>::SHAPE,
    &[sfn::__private::Seg::Field("source")],
    sfn::__private::PathCheck {
        path: "$.source",
        expect: sfn::__private::Expect::String,
        need: "the rule compares it with",
        base: 0,
        via: "",
    },
)
.is_ok());

#[test]
fn path_checks_return_the_message_the_macro_reports() {
    use sfn::__private::{Expect, Seg};
    let order = <Order as Shape>::SHAPE;
    assert_eq!(
        check(order, &[Seg::Field("source")], "$.source", Expect::String),
        Ok(())
    );
    assert_eq!(
        check(
            order,
            &[Seg::Field("tags"), Seg::Index],
            "$.tags[0]",
            Expect::String
        ),
        Ok(())
    );
    assert_eq!(
        check(
            <Internal as Shape>::SHAPE,
            &[Seg::Field("at")],
            "$.at",
            Expect::Any
        ),
        Ok(())
    );
    assert_eq!(
        check(order, &[Seg::Field("sun")], "$.sun", Expect::Any),
        Err("no field `sun` in `Order` (did you mean `sum`?)".to_owned())
    );
    assert_eq!(
        check(order, &[Seg::Field("sum")], "$.sum", Expect::String),
        Err("`$.sum` is a number in `Order`, but the rule compares it with a string".to_owned())
    );
    assert_eq!(
        check(
            order,
            &[Seg::Field("sum"), Seg::Field("x")],
            "$.sum.x",
            Expect::Any
        ),
        Err("no field `x` in `$.sum.x`: `$.sum` is a number".to_owned())
    );
}

/// A valid workflow reading every kind of path the checks follow: shapes carried through
/// templates, two ways into one state, intrinsic arguments, choice operand paths and the
/// `…_path` fields with the types they need. It compiling is the test; the assertion checks
/// that the definition kept what the checks read.
#[allow(dead_code)]
mod carried {
    use sfn::{workflow, Shape};

    #[derive(Shape)]
    pub struct Customer {
        pub name: String,
        pub limit: f64,
    }

    #[derive(Shape)]
    pub struct Item {
        pub sku: String,
    }

    #[derive(Shape)]
    pub struct Order {
        pub order_id: String,
        pub total: f64,
        pub delay: u64,
        pub due: String,
        pub express: bool,
        pub customer: Customer,
        pub items: Vec<Item>,
    }

    #[derive(Shape)]
    pub struct Quote {
        pub price: f64,
    }

    workflow! {
        pub Carried(Order) {
            start Route;
            Route: choice {
                "$.express" == true => Price,
                else => Validate,
            };
            Validate: pass { result: { "ok": true }, result_path: "$.validated" } => Price;
            Price: task "arn:aws:lambda:us-east-1:123456789012:function:price" -> Quote {
                result_selector: {
                    "amount.$": "$.price",
                    "note.$": "States.Format('{} due', $.price)",
                },
                result_path: "$.quote",
                timeout_seconds_path: "$.delay",
            } => Check;
            Check: choice {
                "$.total" > numeric_path("$.customer.limit") => Pause,
                "$.quote.amount" > 10 && "$.quote.note" == "x" => Pause,
                else => Pause,
            };
            Pause: wait { seconds_path: "$.delay" } => Until;
            Until: wait { timestamp_path: "$.due" } => Each;
            Each: map {
                items_path: "$.items",
                max_concurrency_path: "$.delay",
                item_selector: { "sku.$": "$$.Map.Item.Value.sku", "order.$": "$.order_id" },
                result_path: null,
                processor {
                    start One;
                    One: choice {
                        "$.sku" == "x" && "$.order" == "y" => Kept,
                        else => Kept,
                    };
                    Kept: succeed;
                },
            } => Ship;
            Ship: pass {
                parameters: {
                    "id.$": "$.order_id",
                    "who.$": "$.customer",
                    "n.$": "States.ArrayLength($.items)",
                    "msg.$": "States.Format('Order {}', $.order_id)",
                },
            } => Last;
            Last: choice {
                "$.id" == "x" && "$.who.name" == "y" && "$.n" > 1 && "$.msg" == "z" => Done,
                else => Done,
            };
            Done: succeed;
        }
    }
}

#[test]
fn paths_through_templates_and_several_ways_compile() {
    let asl: serde_json::Value = serde_json::from_str(carried::Carried::ASL).expect("ASL is JSON");
    assert_eq!(
        asl["States"]["Ship"]["Parameters"]["n.$"],
        "States.ArrayLength($.items)"
    );
    assert_eq!(
        asl["States"]["Price"]["ResultSelector"]["amount.$"],
        "$.price"
    );
}
