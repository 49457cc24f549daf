//! Any bytes as an XML answer of S3 or the Query protocol: the element tree is read within its
//! depth limit or refused with a short error, and written back as XML reads as the same tree
//! (see `aws_answers.rs`).
#![no_main]
use libfuzzer_sys::fuzz_target;

mod aws_answers;

fuzz_target!(|data: &[u8]| {
    aws_answers::check_xml_tree(data);
});
