//! Where a shard's rows came from: the needlemap version, the SHA-256 of the sweep file and of
//! the base design, and the seed and raster pitch they were analyzed at. `sweep --shard K/N`
//! writes it beside the shard's CSV as `sweep.K-of-N.json`; `sweep --merge N` reads every
//! shard's and refuses to merge shards that disagree with one another or with the merge run.
//!
//! The provenance lives in a sidecar rather than in the CSV so that a shard's CSV keeps the
//! exact columns and rows of the unsharded `sweep.csv`: any CSV reader takes it as it is, and
//! the header of one shard followed by the rows of all shards is still the whole sweep.

use super::{Shard, Sweep};
use crate::base::error::InputError;
use crate::metrics::analysis::Overrides;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Largest provenance file read, bytes.
const MAX_BYTES: u64 = 1 << 20;

/// A shard's provenance, as written to `sweep.K-of-N.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Always "needlemap".
    pub tool: String,
    /// The needlemap version that analyzed the rows.
    pub version: String,
    /// The sweep's name.
    pub sweep: String,
    /// Which shard: `K/N`.
    pub shard: String,
    /// Combinations of the whole sweep.
    pub combinations: usize,
    /// The sweep file as given (for people; not compared).
    pub sweep_file: String,
    /// SHA-256 of the sweep file, lower-case hex.
    pub sweep_sha256: String,
    /// The base design file (for people; not compared).
    pub base_file: String,
    /// SHA-256 of the base design file, lower-case hex.
    pub base_sha256: String,
    /// The seed of the base design after `--seed` (varied seeds are in the sweep file).
    pub seed: u64,
    /// The raster pitch of the base design after `--resolution-um`, µm.
    pub resolution_um: f64,
    /// SHA-256 of this shard's CSV as written, lower-case hex: a CSV edited or damaged after
    /// the run no longer matches (not compared between shards: each has its own).
    pub csv_sha256: String,
}

impl Provenance {
    /// The provenance of shard `shard` of `sweep` analyzed with `overrides` by this build.
    pub fn new(sweep: &Sweep, overrides: &Overrides, shard: Shard) -> Provenance {
        let base = overrides.apply(&sweep.base);
        Provenance {
            tool: "needlemap".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            sweep: sweep.name.clone(),
            shard: format!("{}/{}", shard.k, shard.n),
            combinations: sweep.len(),
            sweep_file: sweep.path.display().to_string(),
            sweep_sha256: sweep.sha256.clone(),
            base_file: sweep.base_path.display().to_string(),
            base_sha256: sweep.base.source.sha256.clone(),
            seed: base.treatment.seed,
            resolution_um: base.analysis.resolution_um,
            csv_sha256: String::new(),
        }
    }

    /// This provenance for a shard whose CSV is `csv`.
    pub fn with_csv(mut self, csv: &[u8]) -> Provenance {
        use sha2::{Digest, Sha256};
        self.csv_sha256 = crate::design::hex(&Sha256::digest(csv));
        self
    }

    /// The sidecar's bytes: pretty JSON and a newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::base::fmt::json_bytes(self)
    }

    /// The fields two shards of one sweep must share, with their values as text: what a
    /// mismatch names. The file paths are left out (shards may run on other machines), and
    /// so is the shard number, which the file name carries.
    fn compared(&self) -> [(&'static str, String); 7] {
        [
            ("tool", self.tool.clone()),
            ("version", self.version.clone()),
            ("sweep", self.sweep.clone()),
            ("sweep_sha256", self.sweep_sha256.clone()),
            ("base_sha256", self.base_sha256.clone()),
            ("seed", self.seed.to_string()),
            ("resolution_um", self.resolution_um.to_string()),
        ]
    }

    /// The first field on which `self` and `other` differ: (field, self's value, other's).
    pub fn first_difference(&self, other: &Provenance) -> Option<(&'static str, String, String)> {
        self.compared()
            .into_iter()
            .zip(other.compared())
            .find(|(a, b)| a.1 != b.1)
            .map(|(a, b)| (a.0, a.1, b.1))
    }
}

/// File name of shard `k` of `n`'s provenance, for a study whose files start `stem`:
/// `<stem>.K-of-N.json`, beside its CSV.
///
/// # Examples
/// ```
/// use needlemap::studies::sweep::{provenance::sidecar_name, Shard};
/// assert_eq!(sidecar_name("sweep", Shard { k: 3, n: 12 }), "sweep.03-of-12.json");
/// ```
pub fn sidecar_name(stem: &str, s: Shard) -> String {
    let w = s.n.to_string().len();
    format!("{stem}.{:0w$}-of-{}.json", s.k, s.n)
}

/// Which study's shards: the stem of their files and the command that writes them.
#[derive(Clone, Copy, Debug)]
pub struct Study {
    /// `sweep`, `candidates`.
    pub stem: &'static str,
    /// `sweep`, `optimise`.
    pub command: &'static str,
    /// What its file is called: `sweep`, `optimisation`.
    pub noun: &'static str,
}

/// A sweep's shards.
pub const SWEEP: Study = Study {
    stem: "sweep",
    command: "sweep",
    noun: "sweep",
};

/// Reads shard `shard`'s provenance from `dir`.
fn read(dir: &Path, shard: Shard, study: Study) -> Result<(PathBuf, Provenance), InputError> {
    let path = dir.join(sidecar_name(study.stem, shard));
    let bytes = crate::base::input::read_regular(&path, MAX_BYTES).map_err(|source| {
        InputError::Path {
            path: path.clone(),
            problem: format!(
                "cannot read the provenance of shard {}/{} ({source}); `{} --shard` writes it beside {}: copy both files of every shard",
                shard.k,
                shard.n,
                study.command,
                super::merge::shard_file_name(study.stem, shard)
            ),
        }
    })?;
    let p: Provenance = serde_json::from_slice(&bytes).map_err(|e| InputError::Path {
        path: path.clone(),
        problem: format!("not a shard's provenance: {e}"),
    })?;
    if p.shard != format!("{}/{}", shard.k, shard.n) {
        return Err(InputError::Path {
            path,
            problem: format!(
                "says it is shard {} but its name says {}/{}; was it renamed?",
                p.shard, shard.k, shard.n
            ),
        });
    }
    Ok((path, p))
}

/// Checks the provenance of shards 1..=`n` in `dir`: every shard must agree with shard 1, and
/// shard 1 with this run (`sweep` and `overrides` as the merge sees them, this build's
/// version). The error names both files (or the file and this run) and the differing field.
pub fn check(
    sweep: &Sweep,
    overrides: &Overrides,
    dir: &Path,
    n: usize,
    study: Study,
) -> Result<(), InputError> {
    let (first_path, first) = read(dir, Shard { k: 1, n }, study)?;
    for k in 1..=n {
        let (path, p) = read(dir, Shard { k, n }, study)?;
        // the CSV must be the one the shard wrote: not edited, truncated or re-encoded since
        let csv = dir.join(super::merge::shard_file_name(study.stem, Shard { k, n }));
        if let Ok(bytes) =
            crate::base::input::read_regular(&csv, crate::base::input::MAX_INPUT_BYTES)
        {
            let now = p.clone().with_csv(&bytes).csv_sha256;
            if now != p.csv_sha256 {
                return Err(InputError::Path {
                    path: csv,
                    problem: format!(
                        "its SHA-256 is {now}, but {} records {}: the shard's CSV changed after it was written; re-run shard {k}/{n}",
                        path.display(),
                        p.csv_sha256
                    ),
                });
            }
        }
        if k == 1 {
            continue;
        }
        if let Some((field, here, there)) = p.first_difference(&first) {
            return Err(InputError::Path {
                path,
                problem: format!(
                    "{field} is {here}, but {} has {there}: the shards were not made by the same needlemap from the same {} file, base design, --seed and --resolution-um; re-run the shards that differ",
                    first_path.display(),
                    study.noun
                ),
            });
        }
    }
    let now = Provenance::new(sweep, overrides, Shard { k: 1, n });
    if let Some((field, here, there)) = first.first_difference(&now) {
        let (this, fix) = match field {
            "sweep" | "sweep_sha256" => (
                format!("the {} file {}", study.noun, sweep.path.display()),
                format!("it changed since the shards ran: merge with the {} file they used, or re-run them", study.noun),
            ),
            "base_sha256" => (
                format!("the base design {}", sweep.base_path.display()),
                "it changed since the shards ran: merge with the base design they used, or re-run them".to_string(),
            ),
            "seed" => ("this merge".to_string(), format!("give the merge the shards' --seed {here}")),
            "resolution_um" => (
                "this merge".to_string(),
                format!("give the merge the shards' --resolution-um {here}"),
            ),
            _ => (
                "this needlemap".to_string(),
                format!("merge with needlemap {here}, or re-run the shards"),
            ),
        };
        return Err(InputError::Path {
            path: first_path,
            problem: format!("{field} is {here}, but {this} has {there}; {fix}"),
        });
    }
    Ok(())
}
