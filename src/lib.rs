//! `sfn`: typed AWS Step Functions workflows in Rust.
//!
//! This facade re-exports the language crate ([`asl`]), the engine ([`runtime`]) and the macros.
#![warn(missing_docs, unreachable_pub)]

pub use sfn_asl as asl;
pub use sfn_runtime as runtime;

pub mod import;
pub mod shape;
mod workflow;

pub use sfn_macros::{workflow, Shape};
pub use sfn_runtime::TaskError;
pub use shape::Shape;
pub use workflow::{
    __private, ExecutionError, ExecutionErrorKind, Run, Runner, Started, Workflow, WorkflowKind,
    WorkflowState, TASK_INPUT_MISMATCH, TASK_RESULT_NOT_JSON,
};
