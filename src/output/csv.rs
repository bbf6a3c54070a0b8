//! CSV files: flat rows, one unit per column, the unit in the column name.

use crate::base::fmt::{fmt_num, fmt_opt, CsvBytes};
use crate::metrics::analysis::Analysis;
use crate::model::registry;
use crate::model::skin::Layer;
use rayon::prelude::*;

/// Header of summary.csv: `name`, every metric, the layer shares, `advisories`, then
/// `as_built` (the inspection file an as-built analysis used; empty for the nominal design).
pub fn summary_header() -> Vec<String> {
    let mut h = vec!["name".to_string()];
    h.extend(registry::keys().map(String::from));
    h.extend(Layer::ALL.iter().map(|l| l.fraction_column().to_string()));
    h.push("advisories".to_string());
    h.push("as_built".to_string());
    h
}

/// One summary row.
pub fn summary_row(a: &Analysis) -> Vec<String> {
    let mut r = vec![a.design.name.clone()];
    r.extend(a.metrics.values().map(|(m, v)| fmt_opt(v, m.decimals)));
    r.extend(
        a.layers
            .iter()
            .map(|f| fmt_num(*f, Layer::FRACTION_DECIMALS)),
    );
    r.push(crate::model::advisory::codes(&a.advisories));
    r.push(
        a.design
            .as_built
            .as_ref()
            .map_or_else(String::new, |ab| ab.path.display().to_string()),
    );
    r
}

/// summary.csv for one or more analyses.
pub fn summary(analyses: &[&Analysis]) -> Vec<u8> {
    let mut w = CsvBytes::new();
    w.row(summary_header());
    for a in analyses {
        w.row(summary_row(a));
    }
    w.into_bytes()
}

/// channels.csv: every channel of the simulated field in treatment order; `in_region` is 1
/// for the channels the metrics count (their centre lies in the region).
pub fn channels(a: &Analysis) -> Vec<u8> {
    let mut w = CsvBytes::new();
    w.row([
        "x_mm",
        "y_mm",
        "axis_deg",
        "slit_mm",
        "radius_mm",
        "depth_mm",
        "channel_depth_mm",
        "layer",
        "pass",
        "stroke",
        "needle",
        "in_region",
    ]);
    let mut out = w.into_bytes();
    // Rows are formatted in parallel in fixed chunks and joined in order: the same bytes as
    // one serial writer, whatever the thread count.
    let area = a.design.treatment.area_mm;
    let chunks: Vec<Vec<u8>> = a
        .field
        .channels
        .par_chunks(4096)
        .map(|chunk| {
            let mut w = CsvBytes::new();
            for c in chunk {
                w.row([
                    fmt_num(c.x_mm, 4),
                    fmt_num(c.y_mm, 4),
                    fmt_num(c.axis_deg, 3),
                    fmt_num(c.slit_mm, 4),
                    fmt_num(c.radius_mm, 4),
                    fmt_num(c.depth_mm, 4),
                    fmt_num(c.channel_depth_mm, 4),
                    c.layer.key().to_string(),
                    c.pass.to_string(),
                    c.stroke.to_string(),
                    c.needle.to_string(),
                    u8::from(c.in_region(area)).to_string(),
                ]);
            }
            w.into_bytes()
        })
        .collect();
    for c in chunks {
        out.extend_from_slice(&c);
    }
    out
}

/// tiles.csv: per whole tile, its centre, channel count, density and covered share.
pub fn tiles(a: &Analysis) -> Vec<u8> {
    let mut w = CsvBytes::new();
    w.row([
        "x_mm",
        "y_mm",
        "channels",
        "density_per_cm2",
        "coverage_fraction",
    ]);
    let tiles = a.tiles;
    let counts = &a.tile_channels.0;
    let area_cm2 = tiles.tile_area_cm2();
    for (k, &n) in counts.iter().enumerate() {
        let cov = a.maps.as_ref().map(|m| {
            if m.tile_px[k] > 0 {
                m.tile_covered[k] as f64 / m.tile_px[k] as f64
            } else {
                0.0
            }
        });
        let (x, y) = tiles.centre_mm(k);
        w.row([
            fmt_num(x, 4),
            fmt_num(y, 4),
            n.to_string(),
            fmt_num(n as f64 / area_cm2, 4),
            fmt_num(cov.unwrap_or(0.0), 6),
        ]);
    }
    w.into_bytes()
}

/// needles.csv: the device's needles as designed (the same bytes `layout` writes).
pub fn needles(a: &Analysis) -> Vec<u8> {
    super::needles::csv(&a.design)
}
