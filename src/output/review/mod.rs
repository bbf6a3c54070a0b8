//! The review report: one self-contained HTML page (`needlemap report`) with a summary table
//! of every design ([`summary`]), a datasheet per design with its pictures and, with
//! `--runs`, its Monte Carlo summary ([`datasheet`], [`mc`]), the roller-vs-pen comparison at
//! equal density, the validation table and the provenance ([`provenance`]); given an
//! optimisation, its search and Pareto front first ([`optimise`]), the front's designs among
//! the datasheets.
//!
//! The page reads only what [`crate::metrics::analysis::analyze`] computed (the same
//! [`Analysis`](crate::metrics::analysis::Analysis) the JSON record serializes), formats every metric
//! with the registry's table units and decimals ([`crate::model::registry::show_metric`]),
//! and embeds its style sheet ([`css`]) and every picture as a data URI at the width it is
//! shown ([`embed`]): no script, no network, readable in a browser and in print (each
//! design's section starts a page; pictures are never cut).
//!
//! Like every serializer here it returns bytes; writing is [`crate::base::outdir::write_atomic`].

pub mod css;
pub mod datasheet;
pub mod embed;
pub mod mc;
pub mod optimise;
pub mod provenance;
pub mod summary;

pub use summary::{spec_verdicts, SpecVerdict};

pub use embed::Embedded;

use crate::studies::mc::Study;
use crate::studies::validation::Row;
use std::fmt::Write as _;

/// One design of the report: its analysis, its pictures and the text of its design file.
pub struct DesignPart<'a> {
    /// The analysis, as `analyze` computed it.
    pub analysis: &'a crate::metrics::analysis::Analysis,
    /// Its pictures ([`crate::output::plot::render_all`]), embedded ([`embed::embed`]).
    pub pictures: &'a [Embedded],
    /// The design file's text, to tell keys the file sets from defaults; `None` when unknown.
    pub file_text: Option<&'a str>,
    /// Its Monte Carlo study (`--runs`), if one was run.
    pub mc: Option<McPart<'a>>,
}

/// A design's Monte Carlo study and its picture ([`crate::output::plot::mc::render`]).
pub struct McPart<'a> {
    /// The study.
    pub study: &'a Study,
    /// Its picture ([`crate::output::plot::mc::render`]), embedded.
    pub picture: &'a Embedded,
}

/// An optimisation (`report --optimise FILE`): the search, its outcome and its picture.
pub struct OptimisePart<'a> {
    /// The optimisation file, checked.
    pub optimise: &'a crate::studies::optimise::Optimise,
    /// The search's outcome.
    pub outcome: &'a crate::studies::optimise::Outcome,
    /// The trade-off picture ([`crate::output::plot::pareto::render`]), embedded.
    pub picture: Option<&'a Embedded>,
    /// The candidates (indices) whose datasheets the page holds.
    pub shown: Vec<usize>,
}

/// The roller-vs-pen comparison: compare's table text and its picture.
pub struct ComparePart<'a> {
    /// What `needlemap compare` prints ([`crate::output::compare::render`]).
    pub text: &'a str,
    /// The comparison picture, embedded.
    pub picture: &'a Embedded,
}

/// The validation section: rows, or why there are none.
pub enum ValidationPart<'a> {
    /// The rows of [`crate::studies::validation::validate`] and the folder they came from.
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
    /// The optimisation, when the report was given one.
    pub optimise: Option<OptimisePart<'a>>,
    /// The roller–pen comparisons (none unless the designs include a roller and a pen).
    pub compare: Vec<ComparePart<'a>>,
    /// Which pairs were compared, in words.
    pub compare_rule: &'a str,
    /// The validation table.
    pub validation: ValidationPart<'a>,
    /// Provenance of the run.
    pub run: RunInfo<'a>,
}

/// HTML-escapes text ([`crate::base::fmt::escape_markup`]).
pub fn escape(s: &str) -> String {
    crate::base::fmt::escape_markup(s)
}

/// `YYYY-MM-DD HH:MM:SS UTC` of seconds since the Unix epoch.
///
/// # Examples
/// ```
/// assert_eq!(needlemap::output::review::utc_date(0), "1970-01-01 00:00:00 UTC");
/// assert_eq!(needlemap::output::review::utc_date(1_700_000_000), "2023-11-14 22:13:20 UTC");
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

/// Writes a `<figure>` of an embedded picture.
fn figure(h: &mut String, e: &Embedded, design: &str, what: &str) {
    let _ = writeln!(
        h,
        "<figure data-picture=\"{0}\"><img src=\"{1}\" width=\"{2}\" height=\"{3}\" alt=\"{4}: {0} picture\"><figcaption><b>{0}</b>: {5}</figcaption></figure>",
        e.name,
        e.uri,
        e.size.0,
        e.size.1,
        escape(design),
        escape(what)
    );
}

/// The page, as bytes.
pub fn render(r: &Report) -> Vec<u8> {
    let mut h = String::with_capacity(1 << 22);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let names: Vec<&str> = r
        .designs
        .iter()
        .map(|d| d.analysis.design.name.as_str())
        .collect();
    let titled: Vec<&str> = r
        .optimise
        .iter()
        .map(|o| o.optimise.sweep.name.as_str())
        .chain(names.iter().copied())
        .collect();
    let _ = writeln!(
        h,
        "<title>needlemap review: {}</title>",
        escape(&titled.join(", "))
    );
    let _ = writeln!(h, "<style>{}</style>\n</head>\n<body>", css::CSS);
    let _ = writeln!(
        h,
        "<header><h1>Microneedle design review</h1><p class=\"lead\">{} design{} · needlemap {} · {}</p>",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        super::json::VERSION,
        escape(r.run.date_utc)
    );
    toc(&mut h, r, &names);
    h.push_str("</header>\n");
    if let Some(o) = &r.optimise {
        optimise::write(&mut h, o);
    }
    summary::write(&mut h, r);
    for d in &r.designs {
        datasheet::write(&mut h, d);
    }
    if !r.compare.is_empty() {
        h.push_str(
            "<section class=\"compare\" id=\"compare\">\n<h2>Roller vs pen at equal density</h2>\n",
        );
        let _ = writeln!(h, "<p>What <code>needlemap compare ROLLER PEN</code> prints for {}: the pen brought to the roller's density by its hand speed, the roller to the pen's density by its passes, each analyzed there.</p>", escape(r.compare_rule));
        for c in &r.compare {
            let _ = writeln!(h, "<div class=\"pair\"><pre>{}</pre>", escape(c.text));
            let what = "coverage maps on one scale and key metrics, at equal density below";
            figure(&mut h, c.picture, "comparison", what);
            h.push_str("</div>\n");
        }
        h.push_str("</section>\n");
    }
    provenance::validation(&mut h, &r.validation);
    provenance::provenance(&mut h, r);
    h.push_str("</body>\n</html>\n");
    h.into_bytes()
}

/// The page's contents: the summary, each design, the comparison, validation, provenance.
fn toc(h: &mut String, r: &Report, names: &[&str]) {
    h.push_str("<nav class=\"toc\">");
    if r.optimise.is_some() {
        h.push_str("<a href=\"#optimise\">optimisation</a>");
    }
    h.push_str("<a href=\"#summary\">summary</a>");
    for n in names {
        let _ = write!(h, "<a href=\"#design-{0}\">{0}</a>", escape(n));
    }
    if !r.compare.is_empty() {
        h.push_str("<a href=\"#compare\">roller vs pen</a>");
    }
    h.push_str(
        "<a href=\"#validation\">validation</a><a href=\"#provenance\">provenance</a></nav>\n",
    );
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
}
