//! nuskha (نسخة, "a copy") finds near-duplicate news articles — the same story
//! republished, lightly edited, by several outlets — with Arabic first.
//!
//! # Overview
//!
//! The pipeline has one module per stage:
//!
//! - [`normalize`]: [`ArabicNormalizer`] folds the spelling variants of Arabic (and
//!   Latin) text so that copies hash alike; [`Normalize`] is the extension point.
//! - [`tokenize`]: [`words`] splits normalised text into words.
//! - [`shingle`]: [`Shingler`] turns normalised text into hashed word or character
//!   n-grams; exact [`jaccard`](shingle::jaccard) and
//!   [`containment`](shingle::containment) on shingle sets.
//! - [`minhash`]: [`MinHasher`] makes [`MinHashSignature`]s (one-permutation hashing
//!   with optimal densification) that estimate Jaccard and containment.
//! - [`simhash`]: [`SimHasher`] makes 64-bit [`SimHash`] fingerprints.
//! - [`sketch`]: [`Sketcher`] runs normalise → shingle → MinHash (→ SimHash) in one call
//!   and stamps each [`Sketch`] with its [`SketchParams`].
//! - [`compare`]: [`Sketcher::compare`] puts two documents side by side.
//! - [`hash`]: the stable, seeded hashes everything above is built on.
//!
//! # Example: normalise, then tokenise
//!
//! ```
//! use nuskha::{ArabicNormalizer, Normalize, words};
//!
//! let norm = ArabicNormalizer::new();
//! // Two spellings of "foreign affairs officials" (Egyptian and Levantine hamza carriers).
//! let a = norm.normalize("مسئولو الشئون الخارجية");
//! let b = norm.normalize("مسؤولو الشؤون الخارجيّة");
//! assert_eq!(a, b);
//! assert_eq!(words(&a).collect::<Vec<_>>(), ["مسءولو", "الشءون", "الخارجيه"]);
//! ```
//!
//! # Example: sketches estimate similarity
//!
//! ```
//! use nuskha::Sketcher;
//!
//! let sketcher = Sketcher::new(); // word 5-shingles, K = 128, "dedup-default v1"
//! let wire = "أعلنت وزارة الصحة اليوم تسجيل ١٢ إصابة جديدة بفيروس كورونا في المنطقة الشرقية وأكدت أن الحالات مستقرة";
//! let copy = "اعلنت وزارة الصحة اليوم تسجيل 12 اصابة جديدة بفيروس كورونا في المنطقة الشرقية واكدت ان الحالات مستقرة وتتلقى العلاج";
//! let (a, b) = (sketcher.sketch(wire), sketcher.sketch(copy));
//! assert!(a.jaccard(&b)? > 0.6);
//! assert!(a.containment(&b)? > 0.8);
//! # Ok::<(), nuskha::Error>(())
//! ```
//!
//! # Stability
//!
//! Every value that can reach a signature, a file or a test expectation is computed
//! with specified, seeded, platform-independent hashes (XXH3-64 and `MurmurHash3`'s
//! finaliser; see [`hash`]): the same text, parameters and seed give the same
//! signature on every machine, thread count and run. Golden tests pin them.
//!
//! # The normalisation profile "dedup-default v1"
//!
//! NFKC first (presentation forms, lam-alef ligatures, fullwidth forms), then one pass
//! over a character table: Arabic marks, tatweel, format/bidi and control characters
//! are deleted (a tatweel run between two digits becomes a space); the alef group
//! becomes ا, the hamza carriers ؤ ئ become ء, ى becomes ي, ة becomes ه, Persian and
//! Urdu look-alikes become their Arabic letters, Arabic-Indic digits become ASCII,
//! Arabic punctuation, quotes and dashes become ASCII; every whitespace becomes one
//! space, runs collapse and the ends are trimmed; Latin is lowercased. The profile is
//! idempotent and never panics. See [`ArabicNormalizerBuilder`] for the options.
//!
//! # Crate features
//!
//! - `rayon` (default): parallel `par_*` twins of the batch APIs.
//! - `serde`: `Serialize`/`Deserialize` on parameters and results.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod cluster;
pub mod compare;
mod corpus;
pub mod dedup;
mod error;
pub mod hash;
pub mod lsh;
pub mod minhash;
pub mod normalize;
pub mod shingle;
pub mod simhash;
pub mod sketch;
pub mod tokenize;

pub use cluster::{Cluster, ClusterMode, Clusters, Member, cluster_pairs};
pub use compare::{Comparison, SharedPassage};
pub use corpus::DocId;
pub use dedup::{
    Added, Algorithm, Boilerplate, DedupIndex, Deduplicator, DeduplicatorBuilder, Representative,
    Verification,
};
pub use error::{Error, Result};
pub use lsh::{LshIndex, LshParams, SimHashIndex};
pub use minhash::{MinHashAlgorithm, MinHashScratch, MinHashSignature, MinHasher};
pub use normalize::{
    ArabicNormalizer, ArabicNormalizerBuilder, DEFAULT_PROFILE, Normalize, decode_lossy,
};
pub use shingle::{ShingleUnit, Shingler, Shingles};
pub use simhash::{FeatureWeight, SimHash, SimHasher, TermFrequency};
pub use sketch::{
    DEFAULT_NUM_PERM, DEFAULT_SEED, Shingling, Sketch, SketchParams, SketchScratch, Sketcher,
    SketcherBuilder,
};
pub use tokenize::{Words, words};

#[cfg(test)]
mod tests;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(test)]
mod oibits {
    use super::*;
    use std::panic::{RefUnwindSafe, UnwindSafe};

    fn assert_all<T: Send + Sync + UnwindSafe + RefUnwindSafe>() {}
    fn assert_send_sync<T: Send + Sync + ?Sized>() {}

    #[test]
    fn public_types_are_send_sync() {
        assert_all::<ArabicNormalizer>();
        assert_all::<MinHasher>();
        assert_all::<MinHashSignature>();
        assert_all::<Shingler>();
        assert_all::<Shingles<'static>>();
        assert_all::<SimHasher>();
        assert_all::<Sketch>();
        assert_send_sync::<Sketcher>();
        assert_all::<ArabicNormalizerBuilder>();
        assert_all::<Words<'static>>();
        assert_send_sync::<dyn Normalize>();
        assert_send_sync::<Error>();
    }
}
