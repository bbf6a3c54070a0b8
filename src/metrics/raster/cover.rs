//! Which grown openings cannot change a block's treated spans, so that the span step need not
//! trace them (see the span step in `span`).
//!
//! # Method
//! On a block of rows whose sampled heights lie in [y₀, y₁], a grown opening (a convex
//! capsule) crosses every row at least over its *core*, the intersection of its spans at y₀
//! and at y₁: a convex set's span at a height between two others contains their
//! intersection. The union of the cores, in *pieces*, is therefore inside every row's union
//! of treated spans. Each row's union is then built from the pieces, shrunk by [`EPS_MM`], and
//! the spans of the grown openings that reach outside them; an opening whose x-extent on the
//! block lies inside a shrunk piece adds nothing and is not traced. The union — the same set,
//! whose ends are ends of traced spans, never of pieces — and hence every treated length and
//! tally is the same, bit for bit. With the heavy overlap of grown openings (a treated share
//! near 1), only the openings at the edges of the untreated holes are traced.
//!
//! Rounding is kept on the safe side by [`EPS_MM`], far above the floating-point error of a
//! span and far below a pixel: cores must overlap by it to join a piece, and a piece is
//! shrunk by it at each end before it stands in for the spans inside it.

/// Safety distance, mm (floating-point errors of spans are ~10⁻¹⁴ mm).
const EPS_MM: f64 = 1e-9;

/// The cover of one block, kept from block to block.
#[derive(Default)]
pub(super) struct Cover {
    /// (lo, hi) of each core.
    cores: Vec<(f64, f64)>,
    /// The pieces of the cover, shrunk by [`EPS_MM`] at each end: disjoint and increasing.
    pieces: Vec<(f64, f64)>,
}

impl Cover {
    /// Starts a block.
    pub(super) fn clear(&mut self) {
        self.cores.clear();
        self.pieces.clear();
    }

    /// Adds a grown opening's spans at the block's two extreme heights.
    #[inline]
    pub(super) fn add(&mut self, top: Option<(f64, f64)>, bottom: Option<(f64, f64)>) {
        if let (Some(s0), Some(s1)) = (top, bottom) {
            let (lo, hi) = (s0.0.max(s1.0), s0.1.min(s1.1));
            if hi - lo > 2.0 * EPS_MM {
                self.cores.push((lo, hi));
            }
        }
    }

    /// Merges the cores into the pieces: a core joins a piece when it overlaps it by
    /// [`EPS_MM`].
    pub(super) fn build(&mut self) {
        self.cores
            .sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut cur: Option<(f64, f64)> = None;
        for &(lo, hi) in &self.cores {
            match &mut cur {
                Some(c) if lo <= c.1 - EPS_MM => c.1 = c.1.max(hi),
                _ => {
                    if let Some(c) = cur {
                        self.pieces.push((c.0 + EPS_MM, c.1 - EPS_MM));
                    }
                    cur = Some((lo, hi));
                }
            }
        }
        if let Some(c) = cur {
            self.pieces.push((c.0 + EPS_MM, c.1 - EPS_MM));
        }
    }

    /// The shrunk pieces, in increasing order: inside every row's union of treated spans.
    pub(super) fn pieces(&self) -> &[(f64, f64)] {
        &self.pieces
    }

    /// Whether an x-extent [lo, hi] lies inside one shrunk piece.
    #[inline]
    pub(super) fn contains(&self, (lo, hi): (f64, f64)) -> bool {
        let k = self.pieces.partition_point(|p| p.1 < hi);
        self.pieces.get(k).is_some_and(|p| p.0 <= lo && hi <= p.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pieces_are_the_union_of_the_cores_less_eps() {
        let mut rng = crate::base::rng::Stream::new(12, crate::base::rng::StreamId::Device);
        for _ in 0..300 {
            let n = 1 + (rng.uniform() * 30.0) as usize;
            let mut cover = Cover::default();
            let spans: Vec<(f64, f64)> = (0..n)
                .map(|_| {
                    let a = (rng.uniform() * 20.0 * 1e3).round() / 1e3;
                    (a, a + (rng.uniform() * 3.0 * 1e3).round() / 1e3)
                })
                .collect();
            for &s in &spans {
                cover.add(Some(s), Some(s));
            }
            cover.build();
            let pieces = cover.pieces();
            // the sorted merge of the spans (on a 0.001 mm lattice: overlaps are 0 or ≥ EPS)
            let mut sorted: Vec<(f64, f64)> = spans.iter().copied().filter(|s| s.1 > s.0).collect();
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut want: Vec<(f64, f64)> = Vec::new();
            for s in sorted {
                match want.last_mut() {
                    Some(l) if s.0 < l.1 => l.1 = l.1.max(s.1),
                    _ => want.push(s),
                }
            }
            let want: Vec<(f64, f64)> = want.iter().map(|w| (w.0 + EPS_MM, w.1 - EPS_MM)).collect();
            assert_eq!(pieces, &want[..]);
            // an extent is inside exactly when some piece holds it
            for _ in 0..20 {
                let lo = rng.uniform() * 22.0 - 1.0;
                let hi = lo + rng.uniform() * 2.0;
                let inside = pieces.iter().any(|p| p.0 <= lo && hi <= p.1);
                assert_eq!(cover.contains((lo, hi)), inside);
            }
        }
    }
}
