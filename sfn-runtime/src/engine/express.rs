//! Express executions: in memory, started synchronously like `StartSyncExecution`, and limited to
//! what an `EXPRESS` state machine may do.
//!
//! An Express machine cannot use activities, `.sync` or `.waitForTaskToken` integrations; a
//! definition that does is rejected *at start*, before any state runs, with the validator's own
//! findings (each names the state: `/States/<name>/Resource`). An Express execution runs at most
//! five minutes: a longer (or absent) `TimeoutSeconds` is capped, so it ends `TIMED_OUT`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use std::sync::Arc;
//! use sfn_runtime::engine::express;
//! use sfn_runtime::{Engine, Resources};
//! let machine = sfn_asl::parse(r#"{"StartAt":"Ask","States":{"Ask":{"Type":"Task",
//!     "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}}"#).unwrap();
//! let engine = Engine::new(Resources::new());
//! let config = express::config("orders", "run-1");
//! let err = express::start_sync_execution(&engine, Arc::new(machine), serde_json::json!({}), config)
//!     .await
//!     .unwrap_err();
//! assert!(err.to_string().contains("/States/Ask/Resource"));
//! # }
//! ```

use std::sync::Arc;

use serde_json::Value;
use sfn_asl::validate::{lint, LintOptions};
use sfn_asl::{Findings, StateMachine};

use crate::engine::{Engine, ExecutionResult};
use crate::execution::ExecutionConfig;

/// The longest an Express execution runs, in seconds.
pub const EXPRESS_MAX_SECONDS: u64 = 300;

/// The events after which an Express execution times out. AWS caps an Express execution by its
/// five minutes, not by its events; states take no virtual time here, so a loop that never waits
/// would otherwise run forever. A million events is more than AWS runs in five minutes
/// (3,333 state transitions a second).
pub const EXPRESS_MAX_EVENTS: u64 = 1_000_000;

/// Why an Express execution did not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpressError {
    /// The definition uses what Express machines do not support.
    #[error("the definition cannot run as an EXPRESS state machine: {0}")]
    Unsupported(Findings),
}

/// Checks that `machine` may run as an `EXPRESS` state machine, with the validator's rules.
pub fn check(machine: &StateMachine) -> Result<(), ExpressError> {
    let findings = lint(machine, &LintOptions { express: true });
    if findings.is_empty() {
        Ok(())
    } else {
        Err(ExpressError::Unsupported(Findings(findings)))
    }
}

/// An execution configuration for an Express execution: Express semantics and an Express
/// execution ARN (`arn:aws:states:<region>:<account>:express:<machine>:<name>:<id>`).
pub fn config(state_machine_name: &str, execution_name: &str) -> ExecutionConfig {
    let mut config = ExecutionConfig::new(state_machine_name, execution_name);
    config.express = true;
    config.max_history_events = EXPRESS_MAX_EVENTS;
    config.max_timeout_seconds = Some(EXPRESS_MAX_SECONDS);
    config.execution_arn = config.execution_arn.replacen(":execution:", ":express:", 1)
        + ":00000000-0000-0000-0000-000000000000";
    config
}

/// Runs `machine` as an Express execution to its end (`StartSyncExecution`): checks the Express
/// rules first, caps the duration at [`EXPRESS_MAX_SECONDS`], and keeps nothing but the result.
pub async fn start_sync_execution(
    engine: &Engine,
    machine: Arc<StateMachine>,
    input: Value,
    mut config: ExecutionConfig,
) -> Result<ExecutionResult, ExpressError> {
    check(&machine)?;
    // A cap in the configuration: the shared machine is not copied per run.
    config.max_timeout_seconds = Some(
        config
            .max_timeout_seconds
            .map_or(EXPRESS_MAX_SECONDS, |t| t.min(EXPRESS_MAX_SECONDS)),
    );
    if !config.express {
        // A configuration made for a Standard execution (`ExecutionConfig::new`): Express has
        // no 25,000-event cap, only the allowance that stops a loop that never waits.
        config.max_history_events = EXPRESS_MAX_EVENTS;
        config.express = true;
    }
    Ok(engine.start_sync_execution(machine, input, config).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::execution::Status;
    use crate::Resources;
    use serde_json::json;

    fn machine(text: &str) -> Arc<StateMachine> {
        Arc::new(sfn_asl::parse(text).expect("valid"))
    }

    #[tokio::test]
    async fn rejects_callback_sync_and_activity_resources_naming_the_state() {
        let m = machine(
            r#"{"StartAt":"A","States":{
            "A":{"Type":"Task","Resource":"arn:aws:states:::ecs:runTask.sync","Next":"B"},
            "B":{"Type":"Task","Resource":"arn:aws:states:us-east-1:1:activity:work","End":true}}}"#,
        );
        let engine = Engine::new(Resources::new());
        let err = start_sync_execution(&engine, m, json!({}), config("m", "r"))
            .await
            .expect_err("rejected");
        let ExpressError::Unsupported(Findings(findings)) = err;
        let pointers: Vec<&str> = findings.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(pointers, ["/States/A/Resource", "/States/B/Resource"]);
    }

    #[tokio::test(start_paused = true)]
    async fn runs_at_most_five_minutes() {
        let m =
            machine(r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":600,"End":true}}}"#);
        let engine = Engine::new(Resources::new());
        let result = start_sync_execution(&engine, m, json!({}), config("m", "r"))
            .await
            .expect("starts");
        assert_eq!(result.outcome.status, Status::TimedOut);
        assert_eq!(result.outcome.error.as_deref(), Some("States.Timeout"));
    }

    /// A configuration made for Standard (`ExecutionConfig::new`) still runs without the
    /// 25,000-event cap: 7,000 laps of a Pass and a Choice record 28,000 events.
    #[tokio::test(start_paused = true)]
    async fn a_standard_configuration_gets_no_event_cap() {
        let m = machine(
            r#"{"StartAt":"Add","States":{
            "Add":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.n, 1)"},"Next":"Loop"},
            "Loop":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericLessThan":7000,"Next":"Add"}],
                    "Default":"Done"},
            "Done":{"Type":"Succeed"}}}"#,
        );
        let engine = Engine::new(Resources::new());
        let config = ExecutionConfig::new("m", "r");
        assert_eq!(config.max_history_events, 25_000);
        let result = start_sync_execution(&engine, m, json!({"n": 0}), config)
            .await
            .expect("starts");
        assert_eq!(
            result.outcome.status,
            Status::Succeeded,
            "{:?}",
            result.outcome
        );
        assert_eq!(result.outcome.output, Some(json!({"n": 7000})));
    }

    #[tokio::test]
    async fn context_object_has_the_express_id() {
        let m = machine(
            r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"id.$":"$$.Execution.Id"},"End":true}}}"#,
        );
        let engine = Engine::new(Resources::new());
        let result = start_sync_execution(&engine, m, json!({}), config("orders", "r1"))
            .await
            .expect("starts");
        let id = result.outcome.output.expect("output")["id"].clone();
        assert_eq!(
            id,
            json!("arn:aws:states:us-east-1:123456789012:express:orders:r1:00000000-0000-0000-0000-000000000000")
        );
    }
}
