//! Verification: the value a deduplicator owns that turns a candidate pair into a
//! [`Match`] or nothing — Jaccard or containment (estimated or exact) against their
//! thresholds, or the SimHash distance, then the [`TemplateGuard`].

use crate::cluster::{Match, MatchKind};
use crate::minhash::containment_from_jaccard;
use crate::shingle::jaccard_and_containment;

use super::article::Sketched;
use super::stats::CorpusStats;
use super::{Algorithm, TemplateGuard, Verification};

/// The scores of one pair that verification reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scores {
    pub(super) jaccard: f64,
    pub(super) containment: f64,
    pub(super) simhash_distance: Option<u32>,
}

/// Confirms candidate pairs; made (and validated) by the builder.
#[derive(Debug, Clone)]
pub(super) struct Verifier {
    pub(super) threshold: f64,
    pub(super) containment: Option<f64>,
    pub(super) template_guard: Option<TemplateGuard>,
    pub(super) algorithm: Algorithm,
    pub(super) verification: Verification,
}

impl Verifier {
    pub(super) fn threshold(&self) -> f64 {
        self.threshold
    }

    pub(super) fn containment(&self) -> Option<f64> {
        self.containment
    }

    pub(super) fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub(super) fn verification(&self) -> Verification {
        self.verification
    }

    /// Whether the articles' shingle sets must be kept until verification (exact
    /// scores or the template guard read them).
    pub(super) fn keeps_sets(&self) -> bool {
        self.verification == Verification::Exact || self.template_guard.is_some()
    }

    /// Whether verification reads corpus statistics.
    pub(super) fn needs_stats(&self) -> bool {
        self.template_guard.is_some()
    }

    /// The match between two sketched articles, if they match.
    pub(super) fn verify(&self, a: &Sketched, b: &Sketched, stats: &CorpusStats) -> Option<Match> {
        let m = self.similarity(a, b)?;
        self.passes_guard(a, b, stats).then_some(m)
    }

    /// The template guard: do the articles share their distinctive shingles?
    pub(super) fn passes_guard(&self, a: &Sketched, b: &Sketched, stats: &CorpusStats) -> bool {
        let (Some(guard), Some(x), Some(y)) = (self.template_guard, &a.set, &b.set) else {
            return true;
        };
        if stats.is_empty() {
            return true;
        }
        // Count the distinctive shingles of each and of both, in one merge.
        let rare = |fp: u32| stats.df_of(fp) <= guard.common_docs;
        let (mut i, mut j) = (0, 0);
        let (mut nx, mut ny, mut both) = (0usize, 0usize, 0usize);
        while i < x.len() || j < y.len() {
            let (hx, hy) = (x.get(i).copied(), y.get(j).copied());
            match (hx, hy) {
                (Some(p), Some(q)) if p == q => {
                    if rare(p) {
                        nx += 1;
                        ny += 1;
                        both += 1;
                    }
                    i += 1;
                    j += 1;
                }
                (Some(p), Some(q)) if p < q => {
                    nx += usize::from(rare(p));
                    i += 1;
                }
                (Some(p), None) => {
                    nx += usize::from(rare(p));
                    i += 1;
                }
                (_, Some(q)) => {
                    ny += usize::from(rare(q));
                    j += 1;
                }
                (None, None) => break,
            }
        }
        if nx.min(ny) < guard.min_shingles {
            return true;
        }
        let jaccard = both as f64 / (nx + ny - both) as f64;
        let contained = both as f64 / nx.min(ny) as f64;
        let distinct = if self.containment.is_some() { jaccard.max(contained) } else { jaccard };
        distinct >= guard.min_similarity
    }

    /// The scores verification compares with its thresholds: Jaccard and the shorter
    /// article's containment (estimated or exact, as configured), and the SimHash
    /// distance when SimHash finds the candidates.
    pub(super) fn scores(&self, a: &Sketched, b: &Sketched) -> Scores {
        let exact = self.verification == Verification::Exact;
        let (jaccard, containment) = match (&a.set, &b.set) {
            (Some(x), Some(y)) if exact => jaccard_and_containment(x, y),
            _ => {
                let j = a.signature.jaccard_unchecked(&b.signature);
                let (sa, sb) = (a.signature.set_size(), b.signature.set_size());
                let c = if sa <= sb {
                    containment_from_jaccard(j, sa, sb)
                } else {
                    containment_from_jaccard(j, sb, sa)
                };
                (j, c)
            }
        };
        let simhash_distance = match (self.algorithm, a.simhash, b.simhash) {
            (Algorithm::SimHash { .. }, Some(x), Some(y)) => Some(x.hamming(y)),
            _ => None,
        };
        Scores { jaccard, containment, simhash_distance }
    }

    /// Jaccard (or containment) when it reaches its threshold, else `None`.
    pub(super) fn similarity(&self, a: &Sketched, b: &Sketched) -> Option<Match> {
        if let (Algorithm::SimHash { max_distance }, Some(x), Some(y)) =
            (self.algorithm, a.simhash, b.simhash)
        {
            let d = x.hamming(y);
            return (d <= max_distance && !a.signature.is_empty() && !b.signature.is_empty())
                .then(|| Match { score: 1.0 - f64::from(d) / 64.0, kind: MatchKind::SimHash });
        }
        let Scores { jaccard, containment, .. } = self.scores(a, b);
        if jaccard >= self.threshold {
            return Some(Match::jaccard(jaccard));
        }
        match self.containment {
            Some(t) if containment >= t => {
                Some(Match { score: containment, kind: MatchKind::Containment })
            }
            _ => None,
        }
    }

    /// Whether a star cluster may form along a verified pair, `earlier` being the
    /// candidate centre: a containment-only match lets a longer article join the
    /// shorter one it contains, never a short item join a round-up that would then
    /// gather several stories.
    pub(super) fn star_allows(m: Match, earlier: &Sketched, later: &Sketched) -> bool {
        !m.by_containment() || earlier.signature.set_size() <= later.signature.set_size()
    }
}
