//! Skin: the layer stack a channel ends in, and the mechanics that shape a puncture.
//!
//! Layers are stacked from the surface down: stratum corneum, viable epidermis, papillary
//! dermis, reticular dermis, subcutis (the last is unbounded). A channel's layer is the layer
//! in which its tip ends; a depth exactly on a boundary belongs to the upper layer.
//!
//! # Presets and their sources
//! Every figure is from `reference/facts.md`; label \[M\] measured, \[S\] described, \[D\] arithmetic
//! on those, \[A\] an assumption needlemap makes because no source gives the figure.
//!
//! | figure | `face` | `body` | source |
//! |---|---|---|---|
//! | stratum corneum | 0.015 mm | 0.015 mm | 11–18 µm, Sandby-Møller et al. 2003 \[M\] |
//! | viable epidermis | 0.050 mm | 0.070 mm | face epidermis 29.6–62.6 µm (Chopra 2015) and 66–123 µm (Selcuk) \[M\]; body cellular epidermis 57–82 µm (Sandby-Møller 2003) \[M\] |
//! | papillary dermis (to depth) | 0.35 mm | 0.40 mm | ≈ 300–400 µm deep, Sorrell & Caplan 2004 \[S\] |
//! | whole dermis | 1.485 mm | 2.115 mm | face 0.759–1.969 mm (Chopra 2015), 1.107–1.943 mm (Selcuk) \[M\]; body 2.1–5.9 mm (Oltulu 2018) \[M\], lower end taken |
//! | deflection δ | 0.14 mm | 0.14 mm | 600 µm needles reached ≈ 460 µm in human skin in vivo (Donnelly 2010) \[M\]: 0.60 − 0.46 \[D\] |
//! | tangential slack c | 0.42 mm | 0.42 mm | \[A\]: no source measures it; chosen so a 1.5 mm needle on a 20 mm drum (rigid slit ℓ₀ ≈ 1.02 mm) opens a hole about 1.7× as long as wide, "round, maybe slightly oval … never a slit" (Fernandes) \[C\] |
//!
//! The body dermis takes the lower end of its range so that the subcutis advisory errs on
//! the side of warning. Where sources disagree, every figure is a key of `[skin]`.

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
    /// How far the skin tents before a needle pierces it, mm.
    pub deflection_mm: f64,
    /// How far the surface follows a needle sideways before it tears, mm.
    pub tangential_slack_mm: f64,
}

/// Names of the presets, for error messages.
pub const PRESETS: &[&str] = &["face", "body"];

impl Skin {
    /// A named preset, or `None` if there is none by that name.
    ///
    /// # Examples
    /// ```
    /// let face = needlemap::skin::Skin::preset("face").unwrap();
    /// assert!((face.boundaries_mm()[1] - 0.065).abs() < 1e-12);
    /// ```
    pub fn preset(name: &str) -> Option<Skin> {
        let (thickness_mm, deflection_mm, tangential_slack_mm) = match name {
            "face" => ([0.015, 0.050, 0.285, 1.200], 0.14, 0.42),
            "body" => ([0.015, 0.070, 0.315, 1.800], 0.14, 0.42),
            _ => return None,
        };
        Some(Skin {
            preset: name.to_string(),
            thickness_mm,
            deflection_mm,
            tangential_slack_mm,
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
