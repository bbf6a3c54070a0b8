//! The review report: one self-contained HTML page (`needlemap report`) with a summary table
//! of every design, a datasheet per design, its pictures, the roller-vs-pen comparison, the
//! validation table and the provenance.
//!
//! The page reads only what [`crate::analysis::analyze`] computed (the same [`Analysis`] the
//! JSON record serializes), formats every metric with the registry's table units and
//! decimals ([`table::show_metric`]), and embeds every picture as a PNG data URI and its CSS
//! inline: no script, no network, readable in a browser and in print (each design's section
//! starts a page; pictures are never cut).
//!
//! Like every serializer here it returns bytes; writing is [`super::write_atomic`].

use crate::analysis::Analysis;
use crate::design::{Design, Device};
use crate::metrics::registry::METRICS;
use crate::plot::Picture;
use crate::report::{fmt_num, table};
use crate::validate::{Role, Row};
use base64::Engine as _;
use std::fmt::Write as _;

/// One design of the report: its analysis, its pictures and the text of its design file.
pub struct DesignPart<'a> {
    /// The analysis, as `analyze` computed it.
    pub analysis: &'a Analysis,
    /// Its pictures ([`crate::plot::render_all`]).
    pub pictures: &'a [Picture],
    /// The design file's text, to tell keys the file sets from defaults; `None` when unknown.
    pub file_text: Option<&'a str>,
}

/// The roller-vs-pen comparison: compare's table text and its picture.
pub struct ComparePart<'a> {
    /// What `needlemap compare` prints ([`crate::compare::text::render`]).
    pub text: &'a str,
    /// The comparison picture.
    pub picture: &'a Picture,
}

/// The validation section: rows, or why there are none.
pub enum ValidationPart<'a> {
    /// The rows of [`crate::validate::validate`] and the folder they came from.
    Rows {
        /// Folder of the experiment designs.
        dir: &'a str,
        /// The rows.
        rows: &'a [Row],
    },
    /// No validation designs were found; the words say where they were looked for.
    Missing(&'a str),
}

/// How and when the report was made.
pub struct RunInfo<'a> {
    /// Date and time, UTC, as shown.
    pub date_utc: &'a str,
    /// The command line, as typed.
    pub command_line: &'a str,
}

/// Everything the page shows.
pub struct Report<'a> {
    /// The designs, in the order given.
    pub designs: Vec<DesignPart<'a>>,
    /// The roller–pen comparisons (none unless the designs include a roller and a pen).
    pub compare: Vec<ComparePart<'a>>,
    /// Which pairs were compared, in words.
    pub compare_rule: &'a str,
    /// The validation table.
    pub validation: ValidationPart<'a>,
    /// Provenance of the run.
    pub run: RunInfo<'a>,
}

/// One spec limit of a design and whether the analysis meets it.
///
/// Hook for the `[spec]` table (another issue): [`spec_verdicts`] returns none until
/// [`Design`] carries spec limits; the summary table already has a row for them.
#[derive(Clone, Debug, PartialEq)]
pub struct SpecVerdict {
    /// Metric key the limit is on.
    pub key: &'static str,
    /// The limit in words, e.g. "≥ 20 %".
    pub limit: String,
    /// Whether the design meets it.
    pub pass: bool,
}

/// The spec limits of an analyzed design, judged by [`super::json::spec_results`] (the same
/// verdicts `analyze` prints and writes).
pub fn spec_verdicts(a: &Analysis) -> Vec<SpecVerdict> {
    a.design
        .spec
        .iter()
        .zip(super::json::spec_results(a))
        .map(|(l, r)| SpecVerdict {
            key: r.key,
            limit: l.describe(),
            pass: r.pass,
        })
        .collect()
}

/// HTML-escapes text ([`super::escape_markup`]).
pub fn escape(s: &str) -> String {
    super::escape_markup(s)
}

/// `YYYY-MM-DD HH:MM:SS UTC` of seconds since the Unix epoch.
///
/// # Examples
/// ```
/// assert_eq!(needlemap::report::html::utc_date(0), "1970-01-01 00:00:00 UTC");
/// assert_eq!(needlemap::report::html::utc_date(1_700_000_000), "2023-11-14 22:13:20 UTC");
/// ```
pub fn utc_date(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

const CSS: &str = r#"
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
  color: #1b1b1b; background: #fff; margin: 0 auto; max-width: 1180px; padding: 1.5em 2em; }
h1 { font-size: 1.7em; margin: 0 0 .2em; }
h2 { font-size: 1.35em; border-bottom: 2px solid #2b5d8a; padding-bottom: .15em; margin-top: 1.6em; }
h3 { font-size: 1.1em; margin: 1.2em 0 .4em; }
p.lead { color: #444; margin-top: 0; }
table { border-collapse: collapse; margin: .5em 0 1em; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #c8ced6; padding: .25em .55em; vertical-align: top; }
th { background: #eef2f6; text-align: left; }
td.num { text-align: right; white-space: nowrap; }
td.unit { color: #555; white-space: nowrap; }
.note { color: #7a4b00; font-size: .9em; }
.pass { color: #17692c; font-weight: 600; }
.fail { color: #b00020; font-weight: 700; }
.info { color: #555; }
.scroll { overflow-x: auto; }
.datasheet { border: 2px solid #2b5d8a; border-radius: 6px; padding: .6em 1em; background: #f8fafc;
  break-inside: avoid; page-break-inside: avoid; }
.datasheet table { width: 100%; }
.advisories li { color: #7a4b00; }
figure { margin: 1em 0; break-inside: avoid; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; border: 1px solid #dde2e8; display: block; }
figcaption { color: #444; font-size: .9em; margin-top: .3em; }
pre { background: #f6f8fa; border: 1px solid #dde2e8; padding: .8em; overflow-x: auto;
  font: 12.5px/1.35 "DejaVu Sans Mono", ui-monospace, monospace; white-space: pre; }
code { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: .92em; word-break: break-all; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  section.design, section.compare, section.validation { break-before: page; page-break-before: always; }
  figure, .datasheet, tr { break-inside: avoid; page-break-inside: avoid; }
  figure img { max-height: 11cm; width: auto; max-width: 100%; }
  pre { white-space: pre-wrap; font-size: 8pt; }
  .scroll { overflow: visible; }
}
@page { size: A4; margin: 14mm; }
"#;

/// The page, as bytes.
pub fn render(r: &Report) -> Vec<u8> {
    let mut h = String::with_capacity(1 << 20);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let names: Vec<&str> = r
        .designs
        .iter()
        .map(|d| d.analysis.design.name.as_str())
        .collect();
    let _ = writeln!(
        h,
        "<title>needlemap review: {}</title>",
        escape(&names.join(", "))
    );
    let _ = writeln!(h, "<style>{CSS}</style>\n</head>\n<body>");
    let _ = writeln!(
        h,
        "<header><h1>Microneedle design review</h1><p class=\"lead\">{} design{} · needlemap {} · {}</p></header>",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        super::json::VERSION,
        escape(r.run.date_utc)
    );
    summary(&mut h, r);
    for d in &r.designs {
        design_section(&mut h, d);
    }
    if !r.compare.is_empty() {
        h.push_str(
            "<section class=\"compare\" id=\"compare\">\n<h2>Roller vs pen at equal density</h2>\n",
        );
        let _ = writeln!(h, "<p>What <code>needlemap compare ROLLER PEN</code> prints for {}: the pen brought to the roller's density by its hand speed, the roller to the pen's density by its passes.</p>", escape(r.compare_rule));
        for c in &r.compare {
            let _ = writeln!(h, "<div class=\"pair\"><pre>{}</pre>", escape(c.text));
            figure(
                &mut h,
                c.picture,
                "comparison",
                "coverage maps on one scale and key metrics",
            );
            h.push_str("</div>\n");
        }
        h.push_str("</section>\n");
    }
    validation(&mut h, &r.validation);
    provenance(&mut h, r);
    h.push_str("</body>\n</html>\n");
    h.into_bytes()
}

fn summary(h: &mut String, r: &Report) {
    h.push_str("<section class=\"summary\" id=\"summary\">\n<h2>Summary</h2>\n");
    h.push_str(
        "<div class=\"scroll\"><table class=\"summary\">\n<thead><tr><th>metric</th><th>unit</th>",
    );
    for d in &r.designs {
        let n = &d.analysis.design.name;
        let _ = write!(
            h,
            "<th data-design=\"{0}\"><a href=\"#design-{0}\">{0}</a></th>",
            escape(n)
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let _ = write!(
        h,
        "<tr data-key=\"kind\"><td>device</td><td class=\"unit\"></td>"
    );
    for d in &r.designs {
        let _ = write!(h, "<td>{}</td>", d.analysis.design.device.kind());
    }
    h.push_str("</tr>\n");
    for m in METRICS {
        let _ = write!(
            h,
            "<tr data-key=\"{0}\"><td title=\"{1}\">{0}</td><td class=\"unit\">{2}</td>",
            m.key,
            escape(m.description),
            escape(m.unit)
        );
        for d in &r.designs {
            let v = (m.get)(&d.analysis.metrics);
            let _ = write!(
                h,
                "<td class=\"num\" data-design=\"{}\">{}</td>",
                escape(&d.analysis.design.name),
                table::show_metric(m.key, v)
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("<tr data-key=\"spec\"><td>spec limits</td><td class=\"unit\"></td>");
    for d in &r.designs {
        let v = spec_verdicts(d.analysis);
        if v.is_empty() {
            h.push_str("<td class=\"info\">no [spec] table</td>");
        } else {
            h.push_str("<td>");
            for s in &v {
                let _ = write!(
                    h,
                    "<div class=\"{}\">{} {}: {}</div>",
                    if s.pass { "pass" } else { "fail" },
                    s.key,
                    escape(&s.limit),
                    if s.pass { "pass" } else { "FAIL" }
                );
            }
            h.push_str("</td>");
        }
    }
    h.push_str("</tr>\n<tr data-key=\"advisories\"><td>advisories</td><td class=\"unit\"></td>");
    for d in &r.designs {
        let n = d.analysis.advisories.len();
        let _ = write!(
            h,
            "<td class=\"num\">{}</td>",
            if n == 0 {
                "none".to_string()
            } else {
                n.to_string()
            }
        );
    }
    h.push_str("</tr>\n</tbody></table></div>\n");
    let any = r.designs.iter().any(|d| !d.analysis.advisories.is_empty());
    if any {
        h.push_str("<h3>Advisories</h3>\n<ul class=\"advisories\">\n");
        for d in &r.designs {
            for a in &d.analysis.advisories {
                let _ = writeln!(
                    h,
                    "<li data-design=\"{}\" data-code=\"{}\"><b>{}</b> ({}): {}</li>",
                    escape(&d.analysis.design.name),
                    a.code,
                    escape(&d.analysis.design.name),
                    a.code,
                    escape(&a.message)
                );
            }
        }
        h.push_str("</ul>\n");
    } else {
        h.push_str("<p>No advisories.</p>\n");
    }
    h.push_str("<p class=\"note\">Fractions are shown as %; every value is the one <code>needlemap analyze</code> computes, with the decimals of its tables.</p>\n</section>\n");
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

#[derive(Clone, Copy, Debug, PartialEq)]
enum KeyState {
    Set,
    SetAssumed,
    Default,
    Unknown,
}

fn source_note(text: Option<&str>, path: &str, default_note: &str) -> String {
    match key_state(text, path) {
        KeyState::Set => "design file".into(),
        KeyState::SetAssumed => "design file (assumption)".into(),
        KeyState::Default => default_note.into(),
        KeyState::Unknown => String::new(),
    }
}

const DEFAULT_ASSUMED: &str = "default (assumption)";

fn design_section(h: &mut String, d: &DesignPart) {
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
    for row in datasheet_rows(a, d.file_text) {
        let _ = writeln!(
            h,
            "<tr data-item=\"{}\"><td>{}</td><td class=\"num\">{}</td><td class=\"unit\">{}</td><td class=\"note\">{}</td></tr>",
            row.id,
            escape(&row.label),
            escape(&row.value),
            escape(row.unit),
            escape(&row.source)
        );
    }
    h.push_str("</tbody></table>\n");
    if a.advisories.is_empty() {
        h.push_str("<p>No advisories.</p>\n");
    } else {
        h.push_str("<ul class=\"advisories\">\n");
        for adv in &a.advisories {
            let _ = writeln!(
                h,
                "<li data-code=\"{}\"><b>{}</b>: {}</li>",
                adv.code,
                adv.code,
                escape(&adv.message)
            );
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</div>\n");
    for p in d.pictures {
        let what = match p.name {
            "coverage" => "share of each cell inside an opening, the largest untreated disc",
            "density" => "channels per cm² in each whole tile",
            "depth" => "deepest channel per cell on the skin layers' depth ruler",
            "detail" => "5 × 5 mm window at true scale, every opening drawn",
            "needles" => match ds.device {
                Device::Roller(_) => "the drum surface unrolled, every needle at its place",
                _ => "the cartridge seen from above, every needle at its place",
            },
            _ => "",
        };
        figure(h, p, &ds.name, what);
    }
    h.push_str("</section>\n");
}

fn figure(h: &mut String, p: &Picture, design: &str, what: &str) {
    let data = base64::engine::general_purpose::STANDARD.encode(&p.png);
    let _ = writeln!(
        h,
        "<figure data-picture=\"{0}\"><img src=\"data:image/png;base64,{data}\" width=\"{1}\" height=\"{2}\" alt=\"{3}: {0} picture\"><figcaption><b>{0}</b>: {4}</figcaption></figure>",
        p.name,
        p.size.0,
        p.size.1,
        escape(design),
        escape(what)
    );
}

/// One row of a datasheet.
struct SheetRow {
    id: &'static str,
    label: String,
    value: String,
    unit: &'static str,
    source: String,
}

fn datasheet_rows(a: &Analysis, text: Option<&str>) -> Vec<SheetRow> {
    let ds: &Design = &a.design;
    let m = &a.metrics;
    let mut rows = Vec::new();
    let mut push =
        |id: &'static str, label: &str, value: String, unit: &'static str, source: String| {
            rows.push(SheetRow {
                id,
                label: label.to_string(),
                value,
                unit,
                source,
            })
        };
    push(
        "kind",
        "device kind",
        ds.device.kind().into(),
        "",
        String::new(),
    );
    push(
        "needle_count",
        "needles",
        ds.device.needle_count().to_string(),
        "",
        String::new(),
    );
    let note = |p: &str| source_note(text, p, DEFAULT_ASSUMED);
    match &ds.device {
        Device::Roller(r) => {
            let mut rings: Vec<u32> = r.needles.iter().map(|n| n.ring).collect();
            rings.sort_unstable();
            rings.dedup();
            push(
                "layout",
                "layout",
                format!(
                    "{} rings on the drum, {} needles in all",
                    rings.len(),
                    r.needles.len()
                ),
                "",
                String::new(),
            );
            let (lo, hi) = r.needles.iter().fold((f64::INFINITY, 0.0f64), |(l, h), n| {
                (l.min(n.length_mm), h.max(n.length_mm))
            });
            push(
                "length",
                "needle length",
                if (hi - lo).abs() < 1e-9 {
                    fmt_num(lo, 2)
                } else {
                    format!("{}–{}", fmt_num(lo, 2), fmt_num(hi, 2))
                },
                "mm",
                source_note(text, "needle.length_mm", "design layout"),
            );
            push(
                "drum",
                "drum diameter × width",
                format!(
                    "{} × {}",
                    fmt_num(r.drum_diameter_mm, 1),
                    fmt_num(r.drum_width_mm, 1)
                ),
                "mm",
                String::new(),
            );
            push(
                "force",
                "stated hand force",
                fmt_num(r.force_n, 2),
                "N",
                note("roller.force_n"),
            );
            push(
                "speed",
                "roll speed",
                fmt_num(r.roll_speed_mm_s, 1),
                "mm/s",
                note("roller.roll_speed_mm_s"),
            );
        }
        Device::Pen(p) => {
            push(
                "layout",
                "layout",
                format!("cartridge of {} needles", p.needles.len()),
                "",
                String::new(),
            );
            let range = if (0.25..=2.5).contains(&p.depth_mm) {
                "within"
            } else {
                "OUTSIDE"
            };
            push(
                "length",
                "needle length (depth setting)",
                fmt_num(p.depth_mm, 2),
                "mm",
                format!("{range} the 0.25–2.5 mm pens offer"),
            );
            push(
                "cartridge",
                "cartridge width",
                fmt_num(p.cartridge_width_mm, 2),
                "mm",
                String::new(),
            );
            push(
                "force",
                "stated drive force per stamp",
                fmt_num(p.drive_force_n, 2),
                "N",
                note("pen.drive_force_n"),
            );
            push(
                "frequency",
                "stamp frequency",
                fmt_num(p.frequency_hz, 1),
                "Hz",
                String::new(),
            );
            push(
                "speed",
                "hand speed",
                fmt_num(p.hand_speed_mm_s, 1),
                "mm/s",
                note("pen.hand_speed_mm_s"),
            );
        }
        Device::Stamp(s) => {
            push(
                "layout",
                "layout",
                format!("array of {} needles", s.needles.len()),
                "",
                String::new(),
            );
            push(
                "length",
                "needle length",
                fmt_num(s.length_mm, 2),
                "mm",
                String::new(),
            );
            push(
                "cartridge",
                "array width",
                fmt_num(s.array_width_mm, 2),
                "mm",
                String::new(),
            );
            push(
                "force",
                "stated press force",
                fmt_num(s.force_n, 2),
                "N",
                note("stamp.force_n"),
            );
            push(
                "step",
                "step between presses",
                fmt_num(s.step_mm, 2),
                "mm",
                String::new(),
            );
        }
    }
    let nd = ds.needle;
    push(
        "diameter",
        "needle diameter",
        fmt_num(nd.diameter_mm, 3),
        "mm",
        String::new(),
    );
    push(
        "tip_length",
        "tip length",
        fmt_num(nd.tip_length_mm, 2),
        "mm",
        note("needle.tip_length_mm"),
    );
    push(
        "tip_radius",
        "tip radius",
        fmt_num(nd.tip_radius_um, 1),
        "µm",
        source_note(
            text,
            "needle.tip_radius_um",
            "default (measured DermaRoller tip, Kalluri 2011)",
        ),
    );
    let layer = m
        .max_depth_mm
        .map(|d| ds.skin.layer_at(d).key().replace('_', " "));
    push(
        "max_depth",
        "maximum insertion depth",
        table::show_metric("max_depth_mm", m.max_depth_mm),
        "mm",
        layer.map_or_else(String::new, |l| {
            format!("reaches the {l} ({} skin)", ds.skin.preset)
        }),
    );
    push(
        "p95_depth",
        "95th percentile depth",
        table::show_metric("p95_depth_mm", m.p95_depth_mm),
        "mm",
        String::new(),
    );
    push(
        "mean_channel_depth",
        "mean channel depth (after withdrawal)",
        table::show_metric("mean_channel_depth_mm", m.mean_channel_depth_mm),
        "mm",
        String::new(),
    );
    push(
        "puncture_rate",
        "puncture rate",
        table::show_metric("puncture_rate_per_s", Some(m.puncture_rate_per_s)),
        "/s",
        String::new(),
    );
    push(
        "density_per_pass",
        "density per pass",
        fmt_num(a.made.density_per_pass_mm2 * 100.0, 1),
        "/cm²",
        "closed form of the device".into(),
    );
    push(
        "density_per_treatment",
        "density per treatment",
        table::show_metric("density_per_cm2", Some(m.density_per_cm2)),
        "/cm²",
        format!("{} passes", ds.treatment.pass_angles_deg.len()),
    );
    push(
        "time",
        "treatment time",
        table::show_metric("time_s", Some(m.time_s)),
        "s",
        String::new(),
    );
    rows
}

fn validation(h: &mut String, v: &ValidationPart) {
    h.push_str("<section class=\"validation\" id=\"validation\">\n<h2>Validation of the depth model</h2>\n");
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
            h.push_str("<div class=\"scroll\"><table class=\"validation\">\n<thead><tr><th>study</th><th>design</th><th>skin</th><th>quantity</th><th>measured µm</th><th>predicted µm</th><th>error</th><th>band µm</th><th>role</th><th>verdict</th></tr></thead>\n<tbody>\n");
            for r in rows.iter() {
                let m = &r.measured;
                let (lo, hi) = m.bounds();
                let measured = match m.sd {
                    Some(sd) => format!("{:.1} ± {:.1}", m.mean * 1000.0, sd * 1000.0),
                    None => format!("{:.1}", m.mean * 1000.0),
                };
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
                    "<tr><td>{study}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1}–{:.1}</td><td>{}</td><td class=\"{class}\">{verdict}</td></tr>",
                    escape(&r.design),
                    escape(&r.skin),
                    escape(m.quantity.label()),
                    measured,
                    r.predicted.map_or("—".into(), |p| format!("{:.1}", p * 1000.0)),
                    r.relative_error.map_or("—".into(), |e| format!("{:+.1} %", e * 100.0)),
                    lo * 1000.0,
                    hi * 1000.0,
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
                if crate::validate::all_pass(rows) {
                    "pass"
                } else {
                    "fail"
                },
                if crate::validate::all_pass(rows) {
                    "Every gating prediction lies in its band."
                } else {
                    "A gating prediction lies outside its band: treat depths with care."
                }
            );
        }
    }
    h.push_str("</section>\n");
}

fn provenance(h: &mut String, r: &Report) {
    h.push_str("<section class=\"provenance\" id=\"provenance\">\n<h2>Provenance</h2>\n");
    let _ = writeln!(
        h,
        "<p>needlemap {} · made {} · command: <code>{}</code></p>",
        super::json::VERSION,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(utc_date(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_date(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc_date(1_798_761_599), "2026-12-31 23:59:59 UTC");
    }

    #[test]
    fn escape_covers_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
    }

    #[test]
    fn keys_are_told_set_assumed_or_default() {
        let text = "[roller]\nforce_n = 3.0 # hand force [A]\nroll_speed_mm_s = 30.0\n[needle]\ndiameter_mm = 0.25\n";
        assert_eq!(
            key_state(Some(text), "roller.force_n"),
            KeyState::SetAssumed
        );
        assert_eq!(
            key_state(Some(text), "roller.roll_speed_mm_s"),
            KeyState::Set
        );
        assert_eq!(
            key_state(Some(text), "needle.tip_length_mm"),
            KeyState::Default
        );
        assert_eq!(key_state(None, "needle.tip_length_mm"), KeyState::Unknown);
    }
}
