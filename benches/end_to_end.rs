//! End to end: N articles in, clusters out (`Deduplicator::cluster` on one thread and
//! `par_cluster` on all), on synthetic Arabic-like news with planted copies
//! (`benches/synthetic.rs`) at 10,000 and 100,000 articles, and on SaudiNewsNet when
//! `../shared/data/arabic_news` is present. Throughput is in MB of article text.
//!
//! Targets (issue "faster than every peer"): 100k costs ≤ 11× what 10k costs; two
//! threads give ≥ 1.8× one. Run: `cargo bench --bench end_to_end`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nuskha::Deduplicator;

#[path = "../tests/corpus.rs"]
#[allow(dead_code)]
mod corpus;
mod synthetic;

fn bench_corpus(c: &mut Criterion, name: &str, texts: &[String], samples: usize) {
    let dedup = Deduplicator::new();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut g = c.benchmark_group("end_to_end");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(samples);
    g.bench_function(format!("{name}/serial"), |b| {
        b.iter(|| black_box(dedup.cluster(black_box(texts))));
    });
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    g.bench_function(format!("{name}/par-1-thread"), |b| {
        b.iter(|| one.install(|| black_box(dedup.par_cluster(black_box(texts)))));
    });
    let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("pool");
    g.bench_function(format!("{name}/par-2-threads"), |b| {
        b.iter(|| two.install(|| black_box(dedup.par_cluster(black_box(texts)))));
    });
    g.finish();
}

fn end_to_end(c: &mut Criterion) {
    for (n, samples) in [(10_000, 10), (100_000, 10)] {
        let texts: Vec<String> = synthetic::generate(n, 42).into_iter().map(|a| a.text).collect();
        bench_corpus(c, &format!("synthetic-{}k", n / 1000), &texts, samples);
    }
    match corpus::load("saudinewsnet") {
        Some(a) => {
            let texts: Vec<String> = a.into_iter().map(|a| a.text).collect();
            bench_corpus(c, "saudinewsnet", &texts, 10);
        }
        None => eprintln!("end_to_end/saudinewsnet: skipped, corpus not found"),
    }
}

criterion_group!(benches, end_to_end);
criterion_main!(benches);
