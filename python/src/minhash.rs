//! `MinHash` and `MinHashLSH`, for people moving from datasketch: the same calls, on
//! nuskha's sketches (one-permutation hashing with optimal densification, 32-bit
//! slots) and banded LSH index (bands chosen from the threshold as datasketch chooses
//! them).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use nuskha::{DocId, LshIndex, LshParams, MinHashSignature, MinHasher};
use pyo3::exceptions::{PyImportError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString, PyTuple};

use crate::value_error;

/// The hasher of each (`num_perm`, `seed`), made once: its probe table costs more than
/// a short document's sketch.
fn hasher(num_perm: usize, seed: u64) -> PyResult<Arc<MinHasher>> {
    type Hashers = Mutex<HashMap<(usize, u64), Arc<MinHasher>>>;
    static HASHERS: OnceLock<Hashers> = OnceLock::new();
    let mut map = HASHERS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(h) = map.get(&(num_perm, seed)) {
        return Ok(Arc::clone(h));
    }
    let h = Arc::new(MinHasher::new(num_perm, seed).map_err(value_error)?);
    map.insert((num_perm, seed), Arc::clone(&h));
    Ok(h)
}

/// The hashes of a set's elements, and its signature once asked for.
#[derive(Clone, Default)]
struct Elements {
    /// 64-bit hashes of the elements added (repeats are dropped when compacted).
    hashes: Vec<u64>,
    /// The length of `hashes` when it was last sorted and deduplicated.
    compacted: usize,
    /// The signature of `hashes`, until the next update.
    signature: Option<MinHashSignature>,
}

impl Elements {
    fn push(&mut self, h: u64) {
        self.hashes.push(h);
        self.signature = None;
        // Repeats are dropped now and then, so memory follows the distinct elements.
        if self.hashes.len() >= 2 * self.compacted + 1024 {
            self.compact();
        }
    }

    fn compact(&mut self) {
        self.hashes.sort_unstable();
        self.hashes.dedup();
        self.compacted = self.hashes.len();
    }

    fn signature(&mut self, hasher: &MinHasher) -> &MinHashSignature {
        if self.signature.is_none() {
            self.compact();
            self.signature = Some(hasher.sketch(self.hashes.iter().copied()));
        }
        self.signature.get_or_insert_with(|| hasher.sketch(std::iter::empty()))
    }
}

/// The 64-bit hash of one element: XXH3 of its bytes (a str's UTF-8).
fn element_hash(v: &Bound<'_, PyAny>) -> PyResult<u64> {
    let hash = |b: &[u8]| nuskha::hash::hash_bytes(b, 0);
    if let Ok(b) = v.cast::<PyBytes>() {
        return Ok(hash(b.as_bytes()));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(hash(s.to_cow()?.as_bytes()));
    }
    if let Ok(b) = v.cast::<PyByteArray>() {
        return Ok(hash(&b.to_vec()));
    }
    let got = v.get_type().name()?;
    Err(PyTypeError::new_err(format!(
        "a MinHash element must be bytes, a bytearray or a str, not {got}"
    )))
}

/// A MinHash sketch of a set, as datasketch's ``MinHash``: ``update`` adds elements
/// (bytes, or str as UTF-8), ``jaccard`` estimates the Jaccard similarity of two sets
/// from their sketches (error about ``sqrt(J(1-J)/num_perm)``), ``digest`` gives the
/// slots.
///
/// ``MinHash(num_perm=128, seed=1)``. What differs from datasketch: slots are nuskha's
/// (32-bit, one-permutation hashing with optimal densification: one hash per element,
/// not ``num_perm``), so their values are not datasketch's and sketches of the two do
/// not compare; the element hashes are kept (8 bytes per distinct element) and the
/// slots computed when asked for; ``count()`` is exact; an empty set has Jaccard 0 with
/// everything, itself included.
#[pyclass(frozen, module = "nuskha")]
pub struct MinHash {
    hasher: Arc<MinHasher>,
    num_perm: usize,
    seed: u64,
    elements: Mutex<Elements>,
}

impl MinHash {
    fn lock(&self) -> MutexGuard<'_, Elements> {
        self.elements.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The signature of the elements added so far.
    pub fn signature(&self) -> MinHashSignature {
        self.lock().signature(&self.hasher).clone()
    }

    fn check_same(&self, other: &MinHash, what: &str) -> PyResult<()> {
        if self.num_perm != other.num_perm {
            return Err(PyValueError::new_err(format!(
                "cannot {what} MinHash with different num_perm ({} and {})",
                self.num_perm, other.num_perm
            )));
        }
        if self.seed != other.seed {
            return Err(PyValueError::new_err(format!(
                "cannot {what} MinHash with different seeds ({} and {})",
                self.seed, other.seed
            )));
        }
        Ok(())
    }
}

#[pymethods]
impl MinHash {
    #[new]
    #[pyo3(signature = (num_perm = None, seed = None), text_signature = "(num_perm=128, seed=1)")]
    fn new(num_perm: Option<&Bound<'_, PyAny>>, seed: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let num_perm =
            num_perm.map_or(Ok(128), |n| crate::options::count("MinHash", "num_perm", n))?;
        let seed = seed.map_or(Ok(1), |s| crate::options::count("MinHash", "seed", s))?;
        let num_perm = usize::try_from(num_perm).unwrap_or(usize::MAX);
        let hasher = hasher(num_perm, seed)?;
        Ok(MinHash { hasher, num_perm, seed, elements: Mutex::default() })
    }

    /// The number of slots.
    #[getter]
    fn num_perm(&self) -> usize {
        self.num_perm
    }

    /// The seed of the slots' hashes.
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }

    /// Adds one element: bytes (or a bytearray, or a str, taken as UTF-8).
    fn update(&self, b: &Bound<'_, PyAny>) -> PyResult<()> {
        let h = element_hash(b)?;
        self.lock().push(h);
        Ok(())
    }

    /// Adds every element of the iterable ``b``.
    fn update_batch(&self, b: &Bound<'_, PyAny>) -> PyResult<()> {
        if b.is_instance_of::<PyBytes>() || b.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "update_batch() takes an iterable of elements; use update() for one",
            ));
        }
        let mut hashes = Vec::new();
        for item in b.try_iter()? {
            hashes.push(element_hash(&item?)?);
        }
        let mut e = self.lock();
        for h in hashes {
            e.push(h);
        }
        Ok(())
    }

    /// The estimated Jaccard similarity of the two sets: the share of equal slots.
    /// Raises ``ValueError`` when ``other`` has another ``num_perm`` or ``seed``.
    fn jaccard(&self, other: &Bound<'_, MinHash>) -> PyResult<f64> {
        let other = other.get();
        self.check_same(other, "compare")?;
        if std::ptr::eq(self, other) {
            let s = self.signature();
            return s.jaccard(&s).map_err(value_error);
        }
        self.signature().jaccard(&other.signature()).map_err(value_error)
    }

    /// The slots, as a numpy array of ``uint32`` (needs numpy; :meth:`slots` does not).
    fn digest<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let numpy = py.import("numpy").map_err(|_| {
            PyImportError::new_err(
                "MinHash.digest() needs numpy (pip install numpy); MinHash.slots() gives a list",
            )
        })?;
        let bytes: Vec<u8> =
            self.signature().as_slice().iter().flat_map(|s| s.to_ne_bytes()).collect();
        let array = numpy.call_method1("frombuffer", (PyBytes::new(py, &bytes), "uint32"))?;
        array.call_method0("copy")
    }

    /// The slots, as a numpy array (datasketch's attribute; the same as :meth:`digest`).
    #[getter]
    fn hashvalues<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.digest(py)
    }

    /// The slots, as a list of ints.
    fn slots(&self) -> Vec<u32> {
        self.signature().as_slice().to_vec()
    }

    /// The number of distinct elements added (exact, where datasketch estimates it).
    fn count(&self) -> usize {
        let mut e = self.lock();
        e.compact();
        e.hashes.len()
    }

    /// Whether no element was added.
    fn is_empty(&self) -> bool {
        self.lock().hashes.is_empty()
    }

    /// Adds every element of ``other`` (the sketch of the union).
    fn merge(&self, other: &Bound<'_, MinHash>) -> PyResult<()> {
        let other = other.get();
        self.check_same(other, "merge")?;
        if std::ptr::eq(self, other) {
            return Ok(());
        }
        let theirs = other.lock().hashes.clone();
        let mut e = self.lock();
        for h in theirs {
            e.push(h);
        }
        Ok(())
    }

    /// Forgets every element.
    fn clear(&self) {
        *self.lock() = Elements::default();
    }

    /// A copy (later updates of either leave the other as it is).
    fn copy(&self) -> MinHash {
        let elements = self.lock().clone();
        MinHash {
            hasher: Arc::clone(&self.hasher),
            num_perm: self.num_perm,
            seed: self.seed,
            elements: Mutex::new(elements),
        }
    }

    fn __len__(&self) -> usize {
        self.num_perm
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        let Ok(other) = other.cast::<MinHash>() else { return false };
        let other = other.get();
        if std::ptr::eq(self, other) {
            return true;
        }
        self.num_perm == other.num_perm
            && self.seed == other.seed
            && self.signature().as_slice() == other.signature().as_slice()
    }

    fn __repr__(&self) -> String {
        format!("MinHash(num_perm={}, seed={}, count={})", self.num_perm, self.seed, self.count())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let this = slf.get();
        let hashes: Vec<u8> = {
            let mut e = this.lock();
            e.compact();
            e.hashes.iter().flat_map(|h| h.to_le_bytes()).collect()
        };
        let args = PyTuple::new(
            py,
            [this.num_perm.into_pyobject(py)?.into_any(), this.seed.into_pyobject(py)?.into_any()],
        )?;
        PyTuple::new(
            py,
            [slf.get_type().into_any(), args.into_any(), PyBytes::new(py, &hashes).into_any()],
        )
    }

    fn __setstate__(&self, state: &Bound<'_, PyBytes>) -> PyResult<()> {
        let bytes = state.as_bytes();
        if bytes.len() % 8 != 0 {
            return Err(value_error("not a MinHash state"));
        }
        let hashes = bytes.chunks_exact(8);
        let hashes = hashes.map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()));
        let mut e = Elements { hashes: hashes.collect(), ..Elements::default() };
        e.compact();
        *self.lock() = e;
        Ok(())
    }
}

/// What the LSH index holds: the banded index, and the keys of its documents.
struct Table {
    index: LshIndex,
    ids: HashMap<String, u32>,
    keys: Vec<Option<String>>,
    free: Vec<u32>,
}

/// A MinHash LSH index, as datasketch's ``MinHashLSH``: ``insert(key, minhash)``,
/// ``query(minhash)`` (the keys of the sketches that share a band with it: candidates
/// of Jaccard about ``threshold`` or more, not checked), ``remove(key)``, ``key in
/// lsh``. Keys are str.
///
/// ``MinHashLSH(threshold=0.5, num_perm=128, params=None)``: ``num_perm`` slots cut into
/// ``b`` bands of ``r`` rows, chosen from ``threshold`` as datasketch chooses them (the
/// least false-positive plus false-negative area, equally weighted), or given as
/// ``params=(b, r)``. What differs from datasketch: the default threshold is 0.5 (not
/// 0.9); no ``weights``, storage back ends or insertion sessions; ``query`` returns the
/// keys in no particular order.
#[pyclass(frozen, module = "nuskha")]
pub struct MinHashLSH {
    threshold: f64,
    num_perm: usize,
    params: LshParams,
    table: Mutex<Table>,
}

impl MinHashLSH {
    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn check(&self, minhash: &MinHash) -> PyResult<()> {
        if minhash.num_perm != self.num_perm {
            return Err(PyValueError::new_err(format!(
                "expecting a MinHash with num_perm {}, got {}",
                self.num_perm, minhash.num_perm
            )));
        }
        Ok(())
    }
}

fn key_of(key: &Bound<'_, PyAny>) -> PyResult<String> {
    match key.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => {
            let got = key.get_type().name()?;
            Err(PyTypeError::new_err(format!("a MinHashLSH key must be a str, not {got}")))
        }
    }
}

#[pymethods]
impl MinHashLSH {
    #[new]
    #[pyo3(
        signature = (threshold = 0.5, num_perm = None, params = None),
        text_signature = "(threshold=0.5, num_perm=128, params=None)"
    )]
    fn new(
        threshold: f64,
        num_perm: Option<&Bound<'_, PyAny>>,
        params: Option<(usize, usize)>,
    ) -> PyResult<Self> {
        let num_perm =
            num_perm.map_or(Ok(128), |n| crate::options::count("MinHashLSH", "num_perm", n))?;
        let num_perm = usize::try_from(num_perm).unwrap_or(usize::MAX);
        let params = match params {
            Some((b, r)) => {
                let p = LshParams::new(b, r).map_err(value_error)?;
                if p.slots() > num_perm {
                    return Err(value_error(format!(
                        "invalid parameter `params`: {b} bands of {r} rows need {} slots, num_perm is {num_perm}",
                        p.slots()
                    )));
                }
                p
            }
            None => LshParams::for_threshold(threshold, num_perm).map_err(value_error)?,
        };
        let table = Table {
            index: LshIndex::new(params),
            ids: HashMap::new(),
            keys: Vec::new(),
            free: Vec::new(),
        };
        Ok(MinHashLSH { threshold, num_perm, params, table: Mutex::new(table) })
    }

    /// The Jaccard threshold the bands were chosen for.
    #[getter]
    fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The number of slots a MinHash must have.
    #[getter]
    fn num_perm(&self) -> usize {
        self.num_perm
    }

    /// The number of bands.
    #[getter]
    fn b(&self) -> usize {
        self.params.bands()
    }

    /// The rows (slots) per band.
    #[getter]
    fn r(&self) -> usize {
        self.params.rows()
    }

    /// Inserts ``minhash`` under ``key`` (a str). Raises ``ValueError`` when ``key`` is
    /// in the index already (unless ``check_duplication=False``: it is then replaced)
    /// or ``minhash`` has another ``num_perm``.
    #[pyo3(signature = (key, minhash, check_duplication = true))]
    fn insert(
        &self,
        key: &Bound<'_, PyAny>,
        minhash: &Bound<'_, MinHash>,
        check_duplication: bool,
    ) -> PyResult<()> {
        let key = key_of(key)?;
        let minhash = minhash.get();
        self.check(minhash)?;
        let signature = minhash.signature();
        let mut t = self.lock();
        let id = match t.ids.get(&key) {
            Some(_) if check_duplication => {
                return Err(PyValueError::new_err(format!(
                    "the key {key:?} is in the index already"
                )));
            }
            Some(&id) => id,
            None => {
                let id = match t.free.pop() {
                    Some(id) => id,
                    None => {
                        let n = u32::try_from(t.keys.len()).ok().filter(|&n| n < 1 << 31);
                        let n = n.ok_or_else(|| value_error("the index holds 2^31 keys"))?;
                        t.keys.push(None);
                        n
                    }
                };
                t.ids.insert(key.clone(), id);
                t.keys[id as usize] = Some(key);
                id
            }
        };
        t.index.insert(DocId(id), signature).map_err(value_error)
    }

    /// The keys of the sketches that share a band with ``minhash`` (candidates, not
    /// checked), in no particular order.
    fn query(&self, minhash: &Bound<'_, MinHash>) -> PyResult<Vec<String>> {
        let minhash = minhash.get();
        self.check(minhash)?;
        let signature = minhash.signature();
        let t = self.lock();
        let found = t.index.query(&signature).map_err(value_error)?;
        Ok(found.into_iter().filter_map(|d| t.keys[d.index()].clone()).collect())
    }

    /// Removes ``key``. Raises ``ValueError`` when it is not in the index.
    fn remove(&self, key: &Bound<'_, PyAny>) -> PyResult<()> {
        let key = key_of(key)?;
        let mut t = self.lock();
        let Some(id) = t.ids.remove(&key) else {
            return Err(PyValueError::new_err(format!("the key {key:?} is not in the index")));
        };
        t.index.remove(DocId(id));
        t.keys[id as usize] = None;
        t.free.push(id);
        Ok(())
    }

    /// Whether the index holds no key.
    fn is_empty(&self) -> bool {
        self.lock().ids.is_empty()
    }

    /// Every key, in no particular order.
    fn keys(&self) -> Vec<String> {
        self.lock().ids.keys().cloned().collect()
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> bool {
        key.cast::<PyString>()
            .ok()
            .and_then(|s| s.to_cow().ok().map(|k| self.lock().ids.contains_key(&*k)))
            .unwrap_or(false)
    }

    fn __len__(&self) -> usize {
        self.lock().ids.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "MinHashLSH(threshold={}, num_perm={}, b={}, r={}, keys={})",
            self.threshold,
            self.num_perm,
            self.params.bands(),
            self.params.rows(),
            self.__len__()
        )
    }
}
