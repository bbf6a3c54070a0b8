//! Checks a parsed [`DesignFile`] into a [`Design`].
//!
//! Every refusal names the file, the line and column of the key, the dotted key, the value
//! as read and what would be valid.

use super::file::{self, CartridgePattern, DesignFile, Kind, LayoutPattern, S};
use super::*;
use crate::error::{line_col, InputError};
use crate::skin::{Skin, PRESETS};
use std::fmt::Display;
use std::ops::Range;

/// Most needles one device may have (refused up front beyond; the collision check is O(n²)).
pub const MAX_NEEDLES: usize = 20_000;
/// Most whole tiles the density metrics count.
pub const MAX_TILES: u64 = 1_000_000;
/// Most passes one treatment may have.
pub const MAX_PASSES: u32 = 10_000;

/// Validation context: the file's path and text, for positions.
pub struct Ctx<'a> {
    path: &'a Path,
    src: &'a str,
    policy: ReadPolicy,
}

type R<T> = Result<T, InputError>;
/// A needle read from a list or CSV: axial, angle, length, span and key for errors.
type RawNeedle = (f64, f64, f64, Range<usize>, String);

impl<'a> Ctx<'a> {
    /// A context for the file at `path` with text `src`.
    pub fn new(path: &'a Path, src: &'a str) -> Self {
        Ctx {
            path,
            src,
            policy: ReadPolicy::default(),
        }
    }

    /// Files the design references (`needles_csv`) must be allowed by `policy`.
    pub fn with_policy(mut self, policy: &ReadPolicy) -> Self {
        self.policy = policy.clone();
        self
    }

    /// An error at `span`.
    pub fn err(
        &self,
        span: Range<usize>,
        key: &str,
        value: impl Display,
        problem: impl Into<String>,
    ) -> InputError {
        let (line, column) = line_col(self.src, span.start);
        InputError::Invalid {
            path: self.path.to_path_buf(),
            line,
            column,
            key: key.to_string(),
            value: value.to_string(),
            problem: problem.into(),
        }
    }

    fn positive(&self, v: &S<f64>, key: &str) -> R<f64> {
        let x = *v.get_ref();
        if x.is_finite() && x > 0.0 {
            self.in_range(v, key)
        } else {
            Err(self.err(v.span(), key, x, "must be a finite number greater than 0"))
        }
    }

    fn non_negative(&self, v: &S<f64>, key: &str) -> R<f64> {
        let x = *v.get_ref();
        if x.is_finite() && x >= 0.0 {
            self.in_range(v, key)
        } else {
            Err(self.err(v.span(), key, x, "must be a finite number, 0 or greater"))
        }
    }

    fn finite(&self, v: &S<f64>, key: &str) -> R<f64> {
        let x = *v.get_ref();
        if x.is_finite() {
            self.in_range(v, key)
        } else {
            Err(self.err(v.span(), key, x, "must be a finite number"))
        }
    }

    /// The value, if it lies in the key's physical range ([`super::ranges`]).
    fn in_range(&self, v: &S<f64>, key: &str) -> R<f64> {
        let x = *v.get_ref();
        match super::ranges::range_of(key) {
            Some(r) if !r.contains(x) => {
                Err(self.err(v.span(), key, x, format!("must be {}", r.describe())))
            }
            _ => Ok(x),
        }
    }

    fn opt<T>(
        &self,
        v: &Option<S<f64>>,
        key: &str,
        default: f64,
        f: fn(&Self, &S<f64>, &str) -> R<T>,
    ) -> R<T>
    where
        T: From<f64>,
    {
        match v {
            Some(v) => f(self, v, key),
            None => Ok(T::from(default)),
        }
    }

    fn count(&self, v: &S<i64>, key: &str, min: i64, max: i64) -> R<u32> {
        let x = *v.get_ref();
        if (min..=max).contains(&x) {
            Ok(x as u32)
        } else {
            Err(self.err(
                v.span(),
                key,
                x,
                format!("must be a whole number from {min} to {max}"),
            ))
        }
    }

    fn forbid<T>(&self, v: &Option<S<T>>, key: &str, pattern: &str, belongs: &str) -> R<()>
    where
        T: std::fmt::Debug,
    {
        match v {
            Some(v) => Err(self.err(
                v.span(),
                key,
                format!("{:?}", v.get_ref()),
                format!("does not belong to pattern \"{pattern}\" (it is a key of {belongs}); remove it"),
            )),
            None => Ok(()),
        }
    }

    fn require<'v, T>(
        &self,
        v: &'v Option<S<T>>,
        key: &str,
        table_span: Range<usize>,
        what: &str,
    ) -> R<&'v S<T>> {
        v.as_ref()
            .ok_or_else(|| self.err(table_span, key, "(missing)", format!("is required: {what}")))
    }

    /// Refuses the device tables of the other kinds: a `kind` design has only its own.
    fn only_table(&self, f: &DesignFile, kind: &str) -> R<()> {
        let tables = [
            ("roller", f.roller.as_ref().map(|t| t.span())),
            ("pen", f.pen.as_ref().map(|t| t.span())),
            ("stamp", f.stamp.as_ref().map(|t| t.span())),
        ];
        for (name, span) in tables {
            if let (true, Some(span)) = (name != kind, span) {
                return Err(self.err(
                    span,
                    name,
                    format!("[{name}]"),
                    format!("a {kind} design has a [{kind}] table, not [{name}]; remove it or set kind = \"{name}\""),
                ));
            }
        }
        Ok(())
    }

    /// Checks the whole file.
    pub fn design(&self, f: DesignFile, source: Source) -> R<Design> {
        let name = f.name.get_ref().clone();
        let name_ok = is_valid_name(&name);
        if !name_ok {
            return Err(self.err(
                f.name.span(),
                "name",
                format!("{:?}", crate::input::clip(&name)),
                NAME_RULE,
            ));
        }
        let kind = f.kind.get_ref();
        self.only_table(
            &f,
            match kind {
                Kind::Roller => "roller",
                Kind::Pen => "pen",
                Kind::Stamp => "stamp",
            },
        )?;
        let needle_span = f.needle.span();
        let nf = f.needle.into_inner();
        let diameter_mm = self.positive(&nf.diameter_mm, "needle.diameter_mm")?;
        let tip_length_mm: f64 = self.opt(
            &nf.tip_length_mm,
            "needle.tip_length_mm",
            DEFAULT_TIP_LENGTH_MM,
            Self::positive,
        )?;
        let tip_radius_um: f64 = self.opt(
            &nf.tip_radius_um,
            "needle.tip_radius_um",
            DEFAULT_TIP_RADIUS_UM,
            Self::positive,
        )?;
        if tip_radius_um / 1000.0 > diameter_mm / 2.0 {
            let shaft_um = diameter_mm / 2.0 * 1000.0;
            // an unset tip radius is the default, which a very thin shaft can be below
            let Some(v) = nf.tip_radius_um.as_ref() else {
                return Err(self.err(
                    nf.diameter_mm.span(),
                    "needle.diameter_mm",
                    diameter_mm,
                    format!("thinner than the default tip ({DEFAULT_TIP_RADIUS_UM} µm radius): give needle.tip_radius_um at most the shaft's radius, {shaft_um} µm, or a thicker needle"),
                ));
            };
            return Err(self.err(
                v.span(),
                "needle.tip_radius_um",
                tip_radius_um,
                format!(
                    "a tip rounder than the shaft: at most the shaft's radius, {shaft_um} µm (needle.diameter_mm = {diameter_mm})"
                ),
            ));
        }
        let needle = Needle {
            diameter_mm,
            tip_length_mm,
            tip_radius_um,
        };

        let tolerance = match &f.tolerance {
            None => Tolerance::default(),
            Some(t) => {
                let missing: f64 = self.opt(
                    &t.missing_fraction,
                    "tolerance.missing_fraction",
                    0.0,
                    Self::non_negative,
                )?;
                if missing >= 1.0 {
                    let v = t.missing_fraction.as_ref().unwrap();
                    return Err(self.err(
                        v.span(),
                        "tolerance.missing_fraction",
                        missing,
                        "must be in [0, 1): at least some needles must be present",
                    ));
                }
                Tolerance {
                    length_sd_mm: self.opt(
                        &t.length_sd_mm,
                        "tolerance.length_sd_mm",
                        0.0,
                        Self::non_negative,
                    )?,
                    angle_sd_deg: self.opt(
                        &t.angle_sd_deg,
                        "tolerance.angle_sd_deg",
                        0.0,
                        Self::non_negative,
                    )?,
                    missing_fraction: missing,
                }
            }
        };

        let skin = self.skin(f.skin.as_ref())?;

        let (device, default_lane) = match *f.kind.get_ref() {
            Kind::Roller => {
                let r = f.roller.as_ref().ok_or_else(|| {
                    self.err(f.kind.span(), "roller", "(missing)", "kind = \"roller\" needs a [roller] table with drum_diameter_mm, drum_width_mm and [roller.layout]")
                })?;
                let length = self.require(
                    &nf.length_mm,
                    "needle.length_mm",
                    needle_span.clone(),
                    "the exposed needle length of a roller",
                )?;
                let length_mm = self.positive(length, "needle.length_mm")?;
                let roller = self.roller(r, length_mm, &needle)?;
                let w = roller.drum_width_mm;
                (Device::Roller(roller), w)
            }
            Kind::Pen => {
                if let Some(l) = &nf.length_mm {
                    return Err(self.err(
                        l.span(),
                        "needle.length_mm",
                        l.get_ref(),
                        "a pen sets its depth with pen.depth_mm; remove needle.length_mm",
                    ));
                }
                let p = f.pen.as_ref().ok_or_else(|| {
                    self.err(f.kind.span(), "pen", "(missing)", "kind = \"pen\" needs a [pen] table with depth_mm, frequency_hz, hand_speed_mm_s and [pen.cartridge]")
                })?;
                let pen = self.pen(p, &needle)?;
                let w = pen.cartridge_width_mm;
                (Device::Pen(pen), w)
            }
            Kind::Stamp => {
                let st = f.stamp.as_ref().ok_or_else(|| {
                    self.err(
                        f.kind.span(),
                        "stamp",
                        "(missing)",
                        "kind = \"stamp\" needs a [stamp] table with force_n and [stamp.array]",
                    )
                })?;
                let length = self.require(
                    &nf.length_mm,
                    "needle.length_mm",
                    needle_span.clone(),
                    "the exposed needle length of a stamp",
                )?;
                let length_mm = self.positive(length, "needle.length_mm")?;
                let stamp = self.stamp(st, length_mm, &needle)?;
                let w = stamp.array_width_mm;
                (Device::Stamp(stamp), w)
            }
        };

        let treatment = self.treatment(&f.treatment, default_lane)?;
        let analysis = match &f.analysis {
            None => Analysis {
                resolution_um: DEFAULT_RESOLUTION_UM,
                tile_mm: DEFAULT_TILE_MM,
                influence_radius_mm: DEFAULT_INFLUENCE_RADIUS_MM,
            },
            Some(a) => Analysis {
                resolution_um: self.opt(
                    &a.resolution_um,
                    "analysis.resolution_um",
                    DEFAULT_RESOLUTION_UM,
                    Self::positive,
                )?,
                tile_mm: self.opt(
                    &a.tile_mm,
                    "analysis.tile_mm",
                    DEFAULT_TILE_MM,
                    Self::positive,
                )?,
                influence_radius_mm: self.opt(
                    &a.influence_radius_mm,
                    "analysis.influence_radius_mm",
                    DEFAULT_INFLUENCE_RADIUS_MM,
                    Self::non_negative,
                )?,
            },
        };

        let tiles = (treatment.area_mm[0] / analysis.tile_mm).floor()
            * (treatment.area_mm[1] / analysis.tile_mm).floor();
        if tiles > MAX_TILES as f64 {
            let at = f
                .analysis
                .as_ref()
                .and_then(|a| a.tile_mm.as_ref())
                .map_or(f.treatment.span(), |v| v.span());
            let fit = (treatment.area_mm[0] * treatment.area_mm[1] / MAX_TILES as f64).sqrt();
            return Err(self.err(
                at,
                "analysis.tile_mm",
                analysis.tile_mm,
                format!(
                    "makes {tiles:.0} tiles of the region; at most {MAX_TILES} are counted: use tiles of at least {:.3} mm",
                    (fit * 1000.0).ceil() / 1000.0
                ),
            ));
        }
        let experiment = match &f.experiment {
            None => None,
            Some(e) => Some(self.experiment(e)?),
        };
        let spec = self.spec(f.spec.as_ref())?;
        Ok(Design {
            spec,
            as_built: None,
            experiment,
            name,
            description: f.description.unwrap_or_default(),
            source,
            device,
            needle,
            tolerance,
            skin,
            treatment,
            analysis,
        })
    }

    /// `[spec]`: every key a registry metric, bounds finite, min ≤ max, at least one bound.
    fn spec(
        &self,
        s: Option<&std::collections::BTreeMap<S<String>, S<file::LimitFile>>>,
    ) -> R<Vec<SpecLimit>> {
        let Some(s) = s else { return Ok(Vec::new()) };
        let mut out = Vec::with_capacity(s.len());
        for (k, v) in s {
            let key = format!("spec.{}", k.get_ref());
            let info = crate::metrics::registry::metric(k.get_ref()).ok_or_else(|| {
                self.err(
                    k.span(),
                    &key,
                    k.get_ref(),
                    format!(
                        "is not a metric; valid keys: {}",
                        crate::metrics::registry::key_list()
                    ),
                )
            })?;
            let l = v.get_ref();
            let min = l
                .min
                .as_ref()
                .map(|m| self.finite(m, &format!("{key}.min")))
                .transpose()?;
            let max = l
                .max
                .as_ref()
                .map(|m| self.finite(m, &format!("{key}.max")))
                .transpose()?;
            if let (Some(a), Some(b)) = (min, max) {
                if a > b {
                    return Err(self.err(
                        v.span(),
                        &key,
                        format!("min {a}, max {b}"),
                        "min must not exceed max",
                    ));
                }
            }
            if min.is_none() && max.is_none() {
                return Err(self.err(
                    v.span(),
                    &key,
                    "{}",
                    "needs min, max or both, e.g. { min = 0.15 }",
                ));
            }
            out.push(SpecLimit {
                key: info.key,
                min,
                max,
            });
        }
        let order = |k: &str| crate::metrics::registry::keys().position(|x| x == k);
        out.sort_by_key(|l| order(l.key));
        Ok(out)
    }

    fn experiment(&self, e: &file::ExperimentFile) -> R<crate::validate::Experiment> {
        use crate::validate::{Band, Experiment, Measured, Quantity, Role};
        let mut measured = Vec::new();
        for (i, m) in e.measured.get_ref().iter().enumerate() {
            let at = format!("experiment.measured[{i}]");
            let mf = m.get_ref();
            let q = Quantity::from_key(mf.quantity.get_ref()).ok_or_else(|| {
                self.err(
                    mf.quantity.span(),
                    &format!("{at}.quantity"),
                    format!("{:?}", mf.quantity.get_ref()),
                    format!("valid: {}", Quantity::KEYS.join(", ")),
                )
            })?;
            let mean = self.positive(&mf.mean, &format!("{at}.mean"))?;
            let sd = match &mf.sd {
                Some(v) => Some(self.positive(v, &format!("{at}.sd"))?),
                None => None,
            };
            let band = match (mf.band.get_ref().as_str(), sd, &mf.tolerance) {
                ("sd", Some(_), None) => Band::OneSd,
                ("relative", _, Some(t)) => {
                    Band::Relative(self.positive(t, &format!("{at}.tolerance"))?)
                }
                (b, _, _) => {
                    return Err(self.err(
                        mf.band.span(),
                        &format!("{at}.band"),
                        format!("{b:?}"),
                        "\"sd\" (within one standard deviation; needs sd, no tolerance) or \"relative\" (within tolerance × mean; needs tolerance)",
                    ))
                }
            };
            let role = match mf.role.get_ref().as_str() {
                "calibration" => Role::Calibration,
                "validation" => Role::Validation,
                r => {
                    return Err(self.err(
                        mf.role.span(),
                        &format!("{at}.role"),
                        format!("{r:?}"),
                        "\"calibration\" (a parameter was fitted to this figure) or \"validation\" (held out)",
                    ))
                }
            };
            measured.push(Measured {
                quantity: q,
                mean,
                sd,
                band,
                role,
                note: mf.note.clone().unwrap_or_default(),
                gate: mf.gate.unwrap_or(true),
            });
        }
        if measured.is_empty() {
            return Err(self.err(
                e.measured.span(),
                "experiment.measured",
                "[]",
                "needs at least one measured figure",
            ));
        }
        Ok(Experiment {
            study: e.study.clone(),
            doi: e.doi.clone().unwrap_or_default(),
            conditions: e.conditions.clone().unwrap_or_default(),
            measured,
        })
    }

    fn skin(&self, s: Option<&file::SkinFile>) -> R<Skin> {
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
            skin.deflection_mm = self.non_negative(v, "skin.deflection_mm")?;
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
        if let Some(v) = &s.insertion_resistance_n_mm {
            skin.insertion_resistance_n_mm = self.positive(v, "skin.insertion_resistance_n_mm")?;
        }
        if let Some(v) = &s.closure_radius_um {
            skin.closure_radius_um = self.non_negative(v, "skin.closure_radius_um")?;
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

    fn roller(&self, r: &S<file::RollerFile>, length_mm: f64, needle: &Needle) -> R<Roller> {
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
                let mut out = Vec::with_capacity((rings * npr) as usize);
                for i in 0..rings {
                    let axial = (f64::from(i) - f64::from(rings - 1) / 2.0) * pitch;
                    for j in 0..npr {
                        let angle = (f64::from(j) * 360.0 / f64::from(npr)
                            + f64::from(i) * stagger)
                            .rem_euclid(360.0);
                        out.push(RollerNeedle {
                            ring: i,
                            axial_mm: axial,
                            angle_deg: angle,
                            length_mm,
                        });
                    }
                }
                out
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
        if let Some((i, j)) = first_collision(&pts, d, Some(circumference)) {
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

    /// Reads `roller.layout.needles_csv`: a regular file the read policy allows, resolved
    /// against the design's folder. Errors quote the path, the CSV line and at most the
    /// offending field (clipped), never the rest of the file.
    fn needles_csv(&self, c: &S<String>, length_mm: f64) -> R<Vec<RawNeedle>> {
        let key = "roller.layout.needles_csv";
        let written = format!("{:?}", crate::input::clip(c.get_ref()));
        let fail = |problem: String| self.err(c.span(), key, &written, problem);
        let csv_path = self.policy.resolve(self.path, c.get_ref()).map_err(fail)?;
        let at = |line: u64| format!("{}:{line}", csv_path.display());
        let bytes = self
            .policy
            .read(&csv_path)
            .map_err(|e| fail(format!("cannot read {}: {e}", csv_path.display())))?;
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(&bytes[..]);
        let headers = rdr
            .headers()
            .map_err(|e| fail(format!("{}: {}", at(1), csv_problem(&e))))?
            .clone();
        for (i, h) in headers.iter().enumerate() {
            if let Some(j) = headers.iter().skip(i + 1).position(|g| g == h) {
                return Err(fail(format!(
                    "{}: the header names column {:?} twice (columns {} and {}); each column once",
                    at(1),
                    crate::input::clip(h),
                    i + 1,
                    i + j + 2
                )));
            }
        }
        let col = |name: &str| headers.iter().position(|h| h == name);
        let (Some(ia), Some(ip)) = (col("axial_mm"), col("angle_deg")) else {
            return Err(fail(format!(
                "{}: the header has no column {}; needs columns axial_mm,angle_deg[,length_mm]",
                at(1),
                if col("axial_mm").is_none() {
                    "axial_mm"
                } else {
                    "angle_deg"
                }
            )));
        };
        let il = col("length_mm");
        let mut out = Vec::new();
        let mut rec = csv::StringRecord::new();
        loop {
            let more = rdr.read_record(&mut rec).map_err(|e| {
                let line = e.position().map_or(0, |p| line_of(&bytes, p.byte()));
                fail(format!("{}: {}", at(line), csv_problem(&e)))
            })?;
            if !more {
                break;
            }
            // The csv crate's own line count skips blank lines; count newlines instead.
            let line = rec.position().map_or(0, |p| line_of(&bytes, p.byte()));
            let num = |idx: usize, name: &str| -> R<f64> {
                let s = rec.get(idx).unwrap_or("");
                s.parse::<f64>().map_err(|_| {
                    fail(format!(
                        "{}: {name} = {:?} must be a number",
                        at(line),
                        crate::input::clip(s)
                    ))
                })
            };
            let a = num(ia, "axial_mm")?;
            let p = num(ip, "angle_deg")?;
            let h = match il {
                Some(il) => num(il, "length_mm")?,
                None => length_mm,
            };
            out.push((a, p, h, c.span(), format!("{key} ({})", at(line))));
        }
        Ok(out)
    }

    fn pen(&self, p: &S<file::PenFile>, needle: &Needle) -> R<Pen> {
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

    fn stamp(&self, st: &S<file::StampFile>, length_mm: f64, needle: &Needle) -> R<Stamp> {
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

    /// The needles of a pen cartridge or stamp array (`at`: "pen.cartridge" or
    /// "stamp.array", for error keys) and the array's width across the stroke.
    fn array(
        &self,
        cart: &S<file::CartridgeFile>,
        at: &str,
        needle: &Needle,
    ) -> R<(Vec<PenNeedle>, f64)> {
        let c = cart.get_ref();
        let cspan = cart.span();
        let d = needle.diameter_mm;
        let (needles, width) = match *c.pattern.get_ref() {
            CartridgePattern::Grid => {
                self.forbid(&c.count, &format!("{at}.count"), "grid", "pattern \"ring\"")?;
                self.forbid(
                    &c.diameter_mm,
                    &format!("{at}.diameter_mm"),
                    "grid",
                    "pattern \"ring\"",
                )?;
                self.forbid(
                    &c.needles,
                    &format!("{at}.needles"),
                    "grid",
                    "pattern \"explicit\"",
                )?;
                let rows = self.count(
                    self.require(
                        &c.rows,
                        &format!("{at}.rows"),
                        cspan.clone(),
                        "needle rows along the stroke",
                    )?,
                    &format!("{at}.rows"),
                    1,
                    1000,
                )?;
                let cols = self.count(
                    self.require(
                        &c.cols,
                        &format!("{at}.cols"),
                        cspan.clone(),
                        "needle columns across the stroke",
                    )?,
                    &format!("{at}.cols"),
                    1,
                    1000,
                )?;
                if rows as usize * cols as usize > MAX_NEEDLES {
                    let cv = c.cols.as_ref().expect("required above");
                    return Err(self.err(
                        cv.span(),
                        &format!("{at}.cols"),
                        cols,
                        format!(
                            "{rows} rows × {cols} = {} needles; at most {MAX_NEEDLES} are supported",
                            rows as usize * cols as usize
                        ),
                    ));
                }
                let pv = self.require(
                    &c.pitch_mm,
                    &format!("{at}.pitch_mm"),
                    cspan.clone(),
                    "needle pitch of the grid",
                )?;
                let pitch = self.positive(pv, &format!("{at}.pitch_mm"))?;
                if (rows > 1 || cols > 1) && pitch < d {
                    return Err(self.err(
                        pv.span(),
                        &format!("{at}.pitch_mm"),
                        pitch,
                        format!(
                            "needles of diameter {d} mm collide; the pitch must be at least {d} mm"
                        ),
                    ));
                }
                let mut v = Vec::new();
                for i in 0..rows {
                    for j in 0..cols {
                        v.push(PenNeedle {
                            along_mm: (f64::from(i) - f64::from(rows - 1) / 2.0) * pitch,
                            across_mm: (f64::from(j) - f64::from(cols - 1) / 2.0) * pitch,
                        });
                    }
                }
                (v, f64::from(cols) * pitch)
            }
            CartridgePattern::Ring => {
                self.forbid(&c.rows, &format!("{at}.rows"), "ring", "pattern \"grid\"")?;
                self.forbid(&c.cols, &format!("{at}.cols"), "ring", "pattern \"grid\"")?;
                self.forbid(
                    &c.pitch_mm,
                    &format!("{at}.pitch_mm"),
                    "ring",
                    "pattern \"grid\"",
                )?;
                self.forbid(
                    &c.needles,
                    &format!("{at}.needles"),
                    "ring",
                    "pattern \"explicit\"",
                )?;
                let nv = self.require(
                    &c.count,
                    &format!("{at}.count"),
                    cspan.clone(),
                    "needles on the ring",
                )?;
                let n = self.count(nv, &format!("{at}.count"), 1, 1000)?;
                let dv = self.require(
                    &c.diameter_mm,
                    &format!("{at}.diameter_mm"),
                    cspan.clone(),
                    "ring diameter",
                )?;
                let dia = self.positive(dv, &format!("{at}.diameter_mm"))?;
                let mut v: Vec<PenNeedle> = (0..n)
                    .map(|k| {
                        let a = 2.0 * std::f64::consts::PI * f64::from(k) / f64::from(n);
                        PenNeedle {
                            along_mm: dia / 2.0 * crate::math::trig::cos(a),
                            across_mm: dia / 2.0 * crate::math::trig::sin(a),
                        }
                    })
                    .collect();
                if c.centre.unwrap_or(false) {
                    v.push(PenNeedle {
                        along_mm: 0.0,
                        across_mm: 0.0,
                    });
                }
                (v, dia)
            }
            CartridgePattern::Explicit => {
                self.forbid(
                    &c.rows,
                    &format!("{at}.rows"),
                    "explicit",
                    "pattern \"grid\"",
                )?;
                self.forbid(
                    &c.cols,
                    &format!("{at}.cols"),
                    "explicit",
                    "pattern \"grid\"",
                )?;
                self.forbid(
                    &c.pitch_mm,
                    &format!("{at}.pitch_mm"),
                    "explicit",
                    "pattern \"grid\"",
                )?;
                self.forbid(
                    &c.count,
                    &format!("{at}.count"),
                    "explicit",
                    "pattern \"ring\"",
                )?;
                self.forbid(
                    &c.diameter_mm,
                    &format!("{at}.diameter_mm"),
                    "explicit",
                    "pattern \"ring\"",
                )?;
                let nv = self.require(
                    &c.needles,
                    &format!("{at}.needles"),
                    cspan.clone(),
                    "needles = [[along_mm, across_mm], ...]",
                )?;
                if nv.get_ref().is_empty() {
                    return Err(self.err(
                        nv.span(),
                        &format!("{at}.needles"),
                        "[]",
                        "needs at least one needle",
                    ));
                }
                if nv.get_ref().len() > MAX_NEEDLES {
                    return Err(self.err(
                        nv.span(),
                        &format!("{at}.needles"),
                        nv.get_ref().len(),
                        format!("at most {MAX_NEEDLES} needles are supported"),
                    ));
                }
                let mut v = Vec::new();
                for (i, row) in nv.get_ref().iter().enumerate() {
                    match row.as_slice() {
                        [a, b] if a.is_finite() && b.is_finite() => v.push(PenNeedle {
                            along_mm: *a,
                            across_mm: *b,
                        }),
                        _ => {
                            return Err(self.err(
                                nv.span(),
                                &format!("{at}.needles[{i}]"),
                                format!("{row:?}"),
                                "each needle is [along_mm, across_mm], finite numbers",
                            ))
                        }
                    }
                }
                let lo = v.iter().map(|n| n.across_mm).fold(f64::INFINITY, f64::min);
                let hi = v
                    .iter()
                    .map(|n| n.across_mm)
                    .fold(f64::NEG_INFINITY, f64::max);
                (v, hi - lo + d)
            }
        };
        let pts: Vec<(f64, f64)> = needles.iter().map(|n| (n.along_mm, n.across_mm)).collect();
        if let Some((i, j)) = first_collision(&pts, d, None) {
            return Err(self.err(
                cspan,
                at,
                format!("needles {i} and {j}"),
                format!("needles {i} and {j} are closer than one needle diameter ({d} mm)"),
            ));
        }
        Ok((needles, width))
    }

    fn treatment(&self, t: &S<file::TreatmentFile>, default_lane: f64) -> R<Treatment> {
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

/// 1-based line of the record starting at byte `offset` in `bytes` (the csv crate starts a
/// record at the blank lines it skips before it).
fn line_of(bytes: &[u8], offset: u64) -> u64 {
    let mut end = (offset as usize).min(bytes.len());
    while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
        end += 1;
    }
    bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// A CSV reading error in words, without the data it was reading.
fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("not UTF-8 text (in field {})", err.field() + 1)
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} fields, the header {expected_len}"),
        csv::ErrorKind::Io(e) => format!("cannot read: {e}"),
        _ => "malformed CSV".to_string(),
    }
}

/// First pair of points closer than `min_dist` (with an optional periodic second coordinate).
fn first_collision(
    pts: &[(f64, f64)],
    min_dist: f64,
    period: Option<f64>,
) -> Option<(usize, usize)> {
    let lim = min_dist * (1.0 - 1e-9);
    for i in 0..pts.len() {
        for j in i + 1..pts.len() {
            let dx = pts[i].0 - pts[j].0;
            if dx.abs() >= lim {
                continue;
            }
            let mut dy = (pts[i].1 - pts[j].1).abs();
            if let Some(p) = period {
                dy = dy.rem_euclid(p);
                dy = dy.min(p - dy);
            }
            if dx * dx + dy * dy < lim * lim {
                return Some((i, j));
            }
        }
    }
    None
}
