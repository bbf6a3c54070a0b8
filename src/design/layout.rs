//! Needle layouts as pure geometry: the generators of the `rings`, `grid` and `ring` patterns
//! and the collision test, free of file positions and error messages (validation checks the
//! numbers first, then calls these).

use super::{PenNeedle, RollerNeedle};

/// The needles of a `rings` roller layout: `rings` rings `pitch_mm` apart centred on the
/// drum's mid-plane, `per_ring` needles evenly around each, ring i turned by i·`stagger_deg`;
/// every needle `length_mm` long. Ring by ring, then around the ring.
///
/// # Examples
/// ```
/// let n = needlemap::design::layout::rings(2, 4, 1.0, 45.0, 1.5);
/// assert_eq!(n.len(), 8);
/// assert_eq!((n[0].axial_mm, n[0].angle_deg), (-0.5, 0.0));
/// assert_eq!((n[5].axial_mm, n[5].angle_deg), (0.5, 135.0));
/// ```
pub fn rings(
    rings: u32,
    per_ring: u32,
    pitch_mm: f64,
    stagger_deg: f64,
    length_mm: f64,
) -> Vec<RollerNeedle> {
    let mut out = Vec::with_capacity((rings * per_ring) as usize);
    for i in 0..rings {
        let axial = (f64::from(i) - f64::from(rings - 1) / 2.0) * pitch_mm;
        for j in 0..per_ring {
            let angle = (f64::from(j) * 360.0 / f64::from(per_ring) + f64::from(i) * stagger_deg)
                .rem_euclid(360.0);
            out.push(RollerNeedle {
                ring: i,
                axial_mm: axial,
                angle_deg: angle,
                length_mm,
            });
        }
    }
    out
}

/// The needles of a `grid` array: `rows` along the stroke × `cols` across it, `pitch_mm`
/// apart, centred; row by row. Its width across the stroke is `cols`·`pitch_mm`.
///
/// # Examples
/// ```
/// let g = needlemap::design::layout::grid(2, 3, 0.5);
/// assert_eq!(g.len(), 6);
/// assert_eq!((g[0].along_mm, g[0].across_mm), (-0.25, -0.5));
/// assert_eq!((g[5].along_mm, g[5].across_mm), (0.25, 0.5));
/// ```
pub fn grid(rows: u32, cols: u32, pitch_mm: f64) -> Vec<PenNeedle> {
    let mut v = Vec::with_capacity((rows * cols) as usize);
    for i in 0..rows {
        for j in 0..cols {
            v.push(PenNeedle {
                along_mm: (f64::from(i) - f64::from(rows - 1) / 2.0) * pitch_mm,
                across_mm: (f64::from(j) - f64::from(cols - 1) / 2.0) * pitch_mm,
            });
        }
    }
    v
}

/// The needles of a `ring` array: `count` evenly on a circle of `diameter_mm` starting on
/// the stroke's axis, and one at the centre if `centre`.
///
/// # Examples
/// ```
/// let r = needlemap::design::layout::ring(4, 2.0, true);
/// assert_eq!(r.len(), 5);
/// assert_eq!((r[0].along_mm, r[0].across_mm), (1.0, 0.0));
/// assert_eq!((r[4].along_mm, r[4].across_mm), (0.0, 0.0));
/// ```
pub fn ring(count: u32, diameter_mm: f64, centre: bool) -> Vec<PenNeedle> {
    let mut v: Vec<PenNeedle> = (0..count)
        .map(|k| {
            let a = 2.0 * std::f64::consts::PI * f64::from(k) / f64::from(count);
            PenNeedle {
                along_mm: diameter_mm / 2.0 * crate::base::math::trig::cos(a),
                across_mm: diameter_mm / 2.0 * crate::base::math::trig::sin(a),
            }
        })
        .collect();
    if centre {
        v.push(PenNeedle {
            along_mm: 0.0,
            across_mm: 0.0,
        });
    }
    v
}

/// First pair of points closer than `min_dist` (with an optional periodic second coordinate).
///
/// # Examples
/// ```
/// use needlemap::design::layout::first_collision;
/// assert_eq!(first_collision(&[(0.0, 0.0), (1.0, 0.0), (1.1, 0.0)], 0.25, None), Some((1, 2)));
/// // on a drum of circumference 10 the points at 0.1 and 9.95 are 0.15 apart
/// assert_eq!(first_collision(&[(0.0, 0.1), (0.0, 9.95)], 0.25, Some(10.0)), Some((0, 1)));
/// assert_eq!(first_collision(&[(0.0, 0.0), (0.3, 0.0)], 0.25, None), None);
/// ```
pub fn first_collision(
    pts: &[(f64, f64)],
    min_dist: f64,
    period: Option<f64>,
) -> Option<(usize, usize)> {
    let lim = min_dist * (1.0 - 1e-9);
    for i in 0..pts.len() {
        for j in i + 1..pts.len() {
            let dx = pts[i].0 - pts[j].0;
            if dx.abs() >= lim {
                continue;
            }
            let mut dy = (pts[i].1 - pts[j].1).abs();
            if let Some(p) = period {
                dy = dy.rem_euclid(p);
                dy = dy.min(p - dy);
            }
            if dx * dx + dy * dy < lim * lim {
                return Some((i, j));
            }
        }
    }
    None
}
