//! `[treatment]`: the region, the passes, the lanes and the seed.

use super::*;

impl Ctx<'_> {
    pub(super) fn treatment(&self, t: &S<file::TreatmentFile>, default_lane: f64) -> R<Treatment> {
        let tf = t.get_ref();
        let area = tf.area_mm.get_ref();
        let area_mm = match area.as_slice() {
            [x, y] if x.is_finite() && y.is_finite() && *x > 0.0 && *y > 0.0 => {
                let r = super::ranges::range_of("treatment.area_mm").expect("in the table");
                if !(r.contains(*x) && r.contains(*y)) {
                    return Err(self.err(
                        tf.area_mm.span(),
                        "treatment.area_mm",
                        format!("{area:?}"),
                        format!("each side must be {}", r.describe()),
                    ));
                }
                [*x, *y]
            }
            _ => {
                return Err(self.err(
                    tf.area_mm.span(),
                    "treatment.area_mm",
                    format!("{area:?}"),
                    "must be [Lx, Ly]: two finite lengths greater than 0, mm",
                ))
            }
        };
        if tf.passes.get_ref().is_empty() {
            return Err(self.err(
                tf.passes.span(),
                "treatment.passes",
                "[]",
                "needs at least one pass, e.g. [{ angle_deg = 0.0, count = 5 }]",
            ));
        }
        let mut pass_angles_deg = Vec::new();
        let mut pass_groups = Vec::new();
        for (i, p) in tf.passes.get_ref().iter().enumerate() {
            let pr = p.get_ref();
            let angle = self.finite(&pr.angle_deg, &format!("treatment.passes[{i}].angle_deg"))?;
            let count = match &pr.count {
                Some(c) => self.count(
                    c,
                    &format!("treatment.passes[{i}].count"),
                    1,
                    i64::from(MAX_PASSES),
                )?,
                None => 1,
            };
            pass_groups.push((angle, count));
            for _ in 0..count {
                pass_angles_deg.push(angle);
            }
            if pass_angles_deg.len() > MAX_PASSES as usize {
                return Err(self.err(
                    p.span(),
                    "treatment.passes",
                    pass_angles_deg.len(),
                    format!("at most {MAX_PASSES} passes in all"),
                ));
            }
        }
        let lane_spacing_mm: f64 = self.opt(
            &tf.lane_spacing_mm,
            "treatment.lane_spacing_mm",
            default_lane,
            Self::positive,
        )?;
        let seed = match &tf.seed {
            Some(s) if *s.get_ref() >= 0 => *s.get_ref() as u64,
            Some(s) => {
                return Err(self.err(
                    s.span(),
                    "treatment.seed",
                    s.get_ref(),
                    "must be a whole number, 0 or greater",
                ))
            }
            None => DEFAULT_SEED,
        };
        Ok(Treatment {
            area_mm,
            pass_angles_deg,
            pass_groups,
            lane_spacing_mm,
            seed,
            jitter: tf.jitter.unwrap_or(true),
        })
    }
}
