//! Colour on every picture: the colour maps (one per quantity), the palette of categories,
//! the colour scale a bar labels, and the drawn colour bar.
//!
//! plotters has no colour bar, so [`colour_bar`] draws one: a gradient blitted once, its end
//! labels the data range exactly ([`ColourScale`] keeps the numbers a test compares with the
//! data), nice ticks between them where they do not crowd the ends.

use super::canvas::frame_rect;
use super::canvas::{blit, err};
use super::text::{anchored, nice_step, num, put, text};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// A colour map: colours at evenly spaced stops, interpolated linearly.
#[derive(Clone, Copy, Debug)]
pub struct Lut(pub &'static [(u8, u8, u8)]);

/// White to dark blue (ColorBrewer "Blues"): coverage, where most cells are empty or full.
pub const BLUES: Lut = Lut(&[
    (247, 251, 255),
    (198, 219, 239),
    (107, 174, 214),
    (33, 113, 181),
    (8, 48, 107),
]);
/// Viridis (matplotlib), sampled at 9 stops: density.
pub const VIRIDIS: Lut = Lut(&[
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
]);
/// Light yellow to dark red (ColorBrewer "YlOrRd"): depth, deeper is darker.
pub const DEPTH: Lut = Lut(&[
    (255, 237, 160),
    (254, 178, 76),
    (253, 141, 60),
    (240, 59, 32),
    (189, 0, 38),
    (110, 0, 30),
]);

/// Red through yellow to green (ColorBrewer "RdYlGn", 11 classes): a safety factor from 0 to
/// 10, one stop per unit, so 1 is red, 2 orange and 5 and more green.
pub const SAFETY: Lut = Lut(&[
    (165, 0, 38),
    (215, 48, 39),
    (244, 109, 67),
    (253, 174, 97),
    (254, 224, 139),
    (255, 255, 191),
    (217, 239, 139),
    (166, 217, 106),
    (102, 189, 99),
    (26, 152, 80),
    (0, 104, 55),
]);

/// The colour map of covered share, in every picture that shows it (coverage, compare).
pub const COVERAGE: Lut = BLUES;
/// The colour map of channel density.
pub const DENSITY: Lut = VIRIDIS;

/// The one palette of categories (designs, sweep lines, pass angles): Tableau 10, distinct on
/// white and for common colour-vision deficiencies.
pub const PALETTE: [[u8; 3]; 10] = [
    [31, 119, 180],
    [255, 127, 14],
    [44, 160, 44],
    [214, 39, 40],
    [148, 103, 189],
    [140, 86, 75],
    [227, 119, 194],
    [127, 127, 127],
    [188, 189, 34],
    [23, 190, 207],
];

/// Colour of category `i` (the palette repeats after ten).
pub fn category(i: usize) -> [u8; 3] {
    PALETTE[i % PALETTE.len()]
}

/// A colour map sampled at 1024 levels, for filling many pixels.
pub struct LutTable(Vec<[u8; 3]>);

impl LutTable {
    /// Colour at `t` in [0, 1] (clamped), to 1/1023.
    pub fn at(&self, t: f64) -> [u8; 3] {
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        self.0[(t * 1023.0).round() as usize]
    }
}

impl Lut {
    /// The map sampled at 1024 levels.
    pub fn table(&self) -> LutTable {
        LutTable((0..1024).map(|k| self.at(k as f64 / 1023.0)).collect())
    }

    /// Colour at `t` in [0, 1] (clamped; NaN gives the first stop).
    pub fn at(&self, t: f64) -> [u8; 3] {
        let s = self.0;
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        let f = t * (s.len() - 1) as f64;
        let i = (f.floor() as usize).min(s.len() - 2);
        let w = f - i as f64;
        let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * w).round() as u8;
        [
            mix(s[i].0, s[i + 1].0),
            mix(s[i].1, s[i + 1].1),
            mix(s[i].2, s[i + 1].2),
        ]
    }
}

/// Colour of "no data" cells (no channel, partial tiles).
pub const EMPTY: [u8; 3] = [225, 225, 225];

/// A colour as plotters takes it.
pub fn rgb(c: [u8; 3]) -> RGBColor {
    RGBColor(c[0], c[1], c[2])
}

/// Whether text over `c` should be white rather than black.
pub fn dark(c: [u8; 3]) -> bool {
    0.299 * f64::from(c[0]) + 0.587 * f64::from(c[1]) + 0.114 * f64::from(c[2]) < 128.0
}

/// The range a colour bar labels, and its labels: what a reader compares with the data.
#[derive(Clone, Debug, PartialEq)]
pub struct ColourScale {
    /// Value at the bottom end of the bar (the data minimum).
    pub lo: f64,
    /// Value at the top end of the bar (the data maximum).
    pub hi: f64,
    /// Decimals of the labels.
    pub decimals: usize,
    /// What and unit, written above the bar, e.g. "channels / cm²".
    pub unit: String,
    /// Every label drawn: value and text, ends included.
    pub labels: Vec<(f64, String)>,
    /// Where on the colour map a scale of one value sits, in [0, 1] (0.5 unless the quantity
    /// has a natural scale, like a share).
    pub flat_t: f64,
}

impl ColourScale {
    /// A scale over [lo, hi] (lo ≤ hi) with labels of `decimals` decimals.
    pub fn new(lo: f64, hi: f64, decimals: usize, unit: &str) -> ColourScale {
        // a span of rounding noise (a few ulps between needles that balance alike) is one value
        let noise = 1e-9 * lo.abs().max(hi.abs());
        let hi = if hi - lo <= noise { lo } else { hi };
        ColourScale {
            lo,
            hi,
            decimals,
            unit: unit.to_string(),
            labels: Vec::new(),
            flat_t: 0.5,
        }
    }

    /// Position of `v` on the scale in [0, 1]; 0.5 when the range is a single value.
    pub fn t(&self, v: f64) -> f64 {
        if self.hi > self.lo {
            ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
        } else {
            self.flat_t
        }
    }

    /// The label text of the bottom end.
    pub fn lo_label(&self) -> String {
        num(self.lo, self.decimals)
    }

    /// The label text of the top end.
    pub fn hi_label(&self) -> String {
        num(self.hi, self.decimals)
    }
}

/// The narrowest span a depth scale shows, mm: depths that differ by less (a needle's own
/// load, a µm of tolerance) are drawn on a bar this wide around them, so a spread the tables
/// round away does not look like a range from pale to dark.
pub const MIN_DEPTH_SPAN_MM: f64 = 0.01;

/// `lo`…`hi` widened about its middle to at least [`MIN_DEPTH_SPAN_MM`] (never below 0); a
/// single value stays one value.
///
/// # Examples
/// ```
/// use needlemap::output::plot::colour::depth_span;
/// assert_eq!(depth_span(0.6846, 0.6848), (0.6797, 0.6897));
/// assert_eq!(depth_span(0.5, 0.5), (0.5, 0.5));
/// assert_eq!(depth_span(0.2, 0.9), (0.2, 0.9));
/// ```
pub fn depth_span(lo: f64, hi: f64) -> (f64, f64) {
    let span = hi - lo;
    if span <= 0.0 || span >= MIN_DEPTH_SPAN_MM {
        return (lo, hi);
    }
    let lo2 = (0.5 * (lo + hi) - 0.5 * MIN_DEPTH_SPAN_MM).max(0.0);
    let round = |x: f64| (x * 1e9).round() / 1e9;
    (round(lo2), round(lo2 + MIN_DEPTH_SPAN_MM))
}

/// Where a colour bar goes and how tall it is.
#[derive(Clone, Copy, Debug)]
pub struct BarPlace {
    /// Left edge, px.
    pub x: i32,
    /// Top edge, px.
    pub y: i32,
    /// Height, px.
    pub h: u32,
}

/// Width of a colour bar, px.
pub const BAR_W: u32 = 36;

/// Picks the labels of a scale: both ends, then nice ticks between that keep `min_gap_px`
/// from every other label on a bar `h` px tall.
pub fn bar_labels(scale: &ColourScale, h: u32, min_gap_px: f64) -> Vec<(f64, String)> {
    let mut out = vec![(scale.lo, scale.lo_label())];
    if scale.hi <= scale.lo {
        return out;
    }
    out.push((scale.hi, scale.hi_label()));
    let span = scale.hi - scale.lo;
    let step = nice_step(span / 6.0);
    let px = |v: f64| (v - scale.lo) / span * h as f64;
    // ticks by index, not by adding steps: a step below lo's resolution cannot stall the loop
    let first = (scale.lo / step).ceil();
    for k in 0..64 {
        let v = (first + f64::from(k)) * step;
        if v >= scale.hi {
            break;
        }
        if out
            .iter()
            .all(|(u, _)| (px(*u) - px(v)).abs() >= min_gap_px)
        {
            out.push((v, num(v, scale.decimals)));
        }
    }
    out
}

/// Draws a vertical colour bar: gradient from `scale.lo` (bottom) to `scale.hi` (top), a
/// frame, tick marks and labels at right, the unit above. Returns the labels drawn. A scale
/// of one value draws one swatch with one label.
pub fn colour_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    place: BarPlace,
    scale: &ColourScale,
    lut: Lut,
) -> Result<Vec<(f64, String)>, String> {
    let BarPlace { x, y, h } = place;
    // one value: a short swatch, not a tall bar of one colour
    let h = if scale.hi > scale.lo { h } else { h.min(100) };
    // serial: drawing code never calls into rayon (see `render`)
    let grad: Vec<u8> = (0..h)
        .flat_map(|j| {
            let c = if scale.hi > scale.lo {
                lut.at(1.0 - (j as f64 + 0.5) / h as f64)
            } else {
                lut.at(scale.flat_t)
            };
            std::iter::repeat_n(c, BAR_W as usize).flatten()
        })
        .collect();
    blit(root, (x, y), BAR_W, h, &grad)?;
    frame_rect(root, (x, y, BAR_W, h), BLACK)?;
    put(
        root,
        scale.unit.clone(),
        (x, y - 16),
        anchored(text(20), HPos::Left, VPos::Bottom),
    )?;
    let labels = if scale.hi > scale.lo {
        bar_labels(scale, h, 40.0)
    } else {
        vec![(scale.lo, scale.lo_label())]
    };
    for (v, s) in &labels {
        let py = if scale.hi > scale.lo {
            y + h as i32 - ((v - scale.lo) / (scale.hi - scale.lo) * h as f64).round() as i32
        } else {
            y + h as i32 / 2
        };
        let xr = x + BAR_W as i32;
        root.draw(&PathElement::new(
            vec![(xr, py), (xr + 8, py)],
            BLACK.stroke_width(2),
        ))
        .map_err(err)?;
        put(
            root,
            s.clone(),
            (xr + 12, py),
            anchored(text(20), HPos::Left, VPos::Center),
        )?;
        if scale.hi <= scale.lo {
            put(
                root,
                "(every value)".to_string(),
                (xr + 12, py + 24),
                anchored(text(18), HPos::Left, VPos::Center),
            )?;
        }
    }
    Ok(labels)
}

/// Draws the legend key of "no data" cells ([`EMPTY`]): a swatch at `at` (px, its left
/// edge and vertical centre) and `label`.
pub fn empty_key<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    label: &str,
) -> Result<(), String> {
    let (x, y) = at;
    root.draw(&Rectangle::new(
        [(x, y - 10), (x + 20, y + 10)],
        rgb(EMPTY).filled(),
    ))
    .map_err(err)?;
    super::text::key(root, at, label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scale_of_rounding_noise_is_one_value_and_its_labels_end() {
        // depths 1.054 mm that differ in the last bits: one value, one label
        let lo = 1.053_652_f64;
        let s = ColourScale::new(lo, lo + 4.0 * f64::EPSILON, 3, "mm");
        assert_eq!(s.hi, s.lo);
        assert_eq!(bar_labels(&s, 400, 14.0).len(), 1);
        // a span far below a step of lo's resolution (it once stalled the loop) ends, with
        // both ends first and every tick between them
        let s = ColourScale {
            hi: lo + 1e-12,
            ..ColourScale::new(lo, lo, 3, "mm")
        };
        let labels = bar_labels(&s, 400, 14.0);
        assert_eq!((labels[0].0, labels[1].0), (s.lo, s.hi));
        assert!(labels[2..].iter().all(|(v, _)| *v > s.lo && *v < s.hi));
    }

    #[test]
    fn lut_ends_and_middle() {
        assert_eq!(BLUES.at(0.0), [247, 251, 255]);
        assert_eq!(BLUES.at(1.0), [8, 48, 107]);
        assert_eq!(BLUES.at(0.25), [198, 219, 239]);
        assert_eq!(VIRIDIS.at(-3.0), VIRIDIS.at(0.0));
        assert_eq!(VIRIDIS.at(f64::NAN), VIRIDIS.at(0.0));
    }

    #[test]
    fn bar_labels_keep_the_ends_and_their_distance() {
        let s = ColourScale::new(203.7, 268.3, 1, "x");
        let l = bar_labels(&s, 600, 30.0);
        assert_eq!(l[0], (203.7, "203.7".to_string()));
        assert_eq!(l[1], (268.3, "268.3".to_string()));
        assert!(l.len() > 3);
        for (i, a) in l.iter().enumerate() {
            for b in &l[i + 1..] {
                assert!(
                    (a.0 - b.0).abs() / 64.6 * 600.0 >= 30.0 - 1e-9,
                    "{a:?} {b:?}"
                );
            }
        }
    }
}
