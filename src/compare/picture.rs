//! The comparison picture: the designs' coverage maps side by side on one shared colour
//! scale (whole region above, a 5 × 5 mm detail at the centre below, where the openings'
//! shapes show), then bars of the key metrics, one colour per design.
//!
//! Heatmaps are filled into an RGB buffer in parallel (rows) and blitted once, so the SVG
//! embeds one image per map rather than a rectangle per pixel; text uses the embedded DejaVu
//! Sans font, so the PNG needs no system font and is byte-identical from run to run.

use super::{text, Matched, Pair, Setting};
use crate::analysis::Analysis;
use crate::metrics::raster::AreaMaps;
use crate::report::{fmt_num, table};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rayon::prelude::*;

/// Side of the longer axis of a whole-region map, px.
const MAP_PX: u32 = 400;
/// Side of a detail map, px.
const DETAIL_PX: u32 = 260;
/// Side of the detail window, mm.
pub const DETAIL_MM: f64 = 5.0;
/// Width of one design's column, px.
const COLUMN_PX: u32 = MAP_PX + 90;
/// Width of the colour bar's column, px.
const BAR_COLUMN_PX: u32 = 120;
/// Height of the title, the map rows and the bars row, px.
const TITLE_PX: u32 = 50;
const MAP_ROW_PX: u32 = MAP_PX + 80;
const DETAIL_ROW_PX: u32 = DETAIL_PX + 80;
const BARS_ROW_PX: u32 = 300;
const PAIR_ROW_PX: u32 = 320;

/// Key metrics drawn as bars: key and title.
const BARS: [(&str, &str); 5] = [
    ("density_per_cm2", "density, channels/cm²"),
    ("coverage_fraction", "skin opened, %"),
    ("treated_fraction", "within influence radius, %"),
    ("max_gap_mm", "largest untreated gap, mm"),
    ("time_s", "treatment time, s"),
];

/// The picture could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the comparison picture: {0}")]
pub struct PictureError(pub String);

fn fail<E: std::fmt::Debug>(e: E) -> PictureError {
    PictureError(format!("{e:?}"))
}

/// A colour per design, the same in captions and bars.
fn design_colour(i: usize) -> RGBColor {
    const C: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
        RGBColor(255, 127, 14),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(23, 190, 207),
    ];
    C[i % C.len()]
}

/// Output file stem: `compare-<name>-vs-<name>…`, shortened with a hash when very long.
///
/// # Examples
/// ```
/// assert_eq!(needlemap::compare::picture::file_stem(&["mf8-192", "pen-12-110"]), "compare-mf8-192-vs-pen-12-110");
/// ```
pub fn file_stem(names: &[&str]) -> String {
    let joined = names.join("-vs-");
    let clean: String = joined
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.len() <= 120 {
        format!("compare-{clean}")
    } else {
        use sha2::{Digest, Sha256};
        let h = crate::design::hex(&Sha256::digest(joined.as_bytes()));
        let head: String = clean.chars().take(100).collect();
        format!("compare-{head}-{}", &h[..12])
    }
}

/// Covered share of the region's cells inside the window [x0, x1] × [y0, y1] (mm), resampled
/// to `w` × `h` pixels (row 0 at the top), as RGB on the viridis scale 0–1.
pub fn heatmap_rgb(maps: &AreaMaps, window_mm: [f64; 4], w: u32, h: u32) -> Vec<u8> {
    let (cell_px, ncx, ncy) = maps.cells;
    let cell_mm = cell_px as f64 * maps.grid.pitch_mm;
    let [x0, y0, x1, y1] = window_mm;
    let (dx, dy) = ((x1 - x0) / w as f64, (y1 - y0) / h as f64);
    // Cells whose centre lies in [a, b), or the one holding the middle when none does.
    let span = |a: f64, b: f64, n: usize| -> (usize, usize) {
        let lo = (a / cell_mm - 0.5).ceil().max(0.0) as usize;
        let hi = ((b / cell_mm - 0.5).ceil().max(0.0) as usize).min(n);
        if hi > lo {
            (lo, hi)
        } else {
            let m = (((a + b) / 2.0 / cell_mm).floor().max(0.0) as usize).min(n - 1);
            (m, m + 1)
        }
    };
    let cols: Vec<(usize, usize)> = (0..w as usize)
        .map(|i| span(x0 + i as f64 * dx, x0 + (i + 1) as f64 * dx, ncx))
        .collect();
    let mut buf = vec![0u8; w as usize * h as usize * 3];
    buf.par_chunks_mut(w as usize * 3)
        .enumerate()
        .for_each(|(j, row)| {
            let (r0, r1) = span(y1 - (j + 1) as f64 * dy, y1 - j as f64 * dy, ncy);
            for (i, &(c0, c1)) in cols.iter().enumerate() {
                let (mut cov, mut px) = (0u64, 0u64);
                for r in r0..r1 {
                    for c in c0..c1 {
                        cov += u64::from(maps.cell_covered[r * ncx + c]);
                        px += u64::from(maps.cell_px[r * ncx + c]);
                    }
                }
                let v = if px > 0 { cov as f64 / px as f64 } else { 0.0 };
                let RGBColor(rr, gg, bb) = ViridisRGB.get_color(v as f32);
                row[i * 3..i * 3 + 3].copy_from_slice(&[rr, gg, bb]);
            }
        });
    buf
}

/// Picture size for `n` designs and `pairs` roller–pen pairs, px.
pub fn size(n: usize, pairs: usize) -> (u32, u32) {
    (
        n.max(2) as u32 * COLUMN_PX + BAR_COLUMN_PX,
        TITLE_PX + MAP_ROW_PX + DETAIL_ROW_PX + BARS_ROW_PX + pairs as u32 * PAIR_ROW_PX,
    )
}

/// Draws the comparison of `analyses` as PNG bytes and SVG text; with `pairs` (from
/// [`super::compare`]), a row of bars at equal density for each roller–pen pair.
pub fn render(analyses: &[&Analysis], pairs: &[Pair]) -> Result<(Vec<u8>, String), PictureError> {
    crate::plot::style::register_fonts();
    let (w, h) = size(analyses.len(), pairs.len());
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw(&root, analyses, pairs).map_err(fail)?;
        root.present().map_err(fail)?;
    }
    let mut png = Vec::new();
    {
        use image::ImageEncoder;
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&rgb, w, h, image::ColorType::Rgb8)
            .map_err(fail)?;
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        draw(&root, analyses, pairs).map_err(fail)?;
        root.present().map_err(fail)?;
    }
    Ok((png, svg))
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    analyses: &[&Analysis],
    pairs: &[Pair],
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let names: Vec<&str> = analyses.iter().map(|a| a.design.name.as_str()).collect();
    let (w, _) = root.dim_in_pixel();
    root.draw(&Text::new(
        format!(
            "{}: coverage on one colour scale, and key metrics",
            names.join(" vs ")
        ),
        (20, 14),
        ("sans-serif", 22)
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLACK),
    ))?;
    for (i, a) in analyses.iter().enumerate() {
        let x = i as u32 * COLUMN_PX;
        let top = root.clone().shrink((x, TITLE_PX), (COLUMN_PX, MAP_ROW_PX));
        let [lx, ly] = a.design.treatment.area_mm;
        let cov = table::show_metric("coverage_fraction", a.metrics.coverage_fraction);
        map_panel(
            &top,
            a,
            [0.0, 0.0, lx, ly],
            MAP_PX,
            format!(
                "{} ({}): {cov} % opened",
                a.design.name,
                a.design.device.kind()
            ),
            design_colour(i),
        )?;
        let s = DETAIL_MM.min(lx).min(ly);
        let win = [
            lx / 2.0 - s / 2.0,
            ly / 2.0 - s / 2.0,
            lx / 2.0 + s / 2.0,
            ly / 2.0 + s / 2.0,
        ];
        let bottom = root
            .clone()
            .shrink((x, TITLE_PX + MAP_ROW_PX), (COLUMN_PX, DETAIL_ROW_PX));
        map_panel(
            &bottom,
            a,
            win,
            DETAIL_PX,
            format!(
                "detail: {} × {} mm at the centre",
                fmt_num(s, 0),
                fmt_num(s, 0)
            ),
            design_colour(i),
        )?;
    }
    let bar_x = analyses.len().max(2) as u32 * COLUMN_PX;
    colour_bar(
        &root
            .clone()
            .shrink((bar_x, TITLE_PX), (BAR_COLUMN_PX, MAP_ROW_PX)),
    )?;
    let bars = root
        .clone()
        .shrink((0, TITLE_PX + MAP_ROW_PX + DETAIL_ROW_PX), (w, BARS_ROW_PX));
    let cells = bars.split_evenly((1, BARS.len()));
    for (cell, (key, title)) in cells.iter().zip(BARS) {
        bar_chart(cell, &design_bars(analyses, key), key, title)?;
    }
    for (k, p) in pairs.iter().enumerate() {
        let y = TITLE_PX + MAP_ROW_PX + DETAIL_ROW_PX + BARS_ROW_PX + k as u32 * PAIR_ROW_PX;
        pair_row(&root.clone().shrink((0, y), (w, PAIR_ROW_PX)), analyses, p)?;
    }
    Ok(())
}

/// An axis tick: whole numbers without decimals, others with as few as they need.
fn tick(v: &f64) -> String {
    let a = v.abs();
    let dec = if (v - v.round()).abs() < 1e-9 * a.max(1.0) {
        0
    } else if a >= 10.0 || (v * 10.0 - (v * 10.0).round()).abs() < 1e-9 {
        1
    } else {
        2
    };
    fmt_num(*v, dec)
}

/// One coverage map of the window (mm) with axes in mm; the longer side `side_px` long.
fn map_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    a: &Analysis,
    win: [f64; 4],
    side_px: u32,
    caption: String,
    colour: RGBColor,
) -> DrawResult<DB> {
    let (ww, wh) = (win[2] - win[0], win[3] - win[1]);
    let scale = side_px as f64 / ww.max(wh);
    let (pw, ph) = (
        (ww * scale).round().max(1.0) as u32,
        (wh * scale).round().max(1.0) as u32,
    );
    let (left, bottom, cap) = (55u32, 40u32, 30u32);
    let panel = area
        .clone()
        .shrink((10, 5), (pw + left + 10, ph + bottom + cap + 5));
    let mut chart = ChartBuilder::on(&panel)
        .caption(caption, ("sans-serif", 15).into_font().color(&colour))
        .margin_right(10)
        .x_label_area_size(bottom)
        .y_label_area_size(left)
        .build_cartesian_2d(win[0]..win[2], win[1]..win[3])?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("x, mm")
        .y_desc("y, mm")
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .label_style(("sans-serif", 12))
        .axis_desc_style(("sans-serif", 13))
        .draw()?;
    let (aw, ah) = chart.plotting_area().dim_in_pixel();
    match &a.maps {
        Some(m) => {
            let buf = heatmap_rgb(m, win, aw, ah);
            let img = BitMapElement::with_owned_buffer((win[0], win[3]), (aw, ah), buf)
                .expect("buffer sized to the area");
            chart.plotting_area().draw(&img)?;
        }
        None => {
            chart.plotting_area().fill(&ViridisRGB.get_color(0.0))?;
        }
    }
    Ok(())
}

/// The shared colour scale: covered share of each picture pixel, 0–100 %.
fn colour_bar<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    let panel = area
        .clone()
        .shrink((10, 35), (BAR_COLUMN_PX - 10, MAP_PX + 5));
    let mut chart = ChartBuilder::on(&panel)
        .margin_top(5)
        .y_label_area_size(45)
        .build_cartesian_2d(0.0..1.0, 0.0..100.0)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(6)
        .y_label_formatter(&tick)
        .y_desc("opened share of pixel, %")
        .label_style(("sans-serif", 12))
        .axis_desc_style(("sans-serif", 13))
        .draw()?;
    let (bw, bh) = chart.plotting_area().dim_in_pixel();
    let mut buf = vec![0u8; (bw * bh * 3) as usize];
    for (j, row) in buf.chunks_mut(bw as usize * 3).enumerate() {
        let v = 1.0 - j as f32 / (bh.max(2) - 1) as f32;
        let RGBColor(r, g, b) = ViridisRGB.get_color(v);
        for px in row.chunks_mut(3) {
            px.copy_from_slice(&[r, g, b]);
        }
    }
    chart.plotting_area().draw(
        &BitMapElement::with_owned_buffer((0.0, 100.0), (bw, bh), buf)
            .expect("buffer sized to the area"),
    )?;
    Ok(())
}

/// One bar: its label under the axis, colour and value (already in display units).
struct Bar {
    label: String,
    colour: RGBColor,
    value: Option<f64>,
}

/// The bars of one metric for the designs as given.
fn design_bars(analyses: &[&Analysis], key: &str) -> Vec<Bar> {
    analyses
        .iter()
        .enumerate()
        .map(|(i, a)| Bar {
            label: a.design.name.clone(),
            colour: design_colour(i),
            value: display(key, a.metrics.get(key)),
        })
        .collect()
}

/// A metric in display units (fractions as percent).
fn display(key: &str, v: Option<f64>) -> Option<f64> {
    let pct = table::metric_unit(key).0 == "%";
    v.map(|v| if pct { v * 100.0 } else { v })
}

/// A lighter tint of a colour, for a design at a changed setting.
fn tint(c: RGBColor) -> RGBColor {
    let t = |x: u8| (f64::from(x) + (255.0 - f64::from(x)) * 0.55).round() as u8;
    RGBColor(t(c.0), t(c.1), t(c.2))
}

/// Bars of one metric, each labelled with its value.
fn bar_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    bars: &[Bar],
    key: &str,
    title: &str,
) -> DrawResult<DB> {
    let top = bars.iter().filter_map(|b| b.value).fold(0.0f64, f64::max);
    let ymax = if top > 0.0 { top * 1.18 } else { 1.0 };
    let n = bars.len().max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 14))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d((0..n - 1).into_segmented(), 0.0..ymax)?;
    let fmt_x = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) => bars.get(*i).map(|b| b.label.clone()).unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_labels(n)
        .y_labels(5)
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&tick)
        .label_style(("sans-serif", 11))
        .draw()?;
    let (_, dec) = table::metric_unit(key);
    for (i, b) in bars.iter().enumerate() {
        let Some(v) = b.value else { continue };
        let mut rect = Rectangle::new(
            [
                (SegmentValue::Exact(i), 0.0),
                (SegmentValue::Exact(i + 1), v),
            ],
            b.colour.filled(),
        );
        rect.set_margin(0, 0, 8, 8);
        chart.draw_series(std::iter::once(rect))?;
        chart.draw_series(std::iter::once(Text::new(
            fmt_num(v, dec.min(2)),
            (SegmentValue::CenterOf(i), v + ymax * 0.02),
            TextStyle::from(("sans-serif", 12).into_font())
                .pos(Pos::new(HPos::Center, VPos::Bottom)),
        )))?;
    }
    Ok(())
}

/// Metrics drawn at equal density: key and title.
const EQUAL_BARS: [(&str, &str); 3] = [
    ("coverage_fraction", "skin opened, %"),
    ("max_gap_mm", "largest untreated gap, mm"),
    ("time_s", "treatment time, s"),
];

/// One roller–pen pair at equal density: for each metric, the roller and the pen at the
/// roller's density, then the roller and the pen at the pen's density.
fn pair_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    analyses: &[&Analysis],
    p: &Pair,
) -> DrawResult<DB> {
    let (ra, pa) = (analyses[p.roller], analyses[p.pen]);
    let (rc, pc) = (design_colour(p.roller), design_colour(p.pen));
    let heading = format!(
        "{} (roller) vs {} (pen) at equal density: left at the roller's {}/cm², right at the pen's {}/cm² (light: setting changed)",
        ra.design.name,
        pa.design.name,
        fmt_num(ra.metrics.density_per_cm2, 0),
        fmt_num(pa.metrics.density_per_cm2, 0)
    );
    area.draw(&Text::new(
        heading,
        (20, 6),
        ("sans-serif", 15)
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLACK),
    ))?;
    let body = area.clone().shrink(
        (0, 26),
        (
            area.dim_in_pixel().0,
            area.dim_in_pixel().1.saturating_sub(26),
        ),
    );
    let cells = body.split_evenly((1, EQUAL_BARS.len()));
    for (cell, (key, title)) in cells.iter().zip(EQUAL_BARS) {
        let own = |a: &Analysis| text::own_setting(a);
        let m = |x: Option<&Matched>| x.and_then(|m| display(key, m.metrics.get(key)));
        let bars = vec![
            Bar {
                label: short(own(ra)),
                colour: rc,
                value: display(key, ra.metrics.get(key)),
            },
            Bar {
                label: p
                    .pen_at_roller_density
                    .as_ref()
                    .map_or("—".into(), |x| short(x.setting)),
                colour: tint(pc),
                value: m(p.pen_at_roller_density.as_ref()),
            },
            Bar {
                label: p
                    .roller_at_pen_density
                    .as_ref()
                    .map_or("—".into(), |x| short(x.setting)),
                colour: tint(rc),
                value: m(p.roller_at_pen_density.as_ref()),
            },
            Bar {
                label: short(own(pa)),
                colour: pc,
                value: display(key, pa.metrics.get(key)),
            },
        ];
        bar_chart(cell, &bars, key, title)?;
    }
    Ok(())
}

/// A setting as a bar label: "15 passes", "287 mm/s".
fn short(s: Setting) -> String {
    match s {
        Setting::RollerPasses(k) => format!("{k} passes"),
        Setting::PenHandSpeedMmS(v) => format!("{} mm/s", fmt_num(v, 0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::raster::Grid;

    fn maps(ncx: usize, ncy: usize, covered: impl Fn(usize, usize) -> u32) -> AreaMaps {
        let mut cov = Vec::new();
        for r in 0..ncy {
            for c in 0..ncx {
                cov.push(covered(c, r));
            }
        }
        AreaMaps {
            grid: Grid {
                pitch_mm: 0.01,
                nx: ncx * 4,
                ny: ncy * 4,
            },
            covered_fx: 0,
            treated_fx: 0,
            total_fx: 1,
            max_d2: None,
            max_at: None,
            tiles: (0, 0),
            tile_px: vec![],
            tile_covered: vec![],
            cells: (4, ncx, ncy),
            cell_covered: cov,
            cell_treated: vec![0; ncx * ncy],
            cell_px: vec![16; ncx * ncy],
        }
    }

    #[test]
    fn heatmap_puts_y0_at_the_bottom_and_scales_zero_to_one() {
        // 10 × 10 cells of 0.04 mm; the bottom half (y < 0.2 mm) fully covered
        let m = maps(10, 10, |_, r| if r < 5 { 16 } else { 0 });
        let buf = heatmap_rgb(&m, [0.0, 0.0, 0.4, 0.4], 4, 4);
        let px = |i: usize, j: usize| {
            [
                buf[(j * 4 + i) * 3],
                buf[(j * 4 + i) * 3 + 1],
                buf[(j * 4 + i) * 3 + 2],
            ]
        };
        let RGBColor(r1, g1, b1) = ViridisRGB.get_color(1.0);
        let RGBColor(r0, g0, b0) = ViridisRGB.get_color(0.0);
        assert_eq!(px(0, 3), [r1, g1, b1], "bottom row covered");
        assert_eq!(px(2, 0), [r0, g0, b0], "top row open");
    }

    #[test]
    fn heatmap_averages_cells() {
        // a checkerboard of covered cells averages to one half
        let m = maps(8, 8, |c, r| if (c + r) % 2 == 0 { 16 } else { 0 });
        let buf = heatmap_rgb(&m, [0.0, 0.0, 0.32, 0.32], 2, 2);
        let RGBColor(r, g, b) = ViridisRGB.get_color(0.5);
        assert_eq!(buf[..3], [r, g, b]);
    }

    #[test]
    fn long_names_are_shortened() {
        let long = "x".repeat(200);
        let s = file_stem(&[&long, "pen"]);
        assert!(s.len() < 130 && s.starts_with("compare-xxx"));
        assert_ne!(s, file_stem(&[&long, "pen2"]));
    }
}
