//! Spare cell arrays, kept per thread from run to run: a Monte Carlo study rasterizes the same
//! grid hundreds of times, and a fresh array of a million cells per run costs more in page
//! faults than the run spends filling it.

use super::AreaMaps;
use std::cell::RefCell;

/// Most arrays kept per thread.
const KEEP: usize = 6;

thread_local! {
    static SPARE: RefCell<Vec<Vec<u32>>> = const { RefCell::new(Vec::new()) };
}

/// `n` zeros, in a spare array of this thread when one is large enough.
pub(super) fn zeroed(n: usize) -> Vec<u32> {
    if n == 0 {
        return Vec::new();
    }
    let spare = SPARE.with(|s| {
        let mut s = s.borrow_mut();
        let i = s.iter().position(|v| v.capacity() >= n)?;
        Some(s.swap_remove(i))
    });
    match spare {
        Some(mut v) => {
            v.clear();
            v.resize(n, 0);
            v
        }
        None => vec![0; n],
    }
}

/// Hands the cell arrays of `maps` back for the next run on this thread (optional: dropping
/// the maps is always correct).
pub fn recycle(maps: AreaMaps) {
    SPARE.with(|s| {
        let mut s = s.borrow_mut();
        for v in [maps.cell_covered, maps.cell_treated, maps.cell_px] {
            if v.capacity() > 0 && s.len() < KEEP {
                s.push(v);
            }
        }
    });
}
