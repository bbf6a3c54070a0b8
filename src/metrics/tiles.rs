//! The tile grid of `density_cv`, tiles.csv and the density picture (model §5): square tiles
//! of side `tile_mm`, aligned at the region's origin, that lie wholly inside the region.
//!
//! One [`TileGrid`] is built per analysis and every consumer reads it: the channel counts
//! ([`TileGrid::counts`]), the raster engine's covered length per tile, and tiles.csv. The
//! tiles are a fact of the region, not of the raster: the raster's pixel rows and columns
//! may end a little before or after the region's edge when the pitch does not divide it, and
//! the engine measures each tile over the pixels it has there.

use crate::model::channel::Channel;
use serde::Serialize;

/// Relative slack when counting whole tiles, so that a region of exactly k tiles (up to
/// rounding of `area / tile`) has k tiles, not k − 1.
const WHOLE_EPS: f64 = 1e-9;

/// The whole tiles of a region: `nx` columns by `ny` rows of side `tile_mm`, row-major from
/// y = 0.
///
/// # Examples
/// ```
/// use needlemap::metrics::tiles::TileGrid;
/// let t = TileGrid::new([25.0, 10.0], 5.0);
/// assert_eq!((t.nx, t.ny), (5, 2));
/// assert_eq!(t.tile_of(12.0, 7.5), Some(5 + 2));
/// assert_eq!(t.tile_of(12.0, 10.0), None); // on the region's edge, outside the last row
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TileGrid {
    /// Side of a tile, mm.
    pub tile_mm: f64,
    /// Tile columns.
    pub nx: usize,
    /// Tile rows.
    pub ny: usize,
}

impl TileGrid {
    /// The whole tiles of side `tile_mm` in a region of `area_mm` (mm × mm).
    pub fn new(area_mm: [f64; 2], tile_mm: f64) -> TileGrid {
        let whole = |side: f64| {
            let n = (side / tile_mm + WHOLE_EPS).floor();
            if n.is_finite() && n > 0.0 {
                n as usize
            } else {
                0
            }
        };
        TileGrid {
            tile_mm,
            nx: whole(area_mm[0]),
            ny: whole(area_mm[1]),
        }
    }

    /// Number of tiles.
    pub fn len(&self) -> usize {
        self.nx * self.ny
    }

    /// Whether there is no whole tile.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Column (or row) of a coordinate, mm; `None` outside the `n` whole tiles.
    fn slot(&self, v_mm: f64, n: usize) -> Option<usize> {
        if v_mm < 0.0 {
            return None;
        }
        let k = (v_mm / self.tile_mm).floor();
        (k < n as f64).then_some(k as usize)
    }

    /// Tile column of `x_mm`; `None` outside the whole tiles.
    pub fn column_of(&self, x_mm: f64) -> Option<usize> {
        self.slot(x_mm, self.nx)
    }

    /// Tile row of `y_mm`; `None` outside the whole tiles.
    pub fn row_of(&self, y_mm: f64) -> Option<usize> {
        self.slot(y_mm, self.ny)
    }

    /// Row-major index of the tile holding the point, if it lies in a whole tile.
    pub fn tile_of(&self, x_mm: f64, y_mm: f64) -> Option<usize> {
        Some(self.row_of(y_mm)? * self.nx + self.column_of(x_mm)?)
    }

    /// Centre of tile `k`, mm.
    pub fn centre_mm(&self, k: usize) -> (f64, f64) {
        let (i, j) = (k % self.nx, k / self.nx);
        (
            (i as f64 + 0.5) * self.tile_mm,
            (j as f64 + 0.5) * self.tile_mm,
        )
    }

    /// Area of one tile, cm².
    pub fn tile_area_cm2(&self) -> f64 {
        self.tile_mm * self.tile_mm / 100.0
    }

    /// Channels whose centre lies in each tile (row-major).
    pub fn counts(&self, channels: &[Channel]) -> Vec<u64> {
        let mut counts = vec![0u64; self.len()];
        for c in channels {
            if let Some(k) = self.tile_of(c.x_mm, c.y_mm) {
                counts[k] += 1;
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::channel::test_capsule as cap;
    use proptest::prelude::*;

    #[test]
    fn whole_tiles_only() {
        let t = TileGrid::new([10.0, 7.0], 3.0);
        assert_eq!((t.nx, t.ny), (3, 2));
        // exact multiples up to rounding count in full
        let t = TileGrid::new([0.3 * 3.0, 0.9], 0.3);
        assert_eq!((t.nx, t.ny), (3, 3));
        assert!(TileGrid::new([2.0, 9.0], 3.0).is_empty());
    }

    #[test]
    fn counts_sum_to_channels_in_whole_tiles() {
        let t = TileGrid::new([10.0, 7.0], 3.0);
        let chans = [
            cap(0.0, 0.0, 0.0, 0.1, 0.0),
            cap(8.9, 5.9, 0.0, 0.1, 0.0),
            cap(9.5, 1.0, 0.0, 0.1, 0.0), // in the strip right of the tiles
            cap(1.0, 6.5, 0.0, 0.1, 0.0), // in the strip above them
        ];
        let c = t.counts(&chans);
        assert_eq!(c.len(), 6);
        assert_eq!(c.iter().sum::<u64>(), 2);
        assert_eq!((c[0], c[5]), (1, 1));
    }

    /// A small pen design: region `lx` × `ly` mm, raster pitch `res_um`, tiles of `tile_mm`.
    fn pen(lx: f64, ly: f64, res_um: f64, tile_mm: f64, seed: u64) -> crate::design::Design {
        let text = format!(
            r#"
name = "tiles"
kind = "pen"
[pen]
depth_mm = 1.0
frequency_hz = 40.0
hand_speed_mm_s = 10.0
[pen.cartridge]
pattern = "grid"
rows = 2
cols = 2
pitch_mm = 0.7
[needle]
diameter_mm = 0.25
[treatment]
area_mm = [{lx:?}, {ly:?}]
passes = [ {{ angle_deg = 0.0 }}, {{ angle_deg = 35.0 }} ]
lane_spacing_mm = 1.3
seed = {seed}
[analysis]
resolution_um = {res_um:?}
tile_mm = {tile_mm:?}
"#
        );
        crate::design::Design::from_bytes(text.as_bytes(), "tiles.toml".as_ref()).unwrap()
    }

    /// Analyzes `d`, writes its tiles.csv and checks that the tiles conserve channels.
    fn analyze_and_conserve(d: &crate::design::Design) -> Result<(), TestCaseError> {
        let a = match crate::metrics::analysis::analyze(d, &crate::base::progress::Silent) {
            // a raster with too few pixels across the region is refused up front, by design
            Err(crate::base::error::LimitError::Coarse { .. }) => return Ok(()),
            r => r.unwrap(),
        };
        let csv = crate::output::csv::tiles(&a);
        let t = a.tiles;
        prop_assert_eq!(csv.iter().filter(|&&b| b == b'\n').count(), 1 + t.len());
        prop_assert_eq!((a.tile_channels.1, a.tile_channels.2), (t.nx, t.ny));
        if let Some(m) = &a.maps {
            prop_assert_eq!(m.tiles, (t.nx, t.ny));
            prop_assert_eq!(m.tile_px.len(), t.len());
            for (c, p) in m.tile_covered.iter().zip(&m.tile_px) {
                prop_assert!(c <= p, "covered {} of {}", c, p);
            }
        }
        // Channels whose centre lies in a whole tile, counted without the grid's own lookup.
        let [lx, ly] = d.treatment.area_mm;
        let (tx, ty) = (t.nx as f64 * t.tile_mm, t.ny as f64 * t.tile_mm);
        let in_region: Vec<&Channel> = a.field.in_region().collect();
        let in_tiles = in_region
            .iter()
            .filter(|c| c.x_mm < tx && c.y_mm < ty)
            .count() as u64;
        let sum: u64 = a.tile_channels.0.iter().sum();
        prop_assert_eq!(sum, in_tiles);
        prop_assert_eq!(in_region.len() as u64, a.metrics.channels);
        if (tx - lx).abs() < 1e-9 * lx && (ty - ly).abs() < 1e-9 * ly {
            // Tiles cover the region: every channel counts, but those on its far edges
            // (x = Lx or y = Ly), which lie in the region and in no tile.
            let on_edge = in_region
                .iter()
                .filter(|c| c.x_mm >= tx || c.y_mm >= ty)
                .count() as u64;
            prop_assert_eq!(sum + on_edge, a.metrics.channels);
        }
        Ok(())
    }

    /// The case that panicked: 4 mm at 30 µm has 133 pixel columns (3.99 mm), so the raster
    /// counted 3 tiles of 1 mm per row and the channel counts 4.
    #[test]
    fn pitch_that_does_not_divide_the_region() {
        analyze_and_conserve(&pen(4.0, 4.0, 30.0, 1.0, 1)).unwrap();
        analyze_and_conserve(&pen(4.0, 3.0, 300.0, 1.0, 2)).unwrap();
        analyze_and_conserve(&pen(3.0, 4.5, 70.0, 1.5, 3)).unwrap();
    }

    /// Regions whose side is a whole number of tiles, and regions that are not.
    fn region_and_tile() -> impl Strategy<Value = (f64, f64, f64)> {
        prop_oneof![
            (1usize..5, 1usize..5, 0.5f64..2.0).prop_map(|(kx, ky, t)| (
                kx as f64 * t,
                ky as f64 * t,
                t
            )),
            (1.0f64..6.0, 1.0f64..6.0, 0.3f64..4.0),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        #[test]
        fn analyze_never_panics_and_tiles_conserve_channels(
            (lx, ly, tile) in region_and_tile(),
            res_um in 20.0f64..400.0,
            seed in 0u64..1000,
        ) {
            analyze_and_conserve(&pen(lx, ly, res_um, tile, seed))?;
        }
    }
}
