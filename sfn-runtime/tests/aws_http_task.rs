//! The HTTP Task (`arn:aws:states:::http:invoke`) against a local API the test starts
//! (`tests/http_endpoint`) and EventBridge connections on a local moto server: what reaches the
//! API on the wire (headers, query, body and its URL-encodings, each connection's
//! authorization), the result's shape, and the failures AWS names (`States.Http.StatusCode.404`
//! under Retry and Catch, `Events.ConnectionResource.*`, `States.Http.Socket`,
//! `States.Http.AccessDenied` under a role policy).
//!
//! One moto server and one API serve the whole file, so the scenarios run in one test, in
//! order; a failure names its scenario.
#![cfg(feature = "aws")]

#[path = "http_endpoint/mod.rs"]
mod http_endpoint;
#[path = "moto/mod.rs"]
mod moto;
#[path = "outcome/mod.rs"]
mod outcome;

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{json, Value};
use sfn_asl::iam::RolePolicy;
use sfn_runtime::aws::AwsClients;
use sfn_runtime::{Engine, ExecutionConfig, ExecutionResult, Resources};

use http_endpoint::{Endpoint, Received, CLIENT_ID, CLIENT_SECRET};
use moto::Moto;
use outcome::{failure, output};

const HTTP: &str = "arn:aws:states:::http:invoke";
const USER_AGENT: &str = "Amazon|StepFunctions|HttpInvoke|us-east-1";

fn engine(clients: &AwsClients) -> Engine {
    let mut resources = Resources::new();
    resources.set_aws(clients.clone());
    Engine::new(resources)
}

async fn run_on(engine: &Engine, definition: &Value, input: Value) -> ExecutionResult {
    let machine = match sfn_asl::parse(&definition.to_string()) {
        Ok(m) => m,
        Err(e) => panic!("definition rejected: {e:?}"),
    };
    engine
        .start_sync_execution(Arc::new(machine), input, ExecutionConfig::new("m", "run"))
        .await
}

/// A one-state machine calling the HTTP Task with `parameters`.
fn task(parameters: Value) -> Value {
    json!({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": HTTP, "Parameters": parameters, "End": true}}})
}

fn check(failures: &mut Vec<String>, scenario: &str, ok: bool, detail: impl std::fmt::Display) {
    if !ok {
        failures.push(format!("{scenario}: {detail}"));
    }
}

/// Creates the EventBridge connection `name` on moto; its ARN.
async fn connection(clients: &AwsClients, name: &str, kind: &str, auth: Value) -> String {
    let created = clients
        .sdk_call(
            "eventbridge",
            "createConnection",
            json!({"Name": name, "AuthorizationType": kind, "AuthParameters": auth}),
        )
        .await;
    match created {
        Ok(v) => v["ConnectionArn"].as_str().unwrap_or_default().to_owned(),
        Err(e) => panic!("createConnection {name}: {e}"),
    }
}

/// The one request the API received since the last look.
fn only(api: &Endpoint, f: &mut Vec<String>, scenario: &str) -> Option<Received> {
    let mut got = api.take();
    check(
        f,
        scenario,
        got.len() == 1,
        format!("{} requests received", got.len()),
    );
    got.pop()
}

struct Fixture {
    clients: AwsClients,
    api: Endpoint,
    api_key: String,
    basic: String,
    oauth: String,
}

/// API key, the connection's invocation parameters merged with the state's, and the result.
async fn api_key_request(x: &Fixture, f: &mut Vec<String>) {
    let definition = task(json!({
        "ApiEndpoint": format!("{}/echo?fixed=1", x.api.url),
        "Method": "POST",
        "Authentication": {"ConnectionArn": x.api_key},
        "Headers": {"X-Override": "state", "X-Trace": ["t1", "t2"], "User-Agent": "mine",
            "Range": "bytes=0-1", "X-Order.$": "$.order"},
        "QueryParameters": {"page": "1", "q": "a b", "tag": ["x", "y&z"]},
        "RequestBody": {"order.$": "$.order", "origin": "state", "items": [1, 2]}
    }));
    let result = run_on(&engine(&x.clients), &definition, json!({"order": "A-7"})).await;
    let scenario = "api key";
    match output(&result) {
        Ok(out) => {
            let headers = out["Headers"].as_object().cloned().unwrap_or_default();
            let names: Vec<&str> = headers.keys().map(String::as_str).collect();
            check(
                f,
                scenario,
                names.contains(&"content-length") && names.contains(&"date"),
                format!("{names:?}"),
            );
            check(
                f,
                scenario,
                headers.get("x-custom") == Some(&json!(["a", "b"])),
                format!("{headers:?}"),
            );
            check(
                f,
                scenario,
                headers.get("content-type") == Some(&json!(["application/json"])),
                format!("{headers:?}"),
            );
            let mut rest = out.clone();
            rest.as_object_mut().map(|m| m.remove("Headers"));
            check(
                f,
                scenario,
                rest == json!({"ResponseBody": {"ok": true, "path": "/echo"}, "StatusCode": 200, "StatusText": "OK"}),
                &rest,
            );
            let keys: Vec<&String> = out
                .as_object()
                .map(|m| m.keys().collect())
                .unwrap_or_default();
            check(
                f,
                scenario,
                keys == ["Headers", "ResponseBody", "StatusCode", "StatusText"],
                format!("{keys:?}"),
            );
        }
        Err(e) => f.push(format!("{scenario}: {e}")),
    }
    let Some(r) = only(&x.api, f, scenario) else {
        return;
    };
    check(
        f,
        scenario,
        r.method == "POST" && r.path == "/echo",
        format!("{} {}", r.method, r.path),
    );
    // The endpoint's own query first; the state's, with the connection's value for `page`;
    // then the connection's own.
    check(
        f,
        scenario,
        r.query == "fixed=1&page=conn-page&q=a%20b&tag=x&tag=y%26z&source=connection",
        &r.query,
    );
    let expect = [
        ("x-api-key", vec!["k3y"]),
        ("x-team", vec!["blue"]),
        ("x-override", vec!["connection"]),
        ("x-trace", vec!["t1", "t2"]),
        ("x-order", vec!["A-7"]),
        ("user-agent", vec![USER_AGENT]),
        ("range", vec!["bytes=0-262144"]),
        ("content-type", vec!["application/json; charset=UTF-8"]),
    ];
    for (name, values) in expect {
        check(
            f,
            scenario,
            r.header(name) == values,
            format!("{name}: {:?}", r.header(name)),
        );
    }
    check(
        f,
        scenario,
        r.header("host") == [x.api.url.trim_start_matches("http://")],
        format!("{:?}", r.header("host")),
    );
    check(
        f,
        scenario,
        r.header("authorization").is_empty(),
        "an Authorization header was sent",
    );
    check(
        f,
        scenario,
        r.body_text() == r#"{"order":"A-7","origin":"connection","items":[1,2]}"#,
        r.body_text(),
    );
}

/// Basic authorization, a GET without a body (and so no `Content-Type`), a text answer.
async fn basic_request(x: &Fixture, f: &mut Vec<String>) {
    let definition = task(
        json!({"ApiEndpoint": format!("{}/text", x.api.url), "Method": "GET",
        "InvocationConfig": {"ConnectionArn": x.basic}}),
    );
    let result = run_on(&engine(&x.clients), &definition, json!({})).await;
    let scenario = "basic";
    match output(&result) {
        Ok(out) => check(
            f,
            scenario,
            out["ResponseBody"] == json!("plain text")
                && out["Headers"]["content-type"] == json!(["text/plain"]),
            &out,
        ),
        Err(e) => f.push(format!("{scenario}: {e}")),
    }
    let Some(r) = only(&x.api, f, scenario) else {
        return;
    };
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("ops:pa55 word")
    );
    check(
        f,
        scenario,
        r.header("authorization") == [expected.as_str()],
        format!("{:?}", r.header("authorization")),
    );
    check(
        f,
        scenario,
        r.header("content-type").is_empty() && r.body.is_empty(),
        format!("{:?}", r.headers),
    );
    check(f, scenario, r.query.is_empty(), &r.query);
}

/// `URL_ENCODED` bodies, each `ArrayFormat`, with the connection's body parameter merged in.
async fn form_bodies(x: &Fixture, f: &mut Vec<String>) {
    let cases = [
        (
            "INDICES",
            "name=Jane%20Doe&items%5B0%5D=a&items%5B1%5D=b%20c&meta%5Bk%5D=v&origin=connection",
        ),
        (
            "REPEAT",
            "name=Jane%20Doe&items=a&items=b%20c&meta%5Bk%5D=v&origin=connection",
        ),
        (
            "COMMAS",
            "name=Jane%20Doe&items=a%2Cb%20c&meta%5Bk%5D=v&origin=connection",
        ),
        (
            "BRACKETS",
            "name=Jane%20Doe&items%5B%5D=a&items%5B%5D=b%20c&meta%5Bk%5D=v&origin=connection",
        ),
    ];
    for (format, body) in cases {
        let scenario = format!("form body {format}");
        let definition = task(
            json!({"ApiEndpoint": format!("{}/echo", x.api.url), "Method": "PUT",
            "Authentication": {"ConnectionArn": x.api_key},
            "Headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "RequestBody": {"name": "Jane Doe", "items": ["a", "b c"], "meta": {"k": "v"}},
            "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                "RequestEncodingOptions": {"ArrayFormat": format}}}),
        );
        let result = run_on(&engine(&x.clients), &definition, json!({})).await;
        check(
            f,
            &scenario,
            output(&result).is_ok(),
            format!("{:?}", failure(&result)),
        );
        let Some(r) = only(&x.api, f, &scenario) else {
            continue;
        };
        check(f, &scenario, r.body_text() == body, r.body_text());
        check(
            f,
            &scenario,
            r.header("content-type") == ["application/x-www-form-urlencoded"],
            format!("{:?}", r.header("content-type")),
        );
    }
    // Without `ArrayFormat`, INDICES.
    let definition = task(
        json!({"ApiEndpoint": format!("{}/echo", x.api.url), "Method": "POST",
        "Authentication": {"ConnectionArn": x.basic},
        "RequestBody": {"a": [1, true]}, "Transform": {"RequestBodyEncoding": "URL_ENCODED"}}),
    );
    let result = run_on(&engine(&x.clients), &definition, json!({})).await;
    check(
        f,
        "form body default",
        output(&result).is_ok(),
        format!("{:?}", failure(&result)),
    );
    if let Some(r) = only(&x.api, f, "form body default") {
        check(
            f,
            "form body default",
            r.body_text() == "a%5B0%5D=1&a%5B1%5D=true",
            r.body_text(),
        );
    }
}

/// OAuth client credentials: the token fetched from the connection's endpoint, kept for the
/// next call, and fetched again when the API refuses it.
async fn oauth_client_credentials(x: &Fixture, f: &mut Vec<String>) {
    let definition = task(
        json!({"ApiEndpoint": format!("{}/secure", x.api.url), "Method": "GET",
        "InvocationConfig": {"ConnectionArn": x.oauth}}),
    );
    let engine = engine(&x.clients);
    for (round, issued) in [(1, 1), (2, 1)] {
        let scenario = format!("oauth call {round}");
        let result = run_on(&engine, &definition, json!({})).await;
        match output(&result) {
            Ok(out) => check(
                f,
                &scenario,
                out["ResponseBody"] == json!({"secure": true}),
                &out,
            ),
            Err(e) => f.push(format!("{scenario}: {e}")),
        }
        check(
            f,
            &scenario,
            x.api.tokens_issued() == issued,
            x.api.tokens_issued(),
        );
    }
    let received = x.api.take();
    let token_requests: Vec<&Received> = received
        .iter()
        .filter(|r| r.path == "/oauth/token")
        .collect();
    check(
        f,
        "oauth token request",
        token_requests.len() == 1,
        token_requests.len(),
    );
    if let Some(t) = token_requests.first() {
        check(f, "oauth token request", t.method == "POST", &t.method);
        check(
            f,
            "oauth token request",
            t.body_text() == "grant_type=client_credentials&scope=orders",
            t.body_text(),
        );
        check(
            f,
            "oauth token request",
            t.header("x-tenant") == ["acme"],
            format!("{:?}", t.headers),
        );
    }
    let secured: Vec<&Received> = received.iter().filter(|r| r.path == "/secure").collect();
    check(
        f,
        "oauth bearer",
        secured.len() == 2
            && secured
                .iter()
                .all(|r| r.header("authorization") == ["Bearer token-1"]),
        format!(
            "{:?}",
            secured
                .iter()
                .map(|r| r.header("authorization"))
                .collect::<Vec<_>>()
        ),
    );
    // The API no longer takes the token: a 401, a new token, the call again.
    x.api.revoke_tokens();
    let result = run_on(&engine, &definition, json!({})).await;
    check(
        f,
        "oauth renewed",
        output(&result).is_ok(),
        format!("{:?}", failure(&result)),
    );
    check(
        f,
        "oauth renewed",
        x.api.tokens_issued() == 2,
        x.api.tokens_issued(),
    );
    let paths: Vec<String> = x.api.take().into_iter().map(|r| r.path).collect();
    check(
        f,
        "oauth renewed",
        paths == ["/secure", "/oauth/token", "/secure"],
        format!("{paths:?}"),
    );
}

/// A 404 retried once, then caught; the error and cause AWS gives.
async fn status_errors(x: &Fixture, f: &mut Vec<String>) {
    let definition = json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": HTTP,
            "Parameters": {"ApiEndpoint": format!("{}/missing", x.api.url), "Method": "GET",
                "InvocationConfig": {"ConnectionArn": x.api_key}},
            "Retry": [{"ErrorEquals": ["States.Http.StatusCode.404"], "IntervalSeconds": 1,
                "MaxAttempts": 1, "BackoffRate": 1}],
            "Catch": [{"ErrorEquals": ["States.Http.StatusCode.404"], "ResultPath": "$.error",
                "Next": "Missing"}],
            "End": true},
        "Missing": {"Type": "Pass", "End": true}}});
    let result = run_on(&engine(&x.clients), &definition, json!({"id": 1})).await;
    check(
        f,
        "404 caught",
        output(&result)
            == Ok(
                json!({"id": 1, "error": {"Error": "States.Http.StatusCode.404", "Cause": "Not Found"}}),
            ),
        format!("{:?}", output(&result)),
    );
    let tries = x.api.take().len();
    check(f, "404 retried", tries == 2, tries);
    // Uncaught, it fails the execution.
    let definition = task(
        json!({"ApiEndpoint": format!("{}/missing", x.api.url), "Method": "DELETE",
        "InvocationConfig": {"ConnectionArn": x.api_key}}),
    );
    let got = failure(&run_on(&engine(&x.clients), &definition, json!({})).await);
    check(
        f,
        "404 uncaught",
        got == ("States.Http.StatusCode.404".into(), "Not Found".into()),
        format!("{got:?}"),
    );
    x.api.take();
}

/// What fails before or instead of a 2xx answer.
async fn task_failures(x: &Fixture, f: &mut Vec<String>) {
    let call = |extra: Value| {
        let mut p = json!({"ApiEndpoint": format!("{}/echo", x.api.url), "Method": "GET",
            "InvocationConfig": {"ConnectionArn": x.api_key}});
        for (k, v) in extra.as_object().into_iter().flatten() {
            p[k] = v.clone();
        }
        task(p)
    };
    let cases = [
        (
            "unknown connection",
            call(
                json!({"InvocationConfig": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/nobody/0000"}}),
            ),
            "Events.ConnectionResource.ResourceNotFound",
            "nobody",
        ),
        (
            "refused header from the input",
            call(json!({"Headers.$": "$.headers"})),
            "States.Runtime",
            "The 'Headers' field contains unsupported values: [authorization]",
        ),
        (
            "unreachable endpoint",
            call(json!({"ApiEndpoint": "http://127.0.0.1:9/none"})),
            "States.Http.Socket",
            "http://127.0.0.1:9/none",
        ),
        (
            "image answer",
            call(json!({"ApiEndpoint": format!("{}/image", x.api.url)})),
            "States.Runtime",
            "image/png",
        ),
        (
            "text body with connection body parameters",
            call(json!({"Method": "POST", "RequestBody": "raw"})),
            "States.Runtime",
            "cannot be merged with the body parameters",
        ),
        (
            "no connection",
            task(json!({"ApiEndpoint": format!("{}/echo", x.api.url), "Method": "GET"})),
            "States.Runtime",
            "needs an EventBridge connection",
        ),
    ];
    for (scenario, definition, error, cause) in cases {
        let input = json!({"headers": {"Authorization": "Bearer stolen"}});
        let (got, why) = failure(&run_on(&engine(&x.clients), &definition, input).await);
        check(
            f,
            scenario,
            got == error && why.contains(cause),
            format!("{got}: {why}"),
        );
    }
    let calls: Vec<String> = x.api.take().into_iter().map(|r| r.path).collect();
    // Only the image answer reached the API; the others failed before calling it.
    check(
        f,
        "failures before the call",
        calls == ["/image"],
        format!("{calls:?}"),
    );
}

/// The same request in JSONata, its `Arguments` computed from the input.
async fn jsonata_arguments(x: &Fixture, f: &mut Vec<String>) {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": HTTP,
        "Arguments": {"ApiEndpoint": "{% $states.input.base & '/echo' %}", "Method": "PATCH",
            "InvocationConfig": {"ConnectionArn": x.basic},
            "QueryParameters": {"n": "{% $string($states.input.n * 2) %}"},
            "RequestBody": {"n": "{% $states.input.n %}"}},
        "Output": "{% $states.result.ResponseBody %}", "End": true}}});
    let result = run_on(
        &engine(&x.clients),
        &definition,
        json!({"base": x.api.url, "n": 21}),
    )
    .await;
    check(
        f,
        "jsonata",
        output(&result) == Ok(json!({"ok": true, "path": "/echo"})),
        format!("{:?}", output(&result)),
    );
    if let Some(r) = only(&x.api, f, "jsonata") {
        check(
            f,
            "jsonata",
            r.method == "PATCH" && r.query == "n=42" && r.body_text() == r#"{"n":21}"#,
            format!("{} {} {}", r.method, r.query, r.body_text()),
        );
    }
}

/// Under a role policy: the least-privilege policy of the definition lets the call through;
/// one without `states:InvokeHTTPEndpoint` for the method refuses it before any request.
async fn role_policy(x: &Fixture, f: &mut Vec<String>) {
    let definition = task(
        json!({"ApiEndpoint": format!("{}/echo", x.api.url), "Method": "POST",
        "InvocationConfig": {"ConnectionArn": x.api_key}}),
    );
    let machine = match sfn_asl::parse(&definition.to_string()) {
        Ok(m) => m,
        Err(e) => panic!("{e:?}"),
    };
    let policy = sfn_asl::iam::policy(&machine);
    let name = x.api_key.split('/').nth(1).unwrap_or_default();
    let statements = policy["Statement"].as_array().cloned().unwrap_or_default();
    let expected = [
        json!({"Effect": "Allow", "Action": ["events:RetrieveConnectionCredentials"],
            "Resource": [x.api_key]}),
        json!({"Effect": "Allow",
            "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
            "Resource": [format!("arn:aws:secretsmanager:us-east-1:123456789012:secret:events!connection/{name}/*")]}),
        json!({"Effect": "Allow", "Action": ["states:InvokeHTTPEndpoint"],
            "Resource": ["arn:aws:states:*:*:stateMachine:*"],
            "Condition": {"StringEquals": {"states:HTTPMethod": "POST"},
                "StringLike": {"states:HTTPEndpoint": format!("{}/echo*", x.api.url)}}}),
    ];
    for st in &expected {
        check(
            f,
            "generated policy",
            statements.contains(st),
            format!("{st} not in {statements:?}"),
        );
    }
    check(
        f,
        "generated policy",
        statements.len() == expected.len(),
        format!("{statements:?}"),
    );
    let generated = match RolePolicy::parse(&policy.to_string()) {
        Ok(p) => p,
        Err(e) => panic!("{e:?}"),
    };
    let allowed = engine(&x.clients).with_role_policy(generated);
    let result = run_on(&allowed, &definition, json!({})).await;
    check(
        f,
        "generated policy allows",
        output(&result).is_ok(),
        format!("{:?}", failure(&result)),
    );
    x.api.take();
    let get_only = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"states:InvokeHTTPEndpoint","Resource":"*",
         "Condition":{"StringEquals":{"states:HTTPMethod":"GET"}}},
        {"Effect":"Allow","Action":["events:RetrieveConnectionCredentials","secretsmanager:*"],"Resource":"*"}]}"#;
    let refused = match RolePolicy::parse(get_only) {
        Ok(p) => engine(&x.clients).with_role_policy(p),
        Err(e) => panic!("{e:?}"),
    };
    let (error, cause) = failure(&run_on(&refused, &definition, json!({})).await);
    check(
        f,
        "policy refuses",
        error == "States.Http.AccessDenied" && cause.contains("states:InvokeHTTPEndpoint"),
        format!("{error}: {cause}"),
    );
    let calls = x.api.take().len();
    check(f, "policy refuses before the call", calls == 0, calls);
}

/// The connection's secret is read: without it the connection cannot be used.
async fn secret_is_read(x: &Fixture, f: &mut Vec<String>) {
    let arn = connection(
        &x.clients,
        "lost-secret",
        "API_KEY",
        json!({"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k"}}),
    )
    .await;
    let described = x
        .clients
        .sdk_call(
            "eventbridge",
            "describeConnection",
            json!({"Name": "lost-secret"}),
        )
        .await;
    let secret = described
        .ok()
        .and_then(|d| d["SecretArn"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let deleted = x
        .clients
        .sdk_call(
            "secretsmanager",
            "deleteSecret",
            json!({"SecretId": secret, "ForceDeleteWithoutRecovery": true}),
        )
        .await;
    check(f, "secret deleted", deleted.is_ok(), format!("{deleted:?}"));
    let definition = task(
        json!({"ApiEndpoint": format!("{}/echo", x.api.url), "Method": "GET",
        "InvocationConfig": {"ConnectionArn": arn}}),
    );
    let (error, cause) = failure(&run_on(&engine(&x.clients), &definition, json!({})).await);
    check(
        f,
        "secret missing",
        error == "Events.ConnectionResource.InternalError" && cause.contains(&secret),
        format!("{error}: {cause}"),
    );
    let calls = x.api.take().len();
    check(f, "secret missing: no call", calls == 0, calls);
}

#[test]
fn http_task_against_a_local_api() {
    let moto = match Moto::start() {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let api = match Endpoint::start() {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("no tokio runtime: {e}"),
    };
    let failures = rt.block_on(async {
        let clients = AwsClients::from_config(moto::sdk_config(&moto.endpoint));
        let invocation = json!({
            "HeaderParameters": [{"Key": "X-Team", "Value": "blue", "IsValueSecret": false},
                {"Key": "X-Override", "Value": "connection", "IsValueSecret": false}],
            "QueryStringParameters": [{"Key": "page", "Value": "conn-page", "IsValueSecret": false},
                {"Key": "source", "Value": "connection", "IsValueSecret": false}],
            "BodyParameters": [{"Key": "origin", "Value": "connection", "IsValueSecret": false}]});
        let api_key = connection(&clients, "orders-api-key", "API_KEY", json!({
            "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k3y"},
            "InvocationHttpParameters": invocation})).await;
        let basic = connection(&clients, "orders-basic", "BASIC", json!({
            "BasicAuthParameters": {"Username": "ops", "Password": "pa55 word"}})).await;
        let oauth = connection(&clients, "orders-oauth", "OAUTH_CLIENT_CREDENTIALS", json!({
            "OAuthParameters": {"AuthorizationEndpoint": format!("{}/oauth/token", api.url),
                "HttpMethod": "POST",
                "ClientParameters": {"ClientID": CLIENT_ID, "ClientSecret": CLIENT_SECRET},
                "OAuthHttpParameters": {
                    "HeaderParameters": [{"Key": "X-Tenant", "Value": "acme", "IsValueSecret": false}],
                    "BodyParameters": [{"Key": "scope", "Value": "orders", "IsValueSecret": false}]}}})).await;
        let x = Fixture { clients, api, api_key, basic, oauth };
        let mut f = Vec::new();
        api_key_request(&x, &mut f).await;
        basic_request(&x, &mut f).await;
        form_bodies(&x, &mut f).await;
        oauth_client_credentials(&x, &mut f).await;
        status_errors(&x, &mut f).await;
        task_failures(&x, &mut f).await;
        jsonata_arguments(&x, &mut f).await;
        role_policy(&x, &mut f).await;
        secret_is_read(&x, &mut f).await;
        f
    });
    assert!(
        failures.is_empty(),
        "{} HTTP Task checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
