#![no_main]
//! Fuzz target `search_text`: its body is `orgca_fuzzing::search_text`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    orgca_fuzzing::search_text(data);
});
