//! The density picture: channels per cm² in each whole tile of `tile_mm` (the tiles of
//! `density_cv` and tiles.csv), each tile's value written on it when there is room, white
//! lines between the tiles so that even a map of equal tiles reads as tiles. Strips of the
//! region not covered by a whole tile are grey: they count for no tile.

use super::canvas::Root;
use super::colour::{self, BarPlace, ColourScale, DENSITY};
use super::encode::Drawn;
use super::frame::{self, Overlay, Region, RegionFrame};
use super::text;
use super::{Picture, PlotError};
use crate::metrics::analysis::Analysis;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Channels per cm² of each whole tile (row-major from y = 0).
pub fn tile_densities(a: &Analysis) -> Vec<f64> {
    let t = a.design.analysis.tile_mm;
    a.tile_channels
        .0
        .iter()
        .map(|&n| n as f64 / (t * t / 100.0))
        .collect()
}

/// Half-width of the colour scale as a share of the mean density: tiles within a few % of
/// the mean (a CV of 0.03) take nearly one colour, as the small variation they are, where a
/// scale from the lowest to the highest tile would paint them as extremes.
pub const SCALE_HALF_OF_MEAN: f64 = 0.25;

/// The colour scale's range: the mean ± [`SCALE_HALF_OF_MEAN`] of it, or ± the farthest
/// tile's distance from the mean when that is larger; never below 0.
pub fn scale_range(mean: f64, lo: f64, hi: f64) -> (f64, f64) {
    let half = (mean * SCALE_HALF_OF_MEAN).max(hi - mean).max(mean - lo);
    ((mean - half).max(0.0), mean + half)
}

/// Colour of the lines between tiles: a map of equal tiles still reads as tiles.
pub const TILE_BORDER: [u8; 3] = [255, 255, 255];

/// Width of a tile border, px.
const BORDER_PX: usize = 2;

/// For each picture column (or row), whether it lies on the border between two tiles: the
/// first [`BORDER_PX`] pixels after a change of tile.
fn edges(tile: &[usize]) -> Vec<bool> {
    (0..tile.len())
        .map(|i| (1..=BORDER_PX).any(|k| i >= k && tile[i - k + 1] != tile[i - k]))
        .collect()
}

struct Density {
    scale: Option<ColourScale>,
    /// Tile centres (mm), text and whether the tile is dark.
    labels: Vec<((f64, f64), String, bool)>,
    /// Whether part of the region lies in no whole tile.
    partial: bool,
}

/// Renders the picture.
pub fn render(a: &Analysis) -> Result<Picture, PlotError> {
    let [lx, ly] = a.design.treatment.area_mm;
    let frame = RegionFrame::new([0.0, 0.0, lx, ly]);
    let (_, _, pw, ph) = frame.plot;
    let t = a.design.analysis.tile_mm;
    let (_, ntx, nty) = a.tile_channels;
    let dens = tile_densities(a);
    let lo = dens.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = dens.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mean = if dens.is_empty() {
        0.0
    } else {
        dens.iter().sum::<f64>() / dens.len() as f64
    };
    let scale = (!dens.is_empty()).then(|| {
        let (a, b) = scale_range(mean, lo, hi);
        ColourScale::new(a, b, 1, "channels / cm²")
    });
    let colours: Vec<[u8; 3]> = dens
        .iter()
        .map(|&v| scale.as_ref().map_or(colour::EMPTY, |s| DENSITY.at(s.t(v))))
        .collect();
    let colour = |k: usize| colours[k];
    // tile of each picture column and row (usize::MAX: in no whole tile)
    let tile_of = |v: f64, n: usize| {
        let k = (v / t).floor() as usize;
        if k < n {
            k
        } else {
            usize::MAX
        }
    };
    let col_tile: Vec<usize> = (0..pw).map(|i| tile_of(frame.mm_at(i, 0).0, ntx)).collect();
    let row_tile: Vec<usize> = (0..ph).map(|j| tile_of(frame.mm_at(0, j).1, nty)).collect();
    let col_edge = edges(&col_tile);
    let row_edge = edges(&row_tile);
    let buf = frame::fill_rgb(pw, ph, |i, j| {
        let (tx, ty) = (col_tile[i as usize], row_tile[j as usize]);
        if col_edge[i as usize] || row_edge[j as usize] {
            TILE_BORDER
        } else if tx != usize::MAX && ty != usize::MAX {
            colour(ty * ntx + tx)
        } else {
            colour::EMPTY
        }
    });
    let tile_px = t * frame.px_per_mm();
    let mut labels = Vec::new();
    if tile_px >= 56.0 && ntx * nty <= 400 {
        for ty in 0..nty {
            for tx in 0..ntx {
                let k = ty * ntx + tx;
                labels.push((
                    ((tx as f64 + 0.5) * t, (ty as f64 + 0.5) * t),
                    text::num(dens[k], 0),
                    colour::dark(colour(k)),
                ));
            }
        }
    }
    let mut lines = vec![super::design_line(&a.design), super::key_figures(a)];
    lines.push(match &scale {
        Some(s) => format!(
            "{} mm tiles ({} × {} whole tiles) · mean {} /cm² · min {} · max {} · CV {} · colour scale {}–{}: the mean ± {} % or the farthest tile",
            text::tick(t),
            ntx,
            nty,
            text::num(mean, 1),
            text::num(lo, 1),
            text::num(hi, 1),
            a.metrics.density_cv.map_or("—".into(), |c| text::num(c, 3)),
            s.lo_label(),
            s.hi_label(),
            text::tick(SCALE_HALF_OF_MEAN * 100.0)
        ),
        None => format!("the region holds no whole {} mm tile", text::tick(t)),
    });
    let partial = (ntx as f64) * t < lx - 1e-9 || (nty as f64) * t < ly - 1e-9;
    let fig = Region {
        frame,
        head: format!("{} — density: channels per cm² per tile", a.design.name),
        lines,
        buf,
        over: Density {
            scale,
            labels,
            partial,
        },
    };
    Picture::of_region("density", &fig)
}

impl Overlay for Density {
    fn draw_over<DB: DrawingBackend>(&self, root: &Root<DB>, f: &RegionFrame) -> Drawn {
        let (_, py0, _, ph) = f.plot;
        for ((x, y), s, dark) in &self.labels {
            let c = if *dark { WHITE } else { BLACK };
            text::put(
                root,
                s.clone(),
                f.px(*x, *y),
                text::anchored(text::tinted(text::text(20), c), HPos::Center, VPos::Center),
            )?;
        }
        let bar = BarPlace {
            x: f.bar_left(),
            y: py0 + 40,
            h: ph.clamp(300, 560),
        };
        let drawn = match &self.scale {
            Some(s) => {
                let mut s = s.clone();
                s.labels = colour::colour_bar(root, bar, &s, DENSITY)?;
                Some(s)
            }
            None => None,
        };
        let ly = bar.y + bar.h as i32 + 50;
        if !self.partial {
            return Ok(drawn);
        }
        colour::empty_key(root, (bar.x, ly), "not in a whole tile")?;
        Ok(drawn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borders_follow_each_change_of_tile() {
        let t = [0, 0, 0, 0, 1, 1, 1, 1, usize::MAX, usize::MAX];
        let e = edges(&t);
        assert_eq!(
            e,
            [false, false, false, false, true, true, false, false, true, true]
        );
    }
}
