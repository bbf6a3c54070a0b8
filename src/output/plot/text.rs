//! Text on every picture: the embedded font, text styles, number and tick formatting, the
//! title block and legend lines.
//!
//! Text comes from DejaVu Sans, compiled in through the `dejavu` crate and registered with
//! plotters' `ab_glyph` backend under the family name `sans-serif`, so PNGs need no system
//! font and are the same on every machine; SVG viewers read `sans-serif` as their own sans
//! font.

use super::canvas::{err, DResult};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::Once;

/// Font family every picture uses.
pub const FAMILY: &str = "sans-serif";

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
    crate::base::fmt::fmt_num(x, decimals)
}

/// A tick value without trailing zeros: 5 → "5", 2.5 → "2.5", 0.125 → "0.125".
pub fn tick(x: f64) -> String {
    crate::base::fmt::fmt_tick(x)
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

/// Decimals that show a range of `span` with about three significant figures.
pub fn decimals_for(span: f64, max: f64) -> usize {
    let s = if span > 0.0 {
        span
    } else {
        max.abs().max(1e-3)
    };
    ((2.0 - s.log10().floor()).max(0.0) as usize).min(4)
}

/// Draws the title block: a bold first line, then up to three lines of key figures.
pub fn title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    head: &str,
    lines: &[String],
) -> DResult {
    root.draw(&Text::new(head.to_string(), (24, 14), bold(30)))
        .map_err(err)?;
    // four lines close up to stay above a plot that starts at y = 150
    let step = if lines.len() > 3 { 24 } else { 26 };
    for (k, l) in lines.iter().enumerate() {
        root.draw(&Text::new(l.clone(), (24, 54 + step * k as i32), text(20)))
            .map_err(err)?;
    }
    Ok(())
}

/// `items` joined by `sep` after `head`, on as few lines of at most `max_px` (at `px`) as
/// they need, at most `max_lines` (the last one cut with an ellipsis if even that is not
/// enough); an item is never split.
pub fn pack(
    head: &str,
    items: &[String],
    sep: &str,
    px: u32,
    max_px: u32,
    max_lines: usize,
) -> Vec<String> {
    let mut lines = vec![head.to_string()];
    for (i, item) in items.iter().enumerate() {
        let n = lines.len();
        let last = &mut lines[n - 1];
        let joined = if i == 0 {
            format!("{last}{item}")
        } else {
            format!("{last}{sep}{item}")
        };
        if width(&joined, px) <= max_px || n == max_lines {
            *last = joined;
        } else {
            if i > 0 {
                last.push_str(sep.trim_end());
            }
            lines.push(item.clone());
        }
    }
    lines.into_iter().map(|l| fit(&l, px, max_px)).collect()
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

/// Draws the text `s` at `at` (px) in `style` (anchored or not).
pub fn put<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: impl Into<String>,
    at: (i32, i32),
    style: TextStyle<'static>,
) -> DResult {
    root.draw(&Text::new(s.into(), at, style)).map_err(err)
}

/// Draws the label of a legend key whose mark starts at `at` (px): 30 px to its right,
/// vertically centred, 20 px text.
pub fn key<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    label: &str,
) -> DResult {
    put(
        root,
        label,
        (at.0 + 30, at.1),
        anchored(text(20), HPos::Left, VPos::Center),
    )
}

/// Width of `s` set in text of `px` pixels, px (the embedded font's own metrics).
pub fn width(s: &str, px: u32) -> u32 {
    register_fonts();
    text(px)
        .font
        .box_size(s)
        .map_or(s.chars().count() as u32 * px * 3 / 5, |b| b.0)
}

/// `s` as one line of text of `px` pixels no wider than `max_px`: line breaks and tabs become
/// spaces, and a tail that does not fit gives way to "…".
///
/// # Examples
/// ```
/// use needlemap::output::plot::text::{fit, width};
/// let s = fit(&"a long description\nof a design ".repeat(20), 20, 300);
/// assert!(s.ends_with('…') && !s.contains('\n') && width(&s, 20) <= 300);
/// ```
pub fn fit(s: &str, px: u32, max_px: u32) -> String {
    let one: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if width(&one, px) <= max_px {
        return one;
    }
    let chars: Vec<char> = one.chars().collect();
    let cut = |n: usize| {
        let head: String = chars[..n].iter().collect();
        format!("{}…", head.trim_end())
    };
    // the longest head that fits with its ellipsis
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if width(&cut(mid), px) <= max_px {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    cut(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn fit_keeps_short_text_and_cuts_long_text_to_width() {
        assert_eq!(fit("short", 20, 500), "short");
        assert_eq!(fit("two\nlines", 20, 500), "two lines");
        let s = fit(&"word ".repeat(200), 20, 400);
        assert!(s.ends_with('…'), "{s}");
        assert!(width(&s, 20) <= 400);
        assert!(width(&s, 20) > 300, "cut no shorter than needed: {s}");
    }
}
