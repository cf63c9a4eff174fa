//! [`DeduplicatorBuilder`]: the only place a deduplicator's parameters are validated
//! and derived (the LSH banding, the sketcher, the verifier).

use crate::cluster::{ClusterMode, DEFAULT_LINK_DENSITY};
use crate::lsh::{LshParams, SimHashIndex};
use crate::normalize::Normalize;
use crate::shingle::ShingleUnit;
use crate::sketch::SketcherBuilder;
use crate::{Error, Result};

use super::stats::COMMON_FLOOR;
use super::verify::Verifier;
use super::{
    Algorithm, AlignedCopies, Boilerplate, DEFAULT_CONTAINMENT, DEFAULT_MAX_ARTICLE_BYTES,
    DEFAULT_MIN_WORDS, DEFAULT_THRESHOLD, Deduplicator, EDITED_SEARCH_THRESHOLD, EditedCopies,
    Representative, SourceBoilerplate, TemplateGuard, Verification,
};

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
    source_boilerplate: Option<SourceBoilerplate>,
    template_guard: Option<TemplateGuard>,
    edited_copies: EditedSetting,
    aligned_copies: Option<AlignedCopies>,
    min_words: usize,
    max_article_bytes: usize,
    /// `None`: average linkage with the edited-copy rule, star without.
    mode: Option<ClusterMode>,
    link_density: f64,
    representative: Representative,
}

/// The edited-copy rule as the builder holds it: the default depends on the algorithm.
#[derive(Debug, Clone, Copy)]
enum EditedSetting {
    /// On with MinHash candidates, off with SimHash's (which it cannot use).
    Default,
    Set(Option<EditedCopies>),
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
            source_boilerplate: Some(SourceBoilerplate::default()),
            template_guard: Some(TemplateGuard::default()),
            edited_copies: EditedSetting::Default,
            aligned_copies: None,
            min_words: DEFAULT_MIN_WORDS,
            max_article_bytes: DEFAULT_MAX_ARTICLE_BYTES,
            mode: None,
            link_density: DEFAULT_LINK_DENSITY,
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
    /// low; LSH then searches at a lower similarity (lower still,
    /// [`EDITED_SEARCH_THRESHOLD`], with the edited-copy rule, its rare-shingle search
    /// on or not). In star mode a match by
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

    /// Boilerplate learned per outlet for articles of a known source (default: on,
    /// with [`SourceBoilerplate::default`]); `None` turns it off.
    pub fn source_boilerplate(&mut self, rule: Option<SourceBoilerplate>) -> &mut Self {
        self.source_boilerplate = rule;
        self
    }

    /// The second-stage check against template texts (default: on, with
    /// [`TemplateGuard::default`]); `None` turns it off. It keeps each article's
    /// shingle set (4 bytes per shingle) for the duration of the call or the feed.
    pub fn template_guard(&mut self, guard: Option<TemplateGuard>) -> &mut Self {
        self.template_guard = guard;
        self
    }

    /// The edited-copy rule (see [`EditedCopies`]; default on, with
    /// [`EditedCopies::default`], and off with the SimHash algorithm, whose candidates
    /// it cannot use): also count as copies reworked texts whose shingles differ too
    /// much for Jaccard or containment. It costs each article in a candidate pair its
    /// distinct word and word-bigram fingerprints (4 bytes each, made once the
    /// candidates are known; a live feed keeps them for every article), each article
    /// its words until then, and the verification of the candidates that Jaccard and
    /// containment reject. With [`EditedCopies::rare_search`] it also finds its own
    /// candidates (see [`RareSearch`](super::RareSearch)). It needs corpus statistics
    /// as the template guard does (a feed started by [`Deduplicator::index`] counts
    /// every shingle as distinctive). `None` turns it off.
    pub fn edited_copies(&mut self, edited: Option<EditedCopies>) -> &mut Self {
        self.edited_copies = EditedSetting::Set(edited);
        self
    }

    /// The aligned-copy rule (default `None`, off; see [`AlignedCopies`]): also count as
    /// copies heavy rewrites whose shared runs of words, in any order, cover most of
    /// the shorter article. It needs the edited-copy rule (its candidates and its
    /// distinctive-shingle check), and costs each article its words in order (4 bytes
    /// a word, its first [`AlignedCopies::MAX_WORDS`]), kept for the call or the feed.
    pub fn aligned_copies(&mut self, aligned: Option<AlignedCopies>) -> &mut Self {
        self.aligned_copies = aligned;
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

    /// How much of an article's text is matched: its first `bytes` (cut back to a
    /// character boundary), the rest ignored (default [`DEFAULT_MAX_ARTICLE_BYTES`],
    /// 1 MiB). This bounds what one input costs: shingling takes about 14 bytes of
    /// memory per byte of text, so a 100 MB article would take 1.4 GB. An article cut
    /// short still matches its copies, which share its beginning; its length (for
    /// [`Representative::Longest`]) is its whole text's.
    /// [`Batch::truncated`](super::Batch::truncated) tells which were cut. Must be at
    /// least 1; `usize::MAX` matches every text whole.
    pub fn max_article_bytes(&mut self, bytes: usize) -> &mut Self {
        self.max_article_bytes = bytes;
        self
    }

    /// How verified pairs become clusters (default [`ClusterMode::Average`] with the
    /// edited-copy rule, which keeps a story whole whatever order its copies came in;
    /// [`ClusterMode::Star`], no chaining, without it: LSH alone does not pair up
    /// every near-identical copy of a large story, and average linkage would then split
    /// it). Each the better on the dev set's `tune` split.
    pub fn mode(&mut self, mode: ClusterMode) -> &mut Self {
        self.mode = Some(mode);
        self
    }

    /// With [`ClusterMode::Average`], the share of two groups' cross pairs that must be
    /// verified matches for them to merge, in (0, 1] (default [`DEFAULT_LINK_DENSITY`],
    /// 0.7). Lower merges more: a story's partial copies and round-ups join it, and so
    /// do template bulletins that match a few of its members; 1 merges only groups
    /// whose every cross pair matches.
    pub fn link_density(&mut self, density: f64) -> &mut Self {
        self.link_density = density;
        self
    }

    /// Which member represents a cluster (default [`Representative::First`]).
    pub fn representative(&mut self, representative: Representative) -> &mut Self {
        self.representative = representative;
        self
    }

    /// The normaliser (default [`ArabicNormalizer::new`](crate::ArabicNormalizer::new),
    /// profile "dedup-default v1"): any [`Normalize`], as
    /// [`SketcherBuilder::normalizer`] takes it.
    ///
    /// # Examples
    ///
    /// ```
    /// use nuskha::{ArabicNormalizer, Deduplicator, Normalize};
    /// use std::borrow::Cow;
    ///
    /// // A custom normaliser: the default profile, then every digit folded to 0.
    /// struct NoDigits(ArabicNormalizer);
    /// impl Normalize for NoDigits {
    ///     fn normalize_into(&self, text: &str, out: &mut String) {
    ///         let mut plain = String::new();
    ///         self.0.normalize_into(text, &mut plain);
    ///         out.extend(plain.chars().map(|c| if c.is_ascii_digit() { '0' } else { c }));
    ///     }
    ///     fn profile(&self) -> Cow<'static, str> {
    ///         "no-digits".into()
    ///     }
    /// }
    ///
    /// let dedup = Deduplicator::builder().normalizer(NoDigits(ArabicNormalizer::new())).min_words(1).build()?;
    /// let clusters = dedup.cluster(&["سجلت 12 اصابة جديدة في المنطقة الشرقية اليوم", "سجلت 47 اصابة جديدة في المنطقة الشرقية اليوم"]);
    /// assert_eq!(clusters.len(), 1);
    /// assert_eq!(dedup.sketcher().params().profile(), Some("no-digits"));
    /// # Ok::<(), nuskha::Error>(())
    /// ```
    pub fn normalizer(&mut self, normalizer: impl Normalize + 'static) -> &mut Self {
        self.sketch.normalizer(normalizer);
        self
    }

    /// Validates the parameters and builds the deduplicator.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a threshold or containment outside (0, 1], a
    /// shingle size outside
    /// 1..=[`MAX_SHINGLE_SIZE`](crate::shingle::MAX_SHINGLE_SIZE), `num_perm` outside 1..=65536, bands × rows above
    /// `num_perm`, a SimHash distance above 7, boilerplate limits out of range, or
    /// [`EditedCopies`] with a share outside its range, `distinctive_docs` below 8,
    /// a rare search's `min_shared` 0 or `sample` not a power of two up to 2¹⁶, or with
    /// the SimHash algorithm; or [`AlignedCopies`] without
    /// [`EditedCopies`], with `min_run` below 2 or `min_coverage` outside (0, 1].
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
        check_boilerplate(&self.boilerplate, self.source_boilerplate)?;
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
        let edited = match (self.edited_copies, self.algorithm) {
            (EditedSetting::Set(edited), _) => edited,
            (EditedSetting::Default, Algorithm::MinHash) => Some(EditedCopies::default()),
            (EditedSetting::Default, Algorithm::SimHash { .. }) => None,
        };
        if let Some(e) = edited {
            check_edited(e, self.algorithm)?;
        }
        if let Some(al) = self.aligned_copies {
            check_aligned(al, edited.is_some())?;
        }
        if self.max_article_bytes == 0 {
            return Err(Error::invalid("max_article_bytes", "must be at least 1".to_owned()));
        }
        if !(self.link_density > 0.0 && self.link_density <= 1.0) {
            return Err(Error::invalid(
                "link_density",
                format!("must be in (0, 1], got {}", self.link_density),
            ));
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
                // 1,200-word round-up: J ≈ 0.25), so search lower when they count,
                // lower still for the edited-copy rule, with a rare-shingle search or
                // without: a sparse search misses the copies syndicated too widely for
                // their shingles to be rare (`RareSearch::LIGHT` found 0.72 of the dev
                // set's `report` copies with LSH at the threshold, 0.86 with it wide),
                // and `THOROUGH` scores the same either way for 0.5% more work.
                let rule = if edited.is_some() { EDITED_SEARCH_THRESHOLD } else { 1.0 };
                let search = match self.containment {
                    Some(c) => self.threshold.min(c * 0.3).min(rule),
                    None => self.threshold,
                };
                LshParams::for_threshold(search, num_perm)?
            }
        };
        Ok(Deduplicator {
            minhasher: sketcher.minhasher().clone(),
            sketcher,
            lsh,
            verifier: Verifier {
                threshold: self.threshold,
                containment: self.containment,
                template_guard: self.template_guard,
                edited,
                aligned: self.aligned_copies,
                algorithm: self.algorithm,
                verification: self.verification,
            },
            boilerplate: self.boilerplate.clone(),
            source_boilerplate: self.source_boilerplate,
            min_words: self.min_words,
            max_article_bytes: self.max_article_bytes,
            mode: self.mode.unwrap_or(ClusterMode::default_for(edited.is_some())),
            link_density: self.link_density,
            representative: self.representative,
        })
    }
}

/// The boilerplate rules' limits: each `fraction` in [0, 1], each `min_docs` at least
/// the statistics' exact floor (below it, counts are not kept).
fn check_boilerplate(corpus: &Boilerplate, source: Option<SourceBoilerplate>) -> Result<()> {
    let limits = [
        match *corpus {
            Boilerplate::MaxDocs { min_docs, fraction } => {
                Some(("boilerplate", min_docs, fraction))
            }
            _ => None,
        },
        source.map(|r| ("source_boilerplate", r.min_docs, r.fraction)),
    ];
    for (name, min_docs, fraction) in limits.into_iter().flatten() {
        if !(0.0..=1.0).contains(&fraction) {
            return Err(Error::invalid(
                name,
                format!("fraction must be in [0, 1], got {fraction}"),
            ));
        }
        if min_docs < COMMON_FLOOR as usize {
            return Err(Error::invalid(
                name,
                format!("min_docs must be at least {COMMON_FLOOR}, got {min_docs}"),
            ));
        }
    }
    Ok(())
}

/// The [`EditedCopies`] limits: shares in range, `distinctive_docs` at least the
/// statistics' exact floor, a rare search's `min_shared` at least 1 and `sample` a
/// power of two up to 2¹⁶, and MinHash candidates.
fn check_edited(e: EditedCopies, algorithm: Algorithm) -> Result<()> {
    let unit_ok = |t: f64| t > 0.0 && t <= 1.0;
    let field =
        |name: &str, why: String| Err(Error::invalid("edited_copies", format!("{name} {why}")));
    if !unit_ok(e.min_overlap) {
        return field("min_overlap", format!("must be in (0, 1], got {}", e.min_overlap));
    }
    if !(0.0..=1.0).contains(&e.min_distinctive) {
        return field("min_distinctive", format!("must be in [0, 1], got {}", e.min_distinctive));
    }
    if e.distinctive_docs < COMMON_FLOOR {
        return field(
            "distinctive_docs",
            format!("must be at least {COMMON_FLOOR}, got {}", e.distinctive_docs),
        );
    }
    if let Some(search) = e.rare_search {
        if search.min_shared == 0 {
            return field("rare_search.min_shared", "must be at least 1, got 0".to_string());
        }
        if !search.sample.is_power_of_two() || search.sample > 1 << 16 {
            let why = format!("must be a power of two up to 65536, got {}", search.sample);
            return field("rare_search.sample", why);
        }
    }
    if matches!(algorithm, Algorithm::SimHash { .. }) {
        return field("need", "the MinHash algorithm, not SimHash".to_string());
    }
    Ok(())
}

/// The [`AlignedCopies`] limits: runs of at least 2 words, a coverage in (0, 1], and
/// the edited-copy rule on (whose candidates and distinctive check it uses).
fn check_aligned(al: AlignedCopies, edited: bool) -> Result<()> {
    let field =
        |name: &str, why: String| Err(Error::invalid("aligned_copies", format!("{name} {why}")));
    if al.min_run < 2 {
        return field("min_run", format!("must be at least 2, got {}", al.min_run));
    }
    if !(al.min_coverage > 0.0 && al.min_coverage <= 1.0) {
        return field("min_coverage", format!("must be in (0, 1], got {}", al.min_coverage));
    }
    if !edited {
        return field("need", "the edited-copy rule (edited_copies) on".to_string());
    }
    Ok(())
}
