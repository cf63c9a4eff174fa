//! Stable, seeded hashing: the only source of values that reach a signature, a file or
//! a test expectation.
//!
//! # Stability guarantee
//!
//! Every hash in a shingle, MinHash slot or SimHash bit is computed by functions in this
//! module, which are fully specified and independent of platform, CPU features, build
//! flags and crate versions within a major version:
//!
//! - [`hash_bytes`] is XXH3-64 with a seed (`xxhash_rust::xxh3::xxh3_64_with_seed`),
//!   which matches the C reference implementation bit for bit;
//! - [`mix64`] is the `fmix64` finaliser of `MurmurHash3` applied to `x ^ seed`;
//! - a word shingle is [`combine`](crate::shingle::combine) of its words' XXH3 hashes
//!   (rotations, XOR and `mix64`); a character shingle is XXH3 of its UTF-8 bytes.
//!
//! All of it is integer arithmetic on `u64` and UTF-8 bytes, so the result does not
//! depend on endianness or word size. Changing any of this changes every signature, so the golden
//! tests (`tests/golden.rs`) pin values and fail on any accidental change. `ahash` and
//! `std`'s `DefaultHasher` are never used for these values: their output is not
//! promised stable across versions or CPUs.
//!
//! The other hashing rule lives here too: `ahash`, with fixed seeds, only keys
//! in-memory maps and sets whose order never reaches an output (the crate-private
//! `map_state` and `FixedState`).

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// XXH3-64 of `bytes` with `seed`.
///
/// # Examples
///
/// ```
/// // The XXH3 reference value for the empty input with seed 0.
/// assert_eq!(nuskha::hash::hash_bytes(b"", 0), 0x2D06_8005_38D3_94C2);
/// ```
#[inline]
pub fn hash_bytes(bytes: &[u8], seed: u64) -> u64 {
    xxh3_64_with_seed(bytes, seed)
}

/// `MurmurHash3`'s 64-bit finaliser of `x ^ seed`: a bijection on `u64` for each seed,
/// with full avalanche. Used where a cheap second hash of a hash is needed.
///
/// # Examples
///
/// ```
/// use nuskha::hash::mix64;
/// assert_ne!(mix64(1, 0), mix64(2, 0));
/// assert_ne!(mix64(1, 0), mix64(1, 1));
/// ```
#[inline]
pub const fn mix64(x: u64, seed: u64) -> u64 {
    let mut h = x ^ seed;
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h
}

/// Fixed seeds for the in-memory maps: their iteration order never reaches an output
/// (everything returned is sorted), but fixed seeds keep runs reproducible.
pub(crate) fn map_state() -> ahash::RandomState {
    ahash::RandomState::with_seeds(0x6e75, 0x736b, 0x6861, 0x6c73)
}

/// `ahash` with fixed seeds, as a `Default` hasher for in-memory maps and sets.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FixedState;

impl std::hash::BuildHasher for FixedState {
    type Hasher = ahash::AHasher;

    fn build_hasher(&self) -> ahash::AHasher {
        map_state().build_hasher()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xxh3_reference_values() {
        // Values from the C implementation (python-xxhash, xxh3_64_intdigest).
        assert_eq!(hash_bytes(b"", 0), 0x2D06_8005_38D3_94C2);
        assert_eq!(hash_bytes(b"a", 0), 0xE6C6_32B6_1E96_4E1F);
    }

    #[test]
    fn mix64_is_seeded_and_spreads() {
        assert_eq!(mix64(0, 0), 0);
        assert_ne!(mix64(0, 1), 0);
        assert!((mix64(1, 7) ^ mix64(3, 7)).count_ones() > 10);
    }
}
