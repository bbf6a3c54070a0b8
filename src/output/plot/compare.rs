//! The comparison picture: the designs' coverage maps side by side on one shared colour
//! scale (whole region above, the detail window at the centre below, where the openings'
//! shapes show), then bars of the key metrics, one colour per design, and for each
//! roller–pen pair a row of bars at equal density.
//!
//! A [`Figure`] like every other picture: its maps are region maps ([`RegionFrame::placed`],
//! [`frame::region_map`]) filled by the one coverage resampler ([`coverage::coverage_rgb`]) in
//! the coverage colour map, its colour bar is the drawn bar of the region pictures, and it is
//! drawn and encoded by [`encode::render`].

use super::canvas::{self, Root};
use super::colour::{self, BarPlace, ColourScale, COVERAGE};
use super::encode::Drawn;
use super::encode::{self, Figure};
use super::frame::{self, RegionFrame, X_LABEL_H, Y_LABEL_W};
use super::{coverage, detail, text, Picture, PlotError};
use crate::metrics::analysis::Analysis;
use crate::output::compare::own_setting;
use crate::output::headline;
use crate::studies::compare::{Matched, Pair, Setting};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Longer side of a whole-region map, px.
const MAP_PX: u32 = 400;
/// Longer side of a detail map, px.
const DETAIL_PX: u32 = 260;
/// Height of a map's caption, px.
const CAPTION_PX: u32 = 34;
/// Width of one design's column, px.
const COLUMN_PX: u32 = 10 + Y_LABEL_W + MAP_PX + 30;
/// Width of the colour bar's column, px: the bar, its labels and its unit all inside.
const BAR_COLUMN_PX: u32 = 240;
/// Height of the title block, px.
const TITLE_PX: u32 = 112;
/// Heights of the map rows, the bars row and a pair's row, px.
const MAP_ROW_PX: u32 = CAPTION_PX + MAP_PX + X_LABEL_H + 10;
const DETAIL_ROW_PX: u32 = CAPTION_PX + DETAIL_PX + X_LABEL_H + 10;
const BARS_ROW_PX: u32 = 300;
const PAIR_ROW_PX: u32 = 320;

/// Output file stem: `compare-<name>-vs-<name>…`, shortened with a hash when very long.
///
/// # Examples
/// ```
/// assert_eq!(needlemap::output::plot::compare::file_stem(&["mf8-192", "pen-12-110"]), "compare-mf8-192-vs-pen-12-110");
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

/// Picture size for `n` designs and `pairs` roller–pen pairs, px.
pub fn size(n: usize, pairs: usize) -> (u32, u32) {
    (
        n.max(2) as u32 * COLUMN_PX + BAR_COLUMN_PX,
        TITLE_PX + MAP_ROW_PX + DETAIL_ROW_PX + BARS_ROW_PX + pairs as u32 * PAIR_ROW_PX,
    )
}

/// One map panel: where, its caption and its raster.
struct Panel {
    frame: RegionFrame,
    caption: String,
    colour: RGBColor,
    buf: Vec<u8>,
}

struct Compare<'a> {
    analyses: &'a [&'a Analysis],
    pairs: &'a [Pair],
    size: (u32, u32),
    head: String,
    lines: Vec<String>,
    panels: Vec<Panel>,
    scale: ColourScale,
}

/// The seed and raster pitch of the analyses: once when they agree, else per design.
fn provenance(analyses: &[&Analysis]) -> String {
    let of = |a: &Analysis| {
        format!(
            "seed {} · raster pitch {} µm",
            a.design.treatment.seed,
            text::tick(a.grid.pitch_mm * 1000.0)
        )
    };
    let all: Vec<String> = analyses.iter().map(|a| of(a)).collect();
    if all.windows(2).all(|w| w[0] == w[1]) {
        format!(
            "{} (every design)",
            all.first().cloned().unwrap_or_default()
        )
    } else {
        analyses
            .iter()
            .zip(&all)
            .map(|(a, s)| format!("{}: {s}", a.design.name))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// Draws the comparison of `analyses`; with `pairs` (from [`crate::studies::compare::compare`]), a row
/// of bars at equal density for each roller–pen pair. The picture's name is `compare`; its
/// files are named by [`file_stem`].
///
/// # Examples
/// ```no_run
/// use needlemap::{base::progress::Silent, design::Design, metrics::analysis, output::plot};
/// let load = |f: &str| analysis::analyze(&Design::load(f.as_ref()).unwrap(), &Silent).unwrap();
/// let (a, b) = (load("designs/mf8-192.toml"), load("designs/pen-12-110.toml"));
/// let pic = plot::compare::render(&[&a, &b], &[]).unwrap();
/// assert_eq!(pic.size, plot::compare::size(2, 0));
/// ```
pub fn render(analyses: &[&Analysis], pairs: &[Pair]) -> Result<Picture, PlotError> {
    let size = size(analyses.len(), pairs.len());
    let names: Vec<&str> = analyses.iter().map(|a| a.design.name.as_str()).collect();
    let wide = size.0 - 48;
    let head = text::fit(&format!("compare: {}", names.join(" vs ")), 32, wide);
    let lines = vec![
        text::fit(
            &format!(
                "coverage on one colour scale: whole region above, the {0} × {0} mm detail at the centre below; key metrics at the bottom",
                text::tick(detail::WINDOW_MM)
            ),
            20,
            wide,
        ),
        text::fit(&provenance(analyses), 20, wide),
    ];
    let lut = COVERAGE.table();
    let mut panels = Vec::with_capacity(2 * analyses.len());
    for (i, a) in analyses.iter().enumerate() {
        let x = (i as u32 * COLUMN_PX + 10 + Y_LABEL_W) as i32;
        let [lx, ly] = a.design.treatment.area_mm;
        let cov =
            crate::model::registry::show_metric("coverage_fraction", a.metrics.coverage_fraction);
        let win = detail::window_mm(a);
        let side = win[2] - win[0];
        for (top, side_px, window, caption) in [
            (
                TITLE_PX,
                MAP_PX,
                [0.0, 0.0, lx, ly],
                format!(
                    "{} ({}): {cov} % opened",
                    a.design.name,
                    a.design.device.kind()
                ),
            ),
            (
                TITLE_PX + MAP_ROW_PX,
                DETAIL_PX,
                win,
                format!(
                    "detail: {} × {} mm at the centre",
                    text::tick(side),
                    text::tick(side)
                ),
            ),
        ] {
            let frame = RegionFrame::placed((x, (top + CAPTION_PX) as i32), side_px, window);
            let (_, _, pw, ph) = frame.plot;
            let buf = match &a.maps {
                Some(m) => coverage::coverage_rgb(m, window, pw, ph, |v| lut.at(v)),
                None => frame::fill_rgb(pw, ph, |_, _| lut.at(0.0)),
            };
            panels.push(Panel {
                frame,
                caption: text::fit(&caption, 18, COLUMN_PX - 20),
                colour: colour::rgb(colour::category(i)),
                buf,
            });
        }
    }
    let fig = Compare {
        analyses,
        pairs,
        size,
        head,
        lines,
        panels,
        scale: ColourScale::new(0.0, 100.0, 0, "covered share (%)"),
    };
    let (png, svg, scale) =
        encode::render(&fig, size).map_err(super::Picture::draw_error("compare"))?;
    Ok(Picture {
        name: "compare",
        png,
        svg,
        size,
        scale,
        plot: None,
    })
}

impl Figure for Compare<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>) -> Drawn {
        let e = canvas::err;
        text::title(root, &self.head, &self.lines)?;
        for p in &self.panels {
            let (x, y, _, _) = p.frame.plot;
            root.draw(&Text::new(
                p.caption.clone(),
                (x - Y_LABEL_W as i32, y - 8),
                text::anchored(
                    text::tinted(text::bold(18), p.colour),
                    HPos::Left,
                    VPos::Bottom,
                ),
            ))
            .map_err(e)?;
            frame::region_map(root, &p.frame, &p.buf)?;
        }
        let n = self.analyses.len().max(2) as u32;
        let place = BarPlace {
            x: (n * COLUMN_PX + 20) as i32,
            y: (TITLE_PX + CAPTION_PX + 40) as i32,
            h: MAP_PX - 40,
        };
        let mut scale = self.scale.clone();
        scale.labels = colour::colour_bar(root, place, &scale, COVERAGE)?;
        let (w, _) = self.size;
        let top = TITLE_PX + MAP_ROW_PX + DETAIL_ROW_PX;
        let bars = root.clone().shrink((0, top), (w, BARS_ROW_PX));
        let cells = bars.split_evenly((1, headline::bars().count()));
        for (cell, (key, title)) in cells.iter().zip(headline::bars()) {
            bar_chart(cell, &design_bars(self.analyses, key), key, title).map_err(e)?;
        }
        for (k, p) in self.pairs.iter().enumerate() {
            let y = top + BARS_ROW_PX + k as u32 * PAIR_ROW_PX;
            pair_row(
                &root.clone().shrink((0, y), (w, PAIR_ROW_PX)),
                self.analyses,
                p,
            )?;
        }
        Ok(Some(scale))
    }
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

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
            colour: colour::rgb(colour::category(i)),
            value: display(key, a.metrics.get(key)),
        })
        .collect()
}

/// A metric in display units (fractions as percent).
fn display(key: &str, v: Option<f64>) -> Option<f64> {
    let pct = crate::model::registry::metric_unit(key).0 == "%";
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
        .caption(title, text::text(16))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(56)
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
        .y_label_formatter(&|v| text::tick(*v))
        .label_style(text::text(13))
        .draw()?;
    let (_, dec) = crate::model::registry::metric_unit(key);
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
            text::num(v, dec.min(2)),
            (SegmentValue::CenterOf(i), v + ymax * 0.02),
            text::anchored(text::text(14), HPos::Center, VPos::Bottom),
        )))?;
    }
    Ok(())
}

/// One roller–pen pair at equal density: for each metric, the roller and the pen at the
/// roller's density, then the roller and the pen at the pen's density.
fn pair_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    analyses: &[&Analysis],
    p: &Pair,
) -> Result<(), String> {
    let e = canvas::err;
    let (ra, pa) = (analyses[p.roller], analyses[p.pen]);
    let rc = colour::rgb(colour::category(p.roller));
    let pc = colour::rgb(colour::category(p.pen));
    let heading = format!(
        "{} (roller) vs {} (pen) at equal density: left at the roller's {}/cm², right at the pen's {}/cm² (light: setting changed)",
        ra.design.name,
        pa.design.name,
        text::num(ra.metrics.density_per_cm2, 0),
        text::num(pa.metrics.density_per_cm2, 0)
    );
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        text::fit(&heading, 17, w - 40),
        (20, 6),
        text::bold(16),
    ))
    .map_err(e)?;
    let body = area.clone().shrink((0, 26), (w, h.saturating_sub(26)));
    let cells = body.split_evenly((1, headline::equal_bars().count()));
    for (cell, (key, title)) in cells.iter().zip(headline::equal_bars()) {
        let m = |x: Option<&Matched>| x.and_then(|m| display(key, m.metrics.get(key)));
        let label = |x: Option<&Matched>| x.map_or("—".into(), |x| short(x.setting));
        let bars = vec![
            Bar {
                label: short(own_setting(ra)),
                colour: rc,
                value: display(key, ra.metrics.get(key)),
            },
            Bar {
                label: label(p.pen_at_roller_density.as_ref()),
                colour: tint(pc),
                value: m(p.pen_at_roller_density.as_ref()),
            },
            Bar {
                label: label(p.roller_at_pen_density.as_ref()),
                colour: tint(rc),
                value: m(p.roller_at_pen_density.as_ref()),
            },
            Bar {
                label: short(own_setting(pa)),
                colour: pc,
                value: display(key, pa.metrics.get(key)),
            },
        ];
        bar_chart(cell, &bars, key, title).map_err(e)?;
    }
    Ok(())
}

/// A setting as a bar label: "15 passes", "287 mm/s".
fn short(s: Setting) -> String {
    match s {
        Setting::RollerPasses(k) => format!("{k} passes"),
        Setting::PenHandSpeedMmS(v) => format!("{} mm/s", text::num(v, 0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_shortened() {
        let long = "x".repeat(200);
        let s = file_stem(&[&long, "pen"]);
        assert!(s.len() < 130 && s.starts_with("compare-xxx"));
        assert_ne!(s, file_stem(&[&long, "pen2"]));
    }

    #[test]
    fn the_colour_bar_column_holds_the_bar_and_its_labels() {
        // bar, tick, the widest label and the unit above all end inside the canvas
        let s = ColourScale::new(0.0, 100.0, 0, "covered share (%)");
        let label = 20 + colour::BAR_W + 12 + text::width("100", 20);
        assert!(label < BAR_COLUMN_PX - 10);
        assert!(20 + text::width(&s.unit, 20) < BAR_COLUMN_PX - 10);
    }
}
