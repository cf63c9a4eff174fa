//! [`Options`]: the matching and clustering options of an index, as its creator gave
//! them. Kept inside the index (as JSON), so that every later use matches by the same
//! rules, and the one place these options become a [`Deduplicator`] (the `dedup`
//! command's main job builds its deduplicator here too).

use nuskha::{
    Algorithm, AlignedCopies, ClusterMode, Deduplicator, DeduplicatorBuilder, EditedCopies,
    RareSearch, Representative, Shingling, Verification,
};
use serde::{Deserialize, Serialize};

/// The options that decide what matches and how clusters form, named as the `dedup`
/// command names them; each default is the command's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(clippy::struct_field_names)]
pub struct Options {
    /// `--threshold`: Jaccard at or above which two articles are copies.
    pub threshold: f64,
    /// `--containment`: the containment threshold, or `None` (off).
    pub containment: Option<f64>,
    /// `--shingle`: `words:N` or `chars:N`.
    pub shingle: String,
    /// `--algorithm`: `minhash`, or `simhash:N` (at most N bits apart).
    pub algorithm: String,
    /// `--min-length`: articles of fewer words are kept but never matched.
    pub min_length: usize,
    /// `--max-article-size`: the bytes of an article that are matched.
    pub max_article_size: usize,
    /// `--num-perm`: MinHash slots.
    pub num_perm: usize,
    /// `--seed`: the seed of every hash.
    pub seed: u64,
    /// `--exact`: verify on exact Jaccard and containment.
    pub exact: bool,
    /// The edited-copy rule: on unless `--no-edited`; with SimHash candidates, which it
    /// cannot use, on only when asked for through `rare_search` or `align` (see
    /// [`edited_rule`](Self::edited_rule)).
    pub edited: bool,
    /// `--edited[=light]`: the edited-copy rule's own candidates, articles sharing rare
    /// phrases (needs `edited`). Written `false`, `true` (`thorough`) or `"light"`, so
    /// an index made before `light` existed reads as it did.
    pub rare_search: RareSearchOption,
    /// `--align` (with `--min-aligned` and `--align-run`): also find heavy rewrites by
    /// word alignment; `None` (off) is not written, so an index made without it reads
    /// as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub align: Option<Align>,
    /// `--mode`: `star`, `average` or `components` (default: `average` with
    /// `edited`, `star` without).
    pub mode: String,
    /// `--link-density`: with `average`, the share of cross pairs that must match.
    pub link_density: f64,
    /// `--representative`: `first` or `longest`.
    pub representative: String,
}

/// Which rare-phrase search the edited-copy rule adds to LSH's candidates
/// ([`RareSearch`]): `--edited` is [`Thorough`](Self::Thorough), `--edited=light`
/// [`Light`](Self::Light). Kept as `false`, `true` and `"light"`, the first two as
/// the index wrote them when the option was a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RareSearchOption {
    /// No rare-phrase search: LSH's candidates alone (the default).
    #[default]
    Off,
    /// [`RareSearch::LIGHT`]: one phrase in 32 read, two shared (about 1.07 times the
    /// defaults' time).
    Light,
    /// [`RareSearch::THOROUGH`]: one phrase in four read, three shared (about 1.2
    /// times the defaults' time).
    Thorough,
}

impl RareSearchOption {
    /// Whether a search is on.
    pub fn is_on(self) -> bool {
        self != RareSearchOption::Off
    }

    /// The library's search, `None` when off.
    pub fn search(self) -> Option<RareSearch> {
        match self {
            RareSearchOption::Off => None,
            RareSearchOption::Light => Some(RareSearch::LIGHT),
            RareSearchOption::Thorough => Some(RareSearch::THOROUGH),
        }
    }

    /// The option naming `search`; `None` for a search neither option is (a library
    /// user's own).
    pub fn of(search: Option<RareSearch>) -> Option<Self> {
        match search {
            None => Some(RareSearchOption::Off),
            Some(RareSearch::LIGHT) => Some(RareSearchOption::Light),
            Some(RareSearch::THOROUGH) => Some(RareSearchOption::Thorough),
            Some(_) => None,
        }
    }
}

/// The flag the option was: `true` is the thorough search.
impl From<bool> for RareSearchOption {
    fn from(on: bool) -> Self {
        if on { RareSearchOption::Thorough } else { RareSearchOption::Off }
    }
}

impl std::str::FromStr for RareSearchOption {
    type Err = nuskha::Error;

    fn from_str(s: &str) -> nuskha::Result<Self> {
        match s {
            "light" => Ok(RareSearchOption::Light),
            "thorough" => Ok(RareSearchOption::Thorough),
            _ => Err(nuskha::Error::InvalidParameter {
                name: "rare_search",
                reason: format!("`{s}` is not a rare-phrase search: `light` or `thorough`"),
            }),
        }
    }
}

impl Serialize for RareSearchOption {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RareSearchOption::Off => serializer.serialize_bool(false),
            RareSearchOption::Thorough => serializer.serialize_bool(true),
            RareSearchOption::Light => serializer.serialize_str("light"),
        }
    }
}

impl<'de> Deserialize<'de> for RareSearchOption {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = RareSearchOption;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("false, true or \"light\"")
            }
            fn visit_bool<E: serde::de::Error>(self, on: bool) -> Result<Self::Value, E> {
                Ok(on.into())
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
                s.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The aligned-copy rule's options ([`AlignedCopies`]), as the index keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Align {
    /// `--min-aligned`: the share of the shorter article's words the tiles must cover.
    pub min_coverage: f64,
    /// `--align-run`: the shortest run of shared words laid as a tile.
    pub min_run: usize,
}

impl Default for Align {
    fn default() -> Self {
        let d = AlignedCopies::default();
        Align { min_coverage: d.min_coverage, min_run: d.min_run }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: nuskha::DEFAULT_THRESHOLD,
            containment: Some(nuskha::DEFAULT_CONTAINMENT),
            shingle: "words:5".into(),
            algorithm: "minhash".into(),
            min_length: nuskha::DEFAULT_MIN_WORDS,
            max_article_size: nuskha::DEFAULT_MAX_ARTICLE_BYTES,
            num_perm: nuskha::DEFAULT_NUM_PERM,
            seed: nuskha::DEFAULT_SEED,
            exact: false,
            edited: true,
            rare_search: RareSearchOption::Off,
            align: None,
            mode: ClusterMode::default_for(true).to_string(),
            link_density: nuskha::DEFAULT_LINK_DENSITY,
            representative: "first".into(),
        }
    }
}

impl Options {
    /// Whether the edited-copy rule is on: `edited`, unless SimHash finds the
    /// candidates and neither `rare_search` nor `align` asks for the rule (which then
    /// fails to build, naming MinHash).
    pub fn edited_rule(&self) -> bool {
        let simhash = self.algorithm.starts_with("simhash");
        self.edited && (!simhash || self.rare_search.is_on() || self.align.is_some())
    }

    /// The library's builder with these options.
    ///
    /// # Errors
    ///
    /// When an option names nothing the library knows (`shingle`, `algorithm`, `mode`,
    /// `representative`), or `rare_search` is on without `edited`; ranges are checked
    /// by [`DeduplicatorBuilder::build`].
    pub fn builder(&self) -> nuskha::Result<DeduplicatorBuilder> {
        let shingling: Shingling = self.shingle.parse()?;
        if self.rare_search.is_on() && !self.edited {
            let reason = "needs the edited-copy rule (`edited`) on".to_string();
            return Err(nuskha::Error::InvalidParameter { name: "rare_search", reason });
        }
        let rare_search = self.rare_search.search();
        let mut b = Deduplicator::builder();
        b.threshold(self.threshold)
            .containment(self.containment)
            .shingles(shingling.unit, shingling.size)
            .num_perm(self.num_perm)
            .seed(self.seed)
            .min_words(self.min_length)
            .max_article_bytes(self.max_article_size)
            .verification(if self.exact { Verification::Exact } else { Verification::Estimated })
            .algorithm(self.algorithm.parse::<Algorithm>()?)
            .edited_copies(
                self.edited_rule().then(|| EditedCopies { rare_search, ..Default::default() }),
            )
            .aligned_copies(
                self.align
                    .map(|a| AlignedCopies { min_run: a.min_run, min_coverage: a.min_coverage }),
            )
            .mode(self.mode.parse::<ClusterMode>()?)
            .link_density(self.link_density)
            .representative(self.representative.parse::<Representative>()?);
        Ok(b)
    }

    /// The deduplicator of these options.
    ///
    /// # Errors
    ///
    /// When an option is not valid.
    pub fn deduplicator(&self) -> nuskha::Result<Deduplicator> {
        self.builder()?.build()
    }

    /// The options as a JSON object, keys sorted (how the index keeps them).
    pub fn to_json(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or_default();
        // serde_json's map is ordered by key: the text is the same for equal options.
        value.to_string()
    }

    /// Each option whose value differs between `self` and `other`: (name, self's
    /// value, other's value), by name, then those only `other` writes (`align`, left
    /// out when off, is `null` on the side without it).
    pub fn differences(&self, other: &Options) -> Vec<(String, String, String)> {
        let (a, b) = (serde_json::to_value(self), serde_json::to_value(other));
        let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) = (a, b) else {
            return Vec::new();
        };
        // An option left out when off (`align`) is in one object only: `null` in the other.
        let shown = |v: Option<&serde_json::Value>| v.map_or("null".into(), ToString::to_string);
        let only_b = b.keys().filter(|k| !a.contains_key(*k));
        a.keys()
            .chain(only_b)
            .filter(|k| a.get(*k) != b.get(*k))
            .map(|k| (k.clone(), shown(a.get(k)), shown(b.get(k))))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_librarys() {
        let dedup = Options::default().deduplicator().unwrap();
        let lib = Deduplicator::new();
        assert_eq!(dedup.threshold(), lib.threshold());
        assert_eq!(dedup.containment(), lib.containment());
        assert_eq!(dedup.mode(), lib.mode());
        assert_eq!(dedup.edited_copies(), lib.edited_copies());
        assert_eq!(dedup.lsh_params(), lib.lsh_params());
        assert_eq!(dedup.min_words(), lib.min_words());
        assert_eq!(dedup.max_article_bytes(), lib.max_article_bytes());
        assert_eq!(dedup.sketcher().params(), lib.sketcher().params());
    }

    #[test]
    fn options_round_trip_and_name_their_differences() {
        let mut o = Options { edited: false, threshold: 0.6, ..Options::default() };
        o.mode = ClusterMode::default_for(false).to_string();
        let back: Options = serde_json::from_str(&o.to_json()).unwrap();
        assert_eq!(back, o);
        let diff = Options::default().differences(&o);
        let names: Vec<&str> = diff.iter().map(|d| d.0.as_str()).collect();
        assert_eq!(names, ["edited", "mode", "threshold"]);
        assert_eq!(diff[2], ("threshold".into(), "0.5".into(), "0.6".into()));
        // The rare search needs the rule.
        let search = Options { rare_search: RareSearchOption::Thorough, ..Options::default() };
        let rule = search.deduplicator().unwrap().edited_copies();
        assert_eq!(rule.and_then(|e| e.rare_search), Some(RareSearch::THOROUGH));
        let alone = Options { edited: false, ..search };
        assert!(alone.deduplicator().unwrap_err().to_string().contains("rare_search"));
        // With SimHash the rule is off unless asked for, which then names MinHash.
        let simhash = Options { algorithm: "simhash:3".into(), ..Options::default() };
        assert!(!simhash.edited_rule());
        assert_eq!(simhash.deduplicator().unwrap().edited_copies(), None);
        let asked = Options { rare_search: RareSearchOption::Thorough, ..simhash };
        assert!(asked.deduplicator().unwrap_err().to_string().contains("MinHash"));
        assert!(serde_json::from_str::<Options>(r#"{"threshold": 0.5}"#).is_err());
        let bad = Options { mode: "chain".into(), ..Options::default() };
        assert!(bad.deduplicator().is_err());
    }

    /// `rare_search` is written as the flag it was (`false`, `true`) unless light, and
    /// each value builds its search.
    #[test]
    fn the_rare_search_reads_as_the_flag_it_was() {
        for (option, json, search) in [
            (RareSearchOption::Off, "false", None),
            (RareSearchOption::Thorough, "true", Some(RareSearch::THOROUGH)),
            (RareSearchOption::Light, "\"light\"", Some(RareSearch::LIGHT)),
        ] {
            let o = Options { rare_search: option, ..Options::default() };
            assert!(o.to_json().contains(&format!("\"rare_search\":{json}")), "{}", o.to_json());
            let back: Options = serde_json::from_str(&o.to_json()).unwrap();
            assert_eq!(back, o);
            let rule = o.deduplicator().unwrap().edited_copies().unwrap();
            assert_eq!(rule.rare_search, search);
            assert_eq!(RareSearchOption::of(search), Some(option));
        }
        let light = Options { rare_search: RareSearchOption::Light, ..Options::default() };
        let bad = light.to_json().replace("\"light\"", "\"heavy\"");
        let err = serde_json::from_str::<Options>(&bad).unwrap_err().to_string();
        assert!(err.contains("heavy"), "{err}");
        assert_eq!("thorough".parse::<RareSearchOption>().ok(), Some(RareSearchOption::Thorough));
        assert_eq!(RareSearchOption::from(true), RareSearchOption::Thorough);
        let custom = RareSearch { min_shared: 7, sample: 1 };
        assert_eq!(RareSearchOption::of(Some(custom)), None);
    }

    #[test]
    fn alignment_is_kept_only_when_on_and_needs_edited() {
        assert!(!Options::default().to_json().contains("align"));
        let thorough = RareSearchOption::Thorough;
        let o =
            Options { rare_search: thorough, align: Some(Align::default()), ..Options::default() };
        let back: Options = serde_json::from_str(&o.to_json()).unwrap();
        assert_eq!(back, o);
        assert_eq!(o.deduplicator().unwrap().aligned_copies(), Some(AlignedCopies::default()));
        let diff = Options::default().differences(&o);
        let names: Vec<&str> = diff.iter().map(|d| d.0.as_str()).collect();
        assert_eq!(names, ["rare_search", "align"]);
        assert_eq!(diff[1].1, "null");
        let back = o.differences(&Options::default());
        let names: Vec<&str> = back.iter().map(|d| d.0.as_str()).collect();
        assert_eq!(names, ["align", "rare_search"]);
        let alone = Options { edited: false, align: Some(Align::default()), ..Options::default() };
        assert!(alone.deduplicator().is_err());
    }
}
