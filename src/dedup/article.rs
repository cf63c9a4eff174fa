//! The per-article records every stage passes on: [`Shingled`] (after shingling,
//! before boilerplate removal) and [`Sketched`] (what verification and clustering
//! read), and how the deduplicator makes them.

use crate::minhash::{MinHashScratch, MinHashSignature};
use crate::shingle::combine;
use crate::simhash::SimHash;
use crate::sketch::{SketchScratch, Sketcher};
use crate::util::SortScratch;

use super::Deduplicator;
use super::align::MAX_ALIGNED_WORDS;
use super::stats::{CorpusStats, FingerprintSet, NO_SOURCE, SourceSets};

/// The 32-bit fingerprint an article's shingle set keeps of a 64-bit shingle hash: its
/// high half. Half the memory of the full hash, which matters because the sets are most
/// of what a run holds; two different shingles share a fingerprint with probability
/// 2⁻³², so an article of 1,000 shingles sees a collision about once in 8,600 articles,
/// and it can only add one shingle to a pair's intersection.
#[inline]
pub(super) fn fingerprint(h: u64) -> u32 {
    (h >> 32) as u32
}

/// What the edited-copy rule reads of an article: its distinct word and word-bigram
/// [`fingerprint`]s, sorted; and, for the aligned-copy rule, its words in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Vocabulary {
    pub(super) words: Vec<u32>,
    pub(super) bigrams: Vec<u32>,
    /// With the aligned-copy rule, the [`fingerprint`]s of its first
    /// [`MAX_ALIGNED_WORDS`] words, in text order; else empty.
    pub(super) sequence: Box<[u32]>,
}

/// The fingerprint of the word bigram `a b`, from the words' fingerprints: combined as
/// the shingler combines a window of words.
fn bigram(a: u32, b: u32, seed: u64) -> u32 {
    fingerprint(combine(&[u64::from(a), u64::from(b)], seed))
}

impl Vocabulary {
    /// The vocabulary of an article whose word [`fingerprint`]s are `in_text`, in text
    /// order. Sorted at once (a bucket pass), so that neither a distinct-hash set nor
    /// a later sort is needed. `in_order`: keep the words in order too.
    pub(super) fn of(in_text: &[u32], seed: u64, sort: &mut SortScratch, in_order: bool) -> Self {
        let words = sort.sorted_distinct(in_text.iter().copied());
        let bigrams = sort.sorted_distinct(in_text.windows(2).map(|w| bigram(w[0], w[1], seed)));
        let sequence = if in_order {
            in_text[..in_text.len().min(MAX_ALIGNED_WORDS)].into()
        } else {
            Box::default()
        };
        Vocabulary { words, bigrams, sequence }
    }
}

/// One article's shingles, before boilerplate removal.
#[derive(Debug, Clone)]
pub(super) struct Shingled {
    /// Distinct shingle [`fingerprint`]s, in text order but for the ones a rare search
    /// reads, moved first (see `searched`).
    pub(super) set: Vec<u32>,
    /// With a rare search, how many of `set`'s first shingles are the ones it reads
    /// (all of them): laid out while the set is in cache, so that the search reads
    /// those alone rather than every set again. `None`: not laid out.
    pub(super) searched: Option<usize>,
    /// With the edited-copy rule, the [`fingerprint`]s of its words in text order: its
    /// [`Vocabulary`] is made from them once it is known to be needed.
    pub(super) words: Option<Box<[u32]>>,
    pub(super) simhash: Option<SimHash>,
    pub(super) len: usize,
    /// Fewer words than `min_words`: never matched.
    pub(super) short: bool,
    /// Longer than `max_article_bytes`: matched on its beginning.
    pub(super) truncated: bool,
}

#[cfg(test)]
impl Shingled {
    /// An article of the shingle fingerprints `set` alone, made sorted and distinct.
    pub(super) fn of_set(mut set: Vec<u32>) -> Self {
        set.sort_unstable();
        set.dedup();
        Shingled {
            set,
            searched: None,
            words: None,
            simhash: None,
            len: 0,
            short: false,
            truncated: false,
        }
    }
}

/// The sketch of one article, as verification and clustering read it.
#[derive(Debug, Clone)]
pub(super) struct Sketched {
    pub(super) signature: MinHashSignature,
    pub(super) simhash: Option<SimHash>,
    /// The shingle fingerprints, kept for exact verification, the template guard and
    /// the edited-copy rule; sorted before the article is verified.
    pub(super) set: Option<Vec<u32>>,
    /// With the edited-copy rule, its words in text order until its vocabulary is made
    /// ([`Deduplicator::make_verifiable`]), which an article no candidate pair holds never needs.
    pub(super) words: Option<Box<[u32]>>,
    /// With the edited-copy rule, its words and bigrams, once made.
    pub(super) vocabulary: Option<Box<Vocabulary>>,
    /// In a batch, the document frequency of each shingle of the sorted `set`, capped
    /// at [`u8::MAX`]: what the template guard and the distinctive check would look up
    /// in the statistics for every pair the article is in, looked up once
    /// ([`Deduplicator::note_frequencies`]). A live index, whose counts grow, looks
    /// them up as it verifies.
    pub(super) frequencies: Option<Box<[u8]>>,
    /// Length of the raw text, for the `Longest` representative.
    pub(super) len: usize,
}

/// One article shingled by [`Deduplicator::shingle`], ready to be added to a
/// [`Batch`](super::Batch) of the same deduplicator with
/// [`Batch::push`](super::Batch::push). Shingling is the largest part of a run's work;
/// this lets it happen on whichever thread has the text (a reader's workers, say),
/// while the batch only collects the results in order.
///
/// # Examples
///
/// ```
/// use nuskha::Deduplicator;
///
/// let dedup = Deduplicator::new();
/// assert!(dedup.shingle("خبر قصير").too_short());
/// ```
#[derive(Debug, Clone)]
pub struct ShingledArticle<'d> {
    pub(super) dedup: &'d Deduplicator,
    pub(super) shingled: Shingled,
}

impl<'d> ShingledArticle<'d> {
    pub(super) fn new(dedup: &'d Deduplicator, shingled: Shingled) -> Self {
        ShingledArticle { dedup, shingled }
    }

    /// Whether the article has fewer words than the deduplicator's
    /// [`min_words`](super::DeduplicatorBuilder::min_words), so it can match nothing.
    pub fn too_short(&self) -> bool {
        self.shingled.short
    }
}

impl Deduplicator {
    /// The part of `text` that is matched: at most
    /// [`max_article_bytes`](super::DeduplicatorBuilder::max_article_bytes), cut back
    /// to a character boundary. What a comparison of two articles should compare, to
    /// agree with the verdict.
    ///
    /// # Examples
    ///
    /// ```
    /// let dedup = nuskha::Deduplicator::builder().max_article_bytes(3).build()?;
    /// assert_eq!(dedup.matched_text("خبر"), "خ");
    /// # Ok::<(), nuskha::Error>(())
    /// ```
    pub fn matched_text<'t>(&self, text: &'t str) -> &'t str {
        if text.len() <= self.max_article_bytes {
            return text;
        }
        let mut end = self.max_article_bytes;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text[..end]
    }

    /// Normalises and shingles one article.
    pub(super) fn shingle_set(&self, text: &str, scratch: &mut SketchScratch) -> Shingled {
        let whole = text.len();
        let text = self.matched_text(text);
        let truncated = text.len() < whole;
        self.sketcher.shingle_into(text, scratch);
        // Shingling has just hashed every word, whatever the unit.
        let short = scratch.words.len() < self.min_words;
        if short {
            return Shingled {
                set: Vec::new(),
                searched: None,
                words: None,
                simhash: None,
                len: whole,
                short: true,
                truncated,
            };
        }
        // Distinct by hashing, in text order: a sort (about 10 ns a shingle) waits
        // until the set is to be verified (see `make_verifiable`).
        let distinct = &mut scratch.minhash.distinct;
        distinct.clear();
        let mut set = Vec::with_capacity(scratch.shingles.len());
        for &h in &scratch.shingles {
            let fp = fingerprint(h);
            if distinct.insert(u64::from(fp)) {
                set.push(fp);
            }
        }
        // Sets live until the pairs are verified: give back what the repeats took.
        set.shrink_to_fit();
        let search = self.verifier.edited().and_then(|e| e.rare_search);
        let searched = search.map(|search| search.read_first(&mut set));
        // SimHash works on words weighted by frequency (Manku et al.): shingles would
        // put light copies 10+ bits apart. The sketcher has SimHash on exactly when the
        // algorithm is SimHash (the builder's doing), and its definition is the one
        // `Sketch::simhash` reports.
        let simhash = self.sketcher.simhasher().map(|s| Sketcher::simhash_of(s, scratch));
        // Shingling has hashed the words, whatever the unit.
        let words =
            self.verifier.edited().map(|_| scratch.words.iter().map(|&h| fingerprint(h)).collect());
        Shingled { set, searched, words, simhash, len: whole, short: false, truncated }
    }

    /// Sketches one article from its shingle set, boilerplate removed: the corpus's,
    /// and its source's when `outlet` gives the sources' sets and its source.
    pub(super) fn sketch_set(
        &self,
        shingled: Shingled,
        boilerplate: &FingerprintSet,
        outlet: Option<(&SourceSets, u32)>,
        scratch: &mut MinHashScratch,
    ) -> Sketched {
        let Shingled { mut set, words, simhash, len, .. } = shingled;
        let outlet = outlet.filter(|&(_, source)| source != NO_SOURCE);
        if !boilerplate.is_empty() || outlet.is_some() {
            let of_outlet = |fp| outlet.is_some_and(|(sets, source)| sets.contains(source, fp));
            set.retain(|&fp| !boilerplate.contains(fp) && !of_outlet(fp));
        }
        // MinHash mixes its input with the seed, so a fingerprint is as good a key as
        // the full hash.
        let signature =
            self.minhasher.sketch_distinct(set.iter().map(|&f| u64::from(f)), set.len(), scratch);
        let set = self.verifier.keeps_sets().then_some(set);
        Sketched { signature, simhash, set, words, vocabulary: None, frequencies: None, len }
    }

    /// Readies a sketched article for verification: its shingle set sorted (for the
    /// merges), and with the edited-copy rule its vocabulary made from its words.
    pub(super) fn make_verifiable(&self, s: &mut Sketched, sort: &mut SortScratch) {
        Self::sort_set(s, sort);
        self.make_vocabulary(s, sort);
    }

    /// The first half of [`make_verifiable`](Self::make_verifiable): what the
    /// similarity and the template guard read.
    pub(super) fn sort_set(s: &mut Sketched, sort: &mut SortScratch) {
        if let Some(set) = &mut s.set {
            sort.sort(set);
        }
    }

    /// Notes the document frequency of each shingle of the article's sorted set, when
    /// the verifier reads them and each fits below [`u8::MAX`] (the template guard's
    /// and the edited-copy rule's limits are that low).
    pub(super) fn note_frequencies(&self, s: &mut Sketched, stats: &CorpusStats) {
        if let (Some(set), true) = (&s.set, self.verifier.reads_frequencies_below(u8::MAX)) {
            let capped = |fp| u8::try_from(stats.df_of(fp)).unwrap_or(u8::MAX);
            s.frequencies = Some(set.iter().map(|&fp| capped(fp)).collect());
        }
    }

    /// The second half of [`make_verifiable`](Self::make_verifiable): with the
    /// edited-copy rule, the vocabulary made from the article's words (which are then
    /// dropped).
    pub(super) fn make_vocabulary(&self, s: &mut Sketched, sort: &mut SortScratch) {
        if let Some(words) = s.words.take() {
            let seed = self.sketcher.shingler().seed();
            let in_order = self.verifier.aligned().is_some();
            s.vocabulary = Some(Box::new(Vocabulary::of(&words, seed, sort, in_order)));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Algorithm, Deduplicator, ShingleUnit};

    #[test]
    fn the_sketchers_simhash_is_the_one_the_deduplicator_judges_by() {
        let story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني \
                     القاصدين الديار المقدسة لأداء فريضة الحج، والأمن الوطني يودعهم";
        for unit in [ShingleUnit::Words, ShingleUnit::Chars] {
            let dedup = Deduplicator::builder()
                .shingles(unit, 4)
                .algorithm(Algorithm::SimHash { max_distance: 3 })
                .build()
                .unwrap();
            let judged = dedup.shingle(story).shingled.simhash;
            let sketched = dedup.sketcher().sketch(story).simhash();
            assert!(judged.is_some());
            assert_eq!(judged, sketched, "{unit}");
        }
    }

    #[test]
    fn every_unit_counts_words_as_the_tokeniser_does() {
        use crate::words;
        let texts = [
            "",
            "كلمة",
            "واحد، اثنان؛ ثلاثة - أربعة: خمسة (ستة) سبعة... ثمانية ٩ ١٠",
            "The U.S. economy grew 2.5% in Q3, says the IMF's report: 10 words?",
            "مزيج من العربية and English, مع أرقام 1990-2000 وعلامات «اقتباس»",
            "\u{0643}\u{064E}\u{062A}\u{064E}\u{0628}\u{064E} \u{0640}\u{0640} word\u{200F}مع",
        ];
        for unit in [ShingleUnit::Words, ShingleUnit::Chars] {
            for min_words in [1, 3, 10, 12] {
                let dedup =
                    Deduplicator::builder().shingles(unit, 3).min_words(min_words).build().unwrap();
                for text in texts {
                    let normal = dedup.sketcher().normalizer().normalize(text);
                    let expected = words(&normal).count() < min_words;
                    assert_eq!(
                        dedup.shingle(text).too_short(),
                        expected,
                        "{unit} {min_words} {text}"
                    );
                }
            }
        }
    }
}
