//! Geometry primitives and named tolerances shared by the whole engine.
//!
//! Nothing outside this module spells out nalgebra generics: the engine works in
//! [`Point`] and [`Vector`], millimetres, on the skin plane z = 0.
//!
//! Transcendental functions that feed generated geometry go through [`trig`], a thin
//! wrapper over the pure-Rust `libm` crate, so channel positions are bit-identical on every
//! platform, whatever its system math library does in the last ulp.

/// A point on the skin plane, millimetres.
pub type Point = nalgebra::Point2<f64>;
/// A displacement on the skin plane, millimetres.
pub type Vector = nalgebra::Vector2<f64>;

/// Tolerance for geometric predicates (touching openings, points on the region edge), mm.
pub const GEOM_EPS_MM: f64 = 1e-9;

/// Portable trigonometry (pure Rust, identical results on every platform).
pub mod trig {
    /// Sine of `x` radians.
    pub fn sin(x: f64) -> f64 {
        libm::sin(x)
    }
    /// Cosine of `x` radians.
    pub fn cos(x: f64) -> f64 {
        libm::cos(x)
    }
    /// Tangent of `x` radians.
    pub fn tan(x: f64) -> f64 {
        libm::tan(x)
    }
    /// Arc cosine, radians.
    pub fn acos(x: f64) -> f64 {
        libm::acos(x)
    }
    /// `x` raised to the power `y`.
    pub fn pow(x: f64, y: f64) -> f64 {
        libm::pow(x, y)
    }
    /// Base-10 logarithm.
    pub fn log10(x: f64) -> f64 {
        libm::log10(x)
    }
    /// Unit vector at `angle` radians from +x, counter-clockwise.
    pub fn unit(angle: f64) -> super::Vector {
        super::Vector::new(cos(angle), sin(angle))
    }
}

/// Degrees to radians, exactly as the engine converts every angle read from a file.
pub fn deg_to_rad(deg: f64) -> f64 {
    deg * (std::f64::consts::PI / 180.0)
}

/// Squared distance from point `p` to the segment `a`–`b`.
///
/// # Examples
/// ```
/// use needlemap::base::math::{seg_point_dist2, Point};
/// let d2 = seg_point_dist2(Point::new(0.0, 0.0), Point::new(2.0, 0.0), Point::new(1.0, 1.0));
/// assert_eq!(d2, 1.0);
/// ```
pub fn seg_point_dist2(a: Point, b: Point, p: Point) -> f64 {
    let ab = b - a;
    let ap = p - a;
    let len2 = ab.norm_squared();
    let t = if len2 > 0.0 {
        (ap.dot(&ab) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (ap - ab * t).norm_squared()
}

/// Squared distance between segments `p1`–`q1` and `p2`–`q2` (zero when they cross).
///
/// Exact up to rounding: if the segments properly intersect the distance is 0, otherwise
/// the minimum is attained at an endpoint of one of them.
pub fn seg_seg_dist2(p1: Point, q1: Point, p2: Point, q2: Point) -> f64 {
    if segments_cross(p1, q1, p2, q2) {
        return 0.0;
    }
    seg_point_dist2(p1, q1, p2)
        .min(seg_point_dist2(p1, q1, q2))
        .min(seg_point_dist2(p2, q2, p1))
        .min(seg_point_dist2(p2, q2, q1))
}

fn orient(a: Point, b: Point, c: Point) -> f64 {
    (b - a).perp(&(c - a))
}

fn segments_cross(p1: Point, q1: Point, p2: Point, q2: Point) -> bool {
    let d1 = orient(p2, q2, p1);
    let d2 = orient(p2, q2, q1);
    let d3 = orient(p1, q1, p2);
    let d4 = orient(p1, q1, q2);
    ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn crossing_segments_have_zero_distance() {
        let d = seg_seg_dist2(
            Point::new(-1.0, 0.0),
            Point::new(1.0, 0.0),
            Point::new(0.0, -1.0),
            Point::new(0.0, 1.0),
        );
        assert_eq!(d, 0.0);
    }

    #[test]
    fn parallel_segments_distance() {
        let d = seg_seg_dist2(
            Point::new(0.0, 0.0),
            Point::new(1.0, 0.0),
            Point::new(0.5, 0.3),
            Point::new(2.0, 0.3),
        );
        assert_relative_eq!(d.sqrt(), 0.3, epsilon = 1e-12);
    }

    #[test]
    fn degenerate_segment_is_a_point() {
        let p = Point::new(1.0, 1.0);
        assert_relative_eq!(seg_point_dist2(p, p, Point::new(4.0, 5.0)), 25.0);
    }

    #[test]
    fn trig_matches_std_closely() {
        for i in 0..100 {
            let x = i as f64 * 0.1;
            assert_relative_eq!(trig::sin(x), x.sin(), epsilon = 1e-15);
        }
    }
}
