//! The differences that matter between analyzed designs, in plain words.

use crate::base::fmt::fmt_num;
use crate::metrics::analysis::Analysis;
use crate::model::registry::{metric_unit, show_metric};
use crate::output::headline::{Headline, Wording, HEADLINES, SAME_REL};
use crate::studies::compare::opening_mm;

/// An opening in words: "round, 0.25 mm across", "nearly round, 0.26 × 0.25 mm",
/// "oval, 0.33 × 0.25 mm" or "0.30 mm slits (0.55 × 0.25 mm)".
pub fn describe_opening(slit_mm: f64, radius_mm: f64) -> String {
    let across = 2.0 * radius_mm;
    if slit_mm < 0.005 {
        format!("round, {} mm across", fmt_num(across, 2))
    } else if slit_mm < 0.2 * across {
        // a slit under a fifth of the width reads as a hole barely longer than wide
        format!(
            "nearly round, {} × {} mm",
            fmt_num(slit_mm + across, 2),
            fmt_num(across, 2)
        )
    } else if slit_mm < across {
        // under twice as long as wide: an oval, as roller holes are described
        format!(
            "oval, {} × {} mm",
            fmt_num(slit_mm + across, 2),
            fmt_num(across, 2)
        )
    } else {
        format!(
            "{} mm slits ({} × {} mm)",
            fmt_num(slit_mm, 2),
            fmt_num(slit_mm + 2.0 * radius_mm, 2),
            fmt_num(2.0 * radius_mm, 2)
        )
    }
}

fn label(a: &Analysis) -> String {
    format!("{} ({})", a.design.name, a.design.device.kind())
}

fn shown(key: &str, a: &Analysis) -> Option<(f64, String)> {
    let v = a.metrics.get(key)?;
    Some((v, show_metric(key, Some(v))))
}

fn with_unit(key: &str, s: &str) -> String {
    match metric_unit(key).0 {
        "" => s.to_string(),
        "%" => format!("{s} %"),
        "/cm²" => format!("{s}/cm²"),
        u => format!("{s} {u}"),
    }
}

/// One sentence on the designs with the highest and the lowest value of `key`, or on their
/// being the same. A ratio is given when it says something (≥ 1.1×).
fn extreme(analyses: &[&Analysis], h: &Headline) -> Option<String> {
    let (key, (what, wording)) = (h.key, h.difference);
    let vals: Vec<(usize, f64, String)> = analyses
        .iter()
        .enumerate()
        .filter_map(|(i, a)| shown(key, a).map(|(v, s)| (i, v, s)))
        .collect();
    if vals.len() < 2 {
        return None;
    }
    let hi = vals
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("two values");
    let lo = vals
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("two values");
    if hi.2 == lo.2 {
        return Some(format!("same {what}: {}", with_unit(key, &hi.2)));
    }
    if hi.1 - lo.1 <= SAME_REL * hi.1.abs().max(lo.1.abs()) {
        return Some(format!(
            "about the same {}: {} and {} (within {} %, the seeds' noise; compare --runs N tests it)",
            h.noun,
            with_unit(key, &hi.2),
            with_unit(key, &lo.2),
            fmt_num(SAME_REL * 100.0, 0)
        ));
    }
    let r = if lo.1 > 0.0 {
        hi.1 / lo.1
    } else {
        f64::INFINITY
    };
    let times = if r.is_finite() {
        format!("{}×", fmt_num(r, 1))
    } else {
        String::new()
    };
    // every design that reads the same as the highest (lowest) shares the sentence
    let tied = |shown: &str| -> String {
        let names: Vec<&str> = vals
            .iter()
            .filter(|v| v.2 == shown)
            .map(|v| analyses[v.0].design.name.as_str())
            .collect();
        names.join(" and ")
    };
    let (hn, ln) = (tied(&hi.2), tied(&lo.2));
    let (hv, lv) = (with_unit(key, &hi.2), with_unit(key, &lo.2));
    let tail = if r >= 1.1 && r.is_finite() {
        format!(" ({times})")
    } else {
        String::new()
    };
    Some(match wording {
        Wording::Larger if r >= 1.1 && r.is_finite() => {
            format!("{what} {times} larger with {hn} ({hv}) than with {ln} ({lv})")
        }
        Wording::Larger => format!("{what} larger with {hn} ({hv}) than with {ln} ({lv})"),
        Wording::Most => format!("{what}: {hn}, {hv} against {lv} with {ln}{tail}"),
        Wording::Least => format!("{what}: {ln}, {lv} against {hv} with {hn}{tail}"),
    })
}

/// The differences that matter between analyzed designs, in plain words: opening shape,
/// density, skin opened and reached, largest untreated gap, depth, uniformity, overlap and
/// time. Designs whose every metric reads the same are said to match.
///
/// # Examples
/// ```no_run
/// use needlemap::{base::progress::Silent, design::Design, metrics::analysis, output::compare};
/// let a = analysis::analyze(&Design::load("designs/pen-12-110.toml".as_ref()).unwrap(), &Silent).unwrap();
/// assert!(compare::differences(&[&a, &a])[0].contains("match"));
/// ```
pub fn differences(analyses: &[&Analysis]) -> Vec<String> {
    let mut out = Vec::new();
    if analyses.len() < 2 {
        return out;
    }
    let same = crate::model::registry::METRICS.iter().all(|m| {
        let first = show_metric(m.key, (m.get)(&analyses[0].metrics));
        analyses
            .iter()
            .all(|a| show_metric(m.key, (m.get)(&a.metrics)) == first)
    }) && analyses.iter().all(|a| a.layers == analyses[0].layers);
    if same {
        let names: Vec<&str> = analyses.iter().map(|a| a.design.name.as_str()).collect();
        out.push(format!(
            "{} match: every metric is the same",
            names.join(" and ")
        ));
    }
    let shapes: Vec<String> = analyses
        .iter()
        .map(|a| match opening_mm(a) {
            Some((l, r)) => format!("{} openings are {}", label(a), describe_opening(l, r)),
            None => format!("{} makes no opening", label(a)),
        })
        .collect();
    out.push(shapes.join("; "));
    if same {
        return out;
    }
    let lines = HEADLINES.iter().map(|h| extreme(analyses, h));
    out.extend(lines.into_iter().flatten());
    out
}
