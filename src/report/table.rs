//! Plain-text tables for the terminal: one row per metric, one column per design.

use super::{fmt_num, fmt_opt};
use crate::analysis::Analysis;
use crate::metrics::registry::{self, METRICS};
use crate::skin::Layer;

/// Unit and decimals shown for a metric in tables (from [`registry::METRICS`]; a key that is
/// no metric, such as a derived quantity, shows as a plain number with 3 decimals).
pub fn metric_unit(key: &str) -> (&'static str, usize) {
    registry::metric(key).map_or(("", 3), |m| (m.unit, m.table_decimals))
}

/// A metric value as a table shows it (fractions as percent).
pub fn show_metric(key: &str, v: Option<f64>) -> String {
    let (unit, dec) = metric_unit(key);
    match v {
        None => "—".to_string(),
        Some(x) if unit == "%" => fmt_num(x * 100.0, dec),
        Some(x) => fmt_num(x, dec),
    }
}

/// Lays out rows of cells with aligned columns (first column left, the rest right).
pub fn render(rows: &[Vec<String>]) -> String {
    render_with(rows, |i, _| i == 0)
}

/// Lays out rows of cells with aligned columns; `left(i, ncol)` says which columns are
/// left-aligned (text), the others are right-aligned (numbers). The first row is a header,
/// underlined.
pub fn render_with(rows: &[Vec<String>], left: impl Fn(usize, usize) -> bool) -> String {
    let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut width = vec![0usize; ncol];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for (ri, r) in rows.iter().enumerate() {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            let pad = " ".repeat(width[i] - c.chars().count());
            if i > 0 {
                line.push_str("  ");
            }
            if left(i, ncol) {
                line.push_str(c);
                line.push_str(&pad);
            } else {
                line.push_str(&pad);
                line.push_str(c);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if ri == 0 {
            let total: usize = width.iter().sum::<usize>() + 2 * ncol.saturating_sub(1);
            out.push_str(&"─".repeat(total));
            out.push('\n');
        }
    }
    out
}

/// The metrics table of one or more analyses, with layer shares and advisories below.
pub fn metrics_table(analyses: &[&Analysis]) -> String {
    let mut rows = vec![{
        let mut h = vec!["metric".to_string(), "unit".to_string()];
        h.extend(analyses.iter().map(|a| a.design.name.clone()));
        h
    }];
    let mut kind = vec!["kind".to_string(), String::new()];
    kind.extend(analyses.iter().map(|a| a.design.device.kind().to_string()));
    rows.push(kind);
    for m in METRICS {
        let mut r = vec![m.key.to_string(), m.unit.to_string()];
        r.extend(
            analyses
                .iter()
                .map(|a| show_metric(m.key, (m.get)(&a.metrics))),
        );
        rows.push(r);
    }
    for (i, l) in Layer::ALL.iter().enumerate() {
        let mut r = vec![format!("in {}", l.key()), "%".to_string()];
        r.extend(analyses.iter().map(|a| fmt_num(a.layers[i] * 100.0, 1)));
        rows.push(r);
    }
    let mut res = vec!["resolution".to_string(), "µm".to_string()];
    res.extend(
        analyses
            .iter()
            .map(|a| fmt_opt(Some(a.design.analysis.resolution_um), 1)),
    );
    rows.push(res);
    let mut out = render(&rows);
    for a in analyses {
        for r in super::json::spec_results(a) {
            let l = a
                .design
                .spec
                .iter()
                .find(|l| l.key == r.key)
                .expect("same list");
            out.push_str(&format!(
                "spec {}: {} {}: {}\n",
                a.design.name,
                r.key,
                l.describe(),
                if r.pass { "pass" } else { "FAIL" }
            ));
        }
    }
    for a in analyses {
        for adv in &a.advisories {
            out.push_str(&format!("! {}: {}\n", a.design.name, adv.message));
        }
    }
    out
}
