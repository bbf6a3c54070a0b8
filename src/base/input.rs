//! Reading input files safely: only regular files, never more than a size cap, and paths
//! written inside an input resolved against that input's folder without leaving a root.
//!
//! A path in a design or sweep file is data from a stranger. `needles_csv =
//! "/proc/self/environ"` or `base = "/dev/zero"` must neither block, nor exhaust memory, nor
//! echo the file into an error message. [`ReadPolicy`] is that rule, passed explicitly to
//! [`crate::design::Design::load_with`] and [`crate::studies::sweep::Sweep::load_with`]; the plain
//! `load`s use [`ReadPolicy::default`] (root: the current directory, nothing outside it).

use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Largest input file read, bytes (16 MiB): designs, sweeps, needle CSVs and baselines are a
/// few kB; /proc files report size 0, so the cap is enforced while reading too.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// Where paths written inside input files may lead, and how much may be read.
///
/// # Examples
/// ```
/// use needlemap::base::input::ReadPolicy;
/// let p = ReadPolicy::new("designs");
/// assert!(p.resolve("designs/x.toml".as_ref(), "/etc/passwd").is_err());
/// ```
#[derive(Clone, Debug)]
pub struct ReadPolicy {
    /// Folder that referenced files must lie in (after following links and `..`).
    pub root: PathBuf,
    /// Accept referenced files outside `root`.
    pub allow_outside: bool,
    /// Largest file read, bytes.
    pub max_bytes: u64,
}

impl Default for ReadPolicy {
    /// Root: the current directory; nothing outside it; [`MAX_INPUT_BYTES`].
    fn default() -> Self {
        ReadPolicy::new(".")
    }
}

impl ReadPolicy {
    /// Referenced files must lie under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ReadPolicy {
            root: root.into(),
            allow_outside: false,
            max_bytes: MAX_INPUT_BYTES,
        }
    }

    /// Resolves `written`, a path found in the file `from`, against `from`'s folder; refuses
    /// a path that does not exist or (unless `allow_outside`) leads outside `root` once links
    /// and `..` are followed. Returns the joined path (relative if `from` is), for messages;
    /// the error is a sentence about that path, without the file's contents.
    pub fn resolve(&self, from: &Path, written: &str) -> Result<PathBuf, String> {
        let joined = from.parent().unwrap_or(Path::new(".")).join(written);
        let real = joined
            .canonicalize()
            .map_err(|e| format!("cannot read {}: {e}", joined.display()))?;
        if self.allow_outside {
            return Ok(joined);
        }
        let root = self.root.canonicalize().map_err(|e| {
            format!(
                "cannot resolve the project root {}: {e}",
                self.root.display()
            )
        })?;
        if real.starts_with(&root) {
            Ok(joined)
        } else {
            Err(format!(
                "{} is outside the project root {}; keep referenced files under the root, or set another with --root DIR, or pass --allow-outside",
                joined.display(),
                root.display()
            ))
        }
    }

    /// [`read_regular`] with this policy's size cap.
    pub fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        read_regular(path, self.max_bytes)
    }
}

/// Reads a regular file of at most `max_bytes`. Folders, FIFOs, devices and sockets are
/// refused from their metadata before opening (a FIFO would block, /dev/zero never ends);
/// the read itself stops at `max_bytes + 1` for files whose size the metadata misreports.
pub fn read_regular(path: &Path, max_bytes: u64) -> io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}, not a regular file", file_kind(&meta)),
        ));
    }
    let too_large = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "larger than the {} MiB limit for input files",
                max_bytes >> 20
            ),
        )
    };
    if meta.len() > max_bytes {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)?
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
    Ok(bytes)
}

/// What a non-regular file is, in words.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

/// `s` cut to 40 characters (with "…"), for quoting a field of an input in an error.
///
/// # Examples
/// ```
/// assert_eq!(needlemap::base::input::clip("abc"), "abc");
/// assert_eq!(needlemap::base::input::clip(&"x".repeat(50)).chars().count(), 41);
/// ```
pub fn clip(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_folders_devices_and_large_files() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_regular(dir.path(), 10).unwrap_err();
        assert!(e.to_string().contains("a folder"), "{e}");
        #[cfg(unix)]
        {
            let e = read_regular("/dev/zero".as_ref(), 10).unwrap_err();
            assert!(e.to_string().contains("a device"), "{e}");
        }
        let f = dir.path().join("f");
        std::fs::write(&f, b"0123456789ab").unwrap();
        assert!(read_regular(&f, 10).is_err());
        assert_eq!(read_regular(&f, 12).unwrap(), b"0123456789ab");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn size_zero_proc_files_are_capped_while_reading() {
        // /proc/self/maps reports size 0 but has content.
        let e = read_regular("/proc/self/maps".as_ref(), 4).unwrap_err();
        assert!(e.to_string().contains("limit"), "{e}");
    }

    #[test]
    fn resolve_stays_under_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("d")).unwrap();
        std::fs::write(dir.path().join("d/n.csv"), "x").unwrap();
        std::fs::write(dir.path().join("top.csv"), "x").unwrap();
        let from = dir.path().join("d/design.toml");
        let p = ReadPolicy::new(dir.path().join("d"));
        assert!(p.resolve(&from, "n.csv").is_ok());
        let e = p.resolve(&from, "../top.csv").unwrap_err();
        assert!(e.contains("outside the project root"), "{e}");
        let open = ReadPolicy {
            allow_outside: true,
            ..p
        };
        assert!(open.resolve(&from, "../top.csv").is_ok());
        assert!(open.resolve(&from, "missing.csv").is_err());
    }

    #[test]
    fn clip_cuts_on_characters() {
        let s = "é".repeat(45);
        assert_eq!(clip(&s), format!("{}…", "é".repeat(40)));
    }
}
