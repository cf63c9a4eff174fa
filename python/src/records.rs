//! Records as Python gives them — strings, `(id, text)` pairs, dicts with `id`, `text`,
//! `title`, `date` and `source` — read into Rust values, with the compared text made as
//! the `dedup` command makes it from a JSON Lines record (the title, a newline and the
//! text), and dates read as the command reads them.

use nuskha_input::date::parse_date;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};

use crate::value_error;

/// A date given with a record: as written (kept in an index's listing) and read.
pub struct Date {
    /// The text of the date: a string as given, else its ISO 8601 or decimal form.
    pub text: String,
    /// Seconds since 1970, UTC.
    pub unix: i64,
}

/// One record read.
pub struct Record {
    /// The id as given; for a plain string, its position (an int).
    pub id: Py<PyAny>,
    /// The id as text (an index keeps its ids as text).
    pub key: Key,
    /// The compared text: the title (when there is one), a newline, and the text.
    pub text: String,
    /// The title, when given.
    pub title: Option<String>,
    /// The source, when given.
    pub source: Option<String>,
    /// The date, when given (and read: see [`Want::dates`]).
    pub date: Option<Date>,
}

/// An id as a key to find repeats: a str and an int never equal.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Key {
    /// A str id.
    Str(String),
    /// An int id.
    Int(i64),
}

impl Key {
    /// The id as text.
    pub fn text(&self) -> String {
        match self {
            Key::Str(s) => s.clone(),
            Key::Int(i) => i.to_string(),
        }
    }
}

/// What a caller needs of the records.
#[derive(Clone, Copy)]
pub struct Want {
    /// Plain strings are records (their id their position); else every record names
    /// its id.
    pub plain_strings: bool,
    /// Ids must be str (an index's); else str or int.
    pub str_ids: bool,
    /// Read the dates (else they are not looked at).
    pub dates: bool,
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type().name().map_or_else(|_| "?".to_string(), |n| n.to_string())
}

/// Reads record number `i` (from 0, for messages).
///
/// # Errors
///
/// `TypeError` for a record or field of the wrong type, `ValueError` for a dict
/// without `text` or a date that cannot be read.
pub fn read(py: Python<'_>, i: usize, item: &Bound<'_, PyAny>, want: Want) -> PyResult<Record> {
    if let Ok(s) = item.cast::<PyString>() {
        if !want.plain_strings {
            return Err(PyTypeError::new_err(format!(
                "record {i} is a str: give (id, text) tuples or dicts with 'id' and 'text'"
            )));
        }
        let id = i.into_pyobject(py)?.into_any().unbind();
        let key = Key::Int(i64::try_from(i).unwrap_or(i64::MAX));
        return Ok(Record {
            id,
            key,
            text: s.to_cow()?.into_owned(),
            title: None,
            source: None,
            date: None,
        });
    }
    if item.is_instance_of::<PyTuple>() || item.is_instance_of::<PyList>() {
        let n = item.len()?;
        if n != 2 {
            return Err(PyTypeError::new_err(format!(
                "record {i} is a sequence of {n} items: a record is (id, text)"
            )));
        }
        let id = item.get_item(0)?;
        let text = item.get_item(1)?;
        let key = key_of(i, &id, want)?;
        let text = string(i, "text", &text)?;
        return Ok(Record { id: id.unbind(), key, text, title: None, source: None, date: None });
    }
    if let Ok(d) = item.cast::<PyDict>() {
        let get = |name: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
            Ok(d.get_item(name)?.filter(|v| !v.is_none()))
        };
        let (id, key) = match get("id")? {
            Some(id) => {
                let key = key_of(i, &id, want)?;
                (id.unbind(), key)
            }
            None if want.plain_strings => {
                let key = Key::Int(i64::try_from(i).unwrap_or(i64::MAX));
                (i.into_pyobject(py)?.into_any().unbind(), key)
            }
            None => return Err(value_error(format!("record {i} has no 'id'"))),
        };
        let Some(text) = get("text")? else {
            return Err(value_error(format!("record {i} has no 'text'")));
        };
        let mut text = string(i, "text", &text)?;
        let title = get("title")?.map(|t| string(i, "title", &t)).transpose()?;
        if let Some(t) = title.as_deref().filter(|t| !t.is_empty()) {
            text = format!("{t}\n{text}");
        }
        let source = get("source")?.map(|s| string(i, "source", &s)).transpose()?;
        let date = match get("date")? {
            Some(v) if want.dates => Some(date(py, &v).map_err(|e| prefix(py, i, &e))?),
            _ => None,
        };
        return Ok(Record { id, key, text, title, source, date });
    }
    Err(PyTypeError::new_err(format!(
        "record {i} is {}: give {}(id, text) tuples or dicts with 'id' and 'text'",
        type_name(item),
        if want.plain_strings { "str texts, " } else { "" }
    )))
}

/// `record {i}: ` before an error's message, its type kept.
fn prefix(py: Python<'_>, i: usize, e: &PyErr) -> PyErr {
    let message = format!("record {i}: {}", e.value(py));
    if e.is_instance_of::<PyTypeError>(py) {
        PyTypeError::new_err(message)
    } else {
        value_error(message)
    }
}

fn string(i: usize, field: &str, v: &Bound<'_, PyAny>) -> PyResult<String> {
    match v.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "record {i}: '{field}' must be a str, not {}",
            type_name(v)
        ))),
    }
}

fn key_of(i: usize, id: &Bound<'_, PyAny>, want: Want) -> PyResult<Key> {
    if let Ok(s) = id.cast::<PyString>() {
        return Ok(Key::Str(s.to_cow()?.into_owned()));
    }
    if !want.str_ids && id.is_instance_of::<PyInt>() && !id.is_instance_of::<PyBool>() {
        return id
            .extract::<i64>()
            .map(Key::Int)
            .map_err(|_| value_error(format!("record {i}: the id {id} is too large")));
    }
    let expected = if want.str_ids { "a str" } else { "a str or an int" };
    Err(PyTypeError::new_err(format!(
        "record {i}: the id must be {expected}, not {}",
        type_name(id)
    )))
}

/// Reads a date: a `datetime` (one without a time zone is UTC, as the command takes
/// it), a `date` (its midnight, UTC), Unix seconds (an int or a float) or a str the
/// command reads (ISO 8601, RFC 2822, Unix seconds).
///
/// # Errors
///
/// `TypeError` for another type, `ValueError` for a str that is no such date.
pub fn date(py: Python<'_>, v: &Bound<'_, PyAny>) -> PyResult<Date> {
    static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static UTC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    if let Ok(s) = v.cast::<PyString>() {
        let text = s.to_cow()?.into_owned();
        let Some(unix) = parse_date(&text) else {
            return Err(value_error(format!(
                "`{text}` is not a date (ISO 8601, RFC 2822 or Unix seconds)"
            )));
        };
        return Ok(Date { text, unix });
    }
    if v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() {
        let unix: i64 =
            v.extract().map_err(|_| value_error(format!("the date {v} is out of range")))?;
        return Ok(Date { text: unix.to_string(), unix });
    }
    if v.is_instance_of::<PyFloat>() {
        let t: f64 = v.extract()?;
        if !t.is_finite() || t.abs() > 1e15 {
            return Err(value_error(format!("the date {t} is out of range")));
        }
        let unix = t.floor() as i64;
        return Ok(Date { text: unix.to_string(), unix });
    }
    let datetime = DATETIME.import(py, "datetime", "datetime")?;
    if v.is_instance(datetime)? {
        let aware = if v.call_method0("utcoffset")?.is_none() {
            let utc = UTC.get_or_try_init(py, || {
                py.import("datetime")?.getattr("timezone")?.getattr("utc").map(Bound::unbind)
            })?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("tzinfo", utc.bind(py))?;
            v.call_method("replace", (), Some(&kwargs))?
        } else {
            v.clone()
        };
        let t: f64 = aware.call_method0("timestamp")?.extract()?;
        let text: String = v.call_method0("isoformat")?.extract()?;
        return Ok(Date { text, unix: t.floor() as i64 });
    }
    let date = DATE.import(py, "datetime", "date")?;
    if v.is_instance(date)? {
        // Days since 1970-01-01, whose proleptic Gregorian ordinal is 719,163.
        let ordinal: i64 = v.call_method0("toordinal")?.extract()?;
        let text: String = v.call_method0("isoformat")?.extract()?;
        return Ok(Date { text, unix: (ordinal - 719_163) * 86_400 });
    }
    Err(PyTypeError::new_err(format!(
        "a date must be a datetime, a date, Unix seconds or a str, not {}",
        type_name(v)
    )))
}
