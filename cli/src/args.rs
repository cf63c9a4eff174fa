//! The command line: every subcommand's options, and the parsers of their values.

use std::path::PathBuf;

use std::str::FromStr;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use nuskha::{Algorithm, ClusterMode, DeduplicatorBuilder, Representative, Shingling};
use nuskha_store::RareSearchOption;

use crate::input::JsonlFields;

/// A library type parsed from one of `names` (which `--help` lists) by its `FromStr`.
fn one_of<T>(names: &'static [&'static str]) -> impl TypedValueParser<Value = T>
where
    T: FromStr<Err = nuskha::Error> + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(names).try_map(|s| s.parse::<T>())
}

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
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Score a clustering against pairs labelled by reading: precision, recall and F1,
    /// raw and weighted by each bin's population, and a line per bin.
    ///
    /// CLUSTERS.csv is what `dedup --format csv` writes. A pair is predicted a copy when
    /// both of its ids share a cluster; an id missing from the clustering counts as
    /// apart and is reported. PAIRS and POP follow LABELLING.md: one JSON object per
    /// pair (`a`, `b`, `bin`, `label`, optional `split`), and `{"population": {BIN: N}}`.
    /// A bin's weight is its population over the number of its pairs that are scored.
    ///
    /// Example: dedup eval --pairs tests/data/devset/pairs.jsonl --population tests/data/devset/population.json --split report clusters.csv
    Eval(EvalArgs),
    /// Print each input line normalised, as the matcher sees it (the matcher also cuts
    /// runs of page code from a whole article first: `nuskha::strip_code`).
    ///
    /// Reads the FILEs in order (standard input when none is given) and writes one
    /// output line per input line; an empty line stays empty. Inputs are decoded as the
    /// main command decodes them: a byte order mark is dropped, UTF-16 decoded, a stray
    /// invalid byte replaced (with a warning); a binary file or one that is not UTF-8
    /// (Windows-1256?) is skipped with a warning.
    ///
    /// Example: printf 'كَتَبَ\n' | dedup normalize
    ///
    /// Exit codes: 0 every input printed; 3 some inputs skipped (see the warnings).
    Normalize {
        /// Files to read; none means standard input.
        files: Vec<PathBuf>,
    },
    /// Compare two articles: exact and estimated Jaccard, containment both ways,
    /// SimHash distance, the longest passages they share, and the verdict at the
    /// matching options given (the main command's defaults otherwise).
    ///
    /// The articles are two files, or one file giving both: an input holding one
    /// article (a text file, a JSON record) is that article; an input holding several
    /// (JSON Lines, a JSON array) needs `--id`, the ids taken in order. They
    /// are read and checked as the main command reads them: an input that cannot be
    /// used (missing, binary, empty, not UTF-8) is reported and nothing is compared
    /// (exit code 3).
    ///
    /// Example: dedup compare examples/articles/barlamane-hajj.txt examples/articles/belwadeh-hajj.txt
    /// Example: dedup compare feed.jsonl --id snn-0012 --id snn-0310
    Compare(CompareArgs),
    /// Sketch articles for a job on many machines (the Spark job of `spark/`): one
    /// Parquet file of the articles' shingles, and one of how many articles hold each
    /// shingle, in OUTPUT. Needs the `parquet` feature (`cargo install --path cli
    /// --features parquet`).
    ///
    /// Every shard reads the same INPUTs and writes the articles at positions I − 1,
    /// I − 1 + N, ... of the input order (`--shard I/N`): `articles/part-I-of-N.parquet`
    /// (id, position, source, date, length, short, truncated, shingles, words),
    /// `counts/part-I-of-N.parquet` (fingerprint, articles) and `settings-I-of-N.json`
    /// (the matching options, which the job clusters by). 32-bit fingerprints are
    /// written as signed integers. The MinHash signatures and band keys are made by
    /// the job: they depend on the boilerplate, known once every shard's counts are in.
    /// Refused, since the job cannot reproduce them: `--algorithm simhash`, `--edited`
    /// (the rare-phrase search) and `--representative earliest`.
    ///
    /// Example: dedup sketch news.jsonl.gz --output sketches --shard 1/3
    ///
    /// Exit codes: 0 everything read; 3 some inputs skipped (see the warnings); 2 bad
    /// options (or no `parquet` feature); 1 the output could not be written.
    Sketch(SketchArgs),
    /// Join clusters made elsewhere (by the Spark job, `spark/nuskha_spark.py`, or by
    /// `dedup --format csv`) back onto the articles, and write the deduplicated corpus
    /// as `dedup --emit unique` does: the input record of every representative and
    /// every article without a copy, in input order, as JSON Lines.
    ///
    /// CLUSTERS is an `id,cluster,...` CSV file, or a folder of them (the job's
    /// `clusters.csv/`, read in name order). Every article of INPUT... must have a row,
    /// and every row an article: clusters of other inputs are refused.
    ///
    /// Example: dedup assign --clusters out/clusters.csv news.jsonl.gz -o unique.jsonl
    ///
    /// Exit codes: 0 done; 3 some inputs skipped (see the warnings); 2 clusters that
    /// do not fit the inputs; 1 the output could not be written.
    Assign(AssignArgs),
    /// Keep a persistent index of a live feed in one SQLite file: add articles as they
    /// arrive (each matched against what came before), ask what an article would
    /// match, remove or expire articles, list the clusters.
    ///
    /// Example: dedup index add feed.db today.jsonl --format jsonl
    /// Example: dedup index expire feed.db --keep-days 30
    /// Example: sqlite3 feed.db 'SELECT cluster, count(*) FROM articles GROUP BY cluster ORDER BY 2 DESC LIMIT 5'
    ///
    /// Exit codes: 0 done; 3 some inputs skipped (see the warnings); 2 bad options, or
    /// options that differ from the index's; 1 the index cannot be used (named with the
    /// problem) or the output cannot be written.
    Index {
        #[command(subcommand)]
        command: IndexCommand,
    },
}

/// `dedup index` subcommands.
#[derive(Subcommand, Debug)]
pub enum IndexCommand {
    /// Add the articles of INPUT... to INDEX (made on first use with the matching
    /// options given, which it keeps: later uses take the index's own, and refuse
    /// different ones). Prints each new article's cluster and matches; an article
    /// whose id is already in the index is skipped and counted, so running an
    /// interrupted `add` again completes it. Articles are committed a batch at a time:
    /// what has been printed is on disk.
    Add(IndexAddArgs),
    /// What each article of INPUT... would match in INDEX, without adding it.
    Query(IndexQueryArgs),
    /// Remove the articles of the ids given: each leaves its cluster, a cluster whose
    /// representative goes gets a new one by the same rule, and the index's statistics
    /// forget it.
    Remove {
        /// The index file.
        index: PathBuf,
        /// Ids of the articles to remove.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Remove the articles dated before a day (by their date field as read when they
    /// were added; articles without a readable date are kept and counted).
    Expire {
        /// The index file.
        index: PathBuf,
        /// Remove articles dated before this instant (ISO 8601, RFC 2822 or Unix
        /// seconds).
        #[arg(long, conflicts_with = "keep_days", required_unless_present = "keep_days")]
        before: Option<String>,
        /// Keep only the articles of the last N days (before now).
        #[arg(long, value_name = "N")]
        keep_days: Option<u64>,
    },
    /// Print the index's clusters in the main command's formats.
    Clusters {
        /// The index file.
        index: PathBuf,
        /// Output format (default: `text` on a terminal, `csv` otherwise).
        #[arg(long, value_enum)]
        format: Option<IndexFormat>,
        /// In the text report, also list the articles that have no copy.
        #[arg(long)]
        singletons: bool,
    },
    /// Articles, clusters, date range, options and file size of the index.
    Stats {
        /// The index file.
        index: PathBuf,
        /// `text` or `json`.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// SQLite's integrity check, every article's checksum, and every stored cluster
    /// against the clusters its matches give. Exit code 1 on any problem.
    Check {
        /// The index file.
        index: PathBuf,
    },
}

/// Output formats of `dedup index clusters`: the main command's, but HTML (the index
/// does not keep the texts a page compares).
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexFormat {
    /// A readable report.
    Text,
    /// `id,cluster,similarity,note`: one row per article.
    Csv,
    /// One JSON object.
    Json,
    /// One JSON object per cluster.
    Jsonl,
}

/// What `dedup index add` and `query` print for each article.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedFormat {
    /// One line per article: its id, and its cluster and matches.
    Text,
    /// One JSON object per article.
    Jsonl,
}

/// Options of `dedup index add`.
#[derive(Args, Debug)]
pub struct IndexAddArgs {
    /// The index file (made on first use).
    pub index: PathBuf,

    /// Articles to add, read as the main command reads them.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    #[command(flatten)]
    pub matching: MatchingArgs,

    /// How clusters form: `star`, `average` or `components` (see `dedup --help`).
    #[arg(long, value_parser = one_of::<ClusterMode>(&["star", "average", "components"]), help_heading = "Matching")]
    pub mode: Option<ClusterMode>,

    /// With `--mode average`: the share of cross pairs that must match.
    #[arg(long, default_value_t = nuskha::DEFAULT_LINK_DENSITY, value_name = "SHARE", help_heading = "Matching")]
    pub link_density: f64,

    /// Which member stands for a cluster: `first` (in arrival order) or `longest`.
    #[arg(long, value_parser = one_of::<Representative>(&["first", "longest"]), default_value = "first", help_heading = "Matching")]
    pub representative: Representative,

    /// When the index is made: learn which phrases are common (boilerplate, template
    /// wording) from these past articles first, as the main command learns them from
    /// the whole corpus. Ignored by an existing index.
    #[arg(long, value_name = "FILE", help_heading = "Matching")]
    pub learn: Vec<PathBuf>,

    #[command(flatten)]
    pub fields: FieldArgs,

    /// Articles committed per transaction.
    #[arg(long, default_value_t = 1000, value_name = "N", help_heading = "Input")]
    pub batch_size: usize,

    /// Skip a text file or JSON document larger than this many bytes.
    #[arg(long, default_value_t = 1 << 30, value_name = "BYTES", help_heading = "Input")]
    pub max_file_size: u64,

    /// What to print for each new article.
    #[arg(long, value_enum, default_value_t = FeedFormat::Text, help_heading = "Output")]
    pub format: FeedFormat,

    /// No summary on standard error (warnings still show).
    #[arg(long, short, help_heading = "Output")]
    pub quiet: bool,

    /// Print every warning.
    #[arg(long, short, help_heading = "Output")]
    pub verbose: bool,
}

/// Options of `dedup index query`.
#[derive(Args, Debug)]
pub struct IndexQueryArgs {
    /// The index file.
    pub index: PathBuf,

    /// Articles to look up.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    #[command(flatten)]
    pub fields: FieldArgs,

    /// Skip a text file or JSON document larger than this many bytes.
    #[arg(long, default_value_t = 1 << 30, value_name = "BYTES", help_heading = "Input")]
    pub max_file_size: u64,

    /// What to print for each article.
    #[arg(long, value_enum, default_value_t = FeedFormat::Text, help_heading = "Output")]
    pub format: FeedFormat,

    /// Print every warning.
    #[arg(long, short, help_heading = "Output")]
    pub verbose: bool,
}

/// The matching options of `dedup index add` as they are named in the index (and in
/// [`nuskha_store::Options`]), by clap's argument id.
pub const INDEX_OPTIONS: &[(&str, &str)] = &[
    ("threshold", "threshold"),
    ("containment", "containment"),
    ("shingle", "shingle"),
    ("algorithm", "algorithm"),
    ("max_distance", "algorithm"),
    ("min_length", "min_length"),
    ("max_article_size", "max_article_size"),
    ("num_perm", "num_perm"),
    ("seed", "seed"),
    ("exact", "exact"),
    ("edited", "rare_search"),
    ("no_edited", "edited"),
    ("align", "align"),
    ("min_aligned", "align"),
    ("align_run", "align"),
    ("mode", "mode"),
    ("link_density", "link_density"),
    ("representative", "representative"),
];

/// Options of `dedup compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The two articles' files, or one file holding both (with two `--id`s).
    #[arg(required = true, num_args = 1..=2, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// The id of a record to compare, for each input holding several articles, in
    /// order (twice when one input gives both).
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<String>,

    /// How many shared passages to show.
    #[arg(long, default_value_t = 3)]
    pub passages: usize,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Text)]
    pub format: CompareFormat,

    #[command(flatten)]
    pub matching: MatchingArgs,

    #[command(flatten)]
    pub fields: FieldArgs,
}

/// Output formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A readable report.
    Text,
    /// One JSON object.
    Json,
}

/// Output formats of `dedup compare`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareFormat {
    /// A readable report.
    Text,
    /// One JSON object.
    Json,
    /// A self-contained page: the two texts side by side, the shared passages
    /// highlighted in the same colour on both sides, the scores and the verdict.
    Html,
}

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

    #[command(flatten)]
    pub matching: MatchingArgs,

    #[command(flatten)]
    pub fields: FieldArgs,

    #[command(flatten)]
    pub clustering: ClusteringArgs,

    /// Skip a text file or JSON document (each read whole) larger than this many bytes.
    /// JSON Lines are streamed whatever their size: each article is cut at
    /// `--max-article-size` instead.
    #[arg(long, default_value_t = 1 << 30, value_name = "BYTES", help_heading = "Input")]
    pub max_file_size: u64,

    /// Bytes of JSON Lines read at a time (tests use small blocks so that lines cross
    /// block ends).
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES", hide = true)]
    pub read_block: usize,

    /// Output format (default: `text` on a terminal, `csv` otherwise; `--emit pairs`:
    /// `csv`).
    #[arg(long, value_enum, help_heading = "Output")]
    pub format: Option<OutputFormat>,

    /// Write the output to FILE (atomically: a failed run leaves no half-written file).
    #[arg(long, short, value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,

    /// What to write: `clusters` (the report in --format); `unique`: the
    /// deduplicated corpus, as JSON Lines: the input record of every representative and
    /// every article without a copy, in input order (JSONL records verbatim; a text
    /// file as `{"id", "text"}`); or `pairs`: every pair the verifier accepted (those
    /// the clusters were formed from), `a,b,score,kind,cluster_a,cluster_b`, the earlier
    /// article first, in input order: CSV (even on a terminal), or JSON Lines with
    /// `--format jsonl` (other formats are refused). The clustering keeps some verified
    /// pairs apart (round-ups, template bulletins): `cluster_a` and `cluster_b` then
    /// differ.
    #[arg(long, value_enum, default_value_t = Emit::Clusters, help_heading = "Output")]
    pub emit: Emit,

    /// In the text report, also list the articles that have no copy.
    #[arg(long, help_heading = "Output")]
    pub singletons: bool,

    /// No progress bar and no summary on standard error (warnings still show).
    #[arg(long, short, help_heading = "Output")]
    pub quiet: bool,

    /// How long a run lasts before its progress display appears, in milliseconds.
    /// Hidden: the tests set it to 0, so that what they see does not depend on how
    /// fast the machine reads.
    #[arg(long, hide = true, default_value_t = 800)]
    pub progress_after_ms: u64,

    /// Print every warning (by default at most 10 of each kind, the summary counting
    /// the rest) and list every file of a folder that was ignored, and why.
    #[arg(long, short, help_heading = "Output")]
    pub verbose: bool,

    /// Worker threads (default: one per core).
    #[arg(long, help_heading = "Output")]
    pub threads: Option<usize>,
}

/// How clusters form from the verified pairs: the main job's options, and `dedup
/// sketch`'s (which keeps them for the Spark job).
#[derive(Args, Debug)]
pub struct ClusteringArgs {
    /// `star`: every member matches its cluster's first article, so a chain A~B~C never
    /// merges A with C (a story whose copies matched different earlier articles splits);
    /// `average`: groups merge while at least `--link-density` of their cross pairs
    /// match, whatever the order the articles came in, then an article left alone joins
    /// its best match's cluster when that match scores 0.7 or more; `components`: every chain of
    /// matches is one cluster. Default: `average`, `star` with `--no-edited` (each the
    /// better on the dev set's tune split; without the edited-copy rule, average
    /// linkage splits large stories whose near-identical copies LSH did not all pair
    /// up).
    #[arg(long, value_parser = one_of::<ClusterMode>(&["star", "average", "components"]), help_heading = "Matching")]
    pub mode: Option<ClusterMode>,

    /// With `--mode average`: the share of two groups' cross pairs that must match for
    /// them to merge, in (0, 1]. Lower joins more partial copies and more templates.
    #[arg(long, default_value_t = nuskha::DEFAULT_LINK_DENSITY, value_name = "SHARE", help_heading = "Matching")]
    pub link_density: f64,

    /// Learn no boilerplate per source. By default a phrase found in more than 10
    /// articles and 5% of one source's (`--source-field` of JSON records) is that
    /// source's site chrome and is left out of its articles, even when it is in too
    /// few articles of the whole corpus to be boilerplate there.
    #[arg(long, help_heading = "Matching")]
    pub no_source_boilerplate: bool,

    /// Which member stands for a cluster: `first` (in input order; in star mode the
    /// centre every member matched), `longest` (the longest text), or `earliest` (the
    /// earliest date of `--date-field`; undated articles last, ties the first).
    #[arg(long, value_enum, default_value_t = RepresentativeArg::First, help_heading = "Matching")]
    pub representative: RepresentativeArg,
}

/// Options of `dedup assign`.
#[derive(Args, Debug)]
pub struct AssignArgs {
    /// The articles the clusters were made from, as they were given then.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// The clusters: an `id,cluster,...` CSV file or a folder of CSV files.
    #[arg(long, value_name = "CLUSTERS")]
    pub clusters: PathBuf,

    /// Write the deduplicated corpus to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub fields: FieldArgs,

    /// As the main command's `--max-file-size`.
    #[arg(long, default_value_t = 1 << 30, value_name = "BYTES", help_heading = "Input")]
    pub max_file_size: u64,
}

/// Options of `dedup sketch`.
#[derive(Args, Debug)]
pub struct SketchArgs {
    /// Articles to read, as the main command reads them.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// The folder to write into (made if missing; the shard's files are replaced).
    #[arg(long, short, value_name = "DIR")]
    pub output: PathBuf,

    /// Write shard I of N (from 1): the articles at positions I − 1, I − 1 + N, ...
    #[arg(long, default_value = "1/1", value_parser = parse_shard, value_name = "I/N")]
    pub shard: (usize, usize),

    #[command(flatten)]
    pub matching: MatchingArgs,

    #[command(flatten)]
    pub fields: FieldArgs,

    #[command(flatten)]
    pub clustering: ClusteringArgs,

    /// As the main command's `--max-file-size`.
    #[arg(long, default_value_t = 1 << 30, value_name = "BYTES", help_heading = "Input")]
    pub max_file_size: u64,

    /// No summary on standard error (warnings still show).
    #[arg(long, short)]
    pub quiet: bool,

    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// `--shard I/N`, 1 ≤ I ≤ N.
fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("`{s}` is not I/N with 1 <= I <= N (such as 2/3)");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) =
        (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if i == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

/// How two articles are compared: what the main job clusters by, and what `compare`
/// gives its verdict by.
#[derive(Args, Debug, Clone)]
pub struct MatchingArgs {
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
    #[arg(long, default_value = "words:5", help_heading = "Matching")]
    pub shingle: Shingling,

    /// How candidates are found: `minhash` (Jaccard, the default) or `simhash`
    /// (word fingerprints at most 3 bits apart, `simhash:N` at most N: only
    /// near-identical copies).
    #[arg(long, default_value = "minhash", help_heading = "Matching")]
    pub algorithm: Algorithm,

    /// With `--algorithm simhash`: the most bits (0–7) two copies' fingerprints may
    /// differ in (the same as `--algorithm simhash:N`).
    #[arg(long, help_heading = "Matching")]
    pub max_distance: Option<u32>,

    /// Articles with fewer words than this are reported but not clustered (bylines,
    /// captions, empty stubs).
    #[arg(long, default_value_t = nuskha::dedup::DEFAULT_MIN_WORDS, value_name = "WORDS", help_heading = "Matching")]
    pub min_length: usize,

    /// Match only the first this many bytes of an article (1 MiB by default, 27 times
    /// the longest article of the dev corpora): one huge input then costs at most about
    /// 15 MB to shingle. Longer articles are named in a warning.
    #[arg(long, default_value_t = nuskha::dedup::DEFAULT_MAX_ARTICLE_BYTES, value_name = "BYTES", help_heading = "Matching")]
    pub max_article_size: usize,

    /// MinHash slots per article: more is more precise and slower.
    #[arg(long, default_value_t = nuskha::DEFAULT_NUM_PERM, help_heading = "Matching")]
    pub num_perm: usize,

    /// Seed of every hash; the same seed gives the same result on every machine.
    #[arg(long, default_value_t = nuskha::DEFAULT_SEED, help_heading = "Matching")]
    pub seed: u64,

    /// Verify candidates on exact Jaccard and containment (the shingle sets kept, 4
    /// bytes a shingle) instead of the 128-slot MinHash estimate: the scores printed
    /// are then the ones `dedup compare` calls exact.
    #[arg(long, help_heading = "Matching")]
    pub exact: bool,

    /// Search harder for edited copies (a new lead, the dateline or honorifics dropped,
    /// the text cut short, extended or merged into a round-up): also check the pairs
    /// of articles that share rare phrases, which LSH does not pair. The edited-copy
    /// rule itself (a pair counts when most of the shorter one's words and word pairs,
    /// and of its rare phrases, are in the other) is on by default. On the labelled dev
    /// set's report split it finds 0.88 of the real copies against the default's 0.76,
    /// at precision 0.96 against 0.997, in about 1.2 times the time. `--edited=light`
    /// reads fewer of the rare phrases: 0.86 at precision 0.98, in about 1.07 times the
    /// time.
    #[arg(
        long,
        value_name = "SEARCH",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "thorough",
        value_parser = one_of::<RareSearchOption>(&["thorough", "light"]),
        conflicts_with = "no_edited",
        help_heading = "Matching"
    )]
    pub edited: Option<RareSearchOption>,

    /// Turn the edited-copy rule off: copies by Jaccard and containment alone, in star
    /// clusters (0.34 of the dev set's copies at precision 0.96; about 0.8 times the
    /// time). The rule needs MinHash: `--algorithm simhash` turns it off too.
    #[arg(long, help_heading = "Matching")]
    pub no_edited: bool,

    /// Also find heavy rewrites (best with `--edited`: an agency story rewritten: its
    /// clauses reordered, a word changed every few), by word alignment: a pair counts
    /// when runs of at least `--align-run` words shared in the same order, in any order
    /// of the runs, cover `--min-aligned` of the shorter one's words, and most of its
    /// rare phrases are in the other. It keeps each article's words in order (4 bytes
    /// a word).
    #[arg(long, conflicts_with = "no_edited", help_heading = "Matching")]
    pub align: bool,

    /// With `--align`: the share of the shorter article's words the shared runs must
    /// cover.
    #[arg(long, requires = "align", value_name = "SHARE", default_value_t = nuskha::AlignedCopies::default().min_coverage, help_heading = "Matching")]
    pub min_aligned: f64,

    /// With `--align`: the shortest run of shared words that counts.
    #[arg(long, requires = "align", value_name = "WORDS", default_value_t = nuskha::AlignedCopies::default().min_run, help_heading = "Matching")]
    pub align_run: usize,
}

/// Which JSON fields an article's id, text and metadata are in.
#[derive(Args, Debug, Clone)]
pub struct FieldArgs {
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

    /// JSONL field holding the article's source (outlet): shown in the report, and
    /// what boilerplate is learned per (see `--no-source-boilerplate`).
    #[arg(long, default_value = "source", help_heading = "Input")]
    pub source_field: String,

    /// JSONL field holding the article's date, kept as written for the report.
    #[arg(long, default_value = "date", help_heading = "Input")]
    pub date_field: String,
}

impl MatchingArgs {
    /// These options as the index keeps them, with a clustering `mode` (default: the
    /// one for the edited-copy rule, on or off), `link_density` and `representative`.
    pub fn options(
        &self,
        mode: Option<ClusterMode>,
        link_density: f64,
        representative: Representative,
    ) -> nuskha_store::Options {
        let algorithm = match (self.algorithm, self.max_distance) {
            (Algorithm::SimHash { .. }, Some(d))
            | (Algorithm::SimHash { max_distance: d }, None) => {
                format!("simhash:{d}")
            }
            _ => "minhash".to_string(),
        };
        let mut options = nuskha_store::Options {
            threshold: self.threshold,
            containment: self.containment.0,
            shingle: self.shingle.to_string(),
            algorithm,
            min_length: self.min_length,
            max_article_size: self.max_article_size,
            num_perm: self.num_perm,
            seed: self.seed,
            exact: self.exact,
            edited: !self.no_edited,
            rare_search: self.edited.unwrap_or_default(),
            align: self.align.then_some(nuskha_store::Align {
                min_coverage: self.min_aligned,
                min_run: self.align_run,
            }),
            mode: String::new(),
            link_density,
            representative: representative.to_string(),
        };
        let default = ClusterMode::default_for(options.edited_rule());
        options.mode = mode.unwrap_or(default).to_string();
        options
    }

    /// Whether the edited-copy rule is on ([`nuskha_store::Options::edited_rule`]).
    pub fn edited_rule(&self) -> bool {
        self.options(None, nuskha::DEFAULT_LINK_DENSITY, Representative::First).edited_rule()
    }

    /// The library's builder with these settings (clustering at its defaults): the
    /// one place the command's matching options become the library's, through
    /// [`nuskha_store::Options::builder`]. An error names an option out of range
    /// (`--max-distance 9`).
    pub fn builder(&self) -> Result<DeduplicatorBuilder, nuskha::Error> {
        self.options(None, nuskha::DEFAULT_LINK_DENSITY, Representative::First).builder()
    }
}

impl ClusteringArgs {
    /// `--mode`, or its default for the verification `matching` chose.
    pub fn mode(&self, matching: &MatchingArgs) -> ClusterMode {
        self.mode.unwrap_or(ClusterMode::default_for(matching.edited_rule()))
    }
}

impl FieldArgs {
    /// How JSON records are read with these fields; `keep_meta` keeps each article's
    /// title, source and date.
    pub fn jsonl(&self, keep_meta: bool) -> JsonlFields {
        JsonlFields {
            id: self.id_field.clone(),
            text: self.text_field.clone(),
            title: self.title_field.clone(),
            source: self.source_field.clone(),
            date: self.date_field.clone(),
            no_title: self.no_title,
            keep_meta,
            sources: false,
        }
    }
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

/// `--representative`: the library's choices, and the earliest date.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepresentativeArg {
    /// The first in input order (in star mode, the centre).
    First,
    /// The longest text (ties: the first).
    Longest,
    /// The earliest `--date-field` (undated last; ties: the first).
    Earliest,
}

/// `--emit`: the report, or the deduplicated corpus.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emit {
    /// The clusters, in `--format`.
    Clusters,
    /// The input records of representatives and singletons, as JSON Lines.
    Unique,
    /// Every verified pair, with the clusters its articles ended in.
    Pairs,
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
    /// A self-contained page (no network, nothing external): the clusters largest
    /// first with titles, outlets, dates and scores, a search box, each copy side by
    /// side with its representative. Write it with `-o report.html`.
    Html,
}

/// Options of `dedup eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The clustering to score: `dedup --format csv` output (`id,cluster,...` rows).
    #[arg(value_name = "CLUSTERS.csv")]
    pub clusters: PathBuf,

    /// Labelled pairs, JSON Lines: `{"a", "b", "bin", "label", "split"?}`.
    #[arg(long, value_name = "PAIRS.jsonl")]
    pub pairs: Option<PathBuf>,

    /// Each bin's population (`{"population": {BIN: N, ...}}`), for weighted figures
    /// and their bootstrap intervals.
    #[arg(long, value_name = "POP.json")]
    pub population: Option<PathBuf>,

    /// Labels that count as copies.
    #[arg(long, value_delimiter = ',', default_value = "copy")]
    pub positive: Vec<String>,

    /// Labels that count as not copies (any other label is left out and counted).
    #[arg(long, value_delimiter = ',', default_value = "same_event,different")]
    pub negative: Vec<String>,

    /// Score only the pairs of this split (e.g. `report`; the dev set is split into
    /// `tune` and `report`).
    #[arg(long)]
    pub split: Option<String>,

    /// A reference clustering (`id,cluster` rows) to score against by pair counting:
    /// precision, recall, F1 and the adjusted Rand index over all pairs of its articles.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,

    /// Bootstrap resamples for the intervals of the weighted figures (0: none).
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}
