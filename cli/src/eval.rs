//! `dedup eval`: a clustering scored against pairs labelled by reading, and against a
//! reference clustering. The files are parsed here; the numbers come from
//! `nuskha::eval`, so every front end computes them alike.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use nuskha::eval::{
    Agreement, Counts, LabelledPair, Population, agreement, bootstrap_interval, evaluate_pairs,
};

use crate::args::{EvalArgs, Format};
use crate::input::{Decoded, decode_input, replaced_warning};

/// Exit code for unreadable or malformed input files.
const EXIT_BAD_INPUT: u8 = 2;
/// The seed of the bootstrap: the same intervals on every run.
const BOOTSTRAP_SEED: u64 = 0x6576_616c;

/// A file could not be used: which, and why.
pub(crate) struct Bad(pub(crate) String);

fn bad(path: &Path, what: impl std::fmt::Display) -> Bad {
    Bad(format!("{}: {what}", path.display()))
}

/// Reads one of `eval`'s files through the one decode-and-warn path (a byte order mark
/// dropped, UTF-16 decoded, binary and Windows-1256 refused by name).
fn read(path: &Path) -> Result<String, Bad> {
    let bytes = std::fs::read(path).map_err(|e| bad(path, e))?;
    let place = path.display().to_string();
    match decode_input(&place, &bytes) {
        Ok(Decoded { text, replaced }) => {
            if replaced > 0 {
                eprintln!("dedup: warning: {}", replaced_warning(&place, replaced));
            }
            Ok(text.into_owned())
        }
        Err((_, detail)) => Err(bad(path, detail)),
    }
}

pub fn run(args: &EvalArgs) -> io::Result<ExitCode> {
    match evaluate(args) {
        Ok(report) => {
            let mut out = io::stdout().lock();
            match args.format {
                Format::Json => writeln!(out, "{}", report.json())?,
                Format::Text => report.text(&mut out)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(Bad(message)) => {
            eprintln!("dedup eval: {message}");
            Ok(ExitCode::from(EXIT_BAD_INPUT))
        }
    }
}

/// Everything `dedup eval` prints.
pub(crate) struct Report {
    pairs: Option<PairReport>,
    truth: Option<Agreement>,
}

struct PairReport {
    evaluation: nuskha::eval::PairEvaluation,
    intervals: Option<nuskha::eval::Intervals>,
    /// Pairs left out: their label is neither positive nor negative.
    ignored: usize,
}

pub(crate) fn evaluate(args: &EvalArgs) -> Result<Report, Bad> {
    if args.pairs.is_none() && args.truth.is_none() {
        return Err(Bad("nothing to score against: give --pairs or --truth".into()));
    }
    let clusters = read_clustering(&args.clusters)?;
    let pairs = args.pairs.as_deref().map(|p| score_pairs(p, args, &clusters)).transpose()?;
    let truth = args
        .truth
        .as_deref()
        .map(|path| {
            let truth = read_clustering(path)?;
            // Every article of the reference; one the clustering lacks is a cluster of
            // its own there.
            let labels = truth.iter().map(|(id, t)| {
                (t.as_str(), clusters.get(id).map_or(Err(id.as_str()), |c| Ok(c.as_str())))
            });
            Ok::<_, Bad>(agreement(labels))
        })
        .transpose()?;
    Ok(Report { pairs, truth })
}

fn score_pairs(
    path: &Path,
    args: &EvalArgs,
    clusters: &HashMap<String, String>,
) -> Result<PairReport, Bad> {
    let mut pairs = Vec::new();
    let mut ignored = 0;
    for (k, line) in read(path)?.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| bad(path, format_args!("line {}: malformed JSON ({e})", k + 1)))?;
        let field = |name: &str| v[name].as_str().map(str::to_owned);
        let missing =
            |name: &str| bad(path, format_args!("line {}: no string field `{name}`", k + 1));
        if let Some(split) = &args.split {
            if field("split").as_deref() != Some(split) {
                continue;
            }
        }
        let label = field("label").ok_or_else(|| missing("label"))?;
        let copy = if args.positive.contains(&label) {
            true
        } else if args.negative.contains(&label) {
            false
        } else {
            ignored += 1;
            continue;
        };
        let (a, b) =
            (field("a").ok_or_else(|| missing("a"))?, field("b").ok_or_else(|| missing("b"))?);
        pairs.push(LabelledPair::new(a, b, field("bin").unwrap_or_default(), copy));
    }
    let population = args.population.as_deref().map(|p| read_population(p, &pairs)).transpose()?;
    let evaluation = evaluate_pairs(&pairs, |id| clusters.get(id), population.as_ref())
        .map_err(|e| bad(args.population.as_deref().unwrap_or(path), e))?;
    let intervals = match &population {
        Some(pop) if args.bootstrap > 0 => {
            let together = &evaluation.together;
            let found =
                bootstrap_interval(&pairs, together, pop, args.bootstrap, 0.95, BOOTSTRAP_SEED);
            Some(found.map_err(|e| bad(path, e))?)
        }
        _ => None,
    };
    Ok(PairReport { evaluation, intervals, ignored })
}

/// Each bin's population, each weighed against the pairs of it that are scored.
fn read_population(path: &Path, pairs: &[LabelledPair]) -> Result<Population, Bad> {
    let v: serde_json::Value = serde_json::from_str(&read(path)?)
        .map_err(|e| bad(path, format_args!("malformed JSON ({e})")))?;
    let bins = v["population"].as_object().ok_or_else(|| bad(path, "no object `population`"))?;
    let mut scored: HashMap<&str, u64> = HashMap::new();
    for p in pairs {
        *scored.entry(&p.bin).or_default() += 1;
    }
    let mut population = Population::default();
    for (bin, n) in bins {
        let n = n
            .as_u64()
            .ok_or_else(|| bad(path, format_args!("population of `{bin}` is not a count")))?;
        population.insert(bin.clone(), n, scored.get(bin.as_str()).copied().unwrap_or(0));
    }
    Ok(population)
}

/// `id → cluster` from `id,cluster,...` rows (a header row starting `id` is skipped);
/// a repeated id is an error, since it could be in two clusters.
pub(crate) fn read_clustering(path: &Path) -> Result<HashMap<String, String>, Bad> {
    let mut clusters = HashMap::new();
    for (k, (line, fields)) in csv_records(&read(path)?).into_iter().enumerate() {
        if fields.iter().all(String::is_empty) || (k == 0 && fields[0] == "id") {
            continue;
        }
        let [id, cluster, ..] = fields.as_slice() else {
            return Err(bad(path, format_args!("line {line}: expected id,cluster")));
        };
        if clusters.insert(id.clone(), cluster.clone()).is_some() {
            return Err(bad(path, format_args!("line {line}: id \"{id}\" appears twice")));
        }
    }
    Ok(clusters)
}

/// The records of a CSV text, each with the line it starts on: `"…"` quoting (which
/// may hold commas and line breaks, as `dedup --format csv` writes ids that have them)
/// and `""` for a quote inside; a record ends at a line break outside quotes.
fn csv_records(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut records = Vec::new();
    let (mut fields, mut quoted, mut line, mut start) = (vec![String::new()], false, 1, 1);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let field = fields.last_mut().expect("one field at least");
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            ('\r', false) if chars.peek() == Some(&'\n') => {}
            ('\n', false) => {
                records.push((start, std::mem::replace(&mut fields, vec![String::new()])));
                line += 1;
                start = line;
            }
            _ => {
                line += usize::from(c == '\n');
                field.push(c);
            }
        }
    }
    if fields.len() > 1 || !fields[0].is_empty() {
        records.push((start, fields));
    }
    records
}

fn counts_json(c: &Counts) -> serde_json::Value {
    serde_json::json!({
        "precision": c.precision(), "recall": c.recall(), "f1": c.f1(),
        "tp": c.tp, "fp": c.fp, "fn": c.fn_, "tn": c.tn,
    })
}

/// A figure with three decimals, or `-` when it is undefined.
fn figure(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |x| format!("{x:.3}"))
}

impl Report {
    fn json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({});
        if let Some(p) = &self.pairs {
            let e = &p.evaluation;
            let bins: BTreeMap<&str, serde_json::Value> =
                e.bins.iter().map(|(b, c)| (b.as_str(), counts_json(c))).collect();
            v["raw"] = counts_json(&e.raw);
            v["weighted"] = e.weighted.map_or(serde_json::Value::Null, |w| {
                serde_json::json!({"precision": w.precision(), "recall": w.recall(), "f1": w.f1()})
            });
            if let Some(i) = &p.intervals {
                v["intervals"] = serde_json::json!({"confidence": 0.95, "precision": i.precision, "recall": i.recall});
            }
            v["bins"] = serde_json::json!(bins);
            v["missing"] = e.missing.len().into();
            v["ignored"] = p.ignored.into();
        }
        if let Some(t) = &self.truth {
            v["truth"] = serde_json::json!({
                "precision": t.precision, "recall": t.recall, "f1": t.f1, "adjusted_rand": t.adjusted_rand,
            });
        }
        v
    }

    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        if let Some(p) = &self.pairs {
            let e = &p.evaluation;
            let r = &e.raw;
            let n = r.tp + r.fp + r.fn_ + r.tn;
            writeln!(
                out,
                "pairs scored: {n} ({} copies, {} not), {} left out by label; {} ids missing from the clustering",
                r.tp + r.fn_,
                r.fp + r.tn,
                p.ignored,
                e.missing.len()
            )?;
            writeln!(
                out,
                "raw:       precision {}  recall {}  F1 {}  (tp {} fp {} fn {} tn {})",
                figure(r.precision()),
                figure(r.recall()),
                figure(r.f1()),
                r.tp,
                r.fp,
                r.fn_,
                r.tn
            )?;
            if let Some(w) = &e.weighted {
                write!(
                    out,
                    "weighted:  precision {}  recall {}  F1 {}",
                    figure(w.precision()),
                    figure(w.recall()),
                    figure(w.f1())
                )?;
                if let Some(i) = &p.intervals {
                    let show = |x: Option<(f64, f64)>| {
                        x.map_or_else(|| "-".into(), |(lo, hi)| format!("[{lo:.3}, {hi:.3}]"))
                    };
                    write!(
                        out,
                        "  (95% bootstrap: precision {}, recall {})",
                        show(i.precision),
                        show(i.recall)
                    )?;
                }
                writeln!(out)?;
            }
            writeln!(
                out,
                "{:<28} {:>5} {:>4} {:>4} {:>4} {:>4}  {:>9} {:>6}",
                "bin", "pairs", "tp", "fp", "fn", "tn", "precision", "recall"
            )?;
            for (bin, c) in &e.bins {
                let n = c.tp + c.fp + c.fn_ + c.tn;
                writeln!(
                    out,
                    "{bin:<28} {n:>5} {:>4} {:>4} {:>4} {:>4}  {:>9} {:>6}",
                    c.tp,
                    c.fp,
                    c.fn_,
                    c.tn,
                    figure(c.precision()),
                    figure(c.recall())
                )?;
            }
        }
        if let Some(t) = &self.truth {
            writeln!(
                out,
                "against the reference clustering (all pairs): precision {}  recall {}  F1 {}  adjusted Rand {}",
                figure(t.precision),
                figure(t.recall),
                figure(t.f1),
                figure(t.adjusted_rand)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::csv_records;

    #[test]
    fn csv_records_unquote_and_keep_line_breaks_inside_quotes() {
        let records = csv_records(
            "id,cluster\na,b,0.5,\r\n\"x,y\",\"say \"\"hi\"\"\",c\n\"two\nlines\",z\nlast,q",
        );
        let fields: Vec<Vec<&str>> =
            records.iter().map(|(_, f)| f.iter().map(String::as_str).collect()).collect();
        assert_eq!(
            fields,
            [
                vec!["id", "cluster"],
                vec!["a", "b", "0.5", ""],
                vec!["x,y", r#"say "hi""#, "c"],
                vec!["two\nlines", "z"],
                vec!["last", "q"],
            ]
        );
        let lines: Vec<usize> = records.iter().map(|&(l, _)| l).collect();
        assert_eq!(lines, [1, 2, 3, 4, 6]);
    }
}
