#![no_main]
//! Fuzz target `config`: its body is `orgca_fuzzing::config`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    orgca_fuzzing::config(data);
});
