//! The baseline file: one row per design with every metric as summary.csv writes it and the
//! provenance of the row; written by `needlemap baseline`, read back by `needlemap check`
//! with an error naming the line for anything wrong in it.
//!
//! After the metrics come the five layer fractions, named and written as in summary.csv
//! (`stratum_corneum_fraction` … `subcutis_fraction`, 6 decimals). Baselines made before they
//! were added lack those columns and still parse: [`Baseline::layers`] is then false and the
//! layer fractions go unchecked.

use crate::base::fmt::{fmt_num, fmt_opt, CsvBytes};
use crate::base::VERSION;
use crate::metrics::analysis::Analysis;
use crate::model::registry::{self, MetricInfo, METRICS};
use crate::model::skin::Layer;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Provenance columns of the baseline, after the metrics.
pub const PROVENANCE_COLUMNS: [&str; 4] =
    ["tool_version", "design_sha256", "seed", "resolution_um"];

/// A baseline file that cannot be used. Every variant names the file and, where one is at
/// fault, its line.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file could not be read (missing, not a regular file, too large); the OS's reason is `source()`, not repeated
    /// in the message.
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
    /// The share of channels ending in each layer, in [`Layer::ALL`] order, as written
    /// (rounded to [`Layer::FRACTION_DECIMALS`]); `None` in a baseline without the columns.
    #[serde(skip)]
    pub layers: Option<[f64; 5]>,
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
        let layers = a.layers.map(|f| {
            fmt_num(f, Layer::FRACTION_DECIMALS)
                .parse::<f64>()
                .expect("a formatted number reads back")
        });
        BaselineRow {
            line: 0,
            name: a.design.name.clone(),
            values,
            layers: Some(layers),
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
        match &self.layers {
            Some(f) => r.extend(f.iter().map(|x| fmt_num(*x, Layer::FRACTION_DECIMALS))),
            None => r.extend(Layer::ALL.iter().map(|_| String::new())),
        }
        r.push(self.tool_version.clone());
        r.push(self.design_sha256.clone());
        r.push(self.seed.to_string());
        r.push(self.resolution_um.to_string());
        r
    }
}

/// The baseline header: `name`, every metric, the layer fractions, the provenance columns.
pub fn header() -> Vec<&'static str> {
    let mut h = vec!["name"];
    h.extend(registry::keys());
    h.extend(layer_columns());
    h.extend(PROVENANCE_COLUMNS);
    h
}

/// The layer-fraction columns, in [`Layer::ALL`] order: optional in a baseline (all five or
/// none), so that baselines made before them still parse.
pub fn layer_columns() -> impl Iterator<Item = &'static str> {
    Layer::ALL.iter().map(|l| l.fraction_column())
}

/// The baseline CSV for these rows.
///
/// # Examples
/// ```
/// use needlemap::studies::check::{baseline_csv, parse_baseline, BaselineRow};
/// let row = BaselineRow {
///     line: 0,
///     name: "a".into(),
///     values: vec![Some(1.0); needlemap::model::registry::METRICS.len()],
///     layers: Some([0.0, 0.0, 0.25, 0.75, 0.0]),
///     tool_version: "0.1.0".into(),
///     design_sha256: "0".repeat(64),
///     seed: 1,
///     resolution_um: 10.0,
/// };
/// let bytes = baseline_csv(&[row.clone()]);
/// let back = parse_baseline("b.csv".as_ref(), &bytes).unwrap();
/// assert_eq!(back.rows[0].values, row.values);
/// assert_eq!(back.rows[0].layers, row.layers);
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
    /// Whether the file has the layer-fraction columns (a baseline made before they were
    /// added does not, and its layer fractions go unchecked).
    pub layers: bool,
}

impl Baseline {
    /// The row of the design called `name`.
    pub fn row(&self, name: &str) -> Option<&BaselineRow> {
        self.rows.iter().find(|r| r.name == name)
    }
}

/// Reads and parses a baseline file.
pub fn read_baseline(path: &Path) -> Result<Baseline, BaselineError> {
    let bytes = crate::base::input::read_regular(path, crate::base::input::MAX_INPUT_BYTES)
        .map_err(|source| BaselineError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    parse_baseline(path, &bytes)
}

/// Parses a baseline; `path` names it in errors. Columns may come in any order, but every
/// column of [`header`] must be present once and no other, except the layer fractions, which
/// may all be absent (an older baseline).
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
                    "unknown column `{}`; a baseline has the columns {}",
                    crate::base::input::clip(h),
                    wanted.join(",")
                ),
            ));
        };
        if col[k] != usize::MAX {
            return Err(err(
                1,
                format!("column `{}` appears twice", crate::base::input::clip(h)),
            ));
        }
        col[k] = i;
    }
    let first_layer = 1 + METRICS.len();
    let layer_cols = first_layer..first_layer + Layer::ALL.len();
    let has_layers = layer_cols.clone().any(|k| col[k] != usize::MAX);
    // A baseline from before the layer columns lacks all five; their cells then read empty.
    let missing = col
        .iter()
        .enumerate()
        .position(|(k, &c)| c == usize::MAX && (has_layers || !layer_cols.contains(&k)));
    if let Some(k) = missing {
        if layer_cols.contains(&k) {
            return Err(err(1, format!("the header lacks the column `{}`; the layer fractions come all five ({}) or none", wanted[k], layer_columns().collect::<Vec<_>>().join(","))));
        }
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
        if !crate::design::is_valid_name(&name) {
            return Err(err(
                line,
                format!(
                    "`name` = `{}`: not a design name; a design name {}",
                    crate::base::input::clip(&name),
                    crate::design::NAME_RULE
                ),
            ));
        }
        if let Some(prev) = rows.iter().find(|r| r.name == name) {
            return Err(err(
                line,
                format!(
                    "design `{}` already has a row at line {}; one row per design",
                    crate::base::input::clip(&name),
                    prev.line
                ),
            ));
        }
        let mut values = Vec::with_capacity(METRICS.len());
        for (i, m) in METRICS.iter().enumerate() {
            let s = cell(1 + i);
            values.push(parse_metric(m, s).map_err(|p| {
                err(
                    line,
                    format!("`{}` = `{}`: {p}", m.key, crate::base::input::clip(s)),
                )
            })?);
        }
        let cells: Vec<&str> = layer_cols.clone().map(cell).collect();
        let layers = if cells.iter().all(|c| c.is_empty()) {
            None
        } else {
            let mut f = [0.0; 5];
            for ((x, s), l) in f.iter_mut().zip(&cells).zip(Layer::ALL) {
                *x = s
                    .parse::<f64>()
                    .ok()
                    .filter(|x| (0.0..=1.0).contains(x))
                    .ok_or_else(|| {
                        err(
                            line,
                            format!(
                                "`{}` = `{}`: expected a fraction from 0 to 1 (the five layer cells are all numbers or all empty)",
                                l.fraction_column(),
                                crate::base::input::clip(s)
                            ),
                        )
                    })?;
            }
            Some(f)
        };
        let p0 = 1 + METRICS.len() + Layer::ALL.len();
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
                format!(
                    "`design_sha256` = `{}`: expected 64 lower-case hex digits",
                    crate::base::input::clip(sha)
                ),
            ));
        }
        let s = cell(p0 + 2);
        let seed = s.parse::<u64>().map_err(|_| {
            err(
                line,
                format!(
                    "`seed` = `{}`: expected a whole number from 0 to {}",
                    crate::base::input::clip(s),
                    u64::MAX
                ),
            )
        })?;
        let s = cell(p0 + 3);
        // the range of analysis.resolution_um, the one table
        let resolution_um = s
            .parse::<f64>()
            .map_err(|_| "expected a number of µm".to_string())
            .and_then(|x| crate::design::ranges::check("analysis.resolution_um", x))
            .map_err(|p| {
                err(
                    line,
                    format!("`resolution_um` = `{}`: {p}", crate::base::input::clip(s)),
                )
            })?;
        rows.push(BaselineRow {
            line,
            name,
            values,
            layers,
            tool_version,
            design_sha256: sha.to_string(),
            seed,
            resolution_um,
        });
    }
    Ok(Baseline {
        path: path.to_path_buf(),
        rows,
        layers: has_layers,
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
        _ => crate::base::input::excerpt_message(&e.to_string()),
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

/// A baseline row whose design was not checked (a warning, not a failure: a run may check
/// some of the designs).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnmatchedRow {
    /// 1-based line in the baseline.
    pub line: u64,
    /// Design name in that row.
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sample, uniform};
    use super::*;

    #[test]
    fn csv_round_trip_keeps_values_nulls_and_provenance() {
        let mut a = sample();
        // (a name needs no quoting: design names are letters, digits, '-', '_' and '.')
        let mut b = uniform("pen-12_b.v2", None);
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

    #[test]
    fn a_row_whose_name_is_no_design_name_is_refused_with_an_excerpt() {
        let mut b = uniform("pen, \"quoted\"", None);
        b.name.push_str(&"x".repeat(10_000));
        let e = parse_baseline(Path::new("b.csv"), &baseline_csv(&[b]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("b.csv:2") && e.contains("not a design name"),
            "{e}"
        );
        assert!(e.len() < 400, "{e}");
    }

    fn parse_err(text: &str) -> String {
        parse_baseline(Path::new("b.csv"), text.as_bytes())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn malformed_baselines_name_the_line() {
        let good = String::from_utf8(baseline_csv(&[sample(), uniform("two", Some(1.0))])).unwrap();
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
    fn layer_fractions_round_trip_and_old_baselines_still_parse() {
        let mut a = sample();
        a.layers = Some([0.0, 0.012345, 0.25, 0.737655, 0.0]);
        let bytes = baseline_csv(std::slice::from_ref(&a));
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.contains(",stratum_corneum_fraction,viable_epidermis_fraction,papillary_dermis_fraction,reticular_dermis_fraction,subcutis_fraction,tool_version,"),
            "{text}"
        );
        assert!(
            text.contains(",0.000000,0.012345,0.250000,0.737655,0.000000,"),
            "{text}"
        );
        let back = parse_baseline(Path::new("b.csv"), &bytes).unwrap();
        assert!(back.layers);
        assert_eq!(back.rows[0].layers, a.layers);

        // The same file without the five columns: an older baseline.
        let old: Vec<String> = text
            .lines()
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                let n = 1 + METRICS.len();
                [&cells[..n], &cells[n + 5..]].concat().join(",")
            })
            .collect();
        let back = parse_baseline(Path::new("b.csv"), old.join("\n").as_bytes()).unwrap();
        assert!(!back.layers);
        assert_eq!(back.rows[0].layers, None);
        assert_eq!(back.rows[0].values, a.values);

        // Some but not all five, or a bad cell: errors naming the column.
        let e = parse_err(&text.replace("subcutis_fraction", "other"));
        assert!(e.starts_with("b.csv:1: unknown column `other`"), "{e}");
        let four = text.replacen(",subcutis_fraction", "", 1).replacen(
            ",0.737655,0.000000,",
            ",0.737655,",
            1,
        );
        let e = parse_err(&four);
        assert!(
            e.starts_with("b.csv:1: the header lacks the column `subcutis_fraction`; the layer fractions come all five"),
            "{e}"
        );
        let e = parse_err(&text.replace(",0.250000,", ",1.5,"));
        assert!(
            e.starts_with("b.csv:2: `papillary_dermis_fraction` = `1.5`: expected a fraction"),
            "{e}"
        );
    }
}
