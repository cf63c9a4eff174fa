//! How good a clustering is: precision, recall and F1 against pairs labelled by
//! reading, weighted back to the corpus they were sampled from, and pair-counting F1
//! and the adjusted Rand index against a full reference clustering.
//!
//! A labelled set is drawn stratified (bins of exact Jaccard, see `LABELLING.md`):
//! most pairs of a corpus are far apart, and a uniform sample would hold almost no
//! copies. Each bin's pairs then stand for the whole bin: a labelled pair of bin `b`
//! counts `population(b) / sampled(b)` times in the weighted figures. The raw figures
//! count every labelled pair once. Both are here because they answer different
//! questions: raw, "how does it do on the hard cases we looked at"; weighted, "how does
//! it do on the corpus".
//!
//! The front ends (`dedup eval`, the Python bindings) parse their files and call these
//! functions, so every front end computes the same numbers.
//!
//! # Example
//!
//! ```
//! use nuskha::eval::{LabelledPair, Population, evaluate_pairs};
//!
//! let pairs = [
//!     LabelledPair::new("a", "b", "high", true),  // a copy, clustered together: TP
//!     LabelledPair::new("a", "c", "low", true),   // a copy, left apart: FN
//!     LabelledPair::new("c", "d", "low", false),  // different, clustered together: FP
//! ];
//! let cluster = |id: &str| match id { "a" | "b" => Some("a"), "c" | "d" => Some("c"), _ => None };
//! let mut population = Population::default();
//! population.insert("high", 10, 1);
//! population.insert("low", 100, 2);
//! let e = evaluate_pairs(&pairs, cluster, Some(&population))?;
//! assert_eq!((e.raw.tp, e.raw.fn_, e.raw.fp), (1, 1, 1));
//! assert_eq!(e.raw.precision(), Some(0.5));
//! let w = e.weighted.unwrap();
//! // Each "low" pair stands for 50 pairs, the "high" one for 10.
//! assert_eq!(w.precision(), Some(10.0 / 60.0));
//! assert_eq!(w.recall(), Some(10.0 / 60.0));
//! # Ok::<(), nuskha::Error>(())
//! ```

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

use crate::hash::mix64;
use crate::{Error, Result};

/// One pair of articles labelled by reading.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LabelledPair {
    /// One article's id.
    pub a: String,
    /// The other article's id.
    pub b: String,
    /// The stratum it was drawn from.
    pub bin: String,
    /// Whether a reader called the pair a copy (the positive class).
    pub copy: bool,
}

impl LabelledPair {
    /// A pair of `a` and `b` from `bin`, labelled a copy or not.
    pub fn new(
        a: impl Into<String>,
        b: impl Into<String>,
        bin: impl Into<String>,
        copy: bool,
    ) -> Self {
        LabelledPair { a: a.into(), b: b.into(), bin: bin.into(), copy }
    }
}

/// How many pairs of the corpus each bin holds, and how many of them were labelled.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Population {
    bins: BTreeMap<String, (f64, u64)>,
}

impl Population {
    /// Records that `bin` holds `population` pairs, of which `sampled` were drawn.
    pub fn insert(&mut self, bin: impl Into<String>, population: u64, sampled: u64) {
        self.bins.insert(bin.into(), (population as f64, sampled));
    }

    /// The weight of one labelled pair of `bin`: `population / sampled`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the bin is unknown or none of it was sampled.
    pub fn weight(&self, bin: &str) -> Result<f64> {
        match self.bins.get(bin) {
            Some(&(population, sampled)) if sampled > 0 => Ok(population / sampled as f64),
            Some(_) => {
                Err(Error::invalid("population", format!("bin `{bin}` has no sampled pairs")))
            }
            None => Err(Error::invalid("population", format!("no population for bin `{bin}`"))),
        }
    }
}

/// A confusion matrix of pairs: predicted together or apart, against copy or not.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Counts {
    /// Copies clustered together.
    pub tp: u64,
    /// Non-copies clustered together.
    pub fp: u64,
    /// Copies left apart.
    pub fn_: u64,
    /// Non-copies left apart.
    pub tn: u64,
}

impl Counts {
    fn add(&mut self, copy: bool, together: bool) {
        match (copy, together) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }

    /// TP / (TP + FP); `None` when nothing was clustered together.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp as f64, (self.tp + self.fp) as f64)
    }

    /// TP / (TP + FN); `None` when there is no copy.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp as f64, (self.tp + self.fn_) as f64)
    }

    /// The harmonic mean of precision and recall.
    pub fn f1(&self) -> Option<f64> {
        f1(self.precision(), self.recall())
    }
}

/// Population-weighted sums of the four cells.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Weighted {
    /// Weighted true positives.
    pub tp: f64,
    /// Weighted false positives.
    pub fp: f64,
    /// Weighted false negatives.
    pub fn_: f64,
    /// Weighted true negatives.
    pub tn: f64,
}

impl Weighted {
    fn add(&mut self, copy: bool, together: bool, w: f64) {
        match (copy, together) {
            (true, true) => self.tp += w,
            (false, true) => self.fp += w,
            (true, false) => self.fn_ += w,
            (false, false) => self.tn += w,
        }
    }

    /// Weighted precision; `None` when nothing was clustered together.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    /// Weighted recall; `None` when there is no copy.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// The harmonic mean of the weighted precision and recall.
    pub fn f1(&self) -> Option<f64> {
        f1(self.precision(), self.recall())
    }
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

fn f1(p: Option<f64>, r: Option<f64>) -> Option<f64> {
    let (p, r) = (p?, r?);
    Some(if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 })
}

/// What [`evaluate_pairs`] found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairEvaluation {
    /// Every labelled pair counted once.
    pub raw: Counts,
    /// Each pair counted `population / sampled` times of its bin, when a population
    /// was given.
    pub weighted: Option<Weighted>,
    /// The raw counts of each bin.
    pub bins: BTreeMap<String, Counts>,
    /// Ids of labelled pairs that the clustering does not hold (counted as apart),
    /// sorted, each once.
    pub missing: Vec<String>,
    /// Whether each pair, in order, was clustered together (what
    /// [`bootstrap_interval`] resamples).
    pub together: Vec<bool>,
}

/// Scores a clustering against labelled pairs: a pair is predicted a copy when both of
/// its articles are in one cluster (`cluster_of` gives an article's cluster key, `None`
/// when the clustering does not hold it: it then counts as apart, and is reported in
/// [`PairEvaluation::missing`]).
///
/// # Errors
///
/// [`Error::InvalidParameter`] when a population is given and a pair's bin has none.
pub fn evaluate_pairs<K: PartialEq>(
    pairs: &[LabelledPair],
    cluster_of: impl Fn(&str) -> Option<K>,
    population: Option<&Population>,
) -> Result<PairEvaluation> {
    let mut e = PairEvaluation {
        weighted: population.map(|_| Weighted::default()),
        ..PairEvaluation::default()
    };
    let mut missing = Vec::new();
    for p in pairs {
        let (ca, cb) = (cluster_of(&p.a), cluster_of(&p.b));
        for (id, c) in [(&p.a, &ca), (&p.b, &cb)] {
            if c.is_none() {
                missing.push(id.clone());
            }
        }
        let together = matches!((&ca, &cb), (Some(x), Some(y)) if x == y);
        e.together.push(together);
        e.raw.add(p.copy, together);
        e.bins.entry(p.bin.clone()).or_default().add(p.copy, together);
        if let (Some(pop), Some(w)) = (population, &mut e.weighted) {
            w.add(p.copy, together, pop.weight(&p.bin)?);
        }
    }
    missing.sort_unstable();
    missing.dedup();
    e.missing = missing;
    Ok(e)
}

/// A confidence interval: (low, high).
pub type Interval = (f64, f64);

/// The bootstrap intervals of weighted precision and recall, `None` for a figure
/// undefined in more than half of the resamples.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Intervals {
    /// Weighted precision.
    pub precision: Option<Interval>,
    /// Weighted recall.
    pub recall: Option<Interval>,
}

/// A percentile interval of weighted precision and recall from a stratified bootstrap:
/// `resamples` times, each bin's labelled pairs are drawn again with replacement (as
/// many as it has), and the weighted figures recomputed. Deterministic for a `seed`.
///
/// `together[i]` says whether pair `i` was clustered together
/// ([`PairEvaluation::together`]); the intervals hold the given share of the resamples
/// (e.g. 0.95).
///
/// # Errors
///
/// [`Error::InvalidParameter`] when a pair's bin has no population, `together` has
/// another length than `pairs`, or `confidence` is not in (0, 1).
pub fn bootstrap_interval(
    pairs: &[LabelledPair],
    together: &[bool],
    population: &Population,
    resamples: usize,
    confidence: f64,
    seed: u64,
) -> Result<Intervals> {
    if together.len() != pairs.len() {
        return Err(Error::invalid("together", "must have one entry per pair"));
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(Error::invalid("confidence", format!("must be in (0, 1), got {confidence}")));
    }
    let mut bins: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in pairs.iter().enumerate() {
        bins.entry(&p.bin).or_default().push(i);
    }
    let weights: HashMap<&str, f64> =
        bins.keys().map(|&b| population.weight(b).map(|w| (b, w))).collect::<Result<_>>()?;
    let (mut precisions, mut recalls) = (Vec::new(), Vec::new());
    let mut draw = 0u64;
    for _ in 0..resamples {
        let mut w = Weighted::default();
        for (&bin, members) in &bins {
            for _ in 0..members.len() {
                draw += 1;
                let i = members[(mix64(draw, seed) % members.len() as u64) as usize];
                w.add(pairs[i].copy, together[i], weights[bin]);
            }
        }
        precisions.extend(w.precision());
        recalls.extend(w.recall());
    }
    let interval = |mut v: Vec<f64>| {
        if v.len() * 2 < resamples.max(1) {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let tail = (1.0 - confidence) / 2.0;
        // `q` is in [0, 1], so the index is a non-negative count.
        #[allow(clippy::cast_sign_loss)]
        let at = |q: f64| v[((q * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)];
        Some((at(tail), at(1.0 - tail)))
    };
    Ok(Intervals { precision: interval(precisions), recall: interval(recalls) })
}

/// Agreement of a clustering with a reference clustering of the same articles, counted
/// over all pairs of articles (as NEWS-COPY reports it).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Agreement {
    /// Pairs together in both, over pairs together in the clustering.
    pub precision: Option<f64>,
    /// Pairs together in both, over pairs together in the reference.
    pub recall: Option<f64>,
    /// Harmonic mean of the two.
    pub f1: Option<f64>,
    /// Adjusted Rand index (Hubert & Arabie 1985): 1 for identical clusterings, about
    /// 0 for a random one; `None` when it is undefined (both put every article apart,
    /// or both in one cluster).
    pub adjusted_rand: Option<f64>,
}

/// Pair-counting precision, recall, F1 and the adjusted Rand index of a clustering
/// against a reference: one `(reference cluster, predicted cluster)` per article.
///
/// # Examples
///
/// ```
/// use nuskha::eval::agreement;
///
/// // Reference {1,2,3} {4}; predicted {1,2} {3,4}.
/// let a = agreement([("x", "p"), ("x", "p"), ("x", "q"), ("y", "q")]);
/// assert_eq!(a.precision, Some(0.5)); // (1,2) right, (3,4) wrong
/// assert_eq!(a.recall, Some(1.0 / 3.0)); // (1,2) of (1,2), (1,3), (2,3)
/// assert_eq!(agreement([(1, 7), (1, 7), (2, 8)]).adjusted_rand, Some(1.0));
/// ```
pub fn agreement<T: Eq + Hash, P: Eq + Hash>(
    labels: impl IntoIterator<Item = (T, P)>,
) -> Agreement {
    let mut cells: HashMap<(T, P), u64> = HashMap::new();
    for (t, p) in labels {
        *cells.entry((t, p)).or_default() += 1;
    }
    let pairs = |n: u64| (n * n.saturating_sub(1) / 2) as f64;
    let (mut rows, mut cols): (HashMap<&T, u64>, HashMap<&P, u64>) =
        (HashMap::new(), HashMap::new());
    let mut both = 0.0;
    let mut n = 0u64;
    for ((t, p), &k) in &cells {
        *rows.entry(t).or_default() += k;
        *cols.entry(p).or_default() += k;
        both += pairs(k);
        n += k;
    }
    let truth: f64 = rows.values().map(|&k| pairs(k)).sum();
    let predicted: f64 = cols.values().map(|&k| pairs(k)).sum();
    let (precision, recall) = (ratio(both, predicted), ratio(both, truth));
    let expected = ratio(truth * predicted, pairs(n)).unwrap_or(0.0);
    let max = f64::midpoint(truth, predicted);
    let adjusted_rand = (max - expected != 0.0).then(|| (both - expected) / (max - expected));
    Agreement { precision, recall, f1: f1(precision, recall), adjusted_rand }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: &str, b: &str, bin: &str, copy: bool) -> LabelledPair {
        LabelledPair::new(a, b, bin, copy)
    }

    #[test]
    fn counts_by_hand() {
        // Clusters: {a, b, c}, {d}, {e, f}; "z" is not in the clustering.
        let cluster = |id: &str| match id {
            "a" | "b" | "c" => Some(1),
            "d" => Some(2),
            "e" | "f" => Some(3),
            _ => None,
        };
        let pairs = [
            pair("a", "b", "hi", true),  // TP
            pair("a", "c", "hi", false), // FP
            pair("a", "d", "lo", true),  // FN
            pair("d", "e", "lo", false), // TN
            pair("e", "f", "lo", true),  // TP
            pair("e", "z", "lo", true),  // FN, z missing
            pair("z", "z", "lo", false), // TN: a missing id is apart even from itself
        ];
        let mut pop = Population::default();
        pop.insert("hi", 20, 2);
        pop.insert("lo", 500, 5);
        let e = evaluate_pairs(&pairs, cluster, Some(&pop)).unwrap();
        assert_eq!(e.raw, Counts { tp: 2, fp: 1, fn_: 2, tn: 2 });
        assert_eq!(e.raw.precision(), Some(2.0 / 3.0));
        assert_eq!(e.raw.recall(), Some(0.5));
        assert!((e.raw.f1().unwrap() - 4.0 / 7.0).abs() < 1e-12);
        assert_eq!(e.bins["hi"], Counts { tp: 1, fp: 1, fn_: 0, tn: 0 });
        assert_eq!(e.bins["lo"], Counts { tp: 1, fp: 0, fn_: 2, tn: 2 });
        assert_eq!(e.missing, ["z"]);
        assert_eq!(e.together, [true, true, false, false, true, false, false]);
        // hi pairs weigh 10, lo pairs 100.
        let w = e.weighted.unwrap();
        assert_eq!(w, Weighted { tp: 110.0, fp: 10.0, fn_: 200.0, tn: 200.0 });
        assert_eq!(w.precision(), Some(110.0 / 120.0));
        assert_eq!(w.recall(), Some(110.0 / 310.0));
    }

    #[test]
    fn undefined_figures_are_none_and_unknown_bins_are_errors() {
        let e = evaluate_pairs(&[pair("a", "b", "x", false)], |_| None::<u8>, None).unwrap();
        assert_eq!((e.raw.precision(), e.raw.recall(), e.raw.f1()), (None, None, None));
        assert!(e.weighted.is_none());
        let err =
            evaluate_pairs(&[pair("a", "b", "x", true)], |_| Some(1), Some(&Population::default()));
        assert!(err.unwrap_err().to_string().contains("no population for bin `x`"));
    }

    #[test]
    fn agreement_by_hand() {
        // Reference {1,2,3,4} {5,6}; predicted {1,2} {3,4,5} {6}.
        let labels = [("A", 1), ("A", 1), ("A", 2), ("A", 2), ("B", 2), ("B", 3)];
        let a = agreement(labels);
        // Pairs together: reference 6 + 1 = 7; predicted 1 + 3 = 4; both (1,2) (3,4) = 2.
        assert_eq!(a.precision, Some(0.5));
        assert_eq!(a.recall, Some(2.0 / 7.0));
        // ARI = (2 - 7*4/15) / ((7+4)/2 - 7*4/15) = (2 - 1.8667) / (5.5 - 1.8667).
        let expected = (2.0 - 28.0 / 15.0) / (5.5 - 28.0 / 15.0);
        assert!((a.adjusted_rand.unwrap() - expected).abs() < 1e-12);
        // Identical: ARI 1; everything apart in both: undefined.
        assert_eq!(agreement([(1, 1), (1, 1), (2, 2)]).adjusted_rand, Some(1.0));
        assert_eq!(agreement([(1, 1), (2, 2)]).adjusted_rand, None);
    }

    #[test]
    fn bootstrap_brackets_the_estimate_and_repeats() {
        let mut pairs = Vec::new();
        let mut together = Vec::new();
        for i in 0..40 {
            pairs.push(pair(
                &format!("a{i}"),
                &format!("b{i}"),
                if i % 2 == 0 { "hi" } else { "lo" },
                i % 3 != 0,
            ));
            together.push(i % 5 != 0);
        }
        let mut pop = Population::default();
        pop.insert("hi", 200, 20);
        pop.insert("lo", 2000, 20);
        let intervals = bootstrap_interval(&pairs, &together, &pop, 500, 0.95, 7).unwrap();
        let (p, r) = (intervals.precision.unwrap(), intervals.recall.unwrap());
        assert!(p.0 < p.1 && r.0 < r.1);
        let mut w = Weighted::default();
        for (x, &t) in pairs.iter().zip(&together) {
            w.add(x.copy, t, pop.weight(&x.bin).unwrap());
        }
        let (wp, wr) = (w.precision().unwrap(), w.recall().unwrap());
        assert!(p.0 <= wp && wp <= p.1, "{p:?} {wp}");
        assert!(r.0 <= wr && wr <= r.1, "{r:?} {wr}");
        assert_eq!(bootstrap_interval(&pairs, &together, &pop, 500, 0.95, 7).unwrap(), intervals);
        assert!(bootstrap_interval(&pairs, &together[1..], &pop, 10, 0.95, 7).is_err());
    }
}
