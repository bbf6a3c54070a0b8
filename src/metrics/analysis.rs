//! One design, analyzed: the channels of its treatment, every metric, the layer shares,
//! the advisories and the maps the pictures are drawn from.

use crate::base::error::LimitError;
use crate::base::progress::Progress;
use crate::design::Design;
use crate::kinematics::{self, Field, MadeDevice};
use crate::metrics::integrity::{self, Integrity};
use crate::metrics::raster::{self, AreaMaps, GapMethod, Grid, RasterError, RasterSettings};
use crate::metrics::tiles::TileGrid;
use crate::metrics::{self, overlap, Metrics};
use crate::model::advisory::Advisory;
use crate::model::skin::Layer;

/// Run-time choices that override the design file.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overrides {
    /// Replaces `treatment.seed`.
    pub seed: Option<u64>,
    /// Replaces `analysis.resolution_um`.
    pub resolution_um: Option<f64>,
}

/// Estimated CPU seconds per raster pixel of one analysis (a pixel row's spans, the cell
/// arrays), fitted to single-thread Monte Carlo runs of the shipped and bench designs on a
/// 2-core AMD EPYC machine (within a factor of 1.5 of each: MF8 at 15, 1000, 3000 and 10 000
/// passes, the pens, the body rollers at 100 and 300 mm).
pub const CPU_S_PER_PIXEL: f64 = 3.3e-10;
/// Estimated CPU seconds per channel of one analysis where openings do not overlap; every
/// six layers of openings over a point of skin add as much again (spans to merge, overlap
/// tests). Fitted with [`CPU_S_PER_PIXEL`].
pub const CPU_S_PER_CHANNEL: f64 = 2e-6;
/// Most work one command (`sweep`, `mc`, `compare`) starts by default, estimated CPU seconds
/// (20 CPU-minutes: about 10 minutes on 2 cores); beyond it the command is refused with what
/// would fit (`--max-cpu-min` raises it).
pub const DEFAULT_MAX_CPU_S: f64 = 1200.0;

/// What one analysis of a design costs, estimated from the design before any work: its raster
/// pixels, the channels of its field, and how many openings lie over a point of skin on
/// average (`layers`). Deterministic (no timing), so refusals do not depend on the machine.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Work {
    /// Raster pixels of the region.
    pub pixels: u64,
    /// Channels in the simulated field (region and margin).
    pub channels: u64,
    /// Mean number of openings over a point of the field.
    pub layers: f64,
}

impl Work {
    /// The work of one analysis of `design`; the analysis limits refused as they would be.
    pub fn of(design: &Design) -> Result<Work, LimitError> {
        let t = &design.treatment;
        let grid = Grid::new(&design.name, t.area_mm, design.analysis.resolution_um)?;
        let made = MadeDevice::for_limits(design);
        let margin = made.default_margin_mm(design);
        let channels = made.check_channel_limit(design, margin)?;
        let n = made.needles.len().max(1) as f64;
        let opening_mm2 = made
            .needles
            .iter()
            .map(|m| {
                std::f64::consts::PI * m.radius_mm * m.radius_mm + 2.0 * m.radius_mm * m.slit_mm
            })
            .sum::<f64>()
            / n;
        let field_mm2 = (t.area_mm[0] + 2.0 * margin) * (t.area_mm[1] + 2.0 * margin);
        Ok(Work {
            pixels: grid.pixels(),
            channels,
            layers: channels as f64 * opening_mm2 / field_mm2,
        })
    }

    /// Estimated CPU seconds of the analysis, without pictures and files.
    ///
    /// # Examples
    /// ```
    /// use needlemap::metrics::analysis::Work;
    /// let w = Work { pixels: 16_000_000, channels: 3681, layers: 0.1 };
    /// assert!((w.cpu_s() - 0.015).abs() < 0.005);
    /// ```
    pub fn cpu_s(&self) -> f64 {
        0.002
            + self.pixels as f64 * CPU_S_PER_PIXEL
            + self.channels as f64 * CPU_S_PER_CHANNEL * (1.0 + self.layers / 6.0)
    }
}

/// A duration for a person: "12 s", "4.5 min", "2.3 h".
///
/// # Examples
/// ```
/// assert_eq!(needlemap::metrics::analysis::duration_words(42.0), "42 s");
/// assert_eq!(needlemap::metrics::analysis::duration_words(2400.0), "40 min");
/// ```
pub fn duration_words(s: f64) -> String {
    if !s.is_finite() || s > 360_000.0 {
        "more than 100 h".into()
    } else if s < 1.0 {
        format!("{:.0} ms", (s * 1000.0).max(1.0))
    } else if s < 100.0 {
        format!("{s:.0} s")
    } else if s < 6000.0 {
        let m = s / 60.0;
        if m < 10.0 {
            format!("{m:.1} min")
        } else {
            format!("{m:.0} min")
        }
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// Most worker threads a run may ask for (`--threads`, Python's `threads=`): a pool beyond a
/// few per core only costs start-up (a million threads took 35 s to spawn) and memory.
pub const MAX_THREADS: usize = 256;

/// Largest seed, the range `treatment.seed` accepts in a file (a TOML integer, 0 to 2⁶³ − 1).
pub const MAX_SEED: u64 = i64::MAX as u64;

/// Checks a worker-thread count against [`MAX_THREADS`]; the error says what is valid.
///
/// # Examples
/// ```
/// use needlemap::metrics::analysis::check_threads;
/// assert_eq!(check_threads(4), Ok(4));
/// assert!(check_threads(0).is_err());
/// assert!(check_threads(1_000_000).unwrap_err().contains("from 1 to 256"));
/// ```
pub fn check_threads(n: usize) -> Result<usize, String> {
    if (1..=MAX_THREADS).contains(&n) {
        Ok(n)
    } else {
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        Err(format!(
            "{n} worker threads: must be from 1 to {MAX_THREADS} (this machine has {cores} cores; more threads than cores gain nothing)"
        ))
    }
}

impl Overrides {
    /// Checks the overrides against the ranges a design file's keys have (the one table,
    /// [`crate::design::ranges`]): `resolution_um` that of `analysis.resolution_um`, `seed`
    /// that of `treatment.seed`. The error names the key and what is valid.
    ///
    /// # Examples
    /// ```
    /// use needlemap::metrics::analysis::Overrides;
    /// let o = Overrides { resolution_um: Some(1500.0), ..Default::default() };
    /// assert!(o.check().unwrap_err().contains("at most 1000"));
    /// ```
    pub fn check(&self) -> Result<(), String> {
        if let Some(r) = self.resolution_um {
            crate::design::ranges::check("analysis.resolution_um", r).map_err(|p| {
                format!(
                    "resolution {} µm (it overrides analysis.resolution_um): {p}",
                    crate::base::input::short_num(r)
                )
            })?;
        }
        if let Some(s) = self.seed.filter(|&s| s > MAX_SEED) {
            return Err(format!(
                "seed {s} (it overrides treatment.seed): must be a whole number from 0 to {MAX_SEED} (2^63 − 1), the range treatment.seed accepts"
            ));
        }
        Ok(())
    }

    /// The design with these overrides applied.
    pub fn apply(&self, design: &Design) -> Design {
        let mut d = design.clone();
        if let Some(s) = self.seed {
            d.treatment.seed = s;
        }
        if let Some(r) = self.resolution_um {
            d.analysis.resolution_um = r;
        }
        d
    }
}

/// Longest side of the picture maps, in cells.
pub const MAP_CELLS: usize = 1000;

/// The analysis of one design.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The design as analyzed (overrides applied).
    pub design: Design,
    /// The device as made and pressed.
    pub made: MadeDevice,
    /// Its channels.
    pub field: Field,
    /// Every metric.
    pub metrics: Metrics,
    /// Share of channels ending in each layer, surface first.
    pub layers: [f64; 5],
    /// Advisories.
    pub advisories: Vec<Advisory>,
    /// The needles' strength checks: the needle that sets each safety factor.
    pub integrity: Integrity,
    /// Raster maps; `None` when the field has no channel at all.
    pub maps: Option<AreaMaps>,
    /// The raster grid used.
    pub grid: Grid,
    /// The whole tiles of `density_cv`, tiles.csv and the raster's per-tile coverage.
    pub tiles: TileGrid,
    /// Channel counts per whole tile (row-major from y = 0) and the tile grid (columns, rows).
    pub tile_channels: (Vec<u64>, usize, usize),
    /// Worker threads used.
    pub threads: usize,
}

/// What an analysis computes beyond the metrics.
#[derive(Clone, Copy, Debug)]
pub struct Keep {
    /// Treated pixels and pixels per picture cell (`AreaMaps::cell_treated`, `cell_px`; empty
    /// when false): only the coverage picture draws them, so a Monte Carlo run skips them.
    pub picture_cells: bool,
    /// Covered pixels per cell (`AreaMaps::cell_covered`; empty when false, unless
    /// `picture_cells`): the pictures and the Monte Carlo coverage map. No metric reads them.
    pub covered_cells: bool,
}

impl Keep {
    /// Only the metrics: no per-cell maps (`analyze --no-plots`).
    pub const METRICS: Keep = Keep {
        picture_cells: false,
        covered_cells: false,
    };
}

impl Default for Keep {
    fn default() -> Keep {
        Keep {
            picture_cells: true,
            covered_cells: true,
        }
    }
}

/// Runs every metric on `design`. Refuses up front what would exceed the channel or pixel limits.
pub fn analyze(design: &Design, progress: &dyn Progress) -> Result<Analysis, LimitError> {
    analyze_with(design.clone(), None, Keep::default(), progress)
}

/// [`analyze`] of an owned design, with the device as made when the caller has built it
/// already (`made` must be `MadeDevice::new(&design)`), keeping what `keep` asks for.
pub fn analyze_with(
    design: Design,
    made: Option<MadeDevice>,
    keep: Keep,
    progress: &dyn Progress,
) -> Result<Analysis, LimitError> {
    let t = &design.treatment;
    let grid = Grid::new(&design.name, t.area_mm, design.analysis.resolution_um)?;
    let tiles = TileGrid::new(t.area_mm, design.analysis.tile_mm);
    let made = made.unwrap_or_else(|| {
        progress.start("device", 1);
        let made = MadeDevice::new(&design);
        progress.finish();
        made
    });
    let default_margin = made.default_margin_mm(&design);
    let mut margin = default_margin;
    made.check_channel_limit(&design, margin)?;
    let cap = t.area_mm[0].max(t.area_mm[1]);
    let cell = grid.nx.max(grid.ny).div_ceil(MAP_CELLS);
    let mut gap_at_margin = false;
    let (field, maps) = loop {
        progress.start("channels", 1);
        let field = kinematics::generate(&design, &made, margin)?;
        progress.finish();
        if field.channels.is_empty() {
            break (field, None);
        }
        let capped = margin >= cap;
        let settings = RasterSettings {
            influence_radius_mm: design.analysis.influence_radius_mm,
            tiles,
            cell_px: cell,
            // Once the margin is as large as the region, distances are taken as they are in
            // the simulated field, however far the halo must reach.
            margin_mm: if capped { margin + 4.0 * cap } else { margin },
            halo_mm: margin.min(default_margin),
            band_rows: None,
            gap: GapMethod::Exact { area_mm: t.area_mm },
            picture_cells: keep.picture_cells,
            covered_cells: keep.covered_cells,
        };
        match raster::rasterize(&field.channels, grid, settings, progress) {
            Ok(maps) => {
                gap_at_margin = capped && maps.max_gap_mm().is_some_and(|g| g > margin);
                break (field, Some(maps));
            }
            Err(RasterError::NeedMargin(_)) => {
                // Grow by a factor that depends on nothing but the margin itself: the distance
                // a band asks for depends on where the bands split, and so on the thread
                // count, and the field (channels.csv) must not.
                margin = (margin * 2.0).min(cap);
                made.check_channel_limit(&design, margin)?;
            }
        }
    };

    let integrity = integrity::assess(&design, &made);
    let area_cm2 = t.area_mm2() / 100.0;
    let in_region: Vec<_> = field.in_region().copied().collect();
    let n = in_region.len() as u64;
    let depth = metrics::depth_stats(in_region.iter());
    let layers = metrics::layer_fractions(in_region.iter());
    let tile_channels = (tiles.counts(&in_region), tiles.nx, tiles.ny);
    progress.start("overlap", 1);
    let over = overlap::overlaps_earlier(&field.channels);
    progress.finish();
    let overlapping = field
        .channels
        .iter()
        .zip(&over)
        .filter(|(c, &o)| o && c.in_region(t.area_mm))
        .count();
    let metrics = Metrics {
        channels: n,
        density_per_cm2: n as f64 / area_cm2,
        coverage_fraction: Some(maps.as_ref().map_or(0.0, AreaMaps::coverage_fraction)),
        treated_fraction: Some(maps.as_ref().map_or(0.0, AreaMaps::treated_fraction)),
        max_gap_mm: maps.as_ref().and_then(AreaMaps::max_gap_mm),
        mean_depth_mm: depth.map(|d| d.mean_mm),
        min_depth_mm: depth.map(|d| d.min_mm),
        max_depth_mm: depth.map(|d| d.max_mm),
        p05_depth_mm: depth.map(|d| d.p05_mm),
        p95_depth_mm: depth.map(|d| d.p95_mm),
        mean_channel_depth_mm: depth.map(|d| d.mean_channel_mm),
        density_cv: metrics::cv(&tile_channels.0),
        overlap_fraction: (n > 0).then(|| overlapping as f64 / n as f64),
        puncture_rate_per_s: made.puncture_rate_per_s,
        time_s: made.time_s,
        min_buckling_safety_factor: integrity.min_buckling_safety_factor(),
        min_bending_safety_factor: integrity.min_bending_safety_factor(),
        fatigue_safety_factor: integrity.fatigue_safety_factor(),
    };
    let mut advisories = advisories(&design, &made, &metrics, &layers, gap_at_margin);
    advisories.extend(integrity::advisories(&integrity, &design.needle.material));
    Ok(Analysis {
        design,
        made,
        field,
        metrics,
        layers,
        advisories,
        integrity,
        maps,
        grid,
        tiles,
        tile_channels,
        threads: rayon::current_num_threads(),
    })
}

/// The advisories of model §6 for an analyzed design.
pub fn advisories(
    design: &Design,
    made: &MadeDevice,
    m: &Metrics,
    layers: &[f64; 5],
    gap_at_margin: bool,
) -> Vec<Advisory> {
    let mut out = Vec::new();
    if m.channels == 0 {
        let why = if made.present == 0 {
            "every needle is missing"
        } else if made.needles.is_empty() {
            "no needle pierces at the stated force"
        } else {
            "the device's channels all fall outside the treatment region"
        };
        out.push(Advisory {
            code: "no_channels",
            message: format!(
                "no channel lies in the treatment region ({why}): coverage and treated area are 0 and the depths, gap, spread and overlap undefined"
            ),
        });
    }
    if let Some(d) = m.max_depth_mm.filter(|&d| d > 1.5) {
        out.push(Advisory { code: "deep", message: format!("deepest channel {d:.2} mm is past 1.5 mm: deep treatment; redness may last up to 2 days instead of hours") });
    }
    let closing = made
        .needles
        .iter()
        .filter(|n| n.channel_depth_mm <= 0.0)
        .count();
    if closing > 0 {
        let what = if closing == made.needles.len() {
            "every channel closes".to_string()
        } else {
            format!(
                "the channels of {closing} of {} piercing needles close",
                made.needles.len()
            )
        };
        out.push(Advisory {
            code: "channels_close",
            message: format!(
                "{what} after withdrawal: the needle went in no wider than the skin's closure radius ({} µm), so no open channel is left for what the treatment delivers; a deeper insertion (a longer needle, more force) or a wider cone (a thicker needle, a shorter tip) opens one",
                design.skin.closure_radius_um
            ),
        });
    }
    out.extend(design.device.kind_of().advisories());
    let sub = layers[Layer::Subcutis.index()];
    if sub > 0.0 {
        out.push(Advisory {
            code: "subcutis",
            message: format!(
                "{:.1} % of channels reach the subcutis (below {:.2} mm in the {} skin model)",
                sub * 100.0,
                design.skin.boundaries_mm()[3],
                design.skin.preset
            ),
        });
    }
    if made.unpierced > 0 {
        let force = design.device.force_n();
        let what = design.device.kind_of().force_words();
        let mut msg = format!(
            "{} of {} needles do not pierce at the stated {what} of {force} N",
            made.unpierced, made.present
        );
        if let Some(f) = made.pierce_force_n {
            msg += &format!("; every needle that can pierce would at {f:.3} N");
        }
        if made.never_pierce > 0 {
            msg += &format!(
                "; {} never pierce: the device's body reaches the skin before their tips indent it the {:.3} mm (or more, among neighbours) this tip needs",
                made.never_pierce, made.puncture_displacement_mm
            );
        }
        out.push(Advisory {
            code: "non_piercing",
            message: msg,
        });
    }
    let narrowest_mm = made
        .needles
        .iter()
        .map(|n| 2.0 * n.radius_mm)
        .fold(f64::INFINITY, f64::min);
    let pitch_mm = design.analysis.resolution_um / 1000.0;
    if narrowest_mm.is_finite() && narrowest_mm < 2.0 * pitch_mm {
        out.push(Advisory {
            code: "coarse_raster",
            message: format!(
                "the narrowest opening is {:.1} µm across, under two pixels of {} µm: coverage and the largest gap are sampled coarsely; --resolution-um {} resolves it",
                narrowest_mm * 1000.0,
                design.analysis.resolution_um,
                ((narrowest_mm * 1000.0 / 2.0).floor()).max(1.0)
            ),
        });
    }
    if gap_at_margin {
        out.push(Advisory { code: "gap_at_margin", message: "the largest gap reaches the edge of the simulated field; the true gap may be larger".into() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::progress::Silent;

    /// Lanes 12 mm apart, stamps 0.5 mm apart: gaps of ~6 mm, wider than the default margin.
    const SPARSE: &str = r#"
name = "sparse"
kind = "pen"
[pen]
depth_mm = 1.0
frequency_hz = 20.0
hand_speed_mm_s = 10.0
[pen.cartridge]
pattern = "grid"
rows = 1
cols = 1
pitch_mm = 1.0
[needle]
diameter_mm = 0.25
[treatment]
area_mm = [30.0, 30.0]
passes = [ { angle_deg = 0.0 } ]
lane_spacing_mm = 12.0
seed = 3
[analysis]
resolution_um = 50.0
"#;

    #[test]
    fn margin_growth_does_not_depend_on_threads() {
        let d = Design::from_bytes(SPARSE.as_bytes(), "sparse.toml".as_ref()).unwrap();
        let run = |n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
                .install(|| analyze(&d, &Silent).unwrap())
        };
        let (a, b) = (run(1), run(2));
        assert!(
            a.field.margin_mm > a.made.default_margin_mm(&d),
            "the case must grow the margin"
        );
        assert_eq!(a.field.channels, b.field.channels);
        assert_eq!(a.metrics, b.metrics);
        // the gap between lanes 12 mm apart is about half of that
        let gap = a.metrics.max_gap_mm.unwrap();
        assert!((5.5..6.2).contains(&gap), "gap {gap}");
    }
}
