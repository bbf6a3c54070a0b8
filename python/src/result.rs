//! `needlemap.analyze` and its `Result`: metrics, layer shares, channels as NumPy arrays, the
//! raster maps, advisories, and the CLI's output files.

use crate::design::PyDesign;
use crate::errors::Failure;
use crate::metrics;
use needlemap::base::progress::Silent;
use needlemap::metrics::analysis::{self, Analysis, Overrides};
use needlemap::model::skin::Layer;
use needlemap::output::json;
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyDict, PyList};
use std::path::PathBuf;
use std::sync::Arc;

/// Layer keys in code order (surface first): `channels["layer"]` holds indices into this.
pub fn layer_names() -> Vec<&'static str> {
    Layer::ALL.iter().map(|l| l.key()).collect()
}

/// Checks a `resolution_um=` argument as the CLI's `--resolution-um` does: the range of
/// `analysis.resolution_um` (the library's one check).
pub fn check_resolution(r: Option<f64>) -> PyResult<()> {
    needlemap::metrics::analysis::Overrides {
        resolution_um: r,
        ..Default::default()
    }
    .check()
    .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("resolution_um: {e}")))
}

/// The analysis of one design.
///
/// `metrics` (dict), `layers` (dict), `channels` (dict of 1-D arrays), `coverage`/`treated`
/// (2-D map arrays with `extent_mm` and `pitch_mm`), `density` (2-D tile array with
/// `density_extent_mm` and `tile_mm`), `advisories`, `to_pandas()`, `to_json()`, `save(dir)`.
#[pyclass(name = "Result", module = "needlemap", frozen)]
#[derive(Clone)]
pub struct PyAnalysis {
    pub a: Arc<Analysis>,
}

impl PyAnalysis {
    fn cells<'py>(&self, py: Python<'py>, treated: bool) -> Option<Bound<'py, PyArray2<f64>>> {
        let m = self.a.maps.as_ref()?;
        let (_, ncx, ncy) = m.cells;
        let num = if treated {
            &m.cell_treated
        } else {
            &m.cell_covered
        };
        let v: Vec<f64> = num
            .iter()
            .zip(&m.cell_px)
            .map(|(&c, &p)| if p > 0 { c as f64 / p as f64 } else { f64::NAN })
            .collect();
        let arr = Array2::from_shape_vec((ncy, ncx), v).expect("cells are ncx × ncy");
        Some(arr.into_pyarray_bound(py))
    }
}

#[pymethods]
impl PyAnalysis {
    /// Design name.
    #[getter]
    fn name(&self) -> &str {
        &self.a.design.name
    }

    /// "roller" or "pen".
    #[getter]
    fn kind(&self) -> &'static str {
        self.a.design.device.kind()
    }

    /// Seed used.
    #[getter]
    fn seed(&self) -> u64 {
        self.a.design.treatment.seed
    }

    /// Raster pitch used, µm.
    #[getter]
    fn resolution_um(&self) -> f64 {
        self.a.design.analysis.resolution_um
    }

    /// Worker threads used.
    #[getter]
    fn threads(&self) -> usize {
        self.a.threads
    }

    /// Every metric: key → int, float, or None where undefined (no channel in the region).
    /// Keys and meanings are those of the CLI's JSON (`needlemap.METRIC_KEYS`).
    #[getter]
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        metrics::to_dict(py, &self.a.metrics)
    }

    /// Share of in-region channels ending in each skin layer: layer key → float.
    #[getter]
    fn layers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new_bound(py);
        for (k, v) in needlemap::metrics::layer_map(self.a.layers) {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// Every channel of the simulated field (region and margin), in treatment order, as 1-D
    /// arrays of equal length named like channels.csv's columns: x_mm, y_mm, axis_deg, slit_mm,
    /// radius_mm, depth_mm (insertion), channel_depth_mm (after withdrawal) (float64); layer (int8 index into needlemap.LAYERS); pass, stroke,
    /// needle (uint32); in_region (bool: the channels the metrics count). Built on each access.
    #[getter]
    fn channels<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let ch = &self.a.field.channels;
        let area = self.a.design.treatment.area_mm;
        let d = PyDict::new_bound(py);
        let f = |g: fn(&needlemap::model::channel::Channel) -> f64| -> Bound<'py, PyArray1<f64>> {
            ch.iter().map(g).collect::<Vec<_>>().into_pyarray_bound(py)
        };
        let u = |g: fn(&needlemap::model::channel::Channel) -> u32| -> Bound<'py, PyArray1<u32>> {
            ch.iter().map(g).collect::<Vec<_>>().into_pyarray_bound(py)
        };
        d.set_item("x_mm", f(|c| c.x_mm))?;
        d.set_item("y_mm", f(|c| c.y_mm))?;
        d.set_item("axis_deg", f(|c| c.axis_deg))?;
        d.set_item("slit_mm", f(|c| c.slit_mm))?;
        d.set_item("radius_mm", f(|c| c.radius_mm))?;
        d.set_item("depth_mm", f(|c| c.depth_mm))?;
        d.set_item("channel_depth_mm", f(|c| c.channel_depth_mm))?;
        let layer: Vec<i8> = ch.iter().map(|c| c.layer.index() as i8).collect();
        d.set_item("layer", layer.into_pyarray_bound(py))?;
        d.set_item("pass", u(|c| c.pass))?;
        d.set_item("stroke", u(|c| c.stroke))?;
        d.set_item("needle", u(|c| c.needle))?;
        let inside: Vec<bool> = ch.iter().map(|c| c.in_region(area)).collect();
        d.set_item("in_region", inside.into_pyarray_bound(py))?;
        Ok(d)
    }

    /// The channels as a pandas DataFrame (layer as a categorical of layer keys). Needs pandas.
    fn to_pandas(&self, py: Python<'_>) -> PyResult<PyObject> {
        let pd = py.import_bound("pandas").map_err(|_| {
            pyo3::exceptions::PyImportError::new_err(
                "to_pandas needs pandas: pip install pandas (or pip install './python[pandas]')",
            )
        })?;
        let cols = self.channels(py)?;
        let codes = cols.get_item("layer")?.expect("set above");
        let cat = pd.getattr("Categorical")?.call_method(
            "from_codes",
            (codes,),
            Some(&[("categories", layer_names())].into_py_dict_bound(py)),
        )?;
        cols.set_item("layer", cat)?;
        Ok(pd.call_method1("DataFrame", (cols,))?.unbind())
    }

    /// Covered share of each map cell (2-D float64, rows from y = 0, shape (rows, cols));
    /// plot with `imshow(r.coverage, origin="lower", extent=r.extent_mm)`. Edge cells reach
    /// past the region and hold the share of their in-region pixels. None without channels.
    #[getter]
    fn coverage<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray2<f64>>> {
        self.cells(py, false)
    }

    /// Share of each map cell within the influence radius of an opening; like `coverage`.
    #[getter]
    fn treated<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray2<f64>>> {
        self.cells(py, true)
    }

    /// Side of a map cell (`coverage`, `treated`), mm; None without channels.
    #[getter]
    fn pitch_mm(&self) -> Option<f64> {
        let m = self.a.maps.as_ref()?;
        Some(m.cells.0 as f64 * m.grid.pitch_mm)
    }

    /// (x0, x1, y0, y1) of the `coverage` and `treated` arrays, mm; None without channels.
    #[getter]
    fn extent_mm(&self) -> Option<(f64, f64, f64, f64)> {
        let m = self.a.maps.as_ref()?;
        let (side, ncx, ncy) = m.cells;
        let s = side as f64 * m.grid.pitch_mm;
        Some((0.0, ncx as f64 * s, 0.0, ncy as f64 * s))
    }

    /// Channels per cm² in each whole tile (2-D float64, rows from y = 0): the tiles of
    /// `density_cv` and tiles.csv. Strips not covered by a whole tile are in no tile.
    #[getter]
    fn density<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        let (_, ntx, nty) = self.a.tile_channels;
        let v = needlemap::output::plot::density::tile_densities(&self.a);
        Array2::from_shape_vec((nty, ntx), v)
            .expect("tiles are ntx × nty")
            .into_pyarray_bound(py)
    }

    /// Tile side, mm.
    #[getter]
    fn tile_mm(&self) -> f64 {
        self.a.design.analysis.tile_mm
    }

    /// (x0, x1, y0, y1) of the `density` array, mm.
    #[getter]
    fn density_extent_mm(&self) -> (f64, f64, f64, f64) {
        let (_, ntx, nty) = self.a.tile_channels;
        let t = self.a.design.analysis.tile_mm;
        (0.0, ntx as f64 * t, 0.0, nty as f64 * t)
    }

    /// Treated region (Lx, Ly), mm.
    #[getter]
    fn area_mm(&self) -> (f64, f64) {
        let [x, y] = self.a.design.treatment.area_mm;
        (x, y)
    }

    /// Advisories as (code, message) pairs.
    #[getter]
    fn advisories(&self) -> Vec<(&'static str, String)> {
        self.a
            .advisories
            .iter()
            .map(|a| (a.code, a.message.clone()))
            .collect()
    }

    /// The CLI's `analyze --format json` document for this design, as text.
    fn to_json(&self) -> String {
        String::from_utf8(json::document(&[&self.a], json::NoExtra {})).expect("JSON is UTF-8")
    }

    /// Writes out_dir/<name>/ as `needlemap analyze` does: summary.csv, channels.csv,
    /// tiles.csv, needles.csv and (with plots=True) the pictures, swapped in whole; a folder
    /// needlemap did not make at that path is refused (OSError), never replaced. Returns the
    /// folder.
    #[pyo3(signature = (out_dir, plots=true))]
    fn save(&self, py: Python<'_>, out_dir: PathBuf, plots: bool) -> PyResult<String> {
        let a = self.a.clone();
        let dir = out_dir.join(&a.design.name);
        crate::run(py, None, move || {
            needlemap::output::write_design_dir(&a, &out_dir, plots)
                .map_err(|e| Failure::Io(e.to_string()))
        })?;
        Ok(dir.display().to_string())
    }

    fn __repr__(&self) -> String {
        let m = &self.a.metrics;
        format!(
            "Result(name={:?}, channels={}, density_per_cm2={:.1}, coverage_fraction={})",
            self.a.design.name,
            m.channels,
            m.density_per_cm2,
            m.coverage_fraction
                .map_or("None".into(), |c| format!("{c:.4}"))
        )
    }
}

/// Analyzes one design: channels, every metric, layer shares, advisories and maps.
///
/// `design` is a Design or a path to a design file. `resolution_um` and `seed` override the
/// file's `analysis.resolution_um` and `treatment.seed` (as the CLI's --resolution-um and
/// --seed); `threads` runs the work in a local pool of that many workers (default: the global
/// pool, every core). Results are identical for any thread count. The GIL is released.
///
/// Raises DesignError for a design that cannot be used and LimitError for work refused up
/// front (too many channels or pixels).
#[pyfunction]
#[pyo3(signature = (design, resolution_um=None, threads=None, seed=None))]
pub fn analyze(
    py: Python<'_>,
    design: &Bound<'_, PyAny>,
    resolution_um: Option<f64>,
    threads: Option<usize>,
    seed: Option<u64>,
) -> PyResult<PyAnalysis> {
    check_resolution(resolution_um)?;
    let d = PyDesign::from_arg(py, design)?;
    let o = Overrides {
        seed,
        resolution_um,
    };
    let a = crate::run(py, threads, move || {
        Ok(analysis::analyze(&o.apply(&d.d), &Silent)?)
    })?;
    Ok(PyAnalysis { a: Arc::new(a) })
}

/// Results as a list (for `Comparison.results`).
pub fn list<'py>(py: Python<'py>, rs: &[PyAnalysis]) -> PyResult<Bound<'py, PyList>> {
    let items = rs
        .iter()
        .map(|r| Py::new(py, r.clone()))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new_bound(py, items))
}
