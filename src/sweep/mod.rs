//! Design sweeps: one base design, some of its numeric keys varied over lists of values, every
//! combination analyzed.
//!
//! An engineer rarely analyzes one design: they vary needle length, rings, needles per ring,
//! stagger, drum size or passes and look for the design that reaches a target density and
//! coverage with the fewest passes and the most even result. A sweep file names the base
//! design and the values of each varied key:
//!
//! ```toml
//! name = "mf8-length"                    # out/<name>/
//! base = "../mf8-192.toml"               # relative to the sweep file
//! [vary]                                 # every combination (Cartesian product)
//! "needle.length_mm" = [0.5, 1.0, 1.5, 2.0]
//! "roller.layout.rings" = [4, 8, 12]
//! ```
//!
//! Each combination is the base file's TOML with the keys set, serialized and checked by
//! [`Design::from_bytes`], so every rule of a design file applies to every variant. A key is a
//! dotted path into the design; array elements are addressed by a 0-based index
//! (`treatment.passes.0.count`) or by `*` for every element (`treatment.passes.*.count`).
//! A key must be a numeric key of the design format ([`NUMERIC_KEYS`]); it may be absent from
//! the base file (its default then gives way to the swept values). Unknown, non-numeric or
//! inapplicable keys are refused up front with the sweep file, line and key; a combination
//! the design rules refuse (rings that no longer fit on the drum) becomes a row with an error,
//! and the sweep goes on.
//!
//! Combinations are numbered in odometer order: the first key varies slowest, the last key
//! fastest. Variant `i` (1-based) is named `<name>-<i>`, zero-padded to the width of the count.
//! [`Shard`] selects contiguous slices of that order, so shards concatenate into the whole.

pub mod merge;
pub mod output;
pub mod plot;

use crate::analysis::{self, Overrides};
use crate::design::Design;
use crate::error::{line_col, InputError};
use crate::input::ReadPolicy;
use crate::metrics::registry::{self, Better};
use crate::metrics::Metrics;
use crate::progress::{Progress, Silent};
use rayon::prelude::*;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::{Spanned, Value};

/// Most combinations one sweep may have.
pub const MAX_COMBINATIONS: usize = 1_000_000;

/// Whether a key takes whole numbers or any number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Num {
    /// A whole number (rings, counts, seed).
    Int,
    /// Any number (lengths, angles, speeds).
    Float,
}

/// Numeric keys of the design format a sweep may vary: dotted path (`#` stands for an array
/// index), number type, and the `kind` (and layout or cartridge `pattern`) they belong to.
pub const NUMERIC_KEYS: &[(&str, Num, Applies)] = &[
    ("roller.drum_diameter_mm", Num::Float, Applies::Roller),
    ("roller.drum_width_mm", Num::Float, Applies::Roller),
    ("roller.roll_speed_mm_s", Num::Float, Applies::Roller),
    (
        "roller.layout.rings",
        Num::Int,
        Applies::RollerPattern("rings"),
    ),
    (
        "roller.layout.needles_per_ring",
        Num::Int,
        Applies::RollerPattern("rings"),
    ),
    (
        "roller.layout.ring_pitch_mm",
        Num::Float,
        Applies::RollerPattern("rings"),
    ),
    (
        "roller.layout.stagger_deg",
        Num::Float,
        Applies::RollerPattern("rings"),
    ),
    ("roller.force_n", Num::Float, Applies::Roller),
    ("pen.depth_mm", Num::Float, Applies::Pen),
    ("pen.drive_force_n", Num::Float, Applies::Pen),
    ("pen.frequency_hz", Num::Float, Applies::Pen),
    ("pen.hand_speed_mm_s", Num::Float, Applies::Pen),
    ("pen.cartridge_angle_deg", Num::Float, Applies::Pen),
    ("pen.cartridge.rows", Num::Int, Applies::PenPattern("grid")),
    ("pen.cartridge.cols", Num::Int, Applies::PenPattern("grid")),
    (
        "pen.cartridge.pitch_mm",
        Num::Float,
        Applies::PenPattern("grid"),
    ),
    ("pen.cartridge.count", Num::Int, Applies::PenPattern("ring")),
    (
        "pen.cartridge.diameter_mm",
        Num::Float,
        Applies::PenPattern("ring"),
    ),
    ("stamp.force_n", Num::Float, Applies::Stamp),
    ("stamp.step_mm", Num::Float, Applies::Stamp),
    ("stamp.presses_per_s", Num::Float, Applies::Stamp),
    ("stamp.array_angle_deg", Num::Float, Applies::Stamp),
    ("stamp.array.rows", Num::Int, Applies::StampPattern("grid")),
    ("stamp.array.cols", Num::Int, Applies::StampPattern("grid")),
    (
        "stamp.array.pitch_mm",
        Num::Float,
        Applies::StampPattern("grid"),
    ),
    ("stamp.array.count", Num::Int, Applies::StampPattern("ring")),
    (
        "stamp.array.diameter_mm",
        Num::Float,
        Applies::StampPattern("ring"),
    ),
    ("needle.length_mm", Num::Float, Applies::NotPen),
    ("needle.diameter_mm", Num::Float, Applies::Any),
    ("needle.tip_length_mm", Num::Float, Applies::Any),
    ("needle.tip_radius_um", Num::Float, Applies::Any),
    ("tolerance.length_sd_mm", Num::Float, Applies::Any),
    ("tolerance.angle_sd_deg", Num::Float, Applies::Any),
    ("tolerance.missing_fraction", Num::Float, Applies::Any),
    ("skin.deflection_mm", Num::Float, Applies::Any),
    ("skin.tangential_slack_mm", Num::Float, Applies::Any),
    ("skin.puncture_force_n", Num::Float, Applies::Any),
    ("skin.tip_pressure_n_mm2", Num::Float, Applies::Any),
    ("skin.tenting_stiffness_n_mm", Num::Float, Applies::Any),
    ("skin.insertion_resistance_n_mm", Num::Float, Applies::Any),
    ("skin.closure_radius_um", Num::Float, Applies::Any),
    ("skin.stratum_corneum_mm", Num::Float, Applies::Any),
    ("skin.viable_epidermis_mm", Num::Float, Applies::Any),
    ("skin.papillary_dermis_mm", Num::Float, Applies::Any),
    ("skin.reticular_dermis_mm", Num::Float, Applies::Any),
    ("treatment.area_mm.#", Num::Float, Applies::Any),
    ("treatment.passes.#.angle_deg", Num::Float, Applies::Any),
    ("treatment.passes.#.count", Num::Int, Applies::Any),
    ("treatment.lane_spacing_mm", Num::Float, Applies::Any),
    ("treatment.seed", Num::Int, Applies::Any),
    ("analysis.resolution_um", Num::Float, Applies::Any),
    ("analysis.tile_mm", Num::Float, Applies::Any),
    ("analysis.influence_radius_mm", Num::Float, Applies::Any),
];

/// Which designs a key applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    /// Every design.
    Any,
    /// `kind = "roller"`.
    Roller,
    /// `kind = "roller"` with `roller.layout.pattern` equal to this.
    RollerPattern(&'static str),
    /// `kind = "pen"`.
    Pen,
    /// `kind = "pen"` with `pen.cartridge.pattern` equal to this.
    PenPattern(&'static str),
    /// `kind = "stamp"`.
    Stamp,
    /// `kind = "stamp"` with `stamp.array.pattern` equal to this.
    StampPattern(&'static str),
    /// Devices with a needle length: rollers and stamps (a pen has a depth setting).
    NotPen,
}

/// One step of a key's path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// One varied key, checked against the base design.
#[derive(Clone, Debug)]
pub struct Key {
    /// The key as written in the sweep file (the CSV column name).
    pub name: String,
    /// Line of the key in the sweep file (1-based).
    pub line: usize,
    /// Whole numbers or any number.
    pub num: Num,
    /// The values, in the order written.
    pub values: Vec<f64>,
    /// Concrete paths set by this key (several with `*`).
    targets: Vec<Vec<Seg>>,
}

impl Key {
    /// Value `j` as a TOML value of the key's type.
    fn toml_value(&self, j: usize) -> Value {
        match self.num {
            Num::Int => Value::Integer(self.values[j] as i64),
            Num::Float => Value::Float(self.values[j]),
        }
    }

    /// Value `j` as text: whole numbers without a decimal point, others in the shortest form
    /// that reads back to the same number.
    pub fn show(&self, j: usize) -> String {
        show_value(self.values[j])
    }
}

/// A number in the shortest form that reads back to the same number.
pub fn show_value(x: f64) -> String {
    format!("{x}")
}

/// A checked sweep: the base design's TOML and the varied keys.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// Name; also `out/<name>/` and the prefix of the variants' names.
    pub name: String,
    /// The sweep file.
    pub path: PathBuf,
    /// SHA-256 of the sweep file, lower-case hex.
    pub sha256: String,
    /// The base design file (resolved against the sweep file's folder).
    pub base_path: PathBuf,
    /// The base design, checked.
    pub base: Design,
    /// The varied keys in the order written.
    pub keys: Vec<Key>,
    base_table: toml::Table,
    /// What the variants may read (the base's `needles_csv`).
    policy: ReadPolicy,
}

/// `[vary]` as written: nested tables (unquoted dotted keys) or lists of values, in file order.
///
/// Only the values carry spans: toml gives implicit tables of dotted keys none.
#[derive(Debug)]
enum Node {
    List(Vec<Spanned<Value>>),
    Table(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of numbers, e.g. \"needle.length_mm\" = [1.0, 1.5, 2.0]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = s.next_element::<Spanned<Value>>()? {
                    v.push(x);
                }
                Ok(Node::List(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some(k) = m.next_key::<String>()? {
                    let n = m.next_value::<Node>()?;
                    v.push((k, n));
                }
                Ok(Node::Table(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A needlemap sweep: one base design and lists of values for some of its numeric keys.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "needlemap sweep")]
pub(crate) struct SweepFile {
    /// Sweep name; also `out/<name>/` and the prefix of the variants' names `<name>-<i>`.
    #[schemars(with = "String")]
    name: Spanned<String>,
    /// The base design file, relative to the sweep file.
    #[schemars(with = "String")]
    base: Spanned<String>,
    /// The varied keys: `"dotted.key" = [values]`, every combination analyzed, the first key varying slowest.
    vary: Node,
}

/// `[vary]`: one property per key of [`NUMERIC_KEYS`], a list of whole numbers or of numbers;
/// array indices (`#`) as a number or `*`. Unquoted dotted keys make nested tables, which the
/// schema lets through as tables and the sweep checks when it flattens them.
impl schemars::JsonSchema for Node {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Vary".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let design = crate::schema::design_tables();
        let meaning = |key: &str| {
            let doc_key = key.replace(".#.", "[].").replace(".#", "");
            design
                .iter()
                .flat_map(|t| &t.keys)
                .find(|k| k.key == doc_key)
                .map(|k| k.meaning.clone())
                .unwrap_or_default()
        };
        let mut properties = serde_json::Map::new();
        let mut patterns = serde_json::Map::new();
        for (key, num, _) in NUMERIC_KEYS {
            let item = match num {
                Num::Int => "integer",
                Num::Float => "number",
            };
            let schema = serde_json::json!({
                "type": "array",
                "items": { "type": item },
                "description": meaning(key),
            });
            if key.contains('#') {
                let re = format!("^{}$", key.replace('.', "\\.").replace('#', "([0-9]+|\\*)"));
                patterns.insert(re, schema);
            } else {
                properties.insert((*key).to_string(), schema);
            }
        }
        schemars::json_schema!({
            "type": "object",
            "properties": properties,
            "patternProperties": patterns,
            "additionalProperties": {
                "type": "object",
                "description": "Unquoted dotted keys (needle.length_mm = [...]) form nested tables; the sweep flattens them and checks each key."
            },
        })
    }
}

/// Flattens `[vary]` into (dotted key, its values) in file order.
fn flatten(prefix: &str, node: Node, out: &mut Vec<(String, Vec<Spanned<Value>>)>) {
    match node {
        Node::List(v) => out.push((prefix.to_string(), v)),
        Node::Table(entries) => {
            for (k, n) in entries {
                let key = if prefix.is_empty() {
                    k
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, n, out);
            }
        }
    }
}

/// Byte offset of the line that writes `key` (for a key whose list is empty, so has no span):
/// the first line holding its last part, or the `[vary]` header.
fn key_offset(text: &str, key: &str) -> usize {
    let last = key.rsplit('.').next().unwrap_or(key);
    let vary = text.find("[vary]").unwrap_or(0);
    text[vary..].find(last).map_or(vary, |i| vary + i)
}

/// The base file's `kind` and layout/cartridge pattern, as strings.
fn str_at<'a>(t: &'a toml::Table, path: &[&str]) -> Option<&'a str> {
    let mut cur = t;
    for (i, p) in path.iter().enumerate() {
        let v = cur.get(*p)?;
        if i + 1 == path.len() {
            return v.as_str();
        }
        cur = v.as_table()?;
    }
    None
}

impl Sweep {
    /// Reads and checks a sweep file and its base design under [`ReadPolicy::default`]: `base`
    /// (and its `needles_csv`) must lie under the current directory.
    pub fn load(path: &Path) -> Result<Sweep, InputError> {
        Sweep::load_with(path, &ReadPolicy::default())
    }

    /// Reads and checks a sweep file and its base design; `policy` says which files `base`
    /// and the base's own references may be, and how large.
    pub fn load_with(path: &Path, policy: &ReadPolicy) -> Result<Sweep, InputError> {
        let bytes = policy.read(path).map_err(|source| InputError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let text = crate::design::toml_text(
            &bytes,
            path,
            "a sweep needs `name`, `base` and a [vary] table",
        )?;
        let file: SweepFile = crate::design::parse_toml(text, path).map_err(|e| {
            crate::design::other_kind(e, text, path, crate::design::InputKind::Sweep)
        })?;
        let err = |span: Range<usize>, key: &str, value: String, problem: String| {
            let (line, column) = line_col(text, span.start);
            InputError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                key: key.to_string(),
                value,
                problem,
            }
        };

        let name = file.name.get_ref().clone();
        let name_ok = crate::design::is_valid_name(&name);
        if !name_ok {
            return Err(err(
                file.name.span(),
                "name",
                format!("{:?}", crate::input::clip(&name)),
                crate::design::NAME_RULE.into(),
            ));
        }

        let base_err = |problem: String| {
            err(
                file.base.span(),
                "base",
                format!("{:?}", crate::input::clip(file.base.get_ref())),
                format!("{problem}; `base` is a design file, relative to the sweep file"),
            )
        };
        let base_path = policy
            .resolve(path, file.base.get_ref())
            .map_err(base_err)?;
        let base_bytes = policy
            .read(&base_path)
            .map_err(|e| base_err(format!("cannot read {}: {e}", base_path.display())))?;
        let base = Design::from_bytes_with(&base_bytes, &base_path, policy)?;
        let base_text = std::str::from_utf8(&base_bytes).expect("checked by Design::from_bytes");
        let base_table: toml::Table = toml::from_str(base_text).map_err(|e| InputError::Toml {
            path: base_path.clone(),
            message: e.to_string(),
        })?;

        let vary_at = key_offset(text, "[vary]");
        let mut flat = Vec::new();
        match file.vary {
            Node::Table(_) => flatten("", file.vary, &mut flat),
            Node::List(_) => return Err(err(vary_at..vary_at, "vary", "a list".into(), "must be a table of keys and lists of values: [vary] \"needle.length_mm\" = [1.0, 1.5]".into())),
        }
        if flat.is_empty() {
            return Err(err(
                vary_at..vary_at,
                "vary",
                "{}".into(),
                "names no key; add e.g. \"needle.length_mm\" = [1.0, 1.5, 2.0]".into(),
            ));
        }

        let mut keys: Vec<Key> = Vec::new();
        let mut total: usize = 1;
        for (written, list) in flat {
            let span = list
                .first()
                .map_or_else(|| key_offset(text, &written)..0, |v| v.span());
            let line = line_col(text, span.start).0;
            // key-level errors point at the start of the key's line and show the list as written
            let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
            let key_at =
                line_start + (text[line_start..].len() - text[line_start..].trim_start().len());
            let written_list = format!(
                "[{}]",
                list.iter()
                    .map(|v| v.get_ref().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let (num, targets) = resolve(&written, &base_table)
                .map_err(|problem| err(key_at..key_at, &written, written_list.clone(), problem))?;
            if list.is_empty() {
                return Err(err(
                    span,
                    &written,
                    "[]".into(),
                    "needs at least one value".into(),
                ));
            }
            let mut values = Vec::new();
            for v in &list {
                let x = match (v.get_ref(), num) {
                    (Value::Integer(i), _) => *i as f64,
                    (Value::Float(x), Num::Float) => *x,
                    (Value::Float(x), Num::Int) if x.fract() == 0.0 && x.abs() < 9.0e15 => *x,
                    (Value::Float(x), Num::Int) => {
                        return Err(err(
                            v.span(),
                            &written,
                            x.to_string(),
                            "takes whole numbers only".into(),
                        ))
                    }
                    (other, _) => {
                        return Err(err(
                            v.span(),
                            &written,
                            other.to_string(),
                            "every value must be a number".into(),
                        ))
                    }
                };
                values.push(x);
            }
            for k in &keys {
                if let Some(t) = targets.iter().find(|t| k.targets.contains(t)) {
                    return Err(err(
                        key_at..key_at,
                        &written,
                        written_list.clone(),
                        format!(
                            "sets {} which `{}` (line {}) already varies; vary each value once",
                            show_path(t),
                            k.name,
                            k.line
                        ),
                    ));
                }
            }
            total = total.checked_mul(values.len()).filter(|&t| t <= MAX_COMBINATIONS).ok_or_else(|| err(span.clone(), &written, format!("{} values", values.len()), format!("the sweep would have more than {MAX_COMBINATIONS} combinations; use fewer values")))?;
            keys.push(Key {
                name: written,
                line,
                num,
                values,
                targets,
            });
        }
        // The variants are named `<name>-<index>` and must pass the design name rule too.
        let suffix = 1 + total.to_string().len();
        if name.len() + suffix > crate::design::MAX_NAME_CHARS {
            return Err(err(
                file.name.span(),
                "name",
                format!("{:?}", crate::input::clip(&name)),
                format!(
                    "the {total} variants are named <name>-<index>, which must stay within {} characters; use at most {} characters",
                    crate::design::MAX_NAME_CHARS,
                    crate::design::MAX_NAME_CHARS - suffix
                ),
            ));
        }
        Ok(Sweep {
            name,
            path: path.to_path_buf(),
            sha256: crate::design::hex(&Sha256::digest(&bytes)),
            base_path,
            base,
            keys,
            base_table,
            policy: policy.clone(),
        })
    }

    /// Number of combinations (the product of the value counts).
    pub fn len(&self) -> usize {
        self.keys.iter().map(|k| k.values.len()).product()
    }

    /// Whether the sweep has no combination (never, once loaded).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value indices of combination `i` (0-based): the first key varies slowest.
    pub fn combination(&self, i: usize) -> Vec<usize> {
        let mut out = vec![0; self.keys.len()];
        let mut rest = i;
        for (k, o) in self.keys.iter().zip(out.iter_mut()).rev() {
            *o = rest % k.values.len();
            rest /= k.values.len();
        }
        out
    }

    /// Name of combination `i` (0-based): `<name>-<i + 1>`, zero-padded.
    pub fn variant_name(&self, i: usize) -> String {
        let w = self.len().to_string().len();
        format!("{}-{:0w$}", self.name, i + 1)
    }

    /// The TOML text of combination `i`: the base file with the keys set and the name replaced.
    pub fn variant_text(&self, i: usize) -> String {
        let mut t = self.base_table.clone();
        t.insert("name".into(), Value::String(self.variant_name(i)));
        for (k, j) in self.keys.iter().zip(self.combination(i)) {
            for target in &k.targets {
                set(&mut t, target, k.toml_value(j));
            }
        }
        toml::to_string(&t).expect("a TOML table serializes")
    }

    /// Combination `i` checked as a design, with `overrides` applied; the error in plain words.
    pub fn variant(&self, i: usize, overrides: &Overrides) -> Result<Design, String> {
        let text = self.variant_text(i);
        let d = Design::from_bytes_with(text.as_bytes(), &self.base_path, &self.policy).map_err(
            |e| match e {
                InputError::Invalid {
                    key,
                    value,
                    problem,
                    ..
                } => format!("`{key}` = {value}: {problem}"),
                other => other.to_string(),
            },
        )?;
        Ok(overrides.apply(&d))
    }

    /// Refuses global overrides of a key the sweep varies (the override would undo the sweep).
    pub fn check_overrides(&self, o: &Overrides) -> Result<(), InputError> {
        for (flag, set, key) in [
            ("--seed", o.seed.is_some(), "treatment.seed"),
            (
                "--resolution-um",
                o.resolution_um.is_some(),
                "analysis.resolution_um",
            ),
        ] {
            if let Some(k) = self.keys.iter().find(|k| set && k.name == key) {
                return Err(InputError::Invalid {
                    path: self.path.clone(),
                    line: k.line,
                    column: 1,
                    key: k.name.clone(),
                    value: "(varied)".into(),
                    problem: format!(
                        "{flag} would replace every value of this key; drop {flag} or the key"
                    ),
                });
            }
        }
        Ok(())
    }

    /// Analyzes combinations `range` in parallel (one design per task); rows come back in
    /// combination order whatever the thread count. `progress` sees one unit per design.
    pub fn run(
        &self,
        range: Range<usize>,
        overrides: &Overrides,
        progress: &dyn Progress,
    ) -> Vec<Row> {
        progress.start("designs", range.len() as u64);
        let rows = range
            .into_par_iter()
            .map(|i| {
                let outcome = self.variant(i, overrides).and_then(|d| {
                    analysis::analyze(&d, &Silent)
                        .map(|a| a.metrics)
                        .map_err(|e| {
                            // limit errors start with the design's name, which the row already has
                            let e = e.to_string();
                            e.strip_prefix(&format!("{}: ", d.name))
                                .map_or(e.clone(), String::from)
                        })
                });
                progress.advance(1);
                let values = self
                    .keys
                    .iter()
                    .zip(self.combination(i))
                    .map(|(k, j)| k.values[j])
                    .collect();
                Row {
                    index: i,
                    name: self.variant_name(i),
                    values,
                    outcome: outcome.map_err(|e| e.replace('\n', " ")),
                }
            })
            .collect();
        progress.finish();
        rows
    }
}

/// One combination's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Combination index, 0-based.
    pub index: usize,
    /// Variant name.
    pub name: String,
    /// The value of each varied key, in key order.
    pub values: Vec<f64>,
    /// The metrics, or why the combination is not a valid design.
    pub outcome: Result<Metrics, String>,
}

impl Row {
    /// The metric `key`, `None` for an error row or an undefined metric.
    pub fn metric(&self, key: &str) -> Option<f64> {
        self.outcome.as_ref().ok().and_then(|m| m.get(key))
    }
}

fn show_path(p: &[Seg]) -> String {
    p.iter()
        .map(|s| match s {
            Seg::Key(k) => k.clone(),
            Seg::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Checks a dotted key against [`NUMERIC_KEYS`] and the base design; returns its number type
/// and the concrete paths it sets.
fn resolve(written: &str, base: &toml::Table) -> Result<(Num, Vec<Vec<Seg>>), String> {
    let parts: Vec<&str> = written.split('.').collect();
    let pattern: Vec<&str> = parts
        .iter()
        .map(|p| {
            if *p == "*" || (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
                "#"
            } else {
                p
            }
        })
        .collect();
    let pattern = pattern.join(".");
    let valid = || {
        NUMERIC_KEYS
            .iter()
            .map(|k| k.0.replace('#', "N"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(&(_, num, applies)) = NUMERIC_KEYS.iter().find(|k| k.0 == pattern) else {
        return Err(format!("is not a numeric key of a design; valid keys: {} (N an index from 0, or * for every element)", valid()));
    };
    let kind = str_at(base, &["kind"]).unwrap_or("");
    let need = match applies {
        Applies::Any => None,
        Applies::Roller => Some(("roller", None)),
        Applies::RollerPattern(p) => Some(("roller", Some((["roller", "layout", "pattern"], p)))),
        Applies::Pen => Some(("pen", None)),
        Applies::PenPattern(p) => Some(("pen", Some((["pen", "cartridge", "pattern"], p)))),
        Applies::Stamp => Some(("stamp", None)),
        Applies::StampPattern(p) => Some(("stamp", Some((["stamp", "array", "pattern"], p)))),
        Applies::NotPen if kind == "pen" => {
            return Err(
                "applies to rollers and stamps; a pen sets its depth with pen.depth_mm".into(),
            )
        }
        Applies::NotPen => None,
    };
    if let Some((k, pat)) = need {
        if kind != k {
            return Err(format!(
                "applies to kind = \"{k}\" designs; the base design is kind = \"{kind}\""
            ));
        }
        if let Some((at, p)) = pat {
            let have = str_at(base, &at).unwrap_or("");
            if have != p {
                return Err(format!(
                    "applies to {} = \"{p}\"; the base design has \"{have}\"",
                    at.join(".")
                ));
            }
        }
    }
    // Expand `*` against the base file's arrays, check indices exist.
    let mut paths: Vec<Vec<Seg>> = vec![Vec::new()];
    for p in &parts {
        let mut next = Vec::new();
        for path in paths {
            if *p == "*" || p.bytes().all(|b| b.is_ascii_digit()) {
                let n = array_len(base, &path).ok_or_else(|| {
                    format!(
                        "{} is not in the base design, so its elements cannot be set",
                        show_path(&path)
                    )
                })?;
                if *p == "*" {
                    for i in 0..n {
                        let mut q = path.clone();
                        q.push(Seg::Index(i));
                        next.push(q);
                    }
                } else {
                    let i: usize = p.parse().map_err(|_| format!("index {p} is too large"))?;
                    if i >= n {
                        return Err(format!(
                            "index {i} is out of range: {} has {n} element(s), indices 0 to {}",
                            show_path(&path),
                            n.saturating_sub(1)
                        ));
                    }
                    let mut q = path;
                    q.push(Seg::Index(i));
                    next.push(q);
                }
            } else {
                let mut q = path;
                q.push(Seg::Key(p.to_string()));
                next.push(q);
            }
        }
        paths = next;
    }
    Ok((num, paths))
}

/// Length of the array at `path` in the base table, if there is one.
fn array_len(t: &toml::Table, path: &[Seg]) -> Option<usize> {
    let mut cur: Option<&Value> = None;
    for s in path {
        cur = match (s, cur) {
            (Seg::Key(k), None) => t.get(k),
            (Seg::Key(k), Some(v)) => v.as_table()?.get(k),
            (Seg::Index(i), Some(v)) => v.as_array()?.get(*i),
            (Seg::Index(_), None) => None,
        };
        cur?;
    }
    cur?.as_array().map(Vec::len)
}

/// Sets `path` in `t` to `v`, creating missing tables on the way (paths were checked by [`resolve`]).
fn set(t: &mut toml::Table, path: &[Seg], v: Value) {
    let (last, init) = path.split_last().expect("a key has at least one step");
    let mut cur: &mut Value = match &init.first() {
        None => {
            if let Seg::Key(k) = last {
                t.insert(k.clone(), v);
            }
            return;
        }
        Some(Seg::Key(k)) => t
            .entry(k.clone())
            .or_insert_with(|| Value::Table(toml::Table::new())),
        Some(Seg::Index(_)) => unreachable!("a path starts with a key"),
    };
    for s in &init[1..] {
        cur = match s {
            Seg::Key(k) => cur
                .as_table_mut()
                .expect("checked path")
                .entry(k.clone())
                .or_insert_with(|| Value::Table(toml::Table::new())),
            Seg::Index(i) => &mut cur.as_array_mut().expect("checked path")[*i],
        };
    }
    match last {
        Seg::Key(k) => {
            cur.as_table_mut()
                .expect("checked path")
                .insert(k.clone(), v);
        }
        Seg::Index(i) => cur.as_array_mut().expect("checked path")[*i] = v,
    }
}

/// Sets the numeric `key` (a sweep key: dotted, array elements by index or `*`) to `value` in
/// a design's TOML table, with the checks a sweep file's key gets; the problem in plain words.
/// The Python binding's `Design.with_` uses it; the result still has to pass
/// [`Design::from_bytes`].
///
/// # Examples
/// ```
/// let mut t: toml::Table = toml::from_str("kind = \"pen\"\n[pen]\ndepth_mm = 1.0").unwrap();
/// needlemap::sweep::set_key(&mut t, "pen.depth_mm", 1.5).unwrap();
/// assert_eq!(t["pen"]["depth_mm"].as_float(), Some(1.5));
/// assert!(needlemap::sweep::set_key(&mut t, "needle.length_mm", 1.0).is_err());
/// ```
pub fn set_key(design: &mut toml::Table, key: &str, value: f64) -> Result<(), String> {
    let (num, targets) = resolve(key, design)?;
    let v = match num {
        Num::Int if value.fract() == 0.0 && value.abs() < 9.0e15 => Value::Integer(value as i64),
        Num::Int => return Err(format!("takes whole numbers only, not {value}")),
        Num::Float => Value::Float(value),
    };
    for t in &targets {
        set(design, t, v.clone());
    }
    Ok(())
}

/// The K-th of N contiguous slices of a sweep's combinations (K is 1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, 1 to `n`.
    pub k: usize,
    /// How many slices.
    pub n: usize,
}

impl Shard {
    /// Combinations of this shard out of `total`: `[⌊(k−1)·total/n⌋, ⌊k·total/n⌋)`.
    ///
    /// # Examples
    /// ```
    /// use needlemap::sweep::Shard;
    /// assert_eq!(Shard { k: 1, n: 3 }.range(10), 0..3);
    /// assert_eq!(Shard { k: 3, n: 3 }.range(10), 6..10);
    /// ```
    pub fn range(&self, total: usize) -> Range<usize> {
        let at = |k: usize| (k as u128 * total as u128 / self.n as u128) as usize;
        at(self.k - 1)..at(self.k)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not K/N with 1 ≤ K ≤ N, e.g. 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

/// The metric a `--best` ranking sorts by, and which way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Best {
    /// A key of [`crate::metrics::registry::METRICS`].
    pub metric: &'static str,
    /// Larger is better.
    pub maximize: bool,
}

impl std::str::FromStr for Best {
    type Err = String;
    /// `METRIC[:min|max]`; without a direction, the metric's [`Better`] direction in the
    /// registry (larger coverage, smaller gap, …); metrics with none (the depths) need one.
    fn from_str(s: &str) -> Result<Best, String> {
        let (m, dir) = match s.split_once(':') {
            Some((m, d)) => (m, Some(d)),
            None => (s, None),
        };
        let info = registry::lookup(m)?;
        let maximize = match dir {
            Some("max") => true,
            Some("min") => false,
            Some(d) => {
                return Err(format!(
                    "`{d}` is not a direction; write {m}:min or {m}:max"
                ))
            }
            None => match info.better {
                Better::Higher => true,
                Better::Lower => false,
                Better::None => return Err(format!("say which way is better: {m}:min or {m}:max")),
            },
        };
        Ok(Best {
            metric: info.key,
            maximize,
        })
    }
}

impl Best {
    /// Up to `n` rows without error, with the metric defined and passing every filter, best
    /// first (ties: lower index first).
    pub fn top<'a>(&self, rows: &'a [Row], n: usize, filters: &[Filter]) -> Vec<&'a Row> {
        let mut ok: Vec<(&Row, f64)> = rows
            .iter()
            .filter(|r| filters.iter().all(|f| f.admits(r)))
            .filter_map(|r| r.metric(self.metric).map(|v| (r, v)))
            .collect();
        ok.sort_by(|a, b| {
            let o = a.1.total_cmp(&b.1);
            (if self.maximize { o.reverse() } else { o }).then(a.0.index.cmp(&b.0.index))
        });
        ok.into_iter().take(n).map(|(r, _)| r).collect()
    }
}

/// A condition on a metric that rows must meet to be ranked: `METRIC>=X` or `METRIC<=X`
/// (fractions as fractions: `treated_fraction>=0.99`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Filter {
    /// A key of [`crate::metrics::registry::METRICS`].
    pub metric: &'static str,
    /// `>=` (true) or `<=` (false).
    pub at_least: bool,
    /// The bound.
    pub value: f64,
}

impl Filter {
    /// Whether `row` is valid, has the metric and meets the bound.
    pub fn admits(&self, row: &Row) -> bool {
        row.metric(self.metric).is_some_and(|v| {
            if self.at_least {
                v >= self.value
            } else {
                v <= self.value
            }
        })
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.metric,
            if self.at_least { "≥" } else { "≤" },
            show_value(self.value)
        )
    }
}

impl std::str::FromStr for Filter {
    type Err = String;
    fn from_str(s: &str) -> Result<Filter, String> {
        let (m, at_least, v) = if let Some((m, v)) = s.split_once(">=") {
            (m, true, v)
        } else if let Some((m, v)) = s.split_once("<=") {
            (m, false, v)
        } else {
            return Err(format!(
                "`{s}` is not METRIC>=X or METRIC<=X, e.g. treated_fraction>=0.99"
            ));
        };
        let metric = registry::lookup(m.trim())?.key;
        let value: f64 = v
            .trim()
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| format!("`{}` is not a finite number", v.trim()))?;
        Ok(Filter {
            metric,
            at_least,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn mf8_sweep(vary: &str) -> Result<Sweep, InputError> {
        let dir = tempfile::tempdir().unwrap();
        let base =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/designs/mf8-192.toml"))
                .unwrap();
        write(dir.path(), "base.toml", &base);
        let p = write(
            dir.path(),
            "s.toml",
            &format!("name = \"t\"\nbase = \"base.toml\"\n[vary]\n{vary}"),
        );
        Sweep::load_with(&p, &ReadPolicy::new(dir.path()))
    }

    #[test]
    fn odometer_order_first_key_slowest() {
        let s =
            mf8_sweep("\"needle.length_mm\" = [1.0, 1.5]\n\"roller.layout.rings\" = [4, 6, 8]\n")
                .unwrap();
        assert_eq!(s.len(), 6);
        let combos: Vec<Vec<usize>> = (0..6).map(|i| s.combination(i)).collect();
        assert_eq!(
            combos,
            vec![
                vec![0, 0],
                vec![0, 1],
                vec![0, 2],
                vec![1, 0],
                vec![1, 1],
                vec![1, 2]
            ]
        );
        assert_eq!(s.variant_name(0), "t-1");
    }

    #[test]
    fn variant_sets_keys_and_keeps_the_rest() {
        let s = mf8_sweep("\"roller.layout.rings\" = [4]\n\"treatment.passes.*.count\" = [2]\n\"tolerance.length_sd_mm\" = [0.05]\n").unwrap();
        let d = s.variant(0, &Overrides::default()).unwrap();
        assert_eq!(d.name, "t-1");
        assert_eq!(d.device.needle_count(), 4 * 24);
        assert_eq!(d.treatment.pass_angles_deg.len(), 6);
        assert_eq!(
            d.treatment.pass_groups,
            vec![(0.0, 2), (90.0, 2), (45.0, 2)]
        );
        assert_eq!(d.tolerance.length_sd_mm, 0.05); // absent from the base file: created
        assert_eq!(d.treatment.area_mm, [40.0, 40.0]);
    }

    #[test]
    fn unquoted_dotted_keys_flatten_in_file_order() {
        let s = mf8_sweep("roller.layout.rings = [4, 8]\nneedle.length_mm = [1.0]\ntreatment.passes.1.count = [3]\n").unwrap();
        let names: Vec<&str> = s.keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "roller.layout.rings",
                "needle.length_mm",
                "treatment.passes.1.count"
            ]
        );
        assert_eq!(s.keys[0].line, 4);
        let d = s.variant(1, &Overrides::default()).unwrap();
        assert_eq!(d.treatment.pass_groups[1], (90.0, 3));
    }

    #[test]
    fn bad_keys_are_refused_with_their_line() {
        let e = mf8_sweep("\"needle.length_mm\" = [1.0]\n\"needle.lenght_mm\" = [1.0]\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(":5:") && e.contains("needle.lenght_mm") && e.contains("not a numeric key"),
            "{e}"
        );
        let e = mf8_sweep("\"pen.depth_mm\" = [1.0]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("kind = \"pen\""), "{e}");
        let e = mf8_sweep("\"treatment.passes.3.count\" = [1]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("out of range") && e.contains("0 to 2"), "{e}");
        let e = mf8_sweep("\"roller.layout.rings\" = [4.5]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("whole numbers"), "{e}");
        let e = mf8_sweep("\"needle.length_mm\" = [\"long\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("must be a number"), "{e}");
        let e =
            mf8_sweep("\"treatment.passes.*.count\" = [1]\n\"treatment.passes.0.count\" = [2]\n")
                .unwrap_err()
                .to_string();
        assert!(e.contains("already varies"), "{e}");
        let e = mf8_sweep("\"needle.length_mm\" = []\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("at least one value"), "{e}");
        let e = mf8_sweep("\"needle.length_mm\" = 1.5\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("list of numbers"), "{e}");
    }

    #[test]
    fn invalid_combination_is_an_error_not_a_panic() {
        // 40 rings of 0.25 mm needles at 0.5 mm pitch cannot fit a 20 mm drum
        let s = mf8_sweep(
            "\"roller.layout.ring_pitch_mm\" = [0.5]\n\"roller.layout.rings\" = [8, 60]\n",
        )
        .unwrap();
        assert!(s.variant(0, &Overrides::default()).is_ok());
        let e = s.variant(1, &Overrides::default()).unwrap_err();
        assert!(
            e.contains("roller.layout.ring_pitch_mm") && e.contains("drum"),
            "{e}"
        );
    }

    #[test]
    fn shards_partition_the_combinations() {
        for total in [0usize, 1, 5, 10, 17] {
            for n in 1..=6 {
                let mut next = 0;
                for k in 1..=n {
                    let r = Shard { k, n }.range(total);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { k: 2, n: 3 }));
    }

    #[test]
    fn chart_lines_per_second_key_hold_the_rest() {
        let s = mf8_sweep("\"needle.length_mm\" = [2.0, 1.0]\n\"roller.layout.rings\" = [4, 8]\n\"treatment.seed\" = [1, 2]\n").unwrap();
        let rows: Vec<Row> = (0..s.len())
            .map(|i| {
                let values: Vec<f64> = s
                    .keys
                    .iter()
                    .zip(s.combination(i))
                    .map(|(k, j)| k.values[j])
                    .collect();
                let cov = values[0] * values[1] * values[2] / 100.0;
                let outcome = if i == 2 {
                    Err("x".to_string())
                } else {
                    Ok(Metrics {
                        coverage_fraction: Some(cov),
                        ..Default::default()
                    })
                };
                Row {
                    index: i,
                    name: s.variant_name(i),
                    values,
                    outcome,
                }
            })
            .collect();
        let c = plot::chart(
            &s,
            &rows,
            "coverage_fraction",
            &crate::analysis::Overrides::default(),
        );
        assert_eq!(c.x_label, "needle.length_mm (mm)");
        assert_eq!(c.y_label, "coverage_fraction (%)");
        assert_eq!(c.note.as_deref(), Some("held at treatment.seed = 1"));
        assert!(
            c.subtitle.starts_with("seed 1 · raster pitch "),
            "{}",
            c.subtitle
        );
        assert_eq!(c.series.len(), 2);
        assert_eq!(c.series[0].label, "roller.layout.rings = 4");
        // seed 1 only, sorted by length, in percent; row 2 (length 2, rings 8, seed 1) is an error
        assert_eq!(c.series[0].points, vec![(1.0, Some(4.0)), (2.0, Some(8.0))]);
        assert_eq!(c.series[1].points, vec![(1.0, Some(8.0)), (2.0, None)]);
    }

    #[test]
    fn best_ranks_valid_rows() {
        let row = |i: usize, cov: Option<f64>| Row {
            index: i,
            name: format!("r{i}"),
            values: vec![],
            outcome: match cov {
                Some(c) => Ok(Metrics {
                    coverage_fraction: Some(c),
                    ..Default::default()
                }),
                None => Err("bad".into()),
            },
        };
        let rows = vec![
            row(0, Some(0.2)),
            row(1, None),
            row(2, Some(0.5)),
            row(3, Some(0.2)),
        ];
        let b: Best = "coverage_fraction".parse().unwrap();
        let top: Vec<usize> = b.top(&rows, 5, &[]).iter().map(|r| r.index).collect();
        assert_eq!(top, [2, 0, 3]);
        let b: Best = "coverage_fraction:min".parse().unwrap();
        let top: Vec<usize> = b.top(&rows, 2, &[]).iter().map(|r| r.index).collect();
        assert_eq!(top, [0, 3]);
        let f: Filter = "coverage_fraction>=0.3".parse().unwrap();
        let top: Vec<usize> = b.top(&rows, 5, &[f]).iter().map(|r| r.index).collect();
        assert_eq!(top, [2]);
        let f: Filter = "coverage_fraction <= 0.2".parse().unwrap();
        assert_eq!(b.top(&rows, 5, &[f]).len(), 2);
        assert!("coverage_fraction>0.2".parse::<Filter>().is_err());
        assert!("gap>=1".parse::<Filter>().is_err());
        assert!("mean_depth_mm".parse::<Best>().is_err());
        assert!("nope:max".parse::<Best>().is_err());
    }
}
