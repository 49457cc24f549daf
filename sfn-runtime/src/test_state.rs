//! TestState: run one state of a definition on an input, as Step Functions' `TestState` API does,
//! optionally with a mocked task result or error.
//!
//! The state runs on the engine itself, so its semantics are the engine's: [`test_state`] builds
//! a machine that starts at the tested state, replaces every state it can go to (`Next`,
//! `Choices[].Next`, `Default`, `Catch[].Next`) with a stand-in `Succeed` state, runs it, and
//! reads where it went from the outcome and the history.
//!
//! The tested state may sit at any depth: a state of a Parallel branch or of a Map's
//! ItemProcessor runs alone on the given input, as one iteration or branch would run it, and
//! `nextState` names a state of its own scope. (The context object of a Map iteration,
//! `$$.Map.Item`, is not set.) Name the state, or give its JSON pointer.
//!
//! | status | when | fields |
//! |---|---|---|
//! | `SUCCEEDED` | the state finished | `output`, `nextState` unless it ends the execution |
//! | `CAUGHT_ERROR` | it failed and a Catcher took the error | `output`, `error`, `cause`, `nextState` (the Catcher's) |
//! | `RETRIABLE` | it failed and a Retrier would run it again | `error`, `cause` |
//! | `FAILED` | it failed (or is a `Fail` state) | `error`, `cause` |
//!
//! A mock stands for the task's answer. It applies to Task states, and to Map and Parallel
//! states, whose whole result (before `ResultSelector`) it then replaces. With
//! [`TestStateOptions::retrier_retry_count`] = n and a mocked error, the state behaves as on its
//! attempt n+1: the matching Retrier has used n attempts already.
//!
//! An unmocked Map or Parallel state runs its branches for real (their tasks go to
//! [`TestStateOptions::resources`]), and its retries with them: it reports the final result,
//! never `RETRIABLE`.
//!
//! Waits and retry back-offs run on the tokio clock: run under a paused clock (as `sfn
//! test-state` does) for them to take no real time.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use sfn_runtime::test_state::{test_state, TestStateMock, TestStateOptions, TestStatus};
//! let machine = sfn_asl::parse(r#"{"StartAt":"Charge","States":{
//!     "Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
//!       "Catch":[{"ErrorEquals":["Card.Declined"],"Next":"Declined"}],"Next":"Ship"},
//!     "Declined":{"Type":"Fail"},"Ship":{"Type":"Succeed"}}}"#).unwrap();
//! let mock = TestStateMock::Error { error: "Card.Declined".into(), cause: Some("no funds".into()) };
//! let result = test_state(&machine, "Charge", serde_json::json!({}), Some(mock), TestStateOptions::default())
//!     .await
//!     .unwrap();
//! assert_eq!(result.status, TestStatus::CaughtError);
//! assert_eq!(result.next_state.as_deref(), Some("Declined"));
//! assert_eq!(result.output, Some(serde_json::json!({"Error": "Card.Declined", "Cause": "no funds"})));
//! # }
//! ```

mod address;
mod machine;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use sfn_asl::StateMachine;
use tokio::sync::Notify;

use crate::engine::Engine;
use crate::execution::{ExecutionConfig, Status};
use crate::resources::{Resources, TaskError, TaskFuture, TaskRequest, TaskSource};
use machine::{caught_failure, mocked_form, one_state_machine, StandIns};

/// The answer a mock gives in place of the tested state's task.
#[derive(Debug, Clone, PartialEq)]
pub enum TestStateMock {
    /// The task returns this result (`mock.result`).
    Result(Value),
    /// The task fails (`mock.errorOutput`).
    Error {
        /// The error name.
        error: String,
        /// The cause.
        cause: Option<String>,
    },
}

/// Settings of a [`test_state`] run.
#[derive(Debug, Clone, Default)]
pub struct TestStateOptions {
    /// Handlers for tasks no mock answers.
    pub resources: Resources,
    /// Retries the Retrier matching a mocked error has used already (`retrierRetryCount`).
    pub retrier_retry_count: u64,
}

/// The `status` of a TestState result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStatus {
    /// The state finished.
    Succeeded,
    /// The state failed.
    Failed,
    /// The state failed and a Catcher took the error.
    CaughtError,
    /// The state failed and a Retrier would run it again.
    Retriable,
}

impl TestStatus {
    /// The AWS spelling (`CAUGHT_ERROR`).
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Succeeded => "SUCCEEDED",
            TestStatus::Failed => "FAILED",
            TestStatus::CaughtError => "CAUGHT_ERROR",
            TestStatus::Retriable => "RETRIABLE",
        }
    }
}

/// What one tested state did.
#[derive(Debug, Clone, PartialEq)]
pub struct TestStateResult {
    /// `status`.
    pub status: TestStatus,
    /// `output`: the state's output (`SUCCEEDED`, `CAUGHT_ERROR`).
    pub output: Option<Value>,
    /// `error`.
    pub error: Option<String>,
    /// `cause`.
    pub cause: Option<String>,
    /// `nextState`: where the state goes, absent when it ends the execution or failed.
    pub next_state: Option<String>,
}

impl TestStateResult {
    /// The result as a JSON object (`{"status":…,"output":…,"nextState":…}`), absent fields
    /// left out. `output` is a JSON value, not JSON text.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("status".into(), self.status.as_str().into());
        if let Some(o) = &self.output {
            m.insert("output".into(), o.clone());
        }
        if let Some(e) = &self.error {
            m.insert("error".into(), e.clone().into());
        }
        if let Some(c) = &self.cause {
            m.insert("cause".into(), c.clone().into());
        }
        if let Some(n) = &self.next_state {
            m.insert("nextState".into(), n.clone().into());
        }
        Value::Object(m)
    }
}

/// Why a state could not be tested.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TestStateError {
    /// The definition has no state of that name (or JSON pointer).
    #[error("the definition has no state `{name}` (its states: {known})")]
    UnknownState {
        /// The name (or pointer) asked for.
        name: String,
        /// The state names (or pointers), the top level first.
        known: String,
    },
    /// The name is used in more than one scope (only possible in a machine built without
    /// validation); its JSON pointers tell the states apart.
    #[error(
        "state name `{name}` is used in more than one scope; give the JSON pointer of the one \
         to test: {}",
        .candidates.join(", ")
    )]
    AmbiguousState {
        /// The name asked for.
        name: String,
        /// The JSON pointer of each state of that name.
        candidates: Vec<String>,
    },
    /// A mock was given for a state that calls nothing.
    #[error(
        "state `{state}` is a {kind} state; a mock applies only to Task, Map and Parallel states"
    )]
    MockNotApplicable {
        /// The state.
        state: String,
        /// Its `Type`.
        kind: &'static str,
    },
}

/// Runs the state `state_name` of `definition` on `input`; see the [module docs](self).
///
/// `state_name` names a state at any depth (a Parallel branch, a Map's ItemProcessor), or is
/// the JSON pointer of one as validation findings print it
/// (`/States/Fulfil/Branches/0/States/Pack`). A valid definition uses each name once; a name
/// used in several scopes of a machine built without validation is
/// [`TestStateError::AmbiguousState`], which lists the pointers to choose from.
pub async fn test_state(
    definition: &StateMachine,
    state_name: &str,
    input: Value,
    mock: Option<TestStateMock>,
    options: TestStateOptions,
) -> Result<TestStateResult, TestStateError> {
    let (state_name, state) = address::locate(definition, state_name)?;
    let mut state = state.clone();
    if mock.is_some() {
        state = mocked_form(state).map_err(|kind| TestStateError::MockNotApplicable {
            state: state_name.to_owned(),
            kind,
        })?;
    }
    let (machine, stand_ins) = one_state_machine(definition, state_name, state);

    // A mocked error without a cause has none (a task failure carries a cause text).
    let no_cause = matches!(&mock, Some(TestStateMock::Error { cause: None, .. }));
    let mut result = run(machine, &stand_ins, state_name, input, mock, options).await;
    if no_cause && result.cause.as_deref() == Some("") {
        result.cause = None;
    }
    Ok(result)
}

/// Runs the one-state `machine` and reads the result.
async fn run(
    machine: StateMachine,
    stand_ins: &StandIns,
    state_name: &str,
    input: Value,
    mock: Option<TestStateMock>,
    options: TestStateOptions,
) -> TestStateResult {
    let source = Arc::new(TestedState {
        state: state_name.to_owned(),
        mock,
        failed_attempts: options.retrier_retry_count,
        invocations: AtomicU64::new(0),
        last_failure: LastFailure::default(),
        retried: Notify::new(),
        inner: options.resources,
    });
    let mut resources = Resources::new();
    resources.add_source(source.clone());
    let engine = Engine::new(resources);
    let run = engine.start_sync_execution(
        Arc::new(machine),
        input,
        ExecutionConfig::new("TestState", "test-state"),
    );
    let result = tokio::select! {
        result = run => result,
        // The tested state was invoked again: a Retrier took the failure. Dropping the run
        // stops the execution; the failure that led to the retry is the answer.
        () = source.retried.notified() => {
            let failure = source
                .last_failure
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take();
            return TestStateResult {
                status: TestStatus::Retriable,
                output: None,
                error: failure.as_ref().map(|f| f.error.clone()),
                cause: failure.and_then(|f| f.cause),
                next_state: None,
            };
        }
    };
    let outcome = result.outcome;
    if outcome.status != Status::Succeeded {
        return TestStateResult {
            status: TestStatus::Failed,
            output: None,
            error: outcome.error,
            cause: outcome.cause,
            next_state: None,
        };
    }
    let Some((position, target)) = stand_ins.entered(&result.history) else {
        return TestStateResult {
            status: TestStatus::Succeeded,
            output: outcome.output,
            error: None,
            cause: None,
            next_state: None,
        };
    };
    if !target.caught {
        return TestStateResult {
            status: TestStatus::Succeeded,
            output: outcome.output,
            error: None,
            cause: None,
            next_state: Some(target.name.clone()),
        };
    }
    let (error, cause) = caught_failure(
        result.history.get(..position).unwrap_or_default(),
        outcome.output.as_ref(),
    );
    TestStateResult {
        status: TestStatus::CaughtError,
        output: outcome.output,
        error,
        cause,
        next_state: Some(target.name.clone()),
    }
}

/// The task source of one test: answers the tested state with the mock (or its handler),
/// remembers its last failure, and reports a second invocation (a retry) through `retried`.
struct TestedState {
    state: String,
    mock: Option<TestStateMock>,
    /// Invocations that fail with the mocked error before the one under test.
    failed_attempts: u64,
    invocations: AtomicU64,
    last_failure: LastFailure,
    retried: Notify,
    inner: Resources,
}

type LastFailure = Arc<Mutex<Option<TaskError>>>;

fn record(last: &LastFailure, failure: &TaskError) {
    *last
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(failure.clone());
}

impl TaskSource for TestedState {
    fn invoke(&self, request: &TaskRequest) -> Option<TaskFuture> {
        if request.state_name != self.state {
            // Tasks inside a tested Map or Parallel go to the handlers.
            return Some(self.inner.invoke(request.clone()).result);
        }
        let n = self.invocations.fetch_add(1, Ordering::SeqCst);
        let attempts = match &self.mock {
            Some(TestStateMock::Error { .. }) => self.failed_attempts.saturating_add(1),
            _ => 1,
        };
        if n >= attempts {
            self.retried.notify_one();
            return Some(Box::pin(std::future::pending()));
        }
        match &self.mock {
            Some(TestStateMock::Result(v)) => {
                let v = v.clone();
                Some(Box::pin(async move { Ok(v) }))
            }
            Some(TestStateMock::Error { error, cause }) => {
                let failure = TaskError::new(error.clone(), cause.clone().unwrap_or_default());
                record(&self.last_failure, &failure);
                Some(Box::pin(async move { Err(failure) }))
            }
            None => {
                let fut = self.inner.invoke(request.clone()).result;
                let last = self.last_failure.clone();
                Some(Box::pin(async move {
                    let result = fut.await;
                    if let Err(e) = &result {
                        record(&last, e);
                    }
                    result
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sfn_asl::model::StateKind;

    fn machine() -> StateMachine {
        sfn_asl::parse(
            r#"{"StartAt":"Route","States":{
            "Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
              "Parameters":{"FunctionName":"charge","Payload.$":"$"},
              "ResultSelector":{"id.$":"$.Payload.id"},"ResultPath":"$.charge",
              "Retry":[{"ErrorEquals":["Busy"],"MaxAttempts":2}],
              "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Declined"}],
              "Next":"Ship"},
            "Route":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":1,"Next":"Charge"},
              {"Variable":"$.n","NumericEquals":1,"Next":"Again"}],"Default":"Declined"},
            "Again":{"Type":"Pass","Result":1,"ResultPath":"$.again","Next":"Again"},
            "Declined":{"Type":"Fail","Error":"Declined","Cause":"card declined"},
            "Ship":{"Type":"Succeed"}}}"#,
        )
        .expect("valid")
    }

    async fn run(
        state: &str,
        input: Value,
        mock: Option<TestStateMock>,
        retries: u64,
    ) -> TestStateResult {
        let options = TestStateOptions {
            retrier_retry_count: retries,
            ..TestStateOptions::default()
        };
        test_state(&machine(), state, input, mock, options)
            .await
            .expect("testable")
    }

    fn error(e: &str) -> Option<TestStateMock> {
        Some(TestStateMock::Error {
            error: e.into(),
            cause: Some("because".into()),
        })
    }

    #[tokio::test]
    async fn mocked_result_flows_through_the_data_processing() {
        let mock = Some(TestStateMock::Result(json!({"Payload": {"id": 7}})));
        let r = run("Charge", json!({"a": 1}), mock, 0).await;
        assert_eq!(r.status, TestStatus::Succeeded);
        assert_eq!(r.output, Some(json!({"a": 1, "charge": {"id": 7}})));
        assert_eq!(r.next_state.as_deref(), Some("Ship"));
        assert_eq!(
            r.to_json(),
            json!({"status": "SUCCEEDED", "output": {"a": 1, "charge": {"id": 7}}, "nextState": "Ship"})
        );
    }

    #[tokio::test(start_paused = true)]
    async fn retriable_until_the_retrier_is_used_up_then_caught() {
        let r = run("Charge", json!({}), error("Busy"), 0).await;
        assert_eq!(r.status, TestStatus::Retriable);
        assert_eq!(
            (r.error.as_deref(), r.cause.as_deref()),
            (Some("Busy"), Some("because"))
        );
        assert_eq!((r.output, r.next_state), (None, None));
        assert_eq!(
            run("Charge", json!({}), error("Busy"), 1).await.status,
            TestStatus::Retriable
        );
        let r = run("Charge", json!({"a": 1}), error("Busy"), 2).await;
        assert_eq!(r.status, TestStatus::CaughtError);
        assert_eq!(r.next_state.as_deref(), Some("Declined"));
        assert_eq!(r.error.as_deref(), Some("Busy"));
        assert_eq!(
            r.output,
            Some(json!({"a": 1, "error": {"Error": "Busy", "Cause": "because"}}))
        );
    }

    #[tokio::test]
    async fn a_mocked_error_without_cause_reports_none() {
        let mock = Some(TestStateMock::Error {
            error: "Busy".into(),
            cause: None,
        });
        let r = run("Charge", json!({}), mock, 0).await;
        assert_eq!(
            (r.status, r.error.as_deref(), r.cause),
            (TestStatus::Retriable, Some("Busy"), None)
        );
    }

    #[tokio::test]
    async fn unmatched_retrier_goes_straight_to_the_catcher() {
        let r = run("Charge", json!({}), error("Other"), 0).await;
        assert_eq!(r.status, TestStatus::CaughtError);
        assert_eq!(r.cause.as_deref(), Some("because"));
    }

    #[tokio::test]
    async fn without_a_mock_or_handler_the_task_fails_and_is_caught() {
        let r = run("Charge", json!({}), None, 0).await;
        assert_eq!(r.status, TestStatus::CaughtError);
        assert_eq!(r.error.as_deref(), Some("Lambda.ResourceNotFoundException"));
    }

    #[tokio::test]
    async fn choice_reports_the_branch_taken() {
        let r = run("Route", json!({"n": 2}), None, 0).await;
        assert_eq!(
            (r.status, r.next_state.as_deref()),
            (TestStatus::Succeeded, Some("Charge"))
        );
        let r = run("Route", json!({"n": 0}), None, 0).await;
        assert_eq!(r.next_state.as_deref(), Some("Declined"));
        assert_eq!(r.output, Some(json!({"n": 0})));
    }

    #[tokio::test]
    async fn self_loop_and_terminal_states() {
        let r = run("Again", json!({}), None, 0).await;
        assert_eq!(r.next_state.as_deref(), Some("Again"));
        assert_eq!(r.output, Some(json!({"again": 1})));
        let r = run("Declined", json!({}), None, 0).await;
        assert_eq!(r.status, TestStatus::Failed);
        assert_eq!(
            (r.error.as_deref(), r.cause.as_deref()),
            (Some("Declined"), Some("card declined"))
        );
        let r = run("Ship", json!({"x": 1}), None, 0).await;
        assert_eq!((r.status, r.next_state), (TestStatus::Succeeded, None));
        assert_eq!(r.output, Some(json!({"x": 1})));
    }

    #[tokio::test]
    async fn mocked_parallel_result_replaces_the_branches() {
        let m = sfn_asl::parse(
            r#"{"StartAt":"Both","States":{"Both":{"Type":"Parallel","ResultPath":"$.both",
            "Branches":[{"StartAt":"X","States":{"X":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}],
            "End":true}}}"#,
        )
        .expect("valid");
        let mock = Some(TestStateMock::Result(json!([1, 2])));
        let r = test_state(&m, "Both", json!({}), mock, TestStateOptions::default())
            .await
            .expect("testable");
        assert_eq!(r.output, Some(json!({"both": [1, 2]})));
    }

    fn nested() -> StateMachine {
        sfn_asl::parse(
            r#"{"StartAt":"Both","States":{
            "Both":{"Type":"Parallel","End":true,"Branches":[
              {"StartAt":"Pack","States":{
                "Pack":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
                  "ResultPath":"$.packed","Next":"Packed"},
                "Packed":{"Type":"Succeed"}}},
              {"StartAt":"Each","States":{"Each":{"Type":"Map","End":true,
                "ItemProcessor":{"StartAt":"Route","States":{
                  "Route":{"Type":"Choice","Choices":[
                    {"Variable":"$.air","BooleanEquals":true,"Next":"Air"}],"Default":"Ground"},
                  "Air":{"Type":"Pass","End":true},"Ground":{"Type":"Pass","End":true}}}}}}]}}}"#,
        )
        .expect("valid")
    }

    async fn test_nested(
        m: &StateMachine,
        address: &str,
        input: Value,
        mock: Option<TestStateMock>,
    ) -> Result<TestStateResult, TestStateError> {
        test_state(m, address, input, mock, TestStateOptions::default()).await
    }

    #[tokio::test]
    async fn a_state_in_a_parallel_branch_runs_by_name_or_pointer() {
        let m = nested();
        let mock = Some(TestStateMock::Result(json!("sent")));
        let r = test_nested(&m, "Pack", json!({"id": 1}), mock.clone())
            .await
            .expect("nested name");
        assert_eq!(
            r.to_json(),
            json!({"status": "SUCCEEDED", "output": {"id": 1, "packed": "sent"}, "nextState": "Packed"})
        );
        let by_pointer = test_nested(
            &m,
            "/States/Both/Branches/0/States/Pack",
            json!({"id": 1}),
            mock,
        )
        .await
        .expect("pointer");
        assert_eq!(by_pointer, r);
    }

    #[tokio::test]
    async fn a_state_in_a_map_processor_reports_its_scope_s_next_state() {
        let m = nested();
        let r = test_nested(&m, "Route", json!({"air": true}), None)
            .await
            .expect("nested name");
        assert_eq!(r.next_state.as_deref(), Some("Air"));
        let pointer = "/States/Both/Branches/1/States/Each/ItemProcessor/States/Route";
        let r = test_nested(&m, pointer, json!({"air": false}), None)
            .await
            .expect("pointer");
        assert_eq!(r.next_state.as_deref(), Some("Ground"));
    }

    #[tokio::test]
    async fn unknown_names_and_pointers_list_what_there_is() {
        let m = nested();
        let err = test_nested(&m, "Nope", json!({}), None)
            .await
            .expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "the definition has no state `Nope` (its states: Both, Pack, Packed, Each, Route, Air, Ground)"
        );
        let err = test_nested(&m, "/States/Both/Branches/2/States/Pack", json!({}), None)
            .await
            .expect_err("no third branch");
        assert!(
            err.to_string()
                .contains("(its states: /States/Both, /States/Both/Branches/0/States/Pack, "),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_name_in_two_scopes_is_ambiguous_until_a_pointer_picks_one() {
        // Validation rejects such a machine; one built in code can still have it.
        let mut m = nested();
        let StateKind::Parallel(p) = &mut m.states["Both"].kind else {
            panic!("Both is a Parallel state")
        };
        let state = p.branches[0].states.get("Packed").cloned().expect("Packed");
        p.branches[0].states.insert("Ground".into(), state);
        let err = test_nested(&m, "Ground", json!({}), None)
            .await
            .expect_err("ambiguous");
        assert_eq!(
            err,
            TestStateError::AmbiguousState {
                name: "Ground".into(),
                candidates: vec![
                    "/States/Both/Branches/0/States/Ground".into(),
                    "/States/Both/Branches/1/States/Each/ItemProcessor/States/Ground".into(),
                ],
            }
        );
        assert!(err.to_string().contains("give the JSON pointer"), "{err}");
        let r = test_nested(
            &m,
            "/States/Both/Branches/0/States/Ground",
            json!({"x": 1}),
            None,
        )
        .await
        .expect("the pointer picks one");
        assert_eq!(r.output, Some(json!({"x": 1})));
    }

    #[test]
    fn futures_and_errors_are_send_and_sync() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        fn send_sync_type<T: Send + Sync>() {}
        send_sync_type::<TestStateError>();
        send_sync_type::<TestStateResult>();
        send_sync_type::<crate::engine::express::ExpressError>();
        send_sync_type::<crate::mocks::MockConfigError>();
        send_sync_type::<crate::mocks::MockTaskSource>();
        let m = machine();
        let fut = test_state(&m, "Route", json!({}), None, TestStateOptions::default());
        send_sync(&fut);
        let engine = Engine::new(Resources::new());
        let fut = crate::engine::express::start_sync_execution(
            &engine,
            Arc::new(machine()),
            json!({}),
            crate::engine::express::config("m", "r"),
        );
        send_sync(&fut);
    }

    #[tokio::test]
    async fn bad_requests_are_errors() {
        let err = test_state(
            &machine(),
            "Nope",
            json!({}),
            None,
            TestStateOptions::default(),
        )
        .await
        .expect_err("unknown");
        assert!(err.to_string().contains("no state `Nope`"), "{err}");
        assert!(
            err.to_string().contains("its states: Charge, Route, Again"),
            "{err}"
        );
        let mock = Some(TestStateMock::Result(json!(1)));
        let err = test_state(
            &machine(),
            "Again",
            json!({}),
            mock,
            TestStateOptions::default(),
        )
        .await
        .expect_err("not a task");
        assert_eq!(
            err,
            TestStateError::MockNotApplicable {
                state: "Again".into(),
                kind: "Pass"
            }
        );
    }
}
