//! A search run in shards (`optimise --shard K/N`, as a job array or CI matrix) and merged
//! (`optimise --merge N`). Shard K evaluates the K-th contiguous slice of the candidates
//! through the screen, coarse and full stages and writes them as `candidates.K-of-N.csv`, the
//! rows of the whole search's candidates.csv at the same indices, with its provenance beside
//! it (`candidates.K-of-N.json`, as a sweep's shards: version, the file's and the base's
//! SHA-256, seed and raster pitch, the CSV's SHA-256). The merge checks every provenance,
//! reads the candidates back and finishes the search (front and yield) exactly as the whole
//! search does: the same bytes out.

use super::{Candidate, Optimise, Stage};
use crate::base::error::InputError;
use crate::metrics::analysis::Overrides;
use crate::model::registry::METRICS;
use crate::studies::sweep::merge::{check_combination, read_metrics, read_shards};
use crate::studies::sweep::provenance::{self, Study};
use std::path::Path;

/// The shards of an optimisation: `candidates.K-of-N.csv` and `.json`, by `optimise`.
pub const STUDY: Study = Study {
    stem: "candidates",
    command: "optimise",
    noun: "optimisation",
};

/// candidates.csv's header: `candidate`, `name`, the searched keys, `stage`, `feasible`,
/// `failed`, `objective_<key>` per objective, `yield_lo`, every metric.
pub fn csv_header(opt: &Optimise) -> Vec<String> {
    let mut h = vec!["candidate".to_string(), "name".into()];
    h.extend(opt.sweep.keys.iter().map(|k| k.name.clone()));
    h.extend(["stage", "feasible", "failed"].map(String::from));
    h.extend(
        opt.objectives
            .iter()
            .map(|o| format!("objective_{}", o.key())),
    );
    h.push("yield_lo".into());
    h.extend(METRICS.iter().map(|m| m.key.to_string()));
    h
}

/// Checks the provenance of shards 1..=`n` in `dir` against one another and this run, then
/// reads their candidates back (in index order) with the merged CSV's bytes.
pub fn merge(
    opt: &Optimise,
    overrides: &Overrides,
    dir: &Path,
    n: usize,
) -> Result<(Vec<u8>, Vec<Candidate>), InputError> {
    provenance::check(&opt.sweep, overrides, dir, n, STUDY)?;
    let header = csv_header(opt);
    let nkeys = opt.sweep.keys.len();
    let nobj = opt.objectives.len();
    read_shards(&opt.sweep, dir, n, STUDY.stem, &header, |index, rec| {
        if rec.get(0) != Some((index + 1).to_string().as_str()) {
            return Err(format!(
                "candidate {:?} is not candidate {}; was the file changed?",
                crate::base::input::clip(rec.get(0).unwrap_or("")),
                index + 1
            ));
        }
        check_combination(&opt.sweep, index, rec, 1, 2)?;
        let at = 2 + nkeys;
        let cell = |i: usize| rec.get(i).unwrap_or("");
        let stage = match cell(at) {
            "invalid" => Stage::Invalid,
            "screen" => Stage::Screen,
            "coarse" => Stage::Coarse,
            "full" => Stage::Full,
            other => {
                return Err(format!(
                    "stage = {:?}: a shard's candidates reach invalid, screen, coarse or full",
                    crate::base::input::clip(other)
                ))
            }
        };
        let failed = Some(cell(at + 2).to_string()).filter(|f| !f.is_empty());
        let number = |i: usize, what: &str| -> Result<Option<f64>, String> {
            let c = cell(i);
            if c.is_empty() {
                return Ok(None);
            }
            c.parse::<f64>()
                .map(Some)
                .map_err(|_| format!("{what} = {:?} is not a number", crate::base::input::clip(c)))
        };
        let objectives = (0..nobj)
            .map(|k| number(at + 3 + k, &header[at + 3 + k]))
            .collect::<Result<Vec<_>, _>>()?;
        let first_metric = at + 3 + nobj + 1;
        let metrics = read_metrics(rec, first_metric)?;
        let any = (first_metric..header.len()).any(|i| !cell(i).is_empty());
        // a candidate the shard found feasible has every constrained metric and objective
        let feasible = stage >= Stage::Coarse && failed.is_none();
        if cell(at + 1) != feasible.to_string() {
            return Err(format!(
                "feasible = {:?} but stage {} and failed {:?} say {feasible}; was the file changed?",
                crate::base::input::clip(cell(at + 1)),
                cell(at),
                crate::base::input::clip(cell(at + 2))
            ));
        }
        if feasible {
            let missing = opt
                .spec
                .iter()
                .map(|l| (l.key, metrics.get(l.key)))
                .chain(
                    opt.objectives
                        .iter()
                        .zip(&objectives)
                        .map(|(o, v)| (o.key(), *v)),
                )
                .find(|(_, v)| v.is_none_or(|x| !x.is_finite()));
            if let Some((key, v)) = missing {
                return Err(format!(
                    "is marked feasible but its {key} is {}; was the file changed?",
                    v.map_or("empty".to_string(), |x| x.to_string())
                ));
            }
        }
        Ok(Candidate {
            index,
            name: opt.sweep.variant_name(index),
            stage,
            failed,
            objectives,
            metrics: any.then_some(metrics),
            yield_lo: None,
        })
    })
}
