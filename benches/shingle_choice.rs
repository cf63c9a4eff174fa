//! Chooses the default shingle unit and size by measurement (prints a table).
//!
//! For each candidate it reports exact Jaccard on the seed articles (lowest among the
//! three hajj copies, highest between a hajj copy and the diplomats article), and on
//! the SaudiNewsNet corpus: the median and 5th percentile over silver pairs with word-5
//! Jaccard ≥ 0.8 (real copies) and the 99.9th percentile and maximum over 20,000 random
//! article pairs (unrelated news), plus the shingling speed.
//!
//! Run: `cargo bench --bench shingle_choice`

#![allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]

use std::collections::HashMap;
use std::time::Instant;

use nuskha::hash::mix64;
use nuskha::shingle::jaccard;
use nuskha::{ShingleUnit, Sketcher};

#[path = "../tests/corpus.rs"]
#[allow(dead_code)]
mod corpus;

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() - 1) as f64 * p).round() as usize;
    v[i]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let seeds = corpus::seed_articles();
    let corpus = corpus::load("saudinewsnet");
    let silver = corpus::silver_pairs();
    println!(
        "| shingles | seed copies (min J) | seed unrelated (max J) | silver J≥0.8: median / p5 | random pairs: p99.9 / max | MB/s |"
    );
    println!("|---|---|---|---|---|---|");
    for (unit, n) in [
        (ShingleUnit::Words, 2),
        (ShingleUnit::Words, 3),
        (ShingleUnit::Words, 4),
        (ShingleUnit::Words, 5),
        (ShingleUnit::Words, 7),
        (ShingleUnit::Chars, 5),
        (ShingleUnit::Chars, 9),
    ] {
        let s = Sketcher::builder().shingles(unit, n).build().expect("valid");
        let sets: Vec<Vec<u64>> = seeds.iter().map(|t| s.shingle_set(t)).collect();
        let copies =
            [jaccard(&sets[0], &sets[1]), jaccard(&sets[0], &sets[2]), jaccard(&sets[1], &sets[2])];
        let unrelated = (0..3).map(|i| jaccard(&sets[i], &sets[3])).fold(0.0, f64::max);
        let mut corpus_cols = String::from("– | – | –");
        if let (Some(articles), Some(silver)) = (&corpus, &silver) {
            let start = Instant::now();
            let set_of: Vec<Vec<u64>> = articles.iter().map(|a| s.shingle_set(&a.text)).collect();
            let elapsed = start.elapsed().as_secs_f64();
            let bytes: usize = articles.iter().map(|a| a.text.len()).sum();
            let index: HashMap<&str, usize> =
                articles.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
            let mut copy_j: Vec<f64> = silver
                .iter()
                .filter(|p| p.jaccard >= 0.8)
                .filter_map(|p| {
                    Some(jaccard(
                        &set_of[*index.get(p.a.as_str())?],
                        &set_of[*index.get(p.b.as_str())?],
                    ))
                })
                .collect();
            let mut random_j: Vec<f64> = (0..20_000u64)
                .map(|i| {
                    let a = (mix64(i, 1) % articles.len() as u64) as usize;
                    let b = (mix64(i, 2) % articles.len() as u64) as usize;
                    if a == b { 0.0 } else { jaccard(&set_of[a], &set_of[b]) }
                })
                .collect();
            corpus_cols = format!(
                "{:.3} / {:.3} | {:.3} / {:.3} | {:.0}",
                percentile(&mut copy_j, 0.5),
                percentile(&mut copy_j, 0.05),
                percentile(&mut random_j, 0.999),
                percentile(&mut random_j, 1.0),
                bytes as f64 / elapsed / 1e6
            );
        }
        println!(
            "| {unit}:{n} | {:.3} | {unrelated:.3} | {corpus_cols} |",
            copies.iter().copied().fold(1.0, f64::min)
        );
    }
}
