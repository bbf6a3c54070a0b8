//! The comparison as the terminal and JSON show it: the side-by-side metrics table with the
//! differences in words, one equal-density table per roller–pen pair, the target-density
//! table, and the `pairs` section of `compare --format json`.

mod noise;
mod words;

pub use noise::{csv as noise_csv, text as noise_text};
pub use words::{describe_opening, differences};

use crate::base::fmt::fmt_num;
use crate::metrics::analysis::Analysis;
use crate::metrics::Metrics;
use crate::model::registry::METRICS;
use crate::model::registry::{metric_unit, show_metric};
use crate::model::skin::Layer;
use crate::studies::compare::{depth_spread, opening_mm, Comparison, Matched, Setting};
use serde::Serialize;

fn setting_words(s: Setting) -> String {
    match s {
        Setting::PenHandSpeedMmS(v) => format!("{} mm/s", fmt_num(v, 1)),
        Setting::RollerPasses(k) => format!("{k} passes"),
    }
}

/// A proposed setting in words, marked when no real device works at it.
fn matched_words(m: &Matched) -> String {
    let w = setting_words(m.setting);
    if m.outside_range.is_some() {
        format!("{w} (outside range!)")
    } else {
        w
    }
}

/// The line that says why a proposed setting is out of range, if it is.
fn range_note(m: &Matched) -> String {
    m.outside_range
        .as_ref()
        .map_or_else(String::new, |w| format!("! {}: {w}\n", m.name))
}

/// The setting of a design as written: a pen's hand speed or a roller's passes.
pub fn own_setting(a: &Analysis) -> Setting {
    crate::studies::compare::own_setting(&a.design)
}

/// A two-column table: the same metrics for two treatments at one density.
fn two_columns(heads: [String; 2], settings: [Setting; 2], ms: [&Metrics; 2]) -> String {
    let mut rows = vec![vec![
        "metric".to_string(),
        "unit".to_string(),
        heads[0].clone(),
        heads[1].clone(),
    ]];
    rows.push(vec![
        "setting".into(),
        String::new(),
        setting_words(settings[0]),
        setting_words(settings[1]),
    ]);
    for key in super::headline::HEADLINES.iter().map(|h| h.key) {
        rows.push(vec![
            key.to_string(),
            metric_unit(key).0.to_string(),
            show_metric(key, ms[0].get(key)),
            show_metric(key, ms[1].get(key)),
        ]);
    }
    rows.push(vec![
        "depth_spread_mm".into(),
        "mm".into(),
        show_metric("max_gap_mm", depth_spread(ms[0])),
        show_metric("max_gap_mm", depth_spread(ms[1])),
    ]);
    crate::base::fmt::render(&rows)
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |x| format!("{} %", fmt_num(x * 100.0, 1)))
}

fn mm(v: Option<f64>) -> String {
    v.map_or("—".into(), |x| format!("{} mm", fmt_num(x, 2)))
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{}×", fmt_num(a / b, 1))
    } else {
        "∞×".into()
    }
}

/// The plain-words verdict at one density: who opens more skin, the gaps, the times.
pub fn verdict(density: f64, roller: (&str, &Metrics), pen: (&str, &Metrics)) -> String {
    let (rn, rm) = roller;
    let (pn, pm) = pen;
    let (rc, pc) = (
        rm.coverage_fraction.unwrap_or(0.0),
        pm.coverage_fraction.unwrap_or(0.0),
    );
    let more = if show_metric("coverage_fraction", Some(rc))
        == show_metric("coverage_fraction", Some(pc))
    {
        format!("both open {} of the skin", pct(Some(rc)))
    } else if rc > pc {
        format!(
            "the roller {rn} opens more skin: {} against {} ({})",
            pct(Some(rc)),
            pct(Some(pc)),
            ratio(rc, pc)
        )
    } else {
        format!(
            "the pen {pn} opens more skin: {} against {} ({})",
            pct(Some(pc)),
            pct(Some(rc)),
            ratio(pc, rc)
        )
    };
    let gap = match (rm.max_gap_mm, pm.max_gap_mm) {
        (Some(r), Some(p)) if r > p => format!(
            "largest untreated gap {} larger with the roller ({} against {})",
            ratio(r, p),
            mm(Some(r)),
            mm(Some(p))
        ),
        (Some(r), Some(p)) if p > r => format!(
            "largest untreated gap {} larger with the pen ({} against {})",
            ratio(p, r),
            mm(Some(p)),
            mm(Some(r))
        ),
        (r, p) => format!(
            "largest untreated gap {} with the roller, {} with the pen",
            mm(r),
            mm(p)
        ),
    };
    let (rt, pt) = (rm.time_s, pm.time_s);
    let faster = if rt < pt {
        format!(
            "the roller is faster: {} s against {} s",
            fmt_num(rt, 1),
            fmt_num(pt, 1)
        )
    } else if pt < rt {
        format!(
            "the pen is faster: {} s against {} s",
            fmt_num(pt, 1),
            fmt_num(rt, 1)
        )
    } else {
        format!("both take {} s", fmt_num(rt, 1))
    };
    format!("at {}/cm² {more}; {gap}; {faster}", fmt_num(density, 1))
}

/// The opening a design makes, short: "0.44×0.25" (length × width) or "⌀0.25".
pub fn opening_cell(a: &Analysis) -> String {
    match opening_mm(a) {
        Some((l, r)) if l >= 0.005 => {
            format!("{}×{}", fmt_num(l + 2.0 * r, 2), fmt_num(2.0 * r, 2))
        }
        Some((_, r)) => format!("⌀{}", fmt_num(2.0 * r, 2)),
        None => "—".into(),
    }
}

/// Every metric of every design side by side (one column per design), with the opening's
/// size, the layer shares and the advisories.
pub fn side_by_side(analyses: &[&Analysis]) -> String {
    let row = |name: &str, unit: &str, f: &dyn Fn(&Analysis) -> String| -> Vec<String> {
        let mut r = vec![name.to_string(), unit.to_string()];
        r.extend(analyses.iter().map(|a| f(a)));
        r
    };
    let mut rows = vec![row("metric", "unit", &|a| a.design.name.clone())];
    rows.push(row("kind", "", &|a| a.design.device.kind().to_string()));
    rows.push(row("opening", "mm", &opening_cell));
    for m in METRICS {
        rows.push(row(m.key, m.unit, &|a| {
            show_metric(m.key, (m.get)(&a.metrics))
        }));
    }
    for (i, l) in Layer::ALL.iter().enumerate() {
        rows.push(row(&format!("in {}", l.key()), "%", &|a| {
            fmt_num(a.layers[i] * 100.0, 1)
        }));
    }
    rows.push(row("resolution", "µm", &|a| {
        fmt_num(a.design.analysis.resolution_um, 1)
    }));
    let mut out = crate::base::fmt::render(&rows);
    for a in analyses {
        for adv in &a.advisories {
            out.push_str(&format!("! {}: {}\n", a.design.name, adv.message));
        }
    }
    out
}

/// Which design of a pair makes no channel in the region.
fn no_channel(ra: &Analysis, pa: &Analysis) -> String {
    let none: Vec<&str> = [ra, pa]
        .iter()
        .filter(|a| a.metrics.channels == 0)
        .map(|a| a.design.name.as_str())
        .collect();
    match none.as_slice() {
        [] => "the densities cannot be matched".into(),
        names => format!("{} makes no channel in the region", names.join(" and ")),
    }
}

/// The whole comparison as the terminal shows it.
pub fn render(analyses: &[&Analysis], c: &Comparison) -> String {
    let mut out = side_by_side(analyses);
    out.push('\n');
    out.push_str("Differences:\n");
    for d in differences(analyses) {
        out.push_str(&format!("- {d}\n"));
    }
    for p in &c.pairs {
        let (ra, pa) = (analyses[p.roller], analyses[p.pen]);
        let (rn, pn) = (ra.design.name.as_str(), pa.design.name.as_str());
        out.push('\n');
        match &p.pen_at_roller_density {
            Some(m) => {
                out.push_str(&format!(
                    "At the roller's density ({}/cm²): {pn} at {} instead of its {}\n",
                    fmt_num(ra.metrics.density_per_cm2, 1),
                    matched_words(m),
                    setting_words(own_setting(pa))
                ));
                out.push_str(&two_columns(
                    [format!("{rn} (roller)"), format!("{pn} (pen)")],
                    [own_setting(ra), m.setting],
                    [&ra.metrics, &m.metrics],
                ));
                out.push_str(&format!(
                    "→ {}\n",
                    verdict(
                        ra.metrics.density_per_cm2,
                        (rn, &ra.metrics),
                        (pn, &m.metrics)
                    )
                ));
                out.push_str(&range_note(m));
            }
            None => out.push_str(&format!(
                "No pen speed matches the roller's density: {}\n",
                no_channel(ra, pa)
            )),
        }
        out.push('\n');
        match &p.roller_at_pen_density {
            Some(m) => {
                out.push_str(&format!("At the pen's density ({}/cm²): {rn} with {} in its direction pattern instead of its {}\n", fmt_num(pa.metrics.density_per_cm2, 1), matched_words(m), setting_words(own_setting(ra))));
                out.push_str(&two_columns(
                    [format!("{rn} (roller)"), format!("{pn} (pen)")],
                    [m.setting, own_setting(pa)],
                    [&m.metrics, &pa.metrics],
                ));
                out.push_str(&format!(
                    "→ {}\n",
                    verdict(
                        pa.metrics.density_per_cm2,
                        (rn, &m.metrics),
                        (pn, &pa.metrics)
                    )
                ));
                out.push_str(&range_note(m));
            }
            None => out.push_str(&format!(
                "No number of roller passes matches the pen's density: {}\n",
                no_channel(ra, pa)
            )),
        }
    }
    if let Some(t) = &c.target {
        out.push('\n');
        out.push_str(&format!(
            "At the target density {}/cm²:\n",
            fmt_num(t.density_per_cm2, 1)
        ));
        let mut rows = vec![[
            "design",
            "kind",
            "setting",
            "density /cm²",
            "opened %",
            "gap mm",
            "time s",
        ]
        .map(String::from)
        .to_vec()];
        for (a, m) in analyses.iter().zip(&t.designs) {
            let mut r = vec![a.design.name.clone(), a.design.device.kind().to_string()];
            match m {
                Some(m) => r.extend([
                    matched_words(m),
                    show_metric("density_per_cm2", Some(m.metrics.density_per_cm2)),
                    show_metric("coverage_fraction", m.metrics.coverage_fraction),
                    show_metric("max_gap_mm", m.metrics.max_gap_mm),
                    show_metric("time_s", Some(m.metrics.time_s)),
                ]),
                None => r.extend(["makes no channel".to_string()]),
            }
            rows.push(r);
        }
        out.push_str(&crate::base::fmt::render(&rows));
        for m in t.designs.iter().flatten() {
            out.push_str(&range_note(m));
        }
    }
    out
}

/// One roller–pen pair in `compare --format json`.
#[derive(Serialize)]
pub struct PairJson<'a> {
    /// Roller design name.
    pub roller: &'a str,
    /// Pen design name.
    pub pen: &'a str,
    /// The roller's analyzed density, channels/cm².
    pub roller_density_per_cm2: f64,
    /// The pen's analyzed density, channels/cm².
    pub pen_density_per_cm2: f64,
    /// Pen hand speed at which the pen, with its own passes, matches the roller's density.
    pub equal_density_pen_hand_speed_mm_s: Option<f64>,
    /// Roller passes, in its direction pattern, that match the pen's density.
    pub equal_density_roller_passes: Option<u32>,
    /// The pen analyzed at the roller's density.
    pub pen_at_roller_density: Option<&'a Matched>,
    /// The roller analyzed at the pen's density.
    pub roller_at_pen_density: Option<&'a Matched>,
    /// `--target-density`, channels/cm².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_density_per_cm2: Option<f64>,
    /// Pen hand speed that reaches the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_pen_hand_speed_mm_s: Option<Option<f64>>,
    /// Roller passes that reach the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_roller_passes: Option<Option<u32>>,
    /// Roller treatment time at the target, s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_roller_time_s: Option<Option<f64>>,
    /// Pen treatment time at the target, s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_pen_time_s: Option<Option<f64>>,
    /// The roller analyzed at the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roller_at_target: Option<Option<&'a Matched>>,
    /// The pen analyzed at the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pen_at_target: Option<Option<&'a Matched>>,
}

/// The sections `compare --format json` adds at the top level.
#[derive(Serialize)]
pub struct Extra<'a> {
    /// The differences in words.
    pub differences: Vec<String>,
    /// One per roller–pen pair.
    pub pairs: Vec<PairJson<'a>>,
    /// With `--target-density`: every design at the target, in the order of `results`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetJson<'a>>,
}

/// Every design at the target density.
#[derive(Serialize)]
pub struct TargetJson<'a> {
    /// The density, channels/cm².
    pub density_per_cm2: f64,
    /// One per design, in the order of `results` (null: the design makes no channel).
    pub designs: Vec<Option<&'a Matched>>,
}

/// The JSON sections of a comparison, for `report::json::document`.
pub fn extra<'a>(analyses: &[&'a Analysis], c: &'a Comparison) -> Extra<'a> {
    let pairs = c
        .pairs
        .iter()
        .map(|p| {
            let (ra, pa) = (analyses[p.roller], analyses[p.pen]);
            let tr = c.target.as_ref().map(|t| t.designs[p.roller].as_ref());
            let tp = c.target.as_ref().map(|t| t.designs[p.pen].as_ref());
            PairJson {
                roller: &ra.design.name,
                pen: &pa.design.name,
                roller_density_per_cm2: ra.metrics.density_per_cm2,
                pen_density_per_cm2: pa.metrics.density_per_cm2,
                equal_density_pen_hand_speed_mm_s: p
                    .pen_at_roller_density
                    .as_ref()
                    .and_then(Matched::pen_hand_speed_mm_s),
                equal_density_roller_passes: p
                    .roller_at_pen_density
                    .as_ref()
                    .and_then(Matched::roller_passes),
                pen_at_roller_density: p.pen_at_roller_density.as_ref(),
                roller_at_pen_density: p.roller_at_pen_density.as_ref(),
                target_density_per_cm2: c.target.as_ref().map(|t| t.density_per_cm2),
                target_pen_hand_speed_mm_s: tp.map(|m| m.and_then(Matched::pen_hand_speed_mm_s)),
                target_roller_passes: tr.map(|m| m.and_then(Matched::roller_passes)),
                target_roller_time_s: tr.map(|m| m.map(|m| m.metrics.time_s)),
                target_pen_time_s: tp.map(|m| m.map(|m| m.metrics.time_s)),
                roller_at_target: tr,
                pen_at_target: tp,
            }
        })
        .collect();
    Extra {
        differences: differences(analyses),
        pairs,
        target: c.target.as_ref().map(|t| TargetJson {
            density_per_cm2: t.density_per_cm2,
            designs: t.designs.iter().map(Option::as_ref).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(cov: f64, gap: f64, time: f64) -> Metrics {
        Metrics {
            coverage_fraction: Some(cov),
            max_gap_mm: Some(gap),
            time_s: time,
            ..Default::default()
        }
    }

    #[test]
    fn verdict_names_who_opens_more_skin_gaps_and_time() {
        let v = verdict(230.0, ("r", &m(0.2, 0.9, 40.0)), ("p", &m(0.1, 0.45, 2.5)));
        assert_eq!(v, "at 230.0/cm² the roller r opens more skin: 20.0 % against 10.0 % (2.0×); largest untreated gap 2.0× larger with the roller (0.90 mm against 0.45 mm); the pen is faster: 2.5 s against 40.0 s");
        let v = verdict(100.0, ("r", &m(0.1, 0.3, 10.0)), ("p", &m(0.1, 0.6, 10.0)));
        assert!(
            v.contains("both open 10.0 %")
                && v.contains("2.0× larger with the pen")
                && v.contains("both take 10.0 s"),
            "{v}"
        );
    }

    #[test]
    fn own_settings_in_words() {
        assert_eq!(setting_words(Setting::RollerPasses(15)), "15 passes");
        assert_eq!(
            setting_words(Setting::PenHandSpeedMmS(286.88)),
            "286.9 mm/s"
        );
    }
}
