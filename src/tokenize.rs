//! Stage 2a: words of normalised text.
//!
//! A word is what UAX #29 (unicode-segmentation's `unicode_words`) calls a word, cut
//! again at ASCII punctuation, except that `.` and `,` between two ASCII digits stay
//! inside it, so `12.5` and `1,000` are one token while `covid-19` is two. Words never
//! hold whitespace (UAX #29 would glue a combining mark that follows a space to it).
//!
//! [`words`] gets there with a byte scan for the text that news is made of (ASCII and
//! Arabic letters, split on ASCII whitespace), and hands any whitespace-delimited chunk
//! that holds another character to unicode-segmentation. The two agree on every
//! article of the test corpus (see `tests/tokenize.rs`).

use unicode_segmentation::UnicodeSegmentation;

use crate::normalize::is_arabic_letter;

/// Splits normalised text into words.
///
/// # Examples
///
/// ```
/// let words: Vec<&str> = nuskha::words("قال trump ان 12.5% من 1,000 covid-19").collect();
/// assert_eq!(words, ["قال", "trump", "ان", "12.5", "من", "1,000", "covid", "19"]);
/// ```
pub fn words(text: &str) -> Words<'_> {
    Words {
        text,
        pos: 0,
        chunk_end: 0,
        slow: Vec::new(),
        slow_at: 0,
    }
}

/// The iterator returned by [`words`].
#[derive(Debug, Clone)]
pub struct Words<'t> {
    text: &'t str,
    /// Next byte to look at.
    pos: usize,
    /// End of the current whitespace-delimited chunk (fast path).
    chunk_end: usize,
    /// Tokens of a chunk that went through unicode-segmentation, as byte ranges.
    slow: Vec<(usize, usize)>,
    slow_at: usize,
}

/// True for a chunk the byte scan can tokenise: ASCII and Arabic letters only.
fn is_fast_chunk(chunk: &str) -> bool {
    chunk.chars().all(|c| c.is_ascii() || is_arabic_letter(c))
}

/// A word byte inside a fast chunk: ASCII alphanumeric, or the lead byte of an Arabic
/// letter (continuation bytes are skipped with it).
#[inline]
fn is_word_lead(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0xC0
}

impl Words<'_> {
    /// Tokenises a chunk the slow, reference way into `self.slow`.
    fn slow_chunk(&mut self, start: usize, end: usize) {
        self.slow.clear();
        self.slow_at = 0;
        let chunk = &self.text[start..end];
        for (off, word) in chunk.unicode_word_indices() {
            split_ascii_punct(word, |s, e| {
                self.slow.push((start + off + s, start + off + e));
            });
        }
    }
}

/// Cuts a UAX #29 word at ASCII punctuation, keeping `.`/`,` between ASCII digits, and
/// at ASCII whitespace (UAX #29 glues a combining mark that follows a space to it).
fn split_ascii_punct(word: &str, mut emit: impl FnMut(usize, usize)) {
    let b = word.as_bytes();
    let mut start = 0;
    for i in 0..b.len() {
        if b[i].is_ascii_whitespace() || (b[i].is_ascii_punctuation() && !is_joiner(b, i)) {
            if start < i {
                emit(start, i);
            }
            start = i + 1;
        }
    }
    if start < b.len() {
        emit(start, b.len());
    }
}

/// `.` or `,` with an ASCII digit on both sides.
#[inline]
fn is_joiner(b: &[u8], i: usize) -> bool {
    matches!(b[i], b'.' | b',')
        && i > 0
        && b[i - 1].is_ascii_digit()
        && b.get(i + 1).is_some_and(u8::is_ascii_digit)
}

impl<'t> Iterator for Words<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let b = self.text.as_bytes();
        loop {
            if let Some(&(s, e)) = self.slow.get(self.slow_at) {
                self.slow_at += 1;
                return Some(&self.text[s..e]);
            }
            if self.pos >= self.chunk_end {
                while self.pos < b.len() && b[self.pos].is_ascii_whitespace() {
                    self.pos += 1;
                }
                if self.pos >= b.len() {
                    return None;
                }
                let start = self.pos;
                let end = b[start..]
                    .iter()
                    .position(u8::is_ascii_whitespace)
                    .map_or(b.len(), |n| start + n);
                self.chunk_end = end;
                if !is_fast_chunk(&self.text[start..end]) {
                    self.slow_chunk(start, end);
                    self.pos = end;
                    continue;
                }
            }
            let end = self.chunk_end;
            while self.pos < end && !is_word_lead(b[self.pos]) {
                self.pos += 1;
            }
            if self.pos >= end {
                continue;
            }
            let start = self.pos;
            while self.pos < end {
                let c = b[self.pos];
                if is_word_lead(c) || (c & 0xC0 == 0x80) || is_joiner(&b[..end], self.pos) {
                    self.pos += 1;
                } else {
                    break;
                }
            }
            return Some(&self.text[start..self.pos]);
        }
    }
}

/// The reference tokeniser: unicode-segmentation's words, cut at ASCII punctuation as
/// [`words`] does. Slower; kept public so callers and tests can check the fast path.
///
/// # Examples
///
/// ```
/// let text = "قال trump ان 12.5% covid-19";
/// assert!(nuskha::tokenize::reference_words(text).eq(nuskha::words(text)));
/// ```
pub fn reference_words(text: &str) -> impl Iterator<Item = &str> {
    text.unicode_word_indices().flat_map(|(_, word)| {
        let mut parts = Vec::new();
        split_ascii_punct(word, |s, e| parts.push(&word[s..e]));
        parts
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str) -> Vec<&str> {
        let fast: Vec<&str> = words(text).collect();
        let reference: Vec<&str> = reference_words(text).collect();
        assert_eq!(fast, reference, "fast and reference differ on {text:?}");
        fast
    }

    #[test]
    fn arabic_words() {
        assert_eq!(
            w("اعلن الرءيس المصري, يوم الثلاثاء"),
            ["اعلن", "الرءيس", "المصري", "يوم", "الثلاثاء"]
        );
    }

    #[test]
    fn latin_and_mixed() {
        assert_eq!(
            w("bbc عربي: trump's plan"),
            ["bbc", "عربي", "trump", "s", "plan"]
        );
        assert_eq!(w("ال20 abcال"), ["ال20", "abcال"]);
    }

    #[test]
    fn digits_keep_decimal_and_thousands() {
        assert_eq!(
            w("12.5% 1,000 3,5 x.1 1.a 1..2 2024-2025"),
            [
                "12.5", "1,000", "3,5", "x", "1", "1", "a", "1", "2", "2024", "2025"
            ]
        );
        assert_eq!(w("1,000,000.25,"), ["1,000,000.25"]);
    }

    #[test]
    fn other_scripts_go_through_unicode_segmentation() {
        assert_eq!(w("café naïve"), ["café", "naïve"]);
        assert_eq!(w("日本語 テスト"), ["日", "本", "語", "テスト"]);
        assert_eq!(w("👨👩 ok"), ["ok"]);
        assert_eq!(w("a\u{a0}b"), ["a", "b"]);
    }

    #[test]
    fn empty_and_punctuation_only() {
        assert!(w("").is_empty());
        assert!(w(" .,;- \" ").is_empty());
    }
}
