//! Reading an optimisation file: a sweep's `name`, `base` and varied keys (`[search]`), the
//! constraints (`[spec]`, checked as a design's), the objectives and the yield's demand.

use crate::base::error::InputError;
use crate::base::input::ReadPolicy;
use crate::design::file::{LimitFile, S};
use crate::design::validate::Ctx;
use crate::design::SpecLimit;
use crate::studies::sweep::{Node, Parts, Sweep};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The objectives that are figures of the device, not metrics.
pub const OBJECTIVE_WORDS: [&str; 3] = ["needles", "force_n", "passes"];

/// Most Monte Carlo runs per finalist.
pub const MAX_RUNS: u32 = 10_000;

/// Which way an objective is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sense {
    /// Smaller is better.
    Min,
    /// Larger is better.
    Max,
}

/// What the search trades off.
#[derive(Clone, Debug, PartialEq)]
pub enum Objective {
    /// Needles on the device (present).
    Needles,
    /// The force that presses the device, N.
    ForceN,
    /// Passes of the treatment.
    Passes,
    /// A metric of the registry, with its sense.
    Metric(&'static str, Sense),
}

impl Objective {
    /// Its name: `needles`, `force_n`, `passes` or the metric's key.
    pub fn key(&self) -> &'static str {
        match self {
            Objective::Needles => "needles",
            Objective::ForceN => "force_n",
            Objective::Passes => "passes",
            Objective::Metric(k, _) => k,
        }
    }

    /// Which way it is better.
    pub fn sense(&self) -> Sense {
        match self {
            Objective::Metric(_, s) => *s,
            _ => Sense::Min,
        }
    }
}

/// An optimisation file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OptimiseFile {
    name: Spanned<String>,
    base: Spanned<String>,
    #[serde(default)]
    minimise: Vec<Spanned<String>>,
    #[serde(default)]
    maximise: Vec<Spanned<String>>,
    runs: Option<Spanned<i64>>,
    min_yield: Option<Spanned<f64>>,
    search: Node,
    spec: Option<BTreeMap<S<String>, S<LimitFile>>>,
}

/// A checked optimisation.
#[derive(Clone, Debug)]
pub struct Optimise {
    /// The search space as a sweep over the base design.
    pub sweep: Sweep,
    /// The file.
    pub path: PathBuf,
    /// The objectives, in the file's order (minimise's, then maximise's).
    pub objectives: Vec<Objective>,
    /// The constraints.
    pub spec: Vec<SpecLimit>,
    /// Monte Carlo runs per finalist; 0: no yield stage.
    pub runs: u32,
    /// The yield's lower 95 % bound a finalist needs.
    pub min_yield: f64,
}

impl Optimise {
    /// Reads and checks an optimisation file and its base design under `policy` (one project
    /// root for the file, its base and the base's references, as for a sweep).
    pub fn load_with(path: &Path, policy: &ReadPolicy) -> Result<Optimise, InputError> {
        let policy = &policy.for_file(path);
        let bytes = crate::design::read_input(path, policy)?;
        let text = crate::design::toml_text(
            &bytes,
            path,
            "an optimisation needs `name`, `base`, a [search] table, `minimise` or `maximise`, and a [spec] table",
        )?;
        let file: OptimiseFile = crate::design::parse_toml(text, path)?;
        let ctx = Ctx::new(path, text);
        let spec = ctx.spec(file.spec.as_ref())?;
        if spec.is_empty() {
            return Err(ctx.err(
                0..0,
                "spec",
                "(missing)",
                "an optimisation needs constraints: a [spec] table of limits, e.g. coverage_fraction = { min = 0.15 }",
            ));
        }
        let mut objectives = Vec::new();
        for (list, sense, table) in [
            (&file.minimise, Sense::Min, "minimise"),
            (&file.maximise, Sense::Max, "maximise"),
        ] {
            for o in list {
                let key = o.get_ref().as_str();
                let obj = match (key, sense) {
                    ("needles", Sense::Min) => Objective::Needles,
                    ("force_n", Sense::Min) => Objective::ForceN,
                    ("passes", Sense::Min) => Objective::Passes,
                    _ => match crate::model::registry::metric(key) {
                        Some(m) => Objective::Metric(m.key, sense),
                        None => {
                            return Err(ctx.err(
                                o.span(),
                                table,
                                format!("{key:?}"),
                                format!(
                                "is not an objective; valid: {} (minimise only) or a metric: {}",
                                OBJECTIVE_WORDS.join(", "),
                                crate::model::registry::key_list()
                            ),
                            ))
                        }
                    },
                };
                if objectives.iter().any(|x: &Objective| x.key() == obj.key()) {
                    return Err(ctx.err(o.span(), table, format!("{key:?}"), "is named twice"));
                }
                objectives.push(obj);
            }
        }
        if objectives.is_empty() {
            return Err(ctx.err(
                0..0,
                "minimise",
                "(missing)",
                "an optimisation needs at least one objective: minimise = [\"needles\"] (or a metric; maximise = [...] for metrics where larger is better)",
            ));
        }
        let runs = match &file.runs {
            Some(r) => {
                let v = *r.get_ref();
                if !(0..=i64::from(MAX_RUNS)).contains(&v) {
                    return Err(ctx.err(
                        r.span(),
                        "runs",
                        v,
                        format!("Monte Carlo runs per finalist: 0 (none) to {MAX_RUNS}"),
                    ));
                }
                v as u32
            }
            None => 0,
        };
        let min_yield = match (&file.min_yield, runs) {
            (Some(y), r) => {
                let v = *y.get_ref();
                if !(0.0..=1.0).contains(&v) {
                    return Err(ctx.err(y.span(), "min_yield", v, "a fraction from 0 to 1"));
                }
                if r == 0 {
                    return Err(ctx.err(
                        y.span(),
                        "min_yield",
                        v,
                        "needs runs = N (Monte Carlo runs per finalist) to estimate a yield",
                    ));
                }
                v
            }
            (None, 0) => 0.0,
            (None, _) => return Err(ctx.err(
                file.runs.as_ref().map_or(0..0, |r| r.span()),
                "runs",
                runs,
                "a yield needs its limit: min_yield = 0.9 (the lower 95 % bound a finalist needs)",
            )),
        };
        let parts = Parts {
            name: file.name,
            base: file.base,
            vary: file.search,
            table: "search",
        };
        let sweep = Sweep::build(path, &bytes, text, parts, policy, None)?;
        Ok(Optimise {
            sweep,
            path: path.to_path_buf(),
            objectives,
            spec,
            runs,
            min_yield,
        })
    }
}
