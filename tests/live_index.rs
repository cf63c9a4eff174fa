//! The live index: ids, restore from records, remove, expire and query, each checked
//! against a simpler way to the same answer (a fresh index fed the same articles, a
//! clone that adds instead of querying).

use std::sync::Arc;

use nuskha::{ArticleRecord, ClusterMode, DedupIndex, Deduplicator, DocId, EditedCopies};

use crate::pipeline::{cables, edited_corpus, synthetic_corpus};

/// Every corpus shape the rules differ on: copies, template cables, edited copies.
fn corpus() -> Vec<String> {
    let mut texts = synthetic_corpus(12, 3, 5);
    texts.extend(cables());
    texts.extend(edited_corpus().0);
    texts.extend(synthetic_corpus(6, 2, 9));
    texts
}

fn deduplicators() -> Vec<Deduplicator> {
    let mut all = Vec::new();
    for mode in [ClusterMode::Star, ClusterMode::Average, ClusterMode::Components] {
        let search = Some(nuskha::RareSearch::THOROUGH);
        let rules = [
            None,
            Some(EditedCopies::default()),
            Some(EditedCopies { rare_search: search, ..EditedCopies::default() }),
        ];
        for rule in rules {
            let mut b = Deduplicator::builder();
            b.mode(mode).edited_copies(rule);
            all.push(b.build().unwrap());
        }
    }
    let mut b = Deduplicator::builder();
    b.algorithm(nuskha::Algorithm::SimHash { max_distance: 3 });
    all.push(b.build().unwrap());
    all
}

/// Every way to start an index: growing from nothing, growing from a sample, fixed.
fn starts(dedup: &Deduplicator, texts: &[String]) -> Vec<DedupIndex> {
    let sample = dedup.learn(&texts[..texts.len() / 2]);
    vec![dedup.index(), dedup.index_learning(Arc::clone(&sample)), dedup.index_with(sample)]
}

fn fill(feed: &mut DedupIndex, texts: &[String], ids: impl Iterator<Item = usize>) {
    for i in ids {
        feed.add_dated(&format!("a{i}"), &texts[i], Some(i64::try_from(i).unwrap() * 100)).unwrap();
    }
}

/// The clusters as ids, so that indexes holding articles at other positions compare.
fn named(feed: &DedupIndex) -> Vec<(String, String, String)> {
    let clusters = feed.clusters();
    (0..feed.len())
        .map(|i| {
            let d = DocId(i as u32);
            let c = clusters.cluster_of(d);
            let m = c.members().iter().find(|m| m.id == d).unwrap();
            (
                feed.id(d).to_string(),
                feed.id(c.representative()).to_string(),
                format!("{:.6} {}", m.score, m.kind),
            )
        })
        .collect()
}

fn records(feed: &DedupIndex) -> Vec<ArticleRecord> {
    (0..feed.len()).map(|i| feed.record(DocId(i as u32))).collect()
}

#[test]
fn a_restored_index_is_the_index_that_never_closed() {
    let texts = corpus();
    let half = texts.len() / 2;
    for dedup in deduplicators() {
        for (k, mut feed) in starts(&dedup, &texts).into_iter().enumerate() {
            let mut restored = starts(&dedup, &texts).swap_remove(k);
            fill(&mut feed, &texts, 0..half);
            for r in records(&feed) {
                restored.restore(&r).unwrap();
            }
            assert_eq!(named(&restored), named(&feed), "{k}");
            // And it goes on the same: every later article matches the same way.
            for (i, text) in texts.iter().enumerate().skip(half) {
                let id = format!("a{i}");
                assert_eq!(restored.add(&id, text).unwrap(), feed.add(&id, text).unwrap());
            }
            assert_eq!(named(&restored), named(&feed));
            assert_eq!(records(&restored), records(&feed));
        }
    }
}

#[test]
fn a_feed_finds_copies_and_clusters_them_by_id() {
    let texts = corpus();
    let dedup = Deduplicator::builder().mode(nuskha::ClusterMode::Star).build().unwrap();
    let mut feed = dedup.index();
    fill(&mut feed, &texts, 0..texts.len());
    let clusters = feed.clusters();
    assert!(clusters.copies().count() >= 12, "{}", clusters.copies().count());
    // Each add reported the cluster it joined, by id: the one it is in at the end
    // (star clusters never change their centre).
    let mut again = dedup.index();
    for (i, text) in texts.iter().enumerate() {
        let added = again.add(&format!("a{i}"), text).unwrap();
        let d = feed.position(&added.id).unwrap();
        assert_eq!(added.representative, feed.id(clusters.representative_of(d)));
        for (earlier, _) in &added.matches {
            assert!(feed.position(earlier).unwrap() < d);
        }
    }
    let err = feed.add("a0", "anything").unwrap_err().to_string();
    assert!(err.contains("`a0` is already in the index"), "{err}");
    assert_eq!(feed.len(), texts.len());
}

#[test]
fn removing_articles_leaves_what_a_feed_of_the_others_would_hold() {
    // With fixed statistics and without the edited-copy rule a match depends on the
    // two articles alone, so removing some is feeding the others.
    let texts = corpus();
    for mode in [ClusterMode::Star, ClusterMode::Average, ClusterMode::Components] {
        let dedup = Deduplicator::builder().mode(mode).edited_copies(None).build().unwrap();
        let stats = dedup.learn(&texts);
        let mut feed = dedup.index_with(Arc::clone(&stats));
        fill(&mut feed, &texts, 0..texts.len());
        // The first story (its representative), a cable, and every fifth article.
        let gone = |i: usize| i == 0 || i == 40 || i % 5 == 3;
        let removed = feed.retain(|id, _| !gone(id[1..].parse().unwrap()));
        let expected: Vec<String> =
            (0..texts.len()).filter(|&i| gone(i)).map(|i| format!("a{i}")).collect();
        assert_eq!(removed, expected);
        let mut others = dedup.index_with(stats);
        fill(&mut others, &texts, (0..texts.len()).filter(|&i| !gone(i)));
        assert_eq!(named(&feed), named(&others), "{mode:?}");
        assert!(!feed.contains("a0") && feed.contains("a1"));
        // Positions move down over the removed.
        assert_eq!(named(&feed)[0].0, "a1");
        assert!(!feed.remove("a0"), "already gone");
    }
}

#[test]
fn after_a_removal_growing_statistics_forget_the_article() {
    let texts = corpus();
    for dedup in deduplicators() {
        let mut feed = dedup.index();
        fill(&mut feed, &texts, 0..texts.len());
        assert!(feed.remove("a2"));
        // Restoring what is left gives the same index: nothing of a2 is left behind.
        let mut restored = dedup.index();
        for r in records(&feed) {
            restored.restore(&r).unwrap();
        }
        assert_eq!(named(&restored), named(&feed));
        let next = "a copy of a story ".to_string() + &texts[2];
        assert_eq!(restored.add("n", &next).unwrap(), feed.add("n", &next).unwrap());
    }
}

#[test]
fn expire_removes_what_is_older_and_keeps_the_undated() {
    let texts = corpus();
    let dedup = Deduplicator::new();
    let mut feed = dedup.index();
    fill(&mut feed, &texts, 0..10);
    feed.add("undated", &texts[10]).unwrap();
    let expired = feed.expire(500);
    assert_eq!(expired.removed, ["a0", "a1", "a2", "a3", "a4"]);
    assert_eq!(expired.undated, 1);
    assert_eq!(feed.len(), 6);
    assert!(feed.contains("undated") && feed.contains("a5"));
    assert_eq!(feed.date(feed.position("a5").unwrap()), Some(500));
    assert!(feed.expire(0).removed.is_empty());
}

#[test]
fn a_query_answers_what_an_add_would_and_changes_nothing() {
    let texts = corpus();
    for dedup in deduplicators() {
        for mut feed in starts(&dedup, &texts) {
            fill(&mut feed, &texts, 0..texts.len() - 8);
            let before = records(&feed);
            for (k, text) in texts[texts.len() - 8..].iter().enumerate() {
                let found = feed.query(text);
                assert_eq!(records(&feed), before, "a query changed the index");
                let mut added = feed.clone();
                let a = added.add(&format!("q{k}"), text).unwrap();
                let found: Vec<_> = found.iter().map(|f| (f.id.clone(), f.matched)).collect();
                assert_eq!(found, a.matches);
            }
        }
    }
    // Each match names its article's cluster.
    let dedup = Deduplicator::new();
    let mut feed = dedup.index();
    fill(&mut feed, &texts, 0..texts.len());
    let clusters = feed.clusters();
    let (d, c) = clusters.copies().map(|c| (c.members()[1].id, c)).next().unwrap();
    let found = feed.query(&texts[d.index()]);
    assert!(found.len() >= 2, "{found:?}");
    for f in &found {
        let rep = clusters.representative_of(feed.position(&f.id).unwrap());
        assert_eq!(f.cluster, feed.id(rep));
    }
    assert!(found.iter().any(|f| f.id == feed.id(d) && f.matched.score == 1.0));
    assert!(found.iter().any(|f| f.id == feed.id(c.representative())));
}

#[test]
fn a_damaged_record_is_refused_and_changes_nothing() {
    let texts = corpus();
    let dedup = Deduplicator::new();
    let mut feed = dedup.index();
    fill(&mut feed, &texts, 0..6);
    let good = records(&feed);
    let mut restored = dedup.index();
    restored.restore(&good[0]).unwrap();
    let mut cut = good[1].clone();
    cut.sketch.truncate(cut.sketch.len() - 3);
    assert!(restored.restore(&cut).is_err());
    let mut unknown = good[1].clone();
    unknown.matches = vec![("nobody".into(), nuskha::Match::jaccard(0.9))];
    let err = restored.restore(&unknown).unwrap_err().to_string();
    assert!(err.contains("`nobody`"), "{err}");
    assert!(restored.restore(&good[0]).is_err(), "the same id twice");
    let other = Deduplicator::builder().num_perm(64).build().unwrap();
    let err = other.index().restore(&good[1]).unwrap_err().to_string();
    assert!(err.contains("128 MinHash slots"), "{err}");
    assert_eq!(restored.len(), 1);
    for r in &good[1..] {
        restored.restore(r).unwrap();
    }
    assert_eq!(named(&restored), named(&feed));
}

#[test]
fn a_growing_index_leaves_out_chrome_once_it_is_common_and_restores_it() {
    let chrome_top = "الخط : A- A+ إستمع للمقال شارك المقال على فيسبوك تويتر واتساب تابعونا على قناتنا في يوتيوب \
        الرئيسية اخبار وطنية دولية اقتصاد رياضة ثقافة فن منوعات مجتمع سياسة تكنولوجيا صحة";
    let chrome_bottom =
        "جميع الحقوق محفوظة للموقع اشترك في النشرة البريدية ليصلك كل جديد الاخبار الاكثر قراءة اليوم";
    let texts: Vec<String> = synthetic_corpus(30, 0, 21)
        .iter()
        .map(|b| {
            let short: Vec<&str> = b.split(' ').take(40).collect();
            format!("{chrome_top} {} {chrome_bottom}", short.join(" "))
        })
        .collect();
    let dedup = Deduplicator::builder()
        .boilerplate(nuskha::Boilerplate::MaxDocs { min_docs: 8, fraction: 0.0 })
        .build()
        .unwrap();
    let mut feed = dedup.index();
    fill(&mut feed, &texts, 0..texts.len());
    // The first eight keep the chrome in their sketches; from the ninth it is left out
    // (and still counted, so it stays boilerplate): the record's flags (its second
    // byte) say so with 16.
    let left_out: Vec<bool> = records(&feed).iter().map(|r| r.sketch[1] & 16 != 0).collect();
    assert_eq!(left_out, (0..texts.len()).map(|i| i >= 8).collect::<Vec<_>>());
    assert_eq!(feed.clusters().copies().count(), 0, "chrome alone is no copy");
    let mut restored = dedup.index();
    for r in records(&feed) {
        restored.restore(&r).unwrap();
    }
    assert_eq!(records(&restored), records(&feed));
    // Removing half forgets their chrome too: a new article keeps it again.
    feed.retain(|id, _| id[1..].parse::<usize>().unwrap() % 2 == 0);
    let mut fresh = dedup.index();
    for r in records(&feed) {
        fresh.restore(&r).unwrap();
    }
    let next = format!("{chrome_top} {} {chrome_bottom}", synthetic_corpus(1, 0, 99)[0]);
    assert_eq!(fresh.add("n", &next).unwrap(), feed.add("n", &next).unwrap());
    assert_eq!(records(&fresh), records(&feed));
}
