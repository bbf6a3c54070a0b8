//! `needlemap.sweep`: a sweep file, or a design and the values of its keys, analyzed in
//! parallel by the core's `sweep::Sweep`; rows come back as a dict of columns.
//!
//! Given a design and `vary=`, the binding writes a sweep file (and, for a design that is not
//! an unchanged file, the design's TOML) into a temporary folder and loads it with
//! `Sweep::load`, so every rule of a sweep file applies.

use crate::design::PyDesign;
use crate::errors::{Failure, Located};
use crate::metrics;
use crate::result::check_resolution;
use needlemap::base::error::InputError;
use needlemap::base::progress::Silent;
use needlemap::metrics::analysis::Overrides;
use needlemap::studies::sweep::{Num, Sweep};
use numpy::IntoPyArray;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt};
use std::path::{Path, PathBuf};
use toml::Value;

/// Writes the sweep file for `base` and `vary` into `dir`; returns its path.
fn write_sweep(
    dir: &Path,
    name: &str,
    base: &Path,
    vary: &[(String, Vec<Value>)],
) -> Result<PathBuf, Failure> {
    let mut v = toml::Table::new();
    for (k, values) in vary {
        v.insert(k.clone(), Value::Array(values.clone()));
    }
    let mut t = toml::Table::new();
    t.insert("name".into(), Value::String(name.into()));
    t.insert("base".into(), Value::String(base.display().to_string()));
    t.insert("vary".into(), Value::Table(v));
    let p = dir.join("sweep.toml");
    let text = toml::to_string(&t).map_err(|e| Failure::Value(e.to_string()))?;
    std::fs::write(&p, text).map_err(|e| Failure::Io(format!("{}: {e}", p.display())))?;
    Ok(p)
}

/// The values given for one key: a number or a sequence of numbers.
fn values(key: &str, o: &Bound<'_, PyAny>) -> PyResult<Vec<Value>> {
    let one = |x: &Bound<'_, PyAny>| -> PyResult<Value> {
        if x.is_instance_of::<PyBool>() {
            Err(PyTypeError::new_err(format!(
                "`{key}`: values must be numbers, not bool"
            )))
        } else if x.is_instance_of::<PyInt>() {
            Ok(Value::Integer(x.extract()?))
        } else if x.is_instance_of::<PyFloat>() {
            Ok(Value::Float(x.extract()?))
        } else if x.hasattr("item")? {
            // NumPy scalar
            let y = x.call_method0("item")?;
            if y.is_instance_of::<PyInt>() {
                Ok(Value::Integer(y.extract()?))
            } else {
                Ok(Value::Float(y.extract()?))
            }
        } else {
            Err(PyTypeError::new_err(format!(
                "`{key}`: values must be numbers, not {}",
                x.get_type().name()?
            )))
        }
    };
    if o.is_instance_of::<PyInt>() || o.is_instance_of::<PyFloat>() {
        return Ok(vec![one(o)?]);
    }
    o.iter()?.map(|x| one(&x?)).collect()
}

/// Runs a sweep: `design_or_path` is a sweep file (with `vary=None`, as `needlemap sweep`), or
/// a Design or design file with `vary={"needle.length_mm": [0.5, 1.0], ...}` (every
/// combination, first key slowest; `name` defaults to the design's name and names the variants
/// `<name>-<i>`). `resolution_um`, `seed` and `threads` as for `analyze`.
///
/// Returns a dict of columns, one entry per combination, in the order of sweep.csv: each
/// varied key (int64 or float64 array), "name" (list of str), every metric (float64 array, NaN
/// where undefined or the combination is not a valid design), "advisories" (per row, a list of
/// the advisory codes, as `;`-separated in sweep.csv), "error" (list of str or None).
#[pyfunction]
#[pyo3(signature = (design_or_path, vary=None, name=None, resolution_um=None, threads=None, seed=None))]
pub fn sweep<'py>(
    py: Python<'py>,
    design_or_path: &Bound<'py, PyAny>,
    vary: Option<&Bound<'py, PyDict>>,
    name: Option<String>,
    resolution_um: Option<f64>,
    threads: Option<usize>,
    seed: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    check_resolution(resolution_um)?;
    let o = Overrides {
        seed,
        resolution_um,
    };
    let tmp = tempfile::tempdir()
        .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("temporary folder: {e}")))?;
    let sweep_path = match vary {
        None => design_or_path.extract::<PathBuf>().map_err(|_| {
            PyTypeError::new_err("without vary=, sweep takes the path of a sweep file")
        })?,
        Some(v) => {
            let d = PyDesign::from_arg(py, design_or_path)?;
            let base = match &d.file {
                Some(f) => std::path::absolute(f)?,
                None => {
                    let p = tmp.path().join("base.toml");
                    std::fs::write(&p, &d.text)?;
                    p
                }
            };
            let mut keys = Vec::new();
            for (k, x) in v.iter() {
                let k: String = k.extract()?;
                let vals = values(&k, &x)?;
                keys.push((k, vals));
            }
            let name = name.unwrap_or_else(|| d.d.name.clone());
            write_sweep(tmp.path(), &name, &base, &keys).map_err(|e| e.into_py_err(py))?
        }
    };
    let generated = vary.is_some().then(|| sweep_path.clone());
    let (sweep, rows) = crate::run(py, threads, move || {
        // A notebook names its own files: the base may lie anywhere the caller can read (the
        // CLI's --root rule guards CI gates over contributed files, not this API).
        let policy = needlemap::base::input::ReadPolicy {
            allow_outside: true,
            ..Default::default()
        };
        let sweep = Sweep::load_with(&sweep_path, &policy)
            .map_err(|e| relocate(e, generated.as_deref()))?;
        sweep
            .check_overrides(&o)
            .map_err(|e| relocate(e, generated.as_deref()))?;
        // the CLI's limit on a sweep's estimated work (its shards have no Python form)
        let cpu_s = sweep.estimate(0..sweep.len(), &o);
        if cpu_s > needlemap::metrics::analysis::DEFAULT_MAX_CPU_S {
            return Err(Failure::Limit(format!(
                "the {} combinations would take about {} of CPU time (estimated), more than the limit of {}: vary fewer values, or run the sweep file with the CLI in shards (`needlemap sweep FILE --shard K/N`, then `--merge N`)",
                sweep.len(),
                needlemap::metrics::analysis::duration_words(cpu_s),
                needlemap::metrics::analysis::duration_words(needlemap::metrics::analysis::DEFAULT_MAX_CPU_S)
            )));
        }
        let rows = sweep.run(0..sweep.len(), &o, &Silent);
        Ok((sweep, rows))
    })?;
    drop(tmp);

    let out = PyDict::new_bound(py);
    for (i, k) in sweep.keys.iter().enumerate() {
        match k.num {
            Num::Int => out.set_item(
                &k.name,
                rows.iter()
                    .map(|r| r.values[i] as i64)
                    .collect::<Vec<_>>()
                    .into_pyarray_bound(py),
            )?,
            Num::Float => out.set_item(
                &k.name,
                rows.iter()
                    .map(|r| r.values[i])
                    .collect::<Vec<_>>()
                    .into_pyarray_bound(py),
            )?,
        }
    }
    out.set_item(
        "name",
        rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
    )?;
    let per_row: Vec<Vec<(&str, Option<f64>)>> = rows
        .iter()
        .map(|r| match &r.outcome {
            Ok(m) => metrics::values(m),
            Err(_) => metrics::keys().into_iter().map(|k| (k, None)).collect(),
        })
        .collect();
    for (j, key) in metrics::keys().into_iter().enumerate() {
        let col: Vec<f64> = per_row.iter().map(|r| r[j].1.unwrap_or(f64::NAN)).collect();
        out.set_item(key, col.into_pyarray_bound(py))?;
    }
    out.set_item(
        "advisories",
        rows.iter()
            .map(|r| {
                r.advisories
                    .split(';')
                    .filter(|c| !c.is_empty())
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>(),
    )?;
    out.set_item(
        "error",
        rows.iter()
            .map(|r| r.outcome.as_ref().err().cloned())
            .collect::<Vec<_>>(),
    )?;
    Ok(out)
}

/// An error in the sweep file the binding wrote names the key, not the temporary file.
fn relocate(e: InputError, generated: Option<&Path>) -> Failure {
    match (e, generated) {
        (
            InputError::Invalid {
                path,
                key,
                value,
                problem,
                ..
            },
            Some(g),
        ) if path == g => Failure::Located(Box::new(Located {
            message: format!("vary: `{key}` = {value}: {problem}"),
            key: Some(key),
            value: Some(value),
            ..Located::default()
        })),
        (e, _) => Failure::Input(e),
    }
}
