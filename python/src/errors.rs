//! Python exceptions and the mapping from the library's typed errors.
//!
//! `DesignError(ValueError)` for a design or sweep that cannot be used, carrying `path`, `line`,
//! `column`, `key` and `value` where the library's error knows them (else None);
//! `LimitError(ValueError)` for work refused up front; `InternalError(RuntimeError)` for a
//! panic in the core. Messages are the CLI's (`error: ` aside): the error and its causes
//! joined by ": ", as anyhow's `{:#}` prints them.

use needlemap::base::error::InputError;
use needlemap::studies::compare::CompareError;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::path::Path;

pyo3::create_exception!(
    needlemap,
    DesignError,
    PyValueError,
    "A design or sweep that cannot be used. Attributes `path`, `line`, `column`, `key`, `value`: where the library knows them, else None."
);
pyo3::create_exception!(
    needlemap,
    LimitError,
    PyValueError,
    "Work refused up front because it would exhaust memory or time (channel or pixel limit, too many passes); the message names the key and a value that would fit."
);
pyo3::create_exception!(
    needlemap,
    InternalError,
    PyRuntimeError,
    "A bug in needlemap (a Rust panic), reported as an exception instead of a crash."
);

/// Attributes every `DesignError` has (None unless known).
const DESIGN_ATTRS: [&str; 5] = ["path", "line", "column", "key", "value"];

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let design = py.get_type_bound::<DesignError>();
    for a in DESIGN_ATTRS {
        design.setattr(a, py.None())?;
    }
    m.add("DesignError", design)?;
    m.add("LimitError", py.get_type_bound::<LimitError>())?;
    m.add("InternalError", py.get_type_bound::<InternalError>())?;
    Ok(())
}

/// Why a call failed, before the GIL is taken back.
pub enum Failure {
    /// A design or sweep file that cannot be used.
    Input(InputError),
    /// A design error already located: message, path, line, column, key, value.
    Located(Box<Located>),
    /// Refused up front.
    Limit(String),
    /// A bad argument (ValueError).
    Value(String),
    /// Files could not be written (OSError).
    Io(String),
    /// A panic in the core.
    Panic(String),
    /// An exception raised by Python code called from Rust.
    Py(PyErr),
}

/// A `DesignError`'s message and attributes.
#[derive(Default)]
pub struct Located {
    pub message: String,
    pub path: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub key: Option<String>,
    pub value: Option<String>,
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        Failure::Input(e)
    }
}

impl From<needlemap::base::error::LimitError> for Failure {
    fn from(e: needlemap::base::error::LimitError) -> Self {
        Failure::Limit(chain(&e))
    }
}

impl From<CompareError> for Failure {
    fn from(e: CompareError) -> Self {
        match e {
            CompareError::TooFew { .. } | CompareError::BadTarget { .. } => {
                Failure::Value(chain(&e))
            }
            e => Failure::Limit(chain(&e)),
        }
    }
}

impl From<PyErr> for Failure {
    fn from(e: PyErr) -> Self {
        Failure::Py(e)
    }
}

/// The error and its causes joined by ": " (anyhow's `{:#}`, as the CLI prints them).
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// The attributes of an input error.
pub fn locate(e: &InputError) -> Located {
    let path_of = |p: &Path| Some(p.display().to_string());
    let mut l = Located {
        message: chain(e),
        ..Located::default()
    };
    match e {
        InputError::Read { path, .. }
        | InputError::Empty { path, .. }
        | InputError::NotUtf8 { path, .. }
        | InputError::Path { path, .. } => l.path = path_of(path),
        InputError::Toml {
            path, line, column, ..
        } => {
            l.path = path_of(path);
            (l.line, l.column) = (*line, *column);
        }
        InputError::Invalid {
            path,
            line,
            column,
            key,
            value,
            ..
        } => {
            l.path = path_of(path);
            l.line = Some(*line);
            l.column = Some(*column);
            l.key = Some(key.clone());
            l.value = Some(value.clone());
        }
    }
    l
}

impl Failure {
    /// The Python exception.
    pub fn into_py_err(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Input(e) => design_error(py, locate(&e)),
            Failure::Located(l) => design_error(py, *l),
            Failure::Limit(m) => LimitError::new_err(m),
            Failure::Value(m) => PyValueError::new_err(m),
            Failure::Io(m) => PyOSError::new_err(m),
            Failure::Panic(m) => InternalError::new_err(format!(
                "needlemap panicked (a bug; please report it with the design): {m}"
            )),
            Failure::Py(e) => e,
        }
    }
}

fn design_error(py: Python<'_>, l: Located) -> PyErr {
    let err = DesignError::new_err(l.message);
    let v = err.value_bound(py);
    let set = |name: &str, o: PyObject| v.setattr(name, o);
    let done = set("path", l.path.into_py(py))
        .and_then(|_| set("line", l.line.into_py(py)))
        .and_then(|_| set("column", l.column.into_py(py)))
        .and_then(|_| set("key", l.key.into_py(py)))
        .and_then(|_| set("value", l.value.into_py(py)));
    match done {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// The text of a panic payload.
pub fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_joins_causes_like_anyhow() {
        let e = InputError::Read {
            path: "x.toml".into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "gone"),
        };
        assert_eq!(chain(&e), "x.toml: cannot read: gone: gone");
    }
}
