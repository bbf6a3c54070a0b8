//! A Monte Carlo study (`needlemap mc`) as files and text: runs.csv (one row per run),
//! summary.csv and summary.json (each metric's mean, spread and percentiles, the yield against
//! `[spec]`), and the terminal table.

use crate::base::fmt::{fmt_num, fmt_opt, CsvBytes};
use crate::model::registry::{metric, METRICS};
use crate::studies::mc::Study;

/// One row per run: run, seed, pass, every registry metric, the drawn device.
pub fn runs_csv(s: &Study) -> Vec<u8> {
    let mut w = CsvBytes::new();
    let mut head: Vec<String> = vec!["run".into(), "seed".into()];
    head.extend(METRICS.iter().map(|m| m.key.to_string()));
    head.extend(
        [
            "needles_present",
            "needles_missing",
            "mean_length_mm",
            "sd_length_mm",
        ]
        .map(String::from),
    );
    if !s.design.spec.is_empty() {
        head.push("meets_spec".into());
    }
    w.row(&head);
    for r in &s.runs {
        let mut row = vec![r.run.to_string(), r.seed.to_string()];
        row.extend(r.metrics.values().map(|(m, v)| fmt_opt(v, m.decimals)));
        row.push(r.device.present.to_string());
        row.push(r.device.missing.to_string());
        row.push(fmt_opt(r.device.mean_length_mm, 6));
        row.push(fmt_opt(r.device.sd_length_mm, 6));
        if !s.design.spec.is_empty() {
            row.push(u8::from(r.passes).to_string());
        }
        w.row(&row);
    }
    w.into_bytes()
}

/// One row per metric: n, mean, sd, min, p05, p50, p95, max, the mean's 95 % CI.
pub fn summary_csv(s: &Study) -> Vec<u8> {
    let mut w = CsvBytes::new();
    w.row([
        "metric", "n", "mean", "sd", "min", "p05", "p50", "p95", "max", "ci95_lo", "ci95_hi",
    ]);
    for (key, sum) in &s.summaries {
        let dec = metric(key).map_or(6, |m| m.decimals.max(4));
        let mut row = vec![key.to_string()];
        match sum {
            Some(x) => {
                row.push(x.n.to_string());
                for v in [
                    x.mean, x.sd, x.min, x.p05, x.p50, x.p95, x.max, x.ci95_lo, x.ci95_hi,
                ] {
                    row.push(fmt_num(v, dec));
                }
            }
            None => {
                row.push("0".into());
                row.extend(std::iter::repeat_n(String::new(), 9));
            }
        }
        w.row(&row);
    }
    w.into_bytes()
}

/// The complete record: provenance, per-metric summaries, the yield.
pub fn summary_json(s: &Study) -> Vec<u8> {
    let d = &s.design;
    let metrics: serde_json::Map<String, serde_json::Value> = s
        .summaries
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                serde_json::to_value(v).expect("plain numbers"),
            )
        })
        .collect();
    let doc = serde_json::json!({
        "name": d.name,
        "runs": s.runs.len(),
        "ci_method": "normal approximation: mean ± 1.96·sd/√n",
        "yield_interval": "Wilson score, 95 %",
        "metrics": metrics,
        "spec": d.spec,
        "yield": s.yield_,
        "provenance": {
            "design_file": d.source.path,
            "design_sha256": d.source.sha256,
            "first_seed": d.treatment.seed,
            "last_seed": d.treatment.seed.wrapping_add((s.runs.len() as u64).saturating_sub(1)),
            "resolution_um": d.analysis.resolution_um,
            "tolerance": d.tolerance,
            "as_built": d.as_built.as_ref().map(|a| a.path.display().to_string()),
        }
    });
    crate::output::json::record(doc)
}

/// The terminal table: each metric's mean ± sd and range, then the yield.
pub fn summary_table(s: &Study) -> String {
    let mut out = format!(
        "{} — {} runs (seeds {}–{})\n{:<24} {:>14} {:>12} {:>14} {:>14}\n",
        s.design.name,
        s.runs.len(),
        s.design.treatment.seed,
        s.design
            .treatment
            .seed
            .wrapping_add((s.runs.len() as u64).saturating_sub(1)),
        "metric",
        "mean",
        "sd",
        "p05",
        "p95"
    );
    for (key, sum) in &s.summaries {
        let m = metric(key).expect("registry key");
        let (scale, unit) = match m.unit {
            "%" => (100.0, "%".to_string()),
            "" => (1.0, String::new()),
            u => (1.0, format!(" {u}")),
        };
        let dec = m.table_decimals + 1;
        let f = |v: f64| format!("{}{unit}", fmt_num(v * scale, dec));
        match sum {
            Some(x) => out.push_str(&format!(
                "{key:<24} {:>14} {:>12} {:>14} {:>14}\n",
                f(x.mean),
                f(x.sd),
                f(x.p05),
                f(x.p95)
            )),
            None => out.push_str(&format!("{key:<24} {:>14}\n", "—")),
        }
    }
    if let Some(y) = &s.yield_ {
        out.push_str(&format!(
            "yield {}/{} = {:.1} % (Wilson 95 %: {:.1} – {:.1} %)\n",
            y.passing,
            y.runs,
            y.fraction * 100.0,
            y.wilson95_lo * 100.0,
            y.wilson95_hi * 100.0
        ));
        for l in &y.limits {
            out.push_str(&format!(
                "  {} {}: {:.1} % of runs fail\n",
                l.limit.key,
                l.limit.describe(),
                l.fail_fraction * 100.0
            ));
        }
    }
    out.push('\n');
    out
}
