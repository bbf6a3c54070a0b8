//! The detail picture: a 5 × 5 mm window (centred in the region; the region itself if it is
//! smaller) at true scale, 200 px per mm, every opening that reaches it drawn as its real
//! shape — a capsule of straight part `slit_mm` along the stroke and radius `radius_mm`, a
//! round hole when the slit is 0 — coloured by the angle of its pass, later passes on top.
//!
//! A picture pixel is filled when its centre lies in an opening (closed capsule), the same
//! rule as the raster engine's, so the share of filled pixels is the window's coverage at
//! 5 µm pitch.

use super::canvas::{self, Root};
use super::colour::{self};
use super::encode::Drawn;
use super::frame::{self, Overlay, Region, RegionFrame};
use super::text;
use super::{Picture, PlotError};
use crate::base::math::{seg_point_dist2, Point};
use crate::metrics::analysis::Analysis;
use crate::model::channel::Channel;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Side of the window, mm.
pub const WINDOW_MM: f64 = 5.0;

/// Background of the window (skin without an opening).
pub const BACKGROUND: [u8; 3] = [255, 255, 255];

/// The window the detail picture shows, mm: x0, y0, x1, y1.
pub fn window_mm(a: &Analysis) -> [f64; 4] {
    let [lx, ly] = a.design.treatment.area_mm;
    let side = WINDOW_MM.min(lx).min(ly);
    let (x0, y0) = ((lx - side) / 2.0, (ly - side) / 2.0);
    [x0, y0, x0 + side, y0 + side]
}

/// The channels whose opening may reach the window.
pub fn channels_in(a: &Analysis, w: [f64; 4]) -> Vec<Channel> {
    a.field
        .channels
        .iter()
        .filter(|c| {
            c.x_mm + c.extent_mm() >= w[0]
                && c.x_mm - c.extent_mm() <= w[2]
                && c.y_mm + c.extent_mm() >= w[1]
                && c.y_mm - c.extent_mm() <= w[3]
        })
        .copied()
        .collect()
}

struct Detail {
    legend: Vec<([u8; 3], String)>,
    covered_share: f64,
    shapes: Vec<String>,
}

/// Renders the picture.
pub fn render(a: &Analysis) -> Result<Picture, PlotError> {
    let w = window_mm(a);
    let frame = RegionFrame::new(w);
    let (_, _, pw, ph) = frame.plot;
    let chans = channels_in(a, w);
    let mut angles: Vec<f64> = Vec::new();
    for &g in &a.design.treatment.pass_angles_deg {
        if !angles.contains(&g) {
            angles.push(g);
        }
    }
    let colour_of = |c: &Channel| {
        let g = a.design.treatment.pass_angles_deg[c.pass as usize];
        colour::category(angles.iter().position(|&x| x == g).unwrap_or(0))
    };
    let edge_mm = 1.5 / frame.px_per_mm();
    let buf = frame::fill_rows(pw, ph, |j, row| {
        let y = frame.mm_at(0, j).1;
        let near: Vec<&Channel> = chans
            .iter()
            .filter(|c| (c.y_mm - y).abs() <= c.extent_mm())
            .collect();
        for (i, px) in row.chunks_mut(3).enumerate() {
            let x = frame.mm_at(i as u32, j).0;
            let p = Point::new(x, y);
            let mut out = BACKGROUND;
            for c in &near {
                if (c.x_mm - x).abs() > c.extent_mm() {
                    continue;
                }
                let (s0, s1) = c.segment();
                let d = seg_point_dist2(s0, s1, p).sqrt();
                if d <= c.radius_mm {
                    let col = colour_of(c);
                    // a darker rim shows each opening's outline where openings overlap
                    out = if c.radius_mm - d < edge_mm {
                        col.map(|v| (v as f64 * 0.55) as u8)
                    } else {
                        col
                    };
                }
            }
            px.copy_from_slice(&out);
        }
    });
    let covered = buf.chunks(3).filter(|p| *p != BACKGROUND).count();
    let covered_share = covered as f64 / (pw as f64 * ph as f64);
    let passes = &a.design.treatment.pass_angles_deg;
    let legend = angles
        .iter()
        .enumerate()
        .map(|(k, g)| {
            let n = passes.iter().filter(|&&x| x == *g).count();
            let what = if n == 1 { "pass" } else { "passes" };
            (
                colour::category(k),
                format!("{}°  ({n} {what})", text::tick(*g)),
            )
        })
        .collect();
    let mut shapes: Vec<(String, usize)> = Vec::new();
    for c in &chans {
        let s = if c.slit_mm > 0.0 {
            format!(
                "{} × {} mm",
                text::num(c.slit_mm + 2.0 * c.radius_mm, 2),
                text::num(2.0 * c.radius_mm, 2)
            )
        } else {
            format!("Ø {} mm", text::num(2.0 * c.radius_mm, 2))
        };
        match shapes.iter_mut().find(|(t, _)| *t == s) {
            Some(e) => e.1 += 1,
            None => shapes.push((s, 1)),
        }
    }
    shapes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let lines = vec![
        super::design_line(&a.design),
        super::key_figures(a),
        format!(
            "true scale, {} px per mm · window x {}–{} mm, y {}–{} mm · {} openings reach it",
            text::tick(frame.px_per_mm()),
            text::num(w[0], 1),
            text::num(w[2], 1),
            text::num(w[1], 1),
            text::num(w[3], 1),
            chans.len()
        ),
    ];
    let fig = Region {
        frame,
        head: format!("{} — detail: the openings at true scale", a.design.name),
        lines,
        buf,
        over: Detail {
            legend,
            covered_share,
            shapes: shapes
                .into_iter()
                .take(3)
                .flat_map(|(s, n)| {
                    let kind = if s.starts_with('Ø') {
                        "round holes"
                    } else {
                        "capsules"
                    };
                    [format!("{n} {kind}"), format!("    {s} each")]
                })
                .collect(),
        },
    };
    Picture::of_region("detail", &fig)
}

impl Overlay for Detail {
    fn draw_over<DB: DrawingBackend>(&self, root: &Root<DB>, f: &RegionFrame) -> Drawn {
        let py0 = f.plot.1;
        let x = f.bar_left();
        let mut y = py0 + 20;
        text::put(
            root,
            "colour = pass angle".to_string(),
            (x, y),
            text::bold(20),
        )?;
        y += 40;
        for (c, s) in &self.legend {
            root.draw(&Rectangle::new(
                [(x, y), (x + 28, y + 20)],
                colour::rgb(*c).filled(),
            ))
            .map_err(canvas::err)?;
            text::put(
                root,
                s.clone(),
                (x + 40, y + 10),
                text::anchored(text::text(20), HPos::Left, VPos::Center),
            )?;
            y += 32;
        }
        y += 20;
        text::put(
            root,
            "shapes in the window".to_string(),
            (x, y),
            text::bold(20),
        )?;
        y = text::legend_lines(root, x, y + 32, 18, &self.shapes)?;
        y += 10;
        y = text::legend_lines(
            root,
            x,
            y,
            20,
            &[format!(
                "covered: {} % of window",
                text::num(100.0 * self.covered_share, 1)
            )],
        )?;
        // scale bar: 1 mm at the picture's scale
        y += 40;
        text::put(root, "scale".to_string(), (x, y), text::bold(20))?;
        let bar_px = f.px_per_mm().round() as i32;
        let yb = y + 50;
        root.draw(&Rectangle::new(
            [(x, yb), (x + bar_px, yb + 10)],
            BLACK.filled(),
        ))
        .map_err(canvas::err)?;
        for xx in [x, x + bar_px] {
            root.draw(&PathElement::new(
                vec![(xx, yb - 8), (xx, yb + 18)],
                BLACK.stroke_width(2),
            ))
            .map_err(canvas::err)?;
        }
        text::put(
            root,
            "1 mm".to_string(),
            (x + bar_px / 2, yb + 24),
            text::anchored(text::text(20), HPos::Center, VPos::Top),
        )?;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_colours_differ_from_background_and_rims() {
        for c in colour::PALETTE {
            assert_ne!(c, BACKGROUND);
            assert_ne!(c.map(|v| (v as f64 * 0.55) as u8), BACKGROUND);
        }
    }
}
