//! Python binding of needlemap: the `needlemap._needlemap` extension module that the pure-Python
//! package `needlemap` (python/needlemap/) re-exports.
//!
//! A thin shell, like `src/main.rs`: every number comes from the core crate; this crate only
//! converts (designs from paths, TOML text or dicts; results to dicts and NumPy arrays), maps the
//! library's typed errors to Python exceptions and runs long calls with the GIL released, in a
//! local rayon pool when `threads=` is given. A panic in the core becomes
//! `needlemap.InternalError`, never a crash.

// pyo3 0.22's #[pyfunction]/#[pymethods] expansions convert PyErr into PyErr; newer clippy
// flags that in our code.
#![allow(clippy::useless_conversion)]

mod compare;
mod design;
mod errors;
mod metrics;
mod result;
mod sweep;
mod validate;

use pyo3::prelude::*;

pub use errors::Failure;

/// The extension module.
#[pymodule]
fn _needlemap(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    errors::register(m)?;
    m.add_class::<design::PyDesign>()?;
    m.add_class::<result::PyAnalysis>()?;
    m.add_class::<compare::PyComparison>()?;
    m.add_function(wrap_pyfunction!(design::load, m)?)?;
    m.add_function(wrap_pyfunction!(result::analyze, m)?)?;
    m.add_function(wrap_pyfunction!(compare::compare, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep, m)?)?;
    m.add_function(wrap_pyfunction!(validate::validate, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add("__version__", needlemap::output::json::VERSION)?;
    m.add(
        "METRIC_KEYS",
        pyo3::types::PyTuple::new_bound(py, metrics::keys()),
    )?;
    // the range table every key, flag and argument is checked against: (key, min,
    // min_inclusive, max, unit)
    let ranges: Vec<(&str, f64, bool, f64, &str)> = needlemap::design::ranges::all()
        .map(|r| (r.key, r.min, r.min_inclusive, r.max, r.unit))
        .collect();
    m.add("RANGES", pyo3::types::PyTuple::new_bound(py, ranges))?;
    m.add(
        "LAYERS",
        pyo3::types::PyTuple::new_bound(py, result::layer_names()),
    )?;
    Ok(())
}

/// Test hook: panics inside the guard every call uses, to prove the panic arrives as
/// `needlemap.InternalError`.
#[pyfunction]
#[pyo3(signature = (threads=None))]
fn _panic_for_tests(py: Python<'_>, threads: Option<usize>) -> PyResult<()> {
    run(py, threads, || -> Result<(), Failure> {
        panic!("deliberate panic (test hook)")
    })
}

/// Runs `f` with the GIL released, in a local pool of `threads` workers when given (else the
/// global pool); a panic becomes [`Failure::Panic`].
pub(crate) fn run<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    f: impl FnOnce() -> Result<T, Failure> + Send,
) -> PyResult<T> {
    if let Some(n) = threads {
        // the CLI's --threads limit: a million threads took 35 s to spawn
        needlemap::metrics::analysis::check_threads(n).map_err(|e| {
            pyo3::exceptions::PyValueError::new_err(format!("threads={n}: {e} (None: every core)"))
        })?;
    }
    let out = py.allow_threads(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match threads {
            None => f(),
            Some(n) => {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(|e| Failure::Io(format!("cannot start {n} worker threads: {e}")))?;
                pool.install(f)
            }
        }))
        .unwrap_or_else(|p| Err(Failure::Panic(errors::panic_text(p.as_ref()))))
    });
    out.map_err(|e| e.into_py_err(py))
}
