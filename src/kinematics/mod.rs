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
mod stamp;

pub use pen::pen_opening;
pub use roller::{entry_angle_rad, roller_opening, slit_rigid_mm};

use crate::channel::Channel;
use crate::design::{Design, Device};
use crate::error::LimitError;
use crate::insertion::Mechanics;
use crate::math::{deg_to_rad, trig, Point, Vector};
use crate::rng::{Stream, StreamId};
use rayon::prelude::*;

/// Most channels one field may hold (refused up front beyond; ~80 bytes each).
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
        self.channels
            .iter()
            .filter(move |c| c.in_region(self.area_mm))
    }
}

/// A needle of the device as made, with the channel it makes at the stated force.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MadeNeedle {
    /// Index in the design's needle list.
    pub index: u32,
    /// Offset across the stroke, mm: a roller needle's axial position, an array needle's
    /// across offset (array frame, before the array is turned).
    pub across_mm: f64,
    /// Offset along the stroke, mm: where a roller needle touches down (R·φ, arc length on
    /// the drum), an array needle's along offset (array frame).
    pub along_mm: f64,
    /// Length as made, mm (pen: the setting plus the needle's length error).
    pub length_mm: f64,
    /// Insertion depth at the stated force, mm (> 0).
    pub depth_mm: f64,
    /// Depth of the channel left after withdrawal, mm.
    pub channel_depth_mm: f64,
    /// Opening radius, mm.
    pub radius_mm: f64,
    /// Opening slit length, mm.
    pub slit_mm: f64,
}

impl MadeNeedle {
    /// The channel this needle makes at `p` during `pass`, its opening's long axis along the
    /// frame's stroke; the stroke number is set when the lane is ordered.
    fn channel(&self, p: Point, frame: &PassFrame, skin: &crate::skin::Skin, pass: u32) -> Channel {
        let (axis, axis_deg) = frame.axis();
        Channel {
            x_mm: p.x,
            y_mm: p.y,
            axis,
            axis_deg,
            slit_mm: self.slit_mm,
            radius_mm: self.radius_mm,
            depth_mm: self.depth_mm,
            channel_depth_mm: self.channel_depth_mm,
            layer: skin.layer_at(self.depth_mm),
            pass,
            stroke: 0,
            needle: self.index,
        }
    }
}

/// A needle as drawn from the tolerance, before the force balance.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Drawn {
    pub index: u32,
    pub across_mm: f64,
    pub along_mm: f64,
    pub length_mm: f64,
}

/// What one device kind contributes: its needles' places, its force balance and opening,
/// its closed forms, and how it lays channels along a stroke. A new device kind is one
/// implementation of this trait (one file) plus its validation.
pub(crate) trait Kinematics: Sync {
    /// Nominal (across_mm, along_mm, length_mm) of every needle, in design order; the
    /// angle error in degrees is applied by [`Kinematics::along_with_angle_error`].
    fn nominal(&self) -> Vec<(f64, f64, f64)>;
    /// The along offset of a needle turned by `angle_err_deg` on the device (roller only).
    fn along_with_angle_error(&self, along_mm: f64, _angle_err_deg: f64) -> f64 {
        along_mm
    }
    /// Tip displacement below the undeformed surface each needle reaches when pressed with
    /// the device's force, mm (the force balance of [`crate::insertion`]).
    fn tip_displacements(&self, m: &Mechanics, needles: &[Drawn]) -> Vec<f64>;
    /// Slit length of the opening of a needle of length `length_mm` at insertion depth
    /// `depth_mm` (0 for devices that enter vertically).
    fn slit_mm(&self, _design: &Design, _length_mm: f64, _depth_mm: f64) -> f64 {
        0.0
    }
    /// Channels per mm² one pass lays with `n` piercing needles and lanes `lane_mm` apart.
    fn density_per_pass_mm2(&self, n: usize, lane_mm: f64) -> f64;
    /// Channels per second with `n` piercing needles.
    fn puncture_rate_per_s(&self, n: usize) -> f64;
    /// Speed over the skin, mm/s.
    fn speed_mm_s(&self) -> f64;
    /// The channels of one pass, per lane in lane order.
    fn pass_channels(
        &self,
        design: &Design,
        needles: &[MadeNeedle],
        frame: &PassFrame,
        pass: u32,
    ) -> Vec<Vec<Channel>>;
}

fn kinematics(device: &Device) -> &dyn Kinematics {
    match device {
        Device::Roller(r) => r,
        Device::Pen(p) => p,
        Device::Stamp(s) => s,
    }
}

/// The device as made and pressed, built once per analysis: its needles after manufacturing
/// variation, the depth each reaches at the stated force, and the device's closed forms.
#[derive(Clone, Debug)]
pub struct MadeDevice {
    /// The needles that pierce, in design order.
    pub needles: Vec<MadeNeedle>,
    /// Needles present (not missing).
    pub present: usize,
    /// Needles present that do not pierce at the stated force.
    pub unpierced: usize,
    /// Of those, needles that could never pierce at any force (shorter than the tenting
    /// before puncture).
    pub never_pierce: usize,
    /// The force at which every present needle that can pierce would pierce, N, when some
    /// do not at the stated force.
    pub pierce_force_n: Option<f64>,
    /// Tenting before puncture of this needle shape, mm.
    pub puncture_displacement_mm: f64,
    /// Channels per mm² one pass lays (lanes that tile).
    pub density_per_pass_mm2: f64,
    /// Channels made per second of treatment.
    pub puncture_rate_per_s: f64,
    /// Treatment time, s: the strokes' length inside the region over the device's speed.
    pub time_s: f64,
    /// Largest distance from a channel's centre to its opening's edge, mm.
    pub max_extent_mm: f64,
}

impl MadeDevice {
    /// Applies the tolerance to the device's needles (drawn from the device stream in needle
    /// order), solves the force balance and keeps the needles that pierce.
    pub fn new(design: &Design) -> MadeDevice {
        let kin = kinematics(&design.device);
        let drawn = draw_needles(design, kin);
        let nd = design.needle;
        let m = Mechanics::new(
            &design.skin,
            nd.diameter_mm,
            nd.tip_length_mm,
            nd.tip_radius_um,
        );
        let w = kin.tip_displacements(&m, &drawn);
        let mut needles = Vec::with_capacity(drawn.len());
        for (n, &w) in drawn.iter().zip(&w) {
            let Some(depth) = m.depth_mm(w) else {
                continue;
            };
            let radius = nd.diameter_mm / 2.0 * (depth / nd.tip_length_mm).min(1.0);
            needles.push(MadeNeedle {
                index: n.index,
                across_mm: n.across_mm,
                along_mm: n.along_mm,
                length_mm: n.length_mm,
                depth_mm: depth,
                channel_depth_mm: m.channel_depth_mm(depth),
                radius_mm: radius,
                slit_mm: kin.slit_mm(design, n.length_mm, depth),
            });
        }
        let wp = m.puncture_displacement_mm();
        let unpierced = drawn.len() - needles.len();
        let never_pierce = drawn.iter().filter(|n| n.length_mm < wp).count();
        let pierce_force_n = (unpierced > never_pierce)
            .then(|| pierce_force(design, &m, &drawn))
            .flatten();
        let t = &design.treatment;
        let n = needles.len();
        let max_extent_mm = needles
            .iter()
            .map(|n| n.slit_mm / 2.0 + n.radius_mm)
            .fold(0.0, f64::max);
        MadeDevice {
            present: drawn.len(),
            unpierced,
            never_pierce,
            pierce_force_n,
            puncture_displacement_mm: wp,
            density_per_pass_mm2: kin.density_per_pass_mm2(n, t.lane_spacing_mm),
            puncture_rate_per_s: kin.puncture_rate_per_s(n),
            time_s: t.pass_angles_deg.len() as f64 * t.area_mm2()
                / t.lane_spacing_mm
                / kin.speed_mm_s(),
            max_extent_mm,
            needles,
        }
    }

    /// Channels per mm² the whole treatment lays on average.
    pub fn density_mm2(&self, design: &Design) -> f64 {
        self.density_per_pass_mm2 * design.treatment.pass_angles_deg.len() as f64
    }

    /// The default field margin: enough for the influence radius and the largest gap of an
    /// even pattern at the design's density, at least 1 mm.
    pub fn default_margin_mm(&self, design: &Design) -> f64 {
        let dens = self.density_mm2(design);
        let spacing = if dens > 0.0 { 1.0 / dens.sqrt() } else { 1.0 };
        (2.0 * spacing)
            .max(design.analysis.influence_radius_mm + 0.5)
            .max(1.0)
    }

    /// Estimated channels in a field with margin `margin_mm`; refuses fields over
    /// [`MAX_CHANNELS`].
    pub fn check_channel_limit(&self, design: &Design, margin_mm: f64) -> Result<u64, LimitError> {
        let [lx, ly] = design.treatment.area_mm;
        let per_mm2 = self.density_mm2(design);
        let est = per_mm2 * (lx + 2.0 * margin_mm) * (ly + 2.0 * margin_mm);
        if est.is_nan() || est > MAX_CHANNELS as f64 {
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
}

/// Needles of the design, missing or not.
pub fn needle_count(design: &Design) -> usize {
    kinematics(&design.device).nominal().len()
}

/// Every present needle of the device with its manufacturing variation, in needle order.
/// Every needle's variation is drawn whether or not it is missing, so one needle's numbers
/// never depend on another's.
fn draw_needles(design: &Design, kin: &dyn Kinematics) -> Vec<Drawn> {
    if let Some(ab) = &design.as_built {
        // Inspected: the measured lengths, nominal places, nothing drawn.
        return kin
            .nominal()
            .into_iter()
            .zip(&ab.needles)
            .enumerate()
            .filter(|(_, (_, m))| !m.missing && m.length_mm > 0.0)
            .map(|(i, ((across, along, _), m))| Drawn {
                index: i as u32,
                across_mm: across,
                along_mm: along,
                length_mm: m.length_mm,
            })
            .collect();
    }
    let tol = design.tolerance;
    let mut rng = Stream::new(design.treatment.seed, StreamId::Device);
    let varied = tol.length_sd_mm > 0.0 || tol.angle_sd_deg > 0.0 || tol.missing_fraction > 0.0;
    let mut draw = |sd: f64| if varied { sd * rng.normal() } else { 0.0 };
    let nominal = kin.nominal();
    let n = nominal.len();
    let mut dlen = vec![0.0; n];
    let mut dang = vec![0.0; n];
    for i in 0..n {
        dlen[i] = draw(tol.length_sd_mm);
        dang[i] = draw(tol.angle_sd_deg);
    }
    let mut missing = vec![false; n];
    if tol.missing_fraction > 0.0 {
        let mut r = Stream::new(design.treatment.seed, StreamId::Missing);
        for m in missing.iter_mut() {
            *m = r.uniform() < tol.missing_fraction;
        }
    }
    nominal
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !missing[*i])
        .map(|(i, (across, along, length))| Drawn {
            index: i as u32,
            across_mm: across,
            along_mm: kin.along_with_angle_error(along, dang[i]),
            length_mm: length + dlen[i],
        })
        .filter(|n| n.length_mm > 0.0)
        .collect()
}

/// The smallest force at which every needle that can pierce (length above the tenting before
/// puncture) does, N; `None` when even 2³⁰ times the stated force does not suffice.
fn pierce_force(design: &Design, m: &Mechanics, drawn: &[Drawn]) -> Option<f64> {
    let wp = m.puncture_displacement_mm();
    let all_in = |f: f64| {
        let mut d = design.clone();
        set_force(&mut d.device, f);
        let kin = kinematics(&d.device);
        kin.tip_displacements(m, drawn)
            .iter()
            .zip(drawn)
            .all(|(w, n)| n.length_mm < wp || m.depth_mm(*w).is_some())
    };
    let mut lo = design.device.force_n();
    let mut hi = lo;
    let mut k = 0;
    while !all_in(hi) {
        lo = hi;
        hi *= 2.0;
        k += 1;
        if k > 30 {
            return None;
        }
    }
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if all_in(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

fn set_force(device: &mut Device, f: f64) {
    match device {
        Device::Roller(r) => r.force_n = f,
        Device::Pen(p) => p.drive_force_n = f,
        Device::Stamp(s) => s.force_n = f,
    }
}

/// Channels per mm² that one pass lays down on average (lanes that tile). Builds the device;
/// where it is already built, read [`MadeDevice::density_per_pass_mm2`].
pub fn density_per_pass_mm2(design: &Design) -> f64 {
    MadeDevice::new(design).density_per_pass_mm2
}

/// Channels made per second of treatment. Builds the device; where it is already built, read
/// [`MadeDevice::puncture_rate_per_s`].
pub fn puncture_rate_per_s(design: &Design) -> f64 {
    MadeDevice::new(design).puncture_rate_per_s
}

/// The default field margin of the design (see [`MadeDevice::default_margin_mm`]).
pub fn default_margin_mm(design: &Design) -> f64 {
    MadeDevice::new(design).default_margin_mm(design)
}

/// Estimated channels in a field with margin `margin_mm` (see
/// [`MadeDevice::check_channel_limit`]).
pub fn check_channel_limit(design: &Design, margin_mm: f64) -> Result<u64, LimitError> {
    MadeDevice::new(design).check_channel_limit(design, margin_mm)
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

/// Generates every channel of the design's treatment over the region grown by `margin_mm`,
/// with the device `made` (built once by [`MadeDevice::new`]).
///
/// Parallel over strokes; the result does not depend on the thread count.
pub fn generate(design: &Design, made: &MadeDevice, margin_mm: f64) -> Result<Field, LimitError> {
    made.check_channel_limit(design, margin_mm)?;
    let kin = kinematics(&design.device);
    let ext = made.max_extent_mm;
    let passes = design.treatment.pass_angles_deg.len() as u32;
    let mut channels = Vec::new();
    for pass in 0..passes {
        let frame = PassFrame::new(design, pass, margin_mm, ext);
        for lane in kin.pass_channels(design, &made.needles, &frame, pass) {
            channels.extend(lane);
        }
    }
    Ok(Field {
        channels,
        margin_mm,
        area_mm: design.treatment.area_mm,
        max_extent_mm: ext,
    })
}

/// Runs `f` for every lane of a pass in parallel and returns the lanes' channels in lane order,
/// with stroke numbers counted from the first lane.
pub(crate) fn per_lane<F>(
    design: &Design,
    frame: &PassFrame,
    lanes: std::ops::RangeInclusive<i64>,
    pass: u32,
    f: F,
) -> Vec<Vec<Channel>>
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

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use std::path::Path;

    const ROLLER: &str = r#"
name = "t"
kind = "roller"
[roller]
drum_diameter_mm = 20.0
drum_width_mm = 20.0
# pressed to the drum's body: every needle reaches its length less the residual tenting
force_n = 1000.0
[roller.layout]
pattern = "rings"
rings = 8
needles_per_ring = 24
stagger_deg = 7.5
[needle]
length_mm = 1.5
diameter_mm = 0.25
[treatment]
area_mm = [40.0, 40.0]
passes = [ { angle_deg = ANGLE } ]
seed = SEED
jitter = JITTER
"#;

    fn gen(d: &Design, margin_mm: f64) -> Result<Field, LimitError> {
        generate(d, &MadeDevice::new(d), margin_mm)
    }

    fn roller(angle: f64, seed: u64, jitter: bool) -> Design {
        let s = ROLLER
            .replace("ANGLE", &format!("{angle:?}"))
            .replace("SEED", &seed.to_string())
            .replace("JITTER", &jitter.to_string());
        Design::from_bytes(s.as_bytes(), Path::new("t.toml")).unwrap()
    }

    fn in_region(d: &Design) -> usize {
        gen(d, 1.0).unwrap().in_region().count()
    }

    /// Along-stroke x of each needle's channels, per (stroke, needle), in treatment order.
    fn xs_by_needle(f: &Field) -> Vec<Vec<f64>> {
        let mut by: std::collections::BTreeMap<(u32, u32), Vec<f64>> = Default::default();
        for c in &f.channels {
            by.entry((c.stroke, c.needle)).or_default().push(c.x_mm);
        }
        by.into_values().collect()
    }

    #[test]
    fn one_pass_density_is_n_over_pi_d_w() {
        // 192 / (π · 20 mm · 20 mm) per mm², lanes of the drum's width tile the region
        let expect = 192.0 / (std::f64::consts::PI * 20.0 * 20.0) * 1600.0;
        for angle in [0.0, 90.0, 45.0, 30.0] {
            let mean = (1..=20)
                .map(|seed| in_region(&roller(angle, seed, true)) as f64)
                .sum::<f64>()
                / 20.0;
            assert!(
                (mean / expect - 1.0).abs() < 0.01,
                "angle {angle}: {mean} vs {expect}"
            );
        }
    }

    #[test]
    fn every_channel_matches_the_closed_forms() {
        let d = roller(0.0, 3, true);
        let f = gen(&d, 1.0).unwrap();
        let (r, delta, c, h, dia, tip) = (10.0f64, 0.14f64, 0.42f64, 1.5f64, 0.25f64, 0.5f64);
        let beta = ((r + delta) / (r + h)).acos();
        let slit = (2.0 * ((r + delta) * beta.tan() - r * beta) - 2.0 * c).max(0.0);
        for ch in &f.channels {
            assert_relative_eq!(ch.depth_mm, h - delta, epsilon = 1e-12);
            assert_relative_eq!(
                ch.radius_mm,
                dia / 2.0 * ((h - delta) / tip).min(1.0),
                epsilon = 1e-12
            );
            assert_relative_eq!(ch.slit_mm, slit, epsilon = 1e-9);
            assert_eq!(ch.axis_deg, 0.0);
        }
    }

    #[test]
    fn a_needles_channels_are_one_circumference_apart() {
        for jitter in [false, true] {
            let long = ROLLER
                .replace("area_mm = [40.0, 40.0]", "area_mm = [200.0, 40.0]")
                .replace("ANGLE", "0.0")
                .replace("SEED", "5")
                .replace("JITTER", &jitter.to_string());
            let f = gen(
                &Design::from_bytes(long.as_bytes(), Path::new("t.toml")).unwrap(),
                1.0,
            )
            .unwrap();
            let mut by_needle: std::collections::BTreeMap<(u32, u32), Vec<f64>> =
                Default::default();
            for c in &f.channels {
                by_needle
                    .entry((c.stroke, c.needle))
                    .or_default()
                    .push(c.x_mm);
            }
            let mut checked = 0;
            for xs in by_needle.values() {
                for w in xs.windows(2) {
                    assert_relative_eq!(
                        w[1] - w[0],
                        2.0 * std::f64::consts::PI * 10.0,
                        epsilon = 1e-9
                    );
                    checked += 1;
                }
            }
            assert!(checked > 100);
        }
    }

    #[test]
    fn treatment_order_is_pass_stroke_then_along_the_stroke() {
        let f = gen(&roller(90.0, 2, true), 1.0).unwrap();
        for w in f.channels.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            assert!((a.pass, a.stroke) <= (b.pass, b.stroke));
            if (a.pass, a.stroke) == (b.pass, b.stroke) {
                // a 90° stroke runs towards +y
                assert!(a.y_mm <= b.y_mm + 1e-9);
            }
        }
    }

    const PEN: &str = r#"
name = "p"
kind = "pen"
[pen]
depth_mm = 1.0
frequency_hz = 110.0
hand_speed_mm_s = 25.0
cartridge_angle_deg = 30.0
[pen.cartridge]
pattern = "grid"
rows = 3
cols = 4
pitch_mm = 1.0
[needle]
diameter_mm = 0.25
[treatment]
area_mm = [40.0, 40.0]
passes = [ { angle_deg = 0.0 } ]
lane_spacing_mm = 4.0
seed = SEED
"#;

    #[test]
    fn pen_rate_and_density_per_pass() {
        let mut total = 0.0;
        for seed in 1..=10 {
            let d = Design::from_bytes(
                PEN.replace("SEED", &seed.to_string()).as_bytes(),
                Path::new("p.toml"),
            )
            .unwrap();
            assert_relative_eq!(puncture_rate_per_s(&d), 12.0 * 110.0);
            total += in_region(&d) as f64;
        }
        // N·f/(v·s) per mm²
        let expect = 12.0 * 110.0 / (25.0 * 4.0) * 1600.0;
        assert!(
            (total / 10.0 / expect - 1.0).abs() < 0.01,
            "{} vs {expect}",
            total / 10.0
        );
    }

    #[test]
    fn pen_stamps_are_v_over_f_apart() {
        let d =
            Design::from_bytes(PEN.replace("SEED", "4").as_bytes(), Path::new("p.toml")).unwrap();
        let f = gen(&d, 1.0).unwrap();
        for xs in xs_by_needle(&f) {
            for w in xs.windows(2) {
                assert_relative_eq!(w[1] - w[0], 25.0 / 110.0, epsilon = 1e-9);
            }
        }
    }

    #[test]
    fn manufacturing_variation() {
        let src = ROLLER
            .replace("ANGLE", "0.0")
            .replace("SEED", "8")
            .replace("JITTER", "true");
        let with = |tol: &str| {
            Design::from_bytes(
                format!("{src}\n[tolerance]\n{tol}\n").as_bytes(),
                Path::new("t.toml"),
            )
            .unwrap()
        };
        // half the needles missing: half the channels per pass, within sampling noise of 192 draws
        let half = MadeDevice::new(&with("missing_fraction = 0.5"))
            .needles
            .len() as f64;
        assert!((half - 96.0).abs() < 4.0 * 48f64.sqrt(), "{half}");
        // length sd 0.05 mm: depth spread with that sd around h − δ
        let d = with("length_sd_mm = 0.05");
        let depths: Vec<f64> = MadeDevice::new(&d)
            .needles
            .iter()
            .map(|n| n.depth_mm)
            .collect();
        let m = depths.iter().sum::<f64>() / depths.len() as f64;
        let sd = (depths.iter().map(|x| (x - m).powi(2)).sum::<f64>() / depths.len() as f64).sqrt();
        assert!(
            (m - 1.36).abs() < 0.015 && (sd - 0.05).abs() < 0.012,
            "mean {m} sd {sd}"
        );
        let a = crate::analysis::analyze(&d, &crate::progress::Silent).unwrap();
        assert!(a.metrics.max_depth_mm.unwrap() > a.metrics.min_depth_mm.unwrap());
    }

    #[test]
    fn jitter_off_is_reproducible_and_seed_free() {
        let a = gen(&roller(45.0, 1, false), 1.0).unwrap();
        let b = gen(&roller(45.0, 99, false), 1.0).unwrap();
        assert_eq!(a.channels, b.channels);
    }
}
