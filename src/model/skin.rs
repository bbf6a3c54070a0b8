//! Skin: the layer stack a channel ends in, and the mechanics that shape a puncture.
//!
//! Layers are stacked from the surface down: stratum corneum, viable epidermis, papillary
//! dermis, reticular dermis, subcutis (the last is unbounded). A channel's layer is the layer
//! in which its tip ends; a depth exactly on a boundary belongs to the upper layer.
//!
//! # Presets and their sources
//! Every figure is listed with its citation in `docs/sources.md`; label \[M\] measured, \[S\]
//! described, \[D\] arithmetic on those, \[A\] an assumption needlemap makes because no source
//! gives the figure, \[K\] calibrated to the published figure named (see `needlemap validate`).
//!
//! | figure | `face` | `body` | `rat` | source |
//! |---|---|---|---|---|
//! | stratum corneum | 0.015 mm | 0.015 mm | 0.010 mm | 11–18 µm, Sandby-Møller et al. 2003 \[M\]; rat \[A\] (thinner, Wei 2017) |
//! | viable epidermis | 0.050 mm | 0.070 mm | 0.030 mm | face 29.6–62.6 µm (Chopra 2015), 66–123 µm (Selcuk) \[M\]; body 57–82 µm (Sandby-Møller 2003) \[M\]; rat \[A\] |
//! | papillary dermis (to depth) | 0.35 mm | 0.40 mm | 0.20 mm | ≈ 300–400 µm deep, Sorrell & Caplan 2004 \[S\]; rat \[A\] |
//! | whole dermis | 1.485 mm | 2.115 mm | 1.06 mm | face 0.759–1.969 mm (Chopra 2015), 1.107–1.943 mm (Selcuk) \[M\]; body 2.1–5.9 mm (Oltulu 2018) \[M\], lower end; rat \[A\] |
//! | `puncture_force_n` F₀ | 0.020 N | 0.020 N | 0.020 N | sharp needles 0.021–0.030 N (Olatunji 2013) \[M\]: with the tip term below a 4 µm tip needs 0.0275 N |
//! | `tip_pressure_n_mm2` p | 150 | 150 | 150 | puncture force linear in tip area, 0.1–3 N (Davis 2004) \[M\]; slope 3 N at an 80 µm tip radius \[A\] |
//! | `tenting_stiffness_n_mm` k | 0.14 N/mm | 0.14 N/mm | 0.07 N/mm | \[A\]: a sharp tip tents human skin ≈ 0.2 mm before it pierces; rat skin is softer (Wei 2017) \[M\], taken as half |
//! | `insertion_resistance_n_mm` c | 0.30 N/mm | 0.30 N/mm | 0.15 N/mm | \[A\]: cutting and friction force gained per mm of depth; rat half, as above |
//! | `deflection_mm` δ₀ | 0.14 mm | 0.14 mm | 0.381 mm | human \[K\]: 600 µm needles pressed firmly reached ≈ 460 µm (Donnelly 2010); rat \[K\]: the 70.7 µm opening of a 770 µm DermaRoller needle (Kalluri 2011) |
//! | `closure_radius_um` r_c | 21.5 µm | 21.5 µm | 21.5 µm | rat \[K\]: the 152.5 µm channel the same needle left (Kalluri 2011); human \[A\]: taken equal |
//! | `tangential_slack_mm` c_t | 0.42 mm | 0.42 mm | 0.42 mm | \[A\]: chosen so a 1.5 mm MF8 needle opens a hole about 1.7× as long as wide, "round, maybe slightly oval … never a slit" (Fernandes) \[C\] |
//!
//! The body dermis takes the lower end of its range so that the subcutis advisory errs on
//! the side of warning. Where sources disagree, every figure is a key of `[skin]`.
//!
//! The insertion parameters (F₀, p, k, c, δ₀, r_c) are those of [`crate::model::insertion`], which
//! explains the model. One set per species: the human presets share theirs.

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
    /// Residual tenting δ₀ of the surface around a pierced, fully loaded needle, mm: a needle
    /// pressed to its base reaches its length minus this.
    pub deflection_mm: f64,
    /// How far the surface follows a needle sideways before it tears, mm.
    pub tangential_slack_mm: f64,
    /// Puncture force of an ideally sharp tip F₀, N.
    pub puncture_force_n: f64,
    /// Puncture force gained per mm² of tip area p, N/mm².
    pub tip_pressure_n_mm2: f64,
    /// Force per mm of surface deflection before puncture k, N/mm.
    pub tenting_stiffness_n_mm: f64,
    /// Force gained per mm of depth after puncture c, N/mm.
    pub insertion_resistance_n_mm: f64,
    /// A channel narrower than this radius closes after withdrawal r_c, µm.
    pub closure_radius_um: f64,
}

/// Names of the presets, for error messages.
pub const PRESETS: &[&str] = &["face", "body", "rat"];

impl Skin {
    /// A named preset, or `None` if there is none by that name.
    ///
    /// # Examples
    /// ```
    /// let face = needlemap::model::skin::Skin::preset("face").unwrap();
    /// assert!((face.boundaries_mm()[1] - 0.065).abs() < 1e-12);
    /// ```
    pub fn preset(name: &str) -> Option<Skin> {
        // (layers, δ₀, F₀, k, c): one mechanical set per species (module docs).
        let human = (0.14, 0.020, 0.14, 0.30);
        let (thickness_mm, (deflection_mm, puncture_force_n, k, c)) = match name {
            "face" => ([0.015, 0.050, 0.285, 1.200], human),
            "body" => ([0.015, 0.070, 0.315, 1.800], human),
            "rat" => ([0.010, 0.030, 0.160, 0.870], (0.381, 0.020, 0.07, 0.15)),
            _ => return None,
        };
        Some(Skin {
            preset: name.to_string(),
            thickness_mm,
            deflection_mm,
            tangential_slack_mm: 0.42,
            puncture_force_n,
            tip_pressure_n_mm2: 150.0,
            tenting_stiffness_n_mm: k,
            insertion_resistance_n_mm: c,
            closure_radius_um: 21.5,
        })
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
