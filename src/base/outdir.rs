//! Output folders written whole: a design's files (summary, channels, tiles, needles,
//! pictures) belong together, so they are written into a temporary folder beside the target
//! and swapped in as one.
//!
//! [`write_atomic`](super::write_atomic) makes each file whole, but two runs into one `--out`
//! could still leave one run's summary.csv beside the other's channels.csv. A [`Staging`]
//! folder `.needlemap-tmp-<name>-<pid>-<n>` in the output folder takes the files; `commit`
//! renames the old `<name>/` aside (`.needlemap-old-<name>-<pid>-<n>`), renames the new one in
//! and removes the old. A reader sees one run's set or the other's (or, for the instant
//! between the two renames, none), never a mix. A run that dies leaves its temporaries;
//! [`clean_stale`] removes those whose process is gone.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

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

/// Prefix of every temporary this module (and [`super::write_atomic`]) leaves in a folder.
pub const TEMP_PREFIX: &str = ".needlemap-";

/// Age after which a temporary whose owner cannot be checked counts as stale.
pub const STALE_AGE: Duration = Duration::from_secs(3600);

/// Times `commit` retries when another run swaps the same folder in at the same moment.
const SWAP_ATTEMPTS: u32 = 100;

/// Per-process counter that makes temporary names unique.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// A temporary folder that becomes `<out>/<name>/` on [`Staging::commit`], and is removed if
/// dropped uncommitted.
///
/// # Examples
/// ```
/// use needlemap::base::outdir::Staging;
/// let out = tempfile::tempdir().unwrap();
/// let s = Staging::new(out.path(), "d").unwrap();
/// std::fs::write(s.dir().join("summary.csv"), "name\nd\n").unwrap();
/// s.commit().unwrap();
/// assert!(out.path().join("d/summary.csv").is_file());
/// ```
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    name: String,
    tmp: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates the temporary folder in `out` (which must exist) for the set `name`.
    pub fn new(out: &Path, name: &str) -> io::Result<Staging> {
        loop {
            let tmp = out.join(temp_name("tmp", name));
            match std::fs::create_dir(&tmp) {
                Ok(()) => {
                    return Ok(Staging {
                        out: out.to_path_buf(),
                        name: name.to_string(),
                        tmp,
                        committed: false,
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The folder to write the set into.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// The folder the set is moved into by [`Staging::commit`].
    pub fn target(&self) -> PathBuf {
        self.out.join(&self.name)
    }

    /// Replaces `<out>/<name>/` with the staged folder and returns the final path.
    pub fn commit(mut self) -> io::Result<PathBuf> {
        let target = self.target();
        let mut last = None;
        for _ in 0..SWAP_ATTEMPTS {
            let old = self.out.join(temp_name("old", &self.name));
            let moved_aside = match std::fs::rename(&target, &old) {
                Ok(()) => true,
                Err(e) if e.kind() == io::ErrorKind::NotFound => false,
                Err(e) => return Err(e),
            };
            let swapped = std::fs::rename(&self.tmp, &target);
            if moved_aside {
                std::fs::remove_dir_all(&old).ok();
            }
            match swapped {
                Ok(()) => {
                    self.committed = true;
                    return Ok(target);
                }
                // Another run put its set in between our two renames: move it aside, again.
                Err(e) if target.is_dir() => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("the output folder kept changing")))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            std::fs::remove_dir_all(&self.tmp).ok();
        }
    }
}

/// `.needlemap-<what>-<name>-<pid>-<n>`.
fn temp_name(what: &str, name: &str) -> String {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{TEMP_PREFIX}{what}-{name}-{}-{n}", std::process::id())
}

/// The process id in a temporary's name `.needlemap-<what>-<name>-<pid>-<n>`.
fn owner_pid(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix(TEMP_PREFIX)?;
    let mut parts = rest.rsplitn(3, '-');
    let _n: u64 = parts.next()?.parse().ok()?;
    let pid = parts.next()?.parse().ok()?;
    let head = parts.next()?;
    (head.starts_with("tmp-") || head.starts_with("old-")).then_some(pid)
}

/// Whether process `pid` is running: /proc/<pid> on Linux; `None` where that cannot be told.
fn alive(pid: u32) -> Option<bool> {
    if cfg!(target_os = "linux") && Path::new("/proc/self").exists() {
        Some(Path::new(&format!("/proc/{pid}")).exists())
    } else {
        None
    }
}

/// Removes the temporaries (`.needlemap-*`) in `out` that a dead run left: those whose process
/// is gone, and those older than [`STALE_AGE`] where the owner cannot be told. Returns what
/// was removed. A missing `out` has nothing to clean.
pub fn clean_stale(out: &Path) -> io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(out) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut removed = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str().filter(|n| n.starts_with(TEMP_PREFIX)) else {
            continue;
        };
        let old_enough = || {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > STALE_AGE)
        };
        let stale = match owner_pid(name).and_then(alive) {
            Some(is_alive) => !is_alive,
            None => old_enough(),
        };
        if !stale {
            continue;
        }
        let path = entry.path();
        let gone = if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match gone {
            Ok(()) => removed.push(path),
            // Another run cleaning at the same time got there first.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
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

    use super::*;

    #[test]
    fn commit_replaces_the_whole_folder() {
        let out = tempfile::tempdir().unwrap();
        std::fs::create_dir(out.path().join("d")).unwrap();
        std::fs::write(out.path().join("d/stale.png"), "old").unwrap();
        let s = Staging::new(out.path(), "d").unwrap();
        std::fs::write(s.dir().join("summary.csv"), "new").unwrap();
        s.commit().unwrap();
        let names: Vec<_> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("d")]);
        assert!(!out.path().join("d/stale.png").exists());
        assert_eq!(
            std::fs::read_to_string(out.path().join("d/summary.csv")).unwrap(),
            "new"
        );
    }

    #[test]
    fn dropped_staging_leaves_nothing() {
        let out = tempfile::tempdir().unwrap();
        drop(Staging::new(out.path(), "d").unwrap());
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    }

    #[test]
    fn owner_pid_reads_names_with_dashes() {
        assert_eq!(owner_pid(".needlemap-tmp-mf8-192-4242-7"), Some(4242));
        assert_eq!(owner_pid(".needlemap-old-a-1-0"), Some(1));
        assert_eq!(owner_pid(".needlemap-Ab3xYz"), None);
        assert_eq!(owner_pid("mf8-192"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn clean_stale_keeps_live_runs_and_removes_dead_ones() {
        let out = tempfile::tempdir().unwrap();
        let live = out
            .path()
            .join(format!(".needlemap-tmp-d-{}-0", std::process::id()));
        // Pids are below 2^22 on Linux.
        let dead = out.path().join(".needlemap-tmp-d-4294967295-0");
        std::fs::create_dir(&live).unwrap();
        std::fs::create_dir(&dead).unwrap();
        std::fs::create_dir(out.path().join("d")).unwrap();
        assert_eq!(clean_stale(out.path()).unwrap(), vec![dead.clone()]);
        assert!(live.exists() && !dead.exists() && out.path().join("d").exists());
    }
}
