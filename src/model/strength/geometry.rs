//! The needle as a structure: a solid round shaft of diameter d ending in a cone of length t
//! whose diameter falls linearly from d to the point, rounded to the tip radius r_tip.
//!
//! Coordinates: `u` is the distance from the apex towards the root (0 at the point, L at the
//! root, where the needle leaves the drum, backing plate or cartridge and is taken as
//! clamped). Cone: D(u) = d·u/t for u < t; shaft: D(u) = d. A needle shorter than its taper is
//! all cone (t is taken as at most L).

use std::f64::consts::PI;

/// The exposed needle (model §2: length h, diameter d, conical tip t; `needle.tip_radius_um`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NeedleGeometry {
    /// Exposed (free) length L from the clamped root to the point, mm (> 0). Pen: the
    /// setting plus the needle's length error.
    pub length_mm: f64,
    /// Shaft diameter d, mm (> 0).
    pub shaft_diameter_mm: f64,
    /// Length of the conical tip t, mm (≥ 0; taken as at most L).
    pub tip_length_mm: f64,
    /// Radius of the rounded point, µm (≥ 0, at most the shaft's radius): truncates the cone
    /// where D = 2·r_tip.
    pub tip_radius_um: f64,
}

impl NeedleGeometry {
    /// The cone's length as built: min(t, L), mm.
    pub fn cone_length_mm(&self) -> f64 {
        self.tip_length_mm.min(self.length_mm)
    }

    /// Taper ratio t/d of the cone as built (0 for a blunt cylinder).
    ///
    /// # Examples
    /// ```
    /// use needlemap::model::strength::geometry::NeedleGeometry;
    /// let g = NeedleGeometry { length_mm: 1.5, shaft_diameter_mm: 0.25, tip_length_mm: 0.5, tip_radius_um: 4.0 };
    /// assert_eq!(g.taper_ratio(), 2.0);
    /// ```
    pub fn taper_ratio(&self) -> f64 {
        self.cone_length_mm() / self.shaft_diameter_mm
    }

    /// Diameter of the sharp profile `u_mm` from the apex, mm: d·min(1, u/t).
    pub fn diameter_at_mm(&self, u_mm: f64) -> f64 {
        let t = self.cone_length_mm();
        if t <= 0.0 || u_mm >= t {
            self.shaft_diameter_mm
        } else {
            self.shaft_diameter_mm * (u_mm.max(0.0) / t)
        }
    }

    /// Where the rounded point truncates the cone: the u at which D = 2·r_tip, mm (never below
    /// 10⁻⁶·t, so a perfectly sharp cone still has a finite last section; at most t/2).
    pub fn apex_truncation_mm(&self) -> f64 {
        let t = self.cone_length_mm();
        let u = 2.0 * self.tip_radius_um * 1e-3 * t / self.shaft_diameter_mm;
        u.max(1e-6 * t).min(0.5 * t)
    }

    /// Shaft cross-section A = πd²/4, mm².
    pub fn shaft_area_mm2(&self) -> f64 {
        PI * self.shaft_diameter_mm * self.shaft_diameter_mm / 4.0
    }

    /// Shaft section modulus Z = πd³/32, mm³.
    pub fn shaft_section_modulus_mm3(&self) -> f64 {
        PI * self.shaft_diameter_mm.powi(3) / 32.0
    }

    /// Projected (side) area of the first `inserted_mm` from the apex, mm²: ∫₀^z D(u) du,
    /// d·z²/(2t) in the cone, d·t/2 + d·(z − t) beyond it.
    pub fn projected_area_mm2(&self, inserted_mm: f64) -> f64 {
        let (d, t) = (self.shaft_diameter_mm, self.cone_length_mm());
        let z = inserted_mm.clamp(0.0, self.length_mm);
        if z <= t {
            d * z * z / (2.0 * t)
        } else {
            d * t / 2.0 + d * (z - t)
        }
    }

    /// First moment about the apex of that projected area, ∫₀^z D(u)·u du, mm³.
    pub fn projected_moment_mm3(&self, inserted_mm: f64) -> f64 {
        let (d, t) = (self.shaft_diameter_mm, self.cone_length_mm());
        let z = inserted_mm.clamp(0.0, self.length_mm);
        if z <= t {
            d * z * z * z / (3.0 * t)
        } else {
            d * t * t / 3.0 + d * (z * z - t * t) / 2.0
        }
    }

    /// Distance from the apex to the centroid of the inserted projected area, mm: where a
    /// uniform side pressure on the inserted part has its resultant.
    pub fn projected_centroid_mm(&self, inserted_mm: f64) -> f64 {
        let a = self.projected_area_mm2(inserted_mm);
        if a > 0.0 {
            self.projected_moment_mm3(inserted_mm) / a
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn g(l: f64, d: f64, t: f64, r: f64) -> NeedleGeometry {
        NeedleGeometry {
            length_mm: l,
            shaft_diameter_mm: d,
            tip_length_mm: t,
            tip_radius_um: r,
        }
    }

    #[test]
    fn profile_and_projected_area() {
        let g = g(1.5, 0.25, 0.5, 4.0);
        assert_relative_eq!(g.diameter_at_mm(0.25), 0.125);
        assert_relative_eq!(g.diameter_at_mm(1.0), 0.25);
        // cone side area d·t/2 = 0.0625; plus 1 mm of shaft
        assert_relative_eq!(g.projected_area_mm2(1.5), 0.0625 + 0.25);
        // a cone's side-area centroid is 2/3 of the way from the apex
        assert_relative_eq!(g.projected_centroid_mm(0.3), 0.2, epsilon = 1e-12);
        // 2·4 µm·(0.5/0.25) = 16 µm from the apex
        assert_relative_eq!(g.apex_truncation_mm(), 0.016, epsilon = 1e-12);
        assert_relative_eq!(g.shaft_area_mm2(), 0.049_087_385, epsilon = 1e-9);
    }

    #[test]
    fn a_needle_shorter_than_its_taper_is_all_cone() {
        let g = g(0.25, 0.25, 0.5, 4.0);
        assert_eq!(g.cone_length_mm(), 0.25);
        assert_relative_eq!(g.diameter_at_mm(0.25), 0.25);
    }
}
