//! The job integrations: `ecs:runTask`, `batch:submitJob` and `glue:startJobRun`, in every
//! pattern AWS offers for them (Glue has no `.waitForTaskToken`).
//!
//! - Request-response and the `.waitForTaskToken` submission: the start call's answer as the
//!   Java SDK v1 object (PascalCase, see [`job_shapes`](super::job_shapes)) with the
//!   `SdkHttpMetadata` and `SdkResponseMetadata` blocks; Glue's also names the `JobName`.
//! - `.sync`: the job is described until it ends (ECS `DescribeTasks` until the task is
//!   `STOPPED`, Batch `DescribeJobs` until `SUCCEEDED` or `FAILED`, Glue `GetJobRun` until
//!   `SUCCEEDED`, `STOPPED`, `FAILED`, `TIMEOUT` or `ERROR`); the result is the described task,
//!   job or run. A job that ends badly fails the state with `States.TaskFailed` and the
//!   described job as cause. A `.sync` ECS task sets `StartedBy` to `AWS Step Functions` and a
//!   `.sync` Batch job gets `MANAGED_BY_AWS=STARTED_BY_STEP_FUNCTIONS` in its environment, as
//!   Step Functions does.
//! - `.sync` records `TaskSubmitted` with the start call's answer once the job has started, as
//!   AWS does; a driver that resumes the execution after a restart follows that job (it
//!   describes it, and stops it if the task is stopped) rather than start another one.
//! - Stopping the task while it waits (the execution stopped, the state timed out, a parallel
//!   branch failed) stops the job: ECS `StopTask`, Batch `TerminateJob`, Glue
//!   `BatchStopJobRun`.
//!
//! AWS learns of ECS and Batch ends through EventBridge (its managed rules) and does not
//! document a polling interval; here the job is described after 1 s, then twice as long each
//! time up to every 10 s, on the engine's clock (`tokio::time`), so a test with a paused clock
//! does not wait.

use std::time::Duration;

use aws_sigv4::http_request::SigningSettings;
use serde_json::{json, Map, Value};
use sfn_asl::error::STATES_TASK_FAILED;
use sfn_asl::resource::{Integration, IntegrationPattern, Service};

use super::errors::ServiceError;
use super::http;
use super::job_shapes::{from_wire, to_wire};
use super::response::RawResponse;
use super::sdk::{json_call, CallError};
use super::services::{ServiceSpec, BATCH, ECS, GLUE};
use super::AwsClients;
use crate::resources::TaskError;

/// The first wait before a job is described, and the longest.
const FIRST_POLL: Duration = Duration::from_secs(1);
const LAST_POLL: Duration = Duration::from_secs(10);

/// The reason given to the service when a stopped task stops its job.
const STOP_REASON: &str = "The Step Functions task waiting for this job was stopped.";

/// Whether `service:action` with `pattern` is a job integration this module runs.
pub(crate) fn supports(service: &Service, action: &str, pattern: IntegrationPattern) -> bool {
    use IntegrationPattern::{RequestResponse, Sync, WaitForTaskToken};
    match (service, action) {
        (Service::Ecs, "runTask") | (Service::Batch, "submitJob") => {
            matches!(pattern, RequestResponse | Sync | WaitForTaskToken)
        }
        (Service::Glue, "startJobRun") => matches!(pattern, RequestResponse | Sync),
        _ => false,
    }
}

/// A started job, as its describe and stop calls name it.
#[derive(Debug, Clone)]
enum Job {
    EcsTask { cluster: String, task: String },
    Batch { id: String },
    GlueRun { job_name: String, run_id: String },
}

/// Runs a job integration.
pub(crate) async fn call(
    clients: &AwsClients,
    call: &Integration,
    params: Value,
) -> Result<Value, TaskError> {
    let sync = call.pattern == IntegrationPattern::Sync;
    if !supports(&call.service, &call.action, call.pattern) {
        return Err(TaskError::new(
            "States.Runtime",
            format!(
                "the integration '{}:{}{}' is not supported; AWS offers ecs:runTask and \
                 batch:submitJob as request-response, .sync and .waitForTaskToken, and \
                 glue:startJobRun as request-response and .sync",
                call.service,
                call.action,
                call.pattern.suffix()
            ),
        ));
    }
    let (submission, job) = match crate::resources::resumed_submission().filter(|_| sync) {
        // Started before a restart: follow that job.
        Some(submission) => {
            let job = job_of(&call.service, &submission);
            (submission, job)
        }
        None => {
            let (submission, job) = match call.service {
                Service::Ecs => run_task(clients, params, sync).await?,
                Service::Batch => submit_job(clients, params, sync).await?,
                _ => start_job_run(clients, params).await?,
            };
            if !sync {
                return Ok(submission);
            }
            crate::resources::report_submission(&submission);
            (submission, job)
        }
    };
    let Some(job) = job else {
        return Err(TaskError::new(
            "States.Runtime",
            format!(
                "the {} answer names no job to follow: {submission}",
                call.service
            ),
        ));
    };
    let mut guard = StopOnDrop {
        clients: clients.clone(),
        job: Some(job.clone()),
    };
    let result = wait_for_end(clients, &job).await;
    guard.job = None;
    result
}

/// The job a `.sync` task's submission (its `TaskSubmitted` output) started.
fn job_of(service: &Service, submission: &Value) -> Option<Job> {
    match service {
        Service::Ecs => Some(Job::EcsTask {
            cluster: text(submission, "/Tasks/0/ClusterArn")?,
            task: text(submission, "/Tasks/0/TaskArn")?,
        }),
        Service::Batch => Some(Job::Batch {
            id: text(submission, "/JobId")?,
        }),
        _ => Some(Job::GlueRun {
            job_name: text(submission, "/JobName")?,
            run_id: text(submission, "/JobRunId")?,
        }),
    }
}

/// The answer's body with the metadata blocks, and the body alone.
fn submission(spec: &ServiceSpec, response: &RawResponse) -> Result<(Value, Value), TaskError> {
    let body = from_wire(&spec.model, response.json()?);
    let mut result = match body.clone() {
        Value::Object(m) => m,
        other => Map::from_iter([("Result".to_owned(), other)]),
    };
    response.add_metadata(&mut result);
    Ok((Value::Object(result), body))
}

fn text(value: &Value, pointer: &str) -> Option<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `ecs:runTask`. With `.sync`, a `Failures` entry fails the state (`AmazonECS.Unknown`, with
/// the answer as cause), as the integration documents.
async fn run_task(
    clients: &AwsClients,
    params: Value,
    sync: bool,
) -> Result<(Value, Option<Job>), TaskError> {
    let mut params = to_wire(&ECS.model, params);
    if let (true, Some(p)) = (sync, params.as_object_mut()) {
        p.insert("startedBy".into(), "AWS Step Functions".into());
    }
    let response = json_call(clients, &ECS, "RunTask", &params)
        .await
        .map_err(|e| optimized_error(&ECS, e))?;
    let (result, body) = submission(&ECS, &response)?;
    let failed = body
        .get("Failures")
        .and_then(Value::as_array)
        .is_some_and(|f| !f.is_empty());
    if sync && failed {
        return Err(TaskError::new("AmazonECS.Unknown", body.to_string()));
    }
    let job = match (
        text(&body, "/Tasks/0/ClusterArn"),
        text(&body, "/Tasks/0/TaskArn"),
    ) {
        (Some(cluster), Some(task)) => Some(Job::EcsTask { cluster, task }),
        _ => None,
    };
    Ok((result, job))
}

/// `batch:submitJob` (`POST /v1/submitjob`).
async fn submit_job(
    clients: &AwsClients,
    params: Value,
    sync: bool,
) -> Result<(Value, Option<Job>), TaskError> {
    let mut params = to_wire(&BATCH.model, params);
    if sync {
        mark_managed(&mut params);
    }
    let response = rest_json(clients, &BATCH, "/v1/submitjob", &params).await?;
    let (result, body) = submission(&BATCH, &response)?;
    let job = text(&body, "/JobId").map(|id| Job::Batch { id });
    Ok((result, job))
}

/// Adds `MANAGED_BY_AWS=STARTED_BY_STEP_FUNCTIONS` to the job's container environment.
fn mark_managed(params: &mut Value) {
    let Some(p) = params.as_object_mut() else {
        return;
    };
    let overrides = p.entry("containerOverrides").or_insert_with(|| json!({}));
    let Some(overrides) = overrides.as_object_mut() else {
        return;
    };
    let environment = overrides.entry("environment").or_insert_with(|| json!([]));
    if let Some(list) = environment.as_array_mut() {
        list.push(json!({"name": "MANAGED_BY_AWS", "value": "STARTED_BY_STEP_FUNCTIONS"}));
    }
}

/// `glue:startJobRun`: the answer names only the run; Step Functions adds the `JobName`.
async fn start_job_run(
    clients: &AwsClients,
    params: Value,
) -> Result<(Value, Option<Job>), TaskError> {
    let params = to_wire(&GLUE.model, params);
    let job_name = text(&params, "/JobName").unwrap_or_default();
    let response = json_call(clients, &GLUE, "StartJobRun", &params)
        .await
        .map_err(|e| optimized_error(&GLUE, e))?;
    let (mut result, body) = submission(&GLUE, &response)?;
    if let Some(r) = result.as_object_mut() {
        r.insert("JobName".into(), job_name.clone().into());
    }
    let job = text(&body, "/JobRunId").map(|run_id| Job::GlueRun { job_name, run_id });
    Ok((result, job))
}

/// Describes `job` until it ends: its description, or `States.TaskFailed` with it as cause.
async fn wait_for_end(clients: &AwsClients, job: &Job) -> Result<Value, TaskError> {
    let mut delay = FIRST_POLL;
    loop {
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(LAST_POLL);
        match describe(clients, job).await? {
            End::Running => {}
            End::Succeeded(result) => return Ok(result),
            End::Failed(described) => {
                return Err(TaskError::new(STATES_TASK_FAILED, described.to_string()))
            }
        }
    }
}

enum End {
    Running,
    Succeeded(Value),
    Failed(Value),
}

async fn describe(clients: &AwsClients, job: &Job) -> Result<End, TaskError> {
    match job {
        Job::EcsTask { cluster, task } => {
            let params = json!({"cluster": cluster, "tasks": [task]});
            let response = json_call(clients, &ECS, "DescribeTasks", &params)
                .await
                .map_err(|e| optimized_error(&ECS, e))?;
            let body = from_wire(&ECS.model, response.json()?);
            let Some(described) = body.pointer("/Tasks/0").cloned() else {
                // The task is gone (ECS forgets stopped tasks after about an hour).
                return Ok(End::Failed(body));
            };
            Ok(match text(&described, "/LastStatus").as_deref() {
                Some("STOPPED") if ecs_task_failed(&described) => End::Failed(described),
                Some("STOPPED") => End::Succeeded(described),
                _ => End::Running,
            })
        }
        Job::Batch { id } => {
            let params = json!({"jobs": [id]});
            let response = rest_json(clients, &BATCH, "/v1/describejobs", &params).await?;
            let body = from_wire(&BATCH.model, response.json()?);
            let Some(described) = body.pointer("/Jobs/0").cloned() else {
                return Ok(End::Failed(body));
            };
            Ok(match text(&described, "/Status").as_deref() {
                Some("SUCCEEDED") => End::Succeeded(described),
                Some("FAILED") => End::Failed(described),
                _ => End::Running,
            })
        }
        Job::GlueRun { job_name, run_id } => {
            let params = json!({"JobName": job_name, "RunId": run_id});
            let response = json_call(clients, &GLUE, "GetJobRun", &params)
                .await
                .map_err(|e| optimized_error(&GLUE, e))?;
            let body = from_wire(&GLUE.model, response.json()?);
            let Some(mut run) = body.get("JobRun").cloned() else {
                return Ok(End::Failed(body));
            };
            // Step Functions names the job in the run it reports.
            if let Some(r) = run.as_object_mut() {
                r.insert("JobName".into(), job_name.clone().into());
            }
            Ok(match text(&run, "/JobRunState").as_deref() {
                Some("SUCCEEDED" | "STOPPED") => End::Succeeded(run),
                Some("FAILED" | "TIMEOUT" | "ERROR") => End::Failed(run),
                _ => End::Running,
            })
        }
    }
}

/// A stopped ECS task failed when it never started or a container exited with a code other
/// than 0.
fn ecs_task_failed(task: &Value) -> bool {
    if task.get("StopCode").and_then(Value::as_str) == Some("TaskFailedToStart") {
        return true;
    }
    task.get("Containers")
        .and_then(Value::as_array)
        .is_some_and(|containers| {
            containers.iter().any(|c| {
                c.get("ExitCode")
                    .and_then(Value::as_i64)
                    .is_some_and(|code| code != 0)
            })
        })
}

/// Stops the job of a `.sync` task dropped before the job ended: the execution stopped, the
/// state timed out, or a sibling branch failed. The stop call runs on its own, as the task that
/// would have waited for it is gone.
struct StopOnDrop {
    clients: AwsClients,
    job: Option<Job>,
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let Some(job) = self.job.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let clients = self.clients.clone();
        runtime.spawn(async move {
            if let Err(e) = stop(&clients, &job).await {
                tracing::warn!(?job, error = %e, "the job of a stopped task could not be stopped");
            }
        });
    }
}

async fn stop(clients: &AwsClients, job: &Job) -> Result<(), TaskError> {
    match job {
        Job::EcsTask { cluster, task } => {
            let params = json!({"cluster": cluster, "task": task, "reason": STOP_REASON});
            json_call(clients, &ECS, "StopTask", &params)
                .await
                .map_err(|e| optimized_error(&ECS, e))?;
        }
        Job::Batch { id } => {
            let params = json!({"jobId": id, "reason": STOP_REASON});
            rest_json(clients, &BATCH, "/v1/terminatejob", &params).await?;
        }
        Job::GlueRun { job_name, run_id } => {
            let params = json!({"JobName": job_name, "JobRunIds": [run_id]});
            json_call(clients, &GLUE, "BatchStopJobRun", &params)
                .await
                .map_err(|e| optimized_error(&GLUE, e))?;
        }
    }
    Ok(())
}

/// A REST-JSON call (`POST <path>` with the members as JSON): the answer, or the service's
/// error named as the optimized integration names it.
async fn rest_json(
    clients: &AwsClients,
    spec: &'static ServiceSpec,
    path: &str,
    params: &Value,
) -> Result<RawResponse, TaskError> {
    let client = clients.client(spec).await?;
    let uri = format!("{}{path}", client.endpoint);
    let headers = [("content-type", "application/json")];
    let body = params.to_string().into_bytes();
    let settings = SigningSettings::default();
    let response = http::signed(clients, &client, "POST", &uri, &headers, body, settings).await?;
    if (200..300).contains(&response.status) {
        Ok(response)
    } else {
        Err(batch_error(&ServiceError::from_json(&response)))
    }
}

fn optimized_error(spec: &ServiceSpec, e: CallError) -> TaskError {
    match e {
        CallError::Service(e) => e.optimized(spec),
        CallError::Local(e) => e,
    }
}

/// Batch's errors as Step Functions reports them: the Java SDK v1's name, and a cause that
/// quotes the request's failure before the usual details.
fn batch_error(e: &ServiceError) -> TaskError {
    let named = e.optimized(&BATCH);
    TaskError::new(
        named.error,
        format!(
            "Error executing request, Exception : {}, RequestId: {} (Service: {}; Status Code: \
             {}; Error Code: {}; Request ID: {}; Proxy: null)",
            e.message, e.request_id, BATCH.v1_service, e.status, e.code, e.request_id
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_follow_aws() {
        use IntegrationPattern::*;
        assert!(supports(&Service::Ecs, "runTask", WaitForTaskToken));
        assert!(supports(&Service::Batch, "submitJob", Sync));
        assert!(supports(&Service::Glue, "startJobRun", Sync));
        assert!(!supports(&Service::Glue, "startJobRun", WaitForTaskToken));
        assert!(!supports(&Service::Ecs, "runTask", Sync2));
        assert!(!supports(&Service::Ecs, "stopTask", RequestResponse));
    }

    #[test]
    fn a_stopped_ecs_task_fails_on_a_nonzero_exit_code() {
        let ok = json!({"LastStatus": "STOPPED", "Containers": [{"ExitCode": 0}]});
        assert!(!ecs_task_failed(&ok));
        let bad = json!({"Containers": [{"ExitCode": 0}, {"ExitCode": 137}]});
        assert!(ecs_task_failed(&bad));
        assert!(ecs_task_failed(&json!({"StopCode": "TaskFailedToStart"})));
    }

    #[test]
    fn sync_batch_jobs_are_marked_as_started_by_step_functions() {
        let mut p = json!({"jobName": "j", "containerOverrides": {"environment": [{"name": "A", "value": "1"}]}});
        mark_managed(&mut p);
        assert_eq!(
            p["containerOverrides"]["environment"][1],
            json!({"name": "MANAGED_BY_AWS", "value": "STARTED_BY_STEP_FUNCTIONS"})
        );
        let mut p = json!({"jobName": "j"});
        mark_managed(&mut p);
        assert_eq!(
            p["containerOverrides"]["environment"][0]["name"],
            json!("MANAGED_BY_AWS")
        );
    }
}
