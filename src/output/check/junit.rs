//! The JUnit XML report of a check: a test suite per design, a test case per metric, a
//! failure for each metric outside tolerance, so CI systems list the moved metrics.

use super::{show, show_change, show_tolerance};
use crate::studies::check::Report;
use std::fmt::Write as _;

/// JUnit XML: a test suite per design, a test case per metric, a `<failure>` for each
/// metric outside tolerance.
pub fn junit(report: &Report) -> Vec<u8> {
    let total: usize = report.designs.iter().map(|d| d.metrics.len()).sum();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"needlemap check\" tests=\"{total}\" failures=\"{}\" errors=\"0\">",
        report.moved()
    );
    for d in &report.designs {
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            esc(&d.name),
            d.metrics.len(),
            d.moved().count()
        );
        let _ = writeln!(x, "    <properties>");
        let _ = writeln!(
            x,
            "      <property name=\"design_file\" value=\"{}\"/>",
            esc(&d.design_file)
        );
        let _ = writeln!(
            x,
            "      <property name=\"baseline\" value=\"{}:{}\"/>",
            esc(&report.baseline),
            d.baseline_line
        );
        for n in &d.notes {
            let _ = writeln!(
                x,
                "      <property name=\"note\" value=\"{}\"/>",
                esc(&n.to_string())
            );
        }
        let _ = writeln!(x, "    </properties>");
        // CI systems split a classname at its last dot into package and class, so the
        // dots of a name like "cit8-0.5" become underscores there (the suite keeps the name).
        let class = format!("needlemap_check.{}", esc(&d.name.replace('.', "_")));
        for m in &d.metrics {
            let name = format!("name=\"{}\" classname=\"{class}\"", m.metric);
            if m.within {
                let _ = writeln!(x, "    <testcase {name}/>");
                continue;
            }
            let mut msg = format!(
                "{} moved: baseline {}, now {}, change {}, tolerance {}",
                m.metric,
                show(m.metric, m.baseline),
                show(m.metric, m.now),
                show_change(m),
                show_tolerance(m)
            );
            for n in &d.notes {
                msg.push_str("; ");
                msg.push_str(&n.to_string());
            }
            let _ = writeln!(x, "    <testcase {name}>");
            let _ = writeln!(
                x,
                "      <failure type=\"metric moved\" message=\"{}\">{}</failure>",
                esc(&msg),
                esc(&msg)
            );
            let _ = writeln!(x, "    </testcase>");
        }
        let _ = writeln!(x, "  </testsuite>");
    }
    x.push_str("</testsuites>\n");
    x.into_bytes()
}

/// Escapes text for XML attributes and content.
fn esc(s: &str) -> String {
    crate::base::fmt::escape_markup(s)
}

#[cfg(test)]
mod tests {
    use super::esc;
    use crate::model::registry::METRICS;
    use crate::studies::check::fixtures::{at, uniform};
    use crate::studies::check::{verdict, MetricTolerances, Report};

    #[test]
    fn junit_is_escaped_and_counts_failures() {
        let a = uniform("a<&>\"'", Some(1.0));
        let mut b = a.clone();
        b.values[at("channels")] = Some(2.0);
        b.values[at("density_per_cm2")] = None;
        let r = Report {
            baseline: "b.csv".into(),
            designs: vec![verdict(&a, &b, "x&y.toml", &MetricTolerances::default())],
            unmatched_rows: vec![],
        };
        let x = String::from_utf8(super::super::junit(&r)).unwrap();
        assert!(
            x.contains(&format!(
                "<testsuites name=\"needlemap check\" tests=\"{}\" failures=\"2\"",
                METRICS.len()
            )),
            "{x}"
        );
        assert!(x.contains("name=\"a&lt;&amp;&gt;&quot;&apos;\""), "{x}");
        assert!(x.contains("value=\"x&amp;y.toml\""), "{x}");
        assert_eq!(x.matches("<failure ").count(), 2);
        assert!(
            x.contains(
                "density_per_cm2 moved: baseline 1.0000, now undefined, change became undefined"
            ),
            "{x}"
        );
        assert!(!x.contains('\u{1}'));
        let b = uniform("cit8-0.5", Some(1.0));
        let r = Report {
            baseline: "b.csv".into(),
            designs: vec![verdict(&b, &b, "c.toml", &MetricTolerances::default())],
            unmatched_rows: vec![],
        };
        let x = String::from_utf8(super::super::junit(&r)).unwrap();
        assert!(
            x.contains("<testsuite name=\"cit8-0.5\"")
                && x.contains("classname=\"needlemap_check.cit8-0_5\""),
            "{x}"
        );
        assert_eq!(esc("a\u{1}b\n"), "a?b\n");
    }
}
