//! The band step: rows [r0, r1) of the region, their spans and tallies and, when the raster
//! measures the largest gap itself, the window's distance transform (see the parent module's
//! method).

use super::candidates::BLOCK_ROWS;
use super::{candidates, distance, span, tally, BandCells, BandOut, Shared};
use std::cell::RefCell;

/// Per-worker buffers, reused from band to band so that no band allocates or faults in pages.
#[derive(Default)]
pub(super) struct Scratch {
    /// Vertical distances of the band's rows and the halo's nearest covered rows.
    vert: distance::Vertical,
    /// The lower envelope's buffers.
    env: distance::Envelope,
    /// The band's candidate channels.
    cands: candidates::Candidates,
    /// The current row's spans.
    spans: span::RowSpans,
}

thread_local! {
    /// Each worker thread's buffers, kept from band to band and from run to run (a Monte
    /// Carlo study rasterizes hundreds of fields): after the first band, no band allocates.
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Runs `f` with this thread's buffers. `f` must not rasterize (it would find them in use).
pub(super) fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|s| f(&mut s.borrow_mut()))
}

/// Processes rows [r0, r1) with a halo of `halo` pixels. `Err(h)`: redo with halo h.
///
/// Exactly the numbers of the straightforward method (the test-only `reference` module):
/// the same window, the same pixels, the same spans; only the work is arranged to touch less
/// memory: halo rows are reduced to one row of distances each way, the lower envelope is
/// evaluated only at the ends of its pieces (a parabola's largest value on an interval is at
/// an end), each row's spans come out of x-sorted candidates already nearly in order, so
/// they merge on line instead of being sorted, and covered pixels are counted from the
/// rows' pixel-centre spans. Without the distance transform (`sh.distance` false: the largest
/// gap comes from `metrics::gap`) no pixel is stored at all: the band costs its spans.
pub(super) fn process_band(
    sh: &Shared,
    sc: &mut Scratch,
    r0: usize,
    r1: usize,
    halo: usize,
    mut cells: BandCells,
) -> Result<BandOut, usize> {
    let nx = sh.grid.nx;
    let w = nx + 2 * halo;
    if sh.distance {
        // 1. Rasterize the window: covered pixel centres get 0.
        sc.vert.paint(sh, r0, r1, halo);
        // 2. Vertical pass, upward; the downward sweep runs row by row below.
        sc.vert.sweep_up(r1 - r0, w);
        sc.env.prepare(w);
    }
    // 3. Candidates for the spans, sorted by x.
    let geo = sc.cands.collect(sh, r0, r1);
    let mut out = BandOut::new(sh);
    // Bound on the largest distance of the next row, pixels (none yet).
    let mut lip = u64::from(u32::MAX);
    for b0 in (r0..r1).step_by(BLOCK_ROWS) {
        let b1 = (b0 + BLOCK_ROWS).min(r1);
        sc.cands.select_block(b0, b1, &geo);
        for r in b0..b1 {
            if sh.distance {
                let at = (r - r0) * w;
                sc.vert.sweep_down_row(r - r0, w);
                let row = &sc.vert.g[at..at + w];
                // 4. The row's largest distance, unless it cannot raise the band's.
                if !distance::settled(out.max_d2, &mut lip, &row[halo..halo + nx]) {
                    let (best, best_x) = sc.env.row_max(row, halo, nx)?;
                    if out.max_d2.is_none_or(|m| best > m) {
                        out.max_d2 = Some(best);
                        out.max_at = Some((best_x, r));
                    }
                    lip = distance::ceil_sqrt(best) + 1;
                }
            }
            // 5. Spans of the row.
            sc.spans.collect(&sc.cands, r, &geo);
            // 6. Tallies.
            tally::tally_row(sh, &mut out, &mut cells, &mut sc.spans, r, r0);
        }
    }
    Ok(out)
}
