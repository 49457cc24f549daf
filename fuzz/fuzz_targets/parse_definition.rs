//! Any text as a definition: parse never panics, and a definition that parses survives
//! emit → parse unchanged.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(machine) = sfn_asl::parse(text) {
        let again = sfn_asl::parse(&sfn_asl::emit(&machine)).expect("emitted ASL must parse");
        assert_eq!(machine, again, "emit/parse round trip changed the model");
    }
});
