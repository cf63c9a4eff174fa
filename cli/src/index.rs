//! `dedup index …`: a persistent index of a live feed, in one SQLite file
//! ([`nuskha_store`]). Articles are read as the main command reads them, shingled on
//! all cores, then matched one at a time in input order and committed a batch at a
//! time; what a batch printed is on disk.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::ArgMatches;
use clap::parser::ValueSource;
use nuskha::{Batch, Deduplicator, DocId};
use nuskha_store::{Access, ErrorKind, Meta, NewArticle, Options, Outcome, Store};

use crate::args::{
    EXIT_FAILED, EXIT_SKIPPED, EXIT_USAGE, FeedFormat, FieldArgs, Format, INDEX_OPTIONS,
    IndexAddArgs, IndexCommand, IndexFormat, IndexQueryArgs, OutputFormat,
};
use crate::date::parse_date;
use crate::input::{Article, Inputs, ReadOptions};
use crate::report::Report;

/// Runs one `dedup index` subcommand; `matches` are its arguments as clap parsed them
/// (to tell the options given from their defaults).
pub fn run(command: &IndexCommand, matches: Option<&ArgMatches>) -> ExitCode {
    let result = match command {
        IndexCommand::Add(args) => add(args, matches),
        IndexCommand::Query(args) => query(args),
        IndexCommand::Remove { index, ids } => remove(index, ids),
        IndexCommand::Expire { index, before, keep_days } => {
            expire(index, before.as_deref(), *keep_days)
        }
        IndexCommand::Clusters { index, format, singletons } => {
            clusters(index, *format, *singletons)
        }
        IndexCommand::Stats { index, format } => stats(index, *format),
        IndexCommand::Check { index } => check(index),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Store(e)) => {
            eprintln!("dedup: error: {e}");
            let usage = matches!(e.kind, ErrorKind::OptionsDiffer(_) | ErrorKind::Invalid(_));
            ExitCode::from(if usage { EXIT_USAGE } else { EXIT_FAILED })
        }
        Err(Failure::Usage(why)) => {
            eprintln!("dedup: {why}");
            ExitCode::from(EXIT_USAGE)
        }
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Io(e)) => {
            eprintln!("dedup: error: cannot write standard output: {e}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

/// Why a subcommand stopped.
enum Failure {
    Store(nuskha_store::Error),
    Usage(String),
    Io(io::Error),
}

impl From<nuskha_store::Error> for Failure {
    fn from(e: nuskha_store::Error) -> Self {
        Failure::Store(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

/// The index's options named on the command line.
fn given_options(matches: Option<&ArgMatches>) -> Vec<&'static str> {
    let Some(m) = matches else { return Vec::new() };
    INDEX_OPTIONS
        .iter()
        .filter(|(arg, _)| m.value_source(arg) == Some(ValueSource::CommandLine))
        .map(|&(_, name)| name)
        .collect()
}

/// Reads `paths` as the main command does into a batch of `dedup`, keeping each
/// article's metadata.
fn read<'d>(
    dedup: &'d Deduplicator,
    paths: &[std::path::PathBuf],
    fields: &FieldArgs,
    max_file_size: u64,
    verbose: bool,
) -> (Inputs, Batch<'d>) {
    let mut batch = dedup.batch();
    let mut opts = ReadOptions {
        fields: fields.jsonl(true),
        max_file_size,
        read_block: 1 << 20,
        parallel: rayon::current_num_threads() > 1,
        verbose,
        on_read: &|_| {},
        batch: &mut batch,
        keep_stdin: false,
        stripe: None,
    };
    let mut inputs = Inputs::read(paths, &mut opts);
    inputs.warn_truncated(&batch);
    (inputs, batch)
}

fn meta_of(a: &Article) -> Meta {
    Meta {
        date: a.date().map(str::to_string),
        source: a.source().map(str::to_string),
        title: a.title().map(str::to_string),
    }
}

fn add(args: &IndexAddArgs, matches: Option<&ArgMatches>) -> Result<ExitCode, Failure> {
    if args.batch_size == 0 {
        return Err(Failure::Usage("invalid parameter `batch-size`: must be at least 1".into()));
    }
    let options = args.matching.options(args.mode, args.link_density, args.representative);
    let dedup = options.deduplicator().map_err(|e| Failure::Usage(e.to_string()))?;
    let given = given_options(matches);
    // The sample is learned only for a new index (an existing one keeps its own).
    let learned = if args.learn.is_empty() || args.index.exists() {
        None
    } else {
        let (inputs, batch) =
            read(&dedup, &args.learn, &args.fields, args.max_file_size, args.verbose);
        if !args.quiet {
            eprintln!("dedup: learned from {} articles", inputs.articles.len());
        }
        Some(batch.stats())
    };
    let mut store = Store::open(&args.index, Access::Write, &options, &given, learned.as_ref())?;
    let dedup = store.index().deduplicator().clone();
    let (inputs, batch) =
        read(&dedup, &args.inputs, &args.fields, args.max_file_size, args.verbose);
    let mut out = io::BufWriter::new(io::stdout().lock());
    let (mut added, mut present) = (0usize, 0usize);
    let mut unreadable_dates = 0usize;
    let mut articles = inputs.articles.iter().zip(batch.into_articles()).peekable();
    while articles.peek().is_some() {
        let chunk: Vec<NewArticle> = articles
            .by_ref()
            .take(args.batch_size)
            .map(|(a, article)| {
                let date_unix = a.date().and_then(parse_date);
                unreadable_dates += usize::from(a.date().is_some() && date_unix.is_none());
                NewArticle { id: a.id.clone(), meta: meta_of(a), date_unix, article }
            })
            .collect();
        for outcome in store.add(chunk)? {
            match outcome {
                Outcome::Added(a) => {
                    added += 1;
                    write_added(&mut out, args.format, &a)?;
                }
                Outcome::Present(_) => present += 1,
            }
        }
        // Committed: what is printed is on disk.
        out.flush()?;
    }
    if unreadable_dates > 0 {
        eprintln!(
            "dedup: warning: {unreadable_dates} dates are not ISO 8601, RFC 2822 or Unix seconds; those articles never expire"
        );
    }
    if !args.quiet {
        let clusters = store.index().clusters();
        eprintln!(
            "dedup: {added} articles added, {present} already in the index, {} inputs skipped; {} holds {} articles, {} clusters of copies",
            inputs.skipped.len(),
            args.index.display(),
            store.index().len(),
            clusters.copies().count()
        );
    }
    Ok(if inputs.skipped.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_SKIPPED) })
}

/// One new article's line.
fn write_added(out: &mut impl Write, format: FeedFormat, a: &nuskha::Added) -> io::Result<()> {
    match format {
        FeedFormat::Jsonl => {
            let matches: Vec<_> = a
                .matches
                .iter()
                .map(|(id, m)| serde_json::json!({"id": id, "score": m.score, "kind": m.kind.to_string()}))
                .collect();
            let line = serde_json::json!({
                "id": a.id,
                "cluster": a.representative,
                "new_cluster": a.representative == a.id && a.matches.is_empty(),
                "matches": matches,
            });
            writeln!(out, "{line}")
        }
        FeedFormat::Text => {
            if a.matches.is_empty() {
                return writeln!(out, "{}\tnew", a.id);
            }
            let matched: Vec<String> = a
                .matches
                .iter()
                .map(|(id, m)| format!("{id} ({} {:.3})", m.kind, m.score))
                .collect();
            writeln!(out, "{}\tcluster {}\tmatches {}", a.id, a.representative, matched.join(", "))
        }
    }
}

fn query(args: &IndexQueryArgs) -> Result<ExitCode, Failure> {
    let mut store = Store::open(&args.index, Access::Read, &Options::default(), &[], None)?;
    let dedup = store.index().deduplicator().clone();
    let (inputs, batch) =
        read(&dedup, &args.inputs, &args.fields, args.max_file_size, args.verbose);
    let mut out = io::BufWriter::new(io::stdout().lock());
    for (a, article) in inputs.articles.iter().zip(batch.into_articles()) {
        let found = store.query(article)?;
        match args.format {
            FeedFormat::Jsonl => {
                let matches: Vec<_> = found
                    .iter()
                    .map(|f| {
                        serde_json::json!({"id": f.id, "score": f.matched.score, "kind": f.matched.kind.to_string(), "cluster": f.cluster})
                    })
                    .collect();
                writeln!(out, "{}", serde_json::json!({"id": a.id, "matches": matches}))?;
            }
            FeedFormat::Text if found.is_empty() => writeln!(out, "{}\tno match", a.id)?,
            FeedFormat::Text => {
                let matched: Vec<String> = found
                    .iter()
                    .map(|f| {
                        format!(
                            "{} ({} {:.3}, cluster {})",
                            f.id, f.matched.kind, f.matched.score, f.cluster
                        )
                    })
                    .collect();
                writeln!(out, "{}\tmatches {}", a.id, matched.join(", "))?;
            }
        }
    }
    out.flush()?;
    Ok(if inputs.skipped.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_SKIPPED) })
}

fn open_to_write(index: &Path) -> Result<Store, Failure> {
    if !index.exists() {
        return Err(Failure::Store(nuskha_store::Error {
            path: index.to_path_buf(),
            kind: ErrorKind::Io(io::Error::new(io::ErrorKind::NotFound, "no such index")),
        }));
    }
    Ok(Store::open(index, Access::Write, &Options::default(), &[], None)?)
}

fn remove(index: &Path, ids: &[String]) -> Result<ExitCode, Failure> {
    let mut store = open_to_write(index)?;
    let wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    let removed = store.retain(|id, _| !wanted.contains(id))?;
    let missing: Vec<&str> =
        ids.iter().map(String::as_str).filter(|id| !removed.iter().any(|r| r == id)).collect();
    eprintln!(
        "dedup: removed {} articles; {} holds {}",
        removed.len(),
        index.display(),
        store.index().len()
    );
    if !missing.is_empty() {
        eprintln!("dedup: warning: not in the index: {}", missing.join(", "));
        return Ok(ExitCode::from(EXIT_SKIPPED));
    }
    Ok(ExitCode::SUCCESS)
}

fn expire(index: &Path, before: Option<&str>, keep_days: Option<u64>) -> Result<ExitCode, Failure> {
    let before = match (before, keep_days) {
        (Some(text), _) => parse_date(text)
            .ok_or_else(|| Failure::Usage(format!("invalid parameter `before`: `{text}` is not a date (ISO 8601, RFC 2822 or Unix seconds)")))?,
        (None, Some(days)) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let days = i64::try_from(days).unwrap_or(i64::MAX);
            i64::try_from(now).unwrap_or(i64::MAX).saturating_sub(days.saturating_mul(86_400))
        }
        (None, None) => return Err(Failure::Usage("give --before DATE or --keep-days N".into())),
    };
    let mut store = open_to_write(index)?;
    let undated =
        (0..store.index().len()).filter(|&i| store.index().date(DocId(i as u32)).is_none()).count();
    let removed = store.retain(|_, date| date.is_none_or(|d| d >= before))?;
    eprintln!(
        "dedup: removed {} articles dated before {}; kept {undated} without a date; {} holds {}",
        removed.len(),
        iso_date(before),
        index.display(),
        store.index().len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of Unix seconds.
fn iso_date(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let (y, m, d) = crate::date::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

fn clusters(
    index: &Path,
    format: Option<IndexFormat>,
    singletons: bool,
) -> Result<ExitCode, Failure> {
    let store = Store::open(index, Access::Read, &Options::default(), &[], None)?;
    let feed = store.index();
    let metadata = store.metadata()?;
    let articles = (0..feed.len())
        .map(|i| {
            let m = &metadata[i];
            let meta = crate::input::Meta {
                title: m.title.clone(),
                source: m.source.clone(),
                date: m.date.clone(),
            };
            Article::new(feed.id(DocId(i as u32)).to_string(), meta)
        })
        .collect();
    let inputs = Inputs::of_articles(articles);
    let clusters = feed.clusters();
    let short = (0..feed.len()).map(|i| feed.too_short(DocId(i as u32))).collect();
    let report = Report {
        inputs: &inputs,
        clusters: &clusters,
        // A live index keeps no verified pairs; `dedup index` writes only clusters.
        pairs: &[],
        dedup: feed.deduplicator(),
        fields: None,
        singletons,
        short,
        parallel: false,
    };
    let format = match format {
        Some(IndexFormat::Text) => OutputFormat::Text,
        Some(IndexFormat::Csv) => OutputFormat::Csv,
        Some(IndexFormat::Json) => OutputFormat::Json,
        Some(IndexFormat::Jsonl) => OutputFormat::Jsonl,
        None if io::stdout().is_terminal() => OutputFormat::Text,
        None => OutputFormat::Csv,
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    report.write(&mut out, format)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn stats(index: &Path, format: Format) -> Result<ExitCode, Failure> {
    let store = Store::open(index, Access::Read, &Options::default(), &[], None)?;
    let feed = store.index();
    let clusters = feed.clusters();
    let dates: Vec<i64> = (0..feed.len()).filter_map(|i| feed.date(DocId(i as u32))).collect();
    let (first, last) = (dates.iter().min().copied(), dates.iter().max().copied());
    let copies: usize = clusters.copies().map(|c| c.len() - 1).sum();
    let value = serde_json::json!({
        "articles": feed.len(),
        "clusters": clusters.len(),
        "clusters_with_copies": clusters.copies().count(),
        "copies": copies,
        "undated": feed.len() - dates.len(),
        "first_date": first.map(iso_date),
        "last_date": last.map(iso_date),
        "learned_from": store.learned_docs(),
        "options": serde_json::to_value(store.options()).unwrap_or_default(),
        "format_version": nuskha_store::FORMAT_VERSION,
        "file_bytes": store.file_size(),
    });
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        Format::Json => writeln!(out, "{value}")?,
        Format::Text => {
            writeln!(out, "index        {}", index.display())?;
            writeln!(
                out,
                "articles     {} ({} without a date)",
                feed.len(),
                feed.len() - dates.len()
            )?;
            writeln!(
                out,
                "clusters     {} ({} with copies, {copies} copies)",
                clusters.len(),
                clusters.copies().count()
            )?;
            if let (Some(f), Some(l)) = (first, last) {
                writeln!(out, "dates        {} to {}", iso_date(f), iso_date(l))?;
            }
            writeln!(out, "learned from {} articles", store.learned_docs())?;
            writeln!(out, "options      {}", store.options().to_json())?;
            writeln!(
                out,
                "file         {} bytes, format version {}",
                store.file_size(),
                nuskha_store::FORMAT_VERSION
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn check(index: &Path) -> Result<ExitCode, Failure> {
    let store = Store::open(index, Access::Read, &Options::default(), &[], None)?;
    let problems = store.check()?;
    if problems.is_empty() {
        println!("{}: ok ({} articles)", index.display(), store.index().len());
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        eprintln!("dedup: {}: {p}", index.display());
    }
    Ok(ExitCode::from(EXIT_FAILED))
}
