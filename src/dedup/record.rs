//! The layout of a [`Sketched`] article in an [`ArticleRecord`](super::ArticleRecord):
//! what a persistent index keeps instead of the text. Little-endian:
//!
//! ```text
//! u8  version (2; in 1 the bigrams were fingerprinted from the words' 64-bit hashes,
//!     so a version-1 record is refused: its bigrams would not compare)
//! u8  flags: 1 too short, 2 SimHash, 4 shingle set, 8 words and bigrams, 16 boilerplate,
//!     32 words in order
//! u64 length of the text in bytes
//! u32 distinct shingles the signature summarises
//! u32 K, then K × u32 slots
//! [u64 SimHash]
//! [u32 n, then n × u32 shingle fingerprints, ascending]
//! [u32 n, n × u32 word fingerprints; u32 m, m × u32 bigram fingerprints, ascending]
//! [u32 n, n × u32 fingerprints left out as boilerplate on arrival, ascending]
//! [u32 n, n × u32 word fingerprints in text order]
//! ```
//!
//! Reading checks everything against the deduplicator that will use it: K, which
//! parts are present, the order of each set, the length; a record that fails is
//! refused, never used.

use crate::util::ByteReader;

use super::Deduplicator;
use super::article::{Sketched, Vocabulary};

const VERSION: u8 = 2;
const SHORT: u8 = 1;
const SIMHASH: u8 = 2;
const SET: u8 = 4;
const VOCABULARY: u8 = 8;
const BOILERPLATE: u8 = 16;
const SEQUENCE: u8 = 32;

fn put_u32s(out: &mut Vec<u8>, values: &[u32]) {
    out.extend_from_slice(&(values.len() as u32).to_le_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// The bytes of `s` (sets sorted), too short or not, with the shingles left out as
/// `boilerplate` on arrival (sorted; kept only when there are some).
pub(super) fn encode(s: &Sketched, short: bool, boilerplate: &[u32]) -> Vec<u8> {
    let slots = s.signature.as_slice();
    let set_len = s.set.as_ref().map_or(0, Vec::len);
    let mut out = Vec::with_capacity(26 + 4 * (slots.len() + set_len));
    out.push(VERSION);
    let mut flags = 0;
    if short {
        flags |= SHORT;
    }
    if s.simhash.is_some() {
        flags |= SIMHASH;
    }
    if s.set.is_some() {
        flags |= SET;
    }
    if s.vocabulary.is_some() {
        flags |= VOCABULARY;
    }
    if !boilerplate.is_empty() {
        flags |= BOILERPLATE;
    }
    let sequence = s.vocabulary.as_ref().map(|v| &v.sequence).filter(|q| !q.is_empty());
    if sequence.is_some() {
        flags |= SEQUENCE;
    }
    out.push(flags);
    out.extend_from_slice(&(s.len as u64).to_le_bytes());
    out.extend_from_slice(&(s.signature.set_size() as u32).to_le_bytes());
    put_u32s(&mut out, slots);
    if let Some(fp) = s.simhash {
        out.extend_from_slice(&fp.bits().to_le_bytes());
    }
    if let Some(set) = &s.set {
        put_u32s(&mut out, set);
    }
    if let Some(v) = &s.vocabulary {
        put_u32s(&mut out, &v.words);
        put_u32s(&mut out, &v.bigrams);
    }
    if !boilerplate.is_empty() {
        put_u32s(&mut out, boilerplate);
    }
    if let Some(sequence) = sequence {
        put_u32s(&mut out, sequence);
    }
    out
}

/// The text length and shortness a record's bytes give, if they begin as a record.
pub(super) fn peek(bytes: &[u8]) -> Option<(usize, bool)> {
    let mut r = ByteReader::new(bytes);
    (r.u8()? == VERSION).then_some(())?;
    let flags = r.u8()?;
    Some((usize::try_from(r.u64()?).ok()?, flags & SHORT != 0))
}

fn ascending(values: &[u32]) -> bool {
    values.windows(2).all(|w| w[0] < w[1])
}

fn u32s(r: &mut ByteReader<'_>) -> Result<Vec<u32>, String> {
    let n = r.u32().ok_or("cut short")? as usize;
    let values = r.u32s(n).ok_or("cut short")?;
    if ascending(&values) { Ok(values) } else { Err("a set out of order".into()) }
}

/// The sketch `bytes` hold, checked against `dedup`, whether it is too short, and the
/// shingles left out as boilerplate on arrival.
pub(super) fn decode(
    bytes: &[u8],
    dedup: &Deduplicator,
) -> Result<(Sketched, bool, Vec<u32>), String> {
    let mut r = ByteReader::new(bytes);
    match r.u8() {
        Some(VERSION) => {}
        Some(v) => return Err(format!("sketch layout {v}, not {VERSION}")),
        None => return Err("empty sketch".into()),
    }
    let flags = r.u8().ok_or("cut short")?;
    let short = flags & SHORT != 0;
    let len = usize::try_from(r.u64().ok_or("cut short")?).map_err(|_| "too long")?;
    let set_size = r.u32().ok_or("cut short")?;
    let k = r.u32().ok_or("cut short")? as usize;
    if k != dedup.minhasher.num_perm() {
        return Err(format!("{k} MinHash slots, the index has {}", dedup.minhasher.num_perm()));
    }
    let slots = r.u32s(k).ok_or("cut short")?.into_boxed_slice();
    // What the deduplicator makes, part by part: anything else was made by another.
    let expected = (if dedup.sketcher.simhasher().is_some() && !short { SIMHASH } else { 0 })
        | (if dedup.verifier.keeps_sets() { SET } else { 0 })
        | (if dedup.verifier.edited().is_some() && !short { VOCABULARY } else { 0 });
    let aligned = dedup.verifier.aligned().is_some();
    if flags & !(SHORT | BOILERPLATE | SEQUENCE) != expected
        || (flags & SEQUENCE != 0 && !(aligned && flags & VOCABULARY != 0))
        || flags & !(SHORT | SIMHASH | SET | VOCABULARY | BOILERPLATE | SEQUENCE) != 0
        || (flags & BOILERPLATE != 0 && flags & SET == 0)
    {
        return Err("made with other parameters (its parts differ)".into());
    }
    let simhash = if flags & SIMHASH != 0 {
        Some(crate::simhash::SimHash::new(r.u64().ok_or("cut short")?))
    } else {
        None
    };
    let set = if flags & SET != 0 { Some(u32s(&mut r)?) } else { None };
    if set.as_ref().is_some_and(|s| s.len() != set_size as usize) {
        return Err("its set and signature disagree".into());
    }
    if short && set_size != 0 {
        return Err("too short, yet with shingles".into());
    }
    let mut vocabulary = if flags & VOCABULARY != 0 {
        let words = u32s(&mut r)?;
        let bigrams = u32s(&mut r)?;
        Some(Box::new(Vocabulary { words, bigrams, sequence: Box::default() }))
    } else {
        None
    };
    let boilerplate = if flags & BOILERPLATE != 0 { u32s(&mut r)? } else { Vec::new() };
    if flags & BOILERPLATE != 0 && boilerplate.is_empty() {
        return Err("an empty boilerplate list".into());
    }
    if flags & SEQUENCE != 0 {
        let n = r.u32().ok_or("cut short")? as usize;
        let sequence = r.u32s(n).ok_or("cut short")?;
        if sequence.is_empty() || sequence.len() > super::align::MAX_ALIGNED_WORDS {
            return Err("a word sequence of a length no article has".into());
        }
        if let Some(v) = &mut vocabulary {
            v.sequence = sequence.into_boxed_slice();
        }
    }
    // An article with words has them in order when the aligned-copy rule is on.
    if aligned && vocabulary.as_ref().is_some_and(|v| !v.words.is_empty() && v.sequence.is_empty())
    {
        return Err("made with other parameters (its parts differ)".into());
    }
    if r.remaining() != 0 {
        return Err("bytes past its end".into());
    }
    let signature = dedup.minhasher.signature_of(slots, set_size);
    let frequencies = None;
    Ok((
        Sketched { signature, simhash, set, words: None, vocabulary, frequencies, len },
        short,
        boilerplate,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::stats::FingerprintSet;
    use crate::{Algorithm, EditedCopies, Verification};

    fn deduplicators() -> Vec<Deduplicator> {
        let mut all = vec![Deduplicator::new()];
        let mut b = Deduplicator::builder();
        b.edited_copies(None);
        all.push(b.build().unwrap());
        let mut b = Deduplicator::builder();
        b.edited_copies(Some(EditedCopies::default()))
            .aligned_copies(Some(crate::AlignedCopies::default()));
        all.push(b.build().unwrap());
        let mut b = Deduplicator::builder();
        b.algorithm(Algorithm::SimHash { max_distance: 3 }).template_guard(None);
        all.push(b.build().unwrap());
        let mut b = Deduplicator::builder();
        b.template_guard(None).verification(Verification::Estimated).num_perm(64);
        all.push(b.build().unwrap());
        all
    }

    #[test]
    fn a_sketch_reads_back_as_it_was_and_nothing_else_is_taken() {
        let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني \
                     القاصدين الديار المقدسة لأداء فريضة الحج، والأمن الوطني يودعهم";
        for dedup in deduplicators() {
            for text in [story, "خبر قصير"] {
                let mut scratch = crate::sketch::SketchScratch::default();
                let shingled = dedup.shingle_set(text, &mut scratch);
                let short = shingled.short;
                let mut s = dedup.sketch_set(
                    shingled,
                    &FingerprintSet::default(),
                    None,
                    &mut scratch.minhash,
                );
                dedup.make_verifiable(&mut s, &mut scratch.sort);
                let left_out: &[u32] =
                    if short || s.set.is_none() { &[] } else { &[3, 9, 1 << 30] };
                let bytes = encode(&s, short, left_out);
                let (back, short_back, left_back) = decode(&bytes, &dedup).unwrap();
                assert_eq!(short_back, short);
                assert_eq!(left_back, left_out);
                assert_eq!(back.signature, s.signature);
                assert_eq!(
                    (back.simhash, &back.set, &back.vocabulary),
                    (s.simhash, &s.set, &s.vocabulary)
                );
                assert_eq!(back.len, s.len);
                assert_eq!(peek(&bytes), Some((text.len(), short)));
                // Cut anywhere, or with a byte more: refused.
                for cut in 0..bytes.len() {
                    assert!(decode(&bytes[..cut], &dedup).is_err(), "cut at {cut}");
                }
                let mut longer = bytes.clone();
                longer.push(0);
                assert!(decode(&longer, &dedup).is_err());
                // Read by a deduplicator that makes other parts or another K: refused.
                for other in deduplicators() {
                    let same = other.minhasher.num_perm() == dedup.minhasher.num_perm()
                        && other.verifier.keeps_sets() == dedup.verifier.keeps_sets()
                        && (short
                            || (other.verifier.edited().is_some()
                                == dedup.verifier.edited().is_some()
                                && other.verifier.aligned().is_some()
                                    == dedup.verifier.aligned().is_some()
                                && other.sketcher.simhasher().is_some()
                                    == dedup.sketcher.simhasher().is_some()));
                    assert_eq!(decode(&bytes, &other).is_ok(), same);
                }
            }
        }
    }
}
