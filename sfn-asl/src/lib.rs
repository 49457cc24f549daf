//! The Amazon States Language (ASL): one exact model of a Step Functions state machine.
//!
//! - [`model`]: every state type and field, typed. A [`model::StateMachine`] only ever holds a
//!   definition that passed validation, with every path, template, intrinsic call and JSONata
//!   expression already compiled.
//! - [`parse`]: JSON text → model, or *all* findings ([`Finding`]), each located by JSON pointer.
//! - [`emit()`]: model → canonical JSON (state order preserved).
//! - [`resource`]: a Task `Resource` read once (service, action, integration pattern, partition,
//!   ARN parts), for the linter, the IAM policy ([`iam`]), the engine and the macro.
//! - [`path`], [`intrinsic`], [`template`], [`choice`], [`jsonata`]: the expression languages,
//!   each parsed once into a compiled form and evaluated many times by the engine.
//!
//! ```
//! let doc = r#"{"StartAt":"Hi","States":{"Hi":{"Type":"Pass","End":true}}}"#;
//! let machine = sfn_asl::parse(doc).expect("valid");
//! assert_eq!(machine.start_at, "Hi");
//! ```
#![warn(missing_docs, unreachable_pub)]

pub mod choice;
pub mod emit;
pub mod error;
pub mod eval;
pub mod iam;
pub mod intrinsic;
pub mod jsonata;
pub mod model;
pub mod path;
pub mod pointer;
pub mod random;
pub mod resource;
pub mod shape;
pub mod template;
pub mod validate;

pub use emit::{emit, emit_value};
pub use error::{EvalError, ExprError, Finding, FindingCode};
pub use model::StateMachine;
pub use validate::{parse, parse_value, Findings};
