//! Stages 1–3 in one call: text → normalised text → shingles → MinHash (+ SimHash).
//!
//! [`Sketcher`] owns the normaliser, the shingler and the hashers, and stamps every
//! signature with the [`SketchParams`] that made it, so that sketches made with
//! different settings are never compared by mistake.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

pub use crate::minhash::SketchParams;
use crate::minhash::{MinHashAlgorithm, MinHashScratch, MinHashSignature, MinHasher};
use crate::normalize::{ArabicNormalizer, Normalize};
use crate::normalize::{Shape, WordBreaks};
pub use crate::shingle::Shingling;
use crate::shingle::{ShingleUnit, Shingler};
use crate::simhash::{SimHash, SimHasher};
use crate::util::SortScratch;
use crate::{Error, Result};

/// The default seed of every hash (the bytes of "nuskha").
pub const DEFAULT_SEED: u64 = 0x6e75_736b_6861;
/// The default number of MinHash slots.
pub const DEFAULT_NUM_PERM: usize = 128;
/// The default shingle unit (see [`Sketcher`] for how it was chosen).
pub const DEFAULT_SHINGLE_UNIT: ShingleUnit = ShingleUnit::Words;
/// The default shingle size.
pub const DEFAULT_SHINGLE_SIZE: usize = 5;

/// The sketches of one document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sketch {
    minhash: MinHashSignature,
    simhash: Option<SimHash>,
}

impl Sketch {
    /// The MinHash signature.
    pub fn minhash(&self) -> &MinHashSignature {
        &self.minhash
    }

    /// The SimHash fingerprint of the document's words, weighted by term frequency
    /// (Manku et al. 2007), when the sketcher was built with [`SketcherBuilder::simhash`]:
    /// the same fingerprint [`Algorithm::SimHash`](crate::Algorithm::SimHash) judges
    /// copies by.
    pub fn simhash(&self) -> Option<SimHash> {
        self.simhash
    }

    /// Estimated Jaccard similarity with `other`.
    ///
    /// # Errors
    ///
    /// [`Error::IncompatibleSketches`] when the sketches were made differently.
    pub fn jaccard(&self, other: &Sketch) -> Result<f64> {
        self.minhash.jaccard(&other.minhash)
    }

    /// Estimated containment of this document's shingles in `other`'s.
    ///
    /// # Errors
    ///
    /// [`Error::IncompatibleSketches`] when the sketches were made differently.
    pub fn containment(&self, other: &Sketch) -> Result<f64> {
        self.minhash.containment(&other.minhash)
    }

    /// SimHash Hamming distance to `other`.
    ///
    /// # Errors
    ///
    /// [`Error::IncompatibleSketches`] when the sketches were made differently or
    /// without SimHash.
    pub fn hamming(&self, other: &Sketch) -> Result<u32> {
        self.minhash.check_compatible(&other.minhash)?;
        match (self.simhash, other.simhash) {
            (Some(a), Some(b)) => Ok(a.hamming(b)),
            _ => Err(Error::IncompatibleSketches {
                reason: "made without SimHash (enable SketcherBuilder::simhash)".into(),
            }),
        }
    }
}

/// Runs `f` with this thread's sketching buffers, kept from call to call.
///
/// For the parallel calls and for [`Deduplicator::shingle`](crate::Deduplicator::shingle),
/// called from any thread: rayon's `map_init` starts empty buffers for every piece of
/// work it splits off, and growing them again each time cost two threads 15% of a
/// `dedup` run. The buffers stay as large as the largest article a thread has seen.
pub(crate) fn with_thread_scratch<R>(f: impl FnOnce(&mut SketchScratch) -> R) -> R {
    thread_local! {
        static SCRATCH: std::cell::RefCell<SketchScratch> = std::cell::RefCell::default();
    }
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        // Only if `f` were to reach this again on the same thread.
        Err(_) => f(&mut SketchScratch::default()),
    })
}

/// Reusable buffers for [`Sketcher::sketch_with`]: one per thread in batch work.
#[derive(Debug, Clone, Default)]
pub struct SketchScratch {
    /// The normalised text, as UTF-8 bytes (see `normalize_into_bounded`).
    pub(crate) text: Vec<u8>,
    /// A custom normaliser's output, before it is copied to `text`.
    custom: String,
    /// Offsets of the word separators in `text`, when the normaliser knows them.
    pub(crate) bounds: WordBreaks,
    /// Word hashes and shingle hashes of the current document.
    pub(crate) words: Vec<u64>,
    pub(crate) shingles: Vec<u64>,
    pub(crate) minhash: MinHashScratch,
    /// For the sets the deduplicator keeps sorted from the start.
    pub(crate) sort: SortScratch,
}

/// Text in, sketches out: normalise, shingle, MinHash and SimHash in one pass.
///
/// The defaults are word 5-shingles, K = 128 one-permutation MinHash slots, seed
/// [`DEFAULT_SEED`] and the "dedup-default v1" normaliser. Word 5-shingles were chosen
/// by measurement (`cargo bench --bench shingle_choice`, table in `benches/README.md`):
/// they put the seed hajj copies far above, and unrelated articles far below, one
/// threshold, with the widest gap of the units tried.
///
/// # Examples
///
/// ```
/// use nuskha::Sketcher;
///
/// let sketcher = Sketcher::new();
/// let a = sketcher.sketch("أعلنت وزارة الصحة اليوم عن تسجيل ١٢ إصابة جديدة في المنطقة الشرقية");
/// let b = sketcher.sketch("اعلنت وزارة الصحة اليوم عن تسجيل 12 اصابة جديدة في المنطقة الشرقية");
/// assert_eq!(a.jaccard(&b)?, 1.0); // the same text after normalisation
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Clone)]
pub struct Sketcher {
    normalizer: Normalizer,
    shingler: Shingler,
    minhasher: MinHasher,
    simhasher: Option<SimHasher>,
}

/// The sketcher's normaliser: the built-in one is called directly, so that it can tell
/// the tokeniser when the text is plain ASCII and Arabic letters.
// One per sketcher, so the inline table costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum Normalizer {
    Arabic(ArabicNormalizer),
    Custom(Arc<dyn Normalize>),
}

impl Normalizer {
    fn as_dyn(&self) -> &dyn Normalize {
        match self {
            Normalizer::Arabic(n) => n,
            Normalizer::Custom(n) => &**n,
        }
    }
}

impl fmt::Debug for Sketcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sketcher").field("params", self.params()).finish_non_exhaustive()
    }
}

impl Default for Sketcher {
    fn default() -> Self {
        Self::new()
    }
}

impl Sketcher {
    /// The default sketcher.
    ///
    /// # Panics
    ///
    /// Never: the default parameters are valid (a unit test builds them).
    pub fn new() -> Self {
        SketcherBuilder::default().build().expect("default parameters are valid")
    }

    /// A builder for other settings.
    pub fn builder() -> SketcherBuilder {
        SketcherBuilder::default()
    }

    /// The parameters every sketch of this sketcher carries.
    pub fn params(&self) -> &SketchParams {
        self.minhasher.params()
    }

    /// The shingler.
    pub fn shingler(&self) -> &Shingler {
        &self.shingler
    }

    /// The normaliser.
    pub fn normalizer(&self) -> &dyn Normalize {
        self.normalizer.as_dyn()
    }

    /// The normalised form of `text`, its runs of page code cut first
    /// ([`strip_code`](crate::strip_code)): what is shingled.
    pub fn normalize<'t>(&self, text: &'t str) -> Cow<'t, str> {
        match crate::strip_code(text) {
            Cow::Borrowed(text) => self.normalizer.as_dyn().normalize(text),
            Cow::Owned(text) => Cow::Owned(self.normalizer.as_dyn().normalize(&text).into_owned()),
        }
    }

    /// The sorted distinct shingle hashes of `text` (normalised here): the set on which
    /// exact Jaccard is defined.
    pub fn shingle_set(&self, text: &str) -> Vec<u64> {
        self.shingler.shingle_set(&self.normalize(text))
    }

    /// The MinHasher.
    pub fn minhasher(&self) -> &MinHasher {
        &self.minhasher
    }

    /// Normalises `text` (its page code cut, as [`normalize`](Self::normalize) does)
    /// into `scratch` and shingles it into `scratch.shingles`.
    pub(crate) fn shingle_into(&self, text: &str, scratch: &mut SketchScratch) {
        let text = &*crate::strip_code(text);
        let shape = match &self.normalizer {
            Normalizer::Arabic(n) => {
                n.normalize_into_bounded(text, &mut scratch.text, &mut scratch.bounds)
            }
            Normalizer::Custom(n) => {
                n.normalize_into(text, &mut scratch.custom);
                scratch.text.clear();
                scratch.text.extend_from_slice(scratch.custom.as_bytes());
                Shape::General
            }
        };
        self.shingler.shingles_into(
            &scratch.text,
            shape,
            scratch.bounds.as_slice(),
            &mut scratch.words,
            &mut scratch.shingles,
        );
    }

    /// This sketcher with SimHash on (the parameters are the same).
    pub(crate) fn with_simhash(&self) -> Sketcher {
        let mut s = self.clone();
        s.simhasher = Some(SimHasher::new(self.params().seed()));
        s
    }

    /// The sketches of `text`.
    pub fn sketch(&self, text: &str) -> Sketch {
        self.sketch_with(text, &mut SketchScratch::default())
    }

    /// As [`sketch`](Self::sketch), reusing `scratch`.
    pub fn sketch_with(&self, text: &str, scratch: &mut SketchScratch) -> Sketch {
        self.shingle_into(text, scratch);
        let minhash =
            self.minhasher.sketch_with(scratch.shingles.iter().copied(), &mut scratch.minhash);
        let simhash = self.simhasher.map(|simhasher| Sketcher::simhash_of(simhasher, scratch));
        Sketch { minhash, simhash }
    }

    /// The SimHash of the text [`shingle_into`](Self::shingle_into) left in `scratch`:
    /// its words, each hashed as word shingles hash them and weighted by term
    /// frequency. The one definition, for [`Sketch::simhash`] and the deduplicator.
    /// Shingling has hashed the words already, whatever the unit.
    pub(crate) fn simhash_of(simhasher: SimHasher, scratch: &SketchScratch) -> SimHash {
        simhasher.sketch(scratch.words.iter().copied())
    }

    /// The SimHasher, when SimHash is on.
    pub(crate) fn simhasher(&self) -> Option<SimHasher> {
        self.simhasher
    }

    /// The sketches of many texts, in order.
    pub fn sketch_all<S: AsRef<str>>(&self, texts: &[S]) -> Vec<Sketch> {
        let mut scratch = SketchScratch::default();
        texts.iter().map(|t| self.sketch_with(t.as_ref(), &mut scratch)).collect()
    }

    /// [`sketch_all`](Self::sketch_all) on all cores; the output is identical.
    #[cfg(feature = "rayon")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_sketch_all<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Sketch> {
        use rayon::prelude::*;
        texts
            .par_iter()
            .map(|t| with_thread_scratch(|scratch| self.sketch_with(t.as_ref(), scratch)))
            .collect()
    }
}

/// Builds a [`Sketcher`]; every setter documents its default.
#[derive(Clone)]
pub struct SketcherBuilder {
    shingling: Shingling,
    num_perm: usize,
    seed: u64,
    algorithm: MinHashAlgorithm,
    normalizer: Option<Normalizer>,
    simhash: bool,
}

impl fmt::Debug for SketcherBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SketcherBuilder")
            .field("shingling", &self.shingling)
            .field("num_perm", &self.num_perm)
            .field("seed", &self.seed)
            .field("algorithm", &self.algorithm)
            .field("simhash", &self.simhash)
            .finish_non_exhaustive()
    }
}

impl Default for SketcherBuilder {
    fn default() -> Self {
        SketcherBuilder {
            shingling: Shingling { unit: DEFAULT_SHINGLE_UNIT, size: DEFAULT_SHINGLE_SIZE },
            num_perm: DEFAULT_NUM_PERM,
            seed: DEFAULT_SEED,
            algorithm: MinHashAlgorithm::default(),
            normalizer: None,
            simhash: false,
        }
    }
}

impl SketcherBuilder {
    /// Shingle unit and size (default: words, 5).
    pub fn shingles(&mut self, unit: ShingleUnit, size: usize) -> &mut Self {
        self.shingling = Shingling { unit, size };
        self
    }

    /// Number of MinHash slots, K (default 128). The estimate's standard deviation is
    /// √(J(1−J)/K): about 0.035 at J = 0.8 with K = 128.
    pub fn num_perm(&mut self, num_perm: usize) -> &mut Self {
        self.num_perm = num_perm;
        self
    }

    /// The seed of every hash (default [`DEFAULT_SEED`]).
    pub fn seed(&mut self, seed: u64) -> &mut Self {
        self.seed = seed;
        self
    }

    /// The MinHash algorithm (default one-permutation hashing with densification).
    pub fn algorithm(&mut self, algorithm: MinHashAlgorithm) -> &mut Self {
        self.algorithm = algorithm;
        self
    }

    /// The normaliser (default [`ArabicNormalizer::new`], profile "dedup-default v1").
    /// An [`ArabicNormalizer`] given here keeps its fast path, as with
    /// [`arabic_normalizer`](Self::arabic_normalizer).
    pub fn normalizer(&mut self, normalizer: impl Normalize + 'static) -> &mut Self {
        let any: &dyn std::any::Any = &normalizer;
        self.normalizer = Some(match any.downcast_ref::<ArabicNormalizer>() {
            Some(arabic) => Normalizer::Arabic(arabic.clone()),
            None => Normalizer::Custom(Arc::new(normalizer)),
        });
        self
    }

    /// An [`ArabicNormalizer`] with options (default [`ArabicNormalizer::new`]); faster
    /// than passing it to [`normalizer`](Self::normalizer).
    pub fn arabic_normalizer(&mut self, normalizer: ArabicNormalizer) -> &mut Self {
        self.normalizer = Some(Normalizer::Arabic(normalizer));
        self
    }

    /// Also compute a SimHash fingerprint of the words, weighted by term frequency
    /// (default: off).
    pub fn simhash(&mut self, yes: bool) -> &mut Self {
        self.simhash = yes;
        self
    }

    /// Builds the sketcher.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a shingle size outside
    /// 1..=[`MAX_SHINGLE_SIZE`](crate::shingle::MAX_SHINGLE_SIZE) (checked by
    /// [`Shingler::new`]) or a `num_perm` outside 1..=65536.
    pub fn build(&self) -> Result<Sketcher> {
        let normalizer =
            self.normalizer.clone().unwrap_or_else(|| Normalizer::Arabic(ArabicNormalizer::new()));
        let shingler = Shingler::new(self.shingling.unit, self.shingling.size, self.seed)?;
        let mut params =
            crate::minhash::SketchParams::new(self.num_perm, self.seed, self.algorithm)?;
        params.set_source(self.shingling, normalizer.as_dyn().profile().into_owned());
        Ok(Sketcher {
            normalizer,
            shingler,
            minhasher: MinHasher::with_params(params),
            simhasher: self.simhash.then(|| SimHasher::new(self.seed)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sketches_of_different_settings_do_not_compare() {
        let a = Sketcher::new().sketch("a b c d e f");
        let words3 = Sketcher::builder().shingles(ShingleUnit::Words, 3).build().unwrap();
        let b = words3.sketch("a b c d e f");
        let err = a.jaccard(&b).unwrap_err().to_string();
        assert!(err.contains("words:5 vs words:3"), "{err}");
        let custom = Sketcher::builder()
            .normalizer(ArabicNormalizer::builder().keep_ta_marbuta(true).build())
            .build()
            .unwrap();
        let err = a.jaccard(&custom.sketch("a b c d e f")).unwrap_err().to_string();
        assert!(err.contains("keep_ta_marbuta"), "{err}");
    }

    #[test]
    fn invalid_settings_are_errors() {
        assert!(Sketcher::builder().num_perm(0).build().is_err());
        assert!(Sketcher::builder().shingles(ShingleUnit::Chars, 0).build().is_err());
    }
}
