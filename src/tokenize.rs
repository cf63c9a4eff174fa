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

use crate::normalize::is_arabic_letter_cp;

/// Splits normalised text into words.
///
/// # Examples
///
/// ```
/// let words: Vec<&str> = nuskha::words("قال trump ان 12.5% من 1,000 covid-19").collect();
/// assert_eq!(words, ["قال", "trump", "ان", "12.5", "من", "1,000", "covid", "19"]);
/// ```
pub fn words(text: &str) -> Words<'_> {
    Words { text, pos: 0, last_end: 0, tokens: Vec::new(), at: 0, plain: false }
}

/// [`words`] for text that holds only ASCII and Arabic letters, as the normaliser
/// reports: every non-ASCII byte is then part of a word, so the scan jumps over eight
/// bytes at a time and only looks at ASCII bytes. Same tokens (tested).
pub(crate) fn words_plain(text: &str) -> Words<'_> {
    Words { text, pos: 0, last_end: 0, tokens: Vec::new(), at: 0, plain: true }
}

/// Calls `f` with the bytes of each word of plain text (see [`words_plain`]) whose
/// word separators — spaces and ASCII punctuation — are at the offsets `bounds`, in
/// ascending order, as the normaliser records them: the words [`words_plain`] finds,
/// without scanning the text again (tested against it). Works on bytes, so a wrong
/// offset could split a word wrongly but never panic.
pub(crate) fn for_each_bounded_word<'t>(b: &'t [u8], bounds: &[u32], mut f: impl FnMut(&'t [u8])) {
    let mut start = 0;
    for &p in bounds {
        let p = p as usize;
        if p >= b.len() {
            break;
        }
        if p < start || is_joiner(b, p) {
            continue;
        }
        if p > start {
            f(&b[start..p]);
        }
        start = p + 1;
    }
    if start < b.len() {
        f(&b[start..]);
    }
}

/// The iterator returned by [`words`].
#[derive(Debug, Clone)]
pub struct Words<'t> {
    text: &'t str,
    /// Next byte to scan.
    pos: usize,
    /// End of the last token returned.
    last_end: usize,
    /// Tokens of a chunk that went through unicode-segmentation, as byte ranges.
    tokens: Vec<(usize, usize)>,
    at: usize,
    /// The text holds only ASCII and Arabic letters (see [`words_plain`]).
    plain: bool,
}

/// Byte classes of the scan.
const WS: u8 = 0;
const PUNCT: u8 = 1;
const ALNUM: u8 = 2;
const ARABIC: u8 = 3;
const OTHER: u8 = 4;

/// The class of each byte: ASCII whitespace, other ASCII (a boundary, or a joiner
/// between digits), ASCII alphanumerics, the lead byte of U+0600..=U+06FF, and
/// everything else (which sends its chunk to unicode-segmentation).
const CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = if b.is_ascii_whitespace() {
            WS
        } else if b.is_ascii_alphanumeric() {
            ALNUM
        } else {
            PUNCT
        };
        i += 1;
    }
    t[0xD8] = ARABIC;
    t[0xD9] = ARABIC;
    t[0xDA] = ARABIC;
    t[0xDB] = ARABIC;
    t
};

impl Words<'_> {
    /// The scan for plain text: returns the next word's byte range.
    #[inline]
    fn next_plain(&mut self) -> Option<(usize, usize)> {
        let b = self.text.as_bytes();
        let n = b.len();
        let mut i = self.pos;
        while i < n && b[i] < 0x80 && !b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= n {
            self.pos = n;
            return None;
        }
        let start = i;
        loop {
            // Jump over non-ASCII bytes (Arabic letters), eight at a time.
            while let Some(chunk) = b.get(i..i + 8) {
                let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
                let ascii = !word & 0x8080_8080_8080_8080;
                if ascii != 0 {
                    i += (ascii.trailing_zeros() / 8) as usize;
                    break;
                }
                i += 8;
            }
            while i < n && b[i] >= 0x80 {
                i += 1;
            }
            if i < n && (b[i].is_ascii_alphanumeric() || is_joiner(b, i)) {
                i += 1;
                continue;
            }
            break;
        }
        self.pos = i;
        Some((start, i))
    }

    /// The general path for the whitespace-delimited chunk around byte `i`: tokens
    /// from unicode-segmentation, minus those already returned by the scan.
    fn fall_back(&mut self, i: usize) {
        let b = self.text.as_bytes();
        let start = b[..i].iter().rposition(u8::is_ascii_whitespace).map_or(0, |p| p + 1);
        let end = b[i..].iter().position(u8::is_ascii_whitespace).map_or(b.len(), |p| i + p);
        self.tokens.clear();
        self.at = 0;
        let chunk = &self.text[start..end];
        let last_end = self.last_end;
        for (off, word) in chunk.unicode_word_indices() {
            split_ascii_punct(word, |s, e| {
                if start + off + s >= last_end {
                    self.tokens.push((start + off + s, start + off + e));
                }
            });
        }
        self.pos = end;
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

    #[inline]
    fn next(&mut self) -> Option<&'t str> {
        if self.plain {
            let (s, e) = self.next_plain()?;
            return Some(&self.text[s..e]);
        }
        let b = self.text.as_bytes();
        'chunk: loop {
            if let Some(&(s, e)) = self.tokens.get(self.at) {
                self.at += 1;
                self.last_end = e;
                return Some(&self.text[s..e]);
            }
            let mut i = self.pos;
            // Skip to the start of a word.
            while i < b.len() && CLASS[usize::from(b[i])] <= PUNCT {
                i += 1;
            }
            if i >= b.len() {
                self.pos = i;
                return None;
            }
            let start = i;
            while i < b.len() {
                match CLASS[usize::from(b[i])] {
                    ALNUM => i += 1,
                    ARABIC if i + 1 < b.len() => {
                        let cp = ((u32::from(b[i]) & 0x1F) << 6) | (u32::from(b[i + 1]) & 0x3F);
                        if !is_arabic_letter_cp(cp) {
                            self.fall_back(i);
                            continue 'chunk;
                        }
                        i += 2;
                    }
                    PUNCT if i > start && is_joiner(b, i) => i += 1,
                    WS | PUNCT => break,
                    _ => {
                        self.fall_back(i);
                        continue 'chunk;
                    }
                }
            }
            self.pos = i;
            self.last_end = i;
            return Some(&self.text[start..i]);
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
    use crate::ArabicNormalizer;
    use crate::normalize::{Normalize, Shape, WordBreaks, is_arabic_letter};
    use proptest::prelude::*;

    use crate::tests::corpus;

    /// Normalises `text`, checks the plain flag, and checks the plain scan and the
    /// words between the separators the normaliser recorded against the general scan;
    /// returns the shape.
    fn check_plain(norm: &ArabicNormalizer, text: &str) -> Shape {
        let (mut bytes, mut bounds) = (Vec::new(), WordBreaks::default());
        let shape = norm.normalize_into_bounded(text, &mut bytes, &mut bounds);
        let out = String::from_utf8(bytes).expect("the normaliser writes UTF-8");
        let mut plain_out = String::new();
        norm.normalize_into(text, &mut plain_out);
        assert_eq!(out, plain_out, "normalised differently with separators recorded");
        if shape != Shape::General {
            assert!(
                out.chars().all(|c| c.is_ascii() || is_arabic_letter(c)),
                "flagged plain but is not: {out:?}"
            );
            let fast: Vec<&str> = words_plain(&out).collect();
            let general: Vec<&str> = words(&out).collect();
            assert_eq!(fast, general, "plain scan differs on {out:?}");
            if shape == Shape::Bounded {
                let mut bounded: Vec<&[u8]> = Vec::new();
                for_each_bounded_word(out.as_bytes(), bounds.as_slice(), |w| bounded.push(w));
                let general: Vec<&[u8]> = general.iter().map(|w| w.as_bytes()).collect();
                assert_eq!(bounded, general, "recorded separators differ on {text:?} -> {out:?}");
            }
        }
        shape
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, rng_seed: proptest::test_runner::RngSeed::Fixed(3), ..ProptestConfig::default() })]

        #[test]
        fn recorded_separators_hold_with_every_option(text in "([ابتثجحخدذرسشصضطظعغفقكلمنهويء]{1,9}|[آأؤإئةى]|[a-z0-9]{1,4}|[.,:!?()%-]| | {1,3}|[\u{64E}\u{640}٣،«éA\t\n]){0,90}", flags in 0u8..32) {
            let norm = ArabicNormalizer::builder()
                .keep_ta_marbuta(flags & 1 != 0)
                .keep_alef_maksura(flags & 2 != 0)
                .hamza_to_base(flags & 4 != 0)
                .keep_punctuation(flags & 8 != 0)
                .nfkc(flags & 16 == 0)
                .build();
            check_plain(&norm, &text);
        }

        #[test]
        fn recorded_separators_hold_on_presentation_forms(text in "([ابتلمنهوي]{1,5}|[\u{FE80}-\u{FEFC}]{1,4}|[\u{FB50}-\u{FBB1}]| {1,2}|\u{2026}|[\u{64E}\u{651}]|[a-z0-9.,]){0,60}") {
            check_plain(&ArabicNormalizer::new(), &text);
        }

        #[test]
        fn plain_scan_equals_general_scan(text in "[ \t\na-zA-Z0-9.,;:'\"!?()\\-_%/ابتثجحخدذرسشصضطظعغفقكلمنهويءأإآةىئؤ\u{64B}\u{640}٣٫،«»؋۽é\u{200F}\u{A0}]{0,80}") {
            check_plain(&ArabicNormalizer::new(), &text);
        }
    }

    #[test]
    fn plain_scan_at_every_alignment() {
        // Joiners, digits, Arabic letters and separators land on every byte of the
        // eight-byte jumps, and at the end of the text.
        let tail = "1.5 x 12,000.5, ab.c ال20 قال: 3,, 7.";
        for pad in 0..140 {
            for filler in ["a", "ب", " "] {
                let text = format!("{}{tail}", filler.repeat(pad / filler.len()));
                let fast: Vec<&str> = words_plain(&text).collect();
                let general: Vec<&str> = words(&text).collect();
                assert_eq!(fast, general, "{text:?}");
            }
        }
        assert_eq!(words_plain("").count(), 0);
        assert_eq!(words_plain(&"x".repeat(128)).count(), 1);
    }

    #[test]
    fn plain_scan_equals_general_scan_on_the_corpus() {
        let Some(articles) = corpus::load("saudinewsnet") else {
            return;
        };
        let norm = ArabicNormalizer::new();
        let shapes: Vec<Shape> =
            articles.iter().step_by(3).map(|a| check_plain(&norm, &a.text)).collect();
        let bounded = shapes.iter().filter(|&&s| s == Shape::Bounded).count();
        assert!(bounded * 2 > shapes.len(), "separators are rarely recorded: {bounded}");
        let plain = shapes.iter().filter(|&&s| s != Shape::General).count();
        assert!(plain * 3 > articles.len() / 2, "the plain path is rarely taken: {plain}");
    }

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
        assert_eq!(w("bbc عربي: trump's plan"), ["bbc", "عربي", "trump", "s", "plan"]);
        assert_eq!(w("ال20 abcال"), ["ال20", "abcال"]);
    }

    #[test]
    fn digits_keep_decimal_and_thousands() {
        assert_eq!(
            w("12.5% 1,000 3,5 x.1 1.a 1..2 2024-2025"),
            ["12.5", "1,000", "3,5", "x", "1", "1", "a", "1", "2", "2024", "2025"]
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
