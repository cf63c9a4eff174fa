//! Page code a crawler left inside an article: a poll widget's style sheet and script,
//! an embed's markup. Hundreds of such tokens make unrelated articles of one site match
//! (two of alriyadh's polls in SaudiNewsNet on different subjects share word-5
//! Jaccard 0.45 through one widget, 0.01 without it; `--edited` put three in a cluster),
//! and there are too few of them corpus-wide for boilerplate removal to learn. So runs
//! of code are cut before anything is normalised or shingled.

use std::borrow::Cow;
use std::ops::Range;

/// A run of code is at least this many tokens in a row (split at ASCII white space)
/// that are all ASCII: Latin prose, numbers and symbols, no Arabic letter.
const MIN_RUN_TOKENS: usize = 12;

/// The bytes that mark code: braces, semicolons, assignments. A run counts as code when
/// it holds at least one for every [`TOKENS_PER_MARK`] tokens: English prose quoted in
/// an article (a tweet, a statement) holds nearly none.
// Not `matches!` or `||`, which compile to a bit test or branches that do not vectorise.
#[allow(clippy::needless_bitwise_bool)]
fn is_code_mark(b: u8) -> bool {
    (b == b'{') | (b == b'}') | (b == b';') | (b == b'=')
}

/// The code marks in `bytes`, counted in byte-wide lanes 255 bytes at a time, which the
/// compiler turns into vector code: every article's text passes through here, and a
/// plain count took 8% of the default run.
fn count_marks(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|chunk| usize::from(chunk.iter().fold(0u8, |n, &b| n + u8::from(is_code_mark(b)))))
        .sum()
}

/// See [`is_code_mark`].
const TOKENS_PER_MARK: usize = 4;

/// White space as `str::split_ascii_whitespace` takes it.
fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace()
}

/// The byte ranges of `text` that are runs of page code, in order, each from its first
/// token's start to its last token's end.
///
/// # Examples
///
/// ```
/// let css = ".box_vote { padding: 18px; margin: 0; } .box_vote h4 { font: bold 12px Tahoma; color: #7b7a7a; }";
/// let text = format!("هل تؤيد القرار؟ {css} نعم لا");
/// let runs = nuskha::code_runs(&text);
/// assert_eq!(runs.len(), 1);
/// assert_eq!(&text[runs[0].clone()], css);
/// assert!(nuskha::code_runs("قال الوزير في كلمة ألقاها: We will not give up; never.").is_empty());
/// ```
pub fn code_runs(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    // Nearly every article has no code: one counting pass (vectorised) rules it out.
    if count_marks(bytes) * TOKENS_PER_MARK < MIN_RUN_TOKENS {
        return Vec::new();
    }
    let mut runs = Vec::new();
    // The current run of ASCII tokens: (start, end of its last token, tokens, marks).
    let mut run: Option<(usize, usize, usize, usize)> = None;
    let mut close = |run: &mut Option<(usize, usize, usize, usize)>| {
        if let Some((start, end, tokens, marks)) = run.take()
            && tokens >= MIN_RUN_TOKENS
            && marks * TOKENS_PER_MARK >= tokens
        {
            runs.push(start..end);
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        if is_space(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let (mut ascii, mut marks) = (true, 0);
        while i < bytes.len() && !is_space(bytes[i]) {
            ascii &= bytes[i].is_ascii();
            marks += usize::from(is_code_mark(bytes[i]));
            i += 1;
        }
        if ascii {
            let r = run.get_or_insert((start, i, 0, 0));
            r.1 = i;
            r.2 += 1;
            r.3 += marks;
        } else {
            close(&mut run);
        }
    }
    close(&mut run);
    runs
}

/// `text` without its runs of page code ([`code_runs`]), each replaced by one space;
/// borrowed when it has none.
///
/// # Examples
///
/// ```
/// let js = "jQuery(document).ready(function(){ var plot1 = jQuery.jqplot('pie1', [[ ['a1',30],['a2',157] ]], { grid: { drawBorder: false }, legend: { show: false } }); });";
/// let text = format!("هل تؤيد القرار؟ {js} نعم لا");
/// assert_eq!(nuskha::strip_code(&text), "هل تؤيد القرار؟   نعم لا");
/// assert!(matches!(nuskha::strip_code("خبر بلا شيفرة"), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn strip_code(text: &str) -> Cow<'_, str> {
    let runs = code_runs(text);
    if runs.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in runs {
        out.push_str(&text[at..r.start]);
        out.push(' ');
        at = r.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule the simple way: tokens from `split_ascii_whitespace`, their offsets
    /// found by pointer arithmetic, runs of all-ASCII tokens kept when long and dense.
    fn naive_code_runs(text: &str) -> Vec<Range<usize>> {
        let mut runs = Vec::new();
        let mut current: Vec<(usize, usize, usize)> = Vec::new();
        let flush = |current: &mut Vec<(usize, usize, usize)>, runs: &mut Vec<Range<usize>>| {
            let marks: usize = current.iter().map(|t| t.2).sum();
            if current.len() >= MIN_RUN_TOKENS && marks * TOKENS_PER_MARK >= current.len() {
                runs.push(current[0].0..current[current.len() - 1].1);
            }
            current.clear();
        };
        for token in text.split_ascii_whitespace() {
            let start = token.as_ptr() as usize - text.as_ptr() as usize;
            if token.is_ascii() {
                let marks = token.bytes().filter(|&b| "{};=".as_bytes().contains(&b)).count();
                current.push((start, start + token.len(), marks));
            } else {
                flush(&mut current, &mut runs);
            }
        }
        flush(&mut current, &mut runs);
        runs
    }

    #[test]
    fn code_runs_equal_the_simple_rule() {
        use crate::hash::mix64;
        let pieces = [
            "{",
            "}",
            ";",
            "a=1;",
            "padding:",
            "0;",
            "قال",
            "الوزير",
            "the",
            "minister",
            "said",
            "\n",
            "  ",
            "\t",
            "x",
            "()",
            "=>",
            "é",
            "١٢",
            "var",
            "f(x){return",
            "x;}",
        ];
        for seed in 0..3000u64 {
            let n = (mix64(seed, 1) % 60) as usize;
            let mut text = String::new();
            for k in 0..n {
                let p = pieces[(mix64(seed, k as u64 + 2) % pieces.len() as u64) as usize];
                text.push_str(p);
                if mix64(seed, k as u64 + 1000) % 3 != 0 {
                    text.push(' ');
                }
            }
            assert_eq!(code_runs(&text), naive_code_runs(&text), "{text:?}");
        }
    }

    #[test]
    fn marks_are_the_four_bytes_and_counted_in_any_length() {
        let marks: Vec<u8> = (0..=255u8).filter(|&b| is_code_mark(b)).collect();
        assert_eq!(marks, b";={}");
        for len in [0, 1, 254, 255, 256, 511, 1000] {
            let bytes: Vec<u8> = (0..len).map(|i| [b'{', b'a', b'=', 0xD8][i % 4]).collect();
            let plain = bytes.iter().filter(|&&b| b";={}".contains(&b)).count();
            assert_eq!(count_marks(&bytes), plain, "{len}");
        }
    }

    #[test]
    fn prose_stays_and_code_goes() {
        let english = "The minister said on Monday that the talks would resume next week in Geneva, and that all parties had agreed.";
        assert!(code_runs(english).is_empty(), "English prose is not code");
        let css = "#vote_area2 ul { padding: 0; margin: 0; } .box_vote { padding:18px; margin-bottom:10px; overflow: hidden; }";
        let text = format!("قال الوزير {css}\nواضاف ان");
        assert_eq!(strip_code(&text), "قال الوزير  \nواضاف ان");
        // Too short a run is left: a formula, an inline style.
        assert!(code_runs("قال x = 1; y = 2; ثم").is_empty());
        assert!(code_runs("").is_empty());
    }
}
