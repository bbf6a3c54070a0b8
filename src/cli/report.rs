//! `needlemap report`: out/report.html, one self-contained review page (and, with `--pdf`,
//! out/report.pdf printed by headless Chromium).
//!
//! The designs are checked before any work (a bad design: exit 2, nothing written) and the
//! output folder is tried before the analyses (unwritable: exit 3). The analyses run in
//! parallel over designs; the page is built from the same [`Analysis`] values `analyze`
//! serializes and written whole ([`write_file`]).

use super::{load_designs, prepare_dir, write_file, CmdResult, Failure, Global};
use clap::Args;
use needlemap::analysis::{self, Analysis};
use needlemap::design::Device;
use needlemap::plot::{self, Picture};
use needlemap::progress::Silent;
use needlemap::report::html::{self, ComparePart, DesignPart, Report, RunInfo, ValidationPart};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Design files, or folders of them
    #[arg(required = true)]
    pub designs: Vec<PathBuf>,
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
    /// Compare every roller with every pen (default: each pen with the roller nearest its
    /// density; each pair costs several analyses)
    #[arg(long)]
    pub compare_all: bool,
    /// Date shown in the report, as written (default: SOURCE_DATE_EPOCH if set, else now, UTC)
    #[arg(long)]
    pub date: Option<String>,
}

pub fn run(g: &Global, args: &ReportArgs) -> CmdResult {
    let designs = load_designs(&args.designs, g)?;
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
    prepare_dir(&args.out)?;

    // The analyses dominate: one design per task, and the validation beside them.
    let (done, rows) = rayon::join(
        || {
            designs
                .par_iter()
                .map(|d| {
                    let a = analysis::analyze(d, &Silent)?;
                    let pics = plot::render_all(&a).map_err(|e| Failure::Io(e.into()))?;
                    Ok((a, pics))
                })
                .collect::<Result<Vec<(Analysis, Vec<Picture>)>, Failure>>()
        },
        || {
            experiments
                .as_ref()
                .map(|e| needlemap::validate::validate(e, &Silent))
                .transpose()
        },
    );
    let done = done?;
    let rows = rows?;
    let texts: Vec<Option<String>> = designs
        .iter()
        .map(|d| {
            std::fs::read(&d.source.path)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
        })
        .collect();
    let refs: Vec<&Analysis> = done.iter().map(|(a, _)| a).collect();

    let compared = compare_pairs(&refs, args.compare_all)?;

    let vdir = validation_dir.display().to_string();
    let missing = format!(
        "No validation experiments: {} does not exist here; pass --validation DIR.",
        vdir
    );
    let command_line = command_line();
    let report = Report {
        designs: done
            .iter()
            .zip(&texts)
            .map(|((a, pics), t)| DesignPart {
                analysis: a,
                pictures: pics,
                file_text: t.as_deref(),
            })
            .collect(),
        compare: compared
            .iter()
            .map(|(text, pic)| ComparePart { text, picture: pic })
            .collect(),
        compare_rule: if args.compare_all {
            "every roller–pen pair"
        } else {
            "each pen with the roller nearest its density (--compare-all for every pair)"
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
    let bytes = html::render(&report);
    let html_path = args.out.join("report.html");
    write_file(&html_path, &bytes)?;
    if !g.quiet {
        eprintln!("wrote {} ({} bytes)", html_path.display(), bytes.len());
    }
    if let Some(chromium) = chromium {
        let pdf = print_pdf(&chromium, &html_path, &args.out)?;
        if !g.quiet {
            eprintln!("wrote {}", pdf.display());
        }
    }
    Ok(())
}

/// The roller–pen pairs of the report, compared in parallel, each as compare's text and
/// picture: every pair with `all`, else each pen with the roller nearest its density.
fn compare_pairs(refs: &[&Analysis], all: bool) -> Result<Vec<(String, Picture)>, Failure> {
    let of = |f: fn(&Device) -> bool| -> Vec<&Analysis> {
        refs.iter()
            .copied()
            .filter(|a| f(&a.design.device))
            .collect()
    };
    let rollers = of(|d| matches!(d, Device::Roller(_)));
    let pens = of(|d| matches!(d, Device::Pen(_)));
    let mut pairs: Vec<[&Analysis; 2]> = Vec::new();
    for p in &pens {
        if all {
            pairs.extend(rollers.iter().map(|r| [*r, *p]));
        } else if let Some(r) = rollers.iter().min_by(|a, b| {
            let d = |x: &Analysis| (x.metrics.density_per_cm2 - p.metrics.density_per_cm2).abs();
            d(a).total_cmp(&d(b))
        }) {
            pairs.push([*r, *p]);
        }
    }
    pairs
        .par_iter()
        .map(|pair| {
            let cmp = needlemap::compare::compare(pair, None, &Silent)
                .map_err(|e| Failure::Input(e.into()))?;
            let pic = plot::compare::render(pair, &cmp.pairs).map_err(|e| Failure::Io(e.into()))?;
            Ok((needlemap::compare::text::render(pair, &cmp), pic))
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
        return Ok(html::utc_date(secs));
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Ok(html::utc_date(secs))
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
        .prefix(".needlemap-")
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
