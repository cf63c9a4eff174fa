//! `dedup`: the command-line face of nuskha.
//!
//! The binary `dedup` (and the workspace's example of the same name) is [`main`]; this
//! library holds the command so that both run the same code.
//!
//! ```text
//! dedup [OPTIONS] <INPUT>...  clusters of copies among the articles
//! dedup normalize [FILE]...   print each line as the matcher sees it
//! dedup compare A B           every similarity between two articles, and what they share
//! ```

mod cluster;
mod compare;
mod input;
mod normalize;

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use nuskha::{ShingleUnit, Sketcher};

/// Find near-duplicate news articles (Arabic first) and group them into clusters.
///
/// Reads articles from files, folders or JSON Lines and prints which of them are copies
/// of one story — the same report republished, lightly edited, by several outlets.
#[derive(Parser, Debug)]
#[command(name = "dedup", version, about, long_about)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
#[command(after_help = "Examples:
  dedup examples/articles                      cluster a folder, report on the terminal
  dedup news.jsonl.gz --format csv -o out.csv  one row per article: id,cluster,...
  zcat feed.jsonl.gz | dedup - --text-field body --threshold 0.6

Exit codes: 0 everything read; 3 some inputs skipped (see the warnings); 2 bad options;
1 the output could not be written.")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    cluster: cluster::ClusterArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print each input line normalised, exactly as the matcher sees it.
    ///
    /// Reads the FILEs in order (standard input when none is given) and writes one
    /// output line per input line; an empty line stays empty. Invalid UTF-8 is decoded
    /// with replacement characters and reported on stderr.
    ///
    /// Example: printf 'كَتَبَ\n' | dedup normalize
    Normalize {
        /// Files to read; none means standard input.
        files: Vec<PathBuf>,
    },
    /// Compare two articles: exact and estimated Jaccard, containment both ways,
    /// SimHash distance, and the longest passages they share.
    ///
    /// Example: dedup compare examples/articles/barlamane-hajj.txt examples/articles/belwadeh-hajj.txt
    Compare {
        /// The first article.
        a: PathBuf,
        /// The second article.
        b: PathBuf,
        /// Shingles to compare: `words:N` or `chars:N`.
        #[arg(long, default_value = "words:5", value_parser = parse_shingles)]
        shingle: (ShingleUnit, usize),
        /// How many shared passages to show.
        #[arg(long, default_value_t = 3)]
        passages: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// Output formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// A readable report.
    Text,
    /// One JSON object.
    Json,
}

/// Parses `words:N` / `chars:N`.
fn parse_shingles(s: &str) -> Result<(ShingleUnit, usize), String> {
    let (unit, n) = s.split_once(':').ok_or("expected words:N or chars:N, e.g. words:5")?;
    let unit = match unit {
        "words" | "word" | "w" => ShingleUnit::Words,
        "chars" | "char" | "c" => ShingleUnit::Chars,
        other => return Err(format!("unknown shingle unit `{other}` (use words or chars)")),
    };
    let n: usize = n.parse().map_err(|_| format!("`{n}` is not a number"))?;
    if !(1..=nuskha::shingle::MAX_SHINGLE_SIZE).contains(&n) {
        return Err(format!("size must be 1..={}", nuskha::shingle::MAX_SHINGLE_SIZE));
    }
    Ok((unit, n))
}

/// A sketcher for the chosen shingles.
fn sketcher(shingle: (ShingleUnit, usize)) -> Result<Sketcher, String> {
    Sketcher::builder().shingles(shingle.0, shingle.1).build().map_err(|e| e.to_string())
}

/// Runs `dedup` on the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => Ok(cluster::run(&cli.cluster)),
        Some(Command::Normalize { files }) => normalize::run(&files),
        Some(Command::Compare { a, b, shingle, passages, format }) => {
            compare::run(&a, &b, shingle, passages, format)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dedup: {e}");
            ExitCode::FAILURE
        }
    }
}
