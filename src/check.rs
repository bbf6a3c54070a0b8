//! The CI regression gate: a baseline CSV of every design's metrics, and the comparison of a
//! fresh analysis with it, metric by metric, within a tolerance.
//!
//! Teams keep roller designs in git and want CI to fail when a change — to a design or to the
//! tool — moves a metric, and to say exactly which. `needlemap baseline` writes
//! [`baseline_csv`]; `needlemap check` reads it back with [`parse_baseline`] (every error names
//! the line at fault), recomputes the designs, and [`compare`]s. The report is serialized as a
//! terminal table ([`Report::table`]), JSON ([`Report::json`]) or JUnit XML ([`Report::junit`]);
//! each serializer returns bytes and writing them is the caller's business.
//!
//! # The baseline file
//! One row per design: `name`, every metric of the [registry](crate::metrics::registry)
//! written exactly as summary.csv writes it (its `decimals`, an empty cell for an undefined
//! metric), then the provenance: `tool_version`, `design_sha256` (of the design file's
//! bytes), `seed` and `resolution_um` (the raster pitch used).
//!
//! # How a metric is compared
//! The fresh value is first written the way the baseline writes it and read back, so an
//! unchanged design compares as exactly equal (change 0), not as "equal to 6 decimals".
//! A metric passes when `|now − baseline| ≤ max(REL × |baseline|, step)`, where REL is the
//! metric's relative tolerance (default below, `--tolerance METRIC=REL` to change it) and
//! `step` is one unit in the last written decimal (none for `channels`, an integer count).
//! The step exists because a value that lies on a rounding boundary may be written with a
//! different last digit by a tool built elsewhere; it is the resolution of the file itself,
//! and no tolerance can ask for less.
//!
//! An undefined metric (no channel in the region; an empty cell) equals an undefined metric.
//! Undefined against a number is always a change, whatever the tolerance: the design went
//! from making channels in the region to making none, or the reverse.
//!
//! # Default tolerances, and why
//! The engine is deterministic: one portable seeded RNG (ChaCha8), portable transcendental
//! functions (the `libm` crate, not the platform's), integer and fixed-point sums that do not
//! depend on how the work is split, and an exact Euclidean distance transform. The same design, seed and resolution give
//! byte-identical results for any thread count and machine, so every default is tight — any
//! movement beyond the last written digit is a real change in the design or in the tool:
//!
//! Each metric's default and its reason are in the registry
//! ([`MetricInfo::tolerance_rel`](crate::metrics::registry::MetricInfo::tolerance_rel) and
//! `tolerance_why`); today every default is 0 for the reasons above.
//!
//! Loosen one on purpose (`--tolerance coverage_fraction=0.01` allows 1 %), e.g. while a
//! tool change that is expected to move a metric slightly is reviewed.
//!
//! Analyzing at another `--resolution-um` or `--seed` than the baseline's is allowed, and the
//! report says so next to the design: the area metrics depend on the raster pitch (the model
//! allows 0.002 of coverage and one pitch of gap between a pitch and its half), and every
//! metric on the seed.

use crate::analysis::Analysis;
use crate::metrics::registry::{self, MetricInfo, METRICS};
use crate::report::json::{TOOL, VERSION};
use crate::report::{fmt_num, fmt_opt, CsvBytes};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Provenance columns of the baseline, after the metrics.
pub const PROVENANCE_COLUMNS: [&str; 4] =
    ["tool_version", "design_sha256", "seed", "resolution_um"];

/// A baseline file that cannot be used. Every variant names the file and, where one is at
/// fault, its line.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file could not be read (missing, not a regular file, too large); the OS's reason
    /// is `source()`, not repeated in the message.
    #[error("{path}: cannot read the baseline")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Something wrong at a line.
    #[error("{path}:{line}: {problem}")]
    Line {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What is wrong and what would be valid.
        problem: String,
    },
}

/// One baseline row: a design's metrics and how they were obtained.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BaselineRow {
    /// 1-based line in the baseline file (0 for a fresh analysis).
    #[serde(skip)]
    pub line: u64,
    /// Design name.
    pub name: String,
    /// Every metric in registry order, as written (rounded to its `decimals`).
    #[serde(skip)]
    pub values: Vec<Option<f64>>,
    /// needlemap version that computed the row.
    pub tool_version: String,
    /// SHA-256 of the design file's bytes, lower-case hex.
    pub design_sha256: String,
    /// RNG seed used.
    pub seed: u64,
    /// Raster pitch used, µm.
    pub resolution_um: f64,
}

impl BaselineRow {
    /// The row a baseline would hold for this analysis: values rounded exactly as written.
    pub fn from_analysis(a: &Analysis) -> BaselineRow {
        let values = a
            .metrics
            .values()
            .map(|(m, v)| {
                let s = fmt_opt(v, m.decimals);
                (!s.is_empty()).then(|| s.parse::<f64>().expect("a formatted number reads back"))
            })
            .collect();
        BaselineRow {
            line: 0,
            name: a.design.name.clone(),
            values,
            tool_version: VERSION.to_string(),
            design_sha256: a.design.source.sha256.clone(),
            seed: a.design.treatment.seed,
            resolution_um: a.design.analysis.resolution_um,
        }
    }

    /// The row's cells, in [`header`] order.
    pub fn cells(&self) -> Vec<String> {
        let mut r = vec![self.name.clone()];
        r.extend(
            METRICS
                .iter()
                .zip(&self.values)
                .map(|(m, v)| fmt_opt(*v, m.decimals)),
        );
        r.push(self.tool_version.clone());
        r.push(self.design_sha256.clone());
        r.push(self.seed.to_string());
        r.push(self.resolution_um.to_string());
        r
    }
}

/// The baseline header: `name`, every metric, the provenance columns.
pub fn header() -> Vec<&'static str> {
    let mut h = vec!["name"];
    h.extend(registry::keys());
    h.extend(PROVENANCE_COLUMNS);
    h
}

/// The baseline CSV for these rows.
///
/// # Examples
/// ```
/// use needlemap::check::{baseline_csv, parse_baseline, BaselineRow};
/// let row = BaselineRow {
///     line: 0,
///     name: "a".into(),
///     values: vec![Some(1.0); 12],
///     tool_version: "0.1.0".into(),
///     design_sha256: "0".repeat(64),
///     seed: 1,
///     resolution_um: 10.0,
/// };
/// let bytes = baseline_csv(&[row.clone()]);
/// let back = parse_baseline("b.csv".as_ref(), &bytes).unwrap();
/// assert_eq!(back.rows[0].values, row.values);
/// ```
pub fn baseline_csv(rows: &[BaselineRow]) -> Vec<u8> {
    let mut w = CsvBytes::new();
    w.row(header());
    for r in rows {
        w.row(r.cells());
    }
    w.into_bytes()
}

/// A parsed baseline file.
#[derive(Clone, Debug)]
pub struct Baseline {
    /// The file.
    pub path: PathBuf,
    /// Its rows, in file order.
    pub rows: Vec<BaselineRow>,
}

impl Baseline {
    /// The row of the design called `name`.
    pub fn row(&self, name: &str) -> Option<&BaselineRow> {
        self.rows.iter().find(|r| r.name == name)
    }
}

/// Reads and parses a baseline file.
pub fn read_baseline(path: &Path) -> Result<Baseline, BaselineError> {
    let bytes =
        crate::input::read_regular(path, crate::input::MAX_INPUT_BYTES).map_err(|source| {
            BaselineError::Read {
                path: path.to_path_buf(),
                source,
            }
        })?;
    parse_baseline(path, &bytes)
}

/// Parses a baseline; `path` names it in errors. Columns may come in any order, but every
/// column of [`header`] must be present once and no other.
pub fn parse_baseline(path: &Path, bytes: &[u8]) -> Result<Baseline, BaselineError> {
    let err = |line: u64, problem: String| BaselineError::Line {
        path: path.to_path_buf(),
        line,
        problem,
    };
    let regenerate = "regenerate it with `needlemap baseline DESIGN... --output FILE`";
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(err(
            1,
            format!(
                "the baseline is empty; it needs a header and one row per design ({regenerate})"
            ),
        ));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let head = rdr.headers().map_err(|e| csv_error(path, &e))?.clone();
    let wanted = header();
    let mut col = vec![usize::MAX; wanted.len()];
    for (i, h) in head.iter().enumerate() {
        let Some(k) = wanted.iter().position(|w| *w == h) else {
            return Err(err(
                1,
                format!(
                    "unknown column `{h}`; a baseline has the columns {}",
                    wanted.join(",")
                ),
            ));
        };
        if col[k] != usize::MAX {
            return Err(err(1, format!("column `{h}` appears twice")));
        }
        col[k] = i;
    }
    if let Some(k) = col.iter().position(|&c| c == usize::MAX) {
        return Err(err(1, format!("the header lacks the column `{}` (is this a baseline made by `needlemap baseline`? {regenerate})", wanted[k])));
    }
    let mut rows: Vec<BaselineRow> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_error(path, &e))?;
        let line = rec.position().map_or(0, |p| p.line());
        let cell = |k: usize| rec.get(col[k]).unwrap_or("");
        let name = cell(0).to_string();
        if name.is_empty() {
            return Err(err(
                line,
                "the `name` cell is empty; every row names a design".into(),
            ));
        }
        if let Some(prev) = rows.iter().find(|r| r.name == name) {
            return Err(err(
                line,
                format!(
                    "design `{name}` already has a row at line {}; one row per design",
                    prev.line
                ),
            ));
        }
        let mut values = Vec::with_capacity(METRICS.len());
        for (i, m) in METRICS.iter().enumerate() {
            let s = cell(1 + i);
            values.push(
                parse_metric(m, s).map_err(|p| err(line, format!("`{}` = `{s}`: {p}", m.key)))?,
            );
        }
        let p0 = 1 + METRICS.len();
        let tool_version = cell(p0).to_string();
        if tool_version.is_empty() {
            return Err(err(line, "`tool_version` is empty; expected the needlemap version that made the row, e.g. 0.1.0".into()));
        }
        let sha = cell(p0 + 1);
        if sha.len() != 64
            || !sha
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(err(
                line,
                format!("`design_sha256` = `{sha}`: expected 64 lower-case hex digits"),
            ));
        }
        let s = cell(p0 + 2);
        let seed = s.parse::<u64>().map_err(|_| {
            err(
                line,
                format!(
                    "`seed` = `{s}`: expected a whole number from 0 to {}",
                    u64::MAX
                ),
            )
        })?;
        let s = cell(p0 + 3);
        let resolution_um = s
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x > 0.0)
            .ok_or_else(|| {
                err(
                    line,
                    format!("`resolution_um` = `{s}`: expected a number of µm greater than 0"),
                )
            })?;
        rows.push(BaselineRow {
            line,
            name,
            values,
            tool_version,
            design_sha256: sha.to_string(),
            seed,
            resolution_um,
        });
    }
    Ok(Baseline {
        path: path.to_path_buf(),
        rows,
    })
}

fn csv_error(path: &Path, e: &csv::Error) -> BaselineError {
    let line = e.position().map_or(0, |p| p.line());
    let problem = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("the row has {len} cells where the header has {expected_len} (is the file truncated or a comma missing?)")
        }
        csv::ErrorKind::Utf8 { .. } => {
            "not UTF-8 text; a baseline is a CSV file written by `needlemap baseline`".to_string()
        }
        _ => e.to_string(),
    };
    BaselineError::Line {
        path: path.to_path_buf(),
        line: line.max(1),
        problem,
    }
}

fn parse_metric(m: &MetricInfo, s: &str) -> Result<Option<f64>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    let x: f64 = s.parse().map_err(|_| {
        "not a number; expected a number, or an empty cell for an undefined metric".to_string()
    })?;
    if !x.is_finite() {
        return Err("expected a finite number, or an empty cell for an undefined metric".into());
    }
    if m.is_count() && (x < 0.0 || x.fract() != 0.0) {
        return Err(format!("expected a whole number of {}, 0 or more", m.key));
    }
    Ok(Some(x))
}

/// The relative tolerance of every metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Tolerances {
    /// In registry order.
    rel: Vec<f64>,
}

impl Default for Tolerances {
    /// Each metric's default from the registry.
    fn default() -> Self {
        Tolerances {
            rel: METRICS.iter().map(|m| m.tolerance_rel).collect(),
        }
    }
}

impl Tolerances {
    /// The relative tolerance of `key`.
    pub fn rel(&self, key: &str) -> f64 {
        METRICS
            .iter()
            .position(|m| m.key == key)
            .map_or(0.0, |i| self.rel[i])
    }

    /// Sets the relative tolerance of `key`.
    pub fn set(&mut self, key: &str, rel: f64) -> Result<(), String> {
        let Some(i) = METRICS.iter().position(|m| m.key == key) else {
            return Err(format!(
                "unknown metric `{key}`; the metrics are {}",
                registry::key_list()
            ));
        };
        if !(rel.is_finite() && rel >= 0.0) {
            return Err(format!("`{key}={rel}`: REL must be a finite number, 0 or more, a fraction of the baseline value (0.01 is 1 %)"));
        }
        self.rel[i] = rel;
        Ok(())
    }
}

/// Parses `METRIC=REL` (REL a fraction: 0.01 is 1 %).
///
/// # Examples
/// ```
/// use needlemap::check::parse_tolerance;
/// assert_eq!(parse_tolerance("max_gap_mm=0.05"), Ok(("max_gap_mm", 0.05)));
/// assert!(parse_tolerance("gap=0.05").is_err());
/// assert!(parse_tolerance("max_gap_mm=-1").is_err());
/// ```
pub fn parse_tolerance(arg: &str) -> Result<(&'static str, f64), String> {
    let Some((key, rel)) = arg.split_once('=') else {
        return Err(format!(
            "`{arg}`: expected METRIC=REL, e.g. coverage_fraction=0.01 (1 %)"
        ));
    };
    let (key, rel) = (key.trim(), rel.trim());
    let Some(k) = registry::metric(key).map(|m| m.key) else {
        return Err(format!(
            "unknown metric `{key}`; the metrics are {}",
            registry::key_list()
        ));
    };
    let x = rel.parse::<f64>().unwrap_or(f64::NAN);
    Tolerances::default().set(k, x).map_err(|_| format!("`{key}={rel}`: REL must be a finite number, 0 or more, a fraction of the baseline value (0.01 is 1 %)"))?;
    Ok((k, x))
}

/// One unit in the last decimal the baseline writes `key` with; 0 for integer counts.
pub fn step(key: &str) -> f64 {
    registry::metric(key).map_or(0.0, MetricInfo::step)
}

/// Decimals the baseline writes `key` with.
fn decimals(key: &str) -> usize {
    registry::metric(key).map_or(6, |m| m.decimals)
}

/// One metric of one design, compared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricCheck {
    /// Metric key.
    pub metric: &'static str,
    /// Baseline value; `None` if undefined.
    pub baseline: Option<f64>,
    /// Value now; `None` if undefined.
    pub now: Option<f64>,
    /// now − baseline; `None` when either is undefined.
    pub change: Option<f64>,
    /// (now − baseline) / |baseline|; `None` when either is undefined or the baseline is 0.
    pub relative_change: Option<f64>,
    /// Relative tolerance applied.
    pub tolerance_rel: f64,
    /// The largest change allowed, max(REL × |baseline|, step); `None` when the baseline is
    /// undefined.
    pub allowed_change: Option<f64>,
    /// Whether the metric is within tolerance.
    pub within: bool,
}

impl MetricCheck {
    /// Compares one metric.
    pub fn new(
        metric: &'static str,
        baseline: Option<f64>,
        now: Option<f64>,
        tolerance_rel: f64,
    ) -> MetricCheck {
        let allowed = baseline.map(|b| (tolerance_rel * b.abs()).max(step(metric)));
        let (change, relative_change, within) = match (baseline, now) {
            (None, None) => (None, None, true),
            (Some(b), Some(n)) => {
                // In units of the last written decimal, where both values are whole numbers,
                // so "one digit" is exactly one and not 0.99999 or 1.00001.
                let scale = 10f64.powi(decimals(metric) as i32);
                let diff_units = ((n * scale).round() - (b * scale).round()).abs();
                let allowed_units = allowed.expect("baseline is defined") * scale;
                let within = diff_units <= allowed_units + 1e-6;
                (Some(n - b), (b != 0.0).then(|| (n - b) / b.abs()), within)
            }
            _ => (None, None, false),
        };
        MetricCheck {
            metric,
            baseline,
            now,
            change,
            relative_change,
            tolerance_rel,
            allowed_change: allowed,
            within,
        }
    }
}

/// Something about a design worth saying beside its numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Note {
    /// The design file's bytes differ from the baseline's.
    DesignChanged {
        /// SHA-256 in the baseline.
        baseline: String,
        /// SHA-256 now.
        now: String,
    },
    /// Analyzed with another seed.
    Seed {
        /// Seed in the baseline.
        baseline: u64,
        /// Seed now.
        now: u64,
    },
    /// Analyzed at another raster pitch.
    Resolution {
        /// Pitch in the baseline, µm.
        baseline_um: f64,
        /// Pitch now, µm.
        now_um: f64,
    },
    /// The baseline was made by another needlemap version.
    ToolVersion {
        /// Version in the baseline.
        baseline: String,
        /// This version.
        now: String,
    },
}

impl Note {
    /// A few words for the table's note column; the full text is the `Display` form.
    pub fn short(&self) -> String {
        match self {
            Note::DesignChanged { .. } => "design file changed".to_string(),
            Note::Seed { baseline, now } => format!("seed {now} (baseline {baseline})"),
            Note::Resolution {
                baseline_um,
                now_um,
            } => format!("at {now_um} µm (baseline {baseline_um} µm)"),
            Note::ToolVersion { baseline, now } => format!("needlemap {now} (baseline {baseline})"),
        }
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::DesignChanged { baseline, now } => {
                write!(
                    f,
                    "design file changed since the baseline (sha256 {}… → {}…)",
                    &baseline[..8.min(baseline.len())],
                    &now[..8.min(now.len())]
                )
            }
            Note::Seed { baseline, now } => write!(f, "seed {now}, the baseline used {baseline}"),
            Note::Resolution {
                baseline_um,
                now_um,
            } => {
                write!(f, "analyzed at {now_um} µm, the baseline at {baseline_um} µm: the area metrics depend on the pitch")
            }
            Note::ToolVersion { baseline, now } => {
                write!(f, "baseline made by needlemap {baseline}, this is {now}")
            }
        }
    }
}

/// One design, compared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DesignCheck {
    /// Design name.
    pub name: String,
    /// Design file as given.
    pub design_file: String,
    /// Line of its row in the baseline.
    pub baseline_line: u64,
    /// Whether the design file's hash differs from the baseline's.
    pub design_changed: bool,
    /// What differs in provenance.
    pub notes: Vec<Note>,
    /// Every metric, in registry order.
    pub metrics: Vec<MetricCheck>,
}

impl DesignCheck {
    /// The metrics outside tolerance.
    pub fn moved(&self) -> impl Iterator<Item = &MetricCheck> {
        self.metrics.iter().filter(|m| !m.within)
    }
}

/// Compares a fresh row (see [`BaselineRow::from_analysis`]) with the baseline's.
pub fn compare(
    baseline: &BaselineRow,
    now: &BaselineRow,
    design_file: &str,
    tol: &Tolerances,
) -> DesignCheck {
    let metrics = METRICS
        .iter()
        .enumerate()
        .map(|(i, m)| MetricCheck::new(m.key, baseline.values[i], now.values[i], tol.rel(m.key)))
        .collect();
    let mut notes = Vec::new();
    let design_changed = baseline.design_sha256 != now.design_sha256;
    if design_changed {
        notes.push(Note::DesignChanged {
            baseline: baseline.design_sha256.clone(),
            now: now.design_sha256.clone(),
        });
    }
    if baseline.seed != now.seed {
        notes.push(Note::Seed {
            baseline: baseline.seed,
            now: now.seed,
        });
    }
    if baseline.resolution_um != now.resolution_um {
        notes.push(Note::Resolution {
            baseline_um: baseline.resolution_um,
            now_um: now.resolution_um,
        });
    }
    if baseline.tool_version != now.tool_version {
        notes.push(Note::ToolVersion {
            baseline: baseline.tool_version.clone(),
            now: now.tool_version.clone(),
        });
    }
    DesignCheck {
        name: now.name.clone(),
        design_file: design_file.to_string(),
        baseline_line: baseline.line,
        design_changed,
        notes,
        metrics,
    }
}

/// A whole check: every design compared with the baseline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The baseline file.
    pub baseline: String,
    /// One per design checked, in the order given.
    pub designs: Vec<DesignCheck>,
    /// Baseline rows that no checked design matched.
    pub unmatched_rows: Vec<UnmatchedRow>,
}

/// A baseline row whose design was not checked (a warning, not a failure: a run may check
/// some of the designs).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnmatchedRow {
    /// 1-based line in the baseline.
    pub line: u64,
    /// Design name in that row.
    pub name: String,
}

impl Baseline {
    /// The rows of designs not among `checked` (names), in file order.
    pub fn unmatched<'a>(
        &self,
        checked: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Vec<UnmatchedRow> {
        self.rows
            .iter()
            .filter(|r| !checked.clone().into_iter().any(|n| n == r.name))
            .map(|r| UnmatchedRow {
                line: r.line,
                name: r.name.clone(),
            })
            .collect()
    }
}

#[derive(Serialize)]
struct ReportJson<'a> {
    tool: &'static str,
    version: &'static str,
    passed: bool,
    moved: usize,
    #[serde(flatten)]
    report: &'a Report,
}

impl Report {
    /// Metrics outside tolerance, over every design.
    pub fn moved(&self) -> usize {
        self.designs.iter().map(|d| d.moved().count()).sum()
    }

    /// Whether every metric of every design is within tolerance.
    pub fn passed(&self) -> bool {
        self.moved() == 0
    }

    /// The terminal report: on success one line; otherwise a table of the moved metrics —
    /// design, metric, baseline, now, change, tolerance, note — and a summary line.
    pub fn table(&self) -> String {
        let metrics: usize = self.designs.iter().map(|d| d.metrics.len()).sum();
        let moved = self.moved();
        if moved == 0 {
            return format!(
                "check passed: {metrics} metrics of {} design(s) within tolerance of {}\n",
                self.designs.len(),
                self.baseline
            );
        }
        let mut rows = vec![[
            "design",
            "metric",
            "baseline",
            "now",
            "change",
            "tolerance",
            "note",
        ]
        .map(String::from)
        .to_vec()];
        for d in &self.designs {
            let note = d
                .notes
                .iter()
                .map(Note::short)
                .collect::<Vec<_>>()
                .join("; ");
            for m in d.moved() {
                rows.push(vec![
                    d.name.clone(),
                    m.metric.to_string(),
                    show(m.metric, m.baseline),
                    show(m.metric, m.now),
                    show_change(m),
                    show_tolerance(m),
                    note.clone(),
                ]);
            }
        }
        // names left, numbers right, the note left
        let mut out = crate::report::table::render_with(&rows, |i, ncol| i < 2 || i == ncol - 1);
        let designs = self
            .designs
            .iter()
            .filter(|d| d.moved().next().is_some())
            .count();
        let _ = writeln!(out, "check failed: {moved} of {metrics} metrics moved outside tolerance in {designs} of {} design(s) (baseline {})", self.designs.len(), self.baseline);
        out
    }

    /// The JSON report, pretty-printed, newline-terminated.
    pub fn json(&self) -> Vec<u8> {
        let doc = ReportJson {
            tool: TOOL,
            version: VERSION,
            passed: self.passed(),
            moved: self.moved(),
            report: self,
        };
        let mut v = serde_json::to_vec_pretty(&doc).expect("serializing plain data cannot fail");
        v.push(b'\n');
        v
    }

    /// JUnit XML: a test suite per design, a test case per metric, a `<failure>` for each
    /// metric outside tolerance.
    pub fn junit(&self) -> Vec<u8> {
        let total: usize = self.designs.iter().map(|d| d.metrics.len()).sum();
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            x,
            "<testsuites name=\"needlemap check\" tests=\"{total}\" failures=\"{}\" errors=\"0\">",
            self.moved()
        );
        for d in &self.designs {
            let _ = writeln!(
                x,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
                esc(&d.name),
                d.metrics.len(),
                d.moved().count()
            );
            let _ = writeln!(x, "    <properties>");
            let _ = writeln!(
                x,
                "      <property name=\"design_file\" value=\"{}\"/>",
                esc(&d.design_file)
            );
            let _ = writeln!(
                x,
                "      <property name=\"baseline\" value=\"{}:{}\"/>",
                esc(&self.baseline),
                d.baseline_line
            );
            for n in &d.notes {
                let _ = writeln!(
                    x,
                    "      <property name=\"note\" value=\"{}\"/>",
                    esc(&n.to_string())
                );
            }
            let _ = writeln!(x, "    </properties>");
            // CI systems split a classname at its last dot into package and class, so the
            // dots of a name like "cit8-0.5" become underscores there (the suite keeps the name).
            let class = format!("needlemap_check.{}", esc(&d.name.replace('.', "_")));
            for m in &d.metrics {
                let name = format!("name=\"{}\" classname=\"{class}\"", m.metric);
                if m.within {
                    let _ = writeln!(x, "    <testcase {name}/>");
                    continue;
                }
                let mut msg = format!(
                    "{} moved: baseline {}, now {}, change {}, tolerance {}",
                    m.metric,
                    show(m.metric, m.baseline),
                    show(m.metric, m.now),
                    show_change(m),
                    show_tolerance(m)
                );
                for n in &d.notes {
                    msg.push_str("; ");
                    msg.push_str(&n.to_string());
                }
                let _ = writeln!(x, "    <testcase {name}>");
                let _ = writeln!(
                    x,
                    "      <failure type=\"metric moved\" message=\"{}\">{}</failure>",
                    esc(&msg),
                    esc(&msg)
                );
                let _ = writeln!(x, "    </testcase>");
            }
            let _ = writeln!(x, "  </testsuite>");
        }
        x.push_str("</testsuites>\n");
        x.into_bytes()
    }
}

/// Escapes text for XML attributes and content.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // Control characters other than tab and newline are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => o.push('?'),
            c => o.push(c),
        }
    }
    o
}

/// A value as the baseline writes it; "undefined" for none.
fn show(key: &str, v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".to_string(), |x| fmt_num(x, decimals(key)))
}

fn show_change(m: &MetricCheck) -> String {
    match (m.baseline, m.now, m.change) {
        (_, _, Some(c)) => {
            let abs = fmt_num(c, decimals(m.metric));
            let abs = if c > 0.0 { format!("+{abs}") } else { abs };
            match m.relative_change {
                Some(r) => format!(
                    "{abs} ({}{}%)",
                    if r > 0.0 { "+" } else { "" },
                    trim(r * 100.0, 2)
                ),
                None => abs,
            }
        }
        (Some(_), None, _) => "became undefined".to_string(),
        (None, Some(_), _) => "became defined".to_string(),
        _ => "none".to_string(),
    }
}

fn show_tolerance(m: &MetricCheck) -> String {
    match m.allowed_change {
        None => "none (undefined)".to_string(),
        Some(_) if m.tolerance_rel == 0.0 && step(m.metric) == 0.0 => "exact".to_string(),
        Some(a) if m.tolerance_rel == 0.0 => format!("±{}", fmt_num(a, decimals(m.metric))),
        Some(a) => format!(
            "±{}% (±{})",
            trim(m.tolerance_rel * 100.0, 4),
            fmt_num(a, decimals(m.metric))
        ),
    }
}

/// A number with at most `decimals` decimals and no trailing zeros.
fn trim(x: f64, decimals: usize) -> String {
    let s = fmt_num(x, decimals);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, values: Vec<Option<f64>>) -> BaselineRow {
        BaselineRow {
            line: 2,
            name: name.into(),
            values,
            tool_version: VERSION.into(),
            design_sha256: "a".repeat(64),
            seed: 1,
            resolution_um: 10.0,
        }
    }

    fn sample() -> BaselineRow {
        row(
            "mf8",
            vec![
                Some(3681.0),
                Some(230.0625),
                Some(0.194474),
                Some(0.953966),
                Some(0.93145),
                Some(1.36),
                Some(1.36),
                Some(1.36),
                Some(0.030888),
                None,
                Some(91.6732),
                Some(40.0),
            ],
        )
    }

    #[test]
    fn csv_round_trip_keeps_values_nulls_and_provenance() {
        let mut a = sample();
        let mut b = row("pen, \"quoted\"", vec![None; 12]);
        b.seed = u64::MAX;
        b.resolution_um = 12.5;
        let bytes = baseline_csv(&[a.clone(), b.clone()]);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("name,channels,density_per_cm2,"), "{text}");
        assert!(
            text.contains(",0.030888,,91.6732,"),
            "null is an empty cell: {text}"
        );
        let back = parse_baseline(Path::new("b.csv"), &bytes).unwrap();
        a.line = 2;
        b.line = 3;
        assert_eq!(back.rows, vec![a, b]);
        // Writing what was read gives the same bytes.
        assert_eq!(baseline_csv(&back.rows), bytes);
    }

    fn parse_err(text: &str) -> String {
        parse_baseline(Path::new("b.csv"), text.as_bytes())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn malformed_baselines_name_the_line() {
        let good =
            String::from_utf8(baseline_csv(&[sample(), row("two", vec![Some(1.0); 12])])).unwrap();
        let lines: Vec<&str> = good.lines().collect();
        // Truncated inside the third line.
        let cut = format!("{}\n{}\n{}", lines[0], lines[1], &lines[2][..10]);
        let e = parse_err(&cut);
        assert!(e.starts_with("b.csv:3: the row has"), "{e}");
        // A garbled number.
        let e = parse_err(&good.replace("230.0625", "23O.0625"));
        assert!(
            e.starts_with("b.csv:2: `density_per_cm2` = `23O.0625`: not a number"),
            "{e}"
        );
        // Fractional channels, bad hash, bad seed, bad resolution.
        assert!(parse_err(&good.replace("3681", "3681.5")).starts_with("b.csv:2: `channels`"));
        assert!(parse_err(&good.replace(&"a".repeat(64), "abc"))
            .starts_with("b.csv:2: `design_sha256`"));
        assert!(parse_err(&good.replacen(",1,10\n", ",-1,10\n", 1))
            .starts_with("b.csv:2: `seed` = `-1`"));
        assert!(parse_err(&good.replacen(",1,10\n", ",1,0\n", 1))
            .starts_with("b.csv:2: `resolution_um` = `0`"));
        // Header problems.
        assert!(parse_err(&good.replace("max_gap_mm", "gap_mm"))
            .starts_with("b.csv:1: unknown column `gap_mm`"));
        assert!(parse_err(&good.replace(",seed", ",tool_version"))
            .starts_with("b.csv:1: column `tool_version` appears twice"));
        assert!(parse_err("name,channels\n")
            .starts_with("b.csv:1: the header lacks the column `density_per_cm2`"));
        assert!(parse_err("").starts_with("b.csv:1: the baseline is empty"));
        // Duplicates and empty names.
        let dup = format!("{good}{}\n", lines[1]);
        assert!(
            parse_err(&dup).starts_with("b.csv:4: design `mf8` already has a row at line 2"),
            "{}",
            parse_err(&dup)
        );
        assert!(parse_err(&good.replacen("\nmf8,", "\n,", 1))
            .starts_with("b.csv:2: the `name` cell is empty"));
        // Garbage bytes.
        assert!(parse_err("name\n\u{1}\u{2}").starts_with("b.csv:1:"));
    }

    #[test]
    fn identical_rows_pass_and_report_nothing() {
        let a = sample();
        let c = compare(&a, &a, "d.toml", &Tolerances::default());
        assert!(c.metrics.iter().all(|m| m.within));
        assert!(c.notes.is_empty() && !c.design_changed);
        assert_eq!(c.metrics[0].change, Some(0.0));
        assert_eq!(c.metrics[9].change, None, "null vs null has no change");
    }

    #[test]
    fn one_last_digit_passes_two_do_not() {
        // 0.36000 → 0.36001 is one unit of the 5th decimal: within the default step.
        assert!(MetricCheck::new("mean_depth_mm", Some(0.36), Some(0.36001), 0.0).within);
        assert!(!MetricCheck::new("mean_depth_mm", Some(0.36), Some(0.36002), 0.0).within);
        assert!(MetricCheck::new("coverage_fraction", Some(0.194474), Some(0.194475), 0.0).within);
        assert!(!MetricCheck::new("coverage_fraction", Some(0.194474), Some(0.194476), 0.0).within);
        // Channels are exact: no step.
        assert!(!MetricCheck::new("channels", Some(3681.0), Some(3682.0), 0.0).within);
        assert!(MetricCheck::new("channels", Some(3681.0), Some(3681.0), 0.0).within);
    }

    #[test]
    fn relative_tolerance_is_inclusive_at_its_edge() {
        // 1 % of 100 is exactly 1: 101 passes, 101.0001 does not.
        assert!(MetricCheck::new("density_per_cm2", Some(100.0), Some(101.0), 0.01).within);
        assert!(MetricCheck::new("density_per_cm2", Some(100.0), Some(99.0), 0.01).within);
        assert!(!MetricCheck::new("density_per_cm2", Some(100.0), Some(101.0001), 0.01).within);
        // 27.8 % moves fail 10 %, pass 30 %.
        assert!(!MetricCheck::new("max_depth_mm", Some(0.36), Some(0.46), 0.1).within);
        assert!(MetricCheck::new("max_depth_mm", Some(0.36), Some(0.46), 0.3).within);
        let m = MetricCheck::new("max_depth_mm", Some(0.36), Some(0.46), 0.1);
        assert!((m.relative_change.unwrap() - 0.1 / 0.36).abs() < 1e-12);
        assert!((m.allowed_change.unwrap() - 0.036).abs() < 1e-12);
        // A zero baseline allows only the step under any relative tolerance.
        assert!(!MetricCheck::new("density_cv", Some(0.0), Some(0.00001), 0.5).within);
        assert!(MetricCheck::new("density_cv", Some(0.0), Some(0.000001), 0.5).within);
    }

    #[test]
    fn null_against_number_is_always_a_change() {
        assert!(MetricCheck::new("max_gap_mm", None, None, 0.0).within);
        assert!(!MetricCheck::new("max_gap_mm", None, Some(1.0), 1e9).within);
        assert!(!MetricCheck::new("max_gap_mm", Some(1.0), None, 1e9).within);
    }

    #[test]
    fn tolerance_flags() {
        let mut t = Tolerances::default();
        assert_eq!(t.rel("coverage_fraction"), 0.0);
        t.set("coverage_fraction", 0.25).unwrap();
        assert_eq!(t.rel("coverage_fraction"), 0.25);
        assert!(parse_tolerance("coverage")
            .unwrap_err()
            .contains("METRIC=REL"));
        assert!(parse_tolerance("coverage=1")
            .unwrap_err()
            .contains("unknown metric `coverage`"));
        assert!(parse_tolerance("time_s=abc")
            .unwrap_err()
            .contains("REL must be"));
        assert!(parse_tolerance("time_s=NaN").is_err());
        assert!(parse_tolerance("time_s=inf").is_err());
        assert_eq!(parse_tolerance(" time_s = 0 "), Ok(("time_s", 0.0)));
    }

    #[test]
    fn provenance_differences_become_notes() {
        let a = sample();
        let mut b = sample();
        b.design_sha256 = "b".repeat(64);
        b.seed = 7;
        b.resolution_um = 20.0;
        b.tool_version = "9.9.9".into();
        b.values[5] = Some(1.46);
        let c = compare(&a, &b, "d.toml", &Tolerances::default());
        assert!(c.design_changed);
        assert_eq!(c.notes.len(), 4);
        assert_eq!(
            c.moved().map(|m| m.metric).collect::<Vec<_>>(),
            vec!["mean_depth_mm"]
        );
        let r = Report {
            baseline: "b.csv".into(),
            designs: vec![c],
            unmatched_rows: vec![],
        };
        let t = r.table();
        assert!(t.contains("mean_depth_mm"), "{t}");
        assert!(t.contains("design file changed; seed 7 (baseline 1); at 20 µm (baseline 10 µm); needlemap 9.9.9 (baseline 0.1.0)"), "{t}");
        let long: Vec<String> = r.designs[0].notes.iter().map(ToString::to_string).collect();
        assert_eq!(
            long[0],
            "design file changed since the baseline (sha256 aaaaaaaa… → bbbbbbbb…)"
        );
        assert_eq!(
            long[2],
            "analyzed at 20 µm, the baseline at 10 µm: the area metrics depend on the pitch"
        );
        assert!(t.contains("+0.10000 (+7.35%)"), "{t}");
        assert!(t.contains("check failed: 1 of 12 metrics moved"), "{t}");
    }

    #[test]
    fn junit_is_escaped_and_counts_failures() {
        let a = row("a<&>\"'", vec![Some(1.0); 12]);
        let mut b = a.clone();
        b.values[0] = Some(2.0);
        b.values[1] = None;
        let r = Report {
            baseline: "b.csv".into(),
            designs: vec![compare(&a, &b, "x&y.toml", &Tolerances::default())],
            unmatched_rows: vec![],
        };
        let x = String::from_utf8(r.junit()).unwrap();
        assert!(
            x.contains("<testsuites name=\"needlemap check\" tests=\"12\" failures=\"2\""),
            "{x}"
        );
        assert!(x.contains("name=\"a&lt;&amp;&gt;&quot;&apos;\""), "{x}");
        assert!(x.contains("value=\"x&amp;y.toml\""), "{x}");
        assert_eq!(x.matches("<failure ").count(), 2);
        assert!(
            x.contains(
                "density_per_cm2 moved: baseline 1.0000, now undefined, change became undefined"
            ),
            "{x}"
        );
        assert!(!x.contains('\u{1}'));
        let b = row("cit8-0.5", vec![Some(1.0); 12]);
        let r = Report {
            baseline: "b.csv".into(),
            designs: vec![compare(&b, &b, "c.toml", &Tolerances::default())],
            unmatched_rows: vec![],
        };
        let x = String::from_utf8(r.junit()).unwrap();
        assert!(
            x.contains("<testsuite name=\"cit8-0.5\"")
                && x.contains("classname=\"needlemap_check.cit8-0_5\""),
            "{x}"
        );
        assert_eq!(esc("a\u{1}b\n"), "a?b\n");
    }

    #[test]
    fn json_report_says_pass_or_fail() {
        let a = sample();
        let r = Report {
            baseline: "b.csv".into(),
            designs: vec![compare(&a, &a, "d.toml", &Tolerances::default())],
            unmatched_rows: vec![UnmatchedRow {
                line: 5,
                name: "gone".into(),
            }],
        };
        let v: serde_json::Value = serde_json::from_slice(&r.json()).unwrap();
        assert_eq!(v["passed"], true);
        assert_eq!(v["moved"], 0);
        assert_eq!(
            v["designs"][0]["metrics"][9]["baseline"],
            serde_json::Value::Null
        );
        assert_eq!(v["unmatched_rows"][0]["name"], "gone");
        assert_eq!(v["unmatched_rows"][0]["line"], 5);
        assert!(r
            .table()
            .starts_with("check passed: 12 metrics of 1 design(s)"));
    }
}
