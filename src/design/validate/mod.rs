//! Checks a parsed [`DesignFile`] into a [`Design`].
//!
//! Every refusal names the file, the line and column of the key, the dotted key, the value
//! as read and what would be valid.

use super::file::{self, DesignFile, S};
use super::*;
use crate::base::error::{line_col, InputError};
use crate::model::material::{self, MaterialProps};
use crate::model::skin::{Skin, PRESETS};
use std::fmt::Display;
use std::ops::Range;

mod experiment;
mod needles_csv;
mod skin;
mod spec;
mod treatment;

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

/// A validation result.
pub(crate) type R<T> = Result<T, InputError>;
/// A needle read from a list or CSV: axial, angle, length, span and key for errors.
pub(crate) type RawNeedle = (f64, f64, f64, Range<usize>, String);

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
        // numbers of bounded width (1e300, not 301 digits) and no more of the file than an
        // excerpt, whatever the caller formatted
        let value = crate::base::input::shorten_numbers(&value.to_string());
        InputError::Invalid {
            path: self.path.to_path_buf(),
            line,
            column,
            key: crate::base::input::bound(&key.replace(['\n', '\r'], " "), 200),
            value: crate::base::input::bound(&value, 120),
            problem: crate::base::input::shorten_numbers(&problem.into()),
        }
    }

    pub(crate) fn positive(&self, v: &S<f64>, key: &str) -> R<f64> {
        let x = *v.get_ref();
        if x.is_finite() && x > 0.0 {
            self.in_range(v, key)
        } else {
            Err(self.err(v.span(), key, x, "must be a finite number greater than 0"))
        }
    }

    pub(crate) fn non_negative(&self, v: &S<f64>, key: &str) -> R<f64> {
        let x = *v.get_ref();
        if x.is_finite() && x >= 0.0 {
            self.in_range(v, key)
        } else {
            Err(self.err(v.span(), key, x, "must be a finite number, 0 or greater"))
        }
    }

    pub(crate) fn finite(&self, v: &S<f64>, key: &str) -> R<f64> {
        let x = *v.get_ref();
        if x.is_finite() {
            self.in_range(v, key)
        } else {
            Err(self.err(v.span(), key, x, "must be a finite number"))
        }
    }

    /// The value, if it lies in the key's physical range ([`super::ranges`]).
    pub(crate) fn in_range(&self, v: &S<f64>, key: &str) -> R<f64> {
        let x = *v.get_ref();
        match super::ranges::range_of(key) {
            Some(r) if !r.contains(x) => {
                Err(self.err(v.span(), key, x, format!("must be {}", r.describe())))
            }
            _ => Ok(x),
        }
    }

    pub(crate) fn opt<T>(
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

    pub(crate) fn count(&self, v: &S<i64>, key: &str, min: i64, max: i64) -> R<u32> {
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

    pub(crate) fn forbid<T>(
        &self,
        v: &Option<S<T>>,
        key: &str,
        pattern: &str,
        belongs: &str,
    ) -> R<()>
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

    pub(crate) fn require<'v, T>(
        &self,
        v: &'v Option<S<T>>,
        key: &str,
        table_span: Range<usize>,
        what: &str,
    ) -> R<&'v S<T>> {
        v.as_ref()
            .ok_or_else(|| self.err(table_span, key, "(missing)", format!("is required: {what}")))
    }

    /// Refuses a `name` (at `span`) that breaks [`NAME_RULE`]; a sweep's name too.
    pub fn check_name(&self, name: &str, span: Range<usize>) -> R<()> {
        if is_valid_name(name) {
            Ok(())
        } else {
            Err(self.err(
                span,
                "name",
                format!("{:?}", crate::base::input::clip(name)),
                NAME_RULE,
            ))
        }
    }

    /// Refuses the device tables of the other kinds: a `kind` design has only its own.
    fn only_table(&self, f: &DesignFile, kind: &str) -> R<()> {
        for (name, span) in super::kinds::tables_present(f) {
            if name != kind {
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
        self.check_name(&name, f.name.span())?;
        let kind = f.kind.get_ref();
        self.only_table(&f, kind.key())?;
        let needle_span = f.needle.span();
        let nf = f.needle.get_ref();
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
            material: self.material(nf)?,
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
                    tip_radius_sd_um: self.opt(
                        &t.tip_radius_sd_um,
                        "tolerance.tip_radius_sd_um",
                        0.0,
                        Self::non_negative,
                    )?,
                }
            }
        };

        let skin = self.skin(f.skin.as_ref())?;
        let skin_grip = self.skin_grip(f.skin.as_ref())?;

        let needle_ctx = NeedleCtx {
            needle,
            length: nf.length_mm.as_ref(),
            span: needle_span,
        };
        let (device, default_lane) = super::kinds::check(&f, self, &needle_ctx)?;

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
            skin_grip,
            treatment,
            analysis,
        })
    }

    /// `needle.material` and its overrides: a registry key, a modulus and a yield strength
    /// finite, positive and in range.
    fn material(&self, nf: &file::NeedleFile) -> R<MaterialProps> {
        let mat = match &nf.material {
            None => material::lookup(material::DEFAULT_MATERIAL).expect("the default is listed"),
            Some(v) => material::lookup(v.get_ref()).ok_or_else(|| {
                self.err(
                    v.span(),
                    "needle.material",
                    format!("{:?}", crate::base::input::clip(v.get_ref())),
                    format!("unknown material; valid: {}", material::key_list()),
                )
            })?,
        };
        let modulus = nf.youngs_modulus_gpa.as_ref();
        let modulus = modulus.map(|v| self.positive(v, "needle.youngs_modulus_gpa"));
        let strength = nf.yield_strength_mpa.as_ref();
        let strength = strength.map(|v| self.positive(v, "needle.yield_strength_mpa"));
        Ok(MaterialProps::new(
            mat,
            modulus.transpose()?,
            strength.transpose()?,
        ))
    }
}

/// What a device kind's validation needs of `[needle]`: the checked shape, the length as
/// written (a roller and a stamp require it, a pen refuses it) and the table's span.
pub(crate) struct NeedleCtx<'a> {
    /// The checked needle shape.
    pub needle: Needle,
    /// `needle.length_mm` as written.
    pub length: Option<&'a S<f64>>,
    /// The `[needle]` table's span, for the error when the length is missing.
    pub span: Range<usize>,
}

impl NeedleCtx<'_> {
    /// `needle.length_mm`, required (`what` says what it is for this kind) and in range.
    pub fn length_mm(&self, ctx: &Ctx, what: &str) -> R<f64> {
        let v = self.length.ok_or_else(|| {
            ctx.err(
                self.span.clone(),
                "needle.length_mm",
                "(missing)",
                format!("is required: {what}"),
            )
        })?;
        ctx.positive(v, "needle.length_mm")
    }

    /// Refuses a `needle.length_mm` the kind does not take, with `why`.
    pub fn refuse_length(&self, ctx: &Ctx, why: &str) -> R<()> {
        match self.length {
            Some(l) => Err(ctx.err(l.span(), "needle.length_mm", l.get_ref(), why)),
            None => Ok(()),
        }
    }
}
