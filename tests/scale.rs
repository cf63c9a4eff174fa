//! A batch run cut into the steps of a job spread over machines ([`CorpusContext`]):
//! shards counted apart and added up, band keys grouped, pairs verified one at a time,
//! each connected component clustered alone. The same clusters as the batch's.

use std::collections::{BTreeMap, HashMap};

use nuskha::{
    ArticleParts, ClusterMode, Clusters, CorpusStats, Deduplicator, DocId, EditedCopies, Match,
    Representative, Verification, cluster_pairs,
};

/// Each article's cluster as the output shows it: (representative, matched, score,
/// kind) of its member entry.
fn rows(clusters: &Clusters, n: usize) -> Vec<(u32, u32, String)> {
    (0..n)
        .map(|i| {
            let id = DocId(i as u32);
            let c = clusters.cluster_of(id);
            let m = c.members().iter().find(|m| m.id == id).expect("a member");
            (c.representative().0, m.matched.0, format!("{} {:?}", m.score, m.kind))
        })
        .collect()
}

/// The clusters of `articles` (text, source) the way the Spark job forms them, with
/// the corpus cut into `shards` stripes for counting.
fn in_steps(
    dedup: &Deduplicator,
    articles: &[(String, Option<String>)],
    shards: usize,
) -> Vec<(u32, u32, String)> {
    let n = articles.len();
    // Sketch: each shard's parts and shingle counts.
    let parts: Vec<ArticleParts> = articles.iter().map(|(t, _)| dedup.shingle(t).parts()).collect();
    let mut merged: HashMap<u32, u64> = HashMap::new();
    for shard in 0..shards {
        let mut counts: HashMap<u32, u64> = HashMap::new();
        for p in parts.iter().skip(shard).step_by(shards) {
            for &fp in &p.shingles {
                *counts.entry(fp).or_default() += 1;
            }
        }
        for (fp, c) in counts {
            *merged.entry(fp).or_default() += c;
        }
    }
    let stats = CorpusStats::from_counts(n, merged).unwrap();
    let mut context = dedup.corpus_context(stats).unwrap();
    let shingled: Vec<_> =
        parts.iter().map(|p| dedup.article_from_parts(p.clone()).unwrap()).collect();
    let source = |i: usize| articles[i].1.as_deref();
    // Per-source counts.
    let mut per_source: BTreeMap<&str, usize> = BTreeMap::new();
    let mut source_counts: BTreeMap<(&str, u32), usize> = BTreeMap::new();
    for (i, a) in shingled.iter().enumerate() {
        if let Some(s) = source(i) {
            *per_source.entry(s).or_default() += 1;
            for fp in context.source_shingles(a) {
                *source_counts.entry((s, fp)).or_default() += 1;
            }
        }
    }
    context
        .learn_sources(
            per_source.iter().map(|(&s, &n)| (s, n)),
            source_counts.iter().map(|(&(s, fp), &n)| (s, fp, n)),
        )
        .unwrap();
    // Candidates: articles sharing a key at a band.
    let mut buckets: HashMap<(usize, u64), Vec<usize>> = HashMap::new();
    for (i, a) in shingled.iter().enumerate() {
        for (band, key) in context.band_keys(a, source(i)).into_iter().enumerate() {
            buckets.entry((band, key)).or_default().push(i);
        }
    }
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for members in buckets.values() {
        for (k, &a) in members.iter().enumerate() {
            pairs.extend(members[k + 1..].iter().map(|&b| (a, b)));
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let edges: Vec<(DocId, DocId, Match)> = pairs
        .iter()
        .filter_map(|&(a, b)| {
            let m = context.verify((&shingled[a], source(a)), (&shingled[b], source(b)))?;
            Some((DocId(a as u32), DocId(b as u32), m))
        })
        .collect();
    // Components, each clustered alone (an article in no verified pair alone too), and
    // their rows put back in input order.
    let components = cluster_pairs(n, &edges, ClusterMode::Components);
    let mut out = vec![(0, 0, String::new()); n];
    for c in &components {
        let ids: Vec<DocId> = c.ids().collect();
        let local = |d: DocId| DocId(ids.binary_search(&d).unwrap() as u32);
        let inside: Vec<(DocId, DocId, Match)> = edges
            .iter()
            .filter(|(a, _, _)| ids.binary_search(a).is_ok())
            .map(|&(a, b, m)| (local(a), local(b), m))
            .collect();
        let group: Vec<_> =
            ids.iter().map(|d| (shingled[d.index()].clone(), source(d.index()))).collect();
        let clusters = context.cluster(&group, &inside).unwrap();
        for (k, (rep, matched, score)) in rows(&clusters, ids.len()).into_iter().enumerate() {
            out[ids[k].index()] = (ids[rep as usize].0, ids[matched as usize].0, score);
        }
    }
    out
}

/// The batch's rows of the same articles, sources told.
fn batched(dedup: &Deduplicator, articles: &[(String, Option<String>)]) -> Vec<(u32, u32, String)> {
    let mut batch = dedup.batch();
    for (text, source) in articles {
        let id = batch.add(text);
        if let Some(s) = source {
            batch.set_source(id, s);
        }
    }
    rows(&batch.cluster(), articles.len())
}

/// The pipeline's edited copies and template cables among synthetic stories, from
/// three sources and none, 16 of one source's 38 articles carrying its footer: too
/// few for corpus-wide boilerplate (more than 20 articles), enough for the source's
/// (more than 10).
fn sourced_corpus() -> Vec<(String, Option<String>)> {
    let (texts, ..) = crate::pipeline::edited_corpus();
    let footer = "تابعونا على مواقع التواصل الاجتماعي واشتركوا في النشرة البريدية اليومية للموقع لتصلكم آخر الأخبار أولا بأول";
    texts
        .into_iter()
        .enumerate()
        .map(|(i, t)| match i % 4 {
            0 if i < 64 => (format!("{t} {footer}"), Some("outlet-a".to_string())),
            0 => (t, Some("outlet-a".to_string())),
            1 => (t, Some("outlet-b".to_string())),
            2 => (t, Some("وكالة".to_string())),
            _ => (t, None),
        })
        .collect()
}

#[test]
fn a_batch_in_steps_gives_the_batchs_clusters() {
    let articles = sourced_corpus();
    let edited = Some(EditedCopies::default());
    let settings: Vec<(&str, Deduplicator)> = vec![
        ("defaults", Deduplicator::new()),
        ("star", Deduplicator::builder().mode(ClusterMode::Star).build().unwrap()),
        (
            "components, longest",
            Deduplicator::builder()
                .mode(ClusterMode::Components)
                .representative(Representative::Longest)
                .build()
                .unwrap(),
        ),
        ("no edited rule", Deduplicator::builder().edited_copies(None).build().unwrap()),
        (
            "exact",
            Deduplicator::builder()
                .verification(Verification::Exact)
                .edited_copies(edited)
                .build()
                .unwrap(),
        ),
    ];
    for (name, dedup) in &settings {
        let want = batched(dedup, &articles);
        let joined = want.iter().enumerate().filter(|(i, r)| r.0 != *i as u32).count();
        assert!(joined >= 40, "{name}: only {joined} articles joined a cluster");
        for shards in [1, 3] {
            assert_eq!(in_steps(dedup, &articles, shards), want, "{name}, {shards} shards");
        }
    }
}

#[test]
fn per_source_boilerplate_is_learned_from_counts() {
    // Without the sources, the footer is not boilerplate: it stays in the sets of
    // outlet A's copies and moves their scores.
    let articles = sourced_corpus();
    let dedup = Deduplicator::new();
    let unsourced: Vec<_> = articles.iter().map(|(t, _)| (t.clone(), None)).collect();
    let with = batched(&dedup, &articles);
    assert_ne!(with, batched(&dedup, &unsourced), "the footer changes nothing");
    assert_eq!(in_steps(&dedup, &articles, 2), with);
}

#[test]
fn parts_that_cannot_be_the_deduplicators_are_refused() {
    let dedup = Deduplicator::new();
    let story = crate::seed_articles().remove(0);
    let parts = dedup.shingle(&story).parts();
    assert!(parts.words.is_some() && !parts.shingles.is_empty());
    assert!(dedup.article_from_parts(parts.clone()).is_ok());
    let mut repeated = parts.clone();
    repeated.shingles.push(repeated.shingles[0]);
    let no_words = ArticleParts { words: None, ..parts.clone() };
    let short = ArticleParts { short: true, ..parts.clone() };
    for bad in [repeated, no_words, short] {
        let e = dedup.article_from_parts(bad).unwrap_err().to_string();
        assert!(e.starts_with("invalid parameter `parts`"), "{e}");
    }
    let off = Deduplicator::builder().edited_copies(None).build().unwrap();
    assert!(off.article_from_parts(parts).is_err(), "words without the edited-copy rule");
    let rare = EditedCopies { rare_search: Some(nuskha::RareSearch::LIGHT), ..Default::default() };
    let rare = Deduplicator::builder().edited_copies(Some(rare)).build().unwrap();
    let e = rare.corpus_context(CorpusStats::default()).unwrap_err().to_string();
    assert!(e.contains("rare-phrase search"), "{e}");
}

/// SaudiNewsNet at the defaults, its sources told, in three shards (skipped without the
/// corpus).
#[test]
fn saudinewsnet_in_steps_gives_the_batchs_clusters() {
    let Some(snn) = crate::corpus::load("saudinewsnet") else { return };
    let articles: Vec<_> = snn.into_iter().map(|a| (a.text, Some(a.source))).collect();
    let dedup = Deduplicator::new();
    let want = batched(&dedup, &articles);
    assert_eq!(in_steps(&dedup, &articles, 3), want);
}
