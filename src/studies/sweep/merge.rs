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

/// File name of shard `k` of `n`: `sweep.K-of-N.csv`, K zero-padded to the width of N so the
/// shards list in order.
///
/// # Examples
/// ```
/// use needlemap::studies::sweep::{merge::shard_file_name, Shard};
/// assert_eq!(shard_file_name(Shard { k: 3, n: 12 }), "sweep.03-of-12.csv");
/// ```
pub fn shard_file_name(s: Shard) -> String {
    let w = s.n.to_string().len();
    format!("sweep.{:0w$}-of-{}.csv", s.k, s.n)
}

/// Largest shard file read, bytes (1 GiB: millions of rows).
const MAX_SHARD_BYTES: u64 = 1 << 30;

/// Reads shards 1..=`n` of `sweep` from `dir`; returns the merged CSV bytes and the rows
/// (metrics as written in the CSV, for the picture, table and `--best`).
pub fn merge(sweep: &Sweep, dir: &Path, n: usize) -> Result<(Vec<u8>, Vec<Row>), InputError> {
    let header = csv_header(sweep);
    let nkeys = sweep.keys.len();
    let mut bytes = Vec::new();
    let mut rows = Vec::with_capacity(sweep.len());
    for k in 1..=n {
        let shard = Shard { k, n };
        let path = dir.join(shard_file_name(shard));
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
            return Err(bad(1, format!("header {h:?} is not the header of sweep {} ({header:?}); was the sweep file changed?", sweep.path.display())));
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
            if index >= range.end || rec.get(nkeys) != Some(sweep.variant_name(index).as_str()) {
                return Err(bad(line, format!("row {:?} is not combination {} of shard {k}/{n} ({}); was the sweep file changed?", rec.get(nkeys).unwrap_or(""), index + 1, sweep.variant_name(index))));
            }
            let combo = sweep.combination(index);
            let mut values = Vec::with_capacity(nkeys);
            for (i, (key, j)) in sweep.keys.iter().zip(combo).enumerate() {
                if key.position(&rec[i]) != Some(j) {
                    return Err(bad(
                        line,
                        format!(
                            "{} = {:?} but combination {} has {}; was the sweep file changed?",
                            key.name,
                            crate::base::input::clip(&rec[i]),
                            index + 1,
                            key.show(j)
                        ),
                    ));
                }
                values.push(key.values[j]);
            }
            let error = rec.get(header.len() - 1).unwrap_or("").to_string();
            let advisories: Vec<String> = rec
                .get(header.len() - 2)
                .unwrap_or("")
                .split(';')
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect();
            let mut metrics = Metrics::default();
            for (i, m) in METRICS.iter().enumerate() {
                let cell = &rec[nkeys + 1 + i];
                let v =
                    if cell.is_empty() {
                        None
                    } else {
                        Some(cell.parse::<f64>().map_err(|_| {
                            bad(line, format!("{} = {cell:?} is not a number", m.key))
                        })?)
                    };
                (m.set)(&mut metrics, v);
            }
            let outcome = if error.is_empty() {
                Ok(metrics)
            } else {
                Err(error)
            };
            rows.push(Row {
                index,
                name: sweep.variant_name(index),
                values,
                outcome,
                advisories,
            });
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
