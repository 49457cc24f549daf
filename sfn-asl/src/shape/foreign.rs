//! `Shape` for other crates' types, each behind the cargo feature of the crate's name (the
//! facade `sfn` has the same features). A shape is what serde makes of the type by default;
//! where a feature of that crate changes the form (time's `serde-human-readable`,
//! rust_decimal's `serde-float`), the shape is one of both forms, because which features the
//! final build turns on cannot be seen from here, and a valid path must never be refused.

#[cfg(any(feature = "time", feature = "rust_decimal"))]
use super::JsonShape::{Number, OneOf, String, Tuple};
#[cfg(any(feature = "time", feature = "rust_decimal"))]
use super::{JsonShape, Shape};

/// Implements `Shape` as a string for each type (no crate feature changes their form).
#[cfg(any(feature = "chrono", feature = "uuid", feature = "url"))]
macro_rules! string {
    ($($t:ty),*) => {
        $(impl super::Shape for $t {
            const SHAPE: &'static super::JsonShape = &super::JsonShape::String;
        })*
    };
}

// chrono: RFC 3339 text for `DateTime`, ISO 8601 text for the naive types, the English name for
// `Weekday` and `Month`; `TimeDelta` (`Duration`) is `[seconds, nanoseconds]`.
#[cfg(feature = "chrono")]
string!(
    chrono::NaiveDate,
    chrono::NaiveDateTime,
    chrono::NaiveTime,
    chrono::Weekday,
    chrono::Month
);
#[cfg(feature = "chrono")]
impl<Tz: chrono::TimeZone> super::Shape for chrono::DateTime<Tz> {
    const SHAPE: &'static super::JsonShape = &super::JsonShape::String;
}
#[cfg(feature = "chrono")]
impl super::Shape for chrono::TimeDelta {
    const SHAPE: &'static super::JsonShape =
        &super::JsonShape::Tuple(&[&super::JsonShape::Number, &super::JsonShape::Number]);
}

// uuid: the hyphenated text in JSON (the bytes only for binary formats).
#[cfg(feature = "uuid")]
string!(uuid::Uuid);

// url: the URL's text.
#[cfg(feature = "url")]
string!(url::Url);

/// A time type: by default a tuple of `n` numbers (`Date` is `[year, ordinal day]`); text with
/// time's `serde-human-readable` feature.
#[cfg(feature = "time")]
macro_rules! time_shape {
    ($($t:ident: $n:literal),*) => {
        $(impl Shape for time::$t {
            const SHAPE: &'static JsonShape =
                &OneOf(stringify!($t), &[&Tuple(&[&Number; $n]), &String]);
        })*
    };
}
#[cfg(feature = "time")]
time_shape!(OffsetDateTime: 9, PrimitiveDateTime: 6, Date: 2, Time: 4, UtcOffset: 3, Duration: 2);

/// `Weekday` and `Month`: a number by default (Monday and January are 1), the English name
/// with `serde-human-readable`.
#[cfg(feature = "time")]
macro_rules! time_named {
    ($($t:ident),*) => {
        $(impl Shape for time::$t {
            const SHAPE: &'static JsonShape = &OneOf(stringify!($t), &[&Number, &String]);
        })*
    };
}
#[cfg(feature = "time")]
time_named!(Weekday, Month);

// rust_decimal: the decimal text by default (exact), a number with `serde-float`.
#[cfg(feature = "rust_decimal")]
impl Shape for rust_decimal::Decimal {
    const SHAPE: &'static JsonShape = &OneOf("Decimal", &[&String, &Number]);
}
