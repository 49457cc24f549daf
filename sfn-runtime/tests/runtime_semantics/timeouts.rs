//! Heartbeats and task timeouts (§2.2), execution timeouts and Express limits (§10).

use super::*;

// ---- §2.2 heartbeats and timeouts
#[tokio::test(start_paused = true)]
async fn a_silent_worker_times_out_at_the_heartbeat_not_the_timeout() {
    let def = json!({"StartAt": "T", "States": {
        "T": callback_task(json!({"HeartbeatSeconds": 5, "TimeoutSeconds": 60, "Catch": [
            {"ErrorEquals": ["States.TaskFailed"], "Next": "Wrong"},
            {"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Heartbeat"}]})),
        "Wrong": {"Type": "Fail", "Error": "Wrong"},
        "Heartbeat": {"Type": "Pass", "Result": "missed", "End": true}}});
    let began = Instant::now();
    let result = run(def, json!({}), silent_worker()).await;
    assert_eq!(began.elapsed(), Duration::from_secs(5));
    assert_eq!(result.outcome.output, Some(json!("missed")));
    assert_eq!(times_of(&result, EventType::TaskTimedOut), vec![5000]);
    let timed_out = result
        .history
        .iter()
        .find(|e| e.event_type == EventType::TaskTimedOut)
        .map(|e| e.details.clone());
    assert_eq!(
        timed_out.and_then(|d| d.get("error").cloned()),
        Some(json!("States.Timeout"))
    );
}

#[tokio::test(start_paused = true)]
async fn a_states_timeout_catcher_also_catches_a_missed_heartbeat() {
    let def = json!({"StartAt": "T", "States": {
        "T": callback_task(json!({"HeartbeatSeconds": 2, "TimeoutSeconds": 10, "Catch": [
            {"ErrorEquals": ["States.Timeout"], "Next": "C"}]})),
        "C": {"Type": "Pass", "End": true}}});
    let result = run(def, json!({}), silent_worker()).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    assert_eq!(times_of(&result, EventType::TaskTimedOut), vec![2000]);
}

#[tokio::test(start_paused = true)]
async fn a_heartbeat_timeout_retrier_ignores_a_plain_task_timeout() {
    let mut r = Resources::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    r.register(FN, move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
        async {
            tokio::time::sleep(Duration::from_secs(100)).await;
            Ok(json!("late"))
        }
    });
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"TimeoutSeconds": 2,
        "Retry": [{"ErrorEquals": ["States.HeartbeatTimeout"], "MaxAttempts": 3}]}))}});
    let result = run(def, json!({}), r).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
}

#[tokio::test(start_paused = true)]
async fn execution_timeout_during_a_wait_ends_at_the_timeout() {
    let def = json!({"TimeoutSeconds": 30, "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 3600, "Next": "After"},
        "After": {"Type": "Pass", "End": true}}});
    let began = Instant::now();
    let result = run(def, json!({}), Resources::new()).await;
    assert_eq!(began.elapsed(), Duration::from_secs(30));
    assert_eq!(result.outcome.status, Status::TimedOut);
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
    assert_eq!(result.outcome.cause, None);
    assert_eq!(
        times_of(&result, EventType::ExecutionTimedOut),
        vec![30_000]
    );
    assert_eq!(count(&result, EventType::WaitStateExited), 0);
    assert_eq!(count(&result, EventType::PassStateEntered), 1);
}

#[tokio::test(start_paused = true)]
async fn execution_timeout_cancels_a_running_task() {
    let life = Lifecycle::default();
    let mut r = Resources::new();
    life.register(&mut r, FN, 3600);
    let def = json!({"TimeoutSeconds": 10, "StartAt": "T", "States": {"T": task(json!({}))}});
    let began = Instant::now();
    let result = run(def, json!({}), r).await;
    assert_eq!(began.elapsed(), Duration::from_secs(10));
    assert_eq!(result.outcome.status, Status::TimedOut);
    assert!(life.was_cancelled().await);
}

#[tokio::test(start_paused = true)]
async fn execution_timeout_during_a_retry_backoff() {
    let (r, calls) = scripted(&["Boom"; 10]);
    let def = json!({"TimeoutSeconds": 5, "StartAt": "T", "States": {"T": task(json!({"Retry": [
        {"ErrorEquals": ["Boom"], "IntervalSeconds": 4, "MaxAttempts": 5}]}))}});
    let result = run(def, json!({}), r).await;
    // Attempts at 0 and 4 s; the next one (at 12 s) never comes.
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(result.outcome.status, Status::TimedOut);
    assert_eq!(times_of(&result, EventType::ExecutionTimedOut), vec![5000]);
}

#[tokio::test(start_paused = true)]
async fn an_express_execution_is_cut_at_five_minutes() {
    // A longer TimeoutSeconds does not lift the Express limit.
    let def = json!({"TimeoutSeconds": 3600, "StartAt": "W", "States": {"W": {"Type": "Wait",
        "Seconds": 600, "End": true}}});
    let engine = engine(Resources::new());
    let began = Instant::now();
    let result = sfn_runtime::engine::express::start_sync_execution(
        &engine,
        machine(def),
        json!({}),
        sfn_runtime::engine::express::config("m", "x"),
    )
    .await
    .expect("an express machine");
    assert_eq!(began.elapsed(), Duration::from_secs(300));
    assert_eq!(result.outcome.status, Status::TimedOut);
}

#[tokio::test(start_paused = true)]
async fn execution_timeout_inside_a_map_stops_later_iterations() {
    let life = Lifecycle::default();
    let mut r = Resources::new();
    life.register(&mut r, FN, 100);
    let def = json!({"TimeoutSeconds": 150, "StartAt": "M", "States": {"M": {"Type": "Map",
        "MaxConcurrency": 1, "ItemProcessor": {"StartAt": "T", "States": {"T": task(json!({}))}},
        "End": true}}});
    let began = Instant::now();
    let result = run(def, json!([1, 2, 3]), r).await;
    assert_eq!(began.elapsed(), Duration::from_secs(150));
    assert_eq!(result.outcome.status, Status::TimedOut);
    tokio::time::sleep(Duration::from_secs(500)).await;
    // The first item finished, the second was cut off, the third never started.
    assert_eq!(life.started.load(Ordering::SeqCst), 2);
    assert_eq!(count(&result, EventType::MapIterationSucceeded), 1);
}

#[tokio::test(start_paused = true)]
async fn stopping_during_a_retry_backoff_makes_no_further_attempt() {
    let (r, calls) = scripted(&["Boom"; 10]);
    let def = json!({"StartAt": "T", "States": {"T": task(json!({"Retry": [{"ErrorEquals": ["Boom"],
        "IntervalSeconds": 10, "MaxAttempts": 5}]}))}});
    let engine = engine(r);
    let handle = engine.start_execution(machine(def), json!({}), ExecutionConfig::new("m", "s"));
    tokio::time::sleep(Duration::from_secs(5)).await;
    handle
        .stop(Some("Halt".into()), Some("by test".into()))
        .expect("running");
    let result = handle.result().await.expect("result");
    assert_eq!(result.outcome.status, Status::Aborted);
    assert_eq!(result.outcome.error.as_deref(), Some("Halt"));
    tokio::time::sleep(Duration::from_secs(500)).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn stopping_cancels_a_task_inside_a_branch() {
    let life = Lifecycle::default();
    let mut r = Resources::new();
    life.register(&mut r, FN, 100);
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
        {"StartAt": "T", "States": {"T": task(json!({"Next": "T2"})), "T2": task(json!({}))}}],
        "End": true}}});
    let engine = engine(r);
    let handle = engine.start_execution(machine(def), json!({}), ExecutionConfig::new("m", "p"));
    tokio::time::sleep(Duration::from_secs(5)).await;
    handle.stop(None, None).expect("running");
    let result = handle.result().await.expect("result");
    assert_eq!(result.outcome.status, Status::Aborted);
    assert!(life.was_cancelled().await);
    tokio::time::sleep(Duration::from_secs(500)).await;
    assert_eq!(life.started.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_token_is_dead_once_its_heartbeat_expired() {
    let (tx, mut tokens) = tokio::sync::mpsc::unbounded_channel();
    let mut r = Resources::new();
    r.register(CALLBACK, move |req| {
        let token = req.token.clone().unwrap_or_default();
        let _ = tx.send(token);
        async { Ok(json!({"MessageId": "m-1"})) }
    });
    let engine = engine(r);
    let def = json!({"StartAt": "T", "States": {
        "T": callback_task(json!({"HeartbeatSeconds": 2, "TimeoutSeconds": 10,
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Hold"}]})),
        "Hold": {"Type": "Wait", "Seconds": 100, "End": true}}});
    let handle = engine.start_execution(machine(def), json!({}), ExecutionConfig::new("m", "t"));
    let token = tokens.recv().await.expect("token");
    tokio::time::sleep(Duration::from_secs(5)).await;
    // The task timed out at 2 s; the execution is still running in `Hold`.
    assert_eq!(handle.status(), Status::Running);
    assert!(engine.send_task_heartbeat(&token).await.is_err());
    assert!(engine
        .send_task_success(&token, json!("late"))
        .await
        .is_err());
    let result = handle.result().await.expect("result");
    assert_eq!(
        result.outcome.output,
        Some(json!({"Error": "States.Timeout", "Cause": ""}))
    );
}

#[tokio::test(start_paused = true)]
async fn a_missed_heartbeat_in_a_branch_fails_the_parallel() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [{"StartAt": "T", "States": {
                "T": callback_task(json!({"HeartbeatSeconds": 3, "TimeoutSeconds": 100}))}}],
              "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "C"}], "End": true},
        "C": {"Type": "Pass", "End": true}}});
    let began = Instant::now();
    let result = run(def, json!({}), silent_worker()).await;
    assert_eq!(began.elapsed(), Duration::from_secs(3));
    assert_eq!(result.outcome.status, Status::Succeeded);
    let tail: Vec<EventType> = types(&result)[7..].to_vec();
    assert_eq!(
        tail,
        vec![
            EventType::TaskTimedOut,
            EventType::TaskStateAborted,
            EventType::ParallelStateFailed,
            EventType::ParallelStateExited,
            EventType::PassStateEntered,
            EventType::PassStateExited,
            EventType::ExecutionSucceeded,
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn heartbeats_do_not_stretch_the_task_timeout() {
    let (tx, mut tokens) = tokio::sync::mpsc::unbounded_channel();
    let mut r = Resources::new();
    r.register(CALLBACK, move |req| {
        let _ = tx.send(req.token.clone().unwrap_or_default());
        async { Ok(json!({"MessageId": "m-1"})) }
    });
    let engine = engine(r);
    let def = json!({"StartAt": "T", "States": {
        "T": callback_task(json!({"HeartbeatSeconds": 5, "TimeoutSeconds": 10}))}});
    let handle = engine.start_execution(machine(def), json!({}), ExecutionConfig::new("m", "hb"));
    let token = tokens.recv().await.expect("token");
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_secs(3)).await;
        // Beats at 3, 6 and 9 s reach a live task; later ones find it gone.
        let _ = engine.send_task_heartbeat(&token).await;
    }
    let result = handle.result().await.expect("result");
    assert_eq!(times_of(&result, EventType::TaskTimedOut), vec![10_000]);
    assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
}

#[tokio::test(start_paused = true)]
async fn an_express_execution_keeps_a_shorter_timeout() {
    let def = json!({"TimeoutSeconds": 10, "StartAt": "W", "States": {"W": {"Type": "Wait",
        "Seconds": 600, "End": true}}});
    let engine = engine(Resources::new());
    let began = Instant::now();
    let result = sfn_runtime::engine::express::start_sync_execution(
        &engine,
        machine(def),
        json!({}),
        sfn_runtime::engine::express::config("m", "x"),
    )
    .await
    .expect("an express machine");
    assert_eq!(began.elapsed(), Duration::from_secs(10));
    assert_eq!(result.outcome.status, Status::TimedOut);
}
