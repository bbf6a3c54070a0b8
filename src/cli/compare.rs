//! `needlemap compare`: the designs side by side, every roller–pen pair at each other's
//! density, optionally every design at a target density, and the comparison picture
//! out/compare-<names>.png/.svg.

use super::{
    emit, load_designs, positive_f64, prepare_dir, write_file, CmdResult, Failure, Format, Global,
};
use clap::Args;
use needlemap::analysis::Analysis;
use needlemap::compare::{self, text};
use needlemap::plot;
use needlemap::report::{csv_out, json};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Design files, or folders of them (two designs or more in all)
    #[arg(required = true)]
    pub designs: Vec<PathBuf>,
    /// Output on stdout
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also bring every design to this density, channels/cm²
    #[arg(long = "target-density", value_parser = positive_f64)]
    pub target_density: Option<f64>,
    /// Output folder: writes DIR/compare-<names>.png and .svg
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub model: super::ModelFlags,
    /// Also run each design with seeds seed..seed+N−1 and state each difference of means
    /// with its 95 % CI (table output)
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..))]
    pub runs: Option<u32>,
}

pub fn run(g: &Global, args: &CompareArgs) -> CmdResult {
    // Each argument is loaded on its own so that a design may be compared with itself;
    // a repeated name gets a suffix (#2, #3, …) to keep columns and files apart.
    let mut designs = Vec::new();
    for p in &args.designs {
        for mut d in load_designs(std::slice::from_ref(p), g)? {
            let base = d.name.clone();
            let mut k = 1;
            while designs
                .iter()
                .any(|o: &needlemap::design::Design| o.name == d.name)
            {
                k += 1;
                d.name = format!("{base}#{k}");
            }
            designs.push(d);
        }
    }
    if designs.len() < 2 {
        return Err(Failure::Input(anyhow::anyhow!(
            "compare needs two designs or more; got {} ({})",
            designs.len(),
            args.designs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if let Some(x) = args.target_density {
        compare::check_target(&designs, x).map_err(compare_failure)?;
    }
    if let Some(n) = args.runs {
        for d in &designs {
            needlemap::mc::check_work(d, n).map_err(|e| Failure::Input(e.into()))?;
        }
    }
    prepare_dir(&args.out)?;
    let mut done: Vec<Analysis> = Vec::with_capacity(designs.len());
    for d in &designs {
        done.push(super::analyze::analyze_one(d, g)?);
    }
    let refs: Vec<&Analysis> = done.iter().collect();
    let bars = super::progress::Bars::new("compare", g.quiet);
    let cmp = compare::compare(&refs, args.target_density, &bars).map_err(compare_failure)?;
    let pic = plot::compare::render(&refs, &cmp.pairs).map_err(|e| Failure::Io(e.into()))?;
    let names: Vec<&str> = refs.iter().map(|a| a.design.name.as_str()).collect();
    let stem = plot::compare::file_stem(&names);
    write_file(&args.out.join(format!("{stem}.png")), &pic.png)?;
    write_file(&args.out.join(format!("{stem}.svg")), &pic.svg)?;
    let bytes = match args.format {
        Format::Table if g.quiet => return Ok(()),
        Format::Table => {
            let mut t = text::render(&refs, &cmp);
            if let Some(n) = args.runs {
                t.push_str(&noise_table(&designs, n, g)?);
            }
            t.into_bytes()
        }
        Format::Json => json::document(&refs, text::extra(&refs, &cmp)),
        Format::Csv => csv_out::summary(&refs),
    };
    emit(&bytes)
}

/// A comparison that cannot be made is bad input (exit 2).
fn compare_failure(e: compare::CompareError) -> Failure {
    Failure::Input(e.into())
}

/// Each design run `n` times (seeds seed..seed+n−1); every metric's difference of means from
/// the first design with its 95 % CI (Welch standard error, normal quantile), "within noise"
/// when the CI contains 0.
fn noise_table(
    designs: &[needlemap::design::Design],
    n: u32,
    g: &Global,
) -> Result<String, Failure> {
    use needlemap::mc::{self, stats};
    use needlemap::report::fmt_num;
    let mut studies = Vec::with_capacity(designs.len());
    for d in designs {
        let bars = super::progress::Bars::new(&d.name, g.quiet);
        studies.push(mc::study(d, n, &bars).map_err(|e| Failure::Input(e.into()))?);
    }
    let base = &studies[0];
    let mut out = format!(
        "\nDifferences over {n} seeds each (mean of other − mean of {}, 95 % CI):\n",
        base.design.name
    );
    for other in &studies[1..] {
        out.push_str(&format!("{} vs {}\n", other.design.name, base.design.name));
        for ((key, a), (_, b)) in other.summaries.iter().zip(&base.summaries) {
            let (Some(a), Some(b)) = (a, b) else {
                out.push_str(&format!("  {key:<24} undefined in a run\n"));
                continue;
            };
            let (d, lo, hi) = stats::diff_ci(a, b);
            let dec = needlemap::metrics::registry::metric(key).map_or(4, |m| m.decimals.max(2));
            let verdict = if d == 0.0 && lo == hi {
                " equal in every run"
            } else if lo <= 0.0 && hi >= 0.0 {
                " within noise"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {key:<24} {:>14} [{}, {}]{verdict}\n",
                fmt_num(d, dec),
                fmt_num(lo, dec),
                fmt_num(hi, dec)
            ));
        }
    }
    Ok(out)
}
