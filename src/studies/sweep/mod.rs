//! Design sweeps: one base design, some of its numeric keys varied over lists of values, every
//! combination analyzed.
//!
//! An engineer rarely analyzes one design: they vary needle length, rings, needles per ring,
//! stagger, drum size or passes and look for the design that reaches a target density and
//! coverage with the fewest passes and the most even result. A sweep file names the base
//! design and the values of each varied key:
//!
//! ```toml
//! name = "mf8-length"                    # out/<name>/
//! base = "../mf8-192.toml"               # relative to the sweep file
//! [vary]                                 # every combination (Cartesian product)
//! "needle.length_mm" = [0.5, 1.0, 1.5, 2.0]
//! "roller.layout.rings" = [4, 8, 12]
//! ```
//!
//! Each combination is the base file's TOML with the keys set, serialized and checked by
//! [`Design::from_bytes`], so every rule of a design file applies to every variant. A key is a
//! dotted path into the design; array elements are addressed by a 0-based index
//! (`treatment.passes.0.count`) or by `*` for every element (`treatment.passes.*.count`).
//! A key must be a numeric key of the design format ([`numeric_keys`]); it may be absent from
//! the base file (its default then gives way to the swept values). Unknown, non-numeric or
//! inapplicable keys are refused up front with the sweep file, line and key; a combination
//! the design rules refuse (rings that no longer fit on the drum) becomes a row with an error,
//! and the sweep goes on.
//!
//! Combinations are numbered in odometer order: the first key varies slowest, the last key
//! fastest. Variant `i` (1-based) is named `<name>-<i>`, zero-padded to the width of the count.
//! [`Shard`] selects contiguous slices of that order, so shards concatenate into the whole.

pub mod merge;
pub mod provenance;

mod keys;
mod load;
mod parse;
mod rank;
mod resolve;
mod shard;

#[cfg(test)]
pub(crate) mod tests;

pub use keys::{numeric_keys, Applies, Num, MAX_COMBINATIONS};
pub(crate) use load::Parts;
pub use load::FROM_PARTS;
pub use parse::MAX_RANGE_VALUES;
pub(crate) use parse::{Node, SweepFile};
pub use rank::{Best, Filter};
pub use resolve::set_key;
pub use shard::Shard;

use crate::base::error::InputError;
use crate::base::input::ReadPolicy;
use crate::base::progress::{Progress, Silent};
use crate::design::Design;
use crate::metrics::analysis::{self, Overrides};
use crate::metrics::Metrics;
use rayon::prelude::*;
use resolve::{get, set, Seg};
use std::ops::Range;
use std::path::PathBuf;
use toml::Value;

/// One varied key, checked against the base design.
#[derive(Clone, Debug)]
pub struct Key {
    /// The key as written in the sweep file (the CSV column name).
    pub name: String,
    /// Line of the key in the sweep file (1-based).
    pub line: usize,
    /// Whole numbers, any number or words.
    pub num: Num,
    /// The values, in the order written; a word key's are the words' positions (0, 1, …) in
    /// `words`.
    pub values: Vec<f64>,
    /// A word key's words, in the order written; empty for a numeric key.
    pub words: Vec<String>,
    /// Concrete paths set by this key (several with `*`).
    targets: Vec<Vec<Seg>>,
    /// A key of one pattern in a search that varies the pattern: set only in that pattern's
    /// combinations.
    only_with: resolve::OnlyWith,
}

impl Key {
    /// Value `j` as a TOML value of the key's type.
    fn toml_value(&self, j: usize) -> Value {
        match self.num {
            Num::Int => Value::Integer(self.values[j] as i64),
            Num::Float => Value::Float(self.values[j]),
            Num::Word(_) => Value::String(self.words[j].clone()),
        }
    }

    /// Value `j` as text: a word as written, whole numbers without a decimal point, others in
    /// the shortest form that reads back to the same number.
    pub fn show(&self, j: usize) -> String {
        match self.num {
            Num::Word(_) => self.words[j].clone(),
            _ => show_value(self.values[j]),
        }
    }

    /// A value of this key as text: `v` a number, or a word key's position of its word.
    pub fn text(&self, v: f64) -> String {
        match self.num {
            Num::Word(_) => self.words.get(v as usize).cloned().unwrap_or_default(),
            _ => show_value(v),
        }
    }

    /// Whether the key takes words.
    pub fn is_word(&self) -> bool {
        matches!(self.num, Num::Word(_))
    }

    /// The position of the value written `text` (as [`Key::show`] writes it), if it is one.
    pub fn position(&self, text: &str) -> Option<usize> {
        (0..self.values.len()).find(|&j| self.show(j) == text)
    }
}

/// The table at `path` in `t`, if there is one.
fn table_at<'a>(t: &'a mut toml::Table, path: &[&str]) -> Option<&'a mut toml::Table> {
    match path.split_first() {
        None => Some(t),
        Some((first, rest)) => table_at(t.get_mut(*first)?.as_table_mut()?, rest),
    }
}

/// A number in the shortest form that reads back to the same number.
pub fn show_value(x: f64) -> String {
    format!("{x}")
}

/// A checked sweep: the base design's TOML and the varied keys.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// Name; also `out/<name>/` and the prefix of the variants' names.
    pub name: String,
    /// The sweep file.
    pub path: PathBuf,
    /// SHA-256 of the sweep file, lower-case hex.
    pub sha256: String,
    /// The base design file (resolved against the sweep file's folder).
    pub base_path: PathBuf,
    /// The base design, checked.
    pub base: Design,
    /// The varied keys in the order written.
    pub keys: Vec<Key>,
    base_table: toml::Table,
    /// What the variants may read (the base's `needles_csv`).
    policy: ReadPolicy,
}

impl Sweep {
    /// Number of combinations (the product of the value counts).
    pub fn len(&self) -> usize {
        self.keys.iter().map(|k| k.values.len()).product()
    }

    /// Whether the sweep has no combination (never, once loaded).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value indices of combination `i` (0-based): the first key varies slowest.
    pub fn combination(&self, i: usize) -> Vec<usize> {
        let mut out = vec![0; self.keys.len()];
        let mut rest = i;
        for (k, o) in self.keys.iter().zip(out.iter_mut()).rev() {
            *o = rest % k.values.len();
            rest /= k.values.len();
        }
        out
    }

    /// Name of combination `i` (0-based): `<name>-<i + 1>`, zero-padded.
    pub fn variant_name(&self, i: usize) -> String {
        let w = self.len().to_string().len();
        format!("{}-{:0w$}", self.name, i + 1)
    }

    /// Whether key `k` is set in combination `i`: always, except a key of a pattern the
    /// search varies in the combinations of another pattern.
    pub fn applies(&self, k: usize, i: usize) -> bool {
        self.sets(k, &self.combination(i))
    }

    /// [`Sweep::applies`] for the combination of value indices `combo`.
    fn sets(&self, k: usize, combo: &[usize]) -> bool {
        let Some((at, p)) = &self.keys[k].only_with else {
            return true;
        };
        self.keys
            .iter()
            .zip(combo)
            .find(|(key, _)| &key.name == at)
            .is_none_or(|(key, &j)| key.show(j) == *p)
    }

    /// The first combination that is the same design as combination `i`: `i` with every key
    /// it does not set (a key of another pattern than its own) at its first value.
    pub fn canonical(&self, i: usize) -> usize {
        let combo = self.combination(i);
        let mut index = 0;
        for (n, (k, &j)) in self.keys.iter().zip(&combo).enumerate() {
            let j = if self.sets(n, &combo) { j } else { 0 };
            index = index * k.values.len() + j;
        }
        index
    }

    /// The TOML text of combination `i`: the base file with the keys set and the name replaced.
    pub fn variant_text(&self, i: usize) -> String {
        let mut t = self.base_table.clone();
        t.insert("name".into(), Value::String(self.variant_name(i)));
        let combo = self.combination(i);
        for (k, &j) in self.keys.iter().zip(&combo) {
            // a searched pattern: the table loses the other patterns' keys of the base
            if matches!(k.num, Num::Word(crate::design::ranges::Words::ArrayPattern)) {
                let path: Vec<&str> = k.name.split('.').collect();
                let (_, table) = path.split_last().expect("a dotted key");
                if let Some(cur) = table_at(&mut t, table) {
                    for other in resolve::other_patterns_keys(&k.name, &k.show(j)) {
                        cur.remove(&other);
                    }
                }
            }
        }
        for (n, (k, &j)) in self.keys.iter().zip(&combo).enumerate() {
            if !self.sets(n, &combo) {
                continue;
            }
            for target in &k.targets {
                set(&mut t, target, k.toml_value(j));
            }
        }
        toml::to_string(&t).expect("a TOML table serializes")
    }

    /// The base file's value of numeric key `k` (its first target), if the file writes it.
    pub fn base_value(&self, k: usize) -> Option<f64> {
        let v = get(&self.base_table, self.keys[k].targets.first()?)?;
        v.as_float().or(v.as_integer().map(|i| i as f64))
    }

    /// Combination `i` checked as a design, with `overrides` applied; the error in plain words.
    pub fn variant(&self, i: usize, overrides: &Overrides) -> Result<Design, String> {
        let text = self.variant_text(i);
        let d = Design::from_bytes_with(text.as_bytes(), &self.base_path, &self.policy).map_err(
            |e| match e {
                InputError::Invalid {
                    key,
                    value,
                    problem,
                    ..
                } => format!("`{key}` = {value}: {problem}"),
                other => other.to_string(),
            },
        )?;
        Ok(overrides.apply(&d))
    }

    /// Refuses global overrides of a key the sweep varies (the override would undo the sweep).
    pub fn check_overrides(&self, o: &Overrides) -> Result<(), InputError> {
        for (flag, set, key) in [
            ("--seed", o.seed.is_some(), "treatment.seed"),
            (
                "--resolution-um",
                o.resolution_um.is_some(),
                "analysis.resolution_um",
            ),
        ] {
            if let Some(k) = self.keys.iter().find(|k| set && k.name == key) {
                return Err(InputError::Invalid {
                    path: self.path.clone(),
                    line: k.line,
                    column: 1,
                    key: k.name.clone(),
                    value: "(varied)".into(),
                    problem: format!(
                        "{flag} would replace every value of this key; drop {flag} or the key"
                    ),
                });
            }
        }
        Ok(())
    }

    /// Estimated CPU seconds of analysing combinations `range`: the mean [`analysis::Work`]
    /// of up to 32 combinations spread evenly over the range (an invalid combination costs
    /// next to nothing), times their number. Deterministic: no timing.
    pub fn estimate(&self, range: Range<usize>, overrides: &Overrides) -> f64 {
        let n = range.len();
        if n == 0 {
            return 0.0;
        }
        let samples = n.min(32);
        let total: f64 = (0..samples)
            .map(|k| {
                let i = range.start + k * n / samples;
                self.variant(i, overrides)
                    .ok()
                    .and_then(|d| analysis::Work::of(&d).ok())
                    .map_or(0.001, |w| w.cpu_s())
            })
            .sum();
        total / samples as f64 * n as f64
    }

    /// [`Sweep::estimate`] of combinations `range` (the whole sweep, or shard `shard` = (K, N)
    /// of it), refused beyond `max_cpu_s` with the shards that would fit.
    pub fn check_work(
        &self,
        range: Range<usize>,
        shard: Option<(usize, usize)>,
        overrides: &Overrides,
        max_cpu_s: f64,
    ) -> Result<f64, TooLong> {
        let cpu_s = self.estimate(range.clone(), overrides);
        if cpu_s <= max_cpu_s {
            return Ok(cpu_s);
        }
        let shards = ((cpu_s / max_cpu_s).ceil() as usize).clamp(2, range.len().max(2));
        let total = self.len();
        Err(TooLong {
            what: match shard {
                Some((k, n)) => format!("shard {k}/{n} ({} of {total} combinations)", range.len()),
                None => format!("the {total} combinations"),
            },
            whole: if shard.is_some() { "the sweep" } else { "it" },
            sampled: range.len().min(32),
            cpu_s,
            max_cpu_s,
            shards,
        })
    }

    /// Analyzes combinations `range` in parallel (one design per task); rows come back in
    /// combination order whatever the thread count. `progress` sees one unit per design.
    pub fn run(
        &self,
        range: Range<usize>,
        overrides: &Overrides,
        progress: &dyn Progress,
    ) -> Vec<Row> {
        progress.start("designs", range.len() as u64);
        let rows = range
            .into_par_iter()
            .map(|i| {
                let outcome = self.variant(i, overrides).and_then(|d| {
                    analysis::analyze_with(d.clone(), None, analysis::Keep::METRICS, &Silent)
                        .map(|a| {
                            (
                                a.advisories.iter().map(|v| v.code.to_string()).collect(),
                                a.metrics,
                            )
                        })
                        .map_err(|e| {
                            // limit errors start with the design's name, which the row already has
                            let e = e.to_string();
                            e.strip_prefix(&format!("{}: ", d.name))
                                .map_or(e.clone(), String::from)
                        })
                });
                progress.advance(1);
                let values = self
                    .keys
                    .iter()
                    .zip(self.combination(i))
                    .map(|(k, j)| k.values[j])
                    .collect();
                let (outcome, advisories) = match outcome {
                    Ok((codes, m)) => (Ok(m), codes),
                    Err(e) => (Err(e.replace('\n', " ")), Vec::new()),
                };
                Row {
                    index: i,
                    name: self.variant_name(i),
                    values,
                    outcome,
                    advisories,
                }
            })
            .collect();
        progress.finish();
        rows
    }
}

/// One combination's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Combination index, 0-based.
    pub index: usize,
    /// Variant name.
    pub name: String,
    /// The value of each varied key, in key order.
    pub values: Vec<f64>,
    /// The metrics, or why the combination is not a valid design.
    pub outcome: Result<Metrics, String>,
    /// The advisories' codes (`non_piercing`, `coarse_raster`); empty for an error row.
    pub advisories: Vec<String>,
}

impl Row {
    /// The metric `key`, `None` for an error row or an undefined metric.
    pub fn metric(&self, key: &str) -> Option<f64> {
        self.outcome.as_ref().ok().and_then(|m| m.get(key))
    }
}

/// The CSV header: keys as written, `name`, every metric, `error`.
pub fn csv_header(sweep: &Sweep) -> Vec<String> {
    let mut h: Vec<String> = sweep.keys.iter().map(|k| k.name.clone()).collect();
    h.push("name".into());
    h.extend(crate::model::registry::keys().map(String::from));
    h.push("advisories".into());
    h.push("error".into());
    h
}

/// The JSON Schema of sweep files (schema/sweep.json).
pub fn schema() -> serde_json::Value {
    crate::design::schema::generate::<SweepFile>()
}

/// A sweep, or a shard of one, whose estimated work is beyond the limit.
#[derive(Debug, thiserror::Error)]
#[error("{what} would take about {} of CPU time (estimated from {sampled} of them), more than the limit of {}: run {whole} in {shards} shards or more, `--shard K/{shards}` for K = 1 … {shards} (each about {}), then `--merge {shards}`", duration_words(*cpu_s), duration_words(*max_cpu_s), duration_words(cpu_s / *shards as f64))]
pub struct TooLong {
    /// The combinations, in words.
    pub what: String,
    /// "it" or "the sweep".
    pub whole: &'static str,
    /// Combinations the estimate was made from.
    pub sampled: usize,
    /// Estimated CPU seconds.
    pub cpu_s: f64,
    /// The limit, CPU seconds.
    pub max_cpu_s: f64,
    /// Shards that would each fit.
    pub shards: usize,
}

fn duration_words(s: f64) -> String {
    analysis::duration_words(s)
}
