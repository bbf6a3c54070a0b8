//! The headline metrics: the few that compare, sweep tables and the comparison picture show
//! (the CSV and JSON have them all), with the words each is shown with. One table, so a
//! headline metric is added or reworded in one place.

/// How a difference in a headline metric is worded between designs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wording {
    /// "WHAT X× larger with HI (h) than with LO (l)"
    Larger,
    /// "WHAT: HI, h against l with LO (X×)"
    Most,
    /// "WHAT: LO, l against h with HI" (lower wins, e.g. time)
    Least,
}

/// One headline metric and where it is shown.
#[derive(Clone, Copy, Debug)]
pub struct Headline {
    /// Registry key.
    pub key: &'static str,
    /// The sentence on the designs that differ in it, and how it is worded.
    pub difference: (&'static str, Wording),
    /// What it is, as a noun: "about the same skin opened".
    pub noun: &'static str,
    /// Title of its bar in the comparison picture, with the unit; `None`: no bar.
    pub bar: Option<&'static str>,
    /// Drawn again, as a bar, at equal density.
    pub equal_bar: bool,
    /// In sweep's compact terminal table.
    pub sweep_table: bool,
}

const fn h(
    key: &'static str,
    difference: (&'static str, Wording),
    noun: &'static str,
    bar: Option<&'static str>,
    equal_bar: bool,
    sweep_table: bool,
) -> Headline {
    Headline {
        key,
        difference,
        noun,
        bar,
        equal_bar,
        sweep_table,
    }
}

/// The headline metrics, in the order every view shows them. Compare's equal-density tables
/// show all of them.
pub const HEADLINES: &[Headline] = &[
    h(
        "density_per_cm2",
        ("densest", Wording::Most),
        "density",
        Some("density, channels/cm²"),
        false,
        true,
    ),
    h(
        "coverage_fraction",
        ("opens more skin", Wording::Most),
        "skin opened",
        Some("skin opened, %"),
        true,
        true,
    ),
    h(
        "treated_fraction",
        (
            "treats more skin (within the influence radius)",
            Wording::Most,
        ),
        "skin treated (within the influence radius)",
        Some("within influence radius, %"),
        false,
        true,
    ),
    h(
        "max_gap_mm",
        ("largest untreated gap", Wording::Larger),
        "largest untreated gap",
        Some("largest untreated gap, mm"),
        true,
        true,
    ),
    h(
        "mean_depth_mm",
        ("goes deeper", Wording::Most),
        "mean depth",
        None,
        false,
        true,
    ),
    h(
        "density_cv",
        ("more even from tile to tile (density CV)", Wording::Least),
        "evenness (density CV)",
        None,
        false,
        true,
    ),
    h(
        "overlap_fraction",
        ("fewer channels meet an earlier one", Wording::Least),
        "overlap with earlier channels",
        None,
        false,
        false,
    ),
    h(
        "time_s",
        ("faster", Wording::Least),
        "treatment time",
        Some("treatment time, s"),
        true,
        true,
    ),
];

/// Largest difference between two designs' values, as a share of the larger, that the words
/// call "about the same": the seed-to-seed noise of one analysis (MF8's coverage spans
/// ±4 % over 20 seeds); `compare --runs N` measures the noise for the designs at hand.
pub const SAME_REL: f64 = 0.05;

/// The bars of the comparison picture: key and title.
pub fn bars() -> impl Iterator<Item = (&'static str, &'static str)> {
    HEADLINES.iter().filter_map(|h| h.bar.map(|t| (h.key, t)))
}

/// The bars drawn again at equal density: key and title.
pub fn equal_bars() -> impl Iterator<Item = (&'static str, &'static str)> {
    bars().filter(|(k, _)| HEADLINES.iter().any(|h| h.key == *k && h.equal_bar))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_headline_is_a_registry_metric_once() {
        for (i, h) in HEADLINES.iter().enumerate() {
            assert!(crate::model::registry::metric(h.key).is_some(), "{}", h.key);
            assert!(
                HEADLINES[i + 1..].iter().all(|o| o.key != h.key),
                "{}",
                h.key
            );
            assert!(
                !h.equal_bar || h.bar.is_some(),
                "{}: an equal bar needs a bar",
                h.key
            );
        }
    }
}
