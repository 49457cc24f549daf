//! The AWS Query protocol (form-encoded request, XML answer): `aws-sdk:sns` and `aws-sdk:sts`
//! (every action of [`query_model`](super::query_model), through the generic encoder and
//! decoder of [`query_codec`](super::query_codec)), SNS's optimized `publish` (the same
//! `Publish`, with the metadata blocks of optimized integrations), and calls with flat members
//! (STS `AssumeRole` for a Task's `Credentials`, test fixtures).

use serde_json::{Map, Value};

use super::errors::ServiceError;
use super::http;
use super::query_codec;
use super::query_model::{self, Action, QueryApi};
use super::response::RawResponse;
use super::s3_model::lower_first;
use super::sdk::CallError;
use super::services::{self, Protocol};
use super::AwsClients;
use crate::resources::TaskError;

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
    let response = http::post(clients, &client, &[FORM], body).await?;
    if !(200..300).contains(&response.status) {
        return Err(ServiceError::from_query(&response).sdk(spec));
    }
    Ok(String::from_utf8_lossy(&response.body).into_owned())
}

const FORM: (&str, &str) = (
    "content-type",
    "application/x-www-form-urlencoded; charset=utf-8",
);

/// Sends `action` with the state's parameters: the result's members and the raw answer.
async fn exchange(
    clients: &AwsClients,
    api: &'static QueryApi,
    action: &'static Action,
    params: &Value,
) -> Result<(Map<String, Value>, RawResponse), CallError> {
    let Protocol::Query { version } = api.spec.protocol else {
        return Err(runtime(format!(
            "{} is not called over the Query protocol",
            api.service
        ))
        .into());
    };
    let form = query_codec::form(api.service, version, action, params).map_err(runtime)?;
    let client = clients.client(api.spec).await?;
    let response = http::post(clients, &client, &[FORM], form.into_bytes()).await?;
    if !(200..300).contains(&response.status) {
        return Err(CallError::Service(ServiceError::from_query(&response)));
    }
    let result =
        query_codec::decode(action, &String::from_utf8_lossy(&response.body)).map_err(|e| {
            runtime(format!(
                "the answer of {}:{} cannot be read: {e}",
                api.service,
                lower_first(action.name)
            ))
        })?;
    Ok((result, response))
}

/// `aws-sdk:<service>:<action>` for a service of [`query_model::api`]: the result's members,
/// or the error named as the SDK v2 names it.
pub(crate) async fn sdk_call(
    clients: &AwsClients,
    api: &'static QueryApi,
    action: &str,
    params: Value,
) -> Result<Value, TaskError> {
    let Some(spec) = api.action(action) else {
        return Err(runtime(format!(
            "the action '{}:{action}' of the AWS SDK integration is not supported here; the \
             supported actions are {}",
            api.service,
            api.supported()
        )));
    };
    match exchange(clients, api, spec, &params).await {
        Ok((result, _)) => Ok(Value::Object(result)),
        Err(CallError::Service(e)) => Err(sdk_error(api, &e)),
        Err(CallError::Local(e)) => Err(e),
    }
}

/// A service error as an `aws-sdk:` integration names it: the model's exception for its code,
/// else the service's base exception (see [`query_model`]).
fn sdk_error(api: &QueryApi, e: &ServiceError) -> TaskError {
    let base = format!("{}Exception", api.spec.sdk_name);
    e.sdk_as(api.spec, api.error_class(&e.code).unwrap_or(&base))
}

/// SNS `Publish` for the optimized integration: the answer's members and the raw answer, or
/// the service error.
pub(crate) async fn publish(
    clients: &AwsClients,
    params: &Value,
) -> Result<(Map<String, Value>, RawResponse), CallError> {
    let api = &query_model::SNS_API;
    let publish = api
        .action("publish")
        .ok_or_else(|| runtime("the SNS model has no Publish".into()))?;
    exchange(clients, api, publish, params).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::xml;
    use serde_json::json;

    fn failure(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            headers: vec![("x-amzn-RequestId".into(), "h-1".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn xml_members_and_errors_are_read() {
        let xml = "<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult>\
                   <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>";
        assert_eq!(xml::element_text(xml, "MessageId").as_deref(), Some("m-1"));
        let e = ServiceError::from_query(&failure(404, "<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error><RequestId>r-2</RequestId></ErrorResponse>"));
        assert_eq!(
            (e.code.as_str(), e.message.as_str(), e.request_id.as_str()),
            ("NotFound", "Topic does not exist", "r-2")
        );
        // Not XML at all: the status and the header's request id still name it.
        let e = ServiceError::from_query(&failure(502, "Bad Gateway"));
        assert_eq!(
            (e.code.as_str(), e.request_id.as_str()),
            ("UnknownError", "h-1")
        );
    }

    #[test]
    fn sdk_errors_are_the_models_exceptions_or_the_base_one() {
        let sns = &query_model::SNS_API;
        let named = |api: &QueryApi, status: u16, code: &str| {
            let e = ServiceError::from_query(&failure(status, &format!(
                "<ErrorResponse><Error><Code>{code}</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>"
            )));
            let t = sdk_error(api, &e);
            (t.error, t.cause.unwrap_or_default())
        };
        assert_eq!(
            named(sns, 404, "NotFound"),
            (
                "Sns.NotFoundException".to_owned(),
                "m (Service: Sns, Status Code: 404, Request ID: r)".to_owned()
            )
        );
        assert_eq!(
            named(sns, 400, "ParameterValueInvalid").0,
            "Sns.InvalidParameterValueException"
        );
        assert_eq!(named(sns, 400, "ValidationError").0, "Sns.SnsException");
        let sts = &query_model::STS_API;
        assert_eq!(
            named(sts, 400, "ValidationError"),
            (
                "Sts.StsException".to_owned(),
                "m (Service: Sts, Status Code: 400, Request ID: r)".to_owned()
            )
        );
        assert_eq!(
            named(sts, 403, "RegionDisabledException").0,
            "Sts.RegionDisabledException"
        );
    }

    #[test]
    fn publish_is_the_models_publish() {
        let publish = query_model::SNS_API.action("publish").expect("publish");
        let form = query_codec::form(
            "sns",
            "2010-03-31",
            publish,
            &json!({"TopicArn": "arn:t", "Message": {"a": 1},
                    "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}),
        )
        .expect("a form");
        assert_eq!(
            form,
            "Action=Publish&Version=2010-03-31&TopicArn=arn%3At&Message=%7B%22a%22%3A1%7D\
             &MessageAttributes.entry.1.Name=k&MessageAttributes.entry.1.Value.DataType=String\
             &MessageAttributes.entry.1.Value.StringValue=v"
        );
    }
}
