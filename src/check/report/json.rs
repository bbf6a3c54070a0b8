//! The JSON report of a check: pass or fail, the count of moved metrics, every design's
//! verdict and the unmatched baseline rows.

use super::Report;
use crate::report::json::{TOOL, VERSION};
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

impl Report {
    /// The JSON report, pretty-printed, newline-terminated.
    pub fn json(&self) -> Vec<u8> {
        let doc = ReportJson {
            tool: TOOL,
            version: VERSION,
            passed: self.passed(),
            moved: self.moved(),
            report: self,
        };
        let mut v = serde_json::to_vec_pretty(&doc).expect("serializing plain data cannot fail");
        v.push(b'\n');
        v
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::fixtures::{at, sample};
    use crate::check::{verdict, MetricTolerances, Report, UnmatchedRow};

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
        let v: serde_json::Value = serde_json::from_slice(&r.json()).unwrap();
        assert_eq!(v["passed"], true);
        assert_eq!(v["moved"], 0);
        assert_eq!(
            v["designs"][0]["metrics"][at("overlap_fraction")]["baseline"],
            serde_json::Value::Null
        );
        assert_eq!(v["unmatched_rows"][0]["name"], "gone");
        assert_eq!(v["unmatched_rows"][0]["line"], 5);
        let n = crate::metrics::registry::METRICS.len();
        assert!(r
            .table()
            .starts_with(&format!("check passed: {n} metrics of 1 design(s)")));
    }
}
