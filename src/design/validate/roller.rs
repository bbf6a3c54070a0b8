//! `[roller]`: the drum and its layout (rings or explicit needles), checked for collisions.

use super::*;

impl Ctx<'_> {
    pub(super) fn roller(
        &self,
        r: &S<file::RollerFile>,
        length_mm: f64,
        needle: &Needle,
    ) -> R<Roller> {
        let rf = r.get_ref();
        let drum_diameter_mm = self.positive(&rf.drum_diameter_mm, "roller.drum_diameter_mm")?;
        let drum_width_mm = self.positive(&rf.drum_width_mm, "roller.drum_width_mm")?;
        let roll_speed_mm_s: f64 = self.opt(
            &rf.roll_speed_mm_s,
            "roller.roll_speed_mm_s",
            DEFAULT_ROLL_SPEED_MM_S,
            Self::positive,
        )?;
        let force_n: f64 = self.opt(
            &rf.force_n,
            "roller.force_n",
            DEFAULT_ROLLER_FORCE_N,
            Self::positive,
        )?;
        let d = needle.diameter_mm;
        if d > drum_width_mm {
            return Err(self.err(
                rf.drum_width_mm.span(),
                "roller.drum_width_mm",
                drum_width_mm,
                format!("is narrower than one needle (needle.diameter_mm = {d})"),
            ));
        }
        let l = rf.layout.get_ref();
        let lspan = rf.layout.span();
        let needles = match *l.pattern.get_ref() {
            LayoutPattern::Rings => {
                self.forbid(
                    &l.needles,
                    "roller.layout.needles",
                    "rings",
                    "pattern \"explicit\"",
                )?;
                self.forbid(
                    &l.needles_csv,
                    "roller.layout.needles_csv",
                    "rings",
                    "pattern \"explicit\"",
                )?;
                let rings_v = self.require(
                    &l.rings,
                    "roller.layout.rings",
                    lspan.clone(),
                    "the number of rings along the axis",
                )?;
                let rings = self.count(rings_v, "roller.layout.rings", 1, MAX_NEEDLES as i64)?;
                let npr_v = self.require(
                    &l.needles_per_ring,
                    "roller.layout.needles_per_ring",
                    lspan.clone(),
                    "needles around each ring",
                )?;
                let npr = self.count(
                    npr_v,
                    "roller.layout.needles_per_ring",
                    1,
                    MAX_NEEDLES as i64,
                )?;
                if rings as usize * npr as usize > MAX_NEEDLES {
                    return Err(self.err(npr_v.span(), "roller.layout.needles_per_ring", npr, format!("{rings} rings × {npr} = {} needles; at most {MAX_NEEDLES} are supported", rings as usize * npr as usize)));
                }
                let pitch = match &l.ring_pitch_mm {
                    Some(v) => self.positive(v, "roller.layout.ring_pitch_mm")?,
                    None => drum_width_mm / f64::from(rings),
                };
                let span_mm = pitch * f64::from(rings - 1) + d;
                if span_mm > drum_width_mm * (1.0 + 1e-9) {
                    let at = l
                        .ring_pitch_mm
                        .as_ref()
                        .map_or(rings_v.span(), |v| v.span());
                    let fit = if rings > 1 {
                        (drum_width_mm - d) / f64::from(rings - 1)
                    } else {
                        0.0
                    };
                    return Err(self.err(at, "roller.layout.ring_pitch_mm", format!("{pitch} with {rings} rings"), format!("the rings span {span_mm:.3} mm with the needle diameter but the drum is {drum_width_mm} mm wide; use a ring pitch of at most {fit:.3} mm or fewer rings")));
                }
                let circ_gap = std::f64::consts::PI * drum_diameter_mm / f64::from(npr);
                if circ_gap < d {
                    let max_n = (std::f64::consts::PI * drum_diameter_mm / d).floor();
                    return Err(self.err(npr_v.span(), "roller.layout.needles_per_ring", npr, format!("needles {circ_gap:.3} mm apart around a {drum_diameter_mm} mm drum collide (diameter {d} mm); at most {max_n} fit")));
                }
                let stagger = match &l.stagger_deg {
                    Some(v) => self.finite(v, "roller.layout.stagger_deg")?,
                    None => 0.0,
                };
                layout::rings(rings, npr, pitch, stagger, length_mm)
            }
            LayoutPattern::Explicit => {
                for (v, k) in [
                    (&l.rings, "rings"),
                    (&l.needles_per_ring, "needles_per_ring"),
                ] {
                    self.forbid(
                        v,
                        &format!("roller.layout.{k}"),
                        "explicit",
                        "pattern \"rings\"",
                    )?;
                }
                self.forbid(
                    &l.ring_pitch_mm,
                    "roller.layout.ring_pitch_mm",
                    "explicit",
                    "pattern \"rings\"",
                )?;
                self.forbid(
                    &l.stagger_deg,
                    "roller.layout.stagger_deg",
                    "explicit",
                    "pattern \"rings\"",
                )?;
                let raw: Vec<RawNeedle> = match (&l.needles, &l.needles_csv) {
                    (Some(n), None) => {
                        let mut v = Vec::new();
                        for (i, row) in n.get_ref().iter().enumerate() {
                            let key = format!("roller.layout.needles[{i}]");
                            let (a, phi, h) = match row.as_slice() {
                                [a, phi] => (*a, *phi, length_mm),
                                [a, phi, h] => (*a, *phi, *h),
                                _ => return Err(self.err(n.span(), &key, format!("{row:?}"), "each needle is [axial_mm, angle_deg] or [axial_mm, angle_deg, length_mm]")),
                            };
                            v.push((a, phi, h, n.span(), key));
                        }
                        v
                    }
                    (None, Some(c)) => self.needles_csv(c, length_mm)?,
                    (Some(n), Some(_)) => return Err(self.err(n.span(), "roller.layout.needles", "(both given)", "give either needles or needles_csv, not both")),
                    (None, None) => return Err(self.err(lspan.clone(), "roller.layout.needles", "(missing)", "pattern \"explicit\" needs needles = [[axial_mm, angle_deg], ...] or needles_csv = \"file.csv\"")),
                };
                if raw.is_empty() {
                    let at = l.needles.as_ref().map_or(lspan.clone(), |n| n.span());
                    return Err(self.err(
                        at,
                        "roller.layout.needles",
                        "[]",
                        "needs at least one needle",
                    ));
                }
                if raw.len() > MAX_NEEDLES {
                    return Err(self.err(
                        lspan.clone(),
                        "roller.layout.needles",
                        raw.len(),
                        format!("at most {MAX_NEEDLES} needles are supported"),
                    ));
                }
                let half = (drum_width_mm - d) / 2.0;
                let mut axials: Vec<f64> = Vec::new();
                let mut out = Vec::with_capacity(raw.len());
                for (a, phi, h, span, key) in raw {
                    if !(a.is_finite() && phi.is_finite()) {
                        return Err(self.err(
                            span,
                            &key,
                            format!("[{a}, {phi}]"),
                            "axial_mm and angle_deg must be finite",
                        ));
                    }
                    // every coordinate through the range table (an angle of 1e300° would
                    // otherwise be taken modulo 360 as 0°)
                    for (what, x) in [("axial_mm", a), ("angle_deg", phi), ("length_mm", h)] {
                        if let Err(p) =
                            super::super::ranges::check(&format!("roller.layout.needles.{what}"), x)
                        {
                            return Err(self.err(
                                span.clone(),
                                &key,
                                format!("{what} {x}"),
                                format!("{what} {p}"),
                            ));
                        }
                    }
                    if a.abs() > half * (1.0 + 1e-9) + 1e-12 {
                        return Err(self.err(span, &key, format!("[{a}, {phi}]"), format!("axial position {a} mm is off the drum: with needle diameter {d} mm it must lie within ±{half} mm of the mid-plane")));
                    }
                    if !(h.is_finite() && h > 0.0) {
                        return Err(self.err(
                            span,
                            &key,
                            format!("length {h}"),
                            "needle length must be finite and greater than 0",
                        ));
                    }
                    let ring = match axials.iter().position(|x| (x - a).abs() < 1e-9) {
                        Some(i) => i,
                        None => {
                            axials.push(a);
                            axials.len() - 1
                        }
                    } as u32;
                    out.push(RollerNeedle {
                        ring,
                        axial_mm: a,
                        angle_deg: phi.rem_euclid(360.0),
                        length_mm: h,
                    });
                }
                out
            }
        };
        // Collisions on the drum surface (unrolled: axial × arc length).
        let circumference = std::f64::consts::PI * drum_diameter_mm;
        let pts: Vec<(f64, f64)> = needles
            .iter()
            .map(|n| (n.axial_mm, n.angle_deg / 360.0 * circumference))
            .collect();
        if let Some((i, j)) = layout::first_collision(&pts, d, Some(circumference)) {
            return Err(self.err(lspan, "roller.layout", format!("needles {i} and {j}"), format!("needles {i} ({:.3} mm, {:.2}°) and {j} ({:.3} mm, {:.2}°) are closer than one needle diameter ({d} mm) on the drum surface", needles[i].axial_mm, needles[i].angle_deg, needles[j].axial_mm, needles[j].angle_deg)));
        }
        Ok(Roller {
            drum_diameter_mm,
            drum_width_mm,
            roll_speed_mm_s,
            force_n,
            needles,
        })
    }
}
