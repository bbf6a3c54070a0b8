//! QA inspection data (`--as-built FILE`): the measured length of every needle and whether it
//! is missing, replacing the device drawn from `[tolerance]`.
//!
//! Format: a header `needle,length_mm,missing[,tip_radius_um]`, then one row per needle of
//! the design, `needle` 0-based as in needles.csv. Lines starting with `#` are comments.
//! **Every needle needs a row**: an inspection that skipped a needle is incomplete, and
//! guessing it nominal would overstate the device. `missing` is `0`/`1` (or `false`/`true`);
//! a missing needle's length is ignored and may be left blank (`5,,1`). For a pen, `length_mm` is the needle's protrusion at
//! the depth setting. `tip_radius_um`, when given, is that needle's measured tip radius
//! (above 0, at most the shaft's radius) and enters its puncture force; a blank or absent
//! value keeps `needle.tip_radius_um`.

use crate::base::error::InputError;
use std::path::{Path, PathBuf};

/// One inspected needle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InspectedNeedle {
    /// Measured length (pen: protrusion at the setting), mm.
    pub length_mm: f64,
    /// Missing or broken off.
    pub missing: bool,
    /// Measured tip radius, µm, if the file has the column.
    pub tip_radius_um: Option<f64>,
}

/// A device as built: one entry per needle, in needle order.
#[derive(Clone, Debug, PartialEq)]
pub struct AsBuilt {
    /// The inspection file.
    pub path: PathBuf,
    /// Needles by index.
    pub needles: Vec<InspectedNeedle>,
}

impl AsBuilt {
    /// The sub-folder of `out/<name>/` an analysis of this inspection is written to, apart
    /// from the nominal design's files: `as-built-<stem of the inspection file>` (characters
    /// a folder name may not hold become `_`).
    ///
    /// # Examples
    /// ```
    /// let ab = needlemap::design::as_built::AsBuilt { path: "qa/lot a.csv".into(), needles: vec![] };
    /// assert_eq!(ab.folder(), "as-built-lot_a");
    /// ```
    pub fn folder(&self) -> String {
        let stem = self
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let safe: String = stem
            .chars()
            .take(60)
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("as-built-{}", safe.trim_start_matches('.'))
    }
}

fn bad(path: &Path, line: u64, key: &str, value: &str, problem: impl Into<String>) -> InputError {
    InputError::Invalid {
        path: path.to_path_buf(),
        line: line as usize,
        column: 1,
        key: key.to_string(),
        value: crate::base::input::clip(value),
        problem: problem.into(),
    }
}

impl AsBuilt {
    /// Parses inspection CSV `bytes` (from `path`) for a device of `needles` needles.
    pub fn parse(
        bytes: &[u8],
        path: &Path,
        needles: usize,
        shaft_radius_um: f64,
    ) -> Result<AsBuilt, InputError> {
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let head: Vec<String> = rdr
            .headers()
            .map_err(|e| bad(path, 1, "header", "", e.to_string()))?
            .iter()
            .map(String::from)
            .collect();
        let want = ["needle", "length_mm", "missing"];
        let ok = head.len() >= 3
            && head[..3] == want
            && (head.len() == 3 || (head.len() == 4 && head[3] == "tip_radius_um"));
        if !ok {
            return Err(bad(
                path,
                1,
                "header",
                &head.join(","),
                "must be needle,length_mm,missing or needle,length_mm,missing,tip_radius_um",
            ));
        }
        let mut slots: Vec<Option<InspectedNeedle>> = vec![None; needles];
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                bad(path, line, "row", "", e.to_string())
            })?;
            let line = rec.position().map_or(0, |p| p.line());
            let idx_s = &rec[0];
            let idx: usize = idx_s
                .parse()
                .map_err(|_| bad(path, line, "needle", idx_s, "must be a whole number from 0"))?;
            if idx >= needles {
                return Err(bad(
                    path,
                    line,
                    "needle",
                    idx_s,
                    format!("the design has {needles} needles, 0 to {}", needles - 1),
                ));
            }
            if slots[idx].is_some() {
                return Err(bad(path, line, "needle", idx_s, "appears twice"));
            }
            let missing = match &rec[2] {
                "0" | "false" => false,
                "1" | "true" => true,
                v => return Err(bad(path, line, "missing", v, "must be 0, 1, false or true")),
            };
            let len_s = &rec[1];
            // the physical range of needle.length_mm: a row cannot ask for more than a design may
            let max_mm =
                crate::design::ranges::range_of("needle.length_mm").map_or(10.0, |r| r.max);
            // a missing needle's length is ignored, so it may be left blank
            let blank_ok = missing && len_s.is_empty();
            let length_mm: f64 = if blank_ok { Some(0.0) } else { len_s.parse().ok() }
                .filter(|x: &f64| x.is_finite() && *x >= 0.0 && *x <= max_mm)
                .ok_or_else(|| {
                    bad(
                        path,
                        line,
                        "length_mm",
                        len_s,
                        format!(
                            "must be a length from 0 to {max_mm} mm (needle.length_mm's range in a design)"
                        ),
                    )
                })?;
            if !missing && length_mm <= 0.0 {
                return Err(bad(
                    path,
                    line,
                    "length_mm",
                    len_s,
                    "a needle that is present must be longer than 0 (or mark it missing = 1)",
                ));
            }
            let tip_radius_um = match rec.get(3) {
                None | Some("") => None,
                Some(v) => Some(
                    v.parse()
                        .ok()
                        .filter(|x: &f64| x.is_finite() && *x > 0.0 && *x <= shaft_radius_um)
                        .ok_or_else(|| {
                            bad(
                                path,
                                line,
                                "tip_radius_um",
                                v,
                                format!("must be a finite radius above 0 and at most the shaft's radius, {shaft_radius_um} µm"),
                            )
                        })?,
                ),
            };
            slots[idx] = Some(InspectedNeedle {
                length_mm,
                missing,
                tip_radius_um,
            });
        }
        if let Some(i) = slots.iter().position(Option::is_none) {
            let n = slots.iter().filter(|s| s.is_none()).count();
            return Err(InputError::Path {
                path: path.to_path_buf(),
                problem: format!(
                    "no row for needle {i} ({n} of {needles} needles have none); every needle needs a row"
                ),
            });
        }
        let needles: Vec<InspectedNeedle> = slots.into_iter().flatten().collect();
        if needles.iter().all(|n| n.missing) {
            // no analysis of such a device means anything: refuse rather than report zeros
            return Err(InputError::Path {
                path: path.to_path_buf(),
                problem: format!(
                    "every one of the {needles} needles is marked missing: the device makes no channel; an inspection needs at least one needle present",
                    needles = needles.len()
                ),
            });
        }
        Ok(AsBuilt {
            path: path.to_path_buf(),
            needles,
        })
    }

    /// Reads `path` (a regular file, size-capped) for a device of `needles` needles.
    /// `shaft_radius_um` bounds a measured tip radius.
    pub fn load(path: &Path, needles: usize, shaft_radius_um: f64) -> Result<AsBuilt, InputError> {
        let bytes = crate::base::input::read_regular(path, crate::base::input::MAX_INPUT_BYTES)
            .map_err(|source| InputError::Read {
                path: path.to_path_buf(),
                source,
            })?;
        AsBuilt::parse(&bytes, path, needles, shaft_radius_um)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str, n: usize) -> Result<AsBuilt, String> {
        AsBuilt::parse(s.as_bytes(), "i.csv".as_ref(), n, 125.0).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_rows_in_any_order() {
        let a = p("needle,length_mm,missing\n1,1.4,0\n0,1.5,1\n", 2).unwrap();
        assert!(a.needles[0].missing);
        assert_eq!(a.needles[1].length_mm, 1.4);
    }

    #[test]
    fn bad_rows_name_line_and_key() {
        let e = p("needle,length_mm,missing\n0,1.5,0\n0,1.5,0\n", 2).unwrap_err();
        assert!(
            e.contains("i.csv:3:1") && e.contains("needle") && e.contains("twice"),
            "{e}"
        );
        let e = p("needle,length_mm,missing\n5,1.5,0\n", 2).unwrap_err();
        assert!(e.contains("i.csv:2:1") && e.contains("0 to 1"), "{e}");
        let e = p("needle,length_mm,missing\n0,1e308,0\n1,1,0\n", 2).unwrap_err();
        assert!(e.contains("i.csv:2:1") && e.contains("0 to 10 mm"), "{e}");
        let e = p("needle,length_mm,missing\n0,-1,0\n1,1,0\n", 2).unwrap_err();
        assert!(e.contains("length_mm") && e.contains("-1"), "{e}");
        let e = p("needle,length_mm,missing\n0,1.5,0\n", 2).unwrap_err();
        assert!(e.contains("no row for needle 1"), "{e}");
        let e = p("needle,len,missing\n", 2).unwrap_err();
        assert!(e.contains("header"), "{e}");
        // a blank length is a present needle's error, and nothing for a missing one
        let e = p("needle,length_mm,missing\n0,,0\n1,1,0\n", 2).unwrap_err();
        assert!(e.contains("i.csv:2:1") && e.contains("length_mm"), "{e}");
        let a = p("needle,length_mm,missing\n0,,1\n1,1,0\n", 2).unwrap();
        assert!(a.needles[0].missing);
        let e = p("needle,length_mm,missing\n0,,1\n1,1,1\n", 2).unwrap_err();
        assert!(
            e.contains("every one of the 2 needles is marked missing"),
            "{e}"
        );
    }
}
