//! What a device kind says of itself outside the engine: its name, needle count and force,
//! the words of its force, its own advisories, the setting compare's equal-density matching
//! changes, its side in the roller–pen pairs, the factor that drives its channel count, its
//! datasheet rows, its needle table and its needle picture. Each kind implements [`Describe`] in its own file, beside its
//! [`super::Kinematics`]; the rest of the crate asks through [`super::kinematics`] and never
//! matches on the device's kind.

use crate::design::{Design, Device, PenNeedle, Roller};
use crate::model::advisory::Advisory;
use crate::studies::compare::Setting;

/// Which side of compare's roller–pen pairs a device takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PairSide {
    /// Paired with every pen.
    Roller,
    /// Paired with every roller.
    Pen,
}

/// Where a datasheet row's value comes from.
#[derive(Clone, Debug)]
pub(crate) enum RowSource {
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
pub(crate) struct DeviceRow {
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    pub unit: &'static str,
    pub source: RowSource,
}

/// A datasheet row.
pub(crate) fn device_row(
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
pub(crate) type CostFactor = (&'static str, f64, String);

/// A flat array as its needle picture shows it.
pub(crate) struct ArrayView<'a> {
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
pub(crate) enum NeedleView<'a> {
    /// The drum surface unrolled.
    Drum(&'a Roller),
    /// A flat array seen from above.
    Array(ArrayView<'a>),
}

/// What a device kind says of itself (see the module docs).
pub(crate) trait Describe {
    /// `"roller"`, `"pen"` or `"stamp"`: the design file's `kind`.
    fn kind(&self) -> &'static str;
    /// Number of needles.
    fn needle_count(&self) -> usize;
    /// The needles of a flat array, in the array's own frame; `None` for other devices.
    fn array_needles(&self) -> Option<&[PenNeedle]> {
        None
    }
    /// The force that presses the needles in at one contact, N.
    fn force_n(&self) -> f64;
    /// Sets [`Describe::force_n`], N.
    fn set_force_n(&mut self, force_n: f64);
    /// The force that presses the needles in, in words: "hand force on the roller".
    fn force_words(&self) -> &'static str;
    /// Advisories about the device's own settings (model §6); none by default.
    fn advisories(&self) -> Vec<Advisory> {
        Vec::new()
    }
    /// The setting compare's equal-density matching changes, at the design's value: the
    /// number of passes unless the kind says otherwise.
    fn own_setting(&self, design: &Design) -> Setting {
        Setting::RollerPasses(design.treatment.pass_angles_deg.len() as u32)
    }
    /// The device with its hand speed set to `v_mm_s`, when matching changes a hand speed.
    fn with_hand_speed(&self, _v_mm_s: f64) -> Option<Device> {
        None
    }
    /// Its side in compare's roller–pen pairs; `None` in neither.
    fn pair_side(&self) -> Option<PairSide>;
    /// The device's own factor in its channel count (see [`CostFactor`]).
    fn cost_factor(&self) -> CostFactor;
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
