//! `Index`: the persistent live index of `dedup index`, one SQLite file written and read
//! through `nuskha-store` (a file made by either opens in the other), and the `Added`,
//! `Match` and `Found` results of its calls.

use std::path::PathBuf;
use std::sync::Mutex;

use nuskha::{CorpusStats, DocId, ShingledArticle};
use nuskha_store::{Access, ErrorKind, Meta, NewArticle, Options, Outcome, Store};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyType};
use rayon::prelude::*;

use crate::dedup::{Cluster, clusters_to_py};
use crate::files::{self, Fields};
use crate::records::{self, Want};
use crate::{io_error, options, os_error, value_error};

/// An earlier article that a new one matched.
///
/// Attributes: ``id``, ``score`` (the similarity) and ``kind`` (``"jaccard"``,
/// ``"containment"``, ``"edited"``, ``"aligned"`` or ``"simhash"``).
#[pyclass(frozen, module = "nuskha")]
pub struct Match {
    /// The earlier article's id.
    #[pyo3(get)]
    id: String,
    /// The similarity.
    #[pyo3(get)]
    score: f64,
    /// What made it a match.
    #[pyo3(get)]
    kind: String,
}

#[pymethods]
impl Match {
    fn __repr__(&self) -> String {
        format!("Match(id={:?}, score={:.3}, kind='{}')", self.id, self.score, self.kind)
    }
}

/// An article of the index that a queried text matches.
///
/// Attributes: ``id``, ``score``, ``kind`` (as :class:`Match`) and ``cluster`` (the id
/// of the representative of its cluster).
#[pyclass(frozen, module = "nuskha")]
pub struct Found {
    /// The article's id.
    #[pyo3(get)]
    id: String,
    /// The similarity of the queried text to it.
    #[pyo3(get)]
    score: f64,
    /// What made it a match.
    #[pyo3(get)]
    kind: String,
    /// The representative of its cluster.
    #[pyo3(get)]
    cluster: String,
}

#[pymethods]
impl Found {
    fn __repr__(&self) -> String {
        format!(
            "Found(id={:?}, score={:.3}, kind='{}', cluster={:?})",
            self.id, self.score, self.kind, self.cluster
        )
    }
}

/// What adding one article did.
///
/// Attributes: ``id``; ``added`` (False when an article of this id was in the index
/// already: it is left as it was); ``representative`` (the id of the representative of
/// the cluster it is in: its own when it starts one); ``matches`` (the earlier articles
/// it matched, as :class:`Match`, in arrival order; empty when it was not added); and
/// ``new_cluster`` (it matched nothing and starts a cluster).
#[pyclass(frozen, module = "nuskha")]
pub struct Added {
    /// The article's id.
    #[pyo3(get)]
    id: String,
    /// False when the id was in the index already.
    #[pyo3(get, name = "added")]
    fresh: bool,
    /// The representative of its cluster.
    #[pyo3(get)]
    representative: String,
    matches: Vec<(String, f64, String)>,
}

#[pymethods]
impl Added {
    /// The earlier articles it matched, in arrival order.
    #[getter]
    fn matches(&self, py: Python<'_>) -> PyResult<Vec<Py<Match>>> {
        self.matches
            .iter()
            .map(|(id, score, kind)| {
                Py::new(py, Match { id: id.clone(), score: *score, kind: kind.clone() })
            })
            .collect()
    }

    /// It matched nothing and starts a cluster of its own.
    #[getter]
    fn new_cluster(&self) -> bool {
        self.fresh && self.matches.is_empty() && self.representative == self.id
    }

    fn __repr__(&self) -> String {
        let matched: Vec<&str> = self.matches.iter().map(|m| m.0.as_str()).collect();
        format!(
            "Added(id={:?}, added={}, representative={:?}, matches={matched:?})",
            self.id,
            if self.fresh { "True" } else { "False" },
            self.representative
        )
    }
}

/// One article to add, read from Python.
struct Incoming {
    id: String,
    text: String,
    meta: Meta,
    date_unix: Option<i64>,
}

/// Why an index call failed, told apart with the GIL released.
enum Failure {
    Closed,
    Poisoned,
    Store(nuskha_store::Error),
}

impl From<nuskha_store::Error> for Failure {
    fn from(e: nuskha_store::Error) -> Self {
        Failure::Store(e)
    }
}

/// `io.UnsupportedOperation`, as for a file opened read-only.
fn unsupported(py: Python<'_>, what: &str) -> PyErr {
    static UNSUPPORTED: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    match UNSUPPORTED.import(py, "io", "UnsupportedOperation") {
        Ok(t) => PyErr::from_type(t.clone(), what.to_string()),
        Err(e) => e,
    }
}

/// The Python exception of a store error: `ValueError` for options it refuses or
/// that differ from the index's, `OSError` naming the file for the rest.
fn store_error(e: &nuskha_store::Error) -> PyErr {
    let whole = e.to_string();
    let prefix = format!("{}: ", e.path.display());
    let message = whole.strip_prefix(&prefix).unwrap_or(&whole);
    match &e.kind {
        ErrorKind::OptionsDiffer(_) | ErrorKind::Invalid(_) => PyValueError::new_err(whole.clone()),
        ErrorKind::Io(io) => io_error(&e.path, io),
        ErrorKind::NotAFile("a folder") => {
            let io = std::io::Error::from(std::io::ErrorKind::IsADirectory);
            os_error(&e.path, message, Some(&io))
        }
        _ => os_error(&e.path, message, None),
    }
}

fn failure(f: &Failure) -> PyErr {
    match f {
        Failure::Closed => PyValueError::new_err("I/O operation on a closed index"),
        Failure::Poisoned => PyValueError::new_err(
            "the index was left unusable by a failure in another thread; open it again",
        ),
        Failure::Store(e) => store_error(e),
    }
}

/// The persistent live index of ``dedup index``: one SQLite file holding every
/// article's sketch and the matches it had on arrival (never the texts). A file made
/// by ``dedup index add`` opens here, and one made here opens in ``dedup index``.
///
/// ``Index(path, *, readonly=False, learn=None, **options)``: opens the index at
/// ``path``, creating it (unless ``readonly``) with ``options`` — the options of
/// :class:`Deduplicator`, except ``representative="earliest"``. An existing index keeps
/// its own options; an option given that differs from them raises ``ValueError``.
/// ``learn``: for a new index, the corpus statistics (boilerplate, rare shingles) start
/// from these articles (a path read as :meth:`Deduplicator.cluster_file` reads it, or
/// an iterable of records), as ``dedup index add --learn``.
///
/// Use it as a context manager (``with nuskha.Index(path) as index:``), or call
/// :meth:`close`. Each call that changes the index commits at once (one transaction);
/// ``len(index)`` and ``id in index`` count and find the articles held. The index
/// reads the file when it opens; a write after another process wrote to the file
/// reads it again first.
///
/// Raises ``OSError`` naming the file when it cannot be opened, is not an index or is
/// damaged; ``FileNotFoundError`` for a missing file with ``readonly=True``.
#[pyclass(frozen, module = "nuskha")]
pub struct Index {
    path: PathBuf,
    readonly: bool,
    store: Mutex<Option<Store>>,
}

impl Index {
    /// Runs `f` on the store with the GIL released.
    fn with_store<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Store) -> Result<T, nuskha_store::Error> + Send,
    ) -> PyResult<T> {
        let result = py.detach(|| {
            let mut guard = self.store.lock().map_err(|_| Failure::Poisoned)?;
            let store = guard.as_mut().ok_or(Failure::Closed)?;
            f(store).map_err(Failure::Store)
        });
        result.map_err(|f| failure(&f))
    }

    /// Runs the write `f` on the store with the GIL released. When it fails because
    /// another process wrote to the file since it was read, the file is read again and
    /// `f` runs once more; after any other failure the file (which the failed write
    /// left as it was) is read again, so that memory and file agree.
    fn write<T: Send>(
        &self,
        py: Python<'_>,
        what: &str,
        mut f: impl FnMut(&mut Store) -> Result<T, nuskha_store::Error> + Send,
    ) -> PyResult<T> {
        if self.readonly {
            return Err(unsupported(
                py,
                &format!("{what}: the index was opened with readonly=True"),
            ));
        }
        let result = py.detach(|| {
            let mut guard = self.store.lock().map_err(|_| Failure::Poisoned)?;
            let store = guard.as_mut().ok_or(Failure::Closed)?;
            match f(store) {
                Ok(out) => Ok(out),
                Err(e) => {
                    let changed = matches!(e.kind, ErrorKind::Changed);
                    let reopened =
                        Store::open(&self.path, Access::Write, &Options::default(), &[], None);
                    match reopened {
                        Ok(fresh) => *store = fresh,
                        Err(_) => *guard = None,
                    }
                    match (changed, guard.as_mut()) {
                        (true, Some(store)) => f(store).map_err(Failure::Store),
                        _ => Err(Failure::Store(e)),
                    }
                }
            }
        });
        result.map_err(|f| failure(&f))
    }

    /// The articles of `items` read as records.
    fn incoming(py: Python<'_>, items: &Bound<'_, PyAny>) -> PyResult<Vec<Incoming>> {
        if items.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err("records must be an iterable of records, not a str"));
        }
        let want = Want { plain_strings: false, str_ids: true, dates: true };
        let mut out = Vec::new();
        for (i, item) in items.try_iter()?.enumerate() {
            let r = records::read(py, i, &item?, want)?;
            out.push(Incoming {
                id: r.key.text(),
                text: r.text,
                meta: Meta {
                    date: r.date.as_ref().map(|d| d.text.clone()),
                    source: r.source,
                    title: r.title,
                },
                date_unix: r.date.map(|d| d.unix),
            });
        }
        Ok(out)
    }

    /// Adds `articles` in chunks of `batch_size`, each one transaction.
    fn add_all(
        &self,
        py: Python<'_>,
        articles: &[Incoming],
        batch_size: usize,
    ) -> PyResult<Vec<Added>> {
        let mut out = Vec::with_capacity(articles.len());
        for chunk in articles.chunks(batch_size.max(1)) {
            let added = self.write(py, "add", |store| add_chunk(store, chunk))?;
            out.extend(added);
        }
        Ok(out)
    }
}

/// Shingles `chunk` on every core with the store's deduplicator, then adds it in one
/// transaction.
fn add_chunk(store: &mut Store, chunk: &[Incoming]) -> Result<Vec<Added>, nuskha_store::Error> {
    let dedup = store.index().deduplicator().clone();
    let shingled: Vec<ShingledArticle<'_>> =
        chunk.par_iter().map(|a| dedup.shingle(&a.text)).collect();
    let new = chunk
        .iter()
        .zip(shingled)
        .map(|(a, article)| NewArticle {
            id: a.id.clone(),
            meta: a.meta.clone(),
            date_unix: a.date_unix,
            article,
        })
        .collect();
    let outcomes = store.add(new)?;
    let mut clusters = None;
    let mut added = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        added.push(match outcome {
            Outcome::Added(a) => Added {
                matches: a
                    .matches
                    .iter()
                    .map(|(id, m)| (id.clone(), m.score, m.kind.to_string()))
                    .collect(),
                id: a.id,
                fresh: true,
                representative: a.representative,
            },
            Outcome::Present(id) => {
                let index = store.index();
                let clusters = clusters.get_or_insert_with(|| index.clusters());
                let representative = index.position(&id).map_or_else(
                    || id.clone(),
                    |d| index.id(clusters.representative_of(d)).to_string(),
                );
                Added { id, fresh: false, representative, matches: Vec::new() }
            }
        });
    }
    Ok(added)
}

/// The statistics to learn from `learn`: a path, or records.
fn learned(py: Python<'_>, options: &Options, learn: &Bound<'_, PyAny>) -> PyResult<CorpusStats> {
    let dedup = options.deduplicator().map_err(value_error)?;
    if learn.is_instance_of::<PyString>() || learn.hasattr("__fspath__")? {
        let path: PathBuf = learn.extract()?;
        let dedup = &dedup;
        let stats = py.detach(|| {
            let mut batch = dedup.batch();
            files::read(&path, &mut batch, &Fields::defaults(), 1 << 30, false, true)
                .map(|_| batch.stats())
        });
        return stats.map_err(|e| io_error(&e.path, &e.error));
    }
    let want = Want { plain_strings: true, str_ids: false, dates: false };
    let mut texts = Vec::new();
    for (i, item) in learn.try_iter()?.enumerate() {
        texts.push(records::read(py, i, &item?, want)?.text);
    }
    Ok(py.detach(|| {
        let mut batch = dedup.batch();
        batch.par_extend(&texts);
        batch.stats()
    }))
}

/// Unix seconds of `before=` (or now less `keep_days`).
fn cutoff(
    py: Python<'_>,
    before: Option<&Bound<'_, PyAny>>,
    keep_days: Option<u64>,
) -> PyResult<i64> {
    match (before, keep_days) {
        (Some(b), None) => Ok(records::date(py, b)?.unix),
        (None, Some(days)) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let days = i64::try_from(days).unwrap_or(i64::MAX);
            Ok(i64::try_from(now).unwrap_or(i64::MAX).saturating_sub(days.saturating_mul(86_400)))
        }
        _ => Err(PyTypeError::new_err("expire() takes before= or keep_days=, one of them")),
    }
}

#[pymethods]
impl Index {
    #[new]
    #[pyo3(signature = (path, *, readonly = false, learn = None, **options))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        readonly: bool,
        learn: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let parsed = options::parse("Index", options, false)?;
        let access = if readonly { Access::Read } else { Access::Write };
        let learn = match learn {
            Some(l) if !readonly && !path.exists() => Some(learned(py, &parsed.options, l)?),
            _ => None,
        };
        let given = parsed.given.clone();
        let o = &parsed.options;
        let p = path.as_path();
        let store = py.detach(|| Store::open(p, access, o, &given, learn.as_ref()));
        let store = store.map_err(|e| store_error(&e))?;
        Ok(Index { path, readonly, store: Mutex::new(Some(store)) })
    }

    /// The index file.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// Whether it was opened with ``readonly=True``.
    #[getter]
    fn readonly(&self) -> bool {
        self.readonly
    }

    /// Whether :meth:`close` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.store.lock().map_or(true, |s| s.is_none())
    }

    /// The options the index was made with, by name, as a dict.
    #[getter]
    fn options<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let o = self.with_store(py, |s| Ok(s.options().clone()))?;
        options::to_dict(py, &o, false)
    }

    /// Adds the article ``id`` (a str) of ``text``, with its ``title`` (compared with
    /// the text: the title, a newline, the text, as ``dedup index add`` reads a JSON
    /// record), ``date`` (what :meth:`expire` goes by: a datetime, a date, Unix seconds
    /// or an ISO 8601 / RFC 2822 str) and ``source``; committed at once.
    ///
    /// Returns an :class:`Added`: its matches and cluster, or ``added=False`` when an
    /// article of this id is in the index already (it is left as it was).
    #[pyo3(signature = (id, text, *, title = None, date = None, source = None))]
    fn add(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        text: &Bound<'_, PyAny>,
        title: Option<&Bound<'_, PyAny>>,
        date: Option<&Bound<'_, PyAny>>,
        source: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Added> {
        for (name, value) in [("id", id), ("text", text)] {
            if !value.is_instance_of::<PyString>() {
                let got = value.get_type().name()?;
                return Err(PyTypeError::new_err(format!(
                    "add(): `{name}` must be a str, not {got}"
                )));
            }
        }
        let record = PyDict::new(py);
        record.set_item("id", id)?;
        record.set_item("text", text)?;
        record.set_item("title", title)?;
        record.set_item("date", date)?;
        record.set_item("source", source)?;
        let articles = Index::incoming(py, pyo3::types::PyList::new(py, [record])?.as_any())
            .map_err(|e| strip_record_prefix(py, e))?;
        let mut added = self.add_all(py, &articles, 1)?;
        added.pop().ok_or_else(|| PyValueError::new_err("nothing added"))
    }

    /// Adds ``records`` — ``(id, text)`` tuples or dicts with ``id``, ``text`` and
    /// optionally ``title``, ``date`` and ``source`` — in order, shingled on every core
    /// with the GIL released, committed ``batch_size`` at a time (each batch one
    /// transaction). Returns an :class:`Added` for each record.
    #[pyo3(signature = (records, *, batch_size = 1000))]
    fn add_many(
        &self,
        py: Python<'_>,
        records: &Bound<'_, PyAny>,
        batch_size: usize,
    ) -> PyResult<Vec<Added>> {
        if batch_size == 0 {
            return Err(value_error("invalid parameter `batch_size`: must be at least 1"));
        }
        let articles = Index::incoming(py, records)?;
        self.add_all(py, &articles, batch_size)
    }

    /// What ``text`` (with its ``title``, as :meth:`add` composes them) would match in
    /// the index, without adding it: a list of :class:`Found`, in arrival order.
    #[pyo3(signature = (text, *, title = None))]
    fn query(&self, py: Python<'_>, text: &str, title: Option<&str>) -> PyResult<Vec<Found>> {
        let text = match title.filter(|t| !t.is_empty()) {
            Some(t) => format!("{t}\n{text}"),
            None => text.to_string(),
        };
        let found = self.with_store(py, |store| {
            let dedup = store.index().deduplicator().clone();
            store.query(dedup.shingle(&text))
        })?;
        Ok(found
            .into_iter()
            .map(|f| Found {
                id: f.id,
                score: f.matched.score,
                kind: f.matched.kind.to_string(),
                cluster: f.cluster,
            })
            .collect())
    }

    /// Removes the article ``id``; returns whether it was in the index. The others
    /// keep the matches they had with each other, and their clusters are formed again
    /// without it.
    fn remove(&self, py: Python<'_>, id: &str) -> PyResult<bool> {
        if !self.with_store(py, |s| Ok(s.index().contains(id)))? {
            return Ok(false);
        }
        let removed = self.write(py, "remove", |store| store.retain(|held, _| held != id))?;
        Ok(!removed.is_empty())
    }

    /// Removes every article of ``ids`` in one transaction; returns the ids that were
    /// in the index.
    // PyO3 hands over `ids` owned (refusing a str); they are only read.
    #[allow(clippy::needless_pass_by_value)]
    fn remove_many(&self, py: Python<'_>, ids: Vec<String>) -> PyResult<Vec<String>> {
        let wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
        self.write(py, "remove", |store| store.retain(|held, _| !wanted.contains(held)))
    }

    /// Removes the articles dated before ``before`` (a datetime, a date, Unix seconds
    /// or a date str), or older than ``keep_days`` days; articles without a date stay.
    /// Returns the ids removed, in arrival order.
    #[pyo3(signature = (before = None, *, keep_days = None))]
    fn expire(
        &self,
        py: Python<'_>,
        before: Option<&Bound<'_, PyAny>>,
        keep_days: Option<u64>,
    ) -> PyResult<Vec<String>> {
        let before = cutoff(py, before, keep_days)?;
        self.write(py, "expire", |store| store.retain(|_, date| date.is_none_or(|d| d >= before)))
    }

    /// The clusters of the articles held, as :meth:`Deduplicator.cluster` gives them
    /// (ids are str): the same as ``dedup index clusters``.
    #[pyo3(signature = (*, singletons = true))]
    fn clusters(&self, py: Python<'_>, singletons: bool) -> PyResult<Vec<Py<Cluster>>> {
        let (clusters, ids, short) = self.with_store(py, |store| {
            let feed = store.index();
            let ids: Vec<String> =
                (0..feed.len()).map(|i| feed.id(DocId(i as u32)).to_string()).collect();
            let short: Vec<bool> =
                (0..feed.len()).map(|i| feed.too_short(DocId(i as u32))).collect();
            Ok((feed.clusters(), ids, short))
        })?;
        let id_of = |d: DocId| Ok(PyString::new(py, &ids[d.index()]).into_any().unbind());
        clusters_to_py(py, &clusters, &id_of, &|d| short[d.index()], singletons)
    }

    /// The ids of the articles held, in arrival order.
    fn ids(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with_store(py, |store| {
            let feed = store.index();
            Ok((0..feed.len()).map(|i| feed.id(DocId(i as u32)).to_string()).collect())
        })
    }

    /// Checks the file as ``dedup index check`` does (SQLite's integrity check, every
    /// row's checksum, every stored cluster); returns the problems found (none: ``[]``).
    fn check(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with_store(py, |store| store.check())
    }

    /// Closes the file. Further calls raise ``ValueError``; closing twice is allowed.
    fn close(&self, py: Python<'_>) {
        let store = py.detach(|| self.store.lock().ok().and_then(|mut s| s.take()));
        drop(store);
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.with_store(py, |s| Ok(s.index().len()))
    }

    fn __contains__(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(id) = id.extract::<String>() else { return Ok(false) };
        self.with_store(py, |s| Ok(s.index().contains(&id)))
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.close(py);
        false
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let held = self.with_store(py, |s| Ok(s.index().len()));
        match held {
            Ok(n) => format!("Index({:?}, {n} articles)", self.path.display().to_string()),
            Err(_) => format!("Index({:?}, closed)", self.path.display().to_string()),
        }
    }
}

/// `record 0: ` taken off the message of an error about the one record of `add`.
fn strip_record_prefix(py: Python<'_>, e: PyErr) -> PyErr {
    let message = e.value(py).to_string();
    let Some(rest) = message.strip_prefix("record 0: ") else { return e };
    if e.is_instance_of::<PyTypeError>(py) {
        PyTypeError::new_err(rest.to_string())
    } else {
        value_error(rest)
    }
}
