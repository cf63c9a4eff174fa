//! Reading articles as the `dedup` command reads them: text files, folders
//! (recursively, in sorted order) and JSON Lines (plain or gzipped, or `-` for
//! standard input), JSON arrays. Bad input is reported on standard error by name,
//! never fatal. The command, the Python bindings and anything else that reads
//! articles from files share this crate, so they read the same articles.
//!
//! Texts are shingled into the batch as they are read (JSON Lines records parsed and
//! shingled together on all cores unless told otherwise), so a corpus never has to fit
//! in memory as text: only ids are kept here.

pub mod date;
mod decode;
mod jsonl;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::hash::{BuildHasher, RandomState};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use nuskha::{Batch, DocId};

pub use decode::{Decoded, decode, decode_input, replaced_warning};
use decode::{Encoding, SNIFF_BYTES, Utf16Reader, note_utf16, sniff};

/// The kind of warning about invalid UTF-8 replaced.
const REPLACED: &str = "invalid UTF-8 replaced";

/// One article read: its id and metadata (its text has been handed on).
pub struct Article {
    /// Its id: the record's id field, a text file's path below its folder, or
    /// `FILE:LINE` for a record without one.
    pub id: String,
    /// Boxed, and only when there is some: most runs keep none (`keep_meta`), and an
    /// article is then an id and a pointer.
    meta: Option<Box<Meta>>,
}

/// An article's metadata, as read from its record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// The JSONL `--title-field` (a string, or a number as written); `None` for text files.
    pub title: Option<String>,
    /// The JSONL `--source-field`; `None` for text files.
    pub source: Option<String>,
    /// The JSONL `--date-field`, as written (not parsed); `None` for text files.
    pub date: Option<String>,
}

impl Article {
    /// An article of `id` and `meta` (metadata kept only when there is some).
    pub fn new(id: String, meta: Meta) -> Self {
        let meta = (meta != Meta::default()).then(|| Box::new(meta));
        Article { id, meta }
    }

    /// The title, when the record has one and it was kept.
    pub fn title(&self) -> Option<&str> {
        self.meta.as_ref()?.title.as_deref()
    }

    /// The source (outlet), when the record has one and it was kept.
    pub fn source(&self) -> Option<&str> {
        self.meta.as_ref()?.source.as_deref()
    }

    /// The date as written, when the record has one and it was kept.
    pub fn date(&self) -> Option<&str> {
        self.meta.as_ref()?.date.as_deref()
    }
}

/// Text files are shingled once this many are pending, or this many bytes of them.
const CHUNK_ARTICLES: usize = 4096;
const CHUNK_BYTES: usize = 32 << 20;

/// How JSONL records are read.
#[derive(Clone, Debug)]
pub struct JsonlFields {
    /// The field of the id.
    pub id: String,
    /// The field of the text.
    pub text: String,
    /// The field of the title, compared with the text.
    pub title: String,
    /// The field of the source (outlet).
    pub source: String,
    /// The field of the date.
    pub date: String,
    /// Leave the title out of the compared text.
    pub no_title: bool,
    /// Keep each article's title, source and date (for a report that shows them): a
    /// run that needs none of them reads none of them, and allocates nothing for them.
    pub keep_meta: bool,
    /// Tell the batch each record's source ([`Batch::set_source`]), for boilerplate
    /// learned per source.
    pub sources: bool,
}

/// What `read` is allowed to do, and where the articles go.
pub struct ReadOptions<'a, 'd> {
    /// Which fields of a JSON record hold what.
    pub fields: JsonlFields,
    /// Larger files are skipped.
    pub max_file_size: u64,
    /// JSON Lines are read this many bytes at a time.
    pub read_block: usize,
    /// Parse and shingle on all cores (else on this thread).
    pub parallel: bool,
    /// Called with the number of bytes of each read as it is made (progress): bytes of
    /// the files as they are on disk (compressed, for `.gz`), so that they add up to
    /// the files' sizes; a file skipped unread counts its size at once.
    pub on_read: &'a (dyn Fn(u64) + Sync),
    /// Print every warning and every file ignored (else at most
    /// [`WARNINGS_SHOWN`] warnings of each kind).
    pub verbose: bool,
    /// Receives every article read, shingled, in order.
    pub batch: &'a mut Batch<'d>,
    /// Keep standard input in a temporary file, so that its records can be read again
    /// (`--emit unique`).
    pub keep_stdin: bool,
    /// `Some((i, n))`: keep the shingles of the articles at positions i, i + n, ...
    /// only (`dedup sketch --shard`); the others go into the batch as empty articles,
    /// so that every position stays the whole input's while a shard holds only its
    /// own share of the shingles.
    pub stripe: Option<(usize, usize)>,
}

impl ReadOptions<'_, '_> {
    /// Whether the article at `position` keeps its shingles (see `stripe`).
    pub(crate) fn keeps(&self, position: usize) -> bool {
        self.stripe.is_none_or(|(i, n)| position % n.max(1) == i)
    }
}

impl<'a, 'd> ReadOptions<'a, 'd> {
    /// Options with no progress display and capped warnings, JSON Lines read a MiB at
    /// a time, on all cores when rayon's pool has more than one thread, standard input
    /// not kept: what a subcommand that only reads and writes needs.
    pub fn new(fields: JsonlFields, max_file_size: u64, batch: &'a mut Batch<'d>) -> Self {
        ReadOptions {
            fields,
            max_file_size,
            read_block: 1 << 20,
            parallel: rayon::current_num_threads() > 1,
            on_read: &|_| {},
            verbose: false,
            batch,
            keep_stdin: false,
            stripe: None,
        }
    }
}

/// What was read, and what was left out and why.
#[derive(Default)]
pub struct Inputs {
    /// Every article read, in the order it was added to the batch.
    pub articles: Vec<Article>,
    /// Texts of text files not yet shingled, and their size.
    pending: Vec<String>,
    /// Their sources, when known, in step.
    pending_sources: Vec<Option<String>>,
    pending_bytes: usize,
    /// Inputs (files, JSONL lines) that could not be used: (where, reason).
    pub skipped: Vec<(String, Reason)>,
    /// Hidden files and files of unknown type, not read.
    pub ignored: usize,
    /// Print every warning.
    verbose: bool,
    /// Warnings printed so far, by kind.
    warned: BTreeMap<&'static str, usize>,
    /// Where each article was read, by its index in `articles`, and the files named there.
    origins: Vec<Origin>,
    files: Vec<String>,
    /// The first article of each id, by a hash of the id (no copy of it is kept); ids
    /// whose hashes collide with another id's are in `collided`.
    ids: HashMap<u64, u32>,
    collided: HashMap<String, u32>,
    hasher: RandomState,
    /// Standard input kept in this temporary file, to be read again; the caller
    /// removes it.
    pub kept_stdin: Option<PathBuf>,
}

/// At most this many warnings of one kind are printed (without `--verbose`); the summary
/// counts the rest.
pub const WARNINGS_SHOWN: usize = 10;

/// Where an article was read: a whole file, or one line of one (indexes in `files`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// A whole file.
    File(u32),
    /// A line of a file, from 1.
    Line(u32, u64),
    /// An element of a JSON array, from 0.
    Element(u32, u64),
}

/// Why an input was skipped; the summary counts by reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// No such file.
    Missing,
    /// A read failed.
    Unreadable,
    /// Past the size limit.
    TooLarge,
    /// No text.
    Empty,
    /// NUL bytes: not text.
    Binary,
    /// Mostly invalid UTF-8.
    NotUtf8,
    /// A symbolic link that leads back to itself.
    SymlinkLoop,
    /// A JSON record that is malformed or has no text.
    BadRecord,
    /// An id read before.
    DuplicateId,
}

impl Reason {
    /// How the summary names the reason.
    pub fn label(self) -> &'static str {
        match self {
            Reason::Missing => "missing",
            Reason::Unreadable => "unreadable",
            Reason::TooLarge => "too large",
            Reason::Empty => "empty",
            Reason::Binary => "binary",
            Reason::NotUtf8 => "not UTF-8",
            Reason::SymlinkLoop => "symlink loop",
            Reason::BadRecord => "bad JSONL record",
            Reason::DuplicateId => "duplicate id",
        }
    }
}

/// Extensions read as one article per file (unless their content is JSON).
const TEXT_EXTENSIONS: [&str; 2] = ["txt", "md"];
/// Extensions read as one article per line.
const JSONL_EXTENSIONS: [&str; 2] = ["jsonl", "ndjson"];
/// Extensions read as JSON Lines or as a JSON array, by content.
const JSON_EXTENSIONS: [&str; 1] = ["json"];

/// What a file's name says it holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Text (one article), unless the content is JSON.
    Text,
    /// JSON Lines, whatever the content.
    Jsonl,
    /// JSON Lines or a JSON array (or one object), by content.
    Json,
    /// Nothing known: in a folder, ignored; named on the command line, read by content.
    Other,
}

/// What a file's name says, and whether it is gzipped.
fn kind_of(path: &Path) -> (Kind, bool) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_lowercase();
    let (stem, gz) = match name.strip_suffix(".gz") {
        Some(stem) => (stem.to_owned(), true),
        None => (name, false),
    };
    let ext = stem.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    let kind = if JSONL_EXTENSIONS.contains(&ext) {
        Kind::Jsonl
    } else if JSON_EXTENSIONS.contains(&ext) {
        Kind::Json
    } else if !gz && TEXT_EXTENSIONS.contains(&ext) {
        Kind::Text
    } else {
        Kind::Other
    };
    (kind, gz)
}

/// How an input is read, told by its name and its first bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Format {
    Text,
    Jsonl,
    /// A JSON array of records (or one record); `or_text`: if it is not JSON, one article.
    Document {
        or_text: bool,
    },
}

/// The format of an input whose name says `kind` and whose (UTF-8) text begins with
/// `head`: JSON Lines when a line opens an object with a key, a JSON document when it
/// begins with `[` or with `{` alone on its line, else text (or, for `.json`, lines).
fn format_of(kind: Kind, head: &[u8]) -> Format {
    let mut rest = head.iter().skip_while(|b| b.is_ascii_whitespace());
    let first = rest.next();
    if kind == Kind::Jsonl {
        return Format::Jsonl;
    }
    let or_text = kind != Kind::Json;
    match first {
        Some(b'[') => Format::Document { or_text },
        Some(b'{') => match rest.find(|b| !matches!(b, b' ' | b'\t')) {
            Some(b'"') => Format::Jsonl,
            Some(b'\n' | b'\r') => Format::Document { or_text },
            _ if or_text => Format::Text,
            _ => Format::Jsonl,
        },
        _ if or_text => Format::Text,
        _ => Format::Jsonl,
    }
}

impl Inputs {
    /// Counts of skipped inputs by reason.
    pub fn skipped_by_reason(&self) -> BTreeMap<Reason, usize> {
        let mut m = BTreeMap::new();
        for (_, r) in &self.skipped {
            *m.entry(*r).or_insert(0) += 1;
        }
        m
    }

    pub(crate) fn skip(&mut self, place: String, reason: Reason, detail: &str) {
        self.warn(reason.label(), || format!("dedup: warning: {place}: {detail}; skipped"));
        self.skipped.push((place, reason));
    }

    /// Prints the warning `line` of `kind`; past [`WARNINGS_SHOWN`] of a kind, one line
    /// says that further ones are only counted (all are printed with `--verbose`).
    fn warn(&mut self, kind: &'static str, line: impl FnOnce() -> String) {
        let n = self.warned.entry(kind).or_insert(0);
        *n += 1;
        if self.verbose || *n <= WARNINGS_SHOWN {
            eprintln!("{}", line());
        } else if *n == WARNINGS_SHOWN + 1 {
            eprintln!(
                "dedup: warning: more than {WARNINGS_SHOWN} \"{kind}\" warnings: further ones are counted, not shown (--verbose shows them all)"
            );
        }
    }

    /// Warns that invalid UTF-8 in `place` was replaced.
    fn warn_replaced(&mut self, place: impl FnOnce() -> String, replaced: usize) {
        if replaced > 0 {
            self.warn(REPLACED, || {
                format!("dedup: warning: {}", replaced_warning(&place(), replaced))
            });
        }
    }

    /// The file `place` as an origin of articles.
    fn file_index(&mut self, place: &str) -> u32 {
        if self.files.last().is_none_or(|f| f != place) {
            self.files.push(place.to_owned());
        }
        (self.files.len() - 1) as u32
    }

    fn place(&self, origin: Origin) -> String {
        match origin {
            Origin::File(f) => self.files[f as usize].clone(),
            Origin::Line(f, line) => format!("{}:{line}", self.files[f as usize]),
            Origin::Element(f, i) => format!("{}[{i}]", self.files[f as usize]),
        }
    }

    /// Adds an article unless an article of the same id was added before: then the
    /// later one is reported and skipped (and must not go into the batch).
    fn admit(&mut self, article: Article, origin: Origin) -> bool {
        let index = self.articles.len() as u32;
        let hash = self.hasher.hash_one(article.id.as_str());
        let first = match self.ids.entry(hash) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(index);
                None
            }
            std::collections::hash_map::Entry::Occupied(e) => {
                let other = *e.get();
                if self.articles[other as usize].id == article.id {
                    Some(other)
                } else {
                    // Another id with the same hash: told apart by the id itself.
                    match self.collided.entry(article.id.clone()) {
                        std::collections::hash_map::Entry::Vacant(e) => {
                            e.insert(index);
                            None
                        }
                        std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
                    }
                }
            }
        };
        if let Some(first) = first {
            let detail = format!(
                "duplicate id \"{}\" (first at {})",
                article.id,
                self.place(self.origins[first as usize])
            );
            self.skip(self.place(origin), Reason::DuplicateId, &detail);
            return false;
        }
        self.articles.push(article);
        self.origins.push(origin);
        true
    }

    /// Takes the text of a text file or a JSON document's record (of `source`, when
    /// known), shingled with the next ones.
    fn push_text(
        &mut self,
        id: String,
        origin: Origin,
        text: String,
        meta: Meta,
        source: Option<String>,
        opts: &mut ReadOptions,
    ) {
        if !self.admit(Article::new(id, meta), origin) {
            return;
        }
        self.pending_bytes += text.len();
        self.pending.push(text);
        self.pending_sources.push(source);
        if self.pending.len() >= CHUNK_ARTICLES || self.pending_bytes >= CHUNK_BYTES {
            self.flush(opts);
        }
    }

    /// Shingles the pending texts into the batch.
    pub(crate) fn flush(&mut self, opts: &mut ReadOptions) {
        if !self.pending.is_empty() {
            let first = opts.batch.len();
            if opts.stripe.is_some() {
                for (k, text) in self.pending.iter_mut().enumerate() {
                    if !opts.keeps(first + k) {
                        text.clear();
                    }
                }
            }
            if opts.parallel {
                opts.batch.par_extend(&self.pending);
            } else {
                opts.batch.extend(&self.pending);
            }
            for (k, source) in self.pending_sources.drain(..).enumerate() {
                if let Some(source) = source {
                    opts.batch.set_source(
                        DocId(
                            u32::try_from(first + k)
                                .expect("the batch holds fewer than 2^32 articles"),
                        ),
                        &source,
                    );
                }
            }
            self.pending.clear();
            self.pending_bytes = 0;
        }
    }

    /// Each article's date read by [`date::parse_date`], and how many articles have a
    /// date that could not be read.
    pub fn dates(&self) -> (Vec<Option<i64>>, usize) {
        let dates: Vec<Option<i64>> =
            self.articles.iter().map(|a| a.date().and_then(date::parse_date)).collect();
        let unreadable =
            self.articles.iter().zip(&dates).filter(|(a, d)| a.date().is_some() && d.is_none());
        let unreadable = unreadable.count();
        (dates, unreadable)
    }

    /// The inputs of articles known already (a persistent index's): nothing skipped,
    /// nothing to read again.
    pub fn of_articles(articles: Vec<Article>) -> Inputs {
        Inputs { articles, ..Inputs::default() }
    }

    /// Reads every input, warning on stderr about anything skipped, and adds every
    /// article to `opts.batch`.
    pub fn read(paths: &[PathBuf], opts: &mut ReadOptions) -> Inputs {
        let mut inputs = Inputs { verbose: opts.verbose, ..Inputs::default() };
        for path in paths {
            if path.as_os_str() == "-" {
                let stdin: Box<dyn Read> = match inputs.keep_stdin(opts) {
                    Ok(Some(kept)) => Box::new(kept),
                    Ok(None) => Box::new(io::stdin()),
                    Err(e) => {
                        let detail = format!("cannot keep standard input to read it again: {e}");
                        inputs.skip("<stdin>".into(), Reason::Unreadable, &detail);
                        continue;
                    }
                };
                inputs.read_stream("<stdin>", stdin, Kind::Json, String::new(), None, opts);
                continue;
            }
            match std::fs::metadata(path) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    let place = path.display().to_string();
                    inputs.warn(Reason::Missing.label(), || {
                        format!("dedup: error: {place}: no such file or folder")
                    });
                    inputs.skipped.push((place, Reason::Missing));
                }
                Err(e) => {
                    let reason = if is_loop(&e) { Reason::SymlinkLoop } else { Reason::Unreadable };
                    inputs.skip(path.display().to_string(), reason, &format!("cannot read: {e}"));
                }
                Ok(m) if m.is_dir() => {
                    let mut seen = HashSet::new();
                    inputs.read_dir(path, path, &mut seen, opts);
                }
                Ok(_) => {
                    // A file named on the command line is read whatever its name: as
                    // JSON when its content is, else as text.
                    let (kind, gz) = kind_of(path);
                    inputs.read_file(path, path.display().to_string(), kind, gz, opts);
                }
            }
        }
        inputs.flush(opts);
        if let Some(&n) =
            inputs.warned.get(REPLACED).filter(|&&n| n > WARNINGS_SHOWN && !opts.verbose)
        {
            eprintln!("dedup: warning: {n} inputs in all had invalid UTF-8 replaced");
        }
        inputs
    }

    fn read_dir(
        &mut self,
        root: &Path,
        dir: &Path,
        seen: &mut HashSet<PathBuf>,
        opts: &mut ReadOptions,
    ) {
        // Follow symlinked folders, but never into a folder already walked.
        match dir.canonicalize() {
            Ok(real) => {
                if !seen.insert(real) {
                    return self.skip(
                        dir.display().to_string(),
                        Reason::SymlinkLoop,
                        "folder already visited (symlink loop)",
                    );
                }
            }
            Err(e) => {
                let reason = if is_loop(&e) { Reason::SymlinkLoop } else { Reason::Unreadable };
                return self.skip(
                    dir.display().to_string(),
                    reason,
                    &format!("cannot open folder: {e}"),
                );
            }
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                return self.skip(
                    dir.display().to_string(),
                    Reason::Unreadable,
                    &format!("cannot read folder: {e}"),
                );
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let hidden =
                path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
            if hidden {
                self.ignore(&path, "hidden");
                continue;
            }
            match std::fs::metadata(&path) {
                Err(e) => {
                    let reason = if is_loop(&e) { Reason::SymlinkLoop } else { Reason::Unreadable };
                    self.skip(path.display().to_string(), reason, &format!("cannot read: {e}"));
                }
                Ok(m) if m.is_dir() => self.read_dir(root, &path, seen, opts),
                Ok(_) => match kind_of(&path) {
                    (Kind::Other, _) => self.ignore(&path, "unknown extension"),
                    (kind, gz) => {
                        let id = path.strip_prefix(root).unwrap_or(&path).display().to_string();
                        self.read_file(&path, id, kind, gz, opts);
                    }
                },
            }
        }
    }

    /// Opens a file; `None` (reported) when it cannot be used.
    fn open_checked(&mut self, path: &Path) -> Option<(File, u64)> {
        let place = path.display().to_string();
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) => {
                let reason = if is_loop(&e) { Reason::SymlinkLoop } else { Reason::Unreadable };
                self.skip(place, reason, &format!("cannot read: {e}"));
                return None;
            }
        };
        let (size, regular) = file.metadata().map_or((0, true), |m| (m.len(), m.is_file()));
        // A pipe (`<(zcat feed.gz)`) has no size: it is read to see.
        if size == 0 && regular {
            self.skip(place, Reason::Empty, "empty file");
            return None;
        }
        Some((file, size))
    }

    /// A file of a folder left alone: counted, and listed with `--verbose`.
    fn ignore(&mut self, path: &Path, why: &str) {
        self.ignored += 1;
        if self.verbose {
            eprintln!("dedup: ignored: {} ({why})", path.display());
        }
    }

    /// Reads a file of `kind` (gzipped when `gz`); `id` is its id if it is text.
    fn read_file(&mut self, path: &Path, id: String, kind: Kind, gz: bool, opts: &mut ReadOptions) {
        let Some((file, size)) = self.open_checked(path) else { return };
        let place = path.display().to_string();
        // Compressed, its size says nothing of what it holds.
        let size = (!gz).then_some(size);
        let file = Counted { inner: file, on_read: opts.on_read };
        let reader: Box<dyn Read> = if gz {
            Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file)))
        } else {
            Box::new(file)
        };
        self.read_stream(&place, reader, kind, id, size, opts);
    }

    /// Copies standard input into a temporary file when it is to be read again, and
    /// opens that instead.
    fn keep_stdin(&mut self, opts: &ReadOptions) -> io::Result<Option<File>> {
        // A second `-` finds standard input read to its end, kept or not.
        if !opts.keep_stdin || self.kept_stdin.is_some() {
            return Ok(None);
        }
        // A new file of a name nobody could have chosen before (never one planted there).
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!("dedup-stdin-{}-{nanos:09}.jsonl", std::process::id());
        let path = std::env::temp_dir().join(name);
        let mut file = File::options().write(true).create_new(true).open(&path)?;
        self.kept_stdin = Some(path.clone());
        io::copy(&mut io::stdin().lock(), &mut file)?;
        File::open(&path).map(Some)
    }

    /// Names each article that `batch` matches on its beginning only (longer than its
    /// deduplicator's `max_article_bytes`), in a warning of its own kind.
    pub fn warn_truncated(&mut self, batch: &Batch) {
        let kept = batch.deduplicator().max_article_bytes();
        for i in 0..batch.len() {
            if batch.truncated(nuskha::DocId(i as u32)) {
                let place = self.place(self.origin(i));
                let id = &self.articles[i].id;
                let line = format!(
                    "dedup: warning: {place}: article \"{id}\" is longer than {kept} bytes; only its first {kept} are matched (--max-article-size)"
                );
                self.warn("article cut short", || line);
            }
        }
    }

    /// Where article `i` (its index in `articles`) was read.
    pub fn origin(&self, i: usize) -> Origin {
        self.origins[i]
    }

    /// The file of an origin, as it can be opened again: standard input only when it
    /// was kept (`ReadOptions::keep_stdin`).
    pub fn path_of(&self, file: u32) -> Option<PathBuf> {
        match self.files[file as usize].as_str() {
            "<stdin>" => self.kept_stdin.clone(),
            place => Some(PathBuf::from(place)),
        }
    }

    /// The compared text of article `i` (title and text as `fields` say), read again
    /// from where it was read: `compare` shows articles that the main command's reader
    /// checked, without that reader keeping any text.
    ///
    /// # Errors
    ///
    /// When the file cannot be read again or has changed since.
    ///
    /// # Panics
    ///
    /// When `i` is not an article read.
    pub fn text_again(&self, i: usize, fields: &JsonlFields) -> io::Result<String> {
        Ok(self.texts_again(&[i], fields)?.pop().expect("one text for one article"))
    }

    /// [`text_again`](Self::text_again) for each article of `ids`, in that order, each
    /// file opened once and read once from its start (the HTML report re-reads the
    /// articles of its clusters this way).
    ///
    /// # Errors
    ///
    /// When a file cannot be read again or has changed since.
    ///
    /// # Panics
    ///
    /// When an id of `ids` is not an article read.
    pub fn texts_again(&self, ids: &[usize], fields: &JsonlFields) -> io::Result<Vec<String>> {
        let mut texts = vec![String::new(); ids.len()];
        let mut by_file: BTreeMap<u32, Vec<(Origin, usize)>> = BTreeMap::new();
        for (k, &i) in ids.iter().enumerate() {
            let origin = self.origin(i);
            let (Origin::File(f) | Origin::Line(f, _) | Origin::Element(f, _)) = origin;
            by_file.entry(f).or_default().push((origin, k));
        }
        for (f, mut wanted) in by_file {
            let path = self
                .path_of(f)
                .ok_or_else(|| io::Error::other("standard input cannot be read again"))?;
            let changed =
                || io::Error::other(format!("{} changed while it was read", path.display()));
            let mut reader = BufReader::new(reopen(&path)?);
            if let Origin::Line(..) = wanted[0].0 {
                let line_of = |o: Origin| match o {
                    Origin::Line(_, n) => n,
                    _ => 0,
                };
                wanted.sort_unstable_by_key(|&(o, _)| line_of(o));
                let mut slots = wanted.iter().map(|&(_, k)| k);
                let numbers = wanted.iter().map(|&(o, _)| line_of(o));
                for_lines(reader, numbers, |_, line| {
                    let k = slots.next().expect("a slot for each line");
                    jsonl::parse_record(line, fields, &mut texts[k])
                        .map(|_| ())
                        .map_err(|_| changed())
                })
                .map_err(|_| changed())?;
                continue;
            }
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes)?;
            let Decoded { text: whole, .. } = decode(&bytes).map_err(|_| changed())?;
            let mut elements: BTreeMap<u64, usize> = BTreeMap::new();
            for (origin, k) in wanted {
                match origin {
                    Origin::Element(_, j) => {
                        elements.insert(j, k);
                    }
                    _ => texts[k] = whole.clone().into_owned(),
                }
            }
            if elements.is_empty() {
                continue;
            }
            let mut buffer = String::new();
            // A document that ends in an error (a JSON array cut short) was read up to
            // it, and is again: only an element not found means the file changed.
            let _ = jsonl::for_each_record(&whole, fields, &mut buffer, &mut |j, record, t| {
                if let (Some(&k), true) = (elements.get(&j), record.is_ok()) {
                    texts[k] = std::mem::take(t);
                    elements.remove(&j);
                }
            });
            if !elements.is_empty() {
                return Err(changed());
            }
        }
        Ok(texts)
    }

    /// Reads one input: its encoding and format told by its first bytes (a byte order
    /// mark dropped, UTF-16 decoded as it is read), then as text, JSON Lines or a JSON
    /// document. JSON Lines are streamed, whatever their size (each article is cut at
    /// the deduplicator's `max_article_bytes`); a text file or a JSON document is read
    /// whole, so one larger than `--max-file-size` (`size` when it is known, else as
    /// it is read) is skipped.
    fn read_stream(
        &mut self,
        place: &str,
        reader: Box<dyn Read + '_>,
        kind: Kind,
        id: String,
        size: Option<u64>,
        opts: &mut ReadOptions,
    ) {
        let (head, reader) = match decoded(reader) {
            Err(e) => {
                return self.skip(
                    place.to_owned(),
                    Reason::Unreadable,
                    &format!("cannot read: {e}"),
                );
            }
            Ok(Decoding::Binary) => {
                return self.skip(place.to_owned(), Reason::Binary, "binary file (NUL bytes)");
            }
            Ok(Decoding::Text { head, rest, utf16 }) => {
                if let Some(big_endian) = utf16 {
                    note_utf16(place, big_endian);
                }
                (head, rest)
            }
        };
        let format = format_of(kind, &head);
        let whole = io::Cursor::new(head).chain(reader);
        match format {
            Format::Jsonl => self.read_jsonl_stream(place, whole, opts),
            Format::Text | Format::Document { .. } => {
                let max = opts.max_file_size;
                let too_large = |this: &mut Self, what: String| {
                    let detail = format!("{what} is more than --max-file-size {max}");
                    this.skip(place.to_owned(), Reason::TooLarge, &detail);
                };
                if let Some(size) = size.filter(|&s| s > max) {
                    (opts.on_read)(size);
                    return too_large(self, format!("{size} bytes"));
                }
                let mut bytes = Vec::new();
                if let Err(e) = whole.take(max.saturating_add(1)).read_to_end(&mut bytes) {
                    let detail = format!("cannot read: {e}");
                    return self.skip(place.to_owned(), Reason::Unreadable, &detail);
                }
                if bytes.len() as u64 > max {
                    return too_large(self, "its text".to_owned());
                }
                if let Format::Document { or_text } = format {
                    if self.read_document(place, &bytes, or_text, opts) {
                        return;
                    }
                }
                self.take_text(place, id, &bytes, opts);
            }
        }
    }

    /// Takes the bytes of a text file (UTF-8 by now, or to be checked as UTF-8).
    fn take_text(&mut self, place: &str, id: String, bytes: &[u8], opts: &mut ReadOptions) {
        if bytes.contains(&0) {
            return self.skip(place.to_owned(), Reason::Binary, "binary file (NUL bytes)");
        }
        let text = match decode(bytes) {
            Ok(Decoded { text, replaced }) => {
                self.warn_replaced(|| place.to_owned(), replaced);
                text.into_owned()
            }
            Err((reason, detail)) => return self.skip(place.to_owned(), reason, &detail),
        };
        if text.trim().is_empty() {
            return self.skip(place.to_owned(), Reason::Empty, "no text");
        }
        let origin = Origin::File(self.file_index(place));
        self.push_text(id, origin, text, Meta::default(), None, opts);
    }
}

/// A stream told by its first bytes: binary, or UTF-8 text to read (a byte order mark
/// dropped, UTF-16 decoded as it is read).
enum Decoding<'r> {
    Binary,
    Text {
        /// The first bytes of the UTF-8 text, then the rest of it.
        head: Vec<u8>,
        rest: Box<dyn Read + 'r>,
        /// `Some(big_endian)` when the input was UTF-16.
        utf16: Option<bool>,
    },
}

fn decoded<'r>(mut reader: Box<dyn Read + 'r>) -> io::Result<Decoding<'r>> {
    let mut head = Vec::new();
    reader.by_ref().take(SNIFF_BYTES as u64).read_to_end(&mut head)?;
    Ok(match sniff(&head) {
        Encoding::Binary => Decoding::Binary,
        Encoding::Utf8 { bom } => {
            head.drain(..bom);
            Decoding::Text { head, rest: reader, utf16: None }
        }
        Encoding::Utf16 { big_endian, bom } => {
            let mut raw = io::Cursor::new(head).chain(reader);
            raw.by_ref().take(bom as u64).read_to_end(&mut Vec::new())?;
            let mut utf8 = Utf16Reader::new(raw, big_endian);
            let mut head = Vec::new();
            utf8.by_ref().take(SNIFF_BYTES as u64).read_to_end(&mut head)?;
            Decoding::Text { head, rest: Box::new(utf8), utf16: Some(big_endian) }
        }
    })
}

/// Calls `on` with each line of `reader` numbered in `wanted` (from 1, ascending), as
/// read, with its newline: the one pass over a file that reads records again.
///
/// # Errors
///
/// When the file ends before a wanted line (it changed since), or `on` fails.
pub fn for_lines(
    mut reader: impl BufRead,
    wanted: impl IntoIterator<Item = u64>,
    mut on: impl FnMut(u64, &[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let mut line = Vec::new();
    let mut number = 0u64;
    for want in wanted {
        while number < want {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the file changed while it was read",
                ));
            }
            number += 1;
        }
        on(number, &line)?;
    }
    Ok(())
}

/// Opens a file read before again, decoded as it was then (gzip by its name, a byte
/// order mark dropped, UTF-16 decoded): the UTF-8 bytes its articles came from.
///
/// # Errors
///
/// When the file cannot be read, is no longer text, or is not a regular file: a named
/// pipe (`<(zcat x.gz)`) was read to its end, and opening it again would wait forever.
pub fn reopen(path: &Path) -> io::Result<Box<dyn Read>> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(io::Error::other(format!(
            "{} is not a regular file (a pipe?): it cannot be read again",
            path.display()
        )));
    }
    let file = File::open(path)?;
    let (_, gz) = kind_of(path);
    let reader: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    match decoded(reader)? {
        Decoding::Binary => Err(io::Error::other("the file changed: it is binary now")),
        Decoding::Text { head, rest, .. } => Ok(Box::new(io::Cursor::new(head).chain(rest))),
    }
}

/// A reader that tells how many bytes each read gave.
struct Counted<'a, R> {
    inner: R,
    on_read: &'a (dyn Fn(u64) + Sync),
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.on_read)(n as u64);
        Ok(n)
    }
}

/// The total size of the inputs when it is known at once: every input a file (not a
/// folder, nor standard input, nor a pipe).
pub fn total_size(paths: &[PathBuf]) -> Option<u64> {
    paths.iter().try_fold(0, |total, path| {
        if path.as_os_str() == "-" {
            return None;
        }
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => Some(total + m.len()),
            Ok(_) => None,
            Err(_) => Some(total),
        }
    })
}

/// True for "too many levels of symbolic links".
fn is_loop(e: &io::Error) -> bool {
    e.raw_os_error() == Some(40) || e.to_string().contains("symbolic links")
}
