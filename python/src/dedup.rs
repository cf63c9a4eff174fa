//! `Deduplicator`, `Cluster` and `Member`: clusters of copies among records or files.

use std::collections::HashSet;
use std::path::PathBuf;

use nuskha::{Clusters, DocId};
use nuskha_store::Options;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyIterator, PyList, PyString};

use crate::files::{self, Fields};
use crate::records::{self, Key, Want};
use crate::{io_error, options, value_error, warn};

/// Records are shingled (with the GIL released) this many at a time, or once they
/// hold this many bytes.
const CHUNK_RECORDS: usize = 4096;
const CHUNK_BYTES: usize = 16 << 20;

/// Where a batch call runs: the library's rayon pool, this thread alone, or a pool of
/// its own size.
pub enum Threads {
    /// rayon's global pool (every core).
    Global,
    /// The calling thread only.
    Serial,
    /// A pool of this call's own.
    Pool(rayon::ThreadPool),
}

impl Threads {
    /// The threads of `threads=` (`None`: every core).
    ///
    /// # Errors
    ///
    /// `ValueError` for 0, or when the pool cannot be made.
    pub fn new(threads: Option<usize>) -> PyResult<Threads> {
        match threads {
            None => Ok(Threads::Global),
            Some(0) => Err(value_error("invalid parameter `threads`: must be at least 1")),
            Some(1) => Ok(Threads::Serial),
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map(Threads::Pool)
                .map_err(|e| value_error(format!("invalid parameter `threads`: {e}"))),
        }
    }

    /// Whether work is spread over threads.
    pub fn parallel(&self) -> bool {
        !matches!(self, Threads::Serial)
    }

    /// Runs `f` on these threads.
    pub fn run<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        match self {
            Threads::Pool(pool) => pool.install(f),
            _ => f(),
        }
    }
}

/// One article of a cluster.
///
/// Attributes: ``id`` (the record's id), ``score`` (its similarity to ``matched``: its
/// best match in the cluster with average linkage, the default; 1.0 for a star
/// cluster's representative and for a cluster of one), ``kind`` (what made it a copy:
/// ``"jaccard"``, ``"containment"``, ``"edited"``, ``"aligned"`` or ``"simhash"``), ``matched`` (the
/// id of the member it matched: the cluster's centre in star mode, its best match in
/// average linkage) and ``too_short`` (it has fewer words than ``min_length`` and is
/// never matched).
#[pyclass(frozen, module = "nuskha")]
pub struct Member {
    /// The record's id.
    #[pyo3(get)]
    id: Py<PyAny>,
    /// The similarity to `matched`.
    #[pyo3(get)]
    score: f64,
    /// What made it a copy: "jaccard", "containment", "edited", "aligned" or "simhash".
    #[pyo3(get)]
    kind: String,
    /// The id of the member it matched.
    #[pyo3(get)]
    matched: Py<PyAny>,
    /// Fewer words than `min_length`: never matched.
    #[pyo3(get)]
    too_short: bool,
}

#[pymethods]
impl Member {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Member(id={}, score={:.3}, kind='{}', matched={})",
            self.id.bind(py).repr()?,
            self.score,
            self.kind,
            self.matched.bind(py).repr()?
        ))
    }
}

/// A group of copies of one story (or one article alone).
///
/// ``representative`` is the id of the article that stands for it (the first in input
/// order, unless ``representative=`` says otherwise); ``members`` every article in it,
/// the representative included, in input order, each a :class:`Member`; ``ids`` their
/// ids. ``len(cluster)`` is the number of members; iterating gives the members.
#[pyclass(frozen, module = "nuskha")]
pub struct Cluster {
    /// The id of the article that stands for the cluster.
    #[pyo3(get)]
    representative: Py<PyAny>,
    members: Vec<Py<Member>>,
}

#[pymethods]
impl Cluster {
    /// Every member, the representative included, in input order.
    #[getter]
    fn members<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.members.iter().map(|m| m.clone_ref(py)))
    }

    /// The members' ids, in input order.
    #[getter]
    fn ids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.members.iter().map(|m| m.get().id.clone_ref(py)))
    }

    fn __len__(&self) -> usize {
        self.members.len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        self.members(py)?.try_iter()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let ids: Vec<String> = self
            .members
            .iter()
            .map(|m| m.get().id.bind(py).repr().map(|r| r.to_string()))
            .collect::<PyResult<_>>()?;
        Ok(format!(
            "Cluster(representative={}, ids=[{}])",
            self.representative.bind(py).repr()?,
            ids.join(", ")
        ))
    }
}

/// The clusters as Python objects; `id_of` gives each article's id.
pub fn clusters_to_py(
    py: Python<'_>,
    clusters: &Clusters,
    id_of: &dyn Fn(DocId) -> PyResult<Py<PyAny>>,
    short: &dyn Fn(DocId) -> bool,
    singletons: bool,
) -> PyResult<Vec<Py<Cluster>>> {
    let mut out = Vec::with_capacity(clusters.len());
    for c in clusters {
        if c.len() < 2 && !singletons {
            continue;
        }
        let mut members = Vec::with_capacity(c.len());
        for m in c.members() {
            let member = Member {
                id: id_of(m.id)?,
                score: m.score,
                kind: m.kind.to_string(),
                matched: id_of(m.matched)?,
                too_short: short(m.id),
            };
            members.push(Py::new(py, member)?);
        }
        out.push(Py::new(py, Cluster { representative: id_of(c.representative())?, members })?);
    }
    Ok(out)
}

/// Finds near-duplicate articles and groups them into clusters.
///
/// ``Deduplicator(threshold=0.5, *, containment=0.8, shingle="words:5",
/// algorithm="minhash", min_length=10, max_article_size=1048576, num_perm=128,
/// seed=DEFAULT_SEED, exact=False, edited=True, rare_search=False, align=False,
/// min_aligned=None, align_run=None, mode=None, link_density=0.7,
/// representative="first")``: the options of the ``dedup`` command, by the same names
/// and with the same defaults (the library's). ``containment=None`` turns containment
/// off; ``edited=False`` turns the edited-copy rule off (``--no-edited``; it is off with
/// a SimHash ``algorithm`` unless asked for); ``rare_search=True`` also checks the
/// articles that share rare phrases (``--edited``), ``rare_search="light"`` fewer of
/// them (``--edited=light``); ``align=True`` also finds heavy
/// rewrites by word alignment, ``min_aligned`` and ``align_run`` (None: the library's
/// defaults) tune it; ``mode`` is ``"star"``, ``"average"`` or ``"components"``
/// (default: ``"average"``, ``"star"`` with ``edited=False``); ``representative`` is ``"first"``,
/// ``"longest"`` or ``"earliest"`` (by the records' dates).
///
/// Raises ``TypeError`` for an unknown option or a value of the wrong type,
/// ``ValueError`` for a value out of range.
#[pyclass(frozen, module = "nuskha")]
pub struct Deduplicator {
    dedup: nuskha::Deduplicator,
    options: Options,
    earliest: bool,
}

/// One verified pair as Python sees it: both ids, the score and the kind.
type VerifiedPair = (Py<PyAny>, Py<PyAny>, f64, String);

impl Deduplicator {
    /// The Rust deduplicator.
    pub fn inner(&self) -> &nuskha::Deduplicator {
        &self.dedup
    }

    /// What :meth:`cluster` does, and the verified pairs when `with_pairs` (none
    /// otherwise).
    fn cluster_records(
        &self,
        py: Python<'_>,
        records: &Bound<'_, PyAny>,
        threads: Option<usize>,
        singletons: bool,
        with_pairs: bool,
    ) -> PyResult<(Vec<Py<Cluster>>, Vec<VerifiedPair>)> {
        if records.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "records must be an iterable of records, not a str (give [text] for one)",
            ));
        }
        let threads = Threads::new(threads)?;
        let parallel = threads.parallel();
        let want = Want { plain_strings: true, str_ids: false, dates: self.earliest };
        let mut batch = self.dedup.batch();
        let mut ids: Vec<Py<PyAny>> = Vec::new();
        let mut keys: HashSet<Key> = HashSet::new();
        let mut dates: Vec<Option<i64>> = Vec::new();
        // (record, source) of the records that name one.
        let mut sources: Vec<(usize, String)> = Vec::new();
        let mut chunk: Vec<String> = Vec::new();
        let mut chunk_bytes = 0;
        let shingle = |py: Python<'_>, batch: &mut nuskha::Batch<'_>, chunk: &mut Vec<String>| {
            let texts = std::mem::take(chunk);
            py.detach(|| {
                threads.run(|| {
                    if parallel {
                        batch.par_extend(&texts);
                    } else {
                        batch.extend(&texts);
                    }
                });
            });
        };
        for (i, item) in records.try_iter()?.enumerate() {
            let r = records::read(py, i, &item?, want)?;
            if !keys.insert(r.key.clone()) {
                return Err(value_error(format!(
                    "record {i}: the id {} is repeated",
                    r.key.text()
                )));
            }
            if let Some(source) = r.source {
                sources.push((ids.len(), source));
            }
            ids.push(r.id);
            if self.earliest {
                dates.push(r.date.map(|d| d.unix));
            }
            chunk_bytes += r.text.len();
            chunk.push(r.text);
            if chunk.len() >= CHUNK_RECORDS || chunk_bytes >= CHUNK_BYTES {
                shingle(py, &mut batch, &mut chunk);
                chunk_bytes = 0;
            }
        }
        shingle(py, &mut batch, &mut chunk);
        drop(keys);
        for (i, source) in &sources {
            batch.set_source(DocId(*i as u32), source);
        }
        let short: Vec<bool> = (0..batch.len()).map(|i| batch.too_short(DocId(i as u32))).collect();
        let (mut clusters, pairs) = py.detach(|| {
            threads.run(|| {
                if parallel { batch.par_cluster_with_pairs() } else { batch.cluster_with_pairs() }
            })
        });
        if self.earliest {
            nuskha_input::date::choose_earliest(&mut clusters, &dates);
        }
        let id_of = |d: DocId| Ok(ids[d.index()].clone_ref(py));
        let clusters = clusters_to_py(py, &clusters, &id_of, &|d| short[d.index()], singletons)?;
        // Python objects only when the pairs were asked for.
        let pair_to_py = |&(a, b, m): &(DocId, DocId, nuskha::Match)| {
            (
                ids[a.index()].clone_ref(py),
                ids[b.index()].clone_ref(py),
                m.score,
                m.kind.to_string(),
            )
        };
        let pairs = if with_pairs { pairs.iter().map(pair_to_py).collect() } else { Vec::new() };
        Ok((clusters, pairs))
    }
}

#[pymethods]
impl Deduplicator {
    #[new]
    #[pyo3(signature = (threshold = None, **options))]
    fn new(
        py: Python<'_>,
        threshold: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let kwargs = match options {
            Some(o) => o.copy()?,
            None => PyDict::new(py),
        };
        if let Some(t) = threshold {
            kwargs.set_item("threshold", t)?;
        }
        let parsed = options::parse("Deduplicator", Some(&kwargs), true)?;
        let mut builder = parsed.options.builder().map_err(value_error)?;
        if parsed.earliest {
            // The earliest is chosen from the dates once the clusters are formed.
            builder.representative(nuskha::Representative::First);
        }
        let dedup = builder.build().map_err(value_error)?;
        Ok(Deduplicator { dedup, options: parsed.options, earliest: parsed.earliest })
    }

    /// The options, by name, as a dict (every option, given or default).
    #[getter]
    fn options<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        options::to_dict(py, &self.options, self.earliest)
    }

    /// The LSH banding the threshold chose: ``(bands, rows)``.
    #[getter]
    fn bands(&self) -> (usize, usize) {
        let p = self.dedup.lsh_params();
        (p.bands(), p.rows())
    }

    fn __repr__(&self) -> String {
        format!("Deduplicator({})", options::repr(&self.options, self.earliest))
    }

    /// Clusters ``records``: an iterable of str texts (whose ids are their positions,
    /// from 0), ``(id, text)`` tuples or dicts with ``text`` and optionally ``id``,
    /// ``title`` (compared with the text: the title, a newline, the text, as ``dedup``
    /// reads a JSON record), ``date`` (for ``representative="earliest"``: a datetime, a
    /// date, Unix seconds or an ISO 8601 / RFC 2822 str) and ``source`` (the outlet or
    /// site, whose own boilerplate is learned: ``source_boilerplate``). Ids are str or
    /// int, each once.
    ///
    /// Returns the clusters as a list of :class:`Cluster`, sorted by their first member;
    /// every record is in exactly one (with ``singletons=False``, only clusters of two
    /// or more are returned). ``threads``: ``None`` uses every core (the library's
    /// thread pool), ``1`` this thread alone, ``n`` a pool of ``n``. The GIL is
    /// released while the texts are shingled and clustered.
    ///
    /// Raises ``TypeError`` for a record of the wrong type, ``ValueError`` for a dict
    /// without ``text``, a repeated id or an unreadable date.
    #[pyo3(signature = (records, *, threads = None, singletons = true))]
    fn cluster(
        &self,
        py: Python<'_>,
        records: &Bound<'_, PyAny>,
        threads: Option<usize>,
        singletons: bool,
    ) -> PyResult<Vec<Py<Cluster>>> {
        Ok(self.cluster_records(py, records, threads, singletons, false)?.0)
    }

    /// :meth:`cluster`, and every pair the verifier accepted, the pairs the clusters
    /// were formed from: ``(id_a, id_b, score, kind)`` tuples, the earlier record
    /// first, in the records' order (``kind``: ``"jaccard"``, ``"containment"``,
    /// ``"simhash"``, ``"edited"`` or ``"aligned"``). The clustering keeps some
    /// verified pairs apart (a round-up that matches two stories, a template bulletin
    /// that matches a few others): these are the pairs to read when asking why two
    /// articles are not in one cluster (``dedup --emit pairs``).
    #[pyo3(signature = (records, *, threads = None, singletons = true))]
    fn cluster_with_pairs(
        &self,
        py: Python<'_>,
        records: &Bound<'_, PyAny>,
        threads: Option<usize>,
        singletons: bool,
    ) -> PyResult<(Vec<Py<Cluster>>, Vec<VerifiedPair>)> {
        self.cluster_records(py, records, threads, singletons, true)
    }

    /// Clusters the articles of ``path`` as ``dedup PATH`` reads them: a folder
    /// (recursively, in sorted order; ``.txt``/``.md`` files one article each, their id
    /// the path below the folder; ``.jsonl``/``.ndjson``/``.json`` records, plain or
    /// ``.gz``), or one file (JSON Lines, a JSON array of records, or text). A record's
    /// id is its ``id_field`` (else ``FILE:LINE``), its compared text its
    /// ``title_field``, a newline and its ``text_field`` (the text alone with
    /// ``no_title=True``). The same clusters as the command at the same options.
    ///
    /// Inputs the command skips with a warning (binary, empty, not UTF-8, larger than
    /// ``max_file_size``, bad records, repeated ids) are skipped with a
    /// ``UserWarning``. Raises ``OSError`` naming the file when a file or folder cannot
    /// be read. ``threads`` and ``singletons`` as for :meth:`cluster`; the GIL is
    /// released while reading and clustering.
    #[pyo3(signature = (
        path, *, threads = None, singletons = true, id_field = "id", text_field = "text",
        title_field = "title", date_field = "date", no_title = false, max_file_size = 1_073_741_824
    ))]
    // PyO3 hands over `path` owned; it is only read.
    #[allow(clippy::too_many_arguments, clippy::needless_pass_by_value)]
    fn cluster_file(
        &self,
        py: Python<'_>,
        path: PathBuf,
        threads: Option<usize>,
        singletons: bool,
        id_field: &str,
        text_field: &str,
        title_field: &str,
        date_field: &str,
        no_title: bool,
        max_file_size: u64,
    ) -> PyResult<Vec<Py<Cluster>>> {
        let threads = Threads::new(threads)?;
        let fields = Fields {
            id: id_field.to_string(),
            text: text_field.to_string(),
            title: title_field.to_string(),
            date: date_field.to_string(),
            no_title,
        };
        let (dedup, parallel, earliest) = (&self.dedup, threads.parallel(), self.earliest);
        let read = py.detach(|| {
            threads.run(|| {
                let mut batch = dedup.batch();
                files::read(&path, &mut batch, &fields, max_file_size, earliest, parallel).map(
                    |inputs| {
                        let short: Vec<bool> =
                            (0..batch.len()).map(|i| batch.too_short(DocId(i as u32))).collect();
                        let clusters = if parallel { batch.par_cluster() } else { batch.cluster() };
                        (inputs, short, clusters)
                    },
                )
            })
        });
        let (inputs, short, mut clusters) = read.map_err(|e| io_error(&e.path, &e.error))?;
        if !inputs.skipped.is_empty() {
            let shown: Vec<String> = inputs
                .skipped
                .iter()
                .take(5)
                .map(|(place, why)| format!("{place} ({})", why.label()))
                .collect();
            let more = inputs.skipped.len().saturating_sub(shown.len());
            let more = if more > 0 { format!(", and {more} more") } else { String::new() };
            warn(
                py,
                &format!(
                    "nuskha: {} inputs skipped: {}{more}",
                    inputs.skipped.len(),
                    shown.join(", ")
                ),
            )?;
        }
        if self.earliest {
            let (dates, unreadable) = inputs.dates();
            if unreadable > 0 {
                warn(
                    py,
                    &format!(
                        "nuskha: {unreadable} dates are not ISO 8601, RFC 2822 or Unix seconds; those articles count as undated"
                    ),
                )?;
            }
            nuskha_input::date::choose_earliest(&mut clusters, &dates);
        }
        let id_of =
            |d: DocId| Ok(PyString::new(py, &inputs.articles[d.index()].id).into_any().unbind());
        clusters_to_py(py, &clusters, &id_of, &|d| short[d.index()], singletons)
    }

    /// Puts two texts side by side as ``dedup compare`` does: every score (exact and
    /// estimated Jaccard, both containments, the SimHash distance), the counts of words
    /// and distinct shingles, up to ``passages`` of the longest passages they share,
    /// and the verifier's ``verdict`` at these options (``copy``, ``kind``, ``score``
    /// and the scores it compared). Texts longer than ``max_article_size`` are compared
    /// on their beginnings, as they are matched.
    ///
    /// Returns a dict with the keys of ``dedup compare --format json``.
    #[pyo3(signature = (a, b, *, passages = 5))]
    fn compare<'py>(
        &self,
        py: Python<'py>,
        a: &str,
        b: &str,
        passages: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let dedup = &self.dedup;
        let (ta, tb) = (dedup.matched_text(a), dedup.matched_text(b));
        let (c, v) =
            py.detach(|| (dedup.sketcher().compare(ta, tb, passages), dedup.verdict(ta, tb)));
        let d = PyDict::new(py);
        d.set_item("shingles", &self.options.shingle)?;
        d.set_item("num_perm", dedup.sketcher().params().num_perm())?;
        d.set_item("exact_jaccard", c.exact_jaccard)?;
        d.set_item("estimated_jaccard", c.estimated_jaccard)?;
        d.set_item("exact_containment_a_in_b", c.exact_containment_a_in_b)?;
        d.set_item("exact_containment_b_in_a", c.exact_containment_b_in_a)?;
        d.set_item("estimated_containment_a_in_b", c.estimated_containment_a_in_b)?;
        d.set_item("estimated_containment_b_in_a", c.estimated_containment_b_in_a)?;
        d.set_item("simhash_hamming", c.simhash_hamming)?;
        d.set_item("words", [c.words.0, c.words.1])?;
        d.set_item("distinct_shingles", [c.shingles.0, c.shingles.1])?;
        d.set_item("truncated", [ta.len() < a.len(), tb.len() < b.len()])?;
        let shared = PyList::empty(py);
        for p in &c.shared_passages {
            let passage = PyDict::new(py);
            passage.set_item("words", p.words)?;
            passage.set_item("start_a", p.start_a)?;
            passage.set_item("start_b", p.start_b)?;
            passage.set_item("text", &p.text)?;
            shared.append(passage)?;
        }
        d.set_item("shared_passages", shared)?;
        let verdict = PyDict::new(py);
        verdict.set_item("copy", v.matched.is_some())?;
        verdict.set_item("kind", v.matched.map(|m| m.kind.to_string()))?;
        verdict.set_item("score", v.matched.map(|m| m.score))?;
        verdict.set_item("jaccard", v.jaccard)?;
        verdict.set_item("containment", v.containment)?;
        verdict.set_item("simhash_distance", v.simhash_distance)?;
        verdict.set_item("word_containment", v.word_containment)?;
        verdict.set_item("bigram_containment", v.bigram_containment)?;
        verdict.set_item("distinctive_containment", v.distinctive_containment)?;
        verdict.set_item("aligned_coverage", v.aligned_coverage)?;
        verdict.set_item("too_short", [v.too_short.0, v.too_short.1])?;
        d.set_item("verdict", verdict)?;
        Ok(d)
    }
}
