//! A service's answer as the wire carried it, and what every protocol reads from it alike.

use serde_json::{json, Map, Value};

use crate::resources::TaskError;

/// A service's answer as it came over the wire.
#[derive(Debug, Clone)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    /// Header names as AWS spells them (see `http::aws_spelling`), in the order received.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl RawResponse {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The request id AWS reports (`x-amzn-RequestId`, or `x-amz-request-id`).
    pub(crate) fn request_id(&self) -> &str {
        self.header("x-amzn-RequestId")
            .or_else(|| self.header("x-amz-request-id"))
            .unwrap_or_default()
    }

    /// The body as JSON (`{}` when empty).
    pub(crate) fn json(&self) -> Result<Value, TaskError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(json!({}));
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            TaskError::new(
                "States.Runtime",
                format!("the service answered with a body that is not JSON ({e})"),
            )
        })
    }

    /// `SdkHttpMetadata` and `SdkResponseMetadata` as the Java SDK v1 reports them, which
    /// optimized integrations add to their result: every header (all values, as lists, and the
    /// last value), the status, and the request id.
    pub(crate) fn add_metadata(&self, result: &mut Map<String, Value>) {
        let mut all: Map<String, Value> = Map::new();
        let mut last: Map<String, Value> = Map::new();
        for (name, value) in &self.headers {
            match all.get_mut(name) {
                Some(Value::Array(values)) => values.push(value.clone().into()),
                _ => {
                    all.insert(name.clone(), json!([value]));
                }
            }
            last.insert(name.clone(), value.clone().into());
        }
        result.insert(
            "SdkHttpMetadata".into(),
            json!({"AllHttpHeaders": all, "HttpHeaders": last, "HttpStatusCode": self.status}),
        );
        result.insert(
            "SdkResponseMetadata".into(),
            json!({"RequestId": self.request_id()}),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_lists_every_header() {
        let r = RawResponse {
            status: 200,
            headers: vec![
                ("x-amzn-RequestId".into(), "R1".into()),
                ("Content-Length".into(), "2".into()),
            ],
            body: b"{}".to_vec(),
        };
        let mut m = Map::new();
        r.add_metadata(&mut m);
        assert_eq!(
            m["SdkHttpMetadata"]["AllHttpHeaders"]["Content-Length"],
            json!(["2"])
        );
        assert_eq!(
            m["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"],
            json!("2")
        );
        assert_eq!(m["SdkResponseMetadata"]["RequestId"], json!("R1"));
    }
}
