//! Two documents side by side: every similarity the pipeline knows, and the passages
//! they share, so a user can see why two articles match (or do not).

use crate::hash::hash_bytes;
use crate::shingle::{ShingleUnit, combine, containment, jaccard};
use crate::sketch::Sketcher;
use crate::tokenize::words;

/// A run of words that two documents share.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SharedPassage {
    /// The passage, as normalised words joined by single spaces.
    pub text: String,
    /// Its length in words.
    pub words: usize,
    /// Index of its first word in the first document.
    pub start_a: usize,
    /// Index of its first word in the second document.
    pub start_b: usize,
}

/// Every similarity between two documents that nuskha computes.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Comparison {
    /// Exact Jaccard similarity of the shingle sets.
    pub exact_jaccard: f64,
    /// MinHash estimate of the Jaccard similarity.
    pub estimated_jaccard: f64,
    /// Exact containment of A's shingles in B's, |A∩B| / |A|.
    pub exact_containment_a_in_b: f64,
    /// Exact containment of B's shingles in A's.
    pub exact_containment_b_in_a: f64,
    /// MinHash estimate of A's containment in B.
    pub estimated_containment_a_in_b: f64,
    /// MinHash estimate of B's containment in A.
    pub estimated_containment_b_in_a: f64,
    /// SimHash Hamming distance, 0..=64: of the words weighted by term frequency, the
    /// distance [`Algorithm::SimHash`](crate::Algorithm::SimHash) judges copies by.
    pub simhash_hamming: u32,
    /// Distinct shingles of A and B.
    pub shingles: (usize, usize),
    /// Words of A and B after normalisation.
    pub words: (usize, usize),
    /// The longest shared passages, longest first.
    pub shared_passages: Vec<SharedPassage>,
}

impl Sketcher {
    /// Compares two documents on every measure, with up to `max_passages` of the
    /// longest passages they share (runs of at least one shared shingle).
    ///
    /// # Examples
    ///
    /// ```
    /// use nuskha::Sketcher;
    ///
    /// let s = Sketcher::new();
    /// let c = s.compare(
    ///     "قال الوزير إن المشروع سيكتمل قبل نهاية العام الجاري في العاصمة",
    ///     "وفي سياق آخر قال الوزير إن المشروع سيكتمل قبل نهاية العام الجاري",
    ///     3,
    /// );
    /// assert!(c.exact_jaccard > 0.4 && c.exact_containment_a_in_b > 0.6);
    /// assert_eq!(c.shared_passages[0].text, "قال الوزير ان المشروع سيكتمل قبل نهايه العام الجاري");
    /// ```
    pub fn compare(&self, a: &str, b: &str, max_passages: usize) -> Comparison {
        let with_simhash = self.with_simhash();
        let (sa, sb) = (with_simhash.sketch(a), with_simhash.sketch(b));
        let (na, nb) = (self.normalize(a), self.normalize(b));
        let (set_a, set_b) = (self.shingler().shingle_set(&na), self.shingler().shingle_set(&nb));
        let wa: Vec<&str> = words(&na).collect();
        let wb: Vec<&str> = words(&nb).collect();
        let n = match self.shingler().unit() {
            ShingleUnit::Words => self.shingler().size(),
            _ => 5,
        };
        Comparison {
            exact_jaccard: jaccard(&set_a, &set_b),
            estimated_jaccard: sa.minhash().jaccard_unchecked(sb.minhash()),
            exact_containment_a_in_b: containment(&set_a, &set_b),
            exact_containment_b_in_a: containment(&set_b, &set_a),
            estimated_containment_a_in_b: sa.minhash().containment_unchecked(sb.minhash()),
            estimated_containment_b_in_a: sb.minhash().containment_unchecked(sa.minhash()),
            simhash_hamming: sa.simhash().zip(sb.simhash()).map_or(64, |(x, y)| x.hamming(y)),
            shingles: (set_a.len(), set_b.len()),
            words: (wa.len(), wb.len()),
            shared_passages: shared_passages(&wa, &wb, n, self.params().seed(), max_passages),
        }
    }
}

/// Maximal runs of shared `n`-word windows, merged into passages, longest first.
fn shared_passages(a: &[&str], b: &[&str], n: usize, seed: u64, max: usize) -> Vec<SharedPassage> {
    let n = n.min(a.len()).min(b.len()).max(1);
    if a.len() < n || b.len() < n {
        return Vec::new();
    }
    let window_hashes = |w: &[&str]| -> Vec<u64> {
        let h: Vec<u64> = w.iter().map(|t| hash_bytes(t.as_bytes(), seed)).collect();
        h.windows(n).map(|win| combine(win, seed)).collect()
    };
    let (ha, hb) = (window_hashes(a), window_hashes(b));
    let mut first_in_b = std::collections::HashMap::new();
    for (j, h) in hb.iter().enumerate() {
        first_in_b.entry(*h).or_insert(j);
    }
    let mut passages = Vec::new();
    let mut i = 0;
    while i < ha.len() {
        let Some(&j) = first_in_b.get(&ha[i]) else {
            i += 1;
            continue;
        };
        // Extend while the next windows match in step in both documents.
        let mut len = 1;
        while i + len < ha.len() && j + len < hb.len() && ha[i + len] == hb[j + len] {
            len += 1;
        }
        let words = len + n - 1;
        passages.push(SharedPassage {
            text: a[i..i + words].join(" "),
            words,
            start_a: i,
            start_b: j,
        });
        i += len;
    }
    passages.sort_by(|x, y| y.words.cmp(&x.words).then(x.start_a.cmp(&y.start_a)));
    passages.truncate(max);
    passages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_are_maximal_and_sorted() {
        let a: Vec<&str> = "x a b c d e f y p q r s t z".split(' ').collect();
        let b: Vec<&str> = "p q r s t k a b c d e f".split(' ').collect();
        let got = shared_passages(&a, &b, 3, 0, 10);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].text, "a b c d e f");
        assert_eq!((got[0].start_a, got[0].start_b), (1, 6));
        assert_eq!(got[1].text, "p q r s t");
        assert!(shared_passages(&a, &["nothing", "here", "at", "all"], 3, 0, 10).is_empty());
    }
}
