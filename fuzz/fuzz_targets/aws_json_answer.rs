//! Any bytes as an answer on an AWS JSON protocol: as the result of every `aws-sdk:` JSON
//! service and every job service (names, `null` members, timestamps converted, nothing else
//! changed), and as an error answer (see `aws_answers.rs`).
#![no_main]
use libfuzzer_sys::fuzz_target;

mod aws_answers;

fuzz_target!(|data: &[u8]| {
    aws_answers::check_json_answer(data);
});
