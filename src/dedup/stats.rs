//! Corpus statistics: how many articles each shingle is in, counted in two passes
//! (saturating counters, then an exact count of the crowded ones), and the boilerplate
//! and common-shingle sets learned from them.

use std::collections::{HashMap, HashSet};

use crate::hash::FixedState;
use crate::util::{prefetch, prefetch_for_write, radix_sort, written_zeros};

use super::article::{Shingled, fingerprint};
use super::{Boilerplate, SourceBoilerplate};

/// Shingles found in more than [`COMMON_FLOOR`] articles are counted exactly; the rest
/// are all the guard and the boilerplate rule need to know about: "rare".
pub(super) const COMMON_FLOOR: u32 = 8;

/// Saturating 8-bit counters of the shingles of `sets`, indexed by the low hash bits;
/// a collision can only raise a counter.
pub(super) fn count_slots(sets: &[Shingled], size: usize) -> Vec<u8> {
    let mut counters = written_zeros::<u8>(size);
    for s in sets {
        for (i, &h) in s.set.iter().enumerate() {
            if let Some(&later) = s.set.get(i + PREFETCH_AHEAD) {
                prefetch_for_write(&counters[(later as usize) & (size - 1)]);
            }
            let c = &mut counters[(h as usize) & (size - 1)];
            *c = c.saturating_add(1);
        }
    }
    counters
}

/// How many shingles ahead the counting passes ask for the memory they will touch: a
/// set's shingles land at random in a table larger than the cache (16 MB at 100,000
/// articles), and asking early lets the loads overlap.
const PREFETCH_AHEAD: usize = 32;

/// The counter slots above [`COMMON_FLOOR`], one bit each: the second pass looks up
/// one random slot per shingle, and an eighth of the counters' memory (2 MB instead of
/// 16 at 100,000 articles) misses the cache less often.
fn crowded_slots(counters: &[u8]) -> Vec<u64> {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // 128 - 9 in each byte: a byte of at most 127 gains its high bit when it is 9 or more.
    const TO_NINE: u64 = 0x7777_7777_7777_7777;
    counters
        .chunks(64)
        .map(|c| {
            c.chunks(8).enumerate().fold(0u64, |bits, (k, word)| {
                let mut bytes = [0u8; 8];
                bytes[..word.len()].copy_from_slice(word);
                let w = u64::from_le_bytes(bytes);
                // Eight counters at a time: the high bit of each byte above the floor,
                // then those bits gathered into one byte.
                let high = (((w & LOW7) + TO_NINE) | w) & HIGH;
                let eight = (high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
                bits | (eight << (8 * k))
            })
        })
        .collect()
}

/// Exact document frequencies, within `sets`, of the shingles whose slot (the low bits
/// of the fingerprint, as in [`count_slots`]) is set in `crowded`: (fingerprint,
/// count), sorted by fingerprint.
///
/// The candidates' occurrences are gathered and sorted rather than counted in a hash
/// map: at 100,000 articles there are 5 million of them for 826,000 fingerprints, and a
/// map that large misses the cache on nearly every count.
fn count_candidates(sets: &[Shingled], crowded: &[u64]) -> Vec<(u32, u32)> {
    let mask = crowded.len() * 64 - 1;
    let mut hits: Vec<u32> = Vec::new();
    for s in sets {
        for (i, &h) in s.set.iter().enumerate() {
            if let Some(&later) = s.set.get(i + PREFETCH_AHEAD) {
                prefetch(&crowded[((later as usize) & mask) / 64]);
            }
            let slot = (h as usize) & mask;
            if crowded[slot / 64] >> (slot % 64) & 1 == 1 {
                hits.push(h);
            }
        }
    }
    radix_sort(&mut hits, &mut Vec::new());
    hits.chunk_by(|a, b| a == b).map(|run| (run[0], run.len() as u32)).collect()
}

/// Two lists of [`count_candidates`] added up, still sorted.
#[cfg(feature = "rayon")]
fn add_counts(a: Vec<(u32, u32)>, b: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    let mut sum = Vec::with_capacity(a.len().max(b.len()));
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(&(x, n)), Some(&(y, m))) if x == y => {
                a.next();
                b.next();
                (x, n + m)
            }
            (Some(&(x, _)), Some(&(y, _))) if x < y => a.next().unwrap_or_default(),
            (_, Some(_)) => b.next().unwrap_or_default(),
            (Some(_), None) => a.next().unwrap_or_default(),
            (None, None) => return sum,
        };
        sum.push(next);
    }
}

/// The common shingles' document frequencies, from [`count_candidates`].
fn common_of(counts: Vec<(u32, u32)>) -> HashMap<u32, u32, FixedState> {
    counts.into_iter().filter(|&(_, n)| n > COMMON_FLOOR).collect()
}

/// An article of no known source, in [`source_boilerplate`]'s `sources`.
pub(super) const NO_SOURCE: u32 = u32::MAX;

/// Which shingles are boilerplate in which source's articles (see
/// [`SourceBoilerplate`]): one set of (source, fingerprint) keys, behind a filter of
/// the fingerprints boilerplate in any source, so that a crawl of many sites pays for
/// the members only.
#[derive(Debug, Clone, Default)]
pub(super) struct SourceSets {
    any: FingerprintSet,
    members: HashSet<u64, FixedState>,
}

/// The key of shingle `fp` in `source`'s articles.
pub(super) fn source_key(source: u32, fp: u32) -> u64 {
    u64::from(source) << 32 | u64::from(fp)
}

impl SourceSets {
    /// Each source's boilerplate under `rule`: the shingles of `sets` found in more
    /// than `max(min_docs, fraction × its articles)` of the articles whose `sources`
    /// entry is that source ([`NO_SOURCE`] for none), leaving out the `corpus_wide`
    /// ones, removed anyway.
    ///
    /// Only a shingle `stats` counted exactly can qualify: one found in more than
    /// `min_docs` articles of one source is in more than [`COMMON_FLOOR`] of the
    /// corpus (the builder holds `min_docs` to the floor), so the candidates are the
    /// few common shingles, and their occurrences are gathered as keys and sorted
    /// rather than counted in a map.
    pub(super) fn learn(
        sets: &[Shingled],
        sources: &[u32],
        stats: &CorpusStats,
        corpus_wide: &FingerprintSet,
        rule: SourceBoilerplate,
    ) -> Self {
        let known = sources.iter().filter(|&&s| s != NO_SOURCE);
        let Some(&last) = known.clone().max() else { return SourceSets::default() };
        let mut articles = vec![0usize; last as usize + 1];
        for &s in known {
            articles[s as usize] += 1;
        }
        let candidate = |fp: u32| SourceSets::counts(fp, stats, corpus_wide, rule);
        let mut keys: Vec<u64> = Vec::new();
        for (s, &source) in sets.iter().zip(sources).filter(|&(_, &source)| source != NO_SOURCE) {
            let mine = s.set.iter().filter(|&&fp| candidate(fp));
            keys.extend(mine.map(|&fp| source_key(source, fp)));
        }
        keys.sort_unstable();
        let counts = keys.chunk_by(|a, b| a == b).map(|run| (run[0], run.len()));
        SourceSets::of_counts(&articles, counts, rule)
    }

    /// The sets of sources holding `articles[source]` articles each, from `counts`:
    /// (source, shingle) [`source_key`]s and the number of the source's articles
    /// holding the shingle, each key once. The per-source rule, applied in one place
    /// for a batch and for counts merged from shards ([`CorpusContext`](super::CorpusContext)).
    pub(super) fn of_counts(
        articles: &[usize],
        counts: impl IntoIterator<Item = (u64, usize)>,
        rule: SourceBoilerplate,
    ) -> Self {
        let mut members: HashSet<u64, FixedState> = HashSet::default();
        for (key, held) in counts {
            let n = articles.get((key >> 32) as usize).copied().unwrap_or(0);
            // `fraction` is validated to [0, 1], so the product is a small count.
            #[allow(clippy::cast_sign_loss)]
            let limit = rule.min_docs.max((rule.fraction * n as f64) as usize);
            if held > limit {
                members.insert(key);
            }
        }
        let any = FingerprintSet::new(members.iter().map(|&k| k as u32).collect());
        SourceSets { any, members }
    }

    /// Whether per-source counting needs shingle `fp` (corpus document frequency
    /// `stats`): only a shingle in more than `min_docs` articles of the corpus can be in
    /// more than `min_docs` of one source's, and a corpus-wide one is removed anyway.
    pub(super) fn counts(
        fp: u32,
        stats: &CorpusStats,
        corpus_wide: &FingerprintSet,
        rule: SourceBoilerplate,
    ) -> bool {
        let min_docs = u32::try_from(rule.min_docs).unwrap_or(u32::MAX);
        stats.df_of(fp) > min_docs && !corpus_wide.contains(fp)
    }

    /// Whether shingle `fp` is boilerplate in the articles of `source`.
    #[inline]
    pub(super) fn contains(&self, source: u32, fp: u32) -> bool {
        self.any.contains(fp) && self.members.contains(&source_key(source, fp))
    }

    /// Whether no source has boilerplate of its own.
    pub(super) fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

/// The size of the counter table for `sets` when `tables` are made (the parallel count
/// makes one a thread): a power of two, about a slot per two shingles (16 MiB at
/// 100,000 articles), 256 MiB at most in all (16 MiB a table at least). Crowding only
/// raises counters, which sends more rare shingles to the exact count: 826,000 for
/// 2,135 common ones at 100,000 articles. A table that stopped growing there was
/// crowded past the floor in nearly every slot at a million articles, and the exact
/// count then gathered and sorted all 300 million shingles: 2.4 GB, most of the peak.
fn slots_for(sets: &[Shingled], tables: usize) -> usize {
    let shingles: usize = sets.iter().map(|s| s.set.len()).sum();
    let share = (1usize << 28) / tables.max(1);
    let budget = (1usize << share.ilog2()).max(1 << 24);
    (shingles / 2).next_power_of_two().clamp(1024, budget)
}

/// The version of [`CorpusStats::to_bytes`]'s layout.
const STATS_FORMAT: u8 = 1;

/// A live feed's statistics when they grow with it: a learned sample (possibly empty)
/// plus exact counts of the articles the feed holds, kept as one [`CorpusStats`] the
/// verifier reads. A shingle the sample found in 8 articles or fewer counts 0 from it
/// (the sample keeps only common ones). About 10–20 bytes per distinct shingle.
#[derive(Debug, Clone, Default)]
pub(super) struct GrowingStats {
    /// Articles of the feed holding each shingle.
    counts: HashMap<u32, u32, FixedState>,
    /// The sample's counts plus `counts`, above the floor.
    pub(super) view: CorpusStats,
}

impl GrowingStats {
    pub(super) fn new(sample: &CorpusStats) -> Self {
        GrowingStats { counts: HashMap::default(), view: sample.clone() }
    }

    /// Counts one more article of the feed, of shingles `parts` (disjoint).
    pub(super) fn add(&mut self, parts: &[&[u32]], sample: &CorpusStats) {
        for &fp in parts.iter().copied().flatten() {
            let c = self.counts.entry(fp).or_default();
            *c += 1;
            let total = sample.common_df(fp) + *c;
            if total > COMMON_FLOOR {
                self.view.set_df(fp, total);
            }
        }
        self.view.docs += 1;
    }

    /// Forgets one article of the feed, of shingles `parts` (counted before).
    pub(super) fn remove(&mut self, parts: &[&[u32]], sample: &CorpusStats) {
        for &fp in parts.iter().copied().flatten() {
            let Some(c) = self.counts.get_mut(&fp) else { continue };
            *c -= 1;
            let total = sample.common_df(fp) + *c;
            if *c == 0 {
                self.counts.remove(&fp);
            }
            self.view.set_df(fp, total);
        }
        self.view.docs = self.view.docs.saturating_sub(1);
    }
}

/// How many articles of a corpus each shingle is in: what boilerplate removal and the
/// [`TemplateGuard`](super::TemplateGuard) learn from. The batch calls learn it from the corpus they
/// cluster; a live feed gets it from [`Deduplicator::learn`](super::Deduplicator::learn) on past articles.
#[derive(Debug, Clone, Default)]
pub struct CorpusStats {
    /// Document frequency of every shingle found in more than `COMMON_FLOOR` articles.
    df: HashMap<u32, u32, FixedState>,
    /// The buckets holding a key of `df`: a clear bit answers "rare" for most
    /// shingles from a table that stays in cache, without hashing.
    common: BucketFilter,
    docs: usize,
}

/// Which fingerprints may be in a set of few (the common shingles, the boilerplate):
/// one bit per bucket of the fingerprint's high bits, about 32 buckets per member (at
/// least 2¹⁶), so few other shingles share a bucket with a member.
#[derive(Debug, Clone, Default)]
pub(super) struct BucketFilter {
    bits: Vec<u64>,
    shift: u32,
}

/// A set of shingle fingerprints behind a [`BucketFilter`].
#[derive(Debug, Clone, Default)]
pub(super) struct FingerprintSet {
    set: HashSet<u32, FixedState>,
    filter: BucketFilter,
}

impl FingerprintSet {
    fn new(set: HashSet<u32, FixedState>) -> Self {
        let filter = BucketFilter::new(set.iter());
        FingerprintSet { set, filter }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    #[inline]
    pub(super) fn contains(&self, fp: u32) -> bool {
        self.filter.may_hold(fp) && self.set.contains(&fp)
    }
}

impl BucketFilter {
    fn new<'a>(keys: impl ExactSizeIterator<Item = &'a u32>) -> Self {
        let buckets = (keys.len() * 32).next_power_of_two().clamp(1 << 16, 1 << 32);
        let shift = 32 - buckets.trailing_zeros();
        let mut bits = vec![0u64; buckets / 64];
        for &fp in keys {
            let b = (fp >> shift) as usize;
            bits[b / 64] |= 1 << (b % 64);
        }
        BucketFilter { bits, shift }
    }

    /// Whether `members` keys would crowd the filter past one member per 16 buckets.
    fn crowded_by(&self, members: usize) -> bool {
        self.bits.is_empty() || members.saturating_mul(16) > self.bits.len() * 64
    }

    fn insert(&mut self, fp: u32) {
        let b = fp.checked_shr(self.shift).unwrap_or(0) as usize;
        if let Some(w) = self.bits.get_mut(b / 64) {
            *w |= 1 << (b % 64);
        }
    }

    #[inline]
    fn may_hold(&self, fp: u32) -> bool {
        let b = fp.checked_shr(self.shift).unwrap_or(0) as usize;
        self.bits.get(b / 64).is_some_and(|w| w >> (b % 64) & 1 == 1)
    }
}

impl CorpusStats {
    /// Two passes keep the exact count small: saturating 8-bit counters indexed by hash
    /// find the shingles that may be in more than [`COMMON_FLOOR`] articles, then only
    /// those are counted exactly. The result does not depend on the collisions.
    pub(super) fn from_sets(sets: &[Shingled]) -> Self {
        let crowded = crowded_slots(&count_slots(sets, slots_for(sets, 1)));
        CorpusStats::new(common_of(count_candidates(sets, &crowded)), sets.len())
    }

    /// [`from_sets`](Self::from_sets) on all cores: each thread counts a share of the
    /// articles and the counts are added up, so the result is exactly the same.
    #[cfg(feature = "rayon")]
    pub(super) fn par_from_sets(sets: &[Shingled]) -> Self {
        use rayon::prelude::*;
        const PIECE: usize = 1 << 16;
        let threads = rayon::current_num_threads();
        let size = slots_for(sets, threads);
        let chunk = sets.len().div_ceil(threads).max(1);
        let mut tables: Vec<Vec<u8>> =
            sets.par_chunks(chunk).map(|part| count_slots(part, size)).collect();
        // The threads' counters added up and turned into bits a piece at a time, on all
        // cores too (SaudiNewsNet's statistics on two threads, median of ten runs: 11.4
        // ms with one thread doing this, 10.9 without).
        let crowded: Vec<u64> = match tables.split_first_mut() {
            None => crowded_slots(&vec![0; size]),
            Some((sum, others)) => {
                let others: &[Vec<u8>] = others;
                sum.par_chunks_mut(PIECE)
                    .enumerate()
                    .flat_map_iter(|(k, piece)| {
                        for other in others {
                            for (x, &y) in piece.iter_mut().zip(&other[k * PIECE..]) {
                                *x = x.saturating_add(y);
                            }
                        }
                        crowded_slots(piece)
                    })
                    .collect()
            }
        };
        drop(tables);
        let counts = sets
            .par_chunks(chunk)
            .map(|part| count_candidates(part, &crowded))
            .reduce_with(add_counts)
            .unwrap_or_default();
        CorpusStats::new(common_of(counts), sets.len())
    }

    /// The statistics of `docs` articles from exact counts: each shingle fingerprint
    /// (the high half of its 64-bit hash, as [`ArticleParts::shingles`](super::ArticleParts::shingles)
    /// holds it) and the number of articles holding it, each fingerprint once and in
    /// any order; counts at or below the floor of 8 may be left out. What a job
    /// spread over machines builds after adding up every shard's counts: the same
    /// statistics as a [`Batch`](super::Batch) of all the articles learns.
    ///
    /// # Errors
    ///
    /// When a fingerprint above the floor comes twice, or a count is larger than `docs`
    /// or than 2³² − 1.
    ///
    /// # Examples
    ///
    /// ```
    /// use nuskha::CorpusStats;
    ///
    /// let stats = CorpusStats::from_counts(100, [(7, 40), (9, 3)])?;
    /// assert_eq!((stats.docs(), stats.common_shingles()), (100, 1));
    /// assert_eq!(stats.document_frequency(7 << 32), 40);
    /// assert!(CorpusStats::from_counts(10, [(7, 40)]).is_err());
    /// # Ok::<(), nuskha::Error>(())
    /// ```
    pub fn from_counts(
        docs: usize,
        counts: impl IntoIterator<Item = (u32, u64)>,
    ) -> crate::Result<Self> {
        let mut df: HashMap<u32, u32, FixedState> = HashMap::default();
        for (fp, n) in counts {
            if n > docs as u64 {
                let why = format!("shingle {fp:#010x} is in {n} articles of {docs}");
                return Err(crate::Error::invalid("counts", why));
            }
            if n <= u64::from(COMMON_FLOOR) {
                continue;
            }
            let Ok(n) = u32::try_from(n) else {
                let why = format!("shingle {fp:#010x} is in {n} articles, past 2^32 - 1");
                return Err(crate::Error::invalid("counts", why));
            };
            if df.insert(fp, n).is_some() {
                let why = format!("shingle {fp:#010x} is counted twice");
                return Err(crate::Error::invalid("counts", why));
            }
        }
        Ok(CorpusStats::new(df, docs))
    }

    /// Every shingle counted exactly (in more than 8 articles) and its count, sorted by
    /// fingerprint.
    pub fn common_counts(&self) -> Vec<(u32, u32)> {
        let mut pairs: Vec<(u32, u32)> = self.df.iter().map(|(&f, &n)| (f, n)).collect();
        pairs.sort_unstable();
        pairs
    }

    /// The number of articles learned from.
    pub fn docs(&self) -> usize {
        self.docs
    }

    /// The number of articles holding shingle `hash`, exact above 8; a shingle in 8
    /// articles or fewer reports 1 (all the guard and boilerplate rules need is that it
    /// is rare, and not keeping the rare ones saves most of the memory).
    pub fn document_frequency(&self, hash: u64) -> u32 {
        self.df_of(fingerprint(hash))
    }

    /// [`document_frequency`](Self::document_frequency) of a fingerprint.
    #[inline]
    pub(super) fn df_of(&self, fp: u32) -> u32 {
        if !self.common.may_hold(fp) {
            return 1;
        }
        self.df.get(&fp).copied().unwrap_or(1)
    }

    fn new(df: HashMap<u32, u32, FixedState>, docs: usize) -> Self {
        // Empty stats (none needed) filter nothing out and look nothing up.
        let common = BucketFilter::new(df.keys());
        CorpusStats { df, common, docs }
    }

    /// The number of shingles found in more than 8 articles.
    pub fn common_shingles(&self) -> usize {
        self.df.len()
    }

    /// True when nothing was learned (no shingle is common): the template guard then
    /// has nothing to go on.
    pub(super) fn is_empty(&self) -> bool {
        self.df.is_empty()
    }

    /// The statistics of `sets` when `needed` (else empty), on all cores when
    /// `parallel`.
    pub(super) fn of(sets: &[Shingled], needed: bool, parallel: bool) -> Self {
        if !needed {
            return CorpusStats::default();
        }
        #[cfg(feature = "rayon")]
        if parallel {
            return CorpusStats::par_from_sets(sets);
        }
        let _ = parallel;
        CorpusStats::from_sets(sets)
    }

    /// The exact number of articles holding `fp` when it is common (above the floor),
    /// else 0: what a learned sample adds to a growing feed's own counts.
    fn common_df(&self, fp: u32) -> u32 {
        if !self.common.may_hold(fp) {
            return 0;
        }
        self.df.get(&fp).copied().unwrap_or(0)
    }

    /// Sets the document frequency of `fp` (a common shingle), or forgets it (`n` at
    /// or below the floor). The bucket filter only gains bits: a stale bit costs one
    /// lookup, never a wrong answer.
    fn set_df(&mut self, fp: u32, n: u32) {
        if n <= COMMON_FLOOR {
            self.df.remove(&fp);
            return;
        }
        if self.df.insert(fp, n).is_none() {
            if self.common.crowded_by(self.df.len()) {
                self.common = BucketFilter::new(self.df.keys());
            } else {
                self.common.insert(fp);
            }
        }
    }

    /// The statistics as bytes: a version, the article count, then every common
    /// shingle's fingerprint and count, sorted by fingerprint (little-endian). What a
    /// persistent index keeps of the sample it learned from; [`from_bytes`](Self::from_bytes)
    /// reads it back.
    ///
    /// # Examples
    ///
    /// ```
    /// use nuskha::{CorpusStats, Deduplicator};
    ///
    /// let dedup = Deduplicator::new();
    /// let stats = dedup.learn(&["خبر عن الطقس في الرياض اليوم"]);
    /// let again = CorpusStats::from_bytes(&stats.to_bytes())?;
    /// assert_eq!((again.docs(), again.common_shingles()), (1, 0));
    /// # Ok::<(), nuskha::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let pairs = self.common_counts();
        let mut out = Vec::with_capacity(13 + 8 * pairs.len());
        out.push(STATS_FORMAT);
        out.extend_from_slice(&(self.docs as u64).to_le_bytes());
        out.extend_from_slice(&(pairs.len() as u32).to_le_bytes());
        for (f, n) in pairs {
            out.extend_from_slice(&f.to_le_bytes());
            out.extend_from_slice(&n.to_le_bytes());
        }
        out
    }

    /// Reads what [`to_bytes`](Self::to_bytes) wrote; anything else (another version,
    /// a wrong length, unsorted or repeated fingerprints, a count at or below the
    /// floor or above the article count) is an error, never wrong statistics.
    ///
    /// # Errors
    ///
    /// When `bytes` are not statistics of this layout, or are damaged.
    pub fn from_bytes(bytes: &[u8]) -> crate::Result<Self> {
        let bad = |why: &str| crate::Error::invalid("corpus statistics", why.to_string());
        let mut r = crate::util::ByteReader::new(bytes);
        if r.u8() != Some(STATS_FORMAT) {
            return Err(bad("not statistics of this format version"));
        }
        let docs = r.u64().ok_or_else(|| bad("cut short"))?;
        let n = r.u32().ok_or_else(|| bad("cut short"))? as usize;
        if r.remaining() != n.saturating_mul(8) {
            return Err(bad("wrong length"));
        }
        let mut df: HashMap<u32, u32, FixedState> = HashMap::default();
        df.reserve(n);
        let mut last = None;
        for _ in 0..n {
            let (f, c) = (r.u32().unwrap_or(0), r.u32().unwrap_or(0));
            if last.is_some_and(|l| l >= f) || c <= COMMON_FLOOR || u64::from(c) > docs {
                return Err(bad("damaged counts"));
            }
            last = Some(f);
            df.insert(f, c);
        }
        let docs = usize::try_from(docs).map_err(|_| bad("too many articles"))?;
        Ok(CorpusStats::new(df, docs))
    }

    /// The number of articles a shingle must be in more than to be boilerplate under
    /// `rule`, at these statistics' article count; `None` when the rule is off.
    pub(super) fn boilerplate_limit(&self, rule: &Boilerplate) -> Option<usize> {
        let (min_docs, fraction) = match rule {
            Boilerplate::Off => return None,
            Boilerplate::Auto => (20, 0.005),
            Boilerplate::MaxDocs { min_docs, fraction } => (*min_docs, *fraction),
        };
        // `fraction` is validated to [0, 1], so the product is a small non-negative count.
        #[allow(clippy::cast_sign_loss)]
        Some(min_docs.max((fraction * self.docs as f64) as usize))
    }

    /// Whether shingle `fp` is boilerplate under `rule`.
    pub(super) fn is_boilerplate(&self, fp: u32, limit: usize) -> bool {
        self.df_of(fp) as usize > limit
    }

    /// The boilerplate shingles under `rule`.
    pub(super) fn boilerplate(&self, rule: &Boilerplate) -> FingerprintSet {
        let Some(limit) = self.boilerplate_limit(rule) else {
            return FingerprintSet::default();
        };
        FingerprintSet::new(
            self.df.iter().filter(|&(_, &n)| n as usize > limit).map(|(&h, _)| h).collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::mix64;

    #[cfg(feature = "rayon")]
    #[test]
    fn counts_add_up_in_order() {
        let a = vec![(1, 2), (4, 1), (9, 9)];
        let b = vec![(0, 1), (4, 3), (10, 1)];
        let sum = [(0, 1), (1, 2), (4, 4), (9, 9), (10, 1)];
        assert_eq!(add_counts(a.clone(), b.clone()), sum);
        assert_eq!(add_counts(b, a.clone()), sum);
        assert_eq!(add_counts(a.clone(), Vec::new()), a);
        assert_eq!(add_counts(Vec::new(), a.clone()), a);
    }

    #[test]
    fn source_sets_equal_a_count_per_source() {
        use std::collections::BTreeMap;
        // 400 articles of three sources and none, over a small universe, so that many
        // shingles are in 10–40 articles of a source.
        let sources: Vec<u32> =
            (0..400u64).map(|i| [0, 1, 1, 2, NO_SOURCE][(mix64(i, 7) % 5) as usize]).collect();
        let sets: Vec<Shingled> = (0..400u64)
            .map(|i| {
                let source = u64::from(sources[i as usize]);
                let set: Vec<u32> = (0..40u64)
                    .map(|k| {
                        let r = mix64(i * 100 + k, 3);
                        // Half from the source's own small universe, half from all.
                        if r % 2 == 0 { (source * 1000 + r % 60) as u32 } else { (r >> 12) as u32 }
                    })
                    .collect();
                Shingled::of_set(set)
            })
            .collect();
        let stats = CorpusStats::from_sets(&sets);
        let corpus_wide = stats.boilerplate(&Boilerplate::MaxDocs { min_docs: 45, fraction: 0.0 });
        assert!(!corpus_wide.is_empty(), "the test needs corpus-wide boilerplate too");
        let rule = SourceBoilerplate { min_docs: 9, fraction: 0.15 };
        let learned = SourceSets::learn(&sets, &sources, &stats, &corpus_wide, rule);
        let mut counts: BTreeMap<(u32, u32), usize> = BTreeMap::new();
        let mut articles: BTreeMap<u32, usize> = BTreeMap::new();
        for (s, &source) in sets.iter().zip(&sources) {
            *articles.entry(source).or_default() += 1;
            for &fp in &s.set {
                *counts.entry((source, fp)).or_default() += 1;
            }
        }
        let mut found = 0;
        for (&(source, fp), &n) in &counts {
            // As the rule computes it: the share of the articles, rounded down.
            #[allow(clippy::cast_sign_loss)]
            let limit = 9.max((0.15 * articles[&source] as f64) as usize);
            let expected = source != NO_SOURCE && n > limit && !corpus_wide.contains(fp);
            assert_eq!(learned.contains(source, fp), expected, "{source} {fp}: {n}");
            found += usize::from(expected);
        }
        assert!(found > 10, "the test needs boilerplate of a source: {found}");
        assert!(!learned.contains(0, 1000 + 5), "another source's shingle");
    }

    #[test]
    fn crowded_slots_are_the_counters_above_the_floor() {
        let counters: Vec<u8> = (0..4096u64)
            .map(|i| match i % 7 {
                0 => 8,
                1 => 9,
                2 => 255,
                3 => 128,
                _ => (mix64(i, 1) % 256) as u8,
            })
            .collect();
        let crowded = crowded_slots(&counters);
        for (slot, &n) in counters.iter().enumerate() {
            let bit = crowded[slot / 64] >> (slot % 64) & 1 == 1;
            assert_eq!(bit, u32::from(n) > COMMON_FLOOR, "slot {slot}: {n}");
        }
    }

    #[test]
    fn fingerprint_set_holds_its_members_and_nothing_else() {
        for n in [0u64, 1, 100, 5000] {
            let members: HashSet<u32, FixedState> =
                (0..n).map(|i| fingerprint(mix64(i, 1))).collect();
            let set = FingerprintSet::new(members.clone());
            for i in 0..20_000u64 {
                let fp = fingerprint(mix64(i, 1));
                assert_eq!(set.contains(fp), members.contains(&fp), "{n} {i}");
            }
            // Edge buckets.
            for fp in [0, u32::MAX] {
                assert_eq!(set.contains(fp), members.contains(&fp));
            }
        }
    }

    #[test]
    fn document_frequency_behind_the_filter_equals_the_map() {
        let mut df: HashMap<u32, u32, FixedState> = HashMap::default();
        for i in 0..3000u64 {
            df.insert(fingerprint(mix64(i, 2)), 9 + (i % 50) as u32);
        }
        let stats = CorpusStats::new(df.clone(), 100_000);
        for i in 0..50_000u64 {
            let fp = fingerprint(mix64(i, 2));
            assert_eq!(stats.df_of(fp), df.get(&fp).copied().unwrap_or(1));
        }
        assert_eq!(CorpusStats::default().df_of(7), 1);
    }
}
