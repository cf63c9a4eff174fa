//! The edited-copy rule's second source of candidates ([`RareSearch`]): pairs of
//! articles that share at least `min_shared` shingles found in 2..=`distinctive_docs`
//! articles, among the sample of shingles the search reads. Edited copies share too few
//! shingles for LSH to find them at any practical banding, but dozens of rare ones.
//!
//! The batch finds the rare shingles exactly on the shingle sets before boilerplate
//! removal (as the research that chose the rule did). Shingling moved the shingles the
//! search reads to the front of each set; one pass over those gathers them as
//! (fingerprint, article), laid out by fingerprint
//! partition (the top bits below the sample's); each partition in turn drops the
//! entries of shingles found once (two thirds of them) through a bitmap of the slots
//! seen twice, radix-sorts the rest and keeps each run of 2..=`distinctive_docs`
//! articles. The pairs are then counted article by article, in a table of the later
//! articles, from each article's runs. (Before the sample, every shingle was read, from
//! sets sorted as they were made: a fifth of SaudiNewsNet's run with `--edited`.) A
//! live feed keeps postings of the shingles the search reads instead
//! ([`RarePostings`]).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::ops::Range;

use crate::corpus::DocId;
use crate::hash::FixedState;

use super::RareSearch;
use super::article::Shingled;
use super::pipeline::doc_id;
use super::stats::CorpusStats;
use crate::util::prefetch;

/// The fingerprint partitions (by the top bits of the searched range) whose entries
/// are sorted one at a time: a sixteenth of the entries sorts mostly in cache. 256
/// partitions spent more time in their visits than they saved in the sorts; 32
/// measured the same as 16.
const PARTITION_BITS: u32 = 4;

const PARTITIONS: usize = 1 << PARTITION_BITS;

/// About the most entries gathered at once (16 MB): with every shingle searched
/// (`sample` 1) the partitions are gathered in a few groups, each in one more pass
/// over the sets, rather than all at once.
const GATHER_BUDGET: usize = 1 << 21;

/// Where the shingles `search` reads lie in a fingerprint: the bits below the sample's
/// zero top bits, the top [`PARTITION_BITS`] of them naming the partition.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// The fingerprint bits below the partition's.
    low_bits: u32,
}

impl Layout {
    fn of(search: RareSearch) -> Self {
        Layout { low_bits: 32 - search.sample.ilog2() - PARTITION_BITS }
    }

    /// The partition of a fingerprint the search reads; [`PARTITIONS`] or more for one
    /// it does not.
    fn partition(self, fp: u32) -> usize {
        (u64::from(fp) >> self.low_bits) as usize
    }
}

/// The searched shingles of a group of partitions, `(fingerprint << 32 | article)` in
/// article order within each partition: partition `k` of the group (counted from its
/// first) is `entries[at[k]..at[k + 1]]`.
#[derive(Debug, Default)]
struct Gathered {
    /// The group's entries in article order, before they are laid out by partition.
    found: Vec<u64>,
    entries: Vec<u64>,
    at: Vec<usize>,
}

impl Gathered {
    /// The entries of partitions `group` of `sets`, in one pass over the sets. A
    /// branch takes the group's shingles: one in 4 or fewer, so it is mostly
    /// predicted (writing every shingle past the end, kept or not, counted 3.067 G
    /// instructions for SaudiNewsNet with `--edited`, this 3.016 G).
    fn group(&mut self, sets: &[Shingled], layout: Layout, group: Range<usize>) {
        let width = group.len();
        let mut counts = [0usize; PARTITIONS];
        let found = &mut self.found;
        found.clear();
        for (doc, s) in sets.iter().enumerate() {
            let read = s.searched.map_or(&s.set[..], |n| &s.set[..n]);
            for &fp in read {
                let k = layout.partition(fp).wrapping_sub(group.start);
                if k < width {
                    found.push(u64::from(fp) << 32 | doc as u64);
                    counts[k] += 1;
                }
            }
        }
        self.at.clear();
        self.at.push(0);
        for &n in &counts[..width] {
            self.at.push(self.at[self.at.len() - 1] + n);
        }
        let mut next = self.at.clone();
        self.entries.clear();
        self.entries.resize(found.len(), 0);
        for &x in found.iter() {
            let k = layout.partition((x >> 32) as u32) - group.start;
            self.entries[next[k]] = x;
            next[k] += 1;
        }
    }

    /// Partition `k` of the group.
    fn partition(&self, k: usize) -> &[u64] {
        &self.entries[self.at[k]..self.at[k + 1]]
    }

    fn partitions(&self) -> usize {
        self.at.len() - 1
    }
}

/// The groups of consecutive partitions gathered together: as many as keep each
/// group's expected entries near [`GATHER_BUDGET`], from the `searched` expected in all.
fn groups(searched: usize) -> impl Iterator<Item = Range<usize>> {
    let n = searched.div_ceil(GATHER_BUDGET).clamp(1, PARTITIONS);
    (0..n).map(move |g| g * PARTITIONS / n..(g + 1) * PARTITIONS / n)
}

/// The pairs (smaller id first), sorted, of articles of `sets` that share at least
/// `search.min_shared` of the shingles it reads found in 2..=`max_docs` of them; on all
/// cores when `parallel`, with the same result.
///
/// # Panics
///
/// Past 2³² entries of rare shingles (one per article holding one, plus one per
/// shingle).
pub(super) fn rare_pairs(
    sets: &[Shingled],
    max_docs: u32,
    search: RareSearch,
    parallel: bool,
) -> Vec<(DocId, DocId)> {
    let max_docs = max_docs as usize;
    let layout = Layout::of(search);
    let shingles: usize = sets.iter().map(|s| s.set.len()).sum();
    let mut gathered = Gathered::default();
    let mut runs = Vec::new();
    for group in groups(shingles / search.sample as usize) {
        gathered.group(sets, layout, group);
        let gathered = &gathered;
        // The buffers are reused from partition to partition: fresh ones of a few
        // megabytes each fault in their pages every time.
        let part = |buffers: &mut Buffers, k: usize| {
            Runs::in_partition(gathered.partition(k), layout.low_bits, max_docs, buffers)
        };
        let partitions = 0..gathered.partitions();
        #[cfg(feature = "rayon")]
        if parallel {
            use rayon::prelude::*;
            runs.par_extend(partitions.into_par_iter().map_init(Buffers::default, part));
            continue;
        }
        let mut buffers = Buffers::default();
        runs.extend(partitions.map(|k| part(&mut buffers, k)));
    }
    drop(gathered);
    let runs = Runs::concat(runs);
    let by_article = runs.by_article(sets.len());
    let min_shared = u32::try_from(search.min_shared).unwrap_or(u32::MAX);
    let pairs = |articles: Range<usize>, counts: &mut Vec<u32>| {
        runs.pairs(&by_article, articles, min_shared, counts)
    };
    #[cfg(feature = "rayon")]
    if parallel {
        use rayon::prelude::*;
        let chunk = sets.len().div_ceil(64).max(1);
        let chunks: Vec<Vec<(DocId, DocId)>> = (0..sets.len().div_ceil(chunk))
            .into_par_iter()
            .map_init(Vec::new, |counts, k| {
                pairs(k * chunk..((k + 1) * chunk).min(sets.len()), counts)
            })
            .collect();
        return chunks.concat();
    }
    let _ = parallel;
    pairs(0..sets.len(), &mut Vec::new())
}

/// The runs of rare shingles: for each shingle found in 2..=`max_docs` articles, its
/// number of articles then the articles, ascending (in no particular order of
/// shingles).
#[derive(Debug, Default)]
struct Runs(Vec<u32>);

/// Each article's runs: where in [`Runs`] article `i`'s runs start is
/// `at[starts[i]..starts[i + 1]]`.
#[derive(Debug)]
struct ByArticle {
    starts: Vec<u32>,
    at: Vec<u32>,
}

/// A partition's entries and the radix sort's second buffer.
#[derive(Debug, Default)]
struct Buffers {
    entries: Vec<u64>,
    other: Vec<u64>,
    /// The slots of the partition's shingles seen once, and seen twice or more.
    seen: Vec<u64>,
    twice: Vec<u64>,
}

/// A position in [`Runs`] as stored.
fn position(n: usize) -> u32 {
    u32::try_from(n).expect("fewer than 2^32 rare-shingle entries")
}

impl Runs {
    /// The runs of the shingles of one partition, `gathered` (in article order, the
    /// fingerprints alike above their `low_bits`).
    fn in_partition(
        gathered: &[u64],
        low_bits: u32,
        max_docs: usize,
        buffers: &mut Buffers,
    ) -> Runs {
        let Buffers { entries, other, seen, twice } = buffers;
        entries.clear();
        entries.extend_from_slice(gathered);
        // A shingle in one article only (two thirds of SaudiNewsNet's) can make no
        // pair: the slots seen twice are marked in bitmaps of the fingerprint bits
        // below the partition's (about 4 slots a shingle, so they stay in cache), and
        // only the entries whose slot was seen twice are sorted. A slot shared by two
        // shingles only lets one through to the exact count below.
        let bits = (entries.len() * 4).next_power_of_two().ilog2().clamp(10, low_bits);
        let shift = (32 + low_bits).saturating_sub(bits);
        let mask = (1u64 << bits) - 1;
        let slot = |x: u64| ((x >> shift) & mask) as usize;
        seen.clear();
        seen.resize(1 << (bits - 6), 0);
        twice.clear();
        twice.resize(1 << (bits - 6), 0);
        for &x in entries.iter() {
            let (word, bit) = (slot(x) / 64, 1u64 << (slot(x) % 64));
            twice[word] |= seen[word] & bit;
            seen[word] |= bit;
        }
        // Every entry is written over the kept ones' end, which moves on only when its
        // slot was seen twice: no branch to mispredict.
        let mut kept = 0;
        for k in 0..entries.len() {
            let x = entries[k];
            entries[kept] = x;
            kept += (twice[slot(x) / 64] >> (slot(x) % 64) & 1) as usize;
        }
        entries.truncate(kept);
        sort_by_fingerprint(entries, other, low_bits);
        let mut runs = Vec::new();
        for run in entries.chunk_by(|a, b| a >> 32 == b >> 32) {
            if (2..=max_docs).contains(&run.len()) {
                runs.push(position(run.len()));
                runs.extend(run.iter().map(|&x| x as u32));
            }
        }
        Runs(runs)
    }

    /// The runs of `parts`, one after another.
    fn concat(parts: Vec<Runs>) -> Runs {
        let len = parts.iter().map(|r| r.0.len()).sum();
        position(len);
        let mut runs = Vec::with_capacity(len);
        for part in parts {
            runs.extend_from_slice(&part.0);
        }
        Runs(runs)
    }

    /// The runs in order, each with where it starts.
    fn iter(&self) -> impl Iterator<Item = (u32, &[u32])> {
        let mut k = 0;
        std::iter::from_fn(move || {
            let &len = self.0.get(k)?;
            let start = k;
            k += 1 + len as usize;
            Some((start as u32, &self.0[start + 1..k]))
        })
    }

    /// Where each article's runs start, by article (of `docs` articles).
    fn by_article(&self, docs: usize) -> ByArticle {
        let mut starts = vec![0u32; docs + 1];
        for (_, run) in self.iter() {
            for &d in run {
                starts[d as usize + 1] += 1;
            }
        }
        for i in 0..docs {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut at = vec![0u32; starts[docs] as usize];
        for (start, run) in self.iter() {
            for &d in run {
                let k = &mut next[d as usize];
                at[*k as usize] = start;
                *k += 1;
            }
        }
        ByArticle { starts, at }
    }

    /// The pairs (earlier, later), sorted, whose earlier article is in `articles` and
    /// that share at least `min_shared` runs: each article's later partners in its runs
    /// counted in `counts` (by article, zeros between articles).
    fn pairs(
        &self,
        by_article: &ByArticle,
        articles: Range<usize>,
        min_shared: u32,
        counts: &mut Vec<u32>,
    ) -> Vec<(DocId, DocId)> {
        /// How many runs ahead the count asks for the memory it will read: the runs
        /// of an article are anywhere in the list.
        const AHEAD: usize = 8;
        counts.resize(by_article.starts.len() - 1, 0);
        let (mut touched, mut found, mut pairs) = (Vec::new(), Vec::new(), Vec::new());
        for i in articles {
            let mine =
                &by_article.at[by_article.starts[i] as usize..by_article.starts[i + 1] as usize];
            for (k, &start) in mine.iter().enumerate() {
                if let Some(&later) = mine.get(k + AHEAD) {
                    prefetch(&self.0[later as usize]);
                }
                let start = start as usize;
                let len = self.0[start] as usize;
                for &j in self.0[start + 1..start + 1 + len].iter().filter(|&&j| j as usize > i) {
                    let c = &mut counts[j as usize];
                    *c += 1;
                    if *c == 1 {
                        touched.push(j);
                    }
                    if *c == min_shared {
                        found.push(j);
                    }
                }
            }
            found.sort_unstable();
            pairs.extend(found.drain(..).map(|j| (doc_id(i), DocId(j))));
            for j in touched.drain(..) {
                counts[j as usize] = 0;
            }
        }
        pairs
    }
}

/// Sorts `entries` (fingerprint << 32 | article, in article order, all with the same
/// fingerprint bits above the low `bits`) by fingerprint, keeping the article order
/// within a fingerprint: least significant digit first, in three passes through
/// `other`.
fn sort_by_fingerprint(entries: &mut Vec<u64>, other: &mut Vec<u64>, bits: u32) {
    const PASSES: usize = 3;
    if entries.len() < 256 {
        entries.sort_unstable();
        return;
    }
    let width = bits.div_ceil(PASSES as u32);
    let mask = (1u64 << width) - 1;
    let digit = |x: u64, pass: usize| ((x >> (32 + width * pass as u32)) & mask) as usize;
    let mut counts = vec![[0u32; PASSES]; 1 << width];
    for &x in entries.iter() {
        for pass in 0..PASSES {
            counts[digit(x, pass)][pass] += 1;
        }
    }
    let mut sums = [0u32; PASSES];
    for c in &mut counts {
        for (c, sum) in c.iter_mut().zip(&mut sums) {
            (*c, *sum) = (*sum, *sum + *c);
        }
    }
    other.clear();
    other.resize(entries.len(), 0);
    for pass in 0..PASSES {
        for &x in entries.iter() {
            let at = &mut counts[digit(x, pass)][pass];
            other[*at as usize] = x;
            *at += 1;
        }
        std::mem::swap(entries, other);
    }
}

/// The articles of `found` (one entry per rare shingle shared) found at least
/// `min_shared` times, sorted.
fn shared_enough(mut found: Vec<DocId>, min_shared: usize) -> Vec<DocId> {
    found.sort_unstable();
    found.chunk_by(|a, b| a == b).filter(|run| run.len() >= min_shared).map(|run| run[0]).collect()
}

/// A live feed's postings of rare shingles: which earlier articles hold each shingle,
/// until it is in more than `distinctive_docs` of them. About 16 bytes per distinct
/// shingle of the feed, on top of its sets.
#[derive(Debug, Clone)]
pub(super) struct RarePostings {
    /// The most articles a rare shingle is in.
    max_docs: u32,
    search: RareSearch,
    /// The first article of each shingle seen, or [`DEAD`] once it is too common.
    first: HashMap<u32, u32, FixedState>,
    /// The later articles of shingles seen in two or more.
    more: HashMap<u32, Vec<DocId>, FixedState>,
}

/// The first-article mark of a shingle found in more than `distinctive_docs` articles.
const DEAD: u32 = u32::MAX;

impl RarePostings {
    /// No postings yet, for `search` with rare shingles in at most `max_docs` articles.
    pub(super) fn new(max_docs: u32, search: RareSearch) -> Self {
        let (first, more) = (HashMap::default(), HashMap::default());
        RarePostings { max_docs, search, first, more }
    }

    /// The earlier articles sharing at least `min_shared` of the shingles the search
    /// reads, found in at most `max_docs` articles, with `set` (article `id`'s
    /// shingles), sorted; `id` is then added. A shingle `stats` knows to be common is
    /// neither looked up nor kept; fed the articles its statistics were learned from,
    /// the pairs are the batch's.
    pub(super) fn candidates(&mut self, id: DocId, set: &[u32], stats: &CorpusStats) -> Vec<DocId> {
        let (max_docs, search) = (self.max_docs, self.search);
        let mut found: Vec<DocId> = Vec::new();
        for &fp in set {
            if !search.reads(fp) || stats.df_of(fp) > max_docs {
                continue;
            }
            match self.first.entry(fp) {
                Entry::Vacant(v) => {
                    v.insert(id.0);
                }
                Entry::Occupied(mut o) => {
                    let first = *o.get();
                    if first == DEAD {
                        continue;
                    }
                    let more = self.more.entry(fp).or_default();
                    // The articles holding it, this one included.
                    if more.len() + 2 > max_docs as usize {
                        *o.get_mut() = DEAD;
                        self.more.remove(&fp);
                        continue;
                    }
                    found.push(DocId(first));
                    found.extend_from_slice(more);
                    more.push(id);
                }
            }
        }
        shared_enough(found, search.min_shared)
    }
}

impl RarePostings {
    /// The articles [`candidates`](Self::candidates) would return for `set`, without
    /// adding it.
    pub(super) fn lookup(&self, set: &[u32], stats: &CorpusStats) -> Vec<DocId> {
        let (max_docs, search) = (self.max_docs, self.search);
        let mut found: Vec<DocId> = Vec::new();
        for &fp in set {
            if !search.reads(fp) || stats.df_of(fp) > max_docs {
                continue;
            }
            let Some(&first) = self.first.get(&fp) else { continue };
            let more = self.more.get(&fp).map_or(&[][..], Vec::as_slice);
            if first == DEAD || more.len() + 2 > max_docs as usize {
                continue;
            }
            found.push(DocId(first));
            found.extend_from_slice(more);
        }
        shared_enough(found, search.min_shared)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::hash::mix64;

    /// `n` articles of fingerprints drawn from a universe small enough that document
    /// frequencies spread over 1..60, some articles sharing a block of a neighbour's;
    /// each set distinct, in no order (as shingling leaves it).
    fn sets(n: usize) -> Vec<Shingled> {
        // Spread over every fingerprint bit (so every sample reads some), above the
        // small universe.
        let rare = |x: u64| (x >> 32) as u32 | 0x1000;
        (0..n as u64)
            .map(|i| {
                let len = 5 + (mix64(i, 1) % 60) as usize;
                let mut set: Vec<u32> = (0..len as u64)
                    .map(|k| {
                        let r = mix64(i * 1000 + k, 2);
                        // A third of the shingles from a small universe (common ones).
                        if r % 3 == 0 { (r % 400) as u32 } else { rare(r) }
                    })
                    .collect();
                if i % 4 == 1 {
                    // A copy of part of an earlier article.
                    let j = mix64(i, 3) % i;
                    set.extend((0..40).map(|k| rare(mix64(j * 1000 + 100 + k, 2))));
                    set.extend((0..40).map(|k| rare(mix64(i * 1000 + 100 + k, 2))));
                }
                let mut s = Shingled::of_set(set);
                s.set.sort_by_key(|&fp| mix64(u64::from(fp), 9));
                s
            })
            .collect()
    }

    fn brute_force(sets: &[Shingled], max_docs: u32, search: RareSearch) -> Vec<(DocId, DocId)> {
        let mut df: BTreeMap<u32, u32> = BTreeMap::new();
        for s in sets {
            for &fp in &s.set {
                *df.entry(fp).or_default() += 1;
            }
        }
        // Read when its top log2(sample) bits are zero: below 2^32 / sample.
        let read = |fp: u32| u64::from(fp) * u64::from(search.sample) < 1 << 32;
        let rare = |fp: &u32| read(*fp) && (2..=max_docs).contains(&df[fp]);
        let mut pairs = Vec::new();
        for i in 0..sets.len() {
            for j in i + 1..sets.len() {
                let shared =
                    sets[i].set.iter().filter(|fp| rare(fp) && sets[j].set.contains(fp)).count();
                if shared >= search.min_shared {
                    pairs.push((doc_id(i), doc_id(j)));
                }
            }
        }
        pairs
    }

    #[test]
    fn sort_by_fingerprint_is_a_stable_sort_by_fingerprint() {
        for n in [0u64, 1, 255, 256, 257, 5000] {
            for bits in [28u32, 27, 20, 3] {
                let top = 0xA5A5_A5A5u32 >> bits << bits;
                // In article order, as gathered; fingerprints often repeated.
                let entries: Vec<u64> = (0..n)
                    .map(|i| {
                        let fp = top | (mix64(i % 97 + n, 5) as u32 & ((1 << bits) - 1));
                        u64::from(fp) << 32 | i
                    })
                    .collect();
                let mut expected = entries.clone();
                expected.sort_by_key(|&x| x >> 32);
                let mut sorted = entries;
                sort_by_fingerprint(&mut sorted, &mut vec![1, 2, 3], bits);
                assert_eq!(sorted, expected, "{n} {bits}");
            }
        }
    }

    #[test]
    fn rare_pairs_equal_brute_force_and_the_feed_postings() {
        // 40 articles: partitions of fewer than 256 entries, sorted the plain way.
        let cases = [
            (300, 20, 3, 1),
            (300, 8, 1, 1),
            (300, 12, 2, 1),
            (40, 20, 3, 1),
            (300, 20, 3, 4),
            (300, 20, 1, 8),
            (300, 20, 2, 2),
            (40, 20, 2, 4),
        ];
        for (n, docs, min_shared, sample) in cases {
            let sets = sets(n);
            let search = RareSearch { min_shared, sample };
            let expected = brute_force(&sets, docs, search);
            let case = format!("{n} articles, {docs} docs, {search:?}");
            assert!(expected.len() > n / 15, "the test needs pairs: {} ({case})", expected.len());
            assert_eq!(rare_pairs(&sets, docs, search, false), expected, "{case}");
            #[cfg(feature = "rayon")]
            assert_eq!(rare_pairs(&sets, docs, search, true), expected, "parallel {case}");
            // Laid out as shingling lays them out, the shingles read first.
            let mut laid_out = sets.clone();
            for s in &mut laid_out {
                let n = search.read_first(&mut s.set);
                assert!(s.set[..n].iter().all(|&fp| search.reads(fp)), "{case}");
                assert!(!s.set[n..].iter().any(|&fp| search.reads(fp)), "{case}");
                s.searched = Some(n);
            }
            assert_eq!(rare_pairs(&laid_out, docs, search, false), expected, "laid out {case}");
            // A feed with the statistics of the same articles finds the same pairs.
            let stats = CorpusStats::from_sets(&sets);
            let mut postings = RarePostings::new(docs, search);
            let mut fed = Vec::new();
            for (i, s) in sets.iter().enumerate() {
                let id = doc_id(i);
                let found = postings.candidates(id, &s.set, &stats);
                fed.extend(found.into_iter().map(|d| (d, id)));
            }
            fed.sort_unstable();
            assert_eq!(fed, expected, "feed {case}");
        }
    }

    #[test]
    fn a_sample_reads_the_fingerprints_below_its_share_of_the_range() {
        for sample in [1u32, 2, 4, 8, 1 << 16] {
            let search = RareSearch { min_shared: 1, sample };
            let limit = (1u64 << 32) / u64::from(sample);
            for fp in [0, 1, limit - 1, limit, u64::from(u32::MAX)] {
                let Ok(fp) = u32::try_from(fp) else { continue };
                assert_eq!(search.reads(fp), u64::from(fp) < limit, "{sample} {fp}");
            }
        }
    }

    #[test]
    fn gathering_in_groups_gives_the_same_runs() {
        // A budget of one partition's entries or less: one group a partition.
        let sets = sets(300);
        let search = RareSearch { min_shared: 2, sample: 1 };
        let layout = Layout::of(search);
        let mut whole = Gathered::default();
        whole.group(&sets, layout, 0..PARTITIONS);
        let mut parts = Gathered::default();
        for p in 0..PARTITIONS {
            parts.group(&sets, layout, p..p + 1);
            assert_eq!(parts.partition(0), whole.partition(p), "partition {p}");
        }
        assert!(whole.partition(3).len() > 100, "the test needs entries");
        let counts: Vec<usize> = groups(5 * GATHER_BUDGET).map(|g| g.len()).collect();
        assert_eq!(counts.iter().sum::<usize>(), PARTITIONS);
        assert_eq!(counts.len(), 5);
        assert_eq!(groups(10).collect::<Vec<_>>(), vec![0..PARTITIONS]);
    }
}
