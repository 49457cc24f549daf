//! The Step Functions engine (not yet written).
#![warn(missing_docs, unreachable_pub)]
