//! Word alignment for the aligned-copy rule ([`AlignedCopies`](super::AlignedCopies)):
//! greedy string tiling (Wise 1996) of two articles' word sequences. A heavy rewrite
//! keeps most of the agency's words but moves its clauses and changes a word every few:
//! its 5-word shingles are mostly gone, and a longest common subsequence loses every
//! clause that moved, but the runs of words it kept are still there to be laid as tiles.
//!
//! The tiles are laid one at a time: the longest run of words found in both texts, in
//! the same order, of which no word is tiled yet on either side (ties: the earliest in
//! the shorter text, then in the longer); runs shorter than `min_run` are not laid.
//! Which words are tiled is then a function of the two sequences alone: exact and
//! deterministic.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The most words of an article the alignment reads: its first 4,096 (the longest
/// article of SaudiNewsNet and ANT has 3,643). Tiling news text takes about a step a
/// word, but a text made to be hard, two words in random order, has a maximal shared
/// run on every eighth pair of positions; at 9,000 words each such a pair took 5.5 s
/// and 200 MB, at 4,096 it takes about a second.
pub(super) const MAX_ALIGNED_WORDS: usize = 4096;

/// A run of words both texts share at `short[i..i + len]` and `long[j..j + len]`
/// (positions below [`MAX_ALIGNED_WORDS`], so 32 bits each: 12 bytes a run). Ordered so
/// that a max-heap gives the longest first, then the earliest in `short`, then in
/// `long`.
type Run = (u32, Reverse<u32>, Reverse<u32>);

/// A position or length of a run, as the heap keeps it.
fn narrow(x: usize) -> u32 {
    u32::try_from(x).expect("runs lie within the aligned words")
}

/// Words of `short` covered by the tiles laid against `long` (see the module docs).
pub(super) fn tiled_words(short: &[u32], long: &[u32], min_run: usize) -> usize {
    let mut tiled = 0;
    lay_tiles(short, long, min_run, |_, _, len| tiled += len);
    tiled
}

/// Lays the tiles of `short` against `long`, longest first, calling `on_tile(i, j, len)`
/// for each.
///
/// Every maximal run of equal words along a diagonal is found once from its start (a
/// position where the words before differ), through `long`'s positions sorted by word.
/// The runs wait in a max-heap; a run popped whose words are all still free is the
/// longest free run left (a run only ever loses words, so the heap's lengths bound
/// what is left of each) and becomes a tile; one that lost words goes back as its free
/// pieces.
fn lay_tiles(
    short: &[u32],
    long: &[u32],
    min_run: usize,
    mut on_tile: impl FnMut(usize, usize, usize),
) {
    let min_run = min_run.max(1);
    if short.len() < min_run || long.len() < min_run {
        return;
    }
    let mut by_word: Vec<(u32, usize)> = long.iter().copied().zip(0..).collect();
    by_word.sort_unstable();
    let mut runs: BinaryHeap<Run> = BinaryHeap::new();
    for (i, &w) in short[..=short.len() - min_run].iter().enumerate() {
        let from = by_word.partition_point(|&(x, _)| x < w);
        for &(_, j) in by_word[from..].iter().take_while(|&&(x, _)| x == w) {
            if i > 0 && j > 0 && short[i - 1] == long[j - 1] {
                continue;
            }
            let len = short[i..].iter().zip(&long[j..]).take_while(|(p, q)| p == q).count();
            if len >= min_run {
                runs.push((narrow(len), Reverse(narrow(i)), Reverse(narrow(j))));
            }
        }
    }
    let (mut short_tiled, mut long_tiled) = (vec![false; short.len()], vec![false; long.len()]);
    while let Some((len, Reverse(i), Reverse(j))) = runs.pop() {
        let (len, i, j) = (len as usize, i as usize, j as usize);
        let free = |k: usize| !short_tiled[i + k] && !long_tiled[j + k];
        if (0..len).all(free) {
            short_tiled[i..i + len].fill(true);
            long_tiled[j..j + len].fill(true);
            on_tile(i, j, len);
            continue;
        }
        let mut k = 0;
        while k < len {
            let start = k;
            while k < len && free(k) {
                k += 1;
            }
            if k - start >= min_run {
                runs.push((
                    narrow(k - start),
                    Reverse(narrow(i + start)),
                    Reverse(narrow(j + start)),
                ));
            }
            k += 1;
        }
    }
}

/// The share of `short`'s words that the tiles cover (0 for an empty `short`).
pub(super) fn coverage(short: &[u32], long: &[u32], min_run: usize) -> f64 {
    if short.is_empty() {
        return 0.0;
    }
    tiled_words(short, long, min_run) as f64 / short.len() as f64
}

/// A bound of [`coverage`] from above, cheap to take: the share of `short`'s words
/// found anywhere in `long_words` (`long`'s distinct words, sorted), since a tiled word
/// is one of them.
pub(super) fn coverage_bound(short: &[u32], long_words: &[u32]) -> f64 {
    if short.is_empty() {
        return 0.0;
    }
    let found = short.iter().filter(|w| long_words.binary_search(w).is_ok()).count();
    found as f64 / short.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::mix64;
    use proptest::prelude::*;

    /// The tiles by the definition: at each step every start in both texts is tried
    /// and the longest free run (ties: the earliest in `short`, then `long`) is laid.
    fn tiles_plainly(short: &[u32], long: &[u32], min_run: usize) -> Vec<(usize, usize, usize)> {
        let (mut s, mut l) = (vec![false; short.len()], vec![false; long.len()]);
        let mut tiles = Vec::new();
        loop {
            let mut best: Option<(usize, usize, usize)> = None;
            for i in 0..short.len() {
                for j in 0..long.len() {
                    let mut len = 0;
                    while i + len < short.len()
                        && j + len < long.len()
                        && short[i + len] == long[j + len]
                        && !s[i + len]
                        && !l[j + len]
                    {
                        len += 1;
                    }
                    if len >= min_run.max(1) && best.is_none_or(|b| len > b.2) {
                        best = Some((i, j, len));
                    }
                }
            }
            let Some((i, j, len)) = best else { return tiles };
            s[i..i + len].fill(true);
            l[j..j + len].fill(true);
            tiles.push((i, j, len));
        }
    }

    fn tiles(short: &[u32], long: &[u32], min_run: usize) -> Vec<(usize, usize, usize)> {
        let mut tiles = Vec::new();
        lay_tiles(short, long, min_run, |i, j, len| tiles.push((i, j, len)));
        tiles
    }

    fn words(text: &str) -> Vec<u32> {
        text.split_whitespace()
            .map(|w| w.bytes().fold(7u32, |h, b| h * 31 + u32::from(b)))
            .collect()
    }

    #[test]
    fn hand_made_pairs_have_the_coverage_counted_by_hand() {
        let cases = [
            // Clauses swapped: all ten words tiled, in two runs of five.
            ("a b c d e f g h i j", "f g h i j a b c d e", 3, 10),
            // One word in three changed: runs of two, none of three.
            ("a b x c d y e f z", "a b p c d q e f r", 3, 0),
            ("a b x c d y e f z", "a b p c d q e f r", 2, 6),
            // A repeated phrase is tiled once on each side.
            ("a b c a b c", "a b c", 3, 3),
            ("a b c", "a b c a b c", 3, 3),
            // The longest run first: "b c d e" takes the "b c" that "a b c" would need.
            ("a b c d e", "b c d e x a b", 2, 4),
            ("", "a b c", 1, 0),
            ("a b", "", 1, 0),
        ];
        for (s, l, m, tiled) in cases {
            assert_eq!(tiled_words(&words(s), &words(l), m), tiled, "{s} | {l} | {m}");
        }
        assert_eq!(coverage(&words("a b c d"), &words("c d a b"), 2), 1.0);
        assert_eq!(coverage(&[], &words("a"), 1), 0.0);
    }

    #[test]
    fn one_word_repeated_is_tiled_whole_in_one_run() {
        let (s, l) = (vec![5u32; 3000], vec![5u32; 4000]);
        assert_eq!(tiles(&s, &l, 4), [(0, 0, 3000)]);
    }

    #[test]
    fn the_bound_is_never_below_the_coverage() {
        for k in 0..300u64 {
            let n = 1 + mix64(k, 1) % 60;
            let vocabulary = 2 + mix64(k, 2) % 12;
            let s: Vec<u32> = (0..n).map(|i| (mix64(i, k * 3) % vocabulary) as u32).collect();
            let l: Vec<u32> =
                (0..n + 5).map(|i| (mix64(i, k * 3 + 1) % vocabulary) as u32).collect();
            let mut distinct = l.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert!(coverage_bound(&s, &distinct) >= coverage(&s, &l, 1), "{k}");
        }
    }

    proptest! {
        #[test]
        fn the_tiles_are_the_definitions(
            short in prop::collection::vec(0u32..4, 0..40),
            long in prop::collection::vec(0u32..4, 0..40),
            min_run in 1usize..5,
        ) {
            prop_assert_eq!(tiles(&short, &long, min_run), tiles_plainly(&short, &long, min_run));
        }

        #[test]
        fn texts_that_share_phrases_are_tiled_as_defined(
            phrases in prop::collection::vec(prop::collection::vec(0u32..30, 1..8), 1..8),
            order in prop::collection::vec(0usize..8, 1..12),
            noise in prop::collection::vec(0u32..30, 0..10),
            min_run in 2usize..5,
        ) {
            // The long text is the phrases in a new order, with noise between.
            let short: Vec<u32> = phrases.concat();
            let mut long = Vec::new();
            for (k, &p) in order.iter().enumerate() {
                long.extend(&phrases[p % phrases.len()]);
                long.extend(noise.get(k));
            }
            prop_assert_eq!(tiles(&short, &long, min_run), tiles_plainly(&short, &long, min_run));
        }
    }
}
