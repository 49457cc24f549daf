//! The IAM policy is `sfn_asl::iam::policy` (each integration against AWS's documented policy
//! is checked in `sfn-asl/tests/iam_documented.rs`). These tests grant DSL definitions, as
//! `workflow!` writes them to `<Workflow>.iam.json`.

#[cfg(test)]
mod tests;
