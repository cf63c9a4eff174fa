//! The one decode-and-warn path: every subcommand turns bytes into text here, so a
//! file in another encoding is recognised and named the same way everywhere.

use std::borrow::Cow;
use std::io;

use nuskha::decode_lossy;

use super::Reason;

/// A file whose decoded text is more than this share of U+FFFD is not UTF-8.
const MAX_REPLACEMENT_SHARE: f64 = 0.1;

/// Text decoded from bytes, with the number of invalid sequences replaced.
pub struct Decoded<'a> {
    /// The text.
    pub text: Cow<'a, str>,
    /// How many invalid sequences were replaced by U+FFFD.
    pub replaced: usize,
}

/// Decodes UTF-8 lossily.
///
/// # Errors
///
/// When the bytes are mostly not UTF-8: the reason and what to say.
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

/// The byte order mark of UTF-8.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How the bytes of an input are encoded, as told by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (or something to check as UTF-8), `bom` bytes of byte order mark first.
    Utf8 { bom: usize },
    /// UTF-16, little- or big-endian, `bom` bytes of byte order mark first.
    Utf16 { big_endian: bool, bom: usize },
    /// NUL bytes that are not UTF-16.
    Binary,
}

/// Tells the encoding from the first bytes of an input (a few KiB are enough): a byte
/// order mark, else UTF-16 without one by its NUL bytes all on one side of each pair
/// (ASCII spaces, digits and punctuation between Arabic letters), else NUL bytes are
/// binary and anything else is UTF-8 to check.
pub fn sniff(prefix: &[u8]) -> Encoding {
    if prefix.starts_with(UTF8_BOM) {
        return Encoding::Utf8 { bom: 3 };
    }
    if prefix.starts_with(b"\xFF\xFE") {
        return Encoding::Utf16 { big_endian: false, bom: 2 };
    }
    if prefix.starts_with(b"\xFE\xFF") {
        return Encoding::Utf16 { big_endian: true, bom: 2 };
    }
    if !prefix.contains(&0) {
        return Encoding::Utf8 { bom: 0 };
    }
    let pairs = prefix.len() / 2;
    let nul = |side: usize| prefix.chunks_exact(2).filter(|p| p[side] == 0).count();
    let (even, odd) = (nul(0), nul(1));
    // One side NUL often (at least one unit in eight: Arabic text has a space every few
    // words), the other seldom (a low surrogate's byte), and every unit decodes to text.
    let utf16 = |big_endian: bool| {
        let units = prefix.chunks_exact(2).map(|p| {
            if big_endian {
                u16::from_be_bytes([p[0], p[1]])
            } else {
                u16::from_le_bytes([p[0], p[1]])
            }
        });
        let mut decoded = char::decode_utf16(units).peekable();
        let mut ok = true;
        while let Some(c) = decoded.next() {
            // A pair cut at the end of the prefix is no sign of binary.
            let last = decoded.peek().is_none();
            ok &= match c {
                Ok(c) => !c.is_control() || matches!(c, '\n' | '\r' | '\t'),
                Err(_) => last,
            };
        }
        ok
    };
    if pairs > 0 && even * 4 <= odd && odd * 8 >= pairs && utf16(false) {
        return Encoding::Utf16 { big_endian: false, bom: 0 };
    }
    if pairs > 0 && odd * 4 <= even && even * 8 >= pairs && utf16(true) {
        return Encoding::Utf16 { big_endian: true, bom: 0 };
    }
    Encoding::Binary
}

/// The note that an input was read as UTF-16.
pub fn note_utf16(place: &str, big_endian: bool) {
    let order = if big_endian { "big-endian" } else { "little-endian" };
    eprintln!("dedup: note: {place}: UTF-16 ({order}), decoded");
}

/// Decodes a whole input: a byte order mark is dropped, UTF-16 decoded (with a note),
/// NUL bytes otherwise refused as binary, and the rest decoded as by [`decode`].
///
/// # Errors
///
/// When the bytes are binary or mostly not UTF-8: the reason and what to say.
pub fn decode_input<'a>(place: &str, bytes: &'a [u8]) -> Result<Decoded<'a>, (Reason, String)> {
    match sniff(&bytes[..bytes.len().min(SNIFF_BYTES)]) {
        Encoding::Binary => Err((Reason::Binary, "binary file (NUL bytes)".to_owned())),
        Encoding::Utf16 { big_endian, bom } => {
            note_utf16(place, big_endian);
            let mut out = String::new();
            let replaced = utf16_into(&bytes[bom..], big_endian, &mut out);
            Ok(Decoded { text: Cow::Owned(out), replaced })
        }
        Encoding::Utf8 { bom } => {
            let bytes = &bytes[bom..];
            if bytes.contains(&0) {
                return Err((Reason::Binary, "binary file (NUL bytes)".to_owned()));
            }
            decode(bytes)
        }
    }
}

/// Bytes looked at to tell an input's encoding and format.
pub const SNIFF_BYTES: usize = 64 << 10;

/// Appends UTF-16 `bytes` to `out` as UTF-8; returns how many units were invalid
/// (replaced by U+FFFD; an odd last byte counts as one).
fn utf16_into(bytes: &[u8], big_endian: bool, out: &mut String) -> usize {
    let units = bytes.chunks_exact(2).map(|p| {
        if big_endian { u16::from_be_bytes([p[0], p[1]]) } else { u16::from_le_bytes([p[0], p[1]]) }
    });
    let mut bad = bytes.len() % 2;
    out.reserve(bytes.len());
    for c in char::decode_utf16(units) {
        out.push(c.unwrap_or_else(|_| {
            bad += 1;
            char::REPLACEMENT_CHARACTER
        }));
    }
    if bytes.len() % 2 == 1 {
        out.push(char::REPLACEMENT_CHARACTER);
    }
    bad
}

/// A reader of UTF-16 that gives UTF-8: JSON Lines in UTF-16 go through the same
/// block reader as the rest. Invalid units become U+FFFD.
pub struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    /// Bytes read and not yet decoded (an odd byte, a lone high surrogate).
    raw: Vec<u8>,
    /// UTF-8 decoded and not yet handed out, from `at`.
    out: String,
    at: usize,
    done: bool,
}

impl<R: io::Read> Utf16Reader<R> {
    pub fn new(inner: R, big_endian: bool) -> Self {
        Utf16Reader { inner, big_endian, raw: Vec::new(), out: String::new(), at: 0, done: false }
    }
}

impl<R: io::Read> io::Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.out.len() && !self.done {
            self.out.clear();
            self.at = 0;
            let mut chunk = [0; 16 << 10];
            let n = self.inner.read(&mut chunk)?;
            self.raw.extend_from_slice(&chunk[..n]);
            if n == 0 {
                self.done = true;
                utf16_into(&std::mem::take(&mut self.raw), self.big_endian, &mut self.out);
                break;
            }
            // Keep an odd byte and a high surrogate at the end for the next read.
            let mut whole = self.raw.len() & !1;
            if whole >= 2 {
                let p = &self.raw[whole - 2..whole];
                let last = if self.big_endian {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                };
                if (0xD800..0xDC00).contains(&last) {
                    whole -= 2;
                }
            }
            utf16_into(&self.raw[..whole], self.big_endian, &mut self.out);
            self.raw.drain(..whole);
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out.as_bytes()[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() })
            .collect()
    }

    #[test]
    fn sniff_tells_utf16_from_binary() {
        // "كتب الصحفي 3 مقالات" / "a 😀 b"
        let text = "\u{0643}\u{062A}\u{0628} \u{0627}\u{0644}\u{0635}\u{062D}\u{0641}\u{064A} 3 \u{0645}\u{0642}\u{0627}\u{0644}\u{0627}\u{062A}\na \u{1F600} b";
        assert_eq!(sniff(&utf16(text, false)), Encoding::Utf16 { big_endian: false, bom: 0 });
        assert_eq!(sniff(&utf16(text, true)), Encoding::Utf16 { big_endian: true, bom: 0 });
        assert_eq!(sniff(b"\xFF\xFEa\0"), Encoding::Utf16 { big_endian: false, bom: 2 });
        assert_eq!(sniff(b"\xEF\xBB\xBF{}"), Encoding::Utf8 { bom: 3 });
        assert_eq!(sniff(b"\x7fELF\x00\x00\x01binary"), Encoding::Binary);
        assert_eq!(sniff(b"\x01\x00\x02\x00\x03\x00"), Encoding::Binary, "control characters");
        assert_eq!(sniff("plain".as_bytes()), Encoding::Utf8 { bom: 0 });
    }

    #[test]
    fn utf16_reader_decodes_across_reads() {
        let text = "{\"id\": \"\u{0623}\"}\n\u{1F600}\u{0628}".repeat(200);
        for big_endian in [false, true] {
            let bytes = utf16(&text, big_endian);
            // One byte at a time splits every unit and every surrogate pair.
            let reader = bytes.chain(&[][..]);
            let mut out = String::new();
            Utf16Reader::new(OneByte(reader), big_endian).read_to_string(&mut out).unwrap();
            assert!(out == text);
        }
    }

    struct OneByte<R>(R);
    impl<R: Read> Read for OneByte<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(1);
            self.0.read(&mut buf[..n])
        }
    }
}
