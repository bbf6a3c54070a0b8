//! Design from a target: the devices of a search space that meet a specification, and the
//! trade-off between objectives among them (`needlemap optimise`).
//!
//! An optimisation file names a base design, the keys to search (as a sweep's `[vary]`), the
//! constraints and the objectives:
//!
//! ```toml
//! name = "mf8-fewest-needles"            # out/<name>/optimise/
//! base = "../mf8-192.toml"               # relative to this file
//! [search]                               # lists, words or ranges { min, max, step }
//! "roller.layout.needles_per_ring" = { min = 8, max = 32, step = 2 }
//! "needle.length_mm" = [1.0, 1.5, 2.0]
//! "needle.material" = ["ss304", "ti6al4v"]
//! [constraints]                          # limits on metrics, as a design's [spec]
//! coverage_fraction = { min = 0.15 }
//! yield = { min = 0.9, runs = 200 }      # optional: the finalists' Monte Carlo yield
//! [objective]
//! minimise = ["needles", "force_n"]      # needles, force_n, passes, a metric, a searched key
//! maximise = []                          # metrics or searched keys where larger is better
//! ```
//!
//! # The search
//! The space is the grid of the listed values, searched exhaustively: every candidate is
//! evaluated, so the answer is exact on the grid and the result is the same on every machine
//! and thread count. What makes it fast is the order of the evaluation, cheapest first, each
//! stage deciding only what the next would decide the same way:
//!
//! 1. **screen**: the device as made and pressed, no raster. Puncture rate, time and the
//!    needles' strength are those of the full analysis; every depth statistic of the channels
//!    lies between the shallowest and the deepest needle, so a depth limit outside that range
//!    fails; density is the closed form of the layout within [`DENSITY_SLACK`]; coverage is
//!    at most the density times an opening's area (openings overlap, never add).
//! 2. **coarse**: the analysis at [`COARSE_FACTOR`] times the raster pitch: a candidate that
//!    fails a limit widened by [`coarse_slack`] (the coarser pixels' error) is rejected; one
//!    that meets every limit narrowed by it is feasible at the coarse pitch.
//! 3. **full**: the analysis at the design's pitch decides the rest. Every design that
//!    reaches the Pareto front is analyzed at its own pitch before it stays there (one that
//!    fails leaves and the front is drawn again), so the front is exact.
//! 4. **yield** (with `yield = { min, runs }`): a Monte Carlo study of each design on the
//!    Pareto front, its work estimated first and refused past the budget; one whose yield's
//!    lower 95 % bound is under `min` leaves the front, and the front is drawn again.
//!
//! The Pareto front is the set of feasible candidates no other feasible candidate dominates
//! (as good in every objective and better in one). A search over 10 800 MF8 variants runs in
//! under a minute on 2 cores (`bash benches/optimise.sh`): candidates that differ in their
//! treatment alone share one made device.

mod load;
pub mod shards;

pub use load::{schema, Objective, Optimise, Sense, OBJECTIVE_WORDS};

use crate::base::progress::Progress;
use crate::design::{Design, SpecLimit};
use crate::kinematics::MadeDevice;
use crate::metrics::analysis::{self, Keep, Overrides};
use crate::metrics::Metrics;
use rayon::prelude::*;

/// Relative slack of the screening density: the closed form of the layout against the
/// channels counted in the region (seeded offsets and the region's edges move it by a few %).
pub const DENSITY_SLACK: f64 = 0.15;

/// The coarse stage's raster pitch: this many times the design's, at most [`MAX_COARSE_UM`].
pub const COARSE_FACTOR: f64 = 4.0;

/// The coarsest pitch of the coarse stage, µm.
pub const MAX_COARSE_UM: f64 = 200.0;

/// How far a metric at the coarse pitch may lie from the full analysis's: raster metrics by
/// a few coarse pixels, the others (channels do not depend on the pitch) by rounding.
pub fn coarse_slack(key: &str, coarse_um: f64) -> f64 {
    match key {
        "coverage_fraction" | "treated_fraction" | "overlap_fraction" => 0.03,
        "max_gap_mm" => 3.0 * coarse_um / 1000.0,
        "density_cv" => 0.05,
        _ => 0.0,
    }
}

/// How far an evaluation went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The design rules refused the combination.
    Invalid,
    /// Screened without a raster.
    Screen,
    /// Analyzed at the coarse pitch.
    Coarse,
    /// Analyzed at the design's pitch.
    Full,
    /// Its yield estimated by Monte Carlo.
    Yield,
}

impl Stage {
    /// The word in candidates.csv.
    pub fn key(self) -> &'static str {
        match self {
            Stage::Invalid => "invalid",
            Stage::Screen => "screen",
            Stage::Coarse => "coarse",
            Stage::Full => "full",
            Stage::Yield => "yield",
        }
    }
}

/// One evaluated candidate.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Index in the search's odometer order (0-based).
    pub index: usize,
    /// `<name>-<index + 1>`.
    pub name: String,
    /// The last stage it reached.
    pub stage: Stage,
    /// The first limit it failed (`yield` for the Monte Carlo), or the design error;
    /// `None` when feasible.
    pub failed: Option<String>,
    /// Its objectives, in the file's order; `None` where the stage it reached does not know
    /// the value.
    pub objectives: Vec<Option<f64>>,
    /// Every metric of the full analysis, when it reached it.
    pub metrics: Option<Metrics>,
    /// The yield's lower 95 % bound, when estimated.
    pub yield_lo: Option<f64>,
}

impl Candidate {
    /// Its figures as candidates.csv writes them: each metric at its CSV decimals and the
    /// yield at 4, so a search merged from shards (read back from their CSVs) and the whole
    /// search hold the same numbers. (Objectives are written in full.)
    pub fn settle(&mut self) {
        let at = |v: Option<f64>, decimals: usize| {
            v.map(|x| {
                crate::base::fmt::fmt_num(x, decimals)
                    .parse::<f64>()
                    .unwrap_or(x)
            })
        };
        if let Some(m) = &mut self.metrics {
            for info in crate::model::registry::METRICS {
                let v = at(m.get(info.key), info.decimals);
                (info.set)(m, v);
            }
        }
        self.yield_lo = at(self.yield_lo, 4);
    }

    /// Whether it meets every constraint.
    /// Whether it meets every constraint: at the design's pitch, or (stage `coarse`) at the
    /// coarse pitch by more than that raster's error (checked at the design's pitch if it
    /// reaches the front).
    pub fn feasible(&self) -> bool {
        self.failed.is_none() && self.stage >= Stage::Coarse
    }
}

/// How many candidates each stage rejected, and its time.
#[derive(Clone, Debug, Default)]
pub struct StageCount {
    /// Candidates that entered the stage.
    pub entered: usize,
    /// Of those, rejected there.
    pub rejected: usize,
    /// Of those, found feasible there and not analyzed further (the coarse stage).
    pub accepted: usize,
    /// CPU seconds spent in it (all threads).
    pub cpu_s: f64,
}

/// The outcome of a search.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Every candidate, in index order.
    pub candidates: Vec<Candidate>,
    /// Indices of the Pareto front, sorted by the objectives.
    pub front: Vec<usize>,
    /// Per stage: screen, coarse, full, yield.
    pub stages: [StageCount; 4],
}

impl Outcome {
    /// The front's distinct objective vectors: (the first candidate with it, how many share
    /// it), in the front's order. Designs that tie on every objective are alike to the search.
    pub fn front_groups(&self) -> Vec<(usize, usize)> {
        self.front_members()
            .iter()
            .map(|g| (g[0], g.len()))
            .collect()
    }

    /// How many candidates the design rules refused.
    pub fn invalid(&self) -> usize {
        self.candidates
            .iter()
            .filter(|c| c.stage == Stage::Invalid)
            .count()
    }

    /// The front's trade-off points with every design of each (candidate indices), in the
    /// front's order: [`Outcome::front_groups`] with the alike designs listed.
    pub fn front_members(&self) -> Vec<Vec<usize>> {
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for &k in &self.front {
            let v = &self.candidates[k].objectives;
            match groups
                .iter_mut()
                .find(|g| &self.candidates[g[0]].objectives == v)
            {
                Some(g) => g.push(k),
                None => groups.push(vec![k]),
            }
        }
        groups
    }

    /// The limits failed, with how many candidates failed each first, most often first.
    pub fn binding(&self) -> Vec<(String, usize)> {
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for c in &self.candidates {
            if let (Some(f), true) = (&c.failed, c.stage != Stage::Invalid) {
                *counts.entry(f.clone()).or_default() += 1;
            }
        }
        let mut v: Vec<(String, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

/// The first limit of `spec` the screening values reject, without a raster (stage 1).
fn screen(d: &Design, made: &MadeDevice, spec: &[SpecLimit]) -> Option<&'static str> {
    // the strength checks solve an eigenproblem per needle: only when a limit asks for them
    let strength = spec.iter().any(|l| l.key.ends_with("safety_factor"));
    let integrity = strength.then(|| crate::metrics::integrity::assess(d, made));
    let factor = |f: fn(&crate::metrics::integrity::Integrity) -> Option<f64>| {
        integrity.as_ref().and_then(f)
    };
    let depths: Vec<f64> = made.needles.iter().map(|n| n.depth_mm).collect();
    let channel: Vec<f64> = made.needles.iter().map(|n| n.channel_depth_mm).collect();
    let range = |xs: &[f64]| {
        (!xs.is_empty()).then(|| {
            xs.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                })
        })
    };
    let density = made.density_mm2(d) * 100.0;
    // openings overlap and never add: coverage ≤ channels per mm² × the largest opening
    let opening = made
        .needles
        .iter()
        .map(|n| std::f64::consts::PI * n.radius_mm * n.radius_mm + 2.0 * n.radius_mm * n.slit_mm)
        .fold(0.0, f64::max);
    let outside = |l: &SpecLimit, lo: f64, hi: f64| {
        l.min.is_some_and(|m| hi < m) || l.max.is_some_and(|m| lo > m)
    };
    spec.iter()
        .find(|l| match l.key {
            "puncture_rate_per_s" => !l.passes(Some(made.puncture_rate_per_s)),
            "time_s" => !l.passes(Some(made.time_s)),
            "min_buckling_safety_factor" => !l.passes(factor(|i| i.min_buckling_safety_factor())),
            "min_bending_safety_factor" => !l.passes(factor(|i| i.min_bending_safety_factor())),
            "fatigue_safety_factor" => !l.passes(factor(|i| i.fatigue_safety_factor())),
            "density_per_cm2" => outside(
                l,
                density * (1.0 - DENSITY_SLACK),
                density * (1.0 + DENSITY_SLACK),
            ),
            "coverage_fraction" => l
                .min
                .is_some_and(|m| (density / 100.0 * opening * (1.0 + DENSITY_SLACK)).min(1.0) < m),
            "mean_depth_mm" | "min_depth_mm" | "max_depth_mm" | "p05_depth_mm" | "p95_depth_mm" => {
                range(&depths).is_none_or(|(lo, hi)| outside(l, lo, hi))
            }
            "mean_channel_depth_mm" => range(&channel).is_none_or(|(lo, hi)| outside(l, lo, hi)),
            _ => false,
        })
        .map(|l| l.key)
}

/// The first limit of `spec` that `m` fails, each widened by `slack(key)`.
fn first_failed(
    m: &Metrics,
    spec: &[SpecLimit],
    slack: impl Fn(&str) -> f64,
) -> Option<&'static str> {
    spec.iter()
        .find(|l| {
            let s = slack(l.key);
            let widened = SpecLimit {
                key: l.key,
                min: l.min.map(|x| x - s),
                max: l.max.map(|x| x + s),
            };
            !widened.passes(m.get(l.key))
        })
        .map(|l| l.key)
}

/// The value of objective `o` for design `d`, candidate `i` of `opt` (`None`: the base
/// design): a device figure, a searched key's value, or a metric of `m`.
fn objective(
    o: &Objective,
    opt: &Optimise,
    i: Option<usize>,
    d: &Design,
    made: &MadeDevice,
    m: Option<&Metrics>,
) -> Option<f64> {
    match o {
        Objective::Key(_, k, _) => match i {
            Some(i) => Some(opt.sweep.keys[*k].values[opt.sweep.combination(i)[*k]]),
            None => opt.sweep.base_value(*k),
        },
        Objective::Needles => Some(made.present as f64),
        Objective::ForceN => Some(d.device.force_n()),
        Objective::Passes => Some(d.treatment.pass_angles_deg.len() as f64),
        Objective::Metric(key, _) => match *key {
            "puncture_rate_per_s" => Some(made.puncture_rate_per_s),
            "time_s" => Some(made.time_s),
            k => m.and_then(|m| m.get(k)),
        },
    }
}

/// Made devices by what makes them (the device, its needles, tolerance, skin and seed):
/// candidates that differ in `[treatment]` alone (passes, lanes, region) share one, its
/// treatment's figures recomputed ([`MadeDevice::with_treatment`]). Building a device is the
/// force balance of every needle: the screen's main cost.
#[derive(Default)]
struct Devices(std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<MadeDevice>>>);

impl Devices {
    fn made(&self, d: &Design) -> MadeDevice {
        let key = serde_json::json!({
            "device": d.device, "needle": d.needle, "tolerance": d.tolerance, "skin": d.skin,
            "seed": d.treatment.seed, "as_built": d.as_built.is_some(),
        })
        .to_string();
        let cached = self
            .0
            .lock()
            .expect("no thread panics holding it")
            .get(&key)
            .cloned();
        let made = match cached {
            Some(m) => m,
            None => {
                let m = std::sync::Arc::new(MadeDevice::new(d));
                self.0
                    .lock()
                    .expect("no thread panics holding it")
                    .insert(key, m.clone());
                m
            }
        };
        made.with_treatment(d)
    }
}

/// Evaluates candidate `i` through the stages; `times` gathers each stage's CPU seconds.
fn evaluate(
    opt: &Optimise,
    i: usize,
    overrides: &Overrides,
    devices: &Devices,
) -> (Candidate, [f64; 3]) {
    let mut times = [0.0; 3];
    let name = opt.sweep.variant_name(i);
    let mut c = Candidate {
        index: i,
        name,
        stage: Stage::Invalid,
        failed: None,
        objectives: vec![None; opt.objectives.len()],
        metrics: None,
        yield_lo: None,
    };
    let d = match opt.sweep.variant(i, overrides) {
        Ok(d) => d,
        Err(e) => {
            c.failed = Some(e);
            return (c, times);
        }
    };
    let clock = std::time::Instant::now();
    // the device as made, shared with the candidates that differ in their treatment alone
    let made = devices.made(&d);
    c.stage = Stage::Screen;
    c.objectives = opt
        .objectives
        .iter()
        .map(|o| objective(o, opt, Some(i), &d, &made, None))
        .collect();
    let screened = screen(&d, &made, &opt.spec);
    times[0] = clock.elapsed().as_secs_f64();
    if let Some(k) = screened {
        c.failed = Some(k.to_string());
        return (c, times);
    }
    let pitch = d.analysis.resolution_um;
    let coarse_um = (pitch * COARSE_FACTOR).min(MAX_COARSE_UM).max(pitch);
    if coarse_um > pitch {
        let clock = std::time::Instant::now();
        let mut coarse = d.clone();
        coarse.analysis.resolution_um = coarse_um;
        let a = analysis::analyze_with(
            coarse,
            Some(made.clone()),
            KEEP,
            &crate::base::progress::Silent,
        );
        times[1] = clock.elapsed().as_secs_f64();
        c.stage = Stage::Coarse;
        // an error here is a limit of the coarse raster itself (too few pixels in a small
        // region): the design's own pitch decides
        if let Ok(a) = a {
            let slack = |key: &str| coarse_slack(key, coarse_um);
            if let Some(k) = first_failed(&a.metrics, &opt.spec, slack) {
                c.failed = Some(k.to_string());
                return (c, times);
            }
            // every limit met by more than the coarse raster's error: feasible at the
            // coarse pitch; the design's own pitch is run only if it reaches the front
            if first_failed(&a.metrics, &opt.spec, |key| -slack(key)).is_none() {
                judge(opt, i, &d, &made, &mut c, Ok(a.metrics));
                if c.failed.is_none() {
                    return (c, times);
                }
                c.failed = None;
            }
        }
    }
    let clock = std::time::Instant::now();
    full(opt, i, &d, &made, &mut c);
    times[2] = clock.elapsed().as_secs_f64();
    (c, times)
}

/// What the coarse and full analyses keep: the metrics alone.
const KEEP: Keep = Keep {
    picture_cells: false,
    covered_cells: false,
};

/// The full stage of candidate `i` (design `d`, made as `made`): the analysis at the design's
/// pitch and its verdict on `c`.
fn full(opt: &Optimise, i: usize, d: &Design, made: &MadeDevice, c: &mut Candidate) {
    let a = analysis::analyze_with(
        d.clone(),
        Some(made.clone()),
        KEEP,
        &crate::base::progress::Silent,
    );
    c.stage = Stage::Full;
    judge(
        opt,
        i,
        d,
        made,
        c,
        a.map(|a| a.metrics).map_err(|e| e.to_string()),
    );
}

/// Candidate `i`'s verdict from the metrics `m` of an analysis (or its error): the first
/// limit failed, its objectives; a design whose objective is undefined (a depth where
/// nothing pierces) cannot be ranked, so it is not a solution.
fn judge(
    opt: &Optimise,
    i: usize,
    d: &Design,
    made: &MadeDevice,
    c: &mut Candidate,
    m: Result<Metrics, String>,
) {
    match m {
        Ok(m) => {
            c.failed = first_failed(&m, &opt.spec, |_| 0.0).map(str::to_string);
            c.objectives = opt
                .objectives
                .iter()
                .map(|o| objective(o, opt, Some(i), d, made, Some(&m)))
                .collect();
            c.metrics = Some(m);
            if c.failed.is_none() {
                if let Some((o, _)) = opt
                    .objectives
                    .iter()
                    .zip(&c.objectives)
                    .find(|(_, v)| v.is_none_or(|x| !x.is_finite()))
                {
                    c.failed = Some(format!("objective {} undefined", o.key()));
                }
            }
        }
        Err(e) => c.failed = Some(e),
    }
}

/// Candidate `i` analyzed at the design's pitch alone: the check of a front member found
/// feasible at the coarse pitch.
fn verify(opt: &Optimise, i: usize, overrides: &Overrides) -> Candidate {
    let d = opt
        .sweep
        .variant(i, overrides)
        .expect("a feasible candidate is a valid design");
    let made = MadeDevice::new(&d);
    let mut c = Candidate {
        index: i,
        name: opt.sweep.variant_name(i),
        stage: Stage::Full,
        failed: None,
        objectives: vec![None; opt.objectives.len()],
        metrics: None,
        yield_lo: None,
    };
    full(opt, i, &d, &made, &mut c);
    c.settle();
    c
}

/// Whether objective vector `a` dominates `b` (every objective as good, one better), each
/// objective's sense in `senses`.
pub fn dominates(a: &[f64], b: &[f64], senses: &[Sense]) -> bool {
    let mut better = false;
    for ((x, y), s) in a.iter().zip(b).zip(senses) {
        let (x, y) = match s {
            Sense::Min => (*x, *y),
            Sense::Max => (-*x, -*y),
        };
        if x > y {
            return false;
        }
        better |= x < y;
    }
    better
}

/// The Pareto front of the feasible candidates among `cands`: indices into `cands`, sorted by
/// the objectives (first objective first).
pub fn pareto(cands: &[Candidate], senses: &[Sense]) -> Vec<usize> {
    let feasible: Vec<(usize, Vec<f64>)> = cands
        .iter()
        .enumerate()
        .filter(|(_, c)| c.feasible())
        .filter_map(|(k, c)| {
            c.objectives
                .iter()
                .copied()
                .collect::<Option<Vec<f64>>>()
                .map(|v| (k, v))
        })
        .collect();
    let mut front: Vec<(usize, &Vec<f64>)> = feasible
        .iter()
        .filter(|(_, v)| !feasible.iter().any(|(_, w)| dominates(w, v, senses)))
        .map(|(k, v)| (*k, v))
        .collect();
    front.sort_by(|a, b| {
        a.1.iter()
            .zip(b.1)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.0.cmp(&b.0))
    });
    front.into_iter().map(|(k, _)| k).collect()
}

/// Evaluates candidates `range` of the search (all of them for a whole search, a shard's
/// slice for `--shard`) through the screen, coarse and full stages, in parallel; the
/// candidates come back in index order whatever the thread count, with each stage's CPU
/// seconds. `progress` sees one stage, "candidates".
pub fn evaluate_range(
    opt: &Optimise,
    range: std::ops::Range<usize>,
    overrides: &Overrides,
    progress: &dyn Progress,
) -> (Vec<Candidate>, [f64; 3]) {
    // a candidate that is the same design as an earlier one (a key of another pattern than
    // its own varies) is evaluated once, as that one
    let canonical: Vec<usize> = range.clone().map(|i| opt.sweep.canonical(i)).collect();
    let mut unique = canonical.clone();
    unique.sort_unstable();
    unique.dedup();
    progress.start("candidates", unique.len() as u64);
    let devices = Devices::default();
    let evaluated: Vec<(Candidate, [f64; 3])> = unique
        .par_iter()
        .map(|&i| {
            let (mut c, t) = evaluate(opt, i, overrides, &devices);
            c.settle();
            progress.advance(1);
            (c, t)
        })
        .collect();
    progress.finish();
    let mut cpu_s = [0.0; 3];
    for (_, t) in &evaluated {
        for (s, x) in cpu_s.iter_mut().zip(t) {
            *s += x;
        }
    }
    let candidates = range
        .zip(canonical)
        .map(|(i, ci)| {
            let at = unique
                .binary_search(&ci)
                .expect("every canonical index is evaluated");
            let mut c = evaluated[at].0.clone();
            if ci != i {
                let (from, to) = (c.name.clone(), opt.sweep.variant_name(i));
                c.failed = c.failed.map(|f| f.replace(&from, &to));
                (c.index, c.name) = (i, to);
                let combo = opt.sweep.combination(i);
                for (o, v) in opt.objectives.iter().zip(c.objectives.iter_mut()) {
                    if let Objective::Key(_, k, _) = o {
                        *v = Some(opt.sweep.keys[*k].values[combo[*k]]);
                    }
                }
            }
            c
        })
        .collect();
    (candidates, cpu_s)
}

/// How many of `candidates` entered and were rejected at the screen, coarse and full stages,
/// with their CPU seconds (`None`: not known, as for candidates read from shards; NaN).
pub fn stage_counts(candidates: &[Candidate], cpu_s: Option<[f64; 3]>) -> [StageCount; 4] {
    let mut stages: [StageCount; 4] = Default::default();
    for c in candidates {
        for (s, stage) in [Stage::Screen, Stage::Coarse, Stage::Full]
            .iter()
            .enumerate()
        {
            if c.stage >= *stage {
                stages[s].entered += 1;
                if c.stage == *stage && c.failed.is_some() {
                    stages[s].rejected += 1;
                }
                if c.stage == *stage && c.failed.is_none() && *stage == Stage::Coarse {
                    stages[s].accepted += 1;
                }
            }
        }
    }
    for (st, t) in stages.iter_mut().zip(cpu_s.unwrap_or([f64::NAN; 3])) {
        st.cpu_s = t;
    }
    stages
}

/// The search's outcome from every candidate evaluated (in index order): the Pareto front,
/// then, with a yield constraint, the Monte Carlo study of the front, drawn again until every
/// member passes. `cpu_s`: the three evaluation stages' CPU seconds, where known.
pub fn finish(
    opt: &Optimise,
    mut candidates: Vec<Candidate>,
    cpu_s: Option<[f64; 3]>,
    overrides: &Overrides,
    max_yield_cpu_s: f64,
    progress: &dyn Progress,
) -> Result<Outcome, YieldTooLong> {
    let senses: Vec<Sense> = opt.objectives.iter().map(Objective::sense).collect();
    let mut front = pareto(&candidates, &senses);
    // the front's members found feasible at the coarse pitch, analyzed at the design's: one
    // that fails leaves, and the front is drawn again
    let mut verify_s = 0.0;
    loop {
        let coarse: Vec<usize> = front
            .iter()
            .copied()
            .filter(|&k| candidates[k].stage == Stage::Coarse)
            .collect();
        if coarse.is_empty() {
            break;
        }
        let clock = std::time::Instant::now();
        let checked: Vec<Candidate> = coarse
            .par_iter()
            .map(|&k| verify(opt, k, overrides))
            .collect();
        verify_s += clock.elapsed().as_secs_f64();
        for c in checked {
            let k = c.index;
            candidates[k] = c;
        }
        front = pareto(&candidates, &senses);
    }
    let mut stages = stage_counts(&candidates, cpu_s.map(|[a, b, c]| [a, b, c + verify_s]));
    if opt.runs > 0 {
        stages[3].cpu_s = 0.0;
        let mut estimated = 0.0;
        // yield of the finalists: the front, drawn again until every member passes
        loop {
            let untested: Vec<usize> = front
                .iter()
                .copied()
                .filter(|&k| candidates[k].stage < Stage::Yield)
                .collect();
            if untested.is_empty() {
                break;
            }
            let designs: Vec<(usize, Design)> = untested
                .iter()
                .map(|&k| {
                    let mut d = opt
                        .sweep
                        .variant(k, overrides)
                        .expect("a feasible candidate is a valid design");
                    d.spec = opt.spec.clone();
                    (k, d)
                })
                .collect();
            // every study's work, estimated before any runs: refused past the budget
            for (_, d) in &designs {
                let per_run = analysis::Work::of(d).map_or(0.0, |w| w.cpu_s());
                estimated += per_run * f64::from(opt.runs);
            }
            if estimated > max_yield_cpu_s {
                return Err(YieldTooLong {
                    studies: designs.len(),
                    runs: opt.runs,
                    cpu_s: estimated,
                    max_cpu_s: max_yield_cpu_s,
                });
            }
            progress.start("yield studies", designs.len() as u64);
            for (k, d) in designs {
                let clock = std::time::Instant::now();
                let lo = crate::studies::mc::study(&d, opt.runs, &crate::base::progress::Silent)
                    .ok()
                    .and_then(|s| s.yield_)
                    .map_or(0.0, |y| y.wilson95_lo);
                progress.advance(1);
                stages[3].entered += 1;
                stages[3].cpu_s += clock.elapsed().as_secs_f64();
                let c = &mut candidates[k];
                c.stage = Stage::Yield;
                c.yield_lo = Some(lo);
                if lo < opt.min_yield {
                    c.failed = Some("yield".into());
                    stages[3].rejected += 1;
                }
                c.settle();
            }
            progress.finish();
            front = pareto(&candidates, &senses);
        }
    }
    Ok(Outcome {
        candidates,
        front,
        stages,
    })
}

/// The yield stage's Monte Carlo studies, estimated beyond their budget before they run.
#[derive(Debug, thiserror::Error)]
#[error("the yield constraint would run {studies} Monte Carlo studies of {runs} runs (the Pareto front's designs), about {} of CPU time in all, more than the limit of {}: lower `runs` in `yield = {{ min, runs }}`, narrow the search, or raise the limit (--max-cpu-min)", analysis::duration_words(*cpu_s), analysis::duration_words(*max_cpu_s))]
pub struct YieldTooLong {
    /// Studies of this round of the front.
    pub studies: usize,
    /// Runs per study.
    pub runs: u32,
    /// Estimated CPU seconds of the stage so far, this round included.
    pub cpu_s: f64,
    /// The budget, CPU seconds.
    pub max_cpu_s: f64,
}

/// Runs the whole search: every candidate evaluated ([`evaluate_range`]), then
/// [`finish`]ed.
pub fn run(
    opt: &Optimise,
    overrides: &Overrides,
    max_yield_cpu_s: f64,
    progress: &dyn Progress,
) -> Result<Outcome, YieldTooLong> {
    let (candidates, cpu_s) = evaluate_range(opt, 0..opt.sweep.len(), overrides, progress);
    finish(
        opt,
        candidates,
        Some(cpu_s),
        overrides,
        max_yield_cpu_s,
        progress,
    )
}

/// The searched keys on whose first or last value the front's trade-off points lie, where a
/// wider range may hold better designs: a point (its designs alike on every objective,
/// `groups`, candidate indices) lies on an end when every one of its designs does, for a
/// numeric key (words have no order). Per key and end, in key order:
/// "pen.hand_speed_mm_s = 35, the highest searched (6 of 6 trade-off points)".
pub fn edges(opt: &Optimise, groups: &[Vec<usize>]) -> Vec<String> {
    let combos: Vec<Vec<Vec<usize>>> = groups
        .iter()
        .map(|g| g.iter().map(|&k| opt.sweep.combination(k)).collect())
        .collect();
    let mut out = Vec::new();
    for (i, k) in opt.sweep.keys.iter().enumerate() {
        let n = k.values.len();
        if n < 2 || k.is_word() {
            continue;
        }
        for (j, end) in [(0, "lowest"), (n - 1, "highest")] {
            let at = combos
                .iter()
                .filter(|g| g.iter().all(|c| c[i] == j))
                .count();
            if at > 0 {
                out.push(format!(
                    "{} = {}, the {end} searched ({at} of {} trade-off point{})",
                    k.name,
                    k.show(j),
                    groups.len(),
                    if groups.len() == 1 { "" } else { "s" }
                ));
            }
        }
    }
    out
}

/// The design file of candidate `i`: the variant's TOML with the constraints as its `[spec]`,
/// the seed and raster pitch of `overrides` when given (so `analyze` reproduces the search's
/// figures), a description of what was searched, a schema line for a file written two folders
/// below the project (`out/<name>/optimise/`), and a header saying where it came from.
pub fn design_text(opt: &Optimise, i: usize, overrides: &Overrides) -> String {
    let mut t: toml::Table =
        toml::from_str(&opt.sweep.variant_text(i)).expect("a variant's text is TOML");
    let mut spec = toml::Table::new();
    for l in &opt.spec {
        let mut limit = toml::Table::new();
        if let Some(m) = l.min {
            limit.insert("min".into(), m.into());
        }
        if let Some(m) = l.max {
            limit.insert("max".into(), m.into());
        }
        spec.insert(l.key.into(), limit.into());
    }
    t.insert("spec".into(), spec.into());
    let mut set = |table: &str, key: &str, v: toml::Value| {
        if let toml::Value::Table(x) = t
            .entry(table)
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        {
            x.insert(key.into(), v);
        }
    };
    if let Some(seed) = overrides.seed {
        set("treatment", "seed", toml::Value::Integer(seed as i64));
    }
    if let Some(r) = overrides.resolution_um {
        set("analysis", "resolution_um", r.into());
    }
    let chosen: Vec<String> = opt
        .sweep
        .keys
        .iter()
        .zip(opt.sweep.combination(i))
        .enumerate()
        .filter(|(n, _)| opt.sweep.applies(*n, i))
        .map(|(_, (k, j))| format!("{} = {}", k.name, k.show(j)))
        .collect();
    t.insert(
        "description".into(),
        format!(
            "found by optimise {} on {}: {}",
            opt.sweep.name,
            opt.sweep.base.name,
            chosen.join(", ")
        )
        .into(),
    );
    format!(
        "#:schema ../../../schema/design.json\n# Found by `needlemap optimise {}`: candidate {} of {}, base {}.\n{}",
        opt.path.display(),
        i + 1,
        opt.sweep.len(),
        opt.sweep.base_path.display(),
        toml::to_string(&t).expect("a TOML table serializes")
    )
}

/// The objectives of the base design itself (analyzed whole), for the picture.
pub fn base_objectives(opt: &Optimise, overrides: &Overrides) -> Vec<Option<f64>> {
    let d = overrides.apply(&opt.sweep.base);
    let made = MadeDevice::new(&d);
    let m = analysis::analyze_with(
        d.clone(),
        Some(made.clone()),
        Keep {
            picture_cells: false,
            covered_cells: false,
        },
        &crate::base::progress::Silent,
    )
    .ok()
    .map(|a| a.metrics);
    opt.objectives
        .iter()
        .map(|o| objective(o, opt, None, &d, &made, m.as_ref()))
        .collect()
}

/// Whether candidate `i`, analyzed whole at the design's pitch with no screening, meets every
/// constraint: the first limit it fails, or the design error; `None` when feasible. The
/// oracle of the screening stages (they must never reject a candidate this accepts).
pub fn full_verdict(opt: &Optimise, i: usize, overrides: &Overrides) -> Option<String> {
    let d = match opt.sweep.variant(i, overrides) {
        Ok(d) => d,
        Err(e) => return Some(e),
    };
    match analysis::analyze(&d, &crate::base::progress::Silent) {
        Ok(a) => first_failed(&a.metrics, &opt.spec, |_| 0.0).map(str::to_string),
        Err(e) => Some(e.to_string()),
    }
}
