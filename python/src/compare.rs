//! `needlemap.compare`: designs side by side and every roller–pen pair at each other's density,
//! as `needlemap compare` computes them.

use crate::design::PyDesign;
use crate::errors::Failure;
use crate::result::{check_resolution, PyAnalysis};
use needlemap::base::progress::Silent;
use needlemap::metrics::analysis::{self, Analysis, Overrides};
use needlemap::output::compare as text;
use needlemap::studies::compare as core;
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::sync::Arc;

/// A comparison of analyzed designs.
///
/// `results` (one Result per design, in order), `differences` (list of str), `pairs` (one dict
/// per roller–pen pair, the CLI's JSON `pairs`), `target` (dict or None), `table` (the CLI's
/// text). `str(c)` is the table.
#[pyclass(name = "Comparison", module = "needlemap", frozen)]
pub struct PyComparison {
    results: Vec<PyAnalysis>,
    differences: Vec<String>,
    pairs: PyObject,
    target: PyObject,
    table: String,
}

#[pymethods]
impl PyComparison {
    /// One Result per design, in the order given.
    #[getter]
    fn results<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        crate::result::list(py, &self.results)
    }

    /// The differences that matter, in plain words.
    #[getter]
    fn differences(&self) -> Vec<String> {
        self.differences.clone()
    }

    /// One dict per roller–pen pair: each brought to the other's density (the CLI's JSON
    /// `pairs`).
    #[getter]
    fn pairs(&self, py: Python<'_>) -> PyObject {
        self.pairs.clone_ref(py)
    }

    /// With `target_density`: every design at that density (the CLI's JSON `target`); else None.
    #[getter]
    fn target(&self, py: Python<'_>) -> PyObject {
        self.target.clone_ref(py)
    }

    /// The CLI's comparison table.
    #[getter]
    fn table(&self) -> &str {
        &self.table
    }

    fn __str__(&self) -> &str {
        &self.table
    }

    fn __repr__(&self) -> String {
        let names: Vec<&str> = self
            .results
            .iter()
            .map(|r| r.a.design.name.as_str())
            .collect();
        format!("Comparison({names:?})")
    }
}

/// Compares two designs or more (Designs or paths), as `needlemap compare`: each analyzed,
/// every roller–pen pair brought to each other's density and, with `target_density`
/// (channels/cm²), every design brought to it. A repeated name gets a suffix (#2, #3, …).
///
/// Raises DesignError, and LimitError when a matched treatment would exceed a limit.
#[pyfunction]
#[pyo3(signature = (designs, target_density=None, resolution_um=None, threads=None, seed=None))]
pub fn compare(
    py: Python<'_>,
    designs: &Bound<'_, PyAny>,
    target_density: Option<f64>,
    resolution_um: Option<f64>,
    threads: Option<usize>,
    seed: Option<u64>,
) -> PyResult<PyComparison> {
    check_resolution(resolution_um)?;
    let o = Overrides {
        seed,
        resolution_um,
    };
    let mut given = Vec::new();
    for item in designs.iter()? {
        given.push(o.apply(&PyDesign::from_arg(py, &item?)?.d));
    }
    let (done, differences, extra, table) = crate::run(py, threads, move || {
        // the CLI's rules: names made unique, two designs or more, the target in reach, the
        // work within the default limit
        let max_cpu_s = needlemap::metrics::analysis::DEFAULT_MAX_CPU_S;
        let (ds, _) = core::prepare(given, target_density, None, max_cpu_s)?;
        let done = ds
            .iter()
            .map(|d| analysis::analyze(d, &Silent))
            .collect::<Result<Vec<Analysis>, _>>()?;
        let refs: Vec<&Analysis> = done.iter().collect();
        let cmp = core::compare(&refs, target_density, &Silent)?;
        let extra = serde_json::to_string(&text::extra(&refs, &cmp))
            .map_err(|e| Failure::Io(e.to_string()))?;
        let table = text::render(&refs, &cmp);
        let differences = text::differences(&refs);
        drop(refs);
        Ok((done, differences, extra, table))
    })?;
    let extra = py.import_bound("json")?.call_method1("loads", (extra,))?;
    Ok(PyComparison {
        results: done
            .into_iter()
            .map(|a| PyAnalysis { a: Arc::new(a) })
            .collect(),
        differences,
        pairs: extra.get_item("pairs")?.unbind(),
        target: extra.call_method1("get", ("target",))?.unbind(),
        table,
    })
}
