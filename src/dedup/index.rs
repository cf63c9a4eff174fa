//! [`DedupIndex`], the live-feed driver: each article sketched, looked up, verified
//! and clustered as it arrives, through the same [`Tail`] as the batch.

use std::sync::Arc;

use crate::cluster::{Clusters, Match};
use crate::corpus::DocId;
use crate::lsh::{LshIndex, SimHashIndex};
use crate::sketch::SketchScratch;

use super::Deduplicator;
use super::article::Sketched;
use super::pipeline::{Tail, doc_id, minhash_candidates, simhash_candidates};
use super::rare::RarePostings;
use super::stats::{CorpusStats, FingerprintSet};

/// One article added to a [`DedupIndex`].
///
/// # Examples
///
/// ```
/// use nuskha::{DocId, Deduplicator, MatchKind};
///
/// let dedup = Deduplicator::new();
/// let mut feed = dedup.index();
/// let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج";
/// feed.add(story);
/// let copy = feed.add(story);
/// assert_eq!(copy.id, DocId(1));
/// let (earlier, m) = copy.matches[0];
/// assert_eq!((earlier, m.score, m.kind), (DocId(0), 1.0, MatchKind::Jaccard));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Added {
    /// Its id: its position in the feed.
    pub id: DocId,
    /// Earlier articles it matches, with the match, sorted by id.
    pub matches: Vec<(DocId, Match)>,
    /// The representative of the cluster it is now in (itself when it is new).
    pub representative: DocId,
}

/// An incremental deduplicator for a live feed: add articles one at a time and get
/// each one's matches and cluster at once.
///
/// Start it with statistics learned from past articles,
/// [`index_with`](Deduplicator::index_with)`(dedup.`[`learn`](Deduplicator::learn)`(&past))`:
/// then it ends with the same clusters as [`Deduplicator::cluster`] on the same articles
/// in the same order (tested). [`Deduplicator::index`] starts without statistics, and
/// gives up boilerplate removal and the template guard for it.
///
/// # Examples
///
/// ```
/// use nuskha::{DocId, Deduplicator};
///
/// let dedup = Deduplicator::new();
/// let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج";
/// let past = [story.to_string(), "ارتفعت أسعار النفط في الأسواق العالمية اليوم بعد قرار أوبك خفض الإنتاج".to_string()];
/// let mut feed = dedup.index_with(dedup.learn(&past));
/// let first = feed.add(story);
/// assert!(first.matches.is_empty());
/// let copy = feed.add(&format!("{story} هذا العام"));
/// assert_eq!(copy.representative, DocId(0));
/// assert_eq!(copy.matches[0].0, DocId(0));
/// ```
#[derive(Debug, Clone)]
pub struct DedupIndex {
    pub(super) dedup: Deduplicator,
    pub(super) boilerplate: FingerprintSet,
    pub(super) stats: Arc<CorpusStats>,
    pub(super) lsh: LshIndex,
    pub(super) simhash: Option<SimHashIndex>,
    /// With the edited-copy rule, the postings of rare shingles.
    pub(super) rare: Option<RarePostings>,
    pub(super) sketched: Vec<Sketched>,
    pub(super) tail: Tail,
    pub(super) scratch: SketchScratch,
}

impl DedupIndex {
    /// Adds the next article.
    ///
    /// # Panics
    ///
    /// After 2³¹ articles.
    pub fn add(&mut self, text: &str) -> Added {
        let id = doc_id(self.sketched.len());
        let shingled = self.dedup.shingle_set(text, &mut self.scratch);
        // Rare shingles are looked up before boilerplate removal, as the batch does.
        let rare = match (&mut self.rare, self.dedup.verifier.edited()) {
            (Some(postings), Some(e)) => postings.candidates(id, &shingled.set, &self.stats, e),
            _ => Vec::new(),
        };
        let mut s = self.dedup.sketch_set(shingled, &self.boilerplate, &mut self.scratch.minhash);
        s.sort_sets();
        let mut candidates = match &mut self.simhash {
            Some(index) => simhash_candidates(index, id, &s),
            None => minhash_candidates(&mut self.lsh, id, &s),
        };
        if !rare.is_empty() && !s.signature.is_empty() {
            let sketched = &self.sketched;
            candidates
                .extend(rare.into_iter().filter(|d| !sketched[d.index()].signature.is_empty()));
            candidates.sort_unstable();
            candidates.dedup();
        }
        let matches: Vec<(DocId, Match)> = candidates
            .into_iter()
            .filter_map(|d| {
                self.dedup
                    .verifier
                    .verify(&self.sketched[d.index()], &s, &self.stats)
                    .map(|m| (d, m))
            })
            .collect();
        self.sketched.push(s);
        let representative = self.tail.push(&matches, &self.sketched);
        Added { id, matches, representative }
    }

    /// The number of articles added.
    pub fn len(&self) -> usize {
        self.sketched.len()
    }

    /// True before the first article.
    pub fn is_empty(&self) -> bool {
        self.sketched.is_empty()
    }

    /// The clusters so far: the same as the batch call on the same articles.
    pub fn clusters(&self) -> Clusters {
        self.tail.clusters(&self.sketched)
    }
}
