//! `overlap_fraction`: the share of channels whose opening meets the opening of an earlier
//! channel (treatment order), tested exactly on the capsules.
//!
//! Channels go into a grid of buckets whose side is at least the largest opening's diameter,
//! so two openings that meet have centres in the same or neighbouring buckets. Each bucket
//! lists its channels in treatment order; a channel is tested only against the earlier ones
//! of its 3 × 3 neighbourhood, and stops at the first hit. Expected cost O(n) for a field of
//! roughly even density; never O(n²) pairs.

use crate::model::channel::Channel;
use rayon::prelude::*;

/// For each channel, whether its opening meets an earlier channel's opening.
pub fn overlaps_earlier(channels: &[Channel]) -> Vec<bool> {
    let n = channels.len();
    if n == 0 {
        return Vec::new();
    }
    let ext = channels.iter().map(Channel::extent_mm).fold(0.0, f64::max);
    let (x0, y0, x1, y1) = Channel::bounds(channels, 0.0);
    // At least one diameter per bucket, and not more buckets than ~4 per channel.
    let area = ((x1 - x0) * (y1 - y0)).max(1e-12);
    let side = (2.0 * ext).max((area / (4.0 * n as f64)).sqrt()).max(1e-6);
    let nx = (((x1 - x0) / side).floor() as usize + 1).max(1);
    let ny = (((y1 - y0) / side).floor() as usize + 1).max(1);
    let cell_of = |c: &Channel| {
        let i = (((c.x_mm - x0) / side) as usize).min(nx - 1);
        let j = (((c.y_mm - y0) / side) as usize).min(ny - 1);
        (i, j)
    };
    // Counting sort into buckets (CSR), keeping treatment order inside each bucket.
    let mut start = vec![0u32; nx * ny + 1];
    let cells: Vec<(usize, usize)> = channels.iter().map(cell_of).collect();
    for &(i, j) in &cells {
        start[j * nx + i + 1] += 1;
    }
    for k in 0..nx * ny {
        start[k + 1] += start[k];
    }
    let mut fill = start.clone();
    let mut items = vec![0u32; n];
    for (idx, &(i, j)) in cells.iter().enumerate() {
        let b = j * nx + i;
        items[fill[b] as usize] = idx as u32;
        fill[b] += 1;
    }
    (0..n)
        .into_par_iter()
        .map(|idx| {
            let c = &channels[idx];
            let (ci, cj) = cells[idx];
            for j in cj.saturating_sub(1)..=(cj + 1).min(ny - 1) {
                for i in ci.saturating_sub(1)..=(ci + 1).min(nx - 1) {
                    let b = j * nx + i;
                    let list = &items[start[b] as usize..start[b + 1] as usize];
                    let earlier = list.partition_point(|&o| (o as usize) < idx);
                    if list[..earlier]
                        .iter()
                        .any(|&o| channels[o as usize].intersects(c))
                    {
                        return true;
                    }
                }
            }
            false
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::channel::test_capsule as cap;
    use proptest::prelude::*;

    #[test]
    fn touching_crossing_and_disjoint() {
        // two slits crossing at right angles
        let v = overlaps_earlier(&[
            cap(0.0, 0.0, 0.0, 1.0, 0.05),
            cap(0.0, 0.0, 90.0, 1.0, 0.05),
        ]);
        assert_eq!(v, vec![false, true]);
        // end caps touching exactly: segment ends 0.5 apart = r1 + r2
        let v = overlaps_earlier(&[
            cap(0.0, 0.0, 0.0, 1.0, 0.25),
            cap(1.25, 0.0, 0.0, 0.5, 0.25),
        ]);
        assert_eq!(v, vec![false, true]);
        // parallel slits 0.51 apart with radius 0.25: disjoint
        let v = overlaps_earlier(&[
            cap(0.0, 0.0, 30.0, 1.0, 0.25),
            cap(-0.255, 0.441673, 30.0, 1.0, 0.25),
        ]);
        assert_eq!(v, vec![false, false]);
        // only later channels are flagged
        let v = overlaps_earlier(&[
            cap(0.0, 0.0, 0.0, 0.0, 0.1),
            cap(5.0, 5.0, 0.0, 0.0, 0.1),
            cap(0.1, 0.0, 0.0, 0.0, 0.1),
        ]);
        assert_eq!(v, vec![false, false, true]);
    }

    proptest! {
        #[test]
        fn grid_agrees_with_all_pairs(pts in proptest::collection::vec((0.0f64..5.0, 0.0f64..5.0, 0.0f64..180.0, 0.0f64..0.6, 0.02f64..0.2), 1..60)) {
            let cs: Vec<Channel> = pts.iter().map(|&(x, y, a, l, r)| cap(x, y, a, l, r)).collect();
            let fast = overlaps_earlier(&cs);
            for i in 0..cs.len() {
                let brute = (0..i).any(|j| cs[j].intersects(&cs[i]));
                prop_assert_eq!(fast[i], brute);
            }
        }

        #[test]
        fn segment_distance_is_symmetric_and_rotation_invariant(
            x in -2.0f64..2.0, y in -2.0f64..2.0, a in 0.0f64..180.0, b in 0.0f64..180.0, rot in 0.0f64..360.0) {
            let c1 = cap(0.0, 0.0, a, 0.8, 0.1);
            let c2 = cap(x, y, b, 0.5, 0.1);
            prop_assert_eq!(c1.intersects(&c2), c2.intersects(&c1));
            let t = rot.to_radians();
            let (ct, st) = (t.cos(), t.sin());
            let r1 = cap(0.0, 0.0, a + rot, 0.8, 0.1);
            let r2 = cap(x * ct - y * st, x * st + y * ct, b + rot, 0.5, 0.1);
            let (a1, b1) = c1.segment(); let (a2, b2) = c2.segment();
            let d = crate::base::math::seg_seg_dist2(a1, b1, a2, b2).sqrt();
            // away from the tangent case the answer cannot change under rotation
            if (d - 0.2).abs() > 1e-6 {
                prop_assert_eq!(c1.intersects(&c2), r1.intersects(&r2));
            }
        }
    }
}
