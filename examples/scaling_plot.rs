//! Draws the scaling picture of the README's "Performance" section (docs/img/scaling.png)
//! from the CSV that `benches/scaling.sh` writes, through the crate's own picture pipeline
//! (`plot::encode::render`, the crate's font and palette).
//!
//! Left: wall time and CPU time of whole `needlemap analyze` runs against the region's area,
//! with the straight line through the origin fitted to the CPU times without pictures (least
//! squares), so that linear growth shows as points on the line. Right: peak RSS against the
//! area, with the 1 GiB bound.
//!
//! Usage: `cargo run --release --example scaling_plot -- SCALING.csv OUT.png [SUBTITLE]`
//!
//! The CSV has a header and the columns `side_mm, area_cm2, pixels, channels, plots, runs,
//! wall_s, cpu_s, rss_mib` (`plots` 0 or 1; times are medians over `runs`).

use needlemap::output::plot::canvas::Root;
use needlemap::output::plot::encode::{self, Drawn, Figure};
use needlemap::output::plot::{colour, text};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::process::ExitCode;

/// One row of the CSV.
#[derive(Clone, Debug)]
struct Row {
    side_mm: f64,
    area_cm2: f64,
    pixels: f64,
    plots: bool,
    wall_s: f64,
    cpu_s: f64,
    rss_mib: f64,
}

struct Scaling {
    rows: Vec<Row>,
    subtitle: String,
}

/// A drawn line: legend text, points (area, value), palette index.
type Line<'a> = (&'a str, Vec<(f64, f64)>, usize);

const SIZE: (u32, u32) = (1280, 600);
const GIB_MIB: f64 = 1024.0;

fn read(path: &str) -> Result<Vec<Row>, String> {
    let mut r = csv::Reader::from_path(path).map_err(|e| format!("{path}: {e}"))?;
    let head = r.headers().map_err(|e| format!("{path}: {e}"))?.clone();
    let col = |name: &str| {
        head.iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{path}: no column `{name}` in the header"))
    };
    let c = [
        col("side_mm")?,
        col("area_cm2")?,
        col("pixels")?,
        col("plots")?,
        col("wall_s")?,
        col("cpu_s")?,
        col("rss_mib")?,
    ];
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| format!("{path}: {e}"))?;
        let f = |k: usize| -> Result<f64, String> {
            rec.get(c[k])
                .and_then(|s| s.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    format!(
                        "{path}, line {}: `{}` is not a number",
                        i + 2,
                        rec.get(c[k]).unwrap_or("")
                    )
                })
        };
        rows.push(Row {
            side_mm: f(0)?,
            area_cm2: f(1)?,
            pixels: f(2)?,
            plots: f(3)? != 0.0,
            wall_s: f(4)?,
            cpu_s: f(5)?,
            rss_mib: f(6)?,
        });
    }
    if rows.is_empty() {
        return Err(format!("{path}: no rows"));
    }
    Ok(rows)
}

/// One panel's chart: region area (cm²) across, `y_desc` up, the house tick labels.
fn axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x_hi: f64,
    y_hi: f64,
    y_desc: &str,
) -> Result<
    ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    String,
> {
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    let mut ch = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(52)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..x_hi, 0.0..y_hi)
        .map_err(e)?;
    ch.configure_mesh()
        .x_desc("region area (cm²)")
        .y_desc(y_desc)
        .x_label_formatter(&|x| text::tick(*x))
        .y_label_formatter(&|y| text::tick(*y))
        .axis_desc_style(text::text(17))
        .label_style(text::text(14))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(e)?;
    Ok(ch)
}

/// Least-squares slope of y = k·x through the origin.
fn slope(pts: &[(f64, f64)]) -> f64 {
    let sxy: f64 = pts.iter().map(|(x, y)| x * y).sum();
    let sxx: f64 = pts.iter().map(|(x, _)| x * x).sum();
    if sxx > 0.0 {
        sxy / sxx
    } else {
        0.0
    }
}

impl Figure for Scaling {
    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>) -> Drawn {
        let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
        let (head, body) = root.split_vertically(78);
        head.draw(&Text::new(
            "needlemap analyze at scale: 540-needle body roller, 15 passes, 10 µm raster",
            (20, 12),
            text::bold(22),
        ))
        .map_err(e)?;
        head.draw(&Text::new(
            text::fit(&self.subtitle, 15, SIZE.0 - 40),
            (20, 44),
            text::tinted(text::text(15), RGBColor(80, 80, 80)),
        ))
        .map_err(e)?;
        let (left, right) = body.split_horizontally(SIZE.0 * 3 / 5);
        let x_hi = self.rows.iter().map(|r| r.area_cm2).fold(0.0, f64::max) * 1.08;
        let series = |plots: bool, f: fn(&Row) -> f64| -> Vec<(f64, f64)> {
            let mut v: Vec<(f64, f64)> = self
                .rows
                .iter()
                .filter(|r| r.plots == plots)
                .map(|r| (r.area_cm2, f(r)))
                .collect();
            v.sort_by(|a, b| a.0.total_cmp(&b.0));
            v
        };
        let cpu = series(false, |r| r.cpu_s);
        let k = slope(&cpu);
        let lines: [Line; 3] = [
            ("wall time, no pictures", series(false, |r| r.wall_s), 0),
            ("CPU time (user + sys), no pictures", cpu.clone(), 1),
            ("wall time, with pictures", series(true, |r| r.wall_s), 2),
        ];
        let t_hi = self
            .rows
            .iter()
            .map(|r| r.wall_s.max(r.cpu_s))
            .fold(k * x_hi, f64::max)
            * 1.1;
        let mut ch = axes(&left, x_hi, t_hi, "time (s)")?;
        let grey = RGBColor(120, 120, 120);
        ch.draw_series(DashedLineSeries::new(
            vec![(0.0, 0.0), (x_hi, k * x_hi)],
            8,
            6,
            grey.stroke_width(2),
        ))
        .map_err(e)?
        .label(format!(
            "∝ area: {} s per 100 cm² (fit to CPU time)",
            text::num(100.0 * k, 2)
        ))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], grey.stroke_width(2)));
        for (label, pts, c) in lines.iter().filter(|l| !l.1.is_empty()) {
            let style = ShapeStyle::from(colour::rgb(colour::category(*c))).stroke_width(2);
            ch.draw_series(LineSeries::new(pts.clone(), style))
                .map_err(e)?
                .label(*label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], style));
            ch.draw_series(pts.iter().map(|p| Circle::new(*p, 5, style.filled())))
                .map_err(e)?;
        }
        for r in self.rows.iter().filter(|r| !r.plots) {
            ch.draw_series(std::iter::once(Text::new(
                format!("{:.0} mm", r.side_mm),
                (r.area_cm2, r.cpu_s),
                text::anchored(
                    text::text(13),
                    plotters::style::text_anchor::HPos::Left,
                    plotters::style::text_anchor::VPos::Top,
                ),
            )))
            .map_err(e)?;
        }
        ch.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(160, 160, 160))
            .label_font(text::text(14))
            .draw()
            .map_err(e)?;

        let m_hi = self.rows.iter().map(|r| r.rss_mib).fold(GIB_MIB, f64::max) * 1.12;
        let mut ch = axes(&right, x_hi, m_hi, "peak RSS (MiB)")?;
        let red = RGBColor(200, 30, 30);
        ch.draw_series(DashedLineSeries::new(
            vec![(0.0, GIB_MIB), (x_hi, GIB_MIB)],
            8,
            6,
            red.stroke_width(2),
        ))
        .map_err(e)?
        .label("bound: 1 GiB")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], red.stroke_width(2)));
        for (label, plots, c) in [("no pictures", false, 0), ("with pictures", true, 2)] {
            let pts = series(plots, |r| r.rss_mib);
            if pts.is_empty() {
                continue;
            }
            let style = ShapeStyle::from(colour::rgb(colour::category(c))).stroke_width(2);
            ch.draw_series(LineSeries::new(pts.clone(), style))
                .map_err(e)?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], style));
            ch.draw_series(pts.iter().map(|p| Circle::new(*p, 5, style.filled())))
                .map_err(e)?;
        }
        ch.configure_series_labels()
            .position(SeriesLabelPosition::MiddleLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(160, 160, 160))
            .label_font(text::text(14))
            .draw()
            .map_err(e)?;
        Ok(None)
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 || args.len() > 3 {
        eprintln!("usage: scaling_plot SCALING.csv OUT.png [SUBTITLE]");
        return ExitCode::from(2);
    }
    let rows = match read(&args[0]) {
        Ok(r) => r,
        Err(m) => {
            eprintln!("error: {m}");
            return ExitCode::from(2);
        }
    };
    let px = rows.iter().map(|r| r.pixels).fold(0.0, f64::max);
    let subtitle = args.get(2).cloned().unwrap_or_else(|| {
        format!("whole `needlemap analyze` runs; largest region {px:.2e} pixels")
    });
    let fig = Scaling { rows, subtitle };
    match encode::render(&fig, SIZE) {
        Ok((png, _svg, _)) => {
            // written beside the target and renamed, so a failure leaves no half-written file
            let tmp = format!("{}.part", args[1]);
            let done = std::fs::write(&tmp, png).and_then(|()| std::fs::rename(&tmp, &args[1]));
            if let Err(err) = done {
                let _ = std::fs::remove_file(&tmp);
                eprintln!("error: cannot write {}: {err}", args[1]);
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(m) => {
            eprintln!("error: cannot draw the scaling picture: {m}");
            ExitCode::from(1)
        }
    }
}
