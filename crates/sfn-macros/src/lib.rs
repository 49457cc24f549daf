//! Proc macros of `sfn`: `workflow!` and `#[derive(Shape)]` (not yet written).
#![warn(missing_docs, unreachable_pub)]
