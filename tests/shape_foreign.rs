//! The shapes `sfn` ships for other crates' types (features `chrono`, `time`, `uuid`, `url`,
//! `rust_decimal`; the dev-dependencies turn them all on): each agrees with what serde makes of
//! a value of the type, and a workflow can read and compare such a field.

use serde::Serialize;
use serde_json::{json, Value};
use sfn::shape::JsonShape;
use sfn::{workflow, Shape};

/// Whether `v` has the shape `s`.
fn conforms(s: &JsonShape, v: &Value) -> bool {
    match (s, v) {
        (JsonShape::Any, _) | (JsonShape::Null, Value::Null) => true,
        (JsonShape::Bool, Value::Bool(_)) | (JsonShape::Number, Value::Number(_)) => true,
        (JsonShape::String, Value::String(_)) => true,
        (JsonShape::Array(e), Value::Array(items)) => items.iter().all(|i| conforms(e, i)),
        (JsonShape::Tuple(es), Value::Array(items)) => {
            es.len() == items.len() && es.iter().zip(items).all(|(e, i)| conforms(e, i))
        }
        (JsonShape::Nullable(inner), v) => v.is_null() || conforms(inner, v),
        (JsonShape::OneOf(_, alts), v) => alts.iter().any(|a| conforms(a, v)),
        _ => false,
    }
}

/// Asserts that serde's JSON for `value` has `T`'s shape.
fn agrees<T: Shape + Serialize>(value: T) {
    let json = serde_json::to_value(&value).expect("serializes");
    assert!(
        conforms(T::SHAPE, &json),
        "{} serializes as {json}, not as its shape {:?}",
        std::any::type_name::<T>(),
        T::SHAPE
    );
}

#[test]
fn chrono_types_agree_with_serde() {
    use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};
    let date = NaiveDate::from_ymd_opt(2030, 1, 2).expect("a date");
    let time = date.and_hms_opt(3, 4, 5).expect("a time");
    agrees(date);
    agrees(time);
    agrees(time.time());
    agrees(DateTime::<Utc>::from_naive_utc_and_offset(time, Utc));
    let offset = FixedOffset::east_opt(3600).expect("an offset");
    agrees(DateTime::<FixedOffset>::from_naive_utc_and_offset(
        time, offset,
    ));
    agrees(TimeDelta::seconds(90));
    agrees(chrono::Weekday::Mon);
    agrees(chrono::Month::March);
    assert!(matches!(<DateTime<Utc> as Shape>::SHAPE, JsonShape::String));
}

#[test]
fn time_types_agree_with_serde() {
    use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};
    let date = Date::from_calendar_date(2030, Month::January, 2).expect("a date");
    let time = Time::from_hms(3, 4, 5).expect("a time");
    agrees(date);
    agrees(time);
    agrees(PrimitiveDateTime::new(date, time));
    agrees(PrimitiveDateTime::new(date, time).assume_utc());
    agrees(OffsetDateTime::UNIX_EPOCH);
    agrees(UtcOffset::from_hms(1, 0, 0).expect("an offset"));
    agrees(Duration::seconds(90));
    agrees(time::Weekday::Monday);
    agrees(Month::March);
    // Without time's `serde-human-readable` feature the form is a tuple, not text.
    assert_eq!(
        serde_json::to_value(date).expect("serializes"),
        json!([2030, 2])
    );
}

#[test]
fn uuid_url_and_decimal_agree_with_serde() {
    agrees(uuid::Uuid::nil());
    agrees(url::Url::parse("https://example.com/a?b=c").expect("a url"));
    agrees(rust_decimal::Decimal::new(12345, 2));
    assert!(matches!(<uuid::Uuid as Shape>::SHAPE, JsonShape::String));
    assert!(!conforms(<url::Url as Shape>::SHAPE, &json!(1)));
}

/// An order holding a field of each kind: paths into it are checked (a misspelled field here
/// would not compile), and the comparisons agree with the shapes.
#[derive(Shape, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    id: uuid::Uuid,
    placed: chrono::DateTime<chrono::Utc>,
    due: chrono::NaiveDate,
    callback: url::Url,
    total: rust_decimal::Decimal,
    shipped: time::OffsetDateTime,
}

workflow! {
    pub Orders(Order) {
        start Route;
        Route: choice {
            "$.placed" <= timestamp("2030-01-01T00:00:00Z") => Done,
            "$.id" == "00000000-0000-0000-0000-000000000000" => Done,
            "$.total" == "10.00" => Done,
            "$.callback" == "https://example.com/" => Done,
            is_present("$.shipped") => Done,
            else => Done,
        };
        Done: succeed;
    }
}

#[test]
fn a_workflow_reads_fields_of_other_crates_types() {
    let asl: Value = serde_json::from_str(<Orders as sfn::Workflow>::ASL).expect("json");
    assert_eq!(asl["States"]["Route"]["Choices"][0]["Variable"], "$.placed");
}
