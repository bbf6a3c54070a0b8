//! `needlemap.validate`: the published experiments under designs/validation/ against the depth
//! model, as `needlemap validate --format json` reports them.

use crate::errors::Failure;
use needlemap::base::progress::Silent;
use needlemap::design::{expand_paths, Design};
use pyo3::prelude::*;
use std::path::PathBuf;

/// The validation table: a dict with ``pass`` (every gating prediction in its band) and
/// ``rows`` (one dict per measured figure: design, study, quantity, measured_mm, sd_mm,
/// band_mm, predicted_mm, relative_error, role, gate, verdict), as
/// ``needlemap validate --format json``.
///
/// ``path``: a folder of experiment designs or one design file (default
/// ``designs/validation`` under the current directory).
#[pyfunction]
#[pyo3(signature = (path=None, threads=None))]
pub fn validate(
    py: Python<'_>,
    path: Option<PathBuf>,
    threads: Option<usize>,
) -> PyResult<PyObject> {
    let path = path.unwrap_or_else(|| PathBuf::from("designs/validation"));
    let json = crate::run(py, threads, move || {
        let files = expand_paths(&[path])?;
        let designs = files
            .iter()
            .map(|f| Design::load(f))
            .collect::<Result<Vec<_>, _>>()?;
        let rows = needlemap::studies::validation::validate(&designs, &Silent)?;
        String::from_utf8(needlemap::output::validation::json(&rows))
            .map_err(|e| Failure::Io(e.to_string()))
    })?;
    Ok(py
        .import_bound("json")?
        .call_method1("loads", (json,))?
        .unbind())
}
