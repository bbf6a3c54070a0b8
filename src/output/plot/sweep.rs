//! The sweep picture: one metric against the first varied key, one line per value of the
//! second key, axes labelled with units, a legend, and under the title what the sweep holds
//! fixed: the seed, the raster pitch and any third or later key; a safety factor gets a dashed
//! line at its advisory threshold. A [`Figure`] like every other
//! picture, drawn and encoded by [`encode::render`], lines in the one palette.
//!
//! Error rows and undefined metrics leave a gap in a line.

use super::canvas::Root;
use super::colour;
use super::encode::Drawn;
use super::encode::{self, Figure};
use super::text;
use super::{Picture, PlotError};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Picture size, pixels.
pub const SIZE: (u32, u32) = (1440, 990);

/// One line of the picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend text (`key = value`), or the metric name for a one-key sweep.
    pub label: String,
    /// (x, y) in combination order; `None` for an error row or an undefined metric.
    pub points: Vec<(f64, Option<f64>)>,
}

/// What the picture shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Title.
    pub title: String,
    /// Under the title: seed and raster pitch of the analyses.
    pub subtitle: String,
    /// Under the subtitle: the keys held fixed, if any.
    pub note: Option<String>,
    /// X axis label, with unit.
    pub x_label: String,
    /// The x key takes whole numbers: ticks only at whole numbers.
    pub x_whole: bool,
    /// The x key takes words: tick `j` (at x = j) is labelled `x_words[j]` (empty: numbers).
    pub x_words: Vec<String>,
    /// Y axis label, with unit.
    pub y_label: String,
    /// The lines.
    pub series: Vec<Series>,
    /// A level to read the lines against, with its legend text (a safety factor's advisory
    /// threshold), drawn as a dashed black line.
    pub threshold: Option<(f64, String)>,
}

/// Renders the chart (the picture `sweep`).
///
/// # Examples
/// ```
/// use needlemap::output::plot::sweep::{render, Chart, Series, SIZE};
/// let c = Chart {
///     title: "s: coverage_fraction vs needle.length_mm".into(),
///     subtitle: "seed 1 · raster pitch 40 µm · base design mf8-192".into(),
///     note: None,
///     x_label: "needle.length_mm (mm)".into(),
///     x_whole: false,
///     x_words: Vec::new(),
///     y_label: "coverage_fraction (%)".into(),
///     series: vec![Series { label: "coverage_fraction".into(), points: vec![(1.0, Some(10.0)), (2.0, Some(30.0))] }],
///     threshold: None,
/// };
/// assert_eq!(render(&c).unwrap().size, SIZE);
/// ```
pub fn render(c: &Chart) -> Result<Picture, PlotError> {
    let (png, svg, scale) = encode::render(c, SIZE).map_err(Picture::draw_error("sweep"))?;
    Ok(Picture {
        name: "sweep",
        png,
        svg,
        size: SIZE,
        scale,
        plot: None,
    })
}

impl Figure for Chart {
    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>) -> Drawn {
        draw(root, self)?;
        Ok(None)
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &Chart) -> Result<(), String> {
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    let pts = c.series.iter().flat_map(|s| s.points.iter());
    let (mut x_lo, mut x_hi, mut y_hi) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
    let mut y_lo = 0.0f64;
    for (x, y) in pts {
        x_lo = x_lo.min(*x);
        x_hi = x_hi.max(*x);
        if let Some(y) = y {
            y_hi = y_hi.max(*y);
            y_lo = y_lo.min(*y);
        }
    }
    if !x_lo.is_finite() {
        (x_lo, x_hi) = (0.0, 1.0);
    }
    if let Some((t, _)) = &c.threshold {
        (y_lo, y_hi) = (y_lo.min(*t), y_hi.max(*t));
    }
    if x_hi - x_lo < 1e-12 {
        let pad = (x_lo.abs() * 0.1).max(0.5);
        (x_lo, x_hi) = (x_lo - pad, x_hi + pad);
    } else {
        let pad = (x_hi - x_lo) * 0.04;
        (x_lo, x_hi) = (x_lo - pad, x_hi + pad);
    }
    if y_hi - y_lo < 1e-12 {
        y_hi = y_lo + 1.0;
    } else {
        y_hi += (y_hi - y_lo) * 0.08;
    }
    let top = if c.note.is_some() { 128 } else { 96 };
    let (title_area, plot_area) = root.split_vertically(top);
    let wide = SIZE.0 - 40;
    title_area
        .draw(&Text::new(
            text::fit(&c.title, 34, wide),
            (24, 16),
            text::text(32),
        ))
        .map_err(e)?;
    let grey = RGBColor(80, 80, 80);
    let subs = std::iter::once(&c.subtitle).chain(c.note.as_ref());
    for (k, n) in subs.enumerate() {
        title_area
            .draw(&Text::new(
                text::fit(n, 22, wide),
                (24, 58 + 32 * k as i32),
                text::tinted(text::text(22), grey),
            ))
            .map_err(e)?;
    }
    let mut ch = ChartBuilder::on(&plot_area)
        .margin(24)
        .x_label_area_size(78)
        .y_label_area_size(116)
        .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
        .map_err(e)?;
    let span = x_hi - x_lo;
    let x_ticks = if c.x_whole && span <= 20.0 {
        span.floor() as usize + 1
    } else {
        10
    };
    let whole = c.x_whole;
    let words = &c.x_words;
    let x_fmt = move |x: &f64| {
        if !whole {
            text::tick(*x)
        } else if (x - x.round()).abs() < 1e-9 {
            match words.get(x.round() as usize) {
                Some(w) if x.round() >= 0.0 => w.clone(),
                _ if !words.is_empty() => String::new(),
                _ => format!("{}", x.round()),
            }
        } else {
            String::new()
        }
    };
    ch.configure_mesh()
        .x_labels(x_ticks)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&|y| text::tick(*y))
        .x_desc(c.x_label.clone())
        .y_desc(c.y_label.clone())
        .axis_desc_style(text::text(24))
        .label_style(text::text(20))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(e)?;
    for (i, s) in c.series.iter().enumerate() {
        let colour = colour::rgb(colour::category(i));
        let style = ShapeStyle::from(colour).stroke_width(3);
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (x, y) in &s.points {
            match y {
                Some(y) => runs.last_mut().expect("one run at least").push((*x, *y)),
                None => runs.push(Vec::new()),
            }
        }
        let mut first = true;
        for run in runs.into_iter().filter(|r| !r.is_empty()) {
            let line = ch
                .draw_series(LineSeries::new(run.clone(), style))
                .map_err(e)?;
            if first {
                line.label(s.label.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x - 6, y), (x + 16, y)], style));
                first = false;
            }
            ch.draw_series(run.into_iter().map(|p| Circle::new(p, 6, style.filled())))
                .map_err(e)?;
        }
    }
    if let Some((t, label)) = &c.threshold {
        let black = ShapeStyle::from(BLACK).stroke_width(2);
        let dashes = DashedLineSeries::new(vec![(x_lo, *t), (x_hi, *t)], 10, 6, black);
        ch.draw_series(dashes)
            .map_err(e)?
            .label(label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], black));
    }
    ch.configure_series_labels()
        .position(legend_corner(c, (x_lo, x_hi), (y_lo, y_hi)))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(160, 160, 160))
        .label_font(text::text(20))
        .draw()
        .map_err(e)?;
    Ok(())
}

/// The corner of the plot whose box (40 % wide, 35 % high) holds the fewest data points, for
/// the legend (ties: upper left, upper right, lower right, lower left).
fn legend_corner(c: &Chart, x: (f64, f64), y: (f64, f64)) -> SeriesLabelPosition {
    let count = |left: bool, upper: bool| {
        c.series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter_map(|(px, py)| {
                py.map(|py| ((px - x.0) / (x.1 - x.0), (py - y.0) / (y.1 - y.0)))
            })
            .filter(|(u, v)| {
                (if left { *u < 0.4 } else { *u > 0.6 })
                    && (if upper { *v > 0.65 } else { *v < 0.35 })
            })
            .count()
    };
    let corners = [
        (SeriesLabelPosition::UpperLeft, count(true, true)),
        (SeriesLabelPosition::UpperRight, count(false, true)),
        (SeriesLabelPosition::LowerRight, count(false, false)),
        (SeriesLabelPosition::LowerLeft, count(true, false)),
    ];
    let best = corners.iter().map(|c| c.1).min().unwrap_or(0);
    corners
        .into_iter()
        .find(|c| c.1 == best)
        .map_or(SeriesLabelPosition::UpperLeft, |c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_and_svg_are_drawn() {
        let c = Chart {
            title: "t".into(),
            subtitle: "seed 7 · raster pitch 40 µm".into(),
            note: Some("held".into()),
            x_label: "x (mm)".into(),
            x_whole: false,
            x_words: Vec::new(),
            y_label: "y (%)".into(),
            series: vec![Series {
                label: "a = 1".into(),
                points: vec![(0.5, Some(1.0)), (1.0, None), (1.5, Some(3.0))],
            }],
            threshold: Some((2.0, "advisory below 2".into())),
        };
        let p = render(&c).unwrap();
        assert_eq!(&p.png[1..4], b"PNG");
        let img = image::load_from_memory(&p.png).unwrap();
        assert_eq!((img.width(), img.height()), SIZE);
        let doc = roxmltree::Document::parse(std::str::from_utf8(&p.svg).unwrap()).unwrap();
        let has = |s: &str| {
            doc.descendants()
                .any(|n| n.text().map(str::trim) == Some(s))
        };
        assert!(has("a = 1"), "legend label in the SVG");
        assert!(has("advisory below 2"), "threshold in the legend");
        assert!(has("seed 7 · raster pitch 40 µm"), "subtitle in the SVG");
    }
}
