//! JSON Lines: blocks of whole lines, each parsed and shingled at once (on all cores
//! when asked), and the record reader that keeps only the id, title and text.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::panic::AssertUnwindSafe;

use nuskha::{Deduplicator, ShingledArticle};

use super::decode::{Decoded, decode};
use super::{Article, Inputs, JsonlFields, Meta, Origin, ReadOptions, Reason};

impl Inputs {
    /// Reads one record per line; a bad line is reported with its number and skipped.
    ///
    /// The input is read in blocks of about `opts.read_block` bytes of whole lines
    /// (few system calls, no copy per line), and each block's records are parsed and
    /// shingled at once. When `opts.parallel`, each block is a task for the thread pool
    /// while this thread reads the next ones and takes the finished blocks in order:
    /// the cores never wait for one another between blocks.
    pub(super) fn read_jsonl_stream(
        &mut self,
        place: &str,
        reader: impl Read,
        opts: &mut ReadOptions,
    ) {
        // Text files read before keep their order.
        self.flush(opts);
        let max_line = usize::try_from(opts.max_file_size).unwrap_or(usize::MAX);
        let mut blocks = LineBlocks::new(reader, opts.read_block, max_line);
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
                                    parse_block(bytes.lines(), fields, dedup, max_line)
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
                        let block = parse_block(bytes.lines(), &opts.fields, dedup, max_line);
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
        let file = self.file_index(place);
        for (line, record) in block.records {
            // Formatted only when needed: most records have an id and no warning.
            let where_ = || format!("{place}:{}", before + line);
            match record {
                Ok(Parsed { record, article }) => {
                    let Record { id, meta, source, replaced } = record;
                    self.warn_replaced(where_, replaced);
                    let article_ = Article::new(id.unwrap_or_else(where_), meta);
                    // A later article of an id already read is dropped, shingles and all.
                    if self.admit(article_, Origin::Line(file, before + line)) {
                        let article = if opts.keeps(opts.batch.len()) {
                            article
                        } else {
                            // Another shard's: its shingles are dropped at once.
                            opts.batch.deduplicator().shingle("")
                        };
                        let id = opts.batch.push(article);
                        if let Some(source) = source {
                            opts.batch.set_source(id, &source);
                        }
                    }
                }
                Err((reason, detail)) => self.skip(where_(), reason, &detail),
            }
        }
    }
}

impl Inputs {
    /// Reads a JSON document: an array of records, or one record. Returns false, having
    /// done nothing, when `or_text` and the bytes are not JSON (they are text then).
    pub(super) fn read_document(
        &mut self,
        place: &str,
        bytes: &[u8],
        or_text: bool,
        opts: &mut ReadOptions,
    ) -> bool {
        let json = match decode(bytes) {
            Ok(d) => d,
            Err(_) if or_text => return false,
            Err((reason, detail)) => {
                self.skip(place.to_owned(), reason, &detail);
                return true;
            }
        };
        let fields = opts.fields.clone();
        let mut records = Vec::new();
        let mut text = String::new();
        let result = for_each_record(&json.text, &fields, &mut text, &mut |i, record, text| {
            records.push((i, record.map(|r| (r, std::mem::take(text)))));
        });
        // A text file is JSON only when all of it is, and holds a record: prose that
        // opens with `[1]` stays one article.
        if or_text && (result.is_err() || !records.iter().any(|(_, r)| r.is_ok())) {
            return false;
        }
        self.warn_replaced(|| place.to_owned(), json.replaced);
        let file = self.file_index(place);
        for (i, record) in records {
            let origin = Origin::Element(file, i);
            match record {
                Ok((Record { id, meta, source, .. }, text)) => {
                    let id = id.unwrap_or_else(|| format!("{place}[{i}]"));
                    self.push_text(id, origin, text, meta, source, opts);
                }
                Err((reason, detail)) => self.skip(format!("{place}[{i}]"), reason, &detail),
            }
        }
        match result {
            Err(e) => {
                let detail = format!("malformed JSON ({e})");
                self.skip(place.to_owned(), Reason::BadRecord, &detail);
            }
            Ok(0) => self.skip(place.to_owned(), Reason::Empty, "no records"),
            Ok(_) => {}
        }
        true
    }
}

/// Calls `on(i, record, text)` for each record of a JSON document (each element `i` of
/// an array, or the one object as element 0), its text in `text`; returns how many.
pub(super) fn for_each_record(
    json: &str,
    f: &JsonlFields,
    text: &mut String,
    on: &mut OnRecord,
) -> Result<u64, serde_json::Error> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(json);
    let n = Document { f, text, on }.deserialize(&mut de)?;
    de.end()?;
    Ok(n)
}

/// A JSON document read record by record.
struct Document<'a, 'o> {
    f: &'a JsonlFields,
    text: &'a mut String,
    on: &'o mut OnRecord<'o>,
}

/// Called with each record of a document: its index, the record, its text.
pub(super) type OnRecord<'a> = dyn FnMut(u64, Result<Record, Refused>, &mut String) + 'a;

impl<'de> serde::de::DeserializeSeed<'de> for Document<'_, '_> {
    type Value = u64;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Document<'_, '_> {
    type Value = u64;

    fn expecting(&self, out: &mut std::fmt::Formatter) -> std::fmt::Result {
        out.write_str("an array of records or one record")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let mut n = 0;
        while let Some(fields) = seq.next_element_seed(RecordFields::new(self.f, self.text))? {
            let record = fields.finish();
            (self.on)(n, record, self.text);
            n += 1;
        }
        Ok(n)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<u64, A::Error> {
        let record = RecordFields::new(self.f, self.text).visit_map(map)?.finish();
        (self.on)(0, record, self.text);
        Ok(1)
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
/// A line longer than `max_line` is refused as too large.
fn parse_block<'d>(
    bytes: &[u8],
    fields: &JsonlFields,
    dedup: &'d Deduplicator,
    max_line: usize,
) -> ParsedBlock<'d> {
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
        if line.len() > max_line {
            let why =
                format!("a line of {} bytes is more than --max-file-size {max_line}", line.len());
            block.records.push((block.lines, Err((Reason::TooLarge, why))));
            continue;
        }
        let record = parse_record(line, fields, &mut text)
            .map(|record| Parsed { record, article: dedup.shingle(&text) });
        block.records.push((block.lines, record));
    }
    block
}

/// A block of whole lines: the first `len` bytes of `buf`. The rest of `buf` holds old
/// bytes, kept so that a block read into again need not be cleared first (reading
/// through a `Read` that cannot fill uninitialised memory clears it on every read:
/// 1.6% of a run's instructions on SaudiNewsNet).
struct Block {
    buf: Vec<u8>,
    len: usize,
}

impl Block {
    fn lines(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The first size a block is cleared to, before it grows to a read's `size`.
const FIRST_BLOCK: usize = 64 << 10;

/// Blocks of whole lines: each read of about `size` bytes, up to its last newline (the
/// rest is carried into the next block), and at the end what is left. A line longer
/// than `max_line` is handed on whole and refused by [`parse_block`], but one that
/// runs on past four times that (a file with no newline) ends the reading with an
/// error rather than fill the memory.
struct LineBlocks<R> {
    reader: R,
    size: usize,
    max_line: usize,
    carried: Vec<u8>,
    /// A read error, reported after the whole lines read before it.
    error: Option<io::Error>,
    /// Blocks done with, read into again: fresh ones cost a page fault per 4 KiB
    /// (SaudiNewsNet, two threads: 12,000 page faults with fresh blocks, 9,650 reused).
    spare: Vec<Vec<u8>>,
}

impl<R: Read> LineBlocks<R> {
    fn new(reader: R, size: usize, max_line: usize) -> Self {
        LineBlocks { reader, size, max_line, carried: Vec::new(), error: None, spare: Vec::new() }
    }

    /// Takes back a block handed out, to read into again.
    fn recycle(&mut self, block: Block) {
        self.spare.push(block.buf);
    }

    /// Reads into `buf[from..]` until `self.size` bytes are read or the input ends:
    /// where the bytes read end, and the error that stopped the reading if one did.
    fn fill(&mut self, buf: &mut Vec<u8>, from: usize) -> (usize, Option<io::Error>) {
        let want = from.saturating_add(self.size);
        let mut end = from;
        while end < want {
            if end == buf.len() {
                // Grown as it fills, so that a small file clears and faults in only
                // about what it reads, not a whole block.
                let grown = buf.len().saturating_mul(2).max(FIRST_BLOCK).min(want);
                buf.resize(grown, 0);
            }
            let until = buf.len().min(want);
            match self.reader.read(&mut buf[end..until]) {
                Ok(0) => break,
                Ok(n) => end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return (end, Some(e)),
            }
        }
        (end, None)
    }
}

impl<R: Read> Iterator for LineBlocks<R> {
    type Item = io::Result<Block>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.error.take() {
            return Some(Err(e));
        }
        let mut buf = self.spare.pop().unwrap_or_default();
        let mut len = self.carried.len();
        if buf.len() < len {
            buf.resize(len, 0);
        }
        buf[..len].copy_from_slice(&self.carried);
        self.carried.clear();
        loop {
            let before = len;
            match self.fill(&mut buf, before) {
                // The end: what is left is the last line, without a newline.
                (end, None) if end == before => {
                    return (len > 0).then_some(Ok(Block { buf, len }));
                }
                (end, None) => len = end,
                (end, Some(e)) => {
                    // Nothing is read after an error; a line it cut is dropped.
                    self.size = 0;
                    len = memchr::memrchr(b'\n', &buf[..end]).map_or(0, |k| k + 1);
                    if len == 0 {
                        return Some(Err(e));
                    }
                    self.error = Some(e);
                    return Some(Ok(Block { buf, len }));
                }
            }
            // A line longer than a block is read on until its end.
            if let Some(k) = memchr::memrchr(b'\n', &buf[before..len]) {
                self.carried.extend_from_slice(&buf[before + k + 1..len]);
                return Some(Ok(Block { buf, len: before + k + 1 }));
            }
            // Here the block is one line so far.
            if len / 4 > self.max_line {
                self.size = 0;
                return Some(Err(io::Error::other(format!(
                    "a line runs on past four times --max-file-size ({} bytes); the rest is not read",
                    self.max_line
                ))));
            }
        }
    }
}

/// A JSONL record parsed and shingled.
struct Parsed<'d> {
    record: Record,
    article: ShingledArticle<'d>,
}

/// One JSONL record: its id when it has one, and its metadata (its text is in the
/// caller's buffer).
pub(super) struct Record {
    pub id: Option<String>,
    pub meta: Meta,
    /// The source, when the batch is to be told it (`JsonlFields::sources`).
    pub source: Option<String>,
    pub replaced: usize,
}

/// Parses one JSONL record into its id and, in `text`, the text to compare (the title,
/// a newline and the body, or the body alone). Only the fields asked for are kept, and
/// the text goes into a buffer used again for the next record: no allocation for the
/// text or for the fields nobody reads. As with a map of the whole record, the last of
/// a repeated field counts.
pub(super) fn parse_record(
    line: &[u8],
    f: &JsonlFields,
    text: &mut String,
) -> Result<Record, Refused> {
    use serde::de::DeserializeSeed;
    let Decoded { text: json, replaced } = decode(line)?;
    let mut de = serde_json::Deserializer::from_str(&json);
    let fields = RecordFields::new(f, text)
        .deserialize(&mut de)
        .and_then(|fields| de.end().map(|()| fields))
        .map_err(|e| (Reason::BadRecord, format!("malformed JSON ({e})")))?;
    let mut record = fields.finish()?;
    record.replaced = replaced;
    Ok(record)
}

impl<'a> RecordFields<'a> {
    pub(super) fn new(f: &'a JsonlFields, text: &'a mut String) -> Self {
        RecordFields { f, text, has_text: false, id: None, title: None, source: None, date: None }
    }

    /// The record read, its title put before the text unless told otherwise.
    pub(super) fn finish(self) -> Result<Record, Refused> {
        if !self.has_text {
            return Err((Reason::BadRecord, format!("no string field `{}`", self.f.text)));
        }
        let title_str = matches!(self.title, Some(Field::Str(_)));
        let title = self.title.and_then(Field::into_string);
        if let Some(title) = title.as_deref().filter(|_| title_str && !self.f.no_title) {
            if !title.is_empty() {
                self.text.insert(0, '\n');
                self.text.insert_str(0, title);
            }
        }
        let source = self.source.and_then(Field::into_string);
        let meta = Meta {
            title: title.filter(|_| self.f.keep_meta),
            source: source.clone().filter(|_| self.f.keep_meta),
            date: self.date.and_then(Field::into_string),
        };
        let source = source.filter(|_| self.f.sources);
        Ok(Record { id: self.id.and_then(Field::into_string), meta, source, replaced: 0 })
    }
}

/// What a record's fields hold, as it is read.
struct RecordFields<'a> {
    f: &'a JsonlFields,
    /// The body, once a string field of that name has been read.
    text: &'a mut String,
    has_text: bool,
    id: Option<Field>,
    title: Option<Field>,
    source: Option<Field>,
    date: Option<Field>,
}

/// The value of a field: the id and metadata keep strings and numbers (the text's
/// string goes into the record's buffer).
#[derive(Clone)]
enum Field {
    Str(String),
    Number(serde_json::Number),
    Other,
}

impl Field {
    /// A string as it is, a number as written in JSON; anything else is no value.
    fn into_string(self) -> Option<String> {
        match self {
            Field::Str(s) => Some(s),
            Field::Number(x) => Some(x.to_string()),
            Field::Other => None,
        }
    }
}

/// The JSON string `raw` (its quotes included) unescaped into `out`, which is cleared
/// first. `serde_json` has checked `raw` as it read it past (escapes well formed, no
/// control characters); what is left to refuse is a `\u` escape of half a surrogate
/// pair, which `serde_json` refuses in a string too.
fn unescape_into(raw: &str, out: &mut String) -> Result<(), &'static str> {
    out.clear();
    let body = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')).ok_or("not a string")?;
    out.reserve(body.len());
    let bytes = body.as_bytes();
    let mut start = 0;
    while let Some(k) = memchr::memchr(b'\\', &bytes[start..]) {
        let at = start + k;
        out.push_str(&body[start..at]);
        let escape = *bytes.get(at + 1).ok_or("a string ends in a backslash")?;
        start = at + 2;
        let c = match escape {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = hex4(bytes, start)?;
                start += 4;
                let code = match unit {
                    0xD800..=0xDBFF => {
                        let low = bytes
                            .get(start..start + 2)
                            .filter(|&next| next == b"\\u")
                            .and_then(|_| hex4(bytes, start + 2).ok())
                            .filter(|low| (0xDC00..=0xDFFF).contains(low))
                            .ok_or("a lone leading surrogate in a \\u escape")?;
                        start += 6;
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err("a lone trailing surrogate in a \\u escape"),
                    _ => unit,
                };
                char::from_u32(code).ok_or("an invalid \\u escape")?
            }
            _ => return Err("an invalid escape"),
        };
        out.push(c);
    }
    out.push_str(&body[start..]);
    Ok(())
}

/// The four hexadecimal digits at `at` of `bytes`, as a number.
fn hex4(bytes: &[u8], at: usize) -> Result<u32, &'static str> {
    let digits = bytes.get(at..at + 4).ok_or("a short \\u escape")?;
    digits.iter().try_fold(0, |n, &d| {
        let v = char::from(d).to_digit(16).ok_or("a \\u escape that is not hexadecimal")?;
        Ok(n * 16 + v)
    })
}

/// Reads one field's value (the id and the metadata), copying a string.
struct FieldValue;

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
                // The value's JSON as it stands, unescaped here into the record's
                // buffer: serde_json would first copy a string with escapes (every
                // text with a newline) into a scratch buffer of its own, grown afresh
                // for each record (SaudiNewsNet, one thread: 0.978 of the time of that,
                // 11 paired runs).
                let raw = map.next_value::<&'de serde_json::value::RawValue>()?;
                self.has_text = raw.get().starts_with('"');
                if self.has_text {
                    unescape_into(raw.get(), self.text).map_err(serde::de::Error::custom)?;
                }
            } else if *key == self.f.id
                || *key == self.f.title
                || ((self.f.keep_meta || self.f.sources) && *key == self.f.source)
                || (self.f.keep_meta && *key == self.f.date)
            {
                let value = map.next_value_seed(FieldValue)?;
                // One field may be asked for twice (`--id-field title`): each gets it,
                // copied only then.
                let slots = [
                    (*key == self.f.id).then_some(&mut self.id),
                    (*key == self.f.title).then_some(&mut self.title),
                    ((self.f.keep_meta || self.f.sources) && *key == self.f.source)
                        .then_some(&mut self.source),
                    (self.f.keep_meta && *key == self.f.date).then_some(&mut self.date),
                ];
                let mut slots = slots.into_iter().flatten();
                if let Some(first) = slots.next() {
                    for other in slots {
                        *other = Some(value.clone());
                    }
                    *first = Some(value);
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

impl<'de> serde::de::DeserializeSeed<'de> for FieldValue {
    type Value = Field;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Field, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FieldValue {
    type Value = Field;

    fn expecting(&self, out: &mut std::fmt::Formatter) -> std::fmt::Result {
        out.write_str("a JSON value")
    }

    fn visit_str<E>(self, s: &str) -> Result<Field, E> {
        Ok(Field::Str(s.to_owned()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> JsonlFields {
        JsonlFields {
            id: "id".into(),
            text: "text".into(),
            title: "title".into(),
            source: "source".into(),
            date: "date".into(),
            keep_meta: true,
            sources: false,
            no_title: false,
        }
    }

    fn parse(line: &str, f: &JsonlFields) -> (Record, String) {
        let mut text = String::new();
        let Ok(record) = parse_record(line.as_bytes(), f, &mut text) else {
            panic!("not a record: {line}")
        };
        (record, text)
    }

    #[test]
    fn metadata_fields_are_kept_as_strings_or_numbers() {
        let line = r#"{"date": "2015-08-03", "id": "a", "source": "sabq", "title": "T", "text": "body", "x": [1]}"#;
        let (r, text) = parse(line, &fields());
        assert_eq!(r.id.as_deref(), Some("a"));
        assert_eq!(
            r.meta,
            Meta {
                title: Some("T".into()),
                source: Some("sabq".into()),
                date: Some("2015-08-03".into())
            }
        );
        assert_eq!(text, "T\nbody");
        // Numbers as written; other values and missing fields give nothing.
        let (r, text) =
            parse(r#"{"text": "b", "date": 20150803, "source": null, "title": 7}"#, &fields());
        assert_eq!(
            r.meta,
            Meta { title: Some("7".into()), source: None, date: Some("20150803".into()) }
        );
        assert_eq!(text, "b", "a number title is kept, not compared");
    }

    #[test]
    fn the_source_is_read_for_the_batch_without_the_metadata() {
        let line = r#"{"id": "a", "source": "sabq", "date": "d", "text": "body"}"#;
        let f = JsonlFields { keep_meta: false, sources: true, ..fields() };
        let (r, _) = parse(line, &f);
        assert_eq!((r.source.as_deref(), r.meta), (Some("sabq"), Meta::default()));
        let (r, _) = parse(line, &JsonlFields { sources: false, ..f.clone() });
        assert_eq!(r.source, None);
        let (r, _) = parse(line, &JsonlFields { keep_meta: true, sources: false, ..f });
        assert_eq!((r.source, r.meta.source.as_deref()), (None, Some("sabq")));
    }

    #[test]
    fn metadata_fields_follow_the_options() {
        let f = JsonlFields {
            source: "outlet".into(),
            date: "published".into(),
            title: "id".into(),
            no_title: true,
            ..fields()
        };
        let (r, text) = parse(
            r#"{"id": "x", "outlet": "o", "published": "p", "source": "no", "text": "t"}"#,
            &f,
        );
        assert_eq!(r.id.as_deref(), Some("x"));
        assert_eq!(r.meta.title.as_deref(), Some("x"), "one field asked for twice");
        assert_eq!(r.meta.source.as_deref(), Some("o"));
        assert_eq!(r.meta.date.as_deref(), Some("p"));
        assert_eq!(text, "t");
    }

    /// The text's own unescaping against `serde_json`'s, on strings made of every kind of
    /// escape, good and bad: the same text, or both refuse the record.
    #[test]
    fn the_text_is_unescaped_as_serde_json_unescapes_it() {
        let pieces = [
            "خبر",
            "abc",
            " ",
            r"\n",
            r"\r\n",
            r"\t",
            r#"\""#,
            r"\\",
            r"\/",
            r"\b",
            r"\f",
            r"\u0627",
            r"\u00e9",
            r"\u00E9",
            r"\u0041",
            r"\u0000",
            r"\uFEFF",
            r"\ud83d\ude00",
            r"\uD83D\uDE00",
            r"\udbff\udfff",
            r"\ud800\udc00",
            r"\ud83d",
            r"\ude00",
            r"\udc00",
            r"\ud83d\u0041",
            r"\ud83dx",
            r"\x",
            r"\u12",
            r"\u12g4",
            "\u{1}",
            "\t",
            "😀",
            r"\",
            "\"",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut good, mut bad) = (0, 0);
        for _ in 0..5_000 {
            let body: String = (0..next(6)).map(|_| pieces[next(pieces.len())]).collect();
            let line = format!(r#"{{"id": "a", "text": "{body}"}}"#);
            let expected = serde_json::from_str::<serde_json::Value>(&line)
                .map(|v| v["text"].as_str().unwrap().to_owned());
            let mut text = String::from("left over");
            let got = parse_record(line.as_bytes(), &fields(), &mut text).map(|_| text);
            match (expected, got) {
                (Ok(e), Ok(g)) => {
                    assert_eq!(e, g, "{line}");
                    good += 1;
                }
                (Err(_), Err((reason, _))) => {
                    assert_eq!(reason, Reason::BadRecord, "{line}");
                    bad += 1;
                }
                (e, g) => panic!("{line}: serde_json {e:?}, parse_record {g:?}"),
            }
        }
        assert!(good > 1_000 && bad > 1_000, "{good} read, {bad} refused");
    }

    #[test]
    fn a_text_that_is_not_a_string_is_no_text() {
        for value in ["7", "null", "[\"a\"]", "{\"a\": \"b\"}", "true"] {
            let line = format!(r#"{{"id": "a", "text": {value}}}"#);
            let Err((reason, why)) = parse_record(line.as_bytes(), &fields(), &mut String::new())
            else {
                panic!("{line} was read")
            };
            assert_eq!((reason, why.as_str()), (Reason::BadRecord, "no string field `text`"));
        }
        // The last of a repeated field counts, as in a map of the record.
        let (_, text) = parse(r#"{"text": "one", "text": "two\nlines"}"#, &fields());
        assert_eq!(text, "two\nlines");
    }
}
