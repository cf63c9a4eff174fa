//! The front door: texts in, clusters of copies out.
//!
//! [`Deduplicator`] runs every stage — normalise, shingle, drop boilerplate, sketch,
//! find candidates with LSH, verify them, cluster — with parameters validated once by
//! its builder. [`Deduplicator::cluster`] and [`Deduplicator::par_cluster`] work on a
//! whole corpus and give identical output; [`DedupIndex`] takes one article at a time
//! (a live feed) and, given statistics learned from past articles
//! ([`Deduplicator::learn`] → [`Deduplicator::index_with`]), gives the same clusters as
//! the batch call on the same input.
//!
//! One file per concern: `builder.rs` validates and derives the parameters,
//! `article.rs` holds the per-article records every stage passes on, `stats.rs` the
//! corpus statistics and boilerplate, `verify.rs` the verifier that confirms
//! candidates (with `align.rs`, the word tiling of the aligned-copy rule), `pipeline.rs` the tail both drivers share (verified edges → clusters →
//! representatives), `batch.rs` and `index.rs` the two drivers.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::Error;
use crate::cluster::{ClusterMode, Clusters};
use crate::lsh::{LshParams, SimHashIndex};
use crate::minhash::MinHasher;
use crate::sketch::{Sketcher, with_thread_scratch};

mod align;
mod article;
mod batch;
mod builder;
mod index;
mod pipeline;
mod rare;
mod record;
mod scale;
mod stats;
mod verify;

pub use crate::cluster::{Match, MatchKind};
pub use article::ShingledArticle;
pub use batch::Batch;
pub use builder::DeduplicatorBuilder;
pub use index::{Added, ArticleRecord, DedupIndex, Expired, Found};
pub use scale::{ArticleParts, CorpusContext};
pub use stats::CorpusStats;

use stats::FingerprintSet;
use verify::Verifier;

/// The default Jaccard threshold (see the crate docs for how it was chosen).
pub const DEFAULT_THRESHOLD: f64 = 0.5;
/// The default containment threshold: a shorter article at least this much inside a
/// longer one is a copy of it.
pub const DEFAULT_CONTAINMENT: f64 = 0.8;
/// The similarity LSH searches at, at most, when the edited-copy rule is on (with its
/// rare-shingle search or without) and containment counts: 25 bands of 2 rows, so that a pair
/// at Jaccard 0.25 is a candidate 8 times in 10 (at 0.24, the containment search
/// alone, 42 bands of 3 rows: half the time). Chosen on the dev set's `tune` split;
/// the README's "What the defaults trade" has the figures.
pub const EDITED_SEARCH_THRESHOLD: f64 = 0.21;
/// The default minimum length, in words, of an article that can be matched.
pub const DEFAULT_MIN_WORDS: usize = 10;
/// The default cap on the text of one article that is matched: 1 MiB (about 90,000
/// Arabic words; the longest article of SaudiNewsNet and ANT, 38 KB, is 27 times
/// shorter). Past
/// it, an article is matched on its first 1 MiB, so that no one input (a 100 MB line
/// once took 1.4 GB) costs more than about 15 MB to shingle.
pub const DEFAULT_MAX_ARTICLE_BYTES: usize = 1 << 20;

/// How a candidate pair is confirmed.
///
/// # Examples
///
/// ```
/// use nuskha::Verification;
///
/// assert_eq!("exact".parse::<Verification>()?, Verification::Exact);
/// assert_eq!(Verification::Estimated.to_string(), "estimated");
/// # Ok::<(), nuskha::Error>(())
/// ```
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

crate::util::option_names! {
    /// `"estimated"` or `"exact"`.
    Verification, "verification", "verification",
    Estimated => "estimated",
    Exact => "exact",
}

/// Which sketch finds candidates.
///
/// # Examples
///
/// ```
/// use nuskha::Algorithm;
///
/// assert_eq!(Algorithm::MinHash.to_string(), "minhash");
/// assert_eq!(Algorithm::SimHash { max_distance: 3 }.to_string(), "simhash");
/// ```
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

/// The algorithm's name, without its parameters: `"minhash"` or `"simhash"`.
impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Algorithm::MinHash => "minhash",
            Algorithm::SimHash { .. } => "simhash",
        })
    }
}

/// `minhash`, `simhash` (at most 3 bits apart) or `simhash:N` (at most `N` bits).
///
/// # Examples
///
/// ```
/// use nuskha::Algorithm;
///
/// assert_eq!("minhash".parse::<Algorithm>()?, Algorithm::MinHash);
/// assert_eq!("simhash".parse::<Algorithm>()?, Algorithm::SimHash { max_distance: 3 });
/// assert_eq!("simhash:5".parse::<Algorithm>()?, Algorithm::SimHash { max_distance: 5 });
/// assert!("simhash:9".parse::<Algorithm>().is_err());
/// # Ok::<(), nuskha::Error>(())
/// ```
impl FromStr for Algorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let (name, distance) = match s.split_once(':') {
            Some((name, d)) => (name, Some(d)),
            None => (s, None),
        };
        match (name, distance) {
            ("minhash", None) => Ok(Algorithm::MinHash),
            ("simhash", None) => Ok(Algorithm::SimHash { max_distance: DEFAULT_MAX_DISTANCE }),
            ("simhash", Some(d)) => {
                let max_distance = d.parse::<u32>().map_err(|_| {
                    Error::invalid("max_distance", format!("`{d}` is not a number"))
                })?;
                // The block tables say which distances they support.
                SimHashIndex::new(max_distance)?;
                Ok(Algorithm::SimHash { max_distance })
            }
            _ => Err(Error::invalid(
                "algorithm",
                format!("unknown algorithm `{s}` (use minhash, simhash or simhash:N)"),
            )),
        }
    }
}

/// The default largest SimHash distance counted as a copy.
pub const DEFAULT_MAX_DISTANCE: u32 = 3;

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

/// Boilerplate learned per outlet, for articles whose source is known
/// ([`Batch::set_source`]): a shingle found in more than `max(min_docs, fraction × the
/// outlet's articles)` of one outlet's articles is boilerplate in that outlet's
/// articles, on top of the corpus-wide [`Boilerplate`] rule.
///
/// Site chrome (a menu, a footer, a "read more" block, a poll widget) is in most of
/// one site's pages but too few of a large corpus's for the corpus-wide rule: in a
/// crawl of a million pages, a shingle must be in 5,000 of them before it counts.
/// Learned in batches only; a live [`DedupIndex`] applies the corpus-wide rule alone.
/// Off when [`Boilerplate::Off`] is.
///
/// On a corpus without such chrome it changes little: SaudiNewsNet and ANT are
/// article bodies without their pages. On SaudiNewsNet the default finds one outlet's
/// boilerplate, the Saudi Press Agency's dateline ("الرياض 25 شوال 1436 هـ", in 36–39
/// of its 369 cables); no cluster changes, 17 similarity scores move (29 with the
/// edited-copy rule), and the dev-set scores are the same. ANT's output is identical.
/// The counting costs a pass over the shingle sets: a run on SaudiNewsNet with its
/// sources read took 1.03 times as long (paired runs, `benches/README.md`).
///
/// # Examples
///
/// ```
/// use nuskha::{Deduplicator, SourceBoilerplate};
///
/// let dedup = Deduplicator::builder()
///     .source_boilerplate(Some(SourceBoilerplate { min_docs: 20, fraction: 0.1 }))
///     .build()?;
/// assert_eq!(dedup.source_boilerplate().map(|b| b.min_docs), Some(20));
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SourceBoilerplate {
    /// Never boilerplate when in this many of the outlet's articles or fewer (default
    /// 10; at least 8, the statistics' exact floor). An outlet running one story a
    /// dozen times in a batch is rare; a site's footer on a dozen pages is not.
    pub min_docs: usize,
    /// The share of the outlet's articles above which a shingle is its boilerplate
    /// (default 0.05).
    pub fraction: f64,
}

impl Default for SourceBoilerplate {
    fn default() -> Self {
        SourceBoilerplate { min_docs: 10, fraction: 0.05 }
    }
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

/// The edited-copy rule, on by default ([`DeduplicatorBuilder::edited_copies`]): finds
/// copies that an editor has reworked — a new lead, the dateline or honorifics dropped,
/// the text cut short, extended, or merged into a round-up — whose word 5-shingle
/// Jaccard (0.05–0.5) is below any safe threshold.
///
/// S is the article of the pair with fewer distinct 5-shingles (after boilerplate
/// removal; ties: fewer distinct words, then the earlier article), L the other. The
/// pair is a copy ([`MatchKind::Edited`]) when the mean of
///
/// - the share of S's distinct words that are in L, and
/// - the share of S's distinct word bigrams that are in L,
///
/// reaches `min_overlap`, and the share of S's *distinctive* 5-shingles (those in at
/// most `distinctive_docs` articles of the corpus) that are in L reaches
/// `min_distinctive` — a check skipped when S has fewer than
/// `min_distinctive_shingles` of them. Words carry the rewording, the distinctive
/// shingles keep out template texts (two cables that differ only in a name share their
/// words, not their rare shingles).
///
/// Candidates are the LSH pairs and, with [`rare_search`](Self::rare_search) (off by
/// default), the pairs that share enough of a sample of the rare shingles
/// ([`RareSearch`]). Each article in a candidate pair also gets its distinct word and
/// word-bigram fingerprints (4 bytes each), made from its words once the candidates
/// are known. Chosen on the `tune` split of the labelled dev set. Best with
/// [`ClusterMode::Average`] (the default with the rule): on the `report` split the
/// clusters then score weighted precision 0.997 and recall 0.76 (LSH searching at
/// [`EDITED_SEARCH_THRESHOLD`]), 0.96 and 0.88 with the rare search, against 0.96 and
/// 0.34 without the rule (`benches/README.md`).
///
/// # Examples
///
/// ```
/// use nuskha::{Deduplicator, EditedCopies};
///
/// let dedup = Deduplicator::builder().edited_copies(Some(EditedCopies::default())).build()?;
/// assert_eq!(dedup.edited_copies().map(|e| e.min_overlap), Some(0.6));
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EditedCopies {
    /// The mean of the word and word-bigram containments a copy needs (default 0.60).
    pub min_overlap: f64,
    /// The share of the shorter article's distinctive shingles that must be in the
    /// longer one (default 0.22).
    pub min_distinctive: f64,
    /// A shingle in at most this many articles is distinctive, and with the rare
    /// search a shared one counts towards a candidate (default 20; at least 8, the
    /// statistics' exact floor).
    pub distinctive_docs: u32,
    /// Distinctive shingles the shorter article needs for their check to apply
    /// (default 8).
    pub min_distinctive_shingles: usize,
    /// The rare-shingle candidate search, on top of LSH's candidates (default `None`,
    /// off: it takes 1.2 times the time, and the defaults keep `dedup` 3× faster than
    /// a careful gaoya program; `dedup --edited` turns on [`RareSearch::THOROUGH`], and
    /// `--edited=light` [`RareSearch::LIGHT`], which costs less).
    pub rare_search: Option<RareSearch>,
}

/// The edited-copy rule's own candidates ([`EditedCopies::rare_search`]): pairs of
/// articles that share at least `min_shared` shingles found in
/// 2..=[`distinctive_docs`](EditedCopies::distinctive_docs) articles, among one shingle
/// in `sample`. Edited copies share too few shingles for LSH to pair them at any
/// practical banding, but dozens of rare ones.
///
/// The sample is chosen by fingerprint (its top log₂ `sample` bits zero), so it is the
/// same shingles in every article. On SaudiNewsNet one in four, three of them shared,
/// found the copies of the dev set's `tune` split that all the rare shingles (seven
/// shared) found, with 0.9 of the candidates and a quarter of the search's memory
/// (`benches/README.md`).
///
/// # Examples
///
/// ```
/// use nuskha::{Deduplicator, EditedCopies, RareSearch};
///
/// let every = RareSearch { min_shared: 7, sample: 1 };
/// let rule = EditedCopies { rare_search: Some(every), ..EditedCopies::default() };
/// let dedup = Deduplicator::builder().edited_copies(Some(rule)).build()?;
/// assert_eq!(dedup.edited_copies().and_then(|e| e.rare_search), Some(every));
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RareSearch {
    /// Shared sampled rare shingles that make a pair a candidate (default 3).
    pub min_shared: usize,
    /// One shingle in this many is read: a power of two up to 2¹⁶ (default 4; 1 reads
    /// them all).
    pub sample: u32,
}

impl RareSearch {
    /// `dedup --edited`'s search (the default): one shingle in four, three of them
    /// shared. With it the rule finds 0.90 of the dev set's `tune` copies (weighted),
    /// in about 1.2 times the defaults' time.
    pub const THOROUGH: RareSearch = RareSearch { min_shared: 3, sample: 4 };

    /// A lighter search: one shingle in 32, two of them shared. With LSH searching wide
    /// ([`EDITED_SEARCH_THRESHOLD`], as with any search) the rule then finds 0.88 of the
    /// dev set's `tune` copies at precision 0.985 and 0.86 of `report`'s at 0.980,
    /// against the defaults' 0.82 at 0.986 and 0.76 at 0.997, in 1.07 times their time
    /// on SaudiNewsNet (7.6% more instructions): past the defaults' speed limit, so an
    /// option (`dedup --edited=light`; `benches/README.md`, "A sparse rare search with
    /// LSH searching wide").
    ///
    /// # Examples
    ///
    /// ```
    /// use nuskha::{Deduplicator, EditedCopies, RareSearch};
    ///
    /// let rule = EditedCopies { rare_search: Some(RareSearch::LIGHT), ..EditedCopies::default() };
    /// let dedup = Deduplicator::builder().edited_copies(Some(rule)).build()?;
    /// assert_eq!(dedup.edited_copies().and_then(|e| e.rare_search), Some(RareSearch::LIGHT));
    /// # Ok::<(), nuskha::Error>(())
    /// ```
    pub const LIGHT: RareSearch = RareSearch { min_shared: 2, sample: 32 };
}

impl Default for RareSearch {
    /// [`RareSearch::THOROUGH`].
    fn default() -> Self {
        RareSearch::THOROUGH
    }
}

impl EditedCopies {
    /// The rare-shingle search, when on, with the most articles a rare shingle is in.
    pub(super) fn rare_search_within(&self) -> Option<(u32, RareSearch)> {
        Some((self.distinctive_docs, self.rare_search?))
    }
}

impl RareSearch {
    /// Whether the search reads shingle `fp`: the top log₂(`sample`) bits of its
    /// fingerprint are zero.
    #[inline]
    pub(super) fn reads(&self, fp: u32) -> bool {
        u64::from(fp) >> (32 - self.sample.ilog2()) == 0
    }

    /// Moves the shingles of `set` the search [`reads`](Self::reads) to its front (the
    /// others' order changes too): how many there are.
    pub(super) fn read_first(&self, set: &mut [u32]) -> usize {
        let mut read = 0;
        for i in 0..set.len() {
            if self.reads(set[i]) {
                set.swap(read, i);
                read += 1;
            }
        }
        read
    }
}

impl Default for EditedCopies {
    fn default() -> Self {
        EditedCopies {
            min_overlap: 0.60,
            min_distinctive: 0.22,
            distinctive_docs: 20,
            min_distinctive_shingles: 8,
            rare_search: None,
        }
    }
}

/// The aligned-copy rule, off by default ([`DeduplicatorBuilder::aligned_copies`]; it
/// needs [`EditedCopies`], whose candidates and distinctive-shingle check it shares):
/// finds heavy rewrites — an agency story rewritten by a newspaper, its clauses
/// reordered and a word changed every few — that keep too few word pairs for the
/// edited-copy rule.
///
/// S and L are the edited-copy rule's. A candidate pair that neither Jaccard,
/// containment nor the edited-copy rule makes a copy is one
/// ([`MatchKind::Aligned`]) when the runs of at least `min_run` words that S and L
/// share, laid as tiles by greedy string tiling (Wise 1996: the longest shared run
/// first, no word of either text in two tiles), cover at least `min_coverage` of
/// S's words, and S's distinctive shingles pass the edited-copy rule's check (which
/// keeps out template texts: two congratulation cables share long runs of template
/// wording, not their rare shingles). Tiles, unlike a longest common subsequence, do
/// not care in which order the runs come.
///
/// Each article then also keeps its words in order, as 4-byte fingerprints (its
/// first [4,096](Self::MAX_WORDS), the part aligned): 15 MB on SaudiNewsNet's 13,259
/// articles, a quarter more memory than `--edited` alone. Only candidates the other rules reject are
/// aligned, and only when enough of S's words are in L for the coverage to be
/// reached.
///
/// # Examples
///
/// ```
/// use nuskha::{AlignedCopies, Deduplicator, EditedCopies};
///
/// let dedup = Deduplicator::builder()
///     .edited_copies(Some(EditedCopies::default()))
///     .aligned_copies(Some(AlignedCopies::default()))
///     .build()?;
/// assert_eq!(dedup.aligned_copies(), Some(AlignedCopies::default()));
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AlignedCopies {
    /// The shortest run of shared words, in the same order, laid as a tile (default
    /// 2; at least 2: single words are the edited-copy rule's).
    pub min_run: usize,
    /// The share of the shorter article's words the tiles must cover (default 0.6).
    pub min_coverage: f64,
}

impl AlignedCopies {
    /// The words of an article that are aligned at most: its first 4,096 (the longest
    /// article of SaudiNewsNet and ANT has 3,643). Tiling news text takes about a step
    /// a word; the cap bounds a pair made to be hard (two words in random order, a
    /// shared run on every eighth pair of positions) at about a second.
    pub const MAX_WORDS: usize = align::MAX_ALIGNED_WORDS;
}

impl Default for AlignedCopies {
    fn default() -> Self {
        AlignedCopies { min_run: 2, min_coverage: 0.6 }
    }
}

/// Which member stands for a cluster.
///
/// # Examples
///
/// ```
/// use nuskha::Representative;
///
/// assert_eq!("longest".parse::<Representative>()?, Representative::Longest);
/// assert_eq!(Representative::First.to_string(), "first");
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum Representative {
    /// The first in input order (in star mode, the centre). The default.
    #[default]
    First,
    /// The longest text (ties: the first).
    Longest,
}

crate::util::option_names! {
    /// `"first"` or `"longest"`.
    Representative, "representative", "representative",
    First => "first",
    Longest => "longest",
}

/// What the verifier sees in one pair of texts ([`Deduplicator::verdict`]).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Verdict {
    /// Jaccard similarity of their shingles: estimated from the signatures, or exact
    /// with [`Verification::Exact`].
    pub jaccard: f64,
    /// How much of the shorter one's shingles are in the longer one's (estimated or
    /// exact, as `jaccard`).
    pub containment: f64,
    /// The SimHash distance, when SimHash finds the candidates.
    pub simhash_distance: Option<u32>,
    /// With [`EditedCopies`]: the share of the shorter text's distinct words that are
    /// in the other.
    pub word_containment: Option<f64>,
    /// With [`EditedCopies`]: the same for distinct word bigrams.
    pub bigram_containment: Option<f64>,
    /// With [`EditedCopies`]: the share of the shorter text's distinctive shingles in
    /// the other; `None` when it has fewer than
    /// [`min_distinctive_shingles`](EditedCopies::min_distinctive_shingles) (the check
    /// is skipped). With no corpus behind a verdict every shingle counts as
    /// distinctive.
    pub distinctive_containment: Option<f64>,
    /// With [`AlignedCopies`]: the share of the shorter text's words that the tiles of
    /// shared runs cover.
    pub aligned_coverage: Option<f64>,
    /// Whether each text is too short to be matched.
    pub too_short: (bool, bool),
    /// The match that makes them copies; `None` when they are not.
    pub matched: Option<Match>,
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
    lsh: LshParams,
    verifier: Verifier,
    boilerplate: Boilerplate,
    source_boilerplate: Option<SourceBoilerplate>,
    min_words: usize,
    max_article_bytes: usize,
    mode: ClusterMode,
    link_density: f64,
    representative: Representative,
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
        self.verifier.threshold()
    }

    /// The containment threshold, if containment matches are on.
    pub fn containment(&self) -> Option<f64> {
        self.verifier.containment()
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

    /// The link density average linkage merges groups at.
    pub fn link_density(&self) -> f64 {
        self.link_density
    }

    /// The verification.
    pub fn verification(&self) -> Verification {
        self.verifier.verification()
    }

    /// The candidate algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.verifier.algorithm()
    }

    /// The per-outlet boilerplate rule, if it is on.
    pub fn source_boilerplate(&self) -> Option<SourceBoilerplate> {
        self.source_boilerplate
    }

    /// The edited-copy rule, if it is on.
    pub fn edited_copies(&self) -> Option<EditedCopies> {
        self.verifier.edited()
    }

    /// The aligned-copy rule, if it is on.
    pub fn aligned_copies(&self) -> Option<AlignedCopies> {
        self.verifier.aligned()
    }

    /// The minimum length in words of an article that can be matched.
    pub fn min_words(&self) -> usize {
        self.min_words
    }

    /// How much of an article's text is matched: its first this many bytes (see
    /// [`DeduplicatorBuilder::max_article_bytes`]).
    pub fn max_article_bytes(&self) -> usize {
        self.max_article_bytes
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
        ShingledArticle::new(self, shingled)
    }

    /// How the verifier judges two texts at these settings, as if the candidate search
    /// had paired them: the scores it compares with its thresholds, and the [`Match`]
    /// that makes them copies, if one does. No corpus is behind it, so boilerplate
    /// removal and the template guard (which learn from one) do not apply; a text
    /// shorter than [`min_words`](DeduplicatorBuilder::min_words) matches nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use nuskha::{Deduplicator, MatchKind};
    ///
    /// let dedup = Deduplicator::new();
    /// let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج";
    /// let v = dedup.verdict(story, &format!("{story} هذا العام"));
    /// assert_eq!(v.matched.expect("a copy").kind, MatchKind::Jaccard);
    /// let v = dedup.verdict(story, "ارتفعت أسعار النفط في الأسواق العالمية اليوم بعد قرار أوبك خفض الإنتاج");
    /// assert!(v.matched.is_none() && v.jaccard < 0.1);
    /// ```
    pub fn verdict(&self, a: &str, b: &str) -> Verdict {
        with_thread_scratch(|scratch| {
            let (x, y) = (self.shingle_set(a, scratch), self.shingle_set(b, scratch));
            let too_short = (x.short, y.short);
            let none = FingerprintSet::default();
            let mut x = self.sketch_set(x, &none, None, &mut scratch.minhash);
            let mut y = self.sketch_set(y, &none, None, &mut scratch.minhash);
            self.make_verifiable(&mut x, &mut scratch.sort);
            self.make_verifiable(&mut y, &mut scratch.sort);
            let scores = self.verifier.scores(&x, &y, &CorpusStats::default());
            let matched = if too_short.0 || too_short.1 {
                None
            } else {
                self.verifier.verify(&x, &y, &CorpusStats::default())
            };
            Verdict {
                jaccard: scores.jaccard,
                containment: scores.containment,
                simhash_distance: scores.simhash_distance,
                word_containment: scores.edited.map(|e| e.words),
                bigram_containment: scores.edited.map(|e| e.bigrams),
                distinctive_containment: scores.edited.and_then(|e| e.distinctive),
                aligned_coverage: scores.aligned,
                too_short,
                matched,
            }
        })
    }

    /// Learns the corpus statistics (shingle document frequencies) of `texts`, for a
    /// live feed that should remove boilerplate and guard against templates as the
    /// batch call does: see [`index_with`](Self::index_with).
    ///
    /// # Examples
    ///
    /// ```
    /// use nuskha::Deduplicator;
    ///
    /// let dedup = Deduplicator::new();
    /// let stats = dedup.learn(&["مقال أول", "مقال ثان"]);
    /// assert_eq!(stats.docs(), 2);
    /// ```
    pub fn learn<S: AsRef<str>>(&self, texts: &[S]) -> Arc<CorpusStats> {
        let mut batch = self.batch();
        batch.extend(texts);
        Arc::new(batch.stats())
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
        Batch::new(self)
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
        let mut batch = self.batch();
        batch.par_extend_owned(texts);
        batch.par_cluster()
    }

    /// Whether `other` is this deduplicator or a clone of it (their sketches agree).
    pub(super) fn is_clone_of(&self, other: &Deduplicator) -> bool {
        Arc::ptr_eq(self.minhasher.params_arc(), other.minhasher.params_arc())
    }

    /// The boilerplate shingles of `stats` under this deduplicator's rule.
    fn boilerplate_of(&self, stats: &CorpusStats) -> FingerprintSet {
        stats.boilerplate(&self.boilerplate)
    }
}

impl Default for Deduplicator {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_names_round_trip() {
        for v in [Verification::Estimated, Verification::Exact] {
            assert_eq!(v.to_string().parse::<Verification>().unwrap(), v);
        }
        for r in [Representative::First, Representative::Longest] {
            assert_eq!(r.to_string().parse::<Representative>().unwrap(), r);
        }
        let err = "Exact".parse::<Verification>().unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid parameter `verification`: unknown verification `Exact` (use estimated or exact)"
        );
        assert!("".parse::<Representative>().is_err());
    }
}
