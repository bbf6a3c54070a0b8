//! The optimisation's trade-off: the first objective against the second (or against the
//! candidate's number when there is one objective), every candidate that reached a value for
//! both as a point — feasible in colour, infeasible in grey — the Pareto front as a line, the
//! base design as a black diamond. A [`Figure`] like every other picture.

use super::canvas::Root;
use super::colour;
use super::encode::{self, Drawn, Figure};
use super::text;
use super::{Picture, PlotError};
use plotters::prelude::*;

/// Picture size, pixels.
pub const SIZE: (u32, u32) = (1440, 990);

/// What the picture shows.
#[derive(Clone, Debug, PartialEq)]
pub struct TradeOff {
    /// Title.
    pub title: String,
    /// Under the title.
    pub subtitle: String,
    /// Axis labels.
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// Feasible candidates (x, y).
    pub feasible: Vec<(f64, f64)>,
    /// Infeasible candidates (x, y).
    pub infeasible: Vec<(f64, f64)>,
    /// The front, in order along x.
    pub front: Vec<(f64, f64)>,
    /// The base design, when it has both values.
    pub base: Option<(f64, f64)>,
}

/// Renders the picture `pareto`.
///
/// # Examples
/// ```
/// use needlemap::output::plot::pareto::{render, TradeOff, SIZE};
/// let t = TradeOff {
///     title: "o".into(), subtitle: "s".into(), x_label: "needles".into(), y_label: "force_n (N)".into(),
///     feasible: vec![(96.0, 3.0)], infeasible: vec![(48.0, 1.0)], front: vec![(96.0, 3.0)], base: Some((192.0, 3.0)),
/// };
/// assert_eq!(render(&t).unwrap().size, SIZE);
/// ```
pub fn render(t: &TradeOff) -> Result<Picture, PlotError> {
    let (png, svg, scale) = encode::render(t, SIZE).map_err(Picture::draw_error("pareto"))?;
    Ok(Picture {
        name: "pareto",
        png,
        svg,
        size: SIZE,
        scale,
        plot: None,
    })
}

impl Figure for TradeOff {
    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>) -> Drawn {
        draw(root, self)?;
        Ok(None)
    }
}

/// [lo, hi] of the values, padded by 5 % (or ±1 around a single value).
fn span(vs: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = vs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        let pad = (lo.abs() * 0.1).max(1.0);
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

fn draw<DB: DrawingBackend>(root: &Root<DB>, t: &TradeOff) -> Result<(), String> {
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    let all = || {
        t.feasible
            .iter()
            .chain(&t.infeasible)
            .chain(&t.front)
            .chain(t.base.iter())
    };
    let (x_lo, x_hi) = span(all().map(|p| p.0));
    let (y_lo, y_hi) = span(all().map(|p| p.1));
    let (title_area, plot_area) = root.split_vertically(96);
    let wide = SIZE.0 - 40;
    title_area
        .draw(&Text::new(
            text::fit(&t.title, 34, wide),
            (24, 16),
            text::text(32),
        ))
        .map_err(e)?;
    title_area
        .draw(&Text::new(
            text::fit(&t.subtitle, 22, wide),
            (24, 58),
            text::tinted(text::text(22), RGBColor(80, 80, 80)),
        ))
        .map_err(e)?;
    let mut ch = ChartBuilder::on(&plot_area)
        .margin(24)
        .x_label_area_size(78)
        .y_label_area_size(116)
        .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
        .map_err(e)?;
    ch.configure_mesh()
        .x_label_formatter(&|x| text::tick(*x))
        .y_label_formatter(&|y| text::tick(*y))
        .x_desc(t.x_label.clone())
        .y_desc(t.y_label.clone())
        .axis_desc_style(text::text(24))
        .label_style(text::text(20))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(e)?;
    let grey = RGBColor(175, 175, 175);
    ch.draw_series(
        t.infeasible
            .iter()
            .map(|p| Circle::new(*p, 4, grey.filled())),
    )
    .map_err(e)?
    .label(format!("infeasible ({})", t.infeasible.len()))
    .legend(move |(x, y)| Circle::new((x + 6, y), 5, grey.filled()));
    let blue = colour::rgb(colour::category(0));
    ch.draw_series(t.feasible.iter().map(|p| Circle::new(*p, 6, blue.filled())))
        .map_err(e)?
        .label(format!("feasible ({})", t.feasible.len()))
        .legend(move |(x, y)| Circle::new((x + 6, y), 6, blue.filled()));
    let red = colour::rgb(colour::category(1));
    let style = ShapeStyle::from(red).stroke_width(3);
    ch.draw_series(LineSeries::new(t.front.clone(), style))
        .map_err(e)?
        .label(format!("Pareto front ({})", t.front.len()))
        .legend(move |(x, y)| PathElement::new(vec![(x - 6, y), (x + 16, y)], style));
    ch.draw_series(t.front.iter().map(|p| Circle::new(*p, 8, style)))
        .map_err(e)?;
    if let Some(b) = t.base {
        let diamond = |(x, y): (i32, i32), r: i32| {
            Polygon::new(
                vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)],
                BLACK.filled(),
            )
        };
        ch.draw_series(std::iter::once(EmptyElement::at(b) + diamond((0, 0), 10)))
            .map_err(e)?
            .label("base design")
            .legend(move |(x, y)| diamond((x + 6, y), 7));
    }
    ch.configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(160, 160, 160))
        .label_font(text::text(20))
        .draw()
        .map_err(e)?;
    Ok(())
}
