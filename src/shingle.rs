//! Stage 2b: shingles — overlapping n-grams of normalised text, hashed to `u64`.
//!
//! Word shingles hash the window of per-word hashes (so punctuation between words does
//! not matter); character shingles hash the window's bytes directly. Neither allocates
//! per shingle. A text shorter than `n` units gives one shingle of all it has, so a
//! short headline still has a sketch; only an empty text gives none.

use std::fmt;
use std::num::NonZeroUsize;
use std::str::FromStr;

use crate::hash::{hash_bytes, mix64};
use crate::normalize::{Shape, decode_lossy};
use crate::tokenize::{Words, for_each_bounded_word, words, words_plain};
use crate::{Error, Result};

/// Largest supported shingle size, in words or characters.
pub const MAX_SHINGLE_SIZE: usize = 32;

/// What a shingle is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum ShingleUnit {
    /// Word n-grams over [`words`].
    Words,
    /// Character n-grams over the normalised text, spaces included.
    Chars,
}

crate::util::option_names! {
    /// Parses `"words"` (or `"word"`, `"w"`) and `"chars"` (or `"char"`, `"c"`).
    ///
    /// # Examples
    ///
    /// ```
    /// use nuskha::ShingleUnit;
    ///
    /// assert_eq!("w".parse::<ShingleUnit>()?, ShingleUnit::Words);
    /// assert_eq!("chars".parse::<ShingleUnit>()?, ShingleUnit::Chars);
    /// assert_eq!(ShingleUnit::Words.to_string(), "words");
    /// assert!("lines".parse::<ShingleUnit>().is_err());
    /// # Ok::<(), nuskha::Error>(())
    /// ```
    ShingleUnit, "shingle_unit", "shingle unit",
    Words => "words" | "word" | "w",
    Chars => "chars" | "char" | "c",
}

/// `size` as a shingle size: the one place it is checked against
/// [`MAX_SHINGLE_SIZE`].
fn checked_size(size: usize) -> Result<NonZeroUsize> {
    NonZeroUsize::new(size).filter(|s| s.get() <= MAX_SHINGLE_SIZE).ok_or_else(|| {
        Error::invalid("shingle_size", format!("must be 1..={MAX_SHINGLE_SIZE}, got {size}"))
    })
}

/// How shingles are made: unit and size. Its text form is `unit:size`, e.g.
/// `"words:5"`.
///
/// # Examples
///
/// ```
/// use nuskha::{ShingleUnit, Shingling};
///
/// let s: Shingling = "chars:4".parse()?;
/// assert_eq!(s, Shingling { unit: ShingleUnit::Chars, size: 4 });
/// assert_eq!(s.to_string(), "chars:4");
/// assert_eq!("w:5".parse::<Shingling>()?.to_string(), "words:5");
/// assert!("words:0".parse::<Shingling>().is_err());
/// assert!("words:33".parse::<Shingling>().is_err()); // above MAX_SHINGLE_SIZE
/// assert!("words".parse::<Shingling>().is_err());
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Shingling {
    /// Words or characters.
    pub unit: ShingleUnit,
    /// Units per shingle.
    pub size: usize,
}

impl fmt::Display for Shingling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.unit, self.size)
    }
}

impl FromStr for Shingling {
    type Err = Error;

    /// `unit:size`: a [`ShingleUnit`] and a size in 1..=[`MAX_SHINGLE_SIZE`].
    fn from_str(s: &str) -> Result<Self> {
        let (unit, size) = s.split_once(':').ok_or_else(|| {
            Error::invalid("shingles", format!("expected words:N or chars:N, got `{s}`"))
        })?;
        let unit = unit.parse()?;
        let size: usize = size
            .parse()
            .map_err(|_| Error::invalid("shingle_size", format!("`{size}` is not a number")))?;
        checked_size(size)?;
        Ok(Shingling { unit, size })
    }
}

/// Turns normalised text into shingle hashes.
///
/// # Examples
///
/// ```
/// use nuskha::{ShingleUnit, Shingler};
///
/// let shingler = Shingler::new(ShingleUnit::Words, 3, 42)?;
/// // Five words give three 3-word shingles.
/// assert_eq!(shingler.shingles("a b c d e").count(), 3);
/// // Shorter than n: one shingle of all it has.
/// assert_eq!(shingler.shingles("a b").count(), 1);
/// assert_eq!(shingler.shingles("").count(), 0);
/// // Punctuation between words does not change word shingles.
/// assert!(shingler.shingles("a, b. c").eq(shingler.shingles("a b c")));
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Shingler {
    unit: ShingleUnit,
    size: NonZeroUsize,
    seed: u64,
}

impl Shingler {
    /// A shingler of `size`-unit shingles hashed with `seed`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `size` is 0 or above [`MAX_SHINGLE_SIZE`].
    pub fn new(unit: ShingleUnit, size: usize, seed: u64) -> Result<Self> {
        Ok(Shingler { unit, size: checked_size(size)?, seed })
    }

    /// The unit shingles are made of.
    pub fn unit(&self) -> ShingleUnit {
        self.unit
    }

    /// The number of units per shingle.
    pub fn size(&self) -> usize {
        self.size.get()
    }

    /// The hash seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The shingle hashes of `text` (normalised), in text order, repeats included.
    pub fn shingles<'t>(&self, text: &'t str) -> Shingles<'t> {
        self.shingles_of(text, false)
    }

    /// [`shingles`](Self::shingles) of text the normaliser reported as plain (only
    /// ASCII and Arabic letters), which tokenises faster.
    pub(crate) fn shingles_of<'t>(&self, text: &'t str, plain: bool) -> Shingles<'t> {
        let inner = match self.unit {
            ShingleUnit::Words => Inner::Words {
                words: if plain { words_plain(text) } else { words(text) },
                ring: [0; 2 * MAX_SHINGLE_SIZE],
                count: 0,
                slot: 0,
                emitted: false,
            },
            ShingleUnit::Chars => {
                Inner::Chars { text, start: 0, end: 0, filled: 0, emitted: false }
            }
        };
        Shingles { inner, size: self.size.get(), seed: self.seed }
    }

    /// The shingle hashes of normalised `text` into `out` (cleared first), in text
    /// order, repeats included: the values [`shingles`](Self::shingles) yields, computed
    /// a document at a time — every word hash first (into `word_hashes`, whatever the
    /// unit: the word count and the SimHash are read from them), then every window —
    /// which keeps the hashing loops free of per-shingle bookkeeping.
    pub(crate) fn shingles_into(
        &self,
        text: &[u8],
        shape: Shape,
        bounds: &[u32],
        word_hashes: &mut Vec<u64>,
        out: &mut Vec<u64>,
    ) {
        out.clear();
        if self.unit == ShingleUnit::Words && shape == Shape::Bounded {
            word_hashes.clear();
            let seed = self.seed;
            for_each_bounded_word(text, bounds, |w| word_hashes.push(hash_bytes(w, seed)));
            self.word_windows(word_hashes, out);
            return;
        }
        // The normaliser writes UTF-8, so this only checks it (with SIMD), once per
        // article: every later stage reads the word hashes left here.
        let (text, _) = decode_lossy(text);
        word_hashes.clear();
        let seed = self.seed;
        let hash = |w: &str| hash_bytes(w.as_bytes(), seed);
        if shape == Shape::General {
            word_hashes.extend(words(&text).map(hash));
        } else {
            word_hashes.extend(words_plain(&text).map(hash));
        }
        match self.unit {
            ShingleUnit::Words => self.word_windows(word_hashes, out),
            ShingleUnit::Chars => out.extend(self.shingles_of(&text, shape != Shape::General)),
        }
    }

    /// Every window of `size` word hashes, combined; one shingle of all of them when
    /// there are fewer.
    ///
    /// Rolling: [`combine`]'s XOR of rotated hashes loses the oldest word and gains the
    /// next one in four operations, so a window costs the same at any size (the values
    /// are `combine`'s, tested).
    fn word_windows(&self, word_hashes: &[u64], out: &mut Vec<u64>) {
        let n = self.size.get();
        if word_hashes.len() >= n {
            let (first, rest) = word_hashes.split_at(n);
            let tag = self.seed ^ (n as u64).wrapping_mul(GOLDEN);
            // The rotation of a window's newest word (its oldest is not rotated).
            let newest = ((n - 1) * COMBINE_ROTATION as usize % 64) as u32;
            let mut x = xor_rotated(first);
            out.reserve(rest.len() + 1);
            out.push(mix64(x, tag));
            for (&old, &new) in word_hashes.iter().zip(rest) {
                x = (x ^ old).rotate_right(COMBINE_ROTATION) ^ new.rotate_left(newest);
                out.push(mix64(x, tag));
            }
        } else if !word_hashes.is_empty() {
            // Fewer than n words in all: one shingle of what there is.
            out.push(combine(word_hashes, self.seed));
        }
    }

    /// The distinct shingle hashes of `text`, sorted: the set exact Jaccard is defined on.
    pub fn shingle_set(&self, text: &str) -> Vec<u64> {
        let mut set: Vec<u64> = self.shingles(text).collect();
        set.sort_unstable();
        set.dedup();
        set
    }
}

/// The iterator returned by [`Shingler::shingles`].
#[derive(Debug, Clone)]
pub struct Shingles<'t> {
    inner: Inner<'t>,
    size: usize,
    seed: u64,
}

// The words variant carries its window inline: boxing it would allocate per document.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
enum Inner<'t> {
    Words {
        words: Words<'t>,
        /// Word hashes in a ring of `size` slots, each written twice (slot i and
        /// i + size), so the last `size` hashes are always one contiguous slice,
        /// oldest first: hashing a shingle copies nothing.
        ring: [u64; 2 * MAX_SHINGLE_SIZE],
        /// Words seen so far.
        count: usize,
        /// Ring slot of the next word (`count % size`, kept without dividing).
        slot: usize,
        /// Whether a shingle has been yielded (for the shorter-than-n rule).
        emitted: bool,
    },
    Chars {
        text: &'t str,
        /// Byte range of the current window.
        start: usize,
        end: usize,
        /// Characters in the window.
        filled: usize,
        emitted: bool,
    },
}

impl Iterator for Shingles<'_> {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        let n = self.size;
        match &mut self.inner {
            Inner::Words { words, ring, count, slot, emitted } => loop {
                let Some(word) = words.next() else {
                    // Fewer than n words in all: one shingle of what there is.
                    if !*emitted && *count > 0 {
                        *emitted = true;
                        return Some(combine(&ring[..*count], self.seed));
                    }
                    return None;
                };
                let h = hash_bytes(word.as_bytes(), self.seed);
                ring[*slot] = h;
                ring[*slot + n] = h;
                *count += 1;
                *slot += 1;
                if *slot == n {
                    *slot = 0;
                }
                if *count >= n {
                    *emitted = true;
                    // The oldest word is in the slot the next one will overwrite.
                    let first = *slot;
                    return Some(combine(&ring[first..first + n], self.seed));
                }
            },
            Inner::Chars { text, start, end, filled, emitted } => loop {
                if let Some(c) = text[*end..].chars().next() {
                    *end += c.len_utf8();
                    if *filled == n {
                        let first = text[*start..].chars().next().map_or(0, char::len_utf8);
                        *start += first;
                    } else {
                        *filled += 1;
                    }
                    if *filled == n {
                        *emitted = true;
                        return Some(hash_bytes(&text.as_bytes()[*start..*end], self.seed));
                    }
                } else {
                    if !*emitted && *filled > 0 {
                        *emitted = true;
                        return Some(hash_bytes(text.as_bytes(), self.seed));
                    }
                    return None;
                }
            },
        }
    }
}

/// The hash of a word shingle from its word hashes, oldest first: `mix64` of the XOR of
/// the word hashes, each rotated left by 17 bits per position, seeded by `seed` and the
/// number of words. Order-sensitive (17 is odd, so positions get distinct rotations)
/// and a few times cheaper than hashing the words' bytes again.
#[inline]
pub fn combine(word_hashes: &[u64], seed: u64) -> u64 {
    mix64(xor_rotated(word_hashes), seed ^ (word_hashes.len() as u64).wrapping_mul(GOLDEN))
}

/// Each word's rotation is this much more than the previous word's.
const COMBINE_ROTATION: u32 = 17;
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The XOR of the hashes, word `k` rotated left by `17 k` (mod 64).
fn xor_rotated(word_hashes: &[u64]) -> u64 {
    let mut x = 0u64;
    let mut rot = 0u32;
    for &h in word_hashes {
        x ^= h.rotate_left(rot);
        rot = (rot + COMBINE_ROTATION) % 64;
    }
    x
}

/// Exact Jaccard similarity |A∩B| / |A∪B| of two sorted, deduplicated sets.
///
/// Two empty sets have similarity 0: empty documents are not copies of each other.
///
/// # Examples
///
/// ```
/// assert_eq!(nuskha::shingle::jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
/// ```
pub fn jaccard<T: Ord>(a: &[T], b: &[T]) -> f64 {
    jaccard_and_containment(a, b).0
}

/// [`jaccard`] of `a` and `b`, and the [`containment`] of the smaller in the larger,
/// from one merge.
pub(crate) fn jaccard_and_containment<T: Ord>(a: &[T], b: &[T]) -> (f64, f64) {
    let inter = intersection_len(a, b);
    let union = a.len() + b.len() - inter;
    let smaller = a.len().min(b.len());
    let ratio = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    (ratio(inter, union), ratio(inter, smaller))
}

/// Exact containment |A∩B| / |A| of sorted, deduplicated set `a` in `b` (0 for empty `a`).
///
/// # Examples
///
/// ```
/// assert_eq!(nuskha::shingle::containment(&[1, 2], &[1, 2, 3, 4]), 1.0);
/// ```
pub fn containment<T: Ord>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() { 0.0 } else { intersection_len(a, b) as f64 / a.len() as f64 }
}

/// Size of the intersection of two sorted, deduplicated sets.
pub fn intersection_len<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        // Advanced by arithmetic, not a branch: which side is behind is a coin toss.
        let order = a[i].cmp(&b[j]);
        n += usize::from(order.is_eq());
        i += usize::from(order.is_le());
        j += usize::from(order.is_ge());
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::WordBreaks;

    fn count(unit: ShingleUnit, n: usize, text: &str) -> usize {
        Shingler::new(unit, n, 1).unwrap().shingles(text).count()
    }

    #[test]
    fn counts_follow_max_one_units_minus_n_plus_one() {
        assert_eq!(count(ShingleUnit::Words, 5, "a b c d e f g"), 3);
        assert_eq!(count(ShingleUnit::Words, 1, "a b c"), 3);
        assert_eq!(count(ShingleUnit::Chars, 3, "abcde"), 3);
        assert_eq!(count(ShingleUnit::Chars, 3, "كتاب"), 2);
        assert_eq!(count(ShingleUnit::Chars, 5, "ab"), 1);
        assert_eq!(count(ShingleUnit::Chars, 5, ""), 0);
        assert_eq!(count(ShingleUnit::Words, 5, " ,. "), 0);
    }

    #[test]
    fn a_document_at_a_time_equals_one_at_a_time() {
        let norm = crate::ArabicNormalizer::new();
        let texts = [
            "",
            "كلمة",
            "قال الرئيس، ان 12.5% من ١٢٫٥ \t «الناس»",
            "A b c D e f g h",
            "ذهب الولد إلى المدرسة صباحا ثم عاد",
            " 1,000 x.y ٣ـ٤ café",
        ];
        let (mut words, mut out, mut bounds) = (Vec::new(), Vec::new(), WordBreaks::default());
        for unit in [ShingleUnit::Words, ShingleUnit::Chars] {
            for n in [1, 3, 5, 9] {
                let shingler = Shingler::new(unit, n, 42).unwrap();
                for text in texts {
                    let mut normal = Vec::new();
                    let shape = norm.normalize_into_bounded(text, &mut normal, &mut bounds);
                    shingler.shingles_into(&normal, shape, bounds.as_slice(), &mut words, &mut out);
                    let normal = String::from_utf8(normal).expect("UTF-8");
                    let expected: Vec<u64> = shingler.shingles(&normal).collect();
                    assert_eq!(out, expected, "{unit} {n} {text:?} {shape:?}");
                }
            }
        }
    }

    #[test]
    fn word_shingles_combine_word_hashes() {
        let s = Shingler::new(ShingleUnit::Words, 2, 5).unwrap();
        let got: Vec<u64> = s.shingles("ab cd ef").collect();
        let h = |w: &str| hash_bytes(w.as_bytes(), 5);
        assert_eq!(got, [combine(&[h("ab"), h("cd")], 5), combine(&[h("cd"), h("ef")], 5)]);
        // Short text: one shingle of what there is.
        let short: Vec<u64> = s.shingles("ab").collect();
        assert_eq!(short, [combine(&[h("ab")], 5)]);
        // Order matters.
        assert_ne!(combine(&[1, 2], 0), combine(&[2, 1], 0));
        assert_ne!(combine(&[1, 1], 0), combine(&[2, 2], 0));
    }

    #[test]
    fn char_shingles_hash_the_bytes() {
        let s = Shingler::new(ShingleUnit::Chars, 2, 0).unwrap();
        let got: Vec<u64> = s.shingles("aكb").collect();
        assert_eq!(got, [hash_bytes("aك".as_bytes(), 0), hash_bytes("كb".as_bytes(), 0)]);
    }

    #[test]
    fn invalid_sizes_are_errors() {
        assert!(Shingler::new(ShingleUnit::Words, 0, 0).is_err());
        assert!(Shingler::new(ShingleUnit::Words, MAX_SHINGLE_SIZE + 1, 0).is_err());
    }

    #[test]
    fn set_operations() {
        assert_eq!(jaccard::<u64>(&[], &[]), 0.0);
        assert_eq!(jaccard(&[1], &[1]), 1.0);
        assert_eq!(containment(&[1, 5], &[1, 2, 3]), 0.5);
        assert_eq!(intersection_len(&[1, 3, 5, 7], &[3, 4, 5]), 2);
    }

    /// The branch-free merge against a hash set, on sets that overlap a little, a lot
    /// and not at all, with runs on either side.
    #[test]
    fn intersection_equals_a_hash_set() {
        let mut state = 99_u64;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % m
        };
        for round in 0..500 {
            let range = [10, 100, 10_000][round % 3];
            let mut a: Vec<u32> = (0..next(300)).map(|_| next(range) as u32).collect();
            let mut b: Vec<u32> = (0..next(300)).map(|_| next(range) as u32).collect();
            for s in [&mut a, &mut b] {
                s.sort_unstable();
                s.dedup();
            }
            let in_a: std::collections::HashSet<u32> = a.iter().copied().collect();
            let expected = b.iter().filter(|x| in_a.contains(x)).count();
            assert_eq!(intersection_len(&a, &b), expected);
            assert_eq!(intersection_len(&b, &a), expected);
        }
    }
}
