//! The job integrations (`ecs:runTask`, `batch:submitJob`, `glue:startJobRun`) in each pattern,
//! through the `aws` feature.
//!
//! Against moto (`scripts/moto.sh` installs it): the start calls and their errors, an ECS task
//! that the test stops through moto's own `StopTask` while the `.sync` state polls it, and a
//! Glue run that moto moves to `SUCCEEDED` by itself. moto does not move every job through its
//! life: its ECS tasks never stop by themselves nor report a failing exit code, its Batch needs
//! IAM roles, compute environments and docker to run a job, and its Glue runs always succeed.
//! The other ends (a failed job, a job the state stops) are played by a stand-in: a small HTTP
//! server on 127.0.0.1 that answers each call with the answers the test queued, shaped as the
//! service's API answers, and records the requests it received.
//!
//! The stand-in tests pause the clock: the `.sync` polls wait on the engine's clock and take no
//! time there.
#![cfg(feature = "aws")]

#[path = "moto/mod.rs"]
mod moto;
#[path = "outcome/mod.rs"]
mod outcome;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use sfn_runtime::aws::AwsClients;
use sfn_runtime::{Engine, ExecutionConfig, ExecutionResult, Resources};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use moto::{Moto, ACCOUNT};
use outcome::{failure, output};

/// AWS clients pointed at `endpoint`.
fn clients_at(endpoint: &str) -> AwsClients {
    AwsClients::from_config(moto::sdk_config(endpoint))
}

fn engine(clients: &AwsClients) -> Engine {
    let mut resources = Resources::new();
    resources.set_aws(clients.clone());
    Engine::new(resources)
}

/// A one-state machine calling `resource` with `parameters`, with the state's extra `fields`.
fn machine(resource: &str, parameters: Value, fields: Value) -> Arc<sfn_asl::StateMachine> {
    let mut state = json!({"Type": "Task", "Resource": resource, "Parameters": parameters,
                           "End": true});
    if let (Some(s), Some(extra)) = (state.as_object_mut(), fields.as_object()) {
        s.extend(extra.clone());
    }
    let definition = json!({"StartAt": "T", "States": {"T": state}});
    match sfn_asl::parse(&definition.to_string()) {
        Ok(m) => Arc::new(m),
        Err(e) => panic!("definition rejected: {e:?}"),
    }
}

async fn run(engine: &Engine, resource: &str, parameters: Value) -> ExecutionResult {
    let m = machine(resource, parameters, json!({}));
    engine
        .start_sync_execution(m, json!({}), ExecutionConfig::new("m", "run"))
        .await
}

fn check(failures: &mut Vec<String>, scenario: &str, ok: bool, detail: impl std::fmt::Debug) {
    if !ok {
        failures.push(format!("{scenario}: {detail:?}"));
    }
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// On the real clock: with the clock paused, tokio would move time on while moto, another
/// process, answers, and the states' timeouts would fire.
#[tokio::test]
async fn jobs_against_moto() {
    let moto = match Moto::start() {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let clients = clients_at(&moto.endpoint);
    let mut f = Vec::new();
    ecs_on_moto(&clients, &mut f).await;
    glue_on_moto(&clients, &mut f).await;
    batch_on_moto(&clients, &mut f).await;
    assert!(f.is_empty(), "{}", f.join("\n"));
}

async fn ecs_on_moto(clients: &AwsClients, f: &mut Vec<String>) {
    let setup = [
        ("createCluster", json!({"ClusterName": "jobs"})),
        (
            "registerTaskDefinition",
            json!({"Family": "work", "NetworkMode": "bridge", "Cpu": "256", "Memory": "512",
                   "ContainerDefinitions": [{"Name": "main", "Image": "busybox", "Memory": 128}]}),
        ),
    ];
    for (action, params) in setup {
        if let Err(e) = clients.sdk_call("ecs", action, params).await {
            return f.push(format!("ecs {action}: {e}"));
        }
    }
    let engine = engine(clients);
    let params = json!({"Cluster": "jobs", "TaskDefinition": "work", "LaunchType": "FARGATE",
        "Overrides": {"ContainerOverrides": [{"Name": "main", "Command": ["run"]}]}});
    let task_prefix = format!("arn:aws:ecs:us-east-1:{ACCOUNT}:task/jobs/");

    // Request-response: RunTask's answer in the Java SDK v1's shape, with the metadata.
    let r = run(&engine, "arn:aws:states:::ecs:runTask", params.clone()).await;
    match output(&r) {
        Ok(out) => {
            let task = &out["Tasks"][0];
            check(
                f,
                "ecs runTask task",
                task["TaskArn"]
                    .as_str()
                    .is_some_and(|a| a.starts_with(&task_prefix))
                    && task["LastStatus"].is_string()
                    && task.get("taskArn").is_none(),
                &out,
            );
            check(
                f,
                "ecs runTask metadata",
                out["Failures"] == json!([]) && out["SdkHttpMetadata"]["HttpStatusCode"] == 200,
                &out,
            );
            check(
                f,
                "ecs runTask request-response is not marked",
                task.get("StartedBy")
                    .is_none_or(|s| s != "AWS Step Functions"),
                task,
            );
        }
        Err(e) => f.push(format!("ecs runTask: {e}")),
    }

    // The start failing: the Java SDK v1's exception and message.
    let mut missing = params.clone();
    missing["Cluster"] = json!("missing");
    let r = run(&engine, "arn:aws:states:::ecs:runTask", missing).await;
    let (error, cause) = failure(&r);
    check(
        f,
        "ecs runTask error",
        error == "ECS.ClusterNotFoundException"
            && cause.contains(
                "(Service: AmazonECS; Status Code: 400; Error Code: ClusterNotFoundException;",
            ),
        (&error, &cause),
    );

    // `.sync`: the state polls the task; the test stops it through moto.
    let handle = engine.start_execution(
        machine("arn:aws:states:::ecs:runTask.sync", params, json!({})),
        json!({}),
        ExecutionConfig::new("m", "ecs-sync"),
    );
    let mut stopped = None;
    for _ in 0..200 {
        let listed = clients
            .sdk_call(
                "ecs",
                "listTasks",
                json!({"Cluster": "jobs", "StartedBy": "AWS Step Functions"}),
            )
            .await;
        if let Some(arn) = listed
            .ok()
            .and_then(|l| l["TaskArns"][0].as_str().map(str::to_owned))
        {
            let stop = json!({"Cluster": "jobs", "Task": arn, "Reason": "done by the test"});
            if let Err(e) = clients.sdk_call("ecs", "stopTask", stop).await {
                f.push(format!("ecs stopTask: {e}"));
            }
            stopped = Some(arn);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let Some(arn) = stopped else {
        return f.push("ecs runTask.sync: no task started by Step Functions appeared".into());
    };
    match handle.result().await.map(|r| output(&r)) {
        Ok(Ok(out)) => check(
            f,
            "ecs runTask.sync result is the described task",
            out["TaskArn"] == json!(arn)
                && out["LastStatus"] == "STOPPED"
                && out["StoppedReason"] == "done by the test"
                && out["StartedBy"] == "AWS Step Functions"
                && out["Containers"][0]["Name"] == "main"
                && out.get("SdkHttpMetadata").is_none(),
            &out,
        ),
        other => f.push(format!("ecs runTask.sync: {other:?}")),
    }
}

async fn glue_on_moto(clients: &AwsClients, f: &mut Vec<String>) {
    let job = json!({"Name": "etl", "Role": format!("arn:aws:iam::{ACCOUNT}:role/glue"),
                     "Command": {"Name": "glueetl", "ScriptLocation": "s3://scripts/etl.py"}});
    if let Err(e) = clients.sdk_call("glue", "createJob", job).await {
        return f.push(format!("glue createJob: {e}"));
    }
    let engine = engine(clients);
    let params = json!({"JobName": "etl", "Arguments": {"--day": "monday"}});

    let r = run(&engine, "arn:aws:states:::glue:startJobRun", params.clone()).await;
    match output(&r) {
        Ok(out) => check(
            f,
            "glue startJobRun",
            out["JobRunId"].is_string()
                && out["JobName"] == "etl"
                && out["SdkHttpMetadata"]["HttpStatusCode"] == 200,
            &out,
        ),
        Err(e) => f.push(format!("glue startJobRun: {e}")),
    }

    let r = run(
        &engine,
        "arn:aws:states:::glue:startJobRun",
        json!({"JobName": "missing"}),
    )
    .await;
    let (error, cause) = failure(&r);
    check(
        f,
        "glue startJobRun error",
        error == "Glue.EntityNotFoundException"
            && cause.contains(
                "(Service: AWSGlue; Status Code: 400; Error Code: EntityNotFoundException;",
            ),
        (&error, &cause),
    );

    // moto moves its runs from STARTING through RUNNING to SUCCEEDED as they are read.
    let r = run(&engine, "arn:aws:states:::glue:startJobRun.sync", params).await;
    match output(&r) {
        Ok(out) => check(
            f,
            "glue startJobRun.sync result is the run",
            out["JobRunState"] == "SUCCEEDED"
                && out["JobName"] == "etl"
                && out["Id"].is_string()
                && out["Arguments"] == json!({"--day": "monday"})
                && out["StartedOn"].is_i64()
                && out.get("SdkHttpMetadata").is_none(),
            &out,
        ),
        Err(e) => f.push(format!("glue startJobRun.sync: {e}")),
    }
}

async fn batch_on_moto(clients: &AwsClients, f: &mut Vec<String>) {
    let engine = engine(clients);
    let r = run(
        &engine,
        "arn:aws:states:::batch:submitJob",
        json!({"JobName": "j", "JobQueue": "missing", "JobDefinition": "missing"}),
    )
    .await;
    let (error, cause) = failure(&r);
    check(
        f,
        "batch submitJob error",
        error == "Batch.ClientException"
            && cause.starts_with("Error executing request, Exception : ")
            && cause.contains("(Service: AWSBatch; Status Code: 400; Error Code: ClientException;"),
        (&error, &cause),
    );
}

/// A stand-in for a service's API on 127.0.0.1. Each call, named by its action
/// (`X-Amz-Target`'s, or the path's last segment for REST-JSON), is answered with the next
/// answer queued for it, the last one again once only one is left; every request is recorded.
///
/// Written on tokio's own sockets rather than with an HTTP server crate: it reads one request
/// per connection (headers, then `Content-Length` bytes) and closes it, all these tests need.
struct StandIn {
    endpoint: String,
    state: Arc<Mutex<Calls>>,
}

#[derive(Default)]
struct Calls {
    answers: HashMap<String, VecDeque<(u16, Value)>>,
    received: Vec<(String, Value)>,
}

impl StandIn {
    async fn start() -> StandIn {
        let listener = match TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => panic!("no port on 127.0.0.1: {e}"),
        };
        let endpoint = match listener.local_addr() {
            Ok(a) => format!("http://{a}"),
            Err(e) => panic!("{e}"),
        };
        let state = Arc::new(Mutex::new(Calls::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(answer(socket, shared.clone()));
            }
        });
        StandIn { endpoint, state }
    }

    /// Sets the answers (status, body) to calls of `action`, in order.
    fn answer(&self, action: &str, answers: &[(u16, Value)]) {
        let mut calls = self.state.lock().unwrap_or_else(|e| e.into_inner());
        calls
            .answers
            .insert(action.to_owned(), answers.iter().cloned().collect());
    }

    /// The bodies of the requests received for `action`.
    fn received(&self, action: &str) -> Vec<Value> {
        let calls = self.state.lock().unwrap_or_else(|e| e.into_inner());
        calls
            .received
            .iter()
            .filter(|(a, _)| a == action)
            .map(|(_, b)| b.clone())
            .collect()
    }
}

async fn answer(mut socket: tokio::net::TcpStream, state: Arc<Mutex<Calls>>) {
    let mut data = Vec::new();
    let mut buf = [0_u8; 4096];
    let (head, body_at) = loop {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break (String::from_utf8_lossy(&data[..i]).into_owned(), i + 4);
        }
    };
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while data.len() < body_at + length {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
    let body: Value =
        serde_json::from_slice(&data[body_at..body_at + length]).unwrap_or(Value::Null);
    let path = head
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let action = match header("x-amz-target") {
        Some(t) => t.rsplit('.').next().unwrap_or_default().to_owned(),
        None => path.rsplit('/').next().unwrap_or_default().to_owned(),
    };
    let (status, reply) = {
        let mut calls = state.lock().unwrap_or_else(|e| e.into_inner());
        calls.received.push((action.clone(), body));
        let queue = calls.answers.entry(action.clone()).or_default();
        let next = if queue.len() > 1 {
            queue.pop_front()
        } else {
            queue.front().cloned()
        };
        next.unwrap_or_else(|| {
            (
                400,
                json!({"__type": "UnknownOperationException", "message": action}),
            )
        })
    };
    let text = reply.to_string();
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nx-amzn-RequestId: \
         req-1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = socket.write_all(response.as_bytes()).await;
    let _ = socket.shutdown().await;
}

const CLUSTER: &str = "arn:aws:ecs:us-east-1:123456789012:cluster/jobs";
const TASK: &str = "arn:aws:ecs:us-east-1:123456789012:task/jobs/0a1b";

fn ecs_task(status: &str, exit_code: Option<i64>) -> Value {
    let mut container = json!({"name": "main", "lastStatus": status, "taskArn": TASK});
    if let Some(code) = exit_code {
        container["exitCode"] = json!(code);
    }
    json!({"taskArn": TASK, "clusterArn": CLUSTER, "lastStatus": status,
           "createdAt": 1704067200.5, "containers": [container], "tags": [{"key": "k", "value": "v"}]})
}

/// `.sync` ECS: the poll goes on until the task is `STOPPED`; a container's exit code other
/// than 0 fails the state with the described task as cause.
#[tokio::test(start_paused = true)]
async fn ecs_sync_fails_on_an_exit_code() {
    let api = StandIn::start().await;
    api.answer(
        "RunTask",
        &[(
            200,
            json!({"tasks": [ecs_task("PROVISIONING", None)], "failures": []}),
        )],
    );
    api.answer(
        "DescribeTasks",
        &[
            (
                200,
                json!({"tasks": [ecs_task("PENDING", None)], "failures": []}),
            ),
            (
                200,
                json!({"tasks": [ecs_task("RUNNING", None)], "failures": []}),
            ),
            (
                200,
                json!({"tasks": [ecs_task("STOPPED", Some(2))], "failures": []}),
            ),
        ],
    );
    let engine = engine(&clients_at(&api.endpoint));
    let params = json!({"Cluster": "jobs", "TaskDefinition": "work",
        "Overrides": {"ContainerOverrides": [{"Name": "main", "Command": ["run"]}]}});
    let r = run(&engine, "arn:aws:states:::ecs:runTask.sync", params).await;
    let (error, cause) = failure(&r);
    assert_eq!(error, "States.TaskFailed");
    let described = json_of(&cause);
    assert_eq!(described["LastStatus"], "STOPPED", "{cause}");
    assert_eq!(described["Containers"][0]["ExitCode"], 2);
    assert_eq!(described["CreatedAt"], 1704067200500_i64);
    assert_eq!(described["Tags"], json!([{"Key": "k", "Value": "v"}]));
    assert_eq!(api.received("DescribeTasks").len(), 3);
    assert_eq!(
        api.received("DescribeTasks")[0],
        json!({"cluster": CLUSTER, "tasks": [TASK]})
    );
    // The request as ECS takes it: camelCase, marked as started by Step Functions.
    let sent = &api.received("RunTask")[0];
    assert_eq!(sent["taskDefinition"], "work");
    assert_eq!(
        sent["overrides"]["containerOverrides"][0]["command"],
        json!(["run"])
    );
    assert_eq!(sent["startedBy"], "AWS Step Functions");
}

/// `.sync` ECS with `Failures` in RunTask's answer fails at once with `AmazonECS.Unknown`.
#[tokio::test(start_paused = true)]
async fn ecs_sync_fails_on_run_task_failures() {
    let api = StandIn::start().await;
    let failures = json!([{"arn": "arn:aws:ecs:us-east-1:123456789012:container-instance/x",
                           "reason": "RESOURCE:MEMORY"}]);
    api.answer(
        "RunTask",
        &[(200, json!({"tasks": [], "failures": failures}))],
    );
    let engine = engine(&clients_at(&api.endpoint));
    let r = run(
        &engine,
        "arn:aws:states:::ecs:runTask.sync",
        json!({"TaskDefinition": "work"}),
    )
    .await;
    let (error, cause) = failure(&r);
    assert_eq!(error, "AmazonECS.Unknown");
    assert_eq!(
        json_of(&cause)["Failures"][0]["Reason"],
        "RESOURCE:MEMORY",
        "{cause}"
    );
    assert!(api.received("DescribeTasks").is_empty());
}

/// `.sync` ECS succeeding: the result is the stopped task, PascalCase, times in milliseconds.
#[tokio::test(start_paused = true)]
async fn ecs_sync_succeeds_with_the_described_task() {
    let api = StandIn::start().await;
    api.answer(
        "RunTask",
        &[(
            200,
            json!({"tasks": [ecs_task("PROVISIONING", None)], "failures": []}),
        )],
    );
    api.answer(
        "DescribeTasks",
        &[
            (
                200,
                json!({"tasks": [ecs_task("RUNNING", None)], "failures": []}),
            ),
            (
                200,
                json!({"tasks": [ecs_task("STOPPED", Some(0))], "failures": []}),
            ),
        ],
    );
    let engine = engine(&clients_at(&api.endpoint));
    let r = run(
        &engine,
        "arn:aws:states:::ecs:runTask.sync",
        json!({"TaskDefinition": "work"}),
    )
    .await;
    let out = output(&r).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out["TaskArn"], TASK);
    assert_eq!(out["Containers"][0]["ExitCode"], 0);
    assert_eq!(out["CreatedAt"], 1704067200500_i64);
    assert!(out.get("SdkHttpMetadata").is_none());
    // AWS's events for a `.sync` job: the start call's answer is the submission.
    let types: Vec<&str> = r.history.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    let submitted = r.history[4].to_aws_json();
    let details = &submitted["taskSubmittedEventDetails"];
    assert_eq!(details["resourceType"], "ecs");
    assert_eq!(details["resource"], "runTask.sync");
    let answer = json_of(details["output"].as_str().unwrap_or_default());
    assert_eq!(answer["Tasks"][0]["TaskArn"], TASK);
    assert_eq!(answer["Tasks"][0]["LastStatus"], "PROVISIONING");
    assert!(answer.get("SdkHttpMetadata").is_some(), "{answer}");
}

/// A `.sync` job started before the engine stopped is followed, not started again, by the
/// engine that resumes the execution from the store (real clock: the store commits on a thread
/// of its own).
#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_sync_task_follows_the_job_it_started() {
    use sfn_runtime::store::{sqlite::SqliteStore, Durability, HistoryQuery};
    let api = StandIn::start().await;
    api.answer(
        "RunTask",
        &[(
            200,
            json!({"tasks": [ecs_task("PROVISIONING", None)], "failures": []}),
        )],
    );
    api.answer(
        "DescribeTasks",
        &[(
            200,
            json!({"tasks": [ecs_task("RUNNING", None)], "failures": []}),
        )],
    );
    let dir = std::env::temp_dir().join(format!("sfn-jobs-resume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let path = dir.join("store.db");
    let clients = clients_at(&api.endpoint);
    let open = |clients: AwsClients| {
        let store = SqliteStore::open(&path, Durability::Process).expect("the store opens");
        engine(&clients).with_store(store)
    };
    let first = open(clients.clone());
    first.recover().await.expect("recovers");
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:states:::ecs:runTask.sync",
        "Parameters": {"TaskDefinition": "work"}, "End": true}}});
    let arn = first
        .create_state_machine("job", &definition.to_string())
        .await
        .expect("created");
    let started = first
        .start_standard_execution(&arn, "run-1", json!({}))
        .await
        .expect("starts");
    let types = |engine: Engine, execution: String| async move {
        let page = engine
            .get_execution_history(&execution, HistoryQuery::default())
            .await
            .expect("readable");
        page.items
            .iter()
            .filter_map(|e| e["type"].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let mut submitted = false;
    for _ in 0..3000 {
        let seen = types(first.clone(), started.execution_arn.clone()).await;
        if seen.iter().any(|t| t == "TaskSubmitted") {
            submitted = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(submitted, "the job's start is recorded");
    first.halt();
    drop(first);

    api.answer(
        "DescribeTasks",
        &[(
            200,
            json!({"tasks": [ecs_task("STOPPED", Some(0))], "failures": []}),
        )],
    );
    let second = open(clients);
    let mut resumed = second.recover().await.expect("recovers");
    assert_eq!(resumed.len(), 1, "the execution resumes");
    let ends = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        resumed.remove(0).result(),
    );
    let result = ends
        .await
        .expect("the resumed task follows its job to the end")
        .expect("ends");
    let out = output(&result).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out["TaskArn"], TASK);
    assert_eq!(out["LastStatus"], "STOPPED");
    assert_eq!(api.received("RunTask").len(), 1, "one job, not a second");
    let described = api.received("DescribeTasks");
    assert!(!described.is_empty());
    assert_eq!(
        described.last().map(|d| d["tasks"][0].clone()),
        Some(json!(TASK))
    );
    let seen = types(second.clone(), started.execution_arn.clone()).await;
    let count = |t: &str| seen.iter().filter(|s| *s == t).count();
    assert_eq!(count("TaskSubmitted"), 1, "{seen:?}");
    assert_eq!(count("TaskSucceeded"), 1, "{seen:?}");
    drop(second);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A `.sync` task that times out stops its job: ECS StopTask, Batch TerminateJob, Glue
/// BatchStopJobRun, each naming the job the state started.
#[tokio::test(start_paused = true)]
async fn a_sync_task_that_ends_early_stops_its_job() {
    let api = StandIn::start().await;
    api.answer(
        "RunTask",
        &[(
            200,
            json!({"tasks": [ecs_task("PROVISIONING", None)], "failures": []}),
        )],
    );
    api.answer(
        "DescribeTasks",
        &[(
            200,
            json!({"tasks": [ecs_task("RUNNING", None)], "failures": []}),
        )],
    );
    api.answer(
        "StopTask",
        &[(200, json!({"task": ecs_task("STOPPING", None)}))],
    );
    api.answer("submitjob", &[(200, json!({"jobArn": "arn:aws:batch:us-east-1:123456789012:job/b1", "jobName": "j", "jobId": "b1"}))]);
    api.answer(
        "describejobs",
        &[(
            200,
            json!({"jobs": [{"jobId": "b1", "jobName": "j", "status": "RUNNING"}]}),
        )],
    );
    api.answer("terminatejob", &[(200, json!({}))]);
    api.answer("StartJobRun", &[(200, json!({"JobRunId": "jr_1"}))]);
    api.answer(
        "GetJobRun",
        &[(
            200,
            json!({"JobRun": {"Id": "jr_1", "JobRunState": "RUNNING"}}),
        )],
    );
    api.answer("BatchStopJobRun", &[(200, json!({"SuccessfulSubmissions": [{"JobName": "etl", "JobRunId": "jr_1"}], "Errors": []}))]);
    let engine = engine(&clients_at(&api.endpoint));
    let cases = [
        (
            "arn:aws:states:::ecs:runTask.sync",
            json!({"TaskDefinition": "work"}),
        ),
        (
            "arn:aws:states:::batch:submitJob.sync",
            json!({"JobName": "j", "JobQueue": "q", "JobDefinition": "d"}),
        ),
        (
            "arn:aws:states:::glue:startJobRun.sync",
            json!({"JobName": "etl"}),
        ),
    ];
    for (resource, params) in cases {
        let m = machine(resource, params, json!({"TimeoutSeconds": 30}));
        let r = engine
            .start_sync_execution(m, json!({}), ExecutionConfig::new("m", "timeout"))
            .await;
        assert_eq!(failure(&r).0, "States.Timeout", "{resource}");
    }
    // The stop calls run on their own once the state has ended.
    for _ in 0..100 {
        if !api.received("BatchStopJobRun").is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let stop = api.received("StopTask");
    assert_eq!(stop.len(), 1);
    assert_eq!(stop[0]["cluster"], CLUSTER);
    assert_eq!(stop[0]["task"], TASK);
    assert!(stop[0]["reason"].is_string());
    assert_eq!(api.received("terminatejob")[0]["jobId"], "b1");
    assert_eq!(
        api.received("BatchStopJobRun"),
        vec![json!({"JobName": "etl", "JobRunIds": ["jr_1"]})]
    );
}

fn batch_job(status: &str) -> Value {
    json!({"jobArn": "arn:aws:batch:us-east-1:123456789012:job/b1", "jobName": "j", "jobId": "b1",
           "jobQueue": "q", "status": status, "createdAt": 1704067200123_i64,
           "parameters": {"inputKey": "a"}, "container": {"exitCode": 1, "environment": []}})
}

/// Batch: request-response answers SubmitJob's members; `.sync` polls DescribeJobs and fails
/// on `FAILED` with the described job as cause, or succeeds with it.
#[tokio::test(start_paused = true)]
async fn batch_patterns() {
    let api = StandIn::start().await;
    let submitted = json!({"jobArn": "arn:aws:batch:us-east-1:123456789012:job/b1", "jobName": "j", "jobId": "b1"});
    api.answer("submitjob", &[(200, submitted)]);
    api.answer(
        "describejobs",
        &[
            (200, json!({"jobs": [batch_job("RUNNABLE")]})),
            (200, json!({"jobs": [batch_job("RUNNING")]})),
            (200, json!({"jobs": [batch_job("FAILED")]})),
        ],
    );
    let engine = engine(&clients_at(&api.endpoint));
    let params = json!({"JobName": "j", "JobQueue": "q", "JobDefinition": "d",
                        "Parameters": {"inputKey": "a"}});

    let r = run(&engine, "arn:aws:states:::batch:submitJob", params.clone()).await;
    let out = output(&r).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out["JobId"], "b1");
    assert_eq!(out["JobName"], "j");
    assert_eq!(out["SdkHttpMetadata"]["HttpStatusCode"], 200);
    let sent = &api.received("submitjob")[0];
    assert_eq!(
        sent,
        &json!({"jobName": "j", "jobQueue": "q", "jobDefinition": "d",
                             "parameters": {"inputKey": "a"}})
    );

    let r = run(
        &engine,
        "arn:aws:states:::batch:submitJob.sync",
        params.clone(),
    )
    .await;
    let (error, cause) = failure(&r);
    assert_eq!(error, "States.TaskFailed");
    let described = json_of(&cause);
    assert_eq!(described["Status"], "FAILED", "{cause}");
    assert_eq!(described["Parameters"], json!({"inputKey": "a"}));
    assert_eq!(described["Container"]["ExitCode"], 1);
    assert_eq!(api.received("describejobs").len(), 3);
    assert_eq!(
        api.received("submitjob")[1]["containerOverrides"]["environment"],
        json!([{"name": "MANAGED_BY_AWS", "value": "STARTED_BY_STEP_FUNCTIONS"}])
    );

    api.answer(
        "describejobs",
        &[(200, json!({"jobs": [batch_job("SUCCEEDED")]}))],
    );
    let r = run(&engine, "arn:aws:states:::batch:submitJob.sync", params).await;
    let out = output(&r).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out["Status"], "SUCCEEDED");
    assert_eq!(out["CreatedAt"], 1704067200123_i64);
    assert!(out.get("SdkHttpMetadata").is_none());
}

/// Glue `.sync` fails on a run that ends `FAILED`, `TIMEOUT` or `ERROR`.
#[tokio::test(start_paused = true)]
async fn glue_sync_fails_on_a_failed_run() {
    let api = StandIn::start().await;
    api.answer("StartJobRun", &[(200, json!({"JobRunId": "jr_1"}))]);
    let run_in = |state: &str| {
        json!({"JobRun": {"Id": "jr_1", "JobName": "etl", "JobRunState": state,
        "StartedOn": 1704067200.0, "ErrorMessage": "boom"}})
    };
    api.answer(
        "GetJobRun",
        &[(200, run_in("RUNNING")), (200, run_in("FAILED"))],
    );
    let engine = engine(&clients_at(&api.endpoint));
    let r = run(
        &engine,
        "arn:aws:states:::glue:startJobRun.sync",
        json!({"JobName": "etl"}),
    )
    .await;
    let (error, cause) = failure(&r);
    assert_eq!(error, "States.TaskFailed");
    let described = json_of(&cause);
    assert_eq!(described["JobRunState"], "FAILED", "{cause}");
    assert_eq!(described["JobName"], "etl");
    assert_eq!(described["StartedOn"], 1704067200000_i64);
    assert_eq!(
        api.received("GetJobRun")[0],
        json!({"JobName": "etl", "RunId": "jr_1"})
    );
}

/// `.waitForTaskToken`: the start call's answer is the submission; the result comes with the
/// token the job received.
#[tokio::test(start_paused = true)]
async fn ecs_and_batch_wait_for_their_token() {
    let api = StandIn::start().await;
    api.answer(
        "RunTask",
        &[(
            200,
            json!({"tasks": [ecs_task("PROVISIONING", None)], "failures": []}),
        )],
    );
    api.answer(
        "submitjob",
        &[(200, json!({"jobArn": "a", "jobName": "j", "jobId": "b1"}))],
    );
    let engine = engine(&clients_at(&api.endpoint));
    let cases = [
        (
            "arn:aws:states:::ecs:runTask.waitForTaskToken",
            "RunTask",
            json!({"TaskDefinition": "work", "Overrides": {"ContainerOverrides": [{"Name": "main",
                "Environment": [{"Name": "TOKEN", "Value.$": "$$.Task.Token"}]}]}}),
            "/overrides/containerOverrides/0/environment/0/value",
        ),
        (
            "arn:aws:states:::batch:submitJob.waitForTaskToken",
            "submitjob",
            json!({"JobName": "j", "JobQueue": "q", "JobDefinition": "d",
                   "Parameters": {"Token.$": "$$.Task.Token"}}),
            "/parameters/Token",
        ),
    ];
    for (i, (resource, action, params, pointer)) in cases.into_iter().enumerate() {
        let handle = engine.start_execution(
            machine(resource, params, json!({})),
            json!({}),
            ExecutionConfig::new("m", &format!("cb{i}")),
        );
        let mut token = None;
        for _ in 0..100 {
            token = api.received(action).last().and_then(|b| {
                b.pointer(pointer)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            });
            if token.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let token = token.unwrap_or_else(|| panic!("{resource}: no token reached the service"));
        if i == 0 {
            let sent = engine.send_task_success(&token, json!({"exit": 0})).await;
            assert!(sent.is_ok(), "{sent:?}");
            let r = handle.result().await.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(output(&r), Ok(json!({"exit": 0})));
        } else {
            let sent = engine
                .send_task_failure(&token, Some("Job.Failed".into()), Some("bad input".into()))
                .await;
            assert!(sent.is_ok(), "{sent:?}");
            let r = handle.result().await.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(failure(&r), ("Job.Failed".into(), "bad input".into()));
        }
    }
}
