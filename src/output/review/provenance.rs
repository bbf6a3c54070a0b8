//! The validation table of the depth model (what `needlemap validate` prints, with each
//! study's DOI) and the provenance of the run: version, date, the exact command line, and
//! per design its file, SHA-256, seed, resolution and threads.

use super::{escape, Report, ValidationPart};
use crate::design::experiment::Role;
use std::fmt::Write as _;

/// Appends the validation section.
pub fn validation(h: &mut String, v: &ValidationPart) {
    h.push_str("<section class=\"validation\" id=\"validation\">\n<h2>Validation of the depth and strength models</h2>\n");
    match v {
        ValidationPart::Missing(why) => {
            let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(why));
        }
        ValidationPart::Rows { dir, rows } => {
            let _ = writeln!(
                h,
                "<p>Published experiments in <code>{}</code> against the model (<code>needlemap validate</code>): measured mean ± SD, the band a prediction must fall in, and the prediction. Calibration rows fitted the model; validation rows check it.</p>",
                escape(dir)
            );
            h.push_str("<div class=\"scroll\"><table class=\"validation\">\n<thead><tr><th>study</th><th>design</th><th>skin</th><th>quantity</th><th>unit</th><th>measured</th><th>predicted</th><th>error</th><th>band</th><th>role</th><th>verdict</th></tr></thead>\n<tbody>\n");
            for r in rows.iter() {
                let m = &r.measured;
                let q = m.quantity;
                let (lo, hi) = m.bounds();
                let measured = crate::output::validation::measured(r);
                let verdict = r.verdict();
                let class = match verdict {
                    "pass" => "pass",
                    "FAIL" => "fail",
                    _ => "info",
                };
                let study = if r.doi.is_empty() {
                    escape(&r.study)
                } else {
                    format!(
                        "{}<br><small>doi:{}</small>",
                        escape(&r.study),
                        escape(&r.doi)
                    )
                };
                let _ = writeln!(
                    h,
                    "<tr><td>{study}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"unit\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}–{}</td><td>{}</td><td class=\"{class}\">{verdict}</td></tr>",
                    escape(&r.design),
                    escape(&r.skin),
                    escape(q.label()),
                    escape(q.unit()),
                    escape(&measured),
                    r.predicted.map_or("—".into(), |p| q.show(p)),
                    r.relative_error.map_or("—".into(), |e| format!("{:+.1} %", e * 100.0)),
                    q.show(lo),
                    q.show(hi),
                    match m.role {
                        Role::Calibration => "calibration",
                        Role::Validation => "validation",
                    },
                );
            }
            h.push_str("</tbody></table></div>\n");
            let _ = writeln!(
                h,
                "<p class=\"{}\">{}</p>",
                if crate::studies::validation::all_pass(rows) {
                    "pass"
                } else {
                    "fail"
                },
                if crate::studies::validation::all_pass(rows) {
                    "Every gating prediction lies in its band."
                } else {
                    "A gating prediction lies outside its band: treat depths with care."
                }
            );
        }
    }
    h.push_str("</section>\n");
}

/// Appends the provenance section.
pub fn provenance(h: &mut String, r: &Report) {
    h.push_str("<section class=\"provenance\" id=\"provenance\">\n<h2>Provenance</h2>\n");
    let _ = writeln!(
        h,
        "<p>needlemap {} · made {} · command: <code>{}</code></p>",
        crate::output::json::VERSION,
        escape(r.run.date_utc),
        escape(r.run.command_line)
    );
    h.push_str("<div class=\"scroll\"><table class=\"provenance\">\n<thead><tr><th>design</th><th>file</th><th>SHA-256</th><th>seed</th><th>resolution µm</th><th>threads</th></tr></thead>\n<tbody>\n");
    for d in &r.designs {
        let ds = &d.analysis.design;
        let _ = writeln!(
            h,
            "<tr data-design=\"{}\"><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&ds.name),
            escape(&ds.name),
            escape(&ds.source.path.display().to_string()),
            escape(&ds.source.sha256),
            ds.treatment.seed,
            ds.analysis.resolution_um,
            d.analysis.threads
        );
    }
    h.push_str("</tbody></table></div>\n</section>\n");
}
