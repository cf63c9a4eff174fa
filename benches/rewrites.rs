//! Heavy rewrites of real articles: how many each configuration finds, and how many
//! template look-alikes it merges.
//!
//! From SaudiNewsNet (`../shared/data/arabic_news`; skipped when absent), every 40th
//! article of 120–800 words is a source. Each gets, seeded and deterministic:
//!
//! - a **rewrite** at a strength `s`: a new lead (the first clause replaced by a clause
//!   of another article), clauses swapped (each with probability `s` with a random
//!   other), words substituted (probability `s / 2`, by a word of another article) and
//!   dropped (`s / 4`): what a newspaper does to an agency story;
//! - a **template twin**: the source with every word found in at most 20 articles of the
//!   corpus (names, places, numbers: the slots) replaced by another such word, the
//!   common wording kept: what two congratulation cables or two market bulletins are.
//!
//! The rewrites and twins are clustered together with the whole corpus (so that its
//! statistics, and its own template series, are there) by `--no-edited`, the defaults,
//! `--edited` and `--edited --align`. Per strength it prints the share of
//! rewrites in their source's cluster (recall), the share of twins in their source's
//! cluster (template merges), the share of rewrites in a cluster without their source
//! (wrong joins), and the pairs of real articles that the configuration puts together
//! and `--edited` does not. Then, per strength, how often the alignment's coverage and
//! a longest common subsequence's (both on the shorter text's words) reach 0.6 for
//! rewrites, twins and unrelated pairs: why tiling, not LCS.
//!
//! Run: `cargo bench --bench rewrites` (about a minute on one core).

use std::collections::{HashMap, HashSet};

use nuskha::hash::mix64;
use nuskha::{
    AlignedCopies, ArabicNormalizer, ClusterMode, Clusters, Deduplicator, DocId, EditedCopies,
    Normalize, RareSearch, words,
};

#[path = "../tests/corpus.rs"]
#[allow(dead_code)]
mod corpus;

/// A word in at most this many articles is a slot of a template twin.
const SLOT_DOCS: u32 = 20;

/// The rewrite strengths measured.
const STRENGTHS: [f64; 4] = [0.1, 0.2, 0.3, 0.4];

/// A seeded stream of numbers (stream, draws so far).
struct Draws(u64, u64);

impl Draws {
    fn next(&mut self) -> u64 {
        self.1 += 1;
        // mix64 hashes `x ^ seed`: the stream is hashed in first, so streams differ.
        mix64(self.1, mix64(self.0, 0x5eed))
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The clauses of `text`: cut after `.`, `،`, `؛`, `!`, `?` and line ends.
fn clauses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        current.push(c);
        if matches!(c, '.' | '،' | '؛' | '!' | '?' | '\n') {
            if current.split_whitespace().next().is_some() {
                out.push(std::mem::take(&mut current));
            } else {
                current.clear();
            }
        }
    }
    if current.split_whitespace().next().is_some() {
        out.push(current);
    }
    out
}

/// A heavy rewrite of `text` at `strength` (see the module docs).
fn rewrite(text: &str, strength: f64, draws: &mut Draws, donors: &[&str], lead: &str) -> String {
    let mut parts = clauses(text);
    if let Some(first) = parts.first_mut() {
        *first = lead.to_string();
    }
    for i in 0..parts.len() {
        if draws.chance(strength) {
            let j = draws.below(parts.len());
            parts.swap(i, j);
        }
    }
    let mut out = Vec::new();
    for part in &parts {
        for w in part.split_whitespace() {
            if draws.chance(strength / 2.0) {
                out.push(donors[draws.below(donors.len())]);
            } else if !draws.chance(strength / 4.0 / (1.0 - strength / 2.0)) {
                out.push(w);
            }
        }
    }
    out.join(" ")
}

/// `text` with every slot word (in `rare`) replaced by another rare word.
fn template_twin(text: &str, draws: &mut Draws, rare: &HashSet<&str>, pool: &[&str]) -> String {
    let out: Vec<&str> = text
        .split_whitespace()
        .map(|w| if rare.contains(w) { pool[draws.below(pool.len())] } else { w })
        .collect();
    out.join(" ")
}

fn same(c: &Clusters, a: usize, b: usize) -> bool {
    c.representative_of(DocId(a as u32)) == c.representative_of(DocId(b as u32))
}

/// Pairs of articles below `real` that share a cluster.
fn real_pairs(c: &Clusters, real: usize) -> HashSet<(u32, u32)> {
    let mut out = HashSet::new();
    for cl in c.copies() {
        let ids: Vec<u32> = cl.ids().map(|d| d.0).filter(|&d| (d as usize) < real).collect();
        for (i, &a) in ids.iter().enumerate() {
            for &b in &ids[i + 1..] {
                out.insert((a, b));
            }
        }
    }
    out
}

/// Longest common subsequence of two word sequences, over the shorter's length.
fn lcs_coverage(a: &[&str], b: &[&str]) -> f64 {
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if s.is_empty() {
        return 0.0;
    }
    let mut row = vec![0u32; l.len() + 1];
    for x in s {
        let mut diagonal = 0;
        for (j, y) in l.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = if x == y { diagonal + 1 } else { up.max(row[j]) };
            diagonal = up;
        }
    }
    f64::from(row[l.len()]) / s.len() as f64
}

#[allow(clippy::too_many_lines)] // one table after another, in the order printed
fn main() {
    let Some(snn) = corpus::load("saudinewsnet") else { return };
    let texts: Vec<String> = snn.iter().map(|a| format!("{}\n{}", a.title, a.text)).collect();
    let real = texts.len();
    // Document frequencies of the raw words, for the twins' slots.
    let mut df: HashMap<&str, u32> = HashMap::new();
    for t in &texts {
        let distinct: HashSet<&str> = t.split_whitespace().collect();
        for w in distinct {
            *df.entry(w).or_default() += 1;
        }
    }
    let mut rare: Vec<&str> =
        df.iter().filter(|&(_, &n)| n <= SLOT_DOCS).map(|(&w, _)| w).collect();
    rare.sort_unstable();
    let rare_set: HashSet<&str> = rare.iter().copied().collect();
    let sources: Vec<usize> = (0..real)
        .filter(|&i| (120..=800).contains(&texts[i].split_whitespace().count()))
        .step_by(40)
        .collect();
    let slots: usize = sources
        .iter()
        .map(|&s| texts[s].split_whitespace().filter(|w| rare_set.contains(w)).count())
        .sum();
    let all: usize = sources.iter().map(|&s| texts[s].split_whitespace().count()).sum();
    println!(
        "SaudiNewsNet: {real} articles, {} sources; a twin changes {:.2} of its words",
        sources.len(),
        slots as f64 / all as f64
    );

    let edited = EditedCopies { rare_search: Some(RareSearch::THOROUGH), ..Default::default() };
    let configs: [(&str, Deduplicator); 4] = [
        ("--no-edited", Deduplicator::builder().edited_copies(None).build().expect("valid")),
        ("defaults", Deduplicator::new()),
        (
            "--edited",
            Deduplicator::builder()
                .edited_copies(Some(edited))
                .mode(ClusterMode::Average)
                .build()
                .expect("valid"),
        ),
        (
            "--edited --align",
            Deduplicator::builder()
                .edited_copies(Some(edited))
                .aligned_copies(Some(AlignedCopies::default()))
                .mode(ClusterMode::Average)
                .build()
                .expect("valid"),
        ),
    ];
    let normalizer = ArabicNormalizer::new();
    let aligner = &configs[2].1;
    println!();
    println!(
        "| strength | configuration | rewrites found | twins merged | rewrites joined elsewhere | real pairs added vs --edited |"
    );
    println!("|---|---|---|---|---|---|");
    let mut scores = Vec::new();
    for (k, &strength) in STRENGTHS.iter().enumerate() {
        let mut corpus = texts.clone();
        let mut draws = Draws(1000 + k as u64, 0);
        let mut made = Vec::new();
        for &s in &sources {
            let donor = &texts[(s + 1 + draws.below(real - 1)) % real];
            let donors: Vec<&str> = donor.split_whitespace().collect();
            let lead = clauses(donor).into_iter().max_by_key(String::len).unwrap_or_default();
            let r = rewrite(&texts[s], strength, &mut draws, &donors, &lead);
            let t = template_twin(&texts[s], &mut draws, &rare_set, &rare);
            made.push((s, corpus.len(), corpus.len() + 1));
            corpus.push(r);
            corpus.push(t);
        }
        let mut edited_pairs = None;
        for (name, dedup) in &configs {
            let c = dedup.par_cluster(&corpus);
            let found = made.iter().filter(|&&(s, r, _)| same(&c, s, r)).count();
            let twins = made.iter().filter(|&&(s, _, t)| same(&c, s, t)).count();
            let elsewhere = made
                .iter()
                .filter(|&&(s, r, _)| !same(&c, s, r) && c.cluster_of(DocId(r as u32)).len() > 1)
                .count();
            let pairs = real_pairs(&c, real);
            let added = match &edited_pairs {
                Some(e) if *name != "--edited" => {
                    let e: &HashSet<(u32, u32)> = e;
                    pairs.difference(e).count().to_string()
                }
                _ => "–".to_string(),
            };
            if *name == "--edited" {
                edited_pairs = Some(pairs);
            }
            let n = made.len() as f64;
            println!(
                "| {strength} | {name} | {:.3} | {:.3} | {:.3} | {added} |",
                found as f64 / n,
                twins as f64 / n,
                elsewhere as f64 / n
            );
        }
        // Pair scores: rewrite, twin, and an unrelated pair (the next source).
        let mut tally = [[0usize; 2]; 3];
        // The rewrites' verdicts alone (no corpus: every shingle distinctive), by kind,
        // and those that fail only on their distinctive shingles.
        let mut kinds: HashMap<String, usize> = HashMap::new();
        for (i, &(s, r, t)) in made.iter().enumerate() {
            let other = made[(i + 1) % made.len()].0;
            let v = aligner.verdict(&corpus[s], &corpus[r]);
            let kind = match v.matched {
                Some(m) => m.kind.to_string(),
                None if v.aligned_coverage.is_some_and(|c| c >= 0.6) => {
                    "none (tiles pass, distinctive shingles fail)".to_string()
                }
                None => "none".to_string(),
            };
            *kinds.entry(kind).or_default() += 1;
            for (kind, b) in [(0, &corpus[r]), (1, &corpus[t]), (2, &corpus[other])] {
                let a = &corpus[s];
                let tiles = aligner.verdict(a, b).aligned_coverage.unwrap_or(0.0);
                let (na, nb) = (normalizer.normalize(a), normalizer.normalize(b));
                let (wa, wb): (Vec<&str>, Vec<&str>) = (words(&na).collect(), words(&nb).collect());
                let lcs = lcs_coverage(&wa, &wb);
                tally[kind][0] += usize::from(tiles >= 0.6);
                tally[kind][1] += usize::from(lcs >= 0.6);
            }
        }
        let mut kinds: Vec<_> = kinds.into_iter().collect();
        kinds.sort();
        scores.push((strength, tally, made.len(), kinds));
    }
    println!();
    println!(
        "Share of pairs scoring at least 0.6 (tiles of 2+ words | longest common subsequence):"
    );
    println!();
    println!("| strength | rewrites | template twins | unrelated |");
    println!("|---|---|---|---|");
    for (strength, tally, n, _) in &scores {
        let (strength, n) = (*strength, *n);
        let share = |x: usize| x as f64 / n as f64;
        println!(
            "| {strength} | {:.3} \\| {:.3} | {:.3} \\| {:.3} | {:.3} \\| {:.3} |",
            share(tally[0][0]),
            share(tally[0][1]),
            share(tally[1][0]),
            share(tally[1][1]),
            share(tally[2][0]),
            share(tally[2][1])
        );
    }
    println!();
    println!("The rewrites' verdicts with --edited --align, pair by pair (no corpus statistics):");
    println!();
    for (strength, _, _, kinds) in &scores {
        let line: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!("- {strength}: {}", line.join(", "));
    }
}
