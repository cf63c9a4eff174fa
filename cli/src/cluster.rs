//! `dedup [OPTIONS] <INPUT>...`: clusters of copies.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nuskha::{Algorithm, ClusterMode, Deduplicator, DocId};

use crate::args::{
    AlgorithmArg, ClusterArgs, EXIT_FAILED, EXIT_SKIPPED, EXIT_USAGE, Mode, OutputFormat,
};
use crate::input::{Inputs, JsonlFields, ReadOptions};
use crate::report::{Report, write_atomically};

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
    let on_read = progress.clone();
    let on_read = move |bytes| {
        on_read.bar.inc(bytes);
        on_read.tick(false);
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
            source: args.source_field.clone(),
            date: args.date_field.clone(),
            no_title: args.no_title,
        },
        max_file_size: args.max_file_size,
        read_block: args.read_block.max(1),
        parallel: !serial,
        verbose: args.verbose,
        on_read: &on_read,
        batch: &mut batch,
    };
    let inputs = Inputs::read(&args.inputs, &mut opts);
    drop(opts);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
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
