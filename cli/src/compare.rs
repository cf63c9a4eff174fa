//! `dedup compare A B`: why two articles match, or do not.
//!
//! The articles are read by the main command's reader (the same checks, warnings and
//! record fields), then compared on every measure, and judged by the verifier at the
//! matching options given.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use nuskha::{Comparison, Deduplicator, MatchKind, Verdict};

use crate::args::{CompareArgs, CompareFormat, EXIT_SKIPPED, EXIT_USAGE};
use crate::input::{Inputs, ReadOptions};

/// One article to compare: where it is, its id, its compared text.
struct Chosen {
    id: String,
    text: String,
}

/// Why nothing could be compared, and the exit code that says so.
struct Refusal(u8, String);

pub fn run(args: &CompareArgs) -> io::Result<ExitCode> {
    let dedup = match args.matching.builder().and_then(|b| b.build()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("dedup: {e}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let (a, b) = match choose(args, &dedup) {
        Ok(pair) => pair,
        Err(Refusal(code, message)) => {
            eprintln!("dedup compare: {message}");
            return Ok(ExitCode::from(code));
        }
    };
    // Compared as they are matched: past --max-article-size, on their beginnings.
    let (ta, tb) = (dedup.matched_text(&a.text), dedup.matched_text(&b.text));
    for (name, chosen, text) in [("A", &a, ta), ("B", &b, tb)] {
        if text.len() < chosen.text.len() {
            eprintln!(
                "dedup compare: warning: {name} ({}) is longer than --max-article-size; its first {} bytes are compared",
                chosen.id,
                text.len()
            );
        }
    }
    let c = dedup.sketcher().compare(ta, tb, args.passages);
    let verdict = dedup.verdict(ta, tb);
    let says = verdict_line(&verdict, &dedup);
    let num_perm = dedup.sketcher().params().num_perm();
    let shingles = args.matching.shingle.to_string();
    let mut out = io::stdout().lock();
    match args.format {
        CompareFormat::Json => {
            let v = comparison_json(&dedup, (&a.id, &b.id), &shingles, &c, &verdict);
            writeln!(out, "{v}")?;
        }
        CompareFormat::Html => {
            let mut v = comparison_json(&dedup, (&a.id, &b.id), &shingles, &c, &verdict);
            v["texts"] = serde_json::json!([
                crate::report::html::shown_text(&dedup, ta),
                crate::report::html::shown_text(&dedup, tb),
            ]);
            crate::report::html::page(&mut out, "compare", &v)?;
        }
        CompareFormat::Text => {
            writeln!(out, "A: {} ({} words, {} shingles)", a.id, c.words.0, c.shingles.0)?;
            writeln!(out, "B: {} ({} words, {} shingles)", b.id, c.words.1, c.shingles.1)?;
            writeln!(out, "shingles:            {shingles}")?;
            writeln!(out, "jaccard (exact):     {:.3}", c.exact_jaccard)?;
            writeln!(out, "jaccard (MinHash):   {:.3}   (K = {num_perm})", c.estimated_jaccard)?;
            writeln!(
                out,
                "containment A in B:  {:.3}   (MinHash {:.3})",
                c.exact_containment_a_in_b, c.estimated_containment_a_in_b
            )?;
            writeln!(
                out,
                "containment B in A:  {:.3}   (MinHash {:.3})",
                c.exact_containment_b_in_a, c.estimated_containment_b_in_a
            )?;
            writeln!(out, "simhash hamming:     {} / 64", c.simhash_hamming)?;
            if c.shared_passages.is_empty() {
                writeln!(out, "no shared passage")?;
            } else {
                writeln!(out, "longest shared passages:")?;
            }
            for (i, p) in c.shared_passages.iter().enumerate() {
                writeln!(
                    out,
                    "  {}. {} words (A word {}, B word {}): {}",
                    i + 1,
                    p.words,
                    p.start_a,
                    p.start_b,
                    p.text
                )?;
            }
            writeln!(out, "verdict: {says}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Every score of a comparison and the verdict, as `--format json` writes them (the
/// HTML pages read the same object).
pub(crate) fn comparison_json(
    dedup: &Deduplicator,
    (a, b): (&str, &str),
    shingles: &str,
    c: &Comparison,
    verdict: &Verdict,
) -> serde_json::Value {
    let passages: Vec<_> = c
        .shared_passages
        .iter()
        .map(|p| {
            serde_json::json!({
                "words": p.words, "start_a": p.start_a, "start_b": p.start_b, "text": p.text,
            })
        })
        .collect();
    let mut v = serde_json::json!({
        "a": a,
        "b": b,
        "shingles": shingles,
        "num_perm": dedup.sketcher().params().num_perm(),
        "exact_jaccard": c.exact_jaccard,
        "estimated_jaccard": c.estimated_jaccard,
        "exact_containment_a_in_b": c.exact_containment_a_in_b,
        "exact_containment_b_in_a": c.exact_containment_b_in_a,
        "estimated_containment_a_in_b": c.estimated_containment_a_in_b,
        "estimated_containment_b_in_a": c.estimated_containment_b_in_a,
        "simhash_hamming": c.simhash_hamming,
        "words": [c.words.0, c.words.1],
        "distinct_shingles": [c.shingles.0, c.shingles.1],
        "shared_passages": passages,
        "verdict": {
            "copy": verdict.matched.is_some(),
            "kind": verdict.matched.map(|m| m.kind.to_string()),
            "score": verdict.matched.map(|m| m.score),
            "jaccard": verdict.jaccard,
            "containment": verdict.containment,
            "simhash_distance": verdict.simhash_distance,
            "too_short": [verdict.too_short.0, verdict.too_short.1],
            "reason": verdict_line(verdict, dedup),
        },
    });
    // The rules' own scores, only with them on (the object is otherwise as before).
    if dedup.edited_copies().is_some() {
        v["verdict"]["word_containment"] = verdict.word_containment.into();
        v["verdict"]["bigram_containment"] = verdict.bigram_containment.into();
        v["verdict"]["distinctive_containment"] = verdict.distinctive_containment.into();
    }
    if dedup.aligned_copies().is_some() {
        v["verdict"]["aligned_coverage"] = verdict.aligned_coverage.into();
    }
    v
}

/// The verdict in words, with the scores and thresholds that decided it:
/// `copy: jaccard 0.70 ≥ 0.5 (estimated)`.
fn verdict_line(v: &Verdict, dedup: &Deduplicator) -> String {
    let line = decision(v, dedup);
    match v.matched {
        // With the edited-copy rule (on by default) every line shows the rule's scores
        // (a non-copy's already does), and with --align the alignment's.
        Some(m) if m.kind == MatchKind::Edited => format!("{line}{}", aligned_detail(v, dedup)),
        Some(m) if m.kind != MatchKind::Aligned && dedup.edited_copies().is_some() => {
            format!("{line}; edited{}{}", edited_detail(v), aligned_detail(v, dedup))
        }
        _ => line,
    }
}

/// [`verdict_line`] but for the edited-copy scores of a pair matched otherwise.
fn decision(v: &Verdict, dedup: &Deduplicator) -> String {
    let how = match dedup.verification() {
        nuskha::Verification::Exact => "exact",
        _ => "estimated",
    };
    let t = dedup.threshold();
    if let Some(m) = v.matched {
        return match m.kind {
            MatchKind::Containment => format!(
                "copy: containment {:.2} ≥ {} ({how}; jaccard {:.2} < {t})",
                m.score,
                dedup.containment().unwrap_or_default(),
                v.jaccard
            ),
            MatchKind::Edited => format!(
                "copy: edited, words and word pairs {:.2} ≥ {}{} (jaccard {:.2} < {t})",
                m.score,
                dedup.edited_copies().map_or(0.0, |e| e.min_overlap),
                edited_detail(v),
                v.jaccard
            ),
            MatchKind::Aligned => format!(
                "copy: aligned, runs of {}+ words cover {:.2} ≥ {} of the shorter{} \
                 (words and word pairs {:.2} < {}; jaccard {:.2} < {t})",
                dedup.aligned_copies().map_or(0, |al| al.min_run),
                m.score,
                dedup.aligned_copies().map_or(0.0, |al| al.min_coverage),
                edited_detail(v),
                v.word_containment
                    .zip(v.bigram_containment)
                    .map_or(0.0, |(w, b)| f64::midpoint(w, b)),
                dedup.edited_copies().map_or(0.0, |e| e.min_overlap),
                v.jaccard
            ),
            MatchKind::SimHash => format!(
                "copy: SimHash distance {} ≤ {}",
                v.simhash_distance.unwrap_or_default(),
                match dedup.algorithm() {
                    nuskha::Algorithm::SimHash { max_distance } => max_distance,
                    _ => 0,
                }
            ),
            _ => format!("copy: jaccard {:.2} ≥ {t} ({how})", m.score),
        };
    }
    match v.too_short {
        (true, true) => {
            return format!("not a copy: both have fewer than {} words", dedup.min_words());
        }
        (true, false) => {
            return format!("not a copy: A has fewer than {} words", dedup.min_words());
        }
        (false, true) => {
            return format!("not a copy: B has fewer than {} words", dedup.min_words());
        }
        (false, false) => {}
    }
    if let (nuskha::Algorithm::SimHash { max_distance }, Some(d)) =
        (dedup.algorithm(), v.simhash_distance)
    {
        return format!("not a copy: SimHash distance {d} > {max_distance}");
    }
    let containment = match dedup.containment() {
        Some(c) => format!(", containment {:.2} < {c}", v.containment),
        None => String::new(),
    };
    let edited = match dedup.edited_copies() {
        Some(_) => format!("; edited{}{}", edited_detail(v), aligned_detail(v, dedup)),
        None => String::new(),
    };
    format!("not a copy: jaccard {:.2} < {t}{containment} ({how}){edited}", v.jaccard)
}

/// The edited-copy scores of a verdict: `: words 0.81, word pairs 0.64, distinctive
/// phrases 0.40`.
fn edited_detail(v: &Verdict) -> String {
    let (Some(w), Some(b)) = (v.word_containment, v.bigram_containment) else {
        return String::new();
    };
    let distinctive = match v.distinctive_containment {
        Some(d) => format!("distinctive phrases {d:.2}"),
        None => "too few distinctive phrases to check".to_owned(),
    };
    format!(": words {w:.2}, word pairs {b:.2}, {distinctive}")
}

/// The aligned-copy score of a verdict, with the rule on: `; aligned 0.58 < 0.6 (runs
/// of 3+ words)`.
fn aligned_detail(v: &Verdict, dedup: &Deduplicator) -> String {
    let (Some(al), Some(c)) = (dedup.aligned_copies(), v.aligned_coverage) else {
        return String::new();
    };
    let cmp = if c >= al.min_coverage { "≥" } else { "<" };
    format!("; aligned {c:.2} {cmp} {} (runs of {}+ words)", al.min_coverage, al.min_run)
}

/// The two articles the options name, read and checked as the main command reads:
/// an input holding one article is that article; an input holding several needs an
/// `--id`, the ids taken in order (one input may give both).
fn choose(args: &CompareArgs, dedup: &Deduplicator) -> Result<(Chosen, Chosen), Refusal> {
    let usage = |m: &str| Refusal(EXIT_USAGE, m.to_owned());
    let mut ids = args.ids.iter().map(String::as_str);
    let mut chosen = Vec::new();
    match args.inputs.as_slice() {
        [file] => {
            let (Some(x), Some(y), None) = (ids.next(), ids.next(), ids.next()) else {
                return Err(usage("one input gives both articles only with --id twice"));
            };
            let inputs = read(file, args, dedup);
            chosen.push(pick(&inputs, file, Some(x), args)?);
            chosen.push(pick(&inputs, file, Some(y), args)?);
        }
        [a, b] => {
            for file in [a, b] {
                let inputs = read(file, args, dedup);
                let id = if inputs.articles.len() > 1 { ids.next() } else { None };
                chosen.push(pick(&inputs, file, id, args)?);
            }
            if ids.next().is_some() {
                return Err(usage("more --id options than inputs holding several articles"));
            }
        }
        _ => return Err(usage("give one or two inputs")),
    }
    let b = chosen.pop().expect("two articles");
    let a = chosen.pop().expect("two articles");
    Ok((a, b))
}

/// Reads `path` with the main command's reader (warnings printed as it prints them).
fn read(path: &PathBuf, args: &CompareArgs, dedup: &Deduplicator) -> Inputs {
    let mut batch = dedup.batch();
    let on_read = |_| {};
    let mut opts = ReadOptions {
        fields: args.fields.jsonl(false),
        max_file_size: 1 << 30,
        read_block: 1 << 20,
        parallel: false,
        verbose: false,
        on_read: &on_read,
        batch: &mut batch,
        keep_stdin: false,
        stripe: None,
    };
    Inputs::read(std::slice::from_ref(path), &mut opts)
}

/// The article of `inputs` (read from `path`) of id `id`, or its only one.
fn pick(
    inputs: &Inputs,
    path: &Path,
    id: Option<&str>,
    args: &CompareArgs,
) -> Result<Chosen, Refusal> {
    let refuse = |m: String| Refusal(EXIT_SKIPPED, m);
    let place = path.display();
    let index = match id {
        Some(id) => inputs
            .articles
            .iter()
            .position(|a| a.id == id)
            .ok_or_else(|| refuse(format!("{place}: no article with id \"{id}\"")))?,
        None => match inputs.articles.len() {
            1 => 0,
            0 => return Err(refuse(format!("{place}: no article could be read"))),
            n => {
                return Err(refuse(format!(
                    "{place} holds {n} articles: name the one to compare with --id"
                )));
            }
        },
    };
    let text = inputs
        .text_again(index, &args.fields.jsonl(false))
        .map_err(|e| refuse(format!("{place}: cannot read it again: {e}")))?;
    Ok(Chosen { id: inputs.articles[index].id.clone(), text })
}
