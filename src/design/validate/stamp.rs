//! `[stamp]`: the hand stamp and its array.

use super::*;

impl Ctx<'_> {
    pub(super) fn stamp(
        &self,
        st: &S<file::StampFile>,
        length_mm: f64,
        needle: &Needle,
    ) -> R<Stamp> {
        let sf = st.get_ref();
        let force_n = self.positive(&sf.force_n, "stamp.force_n")?;
        let array_angle_deg: f64 = self.opt(
            &sf.array_angle_deg,
            "stamp.array_angle_deg",
            0.0,
            Self::finite,
        )?;
        let presses_per_s: f64 = self.opt(
            &sf.presses_per_s,
            "stamp.presses_per_s",
            DEFAULT_PRESSES_PER_S,
            Self::positive,
        )?;
        let (needles, width) = self.array(&sf.array, "stamp.array", needle)?;
        // default step: the array's length along the stroke, so presses tile the lane
        let lo = needles
            .iter()
            .map(|n| n.along_mm)
            .fold(f64::INFINITY, f64::min);
        let hi = needles
            .iter()
            .map(|n| n.along_mm)
            .fold(f64::NEG_INFINITY, f64::max);
        let along_extent = hi - lo;
        // default: the array's length along the stroke (a grid's rows × pitch), so that
        // presses tile the lane
        let arr = sf.array.get_ref();
        let gap = match (arr.pattern.get_ref(), arr.pitch_mm.as_ref()) {
            (CartridgePattern::Grid, Some(p)) => *p.get_ref(),
            _ => needle.diameter_mm,
        };
        let default_step = along_extent + gap;
        let step_mm: f64 = self.opt(&sf.step_mm, "stamp.step_mm", default_step, Self::positive)?;
        Ok(Stamp {
            force_n,
            step_mm,
            presses_per_s,
            length_mm,
            array_angle_deg,
            needles,
            array_width_mm: width,
        })
    }
}
