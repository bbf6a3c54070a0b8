//! The JSON record: every metric, the layer shares, the advisories and the provenance that
//! makes a result reproducible (tool version, design file and hash, seed, resolution, threads).

use crate::metrics::analysis::Analysis;
use crate::metrics::Metrics;
use crate::model::advisory::Advisory;
use serde::Serialize;
use std::collections::BTreeMap;

pub use crate::base::{TOOL, VERSION};

/// Top level of `--format json`.
#[derive(Serialize)]
pub struct Document<'a, P: Serialize> {
    /// Always "needlemap".
    pub tool: &'static str,
    /// Crate version.
    pub version: &'static str,
    /// One per design.
    pub results: Vec<ResultJson<'a>>,
    /// Extra sections (compare's `pairs`).
    #[serde(flatten)]
    pub extra: P,
}

/// One design's record.
#[derive(Serialize)]
pub struct ResultJson<'a> {
    /// Design name.
    pub name: &'a str,
    /// "roller" or "pen".
    pub kind: &'static str,
    /// Design description.
    pub description: &'a str,
    /// Every metric.
    pub metrics: &'a Metrics,
    /// Share of channels ending in each layer.
    pub layers: BTreeMap<&'static str, f64>,
    /// Advisories.
    pub advisories: &'a [Advisory],
    /// Each `[spec]` limit with this run's value and verdict (absent without a `[spec]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spec: Vec<SpecResult>,
    /// How the numbers were obtained.
    pub provenance: Provenance,
}

/// One spec limit checked against one analysis.
#[derive(Serialize)]
pub struct SpecResult {
    /// Metric key.
    pub key: &'static str,
    /// Lower limit.
    pub min: Option<f64>,
    /// Upper limit.
    pub max: Option<f64>,
    /// The metric's value (null when undefined, which fails).
    pub value: Option<f64>,
    /// Whether the value meets the limit.
    pub pass: bool,
}

/// Every spec limit of the analysed design, checked.
pub fn spec_results(a: &Analysis) -> Vec<SpecResult> {
    a.design
        .spec
        .iter()
        .map(|l| {
            let value = a.metrics.get(l.key);
            SpecResult {
                key: l.key,
                min: l.min,
                max: l.max,
                value,
                pass: l.passes(value),
            }
        })
        .collect()
}

/// How the numbers were obtained.
#[derive(Serialize)]
pub struct Provenance {
    /// Design file as given.
    pub design_file: String,
    /// SHA-256 of its bytes.
    pub design_sha256: String,
    /// RNG seed used.
    pub seed: u64,
    /// Raster pitch used, µm.
    pub resolution_um: f64,
    /// Tile side, mm.
    pub tile_mm: f64,
    /// Influence radius, mm.
    pub influence_radius_mm: f64,
    /// Worker threads.
    pub threads: usize,
    /// Raster columns × rows.
    pub raster_px: [usize; 2],
    /// Margin of the simulated field around the region, mm.
    pub field_margin_mm: f64,
    /// Channels simulated in the field, region and margin.
    pub field_channels: usize,
    /// Jitter on or off.
    pub jitter: bool,
    /// The inspection file an as-built analysis used (`--as-built`); null for the nominal
    /// design.
    pub as_built: Option<String>,
}

/// The record of one analysis.
pub fn result(a: &Analysis) -> ResultJson<'_> {
    let d = &a.design;
    ResultJson {
        name: &d.name,
        kind: d.device.kind(),
        description: &d.description,
        metrics: &a.metrics,
        layers: crate::metrics::layer_map(a.layers).into_iter().collect(),
        advisories: &a.advisories,
        spec: spec_results(a),
        provenance: Provenance {
            design_file: d.source.path.display().to_string(),
            design_sha256: d.source.sha256.clone(),
            seed: d.treatment.seed,
            resolution_um: d.analysis.resolution_um,
            tile_mm: d.analysis.tile_mm,
            influence_radius_mm: d.analysis.influence_radius_mm,
            threads: a.threads,
            raster_px: [a.grid.nx, a.grid.ny],
            field_margin_mm: a.field.margin_mm,
            field_channels: a.field.channels.len(),
            jitter: d.treatment.jitter,
            as_built: d.as_built.as_ref().map(|ab| ab.path.display().to_string()),
        },
    }
}

/// No extra sections.
#[derive(Serialize)]
pub struct NoExtra {}

/// The JSON document for analyses, pretty-printed, newline-terminated.
pub fn document<P: Serialize>(analyses: &[&Analysis], extra: P) -> Vec<u8> {
    let doc = Document {
        tool: TOOL,
        version: VERSION,
        results: analyses.iter().map(|a| result(a)).collect(),
        extra,
    };
    crate::base::fmt::json_bytes(&doc)
}

/// A study's JSON record: `tool` and `version` first, then the fields of `body` (an object).
pub fn record(body: serde_json::Value) -> Vec<u8> {
    let mut m = serde_json::Map::new();
    m.insert("tool".into(), TOOL.into());
    m.insert("version".into(), VERSION.into());
    if let serde_json::Value::Object(fields) = body {
        m.extend(fields);
    }
    crate::base::fmt::json_bytes(&m)
}
