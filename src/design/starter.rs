//! Starter designs for `needlemap init`: one commented design per kind that passes
//! validation, every key of the kind at its default with its unit in the comment.
//!
//! Keys whose default is computed (ring pitch, lane spacing, a stamp's step), taken from the
//! skin preset, or that belong to another layout pattern are written commented out, so that
//! uncommenting one is the only edit needed. The defaults are the `DEFAULT_*` constants of
//! [`crate::design`], so a starter cannot drift from the validator. Key reference:
//! docs/design-format.md.

use super::kinds::{Kind, KINDS};
use super::{
    DEFAULT_INFLUENCE_RADIUS_MM, DEFAULT_RESOLUTION_UM, DEFAULT_SEED, DEFAULT_TILE_MM,
    DEFAULT_TIP_LENGTH_MM, DEFAULT_TIP_RADIUS_UM,
};
use crate::model::material::DEFAULT_MATERIAL;
use crate::model::skin::Skin;
use crate::model::strength::bending::{DEFAULT_LATERAL_STRENGTH_MPA, DEFAULT_NEEDLE_FRICTION};

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
    let (what, device, length) = (kind.key(), kind.starter(), kind.has_needle_length());
    let kinds: Vec<&str> = KINDS.iter().map(|k| k.key()).collect();
    let kinds = kinds.join(" | ");
    s.push_str(&format!(
        "# A starter {what} design written by `needlemap init`. Required keys (marked so) hold\n\
         # example values of a shipped design; every other key is at its default. Keys written\n\
         # commented out take a computed or preset default, or belong to another pattern.\n\
         # Reference: docs/design-format.md; schema: `needlemap schema design`.\n\
         name = {name:?}              # names the output folder out/<name>/\n\
         description = \"A starter {what}: edit me\"\n\
         kind = \"{what}\"                # {kinds}\n\n"
    ));
    s.push_str(&device);
    s.push_str(&needle(length));
    s.push_str(&common());
    s
}

fn needle(length: bool) -> String {
    let materials = crate::model::material::key_list();
    let mat = crate::model::material::lookup(DEFAULT_MATERIAL).expect("the default is listed");
    let (e, sy) = (mat.youngs_modulus_gpa.value, mat.yield_strength_mpa.value);
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
         tip_radius_um = {DEFAULT_TIP_RADIUS_UM:?}            # µm, tip point; default measured (Kalluri 2011)\n\
         material = {DEFAULT_MATERIAL:?}             # {materials}\n\
         # youngs_modulus_gpa = {e:?}    # GPa; default the material's\n\
         # yield_strength_mpa = {sy:?}   # MPa; default the material's\n\n"
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
         preset = \"face\"                # face | body | rat | pig (docs/sources.md)\n\
         # Any figure of the preset may be overridden; the face preset's values:\n\
         # coupling_length_mm = {:?}      # mm, how far one needle's load sinks its neighbours\n\
         # tangential_slack_mm = {:?}      # mm\n\
         # puncture_force_n = {:?}         # N, sharp-tip puncture force F₀\n\
         # tip_pressure_n_mm2 = {:?}      # N/mm², puncture force per tip area\n\
         # tenting_stiffness_n_mm = {:?}    # N/mm, surface under a pierced needle's load\n\
         # indentation_stiffness = {:?}     # N/mm^1.5, tip indentation before puncture\n\
         # cutting_fraction = {:?}          # force after puncture / puncture force\n\
         # friction_n_mm2 = {:?}           # N/mm², friction on the inserted flank\n\
         # closure_radius_um = {:?}        # µm\n\
         # stratum_corneum_mm = {sc:?}     # mm\n\
         # viable_epidermis_mm = {ve:?}     # mm\n\
         # papillary_dermis_mm = {pd:?}    # mm\n\
         # reticular_dermis_mm = {rd:?}      # mm\n\
         # needle_friction = {:?}          # needle–skin friction (bending check); default (assumption)\n\
         # lateral_strength_mpa = {:?}    # MPa, side pressure skin bears (bending check); default (assumption)\n\n\
         # [skin.variability]            # relative SD between people: mc draws one skin a run\n\
         # stiffness = 0.0               # tip indentation and surface stiffness together\n\
         # friction = 0.0                # friction on the inserted flank\n\
         # puncture_force = 0.0          # puncture force\n\
         # thickness = 0.0               # every layer together\n\n\
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
        face.coupling_length_mm,
        face.tangential_slack_mm,
        face.puncture_force_n,
        face.tip_pressure_n_mm2,
        face.tenting_stiffness_n_mm,
        face.indentation_stiffness,
        face.cutting_fraction,
        face.friction_n_mm2,
        face.closure_radius_um,
        DEFAULT_NEEDLE_FRICTION,
        DEFAULT_LATERAL_STRENGTH_MPA,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::Design;
    use std::path::Path;

    #[test]
    fn every_starter_validates() {
        for &kind in KINDS {
            let name = kind.key();
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
        for &kind in KINDS {
            let name = kind.key();
            let text = starter(kind, name);
            for key in crate::design::schema::design_keys() {
                let top = key.split(['.', '[']).next().unwrap_or("");
                let others = KINDS.iter().map(|k| k.key()).filter(|k| *k != name);
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
