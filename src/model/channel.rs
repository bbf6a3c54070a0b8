//! A channel: one puncture of the skin, with its opening on the surface and its depth.

use crate::base::math::{Point, Vector};
use crate::model::skin::Layer;

/// One channel. The opening is a capsule: the segment of length `slit_mm` along `axis`,
/// centred on (`x_mm`, `y_mm`), thickened by `radius_mm` (a disc when the slit is 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Channel {
    /// Centre, mm.
    pub x_mm: f64,
    /// Centre, mm.
    pub y_mm: f64,
    /// Unit vector of the opening's long axis (the stroke direction).
    pub axis: [f64; 2],
    /// Long-axis direction, degrees in [0, 180).
    pub axis_deg: f64,
    /// Straight length ℓ of the opening, mm.
    pub slit_mm: f64,
    /// Radius r of the opening, mm.
    pub radius_mm: f64,
    /// Insertion depth: how deep the tip went while the needle was in, mm.
    pub depth_mm: f64,
    /// Depth of the open channel left after withdrawal, mm (≤ `depth_mm`).
    pub channel_depth_mm: f64,
    /// Layer in which the tip ends.
    pub layer: Layer,
    /// Pass number, 0-based in treatment order.
    pub pass: u32,
    /// Stroke number within the pass, 0-based in treatment order.
    pub stroke: u32,
    /// Needle number on the device, 0-based.
    pub needle: u32,
}

impl Channel {
    /// An opening built by hand, for geometry alone (tests, benches, other tools): a capsule
    /// centred at (`x`, `y`) mm with its slit of `slit` mm along `deg` degrees and radius `r`
    /// mm. Its depths (1.0 mm inserted, 0.9 mm after withdrawal, in the reticular dermis) and
    /// its pass, stroke and needle (0) are placeholders that no area metric reads.
    pub fn capsule(x: f64, y: f64, deg: f64, slit: f64, r: f64) -> Channel {
        let a = deg.to_radians();
        Channel {
            x_mm: x,
            y_mm: y,
            axis: [a.cos(), a.sin()],
            axis_deg: deg,
            slit_mm: slit,
            radius_mm: r,
            depth_mm: 1.0,
            channel_depth_mm: 0.9,
            layer: Layer::ReticularDermis,
            pass: 0,
            stroke: 0,
            needle: 0,
        }
    }

    /// The centre as a point.
    pub fn centre(&self) -> Point {
        Point::new(self.x_mm, self.y_mm)
    }

    /// End points of the opening's straight part.
    pub fn segment(&self) -> (Point, Point) {
        let h = Vector::new(self.axis[0], self.axis[1]) * (self.slit_mm / 2.0);
        let c = self.centre();
        (c - h, c + h)
    }

    /// The box `(x0, y0, x1, y1)` of the channels' centres grown by `pad_mm` on every side, mm
    /// (infinite and inverted without channels).
    pub(crate) fn bounds(channels: &[Channel], pad_mm: f64) -> (f64, f64, f64, f64) {
        let (mut x0, mut y0, mut x1, mut y1) = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        for c in channels {
            x0 = x0.min(c.x_mm - pad_mm);
            y0 = y0.min(c.y_mm - pad_mm);
            x1 = x1.max(c.x_mm + pad_mm);
            y1 = y1.max(c.y_mm + pad_mm);
        }
        (x0, y0, x1, y1)
    }

    /// Largest distance from the centre to the opening's edge, mm.
    pub fn extent_mm(&self) -> f64 {
        self.slit_mm / 2.0 + self.radius_mm
    }

    /// Area of the opening, mm²: a rectangle ℓ × 2r plus a disc of radius r.
    pub fn opening_area_mm2(&self) -> f64 {
        2.0 * self.radius_mm * self.slit_mm + std::f64::consts::PI * self.radius_mm * self.radius_mm
    }

    /// Whether the centre lies in the region [0, lx] × [0, ly] (closed).
    pub fn in_region(&self, area_mm: [f64; 2]) -> bool {
        (0.0..=area_mm[0]).contains(&self.x_mm) && (0.0..=area_mm[1]).contains(&self.y_mm)
    }

    /// Whether two openings share at least one point (closed sets: touching counts).
    ///
    /// # Examples
    /// ```
    /// use needlemap::model::channel::Channel;
    /// use needlemap::model::skin::Layer;
    /// let disc = |x: f64| Channel { x_mm: x, y_mm: 0.0, axis: [1.0, 0.0], axis_deg: 0.0,
    ///     slit_mm: 0.0, radius_mm: 0.25, depth_mm: 1.0, channel_depth_mm: 0.9, layer: Layer::ReticularDermis,
    ///     pass: 0, stroke: 0, needle: 0 };
    /// assert!(disc(0.0).intersects(&disc(0.5)));
    /// assert!(!disc(0.0).intersects(&disc(0.51)));
    /// ```
    pub fn intersects(&self, other: &Channel) -> bool {
        let reach = self.radius_mm + other.radius_mm;
        let dx = self.x_mm - other.x_mm;
        let dy = self.y_mm - other.y_mm;
        let far = self.extent_mm() + other.extent_mm() + crate::base::math::GEOM_EPS_MM;
        if dx * dx + dy * dy > far * far {
            return false;
        }
        let (a1, b1) = self.segment();
        let (a2, b2) = other.segment();
        let lim = reach + crate::base::math::GEOM_EPS_MM;
        crate::base::math::seg_seg_dist2(a1, b1, a2, b2) <= lim * lim
    }
}

/// A hand-built opening for tests: [`Channel::capsule`].
#[cfg(test)]
pub(crate) fn test_capsule(x: f64, y: f64, deg: f64, slit: f64, r: f64) -> Channel {
    Channel::capsule(x, y, deg, slit, r)
}
