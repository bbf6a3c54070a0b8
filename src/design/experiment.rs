//! A published experiment a design under `designs/validation/` reproduces: what was measured,
//! the band a prediction must meet, and whether a parameter was fitted to the figure
//! (`needlemap validate` compares; see [`crate::studies::validation`]).

use serde::Serialize;

/// A quantity an experiment measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// Mean insertion depth over the channels, mm (`mean_depth_mm`).
    DepthMm,
    /// Mean depth of the channels left after withdrawal, mm (`mean_channel_depth_mm`).
    ChannelDepthMm,
    /// Mean width of the openings across their short axis (2r), mm.
    OpeningMm,
    /// The axial force one needle withstands before it fails, N: its buckling load with the
    /// point held (K ≈ 0.7, Park & Prausnitz 2010), Johnson's below the transition.
    FailureForceN,
    /// The length over diameter at which a held needle's buckling passes from Euler to
    /// Johnson, λ_t/(4K) with λ_t = √(2π²E/S_y): a figure of the material.
    TransitionAspect,
}

impl Quantity {
    /// The keys design files use.
    pub const KEYS: [&'static str; 5] = [
        "depth_mm",
        "channel_depth_mm",
        "opening_mm",
        "failure_force_n",
        "transition_aspect",
    ];

    /// The quantity named `key`.
    pub fn from_key(key: &str) -> Option<Quantity> {
        match key {
            "depth_mm" => Some(Quantity::DepthMm),
            "channel_depth_mm" => Some(Quantity::ChannelDepthMm),
            "opening_mm" => Some(Quantity::OpeningMm),
            "failure_force_n" => Some(Quantity::FailureForceN),
            "transition_aspect" => Some(Quantity::TransitionAspect),
            _ => None,
        }
    }

    /// The unit its values are shown in (`µm` for the lengths, which the file gives in mm);
    /// empty for a ratio.
    pub fn unit(self) -> &'static str {
        match self {
            Quantity::DepthMm | Quantity::ChannelDepthMm | Quantity::OpeningMm => "µm",
            Quantity::FailureForceN => "N",
            Quantity::TransitionAspect => "",
        }
    }

    /// A value in the file's unit (mm, N, a ratio) as shown: its number in [`Quantity::unit`]
    /// with the table's decimals.
    ///
    /// # Examples
    /// ```
    /// use needlemap::design::experiment::Quantity;
    /// assert_eq!(Quantity::DepthMm.show(0.46), "460.0");
    /// assert_eq!(Quantity::FailureForceN.show(4.7), "4.70");
    /// ```
    pub fn show(self, value: f64) -> String {
        match self.unit() {
            "µm" => format!("{:.1}", value * 1000.0),
            "N" => format!("{value:.2}"),
            _ => format!("{value:.1}"),
        }
    }

    /// The suffix of its values' JSON keys, the file's unit (`measured_mm`, `measured_n`,
    /// `measured` for a ratio).
    pub fn json_suffix(self) -> &'static str {
        match self.unit() {
            "µm" => "_mm",
            "N" => "_n",
            _ => "",
        }
    }

    /// Its key.
    pub fn key(self) -> &'static str {
        Quantity::KEYS[self as usize]
    }

    /// Plain words for the table.
    pub fn label(self) -> &'static str {
        match self {
            Quantity::DepthMm => "insertion depth",
            Quantity::ChannelDepthMm => "channel depth",
            Quantity::OpeningMm => "opening width",
            Quantity::FailureForceN => "axial failure force",
            Quantity::TransitionAspect => "Euler–Johnson transition L/d",
        }
    }
}

/// The band a prediction must meet.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Within one standard deviation of the measured mean.
    OneSd,
    /// Within this fraction of the measured mean.
    Relative(f64),
    /// Between these two values, in the quantity's file unit: a figure the study reports as
    /// a range or a bound ("less than half", "pores were seen").
    Range(f64, f64),
}

/// Whether a parameter was fitted to the figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A skin parameter was fitted to this figure.
    Calibration,
    /// The figure was held out.
    Validation,
}

/// One measured figure, in its quantity's file unit (mm, N or a ratio).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measured {
    /// What was measured.
    pub quantity: Quantity,
    /// Measured mean.
    pub mean: f64,
    /// Measured standard deviation, where reported.
    pub sd: Option<f64>,
    /// The band the prediction must meet.
    pub band: Band,
    /// Calibration or validation.
    pub role: Role,
    /// What was fitted, or what the figure checks.
    pub note: String,
    /// Whether leaving the band fails `needlemap validate`.
    pub gate: bool,
}

impl Measured {
    /// The band as (low, high).
    pub fn bounds(&self) -> (f64, f64) {
        let half = match self.band {
            Band::OneSd => self.sd.unwrap_or(0.0),
            Band::Relative(t) => t * self.mean,
            Band::Range(lo, hi) => return (lo, hi),
        };
        (self.mean - half, self.mean + half)
    }
}

/// A published experiment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Experiment {
    /// Authors, journal and year.
    pub study: String,
    /// DOI, where there is one.
    pub doi: String,
    /// The conditions the study reports, in words.
    pub conditions: String,
    /// The figures it measured.
    pub measured: Vec<Measured>,
}
