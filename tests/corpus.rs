//! Access to the real Arabic news corpus in `../shared/data/arabic_news`, when present.
//!
//! Tests that use it skip (with a message) when the folder is absent: the corpus is
//! research data that is never copied into this repository.

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
    let path = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
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
