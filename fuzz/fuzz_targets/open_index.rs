//! Opening a `dedup index` file made of any bytes, or of a valid index with bytes
//! overwritten: a clear error or the valid index's clusters, never a panic and never a
//! different answer taken (see `nuskha_cli::fuzzing::open_index`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nuskha_cli::fuzzing::open_index(data);
});
