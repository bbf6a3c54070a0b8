//! The coverage picture: for every map cell (the raster engine's [`AreaMaps`] cells, a few
//! raster pixels on a side), the share of its pixels inside an opening; the largest untreated
//! disc (radius `max_gap_mm`, at the pixel where the engine found it) and the window of the
//! detail picture are marked on it.
//!
//! When the picture has fewer pixels than the map has cells, each picture pixel shows the
//! covered share of all the cells under it (counts summed, then divided), so no cell is lost.

use super::style::{self, BarPlace, ColourScale, Figure, RegionFrame, BLUES};
use super::{Picture, PlotError};
use crate::analysis::Analysis;
use crate::metrics::raster::AreaMaps;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

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

/// For each of `n_out` picture pixels along an axis of `n_px` raster pixels cut into cells of
/// `cell` pixels: the range of cells under it (at least one).
pub(crate) fn cell_spans(n_out: u32, n_px: usize, cell: usize) -> Vec<(usize, usize)> {
    let ncell = n_px.div_ceil(cell);
    (0..n_out as usize)
        .map(|i| {
            let a = i * n_px / n_out as usize;
            let b = ((i + 1) * n_px).div_ceil(n_out as usize);
            let ca = (a / cell).min(ncell - 1);
            let cb = b.div_ceil(cell).clamp(ca + 1, ncell);
            (ca, cb)
        })
        .collect()
}

struct Coverage {
    /// Extra legend lines (small openings).
    notes: Vec<String>,
    frame: RegionFrame,
    head: String,
    lines: Vec<String>,
    buf: Vec<u8>,
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
            let (cell, ncx, _) = m.cells;
            let (lo, hi) = cell_range(m);
            let mut scale = ColourScale::new(lo, hi, 2, "covered share of cell");
            // a share has a natural scale: all-empty cells are white, all-full ones dark
            scale.flat_t = lo.clamp(0.0, 1.0);
            let cols = cell_spans(pw, grid.nx, cell);
            let rows = cell_spans(ph, grid.ny, cell);
            let lut = BLUES.table();
            let buf = style::fill_rgb(pw, ph, |i, j| {
                let (ca, cb) = cols[i as usize];
                // picture row 0 is the top of the region: the last map rows
                let (ra, rb) = rows[(ph - 1 - j) as usize];
                let (mut cov, mut px) = (0u64, 0u64);
                for r in ra..rb {
                    for c in ca..cb {
                        cov += m.cell_covered[r * ncx + c] as u64;
                        px += m.cell_px[r * ncx + c] as u64;
                    }
                }
                lut.at(scale.t(cov as f64 / px.max(1) as f64))
            });
            lines.push(format!(
                "raster {} µm · map cell {} µm ({} × {} px) · treated = within {} mm of an opening",
                style::tick(res_um),
                style::tick(res_um * cell as f64),
                cell,
                cell,
                style::tick(a.design.analysis.influence_radius_mm)
            ));
            (buf, Some(scale))
        }
        None => {
            lines.push("no channel at all: nothing is covered".to_string());
            (style::fill_rgb(pw, ph, |_, _| style::EMPTY), None)
        }
    };
    let gap = a.maps.as_ref().and_then(|m| {
        let (col, row) = m.max_at?;
        let p = grid.pitch_mm;
        Some((
            ((col as f64 + 0.5) * p, (row as f64 + 0.5) * p),
            m.max_gap_mm()?,
        ))
    });
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
            format!("openings (Ø {} mm) are", style::num(mean_d, 3)),
            format!(
                "{} picture pixel wide here:",
                style::num(mean_d * frame.px_per_mm(), 1)
            ),
            "see detail.png for their".to_string(),
            "true shape".to_string(),
        ]
    } else {
        Vec::new()
    };
    let fig = Coverage {
        frame,
        head: format!("{} — coverage: where the openings are", a.design.name),
        lines,
        buf,
        scale,
        window: super::detail::window_mm(a),
        gap,
        notes,
    };
    let (png, svg, scale) = style::render(&fig).map_err(Picture::draw_error("coverage"))?;
    Ok(Picture {
        name: "coverage",
        png,
        svg,
        size: frame.canvas,
        scale,
        plot: Some((frame.plot, frame.window_mm)),
    })
}

impl Figure for Coverage {
    fn size(&self) -> (u32, u32) {
        self.frame.canvas
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<Option<ColourScale>, String> {
        let frame = &self.frame;
        let (_, py0, _, ph) = frame.plot;
        style::region_base(root, frame, &self.head, &self.lines, &self.buf)?;
        let bar = BarPlace {
            x: frame.bar_left(),
            y: py0 + 40,
            h: ph.clamp(300, 560),
        };
        let drawn = match &self.scale {
            Some(s) => {
                let mut s = s.clone();
                s.labels = style::colour_bar(root, bar, &s, BLUES)?;
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
        .map_err(style::err)?;
        let lx0 = frame.bar_left();
        let mut ly = bar.y + bar.h as i32 + 50;
        root.draw(&Rectangle::new(
            [(lx0, ly - 9), (lx0 + 18, ly + 9)],
            orange.stroke_width(3),
        ))
        .map_err(style::err)?;
        root.draw(&Text::new(
            "detail window".to_string(),
            (lx0 + 30, ly),
            style::anchored(style::text(20), HPos::Left, VPos::Center),
        ))
        .map_err(style::err)?;
        ly += 40;
        if let Some(((cx, cy), r_mm)) = self.gap {
            let (px, py) = frame.px(cx, cy);
            let r_px = (r_mm * frame.px_per_mm()).round().max(3.0) as i32;
            let red = RGBColor(220, 20, 20);
            root.draw(&Circle::new((px, py), r_px, red.stroke_width(3)))
                .map_err(style::err)?;
            root.draw(&Cross::new((px, py), 6, red.stroke_width(2)))
                .map_err(style::err)?;
            root.draw(&Circle::new((lx0 + 9, ly), 9, red.stroke_width(3)))
                .map_err(style::err)?;
            root.draw(&Text::new(
                "largest untreated disc".to_string(),
                (lx0 + 30, ly),
                style::anchored(style::text(20), HPos::Left, VPos::Center),
            ))
            .map_err(style::err)?;
            style::legend_lines(
                root,
                lx0 + 30,
                ly + 18,
                20,
                &[
                    format!("r = {} mm", style::num(r_mm, 2)),
                    format!("at ({}, {}) mm", style::num(cx, 1), style::num(cy, 1)),
                ],
            )?;
        }
        if !self.notes.is_empty() {
            style::legend_lines(root, lx0, ly + 110, 18, &self.notes)?;
        }
        Ok(drawn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_cover_every_cell_once_when_shrinking() {
        let s = cell_spans(100, 4000, 4);
        assert_eq!(s[0].0, 0);
        assert_eq!(s[99].1, 1000);
        for w in s.windows(2) {
            assert_eq!(w[0].1, w[1].0);
        }
    }

    #[test]
    fn spans_pick_one_cell_when_growing() {
        let s = cell_spans(1000, 400, 4);
        assert!(s.iter().all(|&(a, b)| b == a + 1 && b <= 100));
        assert_eq!(s[999], (99, 100));
    }
}
