//! SimHash candidates within a Hamming distance, by block tables (Manku, Jain & Das
//! Sarma 2007, "Detecting Near-Duplicates for Web Crawling").
//!
//! Cut the 64 bits into k + 1 blocks: two fingerprints at distance ≤ k differ in at
//! most k blocks, so they agree exactly on at least one (pigeonhole). One table per
//! block, keyed by that block's bits, finds every such pair; each table is the
//! "permuted table" of the paper whose leading bits are that block. Candidates are
//! then checked for their exact distance, so the index has no false positives and no
//! false negatives.

use std::collections::HashMap;

use ahash::RandomState;

use crate::corpus::DocId;
use crate::hash::map_state;
use crate::simhash::SimHash;
use crate::{Error, Result};

/// The largest supported distance: 8 blocks of 7–8 bits.
pub const MAX_DISTANCE: u32 = 7;

/// An index of SimHash fingerprints answering "which are within distance k?".
///
/// # Examples
///
/// ```
/// use nuskha::{DocId, SimHash, SimHashIndex};
///
/// let mut index = SimHashIndex::new(3)?;
/// index.insert(DocId(1), SimHash::new(0b1111_0000));
/// index.insert(DocId(2), SimHash::new(u64::MAX));
/// assert_eq!(index.query(SimHash::new(0b1111_0011)), [(DocId(1), 2)]);
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SimHashIndex {
    max_distance: u32,
    /// (shift, mask) of each block.
    blocks: Vec<(u32, u64)>,
    tables: Vec<HashMap<u64, Vec<DocId>, RandomState>>,
    docs: HashMap<DocId, SimHash, RandomState>,
}

impl SimHashIndex {
    /// An index for distances up to `max_distance`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `max_distance` exceeds [`MAX_DISTANCE`] (the
    /// blocks would be too narrow to index anything).
    pub fn new(max_distance: u32) -> Result<Self> {
        if max_distance > MAX_DISTANCE {
            return Err(Error::invalid(
                "max_distance",
                format!("must be 0..={MAX_DISTANCE}, got {max_distance}"),
            ));
        }
        let n = max_distance + 1;
        let mut blocks = Vec::new();
        let mut start = 0;
        for i in 0..n {
            let width = 64 / n + u32::from(i < 64 % n);
            let mask = if width == 64 { u64::MAX } else { (1u64 << width) - 1 };
            blocks.push((start, mask));
            start += width;
        }
        Ok(SimHashIndex {
            max_distance,
            tables: blocks.iter().map(|_| HashMap::with_hasher(map_state())).collect(),
            blocks,
            docs: HashMap::with_hasher(map_state()),
        })
    }

    /// The largest distance a query reports.
    pub fn max_distance(&self) -> u32 {
        self.max_distance
    }

    /// The number of fingerprints in the index.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Adds (or replaces) document `id`.
    pub fn insert(&mut self, id: DocId, fingerprint: SimHash) {
        self.remove(id);
        for (table, &(shift, mask)) in self.tables.iter_mut().zip(&self.blocks) {
            table.entry((fingerprint.bits() >> shift) & mask).or_default().push(id);
        }
        self.docs.insert(id, fingerprint);
    }

    /// Removes document `id`, returning its fingerprint.
    pub fn remove(&mut self, id: DocId) -> Option<SimHash> {
        let fp = self.docs.remove(&id)?;
        for (table, &(shift, mask)) in self.tables.iter_mut().zip(&self.blocks) {
            let key = (fp.bits() >> shift) & mask;
            if let Some(list) = table.get_mut(&key) {
                list.retain(|&d| d != id);
                if list.is_empty() {
                    table.remove(&key);
                }
            }
        }
        Some(fp)
    }

    /// Documents within the index's distance of `fingerprint`, with their distance,
    /// sorted by id.
    pub fn query(&self, fingerprint: SimHash) -> Vec<(DocId, u32)> {
        let mut out: Vec<(DocId, u32)> = Vec::new();
        for (table, &(shift, mask)) in self.tables.iter().zip(&self.blocks) {
            let Some(list) = table.get(&((fingerprint.bits() >> shift) & mask)) else { continue };
            for &id in list {
                let d = self.docs[&id].hamming(fingerprint);
                if d <= self.max_distance {
                    out.push((id, d));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::mix64;

    #[test]
    fn blocks_cover_all_bits() {
        for k in 0..=MAX_DISTANCE {
            let index = SimHashIndex::new(k).unwrap();
            let covered = index.blocks.iter().fold(0u64, |acc, &(s, m)| acc | (m << s));
            assert_eq!(covered, u64::MAX, "k = {k}");
        }
        assert!(SimHashIndex::new(MAX_DISTANCE + 1).is_err());
    }

    #[test]
    fn finds_exactly_what_brute_force_finds() {
        let fps: Vec<SimHash> = (0..400u64)
            .map(|i| {
                let base = mix64(i / 4, 1);
                // Groups of 4 near-identical fingerprints: flip (i % 4) * 2 bits.
                let flips =
                    (0..(i % 4) * 2).fold(0u64, |m, j| m | 1 << ((mix64(i, j) % 64) as u32));
                SimHash::new(base ^ flips)
            })
            .collect();
        for k in [0, 3, 6] {
            let mut index = SimHashIndex::new(k).unwrap();
            for (i, &fp) in fps.iter().enumerate() {
                index.insert(DocId(i as u32), fp);
            }
            for &q in fps.iter().step_by(7) {
                let brute: Vec<(DocId, u32)> = fps
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (DocId(i as u32), f.hamming(q)))
                    .filter(|&(_, d)| d <= k)
                    .collect();
                assert_eq!(index.query(q), brute, "k = {k}");
            }
        }
    }

    #[test]
    fn remove_forgets() {
        let mut index = SimHashIndex::new(2).unwrap();
        index.insert(DocId(5), SimHash::new(42));
        assert_eq!(index.remove(DocId(5)), Some(SimHash::new(42)));
        assert!(index.query(SimHash::new(42)).is_empty());
        assert!(index.is_empty());
    }
}
