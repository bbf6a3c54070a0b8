//! The terminal report of a check: one line when it passes, else a table of the moved metrics.

use super::{show, show_change, show_tolerance};
use crate::studies::check::Note;
use crate::studies::check::Report;
use std::fmt::Write as _;

/// The terminal report: on success one line; otherwise a table of the moved metrics —
/// design, metric, baseline, now, change, tolerance, note — and a summary line.
pub fn table(report: &Report) -> String {
    let metrics: usize = report.designs.iter().map(|d| d.metrics.len()).sum();
    let moved = report.moved();
    if moved == 0 {
        return format!(
            "check passed: {metrics} metrics of {} design(s) within tolerance of {}\n",
            report.designs.len(),
            report.baseline
        );
    }
    let mut rows = vec![[
        "design",
        "metric",
        "baseline",
        "now",
        "change",
        "tolerance",
        "note",
    ]
    .map(String::from)
    .to_vec()];
    for d in &report.designs {
        let note = d
            .notes
            .iter()
            .map(Note::short)
            .collect::<Vec<_>>()
            .join("; ");
        for m in d.moved() {
            rows.push(vec![
                d.name.clone(),
                m.metric.to_string(),
                show(m.metric, m.baseline),
                show(m.metric, m.now),
                show_change(m),
                show_tolerance(m),
                note.clone(),
            ]);
        }
    }
    // names left, numbers right, the note left
    let mut out = crate::base::fmt::render_with(&rows, |i, ncol| i < 2 || i == ncol - 1);
    let designs = report
        .designs
        .iter()
        .filter(|d| d.moved().next().is_some())
        .count();
    let _ = writeln!(out, "check failed: {moved} of {metrics} metrics moved outside tolerance in {designs} of {} design(s) (baseline {})", report.designs.len(), report.baseline);
    out
}

#[cfg(test)]
mod tests {
    use crate::studies::check::fixtures::{at, sample};
    use crate::studies::check::{verdict, MetricTolerances, Report};

    #[test]
    fn provenance_differences_become_notes() {
        let a = sample();
        let mut b = sample();
        b.design_sha256 = "b".repeat(64);
        b.seed = 7;
        b.resolution_um = 20.0;
        b.tool_version = "9.9.9".into();
        b.values[at("mean_depth_mm")] = Some(1.46);
        let c = verdict(&a, &b, "d.toml", &MetricTolerances::default());
        assert!(c.design_changed);
        assert_eq!(c.notes.len(), 4);
        assert_eq!(
            c.moved().map(|m| m.metric).collect::<Vec<_>>(),
            vec!["mean_depth_mm"]
        );
        let r = Report {
            baseline: "b.csv".into(),
            designs: vec![c],
            unmatched_rows: vec![],
        };
        let t = super::super::table(&r);
        assert!(t.contains("mean_depth_mm"), "{t}");
        assert!(t.contains("design file changed; seed 7 (baseline 1); at 20 µm (baseline 10 µm); needlemap 9.9.9 (baseline 0.1.0)"), "{t}");
        let long: Vec<String> = r.designs[0].notes.iter().map(ToString::to_string).collect();
        assert_eq!(
            long[0],
            "design file changed since the baseline (sha256 aaaaaaaa… → bbbbbbbb…)"
        );
        assert_eq!(
            long[2],
            "analyzed at 20 µm, the baseline at 10 µm: the area metrics depend on the pitch"
        );
        assert!(t.contains("+0.10000 (+7.35%)"), "{t}");
        let n = crate::model::registry::METRICS.len();
        assert!(
            t.contains(&format!("check failed: 1 of {n} metrics moved")),
            "{t}"
        );
    }
}
