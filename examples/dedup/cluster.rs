//! `dedup [OPTIONS] <INPUT>...`: clusters of copies.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, ValueEnum};
use nuskha::{ClusterMode, Clusters, Deduplicator, ShingleUnit};

use crate::input::Inputs;

/// Options of the main job.
#[derive(Args, Debug)]
pub struct ClusterArgs {
    /// Articles: `.txt`/`.md` files, or folders searched recursively in sorted order.
    #[arg(required = true)]
    pub inputs: Vec<std::path::PathBuf>,
    /// Jaccard similarity (0–1] at or above which two articles are copies. Higher
    /// finds fewer, closer copies; lower finds more, looser ones.
    #[arg(long, default_value_t = nuskha::dedup::DEFAULT_THRESHOLD)]
    pub threshold: f64,
    /// What is compared: `words:N` (N-word shingles) or `chars:N`.
    #[arg(long, default_value = "words:5", value_parser = crate::parse_shingles)]
    pub shingle: (ShingleUnit, usize),
    /// Also count as a copy an article whose shingles lie at least this much (0–1]
    /// inside a longer one, e.g. a wire item inside a round-up; `off` to disable.
    #[arg(long, default_value = "0.8", value_parser = parse_containment)]
    pub containment: Containment,
    /// `star`: every member matches its cluster's first article (no chaining);
    /// `components`: any chain of matches is one cluster.
    #[arg(long, value_enum, default_value_t = Mode::Star)]
    pub mode: Mode,
    /// Output format (default: text on a terminal, csv otherwise).
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// Cluster modes on the command line.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// No chaining.
    Star,
    /// Connected components.
    Components,
}

/// Output formats of the main job.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// A readable report.
    Text,
    /// `id,cluster`, one row per article.
    Csv,
    /// One JSON object: parameters and clusters with members and scores.
    Json,
}

/// `--containment`: a threshold, or off.
#[derive(Clone, Copy, Debug)]
pub struct Containment(pub Option<f64>);

/// Parses `--containment`: a number, or `off`.
fn parse_containment(s: &str) -> Result<Containment, String> {
    if s.eq_ignore_ascii_case("off") {
        return Ok(Containment(None));
    }
    s.parse().map(|c| Containment(Some(c))).map_err(|_| format!("`{s}` is not a number or `off`"))
}

/// Quotes a CSV field when it needs it.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

pub fn run(args: &ClusterArgs) -> io::Result<ExitCode> {
    let start = Instant::now();
    let mut builder = Deduplicator::builder();
    builder
        .threshold(args.threshold)
        .shingles(args.shingle.0, args.shingle.1)
        .containment(args.containment.0)
        .mode(match args.mode {
            Mode::Star => ClusterMode::Star,
            Mode::Components => ClusterMode::Components,
        });
    let dedup = match builder.build() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("dedup: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let inputs = Inputs::read(&args.inputs);
    let texts: Vec<&str> = inputs.articles.iter().map(|a| a.text.as_str()).collect();
    let clusters = dedup.par_cluster(&texts);
    let format = args.format.unwrap_or(if io::stdout().is_terminal() {
        OutputFormat::Text
    } else {
        OutputFormat::Csv
    });
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        OutputFormat::Csv => write_csv(&mut out, &inputs, &clusters)?,
        OutputFormat::Json => write_json(&mut out, &inputs, &clusters, &dedup)?,
        OutputFormat::Text => write_text(&mut out, &inputs, &clusters)?,
    }
    out.flush()?;
    let copies: usize = clusters.copies().map(|c| c.len() - 1).sum();
    eprintln!(
        "dedup: {} articles read, {} skipped, {} ignored; {} clusters of copies, {copies} copies; {:.2} s",
        inputs.articles.len(),
        inputs.skipped.len(),
        inputs.ignored,
        clusters.copies().count(),
        start.elapsed().as_secs_f64()
    );
    Ok(if inputs.skipped.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(3) })
}

fn write_csv(out: &mut impl Write, inputs: &Inputs, clusters: &Clusters) -> io::Result<()> {
    writeln!(out, "id,cluster")?;
    for (i, a) in inputs.articles.iter().enumerate() {
        let rep = clusters.representative_of(nuskha::DocId(i as u32));
        writeln!(out, "{},{}", csv_field(&a.id), csv_field(&inputs.articles[rep.index()].id))?;
    }
    Ok(())
}

fn write_json(
    out: &mut impl Write,
    inputs: &Inputs,
    clusters: &Clusters,
    dedup: &Deduplicator,
) -> io::Result<()> {
    let id = |d: nuskha::DocId| inputs.articles[d.index()].id.as_str();
    let list: Vec<serde_json::Value> = clusters
        .iter()
        .map(|c| {
            serde_json::json!({
                "representative": id(c.representative()),
                "size": c.len(),
                "members": c.members().iter().map(|m| serde_json::json!({
                    "id": id(m.id), "score": m.score, "matched": id(m.matched),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let params = dedup.sketcher().params();
    let v = serde_json::json!({
        "parameters": {
            "threshold": dedup.threshold(),
            "containment": dedup.containment(),
            "shingles": params.shingling().map(|s| s.to_string()),
            "num_perm": params.num_perm(),
            "seed": params.seed(),
            "bands": dedup.lsh_params().bands(),
            "rows": dedup.lsh_params().rows(),
            "mode": format!("{:?}", dedup.mode()).to_lowercase(),
            "normalizer": params.profile(),
        },
        "articles": inputs.articles.len(),
        "skipped": inputs.skipped.iter().map(|(p, r)| serde_json::json!({"path": p, "reason": r})).collect::<Vec<_>>(),
        "clusters_with_copies": clusters.copies().count(),
        "clusters": list,
    });
    writeln!(out, "{v}")
}

fn write_text(out: &mut impl Write, inputs: &Inputs, clusters: &Clusters) -> io::Result<()> {
    let id = |d: nuskha::DocId| inputs.articles[d.index()].id.as_str();
    for (n, c) in clusters.copies().enumerate() {
        writeln!(
            out,
            "cluster {} ({} articles), representative: {}",
            n + 1,
            c.len(),
            id(c.representative())
        )?;
        for m in c.members() {
            if m.id == c.representative() {
                writeln!(out, "  * {}", id(m.id))?;
            } else {
                writeln!(
                    out,
                    "  - {}  (similarity {:.2} to {})",
                    id(m.id),
                    m.score,
                    id(m.matched)
                )?;
            }
        }
    }
    let singles = clusters.iter().filter(|c| c.len() == 1).count();
    writeln!(out, "{singles} articles have no copy")
}
