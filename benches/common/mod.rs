//! Shared set-up of the benches: the designs they run on, loaded once.

// Each bench uses a part of this module.
#![allow(dead_code)]

use needlemap::base::progress::Silent;
use needlemap::design::Design;
use needlemap::metrics::analysis::{self, Analysis};
use needlemap::metrics::raster::RasterSettings;

/// MF8 over 40 × 40 mm at 10 µm (a shipped design).
pub const MF8: &str = "designs/mf8-192.toml";
/// Dense pen over 60 × 60 mm at 5 µm, ≈ 80 000 channels (designs/bench/).
pub const PEN_DENSE: &str = "designs/bench/pen-dense-60.toml";
/// Whole-body roller over 100 × 100 mm at 5 µm, ≈ 64 500 channels (designs/bench/).
pub const BODY: &str = "designs/bench/body-540-100.toml";

pub fn design(path: &str) -> Design {
    Design::load(path.as_ref()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The design analyzed once, for the channels, grid and margin the parts are benched on.
pub fn analyzed(path: &str) -> Analysis {
    analysis::analyze(&design(path), &Silent).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The raster settings `analysis::analyze` used for `a` (margin large enough, no retry).
pub fn raster_settings(a: &Analysis) -> RasterSettings {
    let cell = a
        .grid
        .nx
        .max(a.grid.ny)
        .div_ceil(needlemap::metrics::analysis::MAP_CELLS);
    RasterSettings {
        influence_radius_mm: a.design.analysis.influence_radius_mm,
        tiles: a.tiles,
        cell_px: cell,
        margin_mm: a.field.margin_mm,
        halo_mm: a.field.margin_mm,
        band_rows: None,
        gap: needlemap::metrics::raster::GapMethod::Exact {
            area_mm: a.design.treatment.area_mm,
        },
        picture_cells: true,
        covered_cells: true,
    }
}
