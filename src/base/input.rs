//! Reading input files safely: only regular files on disk, never more than a size cap, paths
//! written inside an input resolved against that input's folder without leaving a root, and
//! never more of a file in a message than a short, printable excerpt.
//!
//! A path in a design or sweep file is data from a stranger, and so is a file named on the
//! command line: `designs/evil.toml` may be a link to `/proc/self/environ` in a pull request.
//! Every file needlemap reads (designs, sweeps, baselines, needle CSVs, inspection CSVs, in
//! the CLI and in Python) goes through [`read_regular`], which refuses folders, FIFOs,
//! sockets, devices and the kernel's pseudo-files (`/proc`, `/sys`) from their metadata,
//! opens without blocking, and caps the size; messages quote input only through [`clip`] and
//! [`excerpt_message`]. [`ReadPolicy`] adds the rule for referenced files, passed explicitly to
//! [`crate::design::Design::load_with`] and [`crate::studies::sweep::Sweep::load_with`]; the plain
//! `load`s use [`ReadPolicy::default`], whose root is chosen from the named file
//! ([`project_root`]).

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
    /// Folder that referenced files must lie in (after following links and `..`); `None`:
    /// chosen from the file named on the command line by [`project_root`].
    pub root: Option<PathBuf>,
    /// How `root` was chosen, in words, for messages (`None` for a root given by the caller).
    pub root_chosen: Option<String>,
    /// Accept referenced files outside `root`.
    pub allow_outside: bool,
    /// Largest file read, bytes.
    pub max_bytes: u64,
}

impl Default for ReadPolicy {
    /// Root: chosen from the named file ([`project_root`]); nothing outside it;
    /// [`MAX_INPUT_BYTES`].
    fn default() -> Self {
        ReadPolicy {
            root: None,
            root_chosen: None,
            allow_outside: false,
            max_bytes: MAX_INPUT_BYTES,
        }
    }
}

/// Files whose presence marks a project's top folder, in the order they are looked for.
pub const ROOT_MARKERS: [&str; 3] = [".git", "Cargo.toml", "designs"];

/// The project root for a file named on the command line, and how it was chosen: the nearest
/// folder at or above the file's own folder that holds `.git`, `Cargo.toml` or a `designs/`
/// folder ([`ROOT_MARKERS`]); else the file's own folder. Links and `..` in the path are
/// followed first, so the root does not depend on the current directory.
///
/// # Examples
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir_all(dir.path().join("p/designs/sweeps")).unwrap();
/// std::fs::write(dir.path().join("p/Cargo.toml"), "").unwrap();
/// let f = dir.path().join("p/designs/sweeps/s.toml");
/// std::fs::write(&f, "").unwrap();
/// let (root, how) = needlemap::base::input::project_root(&f);
/// assert_eq!(root, dir.path().join("p").canonicalize().unwrap());
/// assert!(how.contains("Cargo.toml"), "{how}");
/// ```
pub fn project_root(named: &Path) -> (PathBuf, String) {
    let folder = match named.canonicalize().ok().as_deref().and_then(Path::parent) {
        Some(p) => p.to_path_buf(),
        // a name that is not (yet) a file, such as Python's "<design>": its folder
        None => {
            let parent = match named.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            parent
                .canonicalize()
                .unwrap_or_else(|_| parent.to_path_buf())
        }
    };
    for dir in folder.ancestors() {
        for marker in ROOT_MARKERS {
            let m = dir.join(marker);
            let found = if marker == "designs" {
                m.is_dir()
            } else {
                m.exists()
            };
            if found {
                let what = if marker == "designs" {
                    "designs/"
                } else {
                    marker
                };
                return (
                    dir.to_path_buf(),
                    format!(
                        "the nearest folder above {} that holds {what}",
                        named.display()
                    ),
                );
            }
        }
    }
    (
        folder,
        format!(
            "the folder of {}, as no folder above it holds .git, Cargo.toml or designs/",
            named.display()
        ),
    )
}

impl ReadPolicy {
    /// Referenced files must lie under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ReadPolicy {
            root: Some(root.into()),
            ..ReadPolicy::default()
        }
    }

    /// This policy for the files that `named` (a file named on the command line) references:
    /// the root fixed, from [`project_root`] when the policy leaves it open.
    pub fn for_file(&self, named: &Path) -> ReadPolicy {
        if self.root.is_some() {
            return self.clone();
        }
        let (root, how) = project_root(named);
        ReadPolicy {
            root: Some(root),
            root_chosen: Some(how),
            ..self.clone()
        }
    }

    /// Resolves `written`, a path found in the file `from`, against `from`'s folder; refuses
    /// a path that does not exist or (unless `allow_outside`) leads outside the root once
    /// links and `..` are followed (the root chosen from `from` when the policy leaves it
    /// open). Returns the joined path (relative if `from` is), for messages; the error is a
    /// sentence about that path, without the file's contents.
    pub fn resolve(&self, from: &Path, written: &str) -> Result<PathBuf, String> {
        let joined = from.parent().unwrap_or(Path::new(".")).join(written);
        let shown = || clip(&joined.display().to_string());
        let real = joined
            .canonicalize()
            .map_err(|e| format!("cannot read {}: {e}", shown()))?;
        if self.allow_outside {
            return Ok(joined);
        }
        let fixed = self.for_file(from);
        let root_given = fixed.root.clone().unwrap_or_else(|| PathBuf::from("."));
        let root = root_given.canonicalize().map_err(|e| {
            format!(
                "cannot resolve the project root {}: {e}",
                root_given.display()
            )
        })?;
        if real.starts_with(&root) {
            Ok(joined)
        } else {
            let how = fixed
                .root_chosen
                .clone()
                .unwrap_or_else(|| "given by --root".to_string());
            Err(format!(
                "{} is outside the project root {} ({how}); keep referenced files under the root, or set another with --root DIR, or pass --allow-outside",
                shown(),
                root.display()
            ))
        }
    }

    /// [`read_regular`] with this policy's size cap.
    pub fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        read_regular(path, self.max_bytes)
    }
}

/// Reads a regular file of at most `max_bytes`. Folders, FIFOs, devices, sockets and the
/// kernel's pseudo-files (`/proc`, `/sys`: regular by type, but generated on reading, such as
/// `/proc/self/environ`) are refused from their metadata before reading; links are followed
/// first, so a link to such a file is refused too. The file is opened without blocking and
/// checked again through the open handle (a path swapped for a FIFO in between does not
/// block), and the read stops at `max_bytes + 1` for files whose size the metadata misreports.
/// The error says what the file is, never what it holds.
pub fn read_regular(path: &Path, max_bytes: u64) -> io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    refuse_special(&meta)?;
    let too_large = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "larger than the {} limit for input files",
                show_bytes(max_bytes)
            ),
        )
    };
    if meta.len() > max_bytes {
        return Err(too_large());
    }
    let file = open_nonblocking(path)?;
    let opened = file.metadata()?;
    refuse_special(&opened)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (opened.dev(), opened.ino()) != (meta.dev(), meta.ino()) {
            return Err(io::Error::other(
                "the file changed while it was opened; try again",
            ));
        }
    }
    let mut bytes = Vec::with_capacity(opened.len().min(max_bytes) as usize);
    file.take(max_bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
    if opened.len() == 0 && !bytes.is_empty() {
        // size 0 on disk but content when read: a pseudo-file the checks above did not know
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a pseudo-file of the kernel (size 0 but content when read), not a regular file",
        ));
    }
    Ok(bytes)
}

/// Refuses what is not a regular file on disk, from `meta` (of the file a link leads to).
fn refuse_special(meta: &std::fs::Metadata) -> io::Result<()> {
    let what = if !meta.is_file() {
        file_kind(meta)
    } else if on_pseudo_fs(meta) {
        "a file of the kernel's /proc or /sys"
    } else {
        return Ok(());
    };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{what}, not a regular file"),
    ))
}

/// Whether `meta` is of a file in the file system mounted at `/proc` or `/sys` (same device).
fn on_pseudo_fs(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        ["/proc", "/sys"]
            .iter()
            .any(|m| std::fs::metadata(m).is_ok_and(|pm| pm.is_dir() && pm.dev() == meta.dev()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Opens `path` for reading without blocking on a FIFO or a terminal (Linux: `O_NONBLOCK |
/// O_NOCTTY`; a regular file reads the same either way).
fn open_nonblocking(path: &Path) -> io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK | O_NOCTTY, the same on every Linux architecture Rust builds for
        // except alpha, mips, parisc and sparc
        #[cfg(any(
            target_arch = "x86_64",
            target_arch = "x86",
            target_arch = "aarch64",
            target_arch = "arm",
            target_arch = "riscv64",
            target_arch = "powerpc64",
            target_arch = "s390x",
            target_arch = "loongarch64"
        ))]
        o.custom_flags(0o4000 | 0o400);
    }
    o.open(path)
}

/// A byte count in words: `16 MiB`, `512 kB`, `300 bytes`.
fn show_bytes(n: u64) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n % (1 << 10) == 0 {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
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

/// Longest excerpt of input quoted in a message, characters.
pub const EXCERPT_CHARS: usize = 40;

/// Longest message about an input, characters: past this a message is cut (a message quotes
/// input only in excerpts, so this bounds what any input can print).
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// Whether `c` may be printed in an excerpt: not a control character (a newline, an escape
/// sequence, a NUL) and not one that reorders or hides text (bidirectional overrides,
/// zero-width marks, the byte-order mark).
fn printable(c: char) -> bool {
    !(c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'))
}

/// `s` as a short, printable excerpt for quoting a field of an input in an error: at most
/// [`EXCERPT_CHARS`] characters (then "…"), every unprintable character (control characters,
/// bidirectional overrides) shown as `�`.
///
/// # Examples
/// ```
/// assert_eq!(needlemap::base::input::clip("abc"), "abc");
/// assert_eq!(needlemap::base::input::clip(&"x".repeat(50)).chars().count(), 41);
/// assert_eq!(needlemap::base::input::clip("a\nb\u{1b}[31m"), "a�b�[31m");
/// ```
pub fn clip(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(EXCERPT_CHARS)
        .map(|c| if printable(c) { c } else { '\u{fffd}' })
        .collect();
    if s.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// A message from a parser about an input (toml's, csv's), made safe to print: every
/// back-quoted part (toml quotes keys and values as `` `…` ``) cut to an excerpt, line breaks
/// kept, other unprintable characters shown as `�`, the whole at most
/// [`MAX_MESSAGE_CHARS`].
///
/// # Examples
/// ```
/// let long = format!("unknown field `{}`, expected `name`", "A=1 ".repeat(100));
/// let m = needlemap::base::input::excerpt_message(&long);
/// assert!(m.len() < 100 && m.ends_with("expected `name`"), "{m}");
/// ```
pub fn excerpt_message(msg: &str) -> String {
    let mut out = String::new();
    for (i, part) in msg.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(&clip(part));
        } else {
            out.extend(part.chars().map(|c| {
                if c == '\n' || printable(c) {
                    c
                } else {
                    '\u{fffd}'
                }
            }));
        }
    }
    bound(&out, MAX_MESSAGE_CHARS)
}

/// `s` cut to at most `max` characters, saying how much was cut.
pub fn bound(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}… ({} more characters)", &s[..i], s[i..].chars().count()),
        None => s.to_string(),
    }
}

/// The line of `text` around byte `offset`, as a printable excerpt of at most
/// [`EXCERPT_CHARS`] characters either side, and the caret's column in it (0-based,
/// characters): for pointing at an error in a line that may be megabytes long.
pub fn line_excerpt(text: &str, offset: usize) -> (String, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let before: Vec<char> = text[start..offset].chars().collect();
    let cut_before = before.len() > EXCERPT_CHARS;
    let before = &before[before.len().saturating_sub(EXCERPT_CHARS)..];
    let after: Vec<char> = text[offset..end].chars().take(EXCERPT_CHARS + 1).collect();
    let cut_after = after.len() > EXCERPT_CHARS;
    let after = &after[..after.len().min(EXCERPT_CHARS)];
    let show = |c: &char| {
        if printable(*c) && *c != '\r' {
            *c
        } else {
            '\u{fffd}'
        }
    };
    let mut out = String::new();
    if cut_before {
        out.push('…');
    }
    out.extend(before.iter().map(show));
    let caret = out.chars().count();
    out.extend(after.iter().map(show));
    if cut_after {
        out.push('…');
    }
    (out, caret)
}

/// A number for a message, of bounded width whatever its size: plain when ordinary
/// (`12.5`), else in e-notation (`1e300`, `1e-300`; not three hundred digits).
///
/// # Examples
/// ```
/// use needlemap::base::input::short_num;
/// assert_eq!(short_num(12.5), "12.5");
/// assert_eq!(short_num(1e300), "1e300");
/// assert_eq!(short_num(-2.5e-12), "-2.5e-12");
/// ```
pub fn short_num(x: f64) -> String {
    if x.is_finite() && (x == 0.0 || (1e-6..1e9).contains(&x.abs())) {
        let s = format!("{x}");
        if s.len() <= 24 {
            return s;
        }
    }
    format!("{x:e}")
}

/// `s` with every number written out longer than 24 characters (`1e300` printed by `{}` is
/// 301 digits) put in e-notation by [`short_num`], so that a message's numbers have a
/// bounded width however they were formatted.
///
/// # Examples
/// ```
/// let s = format!("axial position {} mm is off the drum", 1e300);
/// assert_eq!(needlemap::base::input::shorten_numbers(&s), "axial position 1e300 mm is off the drum");
/// assert_eq!(needlemap::base::input::shorten_numbers("needle 12 at 0.25 mm"), "needle 12 at 0.25 mm");
/// ```
pub fn shorten_numbers(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        let at_number = b[i].is_ascii_digit()
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'));
        if !at_number {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.') {
            j += 1;
        }
        if j - i > 24 {
            let start = if i > 0 && b[i - 1] == b'-' { i - 1 } else { i };
            let token = s[start..j].trim_end_matches('.');
            if let Ok(x) = token.parse::<f64>() {
                out.push_str(&s[copied..start]);
                out.push_str(&short_num(x));
                copied = start + token.len();
            }
        }
        i = j.max(i + 1);
    }
    out.push_str(&s[copied..]);
    out
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

    #[test]
    fn files_are_capped_while_reading() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, "0123456789").unwrap();
        let e = read_regular(&f, 4).unwrap_err();
        assert!(e.to_string().contains("4 bytes limit"), "{e}");
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
        assert_eq!(clip("a\u{202e}b\u{0}"), "a�b�");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_kernels_pseudo_files_are_refused_even_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("evil.toml");
        std::os::unix::fs::symlink("/proc/self/environ", &link).unwrap();
        for p in [
            Path::new("/proc/self/environ"),
            &link,
            Path::new("/proc/self/status"),
        ] {
            let e = read_regular(p, MAX_INPUT_BYTES).unwrap_err();
            assert!(
                e.to_string().contains("/proc or /sys"),
                "{}: {e}",
                p.display()
            );
        }
        if Path::new("/sys/kernel/mm").exists() {
            assert!(
                read_regular("/sys/kernel/mm/transparent_hugepage/enabled".as_ref(), 99).is_err()
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        assert!(std::process::Command::new("mkfifo")
            .arg(&f)
            .status()
            .unwrap()
            .success());
        let e = read_regular(&f, 10).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        // an open that did not block, through the handle check
        let e = open_nonblocking(&f)
            .and_then(|h| h.metadata())
            .map(|m| m.is_file());
        assert!(matches!(e, Ok(false)), "{e:?}");
    }

    #[test]
    fn the_root_is_the_nearest_marked_folder_else_the_files_own() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(top.join("proj/designs/sweeps")).unwrap();
        std::fs::create_dir_all(top.join("loose")).unwrap();
        std::fs::write(top.join("proj/.git"), "gitdir: elsewhere").unwrap();
        let s = top.join("proj/designs/sweeps/s.toml");
        std::fs::write(&s, "").unwrap();
        let (root, how) = project_root(&s);
        assert_eq!(root, top.join("proj"));
        assert!(how.contains(".git"), "{how}");
        let l = top.join("loose/d.toml");
        std::fs::write(&l, "").unwrap();
        let (root, how) = project_root(&l);
        assert!(
            root == top.join("loose") || top.ancestors().any(|a| a == root),
            "{}",
            root.display()
        );
        if root == top.join("loose") {
            assert!(how.contains("the folder of"), "{how}");
        }
        // a reference beside the named file resolves from anywhere
        std::fs::write(top.join("proj/designs/n.csv"), "x").unwrap();
        let p = ReadPolicy::default();
        assert!(p.resolve(&s, "../n.csv").is_ok());
        let e = p.resolve(&s, "../../../loose/d.toml").unwrap_err();
        assert!(
            e.contains("outside the project root") && e.contains(".git"),
            "{e}"
        );
    }

    #[test]
    fn messages_quote_input_in_short_printable_excerpts() {
        let secret = format!("`{}`", "SECRET=1\u{0}".repeat(10_000));
        let m = excerpt_message(&format!("unknown field {secret}, expected `a`"));
        assert!(m.chars().count() < 100 && !m.contains('\u{0}'), "{m}");
        let line = format!("name = \"{}\"\nkind = 1\n", "a".repeat(5_000_000));
        let (ex, caret) = line_excerpt(&line, 2_000_000);
        assert!(
            ex.chars().count() <= 2 * EXCERPT_CHARS + 2 && caret == EXCERPT_CHARS + 1,
            "{ex}"
        );
        assert!(bound(&"x".repeat(5000), 10).starts_with("xxxxxxxxxx… (4990 more"));
        assert_eq!(short_num(1e-300), "1e-300");
    }
}
