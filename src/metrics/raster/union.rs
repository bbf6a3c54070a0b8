//! The union of a row's intervals, merged on line as they arrive nearly sorted (see the
//! span step in `span`).

use super::{ceil_i64, floor_i64};

/// The union of closed intervals fed in roughly increasing order, merged on line: intervals
/// that can no longer meet a later one (their end lies before `below`, which later intervals
/// never start before) are final. Intervals merge when they overlap or are less than `gap`
/// apart (0 for lengths; 1 for integer column ranges, which then count the same columns).
/// The result is the same list of disjoint intervals a sort-and-merge would give.
#[derive(Default)]
pub(super) struct Union {
    gap: f64,
    open: Vec<(f64, f64)>,
    done: Vec<(f64, f64)>,
    /// Intervals that arrived after `below` had passed them (never expected; handled exactly).
    late: bool,
}

impl Union {
    pub(super) fn reset(&mut self, gap: f64) {
        self.gap = gap;
        self.open.clear();
        self.done.clear();
        self.late = false;
    }

    /// Adds the columns whose pixel centre lies in [xl, xr] (a column range: `gap` 1), after
    /// flushing at column `below`; when [xl, xr] sits well inside the centres already
    /// merged (by more than `slack`), none can be new.
    #[inline]
    pub(super) fn add_centres(
        &mut self,
        (xl, xr): (f64, f64),
        below: f64,
        p: f64,
        nx: usize,
        slack: f64,
    ) {
        let known = self
            .open
            .last()
            .is_some_and(|&(l, h)| xl >= (l - 0.5) * p + slack && xr <= (h + 1.5) * p - slack);
        if !known {
            self.flush(below);
            let ca = ceil_i64(xl / p - 0.5).max(0);
            let cb = floor_i64(xr / p - 0.5).min(nx as i64 - 1);
            if ca <= cb {
                self.add(ca as f64, cb as f64);
            }
        }
    }

    /// Whether [a, b] lies inside one interval merged so far.
    #[inline]
    pub(super) fn covers(&self, a: f64, b: f64) -> bool {
        self.open.last().is_some_and(|s| s.0 <= a && s.1 >= b)
    }

    /// No interval added from now on starts before `below`.
    #[inline]
    pub(super) fn flush(&mut self, below: f64) {
        let n = self
            .open
            .iter()
            .take_while(|s| s.1 + self.gap < below)
            .count();
        if n > 0 {
            self.done.extend(self.open.drain(..n));
        }
    }

    #[inline]
    pub(super) fn add(&mut self, a: f64, b: f64) {
        let gap = self.gap;
        if self.done.last().is_some_and(|d| a <= d.1 + gap) {
            self.late = true;
            self.done.push((a, b));
            return;
        }
        let open = &mut self.open;
        let mut k = 0;
        while k < open.len() && open[k].1 + gap < a {
            k += 1;
        }
        let mut m = k;
        let (mut lo, mut hi) = (a, b);
        while m < open.len() && open[m].0 <= b + gap {
            lo = lo.min(open[m].0);
            hi = hi.max(open[m].1);
            m += 1;
        }
        if m == k {
            open.insert(k, (a, b));
        } else {
            open[k] = (lo, hi);
            open.drain(k + 1..m);
        }
    }

    /// The merged intervals in increasing order.
    pub(super) fn finish(&mut self) -> &[(f64, f64)] {
        self.done.append(&mut self.open);
        if self.late {
            let gap = self.gap;
            let v = &mut self.done;
            v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let mut out = 0;
            for i in 0..v.len() {
                if out > 0 && v[i].0 <= v[out - 1].1 + gap {
                    v[out - 1].1 = v[out - 1].1.max(v[i].1);
                } else {
                    v[out] = v[i];
                    out += 1;
                }
            }
            v.truncate(out);
        }
        &self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn online_union_equals_sort_and_merge() {
        // Intervals in nearly increasing order, with flush points that are sometimes wrong
        // (an interval then starts before them): the result must always be the merge of the
        // sorted intervals.
        let mut rng = crate::base::rng::Stream::new(5, crate::base::rng::StreamId::Device);
        for trial in 0..300 {
            let gap = if trial % 2 == 0 { 0.0 } else { 1.0 };
            let n = 1 + (rng.uniform() * 40.0) as usize;
            let mut spans: Vec<(f64, f64)> = (0..n)
                .map(|i| {
                    let a = (i as f64 + rng.uniform() * 6.0 - 3.0).round();
                    (a, a + (rng.uniform() * 4.0).round())
                })
                .collect();
            let mut u = Union::default();
            u.reset(gap);
            for &(a, b) in &spans {
                // a − 6 is below every later start (they are ≥ i − 2); a + 2 often is not
                let below = if rng.uniform() < 0.1 {
                    a + 2.0
                } else {
                    a - 6.0
                };
                u.flush(below);
                if !u.covers(a, b) {
                    u.add(a, b);
                }
            }
            let got = u.finish().to_vec();
            spans.sort_by(|x, y| x.0.total_cmp(&y.0));
            let mut want: Vec<(f64, f64)> = Vec::new();
            for s in spans {
                match want.last_mut() {
                    Some(l) if s.0 <= l.1 + gap => l.1 = l.1.max(s.1),
                    _ => want.push(s),
                }
            }
            assert_eq!(got, want, "trial {trial}");
        }
    }
}
