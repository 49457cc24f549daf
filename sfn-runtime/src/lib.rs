//! The Step Functions engine: runs an [`sfn_asl::StateMachine`] with AWS's semantics.
//!
//! - [`engine`]: [`Engine`] runs executions on tokio: tasks, timers, task tokens, activities,
//!   nested executions; [`engine::express`] runs one with Express rules.
//! - [`execution`]: one execution as a deterministic state machine,
//!   `Execution::handle(event) -> Step`. No clock, no I/O: a store persists what it returns.
//! - [`history`]: the execution history events.
//! - [`resources`]: the registry of task handlers ([`Resources`]) and task sources.
//! - [`mocks`]: Step Functions Local mock configurations as a task source.
//! - [`test_state`]: the `TestState` API, one state on its own.
//!
//! A distributed Map reads and writes through an [`ObjectStore`] ([`LocalObjectStore`]: a
//! folder).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use std::sync::Arc;
//! use sfn_runtime::{Engine, ExecutionConfig, Resources};
//! # let machine = sfn_asl::StateMachine { comment: None, version: None, timeout_seconds: None,
//! #   query_language: None, start_at: "A".into(), states: Default::default() };
//! let engine = Engine::new(Resources::new());
//! let result = engine
//!     .start_sync_execution(Arc::new(machine), serde_json::json!({"x": 1}), ExecutionConfig::new("m", "run"))
//!     .await;
//! // `StartAt` names no state in this empty machine.
//! assert_eq!(result.outcome.error.as_deref(), Some("States.Runtime"));
//! # }
//! ```
#![warn(missing_docs, unreachable_pub)]

pub mod engine;
pub mod execution;
pub mod history;
pub mod mocks;
pub mod resources;
pub mod test_state;
pub mod workflow;

mod activities;
mod item_reader;
mod limits;
mod nested;
mod objects;
mod result_writer;

pub use activities::ActivityTask;
pub use engine::{ChildExecution, Engine, EngineError, ExecutionHandle, ExecutionResult};
pub use execution::{Event, Execution, ExecutionConfig, Outcome, Status};
pub use item_reader::ItemReaderError;
pub use objects::{LocalObjectStore, ObjectInfo, ObjectStore, ObjectStoreError};
pub use resources::{Resources, TaskError, TaskRequest, TaskSource};
pub use test_state::{test_state, TestStateResult};
