//! Crate-private helpers shared by several stages: zeroed tables, a radix sort of
//! fingerprints, cache prefetch hints. One place, not parked in a stage.

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
/// they are uniformly spread, and SaudiNewsNet's candidate sets (a few hundred each)
/// sort in 8 ms this way, 10.5 ms with `sort_unstable`.
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
    fn written_zeros_are_zeros() {
        assert_eq!(written_zeros::<u8>(5000), vec![0u8; 5000]);
        assert!(written_zeros::<u64>(0).is_empty());
    }
}
