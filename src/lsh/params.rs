//! Banding parameters: how a K-slot signature is cut into b bands of r rows.
//!
//! Two documents of Jaccard similarity s share at least one band with probability
//! P(s) = 1 − (1 − sʳ)ᵇ, an S-curve whose steep part sits near (1/b)^(1/r). Below the
//! threshold t, the area under P is the false-positive mass; above it, the area over P
//! is the false-negative mass. [`LshParams::for_threshold`] picks the (b, r) with
//! b·r ≤ K that minimises their weighted sum, as datasketch does (MMDS ch. 3.4).
//!
//! ```text
//! P(candidate)
//! 1 |                    ______----
//!   |                 _/
//!   |                /      b = 20, r = 6 (K = 128, t = 0.5)
//!   |              _/
//! 0 |_____________/___________________ s
//!   0            0.5                  1
//! ```

use crate::{Error, Result};

/// Bands and rows of a MinHash LSH index.
///
/// # Examples
///
/// ```
/// use nuskha::LshParams;
///
/// let p = LshParams::for_threshold(0.8, 128)?;
/// assert!(p.bands() * p.rows() <= 128);
/// assert!((p.threshold() - 0.8).abs() < 0.1);
/// assert!(LshParams::new(0, 4).is_err());
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LshParams {
    bands: usize,
    rows: usize,
}

/// Weights of the false-positive and false-negative areas in [`LshParams::for_threshold`].
const FP_WEIGHT: f64 = 0.5;
const FN_WEIGHT: f64 = 0.5;

impl LshParams {
    /// `bands` bands of `rows` rows each.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when either is 0 or `bands * rows` exceeds 65536.
    pub fn new(bands: usize, rows: usize) -> Result<Self> {
        if bands == 0 || rows == 0 {
            return Err(Error::invalid("bands/rows", format!("must be ≥ 1, got {bands}×{rows}")));
        }
        if bands.saturating_mul(rows) > 65536 {
            return Err(Error::invalid(
                "bands/rows",
                format!("{bands}×{rows} exceeds 65536 slots"),
            ));
        }
        Ok(LshParams { bands, rows })
    }

    /// The (b, r) with b·r ≤ `num_perm` that minimises the false-positive plus
    /// false-negative areas around `threshold` (equal weights).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `0 < threshold ≤ 1` and `1 ≤ num_perm ≤ 65536`.
    pub fn for_threshold(threshold: f64, num_perm: usize) -> Result<Self> {
        if !(threshold > 0.0 && threshold <= 1.0) {
            return Err(Error::invalid("threshold", format!("must be in (0, 1], got {threshold}")));
        }
        if !(1..=65536).contains(&num_perm) {
            return Err(Error::invalid("num_perm", format!("must be 1..=65536, got {num_perm}")));
        }
        let mut best = (f64::INFINITY, 1, 1);
        for b in 1..=num_perm {
            for r in 1..=num_perm / b {
                let (fp, fneg) = error_areas(threshold, b, r);
                let err = FP_WEIGHT * fp + FN_WEIGHT * fneg;
                if err < best.0 {
                    best = (err, b, r);
                }
            }
        }
        Ok(LshParams { bands: best.1, rows: best.2 })
    }

    /// The number of bands, b.
    pub fn bands(&self) -> usize {
        self.bands
    }

    /// The rows per band, r.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Signature slots used, b·r.
    pub fn slots(&self) -> usize {
        self.bands * self.rows
    }

    /// The similarity where the S-curve is steepest, (1/b)^(1/r).
    pub fn threshold(&self) -> f64 {
        (1.0 / self.bands as f64).powf(1.0 / self.rows as f64)
    }

    /// The probability that two documents of Jaccard similarity `s` become candidates.
    pub fn candidate_probability(&self, s: f64) -> f64 {
        candidate_probability(s, self.bands, self.rows)
    }

    /// The (false-positive, false-negative) areas around `threshold`.
    pub fn error_areas(&self, threshold: f64) -> (f64, f64) {
        error_areas(threshold, self.bands, self.rows)
    }
}

fn candidate_probability(s: f64, b: usize, r: usize) -> f64 {
    let (b, r) = (i32::try_from(b).unwrap_or(i32::MAX), i32::try_from(r).unwrap_or(i32::MAX));
    1.0 - (1.0 - s.powi(r)).powi(b)
}

/// ∫₀ᵗ P(s) ds and ∫ₜ¹ 1 − P(s) ds by Simpson's rule.
fn error_areas(t: f64, b: usize, r: usize) -> (f64, f64) {
    let fp = simpson(|s| candidate_probability(s, b, r), 0.0, t);
    let fneg = simpson(|s| 1.0 - candidate_probability(s, b, r), t, 1.0);
    (fp, fneg)
}

fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    const N: usize = 64; // even
    let h = (b - a) / N as f64;
    let mut sum = f(a) + f(b);
    for i in 1..N {
        sum += f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    sum * h / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_datasketch_choices() {
        // datasketch's MinHashLSH(threshold, num_perm).b, .r, read off the installed package.
        for (t, k, b, r) in [
            (0.5, 128, 25, 5),
            (0.8, 128, 9, 13),
            (0.6, 128, 18, 7),
            (0.7, 128, 14, 9),
            (0.3, 256, 64, 4),
        ] {
            assert_eq!(
                LshParams::for_threshold(t, k).unwrap(),
                LshParams { bands: b, rows: r },
                "t {t} K {k}"
            );
        }
    }

    #[test]
    fn threshold_round_trips() {
        for t in [0.3, 0.5, 0.7, 0.9] {
            let p = LshParams::for_threshold(t, 256).unwrap();
            assert!((p.threshold() - t).abs() < 0.12, "t {t} → {p:?} → {}", p.threshold());
            assert!(p.slots() <= 256);
            assert!(p.candidate_probability(t + 0.1) > 0.8, "{p:?} at {}", t + 0.1);
        }
    }

    #[test]
    fn invalid_parameters() {
        assert!(LshParams::for_threshold(0.0, 128).is_err());
        assert!(LshParams::for_threshold(1.5, 128).is_err());
        assert!(LshParams::for_threshold(f64::NAN, 128).is_err());
        assert!(LshParams::for_threshold(0.5, 0).is_err());
        assert!(LshParams::new(3, 0).is_err());
        assert!(LshParams::new(70000, 1).is_err());
    }

    #[test]
    fn simpson_integrates_polynomials() {
        assert!((simpson(|x| x * x, 0.0, 1.0) - 1.0 / 3.0).abs() < 1e-12);
    }
}
