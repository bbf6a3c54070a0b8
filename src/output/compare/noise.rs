//! The differences of a comparison over seeds (`compare --runs N`) as the table prints them
//! and as `<stem>-differences.csv`.

use crate::base::fmt::{fmt_num, fmt_opt, CsvBytes};
use crate::model::registry;
use crate::studies::compare::noise::Noise;

fn decimals(key: &str) -> usize {
    registry::metric(key).map_or(4, |m| m.decimals.max(2))
}

/// The differences as the table prints them.
pub fn text(n: &Noise) -> String {
    let mut out = format!(
        "\nDifferences over {} seeds each (mean of other − mean of {}, 95 % CI):\n",
        n.runs, n.versus
    );
    for p in &n.designs {
        out.push_str(&format!("{} vs {}\n", p.design, p.versus));
        for d in &p.differences {
            let key = d.metric;
            let (Some(m), Some(lo), Some(hi)) = (d.mean, d.ci95_low, d.ci95_high) else {
                out.push_str(&format!("  {key:<24} undefined in a run\n"));
                continue;
            };
            let dec = decimals(key);
            let verdict = if d.equal_in_every_run {
                " equal in every run"
            } else if d.within_noise == Some(true) {
                " within noise"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {key:<24} {:>14} [{}, {}]{verdict}\n",
                fmt_num(m, dec),
                fmt_num(lo, dec),
                fmt_num(hi, dec)
            ));
        }
    }
    out
}

/// Header of `<stem>-differences.csv`.
pub const CSV_HEADER: [&str; 9] = [
    "design",
    "versus",
    "metric",
    "unit",
    "runs",
    "mean_difference",
    "ci95_low",
    "ci95_high",
    "within_noise",
];

/// The differences as CSV: one row per design and metric; an undefined difference has empty
/// number cells; `within_noise` is `true` or `false`.
pub fn csv(n: &Noise) -> Vec<u8> {
    let mut w = CsvBytes::new();
    w.row(CSV_HEADER);
    for p in &n.designs {
        for d in &p.differences {
            let dec = decimals(d.metric) + 4;
            w.row([
                p.design.clone(),
                p.versus.clone(),
                d.metric.to_string(),
                d.unit.to_string(),
                n.runs.to_string(),
                fmt_opt(d.mean, dec),
                fmt_opt(d.ci95_low, dec),
                fmt_opt(d.ci95_high, dec),
                d.within_noise.map_or(String::new(), |b| b.to_string()),
            ]);
        }
    }
    w.into_bytes()
}
