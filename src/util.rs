//! Crate-private helpers shared by several stages: zeroed tables, a radix sort of
//! fingerprints, cache prefetch hints, the names of option values. One place, not
//! parked in a stage.

/// `Display` and `FromStr` for an option enum, from one table of its names: each
/// variant prints as its first name and parses from any of its names; anything else is
/// [`Error::InvalidParameter`](crate::Error::InvalidParameter) `$param`, saying what
/// the accepted names are. Attributes before the type (docs, examples) go on the
/// `FromStr` impl.
macro_rules! option_names {
    ($(#[$attr:meta])* $ty:ident, $param:literal, $what:literal,
     $($variant:ident => $name:literal $(| $alias:literal)*),+ $(,)?) => {
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(match self {
                    $($ty::$variant => $name,)+
                })
            }
        }

        $(#[$attr])*
        impl ::std::str::FromStr for $ty {
            type Err = crate::Error;

            fn from_str(s: &str) -> ::std::result::Result<Self, crate::Error> {
                match s {
                    $($name $(| $alias)* => Ok($ty::$variant),)+
                    other => Err(crate::Error::invalid(
                        $param,
                        format!(
                            "unknown {} `{other}` (use {})",
                            $what,
                            crate::util::either(&[$($name),+])
                        ),
                    )),
                }
            }
        }
    };
}
pub(crate) use option_names;

/// `a`, `a or b`, `a, b or c`: the names a value may take, for a message.
pub(crate) fn either(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [most @ .., last] => format!("{} or {last}", most.join(", ")),
    }
}

/// A table of `len` zeros, every page of it written now.
///
/// `vec![0; len]` gets untouched pages from the allocator: the first read of each maps
/// the shared zero page, and the write after it copies the page and flushes the TLB of
/// every core the process runs on. A table filled by random read-modify-writes (counters,
/// hash tables) paid that for every page: SaudiNewsNet's document-frequency counters,
/// two threads: 157 of 5,300 profile samples in those flushes, none after.
pub(crate) fn written_zeros<T: Copy + Default>(len: usize) -> Vec<T> {
    let mut table = Vec::with_capacity(len);
    // Hidden from the optimiser, which may turn an allocation and a fill of zeros back
    // into `calloc`.
    std::hint::black_box(&mut table);
    table.resize(len, T::default());
    table
}

/// Sorts fingerprints a byte at a time (least significant first), through `scratch`:
/// they are uniformly spread. For the long lists it sorts (the statistics' repeated
/// shingles) its four 256-bucket counts are paid once; an article's few hundred values
/// sort faster by [`SortScratch::sort`].
pub(crate) fn radix_sort(set: &mut [u32], scratch: &mut Vec<u32>) {
    if set.len() < 64 {
        set.sort_unstable();
        return;
    }
    let mut counts = [[0u32; 256]; 4];
    for &x in set.iter() {
        for (digit, count) in counts.iter_mut().enumerate() {
            count[((x >> (8 * digit)) & 0xFF) as usize] += 1;
        }
    }
    for count in &mut counts {
        let mut sum = 0;
        for c in count.iter_mut() {
            (*c, sum) = (sum, sum + *c);
        }
    }
    scratch.clear();
    scratch.resize(set.len(), 0);
    // Four passes: into `scratch`, back, into `scratch`, back.
    for (digit, starts) in counts.iter_mut().enumerate() {
        let (from, to): (&[u32], &mut [u32]) =
            if digit % 2 == 0 { (set, scratch) } else { (scratch, set) };
        for &x in from {
            let bucket = &mut starts[((x >> (8 * digit)) & 0xFF) as usize];
            to[*bucket as usize] = x;
            *bucket += 1;
        }
    }
}

/// Buffers for [`sorted_distinct`](Self::sorted_distinct), reused from article to
/// article.
#[derive(Debug, Clone, Default)]
pub(crate) struct SortScratch {
    values: Vec<u32>,
    sorted: Vec<u32>,
    ends: Vec<u32>,
}

impl SortScratch {
    /// Sorts `set` (fingerprints, distinct or not), by [`bucket_sort`] through the
    /// buffers: on random sets of 200–600 values (an article's) it took 6–8 ns a value
    /// in a micro-benchmark, against 7–10 for [`radix_sort`] (whose four 256-bucket
    /// counts are paid whatever the size) and 9–12 for `sort_unstable`.
    pub(crate) fn sort(&mut self, set: &mut [u32]) {
        if !set.is_sorted() {
            bucket_sort(set, &mut self.sorted, &mut self.ends);
            set.copy_from_slice(&self.sorted);
        }
    }

    /// The distinct `values` (fingerprints: uniformly spread), sorted, in a vector of
    /// exactly their number: what a distinct-hash set then a sort give, in one bucket
    /// pass and an insertion sort.
    pub(crate) fn sorted_distinct(&mut self, values: impl IntoIterator<Item = u32>) -> Vec<u32> {
        self.values.clear();
        self.values.extend(values);
        bucket_sort(&self.values, &mut self.sorted, &mut self.ends);
        self.sorted.dedup();
        self.sorted.as_slice().to_vec()
    }
}

/// `values` sorted into `out`: scattered into buckets by their top bits (counted in
/// `ends`), then sorted by insertion.
fn bucket_sort(values: &[u32], out: &mut Vec<u32>, ends: &mut Vec<u32>) {
    if values.len() < 64 {
        out.clear();
        out.extend_from_slice(values);
        out.sort_unstable();
        return;
    }
    // Two to four buckets a value (up to 2¹⁴ values): few values share one, so few are
    // out of place (one to two buckets a value took 1.2 times as long in a
    // micro-benchmark: each value out of place is a mispredicted branch below).
    let bits = (values.len().ilog2() + 2).min(16);
    let shift = 32 - bits;
    ends.clear();
    ends.resize(1 << bits, 0);
    for &v in values {
        ends[(v >> shift) as usize] += 1;
    }
    let mut sum = 0;
    for e in ends.iter_mut() {
        (*e, sum) = (sum, sum + *e);
    }
    // Each bucket's start, then (as it fills) its end. Every place of `out` is written
    // below, so only the places it grows by are cleared first.
    out.resize(values.len(), 0);
    for &v in values {
        let end = &mut ends[(v >> shift) as usize];
        out[*end as usize] = v;
        *end += 1;
    }
    // Each value is in its bucket now: an insertion sort moves values within buckets
    // only, a few places each, unless the values crowd a few buckets. Most values are
    // in place already, which one comparison tells (skipping the loop for them took
    // 0.8 of the time on random sets of 150–650 values).
    let mut moves = 0;
    for i in 1..out.len() {
        let v = out[i];
        if out[i - 1] <= v {
            continue;
        }
        let mut j = i;
        while j > 0 && out[j - 1] > v {
            out[j] = out[j - 1];
            j -= 1;
        }
        out[j] = v;
        moves += i - j;
        if moves > 8 * out.len() {
            out.sort_unstable();
            return;
        }
    }
}

/// Asks for the cache line holding `at`, to be written soon.
#[inline]
pub(crate) fn prefetch_for_write<T>(at: &T) {
    #[cfg(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse"))]
    safe_arch::prefetch_et0(at);
    #[cfg(not(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse")))]
    let _ = at;
}

/// Asks for the cache line holding `at`, to be read soon.
#[inline]
pub(crate) fn prefetch<T>(at: &T) {
    #[cfg(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse"))]
    safe_arch::prefetch_t0(at);
    #[cfg(not(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse")))]
    let _ = at;
}

/// Reads little-endian numbers off the front of a byte slice, for the formats a
/// persistent index keeps; `None` once the bytes run out.
pub(crate) struct ByteReader<'a> {
    bytes: &'a [u8],
}

impl<'a> ByteReader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        ByteReader { bytes }
    }

    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.bytes.split_first_chunk::<N>()?;
        self.bytes = rest;
        Some(*head)
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.take::<1>().map(|[b]| b)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }

    /// `n` little-endian `u32`s, if that many are left.
    pub(crate) fn u32s(&mut self, n: usize) -> Option<Vec<u32>> {
        if self.bytes.len() / 4 < n {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n * 4);
        self.bytes = rest;
        Some(head.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::mix64;

    #[test]
    fn radix_sort_sorts() {
        let mut scratch = vec![7; 3];
        for n in [0u64, 1, 63, 64, 65, 300, 5000] {
            for spread in [u64::from(u32::MAX), 1000, 3] {
                let mut set: Vec<u32> =
                    (0..n).map(|i| (mix64(i, n) % (spread + 1)) as u32).collect();
                let mut expected = set.clone();
                expected.sort_unstable();
                radix_sort(&mut set, &mut scratch);
                assert_eq!(set, expected, "{n} {spread}");
            }
        }
    }

    #[test]
    fn the_scratch_sorts_sets_of_any_size_in_turn() {
        // One scratch for all, larger sets then smaller: its buffers are reused.
        let mut scratch = SortScratch::default();
        for n in [5000u64, 300, 65, 64, 63, 1, 0, 700] {
            for spread in [u64::from(u32::MAX), 1 << 20, 3] {
                let mut set: Vec<u32> =
                    (0..n).map(|i| (mix64(i, n + spread) % (spread + 1)) as u32).collect();
                let mut expected = set.clone();
                expected.sort_unstable();
                scratch.sort(&mut set);
                assert_eq!(set, expected, "{n} {spread}");
            }
        }
    }

    #[test]
    fn sorted_distinct_is_sort_then_dedup() {
        let mut scratch = SortScratch::default();
        for n in [0u64, 1, 2, 63, 64, 65, 300, 5000, 70_000] {
            // Spread over all of u32, crowded into a few top buckets, with many repeats.
            for spread in [u64::from(u32::MAX), 1 << 20, 1000, 3] {
                let values: Vec<u32> =
                    (0..n).map(|i| (mix64(i, n) % (spread + 1)) as u32).collect();
                let mut expected = values.clone();
                expected.sort_unstable();
                expected.dedup();
                let got = scratch.sorted_distinct(values.iter().copied());
                assert_eq!(got, expected, "{n} {spread}");
                assert_eq!(got.capacity(), got.len());
            }
        }
    }

    #[test]
    fn written_zeros_are_zeros() {
        assert_eq!(written_zeros::<u8>(5000), vec![0u8; 5000]);
        assert!(written_zeros::<u64>(0).is_empty());
    }

    #[test]
    fn option_names_print_parse_and_list_the_choices() {
        use crate::{MatchKind, ShingleUnit};
        assert_eq!(either(&[]), "");
        assert_eq!(either(&["a"]), "a");
        assert_eq!(either(&["a", "b", "c"]), "a, b or c");
        assert_eq!("c".parse::<ShingleUnit>().unwrap(), ShingleUnit::Chars);
        let err = "lines".parse::<ShingleUnit>().unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid parameter `shingle_unit`: unknown shingle unit `lines` (use words or chars)"
        );
        let err = "x".parse::<MatchKind>().unwrap_err().to_string();
        assert!(err.ends_with("(use jaccard, containment, simhash, edited or aligned)"), "{err}");
    }
}
