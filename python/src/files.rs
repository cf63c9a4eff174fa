//! Articles read from files by `nuskha-input`, the `dedup` command's own reader, so
//! that `cluster_file` reads exactly the articles the command reads: a folder
//! recursively in sorted order, text files one article each (their id the path below
//! the folder), JSON Lines (plain or gzipped) and JSON arrays one article a record.
//!
//! What the command skips with a warning (binary, empty, not UTF-8, too large, bad
//! records, repeated ids) is skipped here too and reported to Python as one
//! `UserWarning`; a file or folder that cannot be read, which the command skips,
//! raises `OSError` here, naming it.

use std::io;
use std::path::{Path, PathBuf};

use nuskha::Batch;
use nuskha_input::{Inputs, JsonlFields, ReadOptions, Reason};

/// Which fields of a JSON record hold what (the command's `--id-field` and so on).
pub struct Fields {
    /// The id's field.
    pub id: String,
    /// The text's field.
    pub text: String,
    /// The title's field, compared with the text unless `no_title`.
    pub title: String,
    /// The date's field.
    pub date: String,
    /// Compare the text alone.
    pub no_title: bool,
}

impl Fields {
    /// The command's defaults.
    pub fn defaults() -> Fields {
        Fields {
            id: "id".into(),
            text: "text".into(),
            title: "title".into(),
            date: "date".into(),
            no_title: false,
        }
    }
}

/// An input that could not be read: where, and the error (as far as it can be told
/// again: the reader keeps only why it skipped an input).
pub struct Unreadable {
    /// The file or folder.
    pub path: PathBuf,
    /// What failed.
    pub error: io::Error,
}

/// Reads `path` into `batch` as `dedup PATH` does; `keep_dates` keeps each article's
/// date field.
///
/// # Errors
///
/// When `path`, or a file or folder below it, cannot be read.
pub fn read(
    path: &Path,
    batch: &mut Batch<'_>,
    fields: &Fields,
    max_file_size: u64,
    keep_dates: bool,
    parallel: bool,
) -> Result<Inputs, Unreadable> {
    if let Err(error) = std::fs::metadata(path) {
        return Err(Unreadable { path: path.to_path_buf(), error });
    }
    let mut opts = ReadOptions {
        fields: JsonlFields {
            id: fields.id.clone(),
            text: fields.text.clone(),
            title: fields.title.clone(),
            source: "source".into(),
            date: fields.date.clone(),
            no_title: fields.no_title,
            keep_meta: keep_dates,
            sources: batch.deduplicator().source_boilerplate().is_some(),
        },
        max_file_size,
        read_block: 1 << 20,
        parallel,
        on_read: &|_| {},
        verbose: false,
        batch,
        keep_stdin: false,
        stripe: None,
    };
    let inputs = Inputs::read(&[path.to_path_buf()], &mut opts);
    let failed =
        inputs.skipped.iter().find(|(_, r)| matches!(r, Reason::Missing | Reason::Unreadable));
    if let Some((place, _)) = failed {
        return Err(unreadable(place));
    }
    Ok(inputs)
}

/// The error of the input at `place` (a path, or `PATH:LINE` where a read failed
/// part-way), found again by opening it.
fn unreadable(place: &str) -> Unreadable {
    let whole = PathBuf::from(place);
    let path = if whole.exists() {
        whole
    } else {
        // `PATH:LINE`: the line where the reading failed.
        place.rsplit_once(':').map_or(whole, |(p, _)| PathBuf::from(p))
    };
    let error = match std::fs::metadata(&path) {
        Err(e) => Some(e),
        Ok(m) if m.is_dir() => std::fs::read_dir(&path).err(),
        Ok(_) => std::fs::File::open(&path).err(),
    }
    .unwrap_or_else(|| io::Error::other("a read failed part-way (a damaged or cut-short file?)"));
    Unreadable { path, error }
}
