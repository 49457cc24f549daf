//! The optimized integrations (`arn:aws:states:::dynamodb:putItem`, `sqs:sendMessage`,
//! `sns:publish`, `events:putEvents`; the jobs of ECS, Batch and Glue in [`jobs`](super::jobs)):
//! the service's answer with the `SdkHttpMetadata` and
//! `SdkResponseMetadata` blocks, errors named as the Java SDK v1 names them.

use serde_json::{json, Map, Value};
use sfn_asl::resource::{Integration, IntegrationPattern, Service};

use super::query::{self, as_text};
use super::sdk::{api_action, json_call, CallError};
use super::services::{DYNAMODB, EVENTBRIDGE, SNS, SQS};
use super::AwsClients;
use crate::resources::TaskError;

/// Whether `service:action` with `pattern` is an optimized integration this module calls.
pub(crate) fn supports(service: &Service, action: &str, pattern: IntegrationPattern) -> bool {
    match service {
        Service::Ecs | Service::Batch | Service::Glue => {
            super::jobs::supports(service, action, pattern)
        }
        Service::DynamoDb => matches!(action, "getItem" | "putItem" | "updateItem" | "deleteItem"),
        Service::Sqs => action == "sendMessage",
        Service::Sns => action == "publish",
        Service::EventBridge => action == "putEvents",
        // On AWS when the engine does not run the child itself (see `engine::run`).
        Service::StepFunctions => action == "startExecution",
        _ => false,
    }
}

/// Writes the member `name` of `params` as JSON text when it is not text already: Step
/// Functions sends a JSON `MessageBody` or `Detail` as its text.
fn text_member(params: &mut Value, name: &str) {
    if let Some(v) = params.get_mut(name) {
        if !v.is_string() {
            *v = Value::String(as_text(v));
        }
    }
}

/// Runs an optimized integration.
pub(crate) async fn call(
    clients: &AwsClients,
    call: &Integration,
    mut params: Value,
) -> Result<Value, TaskError> {
    let action = call.action.as_str();
    match &call.service {
        Service::DynamoDb if supports(&call.service, action, call.pattern) => {
            with_metadata(clients, &DYNAMODB, action, &params).await
        }
        Service::Sqs if action == "sendMessage" => {
            text_member(&mut params, "MessageBody");
            with_metadata(clients, &SQS, action, &params).await
        }
        Service::Sns if action == "publish" => match query::publish(clients, &params).await {
            Ok((mut result, response)) => {
                response.add_metadata(&mut result);
                Ok(Value::Object(result))
            }
            Err(CallError::Service(e)) => Err(e.optimized(&SNS)),
            Err(CallError::Local(e)) => Err(e),
        },
        Service::EventBridge if action == "putEvents" => put_events(clients, params).await,
        Service::Ecs | Service::Batch | Service::Glue => {
            super::jobs::call(clients, call, params).await
        }
        Service::StepFunctions if action == "startExecution" => {
            super::states::call(clients, call, params).await
        }
        service => Err(TaskError::new(
            "States.Runtime",
            format!(
                "the integration '{service}:{action}' is not supported here; the supported \
                 ones are dynamodb:getItem, dynamodb:putItem, dynamodb:updateItem, \
                 dynamodb:deleteItem, sqs:sendMessage, sns:publish, events:putEvents, ecs:runTask, \
                 batch:submitJob, glue:startJobRun and states:startExecution"
            ),
        )),
    }
}

/// A JSON-protocol call whose result is the answer's body with the metadata blocks.
async fn with_metadata(
    clients: &AwsClients,
    spec: &'static super::ServiceSpec,
    action: &str,
    params: &Value,
) -> Result<Value, TaskError> {
    match json_call(clients, spec, &api_action(action), params).await {
        Ok(response) => {
            let mut result = match response.json()? {
                Value::Object(m) => m,
                other => Map::from_iter([("Result".to_owned(), other)]),
            };
            response.add_metadata(&mut result);
            Ok(Value::Object(result))
        }
        Err(CallError::Service(e)) => Err(e.optimized(spec)),
        Err(CallError::Local(e)) => Err(e),
    }
}

/// `events:putEvents`: each entry's `Detail` as text; the answer without metadata blocks; a
/// failed entry fails the state with `EventBridge.FailedEntry` and the answer as cause.
async fn put_events(clients: &AwsClients, mut params: Value) -> Result<Value, TaskError> {
    if let Some(Value::Array(entries)) = params.get_mut("Entries") {
        for entry in entries {
            text_member(entry, "Detail");
        }
    }
    let body = match json_call(clients, &EVENTBRIDGE, "PutEvents", &params).await {
        Ok(response) => response.json()?,
        Err(CallError::Service(e)) => return Err(e.optimized(&EVENTBRIDGE)),
        Err(CallError::Local(e)) => return Err(e),
    };
    let failed = body
        .get("FailedEntryCount")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    if failed > 0 {
        let cause = json!({"Entries": body.get("Entries"), "FailedEntryCount": failed});
        return Err(TaskError::new("EventBridge.FailedEntry", cause.to_string()));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_members_are_sent_as_text() {
        let mut p = json!({"MessageBody": {"a": 1}, "QueueUrl": "q"});
        text_member(&mut p, "MessageBody");
        assert_eq!(p["MessageBody"], json!("{\"a\":1}"));
        let mut p = json!({"MessageBody": "plain"});
        text_member(&mut p, "MessageBody");
        assert_eq!(p["MessageBody"], json!("plain"));
    }

    #[test]
    fn supported_integrations() {
        let rr = IntegrationPattern::RequestResponse;
        assert!(supports(&Service::DynamoDb, "updateItem", rr));
        assert!(supports(&Service::Sqs, "sendMessage", rr));
        assert!(!supports(&Service::Sqs, "receiveMessage", rr));
        assert!(!supports(&Service::Lambda, "invoke", rr));
        assert!(supports(&Service::Ecs, "runTask", IntegrationPattern::Sync));
    }
}
