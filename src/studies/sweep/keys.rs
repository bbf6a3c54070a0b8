//! The catalogue of design keys a sweep may vary: their number type and the designs they
//! apply to.

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
    ("pen.misalignment_deg", Num::Float, Applies::Pen),
    ("pen.session_s", Num::Float, Applies::Pen),
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
    ("stamp.misalignment_deg", Num::Float, Applies::Stamp),
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
    ("needle.youngs_modulus_gpa", Num::Float, Applies::Any),
    ("needle.yield_strength_mpa", Num::Float, Applies::Any),
    ("tolerance.length_sd_mm", Num::Float, Applies::Any),
    ("tolerance.angle_sd_deg", Num::Float, Applies::Any),
    ("tolerance.missing_fraction", Num::Float, Applies::Any),
    ("tolerance.tip_radius_sd_um", Num::Float, Applies::Any),
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
    ("skin.needle_friction", Num::Float, Applies::Any),
    ("skin.lateral_strength_mpa", Num::Float, Applies::Any),
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
