//! Which grown openings cannot change a block's treated spans, so that the span step need not
//! trace them (see the span step in `span`).
//!
//! # Method
//! On a block of rows whose sampled heights lie in [y₀, y₁], a grown opening (a convex
//! capsule) crosses every row at least over its *core*, the intersection of its spans at y₀
//! and at y₁: a convex set's span at a height between two others contains their
//! intersection. A few *witness* openings are chosen whose cores cover the union of all the
//! cores (the greedy interval cover: from the left, the core reaching farthest among those
//! that start inside what is covered so far). Their spans are traced on every row, so each
//! row's union of treated spans contains the cover. An opening that is not a witness and
//! whose whole x-extent lies inside one piece of the cover adds nothing to any row's union,
//! and is skipped: the union, hence every treated length and tally, is the same set of
//! floating-point intervals, bit for bit. With the heavy overlap of grown openings (a
//! treated share near 1), most openings are skipped on most blocks.
//!
//! Rounding is kept on the safe side by [`EPS_MM`], far above the floating-point error of a
//! span and far below a pixel: consecutive cores must overlap by it to join a piece, and an
//! opening is skipped only when it stays that far inside the piece.

/// Safety distance, mm (floating-point errors of spans are ~10⁻¹⁴ mm).
const EPS_MM: f64 = 1e-9;

/// The cover's working lists, kept from block to block.
#[derive(Default)]
pub(super) struct Cover {
    /// (lo, hi, block index) of each core.
    cores: Vec<(f64, f64, u32)>,
    /// The pieces of the cover, disjoint and increasing.
    pieces: Vec<(f64, f64)>,
}

/// What a block candidate is to the treated spans of the block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// Traced as usual.
    Trace,
    /// Traced: its core is part of the cover.
    Witness,
    /// Inside the cover on every row: not traced.
    Skip,
}

impl Cover {
    /// Starts a block.
    pub(super) fn clear(&mut self) {
        self.cores.clear();
        self.pieces.clear();
    }

    /// Adds block candidate `k`'s spans at the block's two extreme heights.
    #[inline]
    pub(super) fn add(&mut self, k: usize, top: Option<(f64, f64)>, bottom: Option<(f64, f64)>) {
        if let (Some(s0), Some(s1)) = (top, bottom) {
            let (lo, hi) = (s0.0.max(s1.0), s0.1.min(s1.1));
            if hi - lo > 2.0 * EPS_MM {
                self.cores.push((lo, hi, k as u32));
            }
        }
    }

    /// Chooses the witnesses (marked in `roles`, indexed by block candidate) and builds the
    /// cover's pieces.
    pub(super) fn choose(&mut self, roles: &mut [Role]) {
        let cores = &mut self.cores;
        cores.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
        let n = cores.len();
        let mut j = 0;
        while j < n {
            let start = cores[j].0;
            let mut reach = start;
            let mut first = true;
            loop {
                // the cores that start inside what is covered (by EPS_MM after the first)
                let limit = if first { reach } else { reach - EPS_MM };
                let mut best: Option<usize> = None;
                let mut best_hi = reach;
                while j < n && cores[j].0 <= limit {
                    if cores[j].1 > best_hi {
                        best_hi = cores[j].1;
                        best = Some(j);
                    }
                    j += 1;
                }
                let Some(b) = best else { break };
                roles[cores[b].2 as usize] = Role::Witness;
                reach = best_hi;
                first = false;
            }
            if reach > start {
                self.pieces.push((start, reach));
            }
        }
    }

    /// Whether an x-extent [lo, hi] lies inside one piece of the cover, by [`EPS_MM`].
    #[inline]
    pub(super) fn contains(&self, (lo, hi): (f64, f64)) -> bool {
        let k = self.pieces.partition_point(|p| p.1 - EPS_MM < hi);
        self.pieces
            .get(k)
            .is_some_and(|p| p.0 + EPS_MM <= lo && hi <= p.1 - EPS_MM)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cover_is_the_union_of_the_cores() {
        let mut rng = crate::rng::Stream::new(12, crate::rng::StreamId::Device);
        for _ in 0..300 {
            let n = 1 + (rng.uniform() * 30.0) as usize;
            let mut cover = Cover::default();
            let spans: Vec<(f64, f64)> = (0..n)
                .map(|_| {
                    let a = rng.uniform() * 20.0;
                    (a, a + rng.uniform() * 3.0)
                })
                .collect();
            for (k, &s) in spans.iter().enumerate() {
                cover.add(k, Some(s), Some(s));
            }
            let mut roles = vec![Role::Trace; n];
            cover.choose(&mut roles);
            // every point of every core (but within EPS of a piece's end) is in a piece made
            // of witness cores alone
            let witness: Vec<(f64, f64)> = spans
                .iter()
                .zip(&roles)
                .filter(|(_, r)| **r == Role::Witness)
                .map(|(s, _)| *s)
                .collect();
            for &(a, b) in &spans {
                for t in 0..=20 {
                    let x = (a + (b - a) * t as f64 / 20.0).min(b);
                    let in_piece = cover.pieces.iter().any(|p| p.0 <= x && x <= p.1);
                    assert!(in_piece || b - a <= 2.0 * EPS_MM, "{x} of ({a}, {b})");
                }
            }
            for p in &cover.pieces {
                for t in 0..=50 {
                    let x = (p.0 + (p.1 - p.0) * t as f64 / 50.0).min(p.1);
                    assert!(witness.iter().any(|w| w.0 <= x && x <= w.1), "{x} in {p:?}");
                }
            }
            // an extent is inside exactly when some piece holds it with EPS to spare
            for _ in 0..20 {
                let lo = rng.uniform() * 22.0 - 1.0;
                let hi = lo + rng.uniform() * 2.0;
                let want = cover
                    .pieces
                    .iter()
                    .any(|p| p.0 + EPS_MM <= lo && hi <= p.1 - EPS_MM);
                assert_eq!(cover.contains((lo, hi)), want);
            }
        }
    }
}
