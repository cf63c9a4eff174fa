//! `dedup [OPTIONS] <INPUT>...`: clusters of copies.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nuskha::{Batch, Clusters, Deduplicator, DocId, Representative};

use crate::args::{
    ClusterArgs, EXIT_FAILED, EXIT_SKIPPED, EXIT_USAGE, Emit, OutputFormat, RepresentativeArg,
};
use crate::input::{Inputs, JsonlFields, ReadOptions};
use crate::report::{Report, unique, write_atomically};

fn deduplicator(args: &ClusterArgs) -> Result<Deduplicator, String> {
    let mut b = args.matching.builder().map_err(|e| e.to_string())?;
    let c = &args.clustering;
    b.mode(c.mode(&args.matching)).link_density(c.link_density).representative(
        match c.representative {
            RepresentativeArg::Longest => Representative::Longest,
            // The earliest is chosen from the dates once the clusters are formed.
            RepresentativeArg::First | RepresentativeArg::Earliest => Representative::First,
        },
    );
    if c.no_source_boilerplate {
        b.source_boilerplate(None);
    }
    b.build().map_err(|e| e.to_string())
}

/// Reads every input into `batch`, showing progress by bytes read.
fn read_inputs(
    args: &ClusterArgs,
    batch: &mut Batch,
    progress: &Progress,
    parallel: bool,
    keep_meta: bool,
) -> Inputs {
    let bar = &progress.bar;
    bar.set_message("reading");
    let on_read = |bytes| {
        bar.inc(bytes);
        progress.tick(false);
    };
    // Bytes as they are read; a share of the whole and the time left when the inputs are
    // files whose sizes are known.
    if let Some(total) = crate::input::total_size(&args.inputs) {
        bar.set_length(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg} {bytes}/{total_bytes} ({percent}%), {elapsed}, about {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
    }
    let mut opts = ReadOptions {
        fields: JsonlFields {
            sources: batch.deduplicator().source_boilerplate().is_some(),
            ..args.fields.jsonl(keep_meta)
        },
        max_file_size: args.max_file_size,
        read_block: args.read_block.max(1),
        parallel,
        verbose: args.verbose,
        on_read: &on_read,
        batch,
        // Both read articles again after clustering.
        keep_stdin: args.emit == Emit::Unique || args.format == Some(OutputFormat::Html),
        stripe: None,
    };
    let inputs = Inputs::read(&args.inputs, &mut opts);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    inputs
}

/// Writes the report (or, with `--emit unique`, the deduplicated corpus; with `--emit
/// pairs`, the verified pairs) to the output.
fn write_output(args: &ClusterArgs, report: &Report, format: OutputFormat) -> io::Result<()> {
    let kept = (args.emit == Emit::Unique)
        .then(|| unique::kept(report.clusters, report.inputs.articles.len()));
    let write = |out: &mut dyn Write| match (&kept, args.emit) {
        (Some(ids), _) => unique::write(out, report.inputs, ids),
        (None, Emit::Pairs) => report.write_pairs(out, format),
        (None, _) => report.write(out, format),
    };
    match &args.output {
        Some(path) => write_atomically(path, write),
        None => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            write(&mut out).and_then(|()| out.flush())
        }
    }
}

/// Makes the earliest-dated member each cluster's representative, and says how many
/// dates could not be read.
fn choose_earliest(clusters: &mut Clusters, inputs: &Inputs) {
    let (dates, unreadable) = inputs.dates();
    if unreadable > 0 {
        eprintln!(
            "dedup: warning: {unreadable} dates are not ISO 8601, RFC 2822 or Unix seconds; those articles count as undated"
        );
    }
    crate::date::choose_earliest(clusters, &dates);
}

/// A progress display on stderr, only for a person watching a terminal, and only once
/// the run has lasted more than a moment: it starts hidden and [`Progress::tick`]
/// reveals it.
#[derive(Clone)]
struct Progress {
    bar: ProgressBar,
    enabled: bool,
    start: Instant,
    /// How long the run may last before the display appears (0.8 s unless the tests
    /// say otherwise).
    moment: Duration,
}

impl Progress {
    fn new(quiet: bool, moment: Duration) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {bytes} read, {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        let enabled = !quiet && io::stderr().is_terminal();
        Progress { bar, enabled, start: Instant::now(), moment }
    }

    /// Shows the display when the run has lasted long enough, or when `long_ahead` says
    /// that what comes next will.
    fn tick(&self, long_ahead: bool) {
        if self.enabled
            && self.bar.is_hidden()
            && (long_ahead || self.start.elapsed() > self.moment)
        {
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
    let format = match (args.emit, args.format) {
        (Emit::Pairs, None | Some(OutputFormat::Csv)) => OutputFormat::Csv,
        (Emit::Pairs, Some(OutputFormat::Jsonl)) => OutputFormat::Jsonl,
        (Emit::Pairs, Some(_)) => {
            eprintln!("dedup: `--emit pairs` writes `--format csv` or `--format jsonl`");
            return ExitCode::from(EXIT_USAGE);
        }
        (_, Some(format)) => format,
        (_, None) if args.output.is_none() && io::stdout().is_terminal() => OutputFormat::Text,
        (_, None) => OutputFormat::Csv,
    };
    let progress = Progress::new(args.quiet, Duration::from_millis(args.progress_after_ms));
    // Articles are shingled as they are read; only the shingle fingerprints are kept.
    let mut batch = dedup.batch();
    // On one thread the work stays on this one: rayon's single worker would allocate
    // every shingle set in a second malloc arena, which glibc grows a page at a time
    // (4,400 `mprotect` calls on SaudiNewsNet; the run is 10% faster without them).
    let serial = rayon::current_num_threads() == 1;
    let keep_meta = (matches!(format, OutputFormat::Text | OutputFormat::Html)
        && args.emit == Emit::Clusters)
        || args.clustering.representative == RepresentativeArg::Earliest;
    let mut inputs = read_inputs(args, &mut batch, &progress, !serial, keep_meta);
    inputs.warn_truncated(&batch);
    progress.bar.set_message(format!("clustering {} articles,", inputs.articles.len()));
    // Some 20,000 articles take more than a moment to cluster on one core.
    progress.tick(inputs.articles.len() > 20_000);
    let short: Vec<bool> = (0..batch.len()).map(|i| batch.too_short(DocId(i as u32))).collect();
    // The verified pairs come with the clusters at no cost; `--emit pairs` writes them.
    let (mut clusters, pairs) =
        if serial { batch.cluster_with_pairs() } else { batch.par_cluster_with_pairs() };
    if args.clustering.representative == RepresentativeArg::Earliest {
        choose_earliest(&mut clusters, &inputs);
    }
    progress.bar.finish_and_clear();

    let report = Report {
        inputs: &inputs,
        clusters: &clusters,
        pairs: &pairs,
        dedup: &dedup,
        fields: Some(&args.fields),
        singletons: args.singletons,
        short,
        parallel: !serial,
    };
    let written = write_output(args, &report, format);
    if let Some(path) = &inputs.kept_stdin {
        let _ = std::fs::remove_file(path);
    }
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
