//! `[skin]`: a preset and the keys that override it.

use super::*;
use crate::model::strength::bending::SkinGrip;

impl Ctx<'_> {
    pub(super) fn skin(&self, s: Option<&file::SkinFile>) -> R<Skin> {
        let Some(s) = s else {
            return Ok(Skin::preset("face").expect("face preset exists"));
        };
        let mut skin = match &s.preset {
            None => Skin::preset("face").expect("face preset exists"),
            Some(p) => Skin::preset(p.get_ref()).ok_or_else(|| {
                self.err(
                    p.span(),
                    "skin.preset",
                    format!("{:?}", p.get_ref()),
                    format!("unknown preset; valid: {}", PRESETS.join(", ")),
                )
            })?,
        };
        if let Some(v) = &s.deflection_mm {
            return Err(self.err(
                v.span(),
                "skin.deflection_mm",
                v.get_ref().to_string(),
                "removed: since depth model v2 the surface's tenting around a pierced needle is a result of the force balance (its load over skin.tenting_stiffness_n_mm), not a constant; delete the key (docs/model.md, Insertion)",
            ));
        }
        if let Some(v) = &s.insertion_resistance_n_mm {
            return Err(self.err(
                v.span(),
                "skin.insertion_resistance_n_mm",
                v.get_ref().to_string(),
                "removed: since depth model v2 the resistance after puncture is the cutting force plus friction on the inserted flank; use skin.cutting_fraction and skin.friction_n_mm2 (N/mm²) instead (docs/model.md, Insertion)",
            ));
        }
        if let Some(v) = &s.coupling_length_mm {
            skin.coupling_length_mm = self.non_negative(v, "skin.coupling_length_mm")?;
        }
        if let Some(v) = &s.tangential_slack_mm {
            skin.tangential_slack_mm = self.non_negative(v, "skin.tangential_slack_mm")?;
        }
        if let Some(v) = &s.puncture_force_n {
            skin.puncture_force_n = self.positive(v, "skin.puncture_force_n")?;
        }
        if let Some(v) = &s.tip_pressure_n_mm2 {
            skin.tip_pressure_n_mm2 = self.non_negative(v, "skin.tip_pressure_n_mm2")?;
        }
        if let Some(v) = &s.tenting_stiffness_n_mm {
            skin.tenting_stiffness_n_mm = self.positive(v, "skin.tenting_stiffness_n_mm")?;
        }
        if let Some(v) = &s.indentation_stiffness {
            skin.indentation_stiffness = self.positive(v, "skin.indentation_stiffness")?;
        }
        if let Some(v) = &s.cutting_fraction {
            skin.cutting_fraction = self.non_negative(v, "skin.cutting_fraction")?;
        }
        if let Some(v) = &s.friction_n_mm2 {
            skin.friction_n_mm2 = self.non_negative(v, "skin.friction_n_mm2")?;
        }
        if let Some(v) = &s.closure_radius_um {
            skin.closure_radius_um = self.non_negative(v, "skin.closure_radius_um")?;
        }
        if let Some(v) = &s.variability {
            let v = v.get_ref();
            for (f, key, out) in [
                (
                    &v.stiffness,
                    "skin.variability.stiffness",
                    &mut skin.variability.stiffness,
                ),
                (
                    &v.friction,
                    "skin.variability.friction",
                    &mut skin.variability.friction,
                ),
                (
                    &v.puncture_force,
                    "skin.variability.puncture_force",
                    &mut skin.variability.puncture_force,
                ),
                (
                    &v.thickness,
                    "skin.variability.thickness",
                    &mut skin.variability.thickness,
                ),
            ] {
                if let Some(x) = f {
                    *out = self.non_negative(x, key)?;
                }
            }
        }
        let keys = [
            (&s.stratum_corneum_mm, "skin.stratum_corneum_mm"),
            (&s.viable_epidermis_mm, "skin.viable_epidermis_mm"),
            (&s.papillary_dermis_mm, "skin.papillary_dermis_mm"),
            (&s.reticular_dermis_mm, "skin.reticular_dermis_mm"),
        ];
        for (i, (v, key)) in keys.into_iter().enumerate() {
            if let Some(v) = v {
                skin.thickness_mm[i] = self.positive(v, key)?;
            }
        }
        Ok(skin)
    }

    /// How the skin holds a needle sideways: `skin.needle_friction` (0 or more) and
    /// `skin.lateral_strength_mpa` (greater than 0), each in range, else the defaults.
    pub(super) fn skin_grip(&self, s: Option<&file::SkinFile>) -> R<SkinGrip> {
        let mut grip = SkinGrip::default();
        let Some(s) = s else {
            return Ok(grip);
        };
        if let Some(v) = &s.needle_friction {
            grip.needle_friction = self.non_negative(v, "skin.needle_friction")?;
        }
        if let Some(v) = &s.lateral_strength_mpa {
            grip.lateral_strength_mpa = self.positive(v, "skin.lateral_strength_mpa")?;
        }
        Ok(grip)
    }
}
