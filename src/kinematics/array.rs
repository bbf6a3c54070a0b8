//! What a pen cartridge and a hand stamp share: a flat needle array, pressed as a whole (one
//! force shared by its needles, the backing stopping them at their reach) and set down every
//! `step_mm` along each stroke, turned by an angle to the stroke.

use super::{per_lane, Pass};
use crate::base::math::{deg_to_rad, trig};
use crate::model::channel::Channel;

/// The channels of one pass of an array turned by `angle_deg` to the stroke and set down
/// every `step` mm along it, per lane in lane order.
pub(super) fn channels(p: &Pass, angle_deg: f64, step: f64) -> Vec<Vec<Channel>> {
    if p.needles.is_empty() {
        return Vec::new();
    }
    let alpha = deg_to_rad(angle_deg);
    let (ca, sa) = (trig::cos(alpha), trig::sin(alpha));
    // (along, across) in the stroke frame after rotating the array
    let offs: Vec<(f64, f64)> = p
        .needles
        .iter()
        .map(|n| {
            (
                n.along_mm * ca - n.across_mm * sa,
                n.along_mm * sa + n.across_mm * ca,
            )
        })
        .collect();
    let u_min = offs.iter().map(|o| o.1).fold(f64::INFINITY, f64::min);
    let u_max = offs.iter().map(|o| o.1).fold(f64::NEG_INFINITY, f64::max);
    let s_min = offs.iter().map(|o| o.0).fold(f64::INFINITY, f64::min);
    let s_max = offs.iter().map(|o| o.0).fold(f64::NEG_INFINITY, f64::max);
    let frame = p.frame;
    let lanes = frame.lanes(p.design.treatment.lane_spacing_mm, u_min, u_max);
    let jitter = p.design.treatment.jitter;
    per_lane(p, lanes, |rng, u_lane, out| {
        let s0 = if jitter { rng.uniform() * step } else { 0.0 };
        let k0 = ((frame.s_range.0 - s_max - s0) / step).ceil() as i64;
        let k1 = ((frame.s_range.1 - s_min - s0) / step).floor() as i64;
        for k in k0..=k1 {
            let sk = s0 + step * k as f64;
            for (n, o) in p.needles.iter().zip(&offs) {
                p.lay(out, sk, n, sk + o.0, u_lane + o.1);
            }
        }
    })
}
