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
        self.run(false)
    }

    /// [`cluster`](Self::cluster) on all cores; the output is identical.
    #[cfg(feature = "rayon")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_cluster(self) -> Clusters {
        self.run(true)
    }

    /// Every stage after shingling, each on all cores when `parallel`.
    fn run(self, parallel: bool) -> Clusters {
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
        make_candidates_verifiable(dedup, &mut sketched, &pairs, parallel);
        let edges = verified(dedup, &pairs, &sketched, &stats, parallel);
        let clusters =
            cluster_batch(dedup.mode, dedup.link_density, dedup.representative, &sketched, &edges);
        #[cfg(feature = "rayon")]
        if parallel {
            // The sets and signatures, one or two allocations per article, are freed on
            // the thread pool while the caller goes on with the clusters (100,000
            // articles: 28 ms of frees).
            rayon::spawn(move || drop((sketched, pairs, edges, stats, boilerplate)));
            return clusters;
        }
        clusters
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

/// Readies the articles in `pairs` for verification
/// ([`Deduplicator::make_verifiable`]); the others never are (60% of SaudiNewsNet's
/// articles, a third of the synthetic corpus's), and their words are dropped.
fn make_candidates_verifiable(
    dedup: &Deduplicator,
    sketched: &mut [Sketched],
    pairs: &[(DocId, DocId)],
    parallel: bool,
) {
    let mut needed = vec![false; sketched.len()];
    for &(a, b) in pairs {
        needed[a.index()] = true;
        needed[b.index()] = true;
    }
    let ready = |sort: &mut SortScratch, (s, &need): (&mut Sketched, &bool)| {
        if need {
            dedup.make_verifiable(s, sort);
        } else {
            s.words = None;
        }
    };
    #[cfg(feature = "rayon")]
    if parallel {
        use rayon::prelude::*;
        sketched.par_iter_mut().zip(needed.par_iter()).for_each_init(SortScratch::default, ready);
        return;
    }
    let _ = parallel;
    let mut sort = SortScratch::default();
    sketched.iter_mut().zip(needed.iter()).for_each(|item| ready(&mut sort, item));
}

/// The candidate pairs that verify, with their match, in order.
fn verified(
    dedup: &Deduplicator,
    pairs: &[(DocId, DocId)],
    sketched: &[Sketched],
    stats: &CorpusStats,
    parallel: bool,
) -> Vec<(DocId, DocId, Match)> {
    let check = |&(a, b): &(DocId, DocId)| {
        dedup.verifier.verify(&sketched[a.index()], &sketched[b.index()], stats).map(|m| (a, b, m))
    };
    #[cfg(feature = "rayon")]
    if parallel {
        use rayon::prelude::*;
        return pairs.par_iter().filter_map(check).collect();
    }
    let _ = parallel;
    pairs.iter().filter_map(check).collect()
}
