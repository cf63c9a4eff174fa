//! The command's reader on any bytes, as a file of the kind the first byte chooses
//! (text, JSON Lines, JSON, gzipped JSON Lines): never panics, and every article it
//! reads can be read again from the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else { return };
    let extension = ["txt", "jsonl", "json", "jsonl.gz"][usize::from(choice) % 4];
    nuskha_cli::fuzzing::read_input(rest, extension);
});
