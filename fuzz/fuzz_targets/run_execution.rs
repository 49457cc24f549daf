//! A whole execution from fuzz bytes (see `execution_case.rs`): a generated definition with
//! states of every type, an input and mocked task answers are validated and run on the engine
//! (paused clock, a step budget of 2,000 history events; libFuzzer's `-rss_limit_mb` is the
//! memory budget). Never a panic, the same outcome twice, no output over the payload limit.
#![no_main]
use libfuzzer_sys::fuzz_target;

mod execution_case;

fuzz_target!(|data: &[u8]| {
    execution_case::run(data);
});
