//! A sweep's rows as CSV, JSON and terminal tables. Serializers return bytes or text; writing
//! is the caller's, atomic step.
//!
//! sweep.csv has one row per combination: the varied keys as written, `name`, every metric
//! (formatted as in summary.csv), `advisories` (their codes, `;`-separated, as in
//! summary.csv), then `error` (empty for a valid design). Rows of a shard are
//! exactly the rows of the whole sweep at the same indices, so shards concatenate byte for byte.

pub mod chart;

use crate::base::fmt::{fmt_opt, render, CsvBytes};
use crate::model::registry::{metric_unit, show_metric, METRICS};
use crate::studies::sweep::{csv_header, Best, Key, Num, Row, Sweep};
use serde_json::{json, Map, Value};

/// One CSV row.
pub fn csv_row(sweep: &Sweep, row: &Row) -> Vec<String> {
    let mut r: Vec<String> = sweep
        .keys
        .iter()
        .zip(&row.values)
        .map(|(k, v)| k.text(*v))
        .collect();
    r.push(row.name.clone());
    for m in METRICS {
        r.push(fmt_opt(row.metric(m.key), m.decimals));
    }
    r.push(row.advisories.join(";"));
    r.push(row.outcome.as_ref().err().cloned().unwrap_or_default());
    r
}

/// sweep.csv: header, then `rows` in the order given.
pub fn csv<'a>(sweep: &Sweep, rows: impl IntoIterator<Item = &'a Row>) -> Vec<u8> {
    let mut w = CsvBytes::new();
    w.row(csv_header(sweep));
    for r in rows {
        w.row(csv_row(sweep, r));
    }
    w.into_bytes()
}

/// A key's value in JSON: an integer for whole-number keys.
fn key_json(k: &Key, v: f64) -> Value {
    match k.num {
        Num::Int => json!(v as i64),
        Num::Float => json!(v),
        Num::Word(_) => json!(k.text(v)),
    }
}

fn row_json(sweep: &Sweep, r: &Row) -> Value {
    let mut values = Map::new();
    for (k, v) in sweep.keys.iter().zip(&r.values) {
        values.insert(k.name.clone(), key_json(k, *v));
    }
    let metrics = r
        .outcome
        .as_ref()
        .ok()
        .map(|m| serde_json::to_value(m).expect("metrics serialize to a JSON object"));
    json!({ "index": r.index, "name": r.name, "values": values, "metrics": metrics, "advisories": r.advisories, "error": r.outcome.as_ref().err() })
}

/// The JSON record: provenance, the keys and their values, every row, and the `--best` names.
pub fn json(
    sweep: &Sweep,
    rows: &[Row],
    shard: Option<crate::studies::sweep::Shard>,
    best: Option<(Best, Vec<&Row>)>,
    threads: usize,
) -> Vec<u8> {
    let keys: Vec<Value> = sweep
        .keys
        .iter()
        .map(|k| json!({ "key": k.name, "values": k.values.iter().map(|v| key_json(k, *v)).collect::<Vec<_>>() }))
        .collect();
    let mut doc = json!({
        "sweep": sweep.name,
        "provenance": {
            "sweep_file": sweep.path.display().to_string(),
            "sweep_sha256": sweep.sha256,
            "base_file": sweep.base_path.display().to_string(),
            "base_sha256": sweep.base.source.sha256,
            "threads": threads,
        },
        "combinations": sweep.len(),
        "shard": shard.map(|s| json!({ "k": s.k, "n": s.n })),
        "keys": keys,
        "rows": rows.iter().map(|r| row_json(sweep, r)).collect::<Vec<_>>(),
    });
    if let Some((b, top)) = best {
        doc["best"] = json!({ "metric": b.metric, "order": if b.maximize { "max" } else { "min" }, "names": top.iter().map(|r| r.name.clone()).collect::<Vec<_>>() });
    }
    crate::output::json::record(doc)
}

/// A terminal table of `rows`: name, keys, the main metrics with units (and `extra` if it is
/// not one of them), and errors.
pub fn table<'a>(
    sweep: &Sweep,
    rows: impl IntoIterator<Item = &'a Row>,
    extra: Option<&'static str>,
) -> String {
    let mut metrics: Vec<&str> = super::headline::HEADLINES
        .iter()
        .filter(|h| h.sweep_table)
        .map(|h| h.key)
        .collect();
    if let Some(m) = extra.filter(|m| !metrics.contains(m)) {
        metrics.push(m);
    }
    let mut head = vec!["name".to_string()];
    head.extend(sweep.keys.iter().map(|k| k.name.clone()));
    head.extend(metrics.iter().map(|m| {
        let u = metric_unit(m).0;
        if u.is_empty() {
            m.to_string()
        } else {
            format!("{m} ({u})")
        }
    }));
    let mut out = vec![head];
    let mut errors = Vec::new();
    for r in rows {
        let mut line = vec![r.name.clone()];
        line.extend(sweep.keys.iter().zip(&r.values).map(|(k, v)| k.text(*v)));
        match &r.outcome {
            Ok(_) => line.extend(metrics.iter().map(|m| show_metric(m, r.metric(m)))),
            Err(e) => {
                line.push("error".into());
                errors.push(format!("! {}: {e}\n", r.name));
            }
        }
        out.push(line);
    }
    let mut s = render(&out);
    for e in errors {
        s.push_str(&e);
    }
    s
}

/// The `--best` heading and table.
pub fn best_table(
    sweep: &Sweep,
    best: Best,
    top: &[&Row],
    of: usize,
    filters: &[crate::studies::sweep::Filter],
) -> String {
    let dir = if best.maximize { "largest" } else { "smallest" };
    let mut s = format!("best {} of {of} by {} ({dir})", top.len(), best.metric);
    if !filters.is_empty() {
        let f: Vec<String> = filters.iter().map(|f| f.to_string()).collect();
        s.push_str(&format!(" among rows with {}", f.join(" and ")));
    }
    s.push_str(":\n");
    if top.is_empty() {
        s.push_str("(no valid row meets the conditions)\n");
    } else {
        s.push_str(&table(sweep, top.iter().copied(), Some(best.metric)));
    }
    s
}
