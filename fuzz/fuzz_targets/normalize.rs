//! The normaliser on any bytes: never panics; its fast path equals the general path;
//! it is idempotent; its output holds no mark, tatweel, format character, double or
//! edge space. Bytes that are not UTF-8 go through `normalize_bytes`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nuskha::normalize::profile_forbids;
use nuskha::{ArabicNormalizer, Normalize};

fn check_output(out: &str) {
    assert!(!out.starts_with(' ') && !out.ends_with(' '), "untrimmed: {out:?}");
    assert!(!out.contains("  "), "double space: {out:?}");
    if let Some(c) = out.chars().find(|&c| profile_forbids(c)) {
        panic!("U+{:04X} left in {out:?}", c as u32);
    }
}

fuzz_target!(|data: &[u8]| {
    let norm = ArabicNormalizer::new();
    let (lossy, _) = norm.normalize_bytes(data);
    check_output(&lossy);
    let Ok(text) = std::str::from_utf8(data) else { return };
    let once = norm.normalize(text).into_owned();
    assert_eq!(once, norm.normalize_reference(text), "fast path and general path differ");
    assert_eq!(norm.normalize(&once), once.as_str(), "not idempotent");
    check_output(&once);
    assert_eq!(lossy, once, "bytes and text normalised differently");
});
