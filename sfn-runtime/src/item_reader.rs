//! A distributed Map's `ItemReader`: the items of an object (JSON, JSON Lines, CSV) or of a
//! bucket listing, read through an [`ObjectStore`].
//!
//! The core evaluates the reader's `Parameters`/`Arguments` and `MaxItems` and asks the driver
//! for the items with an [`ItemReadRequest`]; [`read_items`] answers it.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sfn_asl::model::{
    CsvDelimiter, CsvHeaderLocation, InputType, ManifestType, ReaderConfig, ReaderTransformation,
};

use sfn_asl::resource::{IntegrationPattern, Resource, Service};

use crate::objects::{ObjectInfo, ObjectStore};

/// The error every reader failure carries.
pub(crate) use sfn_asl::error::STATES_ITEM_READER_FAILED as ITEM_READER_FAILED;

/// What the core asks the driver to read.
///
/// Stored form (serde): the fields by their Rust names; `config` as the ASL `ReaderConfig`
/// object without `MaxItems` (carried evaluated in `max_items`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemReadRequest {
    /// Identifies the answer ([`crate::Event::ItemsRead`]).
    pub request_id: crate::execution::RequestId,
    /// `Resource`: `arn:aws:states:::s3:getObject` or `…:s3:listObjectsV2`.
    pub resource: Resource,
    /// The evaluated `Parameters`/`Arguments` (`Bucket`, `Key` or `Prefix`).
    pub parameters: Value,
    /// `ReaderConfig`.
    #[serde(with = "reader_config_form")]
    pub config: Option<ReaderConfig>,
    /// The evaluated `MaxItems` (0 = all).
    pub max_items: u64,
}

/// `ReaderConfig` in its ASL spelling, for a stored [`ItemReadRequest`].
mod reader_config_form {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{
        CsvDelimiter, CsvHeaderLocation, InputType, ManifestType, ReaderConfig,
        ReaderTransformation,
    };

    #[derive(Serialize, Deserialize)]
    struct Form {
        #[serde(rename = "InputType", default, skip_serializing_if = "Option::is_none")]
        input_type: Option<String>,
        #[serde(
            rename = "CSVHeaderLocation",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        csv_header_location: Option<String>,
        #[serde(
            rename = "CSVHeaders",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        csv_headers: Option<Vec<String>>,
        #[serde(
            rename = "CSVDelimiter",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        csv_delimiter: Option<String>,
        #[serde(
            rename = "Transformation",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        transformation: Option<String>,
        #[serde(
            rename = "ManifestType",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        manifest_type: Option<String>,
        #[serde(
            rename = "ItemsPointer",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        items_pointer: Option<String>,
    }

    pub(super) fn serialize<S: Serializer>(
        c: &Option<ReaderConfig>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let own = |v: Option<&'static str>| v.map(str::to_owned);
        c.as_ref()
            .map(|c| Form {
                input_type: own(c.input_type.map(InputType::as_str)),
                csv_header_location: own(c.csv_header_location.map(CsvHeaderLocation::as_str)),
                csv_headers: c.csv_headers.clone(),
                csv_delimiter: own(c.csv_delimiter.map(CsvDelimiter::as_str)),
                transformation: own(c.transformation.map(ReaderTransformation::as_str)),
                manifest_type: own(c.manifest_type.map(ManifestType::as_str)),
                items_pointer: c.items_pointer.clone(),
            })
            .serialize(s)
    }

    /// Parses one ASL spelling, naming the field when it is not one.
    fn spelled<T, E: serde::de::Error>(
        text: Option<String>,
        field: &str,
        parse: fn(&str) -> Option<T>,
    ) -> Result<Option<T>, E> {
        text.map(|t| {
            parse(&t).ok_or_else(|| {
                E::custom(format!(
                    "`ReaderConfig.{field}` is `{t}`, which ASL does not define"
                ))
            })
        })
        .transpose()
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<ReaderConfig>, D::Error> {
        let Some(f) = Option::<Form>::deserialize(d)? else {
            return Ok(None);
        };
        Ok(Some(ReaderConfig {
            input_type: spelled(f.input_type, "InputType", InputType::from_name)?,
            csv_header_location: spelled(
                f.csv_header_location,
                "CSVHeaderLocation",
                CsvHeaderLocation::from_name,
            )?,
            csv_headers: f.csv_headers,
            csv_delimiter: spelled(f.csv_delimiter, "CSVDelimiter", CsvDelimiter::from_name)?,
            max_items: None,
            transformation: spelled(
                f.transformation,
                "Transformation",
                ReaderTransformation::from_name,
            )?,
            manifest_type: spelled(f.manifest_type, "ManifestType", ManifestType::from_name)?,
            items_pointer: f.items_pointer,
        }))
    }
}

/// A reader failure: `States.ItemReaderFailed` and this cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{cause}")]
pub struct ItemReaderError {
    /// The cause text.
    pub cause: String,
}

pub(crate) fn fail(cause: impl Into<String>) -> ItemReaderError {
    ItemReaderError {
        cause: cause.into(),
    }
}

fn string_param<'a>(params: &'a Value, name: &str) -> Result<&'a str, ItemReaderError> {
    params
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| fail(format!("The ItemReader field '{name}' must be a string.")))
}

/// What a reader reads, from its resource and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadPlan {
    /// `s3:listObjectsV2`: the objects under `prefix`; with `flatten`
    /// (`Transformation: LOAD_AND_FLATTEN`) each listed object's items, else one item per
    /// object.
    List {
        bucket: String,
        prefix: String,
        flatten: bool,
    },
    /// `s3:getObject`: the items of one object.
    Get { bucket: String, key: String },
}

/// What `request` reads, or why it cannot.
pub(crate) fn plan(request: &ItemReadRequest) -> Result<ReadPlan, ItemReaderError> {
    let bucket = string_param(&request.parameters, "Bucket")?.to_owned();
    let resource = &request.resource;
    if s3_read(resource, "listObjectsV2") {
        let prefix = request
            .parameters
            .get("Prefix")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let flatten = matches!(
            request.config.as_ref().and_then(|c| c.transformation),
            Some(ReaderTransformation::LoadAndFlatten)
        );
        Ok(ReadPlan::List {
            bucket,
            prefix,
            flatten,
        })
    } else if s3_read(resource, "getObject") {
        let key = string_param(&request.parameters, "Key")?.to_owned();
        Ok(ReadPlan::Get { bucket, key })
    } else {
        Err(fail(format!(
            "The ItemReader resource '{resource}' is not supported; use arn:aws:states:::s3:getObject or arn:aws:states:::s3:listObjectsV2."
        )))
    }
}

/// The item of one listed object: AWS's listing item shape (documented example: `Etag`,
/// `Key`, `LastModified` in epoch seconds, `Size`, `StorageClass`).
pub(crate) fn listing_item(o: ObjectInfo) -> Value {
    let mut item = Map::new();
    if let Some(etag) = o.etag {
        item.insert("Etag".into(), etag.into());
    }
    item.insert("Key".into(), o.key.into());
    item.insert("LastModified".into(), json!(o.last_modified_ms / 1000));
    item.insert("Size".into(), json!(o.size));
    item.insert("StorageClass".into(), "STANDARD".into());
    Value::Object(item)
}

/// Reads the items a request names, up to its `MaxItems`.
pub(crate) fn read_items(
    store: &dyn ObjectStore,
    request: &ItemReadRequest,
) -> Result<Vec<Value>, ItemReaderError> {
    let items = match plan(request)? {
        ReadPlan::List {
            bucket,
            prefix,
            flatten,
        } => {
            let objects = store
                .list(&bucket, &prefix)
                .map_err(|e| fail(e.to_string()))?;
            if flatten {
                // Every listed object is read as `InputType` says, its items in key order.
                let mut items = Vec::new();
                for o in objects {
                    let body = store
                        .get(&bucket, &o.key)
                        .map_err(|e| fail(e.to_string()))?;
                    items.extend(parse_object(&body, request.config.as_ref())?);
                }
                items
            } else {
                objects.into_iter().map(listing_item).collect()
            }
        }
        ReadPlan::Get { bucket, key } => {
            let body = store.get(&bucket, &key).map_err(|e| fail(e.to_string()))?;
            parse_object(&body, request.config.as_ref())?
        }
    };
    Ok(truncate(items, request.max_items))
}

/// Whether `resource` is the request-response S3 `action`, in any partition.
fn s3_read(resource: &Resource, action: &str) -> bool {
    resource.is_call(&Service::S3, action)
        && resource.pattern() == Some(IntegrationPattern::RequestResponse)
}

/// The first `max_items` items (all when 0).
pub(crate) fn truncate(mut items: Vec<Value>, max_items: u64) -> Vec<Value> {
    if let Ok(max) = usize::try_from(max_items) {
        if max != 0 {
            items.truncate(max);
        }
    }
    items
}

/// The items of one object, by `ReaderConfig.InputType` (JSON when absent).
pub(crate) fn parse_object(
    body: &[u8],
    config: Option<&ReaderConfig>,
) -> Result<Vec<Value>, ItemReaderError> {
    let input_type = config.and_then(|c| c.input_type).unwrap_or(InputType::Json);
    match input_type {
        InputType::Json => {
            let doc: Value = serde_json::from_slice(body)
                .map_err(|e| fail(format!("The object is not valid JSON: {e}")))?;
            let node = match config.and_then(|c| c.items_pointer.as_deref()) {
                Some(ptr) => doc.pointer(ptr).cloned().ok_or_else(|| {
                    fail(format!(
                        "The ItemsPointer '{ptr}' selects nothing in the object."
                    ))
                })?,
                None => doc,
            };
            match node {
                Value::Array(items) => Ok(items),
                _ => Err(fail("Attempting to map over non-iterable node.")),
            }
        }
        InputType::Jsonl => {
            let text = std::str::from_utf8(body)
                .map_err(|e| fail(format!("The object is not UTF-8 text: {e}")))?;
            text.lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(n, l)| {
                    serde_json::from_str(l)
                        .map_err(|e| fail(format!("Line {} is not valid JSON: {e}", n + 1)))
                })
                .collect()
        }
        InputType::Csv => parse_csv(body, config),
        other => Err(fail(format!(
            "The ItemReader InputType '{}' is not supported by this engine.",
            other.as_str()
        ))),
    }
}

/// CSV rows as objects of strings, keyed by the first row or the given headers.
fn parse_csv(body: &[u8], config: Option<&ReaderConfig>) -> Result<Vec<Value>, ItemReaderError> {
    let delimiter = match config.and_then(|c| c.csv_delimiter) {
        None | Some(CsvDelimiter::Comma) => b',',
        Some(CsvDelimiter::Pipe) => b'|',
        Some(CsvDelimiter::Semicolon) => b';',
        Some(CsvDelimiter::Space) => b' ',
        Some(CsvDelimiter::Tab) => b'\t',
    };
    let given = matches!(
        config.and_then(|c| c.csv_header_location),
        Some(CsvHeaderLocation::Given)
    );
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut records = reader.records();
    let headers: Vec<String> = if given {
        config
            .and_then(|c| c.csv_headers.clone())
            .ok_or_else(|| fail("CSVHeaders must be given when CSVHeaderLocation is GIVEN."))?
    } else {
        match records.next() {
            Some(row) => row
                .map_err(|e| fail(format!("The CSV header row cannot be read: {e}")))?
                .iter()
                .map(str::to_owned)
                .collect(),
            None => return Ok(Vec::new()),
        }
    };
    let mut seen = HashSet::new();
    if !headers.iter().all(|h| seen.insert(h.as_str())) {
        return Err(fail("CSV headers cannot contain duplicates."));
    }
    let mut items = Vec::new();
    for row in records {
        let row = row.map_err(|e| fail(format!("A CSV row cannot be read: {e}")))?;
        // Columns beyond the headers are dropped; missing ones are empty text (recorded on
        // AWS: a row `   ` under three headers is `{"H1": "   ", "H2": "", "H3": ""}`).
        let item: Map<String, Value> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                (
                    h.clone(),
                    Value::String(row.get(i).unwrap_or("").to_owned()),
                )
            })
            .collect();
        items.push(Value::Object(item));
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::LocalObjectStore;

    #[test]
    fn csv_rows_become_objects_named_by_the_header() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalObjectStore::new(dir.path());
        store
            .put("b", "rows.csv", b"id,name\n1,a\n2,b\n")
            .expect("written");
        let config = ReaderConfig {
            input_type: Some(sfn_asl::model::InputType::Csv),
            csv_header_location: None,
            csv_headers: None,
            csv_delimiter: None,
            max_items: None,
            transformation: None,
            manifest_type: None,
            items_pointer: None,
        };
        let request = ItemReadRequest {
            request_id: crate::execution::RequestId(1),
            resource: "arn:aws:states:::s3:getObject".into(),
            parameters: json!({"Bucket": "b", "Key": "rows.csv"}),
            config: Some(config),
            max_items: 0,
        };
        let items = read_items(&store, &request).expect("read");
        assert_eq!(
            items,
            vec![
                json!({"id": "1", "name": "a"}),
                json!({"id": "2", "name": "b"})
            ]
        );
    }

    #[test]
    fn s3_readers_work_in_every_partition_and_nothing_else_reads() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalObjectStore::new(dir.path());
        store.put("b", "items.json", b"[1,2]").expect("written");
        let request = |resource: &str| ItemReadRequest {
            request_id: crate::execution::RequestId(1),
            resource: resource.into(),
            parameters: json!({"Bucket": "b", "Key": "items.json", "Prefix": ""}),
            config: None,
            max_items: 0,
        };
        for p in ["aws", "aws-cn", "aws-us-gov", "aws-iso-b"] {
            let got = read_items(&store, &request(&format!("arn:{p}:states:::s3:getObject")));
            assert_eq!(got.expect(p), vec![json!(1), json!(2)]);
            let listed = read_items(
                &store,
                &request(&format!("arn:{p}:states:::s3:listObjectsV2")),
            );
            assert_eq!(listed.expect(p).len(), 1, "{p}: one object listed");
        }
        for other in [
            "arn:aws:states:::s3:getObject.sync",
            "arn:aws:states:::dynamodb:getItem",
        ] {
            let err = read_items(&store, &request(other)).expect_err(other);
            assert!(err.to_string().contains(other), "{err}");
        }
    }
}
