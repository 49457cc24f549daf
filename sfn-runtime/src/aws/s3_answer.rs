//! A successful S3 answer as the result of an `aws-sdk:s3` task: the members S3 answers in
//! headers, typed as the SDK v2 types them, and those of the XML body.

use serde_json::{Map, Value};

use super::response::RawResponse;
use super::s3_model::{
    lower_first, Action, Answer, BOOLEAN_HEADERS, DATE_HEADERS, HEADERS, INTEGER_HEADERS,
    ISO_DATE_HEADERS,
};
use super::s3_xml;
use crate::resources::TaskError;

fn runtime(cause: String) -> TaskError {
    TaskError::new("States.Runtime", cause)
}

/// A header member's value in the SDK v2's type.
fn header_value(member: &str, text: &str) -> Value {
    if INTEGER_HEADERS.contains(&member) {
        if let Ok(n) = text.trim().parse::<i64>() {
            return Value::from(n);
        }
    }
    if BOOLEAN_HEADERS.contains(&member) {
        return Value::Bool(text.trim().eq_ignore_ascii_case("true"));
    }
    if DATE_HEADERS.contains(&member) || ISO_DATE_HEADERS.contains(&member) {
        let format = match ISO_DATE_HEADERS.contains(&member) {
            true => aws_smithy_types::date_time::Format::DateTime,
            false => aws_smithy_types::date_time::Format::HttpDate,
        };
        if let Some(t) = aws_smithy_types::DateTime::from_str(text.trim(), format)
            .ok()
            .and_then(|t| super::sdk_shapes::iso_instant(t.as_secs_f64()))
        {
            return Value::String(t);
        }
    }
    Value::String(text.to_owned())
}

/// Text that S3 URL-encoded (`encoding-type=url`: form encoding, `+` for a space).
fn url_decoded(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// Decodes the members S3 URL-encodes in a listing.
fn decode_listing(out: &mut Map<String, Value>) {
    for member in ["Delimiter", "Marker", "NextMarker", "Prefix", "StartAfter"] {
        if let Some(Value::String(s)) = out.get_mut(member) {
            *s = url_decoded(s);
        }
    }
    for list in ["Contents", "CommonPrefixes"] {
        if let Some(Value::Array(items)) = out.get_mut(list) {
            for item in items {
                for member in ["Key", "Prefix"] {
                    if let Some(Value::String(s)) = item.get_mut(member) {
                        *s = url_decoded(s);
                    }
                }
            }
        }
    }
}

/// The result of a successful answer.
pub(crate) fn decode(action: &Action, response: &RawResponse) -> Result<Value, TaskError> {
    let mut out = Map::new();
    for member in action.outputs {
        let Some((_, header)) = HEADERS.iter().find(|(m, _)| m == member) else {
            continue;
        };
        if let Some(text) = response.header(header) {
            out.insert((*member).to_owned(), header_value(member, text));
        }
    }
    if action.metadata {
        let metadata: Map<String, Value> = response
            .headers
            .iter()
            .filter_map(|(n, v)| {
                let lower = n.to_ascii_lowercase();
                lower
                    .strip_prefix("x-amz-meta-")
                    .map(|k| (k.to_owned(), Value::String(v.clone())))
            })
            .collect();
        out.insert("Metadata".into(), Value::Object(metadata));
    }
    let xml = || {
        s3_xml::decode(&String::from_utf8_lossy(&response.body)).map_err(|e| {
            runtime(format!(
                "the answer of s3:{}: {e}",
                lower_first(action.name)
            ))
        })
    };
    match action.answer {
        Answer::None => {}
        Answer::Body => {
            out.insert(
                "Body".into(),
                Value::String(String::from_utf8_lossy(&response.body).into_owned()),
            );
        }
        Answer::Xml if response.body.iter().all(u8::is_ascii_whitespace) => {}
        Answer::Xml => out.extend(xml()?),
        Answer::XmlMember(member) => {
            out.insert(member.to_owned(), Value::Object(xml()?));
        }
    }
    if action.url_encoded_listing && out.get("EncodingType") == Some(&Value::from("url")) {
        decode_listing(&mut out);
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::s3_model::ACTIONS;
    use serde_json::json;

    fn find(name: &str) -> &'static Action {
        ACTIONS
            .iter()
            .find(|a| a.name == name)
            .expect("an S3 action")
    }

    #[test]
    fn answers_become_sdk_v2_members() {
        let response = RawResponse {
            status: 200,
            headers: vec![
                ("ETag".into(), "\"e\"".into()),
                ("Content-Length".into(), "9".into()),
                (
                    "Last-Modified".into(),
                    "Wed, 21 Oct 2015 07:28:00 GMT".into(),
                ),
                ("x-amz-meta-who".into(), "me".into()),
                ("Server".into(), "x".into()),
            ],
            body: b"text data".to_vec(),
        };
        let out = decode(find("GetObject"), &response).unwrap();
        assert_eq!(
            out,
            json!({"ETag": "\"e\"", "ContentLength": 9, "LastModified": "2015-10-21T07:28:00Z",
                "Metadata": {"who": "me"}, "Body": "text data"})
        );
        let listing = RawResponse {
            status: 200,
            headers: vec![],
            body: b"<ListBucketResult><Name>b</Name><EncodingType>url</EncodingType><Prefix>a+b%2F</Prefix><Contents><Key>a+b%2Fc%26</Key></Contents></ListBucketResult>".to_vec(),
        };
        let out = decode(find("ListObjectsV2"), &listing).unwrap();
        assert_eq!(out["Prefix"], json!("a b/"));
        assert_eq!(out["Contents"][0]["Key"], json!("a b/c&"));
    }
}
