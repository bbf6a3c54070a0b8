//! Helpers shared by the integration tests: the binary under test and the shipped designs.
//! Each test binary uses some of them.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::PathBuf;

/// The `needlemap` binary of this build.
pub fn bin() -> Command {
    Command::cargo_bin("needlemap").unwrap()
}

/// The crate's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A shipped design file: designs/`name`.
pub fn design(name: &str) -> PathBuf {
    root().join("designs").join(name)
}

/// Writes `text` to `dir`/`name`; returns the path.
pub fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The MF8's layout: 8 rings of 24 needles, 7.5° stagger.
pub const RINGS: &str = "pattern = \"rings\"\nrings = 8\nneedles_per_ring = 24\nstagger_deg = 7.5";

/// Two passes along x and one along y.
pub const TWO_AND_ONE: &str = "{ angle_deg = 0.0, count = 2 }, { angle_deg = 90.0, count = 1 }";

/// A small MF8-like roller design: a 20 mm drum 20 mm wide, 1.5 × 0.25 mm needles, seed 3,
/// over a square region. The text keeps one line per slot whatever is in it (an empty slot is
/// a blank line), so the line of each key is fixed: `name` is on line 2, the layout starts on
/// line 8 and, with the 4-line [`RINGS`], `tables` is line 15, `treatment` line 20 and `tail`
/// line 23.
pub struct SmallRoller<'a> {
    /// `name`.
    pub name: &'a str,
    /// The keys of `[roller.layout]`.
    pub layout: &'a str,
    /// Tables between `[needle]` and `[treatment]` (e.g. `[tolerance]`).
    pub tables: &'a str,
    /// Side of the square region, mm.
    pub side_mm: f64,
    /// The passes, inside `passes = [ … ]`.
    pub passes: &'a str,
    /// More keys of `[treatment]` (e.g. `jitter = false`).
    pub treatment: &'a str,
    /// `analysis.resolution_um`.
    pub resolution_um: f64,
    /// Tables at the end (e.g. `[spec]`).
    pub tail: &'a str,
}

impl Default for SmallRoller<'static> {
    /// "small": the MF8 layout, 20 × 20 mm, two passes along x and one along y, 20 µm.
    fn default() -> Self {
        SmallRoller {
            name: "small",
            layout: RINGS,
            tables: "",
            side_mm: 20.0,
            passes: TWO_AND_ONE,
            treatment: "",
            resolution_um: 20.0,
            tail: "",
        }
    }
}

impl SmallRoller<'_> {
    /// The design file's text.
    pub fn toml(&self) -> String {
        format!(
            "\nname = \"{}\"\nkind = \"roller\"\n[roller]\ndrum_diameter_mm = 20.0\ndrum_width_mm = 20.0\n[roller.layout]\n{}\n[needle]\nlength_mm = 1.5\ndiameter_mm = 0.25\n{}\n[treatment]\narea_mm = [{side:?}, {side:?}]\npasses = [ {} ]\nseed = 3\n{}\n[analysis]\nresolution_um = {:?}\n{}\n",
            self.name,
            self.layout,
            self.tables,
            self.passes,
            self.treatment,
            self.resolution_um,
            self.tail,
            side = self.side_mm,
        )
    }
}

/// Depth of a lone needle of 0.25 mm shaft, 0.5 mm cone and 4 µm tip (the MF8's and the
/// CIT-8's) of length `h` in face skin, pressed to its body: d + (F_c + τ·A(d))/k_s = h, by
/// bisection (model §2a) — the oracle of the tests that press the shipped rollers firmly.
pub fn pressed_to_body(h: f64) -> f64 {
    let face = needlemap::model::skin::Skin::preset("face").unwrap();
    let m = needlemap::model::insertion::Mechanics::new(&face, 0.25, 0.5, 4.0);
    let (mut lo, mut hi) = (0.0, h);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid + m.resistance_n(mid) / m.k_n_mm < h {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}
