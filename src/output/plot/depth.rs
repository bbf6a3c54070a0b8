//! The depth picture: per cell of the region, the deepest insertion depth (`depth_mm`, mm
//! below the skin surface) of the channels whose centre lies in the cell and in the region.
//! Cells are square, of a nice side chosen so that a cell holds one or two channels on
//! average (never under one picture pixel); cells without a channel are grey.
//!
//! Beside the map: the colour bar over the range of those per-cell values, with any skin-layer
//! boundary inside that range drawn across it, and a skin ruler (mm below the surface) from
//! the surface down past the layer the deepest channel ends in, every layer named, the
//! channels' insertion-depth range bracketed on it — so a reader sees at once which layer the
//! needles reach.

use super::canvas::{self, Root};
use super::colour::{self, BarPlace, ColourScale, BAR_W, DEPTH};
use super::encode::Drawn;
use super::frame::{self, Overlay, Region, RegionFrame};
use super::text;
use super::{Picture, PlotError};
use crate::metrics::analysis::Analysis;
use crate::model::skin::Layer;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Human name of a layer.
pub fn layer_name(l: Layer) -> &'static str {
    match l {
        Layer::StratumCorneum => "stratum corneum",
        Layer::ViableEpidermis => "viable epidermis",
        Layer::PapillaryDermis => "papillary dermis",
        Layer::ReticularDermis => "reticular dermis",
        Layer::Subcutis => "subcutis",
    }
}

/// The cell side of the depth map, mm: a nice value near √(1.5 / channels per mm²), at least
/// one picture pixel.
pub fn cell_mm(a: &Analysis) -> f64 {
    let [lx, ly] = a.design.treatment.area_mm;
    let per_mm2 = a.metrics.channels as f64 / (lx * ly);
    let raw = if per_mm2 > 0.0 {
        (1.5 / per_mm2).sqrt()
    } else {
        lx.max(ly) / 10.0
    };
    text::nice_step(raw.max(lx.max(ly) / frame::PLOT_MAX as f64))
}

/// Deepest channel per cell (row-major from y = 0; NaN where no channel), columns and rows.
pub fn deepest_per_cell(a: &Analysis, cell: f64) -> (Vec<f64>, usize, usize) {
    let [lx, ly] = a.design.treatment.area_mm;
    let ncx = ((lx / cell - 1e-9).ceil() as usize).max(1);
    let ncy = ((ly / cell - 1e-9).ceil() as usize).max(1);
    let mut d = vec![f64::NAN; ncx * ncy];
    for c in a.field.in_region() {
        let i = ((c.x_mm / cell) as usize).min(ncx - 1);
        let j = ((c.y_mm / cell) as usize).min(ncy - 1);
        let v = &mut d[j * ncx + i];
        if !(v.is_finite() && *v >= c.depth_mm) {
            *v = c.depth_mm;
        }
    }
    (d, ncx, ncy)
}

/// Spreads labels wanted at `ys` (ascending) so that neighbours are at least `gap` apart,
/// staying within [lo, hi] where they fit; returns the positions, in order.
pub fn spread(ys: &[f64], gap: f64, lo: f64, hi: f64) -> Vec<f64> {
    let mut out: Vec<f64> = ys.to_vec();
    for k in 1..out.len() {
        out[k] = out[k].max(out[k - 1] + gap);
    }
    if let Some(&last) = out.last() {
        if last > hi {
            let shift = last - hi;
            let n = out.len();
            out[n - 1] -= shift;
            for k in (0..n - 1).rev() {
                out[k] = out[k].min(out[k + 1] - gap);
            }
        }
    }
    if let Some(&first) = out.first() {
        if first < lo {
            let d = lo - first;
            for y in &mut out {
                *y += d;
            }
        }
    }
    out
}

struct Depth {
    scale: Option<ColourScale>,
    /// The channels' insertion depths, min and max, mm.
    channels: Option<(f64, f64)>,
    boundaries: [f64; 4],
    preset: String,
}

/// Renders the picture.
pub fn render(a: &Analysis) -> Result<Picture, PlotError> {
    let [lx, ly] = a.design.treatment.area_mm;
    let frame = RegionFrame::new([0.0, 0.0, lx, ly]);
    let (_, _, pw, ph) = frame.plot;
    let cell = cell_mm(a);
    let (deep, ncx, ncy) = deepest_per_cell(a, cell);
    // the bar spans the values drawn: the cells' deepest insertions
    let (lo, hi) = deep
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let (lo, hi) = super::colour::depth_span(lo, hi);
    let scale = (lo <= hi)
        .then(|| ColourScale::new(lo, hi, text::decimals_for(hi - lo, hi).max(2), BAR_UNIT));
    let channels = a.metrics.min_depth_mm.zip(a.metrics.max_depth_mm);
    let lut = DEPTH.table();
    let buf = frame::fill_rgb(pw, ph, |i, j| {
        let (x, y) = frame.mm_at(i, j);
        let (ci, cj) = (
            ((x / cell) as usize).min(ncx - 1),
            ((y / cell) as usize).min(ncy - 1),
        );
        let v = deep[cj * ncx + ci];
        match &scale {
            Some(s) if v.is_finite() => lut.at(s.t(v)),
            _ => colour::EMPTY,
        }
    });
    let skin = &a.design.skin;
    let mut layers: Vec<String> = Layer::ALL
        .iter()
        .filter(|l| a.layers[l.index()] > 0.0)
        .map(|l| {
            format!(
                "{} {} %",
                layer_name(*l),
                text::num(100.0 * a.layers[l.index()], 1)
            )
        })
        .collect();
    if layers.is_empty() {
        layers.push("no channel".into());
    }
    let lines = vec![
        super::design_line(&a.design),
        super::key_figures(a),
        format!(
            "map: deepest insertion per {} mm cell · channels' insertion depth min {} · mean {} · max {} mm · tips end in: {}",
            text::tick(cell),
            a.metrics
                .min_depth_mm
                .map_or("—".into(), |v| text::num(v, 3)),
            a.metrics
                .mean_depth_mm
                .map_or("—".into(), |v| text::num(v, 3)),
            a.metrics
                .max_depth_mm
                .map_or("—".into(), |v| text::num(v, 3)),
            layers.join(", ")
        ),
    ];
    let fig = Region {
        frame,
        head: format!("{} — depth: deepest insertion per cell", a.design.name),
        lines,
        buf,
        over: Depth {
            scale,
            channels,
            boundaries: skin.boundaries_mm(),
            preset: skin.preset.clone(),
        },
    };
    Picture::of_region("depth", &fig)
}

/// The colour bar's unit, under its first line [`BAR_HEAD`].
pub const BAR_UNIT: &str = "deepest per cell (mm)";
/// The first line of the colour bar's caption.
pub const BAR_HEAD: &str = "insertion depth,";

/// Pale tints of the layers on the skin ruler, surface first.
const LAYER_TINTS: [[u8; 3]; 5] = [
    [205, 170, 125],
    [240, 200, 170],
    [250, 225, 215],
    [235, 190, 190],
    [255, 240, 180],
];

impl Depth {
    /// The skin ruler: layers from the surface to `bottom_mm`, channels' range bracketed.
    fn ruler<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        x: i32,
        y: i32,
        h: u32,
        range: Option<(f64, f64)>,
    ) -> Result<(), String> {
        let b = self.boundaries;
        let dmax = range.map_or(b[3], |r| r.1);
        let bottom = match b.iter().find(|&&v| v >= dmax) {
            Some(&v) => v * 1.12,
            None => dmax * 1.15,
        };
        let py = |d: f64| y + (d / bottom * h as f64).round() as i32;
        text::put(
            root,
            format!("skin layers ({})", self.preset),
            (x - 60, y - 56),
            text::bold(20),
        )?;
        text::put(
            root,
            "depth below surface (mm)",
            (x - 60, y - 30),
            text::text(18),
        )?;
        let mut tops = vec![0.0];
        tops.extend(b.iter().copied());
        let mut names = Vec::new();
        for (k, l) in Layer::ALL.iter().enumerate() {
            let top = tops[k];
            if top >= bottom {
                break;
            }
            let bot = b.get(k).copied().unwrap_or(bottom).min(bottom);
            root.draw(&Rectangle::new(
                [(x, py(top)), (x + BAR_W as i32, py(bot).max(py(top) + 1))],
                colour::rgb(LAYER_TINTS[k]).filled(),
            ))
            .map_err(canvas::err)?;
            names.push((0.5 * (py(top) + py(bot)) as f64, layer_name(*l).to_string()));
        }
        // boundaries: line across, depth label on the left
        for &v in b.iter().filter(|&&v| v < bottom) {
            root.draw(&PathElement::new(
                vec![(x - 6, py(v)), (x + BAR_W as i32, py(v))],
                BLACK.stroke_width(1),
            ))
            .map_err(canvas::err)?;
        }
        let depth_ys: Vec<f64> = std::iter::once(0.0)
            .chain(b.iter().copied().filter(|&v| v < bottom))
            .map(|v| py(v) as f64)
            .collect();
        let depth_pos = spread(&depth_ys, 20.0, y as f64 - 4.0, (y + h as i32) as f64);
        let depth_vals: Vec<f64> = std::iter::once(0.0)
            .chain(b.iter().copied().filter(|&v| v < bottom))
            .collect();
        for ((v, want), at) in depth_vals.iter().zip(&depth_ys).zip(&depth_pos) {
            root.draw(&PathElement::new(
                vec![(x - 6, *want as i32), (x - 12, *at as i32)],
                BLACK.stroke_width(1),
            ))
            .map_err(canvas::err)?;
            text::put(
                root,
                text::tick(*v),
                (x - 14, *at as i32),
                text::anchored(text::text(16), HPos::Right, VPos::Center),
            )?;
        }
        frame_outline(root, x, y, h)?;
        // layer names on the right, spread apart, with leaders
        let ys: Vec<f64> = names.iter().map(|n| n.0).collect();
        let pos = spread(&ys, 22.0, y as f64, (y + h as i32) as f64);
        let xr = x + BAR_W as i32;
        for ((want, name), at) in names.iter().zip(&pos) {
            root.draw(&PathElement::new(
                vec![(xr, *want as i32), (xr + 14, *at as i32)],
                RGBColor(120, 120, 120).stroke_width(1),
            ))
            .map_err(canvas::err)?;
            text::put(
                root,
                name.clone(),
                (xr + 18, *at as i32),
                text::anchored(text::text(18), HPos::Left, VPos::Center),
            )?;
        }
        // the channels' range
        if let Some((lo, hi)) = range {
            let red = RGBColor(200, 0, 0);
            let (a, z) = (py(lo), py(hi).max(py(lo) + 2));
            root.draw(&Rectangle::new(
                [(x - 4, a), (x + BAR_W as i32 + 4, z)],
                red.stroke_width(3),
            ))
            .map_err(canvas::err)?;
            for (k, line) in ["red: the channels'", "insertion depths, min–max"]
                .iter()
                .enumerate()
            {
                text::put(
                    root,
                    line.to_string(),
                    (x - 60, y + h as i32 + 12 + 22 * k as i32),
                    text::anchored(text::tinted(text::text(18), red), HPos::Left, VPos::Top),
                )?;
            }
        }
        Ok(())
    }
}

fn frame_outline<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: i32,
    y: i32,
    h: u32,
) -> Result<(), String> {
    root.draw(&Rectangle::new(
        [(x, y), (x + BAR_W as i32, y + h as i32)],
        BLACK.stroke_width(1),
    ))
    .map_err(canvas::err)
}

impl Overlay for Depth {
    fn draw_over<DB: DrawingBackend>(&self, root: &Root<DB>, f: &RegionFrame) -> Drawn {
        let py0 = f.plot.1;
        let x = f.bar_left();
        let bar = BarPlace {
            x,
            y: py0 + 60,
            h: 240,
        };
        let mut drawn = None;
        if let Some(s) = &self.scale {
            let mut s = s.clone();
            // the bar runs deep (bottom) to shallow (top) like every bar: low values at the bottom
            s.labels = colour::colour_bar(root, bar, &s, DEPTH)?;
            text::put(
                root,
                BAR_HEAD,
                (x, bar.y - 40),
                text::anchored(text::text(20), HPos::Left, VPos::Bottom),
            )?;
            if s.hi > s.lo {
                for &v in self.boundaries.iter().filter(|&&v| v > s.lo && v < s.hi) {
                    let yy = bar.y + bar.h as i32
                        - ((v - s.lo) / (s.hi - s.lo) * bar.h as f64).round() as i32;
                    root.draw(&PathElement::new(
                        vec![(x - 8, yy), (x + BAR_W as i32, yy)],
                        BLACK.stroke_width(3),
                    ))
                    .map_err(canvas::err)?;
                    text::put(
                        root,
                        text::tick(v),
                        (x - 10, yy),
                        text::anchored(text::text(16), HPos::Right, VPos::Bottom),
                    )?;
                }
            }
            drawn = Some(s);
        }
        let ry = bar.y + bar.h as i32 + 100;
        let rh = (f.canvas.1 as i32 - ry - 130).clamp(200, 460) as u32;
        self.ruler(root, x + 60, ry, rh, self.channels)?;
        let ly = ry + rh as i32 + 80;
        colour::empty_key(root, (x, ly), "no channel in cell")?;
        Ok(drawn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_keeps_order_gap_and_bounds() {
        let p = spread(&[0.0, 1.0, 2.0, 50.0], 10.0, 0.0, 100.0);
        assert_eq!(p, vec![0.0, 10.0, 20.0, 50.0]);
        let p = spread(&[95.0, 99.0, 100.0], 10.0, 0.0, 100.0);
        assert_eq!(p, vec![80.0, 90.0, 100.0]);
    }
}
