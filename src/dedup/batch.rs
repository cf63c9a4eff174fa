//! [`Batch`], the corpus driver: articles gathered, then every stage after shingling
//! run once over all of them (each on all cores with `par_cluster`), ending in the
//! [`Tail`](super::pipeline::Tail) the live feed shares.

use std::collections::HashMap;

use crate::cluster::{Clusters, Match};
use crate::corpus::DocId;
use crate::hash::FixedState;
use crate::lsh::SimHashIndex;
use crate::minhash::{MinHashScratch, MinHashSignature};
#[cfg(feature = "rayon")]
use crate::sketch::with_thread_scratch;
use crate::util::SortScratch;

use super::article::{Shingled, ShingledArticle, Sketched};
use super::pipeline::{cluster_batch, doc_id, simhash_candidates};
use super::rare::rare_pairs;
use super::stats::{CorpusStats, FingerprintSet, NO_SOURCE, SourceSets};
use super::{Algorithm, Boilerplate, Deduplicator};

/// The articles of one batch run, gathered before they are clustered together.
///
/// Adding an article normalises and shingles it at once and keeps only its shingle
/// fingerprints (and, with the edited-copy rule, its words' fingerprints until the
/// candidates are known), so a corpus read from disk in chunks never has all its text
/// in memory;
/// [`cluster`](Self::cluster) then does what [`Deduplicator::cluster`] does. Article `i`
/// added is `DocId(i)`, and the clusters are the same as the one-call API's on the same
/// texts, whatever the chunks (tested).
///
/// # Examples
///
/// ```
/// use nuskha::{Deduplicator, DocId};
///
/// let dedup = Deduplicator::new();
/// let mut batch = dedup.batch();
/// let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج";
/// for chunk in [[story, "مقال قصير"], [&format!("{story} هذا العام"), "خبر"]] {
///     batch.extend(chunk);
/// }
/// assert!(batch.too_short(DocId(1)));
/// let clusters = batch.cluster();
/// assert_eq!(clusters.representative_of(DocId(2)), DocId(0));
/// ```
#[derive(Debug)]
pub struct Batch<'d> {
    dedup: &'d Deduplicator,
    sets: Vec<Shingled>,
    /// Each article's source id ([`NO_SOURCE`] for none), up to the last one given a
    /// source: empty when none was.
    sources: Vec<u32>,
    /// The ids of the sources named, in the order first named.
    source_ids: HashMap<String, u32, FixedState>,
}

impl<'d> Batch<'d> {
    pub(super) fn new(dedup: &'d Deduplicator) -> Self {
        Batch { dedup, sets: Vec::new(), sources: Vec::new(), source_ids: HashMap::default() }
    }

    /// Adds one article and returns its id.
    ///
    /// # Panics
    ///
    /// After 2³¹ articles.
    pub fn add(&mut self, text: &str) -> DocId {
        self.push(self.dedup.shingle(text))
    }

    /// Adds an article shingled by [`Deduplicator::shingle`] and returns its id: the
    /// same as [`add`](Self::add) on its text.
    ///
    /// # Panics
    ///
    /// When `article` was shingled by a different deduplicator (its shingles might
    /// not be comparable), and after 2³¹ articles.
    pub fn push(&mut self, article: ShingledArticle<'_>) -> DocId {
        assert!(
            std::ptr::eq(article.dedup, self.dedup),
            "an article shingled by another deduplicator was pushed into a batch"
        );
        let id = doc_id(self.sets.len());
        self.sets.push(article.shingled);
        id
    }

    /// Adds `texts` in order, shingling them on all cores.
    #[cfg(feature = "rayon")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_extend<S: AsRef<str> + Sync>(&mut self, texts: &[S]) {
        use rayon::prelude::*;
        let dedup = self.dedup;
        let sets: Vec<Shingled> =
            texts.par_iter().map(|t| dedup.shingle(t.as_ref()).shingled).collect();
        self.sets.extend(sets);
    }

    /// [`par_extend`](Self::par_extend) taking the texts by value, each dropped once
    /// shingled.
    #[cfg(feature = "rayon")]
    pub(super) fn par_extend_owned(&mut self, texts: Vec<String>) {
        use rayon::prelude::*;
        let dedup = self.dedup;
        let sets: Vec<Shingled> =
            texts.into_par_iter().map(|t| dedup.shingle(&t).shingled).collect();
        self.sets.extend(sets);
    }

    /// The articles gathered, shingled, in order: to hand them to a live index
    /// ([`DedupIndex::add_shingled`](super::DedupIndex::add_shingled)) instead of
    /// clustering them here.
    pub fn into_articles(self) -> impl Iterator<Item = ShingledArticle<'d>> {
        let dedup = self.dedup;
        self.sets.into_iter().map(move |s| ShingledArticle::new(dedup, s))
    }

    /// Says which source (outlet, site) article `id` comes from, for boilerplate
    /// learned per source ([`SourceBoilerplate`](super::SourceBoilerplate)). Sources are
    /// told apart by name, exactly; an article given none belongs to no source.
    ///
    /// # Panics
    ///
    /// When `id` was not added, and past 2³² − 1 sources.
    pub fn set_source(&mut self, id: DocId, source: &str) {
        assert!(id.index() < self.sets.len(), "set_source: article {} was not added", id.0);
        let source = match self.source_ids.get(source) {
            Some(&s) => s,
            None => {
                let next = u32::try_from(self.source_ids.len())
                    .ok()
                    .filter(|&n| n != NO_SOURCE)
                    .expect("fewer than 2^32 - 1 sources");
                self.source_ids.insert(source.to_owned(), next);
                next
            }
        };
        if self.sources.len() <= id.index() {
            self.sources.resize(id.index() + 1, NO_SOURCE);
        }
        self.sources[id.index()] = source;
    }

    /// The deduplicator the batch belongs to (for [`Deduplicator::shingle`]).
    pub fn deduplicator(&self) -> &'d Deduplicator {
        self.dedup
    }

    /// The number of articles added.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// True before the first article.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// Whether article `id` has fewer words than the deduplicator's
    /// [`min_words`](super::DeduplicatorBuilder::min_words), so it can match nothing.
    ///
    /// # Panics
    ///
    /// When `id` was not added.
    pub fn too_short(&self, id: DocId) -> bool {
        self.sets[id.index()].short
    }

    /// Whether article `id` is longer than the deduplicator's
    /// [`max_article_bytes`](super::DeduplicatorBuilder::max_article_bytes), so that
    /// only its beginning is matched.
    ///
    /// # Panics
    ///
    /// When `id` was not added.
    pub fn truncated(&self, id: DocId) -> bool {
        self.sets[id.index()].truncated
    }

    /// The corpus statistics of the articles added: what [`Deduplicator::learn`]
    /// gives for their texts (a sample to start a live index from).
    pub fn stats(&self) -> CorpusStats {
        CorpusStats::from_sets(&self.sets)
    }

    /// Clusters the articles added.
    pub fn cluster(self) -> Clusters {
        self.run(false).0
    }

    /// [`cluster`](Self::cluster) on all cores; the output is identical.
    #[cfg(feature = "rayon")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_cluster(self) -> Clusters {
        self.run(true).0
    }

    /// The clusters and every pair the verifier accepted, the pairs the clusters were
    /// formed from: `(earlier, later, match)`, sorted, each pair once. The clustering
    /// keeps some verified pairs apart (a round-up that matches two stories, a template
    /// bulletin that matches a few others: see [`ClusterMode`](crate::ClusterMode); in
    /// star mode, also a match by containment alone that the star rule does not take);
    /// these are the pairs to read when asking why two articles are not in one cluster,
    /// to score the verifier alone, or to cluster again with
    /// [`cluster_pairs`](crate::cluster_pairs) (in components mode, or in average mode
    /// at the default link density, that gives these clusters again).
    ///
    /// # Examples
    ///
    /// ```
    /// use nuskha::{ClusterMode, Deduplicator, DocId, cluster_pairs};
    ///
    /// let dedup = Deduplicator::new();
    /// let mut batch = dedup.batch();
    /// let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج";
    /// batch.extend([story, "خبر آخر لا صلة له بما قبله ولا بما بعده في هذه المجموعة الصغيرة من النصوص", story]);
    /// let (clusters, pairs) = batch.cluster_with_pairs();
    /// assert_eq!(pairs.len(), 1);
    /// assert_eq!((pairs[0].0, pairs[0].1), (DocId(0), DocId(2)));
    /// assert_eq!(cluster_pairs(3, &pairs, ClusterMode::Components).len(), clusters.len());
    /// ```
    pub fn cluster_with_pairs(self) -> (Clusters, Vec<(DocId, DocId, Match)>) {
        self.run(false)
    }

    /// [`cluster_with_pairs`](Self::cluster_with_pairs) on all cores; the output is
    /// identical.
    #[cfg(feature = "rayon")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_cluster_with_pairs(self) -> (Clusters, Vec<(DocId, DocId, Match)>) {
        self.run(true)
    }

    /// Every stage after shingling, each on all cores when `parallel`: the clusters and
    /// the verified pairs behind them.
    fn run(self, parallel: bool) -> (Clusters, Vec<(DocId, DocId, Match)>) {
        let dedup = self.dedup;
        let needs_stats = dedup.boilerplate != Boilerplate::Off || dedup.verifier.needs_stats();
        let stats = CorpusStats::of(&self.sets, needs_stats, parallel);
        let boilerplate = dedup.boilerplate_of(&stats);
        let mut sources = self.sources;
        let outlets = match dedup.source_boilerplate {
            Some(rule) if !sources.is_empty() && dedup.boilerplate != Boilerplate::Off => {
                sources.resize(self.sets.len(), NO_SOURCE);
                SourceSets::learn(&self.sets, &sources, &stats, &boilerplate, rule)
            }
            _ => SourceSets::default(),
        };
        // Found on the sets before boilerplate removal, which sketching drops.
        let search = dedup.verifier.edited().and_then(|e| e.rare_search_within());
        let rare = search.map(|(docs, search)| rare_pairs(&self.sets, docs, search, parallel));
        let outlets = (!outlets.is_empty()).then_some((&outlets, sources.as_slice()));
        let mut sketched = sketch_sets(dedup, self.sets, &boilerplate, outlets, parallel);
        let mut pairs = candidates(dedup, &sketched, parallel);
        if let Some(rare) = rare {
            pairs = merge_pairs(pairs, rare, &sketched);
        }
        let edges = verified(dedup, &pairs, &mut sketched, &stats, parallel);
        let clusters =
            cluster_batch(dedup.mode, dedup.link_density, dedup.representative, &sketched, &edges);
        #[cfg(feature = "rayon")]
        if parallel {
            // The sets and signatures, one or two allocations per article, are freed on
            // the thread pool while the caller goes on with the clusters (100,000
            // articles: 28 ms of frees).
            rayon::spawn(move || drop((sketched, pairs, stats, boilerplate)));
        }
        (clusters, edges)
    }
}

impl<S: AsRef<str>> Extend<S> for Batch<'_> {
    fn extend<I: IntoIterator<Item = S>>(&mut self, texts: I) {
        for t in texts {
            self.add(t.as_ref());
        }
    }
}

/// The sketches of `sets`, boilerplate removed, in order: the corpus's, and each
/// article's source's when `outlets` gives the sources' sets and each article's source.
fn sketch_sets(
    dedup: &Deduplicator,
    sets: Vec<Shingled>,
    boilerplate: &FingerprintSet,
    outlets: Option<(&SourceSets, &[u32])>,
    parallel: bool,
) -> Vec<Sketched> {
    let outlet = |i: usize| outlets.map(|(o, sources)| (o, sources[i]));
    #[cfg(feature = "rayon")]
    if parallel {
        use rayon::prelude::*;
        return sets
            .into_par_iter()
            .enumerate()
            .map(|(i, s)| {
                with_thread_scratch(|scratch| {
                    dedup.sketch_set(s, boilerplate, outlet(i), &mut scratch.minhash)
                })
            })
            .collect();
    }
    let _ = parallel;
    let mut scratch = MinHashScratch::default();
    let sketch = |(i, s)| dedup.sketch_set(s, boilerplate, outlet(i), &mut scratch);
    sets.into_iter().enumerate().map(sketch).collect()
}

/// Candidate pairs (smaller id first), sorted.
fn candidates(dedup: &Deduplicator, sketched: &[Sketched], parallel: bool) -> Vec<(DocId, DocId)> {
    match dedup.algorithm() {
        Algorithm::MinHash => {
            let sigs: Vec<Option<&MinHashSignature>> = sketched
                .iter()
                .map(|s| (!s.signature.is_empty()).then_some(&s.signature))
                .collect();
            #[cfg(feature = "rayon")]
            if parallel {
                return crate::lsh::par_batch_candidate_pairs(dedup.lsh, &sigs);
            }
            let _ = parallel;
            crate::lsh::batch_candidate_pairs(dedup.lsh, &sigs)
        }
        Algorithm::SimHash { max_distance } => {
            let mut index = SimHashIndex::new(max_distance).expect("validated by the builder");
            let mut pairs = Vec::new();
            for (i, s) in sketched.iter().enumerate() {
                let id = doc_id(i);
                pairs.extend(simhash_candidates(&mut index, id, s).into_iter().map(|d| (d, id)));
            }
            pairs.sort_unstable();
            pairs
        }
    }
}

/// The LSH pairs and the rare-shingle pairs (both sorted) in one sorted list without
/// repeats, leaving out pairs with an article that has no signature (nothing left
/// after boilerplate removal), as LSH does.
fn merge_pairs(
    lsh: Vec<(DocId, DocId)>,
    rare: Vec<(DocId, DocId)>,
    sketched: &[Sketched],
) -> Vec<(DocId, DocId)> {
    let signed = |&(a, b): &(DocId, DocId)| {
        !sketched[a.index()].signature.is_empty() && !sketched[b.index()].signature.is_empty()
    };
    let mut pairs = Vec::with_capacity(lsh.len() + rare.len());
    let (mut x, mut y) = (lsh.into_iter().peekable(), rare.into_iter().filter(signed).peekable());
    loop {
        let next = match (x.peek(), y.peek()) {
            (Some(p), Some(q)) if p == q => {
                y.next();
                x.next()
            }
            (Some(p), Some(q)) if p < q => x.next(),
            (_, Some(_)) => y.next(),
            (Some(_), None) => x.next(),
            (None, None) => return pairs,
        };
        pairs.extend(next);
    }
}

/// The candidate pairs that verify, with their match, in order. Verification reads
/// the articles' sorted sets, and the edited-copy rule their vocabularies, which are
/// made only for the articles of a pair that is not settled first on its sketches
/// (Jaccard or containment past the guard): SaudiNewsNet at the defaults, 3,172 of the
/// 5,334 articles in a pair. The others' words are dropped, as are those of articles
/// in no pair (60% of SaudiNewsNet's, a third of the synthetic corpus's).
fn verified(
    dedup: &Deduplicator,
    pairs: &[(DocId, DocId)],
    sketched: &mut [Sketched],
    stats: &CorpusStats,
    parallel: bool,
) -> Vec<(DocId, DocId, Match)> {
    let verifier = &dedup.verifier;
    let in_pairs = articles_of(pairs.iter().copied(), sketched.len());
    for_needed(sketched, &in_pairs, parallel, |s, sort| {
        Deduplicator::sort_set(s, sort);
        dedup.note_frequencies(s, stats);
    });
    let first = |&(a, b): &(DocId, DocId)| {
        verifier.similar_past_guard(&sketched[a.index()], &sketched[b.index()], stats)
    };
    let settled: Vec<Option<Match>> = map_pairs(pairs, parallel, first);
    let open = pairs.iter().zip(&settled).filter(|(_, m)| m.is_none()).map(|(&p, _)| p);
    let needs_vocabulary = articles_of(open, sketched.len());
    for_needed(sketched, &needs_vocabulary, parallel, |s, sort| dedup.make_vocabulary(s, sort));
    for s in sketched.iter_mut() {
        s.words = None;
    }
    let sketched = &*sketched;
    let check = |(&(a, b), settled): (&(DocId, DocId), &Option<Match>)| {
        settled
            .or_else(|| verifier.verify(&sketched[a.index()], &sketched[b.index()], stats))
            .map(|m| (a, b, m))
    };
    #[cfg(feature = "rayon")]
    if parallel {
        use rayon::prelude::*;
        return pairs.par_iter().zip(settled.par_iter()).filter_map(check).collect();
    }
    pairs.iter().zip(&settled).filter_map(check).collect()
}

/// Which of `n` articles `pairs` hold.
fn articles_of(pairs: impl Iterator<Item = (DocId, DocId)>, n: usize) -> Vec<bool> {
    let mut held = vec![false; n];
    for (a, b) in pairs {
        held[a.index()] = true;
        held[b.index()] = true;
    }
    held
}

/// `ready` on each article of `sketched` that `needed` marks, on all cores when
/// `parallel`.
fn for_needed(
    sketched: &mut [Sketched],
    needed: &[bool],
    parallel: bool,
    ready: impl Fn(&mut Sketched, &mut SortScratch) + Sync + Send,
) {
    let each = |sort: &mut SortScratch, (s, &need): (&mut Sketched, &bool)| {
        if need {
            ready(s, sort);
        }
    };
    #[cfg(feature = "rayon")]
    if parallel {
        use rayon::prelude::*;
        sketched.par_iter_mut().zip(needed.par_iter()).for_each_init(SortScratch::default, each);
        return;
    }
    let _ = parallel;
    let mut sort = SortScratch::default();
    sketched.iter_mut().zip(needed).for_each(|item| each(&mut sort, item));
}

/// `f` of each pair, in order, on all cores when `parallel`.
fn map_pairs<T: Send>(
    pairs: &[(DocId, DocId)],
    parallel: bool,
    f: impl Fn(&(DocId, DocId)) -> T + Sync + Send,
) -> Vec<T> {
    #[cfg(feature = "rayon")]
    if parallel {
        use rayon::prelude::*;
        return pairs.par_iter().map(f).collect();
    }
    let _ = parallel;
    pairs.iter().map(f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::MatchKind;
    use crate::{EditedCopies, RareSearch};

    /// Articles of seeded random words: stories, each with an exact copy, a lightly
    /// edited one and two heavily edited ones (one word in seven, and three in ten, replaced), and
    /// template look-alikes, one a story, sharing a long run of wording.
    fn articles() -> Vec<String> {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let letters: Vec<char> = ('\u{0628}'..='\u{064A}').filter(|c| c.is_alphabetic()).collect();
        let word = |next: &mut dyn FnMut(u64) -> u64| -> String {
            (0..3 + next(5)).map(|_| letters[next(letters.len() as u64) as usize]).collect()
        };
        let template: Vec<String> = (0..60).map(|_| word(&mut next)).collect();
        let mut out = Vec::new();
        for _ in 0..40 {
            let words: Vec<String> = (0..150 + next(200)).map(|_| word(&mut next)).collect();
            let edited = |share: u64, next: &mut dyn FnMut(u64) -> u64| -> String {
                let mut w = words.clone();
                for x in &mut w {
                    if next(100) < share {
                        *x = word(next);
                    }
                }
                w.join(" ")
            };
            out.push(words.join(" "));
            out.push(words.join(" "));
            out.push(edited(5, &mut next));
            out.push(edited(15, &mut next));
            out.push(edited(30, &mut next));
            // In more articles than `distinctive_docs`: not distinctive.
            let slots: Vec<String> = (0..20).map(|_| word(&mut next)).collect();
            out.push(format!("{} {}", template.join(" "), slots.join(" ")));
        }
        out
    }

    /// The batch's verification, which makes vocabularies only for the pairs not
    /// settled on their sketches, against every article made verifiable and every
    /// pair verified in full.
    #[test]
    fn verification_in_two_steps_gives_what_verifying_each_pair_in_full_gives() {
        let texts = articles();
        let mut rejected = 0;
        for edited in [
            Some(EditedCopies::default()),
            Some(EditedCopies { rare_search: Some(RareSearch::THOROUGH), ..Default::default() }),
            None,
        ] {
            let dedup = Deduplicator::builder().edited_copies(edited).build().unwrap();
            let sets: Vec<Shingled> = texts.iter().map(|t| dedup.shingle(t).shingled).collect();
            let stats = CorpusStats::of(&sets, true, false);
            let boilerplate = dedup.boilerplate_of(&stats);
            let search = dedup.verifier.edited().and_then(|e| e.rare_search_within());
            let rare = search.map(|(docs, search)| rare_pairs(&sets, docs, search, false));
            let sketched = sketch_sets(&dedup, sets, &boilerplate, None, false);
            let mut pairs = candidates(&dedup, &sketched, false);
            if let Some(rare) = rare {
                pairs = merge_pairs(pairs, rare, &sketched);
            }
            let mut reference = sketched.clone();
            let mut sort = SortScratch::default();
            for s in &mut reference {
                dedup.make_verifiable(s, &mut sort);
            }
            let expected: Vec<_> = pairs
                .iter()
                .filter_map(|&(a, b)| {
                    let (x, y) = (&reference[a.index()], &reference[b.index()]);
                    dedup.verifier.verify(x, y, &stats).map(|m| (a, b, m))
                })
                .collect();
            let settled = pairs
                .iter()
                .filter(|&&(a, b)| {
                    let (x, y) = (&reference[a.index()], &reference[b.index()]);
                    dedup.verifier.similar_past_guard(x, y, &stats).is_some()
                })
                .count();
            let edited_matches = expected.iter().filter(|(.., m)| m.kind == MatchKind::Edited);
            if edited.is_some() {
                assert!(edited_matches.count() >= 10, "{edited:?}: too few edited matches");
            }
            assert!(settled >= 40 && settled < pairs.len(), "{settled} of {} settled", pairs.len());
            rejected += pairs.len() - expected.len();
            for parallel in [false, true] {
                let got = verified(&dedup, &pairs, &mut sketched.clone(), &stats, parallel);
                assert_eq!(got, expected, "{edited:?}, parallel {parallel}");
            }
        }
        assert!(rejected >= 20, "{rejected} pairs rejected");
    }
}
