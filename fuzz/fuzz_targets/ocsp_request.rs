#![no_main]
//! Fuzz target `ocsp_request`: its body is `orgca_fuzzing::ocsp_request`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    orgca_fuzzing::ocsp_request(data);
});
