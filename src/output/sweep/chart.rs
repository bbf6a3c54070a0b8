//! What the sweep picture shows: one metric against the first varied key, one line per value
//! of the second key, and the seed and raster pitch the analyses ran at. Drawn by
//! [`crate::output::plot::sweep`].
//!
//! With three or more keys the picture holds the third and later keys at their first listed
//! value, and says so under the title. Error rows and undefined metrics leave a gap in a line.

use crate::metrics::analysis::Overrides;
use crate::model::registry::metric_unit;
pub use crate::output::plot::sweep::{Chart, Series};
use crate::output::plot::text;
use crate::studies::sweep::{Row, Sweep};

/// Unit of a design key from its name's suffix, for axis labels.
pub fn key_unit(key: &str) -> &'static str {
    if key.ends_with("_mm_s") {
        "mm/s"
    } else if key.ends_with("_mm") || key.contains("area_mm.") {
        "mm"
    } else if key.ends_with("_deg") {
        "°"
    } else if key.ends_with("_um") {
        "µm"
    } else if key.ends_with("_hz") {
        "Hz"
    } else {
        ""
    }
}

/// A design key as an axis shows it: the key, what it is in a few words (its description in
/// the design format, to the first comma or full stop) and its unit:
/// "treatment.passes.*.count: how many passes in this direction".
pub fn key_label(key: &str) -> String {
    let doc_key = key
        .split('.')
        .map(|p| {
            if p == "*" || p.bytes().all(|b| b.is_ascii_digit()) {
                "[]"
            } else {
                p
            }
        })
        .collect::<Vec<_>>()
        .join(".")
        .replace(".[]", "[]");
    let words = crate::design::schema::design_tables()
        .into_iter()
        .flat_map(|t| t.keys)
        .find(|k| k.key == doc_key)
        .map(|k| {
            let first = k.meaning.split([',', ';', '.', ':']).next().unwrap_or("");
            let mut c = first.trim().chars();
            c.next()
                .map(|f| f.to_lowercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .filter(|w| !w.is_empty());
    let named = match words {
        Some(w) => format!("{key}: {w}"),
        None => key.to_string(),
    };
    with_unit(&named, key_unit(key))
}

fn with_unit(name: &str, unit: &str) -> String {
    if unit.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({unit})")
    }
}

/// The chart of `metric` over a sweep's rows (fractions shown in percent), the analyses run
/// with `overrides` (the command line's seed and resolution).
pub fn chart(sweep: &Sweep, rows: &[Row], metric: &str, overrides: &Overrides) -> Chart {
    let (unit, _) = metric_unit(metric);
    let scale = if unit == "%" { 100.0 } else { 1.0 };
    let fixed: Vec<String> = sweep
        .keys
        .iter()
        .skip(2)
        .map(|k| format!("{} = {}", k.name, k.show(0)))
        .collect();
    let shown = |r: &Row| {
        r.values
            .iter()
            .skip(2)
            .zip(sweep.keys.iter().skip(2))
            .all(|(v, k)| *v == k.values[0])
    };
    let y = |r: &Row| r.metric(metric).map(|v| v * scale);
    let x0 = &sweep.keys[0];
    let mut series = match sweep.keys.get(1) {
        None => vec![Series {
            label: metric.to_string(),
            points: rows.iter().map(|r| (r.values[0], y(r))).collect(),
        }],
        Some(k1) => (0..k1.values.len())
            .map(|j| Series {
                label: format!("{} = {}", k1.name, k1.show(j)),
                points: rows
                    .iter()
                    .filter(|r| shown(r) && r.values[1] == k1.values[j])
                    .map(|r| (r.values[0], y(r)))
                    .collect(),
            })
            .collect(),
    };
    for s in &mut series {
        s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    Chart {
        subtitle: subtitle(sweep, overrides),
        title: format!("{}: {} vs {}", sweep.name, metric, x0.name),
        note: (!fixed.is_empty()).then(|| format!("held at {}", fixed.join(", "))),
        x_label: key_label(&x0.name),
        x_whole: x0.num == super::Num::Int || x0.is_word(),
        x_words: x0.words.clone(),
        y_label: with_unit(metric, unit),
        series,
        threshold: metric.ends_with("_safety_factor").then(|| {
            let t = crate::metrics::integrity::ADVISORY_FACTOR;
            (t, format!("advisory below {}", text::tick(t)))
        }),
    }
}

/// "seed 1 · raster pitch 40 µm · base design mf8-192": what every analysis of the sweep
/// ran at (a varied seed or resolution is said to vary).
fn subtitle(sweep: &Sweep, overrides: &Overrides) -> String {
    let base = overrides.apply(&sweep.base);
    // a varied key on an axis or in the legend varies; a third or later one is held at its
    // first value
    let shown = |name: &str, own: String| match sweep.keys.iter().position(|k| k.name == name) {
        None => own,
        Some(i) if i < 2 => "varied".to_string(),
        Some(i) => sweep.keys[i].show(0),
    };
    let seed = format!(
        "seed {}",
        shown("treatment.seed", base.treatment.seed.to_string())
    );
    let res = shown(
        "analysis.resolution_um",
        text::tick(base.analysis.resolution_um),
    );
    let pitch = if res == "varied" {
        "raster pitch varied".to_string()
    } else {
        format!("raster pitch {res} µm")
    };
    format!("{seed} · {pitch} · base design {}", base.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::registry::Metrics;

    #[test]
    fn units_from_key_names() {
        assert_eq!(key_unit("needle.length_mm"), "mm");
        assert_eq!(key_unit("roller.roll_speed_mm_s"), "mm/s");
        assert_eq!(key_unit("roller.layout.stagger_deg"), "°");
        assert_eq!(key_unit("roller.layout.rings"), "");
        assert_eq!(key_unit("treatment.area_mm.0"), "mm");
    }

    #[test]
    fn chart_lines_per_second_key_hold_the_rest() {
        let s = crate::studies::sweep::tests::mf8_sweep("\"needle.length_mm\" = [2.0, 1.0]\n\"roller.layout.rings\" = [4, 8]\n\"treatment.seed\" = [1, 2]\n").unwrap();
        let rows: Vec<Row> = (0..s.len())
            .map(|i| {
                let values: Vec<f64> = s
                    .keys
                    .iter()
                    .zip(s.combination(i))
                    .map(|(k, j)| k.values[j])
                    .collect();
                let cov = values[0] * values[1] * values[2] / 100.0;
                let outcome = if i == 2 {
                    Err("x".to_string())
                } else {
                    Ok(Metrics {
                        coverage_fraction: Some(cov),
                        ..Default::default()
                    })
                };
                Row {
                    index: i,
                    name: s.variant_name(i),
                    values,
                    outcome,
                    advisories: Vec::new(),
                }
            })
            .collect();
        let c = chart(
            &s,
            &rows,
            "coverage_fraction",
            &crate::metrics::analysis::Overrides::default(),
        );
        assert_eq!(c.x_label, "needle.length_mm: exposed needle length h (mm)");
        assert_eq!(c.y_label, "coverage_fraction (%)");
        assert_eq!(c.note.as_deref(), Some("held at treatment.seed = 1"));
        assert!(
            c.subtitle.starts_with("seed 1 · raster pitch "),
            "{}",
            c.subtitle
        );
        assert_eq!(c.series.len(), 2);
        assert_eq!(c.series[0].label, "roller.layout.rings = 4");
        // seed 1 only, sorted by length, in percent; row 2 (length 2, rings 8, seed 1) is an error
        assert_eq!(c.series[0].points, vec![(1.0, Some(4.0)), (2.0, Some(8.0))]);
        assert_eq!(c.series[1].points, vec![(1.0, Some(8.0)), (2.0, None)]);
    }
}
