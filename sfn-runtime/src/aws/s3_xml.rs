//! S3's XML bodies as the SDK v2 members Step Functions shows, and back.
//!
//! S3's model is regular enough to be read by element name: a member holding a list is either
//! flattened (the item element repeats where the list is: `Contents`, `CommonPrefixes`) or
//! wrapped (`<Buckets><Bucket>…</Bucket></Buckets>`), and a scalar's type follows from its
//! name across every S3 shape (`Size` is a long, `IsTruncated` a boolean, `LastModified` a
//! timestamp). The tables below hold those names; every other element is text, or a structure
//! when it has child elements.

use aws_smithy_xml::encode::XmlWriter;
use serde_json::{Map, Value};

use super::xml::{iso_text, tree, Node};

/// Lists whose items repeat in place (member name = element name).
const FLATTENED: &[&str] = &["ChecksumAlgorithm", "CommonPrefixes", "Contents"];

/// Wrapped lists: the member's element and its item element.
const WRAPPED: &[(&str, &str)] = &[
    ("AccessControlList", "Grant"),
    ("Buckets", "Bucket"),
    ("TagSet", "Tag"),
];

/// Request lists written flattened under another element name (member, element).
const FLATTENED_REQUEST: &[(&str, &str)] = &[("Rules", "Rule")];

/// Integer scalars.
const INTEGERS: &[&str] = &["KeyCount", "MaxKeys", "MaxBuckets", "PartNumber", "Size"];

/// Boolean scalars.
const BOOLEANS: &[&str] = &["BucketKeyEnabled", "IsRestoreInProgress", "IsTruncated"];

/// Timestamp scalars (ISO-8601 in XML, ISO-8601 text as Java's `Instant` prints it in results).
const TIMESTAMPS: &[&str] = &[
    "CreationDate",
    "Initiated",
    "LastModified",
    "RestoreExpiryDate",
];

/// The S3 XML namespace, on the root of a request body.
pub(crate) const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Decodes an XML document into the members of its root element.
pub(crate) fn decode(xml: &str) -> Result<Map<String, Value>, String> {
    let root = tree(xml)?;
    Ok(structure(&root.children))
}

/// The members of a structure from its child elements.
fn structure(children: &[Node]) -> Map<String, Value> {
    let mut members = Map::new();
    for child in children {
        let name = child.name.clone();
        if let Some((_, item)) = WRAPPED.iter().find(|(list, _)| *list == name) {
            let items = child
                .children
                .iter()
                .filter(|c| c.name == *item)
                .map(element)
                .collect();
            members.insert(name, Value::Array(items));
            continue;
        }
        let value = element(child);
        if FLATTENED.contains(&name.as_str()) {
            match members
                .entry(name)
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                Value::Array(items) => items.push(value),
                other => *other = Value::Array(vec![value]),
            }
        } else {
            members.insert(name, value);
        }
    }
    members
}

/// One element's value: a structure when it has child elements, else a typed scalar.
fn element(node: &Node) -> Value {
    match node.children.is_empty() {
        true => scalar(&node.name, node.text.clone()),
        false => Value::Object(structure(&node.children)),
    }
}

fn scalar(name: &str, text: String) -> Value {
    if INTEGERS.contains(&name) {
        if let Ok(n) = text.trim().parse::<i64>() {
            return Value::from(n);
        }
    }
    if BOOLEANS.contains(&name) {
        match text.trim() {
            "true" => return Value::Bool(true),
            "false" => return Value::Bool(false),
            _ => {}
        }
    }
    if TIMESTAMPS.contains(&name) {
        if let Some(t) = iso_text(&text) {
            return Value::String(t);
        }
    }
    Value::String(text)
}

/// The XML body of a request member: `<root xmlns=…>members</root>`.
pub(crate) fn encode(root: &str, value: &Value) -> Result<Vec<u8>, String> {
    let Value::Object(members) = value else {
        return Err(format!("{root} must be an object, not {value}"));
    };
    let mut out = String::new();
    let mut writer = XmlWriter::new(&mut out);
    let el = writer.start_el(root).write_ns(NAMESPACE, None);
    let mut inner = el.finish();
    write_members(&mut inner, members)?;
    inner.finish();
    Ok(out.into_bytes())
}

fn write_members(
    parent: &mut aws_smithy_xml::encode::ScopeWriter<'_, '_>,
    members: &Map<String, Value>,
) -> Result<(), String> {
    for (name, value) in members {
        match value {
            Value::Null => {}
            Value::Array(items) => {
                if let Some((_, el)) = FLATTENED_REQUEST.iter().find(|(m, _)| m == name) {
                    for item in items {
                        write_value(parent, el, item)?;
                    }
                } else {
                    let item_name = WRAPPED
                        .iter()
                        .find(|(list, _)| list == name)
                        .map(|(_, item)| *item)
                        .ok_or_else(|| {
                            format!("the list member '{name}' is not one this integration writes")
                        })?;
                    let mut list = parent.start_el(name).finish();
                    for item in items {
                        write_value(&mut list, item_name, item)?;
                    }
                    list.finish();
                }
            }
            other => write_value(parent, name, other)?,
        }
    }
    Ok(())
}

fn write_value(
    parent: &mut aws_smithy_xml::encode::ScopeWriter<'_, '_>,
    name: &str,
    value: &Value,
) -> Result<(), String> {
    let mut el = parent.start_el(name).finish();
    match value {
        Value::Object(members) => write_members(&mut el, members)?,
        Value::String(s) => el.data(s),
        Value::Array(_) => return Err(format!("'{name}' cannot hold a list of lists")),
        other => el.data(&other.to_string()),
    }
    el.finish();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn listings_decode_with_lists_numbers_and_dates() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated>
<Contents><Key>a b</Key><LastModified>2024-01-02T03:04:05.000Z</LastModified><ETag>"e"</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Key>c</Key><Size>0</Size></Contents>
<Name>b</Name><Prefix/><MaxKeys>1000</MaxKeys><KeyCount>2</KeyCount><CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes></ListBucketResult>"#;
        let m = decode(xml).unwrap();
        assert_eq!(
            Value::Object(m),
            json!({"IsTruncated": false, "Name": "b", "Prefix": "", "MaxKeys": 1000, "KeyCount": 2,
                "Contents": [
                    {"Key": "a b", "LastModified": "2024-01-02T03:04:05Z", "ETag": "\"e\"",
                     "ChecksumAlgorithm": ["CRC32"], "Size": 12, "StorageClass": "STANDARD"},
                    {"Key": "c", "Size": 0}],
                "CommonPrefixes": [{"Prefix": "p/"}]})
        );
    }

    #[test]
    fn wrapped_lists_decode_and_encode() {
        let xml = "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>";
        let m = decode(xml).unwrap();
        assert_eq!(
            Value::Object(m.clone()),
            json!({"TagSet": [{"Key": "k", "Value": "v"}]})
        );
        let body = String::from_utf8(encode("Tagging", &Value::Object(m)).unwrap()).unwrap();
        assert_eq!(
            body,
            format!("<Tagging xmlns=\"{NAMESPACE}\"><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>")
        );
        let rules =
            json!({"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]});
        let body = String::from_utf8(encode("ServerSideEncryptionConfiguration", &rules).unwrap())
            .unwrap();
        assert!(body.contains("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"), "{body}");
        assert!(encode("Tagging", &json!({"Other": [1]})).is_err());
    }
}
