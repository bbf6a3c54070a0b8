//! The area engine's band step as first written: a window of the band grown by the halo on
//! every side, rasterized whole, two vertical sweeps over it, the lower envelope evaluated at
//! every pixel, and each row's intervals sorted and merged. Kept, for tests only, as the oracle
//! that the optimized band step in the parent module must match bit for bit.

use super::*;

/// Sorts intervals and merges overlapping ones in place.
fn union(spans: &mut Vec<(f64, f64)>) {
    spans.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out = 0;
    for i in 0..spans.len() {
        if out > 0 && spans[i].0 <= spans[out - 1].1 {
            spans[out - 1].1 = spans[out - 1].1.max(spans[i].1);
        } else {
            spans[out] = spans[i];
            out += 1;
        }
    }
    spans.truncate(out);
}

/// Intervals (clipped to the region) where each sampled row of the band crosses the
/// openings grown by `grow_mm`.
fn row_spans(sh: &Shared, r0: usize, r1: usize, grow_mm: f64) -> Vec<Vec<(f64, f64)>> {
    let p = sh.grid.pitch_mm;
    let lx = sh.grid.nx as f64 * p;
    let mut rows: Vec<Vec<(f64, f64)>> = vec![Vec::new(); r1 - r0];
    let reach = sh.ext + grow_mm;
    for c in sh.candidates(r0 as f64 * p - reach, r1 as f64 * p + reach) {
        let grown = Channel {
            radius_mm: c.radius_mm + grow_mm,
            ..*c
        };
        let e = grown.extent_mm();
        let ra = (((c.y_mm - e) / p).floor() as i64 - 1).max(r0 as i64) as usize;
        let rb = (((c.y_mm + e) / p).ceil() as i64 + 1).min(r1 as i64 - 1);
        if rb < ra as i64 {
            continue;
        }
        for r in ra..=rb as usize {
            let y = (r as f64 + row_offset(r)) * p;
            if let Some((a, b)) = capsule_row_span(&grown, y) {
                let (a, b) = (a.max(0.0), b.min(lx));
                if a < b {
                    rows[r - r0].push((a, b));
                }
            }
        }
    }
    rows
}

/// Sets `val` in `buf` (row-major, `ncols` wide, first row/column at global pixel `row0`,
/// `col0`) on every pixel whose centre lies in the opening of `c` grown by `grow_mm`.
#[allow(clippy::too_many_arguments)]
fn paint<T: Copy>(
    c: &Channel,
    grow_mm: f64,
    p: f64,
    row0: i64,
    nrows: usize,
    col0: i64,
    ncols: usize,
    buf: &mut [T],
    val: T,
) {
    let grown;
    let c = if grow_mm > 0.0 {
        grown = Channel {
            radius_mm: c.radius_mm + grow_mm,
            ..*c
        };
        &grown
    } else {
        c
    };
    let e = c.extent_mm();
    let ra = (((c.y_mm - e) / p - 0.5).ceil() as i64 - row0).max(0);
    let rb = (((c.y_mm + e) / p - 0.5).floor() as i64 - row0).min(nrows as i64 - 1);
    for rr in ra..=rb {
        let yc = ((rr + row0) as f64 + 0.5) * p;
        let Some((xl, xr)) = capsule_row_span(c, yc) else {
            continue;
        };
        let ca = ((xl / p - 0.5).ceil() as i64 - col0).max(0);
        let cb = ((xr / p - 0.5).floor() as i64 - col0).min(ncols as i64 - 1);
        if ca <= cb {
            let row = &mut buf[rr as usize * ncols..(rr as usize + 1) * ncols];
            row[ca as usize..=cb as usize].fill(val);
        }
    }
}

/// Processes rows [r0, r1) with a halo of `halo` pixels. `Err(h)`: redo with halo h.
pub(super) fn process_band(
    sh: &Shared,
    r0: usize,
    r1: usize,
    halo: usize,
    cells: BandCells,
) -> Result<BandOut, usize> {
    let g = sh.grid;
    let p = g.pitch_mm;
    let w = g.nx + 2 * halo;
    let rows = r1 - r0 + 2 * halo;
    // Window origin in global pixel coordinates.
    let x0 = -(halo as i64);
    let y0 = r0 as i64 - halo as i64;
    let mut dist = vec![INF; w * rows];

    // 1. Rasterize: covered pixel centres get 0.
    let ymin = y0 as f64 * p - sh.ext;
    let ymax = (y0 + rows as i64) as f64 * p + sh.ext;
    for c in sh.candidates(ymin, ymax) {
        paint(c, 0.0, p, y0, rows, x0, w, &mut dist, 0);
        // the pixels holding the centre and the slit's ends count as covered
        let (a, b) = c.segment();
        for q in [c.centre(), a, b] {
            let (rr, cc) = ((q.y / p).floor() as i64 - y0, (q.x / p).floor() as i64 - x0);
            if (0..rows as i64).contains(&rr) && (0..w as i64).contains(&cc) {
                dist[rr as usize * w + cc as usize] = 0;
            }
        }
    }
    // Treated: pixel centres inside an opening dilated by the influence radius (a capsule of
    // radius r + ρ), exact at the pixel centres like coverage.
    let band_rows = r1 - r0;
    let mut treated = vec![0u8; band_rows * g.nx];
    let grow = sh.rho_mm + sh.ext;
    for c in sh.candidates(r0 as f64 * p - grow, r1 as f64 * p + grow) {
        paint(
            c,
            sh.rho_mm,
            p,
            r0 as i64,
            band_rows,
            0,
            g.nx,
            &mut treated,
            1,
        );
    }

    // 2. Vertical pass: distance to the nearest covered pixel in the column.
    for r in 1..rows {
        let (above, cur) = dist.split_at_mut(r * w);
        let prev = &above[(r - 1) * w..];
        for (c, &pv) in cur[..w].iter_mut().zip(prev) {
            *c = (*c).min(pv + 1).min(INF);
        }
    }
    for r in (0..rows - 1).rev() {
        let (cur, below) = dist.split_at_mut((r + 1) * w);
        let next = &below[..w];
        for (c, &nv) in cur[r * w..].iter_mut().zip(next) {
            *c = (*c).min(nv + 1);
        }
    }

    // 3. Horizontal pass on the band's rows, region columns only, and the tallies.
    let mut cov_rows = row_spans(sh, r0, r1, 0.0);
    let mut tr_rows = row_spans(sh, r0, r1, sh.rho_mm);
    let mut out = BandOut {
        covered: 0,
        treated: 0,
        max_d2: None,
        max_at: None,
        tile_covered: vec![0; sh.ntx * sh.nty],
    };
    let mut env_v = vec![0usize; w];
    let mut env_z = vec![0f64; w + 1];
    let mut f = vec![0f64; w];
    let mut d2row = vec![0u64; g.nx];
    let halo2 = (halo * halo) as u64;
    for r in r0..r1 {
        let wr = r - r0 + halo;
        let row = &dist[wr * w..(wr + 1) * w];
        // lower envelope of parabolas over the finite g
        let mut k: isize = -1;
        for (q, &gq) in row.iter().enumerate() {
            if gq >= INF {
                continue;
            }
            let fq = (gq as f64) * (gq as f64);
            f[q] = fq;
            let qf = q as f64;
            loop {
                if k < 0 {
                    k = 0;
                    env_v[0] = q;
                    env_z[0] = f64::NEG_INFINITY;
                    env_z[1] = f64::INFINITY;
                    break;
                }
                let v = env_v[k as usize];
                let vf = v as f64;
                let sx = ((fq + qf * qf) - (f[v] + vf * vf)) / (2.0 * (qf - vf));
                if sx <= env_z[k as usize] {
                    k -= 1;
                    continue;
                }
                k += 1;
                env_v[k as usize] = q;
                env_z[k as usize] = sx;
                env_z[k as usize + 1] = f64::INFINITY;
                break;
            }
        }
        if k < 0 {
            return Err(halo * 2);
        }
        let mut j = 0usize;
        for (x, d) in d2row.iter_mut().enumerate() {
            let xf = (x + halo) as f64;
            while env_z[j + 1] < xf {
                j += 1;
            }
            let v = env_v[j];
            let dx = (x + halo) as i64 - v as i64;
            *d = (dx * dx) as u64 + (row[v] as u64) * (row[v] as u64);
        }
        // tallies
        let mut cov = 0u64;
        let mut tr = 0u64;
        let mut best = 0u64;
        let mut best_x = 0usize;
        let trow = &treated[(r - r0) * g.nx..(r - r0 + 1) * g.nx];
        let spans = &mut cov_rows[r - r0];
        union(spans);
        let tspans = &mut tr_rows[r - r0];
        union(tspans);
        for &(a, b) in spans.iter() {
            cov += fixed((b - a) / p);
        }
        for &(a, b) in tspans.iter() {
            tr += fixed((b - a) / p);
        }
        for (x, &d) in d2row.iter().enumerate() {
            if d > best {
                best = d;
                best_x = x;
            }
        }
        if best > halo2 {
            let need = (best as f64).sqrt().ceil() as usize + 1;
            return Err(need);
        }
        out.covered += cov;
        out.treated += tr;
        if out.max_d2.is_none_or(|m| best > m) {
            out.max_d2 = Some(best);
            out.max_at = Some((best_x, r));
        }
        let ty = sh.row_tile[r];
        if ty != u32::MAX {
            let base = ty as usize * sh.ntx;
            let t = sh.tile_mm;
            for &(a, b) in spans.iter() {
                let first = (a / t).floor() as usize;
                for tx in first..sh.ntx {
                    let (lo, hi) = (a.max(tx as f64 * t), b.min((tx + 1) as f64 * t));
                    if lo >= b {
                        break;
                    }
                    if hi > lo {
                        out.tile_covered[base + tx] += fixed((hi - lo) / p);
                    }
                }
            }
        }
        let cbase = ((r - r0) / sh.cell) * sh.ncx;
        for (cx, (chunk, tchunk)) in d2row.chunks(sh.cell).zip(trow.chunks(sh.cell)).enumerate() {
            let cc = chunk.iter().filter(|&&d| d == 0).count() as u32;
            let ct = tchunk.iter().map(|&t| u32::from(t)).sum::<u32>();
            cells.covered[cbase + cx] += cc;
            if sh.picture_cells {
                cells.treated[cbase + cx] += ct;
            }
        }
    }
    Ok(out)
}
