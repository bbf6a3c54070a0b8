//! The one place the binding reads metric keys and values.
//!
//! Keys, order and kinds come from the core's metric registry
//! (`needlemap::model::registry::METRICS`); everything else in this crate asks these
//! functions.

use needlemap::metrics::Metrics;
use needlemap::model::registry::{metric, METRICS};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Every metric key, in output order.
pub fn keys() -> Vec<&'static str> {
    METRICS.iter().map(|m| m.key).collect()
}

/// Every metric as (key, value), `None` where undefined.
pub fn values(m: &Metrics) -> Vec<(&'static str, Option<f64>)> {
    METRICS.iter().map(|i| (i.key, (i.get)(m))).collect()
}

/// Whether the metric counts things (a Python int rather than a float).
pub fn is_count(key: &str) -> bool {
    metric(key).is_some_and(|m| m.is_count())
}

/// The metrics as a dict: key → int, float or None.
pub fn to_dict<'py>(py: Python<'py>, m: &Metrics) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new_bound(py);
    for (k, v) in values(m) {
        let o: PyObject = match v {
            None => py.None(),
            Some(x) if is_count(k) => (x as u64).into_py(py),
            Some(x) => x.into_py(py),
        };
        d.set_item(k, o)?;
    }
    Ok(d)
}
