//! Summary statistics of a Monte Carlo study: mean, sd, quantiles, the CI of a mean, and the
//! Wilson interval of a proportion.

use serde::Serialize;

/// Two-sided 95 % normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Summary of one metric over the runs in which it is defined.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Runs in which the metric is defined.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 for a single run.
    pub sd: f64,
    /// Smallest value.
    pub min: f64,
    /// 5th percentile (linear interpolation between order statistics).
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Largest value.
    pub max: f64,
    /// Lower end of the 95 % CI of the mean: mean − 1.96·sd/√n (normal approximation).
    pub ci95_lo: f64,
    /// Upper end of that CI.
    pub ci95_hi: f64,
}

impl Summary {
    /// The summary of `values` (summed in the given order); `None` when empty.
    ///
    /// # Examples
    /// ```
    /// let s = needlemap::studies::mc::stats::Summary::of(&[1.0, 2.0, 3.0]).unwrap();
    /// assert_eq!(s.mean, 2.0);
    /// assert_eq!(s.sd, 1.0);
    /// assert_eq!(s.p50, 2.0);
    /// ```
    pub fn of(values: &[f64]) -> Option<Summary> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        let mut s = values.to_vec();
        s.sort_by(f64::total_cmp);
        let half = Z95 * sd / (n as f64).sqrt();
        Some(Summary {
            n,
            mean,
            sd,
            min: s[0],
            p05: quantile(&s, 0.05),
            p50: quantile(&s, 0.5),
            p95: quantile(&s, 0.95),
            max: s[n - 1],
            ci95_lo: mean - half,
            ci95_hi: mean + half,
        })
    }
}

/// Quantile `q` of sorted `s` by linear interpolation between order statistics (R type 7).
pub fn quantile(s: &[f64], q: f64) -> f64 {
    let h = (s.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(s.len() - 1);
    s[lo] + (h - lo as f64) * (s[hi] - s[lo])
}

/// Wilson score 95 % interval of a proportion `k / n`: (lower, upper); (0, 1) when n = 0.
///
/// # Examples
/// ```
/// let (lo, hi) = needlemap::studies::mc::stats::wilson(10, 10);
/// assert!(lo > 0.72 && lo < 0.73 && hi > 0.9999);
/// ```
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// 95 % CI of the difference of two means (a − b), Welch's standard error with the normal
/// quantile: (difference, lower, upper).
pub fn diff_ci(a: &Summary, b: &Summary) -> (f64, f64, f64) {
    let d = a.mean - b.mean;
    let se = (a.sd * a.sd / a.n as f64 + b.sd * b.sd / b.n as f64).sqrt();
    (d, d - Z95 * se, d + Z95 * se)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Wilson's closed form, written out independently: (p̂ + z²/2n ± z√(p̂q̂/n + z²/4n²)) / (1 + z²/n).
    fn closed(k: f64, n: f64) -> (f64, f64) {
        let z = 1.96f64;
        let p = k / n;
        let a = p + z * z / (2.0 * n);
        let b = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt();
        let c = 1.0 + z * z / n;
        ((a - b) / c, (a + b) / c)
    }

    #[test]
    fn wilson_matches_its_closed_form() {
        for (k, n) in [
            (0u64, 10u64),
            (5, 10),
            (10, 10),
            (19, 20),
            (180, 200),
            (1, 3),
        ] {
            let (lo, hi) = wilson(k, n);
            let (clo, chi) = closed(k as f64, n as f64);
            assert_relative_eq!(lo, clo.max(0.0), epsilon = 1e-4);
            assert_relative_eq!(hi, chi.min(1.0), epsilon = 1e-4);
        }
        // a published value: 8 of 10 → (0.490, 0.943) (Newcombe 1998, table I)
        let (lo, hi) = wilson(8, 10);
        assert_relative_eq!(lo, 0.490, epsilon = 1e-3);
        assert_relative_eq!(hi, 0.943, epsilon = 1e-3);
    }

    #[test]
    fn summary_of_constant_has_zero_sd() {
        let s = Summary::of(&[0.25; 7]).unwrap();
        assert_eq!(s.sd, 0.0);
        assert_eq!((s.min, s.p05, s.p95, s.max), (0.25, 0.25, 0.25, 0.25));
        assert_eq!((s.ci95_lo, s.ci95_hi), (0.25, 0.25));
    }

    #[test]
    fn quantiles_interpolate() {
        let s: Vec<f64> = (0..=100).map(f64::from).collect();
        assert_relative_eq!(quantile(&s, 0.05), 5.0);
        assert_relative_eq!(quantile(&s, 0.95), 95.0);
        assert_relative_eq!(quantile(&[1.0, 2.0], 0.5), 1.5);
    }
}
