//! `needlemap.sweep`: a sweep file, or a design and the values of its keys, analyzed in
//! parallel by the core's `sweep::Sweep`; rows come back as a dict of columns.
//!
//! Given a design and `vary=`, the library makes the sweep from those parts
//! (`Sweep::from_parts`), so every rule of a sweep file applies; no file is written.

use crate::design::PyDesign;
use crate::errors::{Failure, Located};
use crate::metrics;
use crate::result::check_resolution;
use needlemap::base::error::InputError;
use needlemap::base::progress::Silent;
use needlemap::metrics::analysis::Overrides;
use needlemap::studies::sweep::{Num, Sweep, FROM_PARTS};
use numpy::IntoPyArray;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt};
use std::path::{Path, PathBuf};
use toml::Value;

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
    enum Source {
        File(PathBuf),
        Parts(Box<PyDesign>, String, Vec<(String, Vec<Value>)>),
    }
    let source = match vary {
        None => Source::File(design_or_path.extract::<PathBuf>().map_err(|_| {
            PyTypeError::new_err("without vary=, sweep takes the path of a sweep file")
        })?),
        Some(v) => {
            let d = PyDesign::from_arg(py, design_or_path)?;
            let mut keys = Vec::new();
            for (k, x) in v.iter() {
                let k: String = k.extract()?;
                let vals = values(&k, &x)?;
                keys.push((k, vals));
            }
            let name = name.unwrap_or_else(|| d.d.name.clone());
            Source::Parts(Box::new(d), name, keys)
        }
    };
    let (sweep, rows) = crate::run(py, threads, move || {
        let sweep = match &source {
            // A notebook names its own files: the base may lie anywhere the caller can read
            // (the CLI's --root rule guards CI gates over contributed files, not this API).
            Source::File(p) => {
                let policy = needlemap::base::input::ReadPolicy {
                    allow_outside: true,
                    ..Default::default()
                };
                Sweep::load_with(p, &policy).map_err(Failure::Input)?
            }
            Source::Parts(d, name, keys) => {
                Sweep::from_parts(name, &d.d, &d.text, keys).map_err(relocate)?
            }
        };
        sweep.check_overrides(&o).map_err(relocate)?;
        // the CLI's limit on a sweep's estimated work
        let max_cpu_s = needlemap::metrics::analysis::DEFAULT_MAX_CPU_S;
        sweep
            .check_work(0..sweep.len(), None, &o, max_cpu_s)
            .map_err(|e| Failure::Limit(e.to_string()))?;
        let rows = sweep.run(0..sweep.len(), &o, &Silent);
        Ok((sweep, rows))
    })?;

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
            Num::Word(_) => out.set_item(
                &k.name,
                rows.iter().map(|r| k.text(r.values[i])).collect::<Vec<_>>(),
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
            .map(|r| r.advisories.clone())
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

/// An error in the sweep made from parts (`<sweep>`) names the key and value, not a file.
fn relocate(e: InputError) -> Failure {
    match e {
        InputError::Invalid {
            path,
            key,
            value,
            problem,
            ..
        } if path == Path::new(FROM_PARTS) => Failure::Located(Box::new(Located {
            message: format!("vary: `{key}` = {value}: {problem}"),
            key: Some(key),
            value: Some(value),
            ..Located::default()
        })),
        e => Failure::Input(e),
    }
}
