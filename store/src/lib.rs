//! A persistent [`DedupIndex`] for a live news feed: one SQLite file that holds every
//! article's sketch and the matches it had on arrival, so that the index is restored
//! without its texts, commits each batch of articles atomically, survives a crash at
//! any point, and can be read by anyone with `sqlite3`, Python's `sqlite3` module or
//! DuckDB while it is being written.
//!
//! # The schema (format version 2)
//!
//! ```sql
//! meta(key TEXT PRIMARY KEY, value TEXT)   -- format_version, options (JSON),
//!                                           -- normalizer, nuskha_version, generation,
//!                                           -- articles (how many),
//!                                           -- checksum (of the three first)
//! learned(stats BLOB, checksum INTEGER)    -- the sample statistics (`--learn`)
//! articles(seq INTEGER PRIMARY KEY,        -- arrival order
//!          id TEXT UNIQUE, cluster TEXT,   -- cluster: its representative's id
//!          date TEXT, source TEXT, title TEXT,   -- as the input gave them
//!          date_unix INTEGER, length INTEGER,    -- the date read, the text's bytes
//!          sketch BLOB, checksum INTEGER)
//! matches(article INTEGER, earlier INTEGER,     -- seqs: `article` matched `earlier`
//!         score REAL, kind TEXT, checksum INTEGER)   -- on arrival
//! ```
//!
//! Every sketch and match carries an xxh3 checksum of what the index reads back, so a
//! damaged file is refused with the article it hurt rather than giving wrong matches;
//! `dedup index check` also runs SQLite's own integrity check.
//!
//! Only one process writes at a time: each write takes SQLite's write lock and checks
//! that nobody else wrote since this process read the index (`generation`); readers
//! never wait (WAL).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use nuskha::{ArticleRecord, CorpusStats, DedupIndex, DocId, Match, MatchKind, ShingledArticle};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

mod options;

pub use options::{Align, Options, RareSearchOption};

/// The version of the file's layout this crate reads and writes. Version 2: an
/// article's word bigrams are fingerprinted from its words' fingerprints (so that a
/// batch makes them only for the articles it verifies), and the edited-copy rule's
/// candidate search reads a sample of the rare shingles; a version-1 file's sketches
/// would not compare with new ones.
pub const FORMAT_VERSION: i64 = 2;

/// What the first bytes of every SQLite file say.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE learned (stats BLOB NOT NULL, checksum INTEGER NOT NULL);
CREATE TABLE articles (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    cluster TEXT NOT NULL,
    date TEXT,
    source TEXT,
    title TEXT,
    date_unix INTEGER,
    length INTEGER NOT NULL,
    sketch BLOB NOT NULL,
    checksum INTEGER NOT NULL
);
CREATE INDEX articles_cluster ON articles (cluster);
CREATE TABLE matches (
    article INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    earlier INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    score REAL NOT NULL,
    kind TEXT NOT NULL,
    checksum INTEGER NOT NULL,
    PRIMARY KEY (article, earlier)
) WITHOUT ROWID;
CREATE INDEX matches_earlier ON matches (earlier);
";

/// Why an index could not be used. Its message names the file.
#[derive(Debug)]
pub struct Error {
    /// The index file.
    pub path: PathBuf,
    /// What is wrong.
    pub kind: ErrorKind,
}

/// What went wrong with an index.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The path is a folder, a symbolic link or something else than a file.
    NotAFile(&'static str),
    /// The file is not an SQLite database, or not one of ours.
    NotAnIndex(String),
    /// Written by another format version.
    Version(String),
    /// The index was made with other options.
    OptionsDiffer(Vec<(String, String, String)>),
    /// Another process wrote to the index since this one read it.
    Changed,
    /// The file is damaged: what was found.
    Damaged(String),
    /// The options or an article were refused by the library.
    Invalid(String),
    /// SQLite failed (locked past the wait, disk full, …).
    Sqlite(rusqlite::Error),
    /// The file system failed.
    Io(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.path.display())?;
        match &self.kind {
            ErrorKind::NotAFile(what) => write!(f, "is {what}, not an index file"),
            ErrorKind::NotAnIndex(why) => write!(f, "not a nuskha index ({why})"),
            ErrorKind::Version(why) => f.write_str(why),
            ErrorKind::OptionsDiffer(diff) => {
                f.write_str("the index was made with other options:")?;
                for (name, stored, given) in diff {
                    write!(f, " {name} is {stored} in the index, {given} given;")?;
                }
                f.write_str(" leave them out to use the index's own")
            }
            ErrorKind::Changed => f.write_str(
                "another process wrote to the index while this one was using it; run again",
            ),
            ErrorKind::Damaged(why) => write!(f, "the index is damaged: {why}"),
            ErrorKind::Invalid(why) => f.write_str(why),
            ErrorKind::Sqlite(e) => write!(f, "{e}"),
            ErrorKind::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An article's metadata, as the input gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// The date as written.
    pub date: Option<String>,
    /// The outlet.
    pub source: Option<String>,
    /// The title.
    pub title: Option<String>,
}

/// One article to add: its id, metadata, the date read from it, and its shingles.
pub struct NewArticle<'d> {
    /// The caller's id.
    pub id: String,
    /// Its date, title and source, kept for listings.
    pub meta: Meta,
    /// Its date read as seconds since 1970 (what expiry goes by).
    pub date_unix: Option<i64>,
    /// Its text, shingled by the store's deduplicator.
    pub article: ShingledArticle<'d>,
}

/// What adding one article did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Added: its matches and cluster.
    Added(nuskha::Added),
    /// Its id was already in the index: left as it was.
    Present(String),
}

/// How an index is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// To read it only (query, clusters, stats, check): never written.
    Read,
    /// To add, remove or expire; created when it does not exist.
    Write,
}

/// An index file, opened: the live index restored from it, and the connection.
pub struct Store {
    path: PathBuf,
    conn: Connection,
    options: Options,
    index: DedupIndex,
    /// The `seq` of each article held, by position.
    seqs: Vec<i64>,
    /// The representative each article's row names, by position.
    clusters: Vec<Box<str>>,
    /// The write count read with the index: a write checks nobody else wrote since.
    generation: i64,
}

/// What a write may change: the index, and each position's seq and stored cluster.
struct Held<'a> {
    index: &'a mut DedupIndex,
    seqs: &'a mut Vec<i64>,
    clusters: &'a mut Vec<Box<str>>,
}

/// The xxh3 checksum of an article's row: everything it holds but its cluster (which
/// its matches give, and `check` compares).
fn article_checksum(id: &str, date_unix: Option<i64>, meta: &Meta, sketch: &[u8]) -> i64 {
    let mut bytes = Vec::with_capacity(id.len() + sketch.len() + 64);
    let mut text = |t: Option<&str>| match t {
        Some(t) => {
            bytes.push(1);
            bytes.extend_from_slice(&(t.len() as u64).to_le_bytes());
            bytes.extend_from_slice(t.as_bytes());
        }
        None => bytes.push(0),
    };
    text(Some(id));
    text(meta.date.as_deref());
    text(meta.source.as_deref());
    text(meta.title.as_deref());
    match date_unix {
        Some(d) => {
            bytes.push(1);
            bytes.extend_from_slice(&d.to_le_bytes());
        }
        None => bytes.push(0),
    }
    bytes.extend_from_slice(sketch);
    xxh3_i64(&bytes)
}

/// xxh3 as SQLite keeps integers: signed, the same 64 bits.
#[allow(clippy::cast_possible_wrap)]
fn xxh3_i64(bytes: &[u8]) -> i64 {
    xxhash_rust::xxh3::xxh3_64(bytes) as i64
}

/// The checksum of what the index's `meta` says about how it matches.
fn meta_checksum(version: &str, options: &str, normalizer: &str) -> i64 {
    xxh3_i64(format!("{version}\0{options}\0{normalizer}").as_bytes())
}

/// The checksum of one stored match.
fn match_checksum(article: i64, earlier: i64, score: f64, kind: &str) -> i64 {
    let mut bytes = Vec::with_capacity(24 + kind.len());
    bytes.extend_from_slice(&article.to_le_bytes());
    bytes.extend_from_slice(&earlier.to_le_bytes());
    bytes.extend_from_slice(&score.to_bits().to_le_bytes());
    bytes.extend_from_slice(kind.as_bytes());
    xxh3_i64(&bytes)
}

fn blob_checksum(bytes: &[u8]) -> i64 {
    xxh3_i64(bytes)
}

/// How a path is refused before SQLite sees it: a folder, a symbolic link, a device.
fn check_path(path: &Path) -> std::result::Result<bool, ErrorKind> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(ErrorKind::NotAFile("a symbolic link")),
        Ok(m) if m.is_dir() => Err(ErrorKind::NotAFile("a folder")),
        Ok(m) if !m.is_file() => Err(ErrorKind::NotAFile("a device, pipe or socket")),
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(ErrorKind::Io(e)),
    }
}

/// Whether the file begins as an SQLite database does (an empty file is a new one).
fn check_magic(path: &Path) -> std::result::Result<(), ErrorKind> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(ErrorKind::Io)?;
    let n = file.read(&mut head).map_err(ErrorKind::Io)?;
    if n == 0 {
        return Err(ErrorKind::NotAnIndex("an empty file".into()));
    }
    if n < 16 || &head != SQLITE_MAGIC {
        return Err(ErrorKind::NotAnIndex("not an SQLite database".into()));
    }
    Ok(())
}

/// SQLite's errors, with the damaged and the foreign told apart.
fn sqlite_kind(e: rusqlite::Error) -> ErrorKind {
    use rusqlite::ErrorCode;
    if matches!(
        e,
        rusqlite::Error::Utf8Error(..)
            | rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
    ) {
        return ErrorKind::Damaged(format!("a value of the wrong kind ({e})"));
    }
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt) => ErrorKind::Damaged(e.to_string()),
        Some(ErrorCode::NotADatabase) => ErrorKind::NotAnIndex(e.to_string()),
        _ => ErrorKind::Sqlite(e),
    }
}

impl Store {
    fn error(&self, kind: ErrorKind) -> Error {
        Error { path: self.path.clone(), kind }
    }

    /// Opens the index at `path`. With [`Access::Write`] a missing file is created
    /// with `options` and the `learned` sample statistics; an existing one keeps its
    /// own options, and `given` (the options the caller named, by name) must agree
    /// with them.
    ///
    /// # Errors
    ///
    /// When the path is a folder or a link, the file is not an index or is of another
    /// format version, is damaged, or was made with options that differ from `given`.
    pub fn open(
        path: &Path,
        access: Access,
        options: &Options,
        given: &[&str],
        learned: Option<&CorpusStats>,
    ) -> Result<Store> {
        let fail = |kind| Error { path: path.to_path_buf(), kind };
        if !check_path(path).map_err(fail)? {
            if access == Access::Read {
                let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "no such index");
                return Err(fail(ErrorKind::Io(missing)));
            }
            if let Err(e) = options.deduplicator() {
                return Err(fail(ErrorKind::Invalid(e.to_string())));
            }
            create_new(path, options, learned).map_err(fail)?;
        }
        check_magic(path).map_err(fail)?;
        let flags = match access {
            Access::Read => OpenFlags::SQLITE_OPEN_READ_ONLY,
            Access::Write => OpenFlags::SQLITE_OPEN_READ_WRITE,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| fail(sqlite_kind(e)))?;
        let setup = || -> rusqlite::Result<()> {
            conn.busy_timeout(std::time::Duration::from_secs(30))?;
            conn.pragma_update(None, "foreign_keys", "ON")
        };
        setup().map_err(|e| fail(sqlite_kind(e)))?;
        // Nothing is written to a file before it is known to be an index of this
        // version: a foreign database is left as it was.
        verify_ours(&conn).map_err(fail)?;
        if access == Access::Write {
            let write_setup = || -> rusqlite::Result<()> {
                conn.pragma_update(None, "journal_mode", "WAL")?;
                // A batch reported is on disk: each commit waits for it.
                conn.pragma_update(None, "synchronous", "FULL")
            };
            write_setup().map_err(|e| fail(sqlite_kind(e)))?;
        }
        Store::load(path, conn, options, given)
    }

    /// Reads the index in one read transaction (a consistent view while another
    /// process writes).
    fn load(path: &Path, mut conn: Connection, options: &Options, given: &[&str]) -> Result<Store> {
        let fail = |kind| Error { path: path.to_path_buf(), kind };
        let sql = |e| fail(sqlite_kind(e));
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred).map_err(sql)?;
        let meta = |key: &str| -> Result<Option<String>> {
            tx.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
                .map_err(|e| fail(sqlite_kind(e)))
        };
        let version = FORMAT_VERSION.to_string();
        let stored_json =
            meta("options")?.ok_or_else(|| fail(ErrorKind::Damaged("no options".into())))?;
        let normalizer = meta("normalizer")?.unwrap_or_default();
        let sum = meta("checksum")?.and_then(|c| c.parse::<i64>().ok());
        if sum != Some(meta_checksum(&version, &stored_json, &normalizer)) {
            return Err(fail(ErrorKind::Damaged("its options fail their checksum".into())));
        }
        let stored: Options = serde_json::from_str(&stored_json)
            .map_err(|e| fail(ErrorKind::Damaged(format!("its options: {e}"))))?;
        let diff: Vec<_> = stored
            .differences(options)
            .into_iter()
            .filter(|(name, _, _)| given.contains(&name.as_str()))
            .collect();
        if !diff.is_empty() {
            return Err(fail(ErrorKind::OptionsDiffer(diff)));
        }
        let dedup = stored
            .deduplicator()
            .map_err(|e| fail(ErrorKind::Damaged(format!("its options: {e}"))))?;
        let profile = dedup.sketcher().params().profile().unwrap_or("").to_string();
        if normalizer != profile {
            return Err(fail(ErrorKind::Version(format!(
                "made with normaliser profile {normalizer}, this nuskha has {profile}"
            ))));
        }
        let generation: i64 = meta("generation")?
            .and_then(|g| g.parse().ok())
            .ok_or_else(|| fail(ErrorKind::Damaged("no write count".into())))?;
        let (stats, checksum): (Vec<u8>, i64) = tx
            .query_row("SELECT stats, checksum FROM learned", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sql)?;
        if blob_checksum(&stats) != checksum {
            return Err(fail(ErrorKind::Damaged(
                "its learned statistics fail their checksum".into(),
            )));
        }
        let stats = CorpusStats::from_bytes(&stats)
            .map_err(|e| fail(ErrorKind::Damaged(format!("its learned statistics: {e}"))))?;
        let mut index = dedup.index_learning(Arc::new(stats));
        let (seqs, clusters) = restore_articles(&tx, &mut index, path)?;
        let count = meta("articles")?.and_then(|n| n.parse::<usize>().ok());
        if count != Some(index.len()) {
            return Err(fail(ErrorKind::Damaged(format!(
                "it holds {} articles, its count says {}",
                index.len(),
                count.map_or_else(|| "nothing".to_string(), |n| n.to_string())
            ))));
        }
        tx.finish().map_err(sql)?;
        Ok(Store {
            path: path.to_path_buf(),
            conn,
            options: stored,
            index,
            seqs,
            clusters,
            generation,
        })
    }

    /// The index file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The options the index was made with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The live index, restored.
    pub fn index(&self) -> &DedupIndex {
        &self.index
    }

    /// What `article` would match, without adding it.
    ///
    /// # Errors
    ///
    /// When `article` was shingled by another deduplicator than the index's.
    pub fn query(&mut self, article: ShingledArticle<'_>) -> Result<Vec<nuskha::Found>> {
        self.index
            .query_shingled(article)
            .map_err(|e| self.error(ErrorKind::Invalid(e.to_string())))
    }

    /// Runs `write` in one write transaction, after checking that nobody else wrote
    /// since the index was read; the clusters of changed articles are written, and the
    /// write count moves on.
    fn write<T>(
        &mut self,
        write: impl FnOnce(&rusqlite::Transaction<'_>, &mut Held) -> Result<T>,
    ) -> Result<T> {
        let path = self.path.clone();
        let sql = |e| Error { path: path.clone(), kind: sqlite_kind(e) };
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql)?;
        let now: i64 = tx
            .query_row("SELECT value FROM meta WHERE key = 'generation'", [], |r| {
                r.get::<_, String>(0)
            })
            .map_err(sql)?
            .parse()
            .unwrap_or(-1);
        if now != self.generation {
            return Err(Error { path: path.clone(), kind: ErrorKind::Changed });
        }
        let mut held =
            Held { index: &mut self.index, seqs: &mut self.seqs, clusters: &mut self.clusters };
        let out = write(&tx, &mut held)?;
        let clusters = self.index.clusters();
        self.clusters.resize(self.index.len(), Box::from(""));
        {
            let mut update = tx
                .prepare_cached("UPDATE articles SET cluster = ?1 WHERE seq = ?2")
                .map_err(sql)?;
            for (i, seq) in self.seqs.iter().enumerate() {
                let rep = self.index.id(clusters.representative_of(DocId(i as u32)));
                if *self.clusters[i] != *rep {
                    update.execute(params![rep, seq]).map_err(sql)?;
                    self.clusters[i] = rep.into();
                }
            }
        }
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'generation'",
            [(self.generation + 1).to_string()],
        )
        .map_err(sql)?;
        // A row lost to damage is then told from one never written.
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'articles'",
            [self.index.len().to_string()],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        self.generation += 1;
        Ok(out)
    }

    /// Adds `articles` in one transaction (durable once this returns), in order: an id
    /// already held is left as it is.
    ///
    /// # Errors
    ///
    /// When SQLite fails or another process wrote meanwhile: nothing of the batch is
    /// kept, in the file or (the index must then be opened again) in memory.
    pub fn add(&mut self, articles: Vec<NewArticle<'_>>) -> Result<Vec<Outcome>> {
        let path = self.path.clone();
        self.write(|tx, held| {
            let Held { index, seqs, .. } = held;
            let sql = |e| Error { path: path.clone(), kind: sqlite_kind(e) };
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO articles (id, cluster, date, source, title, date_unix, length, sketch, checksum)
                     VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(sql)?;
            let mut insert_match = tx
                .prepare_cached(
                    "INSERT INTO matches (article, earlier, score, kind, checksum) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(sql)?;
            let mut outcomes = Vec::with_capacity(articles.len());
            for a in articles {
                if index.contains(&a.id) {
                    outcomes.push(Outcome::Present(a.id));
                    continue;
                }
                let added = index
                    .add_shingled(&a.id, a.article, a.date_unix)
                    .map_err(|e| Error { path: path.clone(), kind: ErrorKind::Invalid(e.to_string()) })?;
                let d = DocId((index.len() - 1) as u32);
                let record = index.record(d);
                let sum = article_checksum(&record.id, record.date, &a.meta, &record.sketch);
                insert
                    .execute(params![
                        record.id,
                        a.meta.date,
                        a.meta.source,
                        a.meta.title,
                        record.date,
                        i64::try_from(record.len).unwrap_or(i64::MAX),
                        record.sketch,
                        sum
                    ])
                    .map_err(sql)?;
                let seq = tx.last_insert_rowid();
                seqs.push(seq);
                for (earlier, m) in &added.matches {
                    let e = seqs[index.position(earlier).map_or(0, DocId::index)];
                    let kind = m.kind.to_string();
                    let sum = match_checksum(seq, e, m.score, &kind);
                    insert_match.execute(params![seq, e, m.score, kind, sum]).map_err(sql)?;
                }
                outcomes.push(Outcome::Added(added));
            }
            Ok(outcomes)
        })
    }

    /// Removes the articles `keep` refuses (by id and date), in one transaction, and
    /// returns their ids.
    ///
    /// # Errors
    ///
    /// When SQLite fails or another process wrote meanwhile.
    pub fn retain(&mut self, keep: impl FnMut(&str, Option<i64>) -> bool) -> Result<Vec<String>> {
        let path = self.path.clone();
        self.write(|tx, held| {
            let Held { index, seqs, clusters } = held;
            let sql = |e| Error { path: path.clone(), kind: sqlite_kind(e) };
            // Each article's seq and stored cluster, by id, before positions move.
            let before: HashMap<String, (i64, Box<str>)> = (0..index.len())
                .map(|i| (index.id(DocId(i as u32)).to_string(), (seqs[i], clusters[i].clone())))
                .collect();
            let removed = index.retain(keep);
            let mut delete =
                tx.prepare_cached("DELETE FROM articles WHERE seq = ?1").map_err(sql)?;
            for id in &removed {
                delete.execute([before[id].0]).map_err(sql)?;
            }
            let kept = (0..index.len()).map(|i| &before[index.id(DocId(i as u32))]);
            (**seqs, **clusters) = kept.map(|(s, c)| (*s, c.clone())).unzip();
            Ok(removed)
        })
    }

    /// The representative of each article held, by position.
    fn current_clusters(&self) -> Vec<Box<str>> {
        let clusters = self.index.clusters();
        (0..self.index.len())
            .map(|i| self.index.id(clusters.representative_of(DocId(i as u32))).into())
            .collect()
    }

    /// The metadata of every article held, by position.
    ///
    /// # Errors
    ///
    /// When SQLite fails.
    pub fn metadata(&self) -> Result<Vec<Meta>> {
        let sql = |e| self.error(sqlite_kind(e));
        let mut q = self
            .conn
            .prepare("SELECT date, source, title FROM articles ORDER BY seq")
            .map_err(sql)?;
        let rows = q
            .query_map([], |r| Ok(Meta { date: r.get(0)?, source: r.get(1)?, title: r.get(2)? }))
            .map_err(sql)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
    }

    /// The size of the file (and its write-ahead log) in bytes.
    pub fn file_size(&self) -> u64 {
        let wal = PathBuf::from(format!("{}-wal", self.path.display()));
        [&self.path, &wal].iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum()
    }

    /// The number of learned sample articles.
    pub fn learned_docs(&self) -> usize {
        self.index.sample().docs()
    }

    /// SQLite's integrity check, then ours: every row's checksum (checked when the
    /// index was read), and every article's stored cluster against the clusters its
    /// matches give. Returns the problems found.
    ///
    /// # Errors
    ///
    /// When SQLite fails.
    pub fn check(&self) -> Result<Vec<String>> {
        let sql = |e| self.error(sqlite_kind(e));
        let mut problems = Vec::new();
        let mut q = self.conn.prepare("PRAGMA integrity_check").map_err(sql)?;
        let rows = q.query_map([], |r| r.get::<_, String>(0)).map_err(sql)?;
        for row in rows {
            let row = row.map_err(sql)?;
            if row != "ok" {
                problems.push(format!("sqlite: {row}"));
            }
        }
        let mut q = self.conn.prepare("PRAGMA foreign_key_check").map_err(sql)?;
        let n = q.query_map([], |_| Ok(())).map_err(sql)?.count();
        if n > 0 {
            problems.push(format!("{n} matches name an article that is not in the index"));
        }
        for (i, rep) in self.current_clusters().iter().enumerate() {
            if *rep != self.clusters[i] {
                problems.push(format!(
                    "article `{}` names cluster `{}`, its matches give `{rep}`",
                    self.index.id(DocId(i as u32)),
                    self.clusters[i]
                ));
            }
        }
        Ok(problems)
    }
}

/// Restores every article of the index into `index`, in arrival order, checking each
/// row; returns each position's seq and stored cluster.
fn restore_articles(
    tx: &rusqlite::Transaction<'_>,
    index: &mut DedupIndex,
    path: &Path,
) -> Result<(Vec<i64>, Vec<Box<str>>)> {
    let fail = |kind| Error { path: path.to_path_buf(), kind };
    let sql = |e| fail(sqlite_kind(e));
    // Every match, by the later article's seq.
    let mut matches: HashMap<i64, Vec<(i64, Match)>> = HashMap::new();
    {
        let mut q = tx
                .prepare("SELECT article, earlier, score, kind, checksum FROM matches ORDER BY article, earlier")
                .map_err(sql)?;
        let mut rows = q.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let (a, e, score, kind, sum): (i64, i64, f64, String, i64) = (
                r.get(0).map_err(sql)?,
                r.get(1).map_err(sql)?,
                r.get(2).map_err(sql)?,
                r.get(3).map_err(sql)?,
                r.get(4).map_err(sql)?,
            );
            let damaged = || fail(ErrorKind::Damaged(format!("the match of articles {a} and {e}")));
            if match_checksum(a, e, score, &kind) != sum {
                return Err(damaged());
            }
            let kind: MatchKind = kind.parse().map_err(|_| damaged())?;
            matches.entry(a).or_default().push((e, Match { score, kind }));
        }
    }
    let mut seqs = Vec::new();
    let mut clusters = Vec::new();
    let mut ids: HashMap<i64, String> = HashMap::new();
    {
        let mut q = tx
            .prepare(
                "SELECT seq, id, cluster, date_unix, sketch, checksum, date, source, title FROM articles ORDER BY seq",
            )
            .map_err(sql)?;
        let mut rows = q.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let seq: i64 = r.get(0).map_err(sql)?;
            let id: String = r.get(1).map_err(sql)?;
            let cluster: String = r.get(2).map_err(sql)?;
            let date: Option<i64> = r.get(3).map_err(sql)?;
            let sketch: Vec<u8> = r.get(4).map_err(sql)?;
            let sum: i64 = r.get(5).map_err(sql)?;
            let meta = Meta {
                date: r.get(6).map_err(sql)?,
                source: r.get(7).map_err(sql)?,
                title: r.get(8).map_err(sql)?,
            };
            if article_checksum(&id, date, &meta, &sketch) != sum {
                return Err(fail(ErrorKind::Damaged(format!("article `{id}` fails its checksum"))));
            }
            let mut named = Vec::new();
            for (earlier, m) in matches.remove(&seq).unwrap_or_default() {
                let Some(e) = ids.get(&earlier) else {
                    return Err(fail(ErrorKind::Damaged(format!(
                        "article `{id}` matches an article not before it"
                    ))));
                };
                named.push((e.clone(), m));
            }
            let record = ArticleRecord::new(id.clone(), date, sketch, named);
            index.restore(&record).map_err(|e| fail(ErrorKind::Damaged(e.to_string())))?;
            ids.insert(seq, id);
            seqs.push(seq);
            clusters.push(cluster.into_boxed_str());
        }
    }
    if let Some((&a, _)) = matches.iter().next() {
        return Err(fail(ErrorKind::Damaged(format!("a match of a missing article ({a})"))));
    }
    Ok((seqs, clusters))
}

/// Whether the database behind `conn` is a nuskha index of this format version, by
/// reading only.
fn verify_ours(conn: &Connection) -> std::result::Result<(), ErrorKind> {
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'learned', 'articles', 'matches')",
            [],
            |r| r.get(0),
        )
        .map_err(sqlite_kind)?;
    if tables != 4 {
        return Err(ErrorKind::NotAnIndex("an SQLite database without nuskha's tables".into()));
    }
    let version: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'format_version'", [], |r| r.get(0))
        .optional()
        .map_err(sqlite_kind)?;
    match version {
        None => Err(ErrorKind::NotAnIndex("no format version".into())),
        Some(v) if v == FORMAT_VERSION.to_string() => Ok(()),
        Some(v) => Err(ErrorKind::Version(format!(
            "index format version {v}; this nuskha ({}) reads version {FORMAT_VERSION} only",
            env!("CARGO_PKG_VERSION")
        ))),
    }
}

/// Makes a new index at `path` whole or not at all: in a file of its own beside it,
/// linked into place once complete (a process killed meanwhile leaves no half-made
/// index; one that lost the race to another creator uses the other's).
fn create_new(
    path: &Path,
    options: &Options,
    learned: Option<&CorpusStats>,
) -> std::result::Result<(), ErrorKind> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map_or_else(|| "index".into(), |n| n.to_string_lossy());
    let tmp = dir.join(format!(".{name}.creating-{}", std::process::id()));
    let remove_tmp = || {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
        }
    };
    remove_tmp();
    let made = (|| -> rusqlite::Result<()> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let conn = Connection::open_with_flags(&tmp, flags)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        create(&conn, options, learned)?;
        // Closing checkpoints the log into the file and removes it.
        conn.close().map_err(|(_, e)| e)
    })();
    if let Err(e) = made {
        remove_tmp();
        return Err(sqlite_kind(e));
    }
    let linked = std::fs::hard_link(&tmp, path);
    remove_tmp();
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(ErrorKind::Io(e)),
    }
}

/// Makes the tables of a new index.
fn create(
    conn: &Connection,
    options: &Options,
    learned: Option<&CorpusStats>,
) -> rusqlite::Result<()> {
    let dedup_profile = options
        .deduplicator()
        .ok()
        .and_then(|d| d.sketcher().params().profile().map(str::to_string))
        .unwrap_or_default();
    let stats = learned.map_or_else(|| CorpusStats::default().to_bytes(), CorpusStats::to_bytes);
    let tx = conn.unchecked_transaction()?;
    tx.execute_batch(SCHEMA)?;
    let mut put = tx.prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)")?;
    put.execute(["format_version", &FORMAT_VERSION.to_string()])?;
    put.execute(["nuskha_version", env!("CARGO_PKG_VERSION")])?;
    put.execute(["options", &options.to_json()])?;
    put.execute(["normalizer", &dedup_profile])?;
    put.execute(["generation", "0"])?;
    put.execute(["articles", "0"])?;
    let sum = meta_checksum(&FORMAT_VERSION.to_string(), &options.to_json(), &dedup_profile);
    put.execute(["checksum", &sum.to_string()])?;
    drop(put);
    tx.execute(
        "INSERT INTO learned (stats, checksum) VALUES (?1, ?2)",
        params![stats, blob_checksum(&stats)],
    )?;
    tx.execute_batch(&format!("PRAGMA user_version = {FORMAT_VERSION}"))?;
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn articles(dedup: &nuskha::Deduplicator, ids: &[&str]) -> Vec<NewArticle<'static>> {
        // Leaked: a test's few deduplicators live as long as the test.
        let dedup: &'static nuskha::Deduplicator = Box::leak(Box::new(dedup.clone()));
        ids.iter()
            .map(|id| NewArticle {
                id: (*id).to_string(),
                meta: Meta::default(),
                date_unix: None,
                article: dedup.shingle(&format!(
                    "خبر رقم {id} عن الطقس في الرياض اليوم وغدا مع توقعات الأرصاد"
                )),
            })
            .collect()
    }

    #[test]
    fn a_second_writer_that_read_the_index_before_a_write_is_stopped() {
        let dir = std::env::temp_dir().join(format!("nuskha-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("two.db");
        let _ = std::fs::remove_file(&path);
        let options = Options::default();
        let mut a = Store::open(&path, Access::Write, &options, &[], None).unwrap();
        let mut b = Store::open(&path, Access::Write, &options, &[], None).unwrap();
        let (da, db) = (a.index().deduplicator().clone(), b.index().deduplicator().clone());
        a.add(articles(&da, &["1", "2"])).unwrap();
        let e = b.add(articles(&db, &["3"])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Changed), "{e}");
        assert!(e.to_string().contains("another process wrote"), "{e}");
        // Opened again, it sees the first writer's articles and writes.
        let mut b = Store::open(&path, Access::Write, &options, &[], None).unwrap();
        assert_eq!(b.index().len(), 2);
        let db = b.index().deduplicator().clone();
        b.add(articles(&db, &["3"])).unwrap();
        assert_eq!(Store::open(&path, Access::Read, &options, &[], None).unwrap().index().len(), 3);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
