//! `needlemap report`: out/report.html, one self-contained review page (and, with `--pdf`,
//! out/report.pdf printed by headless Chromium).
//!
//! The designs are checked before any work (a bad design or a study too large for `--runs`:
//! exit 2, nothing written) and the output folder is tried before the analyses (unwritable:
//! exit 3). Each design is analyzed once, in parallel over designs, and that analysis serves
//! its datasheet, its pictures and its comparison; the page is built from the same
//! [`Analysis`] values `analyze` serializes and written whole (`write_top`).
//!
//! The comparison the review asks for is one roller against one pen at equal density: by
//! default the roller and the pen nearest each other in density (each pair costs several
//! analyses of the matched treatments), every pair with `--compare-all`.

use super::{load_designs, prepare_dir, CmdResult, Failure, Global};
use crate::base::progress::Silent;
use crate::metrics::analysis::{self, Analysis};
use crate::output::plot;
use crate::output::review::{
    embed, ComparePart, DesignPart, Embedded, McPart, OptimisePart, Report, RunInfo, ValidationPart,
};
use crate::studies::mc::{self, Study};
use crate::studies::optimise::{self, Optimise, Outcome};
use clap::Args;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Design files, or folders of them
    #[arg(required_unless_present = "optimise")]
    pub designs: Vec<PathBuf>,
    /// Also run this optimisation file and show its search and Pareto front, with a
    /// datasheet for each of its first trade-off points
    #[arg(long, value_name = "FILE")]
    pub optimise: Option<PathBuf>,
    /// Output folder: writes DIR/report.html (and DIR/report.pdf)
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub model: super::ModelFlags,
    /// Also print the page to report.pdf with headless Chromium
    #[arg(long)]
    pub pdf: bool,
    /// Folder of the validation experiments (default: designs/validation if it exists)
    #[arg(long, value_name = "DIR")]
    pub validation: Option<PathBuf>,
    /// Compare every roller with every pen (default: the roller and the pen nearest each
    /// other in density; each pair costs several analyses)
    #[arg(long)]
    pub compare_all: bool,
    /// Also run a Monte Carlo study of N runs per design (seeds seed..seed+N−1 and the
    /// device drawn from [tolerance]) and show its summary in each datasheet
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: Option<u32>,
    /// Date shown in the report, as written (default: SOURCE_DATE_EPOCH if set, else now, UTC)
    #[arg(long)]
    pub date: Option<String>,
    #[command(flatten)]
    pub limit: super::WorkLimit,
}

/// Most trade-off points of an optimisation that get a datasheet.
const MAX_FRONT_SHOWN: usize = 6;

pub fn run(g: &Global, args: &ReportArgs) -> CmdResult {
    let mut designs = if args.designs.is_empty() {
        Vec::new()
    } else {
        load_designs(&args.designs, g)?
    };
    let o = g.overrides();
    let opt = args
        .optimise
        .as_ref()
        .map(|f| -> Result<_, Failure> {
            let opt = Optimise::load_with(f, &g.read_policy())?;
            opt.sweep.check_overrides(&o)?;
            opt.sweep
                .check_work(0..opt.sweep.len(), None, &o, args.limit.cpu_s())
                .map_err(|e| {
                    Failure::Input(anyhow::anyhow!(
                        "{}: {e}; or raise the limit (--max-cpu-min)",
                        f.display()
                    ))
                })?;
            Ok(opt)
        })
        .transpose()?;
    let validation_dir = args
        .validation
        .clone()
        .unwrap_or_else(|| PathBuf::from("designs/validation"));
    let experiments = if validation_dir.is_dir() {
        Some(load_designs(std::slice::from_ref(&validation_dir), g)?)
    } else if args.validation.is_some() {
        return Err(Failure::Input(anyhow::anyhow!(
            "--validation {}: no such folder",
            validation_dir.display()
        )));
    } else {
        None
    };
    let date = match &args.date {
        Some(d) => d.clone(),
        None => date_now()?,
    };
    let chromium = if args.pdf {
        Some(find_chromium().ok_or_else(|| {
            Failure::Input(anyhow::anyhow!(
                "--pdf needs headless Chromium, which is not installed: apt-get install chromium (or put chromium / chromium-browser / google-chrome on PATH)"
            ))
        })?)
    } else {
        None
    };
    if let Some(runs) = args.runs {
        for d in &designs {
            let here = |e: mc::StudyError| {
                Failure::Input(anyhow::Error::from(e).context(d.source.path.display().to_string()))
            };
            mc::check_work(d, runs).map_err(here)?;
            // the limit `mc` has on a study's estimated work
            mc::check_time(d, runs, args.limit.cpu_s()).map_err(here)?;
        }
    }
    prepare_dir(&args.out)?;
    let mut top = vec!["report.html".to_string()];
    let searched = match &opt {
        Some(opt) => Some(search(g, opt, &mut designs, args.runs, args.limit.cpu_s())?),
        None => None,
    };
    if args.pdf {
        top.push("report.pdf".to_string());
    }
    super::check_top_outputs(&args.out, &top)?;

    // First the analyses, one design per task, and the validation beside them; then the
    // comparison (its matched treatments are analyses too) beside each design's pictures and
    // study, each picture embedded as soon as it is drawn.
    let (analyses, rows) = rayon::join(
        || {
            designs
                .par_iter()
                .map(|d| analysis::analyze(d, &Silent))
                .collect::<Result<Vec<Analysis>, _>>()
        },
        || {
            experiments
                .as_ref()
                .map(|e| crate::studies::validation::validate(e, &Silent))
                .transpose()
        },
    );
    let analyses = analyses?;
    let rows = rows?;
    let refs: Vec<&Analysis> = analyses.iter().collect();
    let (compared, done) = rayon::join(
        || compare_pairs(&refs, args.compare_all),
        || {
            analyses
                .par_iter()
                .map(|a| {
                    let (pics, study) = rayon::join(
                        || pictures(a),
                        || args.runs.map(|n| study(&a.design, n)).transpose(),
                    );
                    Ok((pics?, study?))
                })
                .collect::<Result<Vec<Done>, Failure>>()
        },
    );
    let compared = compared?;
    let done = done?;
    let user = designs.len() - searched.as_ref().map_or(0, |s| s.2.len());
    let texts: Vec<Option<String>> = designs
        .iter()
        .enumerate()
        .map(|(i, d)| match (&opt, &searched) {
            // a front design's file is the one `optimise` writes
            (Some(opt), Some((_, _, shown))) if i >= user => {
                Some(optimise::design_text(opt, shown[i - user], &g.overrides()))
            }
            _ => std::fs::read(&d.source.path)
                .ok()
                .and_then(|b| String::from_utf8(b).ok()),
        })
        .collect();

    let vdir = validation_dir.display().to_string();
    let missing = format!(
        "No validation experiments: {} does not exist here; pass --validation DIR.",
        vdir
    );
    let command_line = command_line();
    let report = Report {
        optimise: opt
            .as_ref()
            .zip(searched.as_ref())
            .map(|(opt, (outcome, pic, shown))| OptimisePart {
                optimise: opt,
                outcome,
                picture: pic.as_ref(),
                shown: shown.clone(),
            }),
        designs: analyses
            .iter()
            .zip(&done)
            .zip(&texts)
            .map(|((a, (pics, mc)), t)| DesignPart {
                analysis: a,
                pictures: pics,
                file_text: t.as_deref(),
                mc: mc
                    .as_ref()
                    .map(|(study, picture)| McPart { study, picture }),
            })
            .collect(),
        compare: compared
            .iter()
            .map(|(text, pic)| ComparePart { text, picture: pic })
            .collect(),
        compare_rule: if args.compare_all {
            "every roller–pen pair"
        } else {
            "the roller and the pen nearest each other in density (--compare-all for every pair)"
        },
        validation: match &rows {
            Some(rows) => ValidationPart::Rows { dir: &vdir, rows },
            None => ValidationPart::Missing(&missing),
        },
        run: RunInfo {
            date_utc: &date,
            command_line: &command_line,
        },
    };
    let bytes = crate::output::review::render(&report);
    let html_path = args.out.join("report.html");
    let len = bytes.len();
    super::write_top(&args.out, &[("report.html".to_string(), bytes)])?;
    if !g.quiet {
        eprintln!("wrote {} ({len} bytes)", html_path.display());
    }
    if let Some(chromium) = chromium {
        let pdf = print_pdf(&chromium, &html_path, &args.out)?;
        if !g.quiet {
            eprintln!("wrote {}", pdf.display());
        }
    }
    Ok(())
}

/// Runs the optimisation `opt` (a progress bar on the terminal), draws its picture and
/// appends the designs of its first [`MAX_FRONT_SHOWN`] trade-off points to `designs`, the
/// constraints as their `[spec]`; with `runs`, checks their studies' work as for the others.
fn search(
    g: &Global,
    opt: &Optimise,
    designs: &mut Vec<crate::design::Design>,
    runs: Option<u32>,
    max_cpu_s: f64,
) -> Result<(Outcome, Option<Embedded>, Vec<usize>), Failure> {
    let o = g.overrides();
    let bars = super::progress::Bars::new(&opt.sweep.name, g.quiet);
    let outcome = optimise::run(opt, &o, max_cpu_s, &bars).map_err(|e| {
        Failure::Input(anyhow::anyhow!(
            "{}: {e} (nothing written)",
            opt.path.display()
        ))
    })?;
    let shown: Vec<usize> = outcome
        .front_groups()
        .into_iter()
        .take(MAX_FRONT_SHOWN)
        .map(|(k, _)| k)
        .collect();
    for &k in &shown {
        let mut d = opt
            .sweep
            .variant(k, &o)
            .expect("a front design is a valid design");
        d.spec = opt.spec.clone();
        if let Some(prev) = designs.iter().find(|p| p.name == d.name) {
            return Err(Failure::Input(anyhow::anyhow!(
                "{}: name {:?} is also the name of optimisation {}'s design {}; rename one",
                prev.source.path.display(),
                d.name,
                opt.path.display(),
                k + 1
            )));
        }
        if let Some(n) = runs {
            mc::check_work(&d, n).map_err(|e| Failure::Input(e.into()))?;
        }
        designs.push(d);
    }
    let picture = if outcome
        .candidates
        .iter()
        .all(|c| c.stage == optimise::Stage::Invalid)
    {
        None
    } else {
        let base = optimise::base_objectives(opt, &o);
        let pic = plot::pareto::render(&crate::output::optimise::trade_off(opt, &outcome, &base))
            .map_err(|e| Failure::Io(e.into()))?;
        Some(embed::embed(&pic))
    };
    Ok((outcome, picture, shown))
}

/// A design's pictures and, with `--runs`, its study and the study's picture, embedded.
type Done = (Vec<Embedded>, Option<(Study, Embedded)>);

/// A design's pictures, drawn and embedded in parallel.
fn pictures(a: &Analysis) -> Result<Vec<Embedded>, Failure> {
    let pics = plot::render_all(a).map_err(|e| Failure::Io(e.into()))?;
    Ok(pics.par_iter().map(embed::embed).collect())
}

/// A Monte Carlo study of `runs` runs and its picture.
fn study(d: &crate::design::Design, runs: u32) -> Result<(Study, Embedded), Failure> {
    let s = mc::study(d, runs, &Silent).map_err(|e| Failure::Input(e.into()))?;
    let pic = plot::mc::render(&s).map_err(|e| Failure::Io(e.into()))?;
    Ok((s, embed::embed(&pic)))
}

/// The roller–pen pairs of the report, compared in parallel, each as compare's text and
/// picture: every pair with `all`, else the roller and the pen whose analyzed densities are
/// nearest (smallest ratio; the first such pair in the order given).
fn compare_pairs(refs: &[&Analysis], all: bool) -> Result<Vec<(String, Embedded)>, Failure> {
    let every: Vec<[&Analysis; 2]> = crate::studies::compare::roller_pen_pairs(refs)
        .into_iter()
        .map(|pair| pair.map(|i| refs[i]))
        .collect();
    let apart = |pair: &[&Analysis; 2]| {
        let [r, p] = pair.map(|a| a.metrics.density_per_cm2);
        r.max(p) / r.min(p)
    };
    let pairs: Vec<[&Analysis; 2]> = if all {
        every
    } else {
        // min_by keeps the first of equals
        let nearest = every.iter().min_by(|a, b| apart(a).total_cmp(&apart(b)));
        nearest.into_iter().copied().collect()
    };
    pairs
        .par_iter()
        .map(|pair| {
            let cmp = crate::studies::compare::compare(pair, None, &Silent)
                .map_err(|e| Failure::Input(e.into()))?;
            let pic = plot::compare::render(pair, &cmp.pairs).map_err(|e| Failure::Io(e.into()))?;
            Ok((
                crate::output::compare::render(pair, &cmp),
                embed::embed(&pic),
            ))
        })
        .collect()
}

/// Now, or SOURCE_DATE_EPOCH when set (reproducible builds' convention), as UTC.
fn date_now() -> Result<String, Failure> {
    if let Ok(s) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: u64 = s.trim().parse().map_err(|_| {
            Failure::Input(anyhow::anyhow!(
                "SOURCE_DATE_EPOCH={s:?} is not a whole number of seconds since 1970"
            ))
        })?;
        return Ok(crate::output::review::utc_date(secs));
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Ok(crate::output::review::utc_date(secs))
}

/// The command line as typed, each argument quoted where a shell would need it.
fn command_line() -> String {
    std::env::args()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
            {
                a
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first Chromium found on PATH.
fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Prints `html` to `<out>/report.pdf`: Chromium writes a temporary file in `out`, renamed
/// over the target once it is complete.
fn print_pdf(chromium: &Path, html: &Path, out: &Path) -> Result<PathBuf, Failure> {
    let io = |what: String| move |e: std::io::Error| Failure::Io(anyhow::anyhow!("{what}: {e}"));
    let abs = std::fs::canonicalize(html).map_err(io(format!("cannot find {}", html.display())))?;
    let profile = tempfile::tempdir().map_err(io("cannot create a browser profile".into()))?;
    let tmp = tempfile::Builder::new()
        .prefix(&crate::base::outdir::part_prefix())
        .suffix(".pdf")
        .tempfile_in(out)
        .map_err(io(format!("cannot write in {}", out.display())))?;
    let status = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", tmp.path().display()))
        .arg(format!("file://{}", abs.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(io(format!("cannot run {}", chromium.display())))?;
    let len = std::fs::metadata(tmp.path()).map(|m| m.len()).unwrap_or(0);
    if !status.success() || len == 0 {
        return Err(Failure::Io(anyhow::anyhow!(
            "{} could not print {} to PDF ({status})",
            chromium.display(),
            html.display()
        )));
    }
    let target = out.join("report.pdf");
    let _lock = crate::base::outdir::claim_top(out, &["report.pdf".to_string()])
        .map_err(|e| super::out_failure(&target, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .ok();
    }
    tmp.persist(&target).map_err(|e| {
        Failure::Io(anyhow::anyhow!(
            "cannot write {}: {}",
            target.display(),
            e.error
        ))
    })?;
    Ok(target)
}
