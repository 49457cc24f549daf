//! The IAM policy is `sfn_asl::iam::policy` (the CLI uses it too). Its tests live here, where
//! definitions can be written in the DSL.

#[cfg(test)]
mod tests;
