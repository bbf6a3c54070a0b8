//! What every picture shares: the embedded font, colour maps, number formatting, the
//! title block, the region frame drawn at equal x/y scale, and the drawn colour bar.
//!
//! plotters has no colour bar, so [`colour_bar`] draws one: a gradient blitted once, its end
//! labels the data range exactly ([`ColourScale`] keeps the numbers a test compares with the
//! data), nice ticks between them where they do not crowd the ends. Text comes from DejaVu
//! Sans, compiled in through the `dejavu` crate and registered with plotters' `ab_glyph`
//! backend under the family name `sans-serif`, so PNGs need no system font and are the same
//! on every machine; SVG viewers read `sans-serif` as their own sans font.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::Once;

/// Font family every picture uses.
pub const FAMILY: &str = "sans-serif";
/// Canvas width of the region pictures, px.
pub const CANVAS_W: u32 = 1440;
/// Longest side of a region's plot, px.
pub const PLOT_MAX: u32 = 1000;
/// Left edge of a region's plot, px (room for the y tick labels and axis name).
pub const PLOT_LEFT: i32 = 120;
/// Top edge of a region's plot, px (room for the title block).
pub const PLOT_TOP: i32 = 150;
/// Height of the x tick label area, px.
pub const X_LABEL_H: u32 = 80;
/// Width of the y tick label area, px.
pub const Y_LABEL_W: u32 = 100;

/// A drawing failure, as text (plotters' errors are generic over the backend).
pub type DResult = Result<(), String>;

/// Maps any displayable error to the text of [`DResult`].
pub fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

static FONTS: Once = Once::new();

/// Registers DejaVu Sans (regular and bold) with plotters, once per process.
pub fn register_fonts() {
    FONTS.call_once(|| {
        // The bytes are a valid TrueType font compiled into the binary; failure would be a
        // build defect, and is then reported by the first text drawn (font unavailable).
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// Text style of `px` pixels, black.
pub fn text(px: u32) -> TextStyle<'static> {
    (FAMILY, px as f64).into_font().color(&BLACK)
}

/// Bold text style of `px` pixels, black.
pub fn bold(px: u32) -> TextStyle<'static> {
    (FAMILY, px as f64, FontStyle::Bold)
        .into_font()
        .color(&BLACK)
}

/// A text style in colour `c`.
pub fn tinted(mut s: TextStyle<'static>, c: RGBColor) -> TextStyle<'static> {
    s.color = c.to_backend_color();
    s
}

/// Anchors a text style.
pub fn anchored(s: TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    s.pos(Pos::new(h, v))
}

/// A number with fixed decimals, −0 written as 0.
pub fn num(x: f64, decimals: usize) -> String {
    crate::report::fmt_num(x, decimals)
}

/// A tick value without trailing zeros: 5 → "5", 2.5 → "2.5", 0.125 → "0.125".
pub fn tick(x: f64) -> String {
    let s = num(x, 4);
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// The "nice" step (1, 2, 2.5 or 5 × 10ᵏ) nearest above `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if raw.is_nan() || raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * mag >= raw * (1.0 - 1e-9) {
            return m * mag;
        }
    }
    10.0 * mag
}

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

/// Decimals that show a range of `span` with about three significant figures.
pub fn decimals_for(span: f64, max: f64) -> usize {
    let s = if span > 0.0 {
        span
    } else {
        max.abs().max(1e-3)
    };
    ((2.0 - s.log10().floor()).max(0.0) as usize).min(4)
}

/// Pixel rectangle: left, top, width, height.
pub type Rect = (i32, i32, u32, u32);

/// Where a region picture puts its plot: equal x/y scale, the longer side [`PLOT_MAX`] px.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RegionFrame {
    /// The plot (the region) in canvas pixels.
    pub plot: Rect,
    /// Canvas size, px.
    pub canvas: (u32, u32),
    /// Region covered by the plot, mm: x0, y0, x1, y1.
    pub window_mm: [f64; 4],
}

impl RegionFrame {
    /// The frame for the window [x0, x1] × [y0, y1] mm.
    pub fn new(window_mm: [f64; 4]) -> RegionFrame {
        let (w, h) = (window_mm[2] - window_mm[0], window_mm[3] - window_mm[1]);
        let (pw, ph) = if w >= h {
            (
                PLOT_MAX,
                ((PLOT_MAX as f64) * h / w).round().max(1.0) as u32,
            )
        } else {
            (
                ((PLOT_MAX as f64) * w / h).round().max(1.0) as u32,
                PLOT_MAX,
            )
        };
        // room for the plot and its x axis, and for the colour bar and legends at its right
        let height = PLOT_TOP as u32 + (ph + X_LABEL_H).max(840) + 30;
        RegionFrame {
            plot: (PLOT_LEFT, PLOT_TOP, pw, ph),
            canvas: (CANVAS_W, height),
            window_mm,
        }
    }

    /// Pixels per mm (the same along x and y).
    pub fn px_per_mm(&self) -> f64 {
        self.plot.2 as f64 / (self.window_mm[2] - self.window_mm[0])
    }

    /// Left edge of the colour bar, px.
    pub fn bar_left(&self) -> i32 {
        self.plot.0 + self.plot.2 as i32 + 50
    }

    /// The point (x, y) mm of the window at the centre of picture pixel (i, j), row 0 at top.
    pub fn mm_at(&self, i: u32, j: u32) -> (f64, f64) {
        let [x0, y0, x1, y1] = self.window_mm;
        let x = x0 + (i as f64 + 0.5) / self.plot.2 as f64 * (x1 - x0);
        let y = y1 - (j as f64 + 0.5) / self.plot.3 as f64 * (y1 - y0);
        (x, y)
    }

    /// Canvas pixel of the point (x, y) mm.
    pub fn px(&self, x: f64, y: f64) -> (i32, i32) {
        let [x0, _, _, y1] = self.window_mm;
        let s = self.px_per_mm();
        (
            self.plot.0 + ((x - x0) * s).round() as i32,
            self.plot.1 + ((y1 - y) * s).round() as i32,
        )
    }
}

/// Draws the title block: a bold first line, then up to three lines of key figures.
pub fn title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    head: &str,
    lines: &[String],
) -> DResult {
    root.draw(&Text::new(head.to_string(), (24, 14), bold(30)))
        .map_err(err)?;
    for (k, l) in lines.iter().enumerate() {
        root.draw(&Text::new(l.clone(), (24, 54 + 26 * k as i32), text(20)))
            .map_err(err)?;
    }
    Ok(())
}

/// The base every region picture shares: the title block, the mm axes of `frame`, the
/// heatmap raster `buf` blitted into the plot area, and a black frame around it.
pub fn region_base<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &RegionFrame,
    head: &str,
    lines: &[String],
    buf: &[u8],
) -> DResult {
    let (px0, py0, pw, ph) = frame.plot;
    title(root, head, lines)?;
    region_axes(root, frame, "x (mm)", "y (mm)")?;
    blit(root, (px0, py0), pw, ph, buf)?;
    frame_rect(root, frame.plot, BLACK)
}

/// Draws the axes of `frame` in mm (ticks, numbers, axis names) and returns nothing; the plot
/// area itself is then filled by the caller. `n` is about how many ticks each axis gets.
pub fn region_axes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &RegionFrame,
    x_name: &str,
    y_name: &str,
) -> DResult {
    let (px, py, pw, ph) = frame.plot;
    let area = root.clone().shrink(
        (px - Y_LABEL_W as i32, py),
        (pw + Y_LABEL_W, ph + X_LABEL_H),
    );
    let [x0, y0, x1, y1] = frame.window_mm;
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(X_LABEL_H)
        .y_label_area_size(Y_LABEL_W)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let nx = ((pw as f64) / 110.0).round().max(2.0) as usize;
    let ny = ((ph as f64) / 90.0).round().max(2.0) as usize;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(nx)
        .y_labels(ny)
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .label_style(text(20))
        .axis_desc_style(text(22))
        .x_desc(x_name)
        .y_desc(y_name)
        .draw()
        .map_err(err)?;
    Ok(())
}

/// Blits an RGB buffer of `w × h` pixels at canvas pixel (x, y). In the SVG pass of
/// [`render`] the raster becomes one `<image>` (see [`svg_image`]); elsewhere it is copied.
pub fn blit<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    w: u32,
    h: u32,
    rgb_buf: &[u8],
) -> DResult {
    if rgb_buf.len() < (w * h * 3) as usize {
        return Err(format!(
            "image buffer of {} bytes is too small for {w} × {h} px",
            rgb_buf.len()
        ));
    }
    let spliced = SVG_IMAGES.with(|cell| {
        cell.borrow_mut().as_mut().map(|v| {
            v.push(svg_image(at, w, h, rgb_buf));
        })
    });
    if spliced.is_some() {
        // a one-pixel placeholder the SVG pass replaces by the image, keeping its place in
        // the drawing order
        return root
            .draw(&Rectangle::new(
                [at, (at.0 + 1, at.1 + 1)],
                PLACEHOLDER.filled(),
            ))
            .map_err(err);
    }
    let el: BitMapElement<(i32, i32)> =
        BitMapElement::with_ref(at, (w, h), rgb_buf).ok_or("image buffer too small")?;
    root.draw(&el).map_err(err)
}

/// Colour of the SVG image placeholders (never used in a picture).
const PLACEHOLDER: RGBColor = RGBColor(1, 2, 3);

/// Largest base64 payload of one embedded image; larger rasters are halved until they fit.
pub const SVG_IMAGE_MAX: usize = 1_200_000;

thread_local! {
    /// Images of the SVG being drawn on this thread, in drawing order (None: not in an SVG pass).
    static SVG_IMAGES: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// PNG bytes of an RGB raster.
pub fn png_bytes(w: u32, h: u32, rgb_buf: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let enc = image::codecs::png::PngEncoder::new(&mut out);
    image::ImageEncoder::write_image(enc, rgb_buf, w, h, image::ColorType::Rgb8).map_err(err)?;
    Ok(out)
}

/// Halves a raster (2 × 2 box average; an odd last row or column is averaged alone).
pub fn halve(w: u32, h: u32, buf: &[u8]) -> (u32, u32, Vec<u8>) {
    let (w2, h2) = (w.div_ceil(2), h.div_ceil(2));
    let mut out = vec![0u8; (w2 * h2 * 3) as usize];
    for j in 0..h2 {
        for i in 0..w2 {
            for k in 0..3 {
                let (mut sum, mut n) = (0u32, 0u32);
                for (di, dj) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let (x, y) = (2 * i + di, 2 * j + dj);
                    if x < w && y < h {
                        sum += buf[((y * w + x) * 3 + k) as usize] as u32;
                        n += 1;
                    }
                }
                out[((j * w2 + i) * 3 + k) as usize] = ((sum + n / 2) / n) as u8;
            }
        }
    }
    (w2, h2, out)
}

/// An SVG `<image>` showing the raster at (x, y) over `w × h` user units, as a base64 PNG
/// (`image/png`). Rasters whose encoding would pass [`SVG_IMAGE_MAX`] are halved until they
/// fit and stretched back with crisp pixels, so an SVG stays small whatever the region.
pub fn svg_image(at: (i32, i32), w: u32, h: u32, buf: &[u8]) -> String {
    let (mut rw, mut rh, mut data) = (w, h, buf.to_vec());
    let mut png = png_bytes(rw, rh, &data).unwrap_or_default();
    while png.len() * 4 / 3 > SVG_IMAGE_MAX && rw > 16 && rh > 16 {
        (rw, rh, data) = halve(rw, rh, &data);
        png = png_bytes(rw, rh, &data).unwrap_or_default();
    }
    format!(
        r#"<image x="{}" y="{}" width="{w}" height="{h}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,{}"/>"#,
        at.0,
        at.1,
        base64(&png)
    )
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                s.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// Replaces the placeholders of an SVG, in order, by `images`.
fn splice(svg: &str, images: &[String]) -> Result<String, String> {
    let marker = r##"fill="#010203""##;
    let mut out = String::with_capacity(svg.len() + images.iter().map(String::len).sum::<usize>());
    let mut rest = svg;
    for img in images {
        let at = rest.find(marker).ok_or("SVG image placeholder missing")?;
        let start = rest[..at]
            .rfind("<rect")
            .ok_or("SVG image placeholder malformed")?;
        let end = at
            + rest[at..]
                .find("/>")
                .ok_or("SVG image placeholder malformed")?
            + 2;
        out.push_str(&rest[..start]);
        out.push_str(img);
        rest = &rest[end..];
    }
    if rest.contains(marker) {
        return Err("SVG holds more placeholders than images".into());
    }
    out.push_str(rest);
    Ok(out)
}

/// Draws a 1-px frame around a pixel rectangle.
pub fn frame_rect<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: Rect,
    colour: RGBColor,
) -> DResult {
    let (x, y, w, h) = r;
    root.draw(&Rectangle::new(
        [(x - 1, y - 1), (x + w as i32, y + h as i32)],
        colour.stroke_width(1),
    ))
    .map_err(err)
}

/// Fills an RGB buffer of `w × h` pixels row by row in parallel; `f(i, j)` gives pixel (i, j),
/// row 0 at the top.
pub fn fill_rgb<F>(w: u32, h: u32, f: F) -> Vec<u8>
where
    F: Fn(u32, u32) -> [u8; 3] + Sync,
{
    fill_rows(w, h, |j, row| {
        for (i, px) in row.chunks_mut(3).enumerate() {
            px.copy_from_slice(&f(i as u32, j));
        }
    })
}

/// Fills an RGB buffer of `w × h` pixels in parallel over rows; `f(j, row)` fills row j (row
/// 0 at the top), `3·w` bytes.
pub fn fill_rows<F>(w: u32, h: u32, f: F) -> Vec<u8>
where
    F: Fn(u32, &mut [u8]) + Sync,
{
    use rayon::prelude::*;
    let mut buf = vec![0u8; (w * h * 3) as usize];
    buf.par_chunks_mut((w * 3) as usize)
        .enumerate()
        .for_each(|(j, row)| f(j as u32, row));
    buf
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
    let mut v = (scale.lo / step).ceil() * step;
    while v < scale.hi {
        if out
            .iter()
            .all(|(u, _)| (px(*u) - px(v)).abs() >= min_gap_px)
        {
            out.push((v, num(v, scale.decimals)));
        }
        v += step;
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
    root.draw(&Text::new(
        scale.unit.clone(),
        (x, y - 16),
        anchored(text(20), HPos::Left, VPos::Bottom),
    ))
    .map_err(err)?;
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
        root.draw(&Text::new(
            s.clone(),
            (xr + 12, py),
            anchored(text(20), HPos::Left, VPos::Center),
        ))
        .map_err(err)?;
        if scale.hi <= scale.lo {
            root.draw(&Text::new(
                "(every value)".to_string(),
                (xr + 12, py + 24),
                anchored(text(18), HPos::Left, VPos::Center),
            ))
            .map_err(err)?;
        }
    }
    Ok(labels)
}

/// Writes lines of legend text from (x, y) downwards, `px` pixels high; returns the y below.
pub fn legend_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: i32,
    y: i32,
    px: u32,
    lines: &[String],
) -> Result<i32, String> {
    let mut yy = y;
    for l in lines {
        root.draw(&Text::new(l.clone(), (x, yy), text(px)))
            .map_err(err)?;
        yy += px as i32 + 8;
    }
    Ok(yy)
}

/// PNG bytes, SVG bytes and the colour scale a figure labelled.
pub type Rendered = (Vec<u8>, Vec<u8>, Option<ColourScale>);

/// A picture ready to draw: its data prepared once, drawn on any backend.
pub trait Figure: Sync {
    /// Canvas size, px.
    fn size(&self) -> (u32, u32);
    /// Draws the picture; returns the colour scale it labelled, if any.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<Option<ColourScale>, String>;
}

/// Renders a figure to PNG bytes (drawn into an RGB buffer, encoded once) and SVG text (a
/// blitted raster becomes one embedded PNG image); returns both and the labelled scale.
pub fn render<F: Figure>(fig: &F) -> Result<Rendered, String> {
    register_fonts();
    let size = fig.size();
    let mut buf = vec![255u8; (size.0 * size.1 * 3) as usize];
    let scale = {
        let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let s = fig.draw(&root)?;
        root.present().map_err(err)?;
        s
    };
    let png = png_bytes(size.0, size.1, &buf)?;
    let mut svg = String::new();
    // the drawing below must not call into rayon: the images are collected per thread
    SVG_IMAGES.with(|c| *c.borrow_mut() = Some(Vec::new()));
    let drawn = (|| {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        fig.draw(&root)?;
        root.present().map_err(err)
    })();
    let images = SVG_IMAGES
        .with(|c| c.borrow_mut().take())
        .unwrap_or_default();
    drawn?;
    let svg = splice(&svg, &images)?;
    Ok((png, svg.into_bytes(), scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lut_ends_and_middle() {
        assert_eq!(BLUES.at(0.0), [247, 251, 255]);
        assert_eq!(BLUES.at(1.0), [8, 48, 107]);
        assert_eq!(BLUES.at(0.25), [198, 219, 239]);
        assert_eq!(VIRIDIS.at(-3.0), VIRIDIS.at(0.0));
        assert_eq!(VIRIDIS.at(f64::NAN), VIRIDIS.at(0.0));
    }

    #[test]
    fn nice_steps_and_ticks() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(2.2), 2.5);
        assert_eq!(nice_step(0.011), 0.02);
        assert_eq!(tick(5.0), "5");
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(-0.0), "0");
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

    #[test]
    fn base64_matches_the_standard_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn halving_averages_blocks() {
        let buf = [
            0, 0, 0, 255, 255, 255, 100, 100, 100, 0, 0, 0, 9, 9, 9, 7, 7, 7,
        ];
        let (w, h, out) = halve(3, 2, &buf);
        assert_eq!((w, h), (2, 1));
        // (0 + 255 + 0 + 9) / 4 = 66; (100 + 7) / 2 = 53.5, rounded half up
        assert_eq!(out, vec![66, 66, 66, 54, 54, 54]);
    }

    #[test]
    fn svg_images_are_spliced_in_order() {
        let svg = r##"<svg><rect x="1" y="1" width="1" height="1" opacity="1" fill="#010203" stroke="none"/><text>a</text><rect x="2" y="2" width="1" height="1" opacity="1" fill="#010203" stroke="none"/></svg>"##;
        let s = splice(
            svg,
            &["<image id=\"a\"/>".into(), "<image id=\"b\"/>".into()],
        )
        .unwrap();
        assert_eq!(
            s,
            r#"<svg><image id="a"/><text>a</text><image id="b"/></svg>"#
        );
        assert!(splice(svg, &["<image/>".into()]).is_err());
    }

    #[test]
    fn axes_leave_the_plot_where_the_frame_says() {
        register_fonts();
        let f = RegionFrame::new([0.0, 0.0, 40.0, 25.0]);
        let mut buf = vec![0u8; (f.canvas.0 * f.canvas.1 * 3) as usize];
        let root = BitMapBackend::with_buffer(&mut buf, f.canvas).into_drawing_area();
        let (px, py, pw, ph) = f.plot;
        let area = root.clone().shrink(
            (px - Y_LABEL_W as i32, py),
            (pw + Y_LABEL_W, ph + X_LABEL_H),
        );
        let chart = ChartBuilder::on(&area)
            .x_label_area_size(X_LABEL_H)
            .y_label_area_size(Y_LABEL_W)
            .build_cartesian_2d(0.0..40.0, 0.0..25.0)
            .unwrap();
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        assert_eq!((xr.start, yr.start), (px, py));
        assert_eq!(
            ((xr.end - xr.start) as u32, (yr.end - yr.start) as u32),
            (pw, ph)
        );
    }

    #[test]
    fn frame_is_equal_scale() {
        let f = RegionFrame::new([0.0, 0.0, 80.0, 20.0]);
        assert_eq!((f.plot.2, f.plot.3), (1000, 250));
        let f = RegionFrame::new([0.0, 0.0, 10.0, 40.0]);
        assert_eq!((f.plot.2, f.plot.3), (250, 1000));
        assert!(f.canvas.0 >= 1200);
        let (x, y) = f.mm_at(0, 0);
        assert!((x - 0.02).abs() < 1e-12 && (y - 39.98).abs() < 1e-12);
    }
}
