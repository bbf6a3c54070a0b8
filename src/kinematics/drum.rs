//! A drum rolling without slip (model §2): when it turns by ψ its axis advances R·ψ, so
//! needle j, at arc position R·φ_j on the drum, points straight down at
//! s = R·(φ_j − ψ₀) + 2πR·k: a channel every 2πR along the stroke, at lateral position
//! u_lane + a_j. ψ₀ is the stroke's start phase (uniform in [0, 2π) with jitter, 0 without).

use super::{per_lane, Pass};
use crate::model::channel::Channel;

/// The channels of one pass of a drum of radius `r` mm, per lane in lane order.
pub(super) fn channels(p: &Pass, r: f64) -> Vec<Vec<Channel>> {
    let (needles, frame) = (p.needles, p.frame);
    if needles.is_empty() {
        return Vec::new();
    }
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
