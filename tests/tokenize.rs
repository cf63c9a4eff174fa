//! The fast tokeniser against the unicode-segmentation reference.

use nuskha::tokenize::reference_words;
use nuskha::{ArabicNormalizer, Normalize, words};
use proptest::prelude::*;

#[test]
fn fast_scan_equals_unicode_segmentation_on_the_real_corpus() {
    let norm = ArabicNormalizer::new();
    let mut checked = 0;
    for file in ["saudinewsnet", "ant_multisource"] {
        let Some(articles) = crate::corpus::load(file) else {
            return;
        };
        for a in &articles {
            for text in [&a.title, &a.text] {
                let n = norm.normalize(text);
                let fast: Vec<&str> = words(&n).collect();
                let reference: Vec<&str> = reference_words(&n).collect();
                assert_eq!(fast, reference, "tokenisers differ on {}", a.id);
                checked += 1;
            }
        }
    }
    assert!(checked > 30_000, "checked only {checked} texts");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, rng_seed: proptest::test_runner::RngSeed::Fixed(7), ..ProptestConfig::default() })]

    #[test]
    fn fast_scan_equals_reference_on_normalised_text(text in "[ a-zA-Z0-9.,;:'\"!?()\\-_%/ابتثجحخدذرسشصضطظعغفقكلمنهويءé日 ]{0,60}") {
        let n = ArabicNormalizer::new().normalize(&text);
        let fast: Vec<&str> = words(&n).collect();
        let reference: Vec<&str> = reference_words(&n).collect();
        prop_assert_eq!(fast, reference);
    }

    #[test]
    fn fast_scan_equals_reference_on_any_normalised_text(text in "\\PC{0,40}") {
        let n = ArabicNormalizer::new().normalize(&text);
        let fast: Vec<&str> = words(&n).collect();
        let reference: Vec<&str> = reference_words(&n).collect();
        prop_assert_eq!(fast, reference);
    }
}
