//! Normaliser throughput in MB/s on real Arabic news, one core.
//!
//! Groups:
//! - `normalize/saudinewsnet-raw`: every SaudiNewsNet article as published, through
//!   `normalize_into` with one reused buffer (needs `../shared/data/arabic_news`; skipped
//!   with a message when absent). Target: ≥ 400 MB/s.
//! - `normalize/saudinewsnet-normal`: the same articles already normalised, through the
//!   `Cow` path, which should cost little more than a scan (`copy` is the baseline).
//! - `normalize/seed-articles`: the four seed articles shipped in `examples/articles/`.
//!
//! Run: `cargo bench --bench normalize`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nuskha::{ArabicNormalizer, Normalize};

#[path = "../tests/corpus.rs"]
#[allow(dead_code)]
mod corpus;

fn bench_texts(c: &mut Criterion, name: &str, texts: &[String]) {
    let norm = ArabicNormalizer::new();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut g = c.benchmark_group("normalize");
    g.throughput(Throughput::Bytes(bytes as u64));
    let mut buf = String::new();
    g.bench_function(format!("{name}-raw"), |b| {
        b.iter(|| {
            for t in texts {
                norm.normalize_into(black_box(t), &mut buf);
                black_box(&buf);
            }
        });
    });
    let normal: Vec<String> = texts.iter().map(|t| norm.normalize(t).into_owned()).collect();
    g.bench_function(format!("{name}-normal"), |b| {
        b.iter(|| {
            for t in &normal {
                black_box(norm.normalize(black_box(t)));
            }
        });
    });
    g.bench_function(format!("{name}-copy"), |b| {
        b.iter(|| {
            for t in texts {
                buf.clear();
                buf.push_str(black_box(t));
                black_box(&buf);
            }
        });
    });
    g.finish();
}

fn normalize(c: &mut Criterion) {
    bench_texts(c, "seed-articles", &corpus::seed_articles());
    match corpus::load("saudinewsnet") {
        Some(articles) => {
            let texts: Vec<String> = articles.into_iter().map(|a| a.text).collect();
            bench_texts(c, "saudinewsnet", &texts);
        }
        None => eprintln!("normalize/saudinewsnet: skipped, corpus not found"),
    }
}

criterion_group!(benches, normalize);
criterion_main!(benches);
