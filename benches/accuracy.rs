//! Accuracy of the default clustering against the silver pair list (exact word-5
//! Jaccard), and how the threshold trades precision for recall.
//!
//! For each setting it prints: the share of silver pairs with J ≥ 0.8 (and ≥ 0.5) that
//! end in one cluster (recall), and how the pairs that end in one cluster split by
//! their silver Jaccard (pairs absent from the list have J < 0.3): precision against
//! J ≥ 0.5 and against J ≥ 0.3. Needs `../shared/data/arabic_news`.
//!
//! Run: `cargo bench --bench accuracy` (add `-- --examples` to print pairs near the line)

use std::collections::HashMap;
use std::time::Instant;

use nuskha::shingle::{containment, jaccard};
use nuskha::{Boilerplate, ClusterMode, Clusters, Deduplicator, DocId, Sketcher};

#[path = "../tests/corpus.rs"]
#[allow(dead_code)]
mod corpus;

struct Eval {
    recall_08: f64,
    recall_05: f64,
    recall_contained: f64,
    co_pairs: usize,
    precision_05: f64,
    precision_03: f64,
    precision_any: f64,
}

fn co_clustered_pairs(clusters: &Clusters) -> Vec<(DocId, DocId)> {
    let mut pairs = Vec::new();
    for c in clusters.copies() {
        let ids: Vec<DocId> = c.ids().collect();
        for (i, &a) in ids.iter().enumerate() {
            for &b in &ids[i + 1..] {
                pairs.push((a, b));
            }
        }
    }
    pairs
}

fn evaluate(
    clusters: &Clusters,
    silver: &HashMap<(usize, usize), (f64, f64)>,
    sets: &[Vec<u64>],
) -> Eval {
    let same = |a: usize, b: usize| {
        clusters.representative_of(DocId(a as u32)) == clusters.representative_of(DocId(b as u32))
    };
    let recall = |keep: &dyn Fn(f64, f64) -> bool| {
        let pairs: Vec<_> = silver.iter().filter(|&(_, &(j, c))| keep(j, c)).collect();
        pairs.iter().filter(|&&(&(a, b), _)| same(a, b)).count() as f64 / pairs.len().max(1) as f64
    };
    let co = co_clustered_pairs(clusters);
    let j_of = |a: DocId, b: DocId| silver.get(&(a.index(), b.index())).map_or(0.0, |p| p.0);
    let p05 = co.iter().filter(|&&(a, b)| j_of(a, b) >= 0.5).count();
    let p03 = co.iter().filter(|&&(a, b)| j_of(a, b) >= 0.3).count();
    // Exact measures on our own shingles: a copy either overlaps (J ≥ 0.3) or is
    // contained (the smaller article ≥ 70% inside the larger).
    let any = co
        .iter()
        .filter(|&&(a, b)| {
            let (x, y) = (&sets[a.index()], &sets[b.index()]);
            let (small, large) = if x.len() <= y.len() { (x, y) } else { (y, x) };
            jaccard(x, y) >= 0.3 || containment(small, large) >= 0.7
        })
        .count();
    Eval {
        recall_08: recall(&|j, _| j >= 0.8),
        recall_05: recall(&|j, _| j >= 0.5),
        recall_contained: recall(&|j, c| j < 0.5 && c >= 0.9),
        co_pairs: co.len(),
        precision_05: p05 as f64 / co.len().max(1) as f64,
        precision_03: p03 as f64 / co.len().max(1) as f64,
        precision_any: any as f64 / co.len().max(1) as f64,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let show_examples = args.iter().any(|a| a == "--examples");
    let (Some(snn), Some(pairs)) = (corpus::load("saudinewsnet"), corpus::silver_pairs()) else {
        eprintln!("accuracy: corpus not found, nothing to measure");
        return;
    };
    let index: HashMap<&str, usize> =
        snn.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    let mut silver = HashMap::new();
    for p in &pairs {
        if let (Some(&a), Some(&b)) = (index.get(p.a.as_str()), index.get(p.b.as_str())) {
            silver.insert((a.min(b), a.max(b)), (p.jaccard, p.containment));
        }
    }
    let texts: Vec<&str> = snn.iter().map(|a| a.text.as_str()).collect();
    let sketcher = Sketcher::new();
    let sets: Vec<Vec<u64>> = texts.iter().map(|t| sketcher.shingle_set(t)).collect();
    println!(
        "SaudiNewsNet: {} articles, {} silver pairs ({} with J ≥ 0.8)",
        texts.len(),
        silver.len(),
        silver.values().filter(|&&(j, _)| j >= 0.8).count()
    );
    println!();
    println!(
        "| threshold | containment | mode | boilerplate | recall J≥0.8 | recall J≥0.5 | recall C≥0.9, J<0.5 | pairs in clusters | precision vs J≥0.5 | precision vs J≥0.3 | precision vs J≥0.3 or C≥0.7 | seconds |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let settings: Vec<(f64, Option<f64>, ClusterMode, bool)> = vec![
        (0.3, Some(0.8), ClusterMode::Star, true),
        (0.4, Some(0.8), ClusterMode::Star, true),
        (0.5, Some(0.8), ClusterMode::Star, true), // the defaults of `--no-edited`
        (0.6, Some(0.8), ClusterMode::Star, true),
        (0.7, Some(0.8), ClusterMode::Star, true),
        (0.5, None, ClusterMode::Star, true),
        (0.5, Some(0.9), ClusterMode::Star, true),
        (0.5, Some(0.8), ClusterMode::Components, true),
        (0.5, Some(0.8), ClusterMode::Star, false),
    ];
    for (threshold, contain, mode, boilerplate) in settings {
        // Jaccard and containment alone (`--no-edited`): what the thresholds trade.
        let dedup = Deduplicator::builder()
            .edited_copies(None)
            .threshold(threshold)
            .containment(contain)
            .mode(mode)
            .boilerplate(if boilerplate { Boilerplate::Auto } else { Boilerplate::Off })
            .build()
            .expect("valid");
        let start = Instant::now();
        let clusters = dedup.par_cluster(&texts);
        let elapsed = start.elapsed().as_secs_f64();
        let e = evaluate(&clusters, &silver, &sets);
        println!(
            "| {threshold} | {} | {mode:?} | {} | {:.3} | {:.3} | {:.3} | {} | {:.3} | {:.3} | {:.3} | {elapsed:.2} |",
            contain.map_or("off".to_string(), |c| c.to_string()),
            if boilerplate { "auto" } else { "off" },
            e.recall_08,
            e.recall_05,
            e.recall_contained,
            e.co_pairs,
            e.precision_05,
            e.precision_03,
            e.precision_any
        );
        if show_examples
            && threshold == nuskha::dedup::DEFAULT_THRESHOLD
            && contain == Some(0.8)
            && mode == ClusterMode::Star
            && boilerplate
        {
            print_examples(&clusters, &silver, &sets, &snn);
        }
    }
}

/// Pairs on both sides of the line: silver copies left apart, and pairs clustered
/// although they are neither similar nor contained.
fn print_examples(
    clusters: &Clusters,
    silver: &HashMap<(usize, usize), (f64, f64)>,
    sets: &[Vec<u64>],
    snn: &[corpus::Article],
) {
    let same = |a: usize, b: usize| {
        clusters.representative_of(DocId(a as u32)) == clusters.representative_of(DocId(b as u32))
    };
    println!("\nmissed silver pairs with J ≥ 0.8:");
    for (&(a, b), &(j, _)) in
        silver.iter().filter(|&(&(a, b), &(j, _))| j >= 0.8 && !same(a, b)).take(8)
    {
        println!(
            "  J={j:.3} {} | {}\n    A: {}\n    B: {}",
            snn[a].id,
            snn[b].id,
            snn[a].text.chars().take(160).collect::<String>(),
            snn[b].text.chars().take(160).collect::<String>()
        );
    }
    println!("\nclustered pairs that are neither similar (J < 0.3) nor contained (C < 0.7):");
    let co = co_clustered_pairs(clusters);
    for (a, b) in co
        .iter()
        .filter(|&&(a, b)| {
            let (x, y) = (&sets[a.index()], &sets[b.index()]);
            let (small, large) = if x.len() <= y.len() { (x, y) } else { (y, x) };
            !(jaccard(x, y) >= 0.3 || containment(small, large) >= 0.7)
        })
        .take(12)
    {
        let (x, y) = (&snn[a.index()], &snn[b.index()]);
        println!(
            "  {} ({}) | {} ({})\n    A: {}\n    B: {}",
            x.id,
            x.source,
            y.id,
            y.source,
            x.text.chars().take(200).collect::<String>(),
            y.text.chars().take(200).collect::<String>()
        );
    }
}
