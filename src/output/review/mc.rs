//! A design's Monte Carlo summary (`needlemap report --runs N`): per registry metric its
//! mean, sd, 5th and 95th percentile over the runs, the yield against `[spec]` with its
//! Wilson interval, and the study's picture.

use super::{escape, figure, McPart};
use crate::base::fmt::fmt_num;
use crate::model::registry::metric;
use std::fmt::Write as _;

/// Appends the Monte Carlo summary of a design.
pub(super) fn write(h: &mut String, m: &McPart) {
    let s = m.study;
    let seed = s.design.treatment.seed;
    let n = s.runs.len();
    let _ = writeln!(
        h,
        "<div class=\"mc\"><h3>Monte Carlo: {n} runs</h3>\n<p>Run k uses seed {seed} + k for the hand and for the device drawn from <code>[tolerance]</code> (seeds {seed}..{}).</p>",
        seed.wrapping_add(n.saturating_sub(1) as u64)
    );
    h.push_str("<table class=\"mc\">\n<thead><tr><th>metric</th><th>unit</th><th>mean</th><th>sd</th><th>p05</th><th>p95</th></tr></thead>\n<tbody>\n");
    for (key, sum) in &s.summaries {
        let Some(reg) = metric(key) else { continue };
        let scale = if reg.unit == "%" { 100.0 } else { 1.0 };
        let dec = reg.table_decimals + 1;
        let cells = match sum {
            Some(x) => [x.mean, x.sd, x.p05, x.p95]
                .map(|v| format!("<td class=\"num\">{}</td>", fmt_num(v * scale, dec)))
                .concat(),
            None => "<td class=\"num\" colspan=\"4\">—</td>".into(),
        };
        let _ = writeln!(
            h,
            "<tr data-key=\"{key}\"><td>{key}</td><td class=\"unit\">{}</td>{cells}</tr>",
            escape(reg.unit)
        );
    }
    h.push_str("</tbody></table>\n");
    match &s.yield_ {
        Some(y) => {
            let _ = writeln!(
                h,
                "<p data-key=\"yield\">Yield against <code>[spec]</code>: {}/{} = {:.1} % (Wilson 95 %: {:.1}–{:.1} %).</p>",
                y.passing,
                y.runs,
                y.fraction * 100.0,
                y.wilson95_lo * 100.0,
                y.wilson95_hi * 100.0
            );
            h.push_str("<ul>\n");
            for l in &y.limits {
                let _ = writeln!(
                    h,
                    "<li>{} {}: {:.1} % of runs fail</li>",
                    l.limit.key,
                    escape(&l.limit.describe()),
                    l.fail_fraction * 100.0
                );
            }
            h.push_str("</ul>\n");
        }
        None => h.push_str("<p class=\"info\">No [spec] table: no yield.</p>\n"),
    }
    let name = s.design.name.as_str();
    figure(h, m.picture, name, "every metric's spread over the runs");
    h.push_str("</div>\n");
}
