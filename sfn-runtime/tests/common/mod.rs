//! Helpers shared by the runtime integration tests.
#![allow(dead_code)]

use std::sync::Arc;

use serde_json::Value;
use sfn_asl::StateMachine;
use sfn_runtime::history::EventType;
use sfn_runtime::{Engine, ExecutionConfig, ExecutionResult, Resources};

/// 2024-01-01T00:00:00Z.
pub const START_MS: u64 = 1_704_067_200_000;

/// Parses a definition, panicking with the findings when it is invalid (test input is fixed).
pub fn machine(definition: Value) -> Arc<StateMachine> {
    match sfn_asl::parse(&definition.to_string()) {
        Ok(m) => Arc::new(m),
        Err(f) => panic!("invalid test definition: {:?}", f.0),
    }
}

/// An engine with a fixed start time.
pub fn engine(resources: Resources) -> Engine {
    Engine::new(resources).with_start_time(START_MS)
}

/// Runs `definition` on `input` to its end.
pub async fn run(definition: Value, input: Value, resources: Resources) -> ExecutionResult {
    engine(resources)
        .start_sync_execution(
            machine(definition),
            input,
            ExecutionConfig::new("test", "run"),
        )
        .await
}

/// The event types of a history.
pub fn types(result: &ExecutionResult) -> Vec<EventType> {
    result.history.iter().map(|e| e.event_type).collect()
}

/// How many events of `ty` a history holds.
pub fn count(result: &ExecutionResult, ty: EventType) -> usize {
    result.history.iter().filter(|e| e.event_type == ty).count()
}
