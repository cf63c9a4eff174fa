//! The front door: texts in, clusters of copies out.
//!
//! [`Deduplicator`] runs every stage — normalise, shingle, drop boilerplate, sketch,
//! find candidates with LSH, verify them, cluster — with parameters validated once by
//! its builder. [`Deduplicator::cluster`] and [`Deduplicator::par_cluster`] work on a
//! whole corpus and give identical output; [`DedupIndex`] takes one article at a time
//! (a live feed) and gives the same clusters as the batch call on the same input.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::cluster::{ClusterMode, Clusters, StarBuilder, UnionFind, cluster_pairs, star_clusters};
use crate::corpus::DocId;
use crate::hash::hash_bytes;
use crate::lsh::{FixedState, LshIndex, LshParams, SimHashIndex};
use crate::minhash::{MinHashScratch, MinHashSignature, MinHasher, containment_from_jaccard};
use crate::shingle::{ShingleUnit, jaccard_and_containment};
use crate::simhash::{SimHash, SimHasher};
use crate::sketch::{SketchScratch, Sketcher, SketcherBuilder, with_thread_scratch};
use crate::tokenize::words;
use crate::{ArabicNormalizer, Error, Result, decode_lossy};

/// The default Jaccard threshold (see the crate docs for how it was chosen).
pub const DEFAULT_THRESHOLD: f64 = 0.5;
/// The default containment threshold: a shorter article at least this much inside a
/// longer one is a copy of it.
pub const DEFAULT_CONTAINMENT: f64 = 0.8;
/// The default minimum length, in words, of an article that can be matched.
pub const DEFAULT_MIN_WORDS: usize = 10;

/// How a candidate pair is confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Verification {
    /// Estimated Jaccard (and containment) from the MinHash signatures: no extra
    /// memory, error ≈ √(J(1−J)/K).
    #[default]
    Estimated,
    /// Exact Jaccard (and containment) on the stored shingle sets (32-bit fingerprints
    /// of the shingles): exact scores, costs 4 bytes per distinct shingle per document.
    Exact,
}

/// Which sketch finds candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Algorithm {
    /// MinHash + banded LSH, verified by Jaccard (and containment). The default.
    #[default]
    MinHash,
    /// SimHash + block tables: pairs within `max_distance` bits are copies.
    SimHash {
        /// Largest Hamming distance (0..=7) counted as a copy.
        max_distance: u32,
    },
}

/// Which shingles count as boilerplate (site chrome, share buttons, bylines) and are
/// left out of the sketches.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum Boilerplate {
    /// Keep every shingle.
    Off,
    /// Learn from the corpus being clustered: a shingle found in more than
    /// `max(min_docs, fraction × articles)` articles is boilerplate. The default,
    /// `min_docs` 20 and `fraction` 0.005.
    #[default]
    Auto,
    /// Learn as [`Auto`](Self::Auto) with these limits.
    MaxDocs {
        /// Never call a shingle boilerplate when it is in this many articles or fewer.
        min_docs: usize,
        /// Fraction of the articles above which a shingle is boilerplate.
        fraction: f64,
    },
}

/// The second-stage check against template texts (official cables, bulletins, market
/// reports) that share most of their wording but differ in the names, places and
/// numbers that make them different news.
///
/// A pair that passes the Jaccard (or containment) threshold is compared once more on
/// its *distinctive* shingles only — those found in at most `common_docs` articles of
/// the corpus. Template wording is common, the slots (a president's name, a country)
/// are rare; copies of one story share their rare shingles, two cables to different
/// countries share none. When both articles have at least `min_shingles` distinctive
/// shingles, their Jaccard (or containment) on them must reach `min_similarity`.
/// A story syndicated so widely that nothing in it is rare is left alone.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TemplateGuard {
    /// A shingle in more articles than this is template wording (default 15).
    pub common_docs: u32,
    /// Distinctive shingles each article needs for the check to apply (default 8).
    pub min_shingles: usize,
    /// Similarity of the distinctive shingles a match needs (default 0.2).
    pub min_similarity: f64,
}

impl Default for TemplateGuard {
    fn default() -> Self {
        TemplateGuard { common_docs: 15, min_shingles: 8, min_similarity: 0.2 }
    }
}

/// The 32-bit fingerprint an article's shingle set keeps of a 64-bit shingle hash: its
/// high half. Half the memory of the full hash, which matters because the sets are most
/// of what a run holds; two different shingles share a fingerprint with probability
/// 2⁻³², so an article of 1,000 shingles sees a collision about once in 8,600 articles,
/// and it can only add one shingle to a pair's intersection.
#[inline]
fn fingerprint(h: u64) -> u32 {
    (h >> 32) as u32
}

/// Shingles found in more than [`COMMON_FLOOR`] articles are counted exactly; the rest
/// are all the guard and the boilerplate rule need to know about: "rare".
const COMMON_FLOOR: u32 = 8;

/// Saturating 8-bit counters of the shingles of `sets`, indexed by the low hash bits;
/// a collision can only raise a counter.
fn count_slots(sets: &[Shingled], size: usize) -> Vec<u8> {
    let mut counters = crate::written_zeros::<u8>(size);
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

/// Asks for the cache line holding `at`, to be written soon.
#[inline]
fn prefetch_for_write<T>(at: &T) {
    #[cfg(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse"))]
    safe_arch::prefetch_et0(at);
    #[cfg(not(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse")))]
    let _ = at;
}

/// Asks for the cache line holding `at`, to be read soon.
#[inline]
fn prefetch<T>(at: &T) {
    #[cfg(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse"))]
    safe_arch::prefetch_t0(at);
    #[cfg(not(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse")))]
    let _ = at;
}

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

/// The size of the counter table for `sets`: a power of two, about a slot per two
/// shingles and at most 16 MiB (64 MiB uncapped at 100,000 articles, and the parallel
/// count makes one table per thread). Crowding only raises counters, which sends more
/// rare shingles to the exact count: 826,000 for 2,135 common ones at 100,000 articles.
fn slots_for(sets: &[Shingled]) -> usize {
    let shingles: usize = sets.iter().map(|s| s.set.len()).sum();
    (shingles / 2).next_power_of_two().clamp(1024, 1 << 24)
}

/// How many articles of a corpus each shingle is in: what boilerplate removal and the
/// [`TemplateGuard`] learn from. The batch calls learn it from the corpus they
/// cluster; a live feed gets it from [`Deduplicator::learn`] on past articles.
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
struct BucketFilter {
    bits: Vec<u64>,
    shift: u32,
}

/// A set of shingle fingerprints behind a [`BucketFilter`].
#[derive(Debug, Clone, Default)]
struct FingerprintSet {
    set: HashSet<u32, FixedState>,
    filter: BucketFilter,
}

impl FingerprintSet {
    fn new(set: HashSet<u32, FixedState>) -> Self {
        let filter = BucketFilter::new(set.iter());
        FingerprintSet { set, filter }
    }

    fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    #[inline]
    fn contains(&self, fp: u32) -> bool {
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
    fn from_sets(sets: &[Shingled]) -> Self {
        let crowded = crowded_slots(&count_slots(sets, slots_for(sets)));
        CorpusStats::new(common_of(count_candidates(sets, &crowded)), sets.len())
    }

    /// [`from_sets`](Self::from_sets) on all cores: each thread counts a share of the
    /// articles and the counts are added up, so the result is exactly the same.
    #[cfg(feature = "rayon")]
    fn par_from_sets(sets: &[Shingled]) -> Self {
        use rayon::prelude::*;
        const PIECE: usize = 1 << 16;
        let size = slots_for(sets);
        let chunk = sets.len().div_ceil(rayon::current_num_threads()).max(1);
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
    fn df_of(&self, fp: u32) -> u32 {
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
}

/// Which member stands for a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Representative {
    /// The first in input order (in star mode, the centre). The default.
    #[default]
    First,
    /// The longest text (ties: the first).
    Longest,
}

/// One article added to a [`DedupIndex`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Added {
    /// Its id: its position in the feed.
    pub id: DocId,
    /// Earlier articles it matches, with their similarity, sorted by id.
    pub matches: Vec<(DocId, f64)>,
    /// The representative of the cluster it is now in (itself when it is new).
    pub representative: DocId,
}

/// Finds clusters of near-duplicate articles.
///
/// # Examples
///
/// ```
/// use nuskha::Deduplicator;
///
/// let dedup = Deduplicator::builder().threshold(0.5).build()?;
/// let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج برسم هذه السنة";
/// let texts = [
///     story.to_string(),
///     "ارتفعت أسعار النفط في الأسواق العالمية اليوم بعد قرار منظمة أوبك خفض الإنتاج".to_string(),
///     format!("{story} وقدم لهم دعما ماليا"),
/// ];
/// let clusters = dedup.cluster(&texts);
/// assert_eq!(clusters.len(), 2);
/// assert_eq!(clusters.representative_of(nuskha::DocId(2)), nuskha::DocId(0));
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Deduplicator {
    sketcher: Sketcher,
    minhasher: MinHasher,
    threshold: f64,
    containment: Option<f64>,
    lsh: LshParams,
    verification: Verification,
    algorithm: Algorithm,
    boilerplate: Boilerplate,
    template_guard: Option<TemplateGuard>,
    min_words: usize,
    mode: ClusterMode,
    representative: Representative,
}

/// One article's shingles, before boilerplate removal.
#[derive(Debug, Clone)]
struct Shingled {
    /// Distinct shingle [`fingerprint`]s, in text order.
    set: Vec<u32>,
    simhash: Option<SimHash>,
    len: usize,
    /// Fewer words than `min_words`: never matched.
    short: bool,
}

/// One article shingled by [`Deduplicator::shingle`], ready to be added to a [`Batch`]
/// of the same deduplicator with [`Batch::push`]. Shingling is the largest part of a
/// run's work; this lets it happen on whichever thread has the text (a reader's workers, say),
/// while the batch only collects the results in order.
#[derive(Debug, Clone)]
pub struct ShingledArticle<'d> {
    dedup: &'d Deduplicator,
    shingled: Shingled,
}

impl ShingledArticle<'_> {
    /// Whether the article has fewer words than the deduplicator's
    /// [`min_words`](DeduplicatorBuilder::min_words), so it can match nothing.
    pub fn too_short(&self) -> bool {
        self.shingled.short
    }
}

/// A verified pair: its score, and whether only containment made it a match.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Match {
    score: f64,
    contained: bool,
}

/// The sketch of one article, as the index keeps it.
#[derive(Debug, Clone)]
struct Sketched {
    signature: MinHashSignature,
    simhash: Option<SimHash>,
    /// The shingle fingerprints, kept for exact verification and the template guard;
    /// sorted before the article is verified.
    set: Option<Vec<u32>>,
    /// Length of the raw text, for the `Longest` representative.
    len: usize,
}

/// Sorts the shingle sets of the articles in `pairs`, which verification merges; the
/// others are never sorted (60% of SaudiNewsNet's articles, a third of the synthetic
/// corpus's).
fn sort_candidate_sets(sketched: &mut [Sketched], pairs: &[(DocId, DocId)], parallel: bool) {
    let mut needed = vec![false; sketched.len()];
    for &(a, b) in pairs {
        needed[a.index()] = true;
        needed[b.index()] = true;
    }
    let sort = |scratch: &mut Vec<u32>, (s, &need): (&mut Sketched, &bool)| {
        if let (true, Some(set)) = (need, &mut s.set) {
            radix_sort(set, scratch);
        }
    };
    #[cfg(feature = "rayon")]
    if parallel {
        use rayon::prelude::*;
        sketched.par_iter_mut().zip(needed.par_iter()).for_each_init(Vec::new, sort);
        return;
    }
    let _ = parallel;
    let mut scratch = Vec::new();
    sketched.iter_mut().zip(needed.iter()).for_each(|item| sort(&mut scratch, item));
}

/// Sorts fingerprints a byte at a time (least significant first), through `scratch`:
/// they are uniformly spread, and SaudiNewsNet's candidate sets (a few hundred each)
/// sort in 8 ms this way, 10.5 ms with `sort_unstable`.
fn radix_sort(set: &mut [u32], scratch: &mut Vec<u32>) {
    if set.len() < 64 {
        set.sort_unstable();
        return;
    }
    let mut counts = [[0u32; 256]; 4];
    for &x in set.iter() {
        for (digit, count) in counts.iter_mut().enumerate() {
            count[((x >> (8 * digit)) & 0xFF) as usize] += 1;
        }
    }
    for count in &mut counts {
        let mut sum = 0;
        for c in count.iter_mut() {
            (*c, sum) = (sum, sum + *c);
        }
    }
    scratch.clear();
    scratch.resize(set.len(), 0);
    // Four passes: into `scratch`, back, into `scratch`, back.
    for (digit, starts) in counts.iter_mut().enumerate() {
        let (from, to): (&[u32], &mut [u32]) =
            if digit % 2 == 0 { (set, scratch) } else { (scratch, set) };
        for &x in from {
            let bucket = &mut starts[((x >> (8 * digit)) & 0xFF) as usize];
            to[*bucket as usize] = x;
            *bucket += 1;
        }
    }
}

impl Deduplicator {
    /// The default deduplicator (see [`DeduplicatorBuilder`] for each default).
    ///
    /// # Panics
    ///
    /// Never: the defaults are valid.
    pub fn new() -> Self {
        DeduplicatorBuilder::default().build().expect("default parameters are valid")
    }

    /// A builder with every default set.
    pub fn builder() -> DeduplicatorBuilder {
        DeduplicatorBuilder::default()
    }

    /// The Jaccard threshold.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The containment threshold, if containment matches are on.
    pub fn containment(&self) -> Option<f64> {
        self.containment
    }

    /// The LSH banding.
    pub fn lsh_params(&self) -> LshParams {
        self.lsh
    }

    /// The sketcher (normaliser, shingles, MinHash parameters).
    pub fn sketcher(&self) -> &Sketcher {
        &self.sketcher
    }

    /// The cluster mode.
    pub fn mode(&self) -> ClusterMode {
        self.mode
    }

    /// The verification.
    pub fn verification(&self) -> Verification {
        self.verification
    }

    /// The candidate algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The minimum length in words of an article that can be matched.
    pub fn min_words(&self) -> usize {
        self.min_words
    }

    fn shingle_set(&self, text: &str, scratch: &mut SketchScratch) -> Shingled {
        self.sketcher.shingle_into(text, scratch);
        // Word shingling has just hashed every word; other units count them here.
        let short = if self.sketcher.shingler().unit() == ShingleUnit::Words {
            scratch.words.len() < self.min_words
        } else {
            words(&decode_lossy(&scratch.text).0).take(self.min_words).count() < self.min_words
        };
        if short {
            return Shingled { set: Vec::new(), simhash: None, len: text.len(), short: true };
        }
        // Distinct by hashing, in text order: a sort (about 10 ns a shingle) waits until
        // the set is to be verified (see `sort_candidate_sets`).
        let distinct = &mut scratch.minhash.distinct;
        distinct.clear();
        let mut set = Vec::with_capacity(scratch.shingles.len());
        for &h in &scratch.shingles {
            let fp = fingerprint(h);
            if distinct.insert(u64::from(fp)) {
                set.push(fp);
            }
        }
        // Sets live until the pairs are verified: give back what the repeats took.
        set.shrink_to_fit();
        // SimHash works on words weighted by frequency (Manku et al.): shingles would
        // put light copies 10+ bits apart.
        let simhash = matches!(self.algorithm, Algorithm::SimHash { .. }).then(|| {
            let seed = self.sketcher.params().seed();
            let (text, _) = decode_lossy(&scratch.text);
            SimHasher::new(seed).sketch(words(&text).map(|w| hash_bytes(w.as_bytes(), seed)))
        });
        Shingled { set, simhash, len: text.len(), short: false }
    }

    /// Normalises and shingles `text` for a [`Batch`] of this deduplicator (see
    /// [`Batch::push`]). Safe to call from many threads at once; each thread keeps its
    /// own buffers from call to call.
    ///
    /// # Examples
    ///
    /// ```
    /// use nuskha::Deduplicator;
    /// use std::thread;
    ///
    /// let dedup = Deduplicator::new();
    /// let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج";
    /// let copy = format!("{story} هذا العام");
    /// // Shingled on two threads, added in order.
    /// let (a, b) = thread::scope(|s| {
    ///     let a = s.spawn(|| dedup.shingle(story));
    ///     let b = s.spawn(|| dedup.shingle(&copy));
    ///     (a.join().unwrap(), b.join().unwrap())
    /// });
    /// let mut batch = dedup.batch();
    /// let first = batch.push(a);
    /// let second = batch.push(b);
    /// assert_eq!(batch.cluster().representative_of(second), first);
    /// ```
    pub fn shingle(&self, text: &str) -> ShingledArticle<'_> {
        let shingled = with_thread_scratch(|scratch| self.shingle_set(text, scratch));
        ShingledArticle { dedup: self, shingled }
    }

    /// Learns the corpus statistics (shingle document frequencies) of `texts`, for a
    /// live feed that should remove boilerplate and guard against templates as the
    /// batch call does: see [`index_with`](Self::index_with).
    pub fn learn<S: AsRef<str>>(&self, texts: &[S]) -> Arc<CorpusStats> {
        let mut batch = self.batch();
        batch.extend(texts);
        Arc::new(CorpusStats::from_sets(&batch.sets))
    }

    /// The boilerplate shingles under this deduplicator's rule.
    fn boilerplate_of(&self, stats: &CorpusStats) -> FingerprintSet {
        let (min_docs, fraction) = match &self.boilerplate {
            Boilerplate::Off => return FingerprintSet::default(),
            Boilerplate::Auto => (20, 0.005),
            Boilerplate::MaxDocs { min_docs, fraction } => (*min_docs, *fraction),
        };
        // `fraction` is validated to [0, 1], so the product is a small non-negative count.
        #[allow(clippy::cast_sign_loss)]
        let limit = min_docs.max((fraction * stats.docs as f64) as usize);
        FingerprintSet::new(
            stats.df.iter().filter(|&(_, &n)| n as usize > limit).map(|(&h, _)| h).collect(),
        )
    }

    /// Sketches one article from its shingle set, boilerplate removed.
    fn sketch_set(
        &self,
        shingled: Shingled,
        boilerplate: &FingerprintSet,
        scratch: &mut MinHashScratch,
    ) -> Sketched {
        let Shingled { mut set, simhash, len, short: _ } = shingled;
        if !boilerplate.is_empty() {
            set.retain(|&fp| !boilerplate.contains(fp));
        }
        // MinHash mixes its input with the seed, so a fingerprint is as good a key as
        // the full hash.
        let signature =
            self.minhasher.sketch_distinct(set.iter().map(|&f| u64::from(f)), set.len(), scratch);
        let keep = self.verification == Verification::Exact || self.template_guard.is_some();
        let set = keep.then_some(set);
        Sketched { signature, simhash, set, len }
    }

    /// The match between two sketched articles, if they match.
    fn verify(&self, a: &Sketched, b: &Sketched, stats: &CorpusStats) -> Option<Match> {
        let m = self.similarity(a, b)?;
        self.passes_guard(a, b, stats).then_some(m)
    }

    /// The template guard: do the articles share their distinctive shingles?
    fn passes_guard(&self, a: &Sketched, b: &Sketched, stats: &CorpusStats) -> bool {
        let (Some(guard), Some(x), Some(y)) = (self.template_guard, &a.set, &b.set) else {
            return true;
        };
        if stats.df.is_empty() {
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

    /// Jaccard (or containment) when it reaches its threshold, else `None`.
    fn similarity(&self, a: &Sketched, b: &Sketched) -> Option<Match> {
        if let (Algorithm::SimHash { max_distance }, Some(x), Some(y)) =
            (self.algorithm, a.simhash, b.simhash)
        {
            let d = x.hamming(y);
            return (d <= max_distance && !a.signature.is_empty() && !b.signature.is_empty())
                .then(|| Match { score: 1.0 - f64::from(d) / 64.0, contained: false });
        }
        let exact = self.verification == Verification::Exact;
        let (j, c) = match (&a.set, &b.set) {
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
        if j >= self.threshold {
            return Some(Match { score: j, contained: false });
        }
        match self.containment {
            Some(t) if c >= t => Some(Match { score: c, contained: true }),
            _ => None,
        }
    }

    /// Whether a star cluster may form along a verified pair, `earlier` being the
    /// candidate centre: a containment-only match lets a longer article join the
    /// shorter one it contains, never a short item join a round-up that would then
    /// gather several stories.
    fn star_allows(m: Match, earlier: &Sketched, later: &Sketched) -> bool {
        !m.contained || earlier.signature.set_size() <= later.signature.set_size()
    }

    /// Clusters `texts`; article `i` is `DocId(i)`.
    ///
    /// # Panics
    ///
    /// With more than 2³¹ texts.
    pub fn cluster<S: AsRef<str>>(&self, texts: &[S]) -> Clusters {
        let mut batch = self.batch();
        batch.extend(texts);
        batch.cluster()
    }

    /// An empty [`Batch`]: add articles as they are read, then cluster them all, without
    /// ever holding every text in memory.
    pub fn batch(&self) -> Batch<'_> {
        Batch { dedup: self, sets: Vec::new() }
    }

    /// [`cluster`](Self::cluster) taking the texts by value: each is dropped as soon as
    /// its shingles are taken, so the texts and the shingle sets are never all in
    /// memory at once. Same output.
    ///
    /// # Panics
    ///
    /// With more than 2³¹ texts.
    pub fn cluster_owned(&self, texts: Vec<String>) -> Clusters {
        let mut batch = self.batch();
        batch.extend(texts);
        batch.cluster()
    }

    /// [`cluster`](Self::cluster) on all cores; the output is identical.
    ///
    /// # Panics
    ///
    /// With more than 2³¹ texts.
    #[cfg(feature = "rayon")]
    pub fn par_cluster<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Clusters {
        let mut batch = self.batch();
        batch.par_extend(texts);
        batch.par_cluster()
    }

    /// [`par_cluster`](Self::par_cluster) taking the texts by value, dropping each once
    /// shingled (see [`cluster_owned`](Self::cluster_owned)). Same output.
    ///
    /// # Panics
    ///
    /// With more than 2³¹ texts.
    #[cfg(feature = "rayon")]
    pub fn par_cluster_owned(&self, texts: Vec<String>) -> Clusters {
        use rayon::prelude::*;
        let mut batch = self.batch();
        batch.sets = texts.into_par_iter().map(|t| self.shingle(&t).shingled).collect();
        batch.par_cluster()
    }

    /// Corpus statistics, when boilerplate removal or the template guard needs them.
    fn stats_of(&self, sets: &[Shingled], parallel: bool) -> CorpusStats {
        if !self.needs_stats() {
            return CorpusStats::default();
        }
        #[cfg(feature = "rayon")]
        if parallel {
            return CorpusStats::par_from_sets(sets);
        }
        let _ = parallel;
        CorpusStats::from_sets(sets)
    }

    /// The sketches of `sets`, boilerplate removed, in order.
    fn sketch_sets(
        &self,
        sets: Vec<Shingled>,
        boilerplate: &FingerprintSet,
        parallel: bool,
    ) -> Vec<Sketched> {
        #[cfg(feature = "rayon")]
        if parallel {
            use rayon::prelude::*;
            return sets
                .into_par_iter()
                .map(|s| {
                    with_thread_scratch(|scratch| {
                        self.sketch_set(s, boilerplate, &mut scratch.minhash)
                    })
                })
                .collect();
        }
        let _ = parallel;
        let mut scratch = MinHashScratch::default();
        sets.into_iter().map(|s| self.sketch_set(s, boilerplate, &mut scratch)).collect()
    }

    fn needs_stats(&self) -> bool {
        self.boilerplate != Boilerplate::Off || self.template_guard.is_some()
    }

    /// Candidate pairs (smaller id first), sorted.
    fn candidates(&self, sketched: &[Sketched], parallel: bool) -> Vec<(DocId, DocId)> {
        let id = |i: usize| DocId(u32::try_from(i).expect("fewer than 2^31 articles"));
        match self.algorithm {
            Algorithm::MinHash => {
                let sigs: Vec<Option<&MinHashSignature>> = sketched
                    .iter()
                    .map(|s| (!s.signature.is_empty()).then_some(&s.signature))
                    .collect();
                #[cfg(feature = "rayon")]
                if parallel {
                    return crate::lsh::par_batch_candidate_pairs(self.lsh, &sigs);
                }
                let _ = parallel;
                crate::lsh::batch_candidate_pairs(self.lsh, &sigs)
            }
            Algorithm::SimHash { max_distance } => {
                let mut index = SimHashIndex::new(max_distance).expect("validated by the builder");
                let mut pairs = Vec::new();
                for (i, s) in sketched.iter().enumerate() {
                    let Some(fp) = s.simhash else { continue };
                    if s.signature.is_empty() {
                        continue;
                    }
                    pairs.extend(index.query(fp).into_iter().map(|(d, _)| (d, id(i))));
                    index.insert(id(i), fp);
                }
                pairs.sort_unstable();
                pairs
            }
        }
    }

    /// The candidate pairs that verify, with their match, in order.
    fn verified(
        &self,
        pairs: &[(DocId, DocId)],
        sketched: &[Sketched],
        stats: &CorpusStats,
        parallel: bool,
    ) -> Vec<(DocId, DocId, Match)> {
        let check = |&(a, b): &(DocId, DocId)| {
            self.verify(&sketched[a.index()], &sketched[b.index()], stats).map(|m| (a, b, m))
        };
        #[cfg(feature = "rayon")]
        if parallel {
            use rayon::prelude::*;
            return pairs.par_iter().filter_map(check).collect();
        }
        let _ = parallel;
        pairs.iter().filter_map(check).collect()
    }

    fn finish(&self, sketched: &[Sketched], edges: &[(DocId, DocId, Match)]) -> Clusters {
        let n = sketched.len();
        let mut clusters = match self.mode {
            ClusterMode::Star => {
                let edges: Vec<(DocId, DocId, f64, bool)> = edges
                    .iter()
                    .filter(|&&(a, b, m)| {
                        Self::star_allows(m, &sketched[a.index()], &sketched[b.index()])
                    })
                    .map(|&(a, b, m)| (a, b, m.score, m.contained))
                    .collect();
                star_clusters(n, &edges)
            }
            _ => {
                let edges: Vec<(DocId, DocId, f64)> =
                    edges.iter().map(|&(a, b, m)| (a, b, m.score)).collect();
                cluster_pairs(n, &edges, self.mode)
            }
        };
        if self.representative == Representative::Longest {
            clusters.choose_representatives(|id| std::cmp::Reverse(sketched[id.index()].len));
        }
        clusters
    }

    /// An empty index for a live feed that removes boilerplate and guards against
    /// templates with `stats` learned from past articles ([`learn`](Self::learn)).
    /// Fed the same articles that `stats` was learned from, it ends with the same
    /// clusters as [`cluster`](Self::cluster) on them.
    pub fn index_with(&self, stats: Arc<CorpusStats>) -> DedupIndex {
        DedupIndex {
            dedup: self.clone(),
            boilerplate: self.boilerplate_of(&stats),
            stats,
            lsh: LshIndex::new(self.lsh),
            simhash: match self.algorithm {
                Algorithm::SimHash { max_distance } => SimHashIndex::new(max_distance).ok(),
                Algorithm::MinHash => None,
            },
            sketched: Vec::new(),
            star: StarBuilder::default(),
            components: UnionFind::new(0),
            edges: Vec::new(),
            scratch: SketchScratch::default(),
        }
    }

    /// An empty index for a live feed, without corpus statistics: nothing is removed as
    /// boilerplate and the template guard does not apply (see [`index_with`](Self::index_with)).
    pub fn index(&self) -> DedupIndex {
        self.index_with(Arc::new(CorpusStats::default()))
    }
}

impl Default for Deduplicator {
    fn default() -> Self {
        Self::new()
    }
}

/// The articles of one batch run, gathered before they are clustered together.
///
/// Adding an article normalises and shingles it at once and keeps only its shingle
/// fingerprints, so a corpus read from disk in chunks never has all its text in memory;
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
}

impl<'d> Batch<'d> {
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
        let id = DocId(u32::try_from(self.sets.len()).expect("fewer than 2^31 articles"));
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
    /// [`min_words`](DeduplicatorBuilder::min_words), so it can match nothing.
    ///
    /// # Panics
    ///
    /// When `id` was not added.
    pub fn too_short(&self, id: DocId) -> bool {
        self.sets[id.index()].short
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
        let stats = dedup.stats_of(&self.sets, parallel);
        let boilerplate = dedup.boilerplate_of(&stats);
        let mut sketched = dedup.sketch_sets(self.sets, &boilerplate, parallel);
        let pairs = dedup.candidates(&sketched, parallel);
        sort_candidate_sets(&mut sketched, &pairs, parallel);
        let edges = dedup.verified(&pairs, &sketched, &stats, parallel);
        let clusters = dedup.finish(&sketched, &edges);
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

/// An incremental deduplicator for a live feed: add articles one at a time and get
/// each one's matches and cluster at once.
///
/// Given the statistics of the same corpus, it ends with the same clusters as
/// [`Deduplicator::cluster`] on the same articles in the same order (tested).
///
/// # Examples
///
/// ```
/// use nuskha::{DocId, Deduplicator};
///
/// let dedup = Deduplicator::new();
/// let mut feed = dedup.index();
/// let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج";
/// let first = feed.add(story);
/// assert!(first.matches.is_empty());
/// let copy = feed.add(&format!("{story} هذا العام"));
/// assert_eq!(copy.representative, DocId(0));
/// assert_eq!(copy.matches[0].0, DocId(0));
/// ```
#[derive(Debug, Clone)]
pub struct DedupIndex {
    dedup: Deduplicator,
    boilerplate: FingerprintSet,
    stats: Arc<CorpusStats>,
    lsh: LshIndex,
    simhash: Option<SimHashIndex>,
    sketched: Vec<Sketched>,
    star: StarBuilder,
    components: UnionFind,
    /// Verified pairs so far (components mode).
    edges: Vec<(DocId, DocId, f64)>,
    scratch: SketchScratch,
}

impl DedupIndex {
    /// Adds the next article.
    ///
    /// # Panics
    ///
    /// After 2³¹ articles.
    pub fn add(&mut self, text: &str) -> Added {
        let id = DocId(u32::try_from(self.sketched.len()).expect("fewer than 2^31 articles"));
        let shingled = self.dedup.shingle_set(text, &mut self.scratch);
        let mut s = self.dedup.sketch_set(shingled, &self.boilerplate, &mut self.scratch.minhash);
        if let Some(set) = &mut s.set {
            set.sort_unstable();
        }
        let candidates: Vec<DocId> = if s.signature.is_empty() {
            Vec::new()
        } else if let (Some(index), Some(fp)) = (&mut self.simhash, s.simhash) {
            let found = index.query(fp).into_iter().map(|(d, _)| d).collect();
            index.insert(id, fp);
            found
        } else {
            let found = self.lsh.query(&s.signature).unwrap_or_default();
            self.lsh
                .insert(id, s.signature.clone())
                .expect("signatures of one deduplicator are compatible");
            found
        };
        let found: Vec<(DocId, Match)> = candidates
            .into_iter()
            .filter_map(|d| {
                self.dedup.verify(&self.sketched[d.index()], &s, &self.stats).map(|m| (d, m))
            })
            .collect();
        let star: Vec<(DocId, f64, bool)> = found
            .iter()
            .filter(|&&(d, m)| Deduplicator::star_allows(m, &self.sketched[d.index()], &s))
            .map(|&(d, m)| (d, m.score, m.contained))
            .collect();
        let matches: Vec<(DocId, f64)> = found.iter().map(|&(d, m)| (d, m.score)).collect();
        self.sketched.push(s);
        let representative = match self.dedup.mode {
            ClusterMode::Star => {
                let c = self.star.push(&star);
                self.star.cluster(c).representative()
            }
            ClusterMode::Components => {
                let me = self.components.push();
                for &(d, score) in &matches {
                    self.components.union(me, d.index());
                    self.edges.push((d, id, score));
                }
                // The first member of a component is its smallest id.
                DocId(self.components.first(me) as u32)
            }
        };
        let representative = if self.dedup.representative == Representative::Longest {
            self.clusters().representative_of(id)
        } else {
            representative
        };
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
        let mut clusters = match self.dedup.mode {
            ClusterMode::Star => self.star.snapshot(),
            ClusterMode::Components => {
                cluster_pairs(self.sketched.len(), &self.edges, ClusterMode::Components)
            }
        };
        if self.dedup.representative == Representative::Longest {
            clusters.choose_representatives(|id| std::cmp::Reverse(self.sketched[id.index()].len));
        }
        clusters
    }
}

/// Builds a [`Deduplicator`]; every setter documents its default.
#[derive(Debug, Clone)]
pub struct DeduplicatorBuilder {
    /// Normaliser, shingles, K and seed: the sketcher's own builder.
    sketch: SketcherBuilder,
    threshold: f64,
    containment: Option<f64>,
    bands: Option<(usize, usize)>,
    verification: Verification,
    algorithm: Algorithm,
    boilerplate: Boilerplate,
    template_guard: Option<TemplateGuard>,
    min_words: usize,
    mode: ClusterMode,
    representative: Representative,
}

impl Default for DeduplicatorBuilder {
    fn default() -> Self {
        DeduplicatorBuilder {
            sketch: SketcherBuilder::default(),
            threshold: DEFAULT_THRESHOLD,
            containment: Some(DEFAULT_CONTAINMENT),
            bands: None,
            verification: Verification::default(),
            algorithm: Algorithm::default(),
            boilerplate: Boilerplate::default(),
            template_guard: Some(TemplateGuard::default()),
            min_words: DEFAULT_MIN_WORDS,
            mode: ClusterMode::default(),
            representative: Representative::default(),
        }
    }
}

impl DeduplicatorBuilder {
    /// Shingle unit and size (default: words, 5).
    pub fn shingles(&mut self, unit: ShingleUnit, size: usize) -> &mut Self {
        self.sketch.shingles(unit, size);
        self
    }

    /// MinHash slots, K (default 128).
    pub fn num_perm(&mut self, num_perm: usize) -> &mut Self {
        self.sketch.num_perm(num_perm);
        self
    }

    /// The seed of every hash (default [`crate::DEFAULT_SEED`]).
    pub fn seed(&mut self, seed: u64) -> &mut Self {
        self.sketch.seed(seed);
        self
    }

    /// Jaccard similarity at or above which two articles are copies (default
    /// [`DEFAULT_THRESHOLD`], 0.5).
    pub fn threshold(&mut self, threshold: f64) -> &mut Self {
        self.threshold = threshold;
        self
    }

    /// Also count as copies two articles where the shorter one's shingles are at least
    /// this fraction inside the longer one (default [`DEFAULT_CONTAINMENT`], 0.8;
    /// `None` turns it off). Catches a wire item inside a round-up, whose Jaccard is
    /// low; LSH then searches at a lower similarity. In star mode a match by
    /// containment only lets the longer article join the shorter one's cluster, and a
    /// match by Jaccard is always preferred, so a round-up never glues the several
    /// stories it contains into one cluster.
    pub fn containment(&mut self, threshold: Option<f64>) -> &mut Self {
        self.containment = threshold;
        self
    }

    /// Fix the LSH banding instead of deriving it from the threshold (default: derived
    /// by [`LshParams::for_threshold`]).
    pub fn bands(&mut self, bands: usize, rows: usize) -> &mut Self {
        self.bands = Some((bands, rows));
        self
    }

    /// How candidates are confirmed (default [`Verification::Estimated`]).
    pub fn verification(&mut self, verification: Verification) -> &mut Self {
        self.verification = verification;
        self
    }

    /// Which sketch finds candidates (default [`Algorithm::MinHash`]).
    pub fn algorithm(&mut self, algorithm: Algorithm) -> &mut Self {
        self.algorithm = algorithm;
        self
    }

    /// Boilerplate removal (default [`Boilerplate::Auto`]).
    pub fn boilerplate(&mut self, boilerplate: Boilerplate) -> &mut Self {
        self.boilerplate = boilerplate;
        self
    }

    /// The second-stage check against template texts (default: on, with
    /// [`TemplateGuard::default`]); `None` turns it off. It keeps each article's
    /// shingle set (4 bytes per shingle) for the duration of the call or the feed.
    pub fn template_guard(&mut self, guard: Option<TemplateGuard>) -> &mut Self {
        self.template_guard = guard;
        self
    }

    /// Articles with fewer words than this are never matched: each stays a cluster of
    /// its own (default [`DEFAULT_MIN_WORDS`], 10). Scraped stubs — a byline, a
    /// caption, "تعليقات ()" — are identical across unrelated pages; set 0 to match
    /// even one-word texts (e.g. to deduplicate headlines alone).
    pub fn min_words(&mut self, min_words: usize) -> &mut Self {
        self.min_words = min_words;
        self
    }

    /// Components or star clusters (default [`ClusterMode::Star`], no chaining).
    pub fn mode(&mut self, mode: ClusterMode) -> &mut Self {
        self.mode = mode;
        self
    }

    /// Which member represents a cluster (default [`Representative::First`]).
    pub fn representative(&mut self, representative: Representative) -> &mut Self {
        self.representative = representative;
        self
    }

    /// The normaliser (default: profile "dedup-default v1").
    pub fn normalizer(&mut self, normalizer: ArabicNormalizer) -> &mut Self {
        self.sketch.arabic_normalizer(normalizer);
        self
    }

    /// Validates the parameters and builds the deduplicator.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a threshold or containment outside (0, 1], a
    /// shingle size outside 1..=32, `num_perm` outside 1..=65536, bands × rows above
    /// `num_perm`, a SimHash distance above 7, or boilerplate limits out of range.
    pub fn build(&self) -> Result<Deduplicator> {
        let unit_ok = |t: f64| t > 0.0 && t <= 1.0;
        if !unit_ok(self.threshold) {
            return Err(Error::invalid(
                "threshold",
                format!("must be in (0, 1], got {}", self.threshold),
            ));
        }
        if let Some(c) = self.containment {
            if !unit_ok(c) {
                return Err(Error::invalid("containment", format!("must be in (0, 1], got {c}")));
            }
        }
        if let Boilerplate::MaxDocs { fraction, .. } = self.boilerplate {
            if !(0.0..=1.0).contains(&fraction) {
                return Err(Error::invalid(
                    "boilerplate",
                    format!("fraction must be in [0, 1], got {fraction}"),
                ));
            }
        }
        if let Algorithm::SimHash { max_distance } = self.algorithm {
            SimHashIndex::new(max_distance)?;
        }
        if let Some(g) = self.template_guard {
            if g.common_docs < COMMON_FLOOR {
                return Err(Error::invalid(
                    "template_guard",
                    format!("common_docs must be at least {COMMON_FLOOR}, got {}", g.common_docs),
                ));
            }
        }
        if let Boilerplate::MaxDocs { min_docs, .. } = self.boilerplate {
            if min_docs < COMMON_FLOOR as usize {
                return Err(Error::invalid(
                    "boilerplate",
                    format!("min_docs must be at least {COMMON_FLOOR}, got {min_docs}"),
                ));
            }
        }
        let sketcher = self
            .sketch
            .clone()
            .simhash(matches!(self.algorithm, Algorithm::SimHash { .. }))
            .build()?;
        let num_perm = sketcher.params().num_perm();
        let lsh = match self.bands {
            Some((b, r)) => {
                let p = LshParams::new(b, r)?;
                if p.slots() > num_perm {
                    return Err(Error::invalid(
                        "bands",
                        format!("{b} bands × {r} rows exceed num_perm {num_perm}"),
                    ));
                }
                p
            }
            None => {
                // Containment pairs have low Jaccard (a 300-word wire item in a
                // 1,200-word round-up: J ≈ 0.25), so search lower when they count.
                let search =
                    self.containment.map_or(self.threshold, |c| self.threshold.min(c * 0.3));
                LshParams::for_threshold(search, num_perm)?
            }
        };
        Ok(Deduplicator {
            minhasher: sketcher.minhasher().clone(),
            sketcher,
            threshold: self.threshold,
            containment: self.containment,
            lsh,
            verification: self.verification,
            algorithm: self.algorithm,
            boilerplate: self.boilerplate.clone(),
            template_guard: self.template_guard,
            min_words: self.min_words,
            mode: self.mode,
            representative: self.representative,
        })
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
    fn radix_sort_sorts() {
        let mut scratch = vec![7; 3];
        for n in [0u64, 1, 63, 64, 65, 300, 5000] {
            for spread in [u64::from(u32::MAX), 1000, 3] {
                let mut set: Vec<u32> =
                    (0..n).map(|i| (mix64(i, n) % (spread + 1)) as u32).collect();
                let mut expected = set.clone();
                expected.sort_unstable();
                radix_sort(&mut set, &mut scratch);
                assert_eq!(set, expected, "{n} {spread}");
            }
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
