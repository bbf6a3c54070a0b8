//! Serializers: each returns bytes; writing is a separate, atomic step ([`write_atomic`]).

pub mod csv_out;
pub mod html;
pub mod json;
pub mod needles;
pub mod outdir;
pub mod table;

use std::io::Write;
use std::path::Path;

/// The files of a design's analysis in `out/<name>/`: what [`write_analysis`] writes (the
/// pictures only with plots). An analysis replaces these where the folder's manifest lists
/// them, and keeps every other file (a sweep's, a study's folder, the user's).
pub const ANALYSIS_FILES: &[&str] = &[
    "summary.csv",
    "channels.csv",
    "tiles.csv",
    "needles.csv",
    "coverage.png",
    "coverage.svg",
    "density.png",
    "density.svg",
    "depth.png",
    "depth.svg",
    "detail.png",
    "detail.svg",
    "needles.png",
    "needles.svg",
];

/// Writes `<out>/<name>/` as a whole (`out` must exist): summary.csv, channels.csv,
/// tiles.csv, needles.csv and, with `plots`, the pictures go into a staged folder that then
/// replaces the old set ([`outdir::Staging`]), so a reader never pairs one run's summary with
/// another's channels, and nothing in the folder that is not the old set's is lost. A folder
/// needlemap did not make at that path is refused. Returns the folder.
pub fn write_analysis(
    a: &crate::analysis::Analysis,
    out: &Path,
    plots: bool,
) -> std::io::Result<std::path::PathBuf> {
    let staging = outdir::Staging::new(out, &a.design.name, Some(ANALYSIS_FILES))?;
    let dir = staging.dir();
    let named = |path: &Path| {
        let p = path.display().to_string();
        move |e: std::io::Error| std::io::Error::new(e.kind(), format!("cannot write {p}: {e}"))
    };
    for (name, bytes) in [
        ("summary.csv", csv_out::summary(&[a])),
        ("channels.csv", csv_out::channels(a)),
        ("tiles.csv", csv_out::tiles(a)),
        ("needles.csv", csv_out::needles(a)),
    ] {
        let p = dir.join(name);
        write_atomic(&p, &bytes).map_err(named(&p))?;
    }
    if plots {
        crate::plot::write_all(a, dir).map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    staging.commit()
}

/// Writes `bytes` to `path` whole or not at all: a temporary file in the same folder, then a
/// rename over the target. A reader sees the old file or the new one, never half of one; a
/// failed run leaves no partial file. There is no fsync: outputs are regenerable, and a sync
/// per file cost a fifth of a large run's time.
///
/// A target that exists and is not a regular file — a device such as `/dev/full`, a FIFO, a
/// folder, a symbolic link — is refused (`InvalidInput`): the rename would replace it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_file() {
            let what = if meta.file_type().is_symlink() {
                "a symbolic link"
            } else if meta.is_dir() {
                "a folder"
            } else {
                "not a regular file (a device, FIFO or socket)"
            };
            // the caller names the path
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("it is {what}; needlemap writes only new or regular files (it would replace it)"),
            ));
        }
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    // named with the pid, so that a killed run's temporary can be told from a live one's
    let mut tmp = tempfile::Builder::new()
        .prefix(&outdir::part_prefix())
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

/// A CSV file being written to memory the way every CSV of the tool is written: comma
/// separated, quoted where needed, rows ended by `\n`.
///
/// # Examples
/// ```
/// let mut w = needlemap::report::CsvBytes::new();
/// w.row(["a", "b"]);
/// w.row(["1", "x,y"]);
/// assert_eq!(w.into_bytes(), b"a,b\n1,\"x,y\"\n");
/// ```
pub struct CsvBytes(csv::Writer<Vec<u8>>);

impl Default for CsvBytes {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvBytes {
    /// An empty file.
    pub fn new() -> CsvBytes {
        CsvBytes(
            csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new()),
        )
    }

    /// Appends one row. Writing to memory cannot fail for I/O; a row whose length differs from
    /// the first row's is a bug in the caller, and panics here rather than being dropped.
    pub fn row<I, T>(&mut self, cells: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        if let Err(e) = self.0.write_record(cells) {
            panic!("a CSV row could not be written: {e}");
        }
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        match self.0.into_inner() {
            Ok(v) => v,
            Err(e) => panic!("a CSV file could not be finished: {}", e.error()),
        }
    }
}

/// Escapes text for XML and HTML attributes and content (JUnit XML, the review page).
/// Control characters other than tab and newline, not allowed in XML 1.0, become `?`.
///
/// # Examples
/// ```
/// assert_eq!(needlemap::report::escape_markup("a<b & 'c'"), "a&lt;b &amp; &apos;c&apos;");
/// ```
pub fn escape_markup(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => o.push('?'),
            c => o.push(c),
        }
    }
    o
}

/// A number for CSV and tables: fixed decimals, "" for an undefined metric.
pub fn fmt_opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(String::new, |x| fmt_num(x, decimals))
}

/// Largest magnitude written in fixed notation; beyond it (a time of 1e300 s from a press
/// rate of 1e-300/s) [`fmt_num`] writes e-notation, so no cell or table column is hundreds of
/// digits wide.
pub const MAX_FIXED: f64 = 1e15;

/// Fixed decimals, with −0 written as 0; e-notation with the same decimals beyond
/// [`MAX_FIXED`] or for a non-finite value.
///
/// # Examples
/// ```
/// use needlemap::report::fmt_num;
/// assert_eq!(fmt_num(40.0, 1), "40.0");
/// assert_eq!(fmt_num(1e300, 4), "1.0000e300");
/// ```
pub fn fmt_num(x: f64, decimals: usize) -> String {
    if !x.is_finite() || x.abs() >= MAX_FIXED {
        return format!("{x:.decimals$e}");
    }
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
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

    #[test]
    #[cfg(unix)]
    fn refuses_to_replace_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.csv");
        write_atomic(&file, b"2\n").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        for target in [&link, &sub, std::path::Path::new("/dev/null")] {
            let e = write_atomic(target, b"x").unwrap_err();
            assert_eq!(
                e.kind(),
                std::io::ErrorKind::InvalidInput,
                "{}",
                target.display()
            );
        }
        // nothing was replaced
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&file).unwrap(), b"2\n");
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::symlink_metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
    }
}
