//! The strength picture (`strength.png`/`.svg`): the smallest safety factor (buckling, bending
//! and, for a pen, fatigue) against needle length and shaft diameter, for the design's
//! material and the loads of the needle that sets the device's smallest factor
//! ([`integrity::factor_at`]), on the one safety colour map from 0 to 10 (10 and more: the top
//! colour). A black line follows factor 2, below which the advisories speak; the design's
//! needle is marked with its factor. Cells where the needle would not reach into the skin are
//! grey.

use super::canvas::{blit, err, frame_rect, Root};
use super::colour::{self, BarPlace, ColourScale, SAFETY};
use super::encode::{self, Drawn, Figure};
use super::frame::{self, RegionFrame};
use super::text;
use super::{Picture, PlotError};
use crate::metrics::analysis::Analysis;
use crate::metrics::integrity::{self, ADVISORY_FACTOR};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Cells along the length axis.
pub const LENGTH_CELLS: usize = 48;
/// Cells along the diameter axis.
pub const DIAMETER_CELLS: usize = 32;
/// Top of the colour scale: factors at or above it take its colour.
pub const SCALE_TOP: f64 = 10.0;
/// Size of the plot, px.
const PLOT: (u32, u32) = (1000, 680);

/// The map: axes' windows and each cell's factor (row-major from the smallest diameter).
#[derive(Clone, Debug, PartialEq)]
pub struct StrengthMap {
    /// Needle lengths shown, mm: from, to.
    pub length_mm: (f64, f64),
    /// Shaft diameters shown, mm: from, to.
    pub diameter_mm: (f64, f64),
    /// Smallest factor per cell, `None` where the needle would not reach into the skin;
    /// cell (i, j) is at length index i, diameter index j.
    pub factors: Vec<Option<f64>>,
    /// The design's needle: length, diameter and factor.
    pub design: (f64, f64, f64),
}

impl StrengthMap {
    /// Centre of cell `i` along length, mm.
    pub fn length_at(&self, i: usize) -> f64 {
        let (a, b) = self.length_mm;
        a + (i as f64 + 0.5) * (b - a) / LENGTH_CELLS as f64
    }

    /// Centre of cell `j` along diameter, mm.
    pub fn diameter_at(&self, j: usize) -> f64 {
        let (a, b) = self.diameter_mm;
        a + (j as f64 + 0.5) * (b - a) / DIAMETER_CELLS as f64
    }

    /// The factor of cell (i, j).
    pub fn at(&self, i: usize, j: usize) -> Option<f64> {
        self.factors[j * LENGTH_CELLS + i]
    }
}

/// Rounds `x` up to a multiple of `step`.
fn up(x: f64, step: f64) -> f64 {
    (x / step).ceil() * step
}

/// The map of an analysis: lengths from 0.1 mm to the larger of 2.5 mm and 1.6 × the needle's,
/// diameters from 0.05 mm to the larger of 0.4 mm and 1.6 × its; `None` when no needle of
/// the device carries a defined factor (none pierces).
pub fn strength_map(a: &Analysis) -> Option<StrengthMap> {
    use rayon::prelude::*;
    let (_, w) = integrity::governing(&a.integrity)?;
    let g = w.case.geometry;
    let length_mm = (0.1, up((1.6 * g.length_mm).max(2.5), 0.5));
    let diameter_mm = (0.05, up((1.6 * g.shaft_diameter_mm).max(0.4), 0.05));
    let mut map = StrengthMap {
        length_mm,
        diameter_mm,
        factors: Vec::new(),
        design: (g.length_mm, g.shaft_diameter_mm, w.factor),
    };
    let cells: Vec<(usize, usize)> = (0..DIAMETER_CELLS)
        .flat_map(|j| (0..LENGTH_CELLS).map(move |i| (i, j)))
        .collect();
    map.factors = cells
        .par_iter()
        .map(|&(i, j)| integrity::factor_at(&a.design, w, map.length_at(i), map.diameter_at(j)))
        .collect();
    Some(map)
}

struct StrengthFigure {
    frame: RegionFrame,
    head: String,
    lines: Vec<String>,
    buf: Vec<u8>,
    map: Option<StrengthMap>,
    scale: ColourScale,
}

/// Renders the picture.
pub fn render(a: &Analysis) -> Result<Picture, PlotError> {
    let map = strength_map(a);
    let (l, d) = map
        .as_ref()
        .map_or(((0.1, 2.5), (0.05, 0.4)), |m| (m.length_mm, m.diameter_mm));
    let plot = (frame::PLOT_LEFT, frame::PLOT_TOP, PLOT.0, PLOT.1);
    let frame = RegionFrame {
        plot,
        canvas: (
            frame::CANVAS_W,
            frame::PLOT_TOP as u32 + PLOT.1 + frame::X_LABEL_H + 40,
        ),
        window_mm: [l.0, d.0, l.1, d.1],
    };
    let table = SAFETY.table();
    let buf = frame::fill_rgb(PLOT.0, PLOT.1, |i, j| {
        let Some(m) = &map else {
            return colour::EMPTY;
        };
        let (x, y) = frame.mm_at(i, j);
        let ci = (((x - l.0) / (l.1 - l.0)) * LENGTH_CELLS as f64) as usize;
        let cj = (((y - d.0) / (d.1 - d.0)) * DIAMETER_CELLS as f64) as usize;
        match m.at(ci.min(LENGTH_CELLS - 1), cj.min(DIAMETER_CELLS - 1)) {
            Some(f) => table.at(f / SCALE_TOP),
            None => colour::EMPTY,
        }
    });
    let fig = StrengthFigure {
        frame,
        head: format!(
            "{} — needle strength: smallest safety factor against length and diameter",
            a.design.name
        ),
        lines: title_lines(a),
        buf,
        map,
        scale: ColourScale::new(0.0, SCALE_TOP, 0, "smallest safety factor"),
    };
    let (png, svg, scale) =
        encode::render(&fig, fig.frame.canvas).map_err(Picture::draw_error("strength"))?;
    Ok(Picture {
        name: "strength",
        png,
        svg,
        size: fig.frame.canvas,
        scale,
        plot: None,
    })
}

/// The title block: the design, the material and the needle whose loads are kept.
fn title_lines(a: &Analysis) -> Vec<String> {
    let n = |x: f64, d| text::num(x, d);
    let mat = &a.design.needle.material;
    let what = format!(
        "{} ({}): E {} GPa, yield {} MPa",
        mat.material().name,
        mat.key,
        n(mat.youngs_modulus_mpa / 1000.0, 0),
        n(mat.yield_strength_mpa, 0)
    );
    let mut lines = vec![super::design_line(&a.design)];
    let room = super::TITLE_LINE_PX;
    match integrity::governing(&a.integrity) {
        Some((kind, w)) => {
            let (l, g) = (&w.case.load, &w.case.geometry);
            lines.push(text::fit(
                &format!(
                    "{what} · needle {} sets the smallest factor: {} ({kind})",
                    w.needle,
                    n(w.factor, 2)
                ),
                super::TITLE_TEXT_PX,
                room,
            ));
            let fatigue = if a.integrity.duty.is_some() {
                ", fatigue"
            } else {
                ""
            };
            lines.push(text::fit(
                &format!(
                    "each cell: buckling, bending{fatigue} at that needle's loads ({} N before it pierces, {} N in, {} of its {} mm deep) · tip {} mm · black: factor {}",
                    n(l.puncture_force_n, 3),
                    n(l.load_n, 3),
                    n(l.depth_mm, 2),
                    n(g.length_mm, 2),
                    n(g.tip_length_mm, 2),
                    n(ADVISORY_FACTOR, 0)
                ),
                super::TITLE_TEXT_PX,
                room,
            ));
        }
        None => lines.push(format!(
            "{what} · no needle pierces at the stated force: no factor to map"
        )),
    }
    lines
}

impl Figure for StrengthFigure {
    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>) -> Drawn {
        let f = &self.frame;
        let (px0, py0, pw, ph) = f.plot;
        text::title(root, &self.head, &self.lines)?;
        frame::region_axes(root, f, "needle length (mm)", "shaft diameter (mm)")?;
        blit(root, (px0, py0), pw, ph, &self.buf)?;
        frame_rect(root, f.plot, BLACK)?;
        let [x0, y0, x1, y1] = f.window_mm;
        let to_px = |x: f64, y: f64| {
            (
                px0 + ((x - x0) / (x1 - x0) * pw as f64).round() as i32,
                py0 + ((y1 - y) / (y1 - y0) * ph as f64).round() as i32,
            )
        };
        if let Some(m) = &self.map {
            // factor 2: the edges between cells on either side of it
            let below = |i: usize, j: usize| m.at(i, j).is_some_and(|v| v < ADVISORY_FACTOR);
            let (dl, dd) = (
                (x1 - x0) / LENGTH_CELLS as f64,
                (y1 - y0) / DIAMETER_CELLS as f64,
            );
            let line = BLACK.stroke_width(3);
            for j in 0..DIAMETER_CELLS {
                for i in 0..LENGTH_CELLS {
                    let (xl, yl) = (x0 + i as f64 * dl, y0 + j as f64 * dd);
                    if i + 1 < LENGTH_CELLS && below(i, j) != below(i + 1, j) {
                        let xe = xl + dl;
                        root.draw(&PathElement::new(
                            vec![to_px(xe, yl), to_px(xe, yl + dd)],
                            line,
                        ))
                        .map_err(err)?;
                    }
                    if j + 1 < DIAMETER_CELLS && below(i, j) != below(i, j + 1) {
                        let ye = yl + dd;
                        root.draw(&PathElement::new(
                            vec![to_px(xl, ye), to_px(xl + dl, ye)],
                            line,
                        ))
                        .map_err(err)?;
                    }
                }
            }
            // the design's needle
            let (l, d, factor) = m.design;
            let at = to_px(l, d);
            root.draw(&Circle::new(at, 10, WHITE.filled()))
                .map_err(err)?;
            root.draw(&Circle::new(at, 10, BLACK.stroke_width(3)))
                .map_err(err)?;
            let label = format!(
                "this design: {} mm × {} mm, factor {}",
                text::num(l, 2),
                text::num(d, 3),
                text::num(factor, 2)
            );
            // on a white box, right of the mark where it fits, else left of it
            let w = (text::width(&label, 20) as f64 * 1.12) as i32 + 12;
            let right = at.0 + 18 + w < px0 + pw as i32;
            let x = if right { at.0 + 18 } else { at.0 - 18 - w };
            root.draw(&Rectangle::new(
                [(x, at.1 - 15), (x + w, at.1 + 15)],
                WHITE.mix(0.85).filled(),
            ))
            .map_err(err)?;
            let style = text::anchored(text::bold(20), HPos::Left, VPos::Center);
            text::put(root, label, (x + 6, at.1), style)?;
        }
        let bar = BarPlace {
            x: px0 + pw as i32 + 50,
            y: py0 + 40,
            h: 420,
        };
        let mut s = self.scale.clone();
        s.labels = colour::colour_bar(root, bar, &s, SAFETY)?;
        let mut y = bar.y + bar.h as i32 + 50;
        text::put(
            root,
            format!("{} and more: top colour", text::tick(SCALE_TOP)),
            (bar.x, y),
            text::anchored(text::text(18), HPos::Left, VPos::Center),
        )?;
        y += 36;
        root.draw(&PathElement::new(
            vec![(bar.x, y), (bar.x + 20, y)],
            BLACK.stroke_width(3),
        ))
        .map_err(err)?;
        text::key(
            root,
            (bar.x, y),
            &format!("factor {}", text::tick(ADVISORY_FACTOR)),
        )?;
        if self.map.as_ref().is_none_or(|m| m.factors.contains(&None)) {
            colour::empty_key(root, (bar.x, y), "does not reach in")?;
        }
        Ok(Some(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cover_the_window() {
        let m = StrengthMap {
            length_mm: (0.1, 2.5),
            diameter_mm: (0.05, 0.4),
            factors: vec![None; LENGTH_CELLS * DIAMETER_CELLS],
            design: (1.5, 0.25, 3.0),
        };
        let half_l = 2.4 / LENGTH_CELLS as f64 / 2.0;
        assert!((m.length_at(0) - (0.1 + half_l)).abs() < 1e-12);
        assert!((m.length_at(LENGTH_CELLS - 1) - (2.5 - half_l)).abs() < 1e-12);
        assert!(m.diameter_at(DIAMETER_CELLS - 1) < 0.4);
        assert_eq!(up(2.4, 0.5), 2.5);
    }
}
