//! Fatigue of a pen's needles: one load cycle per stroke, f × session-time cycles a session.
//!
//! # Load cycle
//! Each stroke takes a needle from rest to its insertion state and back: a pulsating
//! (R = 0) cycle of the peak stress σ_max of [`super::bending::BendingCheck::peak_stress_mpa`]
//! (the larger of the root's axial-plus-bending stress and the cone's bending stress), so
//! amplitude σ_a = σ_max/2 and mean σ_m = σ_max/2.
//!
//! # S-N curve (Basquin through two points, the textbook construction)
//! S(N) = 0.9·S_u at N = 10³ cycles, falling as a straight line in log–log to the endurance
//! limit S_e at N_e = 10⁷ cycles (data sheets quote S_e at 10⁷), and S_e beyond:
//! S(N) = 0.9·S_u·(N/10³)^b, b = log₁₀(S_e/(0.9·S_u))/4. Smooth-specimen values with no
//! surface or size factor: a 0.25 mm wire is far smaller than the specimens (which helps)
//! and drawn (which may hurt).
//!
//! # Mean stress and the factor
//! Goodman's line, loads growing in proportion: n_G = 1/(σ_a/S(N) + σ_m/S_u), N the strokes
//! of one session; equivalently S(N) over the equivalent amplitude σ_a + σ_m·S(N)/S_u, so
//! with N ≥ 10⁷ it is the model's "endurance limit / stress amplitude per stroke". S(N) never
//! rises with N, so the factor never rises with frequency × session time. Yield in a single
//! stroke is the bending factor's business ([`super::bending`]), not repeated here.
//!
//! # Sessions a cartridge survives
//! The equivalent fully reversed amplitude σ_ar = σ_a/(1 − σ_m/S_u) fails at
//! N_f = 10³·(σ_ar/(0.9 S_u))^(1/b) cycles (infinite when σ_ar ≤ S_e), so a cartridge
//! survives N_f/(f·T) sessions.

use crate::base::math::trig;
use crate::model::material::MaterialProps;

/// Cycles at which the data-sheet endurance limit applies (the knee of the S-N curve).
pub const KNEE_CYCLES: f64 = 1e7;
/// Cycles of the low-cycle anchor of the S-N line.
pub const LOW_CYCLES: f64 = 1e3;
/// Strength at [`LOW_CYCLES`] as a fraction of the ultimate strength.
pub const LOW_CYCLE_FRACTION: f64 = 0.9;

/// Default length of a pen session, s \[A\]: 30 minutes (facts: "150 Hz for a 30-minute
/// session is 270 000 strokes per needle").
pub const DEFAULT_SESSION_S: f64 = 1800.0;

/// A pen's duty: how many strokes a needle sees in a session.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PenDuty {
    /// Stamps per second f, Hz.
    pub frequency_hz: f64,
    /// Length of one session T, s (`pen.session_s`).
    pub session_s: f64,
}

impl PenDuty {
    /// Strokes per needle in one session, f·T.
    pub fn cycles_per_session(&self) -> f64 {
        self.frequency_hz * self.session_s
    }
}

/// The S-N curve of a material with an endurance limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SnCurve {
    /// Ultimate strength S_u, MPa.
    pub ultimate_mpa: f64,
    /// Endurance limit S_e at [`KNEE_CYCLES`], MPa.
    pub endurance_mpa: f64,
}

impl SnCurve {
    /// The curve of `mat`; `None` without an endurance limit.
    pub fn of(mat: &MaterialProps) -> Option<Self> {
        mat.endurance_limit_mpa.map(|se| SnCurve {
            ultimate_mpa: mat.ultimate_strength_mpa,
            endurance_mpa: se.min(LOW_CYCLE_FRACTION * mat.ultimate_strength_mpa),
        })
    }

    /// Basquin exponent b (≤ 0).
    pub fn exponent(&self) -> f64 {
        trig::log10(self.endurance_mpa / (LOW_CYCLE_FRACTION * self.ultimate_mpa))
            / trig::log10(KNEE_CYCLES / LOW_CYCLES)
    }

    /// Fully reversed strength at `cycles`, MPa: 0.9·S_u up to 10³, S_e from 10⁷.
    pub fn strength_mpa(&self, cycles: f64) -> f64 {
        let s1 = LOW_CYCLE_FRACTION * self.ultimate_mpa;
        if cycles <= LOW_CYCLES {
            s1
        } else if cycles >= KNEE_CYCLES {
            self.endurance_mpa
        } else {
            (s1 * trig::pow(cycles / LOW_CYCLES, self.exponent())).max(self.endurance_mpa)
        }
    }

    /// Cycles to failure at the fully reversed amplitude `amplitude_mpa` (∞ at or below S_e).
    pub fn cycles_to_failure(&self, amplitude_mpa: f64) -> f64 {
        if amplitude_mpa <= self.endurance_mpa {
            return f64::INFINITY;
        }
        let b = self.exponent();
        if b >= 0.0 {
            return LOW_CYCLES;
        }
        LOW_CYCLES
            * trig::pow(
                amplitude_mpa / (LOW_CYCLE_FRACTION * self.ultimate_mpa),
                1.0 / b,
            )
    }
}

/// A pen needle's fatigue check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FatigueCheck {
    /// Goodman factor at the session's cycle count, 1/(σ_a/S(N) + σ_m/S_u).
    pub factor: f64,
    /// Stress amplitude per stroke σ_a, MPa.
    pub amplitude_mpa: f64,
    /// Mean stress per stroke σ_m, MPa.
    pub mean_mpa: f64,
    /// Strokes in one session, f·T.
    pub cycles_per_session: f64,
    /// Fully reversed strength at that many cycles, MPa.
    pub strength_mpa: f64,
    /// Cycles to failure (∞ below the endurance limit).
    pub cycles_to_failure: f64,
    /// Sessions a cartridge survives, N_f/(f·T) (∞ below the endurance limit).
    pub sessions_survived: f64,
}

/// The fatigue check of a needle whose stroke peaks at `peak_stress_mpa`; `None` for a
/// material without an endurance limit (PLA) or a pen that does not stroke.
///
/// # Examples
/// ```
/// use needlemap::model::{material::MaterialProps, strength::fatigue::*};
/// let ss = MaterialProps::of("ss304").unwrap();
/// let duty = PenDuty { frequency_hz: 110.0, session_s: 1800.0 };
/// let low = fatigue_check(100.0, &ss, &duty).unwrap();
/// let high = fatigue_check(300.0, &ss, &duty).unwrap();
/// assert!(low.factor > high.factor && low.sessions_survived.is_infinite());
/// ```
pub fn fatigue_check(
    peak_stress_mpa: f64,
    mat: &MaterialProps,
    duty: &PenDuty,
) -> Option<FatigueCheck> {
    let sn = SnCurve::of(mat)?;
    let cycles = duty.cycles_per_session();
    if cycles.is_nan() || cycles <= 0.0 {
        return None;
    }
    let sigma_a = 0.5 * peak_stress_mpa.max(0.0);
    let sigma_m = sigma_a;
    let s_n = sn.strength_mpa(cycles);
    let su = mat.ultimate_strength_mpa;
    let factor = if sigma_a > 0.0 {
        1.0 / (sigma_a / s_n + sigma_m / su)
    } else {
        f64::INFINITY
    };
    let cycles_to_failure = if sigma_m >= su {
        0.0
    } else {
        sn.cycles_to_failure(sigma_a / (1.0 - sigma_m / su))
    };
    Some(FatigueCheck {
        factor,
        amplitude_mpa: sigma_a,
        mean_mpa: sigma_m,
        cycles_per_session: cycles,
        strength_mpa: s_n,
        cycles_to_failure,
        sessions_survived: cycles_to_failure / cycles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn sn_curve_anchors_and_inverse() {
        let mat = MaterialProps::of("ti6al4v").unwrap();
        let sn = SnCurve::of(&mat).unwrap();
        assert_relative_eq!(sn.strength_mpa(1e3), 0.9 * 900.0);
        assert_relative_eq!(sn.strength_mpa(1e7), 510.0);
        assert_relative_eq!(sn.strength_mpa(1e9), 510.0);
        for n in [2e3, 5e4, 3e6] {
            assert_relative_eq!(
                sn.cycles_to_failure(sn.strength_mpa(n)),
                n,
                max_relative = 1e-9
            );
        }
        assert!(sn.cycles_to_failure(500.0).is_infinite());
        // no endurance limit, no fatigue factor
        let pla = MaterialProps::of("pla").unwrap();
        let duty = PenDuty {
            frequency_hz: 100.0,
            session_s: 60.0,
        };
        assert!(fatigue_check(10.0, &pla, &duty).is_none());
    }

    #[test]
    fn past_the_knee_it_is_the_endurance_limit_over_the_equivalent_amplitude() {
        let mat = MaterialProps::of("ss304").unwrap();
        let duty = PenDuty {
            frequency_hz: 150.0,
            session_s: 1e5,
        };
        let c = fatigue_check(300.0, &mat, &duty).unwrap();
        let (sa, sm) = (150.0, 150.0);
        assert_relative_eq!(
            c.factor,
            240.0 / (sa + sm * 240.0 / 505.0),
            max_relative = 1e-12
        );
    }
}
