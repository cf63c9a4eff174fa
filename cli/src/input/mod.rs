//! Reading articles: text files, folders (recursively, in sorted order) and JSON Lines
//! (plain or gzipped, or `-` for standard input). Bad input is reported, never fatal.
//!
//! Texts are shingled into the batch as they are read (JSON Lines records parsed and
//! shingled together on all cores unless told otherwise), so a corpus never has to fit
//! in memory as text: only ids are kept here.

mod decode;
mod jsonl;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::hash::{BuildHasher, RandomState};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use nuskha::Batch;

pub use decode::{Decoded, decode, replaced_warning};

/// The kind of warning about invalid UTF-8 replaced.
const REPLACED: &str = "invalid UTF-8 replaced";

/// One article read: its id and metadata (its text has been handed on).
#[allow(dead_code, reason = "the metadata is for the report and --representative, next")]
pub struct Article {
    pub id: String,
    /// The JSONL `--title-field` (a string, or a number as written); `None` for text files.
    pub title: Option<String>,
    /// The JSONL `--source-field`; `None` for text files.
    pub source: Option<String>,
    /// The JSONL `--date-field`, as written (not parsed); `None` for text files.
    pub date: Option<String>,
}

/// An article's metadata, as read from its record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    pub title: Option<String>,
    pub source: Option<String>,
    pub date: Option<String>,
}

impl Article {
    fn new(id: String, meta: Meta) -> Self {
        let Meta { title, source, date } = meta;
        Article { id, title, source, date }
    }
}

/// Text files are shingled once this many are pending, or this many bytes of them.
const CHUNK_ARTICLES: usize = 4096;
const CHUNK_BYTES: usize = 32 << 20;

/// How JSONL records are read.
#[derive(Clone, Debug)]
pub struct JsonlFields {
    pub id: String,
    pub text: String,
    pub title: String,
    pub source: String,
    pub date: String,
    /// Leave the title out of the compared text.
    pub no_title: bool,
}

/// What `read` is allowed to do, and where the articles go.
pub struct ReadOptions<'a, 'd> {
    pub fields: JsonlFields,
    /// Larger files are skipped.
    pub max_file_size: u64,
    /// JSON Lines are read this many bytes at a time.
    pub read_block: usize,
    /// Parse and shingle on all cores (else on this thread).
    pub parallel: bool,
    /// Called after each file with the number of bytes read (progress).
    pub on_file: Box<dyn FnMut(u64) + 'a>,
    /// Print every warning and every file ignored (else at most
    /// [`WARNINGS_SHOWN`] warnings of each kind).
    pub verbose: bool,
    /// Receives every article read, shingled, in order.
    pub batch: &'a mut Batch<'d>,
}

/// What was read, and what was left out and why.
#[derive(Default)]
pub struct Inputs {
    /// Every article read, in the order it was added to the batch.
    pub articles: Vec<Article>,
    /// Texts of text files not yet shingled, and their size.
    pending: Vec<String>,
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
}

/// At most this many warnings of one kind are printed (without `--verbose`); the summary
/// counts the rest.
pub const WARNINGS_SHOWN: usize = 10;

/// Where an article was read: a whole file, or one line of one (indexes in `files`).
#[derive(Clone, Copy)]
enum Origin {
    File(u32),
    Line(u32, u64),
}

/// Why an input was skipped; the summary counts by reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    Missing,
    Unreadable,
    TooLarge,
    Empty,
    Binary,
    NotUtf8,
    SymlinkLoop,
    BadRecord,
    DuplicateId,
}

impl Reason {
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

/// Extensions read as one article per file.
const TEXT_EXTENSIONS: [&str; 2] = ["txt", "md"];
/// Extensions read as one article per line.
const JSONL_EXTENSIONS: [&str; 2] = ["jsonl", "ndjson"];

#[derive(PartialEq, Eq)]
enum Kind {
    Text,
    Jsonl { gz: bool },
    Other,
}

fn kind_of(path: &Path) -> Kind {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_lowercase();
    let (stem, gz) = match name.strip_suffix(".gz") {
        Some(stem) => (stem.to_owned(), true),
        None => (name, false),
    };
    let ext = stem.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    if JSONL_EXTENSIONS.contains(&ext) {
        Kind::Jsonl { gz }
    } else if !gz && TEXT_EXTENSIONS.contains(&ext) {
        Kind::Text
    } else {
        Kind::Other
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

    pub(super) fn skip(&mut self, place: String, reason: Reason, detail: &str) {
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

    /// Takes the text of a text file, shingled with the next ones.
    fn push_text(&mut self, id: String, origin: Origin, text: String, opts: &mut ReadOptions) {
        if !self.admit(Article::new(id, Meta::default()), origin) {
            return;
        }
        self.pending_bytes += text.len();
        self.pending.push(text);
        if self.pending.len() >= CHUNK_ARTICLES || self.pending_bytes >= CHUNK_BYTES {
            self.flush(opts);
        }
    }

    /// Shingles the pending texts into the batch.
    pub(super) fn flush(&mut self, opts: &mut ReadOptions) {
        if !self.pending.is_empty() {
            if opts.parallel {
                opts.batch.par_extend(&self.pending);
            } else {
                opts.batch.extend(&self.pending);
            }
            self.pending.clear();
            self.pending_bytes = 0;
        }
    }

    /// Reads every input, warning on stderr about anything skipped, and adds every
    /// article to `opts.batch`.
    pub fn read(paths: &[PathBuf], opts: &mut ReadOptions) -> Inputs {
        let mut inputs = Inputs { verbose: opts.verbose, ..Inputs::default() };
        for path in paths {
            if path.as_os_str() == "-" {
                inputs.read_jsonl_stream("<stdin>", io::stdin(), opts);
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
                    let id = path.display().to_string();
                    match kind_of(path) {
                        Kind::Jsonl { gz } => inputs.read_jsonl_file(path, gz, opts),
                        // A file named on the command line is read as text whatever its name.
                        _ => inputs.read_text_file(path, id, opts),
                    }
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
                self.ignored += 1;
                continue;
            }
            match std::fs::metadata(&path) {
                Err(e) => {
                    let reason = if is_loop(&e) { Reason::SymlinkLoop } else { Reason::Unreadable };
                    self.skip(path.display().to_string(), reason, &format!("cannot read: {e}"));
                }
                Ok(m) if m.is_dir() => self.read_dir(root, &path, seen, opts),
                Ok(_) => match kind_of(&path) {
                    Kind::Text => {
                        let id = path.strip_prefix(root).unwrap_or(&path).display().to_string();
                        self.read_text_file(&path, id, opts);
                    }
                    Kind::Jsonl { gz } => self.read_jsonl_file(&path, gz, opts),
                    Kind::Other => self.ignored += 1,
                },
            }
        }
    }

    /// Opens a file after checking its size; `None` (reported) when it cannot be used.
    fn open_checked(&mut self, path: &Path, opts: &ReadOptions) -> Option<(File, u64)> {
        let place = path.display().to_string();
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) => {
                let reason = if is_loop(&e) { Reason::SymlinkLoop } else { Reason::Unreadable };
                self.skip(place, reason, &format!("cannot read: {e}"));
                return None;
            }
        };
        let size = file.metadata().map_or(0, |m| m.len());
        if size > opts.max_file_size {
            self.skip(
                place,
                Reason::TooLarge,
                &format!("{size} bytes is more than --max-file-size {}", opts.max_file_size),
            );
            return None;
        }
        if size == 0 {
            self.skip(place, Reason::Empty, "empty file");
            return None;
        }
        Some((file, size))
    }

    fn read_text_file(&mut self, path: &Path, id: String, opts: &mut ReadOptions) {
        let Some((mut file, size)) = self.open_checked(path, opts) else { return };
        let place = path.display().to_string();
        let mut bytes = Vec::with_capacity(size as usize);
        if let Err(e) = file.read_to_end(&mut bytes) {
            return self.skip(place, Reason::Unreadable, &format!("cannot read: {e}"));
        }
        (opts.on_file)(size);
        if bytes.contains(&0) {
            return self.skip(place, Reason::Binary, "binary file (NUL bytes)");
        }
        let text = match decode(&bytes) {
            Ok(Decoded { text, replaced }) => {
                self.warn_replaced(|| place.clone(), replaced);
                text.into_owned()
            }
            Err((reason, detail)) => return self.skip(place, reason, &detail),
        };
        if text.trim().is_empty() {
            return self.skip(place, Reason::Empty, "no text");
        }
        let origin = Origin::File(self.file_index(&place));
        self.push_text(id, origin, text, opts);
    }

    fn read_jsonl_file(&mut self, path: &Path, gz: bool, opts: &mut ReadOptions) {
        let Some((file, size)) = self.open_checked(path, opts) else { return };
        let place = path.display().to_string();
        if gz {
            let reader = BufReader::new(flate2::read::MultiGzDecoder::new(BufReader::new(file)));
            self.read_jsonl_stream(&place, reader, opts);
        } else {
            self.read_jsonl_stream(&place, BufReader::new(file), opts);
        }
        (opts.on_file)(size);
    }
}

/// True for "too many levels of symbolic links".
fn is_loop(e: &io::Error) -> bool {
    e.raw_os_error() == Some(40) || e.to_string().contains("symbolic links")
}
