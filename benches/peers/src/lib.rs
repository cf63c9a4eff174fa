//! What the peer programs share: reading JSONL corpora, and the word 5-shingles that
//! users of the peers build (lowercase, split on whitespace and ASCII punctuation).

use std::io::{BufRead, BufReader};

/// Reads `(id, text)` from a JSONL file (fields `id` and `text`).
pub fn read_jsonl(path: &str) -> Vec<(String, String)> {
    let file = std::fs::File::open(path).expect("corpus file");
    BufReader::new(file)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l.expect("line")).expect("JSON");
            let id = match &v["id"] {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (id, v["text"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

/// Lowercased tokens split on whitespace and ASCII punctuation.
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c.is_ascii_punctuation())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Words of already lowercased text, split on whitespace and ASCII punctuation, as
/// slices of it (no allocation per word).
pub fn words(lower: &str) -> Vec<&str> {
    lower.split(|c: char| c.is_whitespace() || c.is_ascii_punctuation()).filter(|t| !t.is_empty()).collect()
}

/// Word n-grams joined by spaces (one shingle of all tokens when fewer than n).
pub fn shingles(text: &str, n: usize) -> Vec<String> {
    let t = tokens(text);
    if t.len() < n {
        return if t.is_empty() { Vec::new() } else { vec![t.join(" ")] };
    }
    t.windows(n).map(|w| w.join(" ")).collect()
}
