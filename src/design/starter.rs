//! Starter designs for `needlemap init`: one commented design per kind that passes
//! validation, every key of the kind at its default with its unit in the comment.
//!
//! Keys whose default is computed (ring pitch, lane spacing, a stamp's step), taken from the
//! skin preset, or that belong to another layout pattern are written commented out, so that
//! uncommenting one is the only edit needed. The defaults are the `DEFAULT_*` constants of
//! [`crate::design`], so a starter cannot drift from the validator. Key reference:
//! docs/design-format.md.

use super::file::Kind;
use super::{
    DEFAULT_INFLUENCE_RADIUS_MM, DEFAULT_PEN_DRIVE_FORCE_N, DEFAULT_PRESSES_PER_S,
    DEFAULT_RESOLUTION_UM, DEFAULT_ROLLER_FORCE_N, DEFAULT_ROLL_SPEED_MM_S, DEFAULT_SEED,
    DEFAULT_TILE_MM, DEFAULT_TIP_LENGTH_MM, DEFAULT_TIP_RADIUS_UM,
};
use crate::model::skin::Skin;

/// The starter design of `kind`, named `name` (a valid design name), as TOML text.
///
/// # Examples
/// ```
/// use needlemap::design::{file::Kind, starter::starter, Design};
/// let text = starter(Kind::Pen, "my-pen");
/// let d = Design::from_bytes(text.as_bytes(), std::path::Path::new("my-pen.toml")).unwrap();
/// assert_eq!(d.device.kind(), "pen");
/// ```
pub fn starter(kind: Kind, name: &str) -> String {
    let mut s = String::new();
    let (what, device, length) = match kind {
        Kind::Roller => ("roller", roller(), true),
        Kind::Pen => ("pen", pen(), false),
        Kind::Stamp => ("stamp", stamp(), true),
    };
    s.push_str(&format!(
        "# A starter {what} design written by `needlemap init`. Every key is at its default;\n\
         # keys written commented out take a computed or preset default, or belong to another\n\
         # pattern. Reference: docs/design-format.md; schema: `needlemap schema design`.\n\
         name = {name:?}              # names the output folder out/<name>/\n\
         description = \"A starter {what}: edit me\"\n\
         kind = \"{what}\"                # roller | pen | stamp\n\n"
    ));
    s.push_str(&device);
    s.push_str(&needle(length));
    s.push_str(&common());
    s
}

fn roller() -> String {
    format!(
        "[roller]\n\
         drum_diameter_mm = 20.0        # mm, required\n\
         drum_width_mm = 20.0           # mm, required\n\
         roll_speed_mm_s = {DEFAULT_ROLL_SPEED_MM_S:?}         # mm/s; default (assumption)\n\
         force_n = {DEFAULT_ROLLER_FORCE_N:?}                  # N, hand force on the drum; default (assumption)\n\n\
         [roller.layout]\n\
         pattern = \"rings\"              # rings | explicit\n\
         rings = 8                      # rings along the axis, required for rings\n\
         needles_per_ring = 24          # needles around each ring, required for rings\n\
         # ring_pitch_mm = 2.5          # mm; default drum_width_mm / rings\n\
         stagger_deg = 0.0              # °, offset of each ring from the previous\n\
         # pattern = \"explicit\" takes instead one of:\n\
         # needles = [[0.0, 0.0], [2.5, 7.5]]   # [[axial_mm, angle_deg], ...]\n\
         # needles_csv = \"needles.csv\"         # columns axial_mm,angle_deg[,length_mm]\n\n"
    )
}

fn cartridge(table: &str) -> String {
    format!(
        "[{table}]\n\
         pattern = \"grid\"               # grid | ring | explicit\n\
         rows = 3                       # along the stroke, required for grid\n\
         cols = 4                       # across the stroke, required for grid\n\
         pitch_mm = 1.0                 # mm, required for grid\n\
         # pattern = \"ring\" takes instead:\n\
         # count = 10                   # needles on the circle\n\
         # diameter_mm = 3.0            # mm, circle through the needles\n\
         # centre = false               # one more needle in the centre\n\
         # pattern = \"explicit\" takes instead:\n\
         # needles = [[0.0, 0.0], [1.0, 0.0]]   # [[along_mm, across_mm], ...]\n\n"
    )
}

fn pen() -> String {
    format!(
        "[pen]\n\
         depth_mm = 0.5                 # mm, depth setting, required\n\
         frequency_hz = 100.0           # Hz, stamps per second, required\n\
         hand_speed_mm_s = 10.0         # mm/s, required\n\
         cartridge_angle_deg = 0.0      # °, cartridge rotation to the stroke\n\
         drive_force_n = {DEFAULT_PEN_DRIVE_FORCE_N:?}            # N per stamp; default (assumption)\n\n{}",
        cartridge("pen.cartridge")
    )
}

fn stamp() -> String {
    format!(
        "[stamp]\n\
         force_n = 20.0                 # N per press, required\n\
         # step_mm = 3.0                # mm between presses; default the array's extent along\n\
         #                              # the stroke + one pitch: (3 − 1) × 1.0 + 1.0 = 3.0 here\n\
         presses_per_s = {DEFAULT_PRESSES_PER_S:?}            # 1/s; default (assumption)\n\
         array_angle_deg = 0.0          # °, array rotation to the stroke\n\n{}",
        cartridge("stamp.array")
    )
}

fn needle(length: bool) -> String {
    let length = if length {
        "length_mm = 0.5                # mm, exposed length, required (a pen sets pen.depth_mm)\n"
    } else {
        "# a pen has no length_mm: pen.depth_mm sets how far the needles stand out\n"
    };
    format!(
        "[needle]\n\
         {length}\
         diameter_mm = 0.25             # mm, shaft diameter, required\n\
         tip_length_mm = {DEFAULT_TIP_LENGTH_MM:?}            # mm, conical tip; default (assumption)\n\
         tip_radius_um = {DEFAULT_TIP_RADIUS_UM:?}            # µm, tip point; default measured (Kalluri 2011)\n\n"
    )
}

fn common() -> String {
    let face = Skin::preset("face").expect("face preset exists");
    let [sc, ve, pd, rd] = face.thickness_mm;
    format!(
        "[tolerance]\n\
         length_sd_mm = 0.0             # mm, SD of each needle's length\n\
         angle_sd_deg = 0.0             # °, SD of a roller needle's angle on the drum\n\
         missing_fraction = 0.0         # fraction of needles missing, [0, 1)\n\
         tip_radius_sd_um = 0.0         # µm, SD of each needle's tip radius\n\n\
         [skin]\n\
         preset = \"face\"                # face | body | rat (docs/sources.md)\n\
         # Any figure of the preset may be overridden; the face preset's values:\n\
         # deflection_mm = {:?}            # mm, residual tenting δ₀\n\
         # tangential_slack_mm = {:?}      # mm\n\
         # puncture_force_n = {:?}         # N, sharp-tip puncture force F₀\n\
         # tip_pressure_n_mm2 = {:?}      # N/mm², puncture force per tip area\n\
         # tenting_stiffness_n_mm = {:?}   # N/mm\n\
         # insertion_resistance_n_mm = {:?} # N/mm\n\
         # closure_radius_um = {:?}        # µm\n\
         # stratum_corneum_mm = {sc:?}     # mm\n\
         # viable_epidermis_mm = {ve:?}     # mm\n\
         # papillary_dermis_mm = {pd:?}    # mm\n\
         # reticular_dermis_mm = {rd:?}      # mm\n\n\
         [treatment]\n\
         area_mm = [30.0, 30.0]         # mm, [Lx, Ly], required\n\
         passes = [{{ angle_deg = 0.0, count = 2 }}, {{ angle_deg = 90.0, count = 2 }}]   # ° and how many, required\n\
         # lane_spacing_mm = ...        # mm; default the device's width: the drum width, or a\n\
         #                              # cartridge/array's cols × pitch (4 × 1.0 = 4.0 mm here)\n\
         seed = {DEFAULT_SEED}                       # random offsets and tolerances\n\
         jitter = true                  # random lane offsets and phases\n\n\
         [analysis]\n\
         resolution_um = {DEFAULT_RESOLUTION_UM:?}           # µm, raster pitch\n\
         tile_mm = {DEFAULT_TILE_MM:?}                  # mm, tiles of density_cv\n\
         influence_radius_mm = {DEFAULT_INFLUENCE_RADIUS_MM:?}      # mm, treated radius around an opening (assumption)\n\
         \n\
         # [spec]                                # limits any metric must meet (analyze: pass/fail; mc: yield)\n\
         # coverage_fraction = {{ min = 0.10 }}  # fractions as fractions\n\
         # p95_depth_mm = {{ max = 1.5 }}         # mm\n",
        face.deflection_mm,
        face.tangential_slack_mm,
        face.puncture_force_n,
        face.tip_pressure_n_mm2,
        face.tenting_stiffness_n_mm,
        face.insertion_resistance_n_mm,
        face.closure_radius_um,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::Design;
    use std::path::Path;

    const KINDS: [(Kind, &str); 3] = [
        (Kind::Roller, "roller"),
        (Kind::Pen, "pen"),
        (Kind::Stamp, "stamp"),
    ];

    #[test]
    fn every_starter_validates() {
        for (kind, name) in KINDS {
            let text = starter(kind, name);
            let d = Design::from_bytes(text.as_bytes(), Path::new("starter.toml"))
                .unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
            assert_eq!(d.device.kind(), name);
        }
    }

    /// Every key of the format that a design of this kind may hold is in its starter, set or
    /// commented out: a key added to the file mirror must be added here too.
    #[test]
    fn every_key_of_the_kind_is_written() {
        for (kind, name) in KINDS {
            let text = starter(kind, name);
            for key in crate::design::schema::design_keys() {
                let top = key.split(['.', '[']).next().unwrap_or("");
                let others = ["roller", "pen", "stamp"]
                    .into_iter()
                    .filter(|k| *k != name);
                if top == "experiment" || others.clone().any(|o| o == top) {
                    continue;
                }
                let last = key.rsplit('.').next().unwrap_or(&key);
                assert!(
                    text.contains(&format!("{last} =")) || text.contains(&format!("[{key}]")),
                    "the {name} starter lacks `{key}`"
                );
            }
        }
    }
}
