//! Depth statistics over the channels in the region (model §5): insertion depth's mean,
//! extremes and 5th/95th percentiles, and the mean depth of the channels left after
//! withdrawal.
//!
//! Percentiles interpolate linearly between order statistics (the "type 7" rule of R and
//! NumPy's default): p = x₍ₖ₎ + (h − k)(x₍ₖ₊₁₎ − x₍ₖ₎) with h = q·(n − 1). Means are clamped
//! into [min, max], so min ≤ mean ≤ max holds exactly however the sum rounds.

use crate::model::channel::Channel;

/// Depth statistics of a set of channels, mm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DepthStats {
    /// Mean insertion depth.
    pub mean_mm: f64,
    /// Shallowest insertion depth.
    pub min_mm: f64,
    /// Deepest insertion depth.
    pub max_mm: f64,
    /// 5th percentile of insertion depth.
    pub p05_mm: f64,
    /// 95th percentile of insertion depth.
    pub p95_mm: f64,
    /// Mean depth of the channels after withdrawal.
    pub mean_channel_mm: f64,
}

/// The statistics of `channels`; `None` when there is none.
///
/// # Examples
/// ```
/// use needlemap::metrics::depth::depth_stats;
/// assert!(depth_stats(std::iter::empty()).is_none());
/// ```
pub fn depth_stats<'a>(channels: impl Iterator<Item = &'a Channel>) -> Option<DepthStats> {
    let mut depths = Vec::new();
    let mut channel_sum = 0.0;
    let (mut ch_lo, mut ch_hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for c in channels {
        depths.push(c.depth_mm);
        channel_sum += c.channel_depth_mm;
        ch_lo = ch_lo.min(c.channel_depth_mm);
        ch_hi = ch_hi.max(c.channel_depth_mm);
    }
    if depths.is_empty() {
        return None;
    }
    let n = depths.len() as f64;
    let sum: f64 = depths.iter().sum();
    depths.sort_by(f64::total_cmp);
    let (min_mm, max_mm) = (depths[0], depths[depths.len() - 1]);
    Some(DepthStats {
        mean_mm: (sum / n).clamp(min_mm, max_mm),
        min_mm,
        max_mm,
        p05_mm: percentile(&depths, 0.05),
        p95_mm: percentile(&depths, 0.95),
        mean_channel_mm: (channel_sum / n).clamp(ch_lo, ch_hi),
    })
}

/// The `q` quantile of sorted, non-empty `xs`, interpolated linearly between order statistics.
///
/// # Examples
/// ```
/// use needlemap::metrics::depth::percentile;
/// assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.5), 3.0);
/// assert_eq!(percentile(&[0.0, 10.0], 0.05), 0.5);
/// ```
pub fn percentile(xs: &[f64], q: f64) -> f64 {
    let h = q * (xs.len() - 1) as f64;
    let k = h.floor() as usize;
    if k + 1 >= xs.len() {
        return xs[xs.len() - 1];
    }
    let p = xs[k] + (h - k as f64) * (xs[k + 1] - xs[k]);
    p.clamp(xs[k], xs[k + 1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ch(depth: f64, channel: f64) -> Channel {
        let mut c = crate::model::channel::test_capsule(0.0, 0.0, 0.0, 0.0, 0.1);
        c.depth_mm = depth;
        c.channel_depth_mm = channel;
        c
    }

    #[test]
    fn percentiles_of_a_uniform_ladder() {
        // 0, 1, …, 100: the q quantile is 100·q exactly
        let cs: Vec<Channel> = (0..=100).map(|i| ch(i as f64, 0.0)).collect();
        let s = depth_stats(cs.iter()).unwrap();
        assert_eq!((s.p05_mm, s.p95_mm, s.mean_mm), (5.0, 95.0, 50.0));
    }

    proptest! {
        #[test]
        fn min_le_p05_le_mean_le_p95_le_max(depths in proptest::collection::vec(0.001f64..3.0, 1..200)) {
            let cs: Vec<Channel> = depths.iter().map(|&d| ch(d, d * 0.4)).collect();
            let s = depth_stats(cs.iter()).unwrap();
            prop_assert!(s.min_mm <= s.p05_mm && s.p05_mm <= s.p95_mm && s.p95_mm <= s.max_mm);
            prop_assert!(s.min_mm <= s.mean_mm && s.mean_mm <= s.max_mm);
            prop_assert!(s.mean_channel_mm <= s.mean_mm);
        }
    }
}
