//! `sfn`: typed AWS Step Functions workflows in Rust.
//!
//! This facade re-exports the language crate ([`asl`]), the engine ([`runtime`]), the typed
//! runner ([`Workflow`], [`Runner`]), the compile-time JSON shapes ([`shape`]) and the macros.
//!
//! ```
//! use sfn::{workflow, Shape};
//! use sfn::shape::JsonShape;
//!
//! #[derive(Shape)]
//! #[serde(rename_all = "camelCase")]
//! struct Order { order_id: String, total: f64 }
//!
//! let JsonShape::Object(o) = <Order as Shape>::SHAPE else { panic!("an object") };
//! assert_eq!(o.fields[0].name, "orderId");
//!
//! workflow! {
//!     pub Doubler(serde_json::Value) -> serde_json::Value {
//!         start Double;
//!         Double: task "arn:aws:lambda:us-east-1:123456789012:function:double" end;
//!     }
//! }
//!
//! #[derive(Clone)]
//! struct Tasks;
//! impl DoublerTasks for Tasks {
//!     async fn double(&self, input: serde_json::Value) -> Result<serde_json::Value, sfn::TaskError> {
//!         Ok(serde_json::json!({ "n": input["n"].as_i64().unwrap_or(0) * 2 }))
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let out = Doubler::run(&Tasks, serde_json::json!({ "n": 21 })).await.unwrap();
//! assert_eq!(out, serde_json::json!({ "n": 42 }));
//! # }
//! ```
#![warn(missing_docs, unreachable_pub)]

pub use sfn_asl as asl;
pub use sfn_asl::shape;
pub use sfn_runtime as runtime;

/// ASL → `workflow!` source (`sfn import`); only with the `cli` feature, so a library user
/// does not compile the importer.
#[cfg(feature = "cli")]
pub use sfn_macros_core::import;

pub use sfn_asl::shape::Shape;
pub use sfn_macros::{workflow, Shape};
/// What generated code names (`::sfn::__private::...`); not a public API.
#[doc(hidden)]
pub use sfn_runtime::workflow::__private;
pub use sfn_runtime::workflow::{
    ExecutionError, ExecutionErrorKind, Run, Runner, Started, Workflow, WorkflowKind,
    WorkflowState, TASK_INPUT_MISMATCH, TASK_RESULT_NOT_JSON,
};
pub use sfn_runtime::TaskError;
