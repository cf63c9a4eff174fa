//! The tokeniser on normalised text equals the reference (unicode-segmentation's
//! words, cut at ASCII punctuation), and on any text never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nuskha::{ArabicNormalizer, Normalize, tokenize, words};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = words(text).count();
    let normal = ArabicNormalizer::new().normalize(text);
    let fast: Vec<&str> = words(&normal).collect();
    let reference: Vec<&str> = tokenize::reference_words(&normal).collect();
    assert_eq!(fast, reference, "the fast scan and the reference differ");
});
