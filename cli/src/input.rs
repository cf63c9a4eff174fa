//! Reading articles: text files, folders (recursively, in sorted order) and JSON Lines
//! (plain or gzipped, or `-` for standard input). Bad input is reported, never fatal.
//!
//! Texts are shingled into the batch as they are read (JSON Lines records parsed and
//! shingled together on all cores unless told otherwise), so a corpus never has to fit
//! in memory as text: only ids are kept here.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use nuskha::{Batch, Deduplicator, ShingledArticle, decode_lossy};

/// One article read: its id (its text has been handed on).
pub struct Article {
    pub id: String,
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
        }
    }
}

/// Extensions read as one article per file.
const TEXT_EXTENSIONS: [&str; 2] = ["txt", "md"];
/// Extensions read as one article per line.
const JSONL_EXTENSIONS: [&str; 2] = ["jsonl", "ndjson"];
/// A file whose decoded text is more than this share of U+FFFD is not UTF-8.
const MAX_REPLACEMENT_SHARE: f64 = 0.1;

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

    fn skip(&mut self, place: String, reason: Reason, detail: &str) {
        eprintln!("dedup: warning: {place}: {detail}; skipped");
        self.skipped.push((place, reason));
    }

    /// Takes the text of a text file, shingled with the next ones.
    fn push_text(&mut self, id: String, text: String, opts: &mut ReadOptions) {
        self.articles.push(Article { id });
        self.pending_bytes += text.len();
        self.pending.push(text);
        if self.pending.len() >= CHUNK_ARTICLES || self.pending_bytes >= CHUNK_BYTES {
            self.flush(opts);
        }
    }

    /// Shingles the pending texts into the batch.
    fn flush(&mut self, opts: &mut ReadOptions) {
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
        let mut inputs = Inputs::default();
        for path in paths {
            if path.as_os_str() == "-" {
                inputs.read_jsonl_stream("<stdin>", io::stdin(), opts);
                continue;
            }
            match std::fs::metadata(path) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    let place = path.display().to_string();
                    eprintln!("dedup: error: {place}: no such file or folder");
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
                warn_replaced(&place, replaced);
                text.into_owned()
            }
            Err((reason, detail)) => return self.skip(place, reason, &detail),
        };
        if text.trim().is_empty() {
            return self.skip(place, Reason::Empty, "no text");
        }
        self.push_text(id, text, opts);
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

    /// Reads one record per line; a bad line is reported with its number and skipped.
    ///
    /// The input is read in blocks of about `opts.read_block` bytes of whole lines
    /// (few system calls, no copy per line), and each block's records are parsed and
    /// shingled at once. When `opts.parallel`, each block is a task for the thread pool
    /// while this thread reads the next ones and takes the finished blocks in order:
    /// the cores never wait for one another between blocks.
    fn read_jsonl_stream(&mut self, place: &str, reader: impl Read, opts: &mut ReadOptions) {
        // Text files read before keep their order.
        self.flush(opts);
        let mut blocks = LineBlocks::new(reader, opts.read_block);
        let dedup = opts.batch.deduplicator();
        let mut lines = 0u64;
        let mut failed = None;
        if opts.parallel {
            let fields = &opts.fields.clone();
            // Blocks read ahead of the one to take next: enough to keep every core busy,
            // few enough to bound memory.
            let ahead = 2 * rayon::current_num_threads() + 1;
            rayon::in_place_scope(|s| {
                let (tx, rx) = std::sync::mpsc::channel();
                let mut done: BTreeMap<usize, ParsedBlock> = BTreeMap::new();
                let (mut sent, mut next) = (0, 0);
                loop {
                    let more = sent - next < ahead && failed.is_none();
                    match more.then(|| blocks.next()).flatten() {
                        Some(Ok(bytes)) => {
                            let tx = tx.clone();
                            let k = sent;
                            s.spawn(move |_| {
                                // A panic is handed over too: this thread waits for every block.
                                let parsed = std::panic::catch_unwind(AssertUnwindSafe(|| {
                                    parse_block(&bytes, fields, dedup)
                                }));
                                let _ = tx.send((k, parsed, bytes));
                            });
                            sent += 1;
                        }
                        Some(Err(e)) => failed = Some(e),
                        None if next == sent => break,
                        None => {
                            // Wait for a block, then take every block due, in order.
                            let Ok((k, parsed, bytes)) = rx.recv() else { break };
                            blocks.recycle(bytes);
                            done.insert(k, parsed.unwrap_or_else(|p| std::panic::resume_unwind(p)));
                            while let Some(block) = done.remove(&next) {
                                let n = block.lines;
                                self.take_block(place, lines, block, opts);
                                lines += n;
                                next += 1;
                            }
                        }
                    }
                }
            });
        } else {
            while let Some(block) = blocks.next() {
                match block {
                    Ok(bytes) => {
                        let block = parse_block(&bytes, &opts.fields, dedup);
                        blocks.recycle(bytes);
                        lines += block.lines;
                        self.take_block(place, lines - block.lines, block, opts);
                    }
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
        }
        if let Some(e) = failed {
            let place = format!("{place}:{}", lines + 1);
            self.skip(place, Reason::Unreadable, &format!("read error: {e}"));
        } else if lines == 0 {
            self.skip(place.to_owned(), Reason::Empty, "no records");
        }
    }

    /// Takes the records of a block whose first line follows line `before`.
    fn take_block(&mut self, place: &str, before: u64, block: ParsedBlock, opts: &mut ReadOptions) {
        for (line, record) in block.records {
            // Formatted only when needed: most records have an id and no warning.
            let where_ = || format!("{place}:{}", before + line);
            match record {
                Ok(Parsed { id, article, replaced }) => {
                    if replaced > 0 {
                        warn_replaced(&where_(), replaced);
                    }
                    self.articles.push(Article { id: id.unwrap_or_else(where_) });
                    opts.batch.push(article);
                }
                Err((reason, detail)) => self.skip(where_(), reason, &detail),
            }
        }
    }
}

/// The records of one block of whole lines, parsed and shingled.
struct ParsedBlock<'d> {
    /// How many lines the block has, blank ones included.
    lines: u64,
    /// Each line that is not blank: (its number in the block, from 1; its record).
    records: Vec<(u64, Result<Parsed<'d>, Refused>)>,
}

/// Why an input was refused, and what the warning says.
type Refused = (Reason, String);

/// Parses and shingles the lines of `bytes`. Every block but the last ends with a
/// newline; the last line may have none. Each text is dropped once shingled.
fn parse_block<'d>(bytes: &[u8], fields: &JsonlFields, dedup: &'d Deduplicator) -> ParsedBlock<'d> {
    let mut block = ParsedBlock { lines: 0, records: Vec::new() };
    // Each record's text, in one buffer for the whole block.
    let mut text = String::new();
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', bytes).map(|k| k + 1);
    let last = (bytes.last() != Some(&b'\n')).then_some(bytes.len());
    for end in ends.chain(last) {
        block.lines += 1;
        let line = &bytes[start..end];
        start = end;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record = parse_record(line, fields, &mut text).map(|Record { id, replaced }| Parsed {
            id,
            article: dedup.shingle(&text),
            replaced,
        });
        block.records.push((block.lines, record));
    }
    block
}

/// Blocks of whole lines: each read of about `size` bytes, up to its last newline (the
/// rest is carried into the next block), and at the end what is left.
struct LineBlocks<R> {
    reader: R,
    size: usize,
    carried: Vec<u8>,
    /// A read error, reported after the whole lines read before it.
    error: Option<io::Error>,
    /// Blocks done with, read into again: fresh ones cost a page fault per 4 KiB
    /// (SaudiNewsNet, two threads: 12,000 page faults with fresh blocks, 9,650 reused).
    spare: Vec<Vec<u8>>,
}

impl<R: Read> LineBlocks<R> {
    fn new(reader: R, size: usize) -> Self {
        LineBlocks { reader, size, carried: Vec::new(), error: None, spare: Vec::new() }
    }

    /// Takes back a block handed out, to read into again.
    fn recycle(&mut self, block: Vec<u8>) {
        self.spare.push(block);
    }
}

impl<R: Read> Iterator for LineBlocks<R> {
    type Item = io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.error.take() {
            return Some(Err(e));
        }
        let mut bytes = self.spare.pop().unwrap_or_default();
        bytes.clear();
        bytes.extend_from_slice(&self.carried);
        self.carried.clear();
        loop {
            // Room for a whole read, so that a recycled block is never reallocated.
            bytes.reserve(self.size.saturating_add(64));
            let before = bytes.len();
            match (&mut self.reader).take(self.size as u64).read_to_end(&mut bytes) {
                // The end: what is left is the last line, without a newline.
                Ok(0) => return (!bytes.is_empty()).then_some(Ok(bytes)),
                Ok(_) => {}
                Err(e) => {
                    // Nothing is read after an error; a line it cut is dropped.
                    self.size = 0;
                    bytes.truncate(memchr::memrchr(b'\n', &bytes).map_or(0, |k| k + 1));
                    if bytes.is_empty() {
                        return Some(Err(e));
                    }
                    self.error = Some(e);
                    return Some(Ok(bytes));
                }
            }
            // A line longer than a block is read on until its end.
            if let Some(k) = memchr::memrchr(b'\n', &bytes[before..]) {
                self.carried.extend_from_slice(&bytes[before + k + 1..]);
                bytes.truncate(before + k + 1);
                return Some(Ok(bytes));
            }
        }
    }
}

/// A JSONL record parsed and shingled.
struct Parsed<'d> {
    id: Option<String>,
    article: ShingledArticle<'d>,
    replaced: usize,
}

/// Text decoded from bytes, with the number of invalid sequences replaced.
struct Decoded<'a> {
    text: Cow<'a, str>,
    replaced: usize,
}

/// Decodes UTF-8 lossily; an error when the bytes are mostly not UTF-8.
fn decode(bytes: &[u8]) -> Result<Decoded<'_>, (Reason, String)> {
    let (text, bad) = decode_lossy(bytes);
    if bad > 0 {
        let chars = text.chars().count().max(1);
        if bad as f64 / chars as f64 > MAX_REPLACEMENT_SHARE {
            return Err((
                Reason::NotUtf8,
                format!(
                    "not UTF-8: {bad} invalid sequences in {chars} characters (Windows-1256? convert it with iconv -f CP1256 -t UTF-8)"
                ),
            ));
        }
    }
    Ok(Decoded { text, replaced: bad })
}

fn warn_replaced(place: &str, replaced: usize) {
    if replaced > 0 {
        eprintln!("dedup: warning: {place}: invalid UTF-8, {replaced} byte sequence(s) replaced");
    }
}

/// One JSONL record: its id when it has one (its text is in the caller's buffer).
struct Record {
    id: Option<String>,
    replaced: usize,
}

/// Parses one JSONL record into its id and, in `text`, the text to compare (the title,
/// a newline and the body, or the body alone). Only the fields asked for are kept, and
/// the text goes into a buffer used again for the next record: no allocation for the
/// text or for the fields nobody reads. As with a map of the whole record, the last of
/// a repeated field counts.
fn parse_record(line: &[u8], f: &JsonlFields, text: &mut String) -> Result<Record, Refused> {
    use serde::de::DeserializeSeed;
    let Decoded { text: json, replaced } = decode(line)?;
    let mut de = serde_json::Deserializer::from_str(&json);
    let fields = RecordFields { f, text: &mut *text, has_text: false, id: None, title: None };
    let fields = fields
        .deserialize(&mut de)
        .and_then(|fields| de.end().map(|()| fields))
        .map_err(|e| (Reason::BadRecord, format!("malformed JSON ({e})")))?;
    if !fields.has_text {
        return Err((Reason::BadRecord, format!("no string field `{}`", f.text)));
    }
    let id = match fields.id {
        Some(Field::Str(s)) => Some(s),
        Some(Field::Number(x)) => Some(x.to_string()),
        _ => None,
    };
    if let Some(Field::Str(title)) = fields.title.filter(|_| !f.no_title) {
        if !title.is_empty() {
            text.insert(0, '\n');
            text.insert_str(0, &title);
        }
    }
    Ok(Record { id, replaced })
}

/// What a record's fields hold, as it is read.
struct RecordFields<'a> {
    f: &'a JsonlFields,
    /// The body, once a string field of that name has been read.
    text: &'a mut String,
    has_text: bool,
    id: Option<Field>,
    title: Option<Field>,
}

/// The value of a field: the id and title keep strings and numbers; the text's string
/// goes into the record's buffer.
enum Field {
    Str(String),
    Number(serde_json::Number),
    /// A string, written into the buffer.
    Text,
    Other,
}

/// Reads one field's value; a string goes into `into` when there is one.
struct FieldValue<'a> {
    into: Option<&'a mut String>,
}

/// The visitor methods for values read through and dropped: `$other` is what each
/// gives back (`$this` being the visitor).
macro_rules! drop_values {
    ($this:ident => $other:expr; $($scalar:ident: $ty:ty),*) => {
        $(
            fn $scalar<E>(self, _: $ty) -> Result<Self::Value, E> {
                let $this = self;
                Ok($other)
            }
        )*
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            let $this = self;
            Ok($other)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            let $this = self;
            Ok($other)
        }
    };
}

impl<'de> serde::de::DeserializeSeed<'de> for RecordFields<'_> {
    type Value = Self;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RecordFields<'_> {
    type Value = Self;

    fn expecting(&self, out: &mut std::fmt::Formatter) -> std::fmt::Result {
        out.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, mut map: A) -> Result<Self, A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if *key == self.f.text {
                let value = map.next_value_seed(FieldValue { into: Some(&mut *self.text) })?;
                self.has_text = matches!(value, Field::Text);
            } else if *key == self.f.id || *key == self.f.title {
                let value = map.next_value_seed(FieldValue { into: None })?;
                if *key == self.f.id && *key == self.f.title {
                    self.title = Some(match &value {
                        Field::Str(s) => Field::Str(s.clone()),
                        _ => Field::Other,
                    });
                    self.id = Some(value);
                } else if *key == self.f.id {
                    self.id = Some(value);
                } else {
                    self.title = Some(value);
                }
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(self)
    }

    // Not an object: valid JSON, but without the text field.
    drop_values!(this => this; visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
}

impl<'de> serde::de::DeserializeSeed<'de> for FieldValue<'_> {
    type Value = Field;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Field, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FieldValue<'_> {
    type Value = Field;

    fn expecting(&self, out: &mut std::fmt::Formatter) -> std::fmt::Result {
        out.write_str("a JSON value")
    }

    fn visit_str<E>(self, s: &str) -> Result<Field, E> {
        Ok(match self.into {
            Some(buffer) => {
                buffer.clear();
                buffer.push_str(s);
                Field::Text
            }
            None => Field::Str(s.to_owned()),
        })
    }
    fn visit_i64<E>(self, x: i64) -> Result<Field, E> {
        Ok(Field::Number(x.into()))
    }
    fn visit_u64<E>(self, x: u64) -> Result<Field, E> {
        Ok(Field::Number(x.into()))
    }
    fn visit_f64<E>(self, x: f64) -> Result<Field, E> {
        Ok(serde_json::Number::from_f64(x).map_or(Field::Other, Field::Number))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Field, A::Error> {
        while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
        Ok(Field::Other)
    }
    drop_values!(_this => Field::Other; visit_bool: bool);
}

/// True for "too many levels of symbolic links".
fn is_loop(e: &io::Error) -> bool {
    e.raw_os_error() == Some(40) || e.to_string().contains("symbolic links")
}
