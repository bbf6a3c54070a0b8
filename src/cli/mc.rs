//! `needlemap mc`: Monte Carlo over seeds and `[tolerance]`, with the yield against `[spec]`.

use super::{emit, load_designs, prepare_dir, write_file, CmdResult, Failure, Global};
use clap::Args;
use needlemap::mc::{self, Study};
use needlemap::metrics::registry::{metric, METRICS};
use needlemap::report::outdir::Staging;
use needlemap::report::{fmt_num, fmt_opt, CsvBytes};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct McArgs {
    /// Design files, or folders of them
    #[arg(required = true)]
    pub designs: Vec<PathBuf>,
    /// Runs per design; run k uses seed + k for the hand and for the drawn device
    #[arg(long, default_value_t = mc::DEFAULT_RUNS)]
    pub runs: u32,
    /// Exit 1 when the lower end of the yield's Wilson 95 % interval is below this (0 to 1)
    #[arg(long, value_parser = unit_fraction)]
    pub min_yield: Option<f64>,
    /// QA inspection CSV (needle,length_mm,missing[,tip_radius_um]) replacing the drawn device
    #[arg(long, value_name = "FILE")]
    pub as_built: Option<PathBuf>,
    /// Output folder: writes DIR/<name>/mc/
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub model: super::ModelFlags,
    #[command(flatten)]
    pub limit: super::WorkLimit,
}

fn unit_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("`{s}` is not a number from 0 to 1")),
    }
}

pub fn run(g: &Global, args: &McArgs) -> CmdResult {
    let mut designs = load_designs(&args.designs, g)?;
    if let Some(f) = &args.as_built {
        super::analyze::apply_as_built(&mut designs, f, g)?;
    }
    let mut cpu_s = 0.0;
    for d in &designs {
        let here = |e: mc::StudyError| {
            Failure::Input(anyhow::Error::from(e).context(format!("{}", d.source.path.display())))
        };
        mc::check_work(d, args.runs).map_err(here)?;
        cpu_s += mc::check_time(d, args.runs, args.limit.cpu_s()).map_err(here)?;
    }
    if cpu_s > args.limit.cpu_s() {
        return Err(Failure::Input(anyhow::anyhow!(
            "{} studies of {} runs would take about {} of CPU time together, more than the limit of {} (--max-cpu-min): run the designs one by one, with fewer runs, or raise the limit",
            designs.len(),
            args.runs,
            needlemap::analysis::duration_words(cpu_s),
            needlemap::analysis::duration_words(args.limit.cpu_s())
        )));
    }
    super::say_estimate(g, &format!("mc: {} runs", args.runs), cpu_s);
    if args.min_yield.is_some() {
        if let Some(d) = designs.iter().find(|d| d.spec.is_empty()) {
            return Err(Failure::Input(anyhow::anyhow!(
                "{}: --min-yield needs a [spec] table with limits (e.g. coverage_fraction = {{ min = 0.15 }})",
                d.source.path.display()
            )));
        }
    }
    prepare_dir(&args.out)?;
    super::check_outputs(
        &args.out,
        designs.iter().map(|d| d.name.as_str()),
        Some("mc"),
    )?;
    let mut low = false;
    let mut table = String::new();
    for d in &designs {
        let bars = super::progress::Bars::new(&d.name, g.quiet);
        let s = mc::study(d, args.runs, &bars).map_err(|e| Failure::Input(e.into()))?;
        write_set(&s, &args.out)?;
        table.push_str(&summary_table(&s));
        if let (Some(min), Some(y)) = (args.min_yield, &s.yield_) {
            if y.wilson95_lo < min {
                low = true;
                table.push_str(&format!(
                    "{}: yield lower 95 % bound {:.3} is below --min-yield {min}\n",
                    d.name, y.wilson95_lo
                ));
            }
        }
    }
    if !g.quiet {
        emit(table.as_bytes())?;
    }
    if low {
        Err(Failure::Check)
    } else {
        Ok(())
    }
}

/// Writes out/<name>/mc/ whole: runs.csv, summary.csv, summary.json and the picture (and
/// out/<name>/ with its manifest when missing).
fn write_set(s: &Study, out: &Path) -> CmdResult {
    let staging = Staging::new_sub(out, &s.design.name, "mc").map_err(|e| {
        Failure::Io(anyhow::anyhow!(
            "cannot create a temporary folder in {}: {e}",
            out.display()
        ))
    })?;
    let tmp = staging.dir();
    write_file(&tmp.join("runs.csv"), &runs_csv(s))?;
    write_file(&tmp.join("summary.csv"), &summary_csv(s))?;
    write_file(&tmp.join("summary.json"), &summary_json(s))?;
    let pic = needlemap::plot::mc::render(s).map_err(|e| Failure::Io(e.into()))?;
    needlemap::plot::write_pictures(&[pic], tmp).map_err(|e| Failure::Io(e.into()))?;
    super::commit(staging)?;
    Ok(())
}

/// One row per run: run, seed, pass, every registry metric, the drawn device.
pub fn runs_csv(s: &Study) -> Vec<u8> {
    let mut w = CsvBytes::new();
    let mut head: Vec<String> = vec!["run".into(), "seed".into()];
    head.extend(METRICS.iter().map(|m| m.key.to_string()));
    head.extend(
        [
            "needles_present",
            "needles_missing",
            "mean_length_mm",
            "sd_length_mm",
        ]
        .map(String::from),
    );
    if !s.design.spec.is_empty() {
        head.push("meets_spec".into());
    }
    w.row(&head);
    for r in &s.runs {
        let mut row = vec![r.run.to_string(), r.seed.to_string()];
        row.extend(r.metrics.values().map(|(m, v)| fmt_opt(v, m.decimals)));
        row.push(r.device.present.to_string());
        row.push(r.device.missing.to_string());
        row.push(fmt_opt(r.device.mean_length_mm, 6));
        row.push(fmt_opt(r.device.sd_length_mm, 6));
        if !s.design.spec.is_empty() {
            row.push(u8::from(r.passes).to_string());
        }
        w.row(&row);
    }
    w.into_bytes()
}

/// One row per metric: n, mean, sd, min, p05, p50, p95, max, the mean's 95 % CI.
pub fn summary_csv(s: &Study) -> Vec<u8> {
    let mut w = CsvBytes::new();
    w.row([
        "metric", "n", "mean", "sd", "min", "p05", "p50", "p95", "max", "ci95_lo", "ci95_hi",
    ]);
    for (key, sum) in &s.summaries {
        let dec = metric(key).map_or(6, |m| m.decimals.max(4));
        let mut row = vec![key.to_string()];
        match sum {
            Some(x) => {
                row.push(x.n.to_string());
                for v in [
                    x.mean, x.sd, x.min, x.p05, x.p50, x.p95, x.max, x.ci95_lo, x.ci95_hi,
                ] {
                    row.push(fmt_num(v, dec));
                }
            }
            None => {
                row.push("0".into());
                row.extend(std::iter::repeat_n(String::new(), 9));
            }
        }
        w.row(&row);
    }
    w.into_bytes()
}

/// The complete record: provenance, per-metric summaries, the yield.
pub fn summary_json(s: &Study) -> Vec<u8> {
    let d = &s.design;
    let metrics: serde_json::Map<String, serde_json::Value> = s
        .summaries
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                serde_json::to_value(v).expect("plain numbers"),
            )
        })
        .collect();
    let doc = serde_json::json!({
        "tool": "needlemap",
        "version": env!("CARGO_PKG_VERSION"),
        "name": d.name,
        "runs": s.runs.len(),
        "ci_method": "normal approximation: mean ± 1.96·sd/√n",
        "yield_interval": "Wilson score, 95 %",
        "metrics": metrics,
        "spec": d.spec,
        "yield": s.yield_,
        "provenance": {
            "design_file": d.source.path,
            "design_sha256": d.source.sha256,
            "first_seed": d.treatment.seed,
            "last_seed": d.treatment.seed.wrapping_add((s.runs.len() as u64).saturating_sub(1)),
            "resolution_um": d.analysis.resolution_um,
            "tolerance": d.tolerance,
            "as_built": d.as_built.as_ref().map(|a| a.path.display().to_string()),
        }
    });
    let mut v = serde_json::to_vec_pretty(&doc).expect("JSON of plain values");
    v.push(b'\n');
    v
}

/// The terminal table: each metric's mean ± sd and range, then the yield.
pub fn summary_table(s: &Study) -> String {
    let mut out = format!(
        "{} — {} runs (seeds {}–{})\n{:<24} {:>14} {:>12} {:>14} {:>14}\n",
        s.design.name,
        s.runs.len(),
        s.design.treatment.seed,
        s.design
            .treatment
            .seed
            .wrapping_add((s.runs.len() as u64).saturating_sub(1)),
        "metric",
        "mean",
        "sd",
        "p05",
        "p95"
    );
    for (key, sum) in &s.summaries {
        let m = metric(key).expect("registry key");
        let (scale, unit) = match m.unit {
            "%" => (100.0, "%".to_string()),
            "" => (1.0, String::new()),
            u => (1.0, format!(" {u}")),
        };
        let dec = m.table_decimals + 1;
        let f = |v: f64| format!("{}{unit}", fmt_num(v * scale, dec));
        match sum {
            Some(x) => out.push_str(&format!(
                "{key:<24} {:>14} {:>12} {:>14} {:>14}\n",
                f(x.mean),
                f(x.sd),
                f(x.p05),
                f(x.p95)
            )),
            None => out.push_str(&format!("{key:<24} {:>14}\n", "—")),
        }
    }
    if let Some(y) = &s.yield_ {
        out.push_str(&format!(
            "yield {}/{} = {:.1} % (Wilson 95 %: {:.1} – {:.1} %)\n",
            y.passing,
            y.runs,
            y.fraction * 100.0,
            y.wilson95_lo * 100.0,
            y.wilson95_hi * 100.0
        ));
        for l in &y.limits {
            out.push_str(&format!(
                "  {} {}: {:.1} % of runs fail\n",
                l.limit.key,
                l.limit.describe(),
                l.fail_fraction * 100.0
            ));
        }
    }
    out.push('\n');
    out
}
