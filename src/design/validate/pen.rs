//! `[pen]`: the pen and its cartridge.

use super::*;

impl Ctx<'_> {
    pub(super) fn pen(&self, p: &S<file::PenFile>, needle: &Needle) -> R<Pen> {
        let pf = p.get_ref();
        let depth_mm = self.positive(&pf.depth_mm, "pen.depth_mm")?;
        let frequency_hz = self.positive(&pf.frequency_hz, "pen.frequency_hz")?;
        let hand_speed_mm_s = self.positive(&pf.hand_speed_mm_s, "pen.hand_speed_mm_s")?;
        let cartridge_angle_deg: f64 = self.opt(
            &pf.cartridge_angle_deg,
            "pen.cartridge_angle_deg",
            0.0,
            Self::finite,
        )?;
        let drive_force_n: f64 = self.opt(
            &pf.drive_force_n,
            "pen.drive_force_n",
            DEFAULT_PEN_DRIVE_FORCE_N,
            Self::positive,
        )?;
        let (needles, width) = self.array(&pf.cartridge, "pen.cartridge", needle)?;
        Ok(Pen {
            depth_mm,
            frequency_hz,
            hand_speed_mm_s,
            cartridge_angle_deg,
            drive_force_n,
            needles,
            cartridge_width_mm: width,
        })
    }
}
