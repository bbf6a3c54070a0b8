//! A design's section: its datasheet (every figure with its unit and where it comes from:
//! the design file, a marked assumption, a default or a preset), its advisories, its
//! pictures and, with `--runs`, its Monte Carlo summary.
//!
//! The device rows are told once for every kind: each kind states its rows (layout, needle
//! length or pen setting, drum or cartridge size, force, motion) in its own file under
//! `kinematics/` and one function writes them.

use super::{escape, figure, mc, DesignPart};
use crate::base::fmt::fmt_num;
use crate::design::kinds::RowSource;
use crate::design::Device;
use crate::metrics::analysis::Analysis;
use crate::model::material::Sourced;
use crate::model::registry as table;
use crate::model::strength::bending::{Approach, Section};
use crate::model::strength::buckling::InsertionPhase;
use std::fmt::Write as _;

/// The source column of a key the file may leave to its default assumption.
const DEFAULT_ASSUMED: &str = "default (assumption)";

/// One row of a datasheet.
#[derive(Debug)]
struct SheetRow {
    id: &'static str,
    label: String,
    value: String,
    unit: &'static str,
    source: String,
}

/// A row: id (the `data-item` of the page), label, value, unit and source.
fn row(id: &'static str, label: &str, value: String, unit: &'static str, src: &str) -> SheetRow {
    SheetRow {
        id,
        label: label.into(),
        value,
        unit,
        source: src.into(),
    }
}

/// How a design file gives a key.
#[derive(Clone, Copy, Debug, PartialEq)]
enum KeyState {
    Set,
    SetAssumed,
    Default,
    Unknown,
}

/// Whether the file text sets `path` (dotted), and whether that line's comment marks it as an
/// assumption (`[A]` or "assum…").
fn key_state(text: Option<&str>, path: &str) -> KeyState {
    let Some(text) = text else {
        return KeyState::Unknown;
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return KeyState::Unknown;
    };
    let mut parts = path.split('.').peekable();
    let mut cur = &table;
    while let Some(p) = parts.next() {
        match cur.get(p) {
            Some(toml::Value::Table(t)) if parts.peek().is_some() => cur = t,
            Some(_) if parts.peek().is_none() => {
                let leaf = path.rsplit('.').next().unwrap_or(path);
                let assumed = text.lines().any(|l| {
                    let t = l.trim_start();
                    t.starts_with(leaf)
                        && t[leaf.len()..].trim_start().starts_with('=')
                        && l.split_once('#').is_some_and(|(_, c)| {
                            c.contains("[A]") || c.to_lowercase().contains("assum")
                        })
                });
                return if assumed {
                    KeyState::SetAssumed
                } else {
                    KeyState::Set
                };
            }
            _ => return KeyState::Default,
        }
    }
    KeyState::Default
}

/// Where a key's value comes from, in words; `default_note` when the file leaves it out.
fn source_note(text: Option<&str>, path: &str, default_note: &str) -> String {
    match key_state(text, path) {
        KeyState::Set => "design file".into(),
        KeyState::SetAssumed => "design file (assumption)".into(),
        KeyState::Default => default_note.into(),
        KeyState::Unknown => String::new(),
    }
}

/// The device's own rows after the needle count (layout; needle length or pen setting; drum
/// or cartridge size; force; motion), as its kind states them, with their sources from `text`.
fn device_rows(device: &Device, text: Option<&str>) -> Vec<SheetRow> {
    let rows = device.kind_of().sheet_rows();
    rows.into_iter()
        .map(|r| {
            let src = match r.source {
                RowSource::None => String::new(),
                RowSource::Key(key, default) => source_note(text, key, default),
                RowSource::Assumed(key) => source_note(text, key, DEFAULT_ASSUMED),
                RowSource::Note(note) => note,
            };
            row(r.id, r.label, r.value, r.unit, &src)
        })
        .collect()
}

/// The rows after the device's, in order: id, label, unit.
const NEEDLE_AND_DEPTH: [(&str, &str, &str); 11] = [
    ("diameter", "needle diameter", "mm"),
    ("tip_length", "tip length", "mm"),
    ("tip_radius", "tip radius", "µm"),
    ("skin", "skin", ""),
    (
        "max_depth",
        "maximum penetration depth (21 CFR 878.4430)",
        "mm",
    ),
    ("p95_depth", "95th percentile penetration depth", "mm"),
    ("mean_channel_depth", "channel depth after withdrawal", "mm"),
    ("puncture_rate", "puncture rate", "/s"),
    ("density_per_pass", "density per pass", "/cm²"),
    ("density_per_treatment", "density per treatment", "/cm²"),
    ("time", "treatment time", "s"),
];

/// The datasheet rows of an analyzed design; `text` is its design file, to tell what the
/// file sets from defaults and assumptions.
fn datasheet_rows(a: &Analysis, text: Option<&str>) -> Vec<SheetRow> {
    let (ds, m) = (&a.design, &a.metrics);
    let nd = ds.needle;
    let count = ds.device.needle_count().to_string();
    let mut rows = vec![
        row("kind", "device kind", ds.device.kind().into(), "", ""),
        row("needle_count", "needles", count, "", ""),
    ];
    rows.extend(device_rows(&ds.device, text));
    let tip_length = source_note(text, "needle.tip_length_mm", DEFAULT_ASSUMED);
    let tip_radius = source_note(
        text,
        "needle.tip_radius_um",
        "default (measured DermaRoller tip, Kalluri 2011)",
    );
    let skin = match key_state(text, "skin.preset") {
        KeyState::Default => "default preset",
        _ => "preset named in the design file",
    };
    let layer = m
        .max_depth_mm
        .map(|d| ds.skin.layer_at(d).key().replace('_', " "));
    let reaches = layer.map_or_else(String::new, |l| {
        format!("reaches the {l} ({} skin)", ds.skin.preset)
    });
    let show = |key: &str, v: Option<f64>| table::show_metric(key, v);
    // with a varying skin: the upper percentile over needles and skins, the percentile stated
    // (drawn here, for the datasheet alone: no study or sweep pays for the 64 skins)
    let (max, reaches) = match crate::metrics::penetration::penetration(ds) {
        Some(p) => (
            table::show_metric("max_depth_mm", Some(p.depth_mm)),
            format!(
                "{}th percentile over the needles and {} skins drawn from [skin.variability]; {reaches}",
                (p.percentile * 100.0).round(),
                p.skins
            ),
        ),
        None => (show("max_depth_mm", m.max_depth_mm), reaches),
    };
    let p95 = show("p95_depth_mm", m.p95_depth_mm);
    let channel = show("mean_channel_depth_mm", m.mean_channel_depth_mm);
    let rate = show("puncture_rate_per_s", Some(m.puncture_rate_per_s));
    let per_pass = fmt_num(a.made.density_per_pass_mm2 * 100.0, 1);
    let per_treatment = show("density_per_cm2", Some(m.density_per_cm2));
    let passes = format!("{} passes", ds.treatment.pass_angles_deg.len());
    let (dia, tip) = (fmt_num(nd.diameter_mm, 3), fmt_num(nd.tip_length_mm, 2));
    let radius = fmt_num(nd.tip_radius_um, 1);
    let time = show("time_s", Some(m.time_s));
    let per_pass_src = "closed form of the device".to_string();
    let values: [(String, String); 11] = [
        (dia, String::new()),
        (tip, tip_length),
        (radius, tip_radius),
        (ds.skin.preset.clone(), skin.into()),
        (max, reaches),
        (p95, String::new()),
        (channel, String::new()),
        (rate, String::new()),
        (per_pass, per_pass_src),
        (per_treatment, passes),
        (time, String::new()),
    ];
    let named = NEEDLE_AND_DEPTH.iter().zip(values);
    rows.extend(named.map(|(&(id, label, unit), (v, src))| row(id, label, v, unit, &src)));
    rows.extend(strength_rows(a, text));
    rows
}

/// A material figure's source: the design file when it overrides it (`key`), else the
/// registry's label and source.
fn material_source(text: Option<&str>, key: &str, fig: &Sourced) -> String {
    match key_state(text, key) {
        KeyState::Set | KeyState::SetAssumed => source_note(text, key, ""),
        _ => format!("{} {}", fig.label.tag(), fig.source),
    }
}

/// The needle-strength rows: the material and its figures, each safety factor with the needle
/// and load that set it, and a pen's fatigue life.
fn strength_rows(a: &Analysis, text: Option<&str>) -> Vec<SheetRow> {
    let (ds, m, i) = (&a.design, &a.metrics, &a.integrity);
    let mat = &ds.needle.material;
    let entry = mat.material();
    let show = |key: &str, v: Option<f64>| table::show_metric(key, v);
    let material_src = source_note(
        text,
        "needle.material",
        "default: annealed 304, the softest plausible steel",
    );
    let mut rows = vec![
        row(
            "material",
            "needle material",
            format!("{} ({})", entry.name, mat.key),
            "",
            &material_src,
        ),
        row(
            "youngs_modulus",
            "Young's modulus",
            fmt_num(mat.youngs_modulus_mpa / 1000.0, 1),
            "GPa",
            &material_source(text, "needle.youngs_modulus_gpa", &entry.youngs_modulus_gpa),
        ),
        row(
            "yield_strength",
            "yield strength",
            fmt_num(mat.yield_strength_mpa, 0),
            "MPa",
            &material_source(text, "needle.yield_strength_mpa", &entry.yield_strength_mpa),
        ),
    ];
    let (endurance, endurance_src) = match (mat.endurance_limit_mpa, entry.endurance_limit_mpa) {
        (Some(v), Some(fig)) => (fmt_num(v, 0), format!("{} {}", fig.label.tag(), fig.source)),
        _ => (
            "none".to_string(),
            "a polymer: no knee in its S-N curve".to_string(),
        ),
    };
    rows.push(row(
        "endurance_limit",
        "endurance limit (10⁷ cycles)",
        endurance,
        "MPa",
        &endurance_src,
    ));
    let buckling_src = i.buckling.filter(|w| w.factor.is_finite()).map_or_else(
        || "no needle pierces".to_string(),
        |w| {
            let b = &w.result.buckling;
            let phase = match b.phase {
                InsertionPhase::BeforePuncture => "before it pierces, point free",
                InsertionPhase::Inserted => "at its depth, point held",
            };
            format!(
                "needle {}: {:.3} N {phase}, against {:.3} N (tapered column; Johnson below the transition)",
                w.needle, b.load_n, b.critical_n
            )
        },
    );
    rows.push(row(
        "buckling_factor",
        "smallest buckling safety factor",
        show("min_buckling_safety_factor", m.min_buckling_safety_factor),
        "",
        &buckling_src,
    ));
    let grip = &ds.skin_grip;
    let bears = format!(
        "skin bears ≤ {} MPa ({})",
        fmt_num(grip.lateral_strength_mpa, 1),
        source_note(text, "skin.lateral_strength_mpa", DEFAULT_ASSUMED),
    );
    let bending_src = i.bending.filter(|w| w.factor.is_finite()).map_or_else(
        || "no needle takes a side load".to_string(),
        |w| {
            let b = &w.result.bending;
            let section = match b.section {
                Section::Root => "its root",
                Section::Cone => "its tip (curl)",
            };
            let (l, dj) = (w.case.geometry.length_mm, w.case.load.depth_mm);
            let angle = w.case.approach.angle_rad(l, dj, 0.0).to_degrees();
            let how = match w.case.approach {
                Approach::Drum { .. } => format!(
                    "enters at {angle:.1}° on the drum, dragged with skin friction {} ({})",
                    fmt_num(grip.needle_friction, 2),
                    source_note(text, "skin.needle_friction", DEFAULT_ASSUMED)
                ),
                Approach::Tilted { .. } => {
                    let key = format!("{}.misalignment_deg", ds.device.kind());
                    let src = source_note(text, &key, DEFAULT_ASSUMED);
                    format!("held {angle:.1}° off square ({src})")
                }
            };
            format!(
                "needle {}, {section}; {how}; {:.3} N at its depth; {bears}",
                w.needle, w.case.load.load_n
            )
        },
    );
    rows.push(row(
        "bending_factor",
        "smallest bending safety factor",
        show("min_bending_safety_factor", m.min_bending_safety_factor),
        "",
        &bending_src,
    ));
    for (id, label, worst) in [
        ("root_factor", "root bending safety factor", &i.root),
        ("tip_curl_factor", "tip-curl safety factor", &i.tip_curl),
    ] {
        let w = worst.filter(|w| w.factor.is_finite());
        let value = w.map_or("—".to_string(), |w| fmt_num(w.factor, 2));
        let src = w.map_or(String::new(), |w| format!("needle {}", w.needle));
        rows.push(row(id, label, value, "", &src));
    }
    if let Some(duty) = i.duty {
        let session = source_note(text, "pen.session_s", DEFAULT_ASSUMED);
        let fatigue_src = format!(
            "{} Hz × {} s ({session}) = {} strokes a session; Basquin S-N line to the endurance limit, Goodman",
            fmt_num(duty.frequency_hz, 1),
            fmt_num(duty.session_s, 0),
            fmt_num(duty.cycles_per_session(), 0)
        );
        rows.push(row(
            "fatigue_factor",
            "fatigue safety factor",
            show("fatigue_safety_factor", m.fatigue_safety_factor),
            "",
            &fatigue_src,
        ));
        let sessions = match (i.fatigue_safety_factor(), i.cartridge_sessions()) {
            (None, _) => "—".to_string(),
            (Some(_), None) => "unlimited".to_string(),
            (Some(_), Some(n)) => fmt_num(n, 1),
        };
        let sessions_src = "below the endurance limit a cartridge does not fail by fatigue";
        rows.push(row(
            "cartridge_sessions",
            "sessions a cartridge survives",
            sessions,
            "",
            sessions_src,
        ));
    }
    rows
}

/// Appends a design's section.
pub(super) fn write(h: &mut String, d: &DesignPart) {
    let a = d.analysis;
    let ds = &a.design;
    let name = escape(&ds.name);
    let _ = writeln!(
        h,
        "<section class=\"design\" id=\"design-{name}\" data-design=\"{name}\">\n<h2>{name} <small>({})</small></h2>",
        ds.device.kind()
    );
    if !ds.description.is_empty() {
        let _ = writeln!(h, "<p class=\"lead\">{}</p>", escape(&ds.description));
    }
    h.push_str("<div class=\"datasheet\">\n<h3>Datasheet</h3>\n<table class=\"datasheet\">\n<thead><tr><th>item</th><th>value</th><th>unit</th><th>source</th></tr></thead>\n<tbody>\n");
    for r in datasheet_rows(a, d.file_text) {
        let _ = writeln!(
            h,
            "<tr data-item=\"{}\"><td>{}</td><td class=\"num\">{}</td><td class=\"unit\">{}</td><td class=\"note\">{}</td></tr>",
            r.id,
            escape(&r.label),
            escape(&r.value),
            escape(r.unit),
            escape(&r.source)
        );
    }
    h.push_str("</tbody></table>\n");
    if a.advisories.is_empty() {
        h.push_str("<p>No advisories.</p>\n");
    } else {
        super::summary::advisories(h, a, false);
    }
    h.push_str("</div>\n");
    for p in d.pictures {
        // a design's pictures are the registry's (`plot::render_all`), each under its name
        let caption = crate::output::plot::design_picture(p.name)
            .expect("a registered design picture")
            .caption(&ds.device);
        figure(h, p, &ds.name, caption);
    }
    if let Some(m) = &d.mc {
        mc::write(h, m);
    }
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_told_set_assumed_or_default() {
        let text = "[roller]\nforce_n = 3.0 # hand force [A]\nroll_speed_mm_s = 30.0\n[needle]\ndiameter_mm = 0.25\n";
        let state = |k| key_state(Some(text), k);
        assert_eq!(state("roller.force_n"), KeyState::SetAssumed);
        assert_eq!(state("roller.roll_speed_mm_s"), KeyState::Set);
        assert_eq!(state("needle.tip_length_mm"), KeyState::Default);
        assert_eq!(key_state(None, "needle.tip_length_mm"), KeyState::Unknown);
    }
}
