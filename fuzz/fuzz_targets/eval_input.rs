//! `dedup eval`'s parsers on any bytes: labelled pairs, a clustering and a population
//! (split at the first two NUL bytes) give a score or a named error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0);
    let pairs = parts.next().unwrap_or_default();
    let clusters = parts.next().unwrap_or_default();
    let population = parts.next().unwrap_or_default();
    nuskha_cli::fuzzing::eval_inputs(pairs, clusters, population);
});
