//! The Monte Carlo picture (`mc.png`/`.svg`): one small histogram per registry metric over the
//! runs, spec limits as red lines, and the coverage-probability map (share of runs in which
//! each picture cell holds a covered pixel), downsampled to at most [`MAP_SIDE`] cells a side.

use super::colour;
use super::encode::{self, Figure};
use super::text;
use super::{ColourScale, Picture, PlotError};
use crate::mc::Study;
use crate::metrics::registry::METRICS;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Picture size, pixels.
pub const SIZE: (u32, u32) = (1320, 760);
/// Most map cells a side in the picture.
pub const MAP_SIDE: usize = 90;
/// Histogram bins.
const BINS: usize = 20;

struct Hist {
    title: String,
    lo: f64,
    hi: f64,
    counts: Vec<u32>,
    limits: Vec<f64>,
}

struct McFigure {
    title: String,
    hists: Vec<Hist>,
    map: Option<(Vec<f64>, usize, usize)>,
}

/// Renders the picture of a study.
pub fn render(s: &Study) -> Result<Picture, PlotError> {
    let hists = METRICS
        .iter()
        .map(|m| {
            let v: Vec<f64> = s.runs.iter().filter_map(|r| (m.get)(&r.metrics)).collect();
            let limits: Vec<f64> = s
                .design
                .spec
                .iter()
                .filter(|l| l.key == m.key)
                .flat_map(|l| l.min.into_iter().chain(l.max))
                .collect();
            let mut lo = v
                .iter()
                .chain(&limits)
                .copied()
                .fold(f64::INFINITY, f64::min);
            let mut hi = v
                .iter()
                .chain(&limits)
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            if !lo.is_finite() {
                (lo, hi) = (0.0, 1.0);
            }
            if hi - lo < 1e-12 * lo.abs().max(1.0) {
                let pad = (lo.abs() * 0.01).max(1e-6);
                (lo, hi) = (lo - pad, hi + pad);
            }
            let mut counts = vec![0u32; BINS];
            for x in &v {
                let b = (((x - lo) / (hi - lo)) * BINS as f64).floor() as usize;
                counts[b.min(BINS - 1)] += 1;
            }
            let unit = if m.unit == "%" { "fraction" } else { m.unit };
            Hist {
                title: if unit.is_empty() {
                    m.key.to_string()
                } else {
                    format!("{} ({unit})", m.key)
                },
                lo,
                hi,
                counts,
                limits,
            }
        })
        .collect();
    let map = s
        .coverage_map
        .as_ref()
        .map(|(v, nx, ny)| downsample(v, *nx, *ny));
    let yield_note = s.yield_.as_ref().map_or(String::new(), |y| {
        format!(
            " · yield {:.1} % (Wilson 95 % {:.1}–{:.1} %)",
            y.fraction * 100.0,
            y.wilson95_lo * 100.0,
            y.wilson95_hi * 100.0
        )
    });
    let fig = McFigure {
        title: format!("{} — {} runs{yield_note}", s.design.name, s.runs.len()),
        hists,
        map,
    };
    let (png, svg, scale) = encode::render(&fig).map_err(|message| PlotError::Draw {
        picture: "mc",
        message,
    })?;
    Ok(Picture {
        name: "mc",
        png,
        svg,
        size: SIZE,
        scale,
        plot: None,
    })
}

/// Block means down to at most [`MAP_SIDE`] a side (row-major).
fn downsample(v: &[f64], nx: usize, ny: usize) -> (Vec<f64>, usize, usize) {
    let k = nx.max(ny).div_ceil(MAP_SIDE).max(1);
    let (mx, my) = (nx.div_ceil(k), ny.div_ceil(k));
    let mut out = vec![0.0; mx * my];
    let mut n = vec![0u32; mx * my];
    for j in 0..ny {
        for i in 0..nx {
            let c = (j / k) * mx + i / k;
            out[c] += v[j * nx + i];
            n[c] += 1;
        }
    }
    for (o, n) in out.iter_mut().zip(&n) {
        *o /= f64::from((*n).max(1));
    }
    (out, mx, my)
}

impl Figure for McFigure {
    fn size(&self) -> (u32, u32) {
        SIZE
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<Option<ColourScale>, String> {
        let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
        root.draw(&Text::new(
            text::fit(&self.title, 22, SIZE.0 - 40),
            (20, 12),
            text::text(22),
        ))
        .map_err(e)?;
        let (cols, w, h) = (4i32, 205i32, 160i32);
        let blue = colour::rgb(colour::category(0));
        for (i, hg) in self.hists.iter().enumerate() {
            let (cx, cy) = (
                20 + (i as i32 % cols) * (w + 10),
                50 + (i as i32 / cols) * (h + 12),
            );
            root.draw(&Text::new(
                text::fit(&hg.title, 12, w as u32),
                (cx, cy),
                text::text(12),
            ))
            .map_err(e)?;
            let (px, py, pw, ph) = (cx, cy + 18, w, h - 40);
            root.draw(&Rectangle::new(
                [(px, py), (px + pw, py + ph)],
                BLACK.stroke_width(1),
            ))
            .map_err(e)?;
            let top = hg.counts.iter().copied().max().unwrap_or(1).max(1) as f64;
            let bw = pw as f64 / BINS as f64;
            for (b, &c) in hg.counts.iter().enumerate() {
                if c == 0 {
                    continue;
                }
                let x0 = px + (b as f64 * bw).round() as i32;
                let x1 = px + ((b + 1) as f64 * bw).round() as i32;
                let y0 = py + ph - (f64::from(c) / top * (ph - 4) as f64).round() as i32;
                root.draw(&Rectangle::new([(x0, y0), (x1, py + ph)], blue.filled()))
                    .map_err(e)?;
            }
            for &l in &hg.limits {
                let x = px + ((l - hg.lo) / (hg.hi - hg.lo) * pw as f64).round() as i32;
                root.draw(&PathElement::new(
                    vec![(x, py), (x, py + ph)],
                    RED.stroke_width(2),
                ))
                .map_err(e)?;
            }
            let small = text::text(11);
            root.draw(&Text::new(
                text::tick(hg.lo),
                (px, py + ph + 4),
                small.clone(),
            ))
            .map_err(e)?;
            root.draw(&Text::new(
                text::tick(hg.hi),
                (px + pw, py + ph + 4),
                text::anchored(small, HPos::Right, VPos::Top),
            ))
            .map_err(e)?;
        }
        let Some((v, mx, my)) = &self.map else {
            return Ok(None);
        };
        let (ox, oy, side) = (900i32, 70i32, 380i32);
        root.draw(&Text::new(
            "coverage probability per cell (share of runs covered)",
            (ox, oy - 20),
            text::text(13),
        ))
        .map_err(e)?;
        let cell = side as f64 / (*mx).max(*my) as f64;
        let lut = colour::COVERAGE;
        for j in 0..*my {
            for i in 0..*mx {
                let c = colour::rgb(lut.at(v[j * mx + i]));
                // row 0 is y = 0, drawn at the bottom
                let x0 = ox + (i as f64 * cell).round() as i32;
                let x1 = ox + ((i + 1) as f64 * cell).round() as i32;
                let y1 = oy + side - (j as f64 * cell).round() as i32;
                let y0 = oy + side - ((j + 1) as f64 * cell).round() as i32;
                root.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.filled()))
                    .map_err(e)?;
            }
        }
        // colour bar 0..1
        let (bx, by, bw) = (ox, oy + side + 30, side);
        for k in 0..bw {
            let c = colour::rgb(lut.at(f64::from(k) / f64::from(bw - 1)));
            root.draw(&Rectangle::new(
                [(bx + k, by), (bx + k + 1, by + 14)],
                c.filled(),
            ))
            .map_err(e)?;
        }
        root.draw(&Text::new("0", (bx, by + 18), text::text(11)))
            .map_err(e)?;
        root.draw(&Text::new(
            "1 (covered in every run)",
            (bx + bw, by + 18),
            text::anchored(text::text(11), HPos::Right, VPos::Top),
        ))
        .map_err(e)?;
        Ok(None)
    }
}
