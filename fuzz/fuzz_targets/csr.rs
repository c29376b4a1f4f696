#![no_main]
//! Fuzz target `csr`: its body is `orgca_fuzzing::csr`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    orgca_fuzzing::csr(data);
});
