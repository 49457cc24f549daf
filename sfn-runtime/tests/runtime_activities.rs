//! Activities: workers poll for tasks and answer by token. `ActivityStarted` is recorded when a
//! worker takes the task; `TimeoutSeconds` counts from the scheduling, `HeartbeatSeconds` from
//! the take.

mod common;

use std::time::Duration;

use common::{engine, machine, run, START_MS};
use serde_json::{json, Value};
use sfn_runtime::history::{EventType, HistoryEvent};
use sfn_runtime::tags::MAX_TAGS;
use sfn_runtime::{Engine, EngineError, ExecutionConfig, ExecutionHandle, Resources, Status, Tag};

const ARN: &str = "arn:aws:states:us-east-1:123456789012:activity:review";

fn activity_machine(extra: Value) -> Value {
    let mut task = json!({"Type": "Task", "Resource": ARN, "End": true});
    if let (Some(t), Some(e)) = (task.as_object_mut(), extra.as_object()) {
        t.extend(e.clone());
    }
    json!({"StartAt": "Review", "States": {"Review": task}})
}

async fn with_activity() -> Engine {
    let engine = engine(Resources::new());
    let created = engine.create_activity("review").await.expect("valid name");
    assert_eq!(created.arn, ARN);
    engine
}

fn start(engine: &Engine, extra: Value, name: &str) -> ExecutionHandle {
    engine.start_execution(
        machine(activity_machine(extra)),
        json!({"doc": 1}),
        ExecutionConfig::new("m", name),
    )
}

fn types(history: &[HistoryEvent]) -> Vec<EventType> {
    history.iter().map(|e| e.event_type).collect()
}

#[tokio::test(start_paused = true)]
async fn a_worker_takes_the_task_and_its_name_is_recorded_then() {
    let engine = with_activity().await;
    let handle = start(&engine, json!({}), "act");
    tokio::time::sleep(Duration::from_secs(5)).await;
    // Scheduled, not started, while no worker took it.
    let before = types(&handle.history());
    assert_eq!(before.last(), Some(&EventType::ActivityScheduled));
    let task = engine
        .get_activity_task(ARN, Some("worker-7"))
        .await
        .expect("the activity exists")
        .expect("a task within the long poll");
    assert_eq!(task.input, json!({"doc": 1}));
    engine
        .send_task_success(&task.token, json!({"ok": true}))
        .await
        .expect("known token");
    let result = handle.result().await.expect("result");
    assert_eq!(result.outcome.output, Some(json!({"ok": true})));
    let ty = types(&result.history);
    let at = |t: EventType| ty.iter().position(|x| *x == t).expect("present");
    assert!(at(EventType::ActivityScheduled) + 1 == at(EventType::ActivityStarted));
    assert!(at(EventType::ActivityStarted) + 1 == at(EventType::ActivitySucceeded));
    let started = &result.history[at(EventType::ActivityStarted)].to_aws_json();
    assert_eq!(
        started["activityStartedEventDetails"],
        json!({"workerName": "worker-7"})
    );
    // Taken 5 s after the start (the event's time is the take's).
    let scheduled = &result.history[at(EventType::ActivityScheduled)];
    assert_eq!(
        result.history[at(EventType::ActivityStarted)].timestamp - scheduled.timestamp,
        5000
    );
}

#[tokio::test(start_paused = true)]
async fn an_empty_poll_returns_nothing_after_a_minute() {
    let engine = with_activity().await;
    let start = tokio::time::Instant::now();
    assert_eq!(engine.get_activity_task(ARN, None).await, Ok(None));
    assert_eq!(start.elapsed(), Duration::from_secs(60));
}

#[tokio::test(start_paused = true)]
async fn one_task_goes_to_exactly_one_of_two_workers() {
    let engine = with_activity().await;
    let handle = start(&engine, json!({}), "one");
    let (a, b) = tokio::join!(
        engine.get_activity_task(ARN, Some("a")),
        engine.get_activity_task(ARN, Some("b"))
    );
    let got: Vec<_> = [a, b]
        .into_iter()
        .filter_map(|r| r.expect("exists"))
        .collect();
    assert_eq!(got.len(), 1, "exactly one worker gets the task");
    engine
        .send_task_success(&got[0].token, json!(1))
        .await
        .expect("answered");
    let result = handle.result().await.expect("result");
    assert_eq!(
        result
            .history
            .iter()
            .filter(|e| e.event_type == EventType::ActivityStarted)
            .count(),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn a_missing_activity_is_a_runtime_error() {
    let result = run(activity_machine(json!({})), json!({}), Resources::new()).await;
    assert_eq!(result.outcome.status, Status::Failed);
    assert_eq!(result.outcome.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        result.outcome.cause,
        Some(format!("The activity {ARN} does not exist."))
    );
}

#[tokio::test(start_paused = true)]
async fn timeout_seconds_counts_from_the_scheduling_and_the_task_leaves_the_queue() {
    let engine = with_activity().await;
    let def = activity_machine(json!({"TimeoutSeconds": 30}));
    let result = engine
        .start_sync_execution(machine(def), json!({}), ExecutionConfig::new("m", "t"))
        .await;
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
    let timed_out = result
        .history
        .iter()
        .find(|e| e.event_type == EventType::ActivityTimedOut)
        .expect("timed out");
    assert_eq!(timed_out.timestamp, START_MS + 30_000);
    assert!(!types(&result.history).contains(&EventType::ActivityStarted));
    assert_eq!(
        engine.try_get_activity_task(ARN, None).await,
        Ok(None),
        "the timed-out task was withdrawn"
    );
}

#[tokio::test(start_paused = true)]
async fn heartbeat_seconds_counts_from_the_take() {
    let engine = with_activity().await;
    let handle = start(
        &engine,
        json!({"HeartbeatSeconds": 10, "TimeoutSeconds": 100}),
        "hb",
    );
    // No worker for 50 s: five heartbeat intervals, and no heartbeat timeout.
    tokio::time::sleep(Duration::from_secs(50)).await;
    assert_eq!(handle.status(), Status::Running);
    let task = engine
        .try_get_activity_task(ARN, Some("w"))
        .await
        .expect("exists")
        .expect("waiting");
    tokio::time::sleep(Duration::from_secs(8)).await;
    engine
        .send_task_heartbeat(&task.token)
        .await
        .expect("running");
    let result = handle.result().await.expect("result");
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
    let timed_out = result
        .history
        .iter()
        .find(|e| e.event_type == EventType::ActivityTimedOut)
        .expect("timed out");
    // Taken at 50 s, a heartbeat at 58 s, none within the next 10 s (the 100 s timeout
    // would have been at 100 s).
    assert_eq!(timed_out.timestamp, START_MS + 68_000);
    // Its token is spent: a late answer is told the task timed out.
    assert!(matches!(
        engine.send_task_success(&task.token, json!(1)).await,
        Err(EngineError::TaskTimedOut(_))
    ));
}

#[tokio::test(start_paused = true)]
async fn tokens_malformed_unknown_and_answered() {
    let engine = with_activity().await;
    let handle = start(&engine, json!({}), "tok");
    let task = engine
        .get_activity_task(ARN, None)
        .await
        .expect("exists")
        .expect("a task");
    for bad in ["", "not-a-token", &"a".repeat(2000)] {
        assert!(matches!(
            engine.send_task_heartbeat(bad).await,
            Err(EngineError::InvalidToken(_))
        ));
    }
    assert!(matches!(
        engine
            .send_task_failure("00000000-0000-4000-8000-000000000000", None, None)
            .await,
        Err(EngineError::TaskDoesNotExist(_))
    ));
    engine
        .send_task_failure(&task.token, Some("E".into()), Some("c".into()))
        .await
        .expect("answered");
    assert!(matches!(
        engine.send_task_success(&task.token, json!(1)).await,
        Err(EngineError::TaskTimedOut(_))
    ));
    let result = handle.result().await.expect("result");
    assert_eq!(result.outcome.error.as_deref(), Some("E"));
    assert!(types(&result.history).contains(&EventType::ActivityFailed));
}

#[tokio::test(start_paused = true)]
async fn a_registered_handler_serves_an_activity_directly() {
    let mut r = Resources::new();
    r.register(ARN, |req| async move { Ok(json!({"echo": req.input})) });
    let result = run(activity_machine(json!({})), json!(5), r).await;
    assert_eq!(result.outcome.output, Some(json!({"echo": 5})));
    let started = result
        .history
        .iter()
        .find(|e| e.event_type == EventType::ActivityStarted)
        .expect("started when the handler takes it");
    assert_eq!(
        started.to_aws_json()["activityStartedEventDetails"],
        json!({})
    );
}

#[tokio::test(start_paused = true)]
async fn activities_are_created_once_described_listed_and_deleted() {
    let engine = engine(Resources::new());
    let first = engine.create_activity("a").await.expect("created");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let again = engine.create_activity("a").await.expect("idempotent");
    assert_eq!(again, first, "created again: the first one stands");
    assert_eq!(first.created_ms, START_MS);
    for name in ["b", "c"] {
        engine.create_activity(name).await.expect("created");
    }
    assert!(matches!(
        engine.create_activity("two words").await,
        Err(EngineError::InvalidName { .. })
    ));
    assert_eq!(
        engine.describe_activity(&first.arn).await,
        Ok(first.clone())
    );
    let page = engine.list_activities(2, None).await.expect("page");
    let names: Vec<&str> = page.items.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    let rest = engine.list_activities(2, page.next).await.expect("page");
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.next, None);
    engine.delete_activity(&first.arn).await.expect("deleted");
    engine
        .delete_activity(&first.arn)
        .await
        .expect("twice is fine");
    assert!(matches!(
        engine.describe_activity(&first.arn).await,
        Err(EngineError::ActivityDoesNotExist(_))
    ));
    assert!(matches!(
        engine.get_activity_task(&first.arn, None).await,
        Err(EngineError::ActivityDoesNotExist(_))
    ));
    assert!(matches!(
        engine
            .describe_activity("arn:aws:lambda:us-east-1:1:function:f")
            .await,
        Err(EngineError::InvalidArn { .. })
    ));
}

#[tokio::test(start_paused = true)]
async fn a_task_of_a_deleted_activity_waits_until_it_exists_again() {
    let engine = with_activity().await;
    let handle = start(&engine, json!({}), "orphan");
    tokio::time::sleep(Duration::from_secs(1)).await;
    engine.delete_activity(ARN).await.expect("deleted");
    assert!(engine.get_activity_task(ARN, None).await.is_err());
    engine.create_activity("review").await.expect("again");
    let task = engine
        .try_get_activity_task(ARN, None)
        .await
        .expect("exists")
        .expect("the task waited");
    engine
        .send_task_success(&task.token, json!("done"))
        .await
        .expect("answered");
    let result = handle.result().await.expect("result");
    assert_eq!(result.outcome.output, Some(json!("done")));
}

/// Tags on an engine without a store: kept in memory, with AWS's rules.
mod tags {
    use super::*;

    const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:orders";

    fn tag(key: &str, value: &str) -> Tag {
        Tag::new(key, value)
    }

    #[tokio::test(start_paused = true)]
    async fn create_activity_keeps_the_first_request_tags_and_ignores_later_ones() {
        let engine = engine(Resources::new());
        let first = engine
            .create_activity_with_tags("review", &[tag("team", "a"), tag("stage", "dev")])
            .await
            .expect("created");
        // Idempotent by name: the activity as it was, its tags not updated.
        let again = engine
            .create_activity_with_tags("review", &[tag("team", "b"), tag("new", "x")])
            .await
            .expect("the same activity");
        assert_eq!(again, first);
        assert_eq!(
            engine.list_tags_for_resource(ARN).await.expect("listed"),
            [tag("team", "a"), tag("stage", "dev")]
        );
        // Deleted, then created anew: only the new request's tags.
        engine.delete_activity(ARN).await.expect("deleted");
        assert_eq!(
            engine.list_tags_for_resource(ARN).await,
            Err(EngineError::ResourceNotFound(ARN.into()))
        );
        engine
            .create_activity_with_tags("review", &[tag("new", "x")])
            .await
            .expect("created");
        assert_eq!(
            engine.list_tags_for_resource(ARN).await.expect("listed"),
            [tag("new", "x")]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn tag_and_untag_an_activity() {
        let engine = with_activity().await;
        assert_eq!(
            engine.list_tags_for_resource(ARN).await.expect("listed"),
            []
        );
        engine
            .tag_resource(ARN, &[tag("a", "1"), tag("b", "2")])
            .await
            .expect("tagged");
        // A key tagged again takes the new value and keeps its place; an empty value is one.
        engine
            .tag_resource(ARN, &[tag("a", "3"), tag("c", "")])
            .await
            .expect("tagged");
        assert_eq!(
            engine.list_tags_for_resource(ARN).await.expect("listed"),
            [tag("a", "3"), tag("b", "2"), tag("c", "")]
        );
        // Keys it does not have are no error; none at all is no change.
        engine
            .untag_resource(ARN, &["b".into(), "missing".into()])
            .await
            .expect("untagged");
        engine.untag_resource(ARN, &[]).await.expect("untagged");
        assert_eq!(
            engine.list_tags_for_resource(ARN).await.expect("listed"),
            [tag("a", "3"), tag("c", "")]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_resource_has_at_most_fifty_tags() {
        let engine = with_activity().await;
        let fifty: Vec<Tag> = (0..MAX_TAGS).map(|i| tag(&format!("k{i}"), "v")).collect();
        engine.tag_resource(ARN, &fifty).await.expect("fifty fit");
        // Tagging a key it has again adds none.
        engine
            .tag_resource(ARN, &[tag("k0", "w")])
            .await
            .expect("no new key");
        assert_eq!(
            engine.tag_resource(ARN, &[tag("k50", "v")]).await,
            Err(EngineError::TooManyTags {
                resource_arn: ARN.into(),
                count: 51,
                limit: 50
            })
        );
        let tags = engine.list_tags_for_resource(ARN).await.expect("listed");
        assert_eq!((tags.len(), &tags[0]), (50, &tag("k0", "w")));
        // CreateActivity counts a request's keys once each.
        let many: Vec<Tag> = (0..=MAX_TAGS).map(|i| tag(&format!("k{i}"), "v")).collect();
        let err = engine.create_activity_with_tags("crowded", &many).await;
        assert!(
            matches!(err, Err(EngineError::TooManyTags { count: 51, .. })),
            "{err:?}"
        );
        let twice = [tag("k", "1"), tag("k", "2")];
        engine
            .create_activity_with_tags("twice", &twice)
            .await
            .expect("one key");
        let arn = ARN.replace(":review", ":twice");
        assert_eq!(
            engine.list_tags_for_resource(&arn).await.expect("listed"),
            [tag("k", "2")]
        );
        let err = engine
            .describe_activity(&ARN.replace(":review", ":crowded"))
            .await;
        assert!(
            matches!(err, Err(EngineError::ActivityDoesNotExist(_))),
            "{err:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn unknown_resources_other_arns_and_bad_tags_are_refused() {
        let engine = with_activity().await;
        let missing = "arn:aws:states:us-east-1:123456789012:activity:missing";
        let version = format!("{MACHINE}:1");
        for arn in [missing, MACHINE, version.as_str()] {
            assert_eq!(
                engine.tag_resource(arn, &[tag("a", "1")]).await,
                Err(EngineError::ResourceNotFound(arn.into())),
                "{arn}"
            );
            assert_eq!(
                engine.untag_resource(arn, &["a".into()]).await,
                Err(EngineError::ResourceNotFound(arn.into())),
                "{arn}"
            );
        }
        for arn in ["review", "arn:aws:sqs:us-east-1:123456789012:q"] {
            let err = engine.list_tags_for_resource(arn).await;
            assert!(
                matches!(err, Err(EngineError::InvalidArn { .. })),
                "{err:?}"
            );
        }
        for bad in [tag("aws:owner", "x"), tag("", "x"), tag("a|b", "x")] {
            let err = engine
                .tag_resource(ARN, &[tag("fine", "1"), bad.clone()])
                .await;
            assert!(
                matches!(&err, Err(EngineError::InvalidTag { key, .. }) if *key == bad.key),
                "{bad:?}: {err:?}"
            );
            let err = engine
                .create_activity_with_tags("other", std::slice::from_ref(&bad))
                .await;
            assert!(
                matches!(&err, Err(EngineError::InvalidTag { .. })),
                "{bad:?}: {err:?}"
            );
        }
        // A refused request changes nothing.
        assert_eq!(
            engine.list_tags_for_resource(ARN).await.expect("listed"),
            []
        );
        let err = engine.untag_resource(ARN, &[String::new()]).await;
        assert!(
            matches!(err, Err(EngineError::InvalidTag { .. })),
            "{err:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_registered_state_machine_takes_tags() {
        let engine = engine(Resources::new());
        engine.register_state_machine(
            MACHINE,
            machine(json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}})),
        );
        engine
            .tag_resource(MACHINE, &[tag("owner", "ops")])
            .await
            .expect("tagged");
        assert_eq!(
            engine
                .list_tags_for_resource(MACHINE)
                .await
                .expect("listed"),
            [tag("owner", "ops")]
        );
        engine
            .untag_resource(MACHINE, &["owner".into()])
            .await
            .expect("untagged");
        assert_eq!(
            engine
                .list_tags_for_resource(MACHINE)
                .await
                .expect("listed"),
            []
        );
    }
}
