//! Merging the CSVs of a sharded sweep (`--shard K/N` run as a job array or CI matrix) back
//! into the whole: the shards' header once, then their rows in shard order, byte for byte.
//!
//! Every shard is checked against the sweep file before anything is written: its header must be
//! the sweep's, and its rows must be exactly the combinations of its slice, by name and values,
//! so a shard from an edited sweep file or a missing shard is an error, not a silent mix.

use super::{csv_header, Row, Shard, Sweep};
use crate::base::error::InputError;
use crate::metrics::Metrics;
use crate::model::registry::METRICS;
use std::path::{Path, PathBuf};

/// File name of shard `k` of `n` of a study whose files start `stem` (`sweep`, an
/// optimisation's `candidates`): `<stem>.K-of-N.csv`, K zero-padded to the width of N so the
/// shards list in order.
///
/// # Examples
/// ```
/// use needlemap::studies::sweep::{merge::shard_file_name, Shard};
/// assert_eq!(shard_file_name("sweep", Shard { k: 3, n: 12 }), "sweep.03-of-12.csv");
/// ```
pub fn shard_file_name(stem: &str, s: Shard) -> String {
    let w = s.n.to_string().len();
    format!("{stem}.{:0w$}-of-{}.csv", s.k, s.n)
}

/// Largest shard file read, bytes (1 GiB: millions of rows).
const MAX_SHARD_BYTES: u64 = 1 << 30;

/// Reads the CSVs of shards 1..=`n` of a study over `sweep`'s combinations from `dir`
/// (`<stem>.K-of-N.csv`): each must have `header`, and hold exactly the rows of its slice, in
/// order; `row(index, record)` reads and checks the row of combination `index` (the problem
/// in words). Returns the merged bytes (the header once, then every shard's rows, byte for
/// byte) and the rows read.
pub fn read_shards<T>(
    sweep: &Sweep,
    dir: &Path,
    n: usize,
    stem: &str,
    header: &[String],
    mut row: impl FnMut(usize, &csv::StringRecord) -> Result<T, String>,
) -> Result<(Vec<u8>, Vec<T>), InputError> {
    let mut bytes = Vec::new();
    let mut rows = Vec::with_capacity(sweep.len());
    for k in 1..=n {
        let shard = Shard { k, n };
        let path = dir.join(shard_file_name(stem, shard));
        let text = crate::base::input::read_regular(&path, MAX_SHARD_BYTES).map_err(|source| {
            InputError::Read {
                path: path.clone(),
                source,
            }
        })?;
        let bad = |line: usize, problem: String| InputError::Path {
            path: PathBuf::from(format!("{}:{line}", path.display())),
            problem,
        };
        let split = text
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| i + 1);
        let mut r = csv::ReaderBuilder::new().from_reader(&text[..]);
        let h: Vec<String> = r
            .headers()
            .map_err(|e| bad(1, format!("bad CSV header: {e}")))?
            .iter()
            .map(String::from)
            .collect();
        if h != header {
            return Err(bad(
                1,
                format!(
                    "header {h:?} is not the header of {} ({header:?}); was the file changed?",
                    sweep.path.display()
                ),
            ));
        }
        if k == 1 {
            bytes.extend_from_slice(&text[..split]);
        }
        bytes.extend_from_slice(&text[split..]);
        let range = shard.range(sweep.len());
        let mut count = 0;
        for (line, rec) in r.records().enumerate() {
            let line = line + 2;
            let rec = rec.map_err(|e| bad(line, format!("bad CSV row: {e}")))?;
            let index = range.start + count;
            count += 1;
            if index >= range.end {
                return Err(bad(
                    line,
                    format!(
                        "is one row too many: shard {k}/{n} of {} combinations has {}",
                        sweep.len(),
                        range.len()
                    ),
                ));
            }
            rows.push(row(index, &rec).map_err(|p| bad(line, p))?);
        }
        if count != range.len() {
            return Err(bad(
                count + 1,
                format!(
                    "has {count} rows; shard {k}/{n} of {} combinations has {}",
                    sweep.len(),
                    range.len()
                ),
            ));
        }
    }
    Ok((bytes, rows))
}

/// Checks that cell `at` of `rec` names combination `index` of `sweep` and that the cells from
/// `first` on hold its keys' values, as the unsharded study writes them.
pub fn check_combination(
    sweep: &Sweep,
    index: usize,
    rec: &csv::StringRecord,
    at: usize,
    first: usize,
) -> Result<(), String> {
    let name = sweep.variant_name(index);
    if rec.get(at) != Some(name.as_str()) {
        return Err(format!(
            "row {:?} is not combination {} ({name}); was the file changed?",
            crate::base::input::clip(rec.get(at).unwrap_or("")),
            index + 1
        ));
    }
    for (i, (key, j)) in sweep.keys.iter().zip(sweep.combination(index)).enumerate() {
        let cell = rec.get(first + i).unwrap_or("");
        if key.position(cell) != Some(j) {
            return Err(format!(
                "{} = {:?} but combination {} has {}; was the file changed?",
                key.name,
                crate::base::input::clip(cell),
                index + 1,
                key.show(j)
            ));
        }
    }
    Ok(())
}

/// Reads shards 1..=`n` of `sweep` from `dir`; returns the merged CSV bytes and the rows
/// (metrics as written in the CSV, for the picture, table and `--best`).
pub fn merge(sweep: &Sweep, dir: &Path, n: usize) -> Result<(Vec<u8>, Vec<Row>), InputError> {
    let header = csv_header(sweep);
    let nkeys = sweep.keys.len();
    read_shards(sweep, dir, n, "sweep", &header, |index, rec| {
        check_combination(sweep, index, rec, nkeys, 0)?;
        let values = sweep
            .keys
            .iter()
            .zip(sweep.combination(index))
            .map(|(k, j)| k.values[j])
            .collect();
        let error = rec.get(header.len() - 1).unwrap_or("").to_string();
        let advisories: Vec<String> = rec
            .get(header.len() - 2)
            .unwrap_or("")
            .split(';')
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect();
        let metrics = read_metrics(rec, nkeys + 1)?;
        let outcome = if error.is_empty() {
            Ok(metrics)
        } else {
            Err(error)
        };
        Ok(Row {
            index,
            name: sweep.variant_name(index),
            values,
            outcome,
            advisories,
        })
    })
}

/// The registry's metrics from the cells of `rec` starting at `first`, in registry order
/// (an empty cell: undefined).
pub fn read_metrics(rec: &csv::StringRecord, first: usize) -> Result<Metrics, String> {
    let mut metrics = Metrics::default();
    for (i, m) in METRICS.iter().enumerate() {
        let cell = rec.get(first + i).unwrap_or("");
        let v = if cell.is_empty() {
            None
        } else {
            Some(cell.parse::<f64>().map_err(|_| {
                format!(
                    "{} = {:?} is not a number",
                    m.key,
                    crate::base::input::clip(cell)
                )
            })?)
        };
        (m.set)(&mut metrics, v);
    }
    Ok(metrics)
}
