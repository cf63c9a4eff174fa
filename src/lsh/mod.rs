//! Stage 4: candidate search — documents that share a band of their MinHash signature
//! (MMDS ch. 3.4), or a block of their SimHash (Manku, Jain & Das Sarma 2007).
//!
//! [`LshIndex`] cuts each signature into b bands of r rows and files the document under
//! one `u64` key per band (a hash of the band's slots, not a copy of them). Two
//! documents whose signatures agree on a whole band become candidates; the index keeps
//! the signatures so that candidates can be verified by estimated Jaccard.
//!
//! **Memory.** Per document: the signature (4·K bytes, 512 at K = 128), its b band
//! keys (8·b bytes, kept for removal), and one 16-byte hash-map entry per band (a
//! bucket holding one document stores it inline; only shared buckets allocate).
//! [`LshIndex::memory_usage`] reports the total; at K = 128 and b = 25 it is about
//! 1.4 KB per document (`lsh_memory_per_document_is_documented` in `tests/pipeline.rs`
//! prints it: 1,357 bytes for 800 synthetic articles).

mod hamming;
mod params;

pub use hamming::{MAX_DISTANCE, SimHashIndex};
pub use params::LshParams;

use std::collections::HashMap;
use std::sync::Arc;

use ahash::RandomState;

use crate::hash::map_state;

use crate::corpus::DocId;
use crate::hash::mix64;
use crate::minhash::MinHashSignature;
use crate::minhash::SketchParams;
use crate::{Error, Result};

/// A bucket: one document inline, or (high bit set) an index into the overflow lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bucket(u32);

const OVERFLOW: u32 = 1 << 31;

/// What the index keeps per document.
#[derive(Debug, Clone)]
struct Entry {
    signature: MinHashSignature,
    keys: Box<[u64]>,
}

/// A MinHash LSH index with insert, query and remove by id.
///
/// # Examples
///
/// ```
/// use nuskha::{DocId, LshIndex, LshParams, Sketcher};
///
/// let sketcher = Sketcher::new();
/// let mut index = LshIndex::new(LshParams::for_threshold(0.5, 128)?);
/// let story = "اعلنت الوزارة اليوم عن خطة جديدة لتطوير التعليم في المدارس الحكومية خلال العام المقبل";
/// index.insert(DocId(0), sketcher.sketch(story).minhash().clone())?;
/// index.insert(DocId(1), sketcher.sketch("ارتفعت اسعار النفط في الاسواق العالمية اليوم بعد قرار اوبك").minhash().clone())?;
///
/// let copy = sketcher.sketch(&format!("{story} وفق بيان رسمي"));
/// let hits = index.query_verified(copy.minhash(), 0.5)?;
/// assert_eq!(hits.len(), 1);
/// assert_eq!(hits[0].0, DocId(0));
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LshIndex {
    params: LshParams,
    bands: Vec<HashMap<u64, Bucket, RandomState>>,
    overflow: Vec<Vec<DocId>>,
    free_overflow: Vec<u32>,
    docs: HashMap<DocId, Entry, RandomState>,
    sketch_params: Option<Arc<SketchParams>>,
}

impl LshIndex {
    /// An empty index with the given banding.
    pub fn new(params: LshParams) -> Self {
        LshIndex {
            params,
            bands: (0..params.bands()).map(|_| HashMap::with_hasher(map_state())).collect(),
            overflow: Vec::new(),
            free_overflow: Vec::new(),
            docs: HashMap::with_hasher(map_state()),
            sketch_params: None,
        }
    }

    /// The banding.
    pub fn params(&self) -> LshParams {
        self.params
    }

    /// The number of documents in the index.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True when the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The signature stored for `id`.
    pub fn signature(&self, id: DocId) -> Option<&MinHashSignature> {
        self.docs.get(&id).map(|e| &e.signature)
    }

    /// The band keys of a signature: for each band, a hash of its r slots.
    fn band_keys(&self, sig: &MinHashSignature) -> Box<[u64]> {
        band_keys(self.params, sig)
    }

    fn check(&self, id: DocId, sig: &MinHashSignature) -> Result<()> {
        if id.0 >= OVERFLOW {
            return Err(Error::invalid(
                "id",
                format!("document ids must be below 2^31, got {}", id.0),
            ));
        }
        self.check_signature(sig)
    }

    fn check_signature(&self, sig: &MinHashSignature) -> Result<()> {
        if sig.len() < self.params.slots() {
            return Err(Error::invalid(
                "signature",
                format!("has {} slots, the banding needs {}", sig.len(), self.params.slots()),
            ));
        }
        if let Some(p) = &self.sketch_params {
            if !Arc::ptr_eq(p, sig.params_arc()) && **p != *sig.params() {
                return Err(Error::IncompatibleSketches { reason: p.difference(sig.params()) });
            }
        }
        Ok(())
    }

    /// Adds (or replaces) document `id`.
    ///
    /// # Errors
    ///
    /// [`Error::IncompatibleSketches`] when `signature` was made with other parameters
    /// than the signatures already in the index; [`Error::InvalidParameter`] when it is
    /// shorter than the banding needs or `id` is 2³¹ or more.
    pub fn insert(&mut self, id: DocId, signature: MinHashSignature) -> Result<()> {
        self.check(id, &signature)?;
        let keys = self.band_keys(&signature);
        self.insert_with_keys(id, signature, keys);
        Ok(())
    }

    fn insert_with_keys(&mut self, id: DocId, signature: MinHashSignature, keys: Box<[u64]>) {
        if self.docs.contains_key(&id) {
            self.remove(id);
        }
        if self.sketch_params.is_none() {
            self.sketch_params = Some(Arc::clone(signature.params_arc()));
        }
        for (band, &key) in keys.iter().enumerate() {
            let bucket = self.bands[band].get(&key).copied();
            let new = match bucket {
                None => Bucket(id.0),
                Some(Bucket(b)) if b & OVERFLOW != 0 => {
                    self.overflow[(b & !OVERFLOW) as usize].push(id);
                    continue;
                }
                Some(Bucket(single)) => {
                    let list = vec![DocId(single), id];
                    let slot = if let Some(slot) = self.free_overflow.pop() {
                        self.overflow[slot as usize] = list;
                        slot
                    } else {
                        self.overflow.push(list);
                        (self.overflow.len() - 1) as u32
                    };
                    Bucket(slot | OVERFLOW)
                }
            };
            self.bands[band].insert(key, new);
        }
        self.docs.insert(id, Entry { signature, keys });
    }

    /// Adds many documents, computing band keys on all cores. The index is the same as
    /// after inserting them one by one in order.
    ///
    /// # Errors
    ///
    /// As [`insert`](Self::insert); on error nothing is inserted.
    #[cfg(feature = "rayon")]
    pub fn par_insert_all(&mut self, docs: Vec<(DocId, MinHashSignature)>) -> Result<()> {
        use rayon::prelude::*;
        for (id, sig) in &docs {
            self.check(*id, sig)?;
            if self.sketch_params.is_none() {
                self.sketch_params = Some(Arc::clone(sig.params_arc()));
            }
        }
        let params = self.params;
        let keyed: Vec<_> = docs
            .into_par_iter()
            .map(|(id, sig)| {
                let keys = band_keys(params, &sig);
                (id, sig, keys)
            })
            .collect();
        for (id, sig, keys) in keyed {
            self.insert_with_keys(id, sig, keys);
        }
        Ok(())
    }

    /// Removes document `id`, returning its signature.
    pub fn remove(&mut self, id: DocId) -> Option<MinHashSignature> {
        let entry = self.docs.remove(&id)?;
        for (band, key) in entry.keys.iter().enumerate() {
            let Some(&Bucket(b)) = self.bands[band].get(key) else { continue };
            if b & OVERFLOW == 0 {
                if b == id.0 {
                    self.bands[band].remove(key);
                }
                continue;
            }
            let slot = (b & !OVERFLOW) as usize;
            let list = &mut self.overflow[slot];
            list.retain(|&d| d != id);
            if list.len() == 1 {
                let remaining = list[0];
                self.overflow[slot] = Vec::new();
                self.free_overflow.push(slot as u32);
                self.bands[band].insert(*key, Bucket(remaining.0));
            }
        }
        Some(entry.signature)
    }

    /// Documents sharing at least one band with `signature`, sorted by id.
    ///
    /// # Errors
    ///
    /// As [`insert`](Self::insert) for an incompatible signature.
    pub fn query(&self, signature: &MinHashSignature) -> Result<Vec<DocId>> {
        self.check_signature(signature)?;
        let keys = self.band_keys(signature);
        let mut out = Vec::new();
        for (band, key) in keys.iter().enumerate() {
            match self.bands[band].get(key) {
                None => {}
                Some(&Bucket(b)) if b & OVERFLOW != 0 => {
                    out.extend_from_slice(&self.overflow[(b & !OVERFLOW) as usize]);
                }
                Some(&Bucket(single)) => out.push(DocId(single)),
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// Candidates whose estimated Jaccard with `signature` is at least `threshold`,
    /// with that estimate, sorted by id.
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query).
    pub fn query_verified(
        &self,
        signature: &MinHashSignature,
        threshold: f64,
    ) -> Result<Vec<(DocId, f64)>> {
        Ok(self
            .query(signature)?
            .into_iter()
            .filter_map(|id| {
                let j = self.docs[&id].signature.jaccard_unchecked(signature);
                (j >= threshold).then_some((id, j))
            })
            .collect())
    }

    /// Every pair of documents that share a bucket, as (smaller id, larger id), sorted.
    pub fn candidate_pairs(&self) -> Vec<(DocId, DocId)> {
        let mut pairs = Vec::new();
        for list in &self.overflow {
            for (i, &a) in list.iter().enumerate() {
                for &b in &list[i + 1..] {
                    pairs.push(if a < b { (a, b) } else { (b, a) });
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    /// Approximate heap bytes held by the index (maps at their capacity, signatures,
    /// band keys and shared buckets).
    pub fn memory_usage(&self) -> usize {
        use std::mem::size_of;
        let map_entry = size_of::<u64>() + size_of::<Bucket>() + 1;
        let bands: usize = self.bands.iter().map(|m| m.capacity() * map_entry).sum();
        let overflow: usize = self.overflow.iter().map(|l| l.capacity() * 4 + 24).sum();
        let doc_entry = size_of::<DocId>() + size_of::<Entry>() + 1;
        let docs: usize = self.docs.capacity() * doc_entry
            + self.docs.values().map(|e| e.signature.len() * 4 + e.keys.len() * 8).sum::<usize>();
        bands + overflow + docs
    }
}

/// Candidate pairs of a whole corpus at once, without building an index: for each band,
/// documents with equal keys are grouped through a hash table. Empty signatures
/// (`None`) take no part. Returns (smaller id, larger id), sorted and deduplicated —
/// the same pairs as [`LshIndex::candidate_pairs`] after inserting every signature.
pub(crate) fn batch_candidate_pairs(
    params: LshParams,
    sigs: &[Option<&MinHashSignature>],
) -> Vec<(DocId, DocId)> {
    let keys = BandKeys::of(params, sigs, false);
    let mut groups = BandGroups::default();
    let mut pairs: Vec<(DocId, DocId)> =
        (0..params.bands()).flat_map(|band| groups.pairs(&keys, band)).collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// [`batch_candidate_pairs`] with bands spread over all cores.
#[cfg(feature = "rayon")]
pub(crate) fn par_batch_candidate_pairs(
    params: LshParams,
    sigs: &[Option<&MinHashSignature>],
) -> Vec<(DocId, DocId)> {
    use rayon::prelude::*;
    let keys = BandKeys::of(params, sigs, true);
    let mut pairs: Vec<(DocId, DocId)> = (0..params.bands())
        .into_par_iter()
        .map_init(BandGroups::default, |groups, band| groups.pairs(&keys, band))
        .flatten_iter()
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// The band keys of the documents with a signature, band after band, so that one
/// band's keys are contiguous.
struct BandKeys {
    /// The documents, in order.
    docs: Vec<u32>,
    /// Band `b` of document `docs[p]` is at `b * docs.len() + p`.
    keys: Vec<u64>,
}

impl BandKeys {
    /// The keys, computed a document at a time (its signature read once) for pieces of
    /// documents, on all cores when `parallel`.
    fn of(params: LshParams, sigs: &[Option<&MinHashSignature>], parallel: bool) -> BandKeys {
        const PIECE: usize = 1024;
        let docs: Vec<u32> = sigs
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|_| u32::try_from(i).expect("fewer than 2^32 documents")))
            .collect();
        let sigs: Vec<&MinHashSignature> = sigs.iter().filter_map(|s| *s).collect();
        let n = docs.len();
        let mut keys = vec![0; n * params.bands()];
        // For each piece of documents, its part of every band's column.
        let mut pieces: Vec<Vec<&mut [u64]>> = (0..n.div_ceil(PIECE)).map(|_| Vec::new()).collect();
        for column in keys.chunks_mut(n.max(1)) {
            for (piece, part) in pieces.iter_mut().zip(column.chunks_mut(PIECE)) {
                piece.push(part);
            }
        }
        let fill = |(k, mut columns): (usize, Vec<&mut [u64]>)| {
            let mut doc_keys = vec![0; params.bands()];
            for (p, sig) in sigs[k * PIECE..].iter().take(PIECE).enumerate() {
                band_keys_into(params, sig, &mut doc_keys);
                for (column, &key) in columns.iter_mut().zip(&doc_keys) {
                    column[p] = key;
                }
            }
        };
        #[cfg(feature = "rayon")]
        if parallel {
            use rayon::prelude::*;
            pieces.into_par_iter().enumerate().for_each(fill);
            return BandKeys { docs, keys };
        }
        let _ = parallel;
        pieces.into_iter().enumerate().for_each(fill);
        BandKeys { docs, keys }
    }

    fn band(&self, band: usize) -> &[u64] {
        let n = self.docs.len();
        &self.keys[band * n..(band + 1) * n]
    }
}

/// Groups one band's documents by key: a hash table from key to the latest document
/// with it, and a chain from each document to the previous one with the same key.
/// Finding SaudiNewsNet's candidates took 33 ms with a sort of each band's keys, 13 ms
/// this way (one thread, keys stored band after band too).
#[derive(Default)]
struct BandGroups {
    /// (high half of the key, latest document's position), or `EMPTY_SLOT`.
    slots: Vec<(u32, u32)>,
    /// For each position, the previous position with the same key, or `u32::MAX`.
    previous: Vec<u32>,
}

const EMPTY_SLOT: (u32, u32) = (0, u32::MAX);

impl BandGroups {
    /// The pairs of documents that share their key in `band`, earlier document first.
    fn pairs(&mut self, keys: &BandKeys, band: usize) -> Vec<(DocId, DocId)> {
        let column = keys.band(band);
        let size = (column.len() * 2).next_power_of_two().max(16);
        self.slots.clear();
        self.slots.resize(size, EMPTY_SLOT);
        self.previous.clear();
        self.previous.resize(column.len(), u32::MAX);
        let mut pairs = Vec::new();
        for (p, &key) in column.iter().enumerate() {
            // Band keys are `mix64` outputs: their low bits pick the slot.
            let mut slot = key as usize & (size - 1);
            let tag = (key >> 32) as u32;
            loop {
                let (t, latest) = self.slots[slot];
                if latest == u32::MAX {
                    self.slots[slot] = (tag, p as u32);
                    break;
                }
                if t == tag && column[latest as usize] == key {
                    let mut q = latest;
                    while q != u32::MAX {
                        pairs.push((DocId(keys.docs[q as usize]), DocId(keys.docs[p])));
                        q = self.previous[q as usize];
                    }
                    self.previous[p] = latest;
                    self.slots[slot].1 = p as u32;
                    break;
                }
                slot = (slot + 1) & (size - 1);
            }
        }
        pairs
    }
}

/// Separates band-key hashes from the other uses of `mix64`.
const BAND_SALT: u64 = 0x6c73_6862_616e_6473;

/// For each band, `mix64` folded over its r slots, seeded by the band index.
pub(crate) fn band_keys(params: LshParams, sig: &MinHashSignature) -> Box<[u64]> {
    let mut keys = vec![0; params.bands()].into_boxed_slice();
    band_keys_into(params, sig, &mut keys);
    keys
}

/// [`band_keys`] into `keys`.
#[inline]
fn band_keys_into(params: LshParams, sig: &MinHashSignature, keys: &mut [u64]) {
    for (band, (key, rows)) in keys.iter_mut().zip(sig.as_slice().chunks(params.rows())).enumerate()
    {
        *key = rows.iter().fold(band as u64, |h, &s| mix64(h ^ u64::from(s), BAND_SALT));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MinHasher;

    #[test]
    fn band_keys_are_each_bands_fold_laid_out_band_after_band() {
        let hasher = MinHasher::new(128, 3).unwrap();
        // More documents than one piece (1,024), and gaps without a signature.
        let sigs: Vec<MinHashSignature> =
            (0..2_500u64).map(|d| hasher.sketch(d * 50..d * 50 + 80)).collect();
        let refs: Vec<Option<&MinHashSignature>> =
            sigs.iter().enumerate().map(|(i, s)| (i % 7 != 3).then_some(s)).collect();
        for (bands, rows) in [(42, 3), (16, 8), (1, 128), (128, 1)] {
            let params = LshParams::new(bands, rows).unwrap();
            // The reference: each band folded on its own.
            let fold = |sig: &MinHashSignature, band: usize| {
                let rows = &sig.as_slice()[band * params.rows()..(band + 1) * params.rows()];
                rows.iter().fold(band as u64, |h, &s| mix64(h ^ u64::from(s), BAND_SALT))
            };
            for parallel in [false, true] {
                let keys = BandKeys::of(params, &refs, parallel);
                let with: Vec<&MinHashSignature> = refs.iter().filter_map(|s| *s).collect();
                assert_eq!(keys.docs.len(), with.len());
                for band in 0..bands {
                    let expected: Vec<u64> = with.iter().map(|s| fold(s, band)).collect();
                    assert_eq!(keys.band(band), expected, "{bands}x{rows} band {band}");
                }
                assert_eq!(keys.docs[3], 4, "the documents without a signature are left out");
            }
            assert_eq!(
                *band_keys(params, &sigs[0]),
                *(0..bands).map(|b| fold(&sigs[0], b)).collect::<Vec<_>>()
            );
        }
        assert!(BandKeys::of(LshParams::new(4, 32).unwrap(), &[None, None], true).keys.is_empty());
    }

    #[test]
    fn batch_pairs_equal_the_index_pairs() {
        let hasher = MinHasher::new(128, 1).unwrap();
        // 40 base sets and two perturbed copies of each, plus an empty one.
        let mut sigs = Vec::new();
        for b in 0..40u64 {
            for c in 0..3u64 {
                sigs.push(hasher.sketch(
                    (0..100).map(|i| if i % 10 == 0 { b * 1000 + i + c * 7 } else { b * 1000 + i }),
                ));
            }
        }
        sigs.push(hasher.sketch(std::iter::empty()));
        // Four identical sets: a group of four in every band, all six pairs.
        for _ in 0..4 {
            sigs.push(hasher.sketch(500_000..500_100));
        }
        let params = LshParams::for_threshold(0.5, 128).unwrap();
        let mut index = LshIndex::new(params);
        for (i, s) in sigs.iter().enumerate() {
            if !s.is_empty() {
                index.insert(DocId(i as u32), s.clone()).unwrap();
            }
        }
        let refs: Vec<Option<&MinHashSignature>> =
            sigs.iter().map(|s| (!s.is_empty()).then_some(s)).collect();
        let batch = batch_candidate_pairs(params, &refs);
        assert!(batch.len() >= 100);
        assert_eq!(batch, index.candidate_pairs());
        let last = sigs.len() as u32;
        let four: Vec<_> = batch.iter().filter(|&&(a, _)| a.0 >= last - 4).collect();
        assert_eq!(four.len(), 6, "{four:?}");
        #[cfg(feature = "rayon")]
        assert_eq!(par_batch_candidate_pairs(params, &refs), batch);
    }
}
