//! `compare --runs N`: every design run with the seeds seed..seed+N−1, and every metric's
//! difference of means from the first design with its 95 % CI (Welch's standard error, the
//! normal quantile; [`crate::studies::mc::stats::diff_ci`]). A difference is *within noise* when its CI
//! contains 0. The same numbers three ways: the text the table prints (`crate::output::compare::noise_text`), the
//! `differences_over_runs` section of `compare --format json` ([`Noise`] serialized) and
//! `<stem>-differences.csv` (`crate::output::compare::noise_csv`).

use crate::model::registry;
use crate::studies::mc::stats::{self, Summary};
use crate::studies::mc::Study;
use serde::Serialize;

/// The differences of a comparison over seeds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Noise {
    /// Seeds per design.
    pub runs: u32,
    /// The design every other is compared with (the first).
    pub versus: String,
    /// One per other design, in order.
    pub designs: Vec<NoisePair>,
}

/// One design against the first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NoisePair {
    /// The design.
    pub design: String,
    /// The design it is compared with.
    pub versus: String,
    /// One per registry metric, registry order.
    pub differences: Vec<Difference>,
}

/// One metric's difference of means, `design` − `versus`, in the metric's unit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Difference {
    /// Metric key.
    pub metric: &'static str,
    /// The unit of the three numbers below: the metric's, `fraction` for a share the tables
    /// print in % (0.0317 is 3.17 points); "" for a ratio.
    pub unit: &'static str,
    /// Mean of the design's runs minus mean of the first design's (null: undefined in a run).
    pub mean: Option<f64>,
    /// Lower end of the difference's 95 % CI.
    pub ci95_low: Option<f64>,
    /// Upper end of the difference's 95 % CI.
    pub ci95_high: Option<f64>,
    /// Whether the CI contains 0: the seeds alone could make this difference.
    pub within_noise: Option<bool>,
    /// Whether the metric is the same in every run of both designs.
    pub equal_in_every_run: bool,
}

fn difference(key: &'static str, a: Option<&Summary>, b: Option<&Summary>) -> Difference {
    // the numbers are fractions where the tables print "%" (coverage 0.0317 is 3.17 points)
    let unit =
        registry::metric(key).map_or("", |m| if m.unit == "%" { "fraction" } else { m.unit });
    let (Some(a), Some(b)) = (a, b) else {
        return Difference {
            metric: key,
            unit,
            mean: None,
            ci95_low: None,
            ci95_high: None,
            within_noise: None,
            equal_in_every_run: false,
        };
    };
    let (d, lo, hi) = stats::diff_ci(a, b);
    Difference {
        metric: key,
        unit,
        mean: Some(d),
        ci95_low: Some(lo),
        ci95_high: Some(hi),
        within_noise: Some(lo <= 0.0 && hi >= 0.0),
        equal_in_every_run: d == 0.0 && lo == hi,
    }
}

/// The differences of `studies[1..]` from `studies[0]`, each run `runs` times.
pub fn noise(studies: &[Study], runs: u32) -> Noise {
    let base = &studies[0];
    let designs = studies[1..]
        .iter()
        .map(|other| NoisePair {
            design: other.design.name.clone(),
            versus: base.design.name.clone(),
            differences: other
                .summaries
                .iter()
                .zip(&base.summaries)
                .map(|((key, a), (_, b))| difference(key, a.as_ref(), b.as_ref()))
                .collect(),
        })
        .collect();
    Noise {
        runs,
        versus: base.design.name.clone(),
        designs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(values: &[f64]) -> Summary {
        Summary::of(values).unwrap()
    }

    #[test]
    fn within_noise_is_a_ci_that_holds_zero() {
        // means 2 and 1, sd 1 each, n = 3: se = √(2/3), CI 1 ± 1.96·0.8165 = [−0.600, 2.600]
        let d = difference(
            "max_gap_mm",
            Some(&s(&[1.0, 2.0, 3.0])),
            Some(&s(&[0.0, 1.0, 2.0])),
        );
        assert_eq!(d.mean, Some(1.0));
        let half = stats::Z95 * (2.0f64 / 3.0).sqrt();
        assert!((d.ci95_low.unwrap() - (1.0 - half)).abs() < 1e-12);
        assert!((d.ci95_high.unwrap() - (1.0 + half)).abs() < 1e-12);
        assert_eq!(d.within_noise, Some(true));
        assert_eq!(d.unit, "mm");
        // far apart: 10 against 0 with the same spread
        let far = difference(
            "max_gap_mm",
            Some(&s(&[9.0, 10.0, 11.0])),
            Some(&s(&[0.0, 1.0, 2.0])),
        );
        assert_eq!(far.within_noise, Some(false));
        assert!(!far.equal_in_every_run);
        let same = difference("channels", Some(&s(&[5.0, 5.0])), Some(&s(&[5.0, 5.0])));
        assert!(same.equal_in_every_run && same.within_noise == Some(true));
        let none = difference("max_gap_mm", None, Some(&s(&[1.0])));
        assert_eq!((none.mean, none.within_noise), (None, None));
    }
}
