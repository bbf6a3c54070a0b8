//! The coverage picture: for every map cell (the raster engine's [`AreaMaps`] cells, a few
//! raster pixels on a side), the share of its pixels inside an opening; the largest untreated
//! disc (radius `max_gap_mm`, at the pixel where the engine found it) and the window of the
//! detail picture are marked on it.
//!
//! When the picture has fewer pixels than the map has cells, each picture pixel shows the
//! covered share of all the cells under it (counts summed, then divided), so no cell is lost.

use super::canvas::{self, Root};
use super::colour::{self, BarPlace, ColourScale, COVERAGE};
use super::encode::Drawn;
use super::frame::{self, Overlay, Region, RegionFrame};
use super::text;
use super::{Picture, PlotError};
use crate::metrics::analysis::Analysis;
use crate::metrics::raster::AreaMaps;
use plotters::prelude::*;

/// Range of the cells' covered share: (min, max) over cells with pixels.
pub fn cell_range(m: &AreaMaps) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (&c, &p) in m.cell_covered.iter().zip(&m.cell_px) {
        if p > 0 {
            let v = c as f64 / p as f64;
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    (lo, hi)
}

/// For each of `n_out` picture pixels along an axis whose window spans the raster pixels
/// `[p0, p1)`, cut into `ncell` cells of `cell` pixels: the range of cells under it (at least
/// one).
pub(crate) fn cell_spans(
    n_out: u32,
    (p0, p1): (usize, usize),
    cell: usize,
    ncell: usize,
) -> Vec<(usize, usize)> {
    let n = p1 - p0;
    (0..n_out as usize)
        .map(|i| {
            let a = p0 + i * n / n_out as usize;
            let b = p0 + ((i + 1) * n).div_ceil(n_out as usize);
            let ca = (a / cell).min(ncell - 1);
            let cb = b.div_ceil(cell).clamp(ca + 1, ncell);
            (ca, cb)
        })
        .collect()
}

/// The raster pixels `[p0, p1)` of the window `[a, b]` mm on an axis of `n` pixels of `pitch`
/// mm (at least one pixel).
fn pixel_span(a: f64, b: f64, pitch: f64, n: usize) -> (usize, usize) {
    let p0 = ((a / pitch).round().max(0.0) as usize).min(n - 1);
    let p1 = ((b / pitch).round().max(0.0) as usize).clamp(p0 + 1, n);
    (p0, p1)
}

/// The one heatmap resampler of the crate: the covered share of the map cells under each of
/// `w × h` picture pixels showing the window `[x0, y0, x1, y1]` mm (row 0 at the top; counts
/// summed, then divided, so no cell is lost when shrinking), coloured by `colour(share)`.
/// Filled in parallel over rows.
pub fn coverage_rgb<F>(m: &AreaMaps, window_mm: [f64; 4], w: u32, h: u32, colour: F) -> Vec<u8>
where
    F: Fn(f64) -> [u8; 3] + Sync,
{
    let (cell, ncx, ncy) = m.cells;
    let g = m.grid;
    let [x0, y0, x1, y1] = window_mm;
    let cols = cell_spans(w, pixel_span(x0, x1, g.pitch_mm, g.nx), cell, ncx);
    let rows = cell_spans(h, pixel_span(y0, y1, g.pitch_mm, g.ny), cell, ncy);
    frame::fill_rgb(w, h, |i, j| {
        let (ca, cb) = cols[i as usize];
        // picture row 0 is the top of the window: the last map rows
        let (ra, rb) = rows[(h - 1 - j) as usize];
        let (mut cov, mut px) = (0u64, 0u64);
        for r in ra..rb {
            for c in ca..cb {
                cov += u64::from(m.cell_covered[r * ncx + c]);
                px += u64::from(m.cell_px[r * ncx + c]);
            }
        }
        colour(cov as f64 / px.max(1) as f64)
    })
}

struct Coverage {
    /// Extra legend lines (small openings).
    notes: Vec<String>,
    scale: Option<ColourScale>,
    window: [f64; 4],
    /// Centre (mm) and radius (mm) of the largest untreated disc.
    gap: Option<((f64, f64), f64)>,
}

/// Renders the picture.
pub fn render(a: &Analysis) -> Result<Picture, PlotError> {
    let [lx, ly] = a.design.treatment.area_mm;
    let frame = RegionFrame::new([0.0, 0.0, lx, ly]);
    let (_, _, pw, ph) = frame.plot;
    let grid = a.grid;
    let res_um = grid.pitch_mm * 1000.0;
    let mut lines = vec![super::design_line(&a.design), super::key_figures(a)];
    let (buf, scale) = match &a.maps {
        Some(m) => {
            let cell = m.cells.0;
            let (lo, hi) = cell_range(m);
            let mut scale = ColourScale::new(lo, hi, 2, "covered share of cell");
            // a share has a natural scale: all-empty cells are white, all-full ones dark
            scale.flat_t = lo.clamp(0.0, 1.0);
            let lut = COVERAGE.table();
            let buf = coverage_rgb(m, frame.window_mm, pw, ph, |v| lut.at(scale.t(v)));
            lines.push(format!(
                "raster {} µm · map cell {} µm ({} × {} px) · treated = within {} mm of an opening",
                text::tick(res_um),
                text::tick(res_um * cell as f64),
                cell,
                cell,
                text::tick(a.design.analysis.influence_radius_mm)
            ));
            (buf, Some(scale))
        }
        None => {
            lines.push("no channel at all: nothing is covered".to_string());
            (frame::fill_rgb(pw, ph, |_, _| colour::EMPTY), None)
        }
    };
    let gap = a
        .maps
        .as_ref()
        .and_then(|m| Some((m.gap_at_mm()?, m.max_gap_mm()?)));
    // openings smaller than a few picture pixels all but vanish: say so, and where to look
    let mean_d = a
        .field
        .channels
        .iter()
        .map(|c| 2.0 * c.radius_mm)
        .sum::<f64>()
        / a.field.channels.len().max(1) as f64;
    let notes = if !a.field.channels.is_empty() && mean_d * frame.px_per_mm() < 3.0 {
        vec![
            format!("openings (Ø {} mm) are", text::num(mean_d, 3)),
            format!(
                "{} picture pixel wide here:",
                text::num(mean_d * frame.px_per_mm(), 1)
            ),
            "see detail.png for their".to_string(),
            "true shape".to_string(),
        ]
    } else {
        Vec::new()
    };
    let fig = Region {
        frame,
        head: format!("{} — coverage: where the openings are", a.design.name),
        lines,
        buf,
        over: Coverage {
            scale,
            window: super::detail::window_mm(a),
            gap,
            notes,
        },
    };
    Picture::of_region("coverage", &fig)
}

impl Overlay for Coverage {
    fn draw_over<DB: DrawingBackend>(&self, root: &Root<DB>, frame: &RegionFrame) -> Drawn {
        let (_, py0, _, ph) = frame.plot;
        let bar = BarPlace {
            x: frame.bar_left(),
            y: py0 + 40,
            h: ph.clamp(300, 560),
        };
        let drawn = match &self.scale {
            Some(s) => {
                let mut s = s.clone();
                s.labels = colour::colour_bar(root, bar, &s, COVERAGE)?;
                Some(s)
            }
            None => None,
        };
        let w = self.window;
        let (wx0, wy0) = frame.px(w[0], w[3]);
        let (wx1, wy1) = frame.px(w[2], w[1]);
        let orange = RGBColor(230, 120, 0);
        root.draw(&Rectangle::new(
            [(wx0, wy0), (wx1, wy1)],
            orange.stroke_width(3),
        ))
        .map_err(canvas::err)?;
        let lx0 = frame.bar_left();
        let mut ly = bar.y + bar.h as i32 + 50;
        root.draw(&Rectangle::new(
            [(lx0, ly - 9), (lx0 + 18, ly + 9)],
            orange.stroke_width(3),
        ))
        .map_err(canvas::err)?;
        text::key(root, (lx0, ly), "detail window")?;
        ly += 40;
        if let Some(((cx, cy), r_mm)) = self.gap {
            let (px, py) = frame.px(cx, cy);
            let r_px = (r_mm * frame.px_per_mm()).round().max(3.0) as i32;
            let red = RGBColor(220, 20, 20);
            root.draw(&Circle::new((px, py), r_px, red.stroke_width(3)))
                .map_err(canvas::err)?;
            root.draw(&Cross::new((px, py), 6, red.stroke_width(2)))
                .map_err(canvas::err)?;
            root.draw(&Circle::new((lx0 + 9, ly), 9, red.stroke_width(3)))
                .map_err(canvas::err)?;
            text::key(root, (lx0, ly), "largest untreated disc")?;
            text::legend_lines(
                root,
                lx0 + 30,
                ly + 18,
                20,
                &[
                    format!("r = {} mm", text::num(r_mm, 2)),
                    format!("at ({}, {}) mm", text::num(cx, 1), text::num(cy, 1)),
                ],
            )?;
        }
        if !self.notes.is_empty() {
            text::legend_lines(root, lx0, ly + 110, 18, &self.notes)?;
        }
        Ok(drawn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::raster::Grid;

    #[test]
    fn spans_cover_every_cell_once_when_shrinking() {
        let s = cell_spans(100, (0, 4000), 4, 1000);
        assert_eq!(s[0].0, 0);
        assert_eq!(s[99].1, 1000);
        for w in s.windows(2) {
            assert_eq!(w[0].1, w[1].0);
        }
    }

    #[test]
    fn spans_pick_one_cell_when_growing() {
        let s = cell_spans(1000, (0, 400), 4, 100);
        assert!(s.iter().all(|&(a, b)| b == a + 1 && b <= 100));
        assert_eq!(s[999], (99, 100));
    }

    #[test]
    fn spans_of_a_window_start_at_its_first_cell() {
        let s = cell_spans(10, (400, 800), 4, 1000);
        assert_eq!((s[0].0, s[9].1), (100, 200));
    }

    fn maps(ncx: usize, ncy: usize, covered: impl Fn(usize, usize) -> u32) -> AreaMaps {
        let mut cov = Vec::new();
        for r in 0..ncy {
            for c in 0..ncx {
                cov.push(covered(c, r));
            }
        }
        AreaMaps {
            grid: Grid {
                pitch_mm: 0.01,
                nx: ncx * 4,
                ny: ncy * 4,
            },
            covered_fx: 0,
            treated_fx: 0,
            total_fx: 1,
            max_d2: None,
            max_at: None,
            gap: None,
            tiles: (0, 0),
            tile_px: vec![],
            tile_covered: vec![],
            cells: (4, ncx, ncy),
            cell_covered: cov,
            cell_treated: vec![0; ncx * ncy],
            cell_px: vec![16; ncx * ncy],
        }
    }

    /// The share as a grey level, to read it back.
    fn grey(v: f64) -> [u8; 3] {
        [(v * 200.0).round() as u8; 3]
    }

    #[test]
    fn heatmap_puts_y0_at_the_bottom() {
        // 10 × 10 cells of 0.04 mm; the bottom half (y < 0.2 mm) fully covered
        let m = maps(10, 10, |_, r| if r < 5 { 16 } else { 0 });
        let buf = coverage_rgb(&m, [0.0, 0.0, 0.4, 0.4], 4, 4, grey);
        let px = |i: usize, j: usize| buf[(j * 4 + i) * 3];
        assert_eq!(px(0, 3), 200, "bottom row covered");
        assert_eq!(px(2, 0), 0, "top row open");
    }

    #[test]
    fn heatmap_averages_cells() {
        // a checkerboard of covered cells averages to one half
        let m = maps(8, 8, |c, r| if (c + r) % 2 == 0 { 16 } else { 0 });
        let buf = coverage_rgb(&m, [0.0, 0.0, 0.32, 0.32], 2, 2, grey);
        assert_eq!(buf[..3], [100, 100, 100]);
    }

    #[test]
    fn heatmap_of_a_window_shows_only_the_window() {
        // covered right of x = 0.2 mm: a window over [0.2, 0.4] mm is all covered
        let m = maps(10, 10, |c, _| if c >= 5 { 16 } else { 0 });
        let buf = coverage_rgb(&m, [0.2, 0.0, 0.4, 0.2], 3, 3, grey);
        assert!(buf.iter().all(|&v| v == 200));
    }
}
