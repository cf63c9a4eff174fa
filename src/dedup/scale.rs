//! A batch run cut into steps that run apart, for a job spread over machines (the
//! Spark job of `spark/`): each article's shingles as plain values ([`ArticleParts`],
//! what `dedup sketch` writes), the corpus statistics from counts added up over shards
//! ([`CorpusStats::from_counts`]), and a [`CorpusContext`] that sketches, verifies and
//! clusters with what the whole corpus taught. Each step calls the code a
//! [`Batch`](super::Batch) runs, so a job that pairs the articles sharing an LSH band
//! key, verifies the pairs here and clusters each connected component here gets the
//! batch's clusters (tested).

use std::collections::HashMap;

use crate::cluster::{Clusters, Match};
use crate::corpus::DocId;
use crate::hash::FixedState;
use crate::lsh::band_keys;
use crate::simhash::SimHash;
use crate::sketch::with_thread_scratch;
use crate::util::SortScratch;
use crate::{Algorithm, Error, Result};

use super::article::{Shingled, ShingledArticle, Sketched};
use super::pipeline::cluster_batch;
use super::stats::{CorpusStats, FingerprintSet, NO_SOURCE, SourceSets, source_key};
use super::{Boilerplate, Deduplicator};

/// One article as shingling left it, in plain values: what a file keeps between
/// shingling an article on one machine and matching it on another
/// ([`ShingledArticle::parts`], [`Deduplicator::article_from_parts`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArticleParts {
    /// Its distinct shingles' fingerprints (the high half of each 64-bit shingle
    /// hash), in text order; empty when too short.
    pub shingles: Vec<u32>,
    /// With the edited-copy rule, the fingerprints of its words in text order (the
    /// rule's vocabulary is made from them); `None` without the rule, or when too short.
    pub words: Option<Vec<u32>>,
    /// With SimHash candidates, its SimHash.
    pub simhash: Option<u64>,
    /// The length of its text in bytes (for the longest representative).
    pub len: usize,
    /// Fewer words than the deduplicator's `min_words`: never matched.
    pub short: bool,
    /// Longer than `max_article_bytes`: only its beginning was shingled.
    pub truncated: bool,
}

impl ShingledArticle<'_> {
    /// The article as plain values, to be written out and read back with
    /// [`Deduplicator::article_from_parts`].
    ///
    /// # Examples
    ///
    /// ```
    /// use nuskha::Deduplicator;
    ///
    /// let dedup = Deduplicator::new();
    /// let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة";
    /// let parts = dedup.shingle(story).parts();
    /// assert_eq!(parts.len, story.len());
    /// assert_eq!(dedup.article_from_parts(parts.clone())?.parts(), parts);
    /// # Ok::<(), nuskha::Error>(())
    /// ```
    pub fn parts(&self) -> ArticleParts {
        let s = &self.shingled;
        ArticleParts {
            shingles: s.set.clone(),
            words: s.words.as_ref().map(|w| w.to_vec()),
            simhash: s.simhash.map(SimHash::bits),
            len: s.len,
            short: s.short,
            truncated: s.truncated,
        }
    }
}

impl Deduplicator {
    /// The article whose [`parts`](ShingledArticle::parts) these are, ready for a
    /// [`Batch`](super::Batch) or a [`CorpusContext`] of this deduplicator. The parts
    /// must come from a deduplicator of the same settings (`dedup sketch` writes its
    /// settings beside the parts for this reason): shingles of other settings are
    /// valid values that match nothing they should.
    ///
    /// # Errors
    ///
    /// When the parts cannot be this deduplicator's: repeated shingles, shingles or
    /// words in an article marked too short, words missing with the edited-copy rule
    /// or present without it, a SimHash missing with SimHash candidates.
    pub fn article_from_parts(&self, parts: ArticleParts) -> Result<ShingledArticle<'_>> {
        let bad = |why: &str| Err(Error::invalid("parts", why.to_string()));
        let ArticleParts { shingles: mut set, words, simhash, len, short, truncated } = parts;
        if short && (!set.is_empty() || words.is_some() || simhash.is_some()) {
            return bad("an article too short to match has shingles, words or a SimHash");
        }
        if !short {
            if words.is_some() != self.verifier.edited().is_some() {
                return bad("words are kept exactly when the edited-copy rule is on");
            }
            if simhash.is_none() && matches!(self.algorithm(), Algorithm::SimHash { .. }) {
                return bad("SimHash candidates need each article's SimHash");
            }
            let mut sorted = set.clone();
            sorted.sort_unstable();
            if sorted.windows(2).any(|w| w[0] == w[1]) {
                return bad("a shingle is repeated");
            }
        }
        let search = self.verifier.edited().and_then(|e| e.rare_search);
        let searched = search.map(|search| search.read_first(&mut set));
        let shingled = Shingled {
            set,
            searched,
            words: words.map(Vec::into_boxed_slice),
            simhash: simhash.map(SimHash::new),
            len,
            short,
            truncated,
        };
        Ok(ShingledArticle::new(self, shingled))
    }

    /// A context for matching articles of a corpus whose statistics are `stats` (all
    /// of them, counted over every shard), with no per-source boilerplate until
    /// [`CorpusContext::learn_sources`].
    ///
    /// # Errors
    ///
    /// With SimHash candidates or the rare-phrase search: their candidates come from an
    /// index built in input order, which a job grouping band keys does not reproduce.
    pub fn corpus_context(&self, stats: CorpusStats) -> Result<CorpusContext> {
        if matches!(self.algorithm(), Algorithm::SimHash { .. }) {
            return Err(Error::invalid(
                "algorithm",
                "a corpus context finds candidates by MinHash LSH bands only",
            ));
        }
        if self.verifier.edited().and_then(|e| e.rare_search).is_some() {
            return Err(Error::invalid(
                "rare_search",
                "a corpus context has no rare-phrase search: its candidates are the LSH bands' only",
            ));
        }
        // A batch that needs no statistics learns none: neither does the context.
        let needed = self.boilerplate != Boilerplate::Off || self.verifier.needs_stats();
        let stats = if needed { stats } else { CorpusStats::default() };
        let boilerplate = self.boilerplate_of(&stats);
        Ok(CorpusContext {
            dedup: self.clone(),
            stats,
            boilerplate,
            outlets: SourceSets::default(),
            sources: HashMap::default(),
        })
    }
}

/// What a corpus taught, for matching its articles one pair or one component at a
/// time: its statistics, its boilerplate, and each source's boilerplate. Built by
/// [`Deduplicator::corpus_context`]; each method runs the code of a
/// [`Batch`](super::Batch), so that band keys grouped elsewhere, pairs verified with
/// [`verify`](Self::verify) and components clustered with [`cluster`](Self::cluster)
/// give the batch's clusters of the same articles.
///
/// # Examples
///
/// A corpus in two shards: counts added up, candidates from shared band keys, the
/// verified pair's component clustered.
///
/// ```
/// use std::collections::HashMap;
/// use nuskha::{CorpusStats, Deduplicator, DocId};
///
/// let dedup = Deduplicator::new();
/// let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج";
/// let texts = [story, "ارتفعت أسعار النفط في الأسواق العالمية اليوم بعد قرار منظمة أوبك خفض الإنتاج", story];
/// let parts: Vec<_> = texts.iter().map(|t| dedup.shingle(t).parts()).collect();
/// let mut counts: HashMap<u32, u64> = HashMap::new();
/// for p in &parts {
///     for &fp in &p.shingles {
///         *counts.entry(fp).or_default() += 1;
///     }
/// }
/// let context = dedup.corpus_context(CorpusStats::from_counts(parts.len(), counts)?)?;
/// let articles: Vec<_> =
///     parts.iter().map(|p| dedup.article_from_parts(p.clone())).collect::<Result<_, _>>()?;
/// let keys: Vec<Vec<u64>> = articles.iter().map(|a| context.band_keys(a, None)).collect();
/// assert!(keys[0].iter().zip(&keys[2]).any(|(x, y)| x == y));
/// let m = context.verify((&articles[0], None), (&articles[2], None)).expect("a copy");
/// assert_eq!(m.score, 1.0);
/// let component = [(articles[0].clone(), None), (articles[2].clone(), None)];
/// let clusters = context.cluster(&component, &[(DocId(0), DocId(1), m)])?;
/// assert_eq!(clusters.len(), 1);
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CorpusContext {
    dedup: Deduplicator,
    stats: CorpusStats,
    boilerplate: FingerprintSet,
    outlets: SourceSets,
    /// The sources learned from, by name.
    sources: HashMap<String, u32, FixedState>,
}

impl CorpusContext {
    /// The deduplicator it matches with.
    pub fn deduplicator(&self) -> &Deduplicator {
        &self.dedup
    }

    /// The corpus statistics.
    pub fn stats(&self) -> &CorpusStats {
        &self.stats
    }

    /// Whether per-source boilerplate is learned at these settings (unless no article
    /// has a source): when false, [`source_shingles`](Self::source_shingles) is always
    /// empty and [`learn_sources`](Self::learn_sources) learns nothing.
    pub fn learns_sources(&self) -> bool {
        self.dedup.source_boilerplate.is_some() && self.dedup.boilerplate != Boilerplate::Off
    }

    /// The shingles of `article` that per-source boilerplate is counted on: the only
    /// ones that can be a source's boilerplate (in more than its `min_docs` articles
    /// of the corpus, and not removed corpus-wide). Count, for each source, how many of
    /// its articles hold each, and give the counts to
    /// [`learn_sources`](Self::learn_sources).
    pub fn source_shingles(&self, article: &ShingledArticle<'_>) -> Vec<u32> {
        let Some(rule) = self.dedup.source_boilerplate.filter(|_| self.learns_sources()) else {
            return Vec::new();
        };
        let counted = |&&fp: &&u32| SourceSets::counts(fp, &self.stats, &self.boilerplate, rule);
        article.shingled.set.iter().filter(counted).copied().collect()
    }

    /// Learns each source's boilerplate, as a batch does from its articles' sources:
    /// `articles` gives each source's number of articles (sources with none may be
    /// left out), `counts` for each (source, shingle of
    /// [`source_shingles`](Self::source_shingles)) the number of that source's
    /// articles holding it, each pair once. Replaces what was learned before; with no
    /// source, nothing is learned (as in a batch whose articles have none).
    ///
    /// # Errors
    ///
    /// When `counts` names a source `articles` does not, or more than 2³² − 1 sources.
    pub fn learn_sources<'s>(
        &mut self,
        articles: impl IntoIterator<Item = (&'s str, usize)>,
        counts: impl IntoIterator<Item = (&'s str, u32, usize)>,
    ) -> Result<()> {
        self.outlets = SourceSets::default();
        self.sources.clear();
        let Some(rule) = self.dedup.source_boilerplate.filter(|_| self.learns_sources()) else {
            return Ok(());
        };
        let mut per_source = Vec::new();
        for (name, n) in articles {
            let next = u32::try_from(self.sources.len())
                .ok()
                .filter(|&id| id != NO_SOURCE)
                .ok_or_else(|| Error::invalid("sources", "more than 2^32 - 1 sources"))?;
            let id = *self.sources.entry(name.to_owned()).or_insert(next);
            if id as usize == per_source.len() {
                per_source.push(0);
            }
            per_source[id as usize] += n;
        }
        let mut keyed = Vec::new();
        for (name, fp, n) in counts {
            let Some(&id) = self.sources.get(name) else {
                let why = format!("source {name:?} has counts but no article count");
                return Err(Error::invalid("counts", why));
            };
            keyed.push((source_key(id, fp), n));
        }
        self.outlets = SourceSets::of_counts(&per_source, keyed, rule);
        Ok(())
    }

    /// `article` sketched with the corpus's boilerplate and its source's removed.
    fn sketch(&self, article: &ShingledArticle<'_>, source: Option<&str>) -> Sketched {
        let source = source.and_then(|s| self.sources.get(s)).copied().unwrap_or(NO_SOURCE);
        let outlet = (!self.outlets.is_empty()).then_some((&self.outlets, source));
        let shingled = article.shingled.clone();
        with_thread_scratch(|scratch| {
            self.dedup.sketch_set(shingled, &self.boilerplate, outlet, &mut scratch.minhash)
        })
    }

    /// [`sketch`](Self::sketch), readied for verification.
    fn verifiable(&self, article: &ShingledArticle<'_>, source: Option<&str>) -> Sketched {
        let mut s = self.sketch(article, source);
        self.dedup.make_verifiable(&mut s, &mut SortScratch::default());
        s
    }

    /// The LSH band keys of `article` (from `source`), band after band: two articles
    /// are a candidate pair when one of their keys is equal at the same band. Empty
    /// for an article that can match nothing (too short, or nothing left once
    /// boilerplate is removed), which takes no part in LSH.
    pub fn band_keys(&self, article: &ShingledArticle<'_>, source: Option<&str>) -> Vec<u64> {
        let s = self.sketch(article, source);
        if s.signature.is_empty() {
            return Vec::new();
        }
        band_keys(self.dedup.lsh, &s.signature).into_vec()
    }

    /// The verifier's verdict on a candidate pair, the `earlier` article (in input
    /// order) first, each with its source: what a batch's verification gives the pair.
    pub fn verify(
        &self,
        earlier: (&ShingledArticle<'_>, Option<&str>),
        later: (&ShingledArticle<'_>, Option<&str>),
    ) -> Option<Match> {
        let a = self.verifiable(earlier.0, earlier.1);
        let b = self.verifiable(later.0, later.1);
        if a.signature.is_empty() || b.signature.is_empty() {
            return None;
        }
        self.dedup.verifier.verify(&a, &b, &self.stats)
    }

    /// The clusters of `articles`, one connected component of the verified pairs (or
    /// several), in input order, from its verified `edges` (earlier, later, match) in
    /// the articles' positions here: the clusters a batch forms of those articles.
    /// Clusters never cross components, so clustering each component alone gives the
    /// batch's clusters of the whole corpus.
    ///
    /// # Errors
    ///
    /// When an edge names a position out of range, or its earlier article is not
    /// before its later one.
    pub fn cluster(
        &self,
        articles: &[(ShingledArticle<'_>, Option<&str>)],
        edges: &[(DocId, DocId, Match)],
    ) -> Result<Clusters> {
        let n = articles.len();
        if let Some(&(a, b, _)) = edges.iter().find(|(a, b, _)| a >= b || b.index() >= n) {
            let why = format!("edge ({}, {}) among {n} articles", a.0, b.0);
            return Err(Error::invalid("edges", why));
        }
        let mut edges = edges.to_vec();
        edges.sort_unstable_by_key(|&(a, b, _)| (a, b));
        let sketched: Vec<Sketched> =
            articles.iter().map(|(article, source)| self.sketch(article, *source)).collect();
        let d = &self.dedup;
        Ok(cluster_batch(d.mode, d.link_density, d.representative, &sketched, &edges))
    }
}
