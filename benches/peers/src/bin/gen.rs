//! Writes a synthetic corpus and its truths: `gen N SEED OUT_DIR` writes
//! `corpus.jsonl`, `truth_planted.tsv` (pairs of copies of one story) and
//! `truth_exact.tsv` (pairs with exact word-5 Jaccard ≥ 0.8 under the peers' tokens).
//! `gen --jsonl-gz IN.jsonl.gz OUT_DIR` converts a corpus and writes its exact truth.
//! `gen --stream N SEED OUT.jsonl.gz` streams N articles to a gzipped JSON Lines file
//! (no truth: the scale benchmark, `benches/scale.sh`, only needs the articles).

#[path = "../../../synthetic.rs"]
mod synthetic;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};

fn exact_pairs(texts: &[String]) -> Vec<(usize, usize, f64)> {
    let sets: Vec<HashSet<String>> =
        texts.iter().map(|t| nuskha_peers::shingles(t, 5).into_iter().collect()).collect();
    let mut postings: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, s) in sets.iter().enumerate() {
        for sh in s {
            postings.entry(sh.as_str()).or_default().push(i);
        }
    }
    let mut candidates: HashSet<(usize, usize)> = HashSet::new();
    for docs in postings.values().filter(|d| d.len() > 1 && d.len() <= 60) {
        for (x, &a) in docs.iter().enumerate() {
            for &b in &docs[x + 1..] {
                candidates.insert((a.min(b), a.max(b)));
            }
        }
    }
    let mut out: Vec<(usize, usize, f64)> = candidates
        .into_iter()
        .filter_map(|(a, b)| {
            let inter = sets[a].intersection(&sets[b]).count();
            let j = inter as f64 / (sets[a].len() + sets[b].len() - inter) as f64;
            (j >= 0.8).then_some((a, b, j))
        })
        .collect();
    out.sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
    out
}

fn write_corpus(dir: &str, ids: &[String], texts: &[String]) {
    let mut f =
        std::io::BufWriter::new(std::fs::File::create(format!("{dir}/corpus.jsonl")).unwrap());
    for (id, t) in ids.iter().zip(texts) {
        writeln!(f, "{}", serde_json::json!({"id": id, "text": t})).unwrap();
    }
    let mut f =
        std::io::BufWriter::new(std::fs::File::create(format!("{dir}/truth_exact.tsv")).unwrap());
    for (a, b, _) in exact_pairs(texts) {
        writeln!(f, "{}\t{}", ids[a], ids[b]).unwrap();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args[1] == "--stream" {
        let n: usize = args[2].parse().expect("N");
        let seed: u64 = args[3].parse().expect("SEED");
        let file = std::fs::File::create(&args[4]).expect("output");
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        let mut out = std::io::BufWriter::with_capacity(1 << 20, gz);
        synthetic::for_each(n, seed, |a| {
            writeln!(out, "{}", serde_json::json!({"id": a.id, "text": a.text})).unwrap();
        });
        out.into_inner().ok().expect("flush").finish().expect("finish the gzip stream");
        return;
    }
    if args[1] == "--jsonl-gz" {
        let file = std::fs::File::open(&args[2]).expect("input");
        let reader = BufReader::new(flate2::read::GzDecoder::new(file));
        let (mut ids, mut texts) = (Vec::new(), Vec::new());
        for line in reader.lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            ids.push(v["id"].as_str().unwrap().to_string());
            texts.push(v["text"].as_str().unwrap().to_string());
        }
        write_corpus(&args[3], &ids, &texts);
        return;
    }
    let n: usize = args[1].parse().expect("N");
    let seed: u64 = args[2].parse().expect("SEED");
    let dir = &args[3];
    let articles = synthetic::generate(n, seed);
    let ids: Vec<String> = articles.iter().map(|a| a.id.clone()).collect();
    let texts: Vec<String> = articles.iter().map(|a| a.text.clone()).collect();
    write_corpus(dir, &ids, &texts);
    let mut by_story: HashMap<u32, Vec<&str>> = HashMap::new();
    for a in &articles {
        by_story.entry(a.story).or_default().push(&a.id);
    }
    let mut stories: Vec<_> = by_story.into_iter().collect();
    stories.sort();
    let mut f =
        std::io::BufWriter::new(std::fs::File::create(format!("{dir}/truth_planted.tsv")).unwrap());
    for (_, members) in stories {
        for (x, a) in members.iter().enumerate() {
            for b in &members[x + 1..] {
                writeln!(f, "{a}\t{b}").unwrap();
            }
        }
    }
}
