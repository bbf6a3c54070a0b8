//! Roller kinematics (model §2): a drum of radius R rolling without slip.
//!
//! When the drum turns by ψ its axis advances R·ψ, so needle j, at angle φ_j on the drum,
//! points straight down at s = R·(φ_j − ψ₀) + 2πR·k: a channel every 2πR along the stroke,
//! at lateral position u_lane + a_j. ψ₀ is the stroke's start phase (uniform in [0, 2π)
//! with jitter, 0 without).

use super::describe::RowSource::{Assumed, Key};
use super::describe::{device_row, CostFactor, Describe, DeviceRow, NeedleView, PairSide};
use super::{per_lane, Drawn, Kinematics, Pass};
use crate::base::fmt::fmt_num;
use crate::base::math::{deg_to_rad, trig};
use crate::design::{Design, Roller};
use crate::model::channel::Channel;
use crate::model::insertion::{drum_displacements_each, DrumNeedle, Mechanics};

/// Entry angle β_e of a needle of length `h_mm` on a drum of radius `r_mm` into skin that
/// tents by `deflection_mm`: cos β_e = (R + δ)/(R + h). `None` when the needle cannot pierce.
pub fn entry_angle_rad(r_mm: f64, deflection_mm: f64, h_mm: f64) -> Option<f64> {
    if h_mm <= deflection_mm {
        return None;
    }
    Some(trig::acos((r_mm + deflection_mm) / (r_mm + h_mm)))
}

/// The slit rigid skin would tear, ℓ₀ = 2((R + δ)·tan β_e − R·β_e), mm.
///
/// # Examples
/// ```
/// // a 1.5 mm needle on a 20 mm drum, rigid skin with no tenting: about a 1 mm slit
/// let l0 = needlemap::kinematics::slit_rigid_mm(10.0, 0.0, 1.5).unwrap();
/// assert!((l0 - 1.028).abs() < 0.001);
/// ```
pub fn slit_rigid_mm(r_mm: f64, deflection_mm: f64, h_mm: f64) -> Option<f64> {
    let b = entry_angle_rad(r_mm, deflection_mm, h_mm)?;
    Some(2.0 * ((r_mm + deflection_mm) * trig::tan(b) - r_mm * b))
}

/// Depth, opening radius and slit of a roller needle of length `h_mm` that tents the skin by
/// `deflection_mm` at full load: depth = h − δ, r = (d/2)·min(1, depth/t),
/// ℓ = max(0, ℓ₀ − 2c). `None` when it cannot pierce. The analysis takes δ = h − d from the
/// force balance of [`crate::model::insertion`]; this is the closed form of one needle.
pub fn roller_opening(
    r_mm: f64,
    deflection_mm: f64,
    slack_mm: f64,
    h_mm: f64,
    d_mm: f64,
    tip_mm: f64,
) -> Option<(f64, f64, f64)> {
    let l0 = slit_rigid_mm(r_mm, deflection_mm, h_mm)?;
    let depth = h_mm - deflection_mm;
    let radius = d_mm / 2.0 * (depth / tip_mm).min(1.0);
    let slit = (l0 - 2.0 * slack_mm).max(0.0);
    Some((depth, radius, slit))
}

impl Kinematics for Roller {
    fn nominal(&self) -> Vec<(f64, f64, f64)> {
        let r = self.radius_mm();
        self.needles
            .iter()
            .map(|n| (n.axial_mm, r * deg_to_rad(n.angle_deg), n.length_mm))
            .collect()
    }

    fn along_with_angle_error(&self, along_mm: f64, angle_err_deg: f64) -> f64 {
        along_mm + self.radius_mm() * deg_to_rad(angle_err_deg)
    }

    fn tip_displacements(&self, ms: &[Mechanics], needles: &[Drawn]) -> Vec<f64> {
        let r = self.radius_mm();
        let drum: Vec<DrumNeedle> = needles
            .iter()
            .map(|n| DrumNeedle {
                angle_rad: n.along_mm / r,
                length_mm: n.length_mm,
            })
            .collect();
        drum_displacements_each(ms, r, &drum, self.force_n)
    }

    fn slit_mm(&self, design: &Design, length_mm: f64, depth_mm: f64) -> f64 {
        let tenting = length_mm - depth_mm;
        slit_rigid_mm(self.radius_mm(), tenting, length_mm).map_or(0.0, |l0| {
            (l0 - 2.0 * design.skin.tangential_slack_mm).max(0.0)
        })
    }

    fn density_per_pass_mm2(&self, n: usize, lane_mm: f64) -> f64 {
        n as f64 / (2.0 * std::f64::consts::PI * self.radius_mm() * lane_mm)
    }

    fn puncture_rate_per_s(&self, n: usize) -> f64 {
        n as f64 * self.roll_speed_mm_s / (2.0 * std::f64::consts::PI * self.radius_mm())
    }

    fn speed_mm_s(&self) -> f64 {
        self.roll_speed_mm_s
    }

    fn pass_channels(&self, p: &Pass) -> Vec<Vec<Channel>> {
        let (needles, frame) = (p.needles, p.frame);
        if needles.is_empty() {
            return Vec::new();
        }
        let r = self.radius_mm();
        let circ = 2.0 * std::f64::consts::PI * r;
        let a_min = needles
            .iter()
            .map(|n| n.across_mm)
            .fold(f64::INFINITY, f64::min);
        let a_max = needles
            .iter()
            .map(|n| n.across_mm)
            .fold(f64::NEG_INFINITY, f64::max);
        let lanes = frame.lanes(p.design.treatment.lane_spacing_mm, a_min, a_max);
        let jitter = p.design.treatment.jitter;
        per_lane(p, lanes, |rng, u_lane, out| {
            let psi0 = if jitter {
                rng.uniform() * 2.0 * std::f64::consts::PI
            } else {
                0.0
            };
            for n in needles {
                let s0 = n.along_mm - r * psi0;
                let k0 = ((frame.s_range.0 - s0) / circ).ceil() as i64;
                let k1 = ((frame.s_range.1 - s0) / circ).floor() as i64;
                let u = u_lane + n.across_mm;
                for k in k0..=k1 {
                    let s = s0 + circ * k as f64;
                    p.lay(out, s, n, s, u);
                }
            }
        })
    }
}

impl Describe for Roller {
    fn kind(&self) -> &'static str {
        "roller"
    }

    fn needle_count(&self) -> usize {
        self.needles.len()
    }

    fn force_n(&self) -> f64 {
        self.force_n
    }

    fn set_force_n(&mut self, force_n: f64) {
        self.force_n = force_n;
    }

    fn force_words(&self) -> &'static str {
        "hand force on the roller"
    }

    fn pair_side(&self) -> Option<PairSide> {
        Some(PairSide::Roller)
    }

    fn cost_factor(&self) -> CostFactor {
        let n = self.needles.len();
        ("roller.layout", n as f64 / 500.0, format!("{n} needles"))
    }

    fn sheet_rows(&self) -> Vec<DeviceRow> {
        let mm = |x: f64| fmt_num(x, 2);
        let n = self.needles.len();
        let mut rings: Vec<u32> = self.needles.iter().map(|n| n.ring).collect();
        rings.sort_unstable();
        rings.dedup();
        let layout = format!("{} rings on the drum, {n} needles", rings.len());
        let lengths = self.needles.iter().map(|n| n.length_mm);
        let lo = lengths.clone().fold(f64::INFINITY, f64::min);
        let hi = lengths.fold(0.0, f64::max);
        let length = match (hi - lo).abs() < 1e-9 {
            true => mm(lo),
            false => format!("{}–{}", mm(lo), mm(hi)),
        };
        let (dia, width) = (
            fmt_num(self.drum_diameter_mm, 1),
            fmt_num(self.drum_width_mm, 1),
        );
        let drum = format!("{dia} × {width}");
        let src = Key("needle.length_mm", "");
        let force = Assumed("roller.force_n");
        let speed = fmt_num(self.roll_speed_mm_s, 1);
        let v_src = Assumed("roller.roll_speed_mm_s");
        let none = super::describe::RowSource::None;
        vec![
            device_row("layout", "layout", layout, "", none.clone()),
            device_row("length", "needle length", length, "mm", src),
            device_row("drum", "drum diameter × width", drum, "mm", none),
            device_row("force", "stated hand force", mm(self.force_n), "N", force),
            device_row("speed", "roll speed", speed, "mm/s", v_src),
        ]
    }

    fn needles_caption(&self) -> &'static str {
        "drum layout: the drum surface unrolled, every needle"
    }

    fn needle_table(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let head = vec!["needle", "ring", "axial_mm", "angle_deg", "length_mm"];
        let rows = self.needles.iter().enumerate().map(|(i, n)| {
            vec![
                i.to_string(),
                n.ring.to_string(),
                fmt_num(n.axial_mm, 4),
                fmt_num(n.angle_deg, 4),
                fmt_num(n.length_mm, 4),
            ]
        });
        (head, rows.collect())
    }

    fn needle_view(&self, _: &Design, _: f64, _: &str) -> NeedleView<'_> {
        NeedleView::Drum(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn entry_angle_closed_form() {
        let b = entry_angle_rad(10.0, 0.14, 1.5).unwrap();
        assert_relative_eq!(b.cos(), 10.14 / 11.5, epsilon = 1e-14);
        assert!(entry_angle_rad(10.0, 0.14, 0.14).is_none());
    }

    #[test]
    fn slack_shortens_slit_and_tip_limits_radius() {
        let (depth, r, l) = roller_opening(10.0, 0.14, 0.4, 1.5, 0.25, 0.5).unwrap();
        assert_relative_eq!(depth, 1.36, epsilon = 1e-12);
        assert_relative_eq!(r, 0.125);
        let l0 = slit_rigid_mm(10.0, 0.14, 1.5).unwrap();
        assert_relative_eq!(l, l0 - 0.8, epsilon = 1e-12);
        // a shallow needle opens only part of its tip
        let (depth, r, _) = roller_opening(10.0, 0.14, 0.0, 0.34, 0.25, 0.5).unwrap();
        assert_relative_eq!(r, 0.125 * depth / 0.5, epsilon = 1e-12);
    }

    #[test]
    fn slit_grows_with_needle_length() {
        let mut last = 0.0;
        for i in 1..20 {
            let l = slit_rigid_mm(10.0, 0.0, 0.1 * i as f64).unwrap();
            assert!(l > last);
            last = l;
        }
    }
}
