//! The validation table (`needlemap validate`) as text and JSON.

use crate::base::fmt::render_with;
use crate::design::experiment::Role;
use crate::studies::validation::{all_pass, Row};

/// The table as text, µm.
pub fn table(rows: &[Row]) -> String {
    let mut out = vec![vec![
        "study".to_string(),
        "design".into(),
        "skin".into(),
        "quantity".into(),
        "measured µm".into(),
        "predicted µm".into(),
        "error".into(),
        "band µm".into(),
        "role".into(),
        "verdict".into(),
    ]];
    for r in rows {
        let m = &r.measured;
        let (lo, hi) = m.bounds();
        let measured = match m.sd {
            Some(sd) => format!("{:.1} ± {:.1}", m.mean * 1000.0, sd * 1000.0),
            None => format!("{:.1}", m.mean * 1000.0),
        };
        out.push(vec![
            r.study.clone(),
            r.design.clone(),
            r.skin.clone(),
            m.quantity.label().to_string(),
            measured,
            r.predicted
                .map_or("—".into(), |p| format!("{:.1}", p * 1000.0)),
            r.relative_error
                .map_or("—".into(), |e| format!("{:+.1} %", e * 100.0)),
            format!("{:.1}–{:.1}", lo * 1000.0, hi * 1000.0),
            match m.role {
                Role::Calibration => "calibration".into(),
                Role::Validation => "validation".into(),
            },
            r.verdict().to_string(),
        ]);
    }
    render_with(&out, |i, _| !(4..8).contains(&i))
}

/// The JSON record.
pub fn json(rows: &[Row]) -> Vec<u8> {
    let v = serde_json::json!({
        "pass": all_pass(rows),
        "rows": rows.iter().map(|r| {
            let (lo, hi) = r.measured.bounds();
            serde_json::json!({
                "design": r.design, "study": r.study, "doi": r.doi, "skin": r.skin,
                "quantity": r.measured.quantity.key(),
                "measured_mm": r.measured.mean, "sd_mm": r.measured.sd,
                "band_mm": [lo, hi], "predicted_mm": r.predicted,
                "relative_error": r.relative_error, "role": r.measured.role,
                "gate": r.measured.gate, "note": r.measured.note, "verdict": r.verdict(),
            })
        }).collect::<Vec<_>>(),
    });
    crate::output::json::record(v)
}
