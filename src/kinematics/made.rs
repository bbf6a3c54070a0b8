//! The device as made and pressed, built once per analysis: the tolerance's draws applied to
//! the nominal needles, the force balance of [`crate::model::insertion`] solved for them, and the
//! device's closed forms (density per pass, puncture rate, treatment time, margin, limits).

use super::PassFrame;
use crate::base::error::LimitError;
use crate::base::math::Point;
use crate::base::rng::{Stream, StreamId};
use crate::design::kinds::{DeviceKind, DrawnNeedle};
use crate::design::Design;
use crate::model::channel::Channel;
use crate::model::insertion::Mechanics;

/// Most channels one field may hold, refused up front beyond: a run holds about 170 bytes per
/// channel at its peak (the channel, its sort keys, the gap's and overlap's bucket grids, the
/// CSV rows), so this bounds a run near 0.35 GB, and its time to about half a minute on two
/// cores for the densest fields (MF8 rolled 10 000 times, 2.5 million overlapping channels in
/// 40 × 40 mm, took 35 s and 0.9 GB); the 300 × 300 mm body roller has 0.58 million.
pub const MAX_CHANNELS: u64 = 2_000_000;

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
    /// Tip radius as made (drawn from the tolerance or inspected), µm.
    pub tip_radius_um: f64,
    /// Insertion depth at the stated force, mm (> 0).
    pub depth_mm: f64,
    /// Depth of the channel left after withdrawal, mm.
    pub channel_depth_mm: f64,
    /// Opening radius, mm.
    pub radius_mm: f64,
    /// Opening slit length, mm.
    pub slit_mm: f64,
    /// Axial force the needle carries just before it pierces, tip free (its puncture force), N.
    pub puncture_force_n: f64,
    /// Axial force it carries at its insertion depth, tip held, N.
    pub load_n: f64,
}

impl MadeNeedle {
    /// The channel this needle makes at `p` during `pass`, its opening's long axis along the
    /// frame's stroke; the stroke number is set when the lane is ordered.
    pub(super) fn channel(
        &self,
        p: Point,
        frame: &PassFrame,
        skin: &crate::model::skin::Skin,
        pass: u32,
    ) -> Channel {
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
    /// Of those, needles that could never pierce at any force: the device's body reaches the
    /// skin before their tips indent it as far as puncture takes.
    pub never_pierce: usize,
    /// The force at which every present needle that can pierce would pierce, N, when some
    /// do not at the stated force.
    pub pierce_force_n: Option<f64>,
    /// Indentation at puncture of the nominal needle shape in free skin, u_p, mm.
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
        MadeDevice::build(design, true)
    }

    /// [`MadeDevice::new`] without the search for [`MadeDevice::pierce_force_n`] (always
    /// `None` here): all the limit checks need, before any analysis builds the device whole.
    pub fn for_limits(design: &Design) -> MadeDevice {
        MadeDevice::build(design, false)
    }

    fn build(design: &Design, find_pierce_force: bool) -> MadeDevice {
        let kin = design.device.kind_of();
        let drawn = draw_needles(design, kin);
        let nd = design.needle;
        let m = Mechanics::new(
            &design.skin,
            nd.diameter_mm,
            nd.tip_length_mm,
            nd.tip_radius_um,
        );
        let ms = super::needle_mechanics(design, &drawn);
        let tips = kin.press(&ms, &drawn, design.skin.coupling_length_mm);
        let mut needles = Vec::with_capacity(drawn.len());
        for ((n, tip), m) in drawn.iter().zip(&tips).zip(&ms) {
            let Some(depth) = tip.depth_mm else {
                continue;
            };
            let radius = nd.diameter_mm / 2.0 * (depth / nd.tip_length_mm).min(1.0);
            needles.push(MadeNeedle {
                index: n.index,
                across_mm: n.across_mm,
                along_mm: n.along_mm,
                length_mm: n.length_mm,
                tip_radius_um: n.tip_radius_um,
                depth_mm: depth,
                channel_depth_mm: m.channel_depth_mm(depth),
                radius_mm: radius,
                slit_mm: kin.slit_mm(&design.skin, n.length_mm, depth),
                puncture_force_n: m.puncture_n,
                load_n: tip.load_n,
            });
        }
        let wp = m.puncture_displacement_mm();
        let unpierced = drawn.len() - needles.len();
        let never_pierce = tips.iter().filter(|t| !t.can_pierce).count();
        let pierce_force_n = (find_pierce_force && unpierced > never_pierce)
            .then(|| pierce_force(design, &ms, &drawn))
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

    /// The same device under `design`'s treatment: the figures a made device keeps of its
    /// treatment (density per pass: the lanes; time: the passes, the region, the lanes)
    /// recomputed, its needles as they are. `design` must differ from the one the device was
    /// made for in `[treatment]` alone, seed apart (the search of `optimise` shares one device
    /// between such candidates).
    pub fn with_treatment(&self, design: &Design) -> MadeDevice {
        let kin = design.device.kind_of();
        let t = &design.treatment;
        MadeDevice {
            density_per_pass_mm2: kin.density_per_pass_mm2(self.needles.len(), t.lane_spacing_mm),
            time_s: t.pass_angles_deg.len() as f64 * t.area_mm2()
                / t.lane_spacing_mm
                / kin.speed_mm_s(),
            ..self.clone()
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
        // no wider than the region: a near-empty field (a pen at 1e-300 Hz) must not make
        // ~1e150 lanes; the analysis grows the margin further when a gap needs it
        let side = design.treatment.area_mm[0].max(design.treatment.area_mm[1]);
        (2.0 * spacing)
            .min(side)
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
    design.device.kind_of().nominal().len()
}

/// Every present needle of the device with its manufacturing variation, in needle order.
/// Every needle's variation is drawn whether or not it is missing, so one needle's numbers
/// never depend on another's.
pub(super) fn draw_needles(design: &Design, kin: &dyn DeviceKind) -> Vec<DrawnNeedle> {
    if let Some(ab) = &design.as_built {
        // Inspected: the measured lengths and tip radii, nominal places, nothing drawn.
        return kin
            .nominal()
            .into_iter()
            .zip(&ab.needles)
            .enumerate()
            .filter(|(_, (_, m))| !m.missing && m.length_mm > 0.0)
            .map(|(i, ((across, along, _), m))| DrawnNeedle {
                index: i as u32,
                across_mm: across,
                along_mm: along,
                length_mm: m.length_mm,
                tip_radius_um: m.tip_radius_um.unwrap_or(design.needle.tip_radius_um),
            })
            .collect();
    }
    let tol = design.tolerance;
    let mut rng = Stream::new(design.treatment.seed, StreamId::Device);
    let varied = tol.length_sd_mm > 0.0
        || tol.angle_sd_deg > 0.0
        || tol.missing_fraction > 0.0
        || tol.tip_radius_sd_um > 0.0;
    let mut draw = |sd: f64| if varied { sd * rng.normal() } else { 0.0 };
    let nominal = kin.nominal();
    let n = nominal.len();
    let mut dlen = vec![0.0; n];
    let mut dang = vec![0.0; n];
    let mut tip = vec![design.needle.tip_radius_um; n];
    for i in 0..n {
        dlen[i] = draw(tol.length_sd_mm);
        dang[i] = draw(tol.angle_sd_deg);
        if tol.tip_radius_sd_um > 0.0 {
            tip[i] = super::draw_tip_radius_um(design, &mut draw);
        }
    }
    // a pen's setting error: one for the whole cartridge, uniform within ± the tolerance
    let setting_mm = match &design.device {
        crate::design::Device::Pen(p) if p.setting_tolerance_mm > 0.0 => {
            let mut r = Stream::new(design.treatment.seed, StreamId::Setting);
            p.setting_tolerance_mm * (2.0 * r.uniform() - 1.0)
        }
        _ => 0.0,
    };
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
        .map(|(i, (across, along, length))| DrawnNeedle {
            index: i as u32,
            across_mm: across,
            along_mm: kin.along_with_angle_error(along, dang[i]),
            length_mm: length + dlen[i] + setting_mm,
            tip_radius_um: tip[i],
        })
        .filter(|n| n.length_mm > 0.0)
        .collect()
}

/// The smallest force at which every needle that can pierce (its tip reaches the indentation
/// of puncture before the body stops the device) does, N; `None` when even 2³⁰ times the
/// stated force does not suffice.
fn pierce_force(design: &Design, ms: &[Mechanics], drawn: &[DrawnNeedle]) -> Option<f64> {
    // One copy of the device, its force set at each step (not the whole design per step).
    let mut device = design.device.clone();
    let mut all_in = |f: f64| {
        device.set_force_n(f);
        let kin = device.kind_of();
        let ell = design.skin.coupling_length_mm;
        kin.press(ms, drawn, ell)
            .iter()
            .all(|t| !t.can_pierce || t.depth_mm.is_some())
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
