#![no_main]
//! Fuzz target `pdf`: its body is `orgca_fuzzing::pdf`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    orgca_fuzzing::pdf(data);
});
