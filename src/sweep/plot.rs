//! The sweep picture: one metric against the first varied key, one line per value of the
//! second key, axes labelled with units, a legend. PNG and SVG from the same drawing code;
//! text in the embedded DejaVu Sans (registered with plotters' `ab_glyph` backend), so the
//! pictures need no system font and come out the same on every machine.
//!
//! With three or more keys the picture holds the third and later keys at their first listed
//! value, and says so under the title. Error rows and undefined metrics leave a gap in a line.

use super::{Row, Sweep};
use crate::report::table::metric_unit;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Line colours (Tableau 10): distinct on white and for common colour-vision deficiencies.
const COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Picture size, pixels.
pub const SIZE: (u32, u32) = (960, 640);

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
    /// Under the title: the keys held fixed, if any.
    pub note: Option<String>,
    /// X axis label, with unit.
    pub x_label: String,
    /// The x key takes whole numbers: ticks only at whole numbers.
    pub x_whole: bool,
    /// Y axis label, with unit.
    pub y_label: String,
    /// The lines.
    pub series: Vec<Series>,
}

/// Unit of a design key from its name's suffix, for axis labels.
pub fn key_unit(key: &str) -> &'static str {
    if key.ends_with("_mm_s") {
        "mm/s"
    } else if key.ends_with("_mm") || key.contains("area_mm.") {
        "mm"
    } else if key.ends_with("_deg") {
        "°"
    } else if key.ends_with("_um") {
        "µm"
    } else if key.ends_with("_hz") {
        "Hz"
    } else {
        ""
    }
}

fn with_unit(name: &str, unit: &str) -> String {
    if unit.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({unit})")
    }
}

/// The chart of `metric` over a sweep's rows (fractions shown in percent).
pub fn chart(sweep: &Sweep, rows: &[Row], metric: &str) -> Chart {
    let (unit, _) = metric_unit(metric);
    let scale = if unit == "%" { 100.0 } else { 1.0 };
    let fixed: Vec<String> = sweep
        .keys
        .iter()
        .skip(2)
        .map(|k| format!("{} = {}", k.name, k.show(0)))
        .collect();
    let shown = |r: &Row| {
        r.values
            .iter()
            .skip(2)
            .zip(sweep.keys.iter().skip(2))
            .all(|(v, k)| *v == k.values[0])
    };
    let y = |r: &Row| r.metric(metric).map(|v| v * scale);
    let x0 = &sweep.keys[0];
    let mut series = match sweep.keys.get(1) {
        None => vec![Series {
            label: metric.to_string(),
            points: rows.iter().map(|r| (r.values[0], y(r))).collect(),
        }],
        Some(k1) => (0..k1.values.len())
            .map(|j| Series {
                label: format!("{} = {}", k1.name, k1.show(j)),
                points: rows
                    .iter()
                    .filter(|r| shown(r) && r.values[1] == k1.values[j])
                    .map(|r| (r.values[0], y(r)))
                    .collect(),
            })
            .collect(),
    };
    for s in &mut series {
        s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    Chart {
        title: format!("{}: {} vs {}", sweep.name, metric, x0.name),
        note: (!fixed.is_empty()).then(|| format!("held at {}", fixed.join(", "))),
        x_label: with_unit(&x0.name, key_unit(&x0.name)),
        x_whole: x0.num == super::Num::Int,
        y_label: with_unit(metric, unit),
        series,
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &Chart) -> Result<(), String> {
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    root.fill(&WHITE).map_err(e)?;
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
    let (title_area, plot_area) = root.split_vertically(if c.note.is_some() { 64 } else { 44 });
    title_area
        .draw(&Text::new(
            c.title.clone(),
            (20, 12),
            ("sans-serif", 22).into_font().color(&BLACK),
        ))
        .map_err(e)?;
    if let Some(n) = &c.note {
        title_area
            .draw(&Text::new(
                n.clone(),
                (20, 40),
                ("sans-serif", 15).into_font().color(&RGBColor(80, 80, 80)),
            ))
            .map_err(e)?;
    }
    let mut ch = ChartBuilder::on(&plot_area)
        .margin(16)
        .x_label_area_size(52)
        .y_label_area_size(78)
        .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
        .map_err(e)?;
    let span = x_hi - x_lo;
    let x_ticks = if c.x_whole && span <= 20.0 {
        span.floor() as usize + 1
    } else {
        10
    };
    let whole = c.x_whole;
    let x_fmt = move |x: &f64| {
        if !whole {
            show_tick(*x)
        } else if (x - x.round()).abs() < 1e-9 {
            format!("{}", x.round())
        } else {
            String::new()
        }
    };
    ch.configure_mesh()
        .x_labels(x_ticks)
        .x_label_formatter(&x_fmt)
        .x_desc(c.x_label.clone())
        .y_desc(c.y_label.clone())
        .axis_desc_style(("sans-serif", 17))
        .label_style(("sans-serif", 14))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(e)?;
    for (i, s) in c.series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let style = ShapeStyle::from(colour).stroke_width(2);
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
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], style));
                first = false;
            }
            ch.draw_series(run.into_iter().map(|p| Circle::new(p, 4, style.filled())))
                .map_err(e)?;
        }
    }
    ch.configure_series_labels()
        .position(legend_corner(c, (x_lo, x_hi), (y_lo, y_hi)))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(160, 160, 160))
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(e)?;
    root.present().map_err(e)?;
    Ok(())
}

/// A tick label: up to 3 decimals, trailing zeros dropped.
fn show_tick(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
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

/// The chart as PNG bytes.
pub fn png(c: &Chart) -> Result<Vec<u8>, String> {
    crate::plot::style::register_fonts();
    let (w, h) = SIZE;
    let mut buf = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        draw(&root, c)?;
    }
    let mut out = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut out),
        &buf,
        w,
        h,
        image::ColorType::Rgb8,
    )
    .map_err(|e| e.to_string())?;
    Ok(out)
}

/// The chart as SVG text.
pub fn svg(c: &Chart) -> Result<String, String> {
    crate::plot::style::register_fonts();
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, SIZE).into_drawing_area();
        draw(&root, c)?;
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_from_key_names() {
        assert_eq!(key_unit("needle.length_mm"), "mm");
        assert_eq!(key_unit("roller.roll_speed_mm_s"), "mm/s");
        assert_eq!(key_unit("roller.layout.stagger_deg"), "°");
        assert_eq!(key_unit("roller.layout.rings"), "");
        assert_eq!(key_unit("treatment.area_mm.0"), "mm");
    }

    #[test]
    fn png_and_svg_are_drawn() {
        let c = Chart {
            title: "t".into(),
            note: Some("held".into()),
            x_label: "x (mm)".into(),
            x_whole: false,
            y_label: "y (%)".into(),
            series: vec![Series {
                label: "a = 1".into(),
                points: vec![(0.5, Some(1.0)), (1.0, None), (1.5, Some(3.0))],
            }],
        };
        let p = png(&c).unwrap();
        assert_eq!(&p[1..4], b"PNG");
        let img = image::load_from_memory(&p).unwrap();
        assert_eq!((img.width(), img.height()), SIZE);
        let s = svg(&c).unwrap();
        let doc = roxmltree::Document::parse(&s).unwrap();
        assert!(
            doc.descendants()
                .any(|n| n.text().map(str::trim) == Some("a = 1")),
            "legend label in the SVG"
        );
    }
}
