//! An S3 answer (`Action STATUS`, header lines, a blank line, the body): a success gives the
//! header members and the XML body's members, an error answer an `S3.` exception with S3's
//! code (see `aws_answers.rs`).
#![no_main]
use libfuzzer_sys::fuzz_target;

mod aws_answers;

fuzz_target!(|data: &[u8]| {
    aws_answers::check_s3_answer(data);
});
