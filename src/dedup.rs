//! The front door: texts in, clusters of copies out.
//!
//! [`Deduplicator`] runs every stage — normalise, shingle, drop boilerplate, sketch,
//! find candidates with LSH, verify them, cluster — with parameters validated once by
//! its builder. [`Deduplicator::cluster`] and [`Deduplicator::par_cluster`] work on a
//! whole corpus and give identical output; [`DedupIndex`] takes one article at a time
//! (a live feed) and gives the same clusters as the batch call on the same input.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::cluster::{ClusterMode, Clusters, StarBuilder, UnionFind, cluster_pairs};
use crate::corpus::DocId;
use crate::hash::hash_bytes;
use crate::lsh::{FixedState, LshIndex, LshParams, SimHashIndex};
use crate::minhash::{MinHashScratch, MinHashSignature, MinHasher, containment_from_jaccard};
use crate::shingle::{ShingleUnit, containment, jaccard};
use crate::simhash::{SimHash, SimHasher};
use crate::sketch::{DEFAULT_NUM_PERM, DEFAULT_SEED, Sketcher};
use crate::tokenize::words;
use crate::{ArabicNormalizer, Error, Result};

/// The default Jaccard threshold (see the crate docs for how it was chosen).
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// How a candidate pair is confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Verification {
    /// Estimated Jaccard (and containment) from the MinHash signatures: no extra
    /// memory, error ≈ √(J(1−J)/K).
    #[default]
    Estimated,
    /// Exact Jaccard (and containment) on the stored shingle sets: exact scores, costs
    /// 8 bytes per distinct shingle per document.
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
    /// A fixed, sorted list of shingle hashes, e.g. learned from a corpus by
    /// [`Deduplicator::learn_boilerplate`] and reused for a live feed.
    Fixed(Arc<[u64]>),
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
    mode: ClusterMode,
    representative: Representative,
}

/// One article's shingles, before boilerplate removal.
#[derive(Debug, Clone)]
struct Shingled {
    set: Vec<u64>,
    simhash: Option<SimHash>,
    len: usize,
}

/// The sketch of one article, as the index keeps it.
#[derive(Debug, Clone)]
struct Sketched {
    signature: MinHashSignature,
    simhash: Option<SimHash>,
    /// The shingle set, kept for exact verification.
    set: Option<Vec<u64>>,
    /// Length of the raw text, for the `Longest` representative.
    len: usize,
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

    /// The shingle sets of `texts` (normalised), each sorted and deduplicated.
    fn shingle_sets<S: AsRef<str>>(&self, texts: &[S]) -> Vec<Shingled> {
        let mut buf = String::new();
        texts.iter().map(|t| self.shingle_set(t.as_ref(), &mut buf)).collect()
    }

    fn shingle_set(&self, text: &str, buf: &mut String) -> Shingled {
        let plain = self.sketcher.normalize_into_plain(text, buf);
        let mut set: Vec<u64> = self.sketcher.shingler().shingles_of(buf, plain).collect();
        set.sort_unstable();
        set.dedup();
        // SimHash works on words weighted by frequency (Manku et al.): shingles would
        // put light copies 10+ bits apart.
        let simhash = matches!(self.algorithm, Algorithm::SimHash { .. }).then(|| {
            let seed = self.sketcher.params().seed();
            SimHasher::new(seed).sketch(words(buf).map(|w| hash_bytes(w.as_bytes(), seed)))
        });
        Shingled { set, simhash, len: text.len() }
    }

    /// The boilerplate shingles of a corpus under this deduplicator's rule (empty when
    /// boilerplate removal is off). Pass them to a live feed with
    /// [`Boilerplate::Fixed`] so that it sketches as the batch call does.
    pub fn learn_boilerplate<S: AsRef<str>>(&self, texts: &[S]) -> Arc<[u64]> {
        let sets = self.shingle_sets(texts);
        let mut list: Vec<u64> = self.boilerplate_of(&sets).into_iter().collect();
        list.sort_unstable();
        list.into()
    }

    fn boilerplate_of(&self, sets: &[Shingled]) -> HashSet<u64, FixedState> {
        let (min_docs, fraction) = match &self.boilerplate {
            Boilerplate::Off => return HashSet::default(),
            Boilerplate::Fixed(list) => return list.iter().copied().collect(),
            Boilerplate::Auto => (20, 0.005),
            Boilerplate::MaxDocs { min_docs, fraction } => (*min_docs, *fraction),
        };
        // `fraction` is validated to [0, 1], so the product is a small non-negative count.
        #[allow(clippy::cast_sign_loss)]
        let limit = min_docs.max((fraction * sets.len() as f64) as usize);
        let mut df: HashMap<u64, u32, FixedState> = HashMap::default();
        for s in sets {
            for &h in &s.set {
                *df.entry(h).or_insert(0) += 1;
            }
        }
        df.into_iter().filter(|&(_, n)| n as usize > limit).map(|(h, _)| h).collect()
    }

    /// Sketches one article from its shingle set, boilerplate removed.
    fn sketch_set(
        &self,
        shingled: Shingled,
        boilerplate: &HashSet<u64, FixedState>,
        scratch: &mut MinHashScratch,
    ) -> Sketched {
        let Shingled { mut set, simhash, len } = shingled;
        if !boilerplate.is_empty() {
            set.retain(|h| !boilerplate.contains(h));
        }
        let signature = self.minhasher.sketch_with(set.iter().copied(), scratch);
        let set = (self.verification == Verification::Exact).then_some(set);
        Sketched { signature, simhash, set, len }
    }

    /// The similarity of two sketched articles if they match, else `None`.
    fn verify(&self, a: &Sketched, b: &Sketched) -> Option<f64> {
        if let (Algorithm::SimHash { max_distance }, Some(x), Some(y)) =
            (self.algorithm, a.simhash, b.simhash)
        {
            let d = x.hamming(y);
            return (d <= max_distance && !a.signature.is_empty() && !b.signature.is_empty())
                .then(|| 1.0 - f64::from(d) / 64.0);
        }
        let (j, c) = match (&a.set, &b.set) {
            (Some(x), Some(y)) => {
                let c = if x.len() <= y.len() { containment(x, y) } else { containment(y, x) };
                (jaccard(x, y), c)
            }
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
            return Some(j);
        }
        match self.containment {
            Some(t) if c >= t => Some(c),
            _ => None,
        }
    }

    /// Clusters `texts`; article `i` is `DocId(i)`.
    ///
    /// # Panics
    ///
    /// With more than 2³¹ texts.
    pub fn cluster<S: AsRef<str>>(&self, texts: &[S]) -> Clusters {
        let sets = self.shingle_sets(texts);
        let boilerplate = self.boilerplate_of(&sets);
        let mut scratch = MinHashScratch::default();
        let sketched: Vec<Sketched> =
            sets.into_iter().map(|s| self.sketch_set(s, &boilerplate, &mut scratch)).collect();
        let pairs = self.candidates(&sketched);
        let edges: Vec<(DocId, DocId, f64)> = pairs
            .into_iter()
            .filter_map(|(a, b)| {
                self.verify(&sketched[a.index()], &sketched[b.index()]).map(|s| (a, b, s))
            })
            .collect();
        self.finish(&sketched, &edges)
    }

    /// [`cluster`](Self::cluster) on all cores; the output is identical.
    ///
    /// # Panics
    ///
    /// With more than 2³¹ texts.
    #[cfg(feature = "rayon")]
    pub fn par_cluster<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Clusters {
        use rayon::prelude::*;
        let sets: Vec<Shingled> = texts
            .par_iter()
            .map_init(String::new, |buf, t| self.shingle_set(t.as_ref(), buf))
            .collect();
        let boilerplate = self.boilerplate_of(&sets);
        let sketched: Vec<Sketched> = sets
            .into_par_iter()
            .map_init(MinHashScratch::default, |scratch, s| {
                self.sketch_set(s, &boilerplate, scratch)
            })
            .collect();
        let pairs = self.candidates(&sketched);
        let edges: Vec<(DocId, DocId, f64)> = pairs
            .into_par_iter()
            .filter_map(|(a, b)| {
                self.verify(&sketched[a.index()], &sketched[b.index()]).map(|s| (a, b, s))
            })
            .collect();
        self.finish(&sketched, &edges)
    }

    /// Candidate pairs (smaller id first), sorted.
    fn candidates(&self, sketched: &[Sketched]) -> Vec<(DocId, DocId)> {
        let id = |i: usize| DocId(u32::try_from(i).expect("fewer than 2^31 articles"));
        match self.algorithm {
            Algorithm::MinHash => {
                let mut index = LshIndex::new(self.lsh);
                for (i, s) in sketched.iter().enumerate() {
                    if !s.signature.is_empty() {
                        index
                            .insert(id(i), s.signature.clone())
                            .expect("signatures of one deduplicator are compatible");
                    }
                }
                index.candidate_pairs()
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

    fn finish(&self, sketched: &[Sketched], edges: &[(DocId, DocId, f64)]) -> Clusters {
        let mut clusters = cluster_pairs(sketched.len(), edges, self.mode);
        if self.representative == Representative::Longest {
            clusters.choose_representatives(|id| std::cmp::Reverse(sketched[id.index()].len));
        }
        clusters
    }

    /// An empty index for a live feed, with boilerplate fixed to `boilerplate` (use
    /// [`learn_boilerplate`](Self::learn_boilerplate) on a past corpus, or an empty set).
    pub fn index_with_boilerplate(&self, boilerplate: &[u64]) -> DedupIndex {
        DedupIndex {
            dedup: self.clone(),
            boilerplate: boilerplate.iter().copied().collect(),
            lsh: LshIndex::new(self.lsh),
            simhash: match self.algorithm {
                Algorithm::SimHash { max_distance } => SimHashIndex::new(max_distance).ok(),
                Algorithm::MinHash => None,
            },
            sketched: Vec::new(),
            star: StarBuilder::default(),
            components: UnionFind::new(0),
            scratch: MinHashScratch::default(),
            buf: String::new(),
        }
    }

    /// An empty index for a live feed. With [`Boilerplate::Fixed`] it removes that set;
    /// otherwise it removes nothing (a feed has no corpus to learn from up front).
    pub fn index(&self) -> DedupIndex {
        match &self.boilerplate {
            Boilerplate::Fixed(list) => self.index_with_boilerplate(list),
            _ => self.index_with_boilerplate(&[]),
        }
    }
}

impl Default for Deduplicator {
    fn default() -> Self {
        Self::new()
    }
}

/// An incremental deduplicator for a live feed: add articles one at a time and get
/// each one's matches and cluster at once.
///
/// Given the same boilerplate set, it ends with the same clusters as
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
    boilerplate: HashSet<u64, FixedState>,
    lsh: LshIndex,
    simhash: Option<SimHashIndex>,
    sketched: Vec<Sketched>,
    star: StarBuilder,
    components: UnionFind,
    scratch: MinHashScratch,
    buf: String,
}

impl DedupIndex {
    /// Adds the next article.
    ///
    /// # Panics
    ///
    /// After 2³¹ articles.
    pub fn add(&mut self, text: &str) -> Added {
        let id = DocId(u32::try_from(self.sketched.len()).expect("fewer than 2^31 articles"));
        let shingled = self.dedup.shingle_set(text, &mut self.buf);
        let s = self.dedup.sketch_set(shingled, &self.boilerplate, &mut self.scratch);
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
        let matches: Vec<(DocId, f64)> = candidates
            .into_iter()
            .filter_map(|d| self.dedup.verify(&self.sketched[d.index()], &s).map(|x| (d, x)))
            .collect();
        self.sketched.push(s);
        let representative = match self.dedup.mode {
            ClusterMode::Star => {
                let c = self.star.push(&matches);
                self.star.cluster(c).representative()
            }
            ClusterMode::Components => {
                let me = self.components.push();
                for &(d, _) in &matches {
                    self.components.union(me, d.index());
                }
                // The first member of a component is its smallest id.
                let root = self.components.find(me);
                DocId((0..=me).find(|&i| self.components.find(i) == root).unwrap_or(me) as u32)
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
                // Rebuild from the matches recorded so far.
                let mut edges = Vec::new();
                let n = self.sketched.len();
                let mut index = LshIndex::new(self.dedup.lsh);
                for (i, s) in self.sketched.iter().enumerate() {
                    if !s.signature.is_empty() {
                        let _ = index.insert(DocId(i as u32), s.signature.clone());
                    }
                }
                let pairs = match self.dedup.algorithm {
                    Algorithm::MinHash => index.candidate_pairs(),
                    Algorithm::SimHash { .. } => self.dedup.candidates(&self.sketched),
                };
                for (a, b) in pairs {
                    if let Some(s) =
                        self.dedup.verify(&self.sketched[a.index()], &self.sketched[b.index()])
                    {
                        edges.push((a, b, s));
                    }
                }
                cluster_pairs(n, &edges, ClusterMode::Components)
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
    shingles: (ShingleUnit, usize),
    num_perm: usize,
    seed: u64,
    threshold: f64,
    containment: Option<f64>,
    bands: Option<(usize, usize)>,
    verification: Verification,
    algorithm: Algorithm,
    boilerplate: Boilerplate,
    mode: ClusterMode,
    representative: Representative,
    normalizer: Option<ArabicNormalizer>,
}

impl Default for DeduplicatorBuilder {
    fn default() -> Self {
        DeduplicatorBuilder {
            shingles: (ShingleUnit::Words, 5),
            num_perm: DEFAULT_NUM_PERM,
            seed: DEFAULT_SEED,
            threshold: DEFAULT_THRESHOLD,
            containment: None,
            bands: None,
            verification: Verification::default(),
            algorithm: Algorithm::default(),
            boilerplate: Boilerplate::default(),
            mode: ClusterMode::default(),
            representative: Representative::default(),
            normalizer: None,
        }
    }
}

impl DeduplicatorBuilder {
    /// Shingle unit and size (default: words, 5).
    pub fn shingles(&mut self, unit: ShingleUnit, size: usize) -> &mut Self {
        self.shingles = (unit, size);
        self
    }

    /// MinHash slots, K (default 128).
    pub fn num_perm(&mut self, num_perm: usize) -> &mut Self {
        self.num_perm = num_perm;
        self
    }

    /// The seed of every hash (default [`DEFAULT_SEED`]).
    pub fn seed(&mut self, seed: u64) -> &mut Self {
        self.seed = seed;
        self
    }

    /// Jaccard similarity at or above which two articles are copies (default
    /// [`DEFAULT_THRESHOLD`], 0.5).
    pub fn threshold(&mut self, threshold: f64) -> &mut Self {
        self.threshold = threshold;
        self
    }

    /// Also count as copies two articles where the shorter one's shingles are at least
    /// this fraction inside the longer one (default: off). Catches a wire item inside
    /// a round-up, whose Jaccard is low; LSH then searches at a lower similarity.
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
        self.normalizer = Some(normalizer);
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
        let mut sk = Sketcher::builder();
        sk.shingles(self.shingles.0, self.shingles.1).num_perm(self.num_perm).seed(self.seed);
        if let Some(n) = &self.normalizer {
            sk.arabic_normalizer(n.clone());
        }
        if matches!(self.algorithm, Algorithm::SimHash { .. }) {
            sk.simhash(true);
        }
        let sketcher = sk.build()?;
        let lsh = match self.bands {
            Some((b, r)) => {
                let p = LshParams::new(b, r)?;
                if p.slots() > self.num_perm {
                    return Err(Error::invalid(
                        "bands",
                        format!("{b} bands × {r} rows exceed num_perm {}", self.num_perm),
                    ));
                }
                p
            }
            None => {
                // Containment pairs have low Jaccard (a 300-word wire item in a
                // 1,200-word round-up: J ≈ 0.25), so search lower when they count.
                let search =
                    self.containment.map_or(self.threshold, |c| self.threshold.min(c * 0.3));
                LshParams::for_threshold(search, self.num_perm)?
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
            mode: self.mode,
            representative: self.representative,
        })
    }
}
