//! A live feed against the batch call: 100,000 synthetic articles
//! (`benches/synthetic.rs`) added one at a time to a `DedupIndex` (started with the
//! statistics `Deduplicator::learn` found in the same articles, so the clusters are
//! the batch's), and the same articles clustered by `Deduplicator::cluster`, both with
//! `Representative::Longest` — the rule that used to rebuild every cluster on each
//! `add`.
//!
//! Expected: the feed costs a small multiple of the batch (each `add` is O(1) amortised
//! apart from its lookups; it queries the LSH index article by article where the batch
//! groups band keys once), not a quadratic one. Run: `cargo bench --bench feed`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nuskha::{Deduplicator, Representative};

mod synthetic;

fn feed(c: &mut Criterion) {
    let texts: Vec<String> = synthetic::generate(100_000, 42).into_iter().map(|a| a.text).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let dedup =
        Deduplicator::builder().representative(Representative::Longest).build().expect("valid");
    let stats = dedup.learn(&texts);
    let mut g = c.benchmark_group("feed");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(30));
    g.bench_function("synthetic-100k/index-add", |b| {
        b.iter(|| {
            let mut index = dedup.index_with(stats.clone());
            for (i, t) in texts.iter().enumerate() {
                black_box(index.add(&i.to_string(), black_box(t)).expect("new ids"));
            }
            index
        });
    });
    g.bench_function("synthetic-100k/batch", |b| {
        b.iter(|| black_box(dedup.cluster(black_box(&texts))));
    });
    g.finish();
}

criterion_group!(benches, feed);
criterion_main!(benches);
