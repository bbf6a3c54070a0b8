//! `needlemap.Design`: a checked design, from a file, TOML text or a dict, and changed copies
//! with sweep keys set (`with_`).

use crate::errors::{Failure, Located};
use needlemap::design::Design;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::path::PathBuf;
use toml::Value;

/// Name given in errors to a design made from text or a dict without `path=`.
const NO_FILE: &str = "<design>";

/// A checked design: one device and one treatment.
///
/// Make one with `needlemap.load(path)`, `Design.from_toml(text)` or `Design.from_dict(d)`;
/// every rule of a design file applies. `design.with_(**{"needle.length_mm": 1.0})` returns a
/// changed copy (keys are the dotted numeric keys a sweep may vary).
#[pyclass(name = "Design", module = "needlemap", frozen)]
#[derive(Clone)]
pub struct PyDesign {
    /// The checked design.
    pub d: Design,
    /// Its TOML text.
    pub text: String,
    /// The file it was read from, unchanged (None for text, dicts and changed copies).
    pub file: Option<PathBuf>,
}

impl PyDesign {
    /// Reads and checks a design file.
    pub fn read(path: PathBuf) -> Result<PyDesign, Failure> {
        if !path.exists() {
            // the CLI's message for a path that does not exist
            needlemap::design::expand_paths(std::slice::from_ref(&path))?;
        }
        // the library's one reader: a regular file on disk (not /dev/zero, a FIFO or
        // /proc/self/environ), size-capped, never echoed
        let (d, text) =
            Design::load_with_text(&path, &needlemap::base::input::ReadPolicy::default())?;
        Ok(PyDesign {
            d,
            text,
            file: Some(path),
        })
    }

    fn from_text(text: String, path: Option<PathBuf>) -> Result<PyDesign, Failure> {
        let path = path.unwrap_or_else(|| PathBuf::from(NO_FILE));
        let d = Design::from_bytes(text.as_bytes(), &path)?;
        Ok(PyDesign {
            d,
            text,
            file: None,
        })
    }

    /// A design argument: a `Design`, or a path to a design file.
    pub fn from_arg(py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<PyDesign> {
        if let Ok(d) = o.downcast::<PyDesign>() {
            return Ok(d.get().clone());
        }
        match o.extract::<PathBuf>() {
            Ok(p) => PyDesign::read(p).map_err(|e| e.into_py_err(py)),
            Err(_) => Err(PyTypeError::new_err(format!(
                "expected a needlemap.Design or a path to a design file, not {}",
                o.get_type().name()?
            ))),
        }
    }
}

#[pymethods]
impl PyDesign {
    /// Reads and checks a design file (same as `needlemap.load`).
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyDesign> {
        PyDesign::read(path).map_err(|e| e.into_py_err(py))
    }

    /// Checks a design given as TOML text; `path` names it in errors and resolves a relative
    /// `needles_csv` (default "<design>", relative to the current folder).
    #[staticmethod]
    #[pyo3(signature = (text, path=None))]
    fn from_toml(py: Python<'_>, text: String, path: Option<PathBuf>) -> PyResult<PyDesign> {
        PyDesign::from_text(text, path).map_err(|e| e.into_py_err(py))
    }

    /// Checks a design given as a dict shaped like the TOML file (nested dicts for tables,
    /// lists of dicts for `[[treatment.passes]]`); see `from_toml` for `path`.
    #[staticmethod]
    #[pyo3(signature = (d, path=None))]
    fn from_dict(
        py: Python<'_>,
        d: &Bound<'_, PyDict>,
        path: Option<PathBuf>,
    ) -> PyResult<PyDesign> {
        let Value::Table(t) = to_toml(d.as_any(), "")? else {
            unreachable!("a dict becomes a table")
        };
        let text = toml::to_string(&t).map_err(|e| {
            pyo3::exceptions::PyValueError::new_err(format!("cannot write the dict as TOML: {e}"))
        })?;
        PyDesign::from_text(text, path).map_err(|e| e.into_py_err(py))
    }

    /// A copy with numeric keys set, checked again: `d.with_(**{"needle.length_mm": 1.0})` or
    /// `d.with_({"treatment.passes.*.count": 2})`. Keys are the dotted keys of a sweep (array
    /// elements by 0-based index or `*` for every element); values are numbers.
    #[pyo3(signature = (values=None, **kwargs))]
    fn with_(
        &self,
        py: Python<'_>,
        values: Option<&Bound<'_, PyDict>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyDesign> {
        let mut table: toml::Table = toml::from_str(&self.text).expect("the text parsed before");
        let path = self.d.source.path.clone();
        for dict in [values, kwargs].into_iter().flatten() {
            for (k, v) in dict.iter() {
                let key: String = k.extract()?;
                if v.is_instance_of::<PyBool>()
                    || !(v.is_instance_of::<PyInt>() || v.is_instance_of::<PyFloat>())
                {
                    return Err(PyTypeError::new_err(format!(
                        "`{key}` must be a number, not {}",
                        v.get_type().name()?
                    )));
                }
                let x: f64 = v.extract()?;
                needlemap::studies::sweep::set_key(&mut table, &key, x).map_err(|problem| {
                    Failure::Located(Box::new(Located {
                        message: format!("{}: `{key}` = {x}: {problem}", path.display()),
                        path: Some(path.display().to_string()),
                        key: Some(key.clone()),
                        value: Some(x.to_string()),
                        ..Located::default()
                    }))
                    .into_py_err(py)
                })?;
            }
        }
        let text = toml::to_string(&table).expect("a TOML table serializes");
        // Errors name the original file and the key, not a line of the rewritten text.
        let d = Design::from_bytes(text.as_bytes(), &path).map_err(|e| {
            let mut l = crate::errors::locate(&e);
            if let needlemap::base::error::InputError::Invalid {
                key,
                value,
                problem,
                ..
            } = &e
            {
                l.message = format!("{}: `{key}` = {value}: {problem}", path.display());
                (l.line, l.column) = (None, None);
            }
            Failure::Located(Box::new(l)).into_py_err(py)
        })?;
        Ok(PyDesign {
            d,
            text,
            file: None,
        })
    }

    /// The design as a dict shaped like its TOML file.
    fn to_dict(&self, py: Python<'_>) -> PyResult<PyObject> {
        let t: toml::Table = toml::from_str(&self.text).expect("the text parsed before");
        to_py(py, &Value::Table(t))
    }

    /// The design's TOML text.
    #[getter]
    fn toml(&self) -> &str {
        &self.text
    }

    /// Name (also the output folder out/<name>/).
    #[getter]
    fn name(&self) -> &str {
        &self.d.name
    }

    /// "roller" or "pen".
    #[getter]
    fn kind(&self) -> &'static str {
        self.d.device.kind()
    }

    /// Free text.
    #[getter]
    fn description(&self) -> &str {
        &self.d.description
    }

    /// The path that names the design in errors and provenance.
    #[getter]
    fn path(&self) -> String {
        self.d.source.path.display().to_string()
    }

    /// SHA-256 of the design's TOML bytes, lower-case hex.
    #[getter]
    fn sha256(&self) -> &str {
        &self.d.source.sha256
    }

    /// Needles on the drum or cartridge.
    #[getter]
    fn needle_count(&self) -> usize {
        self.d.device.needle_count()
    }

    /// Treated region (Lx, Ly), mm.
    #[getter]
    fn area_mm(&self) -> (f64, f64) {
        let [x, y] = self.d.treatment.area_mm;
        (x, y)
    }

    /// RNG seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.d.treatment.seed
    }

    /// Raster pitch, µm.
    #[getter]
    fn resolution_um(&self) -> f64 {
        self.d.analysis.resolution_um
    }

    fn __repr__(&self) -> String {
        format!(
            "Design(name={:?}, kind={:?}, needles={}, path={:?})",
            self.d.name,
            self.d.device.kind(),
            self.d.device.needle_count(),
            self.d.source.path.display().to_string()
        )
    }
}

/// Reads and checks a design file.
///
/// Raises DesignError (with .path, .line, .column, .key where known) for a file that cannot be
/// used.
#[pyfunction]
pub fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyDesign> {
    PyDesign::read(path).map_err(|e| e.into_py_err(py))
}

/// A Python value as TOML (`at` is its dotted place, for errors).
fn to_toml(v: &Bound<'_, PyAny>, at: &str) -> PyResult<Value> {
    let place = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    if v.is_instance_of::<PyBool>() {
        Ok(Value::Boolean(v.extract()?))
    } else if v.is_instance_of::<PyInt>() {
        Ok(Value::Integer(v.extract()?))
    } else if v.is_instance_of::<PyFloat>() {
        Ok(Value::Float(v.extract()?))
    } else if v.is_instance_of::<PyString>() {
        Ok(Value::String(v.extract()?))
    } else if let Ok(d) = v.downcast::<PyDict>() {
        let mut t = toml::Table::new();
        for (k, x) in d.iter() {
            let k: String = k
                .extract()
                .map_err(|_| PyTypeError::new_err(format!("{at}: keys must be strings")))?;
            let val = to_toml(&x, &place(&k))?;
            t.insert(k, val);
        }
        Ok(Value::Table(t))
    } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for (i, x) in v.iter()?.enumerate() {
            out.push(to_toml(&x?, &place(&i.to_string()))?);
        }
        Ok(Value::Array(out))
    } else if v.hasattr("tolist")? {
        // NumPy scalars and arrays
        to_toml(&v.call_method0("tolist")?, at)
    } else {
        Err(PyTypeError::new_err(format!(
            "`{at}`: a design holds numbers, strings, booleans, lists and dicts, not {}",
            v.get_type().name()?
        )))
    }
}

/// A TOML value as Python (dates become strings).
fn to_py(py: Python<'_>, v: &Value) -> PyResult<PyObject> {
    Ok(match v {
        Value::String(s) => s.into_py(py),
        Value::Integer(i) => i.into_py(py),
        Value::Float(x) => x.into_py(py),
        Value::Boolean(b) => b.into_py(py),
        Value::Datetime(d) => d.to_string().into_py(py),
        Value::Array(a) => {
            let items = a
                .iter()
                .map(|x| to_py(py, x))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new_bound(py, items).into_py(py)
        }
        Value::Table(t) => {
            let d = PyDict::new_bound(py);
            for (k, x) in t {
                d.set_item(k, to_py(py, x)?)?;
            }
            d.into_py(py)
        }
    })
}
