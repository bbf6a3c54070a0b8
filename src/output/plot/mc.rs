//! The Monte Carlo picture (`mc.png`/`.svg`): one small histogram per registry metric over the
//! runs, spec limits as red lines, and the coverage-probability map: for each map cell of the
//! raster engine (the cells of the coverage picture), the fraction of runs in which it holds a
//! covered pixel. The map is a region map like the coverage picture's — x/y axes in mm at
//! equal scale ([`frame::region_map`]), a colour bar over the cells' range — and, where the
//! plot has fewer pixels than the map has cells, each picture pixel shows the mean of the
//! cells under it, weighted by their pixels (the spans of `coverage::cell_spans`).

use super::canvas::{self, Root};
use super::colour::{self, BarPlace, ColourScale, COVERAGE};
use super::encode::Drawn;
use super::encode::{self, Figure};
use super::frame::{self, RegionFrame};
use super::text;
use super::{coverage, Picture, PlotError};
use crate::metrics::analysis::MAP_CELLS;
use crate::metrics::raster::Grid;
use crate::model::registry::METRICS;
use crate::studies::mc::Study;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Picture width, pixels.
pub const WIDTH: u32 = 1760;

/// Picture size, pixels: tall enough for a histogram per registry metric and the key line.
pub fn size() -> (u32, u32) {
    let rows = METRICS.len().div_ceil(HIST.0 as usize) as i32;
    let grid_bottom = HIST_TOP + rows * (HIST.2 + 12);
    (WIDTH, (grid_bottom + KEY_H).max(850) as u32)
}

/// Height of the key line under the histograms, px.
const KEY_H: i32 = 40;
/// Histogram bins.
const BINS: usize = 20;
/// Histogram grid: columns, width and height of one histogram (title, plot, tick labels), px.
const HIST: (i32, i32, i32) = (4, 200, 160);
/// Top of the histogram grid, px (below the title block).
const HIST_TOP: i32 = 150;
/// Top left corner of the map's plot and its longer side, px.
const MAP_AT: (i32, i32) = (990, 200);
/// Longer side of the map's plot, px.
const MAP_SIDE_PX: u32 = 440;
/// Widest line of the title block, px.
const LINE_PX: u32 = WIDTH - 48;
/// What the map's colour bar shows.
pub const MAP_UNIT: &str = "fraction of runs covered";

/// One metric's histogram over the runs, in the unit it is shown in (fractions as %).
struct Hist {
    title: String,
    lo: f64,
    hi: f64,
    counts: Vec<u32>,
    limits: Vec<f64>,
    /// Mean over the runs where the metric is defined.
    mean: Option<f64>,
}

/// Least width of a histogram's axis as a share of the mean's magnitude: a spread far below
/// it (0.5 µm of 0.6 mm) is drawn as the narrow bar it is, not stretched over the axis.
const MIN_SPAN_OF_MEAN: f64 = 0.02;

/// Least width of a histogram's axis in units of the last decimal the tables show.
const MIN_SPAN_STEPS: f64 = 10.0;

/// The coverage-probability map, ready to draw.
struct McMap {
    frame: RegionFrame,
    /// The plot's raster, RGB, row 0 at the top.
    buf: Vec<u8>,
    scale: ColourScale,
    /// Side of a map cell, µm.
    cell_um: f64,
}

struct McFigure {
    head: String,
    lines: Vec<String>,
    runs: usize,
    hists: Vec<Hist>,
    map: Option<McMap>,
}

/// Renders the picture of a study.
pub fn render(s: &Study) -> Result<Picture, PlotError> {
    let draw_error = |message| PlotError::Draw {
        picture: "mc",
        message,
    };
    let map = match &s.coverage_map {
        Some((v, nx, ny)) => Some(probability_map(s, v, *nx, *ny).map_err(draw_error)?),
        None => None,
    };
    let fig = McFigure {
        head: head(s),
        lines: title_lines(s),
        runs: s.runs.len(),
        hists: histograms(s),
        map,
    };
    let plot = fig.map.as_ref().map(|m| (m.frame.plot, m.frame.window_mm));
    let size = size();
    let (png, svg, scale) = encode::render(&fig, size).map_err(draw_error)?;
    Ok(Picture {
        name: "mc",
        png,
        svg,
        size,
        scale,
        plot,
    })
}

/// "mf8-192 — Monte Carlo: 200 runs · yield 80.0 % (Wilson 95 % 58.4–91.9 %)".
fn head(s: &Study) -> String {
    let yield_note = s.yield_.as_ref().map_or(String::new(), |y| {
        format!(
            " · yield {:.1} % (Wilson 95 % {:.1}–{:.1} %)",
            y.fraction * 100.0,
            y.wilson95_lo * 100.0,
            y.wilson95_hi * 100.0
        )
    });
    let head = format!(
        "{} — Monte Carlo: {} runs{yield_note}",
        s.design.name,
        s.runs.len()
    );
    text::fit(&head, 30, LINE_PX)
}

/// The design line, the seeds and raster, and what each spec limit does to the yield.
fn title_lines(s: &Study) -> Vec<String> {
    let d = &s.design;
    // an inspected device is the same in every run: only the hand varies
    let device = match &d.as_built {
        Some(ab) => format!(
            "the hand; device as built: {} ({} of {} needles missing)",
            ab.path.display(),
            ab.needles.iter().filter(|n| n.missing).count(),
            ab.needles.len()
        ),
        None => "the hand and the drawn device".to_string(),
    };
    let seeds = match (s.runs.first(), s.runs.last()) {
        (Some(a), Some(b)) => format!(
            "run k uses seed {} + k (seeds {}–{}) for {device}",
            d.treatment.seed, a.seed, b.seed
        ),
        _ => "no run".to_string(),
    };
    let second = format!(
        "raster {} µm · {seeds}",
        text::tick(d.analysis.resolution_um)
    );
    let spec = match &s.yield_ {
        Some(y) => {
            let mut each: Vec<String> = y
                .limits
                .iter()
                .map(|l| {
                    format!(
                        "{} {} fails in {:.1} %",
                        l.limit.key,
                        l.limit.describe(),
                        l.fail_fraction * 100.0
                    )
                })
                .collect();
            each.push(format!("{} of {} runs meet every limit", y.passing, y.runs));
            // a long [spec] takes a second line rather than losing its last limits
            text::pack(
                "[spec] limits (red lines): ",
                &each,
                " · ",
                super::TITLE_TEXT_PX,
                LINE_PX,
                2,
            )
        }
        None => vec!["no [spec] limits: no yield".to_string()],
    };
    [super::design_line(d), second]
        .into_iter()
        .map(|l| text::fit(&l, super::TITLE_TEXT_PX, LINE_PX))
        .chain(spec)
        .collect()
}

/// One histogram per registry metric, in the unit the tables show (fractions as %), its
/// axis widened to show the spec limits and to span at least [`MIN_SPAN_OF_MEAN`] of the mean
/// and [`MIN_SPAN_STEPS`] steps of the tables' last decimal, centred on the runs.
fn histograms(s: &Study) -> Vec<Hist> {
    METRICS
        .iter()
        .map(|m| {
            let shown = if m.unit == "%" { 100.0 } else { 1.0 };
            let v: Vec<f64> = s
                .runs
                .iter()
                .filter_map(|r| (m.get)(&r.metrics))
                .map(|x| x * shown)
                .collect();
            let limits: Vec<f64> = s
                .design
                .spec
                .iter()
                .filter(|l| l.key == m.key)
                .flat_map(|l| l.min.into_iter().chain(l.max))
                .map(|x| x * shown)
                .collect();
            let mean = (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
            let (vlo, vhi) = v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            let (mut lo, mut hi) = if vlo.is_finite() {
                (vlo, vhi)
            } else {
                (0.0, 1.0)
            };
            let step = 10f64.powi(-(m.table_decimals as i32));
            let least = (mean.unwrap_or(0.0).abs() * MIN_SPAN_OF_MEAN)
                .max(MIN_SPAN_STEPS * step)
                .max(1e-9);
            if hi - lo < least {
                let mid = 0.5 * (lo + hi);
                (lo, hi) = (mid - 0.5 * least, mid + 0.5 * least);
            }
            for &l in &limits {
                (lo, hi) = (lo.min(l), hi.max(l));
            }
            let mut counts = vec![0u32; BINS];
            for x in &v {
                let b = (((x - lo) / (hi - lo)) * BINS as f64).floor() as usize;
                counts[b.min(BINS - 1)] += 1;
            }
            Hist {
                title: if m.unit.is_empty() {
                    m.key.to_string()
                } else {
                    format!("{} ({})", m.key, m.unit)
                },
                lo,
                hi,
                counts,
                limits,
                mean,
            }
        })
        .collect()
}

/// The map of the study's `ncx × ncy` cells (row-major from y = 0, each the fraction of runs
/// in which the cell holds a covered pixel) on the region's frame: the cells are the raster
/// engine's picture cells of the design's grid, so they are placed in mm from that grid.
fn probability_map(s: &Study, v: &[f64], ncx: usize, ncy: usize) -> Result<McMap, String> {
    let d = &s.design;
    let [lx, ly] = d.treatment.area_mm;
    let grid =
        Grid::new(&d.name, d.treatment.area_mm, d.analysis.resolution_um).map_err(canvas::err)?;
    let cell = grid.nx.max(grid.ny).div_ceil(MAP_CELLS);
    if (grid.nx.div_ceil(cell), grid.ny.div_ceil(cell)) != (ncx, ncy) || v.len() != ncx * ncy {
        return Err(format!(
            "the coverage map has {ncx} × {ncy} cells, not the {} × {} of the design's raster",
            grid.nx.div_ceil(cell),
            grid.ny.div_ceil(cell)
        ));
    }
    let frame = RegionFrame::placed(MAP_AT, MAP_SIDE_PX, [0.0, 0.0, lx, ly]);
    let (_, _, pw, ph) = frame.plot;
    let (lo, hi) = v
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let mut scale = ColourScale::new(lo, hi, 2, MAP_UNIT);
    // a fraction has a natural scale: a map of one value sits where that value would
    scale.flat_t = lo.clamp(0.0, 1.0);
    let cols = coverage::cell_spans(pw, (0, grid.nx), cell, ncx);
    let rows = coverage::cell_spans(ph, (0, grid.ny), cell, ncy);
    // pixels of cell c along an axis of n pixels: the last cell may be cut by the region's edge
    let side = |c: usize, n: usize| (n - c * cell).min(cell) as f64;
    let lut = COVERAGE.table();
    let buf = frame::fill_rgb(pw, ph, |i, j| {
        let (ca, cb) = cols[i as usize];
        // picture row 0 is the top of the region: the last map rows
        let (ra, rb) = rows[(ph - 1 - j) as usize];
        let (mut sum, mut area) = (0.0, 0.0);
        for r in ra..rb {
            let h = side(r, grid.ny);
            for c in ca..cb {
                let a = h * side(c, grid.nx);
                sum += a * v[r * ncx + c];
                area += a;
            }
        }
        lut.at(scale.t(sum / area))
    });
    Ok(McMap {
        frame,
        buf,
        scale,
        cell_um: grid.pitch_mm * 1000.0 * cell as f64,
    })
}

impl McFigure {
    fn draw_hists<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let e = canvas::err;
        let (cols, w, h) = HIST;
        let blue = colour::rgb(colour::category(0));
        let small = text::text(13);
        for (i, hg) in self.hists.iter().enumerate() {
            let (cx, cy) = (
                20 + (i as i32 % cols) * (w + 10),
                HIST_TOP + (i as i32 / cols) * (h + 12),
            );
            root.draw(&Text::new(
                text::fit(&hg.title, 14, w as u32),
                (cx, cy),
                text::text(14),
            ))
            .map_err(e)?;
            // the counts' axis on the left: 0 and the tallest bin's count
            let (px, py, pw, ph) = (cx + Y_TICKS_W, cy + 20, w - Y_TICKS_W, h - 42);
            if hg.mean.is_none() {
                // undefined in every run (a fatigue factor of a device that never cycles)
                root.draw(&Text::new(
                    "not defined in any run",
                    (px + 4, py + ph / 2),
                    text::anchored(small.clone(), HPos::Left, VPos::Center),
                ))
                .map_err(e)?;
                continue;
            }
            root.draw(&Rectangle::new(
                [(px, py), (px + pw, py + ph)],
                BLACK.stroke_width(1),
            ))
            .map_err(e)?;
            let top = hg.counts.iter().copied().max().unwrap_or(1).max(1);
            let right = |s| text::anchored(s, HPos::Right, VPos::Center);
            root.draw(&Text::new(
                top.to_string(),
                (px - 3, py + 4),
                right(small.clone()),
            ))
            .map_err(e)?;
            root.draw(&Text::new("0", (px - 3, py + ph), right(small.clone())))
                .map_err(e)?;
            let bw = pw as f64 / BINS as f64;
            for (b, &c) in hg.counts.iter().enumerate() {
                if c == 0 {
                    continue;
                }
                let x0 = px + (b as f64 * bw).round() as i32;
                let x1 = px + ((b + 1) as f64 * bw).round() as i32;
                let y0 = py + ph - (f64::from(c) / f64::from(top) * (ph - 4) as f64).round() as i32;
                root.draw(&Rectangle::new([(x0, y0), (x1, py + ph)], blue.filled()))
                    .map_err(e)?;
            }
            let at = |v: f64| px + ((v - hg.lo) / (hg.hi - hg.lo) * pw as f64).round() as i32;
            for &l in &hg.limits {
                root.draw(&PathElement::new(
                    vec![(at(l), py), (at(l), py + ph)],
                    RED.stroke_width(2),
                ))
                .map_err(e)?;
            }
            if let Some(m) = hg.mean {
                // the mean: a dark dashed line, its value under the axis's middle
                root.draw(&Text::new(
                    format!("mean {}", text::tick(sig(m))),
                    (px + pw / 2, py + ph + 4),
                    text::anchored(small.clone(), HPos::Center, VPos::Top),
                ))
                .map_err(e)?;
                let x = at(m);
                for k in (0..ph).step_by(8) {
                    root.draw(&PathElement::new(
                        vec![(x, py + k), (x, py + (k + 4).min(ph))],
                        BLACK.stroke_width(2),
                    ))
                    .map_err(e)?;
                }
            }
            root.draw(&Text::new(
                text::tick(sig(hg.lo)),
                (px, py + ph + 4),
                small.clone(),
            ))
            .map_err(e)?;
            root.draw(&Text::new(
                text::tick(sig(hg.hi)),
                (px + pw, py + ph + 4),
                text::anchored(small.clone(), HPos::Right, VPos::Top),
            ))
            .map_err(e)?;
        }
        let rows = self.hists.len().div_ceil(cols as usize) as i32;
        root.draw(&Text::new(
            format!(
                "bars: runs per bin (left: the tallest bin's count) · dashed: the mean · red: [spec] limits · fractions in % · each axis spans at least {} % of its mean",
                text::tick(MIN_SPAN_OF_MEAN * 100.0)
            ),
            (20, HIST_TOP + rows * (h + 12) + 8),
            small,
        ))
        .map_err(e)?;
        Ok(())
    }
}

/// Width left of each histogram for its counts' axis, px.
const Y_TICKS_W: i32 = 30;

/// `x` to 5 significant digits, for axis ends and means.
fn sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let k = 4 - x.abs().log10().floor() as i32;
    let f = 10f64.powi(k);
    (x * f).round() / f
}

impl Figure for McFigure {
    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>) -> Drawn {
        text::title(root, &self.head, &self.lines)?;
        self.draw_hists(root)?;
        let left = MAP_AT.0 - frame::Y_LABEL_W as i32;
        let Some(m) = &self.map else {
            text::put(
                root,
                "no channel in any run: no coverage map",
                (left, MAP_AT.1),
                text::text(20),
            )?;
            return Ok(None);
        };
        text::put(
            root,
            format!(
                "coverage probability per {} µm map cell",
                text::tick(m.cell_um)
            ),
            (left, MAP_AT.1 - 62),
            text::bold(20),
        )?;
        text::put(
            root,
            format!(
                "fraction of the {} runs in which the cell holds a covered pixel",
                self.runs
            ),
            (left, MAP_AT.1 - 34),
            text::text(18),
        )?;
        frame::region_map(root, &m.frame, &m.buf)?;
        let (_, py, _, ph) = m.frame.plot;
        let bar = BarPlace {
            x: m.frame.bar_left(),
            y: py + 30,
            h: ph.saturating_sub(30).max(200),
        };
        let mut s = m.scale.clone();
        s.labels = colour::colour_bar(root, bar, &s, COVERAGE)?;
        Ok(Some(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_and_its_colour_bar_fit_beside_the_histograms() {
        let (cols, w, _) = HIST;
        let hist_right = 20 + cols * (w + 10);
        assert!(hist_right <= MAP_AT.0 - frame::Y_LABEL_W as i32);
        let f = RegionFrame::placed(MAP_AT, MAP_SIDE_PX, [0.0, 0.0, 40.0, 40.0]);
        let bar_right = f.bar_left() + colour::BAR_W as i32 + 12 + text::width("0.00", 20) as i32;
        let unit_right = f.bar_left() + text::width(MAP_UNIT, 20) as i32;
        assert!(bar_right.max(unit_right) + 10 < WIDTH as i32);
        assert!(f.canvas.1 <= size().1);
    }
}
