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
    /// A numeric key of the search (its name and position among the keys), with its sense.
    Key(String, usize, Sense),
}

impl Objective {
    /// Its name: `needles`, `force_n`, `passes`, the metric's or the searched key's.
    pub fn key(&self) -> &str {
        match self {
            Objective::Needles => "needles",
            Objective::ForceN => "force_n",
            Objective::Passes => "passes",
            Objective::Metric(k, _) => k,
            Objective::Key(k, _, _) => k,
        }
    }

    /// Which way it is better.
    pub fn sense(&self) -> Sense {
        match self {
            Objective::Metric(_, s) | Objective::Key(_, _, s) => *s,
            _ => Sense::Min,
        }
    }
}

/// A needlemap optimisation: a base design, the keys to search, the constraints and the
/// objectives.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "needlemap optimisation")]
struct OptimiseFile {
    /// Name; also `out/<name>/optimise/` and the prefix of the candidates' names `<name>-<i>`.
    #[schemars(with = "String")]
    name: Spanned<String>,
    /// The base design file, relative to this file.
    #[schemars(with = "String")]
    base: Spanned<String>,
    /// The keys to search, as a sweep's `[vary]`: `"dotted.key" = [values]` or a range `{ min, max, step }`; every combination is a candidate.
    search: Node,
    /// Limits on metrics, `{ min, max }` as a design's `[spec]`, and `yield = { min, runs }`: the finalists' Monte Carlo yield (its lower 95 % bound) over `runs` runs.
    constraints: Option<BTreeMap<S<String>, S<ConstraintFile>>>,
    /// What the search trades off.
    objective: Option<S<ObjectiveFile>>,
}

/// One `[constraints]` entry: a metric's `{ min, max }`, or `yield = { min, runs }`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ConstraintFile {
    /// Smallest value that passes, in the metric's unit (fractions as fractions); the yield's lower 95 % bound.
    min: Option<S<f64>>,
    /// Largest value that passes, in the metric's unit.
    max: Option<S<f64>>,
    /// `yield` only: Monte Carlo runs per finalist, 1 to 10 000.
    runs: Option<S<i64>>,
}

/// `[objective]`: one or more objectives; several give a Pareto front.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ObjectiveFile {
    /// Smaller is better: `needles`, `force_n` (the pressing force), `passes`, a metric, or a numeric key of `[search]`.
    #[serde(default)]
    minimise: Vec<S<String>>,
    /// Larger is better: a metric or a numeric key of `[search]`.
    #[serde(default)]
    maximise: Vec<S<String>>,
}

/// The JSON Schema of optimisation files (schema/optimise.json).
pub fn schema() -> serde_json::Value {
    crate::design::schema::generate::<OptimiseFile>()
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
    /// The constraints on metrics.
    pub spec: Vec<SpecLimit>,
    /// Monte Carlo runs per finalist; 0: no yield constraint.
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
            "an optimisation needs `name`, `base`, and the tables [search], [constraints] and [objective]",
        )?;
        let ctx = Ctx::new(path, text);
        if !matches!(
            crate::design::InputKind::of(text),
            Some(crate::design::InputKind::Sweep | crate::design::InputKind::Design)
        ) {
            hint_misnamed(&ctx, text)?;
        }
        let file: OptimiseFile = crate::design::parse_toml(text, path).map_err(|e| {
            crate::design::other_kind(e, text, path, crate::design::InputKind::Optimise)
        })?;
        let at_table = |t: &str| {
            let i = text.find(&format!("[{t}]")).unwrap_or(0);
            i..i
        };
        // `yield` is the statistical constraint; every other entry is a metric's limit
        let mut limits = BTreeMap::new();
        let (mut runs, mut min_yield) = (0, 0.0);
        for (k, v) in file.constraints.unwrap_or_default() {
            let span = v.span();
            let c = v.into_inner();
            if k.get_ref() == "yield" {
                if let Some(m) = &c.max {
                    return Err(ctx.err(
                        m.span(),
                        "constraints.yield.max",
                        m.get_ref(),
                        "a yield has a lower limit only: yield = { min = 0.9, runs = 200 }",
                    ));
                }
                let Some(m) = &c.min else {
                    return Err(ctx.err(span, "constraints.yield.min", "(missing)", "the yield's lower 95 % bound a finalist needs, a fraction: yield = { min = 0.9, runs = 200 }"));
                };
                let y = *m.get_ref();
                if !(0.0..=1.0).contains(&y) {
                    return Err(ctx.err(
                        m.span(),
                        "constraints.yield.min",
                        y,
                        "a fraction from 0 to 1",
                    ));
                }
                let Some(r) = &c.runs else {
                    return Err(ctx.err(span, "constraints.yield.runs", "(missing)", format!("Monte Carlo runs per finalist, 1 to {MAX_RUNS}: yield = {{ min = {y}, runs = 200 }}")));
                };
                let n = *r.get_ref();
                if !(1..=i64::from(MAX_RUNS)).contains(&n) {
                    return Err(ctx.err(
                        r.span(),
                        "constraints.yield.runs",
                        n,
                        format!("Monte Carlo runs per finalist: 1 to {MAX_RUNS}"),
                    ));
                }
                (runs, min_yield) = (n as u32, y);
                continue;
            }
            if let Some(r) = &c.runs {
                return Err(ctx.err(
                    r.span(),
                    &format!("constraints.{}.runs", k.get_ref()),
                    r.get_ref(),
                    "only the yield is estimated over runs; a metric's limit is { min, max }",
                ));
            }
            limits.insert(
                k,
                S::new(
                    span,
                    LimitFile {
                        min: c.min,
                        max: c.max,
                    },
                ),
            );
        }
        let spec = ctx.limits("constraints", Some(&limits))?;
        if spec.is_empty() {
            return Err(ctx.err(
                at_table("constraints"),
                "constraints",
                "(none)",
                format!(
                    "an optimisation needs a limit on a metric in [constraints]{}, e.g. coverage_fraction = {{ min = 0.15 }}",
                    if runs > 0 { " beside the yield (the yield counts the runs that meet those limits)" } else { "" }
                ),
            ));
        }
        let parts = Parts {
            name: file.name,
            base: file.base,
            vary: file.search,
            table: "search",
        };
        let sweep = Sweep::build(path, &bytes, text, parts, policy, None)?;
        let mut objectives = Vec::new();
        let (minimise, maximise) = match &file.objective {
            Some(o) => (&o.get_ref().minimise[..], &o.get_ref().maximise[..]),
            None => (&[][..], &[][..]),
        };
        for (list, sense, table) in [
            (minimise, Sense::Min, "objective.minimise"),
            (maximise, Sense::Max, "objective.maximise"),
        ] {
            for o in list {
                let key = o.get_ref().as_str();
                let searched = sweep.keys.iter().position(|k| k.name == key);
                let obj = match (key, sense, searched) {
                    ("needles", Sense::Min, _) => Objective::Needles,
                    ("force_n", Sense::Min, _) => Objective::ForceN,
                    ("passes", Sense::Min, _) => Objective::Passes,
                    ("needles" | "force_n" | "passes", Sense::Max, _) => {
                        return Err(ctx.err(
                            o.span(),
                            table,
                            format!("{key:?}"),
                            format!("can only be minimised: move it to minimise = [\"{key}\"]"),
                        ))
                    }
                    (_, _, Some(i)) if !sweep.keys[i].is_word() => {
                        Objective::Key(sweep.keys[i].name.clone(), i, sense)
                    }
                    (_, _, Some(_)) => {
                        return Err(ctx.err(
                            o.span(),
                            table,
                            format!("{key:?}"),
                            "takes words, which have no order: an objective must be a number (a numeric searched key, a metric, needles, force_n or passes)",
                        ))
                    }
                    _ => match crate::model::registry::metric(key) {
                        Some(m) => Objective::Metric(m.key, sense),
                        None => {
                            let searched: Vec<&str> = sweep
                                .keys
                                .iter()
                                .filter(|k| !k.is_word())
                                .map(|k| k.name.as_str())
                                .collect();
                            return Err(ctx.err(
                                o.span(),
                                table,
                                format!("{key:?}"),
                                format!(
                                    "is not an objective; valid: {} (minimise only), a numeric key of [search] ({}), or a metric: {}",
                                    OBJECTIVE_WORDS.join(", "),
                                    if searched.is_empty() { "none".to_string() } else { searched.join(", ") },
                                    crate::model::registry::key_list()
                                ),
                            ));
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
                at_table("objective"),
                "objective.minimise",
                "(none)",
                "an optimisation needs at least one objective: [objective] minimise = [\"needles\"] (or a metric or a searched key; maximise = [...] where larger is better)",
            ));
        }
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

/// The tables and keys of an optimisation file, for the hint at a misnamed one.
const TOP_KEYS: [&str; 5] = ["name", "base", "search", "constraints", "objective"];

/// Refuses a top-level key of `text` that is not an optimisation file's with a hint: the key
/// it was likely meant to be (the old `[spec]` and top-level `minimise` included), before
/// serde's bare "unknown field".
fn hint_misnamed(ctx: &Ctx, text: &str) -> Result<(), InputError> {
    let Ok(t) = text.parse::<toml::Table>() else {
        return Ok(());
    };
    for k in t.keys() {
        if TOP_KEYS.contains(&k.as_str()) {
            continue;
        }
        let meant = match k.as_str() {
            "spec" => "[constraints] (the limits, as a design's [spec])".to_string(),
            "minimise" | "maximise" | "minimize" | "maximize" => {
                format!(
                    "[objective] {} = [...] (the objectives go in their own table)",
                    k.replace('z', "s")
                )
            }
            "vary" => "[search] (the keys to search, as a sweep's [vary])".to_string(),
            "runs" | "min_yield" | "yield" => {
                "[constraints] yield = { min = 0.9, runs = 200 }".to_string()
            }
            _ => match TOP_KEYS
                .iter()
                .map(|w| (strsim::damerau_levenshtein(w, k), *w))
                .min()
                .filter(|(d, _)| *d <= 3)
            {
                Some((_, w)) if w == "name" || w == "base" => format!("`{w}`"),
                Some((_, w)) => format!("[{w}]"),
                None => "one of name, base, [search], [constraints], [objective]".to_string(),
            },
        };
        let at = text.find(k.as_str()).unwrap_or(0);
        return Err(ctx.err(
            at..at,
            k,
            "(a top-level key)",
            format!("is not a key of an optimisation file; did you mean {meant}?"),
        ));
    }
    Ok(())
}
