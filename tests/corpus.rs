//! Access to the real Arabic news corpus in `../shared/data/arabic_news`, when present.
//!
//! Tests that use it skip (with a message) when the folder is absent: the corpus is
//! research data that is never copied into this repository.

#![allow(clippy::missing_panics_doc)] // test helpers panic on broken fixtures

use std::io::{BufRead, BufReader};
use std::path::PathBuf;

/// One article of the corpus.
#[allow(dead_code)]
pub struct Article {
    /// `snn-…` or `ant-…`.
    pub id: String,
    /// The outlet key.
    pub source: String,
    /// The headline.
    pub title: String,
    /// The body, raw (not normalised).
    pub text: String,
}

/// The corpus folder, from `NUSKHA_CORPUS` or `../shared/data/arabic_news`.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("NUSKHA_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/arabic_news"),
        PathBuf::from,
    );
    dir.is_dir().then_some(dir)
}

/// Reads one `.jsonl.gz` file of the corpus, or `None` (with a note) when absent.
pub fn load(file_prefix: &str) -> Option<Vec<Article>> {
    let Some(dir) = corpus_dir() else {
        eprintln!("skipping: corpus folder ../shared/data/arabic_news not found");
        return None;
    };
    let path =
        std::fs::read_dir(&dir).ok()?.filter_map(Result::ok).map(|e| e.path()).find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(file_prefix) && n.ends_with(".jsonl.gz"))
        })?;
    let file = std::fs::File::open(&path).expect("open corpus file");
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let mut out = Vec::new();
    for line in reader.lines() {
        let line = line.expect("read corpus line");
        let v: serde_json::Value = serde_json::from_str(&line).expect("corpus line is JSON");
        let field = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        out.push(Article {
            id: field("id"),
            source: field("source"),
            title: field("title"),
            text: field("text"),
        });
    }
    Some(out)
}

/// The four seed articles shipped in `examples/articles/`, in file-name order: the three
/// hajj reports (barlamane, belwadeh, marrakech-alaan), then the diplomats article.
pub fn seed_articles() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/articles");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("examples/articles")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read_to_string(p).expect("seed article")).collect()
}

/// One row of the silver pair list: two articles whose exact word-5 Jaccard is ≥ 0.3.
#[allow(dead_code)]
pub struct SilverPair {
    /// First article id.
    pub a: String,
    /// Second article id.
    pub b: String,
    /// Whether the two come from different outlets.
    pub cross_outlet: bool,
    /// Exact Jaccard of 5-word shingles (shingles in > 60 documents ignored).
    pub jaccard: f64,
    /// Exact containment of the smaller in the larger.
    pub containment: f64,
}

/// The silver pairs, or `None` when the corpus is absent.
#[allow(dead_code)]
pub fn silver_pairs() -> Option<Vec<SilverPair>> {
    let path = corpus_dir()?.join("silver_pairs_jaccard_ge_0.3.tsv.gz");
    let file = std::fs::File::open(path).ok()?;
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let mut out = Vec::new();
    for line in reader.lines().skip(1) {
        let line = line.expect("read silver pairs");
        let f: Vec<&str> = line.split('\t').collect();
        out.push(SilverPair {
            a: f[0].to_owned(),
            b: f[1].to_owned(),
            cross_outlet: f[2] != f[3],
            jaccard: f[4].parse().expect("jaccard"),
            containment: f[5].parse().expect("containment"),
        });
    }
    Some(out)
}
