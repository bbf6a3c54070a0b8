//! The metrics of model §5. Names are the JSON keys and CSV columns.
//!
//! Counting metrics (channels, density, depth, layers, rate, time) come straight from the
//! channel list; area metrics (coverage, treated area) from the [`raster`] engine, the
//! largest gap from the openings' geometry ([`gap`]); `density_cv` from channel counts per [`tiles::TileGrid`] tile; `overlap_fraction` from [`overlap`];
//! the needles' safety factors from the device as made ([`integrity`]).
//! A metric with no meaning for the design (no channel in the region) is `None`: JSON null,
//! an empty CSV cell, never NaN.

pub mod analysis;
pub mod depth;
pub mod gap;
pub mod integrity;
pub mod overlap;
pub mod penetration;
pub mod raster;

pub mod tiles;

use crate::model::channel::Channel;
pub use crate::model::registry::{self, Metrics};
use crate::model::skin::Layer;

pub use depth::{depth_stats, DepthStats};

/// Fraction of channels ending in each layer, surface first (all 0 without channels).
pub fn layer_fractions<'a>(channels: impl Iterator<Item = &'a Channel>) -> [f64; 5] {
    let mut counts = [0u64; 5];
    for c in channels {
        counts[c.layer.index()] += 1;
    }
    let n: u64 = counts.iter().sum();
    let mut out = [0.0; 5];
    if n > 0 {
        for (o, c) in out.iter_mut().zip(counts) {
            *o = c as f64 / n as f64;
        }
    }
    out
}

/// Layers with their keys and fractions.
pub fn layer_map(fr: [f64; 5]) -> Vec<(&'static str, f64)> {
    Layer::ALL.iter().map(|l| l.key()).zip(fr).collect()
}

/// Population coefficient of variation; `None` for no tiles or a zero mean.
///
/// # Examples
/// ```
/// assert_eq!(needlemap::metrics::cv(&[4, 4, 4]), Some(0.0));
/// assert_eq!(needlemap::metrics::cv(&[]), None);
/// ```
pub fn cv(counts: &[u64]) -> Option<f64> {
    if counts.is_empty() {
        return None;
    }
    let n = counts.len() as f64;
    let mean = counts.iter().sum::<u64>() as f64 / n;
    if mean == 0.0 {
        return None;
    }
    let var = counts
        .iter()
        .map(|&c| (c as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    Some(var.sqrt() / mean)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn cv_of_known_counts() {
        // counts 2 and 4: mean 3, population sd 1
        assert_relative_eq!(cv(&[2, 4]).unwrap(), 1.0 / 3.0);
    }
}
