//! Draws the pairs of the labelled dev set (`tests/data/devset/`), stratified by exact
//! word-5 Jaccard as `../shared/LABELLING.md` describes, and counts each stratum's
//! population so that precision and recall can be weighted back to the corpus.
//!
//! ```sh
//! cargo run --release --example sample_pairs -- ../shared/data/arabic_news /tmp/devset
//! ```
//!
//! For each corpus file (SaudiNewsNet, ANT) on its own: every article's title and text,
//! normalised with the default profile, as word 5-shingles (what `dedup` compares) and
//! as a set of words. Candidate pairs are the pairs that share a rare shingle (one in 2
//! to 60 articles of that corpus). Each candidate falls into one bin by exact Jaccard
//! (or, below 0.05, into `low_j5_high_words` when their word sets overlap ≥ 0.3);
//! random pairs of one extraction day form one more bin. A fixed number per bin is
//! drawn with a seeded hash (the same draw on every machine), more in the bins where
//! labels are mixed. Writes `pairs_unlabelled.jsonl` (ids, bin, tune/report split,
//! scores) and `population.json` (each bin's population and how many were drawn).
//! The labels read into these pairs are in `tests/data/devset/pairs.jsonl`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use nuskha::hash::{hash_bytes, mix64};
use nuskha::shingle::{containment, jaccard};
use nuskha::{Sketcher, words};
use rayon::prelude::*;

/// The bins, their lower Jaccard bound, and how many pairs each draws from
/// SaudiNewsNet and from ANT (whose cross-outlet copies are rare): most where labels
/// are mixed.
const BINS: [(&str, f64, [usize; 2]); 6] = [
    ("j5_0.90-1.00", 0.9, [12, 10]),
    ("j5_0.70-0.90", 0.7, [16, 10]),
    ("j5_0.50-0.70", 0.5, [24, 16]),
    ("j5_0.30-0.50", 0.3, [52, 26]),
    ("j5_0.15-0.30", 0.15, [60, 30]),
    ("j5_0.05-0.15", 0.05, [50, 24]),
];
const LOW_BIN: (&str, [usize; 2]) = ("low_j5_high_words", [30, 16]);
const RANDOM_BIN: (&str, [usize; 2]) = ("random_same_day", [16, 12]);
const SEED: u64 = 0x6465_7673_6574; // "devset"

struct Article {
    id: String,
    day: String,
    shingles: Vec<u64>,
    words: Vec<u64>,
}

fn read(path: &Path) -> Vec<Article> {
    let sketcher = Sketcher::new();
    let file = std::fs::File::open(path).expect("open corpus");
    let lines: Vec<String> = BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|l| l.expect("read corpus"))
        .collect();
    lines
        .par_iter()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("corpus line is JSON");
            let field = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            let text = format!("{}\n{}", field("title"), field("text"));
            let mut shingles = sketcher.shingle_set(&text);
            shingles.sort_unstable();
            shingles.dedup();
            let normal = sketcher.normalizer().normalize(&text);
            let mut words: Vec<u64> = words(&normal).map(|w| hash_bytes(w.as_bytes(), 0)).collect();
            words.sort_unstable();
            words.dedup();
            let id = field("id");
            // Ids carry the extraction day (snn-2015-08-03-0012); ANT's DOCNO ends with it.
            let day = if id.starts_with("snn-") {
                id[4..14].to_owned()
            } else {
                id.rsplit('-').next().unwrap_or("").to_owned()
            };
            Article { id, day, shingles, words }
        })
        .collect()
}

/// A pair (a < b) with its word-5 Jaccard, containment of the smaller in the larger,
/// and word-set Jaccard.
type Scored = (u32, u32, f64, f64, f64);

fn score(articles: &[Article], a: u32, b: u32) -> Scored {
    let (x, y) = (&articles[a as usize], &articles[b as usize]);
    let (small, large) = if x.shingles.len() <= y.shingles.len() { (x, y) } else { (y, x) };
    let c = containment(&small.shingles, &large.shingles);
    (a, b, jaccard(&x.shingles, &y.shingles), c, jaccard(&x.words, &y.words))
}

/// Pairs (i < j) sharing a shingle found in 2 to 60 articles.
fn candidates(articles: &[Article]) -> Vec<(u32, u32)> {
    let mut postings: HashMap<u64, Vec<u32>> = HashMap::new();
    for (i, a) in articles.iter().enumerate() {
        for &s in &a.shingles {
            postings.entry(s).or_default().push(i as u32);
        }
    }
    let mut pairs = HashSet::new();
    for docs in postings.values().filter(|d| (2..=60).contains(&d.len())) {
        for (k, &a) in docs.iter().enumerate() {
            for &b in &docs[k + 1..] {
                pairs.insert((a, b));
            }
        }
    }
    let mut pairs: Vec<(u32, u32)> = pairs.into_iter().collect();
    pairs.sort_unstable();
    pairs
}

/// The `n` members of `items` with the smallest seeded hash: a deterministic draw.
fn draw<T: Clone>(items: &[T], n: usize, key: impl Fn(&T) -> u64) -> Vec<T> {
    let mut keyed: Vec<(u64, usize)> =
        items.iter().enumerate().map(|(k, t)| (mix64(key(t), SEED), k)).collect();
    keyed.sort_unstable();
    let mut picked: Vec<usize> = keyed.iter().take(n).map(|&(_, k)| k).collect();
    picked.sort_unstable();
    picked.into_iter().map(|k| items[k].clone()).collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (data, out) = (Path::new(&args[1]), Path::new(&args[2]));
    let mut population: BTreeMap<String, u64> = BTreeMap::new();
    let mut sampled: BTreeMap<String, u64> = BTreeMap::new();
    let mut rows = Vec::new();
    let corpora = [
        ("snn", "saudinewsnet_2015-08-03_to_11.jsonl.gz"),
        ("ant", "ant_multisource_2018-04.jsonl.gz"),
    ];
    for (c, (corpus, file)) in corpora.into_iter().enumerate() {
        let articles = read(&data.join(file));
        let pairs = candidates(&articles);
        eprintln!("{corpus}: {} articles, {} candidate pairs", articles.len(), pairs.len());
        let scored: Vec<Scored> = pairs.par_iter().map(|&(a, b)| score(&articles, a, b)).collect();
        let mut by_bin: BTreeMap<&str, Vec<Scored>> = BTreeMap::new();
        for &p in &scored {
            let bin = BINS
                .iter()
                .find(|b| p.2 >= b.1)
                .map(|b| b.0)
                .or_else(|| (p.4 >= 0.3).then_some(LOW_BIN.0));
            if let Some(bin) = bin {
                by_bin.entry(bin).or_default().push(p);
            }
        }
        // Random pairs of one day: every same-day pair is the population.
        let mut days: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for (i, a) in articles.iter().enumerate() {
            days.entry(&a.day).or_default().push(i as u32);
        }
        let same_day: u64 =
            days.values().map(|d| (d.len() as u64) * (d.len() as u64 - 1) / 2).sum();
        let mut random = Vec::new();
        let mut k = 0u64;
        while random.len() < RANDOM_BIN.1[c] {
            let r = mix64(k, SEED ^ 0xABCD);
            k += 1;
            let a = (r % articles.len() as u64) as u32;
            let day = &days[articles[a as usize].day.as_str()];
            let b = day[(mix64(r, 7) % day.len() as u64) as usize];
            if a != b {
                let (a, b) = (a.min(b), a.max(b));
                let (x, y) = (&articles[a as usize], &articles[b as usize]);
                let c = if x.shingles.len() <= y.shingles.len() {
                    containment(&x.shingles, &y.shingles)
                } else {
                    containment(&y.shingles, &x.shingles)
                };
                random.push((
                    a,
                    b,
                    jaccard(&x.shingles, &y.shingles),
                    c,
                    jaccard(&x.words, &y.words),
                ));
            }
        }
        let mut bins: Vec<(&str, usize, Vec<Scored>, u64)> =
            BINS.iter().map(|b| (b.0, b.2[c], by_bin.remove(b.0).unwrap_or_default(), 0)).collect();
        let low = by_bin.remove(LOW_BIN.0).unwrap_or_default();
        bins.push((LOW_BIN.0, LOW_BIN.1[c], low, 0));
        bins.push((RANDOM_BIN.0, RANDOM_BIN.1[c], random, same_day));
        for (bin, n, members, pop) in bins {
            let name = format!("{corpus}/{bin}");
            let pop = if pop > 0 { pop } else { members.len() as u64 };
            let picked = if bin == RANDOM_BIN.0 {
                members.clone()
            } else {
                draw(&members, n, |p| (u64::from(p.0) << 32) | u64::from(p.1))
            };
            population.insert(name.clone(), pop);
            sampled.insert(name.clone(), picked.len() as u64);
            for (a, b, j, c, w) in picked {
                // Half of each bin tunes the defaults, the other half reports on them.
                let split = if mix64((u64::from(a) << 32) | u64::from(b), SEED ^ 1) % 2 == 0 {
                    "tune"
                } else {
                    "report"
                };
                rows.push(serde_json::json!({
                    "a": articles[a as usize].id, "b": articles[b as usize].id, "bin": name, "split": split,
                    "jaccard5": (j * 1e4).round() / 1e4, "containment5": (c * 1e4).round() / 1e4,
                    "word_jaccard": (w * 1e4).round() / 1e4,
                }));
            }
        }
    }
    std::fs::create_dir_all(out).expect("output folder");
    let mut f = std::fs::File::create(out.join("pairs_unlabelled.jsonl")).expect("pairs file");
    for r in &rows {
        writeln!(f, "{r}").expect("write pairs");
    }
    let pop = serde_json::json!({"population": population, "sampled": sampled});
    std::fs::write(out.join("population.json"), format!("{pop:#}\n")).expect("population file");
    eprintln!("{} pairs drawn", rows.len());
}
