//! An XML answer to an `aws-sdk:sns` / `aws-sdk:sts` action (the first line names it): the
//! result has the model's members, each of its shape, or a short error; the body read as a
//! Query error answer names an SDK v2 exception (see `aws_answers.rs`).
#![no_main]
use libfuzzer_sys::fuzz_target;

mod aws_answers;

fuzz_target!(|data: &[u8]| {
    aws_answers::check_query_answer(data);
});
