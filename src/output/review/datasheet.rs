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
use crate::model::registry as table;
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
