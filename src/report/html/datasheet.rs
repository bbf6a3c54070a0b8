//! A design's section: its datasheet (every figure with its unit and where it comes from:
//! the design file, a marked assumption, a default or a preset), its advisories, its
//! pictures and, with `--runs`, its Monte Carlo summary.
//!
//! The device rows are told once for every kind: each kind states its `Facts` (layout,
//! needle length or pen setting, drum or cartridge size, force, motion) and one function
//! writes them.

use super::{escape, figure, mc, DesignPart};
use crate::analysis::Analysis;
use crate::design::Device;
use crate::report::{fmt_num, table};
use std::fmt::Write as _;

/// Depth settings the pens on the market offer, mm (docs/sources.md).
const PEN_SETTING_MM: (f64, f64) = (0.25, 2.5);

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

/// What the datasheet says of the device itself, whatever its kind: rows after the needle
/// count (layout; needle length or pen setting; drum or cartridge size; force; motion).
struct Facts(Vec<SheetRow>);

impl Facts {
    fn of(device: &Device, text: Option<&str>) -> Facts {
        let mm = |x: f64| fmt_num(x, 2);
        let set = |key: &str, default: &str| source_note(text, key, default);
        let assumed = |key: &str| source_note(text, key, DEFAULT_ASSUMED);
        let n = device.needle_count();
        Facts(match device {
            Device::Roller(r) => {
                let mut rings: Vec<u32> = r.needles.iter().map(|n| n.ring).collect();
                rings.sort_unstable();
                rings.dedup();
                let layout = format!("{} rings on the drum, {n} needles", rings.len());
                let lengths = r.needles.iter().map(|n| n.length_mm);
                let lo = lengths.clone().fold(f64::INFINITY, f64::min);
                let hi = lengths.fold(0.0, f64::max);
                let length = match (hi - lo).abs() < 1e-9 {
                    true => mm(lo),
                    false => format!("{}–{}", mm(lo), mm(hi)),
                };
                let (dia, width) = (fmt_num(r.drum_diameter_mm, 1), fmt_num(r.drum_width_mm, 1));
                let drum = format!("{dia} × {width}");
                let (src, force) = (set("needle.length_mm", ""), assumed("roller.force_n"));
                let speed = fmt_num(r.roll_speed_mm_s, 1);
                let v_src = assumed("roller.roll_speed_mm_s");
                vec![
                    row("layout", "layout", layout, "", ""),
                    row("length", "needle length", length, "mm", &src),
                    row("drum", "drum diameter × width", drum, "mm", ""),
                    row("force", "stated hand force", mm(r.force_n), "N", &force),
                    row("speed", "roll speed", speed, "mm/s", &v_src),
                ]
            }
            Device::Pen(p) => {
                let (lo, hi) = PEN_SETTING_MM;
                let within = ["OUTSIDE", "within"][usize::from((lo..=hi).contains(&p.depth_mm))];
                let range = format!("{within} the {}–{} mm pens offer", mm(lo), fmt_num(hi, 1));
                let setting = "needle length (depth setting)";
                let force = "stated drive force per stamp";
                let f_src = assumed("pen.drive_force_n");
                let (hz, speed) = (fmt_num(p.frequency_hz, 1), fmt_num(p.hand_speed_mm_s, 1));
                let layout = format!("cartridge of {n} needles");
                let width = mm(p.cartridge_width_mm);
                let v_src = assumed("pen.hand_speed_mm_s");
                vec![
                    row("layout", "layout", layout, "", ""),
                    row("length", setting, mm(p.depth_mm), "mm", &range),
                    row("cartridge", "cartridge width", width, "mm", ""),
                    row("force", force, mm(p.drive_force_n), "N", &f_src),
                    row("frequency", "stamp frequency", hz, "Hz", ""),
                    row("speed", "hand speed", speed, "mm/s", &v_src),
                ]
            }
            Device::Stamp(s) => {
                let step = set("stamp.step_mm", "default: presses tile the lane");
                let (rate, rate_src) = (mm(s.presses_per_s), assumed("stamp.presses_per_s"));
                let length = set("needle.length_mm", "");
                let layout = format!("array of {n} needles");
                let f_src = assumed("stamp.force_n");
                vec![
                    row("layout", "layout", layout, "", ""),
                    row("length", "needle length", mm(s.length_mm), "mm", &length),
                    row("cartridge", "array width", mm(s.array_width_mm), "mm", ""),
                    row("force", "stated press force", mm(s.force_n), "N", &f_src),
                    row("step", "step between presses", mm(s.step_mm), "mm", &step),
                    row("presses", "presses per second", rate, "/s", &rate_src),
                ]
            }
        })
    }
}

/// The rows after the device's, in order: id, label, unit.
const NEEDLE_AND_DEPTH: [(&str, &str, &str); 11] = [
    ("diameter", "needle diameter", "mm"),
    ("tip_length", "tip length", "mm"),
    ("tip_radius", "tip radius", "µm"),
    ("skin", "skin", ""),
    ("max_depth", "maximum insertion depth", "mm"),
    ("p95_depth", "95th percentile insertion depth", "mm"),
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
    rows.extend(Facts::of(&ds.device, text).0);
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
    let max = show("max_depth_mm", m.max_depth_mm);
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
    rows
}

/// What each picture of a design shows, for its caption.
fn caption(picture: &str, device: &Device) -> &'static str {
    match (picture, device) {
        ("coverage", _) => "share of each cell inside an opening, the largest untreated disc",
        ("density", _) => "channels per cm² in each whole tile",
        ("depth", _) => "deepest channel per cell on the skin layers' depth ruler",
        ("detail", _) => "5 × 5 mm window at true scale: the openings' real shape",
        ("needles", Device::Roller(_)) => "drum layout: the drum surface unrolled, every needle",
        ("needles", Device::Pen(_)) => "cartridge layout seen from above, every needle",
        ("needles", Device::Stamp(_)) => "array layout seen from above, every needle",
        _ => "",
    }
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
        figure(h, p, &ds.name, caption(p.name, &ds.device));
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
