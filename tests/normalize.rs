//! The normaliser against the profile's test vectors, and its properties.

use std::borrow::Cow;

use nuskha::{ArabicNormalizer, Normalize, decode_lossy};
use proptest::prelude::*;

/// A field of `normalise_vectors.tsv`, unescaped: `\u{XXXX}`, `\t`, `\n`, `\r`, `\\`
/// and (input only) `\xHH` raw bytes.
fn unescape(field: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chars = field.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some('t') => out.push(b'\t'),
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('\\') => out.push(b'\\'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(u8::from_str_radix(&hex, 16).expect("\\xHH escape"));
            }
            Some('u') => {
                assert_eq!(chars.next(), Some('{'), "\\u{{...}} escape in {field:?}");
                let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let cp = u32::from_str_radix(&hex, 16).expect("hex code point");
                let c = char::from_u32(cp).expect("valid code point");
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            other => panic!("unknown escape \\{other:?} in {field:?}"),
        }
    }
    out
}

struct Vector {
    line: usize,
    input: Vec<u8>,
    is_bytes: bool,
    expected: String,
    rule: String,
}

fn vectors() -> Vec<Vector> {
    let tsv = include_str!("data/normalise_vectors.tsv");
    let mut rows = Vec::new();
    let mut header_seen = false;
    for (i, line) in tsv.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if !header_seen {
            header_seen = true;
            assert!(line.starts_with("input\t"), "header row expected, got {line:?}");
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 3, "line {}: three TAB-separated fields", i + 1);
        rows.push(Vector {
            line: i + 1,
            input: unescape(fields[0]),
            is_bytes: fields[0].contains("\\x"),
            expected: String::from_utf8(unescape(fields[1])).expect("expected is UTF-8"),
            rule: fields[2].to_owned(),
        });
    }
    rows
}

#[test]
fn every_vector_row() {
    let norm = ArabicNormalizer::new();
    let rows = vectors();
    assert!(rows.len() >= 150, "only {} vector rows found", rows.len());
    let mut failures = Vec::new();
    for v in &rows {
        let got = if v.is_bytes {
            norm.normalize_bytes(&v.input).0
        } else {
            let text = std::str::from_utf8(&v.input).expect("non-byte row is UTF-8");
            norm.normalize(text).into_owned()
        };
        if got != v.expected {
            failures.push(format!(
                "line {} [{}]: expected {:?}, got {:?}",
                v.line, v.rule, v.expected, got
            ));
        }
        // Every expected output is a fixed point.
        if norm.normalize(&v.expected) != v.expected {
            failures.push(format!(
                "line {} [{}]: expected output is not a fixed point",
                v.line, v.rule
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn byte_rows_report_replacements() {
    let rows = vectors();
    let byte_rows: Vec<_> = rows.iter().filter(|v| v.is_bytes).collect();
    assert!(!byte_rows.is_empty());
    for v in byte_rows {
        let (_, bad) = decode_lossy(&v.input);
        assert!(bad > 0, "line {} [{}]: invalid bytes but no replacement counted", v.line, v.rule);
    }
    // Windows-1256 text: every byte of "العربية" is invalid UTF-8 on its own.
    let (_, bad) = decode_lossy(b"\xC7\xE1\xDA\xD1\xC8\xED\xC9");
    assert_eq!(bad, 7);
}

#[test]
fn normalize_into_reuses_and_clears_the_buffer() {
    let norm = ArabicNormalizer::new();
    let mut buf = String::from("left over");
    norm.normalize_into("مُحَمَّدٌ", &mut buf);
    assert_eq!(buf, "محمد");
    norm.normalize_into("abc", &mut buf);
    assert_eq!(buf, "abc");
}

#[test]
fn custom_normalizer_default_normalize_borrows_when_unchanged() {
    struct Upper;
    impl Normalize for Upper {
        fn normalize_into(&self, text: &str, out: &mut String) {
            out.clear();
            out.push_str(&text.to_uppercase());
        }
    }
    assert!(matches!(Upper.normalize("ABC"), Cow::Borrowed("ABC")));
    assert_eq!(Upper.normalize("abc"), "ABC");
    assert_eq!(Upper.profile(), "custom");
}

/// Characters the profile must never leave in its output.
fn forbidden(c: char) -> bool {
    nuskha::normalize::profile_forbids(c)
}

fn check_output(out: &str) -> Result<(), TestCaseError> {
    prop_assert!(!out.starts_with(' ') && !out.ends_with(' '), "untrimmed: {:?}", out);
    prop_assert!(!out.contains("  "), "double space: {:?}", out);
    if let Some(c) = out.chars().find(|&c| forbidden(c)) {
        prop_assert!(false, "forbidden U+{:04X} in {:?}", c as u32, out);
    }
    Ok(())
}

/// Strings biased towards the characters the normaliser treats specially.
fn arabicish() -> impl Strategy<Value = String> {
    let interesting = prop::sample::select(vec![
        'ا', 'أ', 'إ', 'آ', 'ٱ', 'ؤ', 'ئ', 'ء', 'ى', 'ي', 'ة', 'ه', 'ـ', '\u{64E}', '\u{651}',
        '\u{654}', '\u{655}', '\u{653}', '\u{670}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{200F}',
        '\u{202E}', '\u{FEFF}', '\u{A0}', ' ', '\t', '\n', '٣', '۴', '1', '.', ',', '،', '«', '»',
        'A', 'z', 'İ', 'ß', '\u{301}', 'e', 'ﻷ', 'ﷺ', 'ﹰ', '\u{FFFD}', '\0', 'ک', 'ی', 'ۀ',
        '\u{675}', '\u{8E2}', '①', '—',
    ]);
    prop::collection::vec(interesting, 0..40).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, rng_seed: proptest::test_runner::RngSeed::Fixed(0x6e75_736b_6861), ..ProptestConfig::default() })]

    #[test]
    fn idempotent_and_clean_on_any_text(text in "\\PC*") {
        let norm = ArabicNormalizer::new();
        let once = norm.normalize(&text).into_owned();
        prop_assert_eq!(norm.normalize(&once), once.as_str());
        check_output(&once)?;
    }

    #[test]
    fn idempotent_and_clean_on_arabic_edge_cases(text in arabicish()) {
        let norm = ArabicNormalizer::new();
        let once = norm.normalize(&text).into_owned();
        prop_assert_eq!(norm.normalize(&once), once.as_str());
        check_output(&once)?;
    }

    #[test]
    fn never_panics_on_any_chars(text in any::<String>()) {
        let norm = ArabicNormalizer::new();
        let once = norm.normalize(&text).into_owned();
        check_output(&once)?;
        prop_assert_eq!(norm.normalize(&once), once.as_str());
    }

    #[test]
    fn bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let (text, _) = ArabicNormalizer::new().normalize_bytes(&bytes);
        check_output(&text)?;
    }

    #[test]
    fn into_equals_cow(text in arabicish()) {
        let norm = ArabicNormalizer::new();
        let mut buf = String::new();
        norm.normalize_into(&text, &mut buf);
        prop_assert_eq!(norm.normalize(&text), buf.as_str());
    }

    #[test]
    fn options_stay_idempotent(text in arabicish(), flags in 0u8..32) {
        let norm = with_options(flags);
        let once = norm.normalize(&text).into_owned();
        prop_assert_eq!(norm.normalize(&once), once.as_str());
        check_output(&once)?;
    }
}

#[test]
fn real_corpus_is_idempotent_and_clean() {
    let Some(articles) = crate::corpus::load("saudinewsnet") else {
        return;
    };
    let norm = ArabicNormalizer::new();
    for a in articles.iter().take(3000) {
        let once = norm.normalize(&a.text);
        assert_eq!(norm.normalize(&once), once, "not idempotent on {}", a.id);
        assert!(!once.contains("  ") && !once.contains('\u{640}'), "unclean output on {}", a.id);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, rng_seed: proptest::test_runner::RngSeed::Fixed(11), ..ProptestConfig::default() })]

    /// The byte-level fast path agrees with the general NFKC-iterator path.
    #[test]
    fn fast_path_equals_reference(text in arabicish()) {
        let norm = ArabicNormalizer::new();
        prop_assert_eq!(norm.normalize(&text).into_owned(), norm.normalize_reference(&text));
    }

    #[test]
    fn fast_path_equals_reference_on_any_text(text in "\\PC{0,30}") {
        let norm = ArabicNormalizer::new();
        prop_assert_eq!(norm.normalize(&text).into_owned(), norm.normalize_reference(&text));
    }

    #[test]
    fn fast_path_equals_reference_with_options(text in arabicish(), flags in 0u8..64) {
        let norm = with_options(flags);
        prop_assert_eq!(norm.normalize(&text).into_owned(), norm.normalize_reference(&text));
    }
}

/// A normaliser with the options the six low bits of `flags` switch.
fn with_options(flags: u8) -> ArabicNormalizer {
    ArabicNormalizer::builder()
        .keep_ta_marbuta(flags & 1 != 0)
        .keep_alef_maksura(flags & 2 != 0)
        .hamza_to_base(flags & 4 != 0)
        .strip_article(flags & 8 != 0)
        .keep_punctuation(flags & 16 != 0)
        .nfkc(flags & 32 == 0)
        .build()
}

/// Long runs of what the 64-byte scan passes (letters, folded letters, single
/// spaces, ASCII words and punctuation) broken by what it stops at, so that every kind
/// of character lands on every byte of a window and across window ends.
fn scan_runs() -> impl Strategy<Value = String> {
    let letters = "ابتثجحخدذرسشصضطظعغفقكلمنهويء";
    let folded = "آأؤإئةى";
    let stops = "\u{64E}\u{640}٣،«éA\t\n\u{200F}\u{A0}ک";
    let pattern = format!(
        "([{letters}]{{1,9}}|[{folded}]|[a-z0-9]{{1,4}}|[.,:!?()%-]| | {{1,3}}|[{stops}]){{0,90}}"
    );
    proptest::string::string_regex(&pattern).expect("a valid pattern")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, rng_seed: proptest::test_runner::RngSeed::Fixed(17), ..ProptestConfig::default() })]

    #[test]
    fn fast_path_equals_reference_on_long_runs(text in scan_runs(), flags in 0u8..64) {
        let norm = with_options(flags);
        prop_assert_eq!(norm.normalize(&text).into_owned(), norm.normalize_reference(&text));
    }
}

/// Arabic presentation forms and ligatures, other characters NFKC expands, and what
/// may sit beside them (letters, harakat, the hamza and madda marks that compose).
fn compatibility_mix() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::char::range('\u{FB50}', '\u{FDFF}'),
        3 => prop::char::range('\u{FE70}', '\u{FEFC}'),
        1 => prop::sample::select(vec!['\u{2026}', '\u{2033}', '\u{FF0C}', '\u{2460}', '\u{FB01}']),
        4 => prop::sample::select("ابتلمنهويءأإآةى ".chars().collect::<Vec<_>>()),
        2 => prop::char::range('\u{64B}', '\u{655}'),
        1 => prop::sample::select(vec!['\u{670}', '\u{640}', '\u{200D}', '1', 'A', '.']),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, rng_seed: proptest::test_runner::RngSeed::Fixed(23), ..ProptestConfig::default() })]

    /// Text the fast pass first gives up on, and takes again with the characters NFKC
    /// changes in their NFKC forms.
    #[test]
    fn fast_path_equals_reference_on_presentation_forms(text in compatibility_mix(), flags in 0u8..64) {
        let norm = with_options(flags);
        prop_assert_eq!(norm.normalize(&text).into_owned(), norm.normalize_reference(&text));
    }
}

#[test]
fn fast_path_equals_reference_on_the_real_corpus() {
    let Some(articles) = crate::corpus::load("saudinewsnet") else {
        return;
    };
    let norm = ArabicNormalizer::new();
    for a in articles.iter().step_by(5) {
        assert_eq!(norm.normalize(&a.text), norm.normalize_reference(&a.text), "on {}", a.id);
    }
}
