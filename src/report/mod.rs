//! Serializers: each returns bytes; writing is a separate, atomic step ([`write_atomic`]).

pub mod csv_out;
pub mod json;
pub mod needles;
pub mod outdir;
pub mod table;

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` whole or not at all: a temporary file in the same folder, then a
/// rename over the target. A reader sees the old file or the new one, never half of one; a
/// failed run leaves no partial file. There is no fsync: outputs are regenerable, and a sync
/// per file cost a fifth of a large run's time.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".needlemap-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    // Temporary files are private (0600); outputs are ordinary files for the team to read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A number for CSV and tables: fixed decimals, "" for an undefined metric.
pub fn fmt_opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(String::new, |x| fmt_num(x, decimals))
}

/// Fixed decimals, with −0 written as 0.
pub fn fmt_num(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Decimals each metric is written with in CSV: enough for QA and for the regression gate
/// (counts exact, fractions to 1e-6, lengths to 0.1 µm).
pub fn metric_decimals(key: &str) -> usize {
    match key {
        "channels" => 0,
        "density_per_cm2" | "puncture_rate_per_s" | "time_s" => 4,
        k if k.ends_with("_mm") => 5,
        _ => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_zero_is_written_as_zero() {
        assert_eq!(fmt_num(-0.00001, 3), "0.000");
        assert_eq!(fmt_num(-1.5, 1), "-1.5");
        assert_eq!(fmt_opt(None, 2), "");
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/a.csv");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o644
            );
        }
        assert_eq!(std::fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
    }
}
