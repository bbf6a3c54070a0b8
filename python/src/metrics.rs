//! The one place the binding reads metric keys and values.
//!
//! The core is about to replace `metrics::METRIC_KEYS` and `Metrics::get` by a metric registry;
//! everything else in this crate asks these functions, so that change touches this file only.

use needlemap::metrics::{Metrics, METRIC_KEYS};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Every metric key, in output order.
pub fn keys() -> Vec<&'static str> {
    METRIC_KEYS.to_vec()
}

/// Every metric as (key, value), `None` where undefined.
pub fn values(m: &Metrics) -> Vec<(&'static str, Option<f64>)> {
    METRIC_KEYS.iter().map(|k| (*k, m.get(k))).collect()
}

/// Whether the metric counts things (a Python int rather than a float).
pub fn is_count(key: &str) -> bool {
    key == "channels"
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
