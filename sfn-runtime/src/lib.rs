//! The Step Functions engine: runs an [`sfn_asl::StateMachine`] with AWS's semantics.
//!
//! - [`core`]: the deterministic core, `Execution::handle(event) -> Step`. No clock, no I/O.
//! - [`driver`]: [`Engine`] runs the core on tokio: tasks, timers, task tokens.
//! - [`resources`]: the registry of task handlers ([`Resources`]) and mock sources.
//! - [`history`]: the execution history events.
//! - [`objects`], [`item_reader`], [`result_writer`]: a distributed Map's object store, the
//!   items it reads and the results it exports.
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

pub mod activities;
pub mod core;
pub mod driver;
pub mod express;
pub mod history;
pub mod item_reader;
pub mod limits;
pub mod mock;
pub mod nested;
pub mod objects;
pub mod resources;
pub mod result_writer;
pub mod test_state;

pub use crate::core::{Event, Execution, ExecutionConfig, Outcome, Status};
pub use driver::{ChildExecution, Engine, EngineError, ExecutionHandle, ExecutionResult};
pub use resources::{Resources, TaskError, TaskRequest, TaskSource};
pub use test_state::{test_state, TestStateResult};
