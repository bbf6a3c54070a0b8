//! A capsule's row spans: where a horizontal line crosses a closed capsule (an opening, or an
//! opening grown by the influence radius), in closed form. [`capsule_row_span`] is the
//! reference; [`Shape`] prepares a capsule once so that a band's many rows cost a few
//! operations each, with the same numbers bit for bit.

use crate::model::channel::Channel;

/// The x-interval where the horizontal line at `y` crosses a closed capsule, mm.
pub fn capsule_row_span(c: &Channel, y: f64) -> Option<(f64, f64)> {
    let r = c.radius_mm;
    let disc = |cx: f64, cy: f64| {
        let dy = y - cy;
        let q = r * r - dy * dy;
        (q >= 0.0).then(|| {
            let h = q.sqrt();
            (cx - h, cx + h)
        })
    };
    if c.slit_mm == 0.0 {
        return disc(c.x_mm, c.y_mm);
    }
    let (a, b) = c.segment();
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (cx, cy) in [(a.x, a.y), (b.x, b.y)] {
        if let Some((l, h)) = disc(cx, cy) {
            lo = lo.min(l);
            hi = hi.max(h);
        }
    }
    // The rectangle: 0 ≤ (q − a)·u ≤ len and |(q − a)·n| ≤ r with n = (−u_y, u_x).
    let [ux, uy] = c.axis;
    let len = c.slit_mm;
    let row = [
        ux,
        -a.x * ux + (y - a.y) * uy,
        -uy,
        a.x * uy + (y - a.y) * ux,
    ];
    if let Some((l, h)) = rectangle_span(row, len, r) {
        lo = lo.min(l);
        hi = hi.max(h);
    }
    (lo <= hi).then_some((lo, hi))
}

/// Where a row crosses a capsule's rectangle: the x with 0 ≤ c₁·x + v₁ ≤ `len` and
/// −`r` ≤ c₂·x + v₂ ≤ `r`, given `[c₁, v₁, c₂, v₂]`; `None` when no x does. A coefficient
/// that vanishes (the row parallel to a side) keeps every x or none.
#[inline]
fn rectangle_span([c1, v1, c2, v2]: [f64; 4], len: f64, r: f64) -> Option<(f64, f64)> {
    // min ≤ coef·x + konst ≤ max, intersected into (l, h)
    let clamp = |(l, h): (f64, f64), coef: f64, konst: f64, min: f64, max: f64| {
        if coef.abs() < 1e-15 {
            (konst >= min && konst <= max).then_some((l, h))
        } else {
            let (x0, x1) = ((min - konst) / coef, (max - konst) / coef);
            Some((l.max(x0.min(x1)), h.min(x0.max(x1))))
        }
    };
    let s = clamp((f64::NEG_INFINITY, f64::INFINITY), c1, v1, 0.0, len)?;
    let (l, h) = clamp(s, c2, v2, -r, r)?;
    (l <= h).then_some((l, h))
}

/// A capsule with what [`capsule_row_span`] derives from it before it looks at the row
/// worked out once: its spans are the same floating-point numbers, bit for bit.
#[derive(Clone, Copy)]
pub(super) struct Shape {
    r: f64,
    r2: f64,
    /// Disc centre (no slit) or the slit's ends.
    a: (f64, f64),
    b: (f64, f64),
    slit: bool,
    len: f64,
    /// Coefficients of the rectangle's two constraints (see [`capsule_row_span`]).
    c1: f64,
    c2: f64,
    k1: f64,
    k2: f64,
    ux: f64,
    uy: f64,
}

impl Shape {
    pub(super) fn new(c: &Channel) -> Shape {
        let slit = c.slit_mm != 0.0;
        let (a, b) = if slit {
            let (a, b) = c.segment();
            ((a.x, a.y), (b.x, b.y))
        } else {
            ((c.x_mm, c.y_mm), (c.x_mm, c.y_mm))
        };
        let [ux, uy] = c.axis;
        Shape {
            r: c.radius_mm,
            r2: c.radius_mm * c.radius_mm,
            a,
            b,
            slit,
            len: c.slit_mm,
            c1: ux,
            c2: -uy,
            k1: -a.0 * ux,
            k2: a.0 * uy,
            ux,
            uy,
        }
    }

    /// [`capsule_row_span`] of the capsule at height `y`, the same numbers.
    #[inline]
    pub(super) fn span(&self, y: f64) -> Option<(f64, f64)> {
        let disc = |(cx, cy): (f64, f64)| {
            let dy = y - cy;
            let q = self.r2 - dy * dy;
            (q >= 0.0).then(|| {
                let h = q.sqrt();
                (cx - h, cx + h)
            })
        };
        if !self.slit {
            return disc(self.a);
        }
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for q in [self.a, self.b] {
            if let Some((l, h)) = disc(q) {
                lo = lo.min(l);
                hi = hi.max(h);
            }
        }
        let dy = y - self.a.1;
        let row = [
            self.c1,
            self.k1 + dy * self.uy,
            self.c2,
            self.k2 + dy * self.ux,
        ];
        if let Some((l, h)) = rectangle_span(row, self.len, self.r) {
            lo = lo.min(l);
            hi = hi.max(h);
        }
        (lo <= hi).then_some((lo, hi))
    }
}

impl Shape {
    /// Bounds of the x-extent of the capsule on the strip of heights [y0, y1] — a little wide,
    /// never narrow — from its spans `s0`, `s1` at the strip's edges: a convex shape's
    /// leftmost point on the strip is its leftmost point overall when that lies in the strip,
    /// else on an edge (likewise rightmost). `None` when neither edge meets it (use a bound
    /// of the whole capsule).
    pub(super) fn strip_hull(
        &self,
        y0: f64,
        y1: f64,
        s0: Option<(f64, f64)>,
        s1: Option<(f64, f64)>,
    ) -> Option<(f64, f64)> {
        if s0.is_none() && s1.is_none() {
            return None;
        }
        let ends = [s0, s1];
        let edge_lo = ends
            .iter()
            .flatten()
            .map(|s| s.0)
            .fold(f64::INFINITY, f64::min);
        let edge_hi = ends
            .iter()
            .flatten()
            .map(|s| s.1)
            .fold(f64::NEG_INFINITY, f64::max);
        // the heights of the capsule's leftmost and rightmost points: an end of the slit
        // (the whole slit when it is vertical)
        let (left, right) = match self.a.0.total_cmp(&self.b.0) {
            std::cmp::Ordering::Less => ((self.a.1, self.a.1), (self.b.1, self.b.1)),
            std::cmp::Ordering::Greater => ((self.b.1, self.b.1), (self.a.1, self.a.1)),
            std::cmp::Ordering::Equal => {
                let ys = (self.a.1.min(self.b.1), self.a.1.max(self.b.1));
                (ys, ys)
            }
        };
        let in_strip = |(lo, hi): (f64, f64)| lo <= y1 && hi >= y0;
        let pad = self.r * 1e-12 + 1e-9;
        let lo = if in_strip(left) {
            self.a.0.min(self.b.0) - self.r
        } else {
            edge_lo
        };
        let hi = if in_strip(right) {
            self.a.0.max(self.b.0) + self.r
        } else {
            edge_hi
        };
        Some((lo - pad, hi + pad))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::channel::test_capsule as cap;
    use approx::assert_relative_eq;

    #[test]
    fn row_span_of_horizontal_capsule() {
        let c = cap(0.0, 0.0, 0.0, 1.0, 0.25);
        let (l, h) = capsule_row_span(&c, 0.0).unwrap();
        assert_relative_eq!(l, -0.75);
        assert_relative_eq!(h, 0.75);
        let (l, h) = capsule_row_span(&c, 0.2).unwrap();
        assert_relative_eq!(
            h - l,
            1.0 + 2.0 * (0.25f64 * 0.25 - 0.04).sqrt(),
            epsilon = 1e-12
        );
        assert!(capsule_row_span(&c, 0.26).is_none());
    }

    #[test]
    fn prepared_shape_gives_the_same_spans_bit_for_bit() {
        let mut rng = crate::base::rng::Stream::new(8, crate::base::rng::StreamId::Device);
        for _ in 0..2000 {
            let slit = if rng.uniform() < 0.3 {
                0.0
            } else {
                rng.uniform()
            };
            let deg =
                [0.0, 45.0, 90.0, 137.0, rng.uniform() * 180.0][(rng.uniform() * 5.0) as usize];
            let c = cap(
                rng.uniform() * 4.0,
                rng.uniform() * 4.0,
                deg,
                slit,
                0.01 + rng.uniform() * 0.3,
            );
            let shape = Shape::new(&c);
            for _ in 0..20 {
                let y = c.y_mm + (rng.uniform() - 0.5) * 2.0 * (c.extent_mm() + 0.05);
                let (s, t) = (shape.span(y), capsule_row_span(&c, y));
                assert_eq!(
                    s.map(|s| (s.0.to_bits(), s.1.to_bits())),
                    t.map(|t| (t.0.to_bits(), t.1.to_bits()))
                );
            }
        }
    }
}
