//! Python bindings of nuskha: the extension module `nuskha._nuskha`, which the Python
//! package `nuskha` (`python/nuskha/`) re-exports.
//!
//! Everything here is a thin layer over the public APIs of the `nuskha` library and the
//! `nuskha-store` index: Python values are turned into Rust ones with the GIL held, the
//! work runs with it released (on the library's rayon pool), and the results are turned
//! back. Errors are Python's own: `TypeError` for a value of the wrong type,
//! `ValueError` for a bad value, `OSError` (naming the file) for a file that cannot be
//! read or written.

mod dedup;
mod files;
mod index;
mod minhash;
mod options;
mod records;
mod scale;

use std::borrow::Cow;
use std::ffi::CString;
use std::io;
use std::path::Path;
use std::sync::OnceLock;

use nuskha::{ArabicNormalizer, Normalize};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

/// The default normaliser, made once.
fn normalizer() -> &'static ArabicNormalizer {
    static NORMALIZER: OnceLock<ArabicNormalizer> = OnceLock::new();
    NORMALIZER.get_or_init(ArabicNormalizer::new)
}

/// A `ValueError` with the library's message.
pub(crate) fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// The `errno` of an I/O error: the operating system's, or the usual one for its kind.
fn errno_of(e: &io::Error) -> Option<i32> {
    e.raw_os_error().or(match e.kind() {
        io::ErrorKind::NotFound => Some(2),
        io::ErrorKind::PermissionDenied => Some(13),
        io::ErrorKind::AlreadyExists => Some(17),
        io::ErrorKind::IsADirectory => Some(21),
        _ => None,
    })
}

/// An `OSError` about `path`: `OSError(errno, strerror, filename)` when the error has
/// an errno (Python then raises the matching subclass, `FileNotFoundError` for
/// `ENOENT`, and sets `filename`), else `OSError("FILE: message")`. Either way the
/// message names the file.
pub(crate) fn os_error(path: &Path, message: &str, e: Option<&io::Error>) -> PyErr {
    let filename = path.display().to_string();
    match e.and_then(errno_of) {
        Some(errno) => PyOSError::new_err((errno, message.to_string(), filename)),
        // With `filename` set and no errno, Python would print "[Errno None] None".
        None => PyOSError::new_err(format!("{filename}: {message}")),
    }
}

/// The `OSError` of an I/O error on `path`, its message without Rust's " (os error N)".
pub(crate) fn io_error(path: &Path, e: &io::Error) -> PyErr {
    let text = e.to_string();
    let strerror = text.rfind(" (os error").map_or(text.as_str(), |k| &text[..k]);
    os_error(path, strerror, Some(e))
}

/// Emits a Python `UserWarning` (shown once per place by Python's default filter).
pub(crate) fn warn(py: Python<'_>, message: &str) -> PyResult<()> {
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    let category = py.get_type::<pyo3::exceptions::PyUserWarning>();
    PyErr::warn(py, category.as_any(), &text, 2)
}

/// Normalises `text` as nuskha does before shingling (profile "dedup-default v1"):
/// Arabic diacritics and tatweel removed, the alef group folded to ا, ؤ and ئ to ء,
/// ى to ي, ة to ه, Arabic-Indic digits to ASCII, punctuation to ASCII, whitespace
/// collapsed, Latin lowercased. The same function as `dedup normalize`, line for line.
///
/// >>> nuskha.normalize("كَتَبَ")
/// 'كتب'
#[pyfunction]
fn normalize<'py>(py: Python<'py>, text: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyString>> {
    let s = text.to_cow()?;
    Ok(match normalizer().normalize(&s) {
        Cow::Borrowed(_) => text.clone(),
        Cow::Owned(out) => PyString::new(py, &out),
    })
}

/// The words of `text` as nuskha shingles them: `text` normalised first (unless
/// `normalize=False`: then it should be normalised already), then cut into words
/// (UAX #29 words, cut again at ASCII punctuation; `12.5` and `1,000` stay whole).
///
/// >>> nuskha.words("قال trump إن 12.5% من covid-19")
/// ['قال', 'trump', 'ان', '12.5', 'من', 'covid', '19']
// The example is Python's (a list of str), not a doc link.
#[allow(clippy::doc_link_with_quotes)]
#[pyfunction]
#[pyo3(signature = (text, *, normalize = true))]
fn words(text: &Bound<'_, PyString>, normalize: bool) -> PyResult<Vec<String>> {
    let s = text.to_cow()?;
    let normalized = if normalize { normalizer().normalize(&s) } else { Cow::Borrowed(&*s) };
    Ok(nuskha::words(&normalized).map(str::to_string).collect())
}

/// Near-duplicate detection of news articles, Arabic first: the Rust core of the
/// `nuskha` package.
#[pymodule(name = "_nuskha")]
mod module {
    #[pymodule_export]
    use super::dedup::{Cluster, Deduplicator, Member};
    #[pymodule_export]
    use super::index::{Added, Found, Index, Match};
    #[pymodule_export]
    use super::minhash::{MinHash, MinHashLSH};
    #[pymodule_export]
    use super::scale::CorpusContext;
    #[pymodule_export]
    use super::{normalize, words};

    /// The version of the package.
    #[pymodule_export]
    #[allow(non_upper_case_globals)]
    const __version__: &str = env!("CARGO_PKG_VERSION");
    /// The library's default Jaccard threshold.
    #[pymodule_export]
    const DEFAULT_THRESHOLD: f64 = nuskha::DEFAULT_THRESHOLD;
    /// The library's default containment threshold.
    #[pymodule_export]
    const DEFAULT_CONTAINMENT: f64 = nuskha::DEFAULT_CONTAINMENT;
    /// The library's default number of MinHash slots.
    #[pymodule_export]
    const DEFAULT_NUM_PERM: usize = nuskha::DEFAULT_NUM_PERM;
    /// The library's default seed of every hash.
    #[pymodule_export]
    const DEFAULT_SEED: u64 = nuskha::DEFAULT_SEED;
}
