//! The one decode-and-warn path: every subcommand turns bytes into text here, so a
//! file in another encoding is recognised and named the same way everywhere.

use std::borrow::Cow;

use nuskha::decode_lossy;

use super::Reason;

/// A file whose decoded text is more than this share of U+FFFD is not UTF-8.
const MAX_REPLACEMENT_SHARE: f64 = 0.1;

/// Text decoded from bytes, with the number of invalid sequences replaced.
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub replaced: usize,
}

/// Decodes UTF-8 lossily; an error when the bytes are mostly not UTF-8.
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, (Reason, String)> {
    let (text, bad) = decode_lossy(bytes);
    if bad > 0 {
        let chars = text.chars().count().max(1);
        if bad as f64 / chars as f64 > MAX_REPLACEMENT_SHARE {
            return Err((
                Reason::NotUtf8,
                format!(
                    "not UTF-8: {bad} invalid sequences in {chars} characters (Windows-1256? convert it with iconv -f CP1256 -t UTF-8)"
                ),
            ));
        }
    }
    Ok(Decoded { text, replaced: bad })
}

/// The warning that `replaced` invalid sequences of `place` were replaced.
pub fn replaced_warning(place: &str, replaced: usize) -> String {
    format!("{place}: invalid UTF-8, {replaced} byte sequence(s) replaced")
}
