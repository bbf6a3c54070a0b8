//! The needle picture, for manufacturing review of the device itself.
//!
//! Roller: the drum surface unrolled — axial position (mm from the mid-plane) against the
//! distance along the circumference, angle/360 · πD (mm; the angle in degrees on the top
//! axis) — every needle at its place, every ring labelled, and the three pitches that define
//! a ring layout (ring pitch, needle pitch within a ring, stagger between rings) drawn as
//! dimension lines a, b, c and written out. Equal scale on both axes unless the rings would
//! sit closer than a label's height; then the axial axis is stretched and the title says so.
//!
//! Pen: the cartridge seen from above (looking down through the pen onto the skin), along the
//! stroke to the right and across it increasing upward, at equal scale, each needle at its
//! true diameter and numbered, the stroke direction and the nearest-neighbour pitch given.
//! A stamp's array is drawn the same way. Which picture a device gets, and its wording, is
//! its kind's (`needle_view` in its file under `kinematics/`).
//!
//! Needles are coloured by the depth they reach (length − skin deflection); a needle that
//! cannot pierce is drawn hollow.

use super::canvas::{self, Root};
use super::colour::{self, BarPlace, ColourScale, DEPTH};
use super::encode::Drawn;
use super::encode::{self, Figure};
use super::frame;
pub use super::pitch::{array_pitch_mm, ring_pitches, RingPitches};
use super::text;
use super::{Picture, PlotError};
use crate::design::kinds::{ArrayView, DrumView, NeedleView};
use crate::design::Design;
use crate::kinematics;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Canvas width, px.
const W: u32 = 1440;
/// Left edge of the plot, px.
const LEFT: i32 = 110;
/// Top edge of the plot, px (title block and the top axis).
const TOP: i32 = 190;

/// One needle as drawn: position in the plot's mm, depth reached, number, ring label.
#[derive(Clone, Debug)]
struct Dot {
    x: f64,
    y: f64,
    depth_mm: f64,
    number: usize,
}

/// "1 ring", "8 rings".
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn sep(unit: &str) -> &'static str {
    if unit.is_empty() || unit == "°" {
        ""
    } else {
        " "
    }
}

fn range_text(v: Option<(f64, f64)>, dec: usize, unit: &str) -> String {
    match v {
        None => "—".into(),
        Some((a, b)) if (b - a).abs() < 1e-9 => {
            format!("{}{}{unit}", text::num(a, dec), sep(unit))
        }
        Some((a, b)) => format!(
            "{}–{}{}{unit}",
            text::num(a, dec),
            text::num(b, dec),
            sep(unit)
        ),
    }
}

/// A dimension line: from, to (mm) and its letter.
type Dim = ((f64, f64), (f64, f64), String);

struct Needles {
    size: (u32, u32),
    /// Plot rectangle, px.
    plot: frame::Rect,
    /// Plot window, mm: x0, y0, x1, y1 (y upward).
    window: [f64; 4],
    /// Secondary x range (roller: degrees).
    top_axis: Option<(f64, f64)>,
    x_name: String,
    y_name: String,
    head: String,
    lines: Vec<String>,
    dots: Vec<Dot>,
    radius_px: i32,
    scale: ColourScale,
    /// Text at the right of the plot at a y (mm): ring labels.
    side_labels: Vec<(f64, String)>,
    /// Dimension lines: from, to (mm) and a letter.
    dims: Vec<Dim>,
    /// Lines of the text block under the plot.
    notes: Vec<String>,
    /// Pen: needle numbers drawn beside the needles.
    numbers: bool,
}

/// Renders the needle picture of a design.
pub fn render(d: &Design) -> Result<Picture, PlotError> {
    let made = kinematics::MadeDevice::new(d);
    let reached = reached_depths(d, &made);
    let deepest = text::num(reached.iter().copied().fold(0.0, f64::max), 2);
    let view = d
        .device
        .kind_of()
        .needle_view(d, made.puncture_rate_per_s, &deepest);
    let fig = match view {
        NeedleView::Drum(r) => roller(d, &r, &made, &reached),
        NeedleView::Array(a) => array(d, &a, &made, &reached),
    };
    let (png, svg, scale) =
        encode::render(&fig, fig.size).map_err(Picture::draw_error("needles"))?;
    Ok(Picture {
        name: "needles",
        png,
        svg,
        size: fig.size,
        scale,
        plot: Some((fig.plot, fig.window)),
    })
}

fn depth_scale(depths: &[f64]) -> ColourScale {
    let lo = depths.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = depths.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = super::colour::depth_span(lo, hi);
    ColourScale::new(
        lo,
        hi,
        text::decimals_for(hi - lo, hi.abs()).max(2),
        "depth reached (mm)",
    )
}

/// Insertion depth each needle of the design reaches at its stated force, by needle index
/// (0 for a needle that does not pierce or is missing).
fn reached_depths(d: &Design, made: &kinematics::MadeDevice) -> Vec<f64> {
    let mut out = vec![0.0; d.device.needle_count()];
    for n in &made.needles {
        out[n.index as usize] = n.depth_mm;
    }
    out
}

fn roller(d: &Design, r: &DrumView, made: &kinematics::MadeDevice, reached: &[f64]) -> Needles {
    let circ = std::f64::consts::PI * r.diameter_mm;
    let half_w = r.width_mm / 2.0;
    let pit = ring_pitches(r.needles);
    let nrings = pit.rings_mm.len().max(1);
    let (pw_max, ph_max) = (1000.0, 760.0);
    let s = (pw_max / circ).min(ph_max / r.width_mm);
    let pw = (circ * s).round() as u32;
    let ph_eq = r.width_mm * s;
    // rings closer than 26 px: stretch the axial axis so ring labels do not collide
    let min_ring = pit.ring_pitch_mm.map_or(r.width_mm, |p| p.0);
    let stretch = (26.0 / (min_ring * s)).max(1.0);
    let ph = (ph_eq * stretch).min(900.0).round() as u32;
    let stretch = ph as f64 / ph_eq;
    let dots: Vec<Dot> = r
        .needles
        .iter()
        .enumerate()
        .map(|(i, n)| Dot {
            x: n.angle_deg.rem_euclid(360.0) / 360.0 * circ,
            y: n.axial_mm,
            depth_mm: reached[i],
            number: i,
        })
        .collect();
    let depths: Vec<f64> = dots.iter().map(|x| x.depth_mm).collect();
    let side_labels: Vec<(f64, String)> = pit
        .rings_mm
        .iter()
        .map(|&a| {
            let ring = r
                .needles
                .iter()
                .find(|n| (n.axial_mm - a).abs() < 1e-9)
                .map_or(0, |n| n.ring);
            (a, format!("ring {ring}"))
        })
        .collect();
    // dimension lines from needle 0 of the first ring (by axial position)
    let mut dims = Vec::new();
    let mut notes = Vec::new();
    let mm_of = |deg: f64| deg / 360.0 * circ;
    if let Some(&a0) = pit.rings_mm.first() {
        let ring0: Vec<&Dot> = dots.iter().filter(|x| (x.y - a0).abs() < 1e-9).collect();
        let mut xs: Vec<f64> = ring0.iter().map(|x| x.x).collect();
        xs.sort_by(f64::total_cmp);
        // measure from the first-ring needle nearest the middle, away from needle 0's label
        let k = (0..xs.len())
            .min_by(|&i, &j| {
                (xs[i] - circ / 2.0)
                    .abs()
                    .total_cmp(&(xs[j] - circ / 2.0).abs())
            })
            .unwrap_or(0);
        let x0 = xs[k];
        if let (Some(&a1), Some(st)) = (pit.rings_mm.get(1), pit.stagger_deg) {
            dims.push(((x0, a0), (x0, a1), "a".to_string()));
            dims.push(((x0, a1), (x0 + mm_of(st), a1), "c".to_string()));
        }
        if xs.len() > 1 {
            let next = if k + 1 < xs.len() {
                xs[k + 1]
            } else {
                xs[0] + circ
            };
            dims.push(((x0, a0), (next, a0), "b".to_string()));
        }
    }
    notes.push(match pit.ring_pitch_mm {
        Some(p) => format!("a  ring pitch {}", range_text(Some(p), 3, "mm")),
        None => "a  one ring: no ring pitch".to_string(),
    });
    notes.push(match pit.needle_pitch_deg {
        Some(p) => format!(
            "b  needle pitch within a ring {} = {}",
            range_text(Some(p), 3, "°"),
            range_text(
                Some((mm_of(p.0), mm_of(p.1))),
                3,
                "mm along the circumference"
            )
        ),
        None => "b  one needle per ring: no pitch within a ring".to_string(),
    });
    notes.push(match pit.stagger_deg {
        Some(st) => format!(
            "c  stagger from one ring to the next {}° = {} mm",
            text::num(st, 3),
            text::num(mm_of(st), 3)
        ),
        None => "c  one ring: no stagger".to_string(),
    });
    notes.push(format!(
        "drum Ø {} mm × {} mm wide · circumference πD = {} mm · needles numbered as in needles.csv",
        text::tick(r.diameter_mm),
        text::tick(r.width_mm),
        text::num(circ, 2)
    ));
    let per_pass = made.density_per_pass_mm2 * 100.0;
    let lengths: Vec<f64> = r.needles.iter().map(|n| n.length_mm).collect();
    let lmin = lengths.iter().copied().fold(f64::INFINITY, f64::min);
    let lmax = lengths.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut lines = vec![
        format!(
            "{} in {} · drum Ø {} × {} mm · needles {} mm long, Ø {} mm, tip {} mm",
            count(r.needles.len(), "needle"),
            count(nrings, "ring"),
            text::tick(r.diameter_mm),
            text::tick(r.width_mm),
            range_text(Some((lmin, lmax)), 2, "").trim_end(),
            text::tick(d.needle.diameter_mm),
            text::tick(d.needle.tip_length_mm)
        ),
        format!(
            "one pass lays {} channels/cm² (lanes {} mm apart) · pressed with {} N",
            text::num(per_pass, 1),
            text::tick(d.treatment.lane_spacing_mm),
            text::tick(d.device.force_n())
        ),
    ];
    lines.push(if stretch > 1.001 {
        format!("unrolled drum surface seen from outside · axial axis stretched ×{} so rings can be labelled", text::num(stretch, 2))
    } else {
        "unrolled drum surface seen from outside · equal scale on both axes".to_string()
    });
    let plot = (LEFT, TOP, pw, ph);
    let notes_h = 30 * notes.len() as u32 + 20;
    let height = (TOP as u32 + ph + 80 + notes_h).max(TOP as u32 + 300 + 80 + notes_h);
    Needles {
        size: (W, height),
        plot,
        window: [0.0, -half_w, circ, half_w],
        top_axis: Some((0.0, 360.0)),
        x_name: "along the circumference (mm) = angle/360 · πD".into(),
        y_name: "axial position from mid-plane (mm)".into(),
        head: format!("{} — needles: the drum unrolled", d.name),
        lines,
        radius_px: ((d.needle.diameter_mm / 2.0 * s).round() as i32).max(4),
        dots,
        scale: depth_scale(&depths),
        side_labels,
        dims,
        notes,
        numbers: false,
    }
}

fn array(d: &Design, a: &ArrayView, made: &kinematics::MadeDevice, reached: &[f64]) -> Needles {
    let r_mm = d.needle.diameter_mm / 2.0;
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for n in a.needles {
        x0 = x0.min(n.along_mm);
        x1 = x1.max(n.along_mm);
        y0 = y0.min(n.across_mm);
        y1 = y1.max(n.across_mm);
    }
    let pad = (0.2 * (x1 - x0).max(y1 - y0)).max(0.6) + r_mm;
    let (x0, x1, y0, y1) = (x0 - pad, x1 + pad, y0 - pad, y1 + pad);
    let s = (860.0 / (x1 - x0)).min(760.0 / (y1 - y0));
    let (pw, ph) = (
        ((x1 - x0) * s).round() as u32,
        ((y1 - y0) * s).round() as u32,
    );
    let dots: Vec<Dot> = a
        .needles
        .iter()
        .enumerate()
        .map(|(i, n)| Dot {
            x: n.along_mm,
            y: n.across_mm,
            depth_mm: reached[i],
            number: i,
        })
        .collect();
    let depths: Vec<f64> = dots.iter().map(|x| x.depth_mm).collect();
    let what = a.what;
    let notes = vec![
        format!(
            "nearest needles {} mm apart (centre to centre) · the {what} treats a {} mm wide lane",
            a.needles
                .len()
                .gt(&1)
                .then(|| array_pitch_mm(a.needles))
                .flatten()
                .map_or("—".into(), |v| text::num(v, 3)),
            text::num(a.width_mm, 2)
        ),
        a.motion.clone(),
        "needles numbered as in needles.csv · stroke direction →".to_string(),
    ];
    let lines = vec![
        a.title.clone(),
        format!("one pass lays {} channels/cm² (lanes {} mm apart)", text::num(made.density_per_pass_mm2 * 100.0, 1), text::tick(d.treatment.lane_spacing_mm)),
        format!("{what} seen from above · across the stroke increases upward · equal scale on both axes"),
    ];
    let notes_h = 30 * notes.len() as u32 + 20;
    Needles {
        size: (W, (TOP as u32 + ph.max(400) + 80 + notes_h)),
        plot: (LEFT, TOP, pw, ph),
        window: [x0, y0, x1, y1],
        top_axis: None,
        x_name: "along the stroke (mm)".into(),
        y_name: "across the stroke (mm)".into(),
        head: format!("{} — needles: the {what} seen from above", d.name),
        lines,
        radius_px: ((r_mm * s).round() as i32).max(5),
        dots,
        scale: depth_scale(&depths),
        side_labels: Vec::new(),
        dims: Vec::new(),
        notes,
        numbers: a.needles.len() <= 80,
    }
}

impl Figure for Needles {
    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>) -> Drawn {
        let (px, py, pw, ph) = self.plot;
        let e = canvas::err;
        text::title(root, &self.head, &self.lines)?;
        let top_h: u32 = if self.top_axis.is_some() { 60 } else { 0 };
        let area = root.clone().shrink(
            (px - frame::Y_LABEL_W as i32, py - top_h as i32),
            (pw + frame::Y_LABEL_W, ph + frame::X_LABEL_H + top_h),
        );
        let [x0, y0, x1, y1] = self.window;
        let mut b = ChartBuilder::on(&area);
        b.x_label_area_size(frame::X_LABEL_H)
            .y_label_area_size(frame::Y_LABEL_W);
        if self.top_axis.is_some() {
            b.top_x_label_area_size(top_h);
        }
        let ta = self.top_axis.unwrap_or((0.0, 1.0));
        let mut chart = b
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(e)?
            .set_secondary_coord(ta.0..ta.1, y0..y1);
        chart
            .configure_mesh()
            .x_labels(((pw as f64) / 90.0).round().max(2.0) as usize)
            .y_labels(((ph as f64) / 60.0).round().max(2.0) as usize)
            .x_label_formatter(&|v| text::tick(*v))
            .y_label_formatter(&|v| text::tick(*v))
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(215, 215, 215))
            .label_style(text::text(18))
            .axis_desc_style(text::text(20))
            .x_desc(self.x_name.as_str())
            .y_desc(self.y_name.as_str())
            .draw()
            .map_err(e)?;
        if self.top_axis.is_some() {
            chart
                .configure_secondary_axes()
                .x_labels(13)
                .x_label_formatter(&|v| format!("{}°", text::tick(*v)))
                .label_style(text::text(18))
                .axis_desc_style(text::text(20))
                .x_desc("angle on the drum (°)")
                .draw()
                .map_err(e)?;
        }
        let pa = chart.plotting_area();
        let to_px = |x: f64, y: f64| {
            let sx = pw as f64 / (x1 - x0);
            let sy = ph as f64 / (y1 - y0);
            (
                px + ((x - x0) * sx).round() as i32,
                py + ((y1 - y) * sy).round() as i32,
            )
        };
        let _ = pa;
        for dot in &self.dots {
            let c = colour::rgb(DEPTH.at(self.scale.t(dot.depth_mm)));
            let at = to_px(dot.x, dot.y);
            if dot.depth_mm > 0.0 {
                root.draw(&Circle::new(at, self.radius_px, c.filled()))
                    .map_err(e)?;
                root.draw(&Circle::new(at, self.radius_px, BLACK.stroke_width(1)))
                    .map_err(e)?;
            } else {
                root.draw(&Circle::new(
                    at,
                    self.radius_px,
                    RGBColor(120, 120, 120).stroke_width(2),
                ))
                .map_err(e)?;
            }
            if self.numbers {
                let off = self.radius_px + 4;
                text::put(
                    root,
                    dot.number.to_string(),
                    (at.0 + off, at.1 - off),
                    text::anchored(text::text(18), HPos::Left, VPos::Bottom),
                )?;
            }
        }
        if !self.numbers {
            // mark needle 0 so the numbering can be followed
            if let Some(d0) = self.dots.first() {
                let at = to_px(d0.x, d0.y);
                root.draw(&Circle::new(at, self.radius_px + 5, BLACK.stroke_width(2)))
                    .map_err(e)?;
                text::put(
                    root,
                    "needle 0".to_string(),
                    (at.0 + self.radius_px + 8, at.1 - self.radius_px - 4),
                    text::anchored(text::text(16), HPos::Left, VPos::Bottom),
                )?;
            }
        }
        let red = RGBColor(200, 0, 0);
        for ((ax, ay), (bx, by), letter) in &self.dims {
            let (pa, pb) = (to_px(*ax, *ay), to_px(*bx, *by));
            root.draw(&PathElement::new(vec![pa, pb], red.stroke_width(3)))
                .map_err(e)?;
            for p in [pa, pb] {
                root.draw(&Circle::new(p, 3, red.filled())).map_err(e)?;
            }
            let mid = ((pa.0 + pb.0) / 2, (pa.1 + pb.1) / 2);
            let below = letter != "c";
            let (tx, ty) = if pa.0 == pb.0 {
                (mid.0 - 8, mid.1)
            } else if below {
                (mid.0, mid.1 + 6)
            } else {
                (mid.0, mid.1 - 6)
            };
            let v = if below { VPos::Top } else { VPos::Bottom };
            let anchor = if pa.0 == pb.0 {
                text::anchored(text::tinted(text::bold(20), red), HPos::Right, VPos::Center)
            } else {
                text::anchored(text::tinted(text::bold(20), red), HPos::Center, v)
            };
            text::put(root, letter.clone(), (tx, ty), anchor)?;
        }
        // ring labels at the right of the plot
        let xr = px + pw as i32 + 10;
        for (y, s) in &self.side_labels {
            let (_, yy) = to_px(x0, *y);
            text::put(
                root,
                s.clone(),
                (xr, yy),
                text::anchored(text::text(18), HPos::Left, VPos::Center),
            )?;
        }
        // colour bar
        let bx = (px + pw as i32 + 120).max(1150);
        let bar = BarPlace {
            x: bx,
            y: py + 30,
            h: ph.clamp(200, 400),
        };
        let mut s = self.scale.clone();
        s.labels = colour::colour_bar(root, bar, &s, DEPTH)?;
        text::legend_lines(
            root,
            LEFT,
            py + ph as i32 + frame::X_LABEL_H as i32 + 20,
            20,
            &self.notes,
        )?;
        Ok(Some(s))
    }
}
