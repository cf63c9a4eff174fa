//! `dedup [OPTIONS] <INPUT>...`: clusters of copies.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nuskha::{Algorithm, ClusterMode, Clusters, Deduplicator, DocId, ShingleUnit};

use crate::input::{Inputs, JsonlFields, ReadOptions};

/// Exit code when some inputs were skipped (everything readable was clustered).
pub const EXIT_SKIPPED: u8 = 3;
/// Exit code for usage errors (bad options), as clap uses.
pub const EXIT_USAGE: u8 = 2;
/// Exit code when the output cannot be written.
pub const EXIT_FAILED: u8 = 1;

/// Options of the main job.
#[derive(Args, Debug)]
pub struct ClusterArgs {
    /// Articles to read: `.txt`/`.md` files (one article each), `.jsonl`/`.ndjson`
    /// files, also gzipped (one article per line), folders (searched recursively, in
    /// sorted order), or `-` for JSON Lines on standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// How similar two articles must be to count as copies: the share of their
    /// 5-word phrases they have in common (Jaccard, 0–1]. Higher finds fewer, closer
    /// copies; lower finds more loosely rewritten ones.
    #[arg(long, default_value_t = nuskha::dedup::DEFAULT_THRESHOLD, help_heading = "Matching")]
    pub threshold: f64,

    /// Also count as a copy a shorter article whose phrases lie at least this much
    /// (0–1] inside a longer one — a wire item inside a round-up. `off` disables it.
    #[arg(long, default_value = "0.8", value_parser = parse_containment, help_heading = "Matching")]
    pub containment: Containment,

    /// What is compared: `words:N` (N-word phrases) or `chars:N` (N-character pieces).
    #[arg(long, default_value = "words:5", value_parser = crate::parse_shingles, help_heading = "Matching")]
    pub shingle: (ShingleUnit, usize),

    /// How candidates are found: `minhash` (Jaccard, the default) or `simhash`
    /// (fingerprints at most --max-distance bits apart: only near-identical copies).
    #[arg(long, value_enum, default_value_t = AlgorithmArg::Minhash, help_heading = "Matching")]
    pub algorithm: AlgorithmArg,

    /// With `--algorithm simhash`: the most bits (0–7) two copies' fingerprints may differ in.
    #[arg(long, default_value_t = 3, help_heading = "Matching")]
    pub max_distance: u32,

    /// `star`: every member matches its cluster's first article, so a chain A~B~C never
    /// merges A with C; `components`: every chain of matches is one cluster.
    #[arg(long, value_enum, default_value_t = Mode::Star, help_heading = "Matching")]
    pub mode: Mode,

    /// Articles with fewer words than this are reported but not clustered (bylines,
    /// captions, empty stubs).
    #[arg(long, default_value_t = nuskha::dedup::DEFAULT_MIN_WORDS, value_name = "WORDS", help_heading = "Matching")]
    pub min_length: usize,

    /// MinHash slots per article: more is more precise and slower.
    #[arg(long, default_value_t = nuskha::DEFAULT_NUM_PERM, help_heading = "Matching")]
    pub num_perm: usize,

    /// Seed of every hash; the same seed gives the same result on every machine.
    #[arg(long, default_value_t = nuskha::DEFAULT_SEED, help_heading = "Matching")]
    pub seed: u64,

    /// JSONL field holding the article id.
    #[arg(long, default_value = "id", help_heading = "Input")]
    pub id_field: String,

    /// JSONL field holding the article text.
    #[arg(long, default_value = "text", help_heading = "Input")]
    pub text_field: String,

    /// JSONL field holding the title, compared together with the text.
    #[arg(long, default_value = "title", help_heading = "Input")]
    pub title_field: String,

    /// Compare the text alone, without the JSONL title.
    #[arg(long, help_heading = "Input")]
    pub no_title: bool,

    /// Skip files larger than this many bytes.
    #[arg(long, default_value_t = 1 << 30, value_name = "BYTES", help_heading = "Input")]
    pub max_file_size: u64,

    /// Bytes of JSON Lines read at a time (tests use small blocks so that lines cross
    /// block ends).
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES", hide = true)]
    pub read_block: usize,

    /// Output format (default: `text` on a terminal, `csv` otherwise).
    #[arg(long, value_enum, help_heading = "Output")]
    pub format: Option<OutputFormat>,

    /// Write the output to FILE (atomically: a failed run leaves no half-written file).
    #[arg(long, short, value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,

    /// No progress bar and no summary on standard error (warnings still show).
    #[arg(long, short, help_heading = "Output")]
    pub quiet: bool,

    /// Worker threads (default: one per core).
    #[arg(long, help_heading = "Output")]
    pub threads: Option<usize>,
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

/// Cluster modes on the command line.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// No chaining.
    Star,
    /// Connected components.
    Components,
}

/// Candidate algorithms on the command line.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlgorithmArg {
    /// MinHash and LSH bands, verified by Jaccard and containment.
    Minhash,
    /// 64-bit SimHash fingerprints within --max-distance bits.
    Simhash,
}

/// Output formats of the main job.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// A readable report: each cluster with its representative and members.
    Text,
    /// `id,cluster,similarity,note`: one row per article, singletons included.
    Csv,
    /// One JSON object: parameters, counts, and every cluster with scores.
    Json,
    /// One JSON object per line, one line per cluster.
    Jsonl,
}

/// Quotes a CSV field when it needs it.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn deduplicator(args: &ClusterArgs) -> Result<Deduplicator, String> {
    let mut b = Deduplicator::builder();
    b.threshold(args.threshold)
        .containment(args.containment.0)
        .shingles(args.shingle.0, args.shingle.1)
        .num_perm(args.num_perm)
        .seed(args.seed)
        .min_words(args.min_length)
        .mode(match args.mode {
            Mode::Star => ClusterMode::Star,
            Mode::Components => ClusterMode::Components,
        });
    if args.algorithm == AlgorithmArg::Simhash {
        b.algorithm(Algorithm::SimHash { max_distance: args.max_distance });
    }
    b.build().map_err(|e| e.to_string())
}

/// A progress bar on stderr, only for a person watching a terminal.
/// A progress display on stderr, only for a person watching a terminal, and only once
/// the run has lasted more than a moment: it starts hidden and [`Progress::tick`]
/// reveals it.
#[derive(Clone)]
struct Progress {
    bar: ProgressBar,
    enabled: bool,
    start: Instant,
}

/// How long a run may last before the progress display appears.
const MOMENT: Duration = Duration::from_millis(800);

impl Progress {
    fn new(quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {bytes} read, {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        Progress { bar, enabled: !quiet && io::stderr().is_terminal(), start: Instant::now() }
    }

    /// Shows the display when the run has lasted long enough, or when `long_ahead` says
    /// that what comes next will.
    fn tick(&self, long_ahead: bool) {
        if self.enabled && self.bar.is_hidden() && (long_ahead || self.start.elapsed() > MOMENT) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(120));
        }
    }
}

pub fn run(args: &ClusterArgs) -> ExitCode {
    let start = Instant::now();
    let dedup = match deduplicator(args) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("dedup: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if let Some(n) = args.threads {
        if n == 0 || rayon::ThreadPoolBuilder::new().num_threads(n).build_global().is_err() {
            eprintln!("dedup: invalid parameter `threads`: must be at least 1");
            return ExitCode::from(EXIT_USAGE);
        }
    }
    let progress = Progress::new(args.quiet);
    let bar = progress.bar.clone();
    bar.set_message("reading");
    let on_file = progress.clone();
    // Articles are shingled as they are read; only the shingle fingerprints are kept.
    let mut batch = dedup.batch();
    // On one thread the work stays on this one: rayon's single worker would allocate
    // every shingle set in a second malloc arena, which glibc grows a page at a time
    // (4,400 `mprotect` calls on SaudiNewsNet; the run is 10% faster without them).
    let serial = rayon::current_num_threads() == 1;
    let mut opts = ReadOptions {
        fields: JsonlFields {
            id: args.id_field.clone(),
            text: args.text_field.clone(),
            title: args.title_field.clone(),
            no_title: args.no_title,
        },
        max_file_size: args.max_file_size,
        read_block: args.read_block.max(1),
        parallel: !serial,
        on_file: Box::new(move |bytes| {
            on_file.bar.inc(bytes);
            on_file.tick(false);
        }),
        batch: &mut batch,
    };
    let inputs = Inputs::read(&args.inputs, &mut opts);
    drop(opts);
    bar.set_message(format!("clustering {} articles,", inputs.articles.len()));
    // Some 20,000 articles take more than a moment to cluster on one core.
    progress.tick(inputs.articles.len() > 20_000);
    let short: Vec<bool> = (0..batch.len()).map(|i| batch.too_short(DocId(i as u32))).collect();
    let clusters = if serial { batch.cluster() } else { batch.par_cluster() };
    bar.finish_and_clear();

    let format = args.format.unwrap_or(if args.output.is_none() && io::stdout().is_terminal() {
        OutputFormat::Text
    } else {
        OutputFormat::Csv
    });
    let report = Report {
        inputs: &inputs,
        clusters: &clusters,
        dedup: &dedup,
        args,
        short,
        parallel: !serial,
    };
    let written = match &args.output {
        Some(path) => write_atomically(path, |out| report.write(out, format)),
        None => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            report.write(&mut out, format).and_then(|()| out.flush())
        }
    };
    if let Err(e) = written {
        if e.kind() == io::ErrorKind::BrokenPipe {
            return ExitCode::SUCCESS;
        }
        let target =
            args.output.as_ref().map_or("standard output".into(), |p| p.display().to_string());
        eprintln!("dedup: error: cannot write {target}: {e}");
        return ExitCode::from(EXIT_FAILED);
    }
    if !args.quiet {
        report.summary(start.elapsed());
    }
    let code =
        if inputs.skipped.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_SKIPPED) };
    // The process ends here and its memory goes back with it, not an article at a time
    // (100,000 articles: 11 ms of frees).
    std::mem::forget(report);
    std::mem::forget(clusters);
    std::mem::forget(inputs);
    code
}

/// Writes through a temporary file in the same folder, renamed into place on success.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("output");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        let mut out = io::BufWriter::new(file);
        write(&mut out)?;
        out.flush()?;
        out.get_ref().sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// One cluster as JSON, written straight from the clusters (fields in the order the
/// output has always had: alphabetical).
#[derive(serde::Serialize)]
struct ClusterJson<'a> {
    members: MembersJson<'a>,
    representative: &'a str,
    size: usize,
}

/// A cluster's members, serialised as they are read (no list of them is built: at
/// 100,000 articles that was as many allocations as clusters).
struct MembersJson<'a> {
    report: &'a Report<'a>,
    cluster: &'a nuskha::Cluster,
}

impl serde::Serialize for MembersJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.cluster.members().iter().map(|m| MemberJson {
            id: self.report.id(m.id),
            matched: self.report.id(m.matched),
            similarity: m.score,
        }))
    }
}

#[derive(serde::Serialize)]
struct MemberJson<'a> {
    id: &'a str,
    matched: &'a str,
    similarity: f64,
}

struct Report<'a> {
    inputs: &'a Inputs,
    clusters: &'a Clusters,
    dedup: &'a Deduplicator,
    args: &'a ClusterArgs,
    /// Articles too short to be clustered.
    short: Vec<bool>,
    /// Format the output on all cores.
    parallel: bool,
}

impl Report<'_> {
    fn id(&self, d: DocId) -> &str {
        &self.inputs.articles[d.index()].id
    }

    fn too_short(&self, d: DocId) -> bool {
        self.short[d.index()]
    }

    fn write(&self, out: &mut dyn Write, format: OutputFormat) -> io::Result<()> {
        match format {
            OutputFormat::Csv => self.csv(out),
            OutputFormat::Json => {
                let v = self.json();
                writeln!(out, "{v}")
            }
            OutputFormat::Jsonl => {
                let clusters = self.clusters.iter().as_slice();
                self.write_each(out, clusters.len(), |out, i| {
                    serde_json::to_writer(&mut *out, &self.cluster_json(&clusters[i]))?;
                    out.write_all(b"\n")
                })
            }
            OutputFormat::Text => self.text(out),
        }
    }

    /// Writes `write_one(out, i)` for `i` in `0..n`, in order. On all cores, pieces of
    /// the output are formatted a window at a time and written as they are done, so it
    /// is never all in memory (on SaudiNewsNet's 13,000 clusters, 5 ms on one core).
    fn write_each(
        &self,
        out: &mut dyn Write,
        n: usize,
        write_one: impl Fn(&mut dyn Write, usize) -> io::Result<()> + Sync,
    ) -> io::Result<()> {
        use rayon::prelude::*;
        const PIECE: usize = 512;
        const WINDOW: usize = 32 * PIECE;
        if !self.parallel {
            return (0..n).try_for_each(|i| write_one(out, i));
        }
        for start in (0..n).step_by(WINDOW) {
            let window = start..n.min(start + WINDOW);
            let pieces: Vec<io::Result<Vec<u8>>> = window
                .step_by(PIECE)
                .collect::<Vec<usize>>()
                .into_par_iter()
                .map(|from| {
                    let mut piece = Vec::new();
                    for i in from..n.min(from + PIECE) {
                        write_one(&mut piece, i)?;
                    }
                    Ok(piece)
                })
                .collect();
            for piece in pieces {
                out.write_all(&piece?)?;
            }
        }
        Ok(())
    }

    fn csv(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "id,cluster,similarity,note")?;
        let articles = &self.inputs.articles;
        self.write_each(out, articles.len(), |out, i| {
            let a = &articles[i];
            let id = DocId(i as u32);
            let c = self.clusters.cluster_of(id);
            let m = c.members().iter().find(|m| m.id == id).copied();
            let note = if c.len() > 1 {
                if c.representative() == id { "representative" } else { "copy" }
            } else if self.too_short(id) {
                "too short"
            } else {
                ""
            };
            writeln!(
                out,
                "{},{},{:.3},{note}",
                csv_field(&a.id),
                csv_field(self.id(c.representative())),
                m.map_or(1.0, |m| m.score)
            )
        })
    }

    fn cluster_json<'s>(&'s self, c: &'s nuskha::Cluster) -> ClusterJson<'s> {
        ClusterJson {
            members: MembersJson { report: self, cluster: c },
            representative: self.id(c.representative()),
            size: c.len(),
        }
    }

    fn json(&self) -> serde_json::Value {
        let params = self.dedup.sketcher().params();
        let skipped: Vec<_> = self
            .inputs
            .skipped
            .iter()
            .map(|(p, r)| serde_json::json!({"input": p, "reason": r.label()}))
            .collect();
        serde_json::json!({
            "parameters": {
                "threshold": self.dedup.threshold(),
                "containment": self.dedup.containment(),
                "algorithm": format!("{:?}", self.args.algorithm).to_lowercase(),
                "shingles": params.shingling().map(|s| s.to_string()),
                "num_perm": params.num_perm(),
                "seed": params.seed(),
                "bands": self.dedup.lsh_params().bands(),
                "rows": self.dedup.lsh_params().rows(),
                "mode": format!("{:?}", self.dedup.mode()).to_lowercase(),
                "min_length": self.args.min_length,
                "normalizer": params.profile(),
            },
            "counts": {
                "articles": self.inputs.articles.len(),
                "skipped": self.inputs.skipped.len(),
                "ignored": self.inputs.ignored,
                "clusters": self.clusters.len(),
                "clusters_with_copies": self.clusters.copies().count(),
                "copies": self.copies(),
            },
            "skipped": skipped,
            "clusters": self.clusters.iter().map(|c| self.cluster_json(c)).collect::<Vec<_>>(),
        })
    }

    fn copies(&self) -> usize {
        self.clusters.copies().map(|c| c.len() - 1).sum()
    }

    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        for (n, c) in self.clusters.copies().enumerate() {
            writeln!(
                out,
                "cluster {} ({} articles), representative: {}",
                n + 1,
                c.len(),
                self.id(c.representative())
            )?;
            for m in c.members() {
                if m.id == c.representative() {
                    writeln!(out, "  * {}", self.id(m.id))?;
                } else {
                    writeln!(
                        out,
                        "  - {}  (similarity {:.2} to {})",
                        self.id(m.id),
                        m.score,
                        self.id(m.matched)
                    )?;
                }
            }
        }
        let singles: Vec<DocId> = self
            .clusters
            .iter()
            .filter(|c| c.len() == 1)
            .map(nuskha::Cluster::representative)
            .collect();
        let short = singles.iter().filter(|&&d| self.too_short(d)).count();
        writeln!(
            out,
            "{} articles have no copy ({short} of them too short to compare)",
            singles.len()
        )
    }

    fn summary(&self, elapsed: Duration) {
        let skipped = self.inputs.skipped_by_reason();
        let reasons: Vec<String> =
            skipped.iter().map(|(r, n)| format!("{n} {}", r.label())).collect();
        let skipped = if reasons.is_empty() {
            "0 skipped".to_string()
        } else {
            format!("skipped: {}", reasons.join(", "))
        };
        eprintln!(
            "dedup: {} articles read; {skipped}; {} ignored (hidden or not an article); {} clusters of copies, {} copies; {:.2} s",
            self.inputs.articles.len(),
            self.inputs.ignored,
            self.clusters.copies().count(),
            self.copies(),
            elapsed.as_secs_f64()
        );
    }
}
