//! The validation table (`needlemap validate`) as text and JSON.

use crate::base::fmt::render_with;
use crate::design::experiment::Role;
use crate::studies::validation::{all_pass, Row};

/// A row's measured mean (± SD where reported), as shown.
pub fn measured(r: &Row) -> String {
    let m = &r.measured;
    let q = m.quantity;
    if let crate::design::experiment::Band::Range(lo, hi) = m.band {
        return format!("{}–{}", q.show(lo), q.show(hi));
    }
    match m.sd {
        Some(sd) => format!("{} ± {}", q.show(m.mean), q.show(sd)),
        None => q.show(m.mean),
    }
}

/// The table as text: lengths in µm, forces in N.
pub fn table(rows: &[Row]) -> String {
    let mut out = vec![vec![
        "study".to_string(),
        "design".into(),
        "skin".into(),
        "quantity".into(),
        "unit".into(),
        "measured".into(),
        "predicted".into(),
        "error".into(),
        "band".into(),
        "role".into(),
        "verdict".into(),
    ]];
    for r in rows {
        let m = &r.measured;
        let q = m.quantity;
        let (lo, hi) = m.bounds();
        out.push(vec![
            r.study.clone(),
            r.design.clone(),
            r.skin.clone(),
            q.label().to_string(),
            q.unit().to_string(),
            measured(r),
            r.predicted.map_or("—".into(), |p| q.show(p)),
            r.relative_error
                .map_or("—".into(), |e| format!("{:+.1} %", e * 100.0)),
            format!("{}–{}", q.show(lo), q.show(hi)),
            match m.role {
                Role::Calibration => "calibration".into(),
                Role::Validation => "validation".into(),
            },
            r.verdict().to_string(),
        ]);
    }
    render_with(&out, |i, _| !(5..9).contains(&i))
}

/// The JSON record.
pub fn json(rows: &[Row]) -> Vec<u8> {
    let v = serde_json::json!({
        "pass": all_pass(rows),
        "rows": rows.iter().map(|r| {
            let (lo, hi) = r.measured.bounds();
            // the values' keys carry the figure's unit: measured_mm, measured_n, measured
            let u = r.measured.quantity.json_suffix();
            let mut row = serde_json::json!({
                "design": r.design, "study": r.study, "doi": r.doi, "skin": r.skin,
                "quantity": r.measured.quantity.key(),
                "relative_error": r.relative_error, "role": r.measured.role,
                "gate": r.measured.gate, "note": r.measured.note, "verdict": r.verdict(),
            });
            let values = [
                ("measured", serde_json::json!(r.measured.mean)),
                ("sd", serde_json::json!(r.measured.sd)),
                ("band", serde_json::json!([lo, hi])),
                ("predicted", serde_json::json!(r.predicted)),
            ];
            for (k, v) in values {
                row[format!("{k}{u}")] = v;
            }
            row
        }).collect::<Vec<_>>(),
    });
    crate::output::json::record(v)
}
