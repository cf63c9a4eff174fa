//! The matching options, as keyword arguments: the names and defaults of the `dedup`
//! command (`--threshold` is `threshold=`, `--min-length` is `min_length=`), read into
//! [`nuskha_store::Options`], the one place these options become a deduplicator for
//! the command and for an index file alike.

use nuskha::ClusterMode;
use nuskha_store::{Align, Options, RareSearchOption};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString};

use crate::value_error;

/// Every option's name, in the order of [`Options`]' fields.
pub const NAMES: [&str; 17] = [
    "threshold",
    "containment",
    "shingle",
    "algorithm",
    "min_length",
    "max_article_size",
    "num_perm",
    "seed",
    "exact",
    "edited",
    "rare_search",
    "align",
    "min_aligned",
    "align_run",
    "mode",
    "link_density",
    "representative",
];

/// Options read from keyword arguments.
pub struct Parsed {
    /// The options, each not given at its default.
    pub options: Options,
    /// The names of the options given.
    pub given: Vec<&'static str>,
    /// `representative="earliest"` (the batch's only: chosen from the records' dates
    /// once the clusters are formed, as `dedup --representative earliest` does).
    pub earliest: bool,
}

fn type_error(owner: &str, name: &str, expected: &str, value: &Bound<'_, PyAny>) -> PyErr {
    let got = value.get_type().name().map_or_else(|_| "?".to_string(), |n| n.to_string());
    PyTypeError::new_err(format!("{owner}(): `{name}` must be {expected}, not {got}"))
}

/// A number (an int or a float, not a bool).
fn float(owner: &str, name: &str, v: &Bound<'_, PyAny>) -> PyResult<f64> {
    if v.is_instance_of::<PyBool>()
        || !(v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyInt>())
    {
        return Err(type_error(owner, name, "a number", v));
    }
    v.extract::<f64>()
}

/// A whole number at least 0 (not a bool).
pub fn count(owner: &str, name: &str, v: &Bound<'_, PyAny>) -> PyResult<u64> {
    if v.is_instance_of::<PyBool>() || !v.is_instance_of::<PyInt>() {
        return Err(type_error(owner, name, "an int", v));
    }
    v.extract::<u64>().map_err(|_| {
        value_error(format!(
            "invalid parameter `{name}`: must be an int from 0 to 2^64 - 1, got {v}"
        ))
    })
}

fn size(owner: &str, name: &str, v: &Bound<'_, PyAny>) -> PyResult<usize> {
    let n = count(owner, name, v)?;
    usize::try_from(n)
        .map_err(|_| value_error(format!("invalid parameter `{name}`: {n} is too large")))
}

fn flag(owner: &str, name: &str, v: &Bound<'_, PyAny>) -> PyResult<bool> {
    if !v.is_instance_of::<PyBool>() {
        return Err(type_error(owner, name, "a bool", v));
    }
    v.extract::<bool>()
}

/// `rare_search`: `False`, `True` (the thorough search) or `"light"` / `"thorough"`.
fn rare_search(owner: &str, name: &str, v: &Bound<'_, PyAny>) -> PyResult<RareSearchOption> {
    if v.is_instance_of::<PyBool>() {
        return Ok(v.extract::<bool>()?.into());
    }
    if !v.is_instance_of::<PyString>() {
        return Err(type_error(owner, name, "a bool, \"light\" or \"thorough\"", v));
    }
    v.extract::<String>()?.parse().map_err(|e| value_error(format!("{owner}(): `{name}`: {e}")))
}

fn text(owner: &str, name: &str, v: &Bound<'_, PyAny>) -> PyResult<String> {
    if !v.is_instance_of::<PyString>() {
        return Err(type_error(owner, name, "a str", v));
    }
    v.extract::<String>()
}

/// Reads the options of `owner` (the class, for messages) from `kwargs`, checked by
/// building the deduplicator. `earliest_ok`: `representative="earliest"` is allowed.
///
/// # Errors
///
/// `TypeError` for an unknown option or a value of the wrong type, `ValueError` for a
/// value the library refuses.
pub fn parse(
    owner: &str,
    kwargs: Option<&Bound<'_, PyDict>>,
    earliest_ok: bool,
) -> PyResult<Parsed> {
    let mut o = Options::default();
    let mut given = Vec::new();
    let mut mode = None;
    let mut earliest = false;
    let (mut align, mut min_aligned, mut align_run) = (false, None, None);
    if let Some(kwargs) = kwargs {
        for (key, v) in kwargs.iter() {
            let key: String = key.extract()?;
            let Some(&name) = NAMES.iter().find(|n| **n == key) else {
                return Err(PyTypeError::new_err(format!(
                    "{owner}() got an unexpected keyword argument '{key}' (options: {})",
                    NAMES.join(", ")
                )));
            };
            if matches!(name, "min_aligned" | "align_run") && v.is_none() {
                // None: not given (what `options` shows with alignment off).
                continue;
            }
            // The index keeps the three alignment options as one, `align`.
            given.push(if matches!(name, "min_aligned" | "align_run") { "align" } else { name });
            match name {
                "threshold" => o.threshold = float(owner, name, &v)?,
                "containment" => {
                    let off = v.is_none()
                        || (v.is_instance_of::<PyBool>() && !v.is_truthy()?)
                        || (v.is_instance_of::<PyString>() && v.extract::<String>()? == "off");
                    o.containment = if off { None } else { Some(float(owner, name, &v)?) };
                }
                "shingle" => o.shingle = text(owner, name, &v)?,
                "algorithm" => o.algorithm = text(owner, name, &v)?,
                "min_length" => o.min_length = size(owner, name, &v)?,
                "max_article_size" => o.max_article_size = size(owner, name, &v)?,
                "num_perm" => o.num_perm = size(owner, name, &v)?,
                "seed" => o.seed = count(owner, name, &v)?,
                "exact" => o.exact = flag(owner, name, &v)?,
                "edited" => o.edited = flag(owner, name, &v)?,
                "rare_search" => o.rare_search = rare_search(owner, name, &v)?,
                "align" => align = flag(owner, name, &v)?,
                "min_aligned" => min_aligned = Some(float(owner, name, &v)?),
                "align_run" => align_run = Some(size(owner, name, &v)?),
                "mode" => {
                    if !v.is_none() {
                        mode = Some(text(owner, name, &v)?);
                    }
                }
                "link_density" => o.link_density = float(owner, name, &v)?,
                _ => {
                    let r = text(owner, name, &v)?;
                    if r == "earliest" && earliest_ok {
                        earliest = true;
                    } else {
                        o.representative = r;
                    }
                }
            }
        }
    }
    if align {
        let d = Align::default();
        o.align = Some(Align {
            min_coverage: min_aligned.unwrap_or(d.min_coverage),
            min_run: align_run.unwrap_or(d.min_run),
        });
    } else if min_aligned.is_some() || align_run.is_some() {
        return Err(value_error(format!(
            "invalid parameter `aligned_copies`: min_aligned and align_run need align=True ({owner}())"
        )));
    }
    if !given.contains(&"edited") {
        // Off with SimHash unless asked for, as the command has it.
        o.edited = o.edited_rule();
    }
    if mode.is_none() {
        // Not given (or None): the default for `edited`, as the command chooses it.
        given.retain(|n| *n != "mode");
    }
    o.mode = mode.unwrap_or_else(|| ClusterMode::default_for(o.edited_rule()).to_string());
    if let Err(e) = o.deduplicator() {
        let hint = if o.representative != "first" && o.representative != "longest" && !earliest_ok {
            " (an index keeps `first` or `longest`)"
        } else {
            ""
        };
        return Err(value_error(format!("{e}{hint}")));
    }
    Ok(Parsed { options: o, given, earliest })
}

/// The options as a dict, by name (`containment` None when off).
pub fn to_dict<'py>(py: Python<'py>, o: &Options, earliest: bool) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("threshold", o.threshold)?;
    d.set_item("containment", o.containment)?;
    d.set_item("shingle", &o.shingle)?;
    d.set_item("algorithm", &o.algorithm)?;
    d.set_item("min_length", o.min_length)?;
    d.set_item("max_article_size", o.max_article_size)?;
    d.set_item("num_perm", o.num_perm)?;
    d.set_item("seed", o.seed)?;
    d.set_item("exact", o.exact)?;
    d.set_item("edited", o.edited)?;
    match o.rare_search {
        RareSearchOption::Light => d.set_item("rare_search", "light")?,
        search => d.set_item("rare_search", search.is_on())?,
    }
    d.set_item("align", o.align.is_some())?;
    d.set_item("min_aligned", o.align.map(|a| a.min_coverage))?;
    d.set_item("align_run", o.align.map(|a| a.min_run))?;
    d.set_item("mode", &o.mode)?;
    d.set_item("link_density", o.link_density)?;
    d.set_item("representative", if earliest { "earliest" } else { o.representative.as_str() })?;
    Ok(d)
}

/// `name=value, …` of the options that differ from the defaults, for `repr`.
pub fn repr(o: &Options, earliest: bool) -> String {
    let d = Options::default();
    let mut parts = Vec::new();
    if o.threshold != d.threshold {
        parts.push(format!("threshold={}", o.threshold));
    }
    if o.containment != d.containment {
        parts.push(match o.containment {
            Some(c) => format!("containment={c}"),
            None => "containment=None".to_string(),
        });
    }
    let quoted = |name: &str, value: &str, default: &str| {
        (value != default).then(|| format!("{name}='{value}'"))
    };
    parts.extend(quoted("shingle", &o.shingle, &d.shingle));
    parts.extend(quoted("algorithm", &o.algorithm, &d.algorithm));
    for (name, value, default) in [
        ("min_length", o.min_length, d.min_length),
        ("max_article_size", o.max_article_size, d.max_article_size),
        ("num_perm", o.num_perm, d.num_perm),
    ] {
        if value != default {
            parts.push(format!("{name}={value}"));
        }
    }
    if o.seed != d.seed {
        parts.push(format!("seed={}", o.seed));
    }
    if o.exact {
        parts.push("exact=True".to_string());
    }
    if !o.edited {
        parts.push("edited=False".to_string());
    }
    match o.rare_search {
        RareSearchOption::Off => {}
        RareSearchOption::Light => parts.push("rare_search='light'".to_string()),
        RareSearchOption::Thorough => parts.push("rare_search=True".to_string()),
    }
    if let Some(a) = o.align {
        parts.push("align=True".to_string());
        let d = Align::default();
        if a.min_coverage != d.min_coverage {
            parts.push(format!("min_aligned={}", a.min_coverage));
        }
        if a.min_run != d.min_run {
            parts.push(format!("align_run={}", a.min_run));
        }
    }
    parts.extend(quoted(
        "mode",
        &o.mode,
        ClusterMode::default_for(o.edited_rule()).to_string().as_str(),
    ));
    if o.link_density != d.link_density {
        parts.push(format!("link_density={}", o.link_density));
    }
    let representative = if earliest { "earliest" } else { o.representative.as_str() };
    parts.extend(quoted("representative", representative, &d.representative));
    parts.join(", ")
}
