//! [`DedupIndex`], the live-feed driver: each article sketched, looked up, verified
//! and clustered as it arrives, through the same [`Tail`] as the batch; articles
//! removed or expired; and what must persist of it, as [`ArticleRecord`]s.
//!
//! Everything about an article is decided when it arrives, from what is in the index
//! then: its sketch (boilerplate comes from the statistics the index was made with,
//! never from later articles), its candidates and its verified matches. Removing
//! articles never revisits those decisions: the index is rebuilt as if the removed
//! articles had never come, each remaining one keeping the matches it had with the
//! others (so a restored index and one that never closed are the same).

use std::collections::HashMap;
use std::sync::Arc;

use crate::cluster::{Clusters, Match};
use crate::corpus::DocId;
use crate::hash::FixedState;
use crate::lsh::{LshIndex, SimHashIndex};
use crate::sketch::SketchScratch;
use crate::{Error, Result};

use super::article::{Shingled, ShingledArticle, Sketched};
use super::pipeline::{Tail, doc_id};
use super::rare::RarePostings;
use super::record;
use super::stats::{CorpusStats, FingerprintSet, GrowingStats};
use super::{Algorithm, Deduplicator};

/// One article added to a [`DedupIndex`], and what it matched.
///
/// # Examples
///
/// ```
/// use nuskha::{Deduplicator, MatchKind};
///
/// let dedup = Deduplicator::new();
/// let mut feed = dedup.index();
/// let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج";
/// feed.add("spa-1", story)?;
/// let copy = feed.add("okaz-7", story)?;
/// let (earlier, m) = &copy.matches[0];
/// assert_eq!((earlier.as_str(), m.score, m.kind), ("spa-1", 1.0, MatchKind::Jaccard));
/// assert_eq!(copy.representative, "spa-1");
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Added {
    /// Its id.
    pub id: String,
    /// Earlier articles it matches, with the match, in the order they arrived.
    pub matches: Vec<(String, Match)>,
    /// The representative of the cluster it is now in (itself when it is new).
    pub representative: String,
}

/// An article of the index that a [`DedupIndex::query`] matched.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Found {
    /// Its id.
    pub id: String,
    /// How the text queried matches it.
    pub matched: Match,
    /// The representative of its cluster.
    pub cluster: String,
}

/// What [`DedupIndex::expire`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Expired {
    /// The ids removed, in the order they had arrived.
    pub removed: Vec<String>,
    /// Articles kept because they have no date.
    pub undated: usize,
}

/// What must persist of one article of a [`DedupIndex`] for the index to be restored
/// without its text: its id and date, its sketch (as [`DedupIndex::restore`] reads it:
/// a versioned layout, checked when read), and the earlier articles it matched when it
/// arrived. A store keeps these in arrival order and restores them in that order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ArticleRecord {
    /// The caller's id.
    pub id: String,
    /// The date given to [`DedupIndex::add_dated`] (seconds since 1970, UTC).
    pub date: Option<i64>,
    /// The length of its text in bytes.
    pub len: usize,
    /// Fewer words than the deduplicator's minimum: never matched.
    pub short: bool,
    /// Its sketch: signature, fingerprints and the sets verification reads.
    pub sketch: Vec<u8>,
    /// The earlier articles it matched on arrival (still in the index), in arrival order.
    pub matches: Vec<(String, Match)>,
}

impl ArticleRecord {
    /// A record of its parts, as a store read them (checked by [`DedupIndex::restore`]).
    pub fn new(
        id: String,
        date: Option<i64>,
        sketch: Vec<u8>,
        matches: Vec<(String, Match)>,
    ) -> Self {
        // The length and shortness travel inside the sketch; these are read back from it.
        let (len, short) = record::peek(&sketch).unwrap_or((0, false));
        ArticleRecord { id, date, len, short, sketch, matches }
    }
}

/// One article held, beside its sketch.
#[derive(Debug, Clone)]
struct Entry {
    id: Box<str>,
    date: Option<i64>,
    short: bool,
    /// With growing statistics: its shingles left out as boilerplate on arrival
    /// (sorted), which it is still counted by.
    boilerplate: Vec<u32>,
    /// The earlier articles it matched on arrival.
    matches: Vec<(DocId, Match)>,
}

/// An incremental deduplicator for a live feed: add articles one at a time under the
/// caller's ids and get each one's matches and cluster at once; ask what a text would
/// match without adding it; remove articles or expire old ones; save it as
/// [`ArticleRecord`]s and restore it without the texts.
///
/// Three ways to start one, which differ in the corpus statistics (how many articles
/// hold each shingle) that boilerplate removal, the template guard and the edited-copy
/// rule read:
///
/// - [`Deduplicator::index`]: statistics that grow with the feed, from nothing. An
///   arriving article's boilerplate, and what the guard takes as common, are what is
///   common among the articles in the index, this one included. (Only when the
///   verifier reads statistics, as the template guard and the edited-copy rule do;
///   without either, nothing is counted and nothing removed.)
/// - [`Deduplicator::index_learning`]`(dedup.`[`learn`](Deduplicator::learn)`(&sample))`:
///   the same, counting a sample of past articles too. What a persistent index
///   (`dedup index add --learn`) uses.
/// - [`Deduplicator::index_with`]`(stats)`: fixed statistics. Fed the articles `stats`
///   was learned from, it ends with the clusters of [`Deduplicator::cluster`] on them
///   in the same order (tested).
///
/// Clusters are formed by the batch's own rules from the verified matches, article by
/// article in arrival order; [`DocId`]s of [`clusters`](Self::clusters) are positions
/// among the articles held, in arrival order (they move down when articles are
/// removed).
///
/// # Examples
///
/// ```
/// use nuskha::Deduplicator;
///
/// let dedup = Deduplicator::new();
/// let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج";
/// let mut feed = dedup.index();
/// assert!(feed.add("a", story)?.matches.is_empty());
/// let copy = feed.add("b", &format!("{story} هذا العام"))?;
/// assert_eq!(copy.representative, "a");
/// assert_eq!(feed.query(story)[0].id, "a");
/// assert!(feed.remove("a"));
/// assert_eq!(feed.len(), 1);
/// assert!(feed.query(story)[0].id == "b");
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DedupIndex {
    dedup: Deduplicator,
    /// The statistics it was made with (learned from a sample, or none): boilerplate
    /// and the rare-shingle filter read these alone, so they never change.
    sample: Arc<CorpusStats>,
    boilerplate: FingerprintSet,
    /// When the statistics grow with the feed: the sample's plus the feed's own.
    growing: Option<GrowingStats>,
    lsh: LshIndex,
    simhash: Option<SimHashIndex>,
    /// With the edited-copy rule, the postings of rare shingles.
    rare: Option<RarePostings>,
    entries: Vec<Entry>,
    sketched: Vec<Sketched>,
    positions: HashMap<Box<str>, DocId, FixedState>,
    tail: Tail,
    scratch: SketchScratch,
}

impl Deduplicator {
    /// An empty live index with fixed corpus statistics, `stats` (see [`DedupIndex`]).
    /// Fed the same articles that `stats` was learned from, it ends with the same
    /// clusters as [`cluster`](Self::cluster) on them.
    ///
    /// # Examples
    ///
    /// ```
    /// use nuskha::Deduplicator;
    ///
    /// let dedup = Deduplicator::new();
    /// let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج";
    /// let past = [story.to_string(), format!("{story} هذا العام")];
    /// let mut feed = dedup.index_with(dedup.learn(&past));
    /// for (i, text) in past.iter().enumerate() {
    ///     feed.add(&i.to_string(), text)?;
    /// }
    /// assert_eq!(feed.clusters(), dedup.cluster(&past));
    /// # Ok::<(), nuskha::Error>(())
    /// ```
    pub fn index_with(&self, stats: Arc<CorpusStats>) -> DedupIndex {
        self.new_index(stats, false)
    }

    /// An empty live index whose corpus statistics start from `sample` (learned with
    /// [`learn`](Self::learn) from past articles) and grow with the articles it holds
    /// (see [`DedupIndex`]).
    pub fn index_learning(&self, sample: Arc<CorpusStats>) -> DedupIndex {
        self.new_index(sample, true)
    }

    /// An empty live index whose corpus statistics are those of the articles it holds,
    /// learned as they arrive (see [`DedupIndex`]). The first articles are judged with
    /// the knowledge of few, so a feed's first template bulletins can merge that
    /// [`cluster`](Self::cluster) would keep apart:
    /// [`index_learning`](Self::index_learning) from a sample avoids it.
    pub fn index(&self) -> DedupIndex {
        self.index_learning(Arc::new(CorpusStats::default()))
    }

    fn new_index(&self, sample: Arc<CorpusStats>, grows: bool) -> DedupIndex {
        DedupIndex {
            dedup: self.clone(),
            // Growing statistics find boilerplate among the articles held (and the
            // sample) as each arrives; fixed ones once.
            boilerplate: if grows && self.verifier.needs_stats() {
                FingerprintSet::default()
            } else {
                self.boilerplate_of(&sample)
            },
            growing: (grows && self.verifier.needs_stats()).then(|| GrowingStats::new(&sample)),
            sample,
            lsh: LshIndex::new(self.lsh),
            simhash: match self.algorithm() {
                Algorithm::SimHash { max_distance } => SimHashIndex::new(max_distance).ok(),
                Algorithm::MinHash => None,
            },
            rare: self
                .verifier
                .edited()
                .and_then(|e| e.rare_search_within())
                .map(|(max_docs, search)| RarePostings::new(max_docs, search)),
            entries: Vec::new(),
            sketched: Vec::new(),
            positions: HashMap::default(),
            tail: Tail::new(self.mode, self.link_density, self.representative),
            scratch: SketchScratch::default(),
        }
    }
}

impl DedupIndex {
    /// Adds article `id` of `text`.
    ///
    /// # Errors
    ///
    /// When an article of this id is already in the index (nothing is changed).
    ///
    /// # Panics
    ///
    /// After 2³¹ articles.
    pub fn add(&mut self, id: &str, text: &str) -> Result<Added> {
        self.add_dated(id, text, None)
    }

    /// [`add`](Self::add) with the article's date (seconds since 1970, UTC), which
    /// [`expire`](Self::expire) goes by.
    ///
    /// # Errors
    ///
    /// When an article of this id is already in the index.
    pub fn add_dated(&mut self, id: &str, text: &str, date: Option<i64>) -> Result<Added> {
        self.check_new(id)?;
        let shingled = self.dedup.shingle_set(text, &mut self.scratch);
        Ok(self.add_checked(id, shingled, date))
    }

    /// [`add_dated`](Self::add_dated) for an article already shingled (on whichever
    /// thread had its text) by this index's deduplicator or a clone of it.
    ///
    /// # Errors
    ///
    /// When an article of this id is already in the index, or `article` was shingled
    /// by a deduplicator of other parameters.
    pub fn add_shingled(
        &mut self,
        id: &str,
        article: ShingledArticle<'_>,
        date: Option<i64>,
    ) -> Result<Added> {
        if !self.dedup.is_clone_of(article.dedup) {
            return Err(Error::invalid("article", "shingled by another deduplicator"));
        }
        self.check_new(id)?;
        Ok(self.add_checked(id, article.shingled, date))
    }

    fn check_new(&self, id: &str) -> Result<()> {
        if self.positions.contains_key(id) {
            return Err(Error::invalid("id", format!("`{id}` is already in the index")));
        }
        Ok(())
    }

    fn add_checked(&mut self, id: &str, shingled: Shingled, date: Option<i64>) -> Added {
        let short = shingled.short;
        let (s, boilerplate, candidates) = self.arrive(shingled);
        let matches = self.verified(&s, candidates);
        let named = matches.iter().map(|&(d, m)| (self.id(d).to_string(), m)).collect();
        let entry = Entry { id: id.into(), date, short, boilerplate, matches };
        let representative = self.settle(entry, s);
        Added {
            id: id.to_string(),
            matches: named,
            representative: self.id(representative).to_string(),
        }
    }

    /// Sketches an arriving article: counted first in growing statistics, then its
    /// boilerplate left out (by the statistics it was made with, or with growing ones
    /// by those of the articles held, this one included); returns the sketch and the
    /// shingles left out when the statistics grow.
    fn prepare(&mut self, mut shingled: Shingled) -> (Sketched, Vec<u32>) {
        let mut left_out = Vec::new();
        if let Some(g) = &mut self.growing {
            g.add(&[&shingled.set], &self.sample);
            if let Some(limit) = g.view.boilerplate_limit(&self.dedup.boilerplate) {
                let view = &g.view;
                shingled.set.retain(|&fp| {
                    let common = view.is_boilerplate(fp, limit);
                    if common {
                        left_out.push(fp);
                    }
                    !common
                });
                left_out.sort_unstable();
            }
        }
        let mut s =
            self.dedup.sketch_set(shingled, &self.boilerplate, None, &mut self.scratch.minhash);
        self.dedup.make_verifiable(&mut s, &mut self.scratch.sort);
        (s, left_out)
    }

    /// Sketches an arriving article and finds its candidates among the articles held
    /// (sorted); its postings of rare shingles are added.
    fn arrive(&mut self, shingled: Shingled) -> (Sketched, Vec<u32>, Vec<DocId>) {
        let (s, left_out) = self.prepare(shingled);
        let rare = self.post_rare(&s);
        let candidates = self.look_up(&s, rare);
        (s, left_out, candidates)
    }

    /// Adds the postings of rare shingles of the next article, `s`, and returns the
    /// articles held that share enough of them.
    fn post_rare(&mut self, s: &Sketched) -> Vec<DocId> {
        let id = doc_id(self.sketched.len());
        match (&mut self.rare, &s.set) {
            (Some(postings), Some(set)) => postings.candidates(id, set, &self.sample),
            _ => Vec::new(),
        }
    }

    /// Takes back an article whose sketch and matches are known (restored, or kept
    /// through a removal): counted, posted, settled.
    fn replay(&mut self, e: Entry, s: Sketched) {
        if let (Some(g), Some(set)) = (&mut self.growing, &s.set) {
            g.add(&[set, &e.boilerplate], &self.sample);
        }
        self.post_rare(&s);
        self.settle(e, s);
    }

    /// The articles held that are candidates of `s`, with `rare` ones, sorted.
    fn look_up(&self, s: &Sketched, rare: Vec<DocId>) -> Vec<DocId> {
        if s.signature.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<DocId> = match (&self.simhash, s.simhash) {
            (Some(index), Some(fp)) => index.query(fp).into_iter().map(|(d, _)| d).collect(),
            (Some(_), None) => Vec::new(),
            (None, _) => self.lsh.query(&s.signature).unwrap_or_default(),
        };
        let sketched = &self.sketched;
        found.extend(rare.into_iter().filter(|d| !sketched[d.index()].signature.is_empty()));
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The `candidates` (articles held) that `s` matches, with the match.
    fn verified(&self, s: &Sketched, candidates: Vec<DocId>) -> Vec<(DocId, Match)> {
        let stats = self.stats();
        let verifier = &self.dedup.verifier;
        candidates
            .into_iter()
            .filter_map(|d| verifier.verify(&self.sketched[d.index()], s, stats).map(|m| (d, m)))
            .collect()
    }

    /// Takes in an article whose matches are known, and returns its representative.
    fn settle(&mut self, e: Entry, s: Sketched) -> DocId {
        let pos = doc_id(self.sketched.len());
        if !s.signature.is_empty() {
            match (&mut self.simhash, s.simhash) {
                (Some(index), Some(fp)) => index.insert(pos, fp),
                (Some(_), None) => {}
                (None, _) => self
                    .lsh
                    .insert(pos, s.signature.clone())
                    .expect("signatures of one deduplicator are compatible"),
            }
        }
        self.sketched.push(s);
        let representative = self.tail.push(&e.matches, &self.sketched);
        self.positions.insert(e.id.clone(), pos);
        self.entries.push(e);
        representative
    }

    fn stats(&self) -> &CorpusStats {
        self.growing.as_ref().map_or(&self.sample, |g| &g.view)
    }

    /// What `text` would match if it were added now, and the cluster of each article
    /// it matches; the index is left as it was.
    pub fn query(&mut self, text: &str) -> Vec<Found> {
        let shingled = self.dedup.shingle_set(text, &mut self.scratch);
        self.query_set(shingled)
    }

    /// [`query`](Self::query) for an article already shingled by this index's
    /// deduplicator or a clone of it.
    ///
    /// # Errors
    ///
    /// When `article` was shingled by a deduplicator of other parameters.
    pub fn query_shingled(&mut self, article: ShingledArticle<'_>) -> Result<Vec<Found>> {
        if !self.dedup.is_clone_of(article.dedup) {
            return Err(Error::invalid("article", "shingled by another deduplicator"));
        }
        Ok(self.query_set(article.shingled))
    }

    fn query_set(&mut self, shingled: Shingled) -> Vec<Found> {
        // Sketched and verified as `add` would, counted in growing statistics until
        // the answer is known.
        let (s, left_out) = self.prepare(shingled);
        let rare = match (&self.rare, &s.set) {
            (Some(postings), Some(set)) => postings.lookup(set, &self.sample),
            _ => Vec::new(),
        };
        let candidates = self.look_up(&s, rare);
        let matched = self.verified(&s, candidates);
        if let (Some(g), Some(set)) = (&mut self.growing, &s.set) {
            g.remove(&[set, &left_out], &self.sample);
        }
        let clusters = if matched.is_empty() { None } else { Some(self.clusters()) };
        matched
            .into_iter()
            .map(|(d, m)| Found {
                id: self.id(d).to_string(),
                matched: m,
                cluster: clusters
                    .as_ref()
                    .map_or_else(String::new, |c| self.id(c.representative_of(d)).to_string()),
            })
            .collect()
    }

    /// Removes article `id`; false when it is not in the index. The index is rebuilt
    /// as if it had never come (O(articles held); remove many at once with
    /// [`retain`](Self::retain)).
    pub fn remove(&mut self, id: &str) -> bool {
        if !self.positions.contains_key(id) {
            return false;
        }
        self.retain(|held, _| held != id);
        true
    }

    /// Keeps only the articles for which `keep(id, date)` is true, and returns the ids
    /// removed in arrival order. Each article kept keeps the matches it had on arrival
    /// with the others kept; clusters, representatives and growing statistics are
    /// those of the articles kept, in their order.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, Option<i64>) -> bool) -> Vec<String> {
        let entries = std::mem::take(&mut self.entries);
        let sketched = std::mem::take(&mut self.sketched);
        if entries.iter().all(|e| keep(&e.id, e.date)) {
            self.entries = entries;
            self.sketched = sketched;
            return Vec::new();
        }
        let fresh = self.dedup.new_index(Arc::clone(&self.sample), self.growing.is_some());
        let scratch = std::mem::take(&mut self.scratch);
        *self = DedupIndex { scratch, ..fresh };
        let mut moved: Vec<Option<DocId>> = Vec::with_capacity(entries.len());
        let mut removed = Vec::new();
        for (e, s) in entries.into_iter().zip(sketched) {
            if !keep(&e.id, e.date) {
                moved.push(None);
                removed.push(e.id.into());
                continue;
            }
            moved.push(Some(doc_id(self.sketched.len())));
            let matches = e.matches.iter().filter_map(|&(d, m)| Some((moved[d.index()]?, m)));
            let matches = matches.collect();
            self.replay(Entry { matches, ..e }, s);
        }
        removed
    }

    /// Removes every article dated before `before` (seconds since 1970, UTC); articles
    /// without a date are kept and counted.
    pub fn expire(&mut self, before: i64) -> Expired {
        let undated = self.entries.iter().filter(|e| e.date.is_none()).count();
        let removed = self.retain(|_, date| date.is_none_or(|d| d >= before));
        Expired { removed, undated }
    }

    /// The number of articles held.
    pub fn len(&self) -> usize {
        self.sketched.len()
    }

    /// True when it holds no article.
    pub fn is_empty(&self) -> bool {
        self.sketched.is_empty()
    }

    /// Whether article `id` is held.
    pub fn contains(&self, id: &str) -> bool {
        self.positions.contains_key(id)
    }

    /// The position of article `id` among those held (its [`DocId`] in
    /// [`clusters`](Self::clusters)).
    pub fn position(&self, id: &str) -> Option<DocId> {
        self.positions.get(id).copied()
    }

    /// The id of the article at position `d`.
    ///
    /// # Panics
    ///
    /// When `d` is not a position of an article held.
    pub fn id(&self, d: DocId) -> &str {
        &self.entries[d.index()].id
    }

    /// The date of the article at position `d`, if it was given one.
    pub fn date(&self, d: DocId) -> Option<i64> {
        self.entries.get(d.index()).and_then(|e| e.date)
    }

    /// Whether the article at position `d` is too short to be matched.
    pub fn too_short(&self, d: DocId) -> bool {
        self.entries.get(d.index()).is_some_and(|e| e.short)
    }

    /// The deduplicator whose rules it follows.
    pub fn deduplicator(&self) -> &Deduplicator {
        &self.dedup
    }

    /// The statistics it was made with (see [`DedupIndex`]).
    pub fn sample(&self) -> &Arc<CorpusStats> {
        &self.sample
    }

    /// The clusters of the articles held, by position.
    pub fn clusters(&self) -> Clusters {
        self.tail.clusters(&self.sketched)
    }

    /// What must persist of the article at position `d`.
    ///
    /// # Panics
    ///
    /// When `d` is not a position of an article held.
    pub fn record(&self, d: DocId) -> ArticleRecord {
        let e = &self.entries[d.index()];
        let s = &self.sketched[d.index()];
        ArticleRecord {
            id: e.id.to_string(),
            date: e.date,
            len: s.len,
            short: e.short,
            sketch: record::encode(s, e.short, &e.boilerplate),
            matches: e.matches.iter().map(|&(m, x)| (self.id(m).to_string(), x)).collect(),
        }
    }

    /// Takes back an article of a saved index, without its text: records must come in
    /// the order the articles arrived, into an index made as the saved one was (the
    /// same parameters and statistics). Nothing is verified again.
    ///
    /// # Errors
    ///
    /// When the record's sketch is damaged or was made with other parameters, its id
    /// is already held, or it matches an article not held: the index is unchanged.
    pub fn restore(&mut self, record: &ArticleRecord) -> Result<()> {
        let damaged = |why: String| Error::invalid("record", format!("`{}`: {why}", record.id));
        self.check_new(&record.id)?;
        let (s, short, boilerplate) =
            record::decode(&record.sketch, &self.dedup).map_err(damaged)?;
        if !boilerplate.is_empty() && self.growing.is_none() {
            return Err(damaged("boilerplate of growing statistics in a fixed index".into()));
        }
        let matches = record
            .matches
            .iter()
            .map(|(id, m)| match self.position(id) {
                Some(d) => Ok((d, *m)),
                None => Err(damaged(format!("matches `{id}`, which is not held before it"))),
            })
            .collect::<Result<Vec<_>>>()?;
        let entry =
            Entry { id: record.id.as_str().into(), date: record.date, short, boilerplate, matches };
        self.replay(entry, s);
        Ok(())
    }
}
