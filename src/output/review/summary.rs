//! The summary: one column per design, one row per registry metric with the registry's unit
//! and table decimals, then the `[spec]` verdicts and the advisories.

use super::{escape, Report};
use crate::metrics::analysis::Analysis;
use crate::model::registry::METRICS;
use std::fmt::Write as _;

/// One spec limit of a design and whether the analysis meets it.
#[derive(Clone, Debug, PartialEq)]
pub struct SpecVerdict {
    /// Metric key the limit is on.
    pub key: &'static str,
    /// The limit in words, e.g. "≥ 20 %".
    pub limit: String,
    /// Whether the design meets it.
    pub pass: bool,
}

/// The spec limits of an analyzed design, judged by [`crate::output::json::spec_results`]
/// (the same verdicts `analyze` prints and writes).
pub fn spec_verdicts(a: &Analysis) -> Vec<SpecVerdict> {
    a.design
        .spec
        .iter()
        .zip(crate::output::json::spec_results(a))
        .map(|(l, r)| SpecVerdict {
            key: r.key,
            limit: l.describe(),
            pass: r.pass,
        })
        .collect()
}

/// A row of the summary table: its key, label, unit and one cell (inner HTML) per design.
fn row(h: &mut String, key: &str, label: &str, unit: &str, cells: impl Iterator<Item = String>) {
    let _ = write!(
        h,
        "<tr data-key=\"{key}\"><td>{label}</td><td class=\"unit\">{}</td>",
        escape(unit)
    );
    for c in cells {
        h.push_str(&c);
    }
    h.push_str("</tr>\n");
}

/// Appends the summary section.
pub fn write(h: &mut String, r: &Report) {
    let analyses = || r.designs.iter().map(|d| d.analysis);
    h.push_str("<section class=\"summary\" id=\"summary\">\n<h2>Summary</h2>\n");
    h.push_str(
        "<div class=\"scroll\"><table class=\"summary\">\n<thead><tr><th>metric</th><th>unit</th>",
    );
    for a in analyses() {
        let name = escape(&a.design.name);
        // long names break after a hyphen or underscore, not across the window
        let shown = name.replace('-', "-<wbr>").replace('_', "_<wbr>");
        let _ = write!(
            h,
            "<th data-design=\"{name}\"><a href=\"#design-{name}\">{shown}</a></th>"
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let kinds = analyses().map(|a| format!("<td>{}</td>", a.design.device.kind()));
    row(h, "kind", "device", "", kinds);
    for m in METRICS {
        // a reviewer reads words; the key (CSV column, JSON key) is the tooltip
        let label = format!(
            "<span title=\"{}\">{}</span>",
            m.key,
            escape(&sentence_case(m.description))
        );
        let cells = analyses().map(|a| {
            format!(
                "<td class=\"num\" data-design=\"{}\">{}</td>",
                escape(&a.design.name),
                crate::model::registry::show_metric(m.key, (m.get)(&a.metrics))
            )
        });
        row(h, m.key, &label, m.unit, cells);
    }
    spec_rows(h, r);
    let counts = analyses().map(|a| match a.advisories.len() {
        0 => "<td class=\"num\">none</td>".to_string(),
        n => format!("<td class=\"num note\">{n}</td>"),
    });
    row(h, "advisories", "advisories", "", counts);
    h.push_str("</tbody></table></div>\n");
    if analyses().any(|a| !a.advisories.is_empty()) {
        h.push_str("<h3>Advisories</h3>\n");
        for a in analyses() {
            advisories(h, a, true);
        }
    } else {
        h.push_str("<p>No advisories.</p>\n");
    }
    h.push_str("<p class=\"note\">Fractions are shown as %; every value is the one <code>needlemap analyze</code> computes, with the decimals of its tables.</p>\n</section>\n");
}

/// Appends a design's advisories as a list, each with the design's name when `named`.
pub(super) fn advisories(h: &mut String, a: &Analysis, named: bool) {
    if a.advisories.is_empty() {
        return;
    }
    let name = escape(&a.design.name);
    h.push_str("<ul class=\"advisories\">\n");
    for adv in &a.advisories {
        let who = if named {
            format!("<b>{name}</b> ")
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<li data-design=\"{name}\" data-code=\"{0}\">{who}<b>{0}</b>: {1}</li>",
            adv.code,
            escape(&adv.message)
        );
    }
    h.push_str("</ul>\n");
}

/// The `[spec]` rows: one per metric any design limits (registry order), each design's limit
/// in the table's unit with its verdict; one row saying so when no design has a `[spec]`.
fn spec_rows(h: &mut String, r: &Report) {
    let analyses = || r.designs.iter().map(|d| d.analysis);
    let limited: Vec<_> = METRICS
        .iter()
        .filter(|m| analyses().any(|a| a.design.spec.iter().any(|l| l.key == m.key)))
        .collect();
    if limited.is_empty() {
        let none = analyses().map(|_| "<td class=\"info\">none</td>".to_string());
        row(h, "spec", "[spec] limits", "", none);
        return;
    }
    for (k, m) in limited.into_iter().enumerate() {
        let cells = analyses().map(|a| {
            let verdict = spec_verdicts(a).into_iter().find(|v| v.key == m.key);
            let limit = a.design.spec.iter().find(|l| l.key == m.key);
            match (verdict, limit) {
                (Some(v), Some(l)) => format!(
                    "<td class=\"spec {0}\">{1}: {2}</td>",
                    if v.pass { "pass" } else { "fail" },
                    escape(&shown_limit(m.key, l)),
                    if v.pass { "pass" } else { "FAIL" }
                ),
                _ => "<td class=\"info\">—</td>".to_string(),
            }
        });
        // the first limit row keeps the key `spec` the page's tests and readers look for
        let key = if k == 0 {
            "spec".to_string()
        } else {
            format!("spec-{}", m.key)
        };
        let label = format!(
            "<span title=\"{}\">[spec] {}</span>",
            m.key,
            escape(m.description)
        );
        row(h, &key, &label, m.unit, cells);
    }
}

/// A spec limit in the table's unit (fractions as %): "≥ 11", "0.5 … 1.5".
fn shown_limit(key: &str, l: &crate::design::SpecLimit) -> String {
    let show = |x: f64| crate::model::registry::show_metric(key, Some(x));
    match (l.min, l.max) {
        (Some(a), Some(b)) => format!("{} … {}", show(a), show(b)),
        (Some(a), None) => format!("≥ {}", show(a)),
        (None, Some(b)) => format!("≤ {}", show(b)),
        (None, None) => "any".into(),
    }
}

/// "share of the region…" → "Share of the region…".
fn sentence_case(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
