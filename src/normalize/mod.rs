//! Stage 1: text normalisation, so that spelling variants of one story hash alike.
//!
//! [`ArabicNormalizer`] implements profile **"dedup-default v1"** (see the crate docs and
//! `NORMALISATION.md`): NFKC, then one pass over a character table that deletes marks,
//! tatweel and format/control characters, folds letter variants, digits, punctuation,
//! quotes and dashes, maps every kind of whitespace to one space, and lowercases Latin.
//! The output is meant for hashing, not for display.
//!
//! Text that is already normal is returned borrowed after one scan, without copying.

mod arabic;
mod code;
mod scan;

use std::borrow::Cow;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use arabic::{Action, ArabicTable, TableOptions};
pub(crate) use arabic::{is_arabic_letter, is_arabic_letter_cp};
pub use code::{code_runs, strip_code};

/// The identifier of the default profile, carried by sketches so that signatures made
/// under different normalisation are never compared by accident.
pub const DEFAULT_PROFILE: &str = "dedup-default v1";

/// Something that turns raw text into the canonical form that is shingled and hashed.
///
/// Implement it to plug a custom normaliser into the pipeline. It is object safe.
pub trait Normalize: Send + Sync {
    /// Writes the normalised form of `text` into `out`, which is cleared first.
    ///
    /// Reusing one `out` across documents avoids an allocation per document.
    fn normalize_into(&self, text: &str, out: &mut String);

    /// Returns the normalised form of `text`, borrowed when nothing changes.
    fn normalize<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = String::new();
        self.normalize_into(text, &mut out);
        if out == text { Cow::Borrowed(text) } else { Cow::Owned(out) }
    }

    /// A short name for this normaliser and its options, recorded in sketch parameters.
    fn profile(&self) -> Cow<'static, str> {
        Cow::Borrowed("custom")
    }
}

/// The Arabic-aware normaliser, profile "dedup-default v1".
///
/// # Examples
///
/// ```
/// use nuskha::{ArabicNormalizer, Normalize};
///
/// let norm = ArabicNormalizer::new();
/// // "كَتَبَ" (kataba, with harakat) -> "كتب"
/// assert_eq!(norm.normalize("\u{0643}\u{064E}\u{062A}\u{064E}\u{0628}\u{064E}"), "\u{0643}\u{062A}\u{0628}");
/// // Hamza carriers, alef variants and ta marbuta fold; Latin is lowercased.
/// assert_eq!(norm.normalize("هيئة الأمم المتحدة BBC"), "هيءه الامم المتحده bbc");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArabicNormalizer {
    table: ArabicTable,
    /// What the letters the scan folds become (see `scan::fold_table`).
    folds: [[u8; 2]; 8],
    opts: TableOptions,
    nfkc: bool,
    strip_article: bool,
}

impl Default for ArabicNormalizer {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds an [`ArabicNormalizer`] with non-default options.
///
/// Every option is off by default; with all of them off the builder gives the
/// "dedup-default v1" profile.
///
/// # Examples
///
/// ```
/// use nuskha::{ArabicNormalizer, Normalize};
///
/// let norm = ArabicNormalizer::builder().keep_ta_marbuta(true).build();
/// assert_eq!(norm.normalize("مدرسة"), "مدرسة");
/// assert_eq!(ArabicNormalizer::new().normalize("مدرسة"), "مدرسه");
/// ```
#[derive(Debug, Clone, Default)]
#[allow(clippy::struct_excessive_bools)]
pub struct ArabicNormalizerBuilder {
    opts: TableOptions,
    no_nfkc: bool,
    strip_article: bool,
}

impl ArabicNormalizerBuilder {
    /// Keep ta marbuta ة distinct from heh ه (default: off, ة is folded to ه because
    /// outlets and typists confuse the two at word ends). ۃ still becomes ة.
    pub fn keep_ta_marbuta(&mut self, yes: bool) -> &mut Self {
        self.opts.keep_ta_marbuta = yes;
        self
    }

    /// Keep alef maksura ى distinct from yeh ي (default: off, ى is folded to ي because
    /// Egyptian and Gulf spelling writes final yeh without dots).
    pub fn keep_alef_maksura(&mut self, yes: bool) -> &mut Self {
        self.opts.keep_alef_maksura = yes;
        self
    }

    /// Fold hamza carriers to their base letter, ؤ -> و and ئ ۓ -> ي, as Snowball does
    /// (default: off; the default folds them to ء, which merges مسئول and مسؤول).
    pub fn hamza_to_base(&mut self, yes: bool) -> &mut Self {
        self.opts.hamza_to_base = yes;
        self
    }

    /// Strip the definite article and its clitic forms (ال وال بال كال فال لل) from the
    /// start of Arabic words when at least three letters remain (default: off).
    ///
    /// Meant for fuzzy candidate generation; both copies of a syndicated story carry the
    /// same clitics, so dedup does not need it. Costs one more pass and an allocation.
    pub fn strip_article(&mut self, yes: bool) -> &mut Self {
        self.strip_article = yes;
        self
    }

    /// Keep Arabic punctuation, quotes and dashes as they are instead of folding them to
    /// ASCII (default: off).
    pub fn keep_punctuation(&mut self, yes: bool) -> &mut Self {
        self.opts.keep_punctuation = yes;
        self
    }

    /// Apply NFKC before the character pass (default: on). Turning it off leaves
    /// presentation forms, ligatures and fullwidth forms as they are, and saves time on
    /// text known to be clean.
    pub fn nfkc(&mut self, yes: bool) -> &mut Self {
        self.no_nfkc = !yes;
        self
    }

    /// Builds the normaliser. Options cannot conflict, so this cannot fail.
    pub fn build(&self) -> ArabicNormalizer {
        let table = ArabicTable::new(self.opts);
        ArabicNormalizer {
            folds: scan::fold_table(&table),
            table,
            opts: self.opts,
            nfkc: !self.no_nfkc,
            strip_article: self.strip_article,
        }
    }
}

/// How the fast pass ended.
#[derive(Debug)]
enum Fast {
    /// The text is already normal; nothing was written. The flag: it holds only ASCII
    /// and Arabic letters.
    Unchanged(bool),
    /// `out` holds the normal form. The flag: it holds only ASCII and Arabic letters.
    Changed(bool),
    /// `out` holds the normal form, unless NFKC must run once more (see `restore_nfkc`).
    Recheck,
    /// The text needs NFKC; nothing useful was written.
    NeedsNfkc,
}

/// True when `c` can be copied by the fast pass without NFKC: it is unchanged by NFKC
/// and does not combine with its neighbours (canonical combining class 0).
fn is_stable_starter(c: char) -> bool {
    arabic::nfkc_stable_known(c).unwrap_or_else(|| {
        canonical_combining_class(c) == 0 && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
    })
}

/// `text` with each character that is not a [stable starter](is_stable_starter)
/// replaced by its NFKC form, when every such form is made of stable starters (Arabic
/// presentation forms and ligatures, an ellipsis, a double prime); `None` when one is
/// not (a combining mark, which NFKC must see with its neighbours). NFKC of the result
/// is NFKC of `text`: NFKC decomposes each character on its own before it reorders and
/// composes, and a character's NFKC form decomposes back to its own decomposition. So
/// the fast pass can take the result where it gives up on `text`.
fn expand_compatibility(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut run = 0;
    for (i, c) in text.char_indices() {
        if is_stable_starter(c) {
            continue;
        }
        out.push_str(&text[run..i]);
        let start = out.len();
        out.extend(std::iter::once(c).nfkc());
        if !out[start..].chars().all(is_stable_starter) {
            return None;
        }
        run = i + c.len_utf8();
    }
    out.push_str(&text[run..]);
    Some(out)
}

/// What the normaliser tells the tokeniser about its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Any text: the general word scan.
    General,
    /// Only ASCII and Arabic letters: the plain scan.
    Plain,
    /// Plain, and the separators' offsets are known: no scan at all.
    Bounded,
}

/// Where the fast pass records the output offsets of word separators; `()` records
/// nothing, so the public calls pay nothing for it.
pub(crate) trait Bounds {
    fn push(&mut self, offset: usize);
    /// Records `base + j` for every set bit `j` of `mask`.
    fn push_mask(&mut self, base: usize, mask: u64);
    fn clear(&mut self);
}

impl Bounds for () {
    #[inline]
    fn push(&mut self, _: usize) {}
    #[inline]
    fn push_mask(&mut self, _: usize, _: u64) {}
    #[inline]
    fn clear(&mut self) {}
}

/// The output offsets of the word breaks that the fast pass saw, in order.
///
/// Room for a block's worth is kept ahead, so that [`Bounds::push_mask`] writes a
/// block's breaks without a branch per break: the exit of a loop over them would be
/// mispredicted at nearly every block.
#[derive(Debug, Default, Clone)]
pub(crate) struct WordBreaks {
    offsets: Vec<u32>,
    len: usize,
}

impl WordBreaks {
    /// The recorded offsets.
    pub(crate) fn as_slice(&self) -> &[u32] {
        &self.offsets[..self.len]
    }
}

/// Offsets past 4 GiB are not used: such a text is scanned (`Shape::Plain`).
fn offset_u32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

impl Bounds for WordBreaks {
    #[inline]
    fn push(&mut self, offset: usize) {
        if self.len == self.offsets.len() {
            self.offsets.push(offset_u32(offset));
        } else {
            self.offsets[self.len] = offset_u32(offset);
        }
        self.len += 1;
    }

    #[inline]
    fn push_mask(&mut self, base: usize, mask: u64) {
        if self.offsets.len() < self.len + 64 {
            let room = (self.len + 64).max(2 * self.offsets.len());
            self.offsets.resize(room, 0);
        }
        // Eight slots are written whether or not there are eight breaks (64 bytes of
        // Arabic news hold five or six); only `count` of them are kept.
        let count = mask.count_ones() as usize;
        let base = offset_u32(base).min(u32::MAX - 64);
        let slots = &mut self.offsets[self.len..self.len + 64];
        let mut rest = mask;
        for slot in &mut slots[..8] {
            *slot = base + rest.trailing_zeros();
            rest &= rest.wrapping_sub(1);
        }
        let mut k = 8;
        while rest != 0 {
            slots[k] = base + rest.trailing_zeros();
            rest &= rest - 1;
            k += 1;
        }
        self.len += count;
    }

    #[inline]
    fn clear(&mut self) {
        self.len = 0;
    }
}

/// Where the fast pass writes its output.
///
/// A `String` (the public calls) only takes whole characters, so unchanged input is
/// left in a run and copied when something changes; bytes (the sketcher's buffer) take
/// each scanned block at once, with folded letters patched in place, which saves a copy
/// call per fold. Only valid UTF-8 is ever written to either: blocks end at character
/// boundaries and patches replace a two-byte letter by another.
pub(crate) trait Sink {
    fn push_str(&mut self, s: &str);
    fn push(&mut self, c: char);
    fn len(&self) -> usize;
    fn last(&self) -> Option<u8>;
    fn pop(&mut self);
    fn clear(&mut self);
    /// The bytes, when the sink is bytes: the scan then copies its blocks into them.
    fn bytes(&mut self) -> Option<&mut Vec<u8>>;
}

impl Sink for String {
    #[inline]
    fn push_str(&mut self, s: &str) {
        String::push_str(self, s);
    }
    #[inline]
    fn push(&mut self, c: char) {
        String::push(self, c);
    }
    #[inline]
    fn len(&self) -> usize {
        String::len(self)
    }
    #[inline]
    fn last(&self) -> Option<u8> {
        self.as_bytes().last().copied()
    }
    #[inline]
    fn pop(&mut self) {
        String::pop(self);
    }
    #[inline]
    fn clear(&mut self) {
        String::clear(self);
    }
    #[inline]
    fn bytes(&mut self) -> Option<&mut Vec<u8>> {
        None
    }
}

impl Sink for Vec<u8> {
    #[inline]
    fn push_str(&mut self, s: &str) {
        self.extend_from_slice(s.as_bytes());
    }
    #[inline]
    fn push(&mut self, c: char) {
        self.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    }
    #[inline]
    fn len(&self) -> usize {
        Vec::len(self)
    }
    #[inline]
    fn last(&self) -> Option<u8> {
        self.as_slice().last().copied()
    }
    #[inline]
    fn pop(&mut self) {
        Vec::pop(self);
    }
    #[inline]
    fn clear(&mut self) {
        Vec::clear(self);
    }
    #[inline]
    fn bytes(&mut self) -> Option<&mut Vec<u8>> {
        Some(self)
    }
}

/// State carried through the character pass.
#[derive(Default)]
struct PassState {
    /// Something has been written (so a pending space is not leading).
    any: bool,
    /// A whitespace character was seen since the last output character.
    pending_space: bool,
    /// A tatweel run follows a digit; a space is due if a digit comes next.
    pending_tatweel: bool,
    /// The last output character is an ASCII digit.
    last_digit: bool,
    /// Output may not be NFKC any more (a deletion or lowercasing next to non-Arabic text).
    recheck: bool,
}

impl PassState {
    #[inline]
    fn emit(&mut self, out: &mut String, c: char) {
        if (self.pending_space && self.any) || (self.pending_tatweel && c.is_ascii_digit()) {
            out.push(' ');
        }
        self.pending_space = false;
        self.pending_tatweel = false;
        self.any = true;
        self.last_digit = c.is_ascii_digit();
        out.push(c);
    }
}

impl ArabicNormalizer {
    /// The default profile, "dedup-default v1".
    pub fn new() -> Self {
        ArabicNormalizerBuilder::default().build()
    }

    /// A builder for the off-by-default options.
    pub fn builder() -> ArabicNormalizerBuilder {
        ArabicNormalizerBuilder::default()
    }

    /// Decodes `bytes` as UTF-8 (lossily) and normalises the result.
    ///
    /// Returns the normalised text and the number of U+FFFD replacement characters the
    /// decoding produced (each becomes a word break). A high count relative to the
    /// text's length means the file is probably in another encoding, such as
    /// Windows-1256; see [`decode_lossy`].
    ///
    /// # Examples
    ///
    /// ```
    /// use nuskha::ArabicNormalizer;
    ///
    /// let (text, bad) = ArabicNormalizer::new().normalize_bytes(b"abc\xFFdef");
    /// assert_eq!((text.as_str(), bad), ("abc def", 1));
    /// ```
    pub fn normalize_bytes(&self, bytes: &[u8]) -> (String, usize) {
        let (text, replacements) = decode_lossy(bytes);
        let mut out = String::with_capacity(text.len());
        self.normalize_into(&text, &mut out);
        (out, replacements)
    }

    #[inline]
    fn action(&self, c: char) -> Action {
        match c as u32 {
            0x600..=0x6FF => self.table.action(c),
            _ => arabic::other_action(c, self.opts.keep_punctuation),
        }
    }

    /// Whether NFKC would change `text`.
    fn needs_nfkc(text: &str) -> bool {
        for c in text.chars() {
            match arabic::nfkc_stable_known(c) {
                Some(true) => {}
                Some(false) => return true,
                None => return is_nfkc_quick(text.chars()) != IsNormalized::Yes,
            }
        }
        false
    }

    /// The fast pass: walks the UTF-8 bytes, copies unchanged runs in bulk and looks
    /// the Arabic block up by its two bytes. Writes into `out` only once something
    /// changes. Gives up (`NeedsNfkc`) on the first character that NFKC might change,
    /// so that the text takes the general path.
    ///
    /// `bounds` gets the output offset of every byte that separates words in plain
    /// output (a space, ASCII punctuation), so the tokeniser need not scan for them.
    #[allow(clippy::too_many_lines)]
    fn fast_pass<S: Sink, B: Bounds>(&self, text: &str, out: &mut S, bounds: &mut B) -> Fast {
        let b = text.as_bytes();
        let n = b.len();
        let mut i = 0;
        // Start of the run of input that is copied unchanged; `out` + `text[run..i]` is
        // the output so far.
        let mut run = 0;
        // A tatweel run follows a digit: a space is due if the next kept char is a digit.
        let mut pending_tatweel = false;
        let mut deleted = false;
        let mut recheck = false;
        // No character but ASCII and Arabic letters has been kept so far.
        let mut plain = true;
        let last = |out: &S, run: usize, i: usize| -> Option<u8> {
            if i > run { Some(b[i - 1]) } else { out.last() }
        };
        let flush = |out: &mut S, run: usize, i: usize| {
            if i > run {
                out.push_str(&text[run..i]);
            }
        };
        // Emits a replacement character after flushing the run.
        let emit = |out: &mut S, c: char, pending_tatweel: &mut bool, bounds: &mut B| {
            if *pending_tatweel && c.is_ascii_digit() {
                bounds.push(out.len());
                out.push(' ');
            }
            *pending_tatweel = false;
            if c.is_ascii() && !c.is_ascii_alphanumeric() {
                bounds.push(out.len());
            }
            out.push(c);
        };
        let space = |out: &mut S, bounds: &mut B| {
            if out.last().is_some_and(|l| l != b' ') {
                bounds.push(out.len());
                out.push(' ');
            }
        };
        // The last window classified and where it starts: after a stop inside it, the
        // rest of it is read again from its masks rather than classified anew.
        let mut last_window: Option<(usize, scan::Window)> = None;
        while i < n {
            // Up to 64 bytes at a time while they are letters, ASCII words, punctuation
            // and single spaces: only folded letters to write and word breaks to note.
            let window = match last_window {
                _ if pending_tatweel => None,
                Some((at, window)) if i - at <= scan::REUSE_UP_TO => {
                    Some((window.after(i - at), 64 - (i - at)))
                }
                _ => scan::Window::classify(b, i).map(|window| {
                    last_window = Some((i, window));
                    (window, 64)
                }),
            };
            if let Some((window, valid)) = window {
                let space_before = matches!(last(out, run, i), None | Some(b' '));
                let single = window.space & !((window.space << 1) | u64::from(space_before));
                let easy = window.letters | window.word | window.punct | single;
                // Past `valid` no byte is easy (`Window::after`), so `len <= valid`.
                let mut len = (!easy).trailing_zeros() as usize;
                if len == valid && b[i + valid - 1] >= 0xC0 {
                    // The window ends inside a letter: stop before it.
                    len = valid - 1;
                }
                let prefix = ((1u128 << len) - 1) as u64;
                // Folds keep the length, so output offsets are as if nothing changed.
                bounds.push_mask(out.len() + i - run, (single | window.punct) & prefix);
                let mut folds = window.folds & prefix;
                if let Some(bytes) = out.bytes() {
                    // Bytes take the block at once (a fixed-size copy, then cut back,
                    // where 64 bytes are left), with folded letters patched in place.
                    bytes.extend_from_slice(&b[run..i]);
                    let start = bytes.len();
                    match b.get(i..i + 64).and_then(|here| <&[u8; 64]>::try_from(here).ok()) {
                        Some(here) => {
                            bytes.extend_from_slice(here);
                            bytes.truncate(start + len);
                        }
                        None => bytes.extend_from_slice(&b[i..i + len]),
                    }
                    while folds != 0 {
                        let j = folds.trailing_zeros() as usize;
                        let pair = self.folds[scan::fold_index(b[i + j], b[i + j + 1])];
                        bytes[start + j..start + j + 2].copy_from_slice(&pair);
                        folds &= folds - 1;
                    }
                    run = i + len;
                }
                // A string keeps the block in the unchanged run, flushed at each fold.
                while folds != 0 {
                    let at = i + folds.trailing_zeros() as usize;
                    let cp = ((u32::from(b[at]) & 0x1F) << 6) | (u32::from(b[at + 1]) & 0x3F);
                    let c = char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER);
                    if let Action::Map(m) = self.table.action(c) {
                        flush(out, run, at);
                        out.push(m);
                        run = at + 2;
                    }
                    folds &= folds - 1;
                }
                i += len;
                if len + 1 >= valid {
                    last_window = None;
                    continue;
                }
            }
            let x = b[i];
            // Kept Arabic letters first: they are most of the bytes of Arabic news.
            if x & 0xFC == 0xD8 && i + 1 < n {
                let index = ((usize::from(x) & 0x3) << 6) | (usize::from(b[i + 1]) & 0x3F);
                if self.table.keeps(index) {
                    pending_tatweel = false;
                    i += 2;
                    continue;
                }
            }
            if x < 0x80 {
                match x {
                    b'!'..=b'@' | b'['..=b'~' => {
                        if pending_tatweel {
                            if x.is_ascii_digit() {
                                bounds.push(out.len());
                                out.push(' ');
                            }
                            pending_tatweel = false;
                        }
                        if !x.is_ascii_alphanumeric() {
                            bounds.push(out.len() + i - run);
                        }
                    }
                    b' ' => {
                        if matches!(last(out, run, i), None | Some(b' ')) {
                            flush(out, run, i);
                            run = i + 1;
                        } else {
                            bounds.push(out.len() + i - run);
                        }
                        pending_tatweel = false;
                    }
                    b'A'..=b'Z' => {
                        flush(out, run, i);
                        let lower = char::from(x.to_ascii_lowercase());
                        emit(out, lower, &mut pending_tatweel, bounds);
                        run = i + 1;
                    }
                    b'\t'..=b'\r' => {
                        flush(out, run, i);
                        space(out, bounds);
                        pending_tatweel = false;
                        run = i + 1;
                    }
                    _ => {
                        flush(out, run, i);
                        deleted = true;
                        run = i + 1;
                    }
                }
                i += 1;
                continue;
            }
            if (0xD8..=0xDB).contains(&x) && i + 1 < n {
                let cp = ((u32::from(x) & 0x1F) << 6) | (u32::from(b[i + 1]) & 0x3F);
                if self.nfkc && matches!(cp, 0x653..=0x655 | 0x675..=0x678) {
                    return Fast::NeedsNfkc;
                }
                let c = char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER);
                match self.table.action(c) {
                    Action::Keep => {
                        pending_tatweel = false;
                        plain &= is_arabic_letter_cp(cp);
                    }
                    Action::Delete => {
                        flush(out, run, i);
                        deleted = true;
                        run = i + 2;
                    }
                    Action::Tatweel => {
                        flush(out, run, i);
                        pending_tatweel |= out.last().is_some_and(|l| l.is_ascii_digit());
                        run = i + 2;
                    }
                    Action::Map(m) => {
                        flush(out, run, i);
                        emit(out, m, &mut pending_tatweel, bounds);
                        run = i + 2;
                    }
                    Action::Space | Action::Lower => {
                        flush(out, run, i);
                        space(out, bounds);
                        run = i + 2;
                    }
                }
                i += 2;
                continue;
            }
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            let len = c.len_utf8();
            if self.nfkc && !is_stable_starter(c) {
                return Fast::NeedsNfkc;
            }
            match self.action(c) {
                Action::Space => {
                    flush(out, run, i);
                    space(out, bounds);
                    pending_tatweel = false;
                    run = i + len;
                }
                Action::Delete | Action::Tatweel => {
                    flush(out, run, i);
                    deleted = true;
                    run = i + len;
                }
                Action::Map(m) => {
                    flush(out, run, i);
                    emit(out, m, &mut pending_tatweel, bounds);
                    plain &= m.is_ascii() || is_arabic_letter(m);
                    run = i + len;
                }
                Action::Keep | Action::Lower => {
                    recheck |= deleted;
                    plain = false;
                    let mut lower = c.to_lowercase();
                    if lower.len() == 1 && lower.next() == Some(c) {
                        pending_tatweel = false;
                    } else {
                        flush(out, run, i);
                        for l in c.to_lowercase() {
                            emit(out, l, &mut pending_tatweel, bounds);
                        }
                        recheck = true;
                        run = i + len;
                    }
                }
            }
            i += len;
        }
        if run == 0 && b.last() != Some(&b' ') {
            return Fast::Unchanged(plain);
        }
        flush(out, run, n);
        if out.last() == Some(b' ') {
            out.pop();
        }
        if recheck { Fast::Recheck } else { Fast::Changed(plain) }
    }

    /// [`fast_pass`](Self::fast_pass), and where it gives up on a character NFKC
    /// changes, once more on the text with those characters in their NFKC forms
    /// ([`expand_compatibility`]): presentation forms and ellipses sent 146 of
    /// SaudiNewsNet's 13,259 articles down the general path, a twentieth of a run's
    /// instructions. Output that the second pass leaves unchanged is the expanded text.
    fn fast_pass_expanding<S: Sink, B: Bounds>(
        &self,
        text: &str,
        out: &mut S,
        bounds: &mut B,
    ) -> Fast {
        match self.fast_pass(text, out, bounds) {
            Fast::NeedsNfkc => {
                let Some(expanded) = expand_compatibility(text) else {
                    return Fast::NeedsNfkc;
                };
                out.clear();
                bounds.clear();
                match self.fast_pass(&expanded, out, bounds) {
                    Fast::Unchanged(plain) => {
                        out.push_str(&expanded);
                        Fast::Changed(plain)
                    }
                    done => done,
                }
            }
            done => done,
        }
    }

    /// The character pass: one table lookup per character.
    fn pass(&self, chars: impl Iterator<Item = char>, out: &mut String, st: &mut PassState) {
        for c in chars {
            if c.is_ascii() {
                match c {
                    'A'..='Z' => st.emit(out, c.to_ascii_lowercase()),
                    '\t'..='\r' | ' ' => st.pending_space = true,
                    '\0'..='\x1F' | '\x7F' => st.recheck = true,
                    _ => st.emit(out, c),
                }
                continue;
            }
            match self.action(c) {
                Action::Keep => st.emit(out, c),
                Action::Delete => st.recheck = true,
                Action::Space => st.pending_space = true,
                Action::Tatweel => st.pending_tatweel |= st.last_digit,
                Action::Map(m) => st.emit(out, m),
                Action::Lower => {
                    let mut lower = c.to_lowercase();
                    if lower.len() == 1 && lower.next() == Some(c) {
                        st.emit(out, c);
                    } else {
                        st.recheck = true;
                        for l in c.to_lowercase() {
                            st.emit(out, l);
                        }
                    }
                }
            }
        }
    }

    /// The general path: NFKC (when enabled) as an iterator, then the character pass.
    fn slow_path(&self, text: &str, out: &mut String) {
        out.clear();
        out.reserve(text.len());
        let mut st = PassState::default();
        if self.nfkc {
            self.pass(text.nfkc(), out, &mut st);
        } else {
            self.pass(text.chars(), out, &mut st);
        }
        if st.recheck {
            self.restore_nfkc(out);
        }
    }

    /// Deleting a format character or lowercasing can leave a sequence that NFKC
    /// would compose (e.g. "e", ZWJ, U+0301); one more round restores idempotence.
    fn restore_nfkc(&self, out: &mut String) {
        if self.nfkc && !out.is_ascii() && Self::needs_nfkc(out) {
            let again: String = out.nfkc().collect();
            out.clear();
            self.pass(again.chars(), out, &mut PassState::default());
        }
    }

    /// Normalises `text` into `out` and returns `true`, or returns `false` (with `out`
    /// cleared) when `text` is already normal.
    fn run(&self, text: &str, out: &mut String) -> bool {
        self.run_plain(text, out).0
    }

    /// [`run`](Self::run), also telling whether the result holds only ASCII and Arabic
    /// letters (then the tokeniser can take its fastest path).
    fn run_plain(&self, text: &str, out: &mut String) -> (bool, bool) {
        out.clear();
        let (changed, plain) = match self.fast_pass_expanding(text, out, &mut ()) {
            Fast::Unchanged(plain) => (false, plain),
            Fast::Changed(plain) => (true, plain),
            Fast::Recheck => {
                self.restore_nfkc(out);
                (true, false)
            }
            Fast::NeedsNfkc => {
                self.slow_path(text, out);
                (true, false)
            }
        };
        if self.strip_article {
            let source = if changed { out.as_str() } else { text };
            if has_strippable_article(source) {
                *out = strip_articles(source);
                return (true, plain);
            }
        }
        (changed, plain)
    }

    /// Normalises `text` into `out` as UTF-8 bytes and says what the tokeniser may
    /// assume of the result: only ASCII and Arabic letters ([`Shape::Plain`], which
    /// [`crate::tokenize::words_plain`] requires), and the offsets of the bytes that
    /// separate its words all in `bounds` ([`Shape::Bounded`]).
    ///
    /// Bytes rather than a `String`, so that the fast pass can copy whole blocks and
    /// patch folded letters in place; what it writes is valid UTF-8 all the same.
    pub(crate) fn normalize_into_bounded(
        &self,
        text: &str,
        out: &mut Vec<u8>,
        bounds: &mut WordBreaks,
    ) -> Shape {
        out.clear();
        bounds.clear();
        if !self.strip_article {
            let plain = match self.fast_pass_expanding(text, out, bounds) {
                Fast::Unchanged(plain) => {
                    out.extend_from_slice(text.as_bytes());
                    Some(plain)
                }
                Fast::Changed(plain) => Some(plain),
                Fast::Recheck | Fast::NeedsNfkc => None,
            };
            if let Some(plain) = plain {
                return match (plain, u32::try_from(out.len()).is_ok()) {
                    (true, true) => Shape::Bounded,
                    (true, false) => Shape::Plain,
                    _ => Shape::General,
                };
            }
        }
        // NFKC, a recheck or article stripping (rare): the general path, on a string.
        let mut normal = String::new();
        let (changed, plain) = self.run_plain(text, &mut normal);
        out.clear();
        out.extend_from_slice(if changed { normal.as_bytes() } else { text.as_bytes() });
        if plain { Shape::Plain } else { Shape::General }
    }

    /// The reference implementation: always the general path (NFKC iterator and the
    /// character pass). Tests check the fast path against it.
    #[doc(hidden)]
    pub fn normalize_reference(&self, text: &str) -> String {
        let mut out = String::new();
        self.slow_path(text, &mut out);
        if self.strip_article && has_strippable_article(&out) {
            out = strip_articles(&out);
        }
        out
    }

    /// The profile name with the options that differ from the default, e.g.
    /// `"dedup-default v1+keep_ta_marbuta"`.
    pub fn profile_name(&self) -> String {
        let mut name = String::from(DEFAULT_PROFILE);
        for (on, opt) in [
            (self.opts.keep_ta_marbuta, "keep_ta_marbuta"),
            (self.opts.keep_alef_maksura, "keep_alef_maksura"),
            (self.opts.hamza_to_base, "hamza_to_base"),
            (self.opts.keep_punctuation, "keep_punctuation"),
            (self.strip_article, "strip_article"),
            (!self.nfkc, "no_nfkc"),
        ] {
            if on {
                name.push('+');
                name.push_str(opt);
            }
        }
        name
    }
}

impl Normalize for ArabicNormalizer {
    fn normalize_into(&self, text: &str, out: &mut String) {
        if !self.run(text, out) {
            out.clear();
            out.push_str(text);
        }
    }

    fn normalize<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = String::new();
        if self.run(text, &mut out) { Cow::Owned(out) } else { Cow::Borrowed(text) }
    }

    fn profile(&self) -> Cow<'static, str> {
        Cow::Owned(self.profile_name())
    }
}

/// Article prefixes, longest first, that `strip_article` removes.
const ARTICLES: [&str; 6] = ["وال", "بال", "كال", "فال", "ال", "لل"];

/// Length in bytes of the article prefix to strip from an Arabic letter run, if any.
fn article_len(word: &str) -> Option<usize> {
    let p = ARTICLES.iter().find(|p| word.starts_with(**p))?;
    (word[p.len()..].chars().count() >= 3).then_some(p.len())
}

/// Maximal runs of Arabic letters, as byte ranges.
fn arabic_runs(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut it = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = it.by_ref().find(|&(_, c)| is_arabic_letter(c))?;
        let mut end = text.len();
        while let Some(&(i, c)) = it.peek() {
            if !is_arabic_letter(c) {
                end = i;
                break;
            }
            it.next();
        }
        Some((start, end))
    })
}

fn has_strippable_article(text: &str) -> bool {
    arabic_runs(text).any(|(s, e)| article_len(&text[s..e]).is_some())
}

/// Removes articles until none is left to strip, so that the option stays idempotent.
fn strip_articles(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (s, e) in arabic_runs(text) {
        out.push_str(&text[last..s]);
        let mut word = &text[s..e];
        while let Some(n) = article_len(word) {
            word = &word[n..];
        }
        out.push_str(word);
        last = e;
    }
    out.push_str(&text[last..]);
    out
}

/// Whether the default profile may never leave `c` in its output: Arabic marks and
/// tatweel, format and bidi controls, control characters, and white space other than a
/// plain space. The tests and the fuzz targets check every output against it; the
/// normaliser itself does not read it.
#[doc(hidden)]
pub fn profile_forbids(c: char) -> bool {
    matches!(c as u32,
        0x610..=0x61A | 0x64B..=0x65F | 0x670 | 0x674 | 0x6D6..=0x6ED | 0x8CA..=0x8E1
        | 0x8E3..=0x8FF | 0x898..=0x89F | 0x640 // marks and tatweel
        | 0xAD | 0x600..=0x605 | 0x61C | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF // format
    ) || c.is_control()
        || (c.is_whitespace() && c != ' ')
}

/// Decodes bytes as UTF-8, replacing each maximal invalid subsequence by U+FFFD as
/// [`String::from_utf8_lossy`] does, and counts the replacements.
///
/// Borrows when the input is valid. Callers can flag a document whose replacement count
/// is high relative to its length: it is probably not UTF-8 (Windows-1256, say).
///
/// # Examples
///
/// ```
/// let (text, bad) = nuskha::decode_lossy(b"\xC7\xE1\xDA");  // Windows-1256 bytes
/// assert_eq!(bad, 3);
/// assert_eq!(text, "\u{FFFD}\u{FFFD}\u{FFFD}");
/// ```
pub fn decode_lossy(bytes: &[u8]) -> (Cow<'_, str>, usize) {
    // Valid input is the common case: check it with SIMD. std's check slows to a byte
    // at a time on non-ASCII text, which is all of Arabic.
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return (Cow::Borrowed(text), 0);
    }
    let mut chunks = bytes.utf8_chunks();
    let Some(first) = chunks.next() else {
        return (Cow::Borrowed(""), 0);
    };
    if first.invalid().is_empty() {
        return (Cow::Borrowed(first.valid()), 0);
    }
    let mut out = String::with_capacity(bytes.len() + 2);
    let mut bad = 0;
    for chunk in std::iter::once(first).chain(chunks) {
        out.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            out.push('\u{FFFD}');
            bad += 1;
        }
    }
    (Cow::Owned(out), bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> String {
        ArabicNormalizer::new().normalize(text).into_owned()
    }

    #[test]
    fn unchanged_text_is_borrowed() {
        let norm = ArabicNormalizer::new();
        for text in ["", "كتب", "اعلن الرءيس 2024 abc", "\"x\" - y"] {
            assert!(matches!(norm.normalize(text), Cow::Borrowed(_)), "{text:?}");
        }
        for text in [" a", "a ", "a  b", "A", "أ", "a\tb"] {
            assert!(matches!(norm.normalize(text), Cow::Owned(_)), "{text:?}");
        }
    }

    #[test]
    fn prefix_copy_keeps_digit_and_space_state() {
        assert_eq!(n("2024ـ2025"), "2024 2025");
        assert_eq!(n("abc \u{64E}"), "abc");
        assert_eq!(n("abc \u{64E}d"), "abc d");
        assert_eq!(n("ab  cd"), "ab cd");
    }

    #[test]
    fn tatweel_between_digits_only() {
        assert_eq!(n("\u{661}\u{640}\u{640}\u{662}"), "1 2");
        assert_eq!(n("\u{627}\u{644}\u{640}\u{662}"), "\u{627}\u{644}2");
        assert_eq!(n("\u{661}\u{640} \u{662}"), "1 2");
        assert_eq!(n("\u{661}\u{640}\u{64E}\u{662}"), "1 2");
    }

    #[test]
    fn option_keep_alef_maksura() {
        let norm = ArabicNormalizer::builder().keep_alef_maksura(true).build();
        assert_eq!(norm.normalize("على"), "على");
        assert_eq!(n("على"), "علي");
    }

    #[test]
    fn option_hamza_to_base() {
        let norm = ArabicNormalizer::builder().hamza_to_base(true).build();
        assert_eq!(norm.normalize("مسؤول مسئول"), "مسوول مسيول");
        assert_eq!(n("مسؤول مسئول"), "مسءول مسءول");
    }

    #[test]
    fn option_strip_article() {
        let norm = ArabicNormalizer::builder().strip_article(true).build();
        assert_eq!(norm.normalize("الكتاب والقلم بالمدرسة للطلاب"), "كتاب قلم مدرسه طلاب");
        // Too short to strip: fewer than three letters would remain.
        assert_eq!(norm.normalize("الذي"), "الذي");
        assert_eq!(norm.normalize("اله"), "اله");
        let once = norm.normalize("الالكتاب").into_owned();
        assert_eq!(norm.normalize(&once), once);
    }

    #[test]
    fn option_keep_punctuation() {
        let norm = ArabicNormalizer::builder().keep_punctuation(true).build();
        assert_eq!(norm.normalize("«نعم»، لا؟"), "«نعم»، لا؟");
        assert_eq!(n("«نعم»، لا؟"), "\"نعم\", لا?");
    }

    #[test]
    fn option_no_nfkc_keeps_presentation_forms() {
        let norm = ArabicNormalizer::builder().nfkc(false).build();
        assert_eq!(norm.normalize("\u{FEFB}"), "\u{FEFB}");
        assert_eq!(n("\u{FEFB}"), "\u{644}\u{627}");
    }

    #[test]
    fn profile_names_options() {
        assert_eq!(ArabicNormalizer::new().profile(), DEFAULT_PROFILE);
        let norm = ArabicNormalizer::builder().keep_ta_marbuta(true).nfkc(false).build();
        assert_eq!(norm.profile(), "dedup-default v1+keep_ta_marbuta+no_nfkc");
    }

    #[test]
    fn deleting_zwj_between_letter_and_mark_stays_idempotent() {
        let once = n("e\u{200D}\u{301}");
        assert_eq!(once, "\u{e9}");
        assert_eq!(n(&once), once);
    }

    #[test]
    fn presentation_forms_take_the_fast_pass_in_their_nfkc_forms() {
        assert_eq!(
            expand_compatibility("\u{FEF7}ن \u{FE91}\u{FE8E}\u{2026}").as_deref(),
            Some("لأن با...")
        );
        // A mark must meet its letter inside NFKC.
        assert_eq!(expand_compatibility("\u{FEF7}\u{627}\u{654}"), None);
        let norm = ArabicNormalizer::new();
        for text in ["\u{FEFB}عب \u{FEF7}حمد\u{2026} \u{2033}", "\u{FEF9}\u{64E}\u{651}ب", "ﷺ x"]
        {
            let mut out = String::new();
            let fast = norm.fast_pass_expanding(text, &mut out, &mut ());
            assert!(matches!(fast, Fast::Changed(_)), "{text:?}: {fast:?}");
            assert_eq!(out, norm.normalize_reference(text), "{text:?}");
        }
        let mut out = String::new();
        let marked = norm.fast_pass_expanding("\u{FEF7}\u{627}\u{654}", &mut out, &mut ());
        assert!(matches!(marked, Fast::NeedsNfkc));
    }

    #[test]
    fn decode_counts_replacements() {
        assert_eq!(decode_lossy(b"ok").1, 0);
        assert_eq!(decode_lossy(b"\xFF\xFEok\xC3").1, 3);
        assert_eq!(decode_lossy(b"").1, 0);
    }
}
