//! Output folders: needlemap replaces only what it wrote, and writes a set of files whole.
//!
//! **Whose folder.** Every folder needlemap makes under `--out` carries a manifest,
//! [`MANIFEST`] (`needlemap-manifest.json`: the tool, its version, the kind of folder and the
//! files needlemap wrote in it). A run writes into or replaces `out/<name>/` (and
//! `out/<name>/mc/`) only when it is missing or its manifest says needlemap made it; a folder
//! without one (the user's `./docs/` when `--out .` meets `name = "docs"`), a file, a device
//! or a symbolic link at that path is refused, never moved or deleted (exit 3 in the CLI).
//! Files that `compare` and `report` write straight into `--out` are listed in a manifest of
//! kind `root` there, and a file of the same name that needlemap did not write is refused.
//!
//! **Whole sets.** A design's files (summary, channels, tiles, needles, pictures) belong
//! together, so they are written into a temporary folder `.needlemap-tmp-<name>-<pid>-<n>` in
//! `--out` and swapped in as one ([`Staging::commit`]): under a lock per name
//! (`.needlemap-lock-<name>`, so concurrent runs take turns), the entries of the old folder
//! that the new set does not replace — a Monte Carlo study in `mc/`, sweep files, anything the
//! user put there — are moved into the new folder, the old folder is renamed aside
//! (`.needlemap-old-<name>-<pid>-<n>`), the new one renamed in, and of the old one only the
//! files its manifest lists are deleted. A reader sees one run's set or the other's (or, for
//! the instant between the two renames, none), never a mix. Commands that add files to a
//! folder (`layout`, `sweep`) do so under the same lock ([`write_into`]), listing them in the
//! manifest first.
//!
//! **Kills.** A run that dies leaves its temporaries; [`clean_stale`] (run at the start of the
//! commands that write) finds those whose process is gone and puts things right without
//! deleting anything needlemap did not write: a staged folder's own files (its manifest lists
//! them) are deleted and anything else in it goes back where it came from; a complete staged
//! set whose old folder was already renamed aside is moved in; an old folder loses only its
//! listed files.

use crate::base::input::read_regular;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

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
        .prefix(&part_prefix())
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

/// Prefix of every temporary this module (and [`write_atomic`]) leaves in a folder.
pub const TEMP_PREFIX: &str = ".needlemap-";

/// The manifest in every folder needlemap makes.
pub const MANIFEST: &str = "needlemap-manifest.json";

/// Age after which a temporary whose owner cannot be checked counts as stale.
pub const STALE_AGE: Duration = Duration::from_secs(3600);

/// Longest wait for another run's lock on the same output folder (a swap takes
/// milliseconds; a run that holds it longer is stuck).
pub const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Per-process counter that makes temporary names unique.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// What a folder needlemap made holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `out/<name>/`: a design's analysis, its layout, a sweep's files.
    Set,
    /// `out/<name>/mc/`: a Monte Carlo study.
    Mc,
    /// `--out` itself, for the files `compare` and `report` write straight into it (the
    /// folder stays the user's: only the listed files are needlemap's).
    Root,
}

/// The manifest of a folder needlemap made: its kind and the files needlemap wrote in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `"needlemap"`.
    pub tool: String,
    /// The version that last wrote the manifest.
    pub version: String,
    /// What the folder holds.
    pub kind: Kind,
    /// Files needlemap wrote in the folder (names, sorted).
    pub files: BTreeSet<String>,
}

impl Manifest {
    /// An empty manifest of `kind`.
    pub fn new(kind: Kind) -> Manifest {
        Manifest {
            tool: "needlemap".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            kind,
            files: BTreeSet::new(),
        }
    }

    /// The JSON text (the same bytes for the same files: no dates).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("a manifest serializes");
        v.push(b'\n');
        v
    }

    /// The manifest in `dir`, if it has one that needlemap wrote (`None` when it is missing
    /// or is not needlemap's).
    pub fn read(dir: &Path) -> Option<Manifest> {
        let bytes = read_regular(&dir.join(MANIFEST), 1 << 20).ok()?;
        let m: Manifest = serde_json::from_slice(&bytes).ok()?;
        (m.tool == "needlemap").then_some(m)
    }

    /// Writes the manifest into `dir`, atomically.
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        write_atomic(&dir.join(MANIFEST), &self.to_bytes())
    }
}

/// A refusal to touch `path`, which needlemap did not make: `why` says what is there.
fn refusal(path: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{} {why}; needlemap replaces or writes into only what it made (a folder it made \
             holds {MANIFEST}), and never deletes anything else: move it away, or write \
             elsewhere with --out DIR",
            path.display()
        ),
    )
}

/// Whether `path` is free for needlemap to make, or a folder of `kind` that needlemap made
/// (its manifest), or neither (an error naming the path and what stands there).
///
/// # Examples
/// ```
/// use needlemap::base::outdir::{ours, Kind};
/// let out = tempfile::tempdir().unwrap();
/// assert_eq!(ours(&out.path().join("new"), Kind::Set).unwrap(), None);
/// std::fs::create_dir(out.path().join("docs")).unwrap();
/// assert!(ours(&out.path().join("docs"), Kind::Set).is_err());
/// ```
pub fn ours(path: &Path, kind: Kind) -> io::Result<Option<Manifest>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if meta.file_type().is_symlink() {
        return Err(refusal(
            path,
            "is a symbolic link (needlemap does not follow or replace links at an output path)",
        ));
    }
    if !meta.is_dir() {
        return Err(refusal(path, "is a file that needlemap did not write"));
    }
    match Manifest::read(path) {
        Some(m) if m.kind == kind => Ok(Some(m)),
        Some(m) => Err(refusal(
            path,
            &format!(
                "is a folder needlemap made for something else (its {MANIFEST} says {:?}, not {:?})",
                m.kind, kind
            ),
        )),
        None => Err(refusal(
            path,
            &format!("is a folder that needlemap did not make (it has no {MANIFEST})"),
        )),
    }
}

/// Checks, before long work, that `<out>/<name>/` (and its `sub` folder) can be written:
/// missing, or made by needlemap.
pub fn check_set(out: &Path, name: &str, sub: Option<&str>) -> io::Result<()> {
    let top = out.join(name);
    if ours(&top, Kind::Set)?.is_some() {
        if let Some(s) = sub {
            ours(&top.join(s), Kind::Mc)?;
        }
    }
    Ok(())
}

/// Checks, before long work, that each of `names` in `out` is new or a file needlemap wrote
/// there before (listed in the root manifest).
pub fn check_top(out: &Path, names: &[String]) -> io::Result<()> {
    let listed = Manifest::read(out)
        .filter(|m| m.kind == Kind::Root)
        .map(|m| m.files)
        .unwrap_or_default();
    for n in names {
        let p = out.join(n);
        match std::fs::symlink_metadata(&p) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
            Ok(meta) if meta.is_file() && listed.contains(n) => {}
            Ok(_) => {
                return Err(refusal(
                    &p,
                    &format!(
                    "exists and needlemap did not write it (the {MANIFEST} of {} does not list it)",
                    out.display()
                ),
                ))
            }
        }
    }
    Ok(())
}

/// A lock on one output folder (or, for `name` "", on the files straight in `--out`) among
/// needlemap runs: the file `.needlemap-lock-<name>` holding the owner's pid, made whole by a
/// hard link (so it never exists half-written), removed on drop. A lock whose owner is gone
/// (a killed run) is broken.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    /// Takes the lock for `name` in `out`, waiting up to [`LOCK_WAIT`] for another run's.
    pub fn acquire(out: &Path, name: &str) -> io::Result<Lock> {
        Lock::acquire_within(out, name, LOCK_WAIT)
    }

    /// Takes the lock for `name` in `out`, waiting up to `wait` for another run's.
    pub fn acquire_within(out: &Path, name: &str, wait: Duration) -> io::Result<Lock> {
        let path = out.join(lock_name(name));
        let pid = std::process::id();
        let start = Instant::now();
        loop {
            let mut tmp = tempfile::Builder::new()
                .prefix(&part_prefix())
                .tempfile_in(out)?;
            use std::io::Write;
            write!(tmp, "{pid}")?;
            let made = match std::fs::hard_link(tmp.path(), &path) {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
                // no hard links on this file system: an exclusive create instead
                Err(_) => match std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
                {
                    Ok(mut f) => f.write_all(pid.to_string().as_bytes()).map(|()| true),
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
                    Err(e) => Err(e),
                },
            };
            drop(tmp);
            if made? {
                return Ok(Lock { path });
            }
            let owner = std::fs::read_to_string(&path)
                .ok()
                .and_then(|s| s.trim().parse::<u32>().ok());
            if let Some(o) = owner {
                if alive(o) == Some(false) {
                    break_stale(&path, o);
                    continue;
                }
            }
            if start.elapsed() >= wait {
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    format!(
                        "another needlemap run{} has been writing in {} for {} s or more; try again when it ends, or remove {} if no needlemap is running",
                        owner.map(|o| format!(" (pid {o})")).unwrap_or_default(),
                        out.display(),
                        wait.as_secs(),
                        path.display()
                    ),
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        std::fs::remove_file(&self.path).ok();
    }
}

/// Removes the lock at `path` left by `dead`: renamed aside first, so that a lock another run
/// took in the meantime is put back rather than removed.
fn break_stale(path: &Path, dead: u32) {
    let aside = path.with_file_name(format!(
        "{}stale-{}",
        part_prefix(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    if std::fs::rename(path, &aside).is_err() {
        return;
    }
    let was = std::fs::read_to_string(&aside)
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok());
    if was != Some(dead) {
        std::fs::hard_link(&aside, path).ok();
    }
    std::fs::remove_file(&aside).ok();
}

/// `.needlemap-lock-<name>`, or `.needlemap-lock` for the files straight in `--out`.
fn lock_name(name: &str) -> String {
    if name.is_empty() {
        format!("{TEMP_PREFIX}lock")
    } else {
        format!("{TEMP_PREFIX}lock-{name}")
    }
}

/// Prefix of this process's temporary files: `.needlemap-part-<pid>-` (see
/// [`write_atomic`]), so that a killed run's can be told from a live one's.
pub fn part_prefix() -> String {
    format!("{TEMP_PREFIX}part-{}-", std::process::id())
}

/// A temporary folder that becomes `<out>/<name>/` (or `<out>/<name>/<sub>/`) on
/// [`Staging::commit`], and is removed if dropped uncommitted.
///
/// # Examples
/// ```
/// use needlemap::base::outdir::Staging;
/// let out = tempfile::tempdir().unwrap();
/// let s = Staging::new(out.path(), "d", None).unwrap();
/// std::fs::write(s.dir().join("summary.csv"), "name\nd\n").unwrap();
/// s.commit().unwrap();
/// assert!(out.path().join("d/summary.csv").is_file());
/// assert!(out.path().join("d/needlemap-manifest.json").is_file());
/// ```
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    name: String,
    sub: Option<String>,
    replaces: Option<Vec<String>>,
    tmp: PathBuf,
    committed: bool,
}

impl Staging {
    /// A staged set for `<out>/<name>/` (`out` must exist). `replaces`: the names of the files
    /// of this kind of set, which the new set replaces where the old folder's manifest lists
    /// them (files of other sets, such as a sweep's, stay); `None`: every listed file.
    pub fn new(out: &Path, name: &str, replaces: Option<&[&str]>) -> io::Result<Staging> {
        Staging::make(out, name, None, replaces)
    }

    /// A staged study for `<out>/<name>/<sub>/` (the Monte Carlo study's `mc/`), which
    /// replaces every file of the old study; `<out>/<name>/` is made if missing.
    pub fn new_sub(out: &Path, name: &str, sub: &str) -> io::Result<Staging> {
        Staging::make(out, name, Some(sub), None)
    }

    fn make(
        out: &Path,
        name: &str,
        sub: Option<&str>,
        replaces: Option<&[&str]>,
    ) -> io::Result<Staging> {
        let label = match sub {
            Some(s) => format!("{name}+{s}"),
            None => name.to_string(),
        };
        loop {
            let tmp = out.join(temp_name("tmp", &label));
            match std::fs::create_dir(&tmp) {
                Ok(()) => {
                    return Ok(Staging {
                        out: out.to_path_buf(),
                        name: name.to_string(),
                        sub: sub.map(String::from),
                        replaces: replaces.map(|r| r.iter().map(|s| s.to_string()).collect()),
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
        let top = self.out.join(&self.name);
        match &self.sub {
            Some(s) => top.join(s),
            None => top,
        }
    }

    /// Replaces the set at the target with the staged one (see the module's doc) and returns
    /// the target. Refuses, leaving everything in place, a target that needlemap did not
    /// make, and a file of the new set whose name the old folder holds without listing it.
    pub fn commit(mut self) -> io::Result<PathBuf> {
        let _lock = Lock::acquire(&self.out, &self.name)?;
        let kind = if self.sub.is_some() {
            Kind::Mc
        } else {
            Kind::Set
        };
        if self.sub.is_some() {
            ensure_set_folder(&self.out, &self.name)?;
        }
        let target = self.target();
        let old = ours(&target, kind)?;
        let new_files = names_in(&self.tmp)?;
        let mut manifest = Manifest::new(kind);
        manifest.files = new_files.iter().cloned().collect();
        let Some(old) = old else {
            manifest.write(&self.tmp)?;
            std::fs::rename(&self.tmp, &target)?;
            self.committed = true;
            return Ok(target);
        };
        // What the new set replaces: the old set's listed files of this kind; everything
        // else in the old folder is carried into the new one.
        let replaced = |n: &str| {
            old.files.contains(n)
                && self
                    .replaces
                    .as_ref()
                    .is_none_or(|r| r.iter().any(|x| x == n) || new_files.contains(n))
        };
        let mut carried = Vec::new();
        for n in names_in(&target)? {
            if n == MANIFEST || replaced(&n) {
                continue;
            }
            if new_files.contains(&n) || n == MANIFEST {
                return Err(refusal(
                    &target.join(&n),
                    "exists and needlemap did not write it (the folder's manifest does not list it), but the new set has a file of that name",
                ));
            }
            if old.files.contains(&n) {
                manifest.files.insert(n.clone());
            }
            carried.push(n);
        }
        // The new manifest first: a staged folder whose manifest does not list an entry
        // holds it for its owner (see clean_stale).
        manifest.write(&self.tmp)?;
        // what was carried goes back into the old folder if the swap cannot be made
        let put_back = |moved: &[String]| {
            for n in moved {
                std::fs::rename(self.tmp.join(n), target.join(n)).ok();
            }
        };
        for (i, n) in carried.iter().enumerate() {
            if let Err(e) = std::fs::rename(target.join(n), self.tmp.join(n)) {
                put_back(&carried[..i]);
                return Err(e);
            }
        }
        let aside = self.out.join(temp_name("old", &self.label()));
        if let Err(e) = std::fs::rename(&target, &aside) {
            put_back(&carried);
            return Err(e);
        }
        if let Err(e) = std::fs::rename(&self.tmp, &target) {
            std::fs::rename(&aside, &target).ok();
            put_back(&carried);
            return Err(e);
        }
        self.committed = true;
        remove_listed(&aside, &target);
        Ok(target)
    }

    fn label(&self) -> String {
        match &self.sub {
            Some(s) => format!("{}+{s}", self.name),
            None => self.name.clone(),
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            // nothing carried into it stays there: commit puts it back when the swap fails
            std::fs::remove_dir_all(&self.tmp).ok();
        }
    }
}

/// The names of the entries of `dir`.
fn names_in(dir: &Path) -> io::Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        match e.file_name().into_string() {
            Ok(n) => out.insert(n),
            Err(raw) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                    "{} holds a name that is not UTF-8 ({}); needlemap leaves such a folder alone",
                    dir.display(),
                    raw.to_string_lossy()
                ),
                ))
            }
        };
    }
    Ok(out)
}

/// Of a folder renamed aside, deletes the files its manifest lists and the manifest; moves
/// anything else into `home` (or, where `home` has that name, leaves it, and the folder).
fn remove_listed(aside: &Path, home: &Path) {
    let listed = Manifest::read(aside).map(|m| m.files).unwrap_or_default();
    let Ok(names) = names_in(aside) else { return };
    for n in names {
        let p = aside.join(&n);
        if n == MANIFEST || listed.contains(&n) || is_dead_part(&n) {
            if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_file()) {
                std::fs::remove_file(&p).ok();
            }
        } else if !home.join(&n).exists() {
            std::fs::rename(&p, home.join(&n)).ok();
        }
    }
    std::fs::remove_dir(aside).ok();
}

/// Makes `<out>/<name>/` with an empty manifest when missing (whole: made aside, renamed in),
/// or checks that it is needlemap's. The caller holds the folder's lock.
fn ensure_set_folder(out: &Path, name: &str) -> io::Result<Manifest> {
    let top = out.join(name);
    if let Some(m) = ours(&top, Kind::Set)? {
        return Ok(m);
    }
    let tmp = out.join(temp_name("tmp", name));
    std::fs::create_dir(&tmp)?;
    let m = Manifest::new(Kind::Set);
    let made = m.write(&tmp).and_then(|()| std::fs::rename(&tmp, &top));
    if made.is_err() {
        std::fs::remove_dir_all(&tmp).ok();
    }
    made.map(|()| m)
}

/// Writes `files` (name, bytes) into `<out>/<name>/` under its lock, making the folder when
/// missing: the names go into the folder's manifest first, then each file is written
/// atomically. A file of that name the manifest does not list is refused, as is a folder
/// needlemap did not make. For commands that add files to a folder (`layout`, `sweep`).
pub fn write_into(out: &Path, name: &str, files: &[(String, Vec<u8>)]) -> io::Result<PathBuf> {
    let _lock = Lock::acquire(out, name)?;
    let dir = out.join(name);
    let mut m = ensure_set_folder(out, name)?;
    claim(&dir, &mut m, files.iter().map(|(n, _)| n.as_str()))?;
    for (n, bytes) in files {
        let p = dir.join(n);
        write_atomic(&p, bytes)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?;
    }
    Ok(dir)
}

/// Adds `names` to the manifest `m` of `dir` (and writes it), refusing a name that stands in
/// `dir` unlisted.
fn claim<'a>(dir: &Path, m: &mut Manifest, names: impl Iterator<Item = &'a str>) -> io::Result<()> {
    let mut changed = false;
    for n in names {
        if m.files.contains(n) {
            continue;
        }
        let p = dir.join(n);
        if std::fs::symlink_metadata(&p).is_ok() || n == MANIFEST {
            return Err(refusal(
                &p,
                &format!(
                    "exists and needlemap did not write it (the {MANIFEST} of {} does not list it)",
                    dir.display()
                ),
            ));
        }
        m.files.insert(n.to_string());
        changed = true;
    }
    if changed {
        m.write(dir)?;
    }
    Ok(())
}

/// Claims `names` straight in `out` (the root manifest lists them; a file of that name that
/// needlemap did not write is refused) and returns the lock on them: the caller writes them
/// while it holds it.
pub fn claim_top(out: &Path, names: &[String]) -> io::Result<Lock> {
    let lock = Lock::acquire(out, "")?;
    let mut m = match Manifest::read(out) {
        Some(m) if m.kind == Kind::Root => m,
        _ => Manifest::new(Kind::Root),
    };
    claim(out, &mut m, names.iter().map(String::as_str))?;
    Ok(lock)
}

/// Writes `files` (name, bytes) straight into `out`, each atomically, after [`claim_top`].
pub fn write_top(out: &Path, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    let _lock = claim_top(out, &names)?;
    for (n, bytes) in files {
        let p = out.join(n);
        write_atomic(&p, bytes)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?;
    }
    Ok(())
}

/// `.needlemap-<what>-<name>-<pid>-<n>`.
fn temp_name(what: &str, name: &str) -> String {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{TEMP_PREFIX}{what}-{name}-{}-{n}", std::process::id())
}

/// What a temporary's name says: `(what, label, pid)` of `.needlemap-<what>-<label>-<pid>-<n>`
/// (what: `tmp` or `old`), or `("part", "", pid)` of a temporary file `.needlemap-part-<pid>-…`.
fn parse_temp(file_name: &str) -> Option<(&str, &str, u32)> {
    let rest = file_name.strip_prefix(TEMP_PREFIX)?;
    if let Some(p) = rest.strip_prefix("part-") {
        let pid = p.split('-').next()?.parse().ok()?;
        return Some(("part", "", pid));
    }
    let mut parts = rest.rsplitn(3, '-');
    let _n: u64 = parts.next()?.parse().ok()?;
    let pid = parts.next()?.parse().ok()?;
    let head = parts.next()?;
    let (what, label) = head.split_once('-')?;
    (matches!(what, "tmp" | "old") && !label.is_empty()).then_some((what, label, pid))
}

/// Whether `file_name` is a temporary file of a process that is gone.
fn is_dead_part(file_name: &str) -> bool {
    matches!(parse_temp(file_name), Some(("part", _, pid)) if alive(pid) == Some(false))
}

/// The process id in a temporary's name (`tmp`, `old` or `part`).
#[cfg(test)]
fn owner_pid(file_name: &str) -> Option<u32> {
    parse_temp(file_name).map(|(_, _, pid)| pid)
}

/// Whether process `pid` is running: /proc/<pid> on Linux; `None` where that cannot be told.
fn alive(pid: u32) -> Option<bool> {
    if cfg!(target_os = "linux") && Path::new("/proc/self").exists() {
        Some(Path::new(&format!("/proc/{pid}")).exists())
    } else {
        None
    }
}

/// Puts right what dead runs left in `out` (see the module's doc) and returns the temporaries
/// removed. Only needlemap's own temporaries are touched: a staged or old folder loses only
/// the files its manifest lists (and dead temporary files); anything else in it goes back
/// into its folder, or stays where it is when that cannot be done. A missing `out` has
/// nothing to clean.
pub fn clean_stale(out: &Path) -> io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(out) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut found: Vec<(PathBuf, String)> = Vec::new();
    for entry in entries {
        let entry = entry?;
        if let Ok(n) = entry.file_name().into_string() {
            if n.starts_with(TEMP_PREFIX) {
                found.push((entry.path(), n));
            }
        }
    }
    // staged sets before old folders: a staged set may still need its old folder
    found.sort_by_key(|(_, n)| !n.contains("-tmp-") as u8);
    let mut removed = Vec::new();
    for (path, n) in found {
        let Some((what, label, pid)) = parse_temp(&n) else {
            continue;
        };
        let stale = match alive(pid) {
            Some(is_alive) => !is_alive,
            None => std::fs::symlink_metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > STALE_AGE),
        };
        if !stale {
            continue;
        }
        if what == "part" {
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
                && std::fs::remove_file(&path).is_ok()
            {
                removed.push(path);
            }
            continue;
        }
        let (name, sub) = match label.split_once('+') {
            Some((n, s)) => (n, Some(s)),
            None => (label, None),
        };
        // another live run may be swapping this name: take turns
        let Ok(_lock) = Lock::acquire_within(out, name, Duration::ZERO) else {
            continue;
        };
        let home = match sub {
            Some(s) => out.join(name).join(s),
            None => out.join(name),
        };
        if !path.exists() {
            continue;
        }
        recover(&path, what, &home);
        if !path.exists() {
            removed.push(path);
        }
    }
    Ok(removed)
}

/// Puts right one temporary folder `path` of a dead run (`what`: `tmp` or `old`) whose set
/// belongs at `home`.
fn recover(path: &Path, what: &str, home: &Path) {
    let manifest = Manifest::read(path);
    if what == "tmp" && manifest.is_some() && std::fs::symlink_metadata(home).is_err() {
        // killed between renaming the old folder aside and the new one in: the staged set is
        // complete (its manifest is written last), so finish the swap
        if std::fs::rename(path, home).is_ok() {
            return;
        }
    }
    match manifest {
        // a staged folder without a manifest was still being written: nothing was carried
        // into it yet, so all of it is the dead run's
        None if what == "tmp" => {
            std::fs::remove_dir_all(path).ok();
        }
        _ => remove_listed(path, home),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn names(dir: &Path) -> Vec<String> {
        names_in(dir).unwrap().into_iter().collect()
    }

    fn staged(out: &Path, name: &str, files: &[(&str, &str)]) -> Staging {
        let s = Staging::new(out, name, Some(&["summary.csv", "a.png", "b.png"])).unwrap();
        for (f, text) in files {
            std::fs::write(s.dir().join(f), text).unwrap();
        }
        s
    }

    #[test]
    fn commit_replaces_the_set_and_keeps_everything_else() {
        let out = tempfile::tempdir().unwrap();
        staged(out.path(), "d", &[("summary.csv", "old"), ("a.png", "old")])
            .commit()
            .unwrap();
        let d = out.path().join("d");
        // a study, a sweep's file listed by another command, and the user's own notes
        std::fs::create_dir(d.join("mc")).unwrap();
        std::fs::write(d.join("mc/runs.csv"), "study").unwrap();
        write_into(out.path(), "d", &[("sweep.csv".into(), b"sweep".to_vec())]).unwrap();
        std::fs::write(d.join("notes.txt"), "mine").unwrap();
        staged(out.path(), "d", &[("summary.csv", "new"), ("b.png", "new")])
            .commit()
            .unwrap();
        assert_eq!(
            names(&d),
            [
                "b.png",
                "mc",
                MANIFEST,
                "notes.txt",
                "summary.csv",
                "sweep.csv"
            ]
        );
        assert_eq!(
            std::fs::read_to_string(d.join("summary.csv")).unwrap(),
            "new"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("mc/runs.csv")).unwrap(),
            "study"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("notes.txt")).unwrap(),
            "mine"
        );
        let m = Manifest::read(&d).unwrap();
        assert_eq!(
            m.files.into_iter().collect::<Vec<_>>(),
            ["b.png", "summary.csv", "sweep.csv"]
        );
        assert_eq!(names(out.path()), ["d"], "no temporaries or lock left");
    }

    #[test]
    fn what_needlemap_did_not_make_is_refused_and_left_alone() {
        let out = tempfile::tempdir().unwrap();
        let o = out.path();
        std::fs::create_dir(o.join("docs")).unwrap();
        std::fs::write(o.join("docs/guide.md"), "mine").unwrap();
        std::fs::write(o.join("file"), "mine").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(o.join("docs"), o.join("link")).unwrap();
        for (name, says) in [
            ("docs", "did not make"),
            ("file", "is a file"),
            #[cfg(unix)]
            ("link", "symbolic link"),
        ] {
            let e = staged(o, name, &[("summary.csv", "x")])
                .commit()
                .unwrap_err();
            assert!(e.to_string().contains(says), "{name}: {e}");
            assert!(
                e.to_string().contains(&o.join(name).display().to_string()),
                "{e}"
            );
            let e = write_into(o, name, &[("sweep.csv".into(), vec![])]).unwrap_err();
            assert!(e.to_string().contains(says), "{name}: {e}");
            let e = Staging::new_sub(o, name, "mc")
                .unwrap()
                .commit()
                .unwrap_err();
            assert!(e.to_string().contains(says), "{name}: {e}");
        }
        assert_eq!(names(&o.join("docs")), ["guide.md"]);
        assert_eq!(std::fs::read_to_string(o.join("file")).unwrap(), "mine");
        // a user's file inside a folder needlemap made, where the new set writes
        staged(o, "d", &[("summary.csv", "x")]).commit().unwrap();
        std::fs::write(o.join("d/a.png"), "mine").unwrap();
        let e = staged(o, "d", &[("a.png", "x")]).commit().unwrap_err();
        assert!(e.to_string().contains("a.png"), "{e}");
        assert_eq!(std::fs::read_to_string(o.join("d/a.png")).unwrap(), "mine");
        // and straight in --out
        std::fs::write(o.join("report.html"), "mine").unwrap();
        let e = write_top(o, &[("report.html".into(), b"x".to_vec())]).unwrap_err();
        assert!(e.to_string().contains("report.html"), "{e}");
        write_top(o, &[("compare-a-vs-b.png".into(), b"1".to_vec())]).unwrap();
        write_top(o, &[("compare-a-vs-b.png".into(), b"2".to_vec())]).unwrap();
        assert_eq!(
            std::fs::read_to_string(o.join("report.html")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn a_study_makes_its_parent_folder_and_survives_the_next_analysis() {
        let out = tempfile::tempdir().unwrap();
        let s = Staging::new_sub(out.path(), "d", "mc").unwrap();
        std::fs::write(s.dir().join("runs.csv"), "1").unwrap();
        s.commit().unwrap();
        assert_eq!(
            Manifest::read(&out.path().join("d")).unwrap().kind,
            Kind::Set
        );
        staged(out.path(), "d", &[("summary.csv", "x")])
            .commit()
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(out.path().join("d/mc/runs.csv")).unwrap(),
            "1"
        );
        // a new study replaces the old one whole
        let s = Staging::new_sub(out.path(), "d", "mc").unwrap();
        std::fs::write(s.dir().join("summary.csv"), "2").unwrap();
        s.commit().unwrap();
        assert_eq!(names(&out.path().join("d/mc")), [MANIFEST, "summary.csv"]);
    }

    #[test]
    fn dropped_staging_leaves_nothing() {
        let out = tempfile::tempdir().unwrap();
        drop(Staging::new(out.path(), "d", None).unwrap());
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    }

    #[test]
    fn temporary_names_are_read_back() {
        assert_eq!(owner_pid(".needlemap-tmp-mf8-192-4242-7"), Some(4242));
        assert_eq!(owner_pid(".needlemap-old-a-1-0"), Some(1));
        assert_eq!(
            parse_temp(".needlemap-tmp-d+mc-9-0"),
            Some(("tmp", "d+mc", 9))
        );
        assert_eq!(
            parse_temp(".needlemap-part-77-Ab3xYz"),
            Some(("part", "", 77))
        );
        assert_eq!(owner_pid(".needlemap-Ab3xYz"), None);
        assert_eq!(owner_pid(".needlemap-lock-d"), None);
        assert_eq!(owner_pid("mf8-192"), None);
    }

    /// A pid no process has (Linux pids stay below 2^22).
    const DEAD: u32 = 4_294_967_295;

    #[cfg(target_os = "linux")]
    #[test]
    fn clean_stale_keeps_live_runs_and_removes_dead_ones() {
        let out = tempfile::tempdir().unwrap();
        let live = out
            .path()
            .join(format!(".needlemap-tmp-d-{}-0", std::process::id()));
        let dead = out.path().join(format!(".needlemap-tmp-d-{DEAD}-0"));
        let part = out.path().join(format!(".needlemap-part-{DEAD}-Ab3xYz"));
        let other = out.path().join(".needlemap-notes");
        std::fs::create_dir(&live).unwrap();
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(&part, "half").unwrap();
        std::fs::write(&other, "the user's, whatever its name").unwrap();
        std::fs::create_dir(out.path().join("d")).unwrap();
        let mut removed = clean_stale(out.path()).unwrap();
        removed.sort();
        let mut want = vec![dead.clone(), part.clone()];
        want.sort();
        assert_eq!(removed, want);
        assert!(live.exists() && other.exists() && out.path().join("d").exists());
    }

    /// A run killed at each step of a commit: the next run's clean-up loses nothing that
    /// was not the dead run's, and leaves one whole set.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_commit_killed_at_any_step_is_put_right() {
        let setup = || {
            let out = tempfile::tempdir().unwrap();
            staged(out.path(), "d", &[("summary.csv", "old")])
                .commit()
                .unwrap();
            std::fs::create_dir(out.path().join("d/mc")).unwrap();
            std::fs::write(out.path().join("d/mc/runs.csv"), "study").unwrap();
            std::fs::write(out.path().join("d/notes.txt"), "mine").unwrap();
            let tmp = out.path().join(format!(".needlemap-tmp-d-{DEAD}-0"));
            std::fs::create_dir(&tmp).unwrap();
            std::fs::write(tmp.join("summary.csv"), "new").unwrap();
            let mut m = Manifest::new(Kind::Set);
            m.files.insert("summary.csv".into());
            (out, tmp, m)
        };
        let kept = |out: &Path, summary: &str| {
            let d = out.join("d");
            assert_eq!(
                std::fs::read_to_string(d.join("mc/runs.csv")).unwrap(),
                "study"
            );
            assert_eq!(
                std::fs::read_to_string(d.join("notes.txt")).unwrap(),
                "mine"
            );
            assert_eq!(
                std::fs::read_to_string(d.join("summary.csv")).unwrap(),
                summary
            );
            clean_stale(out).unwrap();
            assert_eq!(names(out), ["d"]);
        };
        // killed while writing (no manifest yet)
        let (out, _tmp, _) = setup();
        clean_stale(out.path()).unwrap();
        kept(out.path(), "old");
        // killed after carrying the study and the notes into the staged folder
        let (out, tmp, m) = setup();
        m.write(&tmp).unwrap();
        for n in ["mc", "notes.txt"] {
            std::fs::rename(out.path().join("d").join(n), tmp.join(n)).unwrap();
        }
        clean_stale(out.path()).unwrap();
        kept(out.path(), "old");
        // killed between the two renames: the old folder aside, the new one not yet in
        let (out, tmp, m) = setup();
        m.write(&tmp).unwrap();
        for n in ["mc", "notes.txt"] {
            std::fs::rename(out.path().join("d").join(n), tmp.join(n)).unwrap();
        }
        let aside = out.path().join(format!(".needlemap-old-d-{DEAD}-1"));
        std::fs::rename(out.path().join("d"), &aside).unwrap();
        clean_stale(out.path()).unwrap();
        kept(out.path(), "new");
        // killed after the swap, before the old folder was emptied
        let (out, tmp, m) = setup();
        m.write(&tmp).unwrap();
        for n in ["mc", "notes.txt"] {
            std::fs::rename(out.path().join("d").join(n), tmp.join(n)).unwrap();
        }
        let aside = out.path().join(format!(".needlemap-old-d-{DEAD}-1"));
        std::fs::rename(out.path().join("d"), &aside).unwrap();
        std::fs::write(aside.join("late.txt"), "the user's, written meanwhile").unwrap();
        std::fs::rename(&tmp, out.path().join("d")).unwrap();
        clean_stale(out.path()).unwrap();
        kept(out.path(), "new");
        assert!(out.path().join("d/late.txt").is_file());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_dead_runs_lock_is_broken_and_a_live_ones_waited_for() {
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join(".needlemap-lock-d"), DEAD.to_string()).unwrap();
        let l = Lock::acquire(out.path(), "d").unwrap();
        assert_eq!(
            std::fs::read_to_string(out.path().join(".needlemap-lock-d")).unwrap(),
            std::process::id().to_string()
        );
        let (tx, rx) = std::sync::mpsc::channel();
        let o = out.path().to_path_buf();
        let t = std::thread::spawn(move || {
            let _l2 = Lock::acquire(&o, "d").unwrap();
            tx.send(()).unwrap();
        });
        std::thread::sleep(Duration::from_millis(100));
        assert!(rx.try_recv().is_err(), "the second waits for the first");
        drop(l);
        t.join().unwrap();
        assert!(rx.try_recv().is_ok());
        assert_eq!(names(out.path()), Vec::<String>::new());
    }
}
