//! Designs: one device and one treatment, read from a TOML file and checked.
//!
//! [`mod@file`] mirrors the file; [`validate`] checks it into [`Design`], whose invariants the
//! engine relies on: every length, speed and frequency positive and finite, at least one
//! needle and one pass, needles that fit on the drum or cartridge without colliding.

pub mod as_built;
pub mod experiment;
pub mod file;
pub mod kinds;
pub mod layout;
pub mod ranges;
pub mod schema;
pub mod starter;
pub mod validate;

use crate::base::error::InputError;
use crate::base::input::ReadPolicy;
use crate::model::material::MaterialProps;
use crate::model::skin::Skin;
use crate::model::strength::bending::SkinGrip;
pub use kinds::{Device, DeviceKind, Kind, PenNeedle, RollerNeedle};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A checked design.
#[derive(Clone, Debug, Serialize)]
pub struct Design {
    /// Name, also the output folder `out/<name>/`.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The file it came from and its hash.
    pub source: Source,
    /// The device.
    pub device: Device,
    /// Needle shape shared by every needle of the device.
    pub needle: Needle,
    /// Manufacturing variation.
    pub tolerance: Tolerance,
    /// Skin model.
    pub skin: Skin,
    /// How the skin holds a needle sideways (the bending check).
    pub skin_grip: SkinGrip,
    /// How the device is moved over the region.
    pub treatment: Treatment,
    /// Raster and tile settings of the area metrics.
    pub analysis: Analysis,
    /// The published experiment this design reproduces (designs/validation/), if any.
    pub experiment: Option<crate::design::experiment::Experiment>,
    /// Spec limits from `[spec]`, in registry order (empty when the file has none).
    pub spec: Vec<SpecLimit>,
    /// QA inspection data replacing the drawn device (`--as-built`); `None` draws it from
    /// `[tolerance]`.
    #[serde(skip)]
    pub as_built: Option<std::sync::Arc<as_built::AsBuilt>>,
}

/// A spec limit on one registry metric: the run passes when the metric is defined and lies
/// in `[min, max]` (either bound may be absent).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpecLimit {
    /// Registry key of the metric.
    pub key: &'static str,
    /// Lower limit, in the metric's unit (fractions as fractions).
    pub min: Option<f64>,
    /// Upper limit, in the metric's unit.
    pub max: Option<f64>,
}

impl SpecLimit {
    /// Whether `value` meets the limit; an undefined metric fails.
    ///
    /// # Examples
    /// ```
    /// use needlemap::design::SpecLimit;
    /// let l = SpecLimit { key: "max_gap_mm", min: None, max: Some(0.6) };
    /// assert!(l.passes(Some(0.5)));
    /// assert!(!l.passes(Some(0.7)));
    /// assert!(!l.passes(None));
    /// ```
    pub fn passes(&self, value: Option<f64>) -> bool {
        value
            .is_some_and(|v| self.min.is_none_or(|lo| v >= lo) && self.max.is_none_or(|hi| v <= hi))
    }

    /// `≥ 0.15`, `≤ 0.6` or `0.1 … 0.2`.
    pub fn describe(&self) -> String {
        match (self.min, self.max) {
            (Some(a), Some(b)) => format!("{a} … {b}"),
            (Some(a), None) => format!("≥ {a}"),
            (None, Some(b)) => format!("≤ {b}"),
            (None, None) => "any".into(),
        }
    }
}

/// Where a design came from.
#[derive(Clone, Debug, Serialize)]
pub struct Source {
    /// Path as given.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
}

/// Needle shape.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Needle {
    /// Shaft diameter d, mm.
    pub diameter_mm: f64,
    /// Length t of the conical tip, mm.
    pub tip_length_mm: f64,
    /// Radius of the tip's point, µm: sets the puncture force.
    pub tip_radius_um: f64,
    /// The material's figures (registry entry and the file's overrides).
    pub material: MaterialProps,
}

/// Manufacturing variation.
#[derive(Clone, Copy, Debug, Serialize, Default)]
pub struct Tolerance {
    /// Standard deviation of each needle's length, mm.
    pub length_sd_mm: f64,
    /// Standard deviation of each roller needle's angular position, degrees.
    pub angle_sd_deg: f64,
    /// Fraction of needles missing, [0, 1).
    pub missing_fraction: f64,
    /// Standard deviation of each needle's tip radius, µm (the radius is drawn from a normal
    /// around `needle.tip_radius_um`, truncated to (0, shaft radius]).
    pub tip_radius_sd_um: f64,
}

/// The treatment.
#[derive(Clone, Debug, Serialize)]
pub struct Treatment {
    /// Region Lx × Ly, mm.
    pub area_mm: [f64; 2],
    /// One angle per pass, degrees, in treatment order (counts expanded).
    pub pass_angles_deg: Vec<f64>,
    /// The passes as written: (angle_deg, count).
    pub pass_groups: Vec<(f64, u32)>,
    /// Spacing of parallel strokes, mm.
    pub lane_spacing_mm: f64,
    /// RNG seed.
    pub seed: u64,
    /// Random offsets and phases on (true) or all zero (false).
    pub jitter: bool,
}

impl Treatment {
    /// Region area, mm².
    pub fn area_mm2(&self) -> f64 {
        self.area_mm[0] * self.area_mm[1]
    }
}

/// Area-metric settings.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Analysis {
    /// Raster pitch, µm.
    pub resolution_um: f64,
    /// Side of the square tiles of `density_cv` and tiles.csv, mm.
    pub tile_mm: f64,
    /// Radius around an opening counted as treated, mm.
    pub influence_radius_mm: f64,
}

/// Default conical tip length, mm. (assumption) no source gives one.
pub const DEFAULT_TIP_LENGTH_MM: f64 = 0.5;
/// Default tip radius, µm: a 770 µm DermaRoller needle's tip measured 4 µm (Kalluri 2011) \[M\].
pub const DEFAULT_TIP_RADIUS_UM: f64 = 4.0;
/// Default raster pitch, µm.
pub const DEFAULT_RESOLUTION_UM: f64 = 10.0;
/// Default tile side, mm.
pub const DEFAULT_TILE_MM: f64 = 5.0;
/// Default influence radius, mm. (assumption) a stated modelling choice, not a measured figure.
pub const DEFAULT_INFLUENCE_RADIUS_MM: f64 = 0.5;
/// Default seed.
pub const DEFAULT_SEED: u64 = 1;

impl Design {
    /// Reads and checks one design file under [`ReadPolicy::default`]: a `needles_csv` must
    /// lie under the project root chosen from the file ([`crate::base::input::project_root`]).
    ///
    /// # Examples
    /// ```no_run
    /// let d = needlemap::design::Design::load("designs/mf8-192.toml".as_ref()).unwrap();
    /// assert_eq!(d.device.needle_count(), 192);
    /// ```
    pub fn load(path: &Path) -> Result<Design, InputError> {
        Design::load_with(path, &ReadPolicy::default())
    }

    /// Reads and checks one design file; `policy` says which files it may reference and how
    /// large a file may be (the design file itself must be a regular file within the cap). A
    /// policy without a root takes the one [`ReadPolicy::for_file`] chooses from `path`.
    pub fn load_with(path: &Path, policy: &ReadPolicy) -> Result<Design, InputError> {
        let policy = policy.for_file(path);
        Design::from_bytes_with(&read_input(path, &policy)?, path, &policy)
    }

    /// [`Design::load_with`], returning the file's text too (the Python binding keeps it).
    pub fn load_with_text(
        path: &Path,
        policy: &ReadPolicy,
    ) -> Result<(Design, String), InputError> {
        let policy = policy.for_file(path);
        let bytes = read_input(path, &policy)?;
        let d = Design::from_bytes_with(&bytes, path, &policy)?;
        let text = String::from_utf8(bytes).expect("checked by Design::from_bytes_with");
        Ok((d, text))
    }

    /// Checks a design given as bytes under [`ReadPolicy::default`]; `path` names it in errors
    /// and resolves `needles_csv`.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Design, InputError> {
        Design::from_bytes_with(bytes, path, &ReadPolicy::default())
    }

    /// Checks a design given as bytes; `path` names it in errors and resolves `needles_csv`,
    /// which `policy` must allow.
    pub fn from_bytes_with(
        bytes: &[u8],
        path: &Path,
        policy: &ReadPolicy,
    ) -> Result<Design, InputError> {
        let text = toml_text(
            bytes,
            path,
            "a design needs at least `name`, `kind`, [needle] and [treatment]",
        )?;
        let file: file::DesignFile =
            parse_toml(text, path).map_err(|e| other_kind(e, text, path, InputKind::Design))?;
        let sha256 = hex(&Sha256::digest(bytes));
        validate::Ctx::new(path, text).with_policy(policy).design(
            file,
            Source {
                path: path.to_path_buf(),
                sha256,
            },
        )
    }
}

/// The bytes of an input file (a design or sweep file) that `policy` allows.
pub(crate) fn read_input(path: &Path, policy: &ReadPolicy) -> Result<Vec<u8>, InputError> {
    policy.read(path).map_err(|source| InputError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// The bytes of an input file as TOML text: UTF-8 and not blank (`what` says what the file
/// needs at the least, for the error).
pub fn toml_text<'a>(
    bytes: &'a [u8],
    path: &Path,
    what: &'static str,
) -> Result<&'a str, InputError> {
    let text = std::str::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.valid_up_to(),
    })?;
    if text.trim().is_empty() {
        return Err(InputError::Empty {
            path: path.to_path_buf(),
            what,
        });
    }
    Ok(text)
}

/// Parses TOML text into `T`; the error names the file, line and column and shows a caret
/// under an excerpt of the line ([`toml_message`]).
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
) -> Result<T, InputError> {
    toml::from_str(text).map_err(|e| toml_error(path, &e, text))
}

/// toml's error `e` in `text` (the file at `path`) as an [`InputError::Toml`], with its line
/// and column and the message of [`toml_message`].
pub fn toml_error(path: &Path, e: &toml::de::Error, text: &str) -> InputError {
    let at = e
        .span()
        .map(|s| crate::base::error::line_col(text, s.start));
    InputError::Toml {
        path: path.to_path_buf(),
        line: at.map(|a| a.0),
        column: at.map(|a| a.1),
        message: toml_message(e, text),
    }
}

/// toml's error in its own layout (line, column, the line with a caret under the fault, the
/// problem), but quoting the file only in short printable excerpts: toml would print the
/// whole line, which may be megabytes long or, from a link to `/proc/self/environ`, the
/// environment.
pub fn toml_message(e: &toml::de::Error, text: &str) -> String {
    let problem = crate::base::input::excerpt_message(e.message().trim_end());
    let Some(span) = e.span() else {
        return problem;
    };
    let (line, column) = crate::base::error::line_col(text, span.start);
    let (excerpt, caret) = crate::base::input::line_excerpt(text, span.start);
    let width = line.to_string().len();
    format!(
        "TOML parse error at line {line}, column {column}\n{:width$} |\n{line} | {excerpt}\n{:width$} | {}^\n{problem}",
        "",
        "",
        " ".repeat(caret)
    )
}

/// The two kinds of needlemap input file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A design: `kind` and a `[treatment]` table.
    Design,
    /// A sweep: a top-level `base` and a `[vary]` table.
    Sweep,
    /// An optimisation: a top-level `base` and a `[search]` table.
    Optimise,
}

impl InputKind {
    /// What TOML text looks like by its top-level keys, if it is clearly one kind.
    ///
    /// # Examples
    /// ```
    /// use needlemap::design::InputKind;
    /// let sweep = "name = \"s\"\nbase = \"d.toml\"\n[vary]\n\"needle.length_mm\" = [1.0]";
    /// assert_eq!(InputKind::of(sweep), Some(InputKind::Sweep));
    /// assert_eq!(InputKind::of("kind = \"pen\"\n[treatment]\n"), Some(InputKind::Design));
    /// assert_eq!(InputKind::of("x = 1"), None);
    /// ```
    pub fn of(text: &str) -> Option<InputKind> {
        let t: toml::Table = text.parse().ok()?;
        let table = |k: &str| t.get(k).is_some_and(toml::Value::is_table);
        if t.contains_key("base") && table("vary") {
            Some(InputKind::Sweep)
        } else if t.contains_key("base") && table("search") {
            Some(InputKind::Optimise)
        } else if t.contains_key("kind") && table("treatment") {
            Some(InputKind::Design)
        } else {
            None
        }
    }
}

/// `e`, a failure to read `text` as a file of kind `expected`; or, when the text is clearly
/// the other kind of file, an error that says so and names the command that reads it, in
/// place of serde's "unknown field" about the first key it did not expect.
pub fn other_kind(e: InputError, text: &str, path: &Path, expected: InputKind) -> InputError {
    let message = match (expected, InputKind::of(text)) {
        (InputKind::Design, Some(InputKind::Sweep)) => format!(
            "this looks like a sweep file (a top-level `base` and a [vary] table), not a design; run `needlemap sweep {}`",
            path.display()
        ),
        (InputKind::Sweep, Some(InputKind::Design)) => format!(
            "this looks like a design file (`kind` and a [treatment] table), not a sweep; run `needlemap analyze {}`, or name it as the `base` of a sweep file",
            path.display()
        ),
        (InputKind::Design | InputKind::Sweep, Some(InputKind::Optimise)) => format!(
            "this looks like an optimisation file (a top-level `base` and a [search] table), not a {}; run `needlemap optimise {}`",
            if expected == InputKind::Design { "design" } else { "sweep" },
            path.display()
        ),
        (InputKind::Optimise, Some(InputKind::Sweep)) => format!(
            "this looks like a sweep file (a top-level `base` and a [vary] table), not an optimisation; run `needlemap sweep {}`, or name the keys to search in a [search] table with [constraints] and [objective]",
            path.display()
        ),
        (InputKind::Optimise, Some(InputKind::Design)) => format!(
            "this looks like a design file (`kind` and a [treatment] table), not an optimisation; run `needlemap analyze {}`, or name it as the `base` of an optimisation file",
            path.display()
        ),
        _ => return e,
    };
    InputError::Toml {
        path: path.to_path_buf(),
        line: None,
        column: None,
        message,
    }
}

/// Longest design or sweep name, characters: it names a folder, and file systems stop at 255
/// bytes for a name (a sweep's variants and temporaries add to it).
pub const MAX_NAME_CHARS: usize = 100;

/// What a design or sweep name must be: it names the folder `out/<name>/`.
pub const NAME_RULE: &str =
    "must be a non-empty folder name of at most 100 letters, digits, '-', '_' or '.', not starting with '.'";

/// Whether `name` follows [`NAME_RULE`].
///
/// # Examples
/// ```
/// assert!(needlemap::design::is_valid_name("mf8-192"));
/// assert!(!needlemap::design::is_valid_name("../x"));
/// assert!(!needlemap::design::is_valid_name(&"a".repeat(101)));
/// ```
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_CHARS
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Expands arguments into design files: a file stands for itself, a folder for every
/// `*.toml` directly in it, sorted by name.
pub fn expand_paths(args: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for a in args {
        if a.is_dir() {
            let rd = std::fs::read_dir(a).map_err(|source| InputError::Read {
                path: a.clone(),
                source,
            })?;
            let mut found: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(InputError::Path {
                    path: a.clone(),
                    problem: "folder holds no *.toml design file".into(),
                });
            }
            out.extend(found);
        } else if a.exists() {
            out.push(a.clone());
        } else {
            return Err(InputError::Path {
                path: a.clone(),
                problem: "no such file or folder".into(),
            });
        }
    }
    Ok(out)
}
