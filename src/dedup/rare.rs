//! The edited-copy rule's second source of candidates: pairs of articles that share at
//! least `min_shared_rare` shingles found in 2..=`distinctive_docs` articles. Edited
//! copies share too few shingles for LSH to find them at any practical banding, but
//! every copy in the dev set's `tune` split shares seven or more rare ones.
//!
//! The batch counts document frequencies exactly on the shingle sets before
//! boilerplate removal (as the research that chose the rule did): the shingles whose
//! counter slot saw two or more articles are gathered as (fingerprint, article) in
//! partitions of the fingerprint, each sorted, and each run of 2..=`distinctive_docs`
//! articles emits its pairs, into buckets of the earlier article that are counted by
//! sorting them too. (One vector of all the entries, sorted, then one of all the pairs
//! made SaudiNewsNet's peak 88.5 MiB with `--edited`; this way it is 80.6.) A live feed
//! keeps postings of every shingle instead ([`RarePostings`]).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::corpus::DocId;
use crate::hash::FixedState;

use super::EditedCopies;
use super::article::Shingled;
use super::pipeline::doc_id;
use super::stats::{CorpusStats, count_slots};

/// The fingerprint partitions (by their top bits) the batch's entries are gathered
/// in: each partition sorts while it fits in cache, and is freed once its pairs are out.
const PARTITION_BITS: u32 = 3;

/// The buckets of earlier articles the pair keys are gathered in: counting them sorts
/// small vectors, and no one vector doubles while the corpus is in memory.
const BUCKETS: usize = 64;

/// The pairs (smaller id first), sorted, of articles of `sets` that share at least
/// `e.min_shared_rare` shingles found in 2..=`e.distinctive_docs` of them; on all
/// cores when `parallel`, with the same result.
pub(super) fn rare_pairs(
    sets: &[Shingled],
    e: EditedCopies,
    parallel: bool,
) -> Vec<(DocId, DocId)> {
    // Most shingles are in one article: a saturating counter per slot of the low bits
    // leaves them out before anything is sorted (a collision only keeps one in).
    let shingles: usize = sets.iter().map(|s| s.set.len()).sum();
    let size = shingles.next_power_of_two().clamp(1024, 1 << 24);
    let counters = count_slots(sets, size);
    // (fingerprint << 32 | article) of the shingles whose counter slot saw two or more
    // articles, by partition, each in article order.
    let mask = size - 1;
    let mut partitions: Vec<Vec<u64>> = vec![Vec::new(); 1 << PARTITION_BITS];
    for (i, s) in sets.iter().enumerate() {
        let doc = u64::from(doc_id(i).0);
        for &fp in s.set.iter().filter(|&&fp| counters[fp as usize & mask] >= 2) {
            partitions[(fp >> (32 - PARTITION_BITS)) as usize].push(u64::from(fp) << 32 | doc);
        }
    }
    drop(counters);
    let gather = |entries: Vec<u64>| partition_keys(entries, sets.len(), e);
    #[cfg(feature = "rayon")]
    let keys: Vec<Vec<Vec<u64>>> = if parallel {
        use rayon::prelude::*;
        partitions.into_par_iter().map(gather).collect()
    } else {
        partitions.into_iter().map(gather).collect()
    };
    #[cfg(not(feature = "rayon"))]
    let keys: Vec<Vec<Vec<u64>>> = {
        let _ = parallel;
        partitions.into_iter().map(gather).collect()
    };
    let count = |bucket: usize| {
        let mut keys: Vec<u64> = keys.iter().flat_map(|p| p[bucket].iter().copied()).collect();
        keys.sort_unstable();
        keys.chunk_by(|a, b| a == b)
            .filter(|run| run.len() >= e.min_shared_rare)
            .map(|run| (DocId((run[0] >> 32) as u32), DocId(run[0] as u32)))
            .collect::<Vec<_>>()
    };
    #[cfg(feature = "rayon")]
    if parallel {
        use rayon::prelude::*;
        return (0..BUCKETS).into_par_iter().flat_map_iter(count).collect();
    }
    (0..BUCKETS).flat_map(count).collect()
}

/// The pair keys (earlier << 32 | later) of one partition's `entries` of `docs`
/// articles, one per rare shingle the two share, by the bucket of the earlier article.
fn partition_keys(mut entries: Vec<u64>, docs: usize, e: EditedCopies) -> Vec<Vec<u64>> {
    let max_docs = e.distinctive_docs as usize;
    entries.sort_unstable();
    let mut buckets = vec![Vec::new(); BUCKETS];
    let bucket_of = |doc: u64| (doc as usize * BUCKETS) / docs;
    for run in entries.chunk_by(|a, b| a >> 32 == b >> 32) {
        if !(2..=max_docs).contains(&run.len()) {
            continue;
        }
        for (k, &x) in run.iter().enumerate() {
            let earlier = x & 0xFFFF_FFFF;
            let bucket = &mut buckets[bucket_of(earlier)];
            bucket.extend(run[k + 1..].iter().map(|&y| earlier << 32 | (y & 0xFFFF_FFFF)));
        }
    }
    buckets
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
#[derive(Debug, Clone, Default)]
pub(super) struct RarePostings {
    /// The first article of each shingle seen, or [`DEAD`] once it is too common.
    first: HashMap<u32, u32, FixedState>,
    /// The later articles of shingles seen in two or more.
    more: HashMap<u32, Vec<DocId>, FixedState>,
}

/// The first-article mark of a shingle found in more than `distinctive_docs` articles.
const DEAD: u32 = u32::MAX;

impl RarePostings {
    /// The earlier articles sharing at least `e.min_shared_rare` rare shingles with
    /// `set` (article `id`'s shingles before boilerplate removal), sorted; `id` is then
    /// added. A shingle `stats` knows to be common is neither looked up nor kept; fed
    /// the articles its statistics were learned from, the pairs are the batch's.
    pub(super) fn candidates(
        &mut self,
        id: DocId,
        set: &[u32],
        stats: &CorpusStats,
        e: EditedCopies,
    ) -> Vec<DocId> {
        let max_docs = e.distinctive_docs as usize;
        let mut found: Vec<DocId> = Vec::new();
        for &fp in set {
            if stats.df_of(fp) > e.distinctive_docs {
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
                    if more.len() + 2 > max_docs {
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
        shared_enough(found, e.min_shared_rare)
    }
}

impl RarePostings {
    /// The articles [`candidates`](Self::candidates) would return for `set`, without
    /// adding it.
    pub(super) fn lookup(&self, set: &[u32], stats: &CorpusStats, e: EditedCopies) -> Vec<DocId> {
        let max_docs = e.distinctive_docs as usize;
        let mut found: Vec<DocId> = Vec::new();
        for &fp in set {
            if stats.df_of(fp) > e.distinctive_docs {
                continue;
            }
            let Some(&first) = self.first.get(&fp) else { continue };
            let more = self.more.get(&fp).map_or(&[][..], Vec::as_slice);
            if first == DEAD || more.len() + 2 > max_docs {
                continue;
            }
            found.push(DocId(first));
            found.extend_from_slice(more);
        }
        shared_enough(found, e.min_shared_rare)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::hash::mix64;

    /// `n` articles of fingerprints drawn from a universe small enough that document
    /// frequencies spread over 1..60, some articles sharing a block of a neighbour's.
    fn sets(n: usize) -> Vec<Shingled> {
        (0..n as u64)
            .map(|i| {
                let len = 5 + (mix64(i, 1) % 60) as usize;
                let mut set: Vec<u32> = (0..len as u64)
                    .map(|k| {
                        let r = mix64(i * 1000 + k, 2);
                        // A third of the shingles from a small universe (common ones).
                        if r % 3 == 0 { (r % 400) as u32 } else { (r >> 8) as u32 | 0x8000_0000 }
                    })
                    .collect();
                if i % 4 == 1 {
                    // A copy of part of an earlier article.
                    let j = mix64(i, 3) % i;
                    set.extend((0..10).map(|k| (mix64(j * 1000 + k, 2) >> 8) as u32 | 0x8000_0000));
                }
                set.sort_unstable();
                set.dedup();
                set.reverse(); // not sorted: the batch sees sets in text order
                Shingled {
                    set,
                    vocabulary: None,
                    simhash: None,
                    len: 0,
                    short: false,
                    truncated: false,
                }
            })
            .collect()
    }

    fn brute_force(sets: &[Shingled], e: EditedCopies) -> Vec<(DocId, DocId)> {
        let mut df: BTreeMap<u32, u32> = BTreeMap::new();
        for s in sets {
            for &fp in &s.set {
                *df.entry(fp).or_default() += 1;
            }
        }
        let rare = |fp: &u32| (2..=e.distinctive_docs).contains(&df[fp]);
        let mut pairs = Vec::new();
        for i in 0..sets.len() {
            for j in i + 1..sets.len() {
                let shared =
                    sets[i].set.iter().filter(|fp| rare(fp) && sets[j].set.contains(fp)).count();
                if shared >= e.min_shared_rare {
                    pairs.push((doc_id(i), doc_id(j)));
                }
            }
        }
        pairs
    }

    #[test]
    fn rare_pairs_equal_brute_force_and_the_feed_postings() {
        let sets = sets(300);
        for (docs, shared) in [(20, 3), (8, 1), (12, 2)] {
            let e = EditedCopies {
                distinctive_docs: docs,
                min_shared_rare: shared,
                ..Default::default()
            };
            let expected = brute_force(&sets, e);
            assert!(expected.len() > 20, "the test needs pairs: {}", expected.len());
            assert_eq!(rare_pairs(&sets, e, false), expected, "{docs} {shared}");
            #[cfg(feature = "rayon")]
            assert_eq!(rare_pairs(&sets, e, true), expected, "parallel {docs} {shared}");
            // A feed with the statistics of the same articles finds the same pairs.
            let stats = CorpusStats::from_sets(&sets);
            let mut postings = RarePostings::default();
            let mut fed = Vec::new();
            for (i, s) in sets.iter().enumerate() {
                let id = doc_id(i);
                fed.extend(postings.candidates(id, &s.set, &stats, e).into_iter().map(|d| (d, id)));
            }
            fed.sort_unstable();
            assert_eq!(fed, expected, "feed {docs} {shared}");
        }
    }
}
