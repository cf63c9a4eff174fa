//! MinHash and SimHash against exact Jaccard and the naive K-hash reference.

use nuskha::hash::mix64;
use nuskha::shingle::{containment, jaccard};
use nuskha::{MinHashAlgorithm, MinHasher, Sketcher};

/// A set pair with a chosen overlap: |A| = a, |B| = b, |A∩B| = common, from `seed`.
fn set_pair(seed: u64, a: u64, b: u64, common: u64) -> (Vec<u64>, Vec<u64>) {
    let v = |i: u64| mix64(i, seed);
    let shared: Vec<u64> = (0..common).map(v).collect();
    let mut left = shared.clone();
    left.extend((common..a).map(|i| v(i + 1_000_000)));
    let mut right = shared;
    right.extend((common..b).map(|i| v(i + 2_000_000)));
    (left, right)
}

struct Errors {
    mean: f64,
    sd: f64,
    allowed_sd: f64,
}

/// Estimation errors over `pairs` random pairs of sets of the given sizes.
fn estimator_errors(
    algorithm: MinHashAlgorithm,
    k: usize,
    a: u64,
    b: u64,
    common: u64,
    pairs: u64,
) -> Errors {
    let mut errs = Vec::new();
    let exact = common as f64 / (a + b - common) as f64;
    for p in 0..pairs {
        let hasher = MinHasher::with_algorithm(k, p, algorithm).unwrap();
        let (left, right) = set_pair(p * 7919, a, b, common);
        let est = hasher.sketch(left).jaccard(&hasher.sketch(right)).unwrap();
        errs.push(est - exact);
    }
    let mean = errs.iter().sum::<f64>() / errs.len() as f64;
    let var = errs.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (errs.len() - 1) as f64;
    Errors { mean, sd: var.sqrt(), allowed_sd: (exact * (1.0 - exact) / k as f64).sqrt() }
}

#[test]
fn one_permutation_estimator_is_unbiased_with_binomial_spread() {
    // Large sets, small sets (many empty bins: densification), high and low J.
    for &(a, b, common) in
        &[(600, 600, 500), (600, 600, 200), (1000, 400, 300), (40, 40, 30), (10, 12, 6)]
    {
        let e = estimator_errors(MinHashAlgorithm::OnePermutation, 128, a, b, common, 400);
        assert!(e.mean.abs() < 0.012, "bias {:.4} for sets {a}/{b}/{common}", e.mean);
        assert!(
            e.sd < 1.2 * e.allowed_sd + 0.005,
            "spread {:.4} > allowed {:.4} for sets {a}/{b}/{common}",
            e.sd,
            e.allowed_sd
        );
    }
}

#[test]
fn naive_k_hash_estimator_is_unbiased_with_binomial_spread() {
    for &(a, b, common) in &[(300, 300, 250), (300, 300, 100)] {
        let e = estimator_errors(MinHashAlgorithm::KIndependent, 128, a, b, common, 150);
        assert!(e.mean.abs() < 0.015, "bias {:.4}", e.mean);
        assert!(e.sd < 1.2 * e.allowed_sd + 0.005, "spread {:.4} vs {:.4}", e.sd, e.allowed_sd);
    }
}

#[test]
fn fast_and_naive_agree_on_real_article_pairs() {
    let texts = crate::seed_articles();
    let fast = Sketcher::new();
    let naive = Sketcher::builder().algorithm(MinHashAlgorithm::KIndependent).build().unwrap();
    for (i, a) in texts.iter().enumerate() {
        for b in &texts[i + 1..] {
            let exact = jaccard(&fast.shingle_set(a), &fast.shingle_set(b));
            let f = fast.sketch(a).jaccard(&fast.sketch(b)).unwrap();
            let n = naive.sketch(a).jaccard(&naive.sketch(b)).unwrap();
            // Each is within 4 standard deviations (K = 128) of the exact value.
            let tol = 4.0 * (exact * (1.0 - exact) / 128.0).sqrt() + 0.02;
            assert!((f - exact).abs() < tol, "fast {f:.3} vs exact {exact:.3}");
            assert!((n - exact).abs() < tol, "naive {n:.3} vs exact {exact:.3}");
        }
    }
}

#[test]
fn containment_estimate_tracks_exact_containment() {
    // A 150-shingle wire item inside a 900-shingle round-up.
    let mut sd_ok = 0;
    for p in 0..50u64 {
        let (wire, roundup) = set_pair(p, 150, 900, 150);
        let hasher = MinHasher::new(128, p).unwrap();
        let (sw, sr) = (hasher.sketch(wire.clone()), hasher.sketch(roundup.clone()));
        let mut w = wire.clone();
        w.sort_unstable();
        let mut r = roundup.clone();
        r.sort_unstable();
        assert_eq!(containment(&w, &r), 1.0);
        let est = sw.containment(&sr).unwrap();
        if est > 0.75 {
            sd_ok += 1;
        }
        assert!(sr.containment(&sw).unwrap() < 0.35);
    }
    assert!(sd_ok >= 45, "wire containment estimated above 0.75 in only {sd_ok}/50 trials");
}

#[test]
fn simhash_separates_copies_from_unrelated_articles() {
    let texts = crate::seed_articles();
    let s = Sketcher::builder().simhash(true).build().unwrap();
    let sk: Vec<_> = texts.iter().map(|t| s.sketch(t)).collect();
    assert!(Sketcher::new().sketch(&texts[0]).hamming(&sk[0]).is_err());
    // 0..3 are the hajj copies, 3 is the diplomats article (sorted file names).
    let copies = [
        sk[0].hamming(&sk[1]).unwrap(),
        sk[0].hamming(&sk[2]).unwrap(),
        sk[1].hamming(&sk[2]).unwrap(),
    ];
    let unrelated = [sk[0].hamming(&sk[3]).unwrap(), sk[1].hamming(&sk[3]).unwrap()];
    assert!(
        copies.iter().max() < unrelated.iter().min(),
        "copies {copies:?} unrelated {unrelated:?}"
    );
}

#[test]
fn sketch_ignores_shingle_order_and_repeats() {
    let hasher = MinHasher::new(64, 5).unwrap();
    let forward = hasher.sketch(0..300u64);
    let backward = hasher.sketch((0..300u64).rev().chain(0..100));
    assert_eq!(forward, backward);
    assert_eq!(forward.set_size(), 300);
}

#[cfg(feature = "rayon")]
#[test]
fn parallel_sketching_equals_serial() {
    use nuskha::ShingleUnit;
    let mut texts = crate::seed_articles();
    if let Some(articles) = crate::corpus::load("saudinewsnet") {
        texts.extend(articles.into_iter().take(2000).map(|a| a.text));
    }
    for unit in [ShingleUnit::Words, ShingleUnit::Chars] {
        let s = Sketcher::builder().shingles(unit, 5).build().unwrap();
        assert_eq!(s.sketch_all(&texts), s.par_sketch_all(&texts));
    }
}

#[cfg(feature = "serde")]
#[test]
fn signatures_round_trip_through_serde() {
    let s = Sketcher::new();
    let sketch = s.sketch("اعلن الرءيس عن خطه جديده للتنميه في البلاد");
    let json = serde_json::to_string(&sketch).unwrap();
    let back: nuskha::Sketch = serde_json::from_str(&json).unwrap();
    assert_eq!(back, sketch);
    assert_eq!(back.jaccard(&sketch).unwrap(), 1.0);
    assert!(json.contains("dedup-default v1"), "{json}");
}

/// The sketcher's fast path (separators recorded by the normaliser, shingles a document
/// at a time) against the plain composition of the public stages.
fn sketch_by_stages(sketcher: &Sketcher, text: &str) -> nuskha::MinHashSignature {
    let normal = sketcher.normalize(text);
    sketcher.minhasher().sketch(sketcher.shingler().shingles(&normal))
}

fn stage_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let interesting = prop::sample::select(vec![
        'ا', 'أ', 'ة', 'ى', 'ـ', '\u{64E}', ' ', ' ', ' ', '\t', '\n', '٣', '1', '2', '.', ',',
        '،', '؛', '؟', '«', 'A', 'z', '%', '-', 'é', '\u{200F}', '\u{A0}', 'ﻷ', '\u{FFFD}',
    ]);
    prop::collection::vec(interesting, 0..60).prop_map(|v| v.into_iter().collect())
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 1500, rng_seed: proptest::test_runner::RngSeed::Fixed(21), ..proptest::test_runner::Config::default() })]

    #[test]
    fn sketch_equals_its_stages_on_arabic_edge_cases(text in stage_text()) {
        let sketchers = [
            Sketcher::new(),
            Sketcher::builder().shingles(nuskha::ShingleUnit::Words, 2).build().unwrap(),
            Sketcher::builder().shingles(nuskha::ShingleUnit::Chars, 4).build().unwrap(),
            Sketcher::builder()
                .normalizer(nuskha::ArabicNormalizer::builder().strip_article(true).build())
                .build()
                .unwrap(),
        ];
        for sketcher in &sketchers {
            let fast = sketcher.sketch(&text);
            proptest::prop_assert_eq!(fast.minhash(), &sketch_by_stages(sketcher, &text));
        }
    }

    #[test]
    fn sketch_equals_its_stages_on_any_text(text in "\\PC{0,60}") {
        let sketcher = Sketcher::new();
        let fast = sketcher.sketch(&text);
        proptest::prop_assert_eq!(fast.minhash(), &sketch_by_stages(&sketcher, &text));
    }
}

#[test]
fn sketch_equals_its_stages_on_the_corpus() {
    let Some(articles) = crate::corpus::load("saudinewsnet") else {
        return;
    };
    let sketcher = Sketcher::new();
    for a in articles.iter().step_by(7) {
        assert_eq!(
            sketcher.sketch(&a.text).minhash(),
            &sketch_by_stages(&sketcher, &a.text),
            "{}",
            a.id
        );
    }
}
