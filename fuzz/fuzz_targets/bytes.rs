//! Arbitrary bytes as a Rust file.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    chanlint_fuzz::check(data.to_vec());
});
