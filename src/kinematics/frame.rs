//! One pass over the field: its frame (stroke and lateral directions, ranges, the pass's
//! random lateral offset) and the parallel per-lane generation every device uses.

use super::MadeNeedle;
use crate::base::math::{deg_to_rad, trig, Point, Vector};
use crate::base::rng::{Stream, StreamId};
use crate::design::Design;
use crate::model::channel::Channel;
use rayon::prelude::*;

/// Geometry of one pass over the field.
pub(crate) struct PassFrame {
    pub es: Vector,
    pub eu: Vector,
    pub centre: Point,
    /// s range of the field (grown by the opening extent).
    pub s_range: (f64, f64),
    /// u range of the field (grown by the opening extent).
    pub u_range: (f64, f64),
    /// Field rectangle grown by the opening extent: x0, y0, x1, y1.
    pub rect: [f64; 4],
    pub angle_deg: f64,
    pub offset_mm: f64,
}

impl PassFrame {
    pub(super) fn new(design: &Design, pass: u32, margin: f64, ext: f64) -> PassFrame {
        let t = &design.treatment;
        let angle_deg = t.pass_angles_deg[pass as usize];
        let th = deg_to_rad(angle_deg);
        let es = trig::unit(th);
        let eu = Vector::new(-es.y, es.x);
        let [lx, ly] = t.area_mm;
        let centre = Point::new(lx / 2.0, ly / 2.0);
        let g = margin + ext;
        let rect = [-g, -g, lx + g, ly + g];
        let corners = [
            (rect[0], rect[1]),
            (rect[2], rect[1]),
            (rect[0], rect[3]),
            (rect[2], rect[3]),
        ];
        let (mut s0, mut s1, mut u0, mut u1) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        for (x, y) in corners {
            let d = Point::new(x, y) - centre;
            let s = d.dot(&es);
            let u = d.dot(&eu);
            s0 = s0.min(s);
            s1 = s1.max(s);
            u0 = u0.min(u);
            u1 = u1.max(u);
        }
        let offset_mm = if t.jitter {
            Stream::new(t.seed, StreamId::Pass(pass)).uniform() * t.lane_spacing_mm
        } else {
            0.0
        };
        PassFrame {
            es,
            eu,
            centre,
            s_range: (s0, s1),
            u_range: (u0, u1),
            rect,
            angle_deg,
            offset_mm,
        }
    }

    /// Lanes whose needles (lateral offsets in [a_min, a_max]) can reach the field.
    pub(super) fn lanes(&self, lane: f64, a_min: f64, a_max: f64) -> std::ops::RangeInclusive<i64> {
        let first = ((self.u_range.0 - a_max - self.offset_mm) / lane).ceil() as i64;
        let last = ((self.u_range.1 - a_min - self.offset_mm) / lane).floor() as i64;
        first..=last
    }

    pub(super) fn point(&self, s: f64, u: f64) -> Point {
        self.centre + self.es * s + self.eu * u
    }

    pub(super) fn inside(&self, p: &Point) -> bool {
        p.x >= self.rect[0] && p.x <= self.rect[2] && p.y >= self.rect[1] && p.y <= self.rect[3]
    }

    pub(super) fn axis(&self) -> ([f64; 2], f64) {
        ([self.es.x, self.es.y], self.angle_deg.rem_euclid(180.0))
    }
}

/// One pass being laid: the design, the device's needles as made, the pass's frame and number.
pub(crate) struct Pass<'a> {
    pub design: &'a Design,
    pub needles: &'a [MadeNeedle],
    pub frame: &'a PassFrame,
    pub pass: u32,
}

/// A lane's channels as laid, each with its key along the stroke and its needle number (the
/// order of the lane once sorted).
pub(crate) type Lane = Vec<(f64, u32, Channel)>;

impl Pass<'_> {
    /// Lays the channel needle `n` makes at (`s`, `u`) of the stroke frame into `out`, keyed
    /// `key` along the stroke, if it lies in the field.
    pub(super) fn lay(&self, out: &mut Lane, key: f64, n: &MadeNeedle, s: f64, u: f64) {
        let p = self.frame.point(s, u);
        if self.frame.inside(&p) {
            out.push((
                key,
                n.index,
                n.channel(p, self.frame, &self.design.skin, self.pass),
            ));
        }
    }
}

/// Runs `f` for every lane of a pass in parallel and returns the lanes' channels in lane order,
/// with stroke numbers counted from the first lane.
pub(crate) fn per_lane<F>(p: &Pass, lanes: std::ops::RangeInclusive<i64>, f: F) -> Vec<Vec<Channel>>
where
    F: Fn(&mut Stream, f64, &mut Lane) + Sync,
{
    let (design, frame, pass) = (p.design, p.frame, p.pass);
    let first = *lanes.start();
    let lane_mm = design.treatment.lane_spacing_mm;
    let lanes: Vec<i64> = lanes.collect();
    lanes
        .par_iter()
        .map(|&i| {
            let mut rng = Stream::new(design.treatment.seed, StreamId::Stroke(pass, i));
            let u = frame.offset_mm + i as f64 * lane_mm;
            let mut buf = Vec::new();
            f(&mut rng, u, &mut buf);
            buf.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            buf.into_iter()
                .map(|(_, _, mut c)| {
                    c.stroke = (i - first) as u32;
                    c
                })
                .collect()
        })
        .collect()
}
