//! `CorpusContext`: the library's [`nuskha::CorpusContext`] for a job spread over
//! machines (`spark/nuskha_spark.py`): band keys, pair verdicts and component clusters
//! of articles that `dedup sketch` wrote, with the statistics of the whole corpus.
//!
//! An article is a tuple of the columns `dedup sketch` writes: `(shingles, words,
//! length, short, truncated, source)`, fingerprints as the signed 32-bit integers of
//! the Parquet file.

use nuskha::{ArticleParts, CorpusStats, DocId, Match, MatchKind, ShingledArticle};
use nuskha_store::Options;
use pyo3::prelude::*;
use rayon::prelude::*;

use crate::value_error;

/// The layout of `dedup sketch`'s output this build reads (its settings' `format`).
const SKETCH_FORMAT: u64 = 1;

/// One article's columns, as Python gives them.
type Row = (Vec<i64>, Option<Vec<i64>>, u64, bool, bool, Option<String>);

/// A fingerprint from its signed (Parquet) or unsigned 32-bit value.
fn fingerprint(v: i64) -> PyResult<u32> {
    match u32::try_from(v) {
        Ok(fp) => Ok(fp),
        Err(_) => i32::try_from(v)
            .map(|s| u32::from_ne_bytes(s.to_ne_bytes()))
            .map_err(|_| value_error(format!("{v} is not a 32-bit fingerprint"))),
    }
}

/// A fingerprint as the signed value Parquet and Spark hold.
fn signed(fp: u32) -> i32 {
    i32::from_ne_bytes(fp.to_ne_bytes())
}

fn fingerprints(values: &[i64]) -> PyResult<Vec<u32>> {
    values.iter().map(|&v| fingerprint(v)).collect()
}

/// An article's parts and its source.
fn parts(row: Row) -> PyResult<(ArticleParts, Option<String>)> {
    let (shingles, words, len, short, truncated, source) = row;
    let len = usize::try_from(len).map_err(value_error)?;
    let words = words.as_deref().map(fingerprints).transpose()?;
    let parts = ArticleParts {
        shingles: fingerprints(&shingles)?,
        words,
        simhash: None,
        len,
        short,
        truncated,
    };
    Ok((parts, source))
}

/// The deduplicator of a sketch's settings (the JSON text of a `settings-*.json` file).
fn deduplicator(settings: &str) -> PyResult<nuskha::Deduplicator> {
    let v: serde_json::Value = serde_json::from_str(settings)
        .map_err(|e| value_error(format!("sketch settings: not JSON: {e}")))?;
    let format = v.get("format").and_then(serde_json::Value::as_u64);
    if format != Some(SKETCH_FORMAT) {
        return Err(value_error(format!(
            "sketch settings: format {}, this nuskha reads format {SKETCH_FORMAT}",
            format.map_or("missing".to_string(), |f| f.to_string())
        )));
    }
    let options: Options = serde_json::from_value(v["options"].clone())
        .map_err(|e| value_error(format!("sketch settings: options: {e}")))?;
    let source_boilerplate = v.get("source_boilerplate").and_then(serde_json::Value::as_bool);
    let Some(source_boilerplate) = source_boilerplate else {
        return Err(value_error("sketch settings: `source_boilerplate` missing"));
    };
    let mut b = options.builder().map_err(value_error)?;
    if !source_boilerplate {
        b.source_boilerplate(None);
    }
    b.build().map_err(value_error)
}

/// What a corpus sketched by `dedup sketch` taught: its shingle statistics and
/// boilerplate (and, from `with_sources`, each source's), and the settings it was
/// sketched with. Every method runs the library's own code, so a job that groups
/// band keys into candidate pairs, verifies them here and clusters each connected
/// component here gets the clusters `dedup` forms on one machine.
///
/// `CorpusContext(settings, docs, fingerprints, counts)`: `settings` the text of a
/// shard's `settings-*.json`, `docs` the number of articles of the corpus, and for
/// every shingle in more than 8 of them (fewer may be given), its fingerprint and the
/// number of articles holding it, added up over the shards.
#[pyclass(frozen, module = "nuskha")]
pub struct CorpusContext {
    context: nuskha::CorpusContext,
}

impl CorpusContext {
    fn article(&self, parts: ArticleParts) -> PyResult<ShingledArticle<'_>> {
        self.context.deduplicator().article_from_parts(parts).map_err(value_error)
    }

    fn articles(&self, rows: Vec<Row>) -> PyResult<Vec<(ShingledArticle<'_>, Option<String>)>> {
        rows.into_iter()
            .map(|row| {
                let (p, source) = parts(row)?;
                Ok((self.article(p)?, source))
            })
            .collect()
    }
}

#[pymethods]
impl CorpusContext {
    #[new]
    #[allow(clippy::needless_pass_by_value)]
    fn new(
        settings: &str,
        docs: usize,
        fingerprints: Vec<i64>,
        counts: Vec<u64>,
    ) -> PyResult<Self> {
        if fingerprints.len() != counts.len() {
            return Err(value_error("fingerprints and counts differ in length"));
        }
        let dedup = deduplicator(settings)?;
        let pairs = fingerprints.iter().map(|&v| fingerprint(v)).zip(counts);
        let pairs: Vec<(u32, u64)> =
            pairs.map(|(fp, n)| fp.map(|fp| (fp, n))).collect::<PyResult<_>>()?;
        let stats = CorpusStats::from_counts(docs, pairs).map_err(value_error)?;
        let context = dedup.corpus_context(stats).map_err(value_error)?;
        Ok(CorpusContext { context })
    }

    /// Whether per-source boilerplate is learned at these settings.
    #[getter]
    fn learns_sources(&self) -> bool {
        self.context.learns_sources()
    }

    /// For each article, the shingles that per-source boilerplate is counted on
    /// (signed). Count for each (source, shingle) the articles of the source that hold
    /// it, and give the counts to `with_sources`.
    fn source_shingles(&self, py: Python<'_>, rows: Vec<Row>) -> PyResult<Vec<Vec<i32>>> {
        let articles = self.articles(rows)?;
        Ok(py.detach(|| {
            articles
                .par_iter()
                .map(|(a, _)| self.context.source_shingles(a).into_iter().map(signed).collect())
                .collect()
        }))
    }

    /// This context with each source's boilerplate learned: `articles`, (source,
    /// number of its articles) pairs; `counts`, (source, shingle, number of its
    /// articles holding it) triples, each (source, shingle) once.
    #[allow(clippy::needless_pass_by_value)]
    fn with_sources(
        &self,
        articles: Vec<(String, usize)>,
        counts: Vec<(String, i64, usize)>,
    ) -> PyResult<CorpusContext> {
        let counts: Vec<(String, u32, usize)> = counts
            .into_iter()
            .map(|(s, fp, n)| Ok((s, fingerprint(fp)?, n)))
            .collect::<PyResult<_>>()?;
        let mut context = self.context.clone();
        context
            .learn_sources(
                articles.iter().map(|(s, n)| (s.as_str(), *n)),
                counts.iter().map(|(s, fp, n)| (s.as_str(), *fp, *n)),
            )
            .map_err(value_error)?;
        Ok(CorpusContext { context })
    }

    /// Each article's LSH band keys (signed 64-bit), band after band; empty for an
    /// article that can match nothing. Two articles are a candidate pair when they
    /// hold an equal key at the same band.
    fn band_keys(&self, py: Python<'_>, rows: Vec<Row>) -> PyResult<Vec<Vec<i64>>> {
        let articles = self.articles(rows)?;
        Ok(py.detach(|| {
            articles
                .par_iter()
                .map(|(a, source)| {
                    let keys = self.context.band_keys(a, source.as_deref());
                    keys.into_iter().map(|k| i64::from_ne_bytes(k.to_ne_bytes())).collect()
                })
                .collect()
        }))
    }

    /// The verifier's verdict on each candidate pair `(earlier, later)` (the earlier
    /// in input order first): `(score, kind)` for a copy, else `None`.
    fn verify(
        &self,
        py: Python<'_>,
        pairs: Vec<(Row, Row)>,
    ) -> PyResult<Vec<Option<(f64, String)>>> {
        let pairs: Vec<_> = pairs
            .into_iter()
            .map(|(a, b)| {
                let [a, b] = [a, b].map(|row| -> PyResult<_> {
                    let (p, source) = parts(row)?;
                    Ok((self.article(p)?, source))
                });
                Ok((a?, b?))
            })
            .collect::<PyResult<_>>()?;
        Ok(py.detach(|| {
            pairs
                .par_iter()
                .map(|((a, sa), (b, sb))| {
                    let m = self.context.verify((a, sa.as_deref()), (b, sb.as_deref()))?;
                    Some((m.score, m.kind.to_string()))
                })
                .collect()
        }))
    }

    /// The clusters of one connected component (or several), its articles in input
    /// order, from its verified `edges` `(i, j, score, kind)` (positions in `rows`, i
    /// before j): for each article, `(representative, similarity, cluster size)`, the
    /// representative as a position in `rows`.
    fn cluster(
        &self,
        py: Python<'_>,
        rows: Vec<Row>,
        edges: Vec<(u32, u32, f64, String)>,
    ) -> PyResult<Vec<(u32, f64, usize)>> {
        let articles = self.articles(rows)?;
        let edges: Vec<(DocId, DocId, Match)> = edges
            .into_iter()
            .map(|(a, b, score, kind)| {
                let kind: MatchKind = kind.parse().map_err(value_error)?;
                Ok((DocId(a), DocId(b), Match { score, kind }))
            })
            .collect::<PyResult<_>>()?;
        let n = articles.len();
        let clusters = py.detach(|| {
            let articles: Vec<_> =
                articles.iter().map(|(a, s)| (a.clone(), s.as_deref())).collect();
            self.context.cluster(&articles, &edges)
        });
        let clusters = clusters.map_err(value_error)?;
        Ok((0..n)
            .map(|i| {
                let c = clusters.cluster_of(DocId(i as u32));
                let score = c.members().iter().find(|m| m.id.index() == i).map_or(1.0, |m| m.score);
                (c.representative().0, score, c.len())
            })
            .collect())
    }
}
