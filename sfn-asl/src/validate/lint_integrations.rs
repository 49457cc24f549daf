//! Rules about what a Task's service integration accepts: the HTTP Task's pattern and headers.

use serde_json::Value;

use super::Site;
use crate::error::{Finding, FindingCode};
use crate::model::{State, StateKind, Task};
use crate::resource::{http, IntegrationPattern, Service};

const SCHEMA: FindingCode = FindingCode::SchemaValidationFailed;

/// The rules that depend on the integration a Task calls.
pub(super) fn check_task_integration(at: &Site<'_>, state: &State, out: &mut Vec<Finding>) {
    let StateKind::Task(t) = &state.kind else {
        return;
    };
    if t.resource.is_call(&Service::Http, "invoke") {
        check_http_request_response(at, t, out);
        check_http_headers(at, t, out);
    }
}

// Rule: the HTTP Task is request-response only (`arn:aws:states:::http:invoke.waitForTaskToken`
// names no resource).
fn check_http_request_response(at: &Site<'_>, t: &Task, out: &mut Vec<Finding>) {
    if t.resource.pattern() == Some(IntegrationPattern::RequestResponse) {
        return;
    }
    let text = format!(
        "The resource provided {} is not recognized. The value is not a valid resource ARN, or \
         the resource is not available in this region.",
        t.resource
    );
    out.push(
        at.finding(
            SCHEMA,
            "/Resource",
            &text,
            Some(
                "the HTTP Task only waits for the API's answer: use `arn:aws:states:::http:invoke` \
             (to wait for a callback, send the task token with a `.waitForTaskToken` \
             integration such as `sqs:sendMessage` or `lambda:invoke`)"
                    .into(),
            ),
        ),
    );
}

// Rule: an HTTP Task's written-out `Headers` hold none of the headers AWS refuses
// (`"Headers": {"Authorization": "Bearer …"}`).
fn check_http_headers(at: &Site<'_>, t: &Task, out: &mut Vec<Finding>) {
    let (field, args) = match (&t.parameters, &t.arguments) {
        (Some(p), _) => ("/Parameters", p.to_value()),
        (None, Some(a)) => ("/Arguments", a.to_value()),
        (None, None) => return,
    };
    let Some(Value::Object(headers)) = args.get("Headers") else {
        return;
    };
    // `"X-Api-Key.$": "$.key"` still sends `X-Api-Key`.
    let refused: Vec<String> = headers
        .keys()
        .map(|k| k.strip_suffix(".$").unwrap_or(k))
        .filter(|k| http::is_refused_header(k))
        .map(str::to_ascii_lowercase)
        .collect();
    if refused.is_empty() {
        return;
    }
    let text = format!(
        "The 'Headers' field contains unsupported values: [{}]",
        refused.join(", ")
    );
    out.push(
        at.finding(
            SCHEMA,
            field,
            &text,
            Some(
                "remove these headers; credentials belong in the EventBridge connection (its API \
             key, Basic or OAuth authorization, or its invocation header parameters)"
                    .into(),
            ),
        ),
    );
}
