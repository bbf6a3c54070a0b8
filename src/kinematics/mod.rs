//! Kinematics: how a device moving over the skin turns its needles into channels.
//!
//! A pass at angle θ is a set of parallel strokes (lanes) `lane_spacing_mm` apart. Along a
//! stroke the coordinate is s (direction (cos θ, sin θ)), across it u (direction
//! (−sin θ, cos θ)), both measured from the region's centre; lane i runs at
//! u = o + i·lane_spacing, with the pass's offset o uniform in [0, lane_spacing).
//!
//! The engine simulates a *field*: the region grown by a margin on every side, so that the
//! openings near the region's edges, and the nearest openings of points near the edges, are
//! all there: strokes in effect start and end outside the region and the region is treated
//! uniformly. Channels are produced in treatment order: pass, then stroke (lane by lane, in
//! increasing u), then along the stroke (increasing s; ties by needle number).

mod pen;
mod roller;

pub use pen::pen_opening;
pub use roller::{entry_angle_rad, roller_opening, slit_rigid_mm};

use crate::channel::Channel;
use crate::design::{Design, Device};
use crate::error::LimitError;
use crate::math::{deg_to_rad, trig, Point, Vector};
use crate::rng::{Stream, StreamId};
use rayon::prelude::*;

/// Most channels one field may hold (refused up front beyond; ~72 bytes each).
pub const MAX_CHANNELS: u64 = 20_000_000;

/// The channels of one treatment over the region and its margin.
#[derive(Clone, Debug)]
pub struct Field {
    /// Channels in treatment order.
    pub channels: Vec<Channel>,
    /// The margin simulated around the region, mm.
    pub margin_mm: f64,
    /// The region Lx × Ly, mm.
    pub area_mm: [f64; 2],
    /// Largest distance from a channel's centre to its opening's edge, mm.
    pub max_extent_mm: f64,
}

impl Field {
    /// Channels whose centre lies in the region.
    pub fn in_region(&self) -> impl Iterator<Item = &Channel> + '_ {
        self.channels.iter().filter(move |c| c.in_region(self.area_mm))
    }
}

/// A needle as made: nominal position and shape after manufacturing variation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MadeNeedle {
    /// Index in the design's needle list.
    pub index: u32,
    /// Roller: axial mm; pen: across mm (cartridge frame, before rotation).
    pub a: f64,
    /// Roller: angle rad; pen: along mm.
    pub b: f64,
    /// Depth reached, mm (> 0).
    pub depth_mm: f64,
    /// Opening radius, mm.
    pub radius_mm: f64,
    /// Opening slit length, mm.
    pub slit_mm: f64,
}

/// Applies the tolerance to the device's needles, drawing from the device stream in needle
/// order, and keeps those that pierce.
pub(crate) fn made_needles(design: &Design) -> Vec<MadeNeedle> {
    let tol = design.tolerance;
    let mut rng = Stream::new(design.treatment.seed, StreamId::Device);
    let varied = tol.length_sd_mm > 0.0 || tol.angle_sd_deg > 0.0 || tol.missing_fraction > 0.0;
    let mut draw = |sd: f64| if varied { sd * rng.normal() } else { 0.0 };
    let mut out = Vec::new();
    let n = design.device.needle_count();
    // Draw every needle's variation whether or not it pierces, so one needle's numbers never
    // depend on another's.
    let mut missing = vec![false; n];
    let mut dlen = vec![0.0; n];
    let mut dang = vec![0.0; n];
    for i in 0..n {
        dlen[i] = draw(tol.length_sd_mm);
        dang[i] = draw(tol.angle_sd_deg);
    }
    if tol.missing_fraction > 0.0 {
        let mut r = Stream::new(design.treatment.seed, StreamId::Pass(u32::MAX));
        for m in missing.iter_mut() {
            *m = r.uniform() < tol.missing_fraction;
        }
    }
    let skin = &design.skin;
    let nd = design.needle;
    match &design.device {
        Device::Roller(r) => {
            for (i, nl) in r.needles.iter().enumerate() {
                if missing[i] {
                    continue;
                }
                let h = nl.length_mm + dlen[i];
                if let Some((depth, radius, slit)) = roller_opening(r.radius_mm(), skin.deflection_mm, skin.tangential_slack_mm, h, nd.diameter_mm, nd.tip_length_mm) {
                    out.push(MadeNeedle { index: i as u32, a: nl.axial_mm, b: deg_to_rad(nl.angle_deg + dang[i]), depth_mm: depth, radius_mm: radius, slit_mm: slit });
                }
            }
        }
        Device::Pen(p) => {
            for (i, nl) in p.needles.iter().enumerate() {
                if missing[i] {
                    continue;
                }
                if let Some((depth, radius)) = pen_opening(p.depth_mm + dlen[i], skin.deflection_mm, nd.diameter_mm, nd.tip_length_mm) {
                    out.push(MadeNeedle { index: i as u32, a: nl.across_mm, b: nl.along_mm, depth_mm: depth, radius_mm: radius, slit_mm: 0.0 });
                }
            }
        }
    }
    out
}

/// Number of needles that can never pierce (h ≤ δ), nominal lengths.
pub fn non_piercing_needles(design: &Design) -> usize {
    let d = design.skin.deflection_mm;
    match &design.device {
        Device::Roller(r) => r.needles.iter().filter(|n| n.length_mm <= d).count(),
        Device::Pen(p) => usize::from(p.depth_mm <= d) * p.needles.len(),
    }
}

/// Channels per mm² that one pass lays down on average (lanes that tile).
pub fn density_per_pass_mm2(design: &Design) -> f64 {
    let n = made_needles(design).len() as f64;
    let l = design.treatment.lane_spacing_mm;
    match &design.device {
        Device::Roller(r) => n / (2.0 * std::f64::consts::PI * r.radius_mm() * l),
        Device::Pen(p) => n * p.frequency_hz / (p.hand_speed_mm_s * l),
    }
}

/// Channels made per second of treatment.
pub fn puncture_rate_per_s(design: &Design) -> f64 {
    let n = made_needles(design).len() as f64;
    match &design.device {
        Device::Roller(r) => n * r.roll_speed_mm_s / (2.0 * std::f64::consts::PI * r.radius_mm()),
        Device::Pen(p) => n * p.frequency_hz,
    }
}

/// Treatment time: the strokes' length inside the region (area / lane spacing per pass)
/// divided by the device's speed over the skin, s.
pub fn treatment_time_s(design: &Design) -> f64 {
    let t = &design.treatment;
    let speed = match &design.device {
        Device::Roller(r) => r.roll_speed_mm_s,
        Device::Pen(p) => p.hand_speed_mm_s,
    };
    t.pass_angles_deg.len() as f64 * t.area_mm2() / t.lane_spacing_mm / speed
}

/// The default field margin: enough for the influence radius and the largest gap of an even
/// pattern at the design's density, at least 1 mm.
pub fn default_margin_mm(design: &Design) -> f64 {
    let dens = density_per_pass_mm2(design) * design.treatment.pass_angles_deg.len() as f64;
    let spacing = if dens > 0.0 { 1.0 / dens.sqrt() } else { 1.0 };
    (2.0 * spacing).max(design.analysis.influence_radius_mm + 0.5).max(1.0)
}

/// Estimated channels in a field with margin `margin_mm`; refuses fields over [`MAX_CHANNELS`].
pub fn check_channel_limit(design: &Design, margin_mm: f64) -> Result<u64, LimitError> {
    let [lx, ly] = design.treatment.area_mm;
    let per_mm2 = density_per_pass_mm2(design) * design.treatment.pass_angles_deg.len() as f64;
    let est = per_mm2 * (lx + 2.0 * margin_mm) * (ly + 2.0 * margin_mm);
    if !(est <= MAX_CHANNELS as f64) {
        let fit = (MAX_CHANNELS as f64 / per_mm2).sqrt() - 2.0 * margin_mm;
        return Err(LimitError::Channels {
            design: design.name.clone(),
            estimated: est.min(u64::MAX as f64) as u64,
            limit: MAX_CHANNELS,
            margin_mm,
            fit_side_mm: fit.max(0.0),
        });
    }
    Ok(est as u64)
}

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
    fn new(design: &Design, pass: u32, margin: f64, ext: f64) -> PassFrame {
        let t = &design.treatment;
        let angle_deg = t.pass_angles_deg[pass as usize];
        let th = deg_to_rad(angle_deg);
        let es = trig::unit(th);
        let eu = Vector::new(-es.y, es.x);
        let [lx, ly] = t.area_mm;
        let centre = Point::new(lx / 2.0, ly / 2.0);
        let g = margin + ext;
        let rect = [-g, -g, lx + g, ly + g];
        let corners = [(rect[0], rect[1]), (rect[2], rect[1]), (rect[0], rect[3]), (rect[2], rect[3])];
        let (mut s0, mut s1, mut u0, mut u1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for (x, y) in corners {
            let d = Point::new(x, y) - centre;
            let s = d.dot(&es);
            let u = d.dot(&eu);
            s0 = s0.min(s);
            s1 = s1.max(s);
            u0 = u0.min(u);
            u1 = u1.max(u);
        }
        let offset_mm = if t.jitter { Stream::new(t.seed, StreamId::Pass(pass)).uniform() * t.lane_spacing_mm } else { 0.0 };
        PassFrame { es, eu, centre, s_range: (s0, s1), u_range: (u0, u1), rect, angle_deg, offset_mm }
    }

    /// Lanes whose needles (lateral offsets in [a_min, a_max]) can reach the field.
    fn lanes(&self, lane: f64, a_min: f64, a_max: f64) -> std::ops::RangeInclusive<i64> {
        let first = ((self.u_range.0 - a_max - self.offset_mm) / lane).ceil() as i64;
        let last = ((self.u_range.1 - a_min - self.offset_mm) / lane).floor() as i64;
        first..=last
    }

    fn point(&self, s: f64, u: f64) -> Point {
        self.centre + self.es * s + self.eu * u
    }

    fn inside(&self, p: &Point) -> bool {
        p.x >= self.rect[0] && p.x <= self.rect[2] && p.y >= self.rect[1] && p.y <= self.rect[3]
    }

    fn axis(&self) -> ([f64; 2], f64) {
        ([self.es.x, self.es.y], self.angle_deg.rem_euclid(180.0))
    }
}

/// Generates every channel of the design's treatment over the region grown by `margin_mm`.
///
/// Parallel over strokes; the result does not depend on the thread count.
pub fn generate(design: &Design, margin_mm: f64) -> Result<Field, LimitError> {
    check_channel_limit(design, margin_mm)?;
    let needles = made_needles(design);
    let ext = needles.iter().map(|n| n.slit_mm / 2.0 + n.radius_mm).fold(0.0, f64::max);
    let passes = design.treatment.pass_angles_deg.len() as u32;
    let mut channels = Vec::new();
    for pass in 0..passes {
        let frame = PassFrame::new(design, pass, margin_mm, ext);
        let per_lane: Vec<Vec<Channel>> = match &design.device {
            Device::Roller(r) => roller::pass_channels(design, r, &needles, &frame, pass),
            Device::Pen(p) => pen::pass_channels(design, p, &needles, &frame, pass),
        };
        for lane in per_lane {
            channels.extend(lane);
        }
    }
    Ok(Field { channels, margin_mm, area_mm: design.treatment.area_mm, max_extent_mm: ext })
}

/// Runs `f` for every lane of a pass in parallel and returns the lanes' channels in lane order,
/// with stroke numbers counted from the first lane.
pub(crate) fn per_lane<F>(design: &Design, frame: &PassFrame, lanes: std::ops::RangeInclusive<i64>, pass: u32, f: F) -> Vec<Vec<Channel>>
where
    F: Fn(&mut Stream, f64, &mut Vec<(f64, u32, Channel)>) + Sync,
{
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
