#![no_main]
//! Fuzz target `cursor`: its body is `orgca_fuzzing::cursor`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    orgca_fuzzing::cursor(data);
});
