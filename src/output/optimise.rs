//! An optimisation's outcome as CSV, JSON and words: candidates.csv (every candidate with
//! its stage, the limit it failed, its objectives and metrics), pareto.csv (the front), the
//! terminal summary. Serializers return bytes or text; writing is the caller's.

use crate::base::fmt::{fmt_num, fmt_opt, render, CsvBytes};
use crate::model::registry::{show_metric, METRICS};
use crate::studies::optimise::{edges, Candidate, Objective, Optimise, Outcome, Sense};
use crate::studies::sweep::show_value;
use serde_json::json;

/// The CSV header: [`crate::studies::optimise::shards::csv_header`].
pub fn header(opt: &Optimise) -> Vec<String> {
    crate::studies::optimise::shards::csv_header(opt)
}

fn row(opt: &Optimise, c: &Candidate) -> Vec<String> {
    let mut r = vec![(c.index + 1).to_string(), c.name.clone()];
    for (k, j) in opt.sweep.keys.iter().zip(opt.sweep.combination(c.index)) {
        r.push(k.show(j));
    }
    r.push(c.stage.key().into());
    r.push(c.feasible().to_string());
    r.push(c.failed.clone().unwrap_or_default());
    r.extend(
        c.objectives
            .iter()
            .map(|v| v.map_or(String::new(), show_value)),
    );
    r.push(fmt_opt(c.yield_lo, 4));
    for m in METRICS {
        r.push(fmt_opt(
            c.metrics.as_ref().and_then(|x| x.get(m.key)),
            m.decimals,
        ));
    }
    r
}

/// candidates.csv: every candidate in index order.
pub fn candidates_csv(opt: &Optimise, o: &Outcome) -> Vec<u8> {
    shard_csv(opt, &o.candidates)
}

/// A shard's candidates.K-of-N.csv: its candidates, as the whole search's candidates.csv
/// writes them.
pub fn shard_csv(opt: &Optimise, candidates: &[Candidate]) -> Vec<u8> {
    let mut w = CsvBytes::new();
    w.row(header(opt));
    for c in candidates {
        w.row(row(opt, c));
    }
    w.into_bytes()
}

/// pareto.csv: the front, sorted by the objectives.
pub fn pareto_csv(opt: &Optimise, o: &Outcome) -> Vec<u8> {
    let mut w = CsvBytes::new();
    w.row(header(opt));
    for &k in &o.front {
        w.row(row(opt, &o.candidates[k]));
    }
    w.into_bytes()
}

/// The file name of the front's trade-off point `rank` (1-based, in the front's order): one
/// design file is written per point (the first of the designs alike on every objective).
pub fn best_file_name(rank: usize) -> String {
    format!("best-{rank}.toml")
}

/// The cells of candidate `c`'s objectives that get a column of their own
/// ([`shown_objectives`]), as the tables show them.
pub fn objective_cells(opt: &Optimise, c: &Candidate) -> Vec<String> {
    shown_objectives(opt)
        .map(|(i, o)| {
            let v = c.objectives[i];
            match o {
                Objective::Needles | Objective::Passes => v.map_or("—".into(), |x| fmt_num(x, 0)),
                Objective::ForceN => v.map_or("—".into(), |x| fmt_num(x, 2)),
                Objective::Key(..) => v.map_or("—".into(), show_value),
                Objective::Metric(k, _) => show_metric(k, v),
            }
        })
        .collect()
}

/// Each stage's work: candidates in, rejected, CPU seconds and candidates per CPU second (the
/// clock's figures: for the terminal's error stream, not for files that must repeat).
pub fn stage_table(stages: &[crate::studies::optimise::StageCount; 4]) -> String {
    let mut rows = vec![vec![
        "stage".to_string(),
        "entered".into(),
        "rejected".into(),
        "accepted".into(),
        "CPU s".into(),
        "candidates/CPU s".into(),
    ]];
    for (name, st) in ["screen", "coarse", "full", "yield"].iter().zip(stages) {
        if st.entered == 0 {
            continue;
        }
        // a merged search does not know its shards' times
        let (secs, rate) = if st.cpu_s > 0.0 {
            (
                fmt_num(st.cpu_s, 1),
                fmt_num(st.entered as f64 / st.cpu_s, 0),
            )
        } else if st.cpu_s == 0.0 {
            ("0.0".into(), "—".into())
        } else {
            ("—".into(), "—".into())
        };
        rows.push(vec![
            name.to_string(),
            st.entered.to_string(),
            st.rejected.to_string(),
            st.accepted.to_string(),
            secs,
            rate,
        ]);
    }
    render(&rows)
}

/// The constraints in words: each limit, then the yield's.
pub fn constraint_words(opt: &Optimise) -> Vec<String> {
    opt.spec
        .iter()
        .map(|l| format!("{} {}", l.key, l.describe()))
        .chain((opt.runs > 0).then(|| {
            format!(
                "yield's lower 95 % bound ≥ {} over {} runs",
                opt.min_yield, opt.runs
            )
        }))
        .collect()
}

/// The objectives that get a column of their own beside the searched keys (a searched key
/// is one of those already).
pub fn shown_objectives(opt: &Optimise) -> impl Iterator<Item = (usize, &Objective)> {
    opt.objectives
        .iter()
        .enumerate()
        .filter(|(_, o)| !matches!(o, Objective::Key(..)))
}

/// An objective's column heading: its key, with "(%)" for a fraction the table shows in
/// percent.
pub fn objective_heading(o: &Objective) -> String {
    match o {
        Objective::Metric(k, _) if crate::model::registry::metric_unit(k).0 == "%" => {
            format!("{k} (%)")
        }
        _ => o.key().to_string(),
    }
}

/// The summary in words: the space, the front (or why there is none), the limits that bind,
/// and the front's values on the edge of their range.
pub fn summary(opt: &Optimise, o: &Outcome) -> String {
    let n = o.candidates.len();
    let mut s = format!(
        "optimise {}: {n} candidates over {} key(s); constraints: {}\n",
        opt.sweep.name,
        opt.sweep.keys.len(),
        constraint_words(opt).join(", ")
    );
    let invalid = o.invalid();
    if invalid > 0 {
        s += &format!("{invalid} combinations are not valid designs (candidates.csv, failed)\n");
    }
    for (name, st) in ["screen", "coarse", "full", "yield"].iter().zip(&o.stages) {
        if st.entered > 0 {
            s += &format!("{name}: {} in, {} rejected", st.entered, st.rejected);
            if st.accepted > 0 {
                s += &format!(
                    ", {} feasible by more than the coarse raster's error (analyzed at the design's pitch only if they reach the front)",
                    st.accepted
                );
            }
            s.push('\n');
        }
    }
    let feasible = o.candidates.iter().filter(|c| c.feasible()).count();
    if o.front.is_empty() {
        s += &format!("no feasible design among the {n} candidates");
        if let Some((k, times)) = o.binding().first() {
            s += &format!("; the limit failed most often: {k} ({times} candidates)");
        }
        s.push('\n');
        return s;
    }
    let groups = o.front_groups();
    s += &format!(
        "{feasible} feasible; the Pareto front: {} design(s) in {} trade-off point(s) ({}):\n",
        o.front.len(),
        groups.len(),
        opt.objectives
            .iter()
            .map(|o| format!(
                "{} {}",
                match o.sense() {
                    Sense::Min => "minimise",
                    Sense::Max => "maximise",
                },
                o.key()
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut t = vec![{
        let mut h = vec!["file".to_string(), "design".to_string()];
        h.extend(opt.sweep.keys.iter().map(|k| k.name.clone()));
        h.extend(shown_objectives(opt).map(|(_, o)| objective_heading(o)));
        h
    }];
    for (rank, &(k, alike)) in groups.iter().enumerate() {
        let c = &o.candidates[k];
        let name = if alike > 1 {
            format!("{} (+{} alike)", c.name, alike - 1)
        } else {
            c.name.clone()
        };
        let mut r = vec![best_file_name(rank + 1), name];
        for (key, j) in opt.sweep.keys.iter().zip(opt.sweep.combination(k)) {
            r.push(key.show(j));
        }
        r.extend(objective_cells(opt, c));
        t.push(r);
    }
    s += &render(&t);
    let binding = o.binding();
    if !binding.is_empty() {
        s += &format!(
            "limits failed (first failure per candidate): {}\n",
            binding
                .iter()
                .map(|(k, t)| format!("{k} {t}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let edges = edges(opt, &o.front_members());
    if !edges.is_empty() {
        s += "on the edge of the search (a wider range may hold better designs):\n";
        for e in edges {
            s += &format!("  {e}\n");
        }
    }
    s
}

/// The JSON record: the file, the stages, the front and every candidate's outcome.
pub fn json(opt: &Optimise, o: &Outcome) -> Vec<u8> {
    let cand = |c: &Candidate| {
        let objectives: serde_json::Map<String, serde_json::Value> = opt
            .objectives
            .iter()
            .zip(&c.objectives)
            .map(|(o, v)| (o.key().to_string(), json!(v)))
            .collect();
        let values: serde_json::Map<String, serde_json::Value> = opt
            .sweep
            .keys
            .iter()
            .zip(opt.sweep.combination(c.index))
            .map(|(k, j)| {
                let v = if k.is_word() {
                    json!(k.show(j))
                } else {
                    json!(k.values[j])
                };
                (k.name.clone(), v)
            })
            .collect();
        json!({
            "candidate": c.index + 1,
            "name": c.name,
            "values": values,
            "stage": c.stage,
            "feasible": c.feasible(),
            "failed": c.failed,
            "objectives": objectives,
            "yield_lo": c.yield_lo,
            "metrics": c.metrics,
        })
    };
    let stages: Vec<serde_json::Value> = ["screen", "coarse", "full", "yield"]
        .iter()
        .zip(&o.stages)
        .map(|(n, s)| json!({"stage": n, "entered": s.entered, "rejected": s.rejected, "accepted": s.accepted}))
        .collect();
    let binding: Vec<serde_json::Value> = o
        .binding()
        .iter()
        .map(|(k, t)| json!({"limit": k, "candidates": t}))
        .collect();
    let pareto: Vec<serde_json::Value> = o.front.iter().map(|&k| cand(&o.candidates[k])).collect();
    let best: Vec<serde_json::Value> = o
        .front_members()
        .iter()
        .enumerate()
        .map(|(rank, g)| {
            json!({
                "file": best_file_name(rank + 1),
                "design": o.candidates[g[0]].name,
                "alike": g.iter().map(|&k| o.candidates[k].name.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let objectives: Vec<serde_json::Value> = opt
        .objectives
        .iter()
        .map(|x| {
            json!({"key": x.key(), "sense": match x.sense() { Sense::Min => "minimise", Sense::Max => "maximise" }})
        })
        .collect();
    let all: Vec<serde_json::Value> = o.candidates.iter().map(cand).collect();
    let doc = json!({
        "optimise": opt.sweep.name,
        "file": opt.path.display().to_string(),
        "base_file": opt.sweep.base_path.display().to_string(),
        "candidates": o.candidates.len(),
        "constraints": constraint_words(opt),
        "objectives": objectives,
        "stages": stages,
        "trade_off_points": best,
        "on_edge": edges(opt, &o.front_members()),
        "binding": binding,
        "pareto": pareto,
        "all": all,
    });
    crate::output::json::record(doc)
}

/// The trade-off picture's content: the first two objectives (one objective: against the
/// candidate's number), `base` the base design's objectives.
pub fn trade_off(
    opt: &Optimise,
    o: &Outcome,
    base: &[Option<f64>],
) -> crate::output::plot::pareto::TradeOff {
    let label = |k: usize| {
        let key = opt.objectives[k].key();
        let (unit, _) = crate::model::registry::metric_unit(key);
        let unit = match &opt.objectives[k] {
            Objective::ForceN => "N",
            Objective::Key(..) => crate::output::sweep::chart::key_unit(key),
            _ if unit == "%" => "fraction",
            _ => unit,
        };
        let sense = match opt.objectives[k].sense() {
            Sense::Min => "smaller is better",
            Sense::Max => "larger is better",
        };
        if unit.is_empty() {
            format!("{key} ({sense})")
        } else {
            format!("{key} ({unit}; {sense})")
        }
    };
    let two = opt.objectives.len() >= 2;
    let point = |c: &Candidate| -> Option<(f64, f64)> {
        if two {
            Some((c.objectives[0]?, c.objectives[1]?))
        } else {
            Some(((c.index + 1) as f64, c.objectives[0]?))
        }
    };
    let (x_label, y_label) = if two {
        (label(0), label(1))
    } else {
        ("candidate".to_string(), label(0))
    };
    let (mut feasible, mut infeasible) = (Vec::new(), Vec::new());
    for c in &o.candidates {
        if let Some(p) = point(c) {
            if c.feasible() {
                feasible.push(p);
            } else {
                infeasible.push(p);
            }
        }
    }
    let mut front: Vec<(f64, f64)> = o
        .front
        .iter()
        .filter_map(|&k| point(&o.candidates[k]))
        .collect();
    front.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let base = if two {
        base.first()
            .copied()
            .flatten()
            .zip(base.get(1).copied().flatten())
    } else {
        None
    };
    crate::output::plot::pareto::TradeOff {
        title: format!(
            "{}: {} candidates, {} feasible",
            opt.sweep.name,
            o.candidates.len(),
            feasible.len()
        ),
        subtitle: format!(
            "base design {} · constraints {}",
            opt.sweep.base.name,
            constraint_words(opt).join(", ")
        ),
        x_label,
        y_label,
        feasible,
        infeasible,
        front,
        base,
    }
}
