//! The AWS Query protocol (form-encoded request, XML answer), for SNS's `publish`.
//!
//! Query requests flatten nested members by names that only the service model knows
//! (`MessageAttributes.entry.1.Value.StringValue`), so there is no generic form here: the
//! actions are written out, each with its members.

use aws_smithy_xml::decode::{try_data, Document};
use serde_json::{json, Map, Value};

use super::errors::ServiceError;
use super::http::{self, RawResponse};
use super::services::{self, Protocol, ServiceSpec};
use super::AwsClients;
use crate::resources::TaskError;

/// The text of the first element named `name` anywhere in `xml`.
pub(crate) fn element_text(xml: &str, name: &str) -> Option<String> {
    let mut doc = Document::new(xml);
    while let Some(start) = doc.next_start_element() {
        if start.local() == name {
            let mut scoped = doc.scoped_to(start);
            return try_data(&mut scoped).ok().map(|t| t.into_owned());
        }
    }
    None
}

/// The error of a Query answer: `<ErrorResponse><Error><Code>NotFound</Code><Message>…`.
pub(crate) fn error(response: &RawResponse) -> ServiceError {
    let xml = String::from_utf8_lossy(&response.body);
    let request_id =
        element_text(&xml, "RequestId").unwrap_or_else(|| response.request_id().to_owned());
    ServiceError {
        status: response.status,
        code: element_text(&xml, "Code").unwrap_or_else(|| "UnknownError".into()),
        query_code: None,
        message: element_text(&xml, "Message").unwrap_or_default(),
        request_id,
    }
}

/// A member that must be text; Step Functions writes a JSON value given there as its text
/// (`"Message": {"a": 1}` is sent as `{"a":1}`).
pub(crate) fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn runtime(cause: String) -> TaskError {
    TaskError::new("States.Runtime", cause)
}

/// The form of SNS `Publish` from the state's parameters.
fn publish_form(spec: &ServiceSpec, params: &Value) -> Result<String, TaskError> {
    let Protocol::Query { version } = spec.protocol else {
        return Err(runtime("SNS is called over the Query protocol".into()));
    };
    let Some(members) = params.as_object() else {
        return Err(runtime(format!(
            "the parameters of sns:publish must be an object, not {params}"
        )));
    };
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("Action", "Publish")
        .append_pair("Version", version);
    for (name, value) in members {
        match name.as_str() {
            "MessageAttributes" => message_attributes(&mut form, value)?,
            "TopicArn"
            | "TargetArn"
            | "PhoneNumber"
            | "Message"
            | "Subject"
            | "MessageStructure"
            | "MessageDeduplicationId"
            | "MessageGroupId" => {
                form.append_pair(name, &as_text(value));
            }
            other => {
                return Err(runtime(format!(
                    "sns:publish has no parameter '{other}'; it takes TopicArn, TargetArn, \
                     PhoneNumber, Message, Subject, MessageStructure, MessageAttributes, \
                     MessageDeduplicationId and MessageGroupId"
                )))
            }
        }
    }
    Ok(form.finish())
}

/// `MessageAttributes: {name: {DataType, StringValue | BinaryValue}}` as
/// `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue`.
fn message_attributes(
    form: &mut form_urlencoded::Serializer<'_, String>,
    value: &Value,
) -> Result<(), TaskError> {
    let Some(attributes) = value.as_object() else {
        return Err(runtime(format!(
            "MessageAttributes of sns:publish must be an object of attributes, not {value}"
        )));
    };
    for (i, (name, attribute)) in attributes.iter().enumerate() {
        let prefix = format!("MessageAttributes.entry.{}", i + 1);
        form.append_pair(&format!("{prefix}.Name"), name);
        let Some(fields) = attribute.as_object() else {
            return Err(runtime(format!(
                "the message attribute '{name}' must be an object with DataType and StringValue \
                 or BinaryValue"
            )));
        };
        for (field, v) in fields {
            form.append_pair(&format!("{prefix}.Value.{field}"), &as_text(v));
        }
    }
    Ok(())
}

/// A Query call with flat members, for the services [`services::query_service`] knows.
pub(crate) async fn call(
    clients: &AwsClients,
    service: &str,
    action: &str,
    members: &[(&str, &str)],
) -> Result<String, TaskError> {
    let Some(spec) = services::query_service(service) else {
        return Err(runtime(format!(
            "'{service}' is not a Query-protocol service known here (sns, sts)"
        )));
    };
    let Protocol::Query { version } = spec.protocol else {
        return Err(runtime(format!(
            "{service} is not called over the Query protocol"
        )));
    };
    // The serializer is not `Send`: dropped before the first await.
    let body = {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("Action", action)
            .append_pair("Version", version);
        for (k, v) in members {
            form.append_pair(k, v);
        }
        form.finish().into_bytes()
    };
    let client = clients.client(spec).await?;
    let headers = [(
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    )];
    let response = http::post(clients, &client, &headers, body).await?;
    if !(200..300).contains(&response.status) {
        return Err(error(&response).sdk(spec));
    }
    Ok(String::from_utf8_lossy(&response.body).into_owned())
}

/// SNS `Publish`: the answer's members, or the service error.
pub(crate) async fn publish(
    clients: &AwsClients,
    spec: &'static ServiceSpec,
    params: &Value,
) -> Result<(Map<String, Value>, RawResponse), Result<ServiceError, TaskError>> {
    let form = publish_form(spec, params).map_err(Err)?;
    let client = clients.client(spec).await.map_err(Err)?;
    let headers = [(
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    )];
    let response = http::post(clients, &client, &headers, form.into_bytes())
        .await
        .map_err(Err)?;
    if !(200..300).contains(&response.status) {
        return Err(Ok(error(&response)));
    }
    let xml = String::from_utf8_lossy(&response.body);
    let mut result = Map::new();
    for member in ["MessageId", "SequenceNumber"] {
        if let Some(text) = element_text(&xml, member) {
            result.insert(member.into(), json!(text));
        }
    }
    Ok((result, response))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::services::SNS;

    #[test]
    fn publish_flattens_message_attributes_and_writes_json_as_text() {
        let form = publish_form(
            &SNS,
            &json!({"TopicArn": "arn:t", "Message": {"a": 1},
                    "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}),
        )
        .expect("a form");
        assert!(form.contains("Message=%7B%22a%22%3A1%7D"), "{form}");
        assert!(form.contains("MessageAttributes.entry.1.Name=k"), "{form}");
        assert!(
            form.contains("MessageAttributes.entry.1.Value.StringValue=v"),
            "{form}"
        );
        assert!(publish_form(&SNS, &json!({"Nope": 1})).is_err());
    }

    #[test]
    fn xml_members_and_errors_are_read() {
        let xml = "<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult>\
                   <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>";
        assert_eq!(element_text(xml, "MessageId").as_deref(), Some("m-1"));
        let e = error(&RawResponse {
            status: 404,
            headers: vec![],
            body: b"<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error><RequestId>r-2</RequestId></ErrorResponse>".to_vec(),
        });
        assert_eq!(
            (e.code.as_str(), e.message.as_str(), e.request_id.as_str()),
            ("NotFound", "Topic does not exist", "r-2")
        );
    }
}
