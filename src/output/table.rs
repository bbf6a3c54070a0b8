//! Plain-text tables for the terminal: one row per metric, one column per design.

use crate::base::fmt::{fmt_num, fmt_opt, render};
use crate::metrics::analysis::Analysis;
use crate::model::registry::show_metric;
use crate::model::registry::METRICS;
use crate::model::skin::Layer;

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
        if let Some(ab) = &a.design.as_built {
            out.push_str(&format!(
                "as built {}: the device inspected in {}, not the nominal design\n",
                a.design.name,
                ab.path.display()
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
