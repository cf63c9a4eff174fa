//! `dedup compare A B`: why two articles match, or do not.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use nuskha::{ShingleUnit, decode_lossy};

use crate::args::Format;

/// Reads one article, decoding invalid UTF-8 lossily with a warning.
fn read(path: &Path) -> io::Result<String> {
    let bytes = std::fs::read(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let (text, bad) = decode_lossy(&bytes);
    if bad > 0 {
        eprintln!("dedup: warning: {}: invalid UTF-8, {bad} sequence(s) replaced", path.display());
    }
    Ok(text.into_owned())
}

pub fn run(
    a: &Path,
    b: &Path,
    shingle: (ShingleUnit, usize),
    passages: usize,
    format: Format,
) -> io::Result<ExitCode> {
    let sketcher = match crate::args::sketcher(shingle) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("dedup: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let (ta, tb) = (read(a)?, read(b)?);
    let c = sketcher.compare(&ta, &tb, passages);
    let mut out = io::stdout().lock();
    let shingles = format!("{}:{}", shingle.0, shingle.1);
    match format {
        Format::Json => {
            let passages: Vec<_> = c
                .shared_passages
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "words": p.words, "start_a": p.start_a, "start_b": p.start_b, "text": p.text,
                    })
                })
                .collect();
            let v = serde_json::json!({
                "a": a.display().to_string(),
                "b": b.display().to_string(),
                "shingles": shingles,
                "num_perm": sketcher.params().num_perm(),
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
            });
            writeln!(out, "{v}")?;
        }
        Format::Text => {
            writeln!(out, "A: {} ({} words, {} shingles)", a.display(), c.words.0, c.shingles.0)?;
            writeln!(out, "B: {} ({} words, {} shingles)", b.display(), c.words.1, c.shingles.1)?;
            writeln!(out, "shingles:            {shingles}")?;
            writeln!(out, "jaccard (exact):     {:.3}", c.exact_jaccard)?;
            writeln!(
                out,
                "jaccard (MinHash):   {:.3}   (K = {})",
                c.estimated_jaccard,
                sketcher.params().num_perm()
            )?;
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
        }
    }
    Ok(ExitCode::SUCCESS)
}
