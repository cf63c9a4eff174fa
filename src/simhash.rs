//! Stage 3b: SimHash fingerprints (Charikar 2002), whose Hamming distance tracks cosine
//! distance between weighted feature vectors.
//!
//! Each feature hash votes on each of 64 bits, +weight where its bit is 1 and −weight
//! where it is 0; the fingerprint keeps the sign of each sum. Near-identical texts
//! differ in a few bits, unrelated texts in about 32. Manku, Jain & Das Sarma (2007)
//! used 64-bit SimHash with distance ≤ 3 for web-page near-duplicates.

use crate::hash::mix64;

/// A 64-bit SimHash fingerprint.
///
/// # Examples
///
/// ```
/// use nuskha::SimHash;
/// assert_eq!(SimHash::new(0b1011).hamming(SimHash::new(0b0001)), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SimHash(u64);

impl SimHash {
    /// Wraps raw fingerprint bits.
    pub const fn new(bits: u64) -> Self {
        SimHash(bits)
    }

    /// The fingerprint bits.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// The number of differing bits, 0..=64.
    pub const fn hamming(self, other: SimHash) -> u32 {
        (self.0 ^ other.0).count_ones()
    }

    /// 1 − hamming/64: 1 for equal fingerprints, about 0.5 for unrelated texts.
    pub fn similarity(self, other: SimHash) -> f64 {
        1.0 - f64::from(self.hamming(other)) / 64.0
    }
}

/// How much a feature counts in a SimHash.
pub trait FeatureWeight: Send + Sync {
    /// The weight of a feature that occurs `tf` times in the document.
    fn weight(&self, feature: u64, tf: u32) -> f64;
}

/// The default weight: term frequency (a feature that occurs twice votes twice).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TermFrequency;

impl FeatureWeight for TermFrequency {
    fn weight(&self, _feature: u64, tf: u32) -> f64 {
        f64::from(tf)
    }
}

impl<F: Fn(u64, u32) -> f64 + Send + Sync> FeatureWeight for F {
    fn weight(&self, feature: u64, tf: u32) -> f64 {
        self(feature, tf)
    }
}

/// Computes SimHash fingerprints of feature hashes (normally shingle hashes).
///
/// # Examples
///
/// ```
/// use nuskha::{ShingleUnit, Shingler, SimHasher};
///
/// let shingler = Shingler::new(ShingleUnit::Words, 1, 0)?;
/// let simhasher = SimHasher::new(0);
/// let a = simhasher.sketch(shingler.shingles("the cat sat on the mat today in the sun"));
/// let b = simhasher.sketch(shingler.shingles("the cat sat on the mat today in the rain"));
/// let c = simhasher.sketch(shingler.shingles("markets closed higher on strong oil prices"));
/// assert!(a.hamming(b) < a.hamming(c));
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SimHasher {
    seed: u64,
}

impl SimHasher {
    /// A SimHasher whose feature bits are `mix64(feature, seed)`.
    pub const fn new(seed: u64) -> Self {
        SimHasher { seed }
    }

    /// The fingerprint of `features` weighted by term frequency (each occurrence votes
    /// once).
    pub fn sketch<I: IntoIterator<Item = u64>>(&self, features: I) -> SimHash {
        let mut acc = SimHashAccumulator::default();
        for f in features {
            acc.add(self.feature_bits(f), 1);
        }
        acc.finish()
    }

    /// The fingerprint of `features` with a custom weight of (feature, term frequency).
    ///
    /// ```
    /// use nuskha::SimHasher;
    /// let s = SimHasher::new(0);
    /// // Binary weights: repeats do not count.
    /// let binary = |_f: u64, _tf: u32| 1.0;
    /// assert_eq!(s.sketch_weighted([1, 1, 1, 2], &binary), s.sketch_weighted([1, 2], &binary));
    /// ```
    pub fn sketch_weighted<I, W>(&self, features: I, weight: &W) -> SimHash
    where
        I: IntoIterator<Item = u64>,
        W: FeatureWeight + ?Sized,
    {
        let mut all: Vec<u64> = features.into_iter().collect();
        all.sort_unstable();
        let mut sums = [0f64; 64];
        for group in all.chunk_by(|a, b| a == b) {
            let f = group[0];
            let w = weight.weight(f, u32::try_from(group.len()).unwrap_or(u32::MAX));
            let bits = self.feature_bits(f);
            for (bit, sum) in sums.iter_mut().enumerate() {
                if bits >> bit & 1 == 1 {
                    *sum += w;
                } else {
                    *sum -= w;
                }
            }
        }
        SimHash(
            sums.iter()
                .enumerate()
                .fold(0, |fp, (bit, &s)| if s > 0.0 { fp | 1 << bit } else { fp }),
        )
    }

    /// The 64 voting bits of one feature.
    #[inline]
    pub(crate) fn feature_bits(self, feature: u64) -> u64 {
        mix64(feature, self.seed)
    }
}

/// Running per-bit vote counts for integer weights; the hot loop of SimHash.
#[derive(Debug, Clone)]
pub(crate) struct SimHashAccumulator {
    votes: [i32; 64],
}

impl Default for SimHashAccumulator {
    fn default() -> Self {
        SimHashAccumulator { votes: [0; 64] }
    }
}

impl SimHashAccumulator {
    #[inline]
    pub(crate) fn add(&mut self, bits: u64, weight: i32) {
        for (bit, v) in self.votes.iter_mut().enumerate() {
            // +weight for a 1 bit, -weight for a 0 bit, without a branch.
            let one = ((bits >> bit) & 1) as i32;
            *v += (2 * one - 1) * weight;
        }
    }

    pub(crate) fn finish(&self) -> SimHash {
        SimHash(
            self.votes
                .iter()
                .enumerate()
                .fold(0, |fp, (bit, &v)| if v > 0 { fp | 1 << bit } else { fp }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tf_sketch_equals_weighted_sketch_with_tf() {
        let s = SimHasher::new(9);
        let features = [5, 1, 5, 7, 9, 9, 9, 2];
        assert_eq!(s.sketch(features), s.sketch_weighted(features, &TermFrequency));
    }

    #[test]
    fn one_feature_gives_its_bits() {
        let s = SimHasher::new(3);
        assert_eq!(s.sketch([77]).bits(), s.feature_bits(77));
        assert_eq!(s.sketch(std::iter::empty()).bits(), 0);
    }

    #[test]
    fn near_identical_close_unrelated_far() {
        let s = SimHasher::new(0);
        let a = s.sketch(0..400u64);
        let b = s.sketch((0..400u64).map(|x| if x % 50 == 0 { x + 10_000 } else { x }));
        let c = s.sketch(1000..1400u64);
        assert!(a.hamming(b) <= 8, "near-identical: {}", a.hamming(b));
        assert!(a.hamming(c) >= 16, "unrelated: {}", a.hamming(c));
    }
}
