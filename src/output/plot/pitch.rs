//! The pitches that define a needle layout, as the needle picture draws and writes them: a
//! roller's ring pitch, needle pitch within a ring and stagger between rings; a pen's
//! array's nearest-neighbour distance.

use crate::design::{PenNeedle, RollerNeedle};

/// The layout pitches of a ring layout.
#[derive(Clone, Debug, PartialEq)]
pub struct RingPitches {
    /// Distinct axial positions, ascending, mm.
    pub rings_mm: Vec<f64>,
    /// Smallest and largest distance between neighbouring rings, mm.
    pub ring_pitch_mm: Option<(f64, f64)>,
    /// Smallest and largest angle between neighbouring needles of the first ring, degrees.
    pub needle_pitch_deg: Option<(f64, f64)>,
    /// Angle from the first ring's first needle to the second ring's first, degrees in [0, 360).
    pub stagger_deg: Option<f64>,
}

/// The pitches of a drum's layout.
pub fn ring_pitches(needles: &[RollerNeedle]) -> RingPitches {
    let mut rings_mm: Vec<f64> = Vec::new();
    for n in needles {
        if !rings_mm.iter().any(|a| (a - n.axial_mm).abs() < 1e-9) {
            rings_mm.push(n.axial_mm);
        }
    }
    rings_mm.sort_by(f64::total_cmp);
    let gaps: Vec<f64> = rings_mm.windows(2).map(|w| w[1] - w[0]).collect();
    let minmax = |v: &[f64]| {
        (!v.is_empty()).then(|| {
            (
                v.iter().copied().fold(f64::INFINITY, f64::min),
                v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            )
        })
    };
    let ring_angles = |a: f64| {
        let mut v: Vec<f64> = needles
            .iter()
            .filter(|n| (n.axial_mm - a).abs() < 1e-9)
            .map(|n| n.angle_deg.rem_euclid(360.0))
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let first = rings_mm
        .first()
        .map(|&a| ring_angles(a))
        .unwrap_or_default();
    let mut pitch: Vec<f64> = first.windows(2).map(|w| w[1] - w[0]).collect();
    if first.len() > 1 {
        pitch.push(first[0] + 360.0 - first[first.len() - 1]);
    }
    let stagger = (rings_mm.len() > 1).then(|| {
        let second = ring_angles(rings_mm[1]);
        (second[0] - first[0]).rem_euclid(360.0)
    });
    RingPitches {
        ring_pitch_mm: minmax(&gaps),
        needle_pitch_deg: minmax(&pitch),
        stagger_deg: stagger,
        rings_mm,
    }
}

/// Nearest-neighbour distance of a flat array's needles, mm; `None` with fewer than two.
pub fn array_pitch_mm(needles: &[PenNeedle]) -> Option<f64> {
    let mut best: Option<f64> = None;
    for (i, a) in needles.iter().enumerate() {
        for b in &needles[i + 1..] {
            let d = (a.along_mm - b.along_mm).hypot(a.across_mm - b.across_mm);
            best = Some(best.map_or(d, |x: f64| x.min(d)));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pitches_of_a_staggered_ring_layout() {
        let mut v = Vec::new();
        for i in 0..8u32 {
            for j in 0..24 {
                v.push(RollerNeedle {
                    ring: i,
                    axial_mm: (i as f64 - 3.5) * 2.5,
                    angle_deg: (j as f64 * 15.0 + i as f64 * 7.5).rem_euclid(360.0),
                    length_mm: 1.5,
                });
            }
        }
        let p = ring_pitches(&v);
        assert_eq!(p.rings_mm.len(), 8);
        let (a, b) = p.ring_pitch_mm.unwrap();
        assert!((a - 2.5).abs() < 1e-12 && (b - 2.5).abs() < 1e-12);
        let (a, b) = p.needle_pitch_deg.unwrap();
        assert!((a - 15.0).abs() < 1e-9 && (b - 15.0).abs() < 1e-9);
        assert!((p.stagger_deg.unwrap() - 7.5).abs() < 1e-9);
    }
}
