//! Shingling and sketching throughput, one core.
//!
//! Groups (MB/s of raw article text unless noted):
//! - `sketch/pipeline-*`: normalise + word 5-shingles + MinHash K=128, the work done per
//!   article before indexing. Target: ≥ 250 MB/s on `SaudiNewsNet`. `pipeline+simhash`
//!   adds the SimHash fingerprint.
//! - `shingle/*`: shingling alone on pre-normalised text, words:5 and chars:5.
//! - `minhash/*`: one-permutation vs the naive K-independent MinHash, K=128, on the same
//!   pre-computed shingle hashes (elements = shingles). Target: fast ≥ 5× naive.
//! - `simhash/tf`: SimHash alone on the same shingle hashes.
//!
//! Uses `../shared/data/arabic_news` when present (first 3,000 `SaudiNewsNet` articles),
//! else the four seed articles.
//!
//! Run: `cargo bench --bench sketch`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nuskha::{
    MinHashAlgorithm, MinHashScratch, MinHasher, ShingleUnit, SimHasher, SketchScratch, Sketcher,
};

#[path = "../tests/corpus.rs"]
#[allow(dead_code)]
mod corpus;

fn texts() -> (String, Vec<String>) {
    if let Some(a) = corpus::load("saudinewsnet") {
        ("saudinewsnet".into(), a.into_iter().take(3000).map(|a| a.text).collect())
    } else {
        eprintln!("sketch: corpus not found, using the seed articles");
        ("seed-articles".into(), corpus::seed_articles())
    }
}

fn sketch(c: &mut Criterion) {
    let (name, texts) = texts();
    let bytes: usize = texts.iter().map(String::len).sum();
    let sketcher = Sketcher::new();

    let mut g = c.benchmark_group("sketch");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(20);
    let mut scratch = SketchScratch::default();
    g.bench_function(format!("pipeline-{name}"), |b| {
        b.iter(|| {
            for t in &texts {
                black_box(sketcher.sketch_with(black_box(t), &mut scratch));
            }
        });
    });
    let with_simhash = Sketcher::builder().simhash(true).build().expect("valid");
    g.bench_function(format!("pipeline+simhash-{name}"), |b| {
        b.iter(|| {
            for t in &texts {
                black_box(with_simhash.sketch_with(black_box(t), &mut scratch));
            }
        });
    });
    g.finish();

    let normal: Vec<String> = texts.iter().map(|t| sketcher.normalize(t).into_owned()).collect();
    let mut g = c.benchmark_group("shingle");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(20);
    for (unit, n) in [(ShingleUnit::Words, 5), (ShingleUnit::Chars, 5)] {
        let s = Sketcher::builder().shingles(unit, n).build().expect("valid");
        let shingler = *s.shingler();
        g.bench_function(format!("{unit}:{n}-{name}"), |b| {
            b.iter(|| {
                for t in &normal {
                    black_box(shingler.shingles(black_box(t)).fold(0u64, |a, h| a ^ h));
                }
            });
        });
    }
    g.finish();

    let hashes: Vec<Vec<u64>> =
        normal.iter().take(300).map(|t| sketcher.shingler().shingles(t).collect()).collect();
    let count: usize = hashes.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("minhash");
    g.throughput(Throughput::Elements(count as u64));
    g.sample_size(20);
    for (label, alg) in [
        ("fast-oph", MinHashAlgorithm::OnePermutation),
        ("naive-k-hash", MinHashAlgorithm::KIndependent),
    ] {
        let minhasher = MinHasher::with_algorithm(128, 1, alg).expect("valid");
        let mut scratch = MinHashScratch::default();
        g.bench_function(format!("{label}-k128"), |b| {
            b.iter(|| {
                for h in &hashes {
                    black_box(minhasher.sketch_with(h.iter().copied(), &mut scratch));
                }
            });
        });
    }
    g.finish();

    let mut g = c.benchmark_group("simhash");
    g.throughput(Throughput::Elements(count as u64));
    g.sample_size(20);
    let simhasher = SimHasher::new(1);
    g.bench_function("tf", |b| {
        b.iter(|| {
            for h in &hashes {
                black_box(simhasher.sketch(h.iter().copied()));
            }
        });
    });
    g.finish();
}

criterion_group!(benches, sketch);
criterion_main!(benches);
