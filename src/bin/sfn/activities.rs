//! Activities on a store file, named and flagged as the AWS CLI's `aws stepfunctions`
//! commands: `create-activity` (with `--tags`, see [`crate::tags`]), `describe-activity`,
//! `list-activities`, `delete-activity` and `get-activity-task`. Creating, deleting and taking a task go to the engine that drives the
//! store (this process, or the `sfn worker` holding it); describing and listing read the file.

use std::io::Write;

use serde_json::{json, Map, Value};
use sfn_runtime::store::{ActivityRecord, Store};

use crate::cli::{print_json, BadInvocation, Outcome, SUCCESS};
use crate::stored::{date, respond, ApiError, Request, StoreArg, TaskArgs};

/// Create an activity for workers to poll (`CreateActivity`).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Prints {\"activityArn\": ..., \"creationDate\": ...}. Creating an activity \
again under the same name returns it as it was created, its tags unchanged (a later request's \
--tags are ignored, as on AWS)."
)]
pub(crate) struct CreateActivityArgs {
    /// The activity's name: 1 to 80 characters, no whitespace, brackets, wildcards or
    /// special characters.
    #[arg(long, value_name = "NAME")]
    name: String,
    /// Its tags: key=K,value=V [key=K2,value=V2 ...], or the JSON list
    /// [{"key": "K", "value": "V"}] (inline or file://PATH).
    #[arg(long, value_name = "TAGS", num_args = 1..)]
    tags: Vec<String>,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    tasks: TaskArgs,
}

pub(crate) fn create_activity(
    args: CreateActivityArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let request = Request::CreateActivity {
        name: args.name,
        tags: crate::tags::parse_tags(&args.tags)?,
    };
    respond(&args.store, &args.tasks, request, out, err)
}

/// Describe an activity (`DescribeActivity`).
#[derive(Debug, clap::Args)]
pub(crate) struct DescribeActivityArgs {
    /// The activity's ARN.
    #[arg(long, value_name = "ARN")]
    activity_arn: String,
    #[command(flatten)]
    store: StoreArg,
}

pub(crate) fn describe_activity(
    args: DescribeActivityArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    if let Err(e) = check_arn(&args.activity_arn) {
        return Ok(e.print("DescribeActivity", err));
    }
    let store = args.store.open_to_read()?;
    match store.activity(&args.activity_arn) {
        Ok(Some(record)) => {
            print_json(out, &Value::Object(item(&record)));
            Ok(SUCCESS)
        }
        Ok(None) => Ok(missing(&args.activity_arn).print("DescribeActivity", err)),
        Err(e) => Err(BadInvocation(e.to_string())),
    }
}

/// List the store's activities (`ListActivities`), in creation order.
#[derive(Debug, clap::Args)]
#[command(after_help = "Prints {\"activities\": [...], \"nextToken\": ...}.")]
pub(crate) struct ListActivitiesArgs {
    /// At most this many (1 to 1000) [default: 100].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    max_results: Option<u16>,
    /// The nextToken of the previous page.
    #[arg(long, value_name = "TOKEN")]
    next_token: Option<String>,
    #[command(flatten)]
    store: StoreArg,
}

pub(crate) fn list_activities(
    args: ListActivitiesArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    if let Some(t) = args
        .next_token
        .as_deref()
        .filter(|t| t.parse::<u64>().is_err())
    {
        let e = ApiError::new(
            "InvalidToken",
            format!("`{t}` is not a nextToken of list-activities; pass the one it printed"),
        );
        return Ok(e.print("ListActivities", err));
    }
    let store = args.store.open_to_read()?;
    let page = store
        .activities(args.max_results.map_or(100, usize::from), args.next_token)
        .map_err(|e| BadInvocation(e.to_string()))?;
    let items: Vec<Value> = page.items.iter().map(|r| Value::Object(item(r))).collect();
    let mut m = Map::new();
    m.insert("activities".into(), items.into());
    if let Some(next) = page.next {
        m.insert("nextToken".into(), next.into());
    }
    print_json(out, &Value::Object(m));
    Ok(SUCCESS)
}

/// Delete an activity (`DeleteActivity`).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Prints nothing. Tasks already scheduled on the activity stay scheduled: no \
worker can take them until an activity of that name is created again (they end by their \
TimeoutSeconds, their execution's timeout, or `sfn stop`). Deleting an activity that does not \
exist succeeds, as on AWS."
)]
pub(crate) struct DeleteActivityArgs {
    /// The activity's ARN.
    #[arg(long, value_name = "ARN")]
    activity_arn: String,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    tasks: TaskArgs,
}

pub(crate) fn delete_activity(
    args: DeleteActivityArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let request = Request::DeleteActivity {
        activity_arn: args.activity_arn,
    };
    respond(&args.store, &args.tasks, request, out, err)
}

/// Take the oldest task of an activity, waiting up to 60 s for one (`GetActivityTask`).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Prints {\"taskToken\": ..., \"input\": ...} (the input as JSON text), or \
nothing when no task came within 60 seconds. Answer with `sfn send-task-success`, \
`send-task-failure` and `send-task-heartbeat`; the task's HeartbeatSeconds counts from now."
)]
pub(crate) struct GetActivityTaskArgs {
    /// The activity's ARN.
    #[arg(long, value_name = "ARN")]
    activity_arn: String,
    /// The worker's name, recorded in the execution's ActivityStarted event.
    #[arg(long, value_name = "NAME")]
    worker_name: Option<String>,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    tasks: TaskArgs,
}

pub(crate) fn get_activity_task(
    args: GetActivityTaskArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    if args
        .worker_name
        .as_ref()
        .is_some_and(|w| w.chars().count() > 80)
    {
        return Err(BadInvocation(
            "--worker-name: a worker name has at most 80 characters".into(),
        ));
    }
    let request = Request::GetActivityTask {
        activity_arn: args.activity_arn,
        worker_name: args.worker_name,
    };
    respond(&args.store, &args.tasks, request, out, err)
}

/// An activity as `DescribeActivity` and `ListActivities` show it.
pub(crate) fn item(r: &ActivityRecord) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("activityArn".into(), r.arn.clone().into());
    m.insert("name".into(), r.name.clone().into());
    m.insert("creationDate".into(), date(r.created_ms));
    m
}

fn check_arn(arn: &str) -> Result<(), ApiError> {
    if sfn_asl::resource::Resource::parse(arn).is_activity() {
        return Ok(());
    }
    Err(ApiError::new(
        "InvalidArn",
        format!("`{arn}` is not an activity ARN (arn:aws:states:REGION:ACCOUNT:activity:NAME)"),
    ))
}

fn missing(arn: &str) -> ApiError {
    ApiError::new(
        "ActivityDoesNotExist",
        format!(
            "activity `{arn}` does not exist; `sfn list-activities` shows the store's activities"
        ),
    )
}

/// The response of `GetActivityTask`: the token and the input as JSON text; no token when no
/// task came.
pub(crate) fn task_response(task: Option<sfn_runtime::ActivityTask>) -> Value {
    match task {
        Some(t) => json!({"taskToken": t.token, "input": t.input.to_string()}),
        None => json!({}),
    }
}
