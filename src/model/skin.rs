//! Skin: the layer stack a channel ends in, and the mechanics that shape a puncture.
//!
//! Layers are stacked from the surface down: stratum corneum, viable epidermis, papillary
//! dermis, reticular dermis, subcutis (the last is unbounded). A channel's layer is the layer
//! in which its tip ends; a depth exactly on a boundary belongs to the upper layer.
//!
//! # Presets and their sources
//! One mechanical set per species (`human`, `rat`, `pig`); a preset is a species and a site's
//! layer stack ([`PRESETS`], one table). Every figure is listed with its citation in
//! `docs/sources.md`; label \[M\] measured, \[S\] described, \[D\] arithmetic on those, \[A\]
//! an assumption needlemap makes because no source gives the figure, \[K\] calibrated to the
//! published figure named (see `needlemap validate`).
//!
//! | figure | human (`face`, `body`) | `rat` | `pig` | source |
//! |---|---|---|---|---|
//! | `puncture_force_n` F₀ | 0.020 N | 0.020 N | 0.020 N | sharp needles 0.021–0.030 N (Olatunji 2013) \[M\]: with the tip term a 4 µm tip needs 0.0275 N |
//! | `tip_pressure_n_mm2` p | 150 | 150 | 150 | puncture force linear in tip area, 0.1–3 N (Davis 2004) \[M\]; slope 3 N at an 80 µm tip radius \[A\] |
//! | `indentation_stiffness` K | 0.30 N/mm^1.5/µm^0.5 | 0.15 | 0.30 | \[A\]: a 4 µm tip indents human skin 0.12 mm before it pierces; rat half (softer, Wei 2017) |
//! | `cutting_fraction` χ | 0.5 | 0.5 | 0.5 | \[A\]: the force drops at puncture (Davis 2004; Mahvash & Dupont 2010) \[M\], to half \[A\] |
//! | `friction_n_mm2` τ | 0.68 N/mm² | 0.68 N/mm² | 0.68 N/mm² | human \[K\]: 600 µm needles pressed with 30 N reached ≈ 460 µm (Donnelly 2010); rat and pig \[A\]: the human figure |
//! | `tenting_stiffness_n_mm` k_s | 1.0 N/mm | 0.113 N/mm | 1.0 N/mm | human \[A\]: the surface's stiffness under one pierced needle's load; rat \[K\]: the 70.7 µm opening of a 770 µm DermaRoller needle (Kalluri 2011) |
//! | `coupling_length_mm` ℓ | 0.15 mm | 0.15 mm | 0.15 mm | \[A\]: needle spacing matters only below ≈ 150 µm (Olatunji 2013) \[M\] |
//! | `closure_radius_um` r_c | 21.5 µm | 21.5 µm | 21.5 µm | rat \[K\]: the 152.5 µm channel the same needle left (Kalluri 2011); others \[A\]: taken equal |
//! | `tangential_slack_mm` c_t | 0.42 mm | 0.42 mm | 0.42 mm | \[A\]: chosen so a 1.5 mm MF8 needle's hole is "round, maybe slightly oval … never a slit" (Fernandes) \[C\]: 0.33 × 0.25 mm at 3 N |
//!
//! Layers (mm, surface first: stratum corneum, viable epidermis, papillary dermis, reticular
//! dermis):
//!
//! | preset | layers | source |
//! |---|---|---|
//! | `face` | 0.015, 0.050, 0.285, 1.200 | stratum corneum 11–18 µm (Sandby-Møller 2003) \[M\]; face epidermis 29.6–62.6 µm (Chopra 2015) \[M\]; papillary dermis to ≈ 300–400 µm (Sorrell & Caplan 2004) \[S\]; face dermis 0.759–1.969 mm (Chopra 2015) \[M\] |
//! | `body` | 0.015, 0.070, 0.315, 1.800 | epidermis 57–82 µm (Sandby-Møller 2003) \[M\]; body dermis 2.1–5.9 mm (Oltulu 2018) \[M\], lower end so that the subcutis advisory errs on the side of warning |
//! | `rat` | 0.010, 0.030, 0.160, 0.870 | \[A\]: thinner than human (Wei 2017) \[M\] |
//! | `pig` | 0.015, 0.060, 0.300, 1.500 | \[A\]: ex vivo porcine skin, the usual stand-in for human skin; no thickness in our sources |
//!
//! The insertion parameters are those of [`crate::model::insertion`], which explains the
//! model. Where sources disagree, every figure is a key of `[skin]`.

use serde::Serialize;

/// A skin layer, from the surface down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// The dead outer layer.
    StratumCorneum,
    /// Living epidermis below the stratum corneum.
    ViableEpidermis,
    /// The upper, loose dermis.
    PapillaryDermis,
    /// The deep, dense dermis.
    ReticularDermis,
    /// Fat below the dermis.
    Subcutis,
}

impl Layer {
    /// Every layer, surface first.
    pub const ALL: [Layer; 5] = [
        Layer::StratumCorneum,
        Layer::ViableEpidermis,
        Layer::PapillaryDermis,
        Layer::ReticularDermis,
        Layer::Subcutis,
    ];

    /// The snake_case key used in JSON and CSV.
    pub fn key(self) -> &'static str {
        match self {
            Layer::StratumCorneum => "stratum_corneum",
            Layer::ViableEpidermis => "viable_epidermis",
            Layer::PapillaryDermis => "papillary_dermis",
            Layer::ReticularDermis => "reticular_dermis",
            Layer::Subcutis => "subcutis",
        }
    }

    /// Decimals summary.csv and the baseline write a layer fraction with.
    pub const FRACTION_DECIMALS: usize = 6;

    /// The column of the layer's share of channels in summary.csv and the baseline:
    /// `<key>_fraction`.
    pub fn fraction_column(self) -> &'static str {
        match self {
            Layer::StratumCorneum => "stratum_corneum_fraction",
            Layer::ViableEpidermis => "viable_epidermis_fraction",
            Layer::PapillaryDermis => "papillary_dermis_fraction",
            Layer::ReticularDermis => "reticular_dermis_fraction",
            Layer::Subcutis => "subcutis_fraction",
        }
    }

    /// Position in [`Layer::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A validated skin model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Skin {
    /// Preset the figures started from (`face`, `body`), if any.
    pub preset: String,
    /// Thickness of the four bounded layers, mm, surface first.
    pub thickness_mm: [f64; 4],
    /// How far one needle's load deflects the surface at its neighbours: the deflection falls
    /// as exp(−s/ℓ) with the distance s, mm.
    pub coupling_length_mm: f64,
    /// How far the surface follows a needle sideways before it tears, mm.
    pub tangential_slack_mm: f64,
    /// Puncture force of an ideally sharp tip F₀, N.
    pub puncture_force_n: f64,
    /// Puncture force gained per mm² of tip area p, N/mm².
    pub tip_pressure_n_mm2: f64,
    /// Stiffness of the surface under one pierced needle's load k_s, N/mm.
    pub tenting_stiffness_n_mm: f64,
    /// Indentation stiffness K of the tip before puncture: f = K·√(r_tip/µm + 1)·u^1.5,
    /// N/mm^1.5.
    pub indentation_stiffness: f64,
    /// The force after puncture as a fraction χ of the puncture force (cutting).
    pub cutting_fraction: f64,
    /// Friction τ on the needle's inserted flank, N/mm².
    pub friction_n_mm2: f64,
    /// A channel narrower than this radius closes after withdrawal r_c, µm.
    pub closure_radius_um: f64,
    /// How much the skin varies from person to person and site to site (`[skin.variability]`).
    pub variability: Variability,
}

/// The skin's spread from person to person and site to site, each a relative SD σ: a drawn
/// skin multiplies the figures by e^(σ·z), z standard normal (median 1). Zero (the default):
/// the same skin every time. No source in needlemap's references gives these spreads; a user
/// states them (an assumption of the design).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Variability {
    /// Stiffness: the tip's indentation stiffness and the surface's under load, together.
    pub stiffness: f64,
    /// Friction on the inserted flank.
    pub friction: f64,
    /// Puncture force (F₀ and the tip term together).
    pub puncture_force: f64,
    /// Thickness of every layer, together.
    pub thickness: f64,
}

impl Variability {
    /// Whether any figure varies.
    pub fn any(&self) -> bool {
        self.stiffness > 0.0
            || self.friction > 0.0
            || self.puncture_force > 0.0
            || self.thickness > 0.0
    }
}

/// One species' mechanics (see the module's table).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Species {
    /// Its name, for the docs.
    pub name: &'static str,
    /// F₀, N.
    pub puncture_force_n: f64,
    /// p, N/mm².
    pub tip_pressure_n_mm2: f64,
    /// K, N/mm^1.5.
    pub indentation_stiffness: f64,
    /// χ.
    pub cutting_fraction: f64,
    /// τ, N/mm².
    pub friction_n_mm2: f64,
    /// k_s, N/mm.
    pub tenting_stiffness_n_mm: f64,
    /// ℓ, mm.
    pub coupling_length_mm: f64,
    /// r_c, µm.
    pub closure_radius_um: f64,
    /// c_t, mm.
    pub tangential_slack_mm: f64,
}

/// Human skin: one set for every site.
pub const HUMAN: Species = Species {
    name: "human",
    puncture_force_n: 0.020,
    tip_pressure_n_mm2: 150.0,
    indentation_stiffness: 0.30,
    cutting_fraction: 0.5,
    friction_n_mm2: 0.68,
    tenting_stiffness_n_mm: 1.0,
    coupling_length_mm: 0.15,
    closure_radius_um: 21.5,
    tangential_slack_mm: 0.42,
};

/// Rat skin: softer (Wei 2017); its surface stiffness and closure calibrated to Kalluri 2011.
pub const RAT: Species = Species {
    name: "rat",
    indentation_stiffness: 0.15,
    tenting_stiffness_n_mm: 0.113,
    ..HUMAN
};

/// Ex vivo porcine skin: taken as human \[A\].
pub const PIG: Species = Species {
    name: "pig",
    ..HUMAN
};

/// A preset: a species and a site's layer stack.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preset {
    /// The name `[skin] preset` takes.
    pub name: &'static str,
    /// The species' mechanics.
    pub species: Species,
    /// Thickness of the four bounded layers, mm, surface first.
    pub thickness_mm: [f64; 4],
}

/// Every preset: one table.
pub const PRESET_TABLE: &[Preset] = &[
    Preset {
        name: "face",
        species: HUMAN,
        thickness_mm: [0.015, 0.050, 0.285, 1.200],
    },
    Preset {
        name: "body",
        species: HUMAN,
        thickness_mm: [0.015, 0.070, 0.315, 1.800],
    },
    Preset {
        name: "rat",
        species: RAT,
        thickness_mm: [0.010, 0.030, 0.160, 0.870],
    },
    Preset {
        name: "pig",
        species: PIG,
        thickness_mm: [0.015, 0.060, 0.300, 1.500],
    },
];

/// Names of the presets, for error messages and the schema.
pub const PRESETS: &[&str] = &["face", "body", "rat", "pig"];

impl Skin {
    /// A named preset, or `None` if there is none by that name.
    ///
    /// # Examples
    /// ```
    /// let face = needlemap::model::skin::Skin::preset("face").unwrap();
    /// assert!((face.boundaries_mm()[1] - 0.065).abs() < 1e-12);
    /// ```
    pub fn preset(name: &str) -> Option<Skin> {
        let p = PRESET_TABLE.iter().find(|p| p.name == name)?;
        let m = p.species;
        Some(Skin {
            preset: name.to_string(),
            thickness_mm: p.thickness_mm,
            coupling_length_mm: m.coupling_length_mm,
            tangential_slack_mm: m.tangential_slack_mm,
            puncture_force_n: m.puncture_force_n,
            tip_pressure_n_mm2: m.tip_pressure_n_mm2,
            tenting_stiffness_n_mm: m.tenting_stiffness_n_mm,
            indentation_stiffness: m.indentation_stiffness,
            cutting_fraction: m.cutting_fraction,
            friction_n_mm2: m.friction_n_mm2,
            closure_radius_um: m.closure_radius_um,
            variability: Variability::default(),
        })
    }

    /// One person's skin drawn from [`Skin::variability`] with `seed` (its own random stream,
    /// so the draw never moves the hand's or the device's); itself when nothing varies.
    ///
    /// # Examples
    /// ```
    /// let mut s = needlemap::model::skin::Skin::preset("face").unwrap();
    /// assert_eq!(s.drawn(7), s);
    /// s.variability.stiffness = 0.3;
    /// let a = s.drawn(7);
    /// assert_eq!(a, s.drawn(7));
    /// assert_ne!(a.tenting_stiffness_n_mm, s.tenting_stiffness_n_mm);
    /// ```
    pub fn drawn(&self, seed: u64) -> Skin {
        let v = self.variability;
        if !v.any() {
            return self.clone();
        }
        let mut r = crate::base::rng::Stream::new(seed, crate::base::rng::StreamId::Skin);
        // four draws in a fixed order, whichever spreads are zero
        let mut factor = |sd: f64| (sd * r.normal()).exp();
        let (k, f, p, t) = (
            factor(v.stiffness),
            factor(v.friction),
            factor(v.puncture_force),
            factor(v.thickness),
        );
        let mut s = self.clone();
        s.tenting_stiffness_n_mm *= k;
        s.indentation_stiffness *= k;
        s.friction_n_mm2 *= f;
        s.puncture_force_n *= p;
        s.tip_pressure_n_mm2 *= p;
        for x in s.thickness_mm.iter_mut() {
            *x *= t;
        }
        s
    }

    /// Depth of the bottom of each bounded layer, mm (cumulative thicknesses).
    pub fn boundaries_mm(&self) -> [f64; 4] {
        let mut acc = 0.0;
        let mut out = [0.0; 4];
        for (o, t) in out.iter_mut().zip(self.thickness_mm) {
            acc += t;
            *o = acc;
        }
        out
    }

    /// The layer in which a tip at `depth_mm` below the surface ends.
    pub fn layer_at(&self, depth_mm: f64) -> Layer {
        let b = self.boundaries_mm();
        Layer::ALL
            .iter()
            .zip(b.iter())
            .find(|(_, &bottom)| depth_mm <= bottom)
            .map(|(l, _)| *l)
            .unwrap_or(Layer::Subcutis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_columns_are_the_keys_with_a_suffix() {
        for l in Layer::ALL {
            assert_eq!(l.fraction_column(), format!("{}_fraction", l.key()));
        }
    }

    #[test]
    fn presets_match_cited_ranges() {
        let face = Skin::preset("face").unwrap();
        let b = face.boundaries_mm();
        // papillary dermis ends 0.30-0.40 mm deep (Sorrell & Caplan)
        assert!((0.30..=0.40).contains(&b[2]));
        // face dermis 0.759-1.969 mm (Chopra)
        let dermis = b[3] - b[1];
        assert!((0.759..=1.969).contains(&dermis));
        let body = Skin::preset("body").unwrap();
        let bb = body.boundaries_mm();
        assert!((2.1..=5.9).contains(&(bb[3] - bb[1])));
    }

    #[test]
    fn one_table_names_every_preset_and_each_species_has_one_set() {
        let names: Vec<&str> = PRESET_TABLE.iter().map(|p| p.name).collect();
        assert_eq!(names, PRESETS);
        for p in PRESET_TABLE {
            let s = Skin::preset(p.name).unwrap();
            assert_eq!(s.friction_n_mm2, p.species.friction_n_mm2);
        }
        // the human sites share one mechanical set
        assert_eq!(PRESET_TABLE[0].species, PRESET_TABLE[1].species);
    }

    #[test]
    fn layer_lookup_uses_upper_layer_on_boundary() {
        let face = Skin::preset("face").unwrap();
        assert_eq!(face.layer_at(0.01), Layer::StratumCorneum);
        assert_eq!(face.layer_at(0.015), Layer::StratumCorneum);
        assert_eq!(face.layer_at(0.02), Layer::ViableEpidermis);
        assert_eq!(face.layer_at(0.2), Layer::PapillaryDermis);
        assert_eq!(face.layer_at(1.36), Layer::ReticularDermis);
        assert_eq!(face.layer_at(2.0), Layer::Subcutis);
    }
}
