//! Device kinds: one file each, and one registry line each in `with_kinds!` below.
//!
//! A kind's file holds everything the kind is: its table of the design file (the serde
//! mirror, with its doc comments that become the schema and docs/design-format.md), the
//! validation of that table into the checked device, the ranges of its keys, its starter
//! table for `needlemap init`, and its [`DeviceKind`] implementation — the facts the rest of
//! needlemap asks of a device (needles, force, closed forms, the force balance, how it moves,
//! the datasheet rows and needle picture it is shown with). Nothing outside this folder
//! matches on a device's kind: the engine lays channels by the kind's [`Motion`], output
//! words and draws from the kind's [`DeviceRow`]s, [`NeedleView`] and needle table.
//!
//! Adding a kind is its file and one line in the `kinds!` call: the line names the file's
//! module, the kind's variant (its `kind = "..."` value is the variant in lower case) and the
//! doc of its table in the design file.

use crate::base::error::InputError;
use crate::model::advisory::Advisory;
use crate::model::insertion::{Mechanics, Tip};
use crate::model::skin::Skin;
use crate::model::strength::bending::Approach;
use crate::model::strength::fatigue::PenDuty;
use serde::Serialize;

pub mod array;

use super::file::DesignFile;
use super::ranges::{Range, SweepKey};
use super::validate::{Ctx, NeedleCtx};
use super::Design;

/// The setting compare's equal-density matching changes on a device to reach a density.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    /// A pen's hand speed, mm/s (its own passes kept).
    PenHandSpeedMmS(f64),
    /// A roller's number of passes (in its direction pattern).
    RollerPasses(u32),
}

/// Which side of compare's roller–pen pairs a device takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairSide {
    /// Paired with every pen.
    Roller,
    /// Paired with every roller.
    Pen,
}

/// How a device lays its needles along a stroke: the engine ([`crate::kinematics`]) has one
/// way of laying channels per motion.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Motion {
    /// A drum of radius `radius_mm` rolling without slip: each needle touches down once per
    /// turn, at its arc position along the stroke.
    Drum {
        /// Drum radius R, mm.
        radius_mm: f64,
    },
    /// A flat array set down every `step_mm` along the stroke, turned by `angle_deg` to it.
    Array {
        /// Rotation of the array relative to the stroke, degrees.
        angle_deg: f64,
        /// Distance between set-downs along the stroke, mm.
        step_mm: f64,
    },
}

/// A needle of the device as drawn from the tolerance (or read from an inspection), before
/// the force balance.
#[derive(Clone, Copy, Debug)]
pub struct DrawnNeedle {
    /// Index in the design's needle list.
    pub index: u32,
    /// Offset across the stroke, mm.
    pub across_mm: f64,
    /// Offset along the stroke, mm (a roller needle's arc position R·φ).
    pub along_mm: f64,
    /// Length as made, mm (pen: the setting plus the needle's length error).
    pub length_mm: f64,
    /// Tip radius, µm.
    pub tip_radius_um: f64,
}

/// Where a datasheet row's value comes from.
#[derive(Clone, Debug)]
pub enum RowSource {
    /// Nothing to say.
    None,
    /// The design file's key, with the note when the file leaves it to its default.
    Key(&'static str, &'static str),
    /// The design file's key, whose default is an assumption.
    Assumed(&'static str),
    /// A note of its own.
    Note(String),
}

/// One datasheet row of the device: id (the page's `data-item`), label, value, unit, source.
#[derive(Clone, Debug)]
pub struct DeviceRow {
    /// Stable id of the row.
    pub id: &'static str,
    /// Label.
    pub label: &'static str,
    /// The value as shown.
    pub value: String,
    /// Unit.
    pub unit: &'static str,
    /// Where the value comes from.
    pub source: RowSource,
}

/// A datasheet row.
pub fn device_row(
    id: &'static str,
    label: &'static str,
    value: String,
    unit: &'static str,
    source: RowSource,
) -> DeviceRow {
    DeviceRow {
        id,
        label,
        value,
        unit,
        source,
    }
}

/// The factor furthest beyond the shipped designs' scale that a device contributes to its
/// channel count: the design key, the factor (1 at the shipped scale) and the value as shown.
pub type CostFactor = (&'static str, f64, String);

/// One needle of a flat array, in the array's own frame.
pub use array::PenNeedle;
/// One needle on a drum, as its needle picture shows it.
pub use roller::RollerNeedle;

/// A drum as its needle picture shows it.
pub struct DrumView<'a> {
    /// Drum diameter, mm.
    pub diameter_mm: f64,
    /// Drum width, mm.
    pub width_mm: f64,
    /// The needles on the drum.
    pub needles: &'a [RollerNeedle],
}

/// A flat array as its needle picture shows it.
pub struct ArrayView<'a> {
    /// The needles in the array's own frame.
    pub needles: &'a [PenNeedle],
    /// `"cartridge"` or `"array"`.
    pub what: &'static str,
    /// Lateral width the array treats per stroke, mm.
    pub width_mm: f64,
    /// The line on how the array moves (step, punctures per second, angle).
    pub motion: String,
    /// The title line on the needles, force or frequency, and the depth reached.
    pub title: String,
}

/// The needle picture a device is drawn as.
pub enum NeedleView<'a> {
    /// The drum surface unrolled.
    Drum(DrumView<'a>),
    /// A flat array seen from above.
    Array(ArrayView<'a>),
}

/// What a device kind is to the rest of needlemap (see the module docs).
pub trait DeviceKind: Sync {
    /// The design file's `kind`: `"roller"`, `"pen"`, `"stamp"`.
    fn kind(&self) -> &'static str;
    /// Number of needles.
    fn needle_count(&self) -> usize;
    /// The needles of a flat array, in the array's own frame; `None` for other devices.
    fn array_needles(&self) -> Option<&[PenNeedle]> {
        None
    }
    /// The force that presses the needles in at one contact, N.
    fn force_n(&self) -> f64;
    /// Sets [`DeviceKind::force_n`], N.
    fn set_force_n(&mut self, force_n: f64);
    /// The force that presses the needles in, in words: "hand force on the roller".
    fn force_words(&self) -> &'static str;
    /// Advisories about the device's own settings (model §6); none by default.
    fn advisories(&self) -> Vec<Advisory> {
        Vec::new()
    }
    /// The setting compare's equal-density matching changes, at the design's value: the
    /// number of passes (`passes`) unless the kind says otherwise.
    fn own_setting(&self, passes: u32) -> Setting {
        Setting::RollerPasses(passes)
    }
    /// The device with its hand speed set to `v_mm_s`, when matching changes a hand speed.
    fn with_hand_speed(&self, _v_mm_s: f64) -> Option<Device> {
        None
    }
    /// Its side in compare's roller–pen pairs; `None` in neither.
    fn pair_side(&self) -> Option<PairSide>;
    /// The device's own factor in its channel count (see [`CostFactor`]).
    fn cost_factor(&self) -> CostFactor;
    /// Nominal (across_mm, along_mm, length_mm) of every needle, in design order.
    fn nominal(&self) -> Vec<(f64, f64, f64)>;
    /// The along offset of a needle turned by `angle_err_deg` on the device (a drum's).
    fn along_with_angle_error(&self, along_mm: f64, _angle_err_deg: f64) -> f64 {
        along_mm
    }
    /// What each needle reaches when the device is pressed with its force (the force balance
    /// of [`crate::model::insertion`]); `ms[i]` is needle i's mechanics, `ell_mm` the skin's
    /// coupling length.
    fn press(&self, ms: &[Mechanics], needles: &[DrawnNeedle], ell_mm: f64) -> Vec<Tip>;
    /// Slit length of the opening of a needle of length `length_mm` at insertion depth
    /// `depth_mm` (0 for devices that enter vertically).
    fn slit_mm(&self, _skin: &Skin, _length_mm: f64, _depth_mm: f64) -> f64 {
        0.0
    }
    /// Channels per mm² one pass lays with `n` piercing needles and lanes `lane_mm` apart.
    fn density_per_pass_mm2(&self, n: usize, lane_mm: f64) -> f64;
    /// Channels per second with `n` piercing needles.
    fn puncture_rate_per_s(&self, n: usize) -> f64;
    /// Speed over the skin, mm/s.
    fn speed_mm_s(&self) -> f64;
    /// How it lays its needles along a stroke.
    fn motion(&self) -> Motion;
    /// How its needles meet the skin, for the strength checks ([`crate::model::strength`]).
    fn approach(&self) -> Approach;
    /// Strokes a needle sees in a session, for the fatigue check; `None` but for a pen.
    fn duty(&self) -> Option<PenDuty> {
        None
    }
    /// The datasheet rows after the needle count (layout, length, size, force, motion).
    fn sheet_rows(&self) -> Vec<DeviceRow>;
    /// What the needle picture shows, for its caption.
    fn needles_caption(&self) -> &'static str;
    /// Header and rows of the needle table (needles.csv), as text cells.
    fn needle_table(&self) -> (Vec<&'static str>, Vec<Vec<String>>);
    /// The needle picture: `rate_per_s` punctures per second, the deepest needle reaching
    /// `deepest` (as written) in `design`.
    fn needle_view(&self, design: &Design, rate_per_s: f64, deepest: &str) -> NeedleView<'_>;
}

/// What the validation of a kind's table gives: the device and its default lane spacing (the
/// width it treats per stroke), mm.
pub type Checked = (Device, f64);

/// The registry, the one list of kinds: `module => Variant, "what it is", "its table";` per
/// kind. `with_kinds!(m)` calls the macro `m` with the list: [`kinds_of!`] below declares the
/// modules, [`Kind`], [`Device`] and the dispatch; the design file's mirror
/// ([`crate::design::file::DesignFile`]) takes one optional table per kind from it.
macro_rules! with_kinds {
    ($callback:ident) => {
        $callback! {
            roller => Roller, "A drum of needles rolled over the skin.", "The drum; required when `kind = \"roller\"`, refused otherwise.";
            pen => Pen, "A cartridge stamped vertically by a motor while the hand moves.", "The pen; required when `kind = \"pen\"`, refused otherwise.";
            stamp => Stamp, "An array pressed by hand, lane by lane.", "The hand stamp; required when `kind = \"stamp\"`, refused otherwise.";
        }
    };
}
pub(crate) use with_kinds;

/// Declares the kinds' modules, [`Kind`], [`Device`] and the dispatch from the list of
/// [`with_kinds!`].
macro_rules! kinds_of {
    ($($module:ident => $variant:ident, $doc:literal, $table_doc:literal;)*) => {
        $(pub mod $module;)*

        /// `kind = "roller" | "pen" | "stamp"`.
        #[derive(Debug, serde::Deserialize, schemars::JsonSchema, Clone, Copy, PartialEq, Eq)]
        #[serde(rename_all = "lowercase")]
        pub enum Kind {
            $(#[doc = $doc] $variant,)*
        }

        /// The device: one variant per registered kind.
        #[derive(Clone, Debug, Serialize)]
        #[serde(tag = "kind", rename_all = "lowercase")]
        pub enum Device {
            $(#[doc = $doc] $variant($module::$variant),)*
        }

        /// Every registered kind, in registry order.
        pub const KINDS: &[Kind] = &[$(Kind::$variant,)*];

        impl Kind {
            /// The design file's value: `"roller"`.
            pub fn key(self) -> &'static str {
                match self {
                    $(Kind::$variant => stringify!($module),)*
                }
            }

            /// The kind's tables of the starter design (`needlemap init`).
            pub fn starter(self) -> String {
                match self {
                    $(Kind::$variant => $module::starter(),)*
                }
            }

            /// The ranges of the kind's own keys.
            pub fn ranges(self) -> &'static [Range] {
                match self {
                    $(Kind::$variant => $module::RANGES,)*
                }
            }

            /// The numeric keys of the kind's table a sweep may vary.
            pub fn sweep_keys(self) -> &'static [SweepKey] {
                match self {
                    $(Kind::$variant => $module::SWEEP_KEYS,)*
                }
            }

            /// Whether a design of this kind states `needle.length_mm` (a pen sets a depth).
            pub fn has_needle_length(self) -> bool {
                match self {
                    $(Kind::$variant => $module::HAS_NEEDLE_LENGTH,)*
                }
            }
        }

        /// Every kind's table present in `f`, with its kind's key and its span in the file.
        pub(crate) fn tables_present(f: &DesignFile) -> Vec<(&'static str, std::ops::Range<usize>)> {
            let mut v = Vec::new();
            $(if let Some(t) = &f.$module { v.push((stringify!($module), t.span())); })*
            v
        }

        /// Checks the table of `f`'s kind into its device.
        pub(crate) fn check(f: &DesignFile, ctx: &Ctx, needle: &NeedleCtx) -> Result<Checked, InputError> {
            match *f.kind.get_ref() {
                $(Kind::$variant => {
                    let t = f.$module.as_ref().ok_or_else(|| {
                        ctx.err(f.kind.span(), stringify!($module), "(missing)", $module::MISSING)
                    })?;
                    $module::check(ctx, t, needle)
                })*
            }
        }

        impl Device {
            /// The kind behind the device.
            pub fn kind_of(&self) -> &dyn DeviceKind {
                match self {
                    $(Device::$variant(k) => k,)*
                }
            }

            /// The kind behind the device, to change it.
            pub fn kind_of_mut(&mut self) -> &mut dyn DeviceKind {
                match self {
                    $(Device::$variant(k) => k,)*
                }
            }
        }
    };
}

with_kinds!(kinds_of);

impl Device {
    /// `"roller"`, `"pen"` or `"stamp"`.
    pub fn kind(&self) -> &'static str {
        self.kind_of().kind()
    }

    /// Number of needles.
    pub fn needle_count(&self) -> usize {
        self.kind_of().needle_count()
    }

    /// The needles of a flat array (pen cartridge or stamp), in the array's own frame.
    pub fn array_needles(&self) -> Option<&[PenNeedle]> {
        self.kind_of().array_needles()
    }

    /// The force that presses the needles into the skin at one contact, N: a roller's hand
    /// force, a pen's drive force per stamp, a stamp's press force.
    pub fn force_n(&self) -> f64 {
        self.kind_of().force_n()
    }

    /// Sets the force of [`Device::force_n`], N.
    pub fn set_force_n(&mut self, force_n: f64) {
        self.kind_of_mut().set_force_n(force_n);
    }

    /// The device's own factor in its channel count: its design key, the factor (1 at the
    /// shipped designs' scale: a few hundred roller needles, ~10 pen stamps per mm, …) and
    /// the key's value as shown.
    pub fn channel_cost_factor(&self) -> CostFactor {
        self.kind_of().cost_factor()
    }
}

/// The kind whose design file value is `key`.
pub fn kind_named(key: &str) -> Option<Kind> {
    KINDS.iter().copied().find(|k| k.key() == key)
}

/// Every kind's keys' ranges, in registry order.
pub fn all_ranges() -> impl Iterator<Item = &'static Range> {
    KINDS.iter().flat_map(|k| k.ranges().iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_key_names_its_module_and_table() {
        for k in KINDS {
            let file: String = crate::design::schema::design_tables()
                .iter()
                .map(|t| t.header.clone())
                .collect::<Vec<_>>()
                .join(" ");
            assert!(file.contains(&format!("[{}]", k.key())), "{}", k.key());
            for r in k.ranges() {
                assert!(r.key.starts_with(&format!("{}.", k.key())), "{}", r.key);
            }
        }
    }
}
