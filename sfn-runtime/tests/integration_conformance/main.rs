//! Integration conformance: executions recorded on AWS that call real services
//! (`../shared/integration/cases`), run through the engine with real SDK clients against a
//! local moto server (Lambda against the local Lambda server of `tests/lambda_server`, which
//! runs each `lambda` fixture's behaviour, and API Gateway against the REST API stage that
//! server emulates in front of it), compared strictly with AWS's outcome.
//!
//! `scripts/integration-conformance [CASE_DIR]` runs every case of CASE_DIR
//! (`SFN_INTEGRATION_CASES`) and prints each failure with its reason, then
//! `integration: P passed, F failed of N (S%)`. Without that variable (the default test suite)
//! it runs [`FAST_SUBSET`], each of which must pass.

mod compare;
mod fixtures;

use std::sync::Arc;
use std::time::Duration;

#[path = "../moto/mod.rs"]
mod moto;

#[path = "../lambda_server/mod.rs"]
mod lambda_server;

use compare::{Comparison, Headers};
use lambda_server::{LambdaEndpoint, LambdaServer};
use serde_json::{json, Value};
use sfn_runtime::aws::AwsClients;
use sfn_runtime::{Engine, ExecutionConfig, Resources, Status};

/// Cases the default suite runs: one per integration built, quick, passing with the local
/// server's own headers.
const FAST_SUBSET: &[&str] = &[
    "services_test_dynamodb_task_service_TestTaskServiceDynamoDB_test_base_integrations_DYNAMODB_PUT_GET_ITEM",
    "services_test_aws_sdk_task_service_TestTaskServiceAwsSdk_test_dynamodb_put_get_item",
    "error_handling_test_task_service_dynamodb_TestTaskServiceDynamoDB_test_put_item_no_such_table",
    "local_mocking_test_base_scenarios_TestBaseScenarios_test_sqs_send_message",
    "services_test_sns_task_service_TestTaskServiceSns_test_publish_base",
    "services_test_events_task_service_TestTaskServiceEvents_test_put_events_base",
    "local_mocking_test_base_callbacks_TestBaseScenarios_test_sqs_wait_for_task_token",
    "services_test_aws_sdk_task_service_TestTaskServiceAwsSdk_test_s3_get_object_str",
    "error_handling_test_aws_sdk_TestAwsSdk_test_s3_no_such_key",
    "scenarios_test_base_scenarios_TestBaseScenarios_test_map_item_reader_base_csv_headers_decl",
    "services_test_lambda_task_service_TestTaskServiceLambda_test_invoke",
    "error_handling_test_task_lambda_TestTaskLambda_test_raise_exception_catch",
    "error_handling_test_task_service_lambda_TestTaskServiceLambda_test_no_such_function",
    "services_test_apigetway_task_service_TestTaskApiGateway_test_invoke_with_query_parameters",
    "activities_test_activities_TestActivities_test_activity_task",
];

/// One case's verdict under both header rules.
struct Verdict {
    strict: Result<(), String>,
    from_server: Result<(), String>,
}

fn localise(v: &Value) -> Value {
    let text = v
        .to_string()
        .replace("111111111111", fixtures::LOCAL_ACCOUNT);
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn unlocalise(v: &Value) -> Value {
    let text = v
        .to_string()
        .replace(fixtures::LOCAL_ACCOUNT, "111111111111");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Clients of the moto server at `endpoint`, with Lambda at the local Lambda server.
fn clients(endpoint: &str, lambda: &LambdaServer) -> AwsClients {
    use aws_config::{BehaviorVersion, Region, SdkConfig};
    use aws_credential_types::{provider::SharedCredentialsProvider, Credentials};
    let credentials = Credentials::new("test", "test", None, None, "moto");
    AwsClients::from_config(
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .service_config(LambdaEndpoint(lambda.endpoint.clone()))
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .build(),
    )
}

/// Forgets every resource of the previous case (moto's reset API).
fn reset(endpoint: &str) -> Result<(), String> {
    use std::io::{Read, Write};
    let addr = endpoint.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).map_err(|e| format!("reset: {e}"))?;
    let req = format!("POST /moto-api/reset HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes())
        .map_err(|e| format!("reset: {e}"))?;
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    match answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200") {
        true => Ok(()),
        false => Err(format!(
            "reset answered {}",
            answer.lines().next().unwrap_or_default()
        )),
    }
}

/// The outcome as `expected` writes it: status and output, or error and cause.
fn outcome_value(outcome: &sfn_runtime::Outcome) -> Value {
    let mut v = json!({"status": outcome.status.as_str()});
    match outcome.status {
        Status::Succeeded => v["output"] = outcome.output.clone().unwrap_or(Value::Null),
        // An error or cause AWS reports as null is absent from `expected`.
        _ => {
            if let Some(e) = &outcome.error {
                v["error"] = json!(e);
            }
            if let Some(c) = &outcome.cause {
                v["cause"] = json!(c);
            }
        }
    }
    v
}

fn compare(case: &Value, got: &Value, headers: Headers) -> Result<(), String> {
    let mut want = case["expected"].clone();
    let mut got = unlocalise(got);
    if let Some(w) = want.as_object_mut() {
        w.remove("cause_is_json");
    }
    if case["expected"]["cause_is_json"] == json!(true) {
        if let Some(c) = got["cause"]
            .as_str()
            .and_then(|c| serde_json::from_str::<Value>(c).ok())
        {
            got["cause"] = c;
        }
    }
    let placeholders: Vec<String> = case["placeholders"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    Comparison::new(&placeholders, headers).matches(&want, &got, "$", "")
}

async fn run_case(endpoint: &str, lambda: &LambdaServer, case: &Value) -> Verdict {
    let fail = |e: String| Verdict {
        strict: Err(e.clone()),
        from_server: Err(e),
    };
    if let Some(reason) = fixtures::unsupported(case) {
        return fail(reason);
    }
    if let Err(e) = reset(endpoint) {
        return fail(e);
    }
    lambda.clear();
    let clients = clients(endpoint, lambda);
    let mut resources = Resources::new();
    resources.set_aws(clients.clone());
    let engine = Engine::new(resources);
    if let Err(e) = fixtures::create(&clients, &engine, lambda, &localise(case)).await {
        return fail(e);
    }
    let machine = match sfn_asl::parse(&localise(&case["definition"]).to_string()) {
        Ok(m) => Arc::new(m),
        Err(e) => return fail(format!("definition rejected: {e:?}")),
    };
    let mut config = ExecutionConfig::new("IntegrationMachine", "integration-run");
    config.role_arn = "snf_role_arn".into();
    let handle = engine.start_execution(machine, localise(&case["input"]), config);
    let limit = case["max_wait_seconds"].as_u64().unwrap_or(0) + 60;
    if let Err(e) = fixtures::outside(&clients, &engine, &handle, case, 30).await {
        let _ = handle.stop(None, None);
        return fail(e);
    }
    let result = match tokio::time::timeout(Duration::from_secs(limit), handle.result()).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return fail(e.to_string()),
        Err(_) => return fail(format!("no outcome within {limit} s")),
    };
    let got = outcome_value(&result.outcome);
    Verdict {
        strict: compare(case, &got, Headers::Strict),
        from_server: compare(case, &got, Headers::FromServer),
    }
}

fn case_files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    files
}

fn percent(p: usize, n: usize) -> String {
    format!(
        "{:.1}%",
        if n == 0 {
            0.0
        } else {
            100.0 * p as f64 / n as f64
        }
    )
}

fn main() {
    let full = std::env::var("SFN_INTEGRATION_CASES").ok();
    let dir = full.clone().unwrap_or_else(|| {
        format!(
            "{}/../../shared/integration/cases",
            env!("CARGO_MANIFEST_DIR")
        )
    });
    let mut files = case_files(&dir);
    if full.is_none() {
        files.retain(|p| {
            p.file_stem()
                .is_some_and(|s| FAST_SUBSET.iter().any(|c| s == *c))
        });
    }
    if files.is_empty() {
        eprintln!(
            "no case files (*.json) in {dir}; pass the folder of ../shared/integration/cases"
        );
        std::process::exit(2);
    }
    let moto = match moto::Moto::start() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let lambda = match LambdaServer::start(fixtures::LOCAL_ACCOUNT) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("no tokio runtime: {e}");
            std::process::exit(2);
        }
    };
    let code = rt.block_on(report(&moto.endpoint, &lambda, &files, full.is_some()));
    drop(moto);
    drop(lambda);
    std::process::exit(code);
}

/// Runs the cases, prints failures and the figures; the exit code (the fast subset must pass).
async fn report(
    endpoint: &str,
    lambda: &LambdaServer,
    files: &[std::path::PathBuf],
    full: bool,
) -> i32 {
    let (mut strict, mut relaxed, mut built, mut built_strict, mut built_relaxed) = (0, 0, 0, 0, 0);
    for path in files {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let case: Value = match std::fs::read_to_string(path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
        {
            Some(c) => c,
            None => {
                println!("FAIL {name}: not a JSON case file");
                continue;
            }
        };
        let in_scope = fixtures::unsupported(&case).is_none();
        built += usize::from(in_scope);
        let v = run_case(endpoint, lambda, &case).await;
        strict += usize::from(v.strict.is_ok());
        relaxed += usize::from(v.from_server.is_ok());
        built_strict += usize::from(in_scope && v.strict.is_ok());
        built_relaxed += usize::from(in_scope && v.from_server.is_ok());
        match (&v.strict, &v.from_server) {
            (Ok(()), _) => {}
            (Err(s), Ok(())) => {
                println!("FAIL {name}: only the local server's headers differ: {s}")
            }
            (Err(_), Err(e)) => println!("FAIL {name}: {e}"),
        }
    }
    let n = files.len();
    println!("integration, the local server's own metadata headers aside: {relaxed} passed of {n} ({}); on the services built: {built_relaxed} of {built} ({})", percent(relaxed, n), percent(built_relaxed, built));
    println!("integration, services built (dynamodb, sqs, sns, events, lambda, apigateway, s3 incl. distributed Map readers and writers, aws-sdk secretsmanager and sfn, states:startExecution and activities run natively): {built_strict} passed of {built} ({})", percent(built_strict, built));
    println!(
        "integration: {strict} passed, {} failed of {n} ({})",
        n - strict,
        percent(strict, n)
    );
    i32::from(!full && relaxed != n)
}
