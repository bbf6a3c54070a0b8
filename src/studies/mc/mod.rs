//! Monte Carlo over seeds and manufacturing tolerance (issue 14).
//!
//! Run k of a study analyzes the design with seed `seed + k`: that seed places the hand (pass
//! offsets, stroke phases) and draws a new device from `[tolerance]` (the device streams of
//! [`crate::base::rng`]). Each run depends on its own seed alone, so runs 0..N of a 2N study equal
//! an N study, and runs go in parallel (rayon, collected in run order) with the same bytes
//! for any thread count. Each run is a full analysis
//! ([`analyze_with`](crate::metrics::analysis::analyze_with)) at the design's resolution; no pictures
//! are drawn per run, so a run skips the picture cells only pictures need (it keeps the
//! covered cells of the coverage probability map) and hands its cell arrays back for the next
//! run on the same thread ([`crate::metrics::raster::recycle`]). Runs, not the work inside a
//! run, are what go in parallel when there are many.

pub mod stats;

use crate::base::error::LimitError;
use crate::base::progress::{Progress, Silent};
use crate::design::{Design, SpecLimit};
use crate::metrics::analysis::{self, Analysis};
use crate::metrics::Metrics;
use crate::model::registry::METRICS;
use rayon::prelude::*;
use serde::Serialize;
use stats::{wilson, Summary};
use std::sync::Mutex;

/// Default number of runs.
pub const DEFAULT_RUNS: u32 = 200;
/// Most raster pixels one study may rasterize in total (runs × pixels of one run): about
/// 200 runs of a 40 × 40 mm region at 10 µm.
pub const MAX_STUDY_PIXELS: u64 = 4_000_000_000_000;
/// Most channels one study may simulate in total (runs × channels of one field).
pub const MAX_STUDY_CHANNELS: u64 = 2_000_000_000;

/// The device as drawn in one run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct DeviceSummary {
    /// Needles present (not missing, length > 0).
    pub present: usize,
    /// Needles of the design that are missing.
    pub missing: usize,
    /// Mean made length of the present needles that pierce, mm.
    pub mean_length_mm: Option<f64>,
    /// Sample sd of those lengths, mm.
    pub sd_length_mm: Option<f64>,
}

/// One run of a study.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Run number, from 0.
    pub run: u32,
    /// Seed used: the design's seed + run.
    pub seed: u64,
    /// Every metric.
    pub metrics: Metrics,
    /// The device as drawn.
    pub device: DeviceSummary,
    /// Whether the run meets every spec limit.
    pub passes: bool,
}

/// A whole study.
#[derive(Clone, Debug)]
pub struct Study {
    /// The design (first seed as in the file or `--seed`).
    pub design: Design,
    /// The runs, in run order.
    pub runs: Vec<Run>,
    /// Per registry metric (registry order): its summary over the runs where it is defined.
    pub summaries: Vec<(&'static str, Option<Summary>)>,
    /// Coverage probability map: per picture cell, the fraction of runs in which the cell
    /// holds a covered pixel (row-major); with its columns and rows.
    pub coverage_map: Option<(Vec<f64>, usize, usize)>,
    /// The yield against the design's spec limits; `None` without a `[spec]`.
    pub yield_: Option<Yield>,
}

/// The yield of a study: the share of runs meeting every limit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Yield {
    /// Runs meeting every limit.
    pub passing: u64,
    /// Runs.
    pub runs: u64,
    /// passing / runs.
    pub fraction: f64,
    /// Wilson score 95 % interval of the fraction: lower end.
    pub wilson95_lo: f64,
    /// Upper end.
    pub wilson95_hi: f64,
    /// Per limit, in registry order: the share of runs failing it.
    pub limits: Vec<LimitYield>,
}

/// One limit's failures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LimitYield {
    /// The limit.
    pub limit: SpecLimit,
    /// Share of runs failing it.
    pub fail_fraction: f64,
}

/// The work a study would do, refused up front beyond [`MAX_STUDY_PIXELS`] or
/// [`MAX_STUDY_CHANNELS`]: returns (pixels, channels) in total.
pub fn check_work(design: &Design, runs: u32) -> Result<(u64, u64), StudyError> {
    if runs == 0 {
        return Err(StudyError::NoRuns);
    }
    // every run's seed must be one a design file or `analyze --seed` accepts, so any run can
    // be reproduced alone
    let last = design.treatment.seed.checked_add(u64::from(runs) - 1);
    if last.is_none_or(|s| s > i64::MAX as u64) {
        return Err(StudyError::SeedPastRange {
            seed: design.treatment.seed,
            runs,
        });
    }
    let grid = crate::metrics::raster::Grid::new(
        &design.name,
        design.treatment.area_mm,
        design.analysis.resolution_um,
    )?;
    let made = crate::kinematics::MadeDevice::for_limits(design);
    let channels = made.check_channel_limit(design, made.default_margin_mm(design))?;
    let pixels = grid.pixels().saturating_mul(u64::from(runs));
    let chans = channels.max(1).saturating_mul(u64::from(runs));
    if pixels > MAX_STUDY_PIXELS || chans > MAX_STUDY_CHANNELS {
        let fit = (MAX_STUDY_PIXELS / grid.pixels().max(1))
            .min(MAX_STUDY_CHANNELS / channels.max(1))
            .min(u64::from(u32::MAX));
        return Err(StudyError::TooMuchWork {
            design: design.name.clone(),
            runs,
            pixels,
            channels: chans,
            fit_runs: fit,
        });
    }
    Ok((pixels, chans))
}

/// The estimated CPU seconds of a study of `runs` runs ([`analysis::Work`] per run), refused
/// beyond `max_cpu_s` with the number of runs that fits.
pub fn check_time(design: &Design, runs: u32, max_cpu_s: f64) -> Result<f64, StudyError> {
    let per_run = analysis::Work::of(design)?.cpu_s();
    let cpu_s = per_run * f64::from(runs);
    if cpu_s > max_cpu_s {
        return Err(StudyError::TooLong {
            design: design.name.clone(),
            runs,
            cpu_s,
            max_cpu_s,
            fit_runs: (max_cpu_s / per_run).floor().max(0.0) as u64,
        });
    }
    Ok(cpu_s)
}

/// Why a study is refused.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// `--runs 0`.
    #[error("--runs 0: a study needs at least 1 run")]
    NoRuns,
    /// The last run's seed would pass 2⁶³ − 1, the largest seed a design file takes.
    #[error("--runs {runs} from seed {seed} would reach seed {seed} + {runs} − 1, past 2^63 − 1 = 9223372036854775807, the largest seed a design or --seed takes: use a smaller --seed or fewer runs")]
    SeedPastRange {
        /// First seed.
        seed: u64,
        /// Runs asked for.
        runs: u32,
    },
    /// One run is already beyond the analysis limits.
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// The runs would take longer than the limit on one command's work.
    #[error("{design}: {runs} runs would take about {} of CPU time (estimated: {} per run), more than the limit of {} (--max-cpu-min {}); --runs {fit_runs} fits, or raise the limit with --max-cpu-min", crate::metrics::analysis::duration_words(*cpu_s), crate::metrics::analysis::duration_words(*cpu_s / f64::from(*runs)), crate::metrics::analysis::duration_words(*max_cpu_s), max_cpu_s / 60.0)]
    TooLong {
        /// Design name.
        design: String,
        /// Runs asked for.
        runs: u32,
        /// Estimated CPU seconds.
        cpu_s: f64,
        /// The limit, CPU seconds.
        max_cpu_s: f64,
        /// Runs that would fit.
        fit_runs: u64,
    },
    /// The runs together are beyond the study limits.
    #[error("{design}: {runs} runs would rasterize about {pixels} pixels and simulate about {channels} channels in total; the limits are {MAX_STUDY_PIXELS} pixels and {MAX_STUDY_CHANNELS} channels. --runs {fit_runs} fits (or a coarser --resolution-um)")]
    TooMuchWork {
        /// Design name.
        design: String,
        /// Runs asked for.
        runs: u32,
        /// Estimated pixels in total.
        pixels: u64,
        /// Estimated channels in total.
        channels: u64,
        /// Runs that would fit.
        fit_runs: u64,
    },
}

/// Runs the study: `runs` analyses of `design` with seeds `seed..seed + runs`, in parallel.
/// `progress` sees one stage, "runs", advanced once per finished run.
pub fn study(design: &Design, runs: u32, progress: &dyn Progress) -> Result<Study, StudyError> {
    check_work(design, runs)?;
    let seed0 = design.treatment.seed;
    let map: Mutex<Option<(Vec<u32>, usize, usize)>> = Mutex::new(None);
    progress.start("runs", u64::from(runs));
    let results: Vec<Result<Run, LimitError>> = (0..runs)
        .into_par_iter()
        .map(|k| {
            let mut d = design.clone();
            let seed = seed0.wrapping_add(u64::from(k));
            d.treatment.seed = seed;
            // one person's skin per run, from [skin.variability] (none: the design's skin)
            d.skin = design.skin.drawn(seed);
            let keep = analysis::Keep {
                picture_cells: false,
                covered_cells: true,
            };
            let a = analysis::analyze_with(d, None, keep, &Silent)?;
            accumulate(&map, &a);
            let run = Run {
                run: k,
                seed,
                passes: design.spec.iter().all(|l| l.passes(a.metrics.get(l.key))),
                device: device_summary(&a),
                metrics: a.metrics,
            };
            // The next run on this thread fills the same cell arrays.
            if let Some(m) = a.maps {
                crate::metrics::raster::recycle(m);
            }
            progress.advance(1);
            Ok(run)
        })
        .collect();
    progress.finish();
    let runs_v = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    let summaries = METRICS
        .iter()
        .map(|m| {
            let v: Vec<f64> = runs_v.iter().filter_map(|r| (m.get)(&r.metrics)).collect();
            (m.key, Summary::of(&v))
        })
        .collect();
    let n = runs_v.len() as f64;
    let coverage_map = map
        .into_inner()
        .expect("map lock")
        .map(|(c, nx, ny)| (c.into_iter().map(|x| f64::from(x) / n).collect(), nx, ny));
    let yield_ = (!design.spec.is_empty()).then(|| yield_of(&design.spec, &runs_v));
    Ok(Study {
        design: design.clone(),
        runs: runs_v,
        summaries,
        coverage_map,
        yield_,
    })
}

/// Adds a run's covered cells to the study's map. Integer counts: the sum is the same in any
/// order, so the map does not depend on the thread count.
fn accumulate(map: &Mutex<Option<(Vec<u32>, usize, usize)>>, a: &Analysis) {
    let Some(m) = &a.maps else { return };
    let (_, nx, ny) = m.cells;
    let mut g = map.lock().expect("map lock");
    let acc = g.get_or_insert_with(|| (vec![0; nx * ny], nx, ny));
    if acc.1 != nx || acc.2 != ny {
        return; // cannot happen: every run has the same grid
    }
    for (s, &c) in acc.0.iter_mut().zip(&m.cell_covered) {
        *s += u32::from(c > 0);
    }
}

/// The drawn device of an analysis.
pub fn device_summary(a: &Analysis) -> DeviceSummary {
    let total = crate::kinematics::needle_count(&a.design);
    let lengths: Vec<f64> = a.made.needles.iter().map(|n| n.length_mm).collect();
    let s = Summary::of(&lengths);
    DeviceSummary {
        present: a.made.present,
        missing: total.saturating_sub(a.made.present),
        mean_length_mm: s.map(|s| s.mean),
        sd_length_mm: s.map(|s| s.sd),
    }
}

/// The yield of `runs` against `limits`.
pub fn yield_of(limits: &[SpecLimit], runs: &[Run]) -> Yield {
    let n = runs.len() as u64;
    let passing = runs.iter().filter(|r| r.passes).count() as u64;
    let (lo, hi) = wilson(passing, n);
    Yield {
        passing,
        runs: n,
        fraction: passing as f64 / n.max(1) as f64,
        wilson95_lo: lo,
        wilson95_hi: hi,
        limits: limits
            .iter()
            .map(|l| LimitYield {
                limit: l.clone(),
                fail_fraction: runs
                    .iter()
                    .filter(|r| !l.passes(r.metrics.get(l.key)))
                    .count() as f64
                    / n.max(1) as f64,
            })
            .collect(),
    }
}
