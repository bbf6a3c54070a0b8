//! The JSON report of a check: pass or fail, the count of moved metrics, every design's
//! verdict and the unmatched baseline rows.

use crate::output::json::{TOOL, VERSION};
use crate::studies::check::Report;
use serde::Serialize;

#[derive(Serialize)]
struct ReportJson<'a> {
    tool: &'static str,
    version: &'static str,
    passed: bool,
    moved: usize,
    #[serde(flatten)]
    report: &'a Report,
}

/// The JSON report, pretty-printed, newline-terminated.
pub fn json(report: &Report) -> Vec<u8> {
    let doc = ReportJson {
        tool: TOOL,
        version: VERSION,
        passed: report.passed(),
        moved: report.moved(),
        report,
    };
    crate::base::fmt::json_bytes(&doc)
}

#[cfg(test)]
mod tests {
    use crate::studies::check::fixtures::{at, sample};
    use crate::studies::check::{verdict, MetricTolerances, Report, UnmatchedRow};

    #[test]
    fn json_report_says_pass_or_fail() {
        let a = sample();
        let r = Report {
            baseline: "b.csv".into(),
            designs: vec![verdict(&a, &a, "d.toml", &MetricTolerances::default())],
            unmatched_rows: vec![UnmatchedRow {
                line: 5,
                name: "gone".into(),
            }],
        };
        let v: serde_json::Value = serde_json::from_slice(&super::super::json(&r)).unwrap();
        assert_eq!(v["passed"], true);
        assert_eq!(v["moved"], 0);
        assert_eq!(
            v["designs"][0]["metrics"][at("overlap_fraction")]["baseline"],
            serde_json::Value::Null
        );
        assert_eq!(v["unmatched_rows"][0]["name"], "gone");
        assert_eq!(v["unmatched_rows"][0]["line"], 5);
        let n = crate::model::registry::METRICS.len();
        assert!(super::super::table(&r)
            .starts_with(&format!("check passed: {n} metrics of 1 design(s)")));
    }
}
