//! `--format html` and `dedup compare --format html`: one self-contained page.
//!
//! The page is a shell, a style sheet and a script (in `html/`, compiled in) around one
//! JSON object holding the data. The script builds every element and puts article text
//! in only as text nodes, so no text is ever read as markup; the JSON is escaped for a
//! `<script>` element; and a content security policy forbids the page any request, so
//! it opens the same from a USB stick as from a server.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::io::{self, Write};

use nuskha::{Cluster, Deduplicator, DocId, words};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use super::Report;
use super::sha256::{base64, sha256};
use crate::compare::comparison_json;
use crate::date::parse_date;

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// How many shared passages a comparison in the report highlights: one colour each.
const PASSAGES: usize = 6;

/// Writes a page of `kind` (`report` or `compare`, which the script draws) with `data`.
///
/// Its security policy lets nothing load and only the page's own script run (named by
/// its SHA-256): were article text ever to become markup, an inline handler or a
/// script in it would not run.
pub fn page(out: &mut dyn Write, kind: &'static str, data: &impl Serialize) -> io::Result<()> {
    let script = format!("\n{SCRIPT}");
    let hash = base64(&sha256(script.as_bytes()));
    write!(
        out,
        "<!DOCTYPE html>
<html lang=\"en\">
<head>
<meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{hash}'\">
<title>nuskha {kind}</title>
<style>
{STYLE}</style>
</head>
<body>
<main id=\"app\" data-page=\"{kind}\"><noscript>This page is drawn by its script: allow JavaScript for this file.</noscript></main>
<script type=\"application/json\" id=\"nuskha-data\">"
    )?;
    serde_json::to_writer(ScriptSafe(&mut *out), data)?;
    write!(out, "</script>\n<script>{script}</script>\n</body>\n</html>\n")
}

/// Passes JSON on so that it cannot end its `<script>` element or open a comment
/// there: `<`, `>` and `&`, which JSON has only inside strings, become `\u` escapes
/// that read back as the same characters. (The page reads the data with
/// `JSON.parse`, which takes U+2028 and U+2029 as they are.)
struct ScriptSafe<W>(W);

impl<W: Write> Write for ScriptSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = rest.iter().position(|b| matches!(b, b'<' | b'>' | b'&')) {
            self.0.write_all(&rest[..at])?;
            let escape: &[u8] = match rest[at] {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                _ => b"\\u0026",
            };
            self.0.write_all(escape)?;
            rest = &rest[at + 1..];
        }
        self.0.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// An article's text as a page shows it: the text as read, and how many of the
/// matcher's words each run of it between white space was normalised into (`runs`,
/// one base-36 digit a run), so that the page finds each word's place in the original
/// and highlights there the shared passages, which are found in normalised words.
/// A run inside page code ([`nuskha::code_runs`], cut before matching) counts none.
/// `runs` is null when the runs, normalised one by one, do not give the whole text's
/// words, or one gives more than 35 (the page then shows the text unmarked).
pub fn shown_text<'t>(dedup: &Deduplicator, text: &'t str) -> ShownText<'t> {
    let normalizer = dedup.sketcher().normalizer();
    let code = nuskha::code_runs(text);
    let mut runs = String::new();
    let mut total = 0;
    for run in text.split(char::is_whitespace).filter(|r| !r.is_empty()) {
        let at = run.as_ptr() as usize - text.as_ptr() as usize;
        let in_code = code.iter().any(|c| c.contains(&at));
        let n = if in_code { 0 } else { words(&normalizer.normalize(run)).count() };
        total += n;
        runs.push(char::from_digit(n.min(36) as u32, 36).unwrap_or('#'));
    }
    let whole = words(&dedup.sketcher().normalize(text)).count();
    let runs = (total == whole && !runs.contains('#')).then_some(runs);
    ShownText { text, runs }
}

/// See [`shown_text`].
#[derive(Serialize)]
pub struct ShownText<'t> {
    text: &'t str,
    runs: Option<String>,
}

/// An article as the report lists it: id, title, outlet, date, whether too short.
type ArticleRow<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>, bool);

/// Everything the report page draws.
#[derive(Serialize)]
struct ReportData<'a> {
    parameters: Value,
    counts: Value,
    skipped: Vec<Value>,
    articles: Vec<ArticleRow<'a>>,
    /// Clusters of copies: [representative, [[member, kind, score, matched], ...]].
    clusters: Vec<Value>,
    /// By article: the texts of the clusters' members.
    texts: BTreeMap<String, ShownText<'a>>,
    /// By copy: its comparison with its cluster's representative.
    pairs: BTreeMap<String, Value>,
}

impl Report<'_> {
    /// The report page: counts, parameters and skipped inputs; the clusters of copies,
    /// largest first, members by date; and for each copy its comparison with the
    /// cluster's representative, both texts read again from the inputs.
    pub(super) fn html(&self, out: &mut dyn Write) -> io::Result<()> {
        let dates: Vec<Option<i64>> =
            self.inputs.articles.iter().map(|a| a.date().and_then(parse_date)).collect();
        // Numbered as the text report numbers them, then largest first (a stable sort
        // keeps their order among equals).
        let mut copies: Vec<(usize, &Cluster)> =
            self.clusters.copies().enumerate().map(|(n, c)| (n + 1, c)).collect();
        copies.sort_by_key(|(_, c)| Reverse(c.len()));
        let clusters: Vec<Value> = copies
            .iter()
            .map(|&(number, c)| {
                let mut members = c.members().to_vec();
                // A timeline: dated members by date, then the undated, each in input order.
                members.sort_by_key(|m| (dates[m.id.index()].is_none(), dates[m.id.index()], m.id));
                let members: Vec<Value> = members
                    .iter()
                    .map(|m| json!([m.id.0, m.kind.to_string(), m.score, m.matched.0]))
                    .collect();
                json!([c.representative().0, members, number])
            })
            .collect();
        let articles: Vec<ArticleRow> = (0..self.inputs.articles.len())
            .map(|i| {
                let a = &self.inputs.articles[i];
                (a.id.as_str(), a.title(), a.source(), a.date(), self.too_short(DocId(i as u32)))
            })
            .collect();
        let mut shown: Vec<usize> =
            copies.iter().flat_map(|(_, c)| c.members().iter().map(|m| m.id.index())).collect();
        shown.sort_unstable();
        // Without the texts (an input that cannot be read again: a named pipe, a file
        // changed since) the page still shows the clusters, without comparisons.
        let again = match self.fields {
            Some(fields) => self.inputs.texts_again(&shown, &fields.jsonl(false)),
            None => Err(io::Error::other("the articles' fields are unknown")),
        };
        let texts = match again {
            Ok(texts) => texts,
            Err(e) => {
                eprintln!(
                    "dedup: warning: cannot read the articles again for the report's comparisons ({e}); the page shows the clusters without them"
                );
                shown.clear();
                Vec::new()
            }
        };
        // Shown and compared as they were matched (past --max-article-size, their
        // beginnings).
        let text_of = |i: usize| {
            self.dedup.matched_text(&texts[shown.binary_search(&i).expect("a shown article")])
        };
        let dedup = self.dedup;
        let shingles =
            self.dedup.sketcher().params().shingling().map(|s| s.to_string()).unwrap_or_default();
        let shown_texts: Vec<ShownText> =
            shown.par_iter().map(|&i| shown_text(dedup, text_of(i))).collect();
        let copies_of: Vec<(usize, usize)> = copies
            .iter()
            .filter(|_| !shown.is_empty())
            .flat_map(|(_, c)| {
                let r = c.representative();
                c.members()
                    .iter()
                    .filter(move |m| m.id != r)
                    .map(move |m| (r.index(), m.id.index()))
            })
            .collect();
        let pairs: Vec<(usize, Value)> = copies_of
            .par_iter()
            .map(|&(r, m)| {
                let (a, b) = (text_of(r), text_of(m));
                let c = dedup.sketcher().compare(a, b, PASSAGES);
                let verdict = dedup.verdict(a, b);
                let ids = (self.id(DocId(r as u32)), self.id(DocId(m as u32)));
                let mut v = comparison_json(dedup, ids, &shingles, &c, &verdict);
                // The page shows a passage from the original text: the normalised words
                // too would make the report a third larger.
                for p in v["shared_passages"].as_array_mut().into_iter().flatten() {
                    p.as_object_mut().map(|p| p.remove("text"));
                }
                (m, v)
            })
            .collect();
        let data = ReportData {
            parameters: self.parameters_json(),
            counts: self.counts_json(),
            skipped: self.skipped_json(),
            articles,
            clusters,
            texts: shown.iter().map(usize::to_string).zip(shown_texts).collect(),
            pairs: pairs.into_iter().map(|(m, v)| (m.to_string(), v)).collect(),
        };
        page(out, "report", &data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_data_cannot_close_its_element() {
        let v = json!({"text": "</script><script>alert(1)</script> <!-- & \u{2028} كلمة"});
        let mut safe = Vec::new();
        serde_json::to_writer(ScriptSafe(&mut safe), &v).unwrap();
        let safe = String::from_utf8(safe).unwrap();
        assert!(!safe.contains(['<', '>', '&']), "{safe}");
        assert_eq!(serde_json::from_str::<Value>(&safe).unwrap(), v);
    }

    #[test]
    fn runs_count_the_words_each_was_normalised_into() {
        let dedup = Deduplicator::new();
        let text = "  قالَ الوزيرُ،  إنّ\nالمشروع   ready-made 😀 x\u{00A0}y";
        let shown = shown_text(&dedup, text);
        let runs = shown.runs.as_deref().expect("runs");
        // The runs between white space as the page splits them.
        let pieces: Vec<&str> = text.split(char::is_whitespace).filter(|r| !r.is_empty()).collect();
        assert_eq!(runs.len(), pieces.len(), "{runs} {pieces:?}");
        let total: u32 = runs.chars().map(|c| c.to_digit(36).unwrap()).sum();
        let normal = dedup.sketcher().normalizer().normalize(text);
        assert_eq!(total as usize, words(&normal).count());
        assert!(runs.starts_with("111"), "{runs}");
        // A text whose runs would not give its words back is shown unmarked.
        let long = vec!["كلمة"; 40].join("،");
        assert_eq!(words(&dedup.sketcher().normalizer().normalize(&long)).count(), 40);
        assert!(shown_text(&dedup, &long).runs.is_none(), "one run of 40 words");
        // Page code is cut before matching: its runs count no words.
        let css = "#vote ul { padding: 0; margin: 0; } .box { padding:18px; margin:0; overflow: hidden; }";
        let text = format!("قال الوزير {css} واضاف");
        let runs = shown_text(&dedup, &text).runs.expect("runs");
        assert_eq!(runs, format!("11{}1", "0".repeat(css.split(' ').count())));
    }
}
