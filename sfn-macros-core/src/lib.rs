//! The work behind `sfn`'s proc macros, as an ordinary library that tests can call (the way
//! `sqlx-macros-core` serves `sqlx-macros`).
//!
//! - [`import`]: ASL → `workflow!` source, the inverse of the macro (`sfn import`).
//!
//! ```
//! let machine = sfn_asl::parse(r#"{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}"#).unwrap();
//! assert!(sfn_macros_core::import::import(&machine, "flow").contains("A: succeed;"));
//! ```
#![warn(missing_docs, unreachable_pub)]

pub mod import;
